"""Benchmark: `merge_records` on synthetic records spread over 60 days and 10 cities.

Prints, for each size, the merge time as a ratio to a reference measured in the same run
(validating the same records from JSON, which any merge must do anyway), and the growth
from one size to the next (2x the records should cost well under 4x: dated records are only
scored against records within a day of them).

    .venv/bin/python bench/bench_merge.py [SIZES...]      # default: 100 200 400 800
"""

from __future__ import annotations

import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from summarizer.merge import merge_records
from summarizer.record import Record
from summarizer.schema import Event

SEED = Path(__file__).parents[1] / "tests" / "data" / "records" / "seed_000.json"
CITIES = ["Kyiv", "Kharkiv", "Odesa", "Lviv", "Dnipro", "Zaporizhzhia", "Sumy", "Kherson", "Mykolaiv", "Poltava"]


def synthetic(n: int, seed: int = 0) -> list[Record]:
    base = Record.model_validate_json(SEED.read_text(encoding="utf-8"))
    rng = random.Random(seed)
    records = []
    for i in range(n):
        day = date(2024, 1, 1) + timedelta(days=rng.randrange(60))
        event = base.event.model_dump(mode="json")
        event["when"]["date_start"] = event["when"]["date_end"] = day.isoformat()
        city = rng.choice(CITIES)
        event["places"] = [{"evidence": city, "name": city, "kind": "city"}]
        article = base.article.model_copy(update={"id": f"a{i}", "published": day, "sha256": f"{i:064d}"})
        records.append(base.model_copy(update={"article": article, "event": Event.model_validate(event)}))
    return records


def timed(fn) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    sizes = [int(arg) for arg in sys.argv[1:]] or [100, 200, 400, 800]
    previous = None
    for n in sizes:
        records = synthetic(n)
        texts = [r.model_dump_json() for r in records]
        reference = timed(lambda texts=texts: [Record.model_validate_json(t) for t in texts])
        events: list = []
        merge = timed(lambda records=records, events=events: events.extend(merge_records(records)))
        growth = f", {merge / previous:.1f}x the previous size" if previous else ""
        print(f"{n:5d} records -> {len(events):4d} events: merge {merge:.2f} s = {merge / reference:.0f}x "
              f"validating them from JSON ({reference:.3f} s){growth}")  # fmt: skip
        previous = merge


if __name__ == "__main__":
    main()
