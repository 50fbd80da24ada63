"""Check every fact of an event against the article before it is trusted.

Each evidence quote is located in the article (exact, then normalised, then fuzzy above a
threshold) and kept as character offsets. A number must appear in its own quote or phrase;
a name or place must appear in its quote; dates must follow from the time phrase and the
publication date. What fails is reported as a problem (the pipeline re-asks the model with
it) and, in the final pass, removed from the event and listed as a warning.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Any, TypeVar

from rapidfuzz import fuzz

from summarizer.record import Issue, Span
from summarizer.schema import Casualties, Count, Event, TimeWindow, Weapon
from summarizer.textnorm import name_key, normalise, normalise_with_map, numbers_in
from summarizer.timeparse import resolve

FUZZY_THRESHOLD = 90.0
MIN_FUZZY_CHARS = 20  # shorter quotes must match exactly or after normalisation
NAME_THRESHOLD = 85.0
T = TypeVar("T")
STRIP = " \t\n\"'“”‘’«».…"


# ---------------------------------------------------------------- locating quotes


@lru_cache(maxsize=64)
def _normalised_article(text: str) -> tuple[str, list[int]]:
    return normalise_with_map(text)


def locate(quote: str, text: str, threshold: float = FUZZY_THRESHOLD) -> Span | None:
    """Find ``quote`` in ``text``: exact, then normalised (case, accents, quotes, dashes, spaces), then fuzzy."""
    quote = quote.strip(STRIP)
    if not quote:
        return None
    start = text.find(quote)
    if start >= 0:
        return Span(start=start, end=start + len(quote), match="exact", score=1.0)
    folded_text, origin = _normalised_article(text)
    folded_quote = normalise(quote).strip(STRIP)
    if not folded_quote:
        return None
    index = folded_text.find(folded_quote)
    if index >= 0:
        return _mapped(origin, index, index + len(folded_quote), "normalised", 1.0)
    if len(folded_quote) < MIN_FUZZY_CHARS:
        return None
    alignment = fuzz.partial_ratio_alignment(folded_quote, folded_text, score_cutoff=threshold)
    if alignment is None or alignment.dest_end <= alignment.dest_start:
        return None
    return _mapped(origin, alignment.dest_start, alignment.dest_end, "fuzzy", round(alignment.score / 100, 3))


def _mapped(origin: list[int], start: int, end: int, kind: str, score: float) -> Span:
    return Span(start=origin[start], end=origin[end - 1] + 1, match=kind, score=score)  # type: ignore[arg-type]


def mentions(container: str, name: str) -> bool:
    """Whether ``name`` (allowing spelling variants) occurs in ``container``."""
    needle, haystack = name_key(name), name_key(container)
    if not needle:
        return False
    if re.search(rf"(?<!\w){re.escape(needle)}", haystack):
        return True
    return fuzz.partial_ratio(needle, haystack) >= NAME_THRESHOLD


# ---------------------------------------------------------------- the check


@dataclass
class Grounding:
    """The outcome of checking one event: the cleaned event, where its facts are, and what was dropped."""

    event: Event
    spans: dict[str, Span] = field(default_factory=dict)
    problems: list[Issue] = field(default_factory=list)  # removed or corrected, with the reason
    notes: list[Issue] = field(default_factory=list)  # corrections that keep the value
    grounded: int = 0

    @property
    def removed(self) -> int:
        return sum(1 for problem in self.problems if problem.code == "ungrounded")


class _Checker:
    def __init__(self, text: str, published: date | None) -> None:
        self.text = text
        self.published = published
        self.spans: dict[str, Span] = {}
        self.problems: list[Issue] = []
        self.notes: list[Issue] = []
        self.grounded = 0

    def drop(self, path: str, message: str) -> None:
        self.problems.append(Issue(code="ungrounded", path=path, message=message))

    def find(self, path: str, quote: str) -> Span | None:
        span = locate(quote, self.text)
        if span is None:
            self.drop(path, f"evidence not found in the article: {_clip(quote)!r}")
        return span

    def accept(self, path: str, span: Span) -> None:
        self.spans[path] = span
        self.grounded += 1

    def evidence(self, path: str, quote: str) -> Span | None:
        """Locate a quote and accept it as the whole fact."""
        span = self.find(path, quote)
        if span is not None:
            self.accept(path, span)
        return span

    # Each check returns the value to keep (possibly corrected) or None to drop it.

    def count(self, path: str, count: Count | None) -> Count | None:
        if count is None:
            return None
        span = self.find(path, count.evidence)
        if span is None:
            return None
        quoted = self.text[span.start : span.end]
        stated = numbers_in(quoted) | (numbers_in(count.phrase) if locate(count.phrase, self.text) else set())
        figures = {n for n in (count.value, count.low, count.high) if n is not None}
        missing = figures - stated
        if missing:
            self.drop(path, f"{sorted(missing)} not stated in its evidence {_clip(quoted)!r}")
            return None
        inferred = infer_qualifier(count.phrase) if count.phrase and locate(count.phrase, quoted) else None
        if inferred and inferred != count.qualifier:
            self.notes.append(
                Issue(
                    code="corrected",
                    path=path,
                    message=f"qualifier {count.qualifier} -> {inferred} from {count.phrase!r}",
                )
            )
            count = _with_qualifier(count, inferred)
        self.accept(path, span)
        return count

    def named(self, path: str, item: T, name: str, what: str) -> T | None:
        """Keep an item whose evidence is in the article and names it."""
        span = self.find(path, item.evidence)  # type: ignore[attr-defined]
        if span is None:
            return None
        quoted = self.text[span.start : span.end]
        if not mentions(quoted, name):
            self.drop(path, f"{what} {name!r} does not appear in its evidence {_clip(quoted)!r}")
            return None
        self.accept(path, span)
        return item

    def weapon(self, path: str, weapon: Weapon) -> Weapon | None:
        span = self.evidence(path, weapon.evidence)
        if span is None:
            return None
        name = weapon.name
        if name and not mentions(self.text[span.start : span.end], name):
            self.drop(f"{path}.name", f"weapon name {name!r} is not in its evidence")
            name = None
        return weapon.model_copy(
            update={
                "name": name,
                "launched": self.count(f"{path}.launched", weapon.launched),
                "intercepted": self.count(f"{path}.intercepted", weapon.intercepted),
            }
        )

    def casualties(self, casualties: Casualties | None) -> Casualties | None:
        if casualties is None:
            return None
        checked = {
            name: self.count(f"casualties.{name}", getattr(casualties, name)) for name in type(casualties).model_fields
        }
        return Casualties(**checked) if any(checked.values()) else None

    def when(self, window: TimeWindow | None) -> TimeWindow | None:
        if window is None:
            return None
        span = self.find("when", window.evidence)
        if span is None:
            return None
        quoted = self.text[span.start : span.end]
        resolved = resolve(window.phrase, self.published) if locate(window.phrase, self.text) else None
        resolved = resolved or resolve(quoted, self.published)
        if resolved:
            if (window.date_start, window.date_end) != (resolved.start, resolved.end):
                self.notes.append(
                    Issue(
                        code="corrected",
                        path="when",
                        message=f"dates {window.date_start}..{window.date_end} -> {resolved.start}..{resolved.end} "
                        f"({resolved.reason})",
                    )
                )
            window = window.model_copy(
                update={
                    "date_start": resolved.start,
                    "date_end": resolved.end,
                    "precision": window.precision or resolved.precision,
                }
            )
        elif window.date_start or window.date_end:
            self.drop("when", f"the dates are not stated in {_clip(quoted)!r} and cannot be resolved from it")
            window = window.model_copy(update={"date_start": None, "date_end": None})
        if self.published and window.date_end and window.date_end > self.published + timedelta(days=1):
            self.drop("when", f"date {window.date_end} is after the publication date {self.published}")
            return None
        self.accept("when", span)
        return window


def ground_event(event: Event, text: str, published: date | None) -> Grounding:
    """Check every fact; return the event with ungrounded values removed and the spans of the rest."""
    check = _Checker(text, published)
    kept: dict[str, list[int]] = {}  # list name -> the model's indices that survived, in order

    def keep(name: str, checked: Callable[[str, Any], Any | None]) -> list[Any]:
        survivors = []
        for index, item in enumerate(getattr(event, name)):
            item = checked(f"{name}[{index}]", item)
            if item is not None:
                survivors.append((index, item))
        kept[name] = [index for index, _ in survivors]
        return [item for _, item in survivors]

    cleaned = event.model_copy(
        update={
            "when": check.when(event.when),
            "places": keep("places", lambda path, p: check.named(path, p, p.name, "place")),
            "actors": keep("actors", lambda path, a: check.named(path, a, a.name, "actor")),
            "weapons": keep("weapons", check.weapon),
            "casualties": check.casualties(event.casualties),
            "damage": keep("damage", lambda path, d: check.named(path, d, d.what, "damage")),
            "statements": keep("statements", lambda path, s: check.named(path, s, s.speaker, "speaker")),
            "context": keep("context", lambda path, c: c if check.evidence(path, c.evidence) else None),
        }
    )
    _check_free_text(check, event)
    Event.model_validate(cleaned.model_dump())  # removing values must never break an invariant
    return Grounding(
        event=cleaned,
        spans=_renumber(check.spans, kept),
        problems=check.problems,
        notes=check.notes,
        grounded=check.grounded,
    )


def _check_free_text(check: _Checker, event: Event) -> None:
    """Title and summary are the model's own words; flag numbers in them the article never states."""
    article_numbers = numbers_in(check.text)
    for name in ("title", "summary"):
        unsupported = numbers_in(getattr(event, name)) - article_numbers
        if unsupported:
            check.notes.append(
                Issue(code="unsupported", path=name, message=f"{name} states {sorted(unsupported)}, not in the article")
            )


def _renumber(spans: dict[str, Span], kept: dict[str, list[int]]) -> dict[str, Span]:
    """Spans were keyed by the model's list positions; re-key them by the positions in the cleaned event."""
    result: dict[str, Span] = {}
    for path, span in spans.items():
        match = re.match(r"(\w+)\[(\d+)\](.*)", path)
        if not match:
            result[path] = span
        elif int(match.group(2)) in kept[match.group(1)]:
            new_index = kept[match.group(1)].index(int(match.group(2)))
            result[f"{match.group(1)}[{new_index}]{match.group(3)}"] = span
    return result


QUALIFIER_PATTERNS = [
    ("range", re.compile(r"\bbetween\b.+\band\b|\b\d+\s*(?:-|to)\s*\d+\b|\bfrom\b.+\bto\b")),
    ("at_least", re.compile(r"\b(at least|more than|over|no fewer than|upwards of|in excess of)\b")),
    ("at_most", re.compile(r"\b(at most|up to|fewer than|less than|no more than|under)\b")),
    ("about", re.compile(r"\b(about|around|approximately|roughly|nearly|almost|some|an estimated|close to)\b")),
]


def infer_qualifier(phrase: str) -> str | None:
    """The qualifier a count phrase states, when its wording makes it unambiguous."""
    folded = normalise(phrase)
    for qualifier, pattern in QUALIFIER_PATTERNS:
        if pattern.search(folded):
            return qualifier
    if not numbers_in(folded):
        return "vague"
    return None


def _with_qualifier(count: Count, qualifier: str) -> Count:
    data = count.model_dump() | {"qualifier": qualifier}
    if qualifier == "vague":
        data.update(value=None, low=None, high=None)
    return Count.model_validate(data)


def _clip(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."
