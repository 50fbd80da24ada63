"""Benchmark: pairwise precision / recall of `merge` on the fixtures, from the reader's own records.

Reads every fixture article that has an ``event`` id with the reader alone (``--strategy reader``: no model,
no network), groups the records with ``merge``'s grouping, and scores every pair of reports against the
gold event ids (same id = same real event; see ``summarizer.merge.evaluate``). Every report is in the
pairs, so a false merge with a single-report event counts against precision; recall is over the events
that several fixtures report. Prints the pairs, the missed and falsely merged pairs, and a threshold sweep.

    .venv/bin/python bench/bench_merge_fixtures.py [FIXTURES_DIR ...]   # default: evals/fixtures
"""

from __future__ import annotations

import sys
from pathlib import Path

from summarizer.config.settings import Settings
from summarizer.evals.fixtures import fixture_stem, load_fixtures
from summarizer.merge.evaluate import PairwiseResult, evaluate, gold_of
from summarizer.merge.grouping import DEFAULT_THRESHOLD
from summarizer.pipeline import Summarizer
from summarizer.record import Record

ROOT = Path(__file__).resolve().parents[1]


def reader_records(folders: list[Path]) -> tuple[list[Record], dict[str, str]]:
    """The reader's record of every fixture with an event id, and the gold ids (fixture name -> event)."""
    cases = [case for folder in folders for case in load_fixtures(folder).cases]
    gold = gold_of(cases)
    summarizer = Summarizer(Settings.from_env(strategy="reader"))
    records = [summarizer.summarize(case.article) for case in cases if fixture_stem(case.labels_path) in gold]
    return records, gold


def show(result: PairwiseResult, gold: dict[str, str]) -> None:
    def fmt(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.3f}"

    print(f"{result.items} reports of {result.events} events")
    print(
        f"pairs: TP {result.true_positive}  FP {result.false_positive}  FN {result.false_negative}  "
        f"precision {fmt(result.precision)}  recall {fmt(result.recall)}  F1 {fmt(result.f1)}"
    )
    for a, b in result.false_merges:
        print(f"  false merge: {a} + {b} ({gold[a]} vs {gold[b]})")
    for a, b in result.missed:
        print(f"  missed: {a} + {b} ({gold[a]})")


def main(argv: list[str]) -> None:
    folders = [Path(arg) for arg in argv] or [ROOT / "evals" / "fixtures"]
    records, gold = reader_records(folders)
    multi = {event for event in gold.values() if list(gold.values()).count(event) > 1}
    print(f"{len(multi)} events with several reports, {sum(e in multi for e in gold.values())} reports")
    show(evaluate(records, gold, DEFAULT_THRESHOLD), gold)
    for step in range(45, 91, 5):
        swept = evaluate(records, gold, step / 100)
        print(
            f"  threshold {step / 100:.2f}: precision {swept.precision or 0:.3f} recall {swept.recall or 0:.3f} "
            f"(TP {swept.true_positive} FP {swept.false_positive} FN {swept.false_negative})"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
