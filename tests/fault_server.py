"""An OpenAI-compatible server on loopback that answers articles correctly, except when it injects a fault.

Articles are "Overnight, Russia launched N drones at CITY. ..." lines; the answer is the event those
words support, so every record it produces is fully grounded. Faults are drawn from a seeded random
generator per request: 500, 429 with Retry-After 0, a 200 that is an HTML page, an answer cut off at
the token limit, and (rarely) a request that hangs until the client times out. ``drip`` (not among the
default faults) sends the right answer one byte every ``drip_s`` seconds, as a slow-drip server does.
"""

from __future__ import annotations

import json
import random
import re
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fake_openai_server import ChatServer, Reply, completion, error_body

ARTICLE = re.compile(r"Overnight, Russia launched (\d+) drones at (\w+)\.")
FAULTS = ("500", "429", "html", "cut_off", "hang")


def article_text(number: int) -> str:
    city = ("Kyiv", "Odesa", "Kharkiv", "Lviv", "Dnipro")[number % 5]
    return (
        f"Overnight, Russia launched {number + 3} drones at {city}. Air defences were active, "
        f"officials said. This is report {number}."
    )


def write_articles(path: Path, count: int) -> list[str]:
    """A JSONL input of ``count`` articles; returns their ids."""
    ids = [f"art-{number:04d}" for number in range(count)]
    with path.open("w", encoding="utf-8") as out:
        for number, article_id in enumerate(ids):
            record = {"id": article_id, "text": article_text(number), "published": "2024-05-02"}
            out.write(json.dumps(record) + "\n")
    return ids


def answer_for(request: dict[str, Any]) -> str:
    user = request["messages"][-1]["content"]
    found = ARTICLE.search(user)
    if not found:
        return json.dumps({"event_type": "other", "title": "Unknown", "summary": "Unknown."})
    count, city = found.group(1), found.group(2)
    sentence = found.group(0).rstrip(".")
    return json.dumps(
        {
            "event_type": "drone_strike",
            "title": f"Drone attack on {city}",
            "summary": f"Russia launched {count} drones at {city} overnight.",
            "when": {"evidence": "Overnight", "phrase": "Overnight"},
            "places": [{"evidence": sentence, "name": city, "kind": "city"}],
            "actors": [{"evidence": sentence, "name": "Russia", "role": "attacker"}],
            "weapons": [
                {
                    "evidence": sentence,
                    "kind": "drone",
                    "launched": {"evidence": sentence, "phrase": count, "value": int(count), "qualifier": "exact"},
                }
            ],
        }
    )


class FaultScript:
    """request number -> Reply, with a fault in ``rate`` of the requests."""

    def __init__(
        self, rate: float = 0.0, seed: int = 0, faults: tuple[str, ...] = FAULTS, status: int = 0, drip_s: float = 0.5
    ) -> None:
        self.rate = rate
        self.drip_s = drip_s
        self.random = random.Random(seed)
        self.faults = faults
        self.status = status  # when set, every request gets this status (a refusing server)
        self.injected: Counter[str] = Counter()
        self.lock = threading.Lock()

    def __call__(self, number: int, request: dict[str, Any]) -> Reply:
        if self.status:
            return Reply(self.status, error_body("Incorrect API key provided", "invalid_request_error"))
        with self.lock:
            fault = self.random.choice(self.faults) if self.random.random() < self.rate else None
            if fault:
                self.injected[fault] += 1
        if fault == "500":
            return Reply(500, error_body("the model crashed"))
        if fault == "429":
            return Reply(429, error_body("slow down", "rate_limit"), {"retry-after": "0"})
        if fault == "html":
            return Reply(200, "<html><body>Bad gateway</body></html>", {"content-type": "text/html"})
        if fault == "hang":
            return Reply(hang=True)
        body = completion(request, answer_for(request))
        if fault == "drip":
            return Reply(200, body, drip_s=self.drip_s)
        if fault == "cut_off":
            call = body["choices"][0]["message"]["tool_calls"][0]["function"]
            call["arguments"] = call["arguments"][:40]
            body["choices"][0]["finish_reason"] = "length"
        return Reply(200, body)


@contextmanager
def fault_server(script: FaultScript, max_requests: int = 100_000, latency_s: float = 0.0) -> Iterator[ChatServer]:
    def slow(number: int, request: dict[str, Any]) -> Reply:
        if latency_s:
            threading.Event().wait(latency_s)
        return script(number, request)

    with ChatServer(slow, max_requests) as server:
        yield server
