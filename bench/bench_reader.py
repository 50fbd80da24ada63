"""Benchmark: the reader's time per article, as a ratio to one spaCy pass over the same text.

The reader is one spaCy parse plus rules over it; the rules should cost a fraction of the parse, so
``--strategy reader`` stays near the speed of spaCy itself. Prints, per fixture article and in total,
the reader's time and one ``nlp(text)`` pass measured in the same run (after a warm-up that loads
the pipeline and the gazetteer, which are one-off costs per process and are printed apart).

    .venv/bin/python bench/bench_reader.py [REPEATS]      # default: 3

Long articles (``long``): the reader on one article of 3k, 30k and 300k characters (the fixtures joined) against
one ``nlp(text)`` pass over the same text, each in a fresh process (so that peak RSS is its own), paired and
interleaved (spaCy, reader, spaCy, reader, ...): CPU seconds, the ratio per pair (median and range), and the
peak RSS each adds to a process that has loaded the pipeline and the gazetteer.

    .venv/bin/python bench/bench_reader.py long [CHARS ...]   # default: 3000 30000 300000
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
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


def long_text(chars: int) -> str:
    texts = [case.article.text for case in load_fixtures(FIXTURES).cases]
    text = "\n\n".join(texts)
    while len(text) < chars:
        text = f"{text}\n\n{text}"
    return text[:chars]


def one(what: str, chars: int) -> None:
    """In a fresh process: one spaCy pass or one reading of a ``chars``-long text; prints CPU s and MB added."""
    text = long_text(chars)
    nlp = pipeline()
    kind_of("Kyiv")
    nlp("Warm-up.")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.process_time()
    if what == "spacy":
        nlp(text)
    else:
        read(text, None)
    cpu = time.process_time() - started
    added = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    print(f"{cpu:.4f} {added:.1f}")


def measure(what: str, chars: int) -> tuple[float, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--one", what, str(chars)], capture_output=True, text=True, check=True
    ).stdout.split()
    return float(out[0]), float(out[1])


def long(sizes: list[int]) -> None:
    print(f"load average {os.getloadavg()[0]:.2f} (2 cores shared); CPU s, each in a fresh process")
    print(
        f"{'chars':>8} {'pairs':>5} {'spaCy s':>8} {'reader s':>9} {'ratio (range)':>20} "
        f"{'spaCy +MB':>10} {'reader +MB':>11}"
    )
    for chars in sizes:
        pairs = 3 if chars <= 30_000 else 1
        spacy_runs, reader_runs = [], []
        for _ in range(pairs):
            spacy_runs.append(measure("spacy", chars))
            reader_runs.append(measure("reader", chars))
        ratios = [r[0] / s[0] for s, r in zip(spacy_runs, reader_runs, strict=True)]
        print(
            f"{chars:>8} {pairs:>5} {statistics.median(s[0] for s in spacy_runs):>8.2f} "
            f"{statistics.median(r[0] for r in reader_runs):>9.2f} "
            f"{statistics.median(ratios):>8.2f} ({min(ratios):.2f}-{max(ratios):.2f}) "
            f"{max(s[1] for s in spacy_runs):>10.0f} {max(r[1] for r in reader_runs):>11.0f}",
            flush=True,
        )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--one"]:
        one(sys.argv[2], int(sys.argv[3]))
    elif sys.argv[1:2] == ["long"]:
        long([int(n) for n in sys.argv[2:]] or [3000, 30000, 300000])
    else:
        main()
