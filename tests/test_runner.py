"""The batch runner: K articles at once, bounded read-ahead, one bad article never sinks the batch."""

from __future__ import annotations

import json
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fake_backend import tool_call_completion
from openai.types.chat import ChatCompletion
from test_pipeline import TEXT, good_answer

from summarizer.config.settings import Settings
from summarizer.errors import BackendError, OutputError
from summarizer.ingest.article import Article, LoadFailure
from summarizer.model.backends.breaker import ServerRefused
from summarizer.output.progress import Progress
from summarizer.pipeline import Summarizer
from summarizer.record import Record
from summarizer.run.runner import Failure, run_articles


class ConcurrentBackend:
    """Answers every request with a good event after ``delay`` seconds; fails for articles in ``fail``."""

    name = "concurrent"
    model = "concurrent-model"

    def __init__(self, delay: float = 0.0, fail: dict[str, BaseException] | None = None) -> None:
        self.delay = delay
        self.fail = fail or {}
        self.lock = threading.Lock()
        self.active = self.peak = self.calls = 0

    def complete(self, **request: Any) -> ChatCompletion:
        with self.lock:
            self.calls += 1
            self.active += 1
            self.peak = max(self.peak, self.active)
        try:
            time.sleep(self.delay)
            user = request["messages"][-1]["content"]
            for marker, error in self.fail.items():
                if marker in user:
                    raise error
            return ChatCompletion.model_validate(tool_call_completion(request, json.dumps(good_answer()), "m"))
        finally:
            with self.lock:
                self.active -= 1


def articles(n: int) -> list[Article]:
    return [Article(id=f"a{i}", text=f"{TEXT} Report number {i}.", source=f"a{i}.txt") for i in range(n)]


def summarizer(tmp_path: Path, backend: Any) -> Summarizer:
    settings = Settings.from_env({}, backend="local", strategy="model", home=tmp_path, max_retries=0)
    return Summarizer(settings, backend=backend)


def test_jobs_run_at_once_and_every_article_gets_its_record(tmp_path: Path) -> None:
    backend = ConcurrentBackend(delay=0.05)
    records: list[Record] = []
    tally = run_articles(summarizer(tmp_path, backend), articles(16), jobs=4, on_record=records.append)
    assert tally.records == 16 and tally.failed == 0
    assert backend.peak == 4
    assert sorted(r.article.id for r in records) == sorted(f"a{i}" for i in range(16))


def test_the_input_is_read_only_a_little_ahead(tmp_path: Path) -> None:
    """At most 2 × jobs articles are held: a 100,000-line input is never loaded up front."""
    pulled = 0
    written = 0
    ahead: list[int] = []

    def source() -> Iterator[Article]:
        nonlocal pulled
        for article in articles(40):
            pulled += 1
            ahead.append(pulled - written)
            yield article

    def write(record: Record) -> None:
        nonlocal written
        written += 1

    run_articles(summarizer(tmp_path, ConcurrentBackend(delay=0.01)), source(), jobs=3, on_record=write)
    assert written == 40
    assert max(ahead) <= 2 * 3 + 1


def test_one_failure_is_reported_and_the_rest_goes_on(tmp_path: Path) -> None:
    backend = ConcurrentBackend(fail={"number 3.": BackendError("server said no")})
    failures: list[Failure] = []
    items: list[Article | LoadFailure] = [*articles(6), LoadFailure("bad.txt", "bad.txt: binary content")]
    tally = run_articles(summarizer(tmp_path, backend), items, jobs=2, on_failure=failures.append)
    assert (tally.records, tally.failed) == (5, 2)
    kinds = {f.source: (f.kind, f.message) for f in failures}
    assert kinds["a3.txt"] == ("backend", "server said no")
    assert kinds["bad.txt"] == ("input", "bad.txt: binary content")
    assert next(f for f in failures if f.source == "a3.txt").attempts == 1


def test_a_bug_is_a_failure_that_keeps_its_traceback(tmp_path: Path) -> None:
    backend = ConcurrentBackend(fail={"number 1.": ZeroDivisionError("oops")})
    failures: list[Failure] = []
    tally = run_articles(summarizer(tmp_path, backend), articles(3), on_failure=failures.append)
    assert tally.records == 2
    assert failures[0].kind == "internal" and "ZeroDivisionError: oops" in failures[0].message
    assert failures[0].traceback and "Traceback" in failures[0].traceback


def test_a_refusing_server_stops_the_batch_and_nothing_more_is_started(tmp_path: Path) -> None:
    refused = ServerRefused("stopping: the server refused the API key")
    backend = ConcurrentBackend(fail={"Report": refused})
    tally = run_articles(summarizer(tmp_path, backend), articles(200), jobs=4)
    assert isinstance(tally.stopped, ServerRefused)
    assert backend.calls <= 2 * 4 + 4  # the articles already in flight, not 200
    assert tally.failed == 0  # not counted as 200 failures: the batch stopped


def test_an_output_that_fails_stops_the_batch(tmp_path: Path) -> None:
    def full(record: Record) -> None:
        raise OutputError("cannot write to out.jsonl: No space left on device")

    backend = ConcurrentBackend()
    tally = run_articles(summarizer(tmp_path, backend), articles(50), jobs=2, on_record=full)
    assert isinstance(tally.stopped, OutputError)
    assert backend.calls < 50


def test_articles_already_done_are_skipped(tmp_path: Path) -> None:
    items = articles(4)
    done = {items[0].sha256, items[2].sha256}
    backend = ConcurrentBackend()
    tally = run_articles(summarizer(tmp_path, backend), items, done=done)
    assert (tally.records, tally.skipped, backend.calls) == (2, 2, 2)


def test_a_warm_run_reuses_the_records_it_made(tmp_path: Path) -> None:
    """The second run reads the stored record: no model call, no grounding (the code hash is the same)."""
    backend = ConcurrentBackend()
    first: list[Record] = []
    run_articles(summarizer(tmp_path, backend), articles(3), on_record=first.append)
    again: list[Record] = []
    run_articles(summarizer(tmp_path, backend), articles(3), on_record=again.append)
    assert backend.calls == 3
    assert [r.event for r in again] == [r.event for r in first]
    assert all(r.provenance.cached for r in again)


@pytest.mark.parametrize("jobs", [1, 8])
def test_interrupting_starts_nothing_more(tmp_path: Path, jobs: int) -> None:
    backend = ConcurrentBackend(delay=0.01)

    def source() -> Iterator[Article]:
        yield from articles(jobs * 3)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_articles(summarizer(tmp_path, backend), source(), jobs=jobs)
    assert backend.calls <= jobs * 3


@pytest.mark.usefixtures("ctrl_c_raises")
def test_a_ctrl_c_while_a_record_is_written_still_counts_that_record(tmp_path: Path) -> None:
    """The interrupted run reports "N record(s) written" from the progress counts: they must match the file."""
    progress = Progress(enabled=False)
    written: list[Record] = []

    def write_then_ctrl_c(record: Record) -> None:
        written.append(record)
        if len(written) == 3:
            signal.raise_signal(signal.SIGINT)  # lands after the record reached the output, before it is counted

    with pytest.raises(KeyboardInterrupt):
        run_articles(
            summarizer(tmp_path, ConcurrentBackend()), articles(8), progress=progress, on_record=write_then_ctrl_c
        )
    assert len(written) == 3
    assert progress.counts["succeeded"] == 3
