"""Progress on stderr: what the articles in flight are doing, how the batch goes, one line per outcome.

On a terminal a live display sits below the outcome lines: a spinner per article in flight (its source, what
it is doing, how long it has run) and, for a batch, a line with the bar, counts, rate, elapsed time and ETA.
Elsewhere (a pipe, a log, a dumb terminal) there is no live display: one line per article, nothing else.
Every method may be called from any thread; writing never raises on a closed or broken stderr.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from types import TracebackType
from typing import IO, Any, Literal, cast

from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TaskID,
    TextColumn,
)
from rich.progress import Progress as Rows
from rich.table import Column
from rich.text import Text

from summarizer.output.printable import printable
from summarizer.record import Record

SOURCE_WIDTH = 40  # characters of a source shown in the live display (its end: the file name)
REFRESH_PER_SECOND = 8
BAR_WIDTH = 20

Outcome = Literal["succeeded", "failed", "skipped"]


@dataclass(frozen=True)
class Counts:
    """Articles so far: summarised, failed, skipped (already done), and begun but not finished."""

    succeeded: int = 0
    failed: int = 0
    skipped: int = 0
    running: int = 0

    @property
    def finished(self) -> int:
        """Articles with an outcome, whatever it was."""
        return self.succeeded + self.failed + self.skipped

    def __getitem__(self, name: str) -> int:
        """``counts["succeeded"]``, as well as ``counts.succeeded``."""
        if name not in ("succeeded", "failed", "skipped", "running", "finished"):
            raise KeyError(name)
        return int(getattr(self, name))


@dataclass
class _Article:
    """An article in flight: when it began, what it is doing, and its row in the live display."""

    started: float
    activity: str = ""
    row: TaskID | None = field(default=None)


class _SafeStream:
    """The console's file: writes to ``target()`` and loses the text, never raises, when that stream is
    closed or broken (a reader of ``2>&1 | head`` gone). Resolved on every write, so the default console
    follows ``sys.stderr`` when it is replaced (as click's test runner does)."""

    def __init__(self, target: Callable[[], IO[str] | None]) -> None:
        self._target = target

    def _stream(self) -> IO[str] | None:
        stream = self._target()
        return getattr(stream, "rich_proxied_file", stream)  # not into another live display's proxy

    @property
    def encoding(self) -> str:
        return getattr(self._stream(), "encoding", None) or "utf-8"

    def isatty(self) -> bool:
        try:
            stream = self._stream()
            return stream is not None and stream.isatty()
        except (OSError, ValueError):
            return False

    def write(self, text: str) -> int:
        stream = self._stream()
        try:
            if stream is not None:
                try:
                    stream.write(text)
                except UnicodeEncodeError:  # a stderr that cannot show "·" or a source's letters
                    stream.write(text.encode(self.encoding, "replace").decode(self.encoding, "replace"))
        except (OSError, ValueError):  # BrokenPipeError, or "I/O operation on closed file"
            pass
        return len(text)

    def flush(self) -> None:
        try:
            stream = self._stream()
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):
            pass


def _safe(target: Callable[[], IO[str] | None]) -> IO[str]:
    return cast("IO[str]", _SafeStream(target))


def _clock(seconds: float) -> str:
    """``0:07``, ``12:34``, ``1:02:03``."""
    minutes, secs = divmod(max(0, int(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def rate_text(per_second: float) -> str:
    """A rate in a unit a person reads at a glance: ``168 articles/s``, ``2.5 articles/s``, ``18 articles/min``
    (below one a second), ``1.2 articles/h`` (below one a minute)."""
    for unit, scale in (("s", 1), ("min", 60), ("h", 3600)):
        value = per_second * scale
        if value >= 1 or unit == "h":
            return f"{value:.0f} articles/{unit}" if value >= 10 else f"{value:.2g} articles/{unit}"
    raise AssertionError("unreachable")


def _tally(task: Task) -> str:
    """The batch line's numbers, the most useful first (a narrow terminal cuts the end): how many are done
    when the total is not known, elapsed time, ETA when it is, rate, then ok / failed / skipped.
    The rate counts articles summarised or failed, not the skipped ones (they take no time)."""
    counts: Counts = task.fields["counts"]
    elapsed = task.elapsed or 0.0
    worked = counts.succeeded + counts.failed
    rate = worked / elapsed if worked and elapsed > 0 else 0.0
    parts = [f"{counts.finished} done"] if task.total is None else []
    parts.append(f"{_clock(elapsed)} elapsed")
    if task.total is not None and rate:
        parts.append(f"ETA {_clock(max(task.total - counts.finished, 0) / rate)}")
    if rate:
        parts.append(rate_text(rate))
    parts.append(f"{counts.succeeded} ok")
    if counts.failed:
        parts.append(f"{counts.failed} failed")
    if counts.skipped:
        parts.append(f"{counts.skipped} skipped")
    return " · ".join(parts)


class _Fitted(ProgressColumn):
    """Text that takes the width the other columns leave (``reserved``), cut with "…" on a narrow terminal,
    so that the spinner, bar and clocks keep theirs."""

    def __init__(self, console: Console, reserved: int, text: Callable[[Task], str], style: str = "none") -> None:
        super().__init__()
        self.console, self.reserved, self.text, self.style = console, reserved, text, style

    def get_table_column(self) -> Column:
        return Column(no_wrap=True, overflow="ellipsis", max_width=max(8, self.console.width - self.reserved))

    def render(self, task: Task) -> Text:
        return Text(self.text(task), style=self.style)


class _Elapsed(ProgressColumn):
    """How long the article has run."""

    def render(self, task: Task) -> Text:
        return Text(_clock(task.elapsed or 0.0), style="progress.elapsed")


class Progress:
    """Progress of one run on stderr (or on ``console``), shared by the threads that summarise articles.

    ``enabled=False`` (``-q``) prints only failures and, when something failed, the final summary.
    Articles are keyed by source; the same source twice in flight is matched first in, first out.
    """

    def __init__(self, enabled: bool = True, console: Console | None = None) -> None:
        if console is None:
            console = Console(file=_safe(lambda: sys.stderr), highlight=False, soft_wrap=True)
        elif not isinstance(console.file, _SafeStream):
            file = console.file
            console.file = _safe(lambda: file)
        self.enabled = enabled
        self.console = console
        self.interactive = enabled and console.is_interactive
        self._lock = threading.RLock()
        self._total: int | None = 0
        self._index = 0  # outcome lines so far, for the [i/N] prefix
        self._counts = Counts()
        self._running: dict[str, list[_Article]] = {}
        self._rows = Rows(
            SpinnerColumn(),
            TextColumn("{task.description}", markup=False),
            _Fitted(console, 1 + SOURCE_WIDTH + 7 + 3, lambda task: task.fields["activity"], style="dim"),
            _Elapsed(),
            console=console,
            auto_refresh=False,
        )  # one row per article in flight; drawn by self._live, never started itself
        self._batch: Rows | None = None  # the batch line, between start() and stop()
        self._batch_task: TaskID | None = None
        self._live: Live | None = None
        self._ticker: _Ticker | None = None
        self._display = True  # stop() turns the live display off until the next start()

    # ------------------------------------------------------------ reading

    @property
    def counts(self) -> Counts:
        """How many articles succeeded, failed, were skipped, and are running, so far."""
        with self._lock:
            return replace(self._counts, running=sum(len(each) for each in self._running.values()))

    # ------------------------------------------------------------ the run

    def say(self, message: str) -> None:
        """A line about the run (``summarizer: message``), above any live display."""
        with self._lock:
            if self.enabled:
                self._print(f"summarizer: {message}")

    def warn(self, message: str) -> None:
        """``summarizer: warning: message``, above any live display, even with -q."""
        with self._lock:
            self._print(f"summarizer: warning: {message}")

    def start(self, total: int | None) -> None:
        """A run of ``total`` articles begins (None: not known, as for streamed input); counts restart.
        On a terminal, more than one article (or an unknown number) gets the batch line."""
        with self._lock:
            self._close_live()
            self._total, self._index, self._counts, self._running = total, 0, Counts(), {}
            for row in list(self._rows.task_ids):
                self._rows.remove_task(row)
            self._display = True
            self._batch = self._batch_task = None
            if self.interactive and (total is None or total > 1):
                known = (BarColumn(bar_width=BAR_WIDTH), MofNCompleteColumn()) if total is not None else ()
                reserved = 2 + (BAR_WIDTH + 1 + 2 * len(str(total)) + 2 if total is not None else 0)
                self._batch = Rows(
                    SpinnerColumn(),
                    *known,
                    _Fitted(self.console, reserved, _tally),
                    console=self.console,
                    auto_refresh=False,
                )
                self._batch_task = self._batch.add_task("summarizing", total=total, counts=self.counts)
            self._sync_live()

    def begin(self, source: str) -> None:
        """An article started; its elapsed time counts from now."""
        with self._lock:
            article = _Article(started=time.perf_counter())
            self._running.setdefault(source, []).append(article)
            if self.interactive and self._display:
                article.row = self._rows.add_task(_short(printable(source)), activity="")
            self._update_batch()
            self._sync_live()

    def status(self, source: str, message: str) -> None:
        """What that article is doing now ("model call 2 of 3 (re-ask)"), shown on its spinner's line.
        Never printed off a terminal; ignored for an article not begun."""
        with self._lock:
            article = self._article(source)
            if article is None:
                return
            article.activity = message
            if article.row is not None:
                self._rows.update(article.row, activity=printable(message))
                if self._live is not None and self._batch is None:  # a batch's rows wait for the next redraw
                    self._live.refresh()

    def succeeded(self, source: str, record: Record) -> None:
        """The article gave a record: one line, with its time since begin() and its warnings."""
        now = time.perf_counter()
        with self._lock:
            article = self._end(source)
            took = f" in {now - article.started:.1f}s" if article is not None else ""
            cached = " (cached)" if record.provenance.cached else ""
            notes = f", {len(record.warnings)} warning(s)" if record.warnings else ""
            self._outcome("succeeded", f"{source}: ok{took}{cached}{notes}")

    def failed(self, source: str, message: str) -> None:
        """The article (begun or not, as for input that could not be read) failed: one line, even with -q."""
        with self._lock:
            self._end(source)
            line = f"{source}: FAILED: {message}" if source not in message else f"FAILED: {message}"
            self._outcome("failed", line, always=True)

    def skipped(self, source: str) -> None:
        """The article is already in the output file: one line."""
        with self._lock:
            self._end(source)
            self._outcome("skipped", f"{source}: already in the output file, skipped")

    def stop(self) -> None:
        """Take the live display down (it leaves nothing behind); outcome lines still print after it."""
        with self._lock:
            self._display = False
            for articles in self._running.values():
                for article in articles:
                    if article.row is not None:
                        self._rows.remove_task(article.row)
                        article.row = None
            self._batch = self._batch_task = None
            self._close_live()

    def finish(self, succeeded: int, failed: int, skipped: int = 0, extra: str | None = None) -> None:
        """Stop, then the summary line: ``summarizer: 12 record(s), 3 skipped (already done), 1 failed``,
        then ``extra`` ("errors in out.errors.jsonl") when given; with -q only when something failed."""
        self.stop()
        with self._lock:
            if self.enabled or failed:
                parts = [f"{succeeded} record(s)"]
                if skipped:
                    parts.append(f"{skipped} skipped (already done)")
                if failed:
                    parts.append(f"{failed} failed")
                if extra:
                    parts.append(extra)
                self._print("summarizer: " + ", ".join(parts))

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()

    # ------------------------------------------------------------ inside, with the lock held

    def _print(self, line: str) -> None:
        # Text: a source's "[x]" or ":x:" stays as it is; printable: its newline or escape sequence is shown, not obeyed
        self.console.print(Text(printable(line)), soft_wrap=True)

    def _article(self, source: str) -> _Article | None:
        articles = self._running.get(source)
        return articles[0] if articles else None

    def _end(self, source: str) -> _Article | None:
        """The article leaves the flight, and its row the display."""
        articles = self._running.get(source)
        if not articles:
            return None
        article = articles.pop(0)
        if not articles:
            del self._running[source]
        if article.row is not None:
            self._rows.remove_task(article.row)
        return article

    def _outcome(self, outcome: Outcome, line: str, always: bool = False) -> None:
        self._counts = replace(self._counts, **{outcome: getattr(self._counts, outcome) + 1})
        self._index += 1
        self._update_batch()
        self._sync_live()  # a single article's spinner goes before its line is printed
        if self.enabled or always:
            total = self._total
            prefix = f"[{self._index}] " if total is None else f"[{self._index}/{total}] " if total > 1 else ""
            self._print(prefix + line)

    def _update_batch(self) -> None:
        if self._batch is not None and self._batch_task is not None:
            counts = self.counts
            self._batch.update(self._batch_task, completed=counts.finished, counts=counts)

    def _renderable(self) -> RenderableType:
        """What the live display shows now: the batch line, then a row per article in flight."""
        parts: list[RenderableType] = []
        batch = self._batch
        if batch is not None:
            parts.append(batch)
        if self._rows.tasks:
            parts.append(self._rows)
        return Group(*parts)

    def _sync_live(self) -> None:
        """Start the live display when there is something to show, and take it down when there is not."""
        wanted = self.interactive and self._display and (self._batch is not None or bool(self._rows.tasks))
        if wanted and self._live is None:
            self._live = Live(
                console=self.console,
                get_renderable=self._renderable,
                auto_refresh=False,  # refreshed by _Ticker, under the lock, never between two of our writes
                transient=True,
                redirect_stdout=False,  # records go to stdout: never into the display
                redirect_stderr=True,  # a stray warning on stderr goes above the display, not into it
            )
            self._live.start(refresh=True)
            self._ticker = _Ticker(self._lock, self._live)
            self._ticker.start()
        elif not wanted:
            self._close_live()

    def _close_live(self) -> None:
        if self._ticker is not None:
            self._ticker.stopped.set()  # it holds the lock while it refreshes: it is not refreshing now
            self._ticker = None
        if self._live is not None:
            live, self._live = self._live, None
            live.stop()


class _Ticker(threading.Thread):
    """Redraws the live display (the spinners, the clocks) a few times a second, holding the Progress lock
    so that a redraw never comes between an outcome line and the display it moves."""

    def __init__(self, lock: AbstractContextManager[Any], live: Live) -> None:
        super().__init__(name="progress-refresh", daemon=True)
        self.lock, self.live = lock, live
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(1 / REFRESH_PER_SECOND):
            with self.lock:
                if self.stopped.is_set():
                    return
                self.live.refresh()


def _short(source: str) -> str:
    return source if len(source) <= SOURCE_WIDTH else "…" + source[-(SOURCE_WIDTH - 1) :]
