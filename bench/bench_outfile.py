"""Benchmark: reading what an output file holds, and appending records to it.

Resuming reads the whole output file once (``JsonlOutput.done``), so it must cost little more than
parsing the lines does; writing syncs each record to disk, batched when fsync is slow. Prints rates and
ratios to references measured in the same run on the same lines and disk, never absolute limits:

- ``done()`` over LINES records of about 3 KB, against parsing the same lines held in memory with plain
  ``json.loads`` and with pydantic's ``from_json`` (the parser done() uses), and against reading the
  file's lines without parsing them;
- ``write()`` with an fsync per record (``fsync_interval=0``) and batched (the default), against one
  ``os.write`` per record with no fsync.

    .venv/bin/python bench/bench_outfile.py [LINES] [FOLDER]    # default: 50000, a temporary folder
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic_core import from_json

from summarizer.output.files import FSYNC_INTERVAL, JsonlOutput

SEED = json.loads((Path(__file__).parents[1] / "tests" / "data" / "records" / "seed_000.json").read_text())
WRITES = 300  # records per write measurement: fsync per record takes a few ms each


def sample_line(n: int) -> str:
    """A seed record of about 3 KB with its own article hash."""
    record = json.loads(json.dumps(SEED))
    record["article"]["sha256"] = f"{n:064x}"
    for field in ("weapons", "damage", "context"):  # the seed record is 6.5 KB
        record["event"].pop(field, None)
    record["spans"] = {}
    return json.dumps(record, ensure_ascii=False)


def identity(record: dict[str, Any]) -> str | None:
    provenance = record["provenance"]
    if (provenance["backend"], provenance["model"], provenance["prompt_hash"]) == (
        SEED["provenance"]["backend"],
        SEED["provenance"]["model"],
        SEED["provenance"]["prompt_hash"],
    ):
        return record["article"]["sha256"]
    return None


def best_of(repeats: int, func: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - started)
    return best


def bench_done(folder: Path, count: int) -> None:
    lines = [sample_line(n) for n in range(count)]
    path = folder / "done.jsonl"
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    encoded = [line.encode() for line in lines]
    size_mb = path.stat().st_size / 1e6

    def read_only() -> None:
        with path.open("rb", buffering=1 << 20) as handle:
            for _ in handle:
                pass

    def done() -> None:
        with JsonlOutput(path) as output:
            assert len(output.done(identity)) == count and output.unreadable_lines == 0

    def parse_only() -> None:
        for line in encoded:
            json.loads(line)

    def pydantic_parse_only() -> None:
        for line in encoded:
            from_json(line)

    parse = best_of(3, parse_only)
    pydantic_parse = best_of(3, pydantic_parse_only)
    read = best_of(3, read_only)
    took = best_of(3, done)
    print(f"done(): {count:,} lines, {size_mb:.0f} MB ({size_mb * 1e6 / count:.0f} bytes a line)")
    print(f"  done()                    {count / took:>10,.0f} lines/s  {took:6.2f} s")
    print(f"  json.loads, in memory     {count / parse:>10,.0f} lines/s  done() / json.loads = {took / parse:.2f}")
    print(
        f"  from_json, in memory      {count / pydantic_parse:>10,.0f} lines/s  "
        f"done() / from_json = {took / pydantic_parse:.2f} (the parser done() uses)"
    )
    print(f"  read lines, no parsing    {count / read:>10,.0f} lines/s  done() / read = {took / read:.1f}")


def bench_write(folder: Path) -> None:
    line = sample_line(0)
    data = (line + "\n").encode()

    def plain() -> None:
        path = folder / "plain.jsonl"
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            for _ in range(WRITES):
                os.write(fd, data)
        finally:
            os.close(fd)
        path.unlink()

    def written(interval: float) -> float:
        path = folder / f"write-{interval}.jsonl"
        started = time.perf_counter()
        with JsonlOutput(path, fsync_interval=interval) as output:
            for _ in range(WRITES):
                output.write(line)
        took = time.perf_counter() - started
        path.unlink()
        return took

    reference = best_of(3, plain)
    per_record = written(0.0)
    batched = written(FSYNC_INTERVAL)
    print(f"write(): {WRITES} records of {len(data)} bytes, in {folder}")
    print(f"  os.write, no fsync        {WRITES / reference:>10,.0f} records/s")
    print(
        f"  fsync every record        {WRITES / per_record:>10,.0f} records/s  "
        f"{per_record / WRITES * 1000:.2f} ms a record, {per_record / reference:.0f}x os.write"
    )
    print(
        f"  fsync every {FSYNC_INTERVAL * 1000:.0f} ms (default) {WRITES / batched:>10,.0f} records/s  "
        f"{batched / WRITES * 1000:.3f} ms a record, {batched / reference:.0f}x os.write"
    )


def main(count: int, folder: Path | None) -> None:
    with tempfile.TemporaryDirectory(dir=folder) as where:
        bench_done(Path(where), count)
        bench_write(Path(where))


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 50_000,
        Path(sys.argv[2]) if len(sys.argv) > 2 else None,
    )
