"""Shared helpers for the eval tests (no tests here): tmp fixture folders and fake models that answer them.

Each helper case has a distinct article; ``answer`` builds an Event whose evidence quotes really occur in
that article, so the real grounding step keeps (or drops) values exactly as it would for a model.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

from fake_backend import QueuedBackend

from summarizer.config.settings import Settings
from summarizer.pipeline import Summarizer
from summarizer.record.schema import Casualties, Count, Event, Place, TimeWindow
from summarizer.store.database import Store

CITIES = ["Kyiv", "Kharkiv", "Odesa", "Lviv", "Dnipro", "Sumy", "Poltava", "Chernihiv", "Mykolaiv", "Kherson"]
VILLAGES = [
    "Bucha",
    "Chuhuiv",
    "Usatove",
    "Briukhovychi",
    "Obukhivka",
    "Nyzy",
    "Ivashky",
    "Kozelets",
    "Ternuvate",
    "Bilozerka",
]


def article(index: int) -> str:
    city = CITIES[index]
    return (
        f" date 2024-03-{10 + index} Overnight, a missile struck {city}. "
        f"At least {index + 3} people were injured, the mayor of {city} said. "
        f"Residents of nearby {VILLAGES[index]} heard the blast. Case marker #{index}#."
    )


def labels(index: int) -> dict[str, Any]:
    return {
        "event_type": "missile_or_air_strike",
        "title": f"Missile strike on {CITIES[index]} injures at least {index + 3}",
        "when": {"start": f"2024-03-{10 + index}", "end": f"2024-03-{10 + index}"},
        "places": [{"name": [CITIES[index]], "kind": "city"}],
        "casualties.injured": {"min": index + 3, "qualifier": "at_least"},
        "casualties.killed": None,
    }


def write_fixtures(folder: Path, count: int, extra: dict[int, str] | None = None) -> Path:
    """``count`` cases named case00, case01, ...; ``extra`` replaces some articles' text."""
    folder.mkdir(parents=True, exist_ok=True)
    for index in range(count):
        text = (extra or {}).get(index, article(index))
        (folder / f"case{index:02d}.txt").write_text(text, encoding="utf-8")
        (folder / f"case{index:02d}.labels.json").write_text(json.dumps({"labels": labels(index)}), encoding="utf-8")
    return folder


def answer(index: int, *, good: bool = True) -> Event:
    """A correct answer for case ``index``; ``good=False`` names the nearby village instead of the city
    (one gold place missing, one place the labels do not have) and gets the injured count wrong."""
    city, figure = CITIES[index], index + 3
    injured = Count(
        evidence=f"At least {figure} people were injured", phrase=f"At least {figure}", value=figure, low=figure,
        qualifier="at_least",
    )  # fmt: skip
    place = Place(evidence=f"a missile struck {city}", name=city, kind="city")
    if not good:
        place = Place(evidence=f"Residents of nearby {VILLAGES[index]}", name=VILLAGES[index], kind="city")
        injured = injured.model_copy(update={"value": None, "low": None, "qualifier": "vague", "phrase": "people"})
    return Event(
        event_type="missile_or_air_strike",
        title=f"Missile strike on {city} injures at least {figure}",
        summary=f"A missile struck {city} overnight.",
        when=TimeWindow(
            evidence="Overnight",
            phrase="Overnight",
            date_start=f"2024-03-{10 + index}",
            date_end=f"2024-03-{10 + index}",
        ),
        places=[place],
        casualties=Casualties(injured=injured),
    )


class ByTextBackend:
    """A fake model that answers each article with the reply registered for a marker its text holds, so the
    answer does not depend on call order (concurrency). Each reply goes through QueuedBackend."""

    name = "fake"

    def __init__(self, replies: dict[str, Event | Exception], model: str) -> None:
        self.model = model
        self.by_marker = replies
        self.calls = 0
        self._lock = threading.Lock()

    def complete(self, **request: Any) -> Any:
        with self._lock:
            self.calls += 1
        text = " ".join(str(message.get("content")) for message in request["messages"])
        marker = next(marker for marker in self.by_marker if marker in text)
        return QueuedBackend([self.by_marker[marker]], model=self.model).complete(**request)


class ByArticleBackend(ByTextBackend):
    """Replies by case number: case i's article holds the marker ``#i#``."""

    def __init__(self, replies: dict[int, Event | Exception], model: str = "by-article") -> None:
        super().__init__({f"#{i}#": reply for i, reply in replies.items()}, model)
        self.replies = replies


def make_summarizer(home: Path, backend: Any, prompt: str | None = None, strategy: str = "model") -> Summarizer:
    settings = Settings.from_env({}, home=home, prompt=prompt, max_retries=0, strategy=strategy)
    return Summarizer(settings, backend=backend, store=Store.open(home))


def changed_prompt(folder: Path, name: str = "candidate") -> Path:
    """A copy of the default prompt with one more sentence: a different prompt hash."""
    from summarizer.model.prompts import load_prompt

    text = load_prompt("default").path.read_text(encoding="utf-8")
    text = text.replace("name: default", f"name: {name}", 1) + "\nBe brief.\n"
    path = folder / f"{name}.txt"
    path.write_text(text, encoding="utf-8")
    return path
