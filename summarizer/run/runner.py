"""Run many articles through one Summarizer: ``jobs`` at a time, in bounded memory, outcomes as they finish.

With ``jobs > 1`` and a strategy that reads, the reader runs in worker processes (``ReaderPool``): spaCy holds
the GIL, so reading inside the request threads serialised the batch; a thread now waits for its article's
reading without holding the GIL, while the other threads' requests wait on the network.

Articles are pulled from the input as workers free up (at most ``2 × jobs`` are held at once), and
each record or failure is handed to the caller's callbacks on the calling thread as soon as it is
ready, then dropped: a 100,000-line input costs no more memory than a 100-line one. One failed
article never stops the batch; an error that every later article would hit too (the server refuses
the key, is down for good, the output or the store's disk is full) does, after the articles in flight finish.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import traceback
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, ThreadPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from multiprocessing.context import BaseContext
from types import FrameType
from typing import TYPE_CHECKING

from summarizer.config.secrets import redact
from summarizer.errors import ArticleError, BackendError, ConfigError, ExtractionError, StoreError, SummarizerError
from summarizer.ingest.article import Article, LoadFailure
from summarizer.model.backends.breaker import BatchStop
from summarizer.output.progress import Progress
from summarizer.pipeline import Summarizer
from summarizer.record import Record

if TYPE_CHECKING:
    from summarizer.reader import Reading


@dataclass(frozen=True)
class Failure:
    """One article that produced no record: what the errors file and the terminal say about it."""

    id: str
    source: str
    sha256: str | None
    kind: str  # input, backend, extraction, internal
    message: str
    attempts: int | None = None
    traceback: str | None = None

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {
            "id": self.id,
            "source": self.source,
            "sha256": self.sha256,
            "kind": self.kind,
            "message": self.message,
            "attempts": self.attempts,
        }
        if self.traceback:
            data["traceback"] = self.traceback
        return data


@dataclass
class Tally:
    records: int = 0
    failed: int = 0
    skipped: int = 0
    stopped: SummarizerError | None = field(default=None)


@dataclass
class Outcomes:
    """Where a run's outcomes go, on the calling thread: each is counted in ``tally``, shown by ``progress``
    and handed to the caller's callback (``run_articles`` and the provider batch's ``collect`` share it)."""

    progress: Progress
    on_record: Callable[[Record], None] | None = None
    on_failure: Callable[[Failure], None] | None = None
    tally: Tally = field(default_factory=Tally)

    def succeeded(self, source: str, record: Record) -> None:
        """Deliver ``record``; a ``SummarizerError`` from ``on_record`` (the output is full) leaves it uncounted."""
        with interrupts_held():  # a record written is a record counted, even under Ctrl-C
            if self.on_record:
                self.on_record(record)
            self.tally.records += 1
            self.progress.succeeded(source, record)

    def failed(self, failure: Failure) -> None:
        self.tally.failed += 1
        self.progress.failed(failure.source, failure.message)
        if self.on_failure:
            self.on_failure(failure)

    def skipped(self, source: str) -> None:
        """An article whose record is already done."""
        self.tally.skipped += 1
        self.progress.skipped(source)


def failure_of(article: Article, exc: BaseException, sha256: str | None) -> Failure:
    """Classify what went wrong; an unexpected exception is a bug and keeps its traceback."""
    attempts = getattr(exc, "attempts", None)
    if isinstance(exc, ArticleError):
        kind = "input"
    elif isinstance(exc, BackendError):
        kind = "backend"
    elif isinstance(exc, ExtractionError):
        kind = "extraction"
    elif isinstance(exc, SummarizerError):
        kind = "error"
    else:
        tb = redact("".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
        message = redact(f"internal error (a bug; please report it): {type(exc).__name__}: {exc}")
        return Failure(article.id, article.source, sha256, "internal", message, attempts, tb)
    return Failure(article.id, article.source, sha256, kind, redact(str(exc)), attempts)


class ReaderPool:
    """The reader in ``workers`` processes forked from a server that loaded spaCy and the gazetteer once
    (``summarizer.reader.warm``), so each worker starts warm. ``read`` has the signature of
    ``summarizer.reader.read`` and returns the same reading; the calling thread waits without the GIL.
    ``submit`` starts a reading and ``wait`` collects it.
    Workers ignore Ctrl-C: the batch decides what an interrupt stops."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._lock = threading.Lock()
        self._pool = self._start()

    def _start(self) -> ProcessPoolExecutor:
        # Never fork the threads of a running batch: a fork server (spawn where there is none, as on Windows).
        context: BaseContext = multiprocessing.get_context("spawn")
        if "forkserver" in multiprocessing.get_all_start_methods():
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["summarizer.reader.warm"])
        return ProcessPoolExecutor(
            self.workers, mp_context=context, initializer=signal.signal, initargs=(signal.SIGINT, signal.SIG_IGN)
        )

    def submit(self, text: str, published: date | None) -> Future[Reading]:
        from summarizer.reader import read

        with self._lock:
            if self._pool._broken:  # a worker was killed (out of memory?): new workers
                self._pool = self._start()
            return self._pool.submit(read, text, published)

    def wait(self, reading: Future[Reading]) -> Reading:
        try:
            return reading.result()
        except BrokenProcessPool as exc:  # the next article gets new workers (``submit``)
            raise ExtractionError("the reader's worker process stopped while this article was being read") from exc

    def read(self, text: str, published: date | None) -> Reading:
        return self.wait(self.submit(text, published))

    def close(self, wait: bool = True) -> None:
        with self._lock:
            self._pool.shutdown(wait=wait, cancel_futures=True)

    def stop(self) -> None:
        """At once (Ctrl-C): the workers are terminated and their readings dropped, and the pool's queues are
        released before the process exits (an exit without that leaves a "leaked semaphore" warning)."""
        with self._lock:
            for process in list((self._pool._processes or {}).values()):
                process.terminate()
            self._pool.shutdown(wait=True, cancel_futures=True)


class ReadAhead:
    """A reading started when the article is queued, so that it is ready when a thread takes the article;
    called like ``summarizer.reader.read``, it waits for that reading (or reads anew for any other text)."""

    def __init__(self, pool: ReaderPool, article: Article) -> None:
        self.pool = pool
        self.text, self.published = article.text, article.published
        self.reading = pool.submit(article.text, article.published)

    def __call__(self, text: str, published: date | None) -> Reading:
        if text == self.text and published == self.published:
            return self.pool.wait(self.reading)
        return self.pool.read(text, published)


_shared: ReaderPool | None = None
_sharing = threading.Lock()


def shared_readers(workers: int) -> ReaderPool:
    """The process's reader pool, started by the first batch that needs it and kept for the next ones (a
    worker costs a fork and an import of the main module; spaCy comes loaded from the fork server)."""
    global _shared
    with _sharing:
        if _shared is None or _shared.workers < workers:
            if _shared is not None:
                _shared.close(wait=False)
            _shared = ReaderPool(workers)
        return _shared


def stop_shared_readers() -> None:
    global _shared
    with _sharing:
        if _shared is not None:
            _shared.stop()
            _shared = None


def reader_workers(summarizer: Summarizer, jobs: int) -> int:
    """How many reader processes a batch of ``jobs`` at a time gets: none for one at a time or the model
    alone (reading in the thread costs nothing more then), else one per core, at most ``jobs``."""
    if jobs <= 1 or summarizer.settings.strategy == "model":
        return 0
    return min(jobs, os.cpu_count() or 1)


def run_articles(
    summarizer: Summarizer,
    items: Iterable[Article | LoadFailure],
    *,
    jobs: int = 1,
    done: set[str] | None = None,
    use_cache: bool = True,
    progress: Progress | None = None,
    on_record: Callable[[Record], None] | None = None,
    on_failure: Callable[[Failure], None] | None = None,
) -> Tally:
    """Summarize every item, ``jobs`` at a time, skipping articles whose record hash is in ``done``.

    Callbacks run on the calling thread, one at a time. A ``SummarizerError`` raised by a callback (the
    output disk is full) or a batch-stopping error from the backend ends the run: it is returned in
    ``Tally.stopped`` after the articles in flight finish, and nothing more is started.
    """
    progress = progress or Progress(enabled=False)
    outcomes = Outcomes(progress, on_record, on_failure)
    tally = outcomes.tally
    done = done or set()

    workers = reader_workers(summarizer, jobs)
    readers = shared_readers(workers) if workers else None

    def work(article: Article, reader: ReadAhead | None) -> Record:
        progress.begin(article.source)
        return summarizer.summarize(
            article, use_cache=use_cache, status=lambda s: progress.status(article.source, s), reader=reader
        )

    def settle(article: Article, sha256: str, future: Future[Record]) -> None:
        try:
            record = future.result()
        except BatchStop as exc:
            tally.stopped = tally.stopped or exc
            return
        except (ConfigError, StoreError) as exc:  # a setting every article shares (a model that cannot load), or
            tally.stopped = tally.stopped or exc  # a store that cannot be written (its disk is full)
            return
        except Exception as exc:
            outcomes.failed(failure_of(article, exc, sha256))
            return
        outcomes.succeeded(article.source, record)

    pending: dict[Future[Record], tuple[Article, str]] = {}
    pool = ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="summarize")
    try:
        for item in _until_stopped(items, tally):
            if isinstance(item, LoadFailure):
                outcomes.failed(Failure(item.source, item.source, None, "input", item.message))
                continue
            fitted = None if summarizer.reads_alone else fitted_article(summarizer, item)
            sha256 = fitted.sha256 if fitted is not None else item.sha256  # the reader alone reads the whole text
            if sha256 in done:
                outcomes.skipped(item.source)
                continue
            # The text the summarizer reads: the article as the model reads it (``fit``), or as it is with the
            # reader alone; none when it does not fit (the summarizer refuses it before reading).
            shown = item if summarizer.reads_alone else fitted
            ahead = ReadAhead(readers, shown) if readers is not None and shown is not None else None
            pending[pool.submit(work, item, ahead)] = (item, sha256)
            while len(pending) >= 2 * jobs and tally.stopped is None:
                _settle_some(pending, settle)
        while pending:
            _settle_some(pending, settle)
    except SummarizerError as exc:  # from a callback: the output cannot take more records
        tally.stopped = exc
        pool.shutdown(wait=True, cancel_futures=True)
    except BaseException:  # Ctrl-C: start nothing more; what is in flight is dropped, never written
        pool.shutdown(wait=False, cancel_futures=True)
        if readers is not None:
            stop_shared_readers()
        raise
    pool.shutdown(wait=True)
    return tally


def _until_stopped(items: Iterable[Article | LoadFailure], tally: Tally) -> Iterator[Article | LoadFailure]:
    for item in items:
        if tally.stopped is not None:
            return
        yield item


def _settle_some(
    pending: dict[Future[Record], tuple[Article, str]], settle: Callable[[Article, str, Future[Record]], None]
) -> None:
    finished, _ = wait(pending, return_when=FIRST_COMPLETED)
    for future in finished:
        article, sha256 = pending.pop(future)
        settle(article, sha256, future)


def fitted_article(summarizer: Summarizer, article: Article) -> Article | None:
    """The article as the model reads it (truncated with --truncate); None when it does not fit."""
    try:
        return summarizer.fit(article)
    except SummarizerError:
        return None


@contextmanager
def interrupts_held() -> Iterator[None]:
    """Run the block whole; a Ctrl-C that arrives inside it is raised when the block ends.

    Around writing a record and counting it, so that "N record(s) written" after a Ctrl-C is exact: Python
    raises ``KeyboardInterrupt`` on the main thread between any two bytecodes, which could fall after the
    record reached the file and before it was counted. Other threads never see ``KeyboardInterrupt``, so off
    the main thread (or under a SIGINT handler someone else installed, or none) this holds nothing. A second
    Ctrl-C inside the block is raised at once.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGINT)
    if previous is not signal.default_int_handler:
        yield
        return
    arrived: list[tuple[int, FrameType | None]] = []

    def hold(signum: int, frame: FrameType | None) -> None:
        if arrived:  # a second Ctrl-C: the block is stuck (a stalled pipe), do not hold it any longer
            signal.default_int_handler(signum, frame)
        arrived.append((signum, frame))

    signal.signal(signal.SIGINT, hold)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if arrived:
            signal.default_int_handler(*arrived[0])
