"""Benchmark: the reader's time per article, as a ratio to one spaCy pass over the same text.

The reader is one spaCy parse plus rules over it; the rules should cost a fraction of the parse, so
``--strategy reader`` stays near the speed of spaCy itself. Prints, per fixture article and in total,
the reader's time and one ``nlp(text)`` pass measured in the same run (after a warm-up that loads
the pipeline and the gazetteer, which are one-off costs per process and are printed apart).

    .venv/bin/python bench/bench_reader.py [REPEATS]      # default: 3
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from summarizer.evals.fixtures import load_fixtures
from summarizer.reader import read
from summarizer.reader.gazetteer import kind_of
from summarizer.reader.nlp import pipeline

FIXTURES = Path(__file__).parents[1] / "evals" / "fixtures"


def best_of(repeats: int, run: object) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()  # type: ignore[operator]
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    started = time.perf_counter()
    nlp = pipeline()
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    kind_of("Kyiv")
    gazetteer = time.perf_counter() - started
    print(f"one-off per process: spaCy pipeline {loaded:.2f} s, gazetteer {gazetteer:.2f} s")
    articles = [case.article for case in load_fixtures(FIXTURES).cases]
    ratios, reader_total, spacy_total = [], 0.0, 0.0
    for article in articles:
        spacy_time = best_of(repeats, lambda a=article: nlp(a.text))
        reader_time = best_of(repeats, lambda a=article: read(a.text, a.published))
        ratios.append(reader_time / spacy_time)
        reader_total += reader_time
        spacy_total += spacy_time
    print(f"{len(articles)} articles, best of {repeats}")
    print(f"reader per article: mean {reader_total / len(articles) * 1000:.0f} ms")
    print(f"spaCy pass per article: mean {spacy_total / len(articles) * 1000:.0f} ms")
    print(
        f"reader / spaCy pass: total {reader_total / spacy_total:.2f}x, median per article "
        f"{statistics.median(ratios):.2f}x, worst {max(ratios):.2f}x"
    )


if __name__ == "__main__":
    main()
