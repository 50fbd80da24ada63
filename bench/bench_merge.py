"""Benchmark: `merge_records` on a synthetic feed of reports, at growing sizes.

The feed: ``PER_DAY`` reports a day (so n reports span n / PER_DAY days), each one of about
three reports of an event (a day, one of 30 cities, one of 4 event types). Some are hard
cases, as in real extractions: 3% have no date, 5% no place, 2% only a country, 3% a
week-long window. ``--dense`` gives the older shape instead: every report the same kind of
event, all dated, in 10 cities over 60 days whatever n is (so the reports per city and day,
and the pairs that must be checked, grow with n).

Prints, for each size, the merge time as a ratio to a reference measured in the same run
(validating the same records from JSON, which any merge must do anyway), and the growth per
doubling of the size from the previous one (2.0x is linear time; 4.0x quadratic).

    .venv/bin/python bench/bench_merge.py [--dense] [SIZES...]   # default: 1250 2500 5000 10000
"""

from __future__ import annotations

import json
import math
import random
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from summarizer.merge import merge_records
from summarizer.record import Record
from summarizer.record.schema import Event

SEED = Path(__file__).parents[1] / "tests" / "data" / "records" / "seed_000.json"
CITIES = [
    "Kyiv", "Kharkiv", "Odesa", "Lviv", "Dnipro", "Zaporizhzhia", "Sumy", "Kherson", "Mykolaiv", "Poltava",
    "Chernihiv", "Vinnytsia", "Zhytomyr", "Cherkasy", "Kropyvnytskyi", "Kryvyi Rih", "Pokrovsk", "Kramatorsk",
    "Sloviansk", "Bakhmut", "Avdiivka", "Kupiansk", "Izium", "Nikopol", "Marhanets", "Okhtyrka", "Konotop",
    "Shostka", "Bilhorod-Dnistrovskyi", "Izmail",
]  # fmt: skip
TYPES = ["missile_or_air_strike", "drone_strike", "shelling", "armed_clash"]
PER_DAY = 100
START = date(2024, 1, 1)


def synthetic(n: int, seed: int = 0, dense: bool = False) -> list[Record]:
    """``n`` records of a feed (or of the dense shape), reproducible from ``seed``."""
    base = Record.model_validate_json(SEED.read_text(encoding="utf-8"))
    rng = random.Random(seed)
    event_json = json.dumps(base.event.model_dump(mode="json"))
    events = [_event_of_feed(rng, n, dense) for _ in range(max(1, n // 3))]
    records = []
    for i in range(n):
        day, city, kind = rng.choice(events)
        event = json.loads(event_json.replace("Kyiv", city))  # the quotes name the city too
        event["event_type"] = kind
        published = day + timedelta(days=0 if dense else rng.choice((0, 0, 1)))
        _set_window(event, day, rng, dense)
        _set_places(event, city, rng, dense)
        article = base.article.model_copy(update={"id": f"a{i}", "published": published, "sha256": f"{i:064d}"})
        records.append(base.model_copy(update={"article": article, "event": Event.model_validate(event)}))
    return records


def _event_of_feed(rng: random.Random, n: int, dense: bool) -> tuple[date, str, str]:
    if dense:
        return START + timedelta(days=rng.randrange(60)), rng.choice(CITIES[:10]), TYPES[0]
    return START + timedelta(days=rng.randrange(max(1, n // PER_DAY))), rng.choice(CITIES), rng.choice(TYPES)


def _set_window(event: dict[str, Any], day: date, rng: random.Random, dense: bool) -> None:
    draw = 1.0 if dense else rng.random()
    if draw < 0.03:
        event["when"] = None
    elif draw < 0.06:
        event["when"]["date_start"] = (day - timedelta(days=6)).isoformat()  # "this week"
        event["when"]["date_end"] = day.isoformat()
    else:
        event["when"]["date_start"] = event["when"]["date_end"] = day.isoformat()


def _set_places(event: dict[str, Any], city: str, rng: random.Random, dense: bool) -> None:
    draw = 1.0 if dense else rng.random()
    if draw < 0.05:
        event["places"] = []
    elif draw < 0.07:
        event["places"] = [{"evidence": "Ukraine", "name": "Ukraine", "kind": "country"}]
    else:
        event["places"] = [{"evidence": city, "name": city, "kind": "city"}]


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    args = sys.argv[1:]
    dense = "--dense" in args
    sizes = [int(arg) for arg in args if arg != "--dense"] or [1250, 2500, 5000, 10000]
    previous: tuple[int, float] | None = None
    for n in sizes:
        records = synthetic(n, dense=dense)
        texts = [r.model_dump_json() for r in records]
        reference = timed(lambda texts=texts: [Record.model_validate_json(t) for t in texts])
        del texts
        events: list = []
        merge = timed(lambda records=records, events=events: events.extend(merge_records(records)))
        growth = ""
        if previous and n > previous[0]:
            per_doubling = (merge / previous[1]) ** (1 / math.log2(n / previous[0]))
            growth = f", {per_doubling:.1f}x per doubling since {previous[0]}"
        print(f"{n:6d} records -> {len(events):5d} events: merge {merge:7.2f} s = {merge / reference:4.1f}x "
              f"validating them from JSON ({reference:.3f} s){growth}", flush=True)  # fmt: skip
        previous = (n, merge)


if __name__ == "__main__":
    main()
