"""With --jobs K > 1 the reader runs in worker processes: the request threads never parse (spaCy holds the GIL),
and the records are the ones the reader in the request thread makes. Throughput is measured in
bench/bench_batch.py, not here."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from test_runner import ConcurrentBackend

from summarizer.config.settings import Settings
from summarizer.errors import ExtractionError
from summarizer.ingest.article import Article
from summarizer.ingest.articles import load_article
from summarizer.pipeline import Summarizer
from summarizer.record import Record
from summarizer.run.runner import ReaderPool, reader_workers, run_articles

FIXTURES = Path(__file__).resolve().parent.parent / "evals" / "fixtures"


def fixture_articles(count: int) -> list[Article]:
    return [load_article(path) for path in sorted(FIXTURES.glob("*.txt"))[:count]]


def records(summarizer: Summarizer, items: list[Article], jobs: int) -> dict[str, dict[str, Any]]:
    made: list[Record] = []
    tally = run_articles(summarizer, items, jobs=jobs, use_cache=False, on_record=made.append)
    assert tally.records == len(items) and tally.failed == 0, tally
    return {
        r.article.id: json.loads(r.model_dump_json(include={"event", "spans", "sources", "warnings"})) for r in made
    }


@pytest.mark.parametrize("strategy", ["reader", "both"])
def test_worker_processes_read_and_the_records_are_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, strategy: str
) -> None:
    items = fixture_articles(6)

    def summarizer(home: str) -> Summarizer:
        settings = Settings.from_env({}, home=tmp_path / home, strategy=strategy, max_retries=0)
        return Summarizer(settings, backend=ConcurrentBackend())

    in_thread = records(summarizer("one"), items, jobs=1)

    def no_parsing_here(text: str) -> None:
        raise AssertionError("a request thread parsed an article")

    monkeypatch.setattr("summarizer.reader.nlp.parse", no_parsing_here)  # this process only: not the workers
    in_workers = records(summarizer("four"), items, jobs=4)
    assert in_workers == in_thread
    assert len(in_thread) == 6


def test_workers_only_when_they_can_help(tmp_path: Path) -> None:
    def workers(strategy: str, jobs: int) -> int:
        settings = Settings.from_env({}, home=tmp_path, strategy=strategy)
        return reader_workers(Summarizer(settings, backend=ConcurrentBackend()), jobs)

    assert workers("both", 1) == 0
    assert workers("model", 16) == 0
    assert 1 <= workers("both", 16) <= 16
    assert workers("reader", 2) <= 2


def test_a_reader_error_in_a_worker_is_the_article_s_failure(tmp_path: Path) -> None:
    settings = Settings.from_env({}, home=tmp_path, strategy="reader")
    too_long = Article(id="big", text="Two people died. " * 70_000, source="big.txt")
    failures: list[Any] = []
    tally = run_articles(
        Summarizer(settings), [too_long, *fixture_articles(1)], jobs=2, use_cache=False, on_failure=failures.append
    )
    assert (tally.records, tally.failed) == (1, 1)
    assert failures[0].kind == "input" and "the reader reads at most" in failures[0].message


def test_a_pool_whose_worker_died_starts_new_workers() -> None:
    pool = ReaderPool(1)
    try:
        assert pool.read("Two people were killed in Kyiv.", None).event.casualties is not None
        reading = pool.submit("\n\n".join(fixture_texts()) * 3, None)  # seconds of work
        for process in list(pool._pool._processes.values()):
            process.kill()
        with pytest.raises(ExtractionError, match="worker process stopped"):
            pool.wait(reading)
        assert pool.read("Two people were killed in Kyiv.", None).event.casualties is not None
    finally:
        pool.close()


def fixture_texts() -> list[str]:
    return [article.text for article in fixture_articles(20)]


def test_ctrl_c_stops_the_reader_workers_cleanly(tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    texts = fixture_texts()
    feed.write_text(
        "".join(json.dumps({"id": f"a{i}", "text": f"{texts[i % len(texts)]} Copy {i}."}) + "\n" for i in range(300)),
        encoding="utf-8",
    )
    out = tmp_path / "out.jsonl"
    command = [sys.executable, "-m", "summarizer", "summarize", "--strategy", "reader", str(feed)]
    process = subprocess.Popen(
        [*command, "--out", str(out), "--jobs", "2", "-q"],
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # as in a terminal
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not (out.exists() and out.read_bytes().count(b"\n") >= 2):
        time.sleep(0.2)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    written = out.read_bytes().count(b"\n")
    assert process.returncode == 130, stderr
    assert f"interrupted: {written} record(s) written" in stderr
    assert "Traceback" not in stderr and "leaked" not in stderr, stderr
