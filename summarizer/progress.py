"""Progress and per-article outcomes on stderr: a bar on a terminal, one line per article otherwise."""

from __future__ import annotations

import sys
import time

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
from rich.progress import Progress as Bar

from summarizer.record import Record


class Progress:
    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self.console = Console(stderr=True, highlight=False, soft_wrap=True)  # one line per message, even in a log
        self.interactive = enabled and self.console.is_terminal
        self.bar: Bar | None = None
        self.task = None
        self.total = 0
        self.index = 0
        self.started = 0.0

    def say(self, message: str) -> None:
        if self.enabled:
            self.console.print(f"summarizer: {message}", markup=False)

    def start(self, total: int) -> None:
        self.total, self.index = total, 0
        if self.interactive and total > 1:
            self.bar = Bar(
                TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                console=self.console, transient=True,
            )  # fmt: skip
            self.bar.start()
            self.task = self.bar.add_task("summarizing", total=total)

    def begin(self, source: str) -> None:
        self.started = time.perf_counter()
        if self.bar is not None and self.task is not None:
            self.bar.update(self.task, description=source[-40:])

    def _line(self, message: str, always: bool = False) -> None:
        self.index += 1
        if self.bar is not None and self.task is not None:
            self.bar.advance(self.task)
        if self.enabled or always:
            prefix = f"[{self.index}/{self.total}] " if self.total > 1 else ""
            target = self.bar.console if self.bar is not None else self.console
            target.print(prefix + message, markup=False)

    def succeeded(self, source: str, record: Record) -> None:
        elapsed = time.perf_counter() - self.started
        notes = f", {len(record.warnings)} warning(s)" if record.warnings else ""
        cached = " (cached)" if record.provenance.cached else ""
        self._line(f"{source}: ok in {elapsed:.1f}s{cached}{notes}")

    def failed(self, source: str, message: str) -> None:
        self._line(f"{source}: FAILED: {message}" if source not in message else f"FAILED: {message}", always=True)

    def skipped(self, source: str) -> None:
        self._line(f"{source}: already in the output file, skipped")

    def stop(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None

    def finish(self, succeeded: int, failed: int, skipped: int = 0) -> None:
        if self.enabled or failed:
            parts = [f"{succeeded} record(s)"]
            if skipped:
                parts.append(f"{skipped} skipped (already done)")
            if failed:
                parts.append(f"{failed} failed")
            print("summarizer: " + ", ".join(parts), file=sys.stderr)
