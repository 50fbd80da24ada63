"""Progress on stderr: a live display on a terminal, one line per article elsewhere, from many threads at once.

The terminal tests give Progress a rich Console writing to a StringIO with ``force_terminal=True`` and replay
what it wrote on a tiny terminal (``screen``): the lines left on screen must be exactly the outcome lines, with
nothing of the live display behind.
"""

from __future__ import annotations

import io
import re
import sys
import threading
import time
from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from rich.console import Console

from summarizer.output import progress as progress_module
from summarizer.output.progress import Counts, Progress
from summarizer.record import ArticleMeta, Issue, Record, unmodelled_provenance
from summarizer.record.schema import EVENT_TYPES, Event

THREADS, PER_THREAD = 8, 50
TOTAL = THREADS * PER_THREAD
# Per thread, by i % 10: 0 fails after begin(), 1 is skipped and 2 cannot be read (neither begun), the rest succeed.
EXPECTED = Counts(succeeded=THREADS * 35, failed=THREADS * 10, skipped=THREADS * 5)
SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
TOKEN = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b|\r|\n|[^\x1b\r\n]+")
PREFIX = re.compile(r"^\[(\d+)(?:/(\d+))?\] ")


@pytest.fixture(autouse=True)
def capable_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """rich draws no live display on TERM=dumb; each test says terminal or not with force_terminal."""
    monkeypatch.setenv("TERM", "xterm")
    for variable in ("TTY_INTERACTIVE", "TTY_COMPATIBLE", "FORCE_COLOR", "NO_COLOR"):
        monkeypatch.delenv(variable, raising=False)


@pytest.fixture(autouse=True)
def eager_thread_switches() -> Iterator[None]:
    """Threads switch every 10 µs instead of every 5 ms, so that an unlocked read-modify-write shows up."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    yield
    sys.setswitchinterval(interval)


@pytest.fixture
def thread_errors(monkeypatch: pytest.MonkeyPatch) -> list[BaseException | None]:
    """Exceptions raised in any thread (the display's refresh thread included) during the test."""
    errors: list[BaseException | None] = []
    monkeypatch.setattr(threading, "excepthook", lambda args: errors.append(args.exc_value))
    return errors


def make_console(file: Any, terminal: bool) -> Console:
    colours = "standard" if terminal else "auto"
    return Console(file=file, force_terminal=terminal, width=100, height=50, color_system=colours)


def record(warnings: int = 0, cached: bool = False) -> Record:
    return Record(
        article=ArticleMeta(id="a", source="a", sha256="0", chars=1),
        event=Event(event_type=EVENT_TYPES[0], title="t", summary="s"),
        provenance=unmodelled_provenance("test").model_copy(update={"cached": cached}),
        warnings=[Issue(code="c", message="m")] * warnings,
    )


RECORDS = {(warnings, cached): record(warnings, cached) for warnings in range(3) for cached in (False, True)}


def screen(raw: str) -> list[str]:
    """The lines a terminal shows after receiving ``raw`` (colours ignored, cursor moves and erases applied)."""
    lines, row, col = [""], 0, 0
    for token in TOKEN.findall(raw):
        if token == "\r":
            col = 0
        elif token == "\n":
            row, col = row + 1, 0
            if row == len(lines):
                lines.append("")
        elif token.startswith("\x1b"):
            if token.endswith("m") or token in ("\x1b[?25l", "\x1b[?25h"):  # colour; cursor hidden or shown
                continue
            if token == "\x1b[2K":
                lines[row] = ""
            elif re.fullmatch(r"\x1b\[\d*A", token):
                row = max(row - int(token[2:-1] or 1), 0)
            else:
                raise AssertionError(f"unexpected control sequence {token!r}")
        else:
            line = lines[row].ljust(col)
            lines[row] = line[:col] + token + line[col + len(token) :]
            col += len(token)
    lines = [line.rstrip() for line in lines]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def source_of(thread: int, i: int) -> str:
    return f"feed/[b]{thread}[/b]:fire:{i:02d}.txt"  # markup and emoji codes must be printed as they are


def expected_line(thread: int, i: int) -> str:
    """The outcome line of article i of a thread, its time shown as "Xs"."""
    source, kind = source_of(thread, i), i % 10
    if kind == 0:
        return f"{source}: FAILED: the model timed out"
    if kind == 1:
        return f"{source}: already in the output file, skipped"
    if kind == 2:
        return f"FAILED: {source}: not UTF-8"
    cached = " (cached)" if i % 4 == 0 else ""
    notes = f", {i % 3} warning(s)" if i % 3 else ""
    return f"{source}: ok in Xs{cached}{notes}"


def drive(progress: Progress, thread: int, ready: threading.Barrier) -> None:
    ready.wait()
    for i in range(PER_THREAD):
        source, kind = source_of(thread, i), i % 10
        if kind == 1:
            progress.skipped(source)
            continue
        if kind == 2:
            progress.failed(source, f"{source}: not UTF-8")
            continue
        progress.begin(source)
        progress.status(source, "reading the article")
        progress.status(source, "model call 2 of 3 (re-ask)")
        if kind == 0:
            progress.failed(source, "the model timed out")
        else:
            progress.succeeded(source, RECORDS[(i % 3, i % 4 == 0)])


def run_batch(progress: Progress, total: int | None = TOTAL) -> None:
    progress.say("backend fake · model queued")
    progress.start(total)
    ready = threading.Barrier(THREADS)
    threads = [threading.Thread(target=drive, args=(progress, n, ready)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    counts = progress.counts
    progress.finish(counts.succeeded, counts.failed, counts.skipped)


def check_batch_lines(lines: list[str], total: int | None = TOTAL) -> None:
    """The say line, then each article's outcome exactly once, numbered in order, then the summary line."""
    assert lines[0] == "summarizer: backend fake · model queued"
    assert lines[-1] == (
        f"summarizer: {EXPECTED.succeeded} record(s), {EXPECTED.skipped} skipped (already done), "
        f"{EXPECTED.failed} failed"
    )
    body = lines[1:-1]
    prefixes = [PREFIX.match(line) for line in body]
    assert all(prefixes), [line for line, prefix in zip(body, prefixes, strict=True) if not prefix][:3]
    numbers = [(int(p[1]), int(p[2]) if p[2] else None) for p in prefixes if p]
    assert numbers == [(n, total) for n in range(1, TOTAL + 1)]
    shown = sorted(re.sub(r" in \d+\.\ds", " in Xs", PREFIX.sub("", line)) for line in body)
    assert shown == sorted(expected_line(t, i) for t in range(THREADS) for i in range(PER_THREAD))


def wait_until(condition: Callable[[], bool], timeout: float = 3.0) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


# ---------------------------------------------------------------- off a terminal


def test_a_pipe_gets_one_plain_line_per_article_from_many_threads(thread_errors: list[Any]) -> None:
    buffer = io.StringIO()
    progress = Progress(console=make_console(buffer, terminal=False))
    run_batch(progress)
    raw = buffer.getvalue()
    assert "\x1b" not in raw and "\r" not in raw  # no live display, no colour
    check_batch_lines(raw.splitlines())
    assert "reading the article" not in raw  # status() is for the live display only
    assert progress.counts == EXPECTED and progress.counts.finished == TOTAL
    assert thread_errors == []


def test_an_unknown_total_numbers_lines_without_a_total() -> None:
    buffer = io.StringIO()
    progress = Progress(console=make_console(buffer, terminal=False))
    run_batch(progress, total=None)
    check_batch_lines(buffer.getvalue().splitlines(), total=None)


def test_quiet_prints_only_failures_and_a_summary_of_them() -> None:
    buffer = io.StringIO()
    progress = Progress(enabled=False, console=make_console(buffer, terminal=True))
    progress.say("backend fake")
    progress.start(3)
    for source in ("a.txt", "b.txt"):
        progress.begin(source)
        progress.status(source, "grounding")
    progress.succeeded("a.txt", record())
    progress.failed("b.txt", "boom")
    progress.skipped("c.txt")
    progress.finish(1, 1, 1, extra="failures listed in out.errors.jsonl")
    assert buffer.getvalue().splitlines() == [  # and no live display: -q on a terminal is as quiet
        "[2/3] b.txt: FAILED: boom",
        "summarizer: 1 record(s), 1 skipped (already done), 1 failed, failures listed in out.errors.jsonl",
    ]
    quiet = io.StringIO()
    progress = Progress(enabled=False, console=make_console(quiet, terminal=True))
    progress.start(1)
    progress.begin("a.txt")
    progress.succeeded("a.txt", record())
    progress.finish(1, 0)
    assert quiet.getvalue() == ""


def test_each_article_is_timed_from_its_own_begin(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [100.0]
    monkeypatch.setattr(progress_module, "time", SimpleNamespace(perf_counter=lambda: clock[0]))
    buffer = io.StringIO()
    progress = Progress(console=make_console(buffer, terminal=False))
    progress.start(4)
    progress.begin("a.txt")
    clock[0] += 5
    progress.begin("b.txt")
    progress.begin("same.txt")
    clock[0] += 1.5
    progress.begin("same.txt")
    progress.succeeded("b.txt", record())
    clock[0] += 1
    progress.succeeded("a.txt", record(warnings=1, cached=True))
    progress.succeeded("same.txt", record())  # the same source twice in flight: first in, first out
    clock[0] += 1
    progress.failed("same.txt", "boom")
    progress.succeeded("never-begun.txt", record())  # no begin(): no time to tell
    assert buffer.getvalue().splitlines() == [
        "[1/4] b.txt: ok in 1.5s",
        "[2/4] a.txt: ok in 7.5s (cached), 1 warning(s)",
        "[3/4] same.txt: ok in 2.5s",
        "[4/4] same.txt: FAILED: boom",
        "[5/4] never-begun.txt: ok",
    ]
    assert progress.counts == Counts(succeeded=4, failed=1)


def test_counts_read_by_name_too() -> None:
    progress = Progress(console=make_console(io.StringIO(), terminal=False))
    progress.start(2)
    progress.begin("a.txt")
    progress.skipped("b.txt")
    counts = progress.counts
    assert (counts["succeeded"], counts["skipped"], counts["running"], counts["finished"]) == (0, 1, 1, 1)
    with pytest.raises(KeyError):
        counts["done"]


# ---------------------------------------------------------------- on a terminal


def test_a_terminal_batch_from_many_threads_leaves_exactly_the_outcome_lines(thread_errors: list[Any]) -> None:
    buffer = io.StringIO()
    progress = Progress(console=make_console(buffer, terminal=True))
    run_batch(progress)
    raw = buffer.getvalue()
    assert "━" in raw and f"/{TOTAL}" in raw and "articles/s" in raw and "ETA" in raw  # the batch line was shown
    check_batch_lines(screen(raw))  # nothing of the live display left, no line garbled or lost
    assert progress.counts == EXPECTED
    assert thread_errors == []


def test_a_terminal_batch_of_unknown_size_shows_counts_and_rate_without_eta() -> None:
    buffer = io.StringIO()
    progress = Progress(console=make_console(buffer, terminal=True))
    progress.start(None)
    for n in range(3):
        progress.begin(f"a{n}.txt")
        progress.succeeded(f"a{n}.txt", record())
    shown = screen(buffer.getvalue())
    assert [PREFIX.sub("", line)[:10] for line in shown[:3]] == ["a0.txt: ok", "a1.txt: ok", "a2.txt: ok"]
    assert [line[:4] for line in shown[:3]] == ["[1] ", "[2] ", "[3] "]
    assert len(shown) == 4 and "3 done" in shown[3] and "3 ok" in shown[3] and "articles/s" in shown[3]
    raw = buffer.getvalue()
    assert "ETA" not in raw and "━" not in raw and "/?" not in raw  # no bar, no fraction, no ETA
    progress.finish(3, 0)
    assert screen(buffer.getvalue())[3:] == ["summarizer: 3 record(s)"]


def test_a_single_article_shows_a_spinner_with_what_it_does_then_only_its_line() -> None:
    buffer = io.StringIO()
    progress = Progress(console=make_console(buffer, terminal=True))
    progress.say("backend fake")
    progress.start(1)
    progress.begin("article.txt")
    progress.status("article.txt", "reading the article")
    progress.status("article.txt", "model call 2 of 3 (re-ask)")
    shown = screen(buffer.getvalue())
    assert shown[0] == "summarizer: backend fake" and len(shown) == 2
    spinner = shown[1]
    assert spinner[0] in SPINNER and "article.txt" in spinner and "model call 2 of 3 (re-ask)" in spinner
    assert re.search(r" 0:0\d$", spinner)  # elapsed time
    assert "elapsed" not in buffer.getvalue()  # no batch line for one article
    # The display redraws itself (the spinner turns, the clock runs) with nothing else happening.
    frames = buffer.getvalue().count("model call 2 of 3")
    assert wait_until(lambda: buffer.getvalue().count("model call 2 of 3") > frames)
    progress.status("article.txt", "grounding")
    assert "grounding" in screen(buffer.getvalue())[1]
    progress.succeeded("article.txt", record(warnings=2))
    progress.stop()
    shown = screen(buffer.getvalue())
    assert shown[0] == "summarizer: backend fake" and len(shown) == 2
    assert re.fullmatch(r"article\.txt: ok in \d+\.\ds, 2 warning\(s\)", shown[1])
    written = len(buffer.getvalue())
    time.sleep(0.2)
    assert len(buffer.getvalue()) == written  # nothing redraws a display that is gone


def test_articles_in_flight_each_get_a_row_under_the_batch_line() -> None:
    buffer = io.StringIO()
    progress = Progress(console=make_console(buffer, terminal=True))
    progress.start(3)
    for source in ("a.txt", "b.txt", "c.txt"):
        progress.begin(source)
        progress.status(source, f"working on {source}")
    # In a batch the rows take a new status at the next redraw (a few times a second).
    assert wait_until(lambda: "working on c.txt" in "".join(screen(buffer.getvalue())))
    shown = screen(buffer.getvalue())
    assert len(shown) == 4 and "0/3" in shown[0] and "0 ok" in shown[0]
    for source, row in zip(("a.txt", "b.txt", "c.txt"), shown[1:], strict=True):
        assert row[0] in SPINNER and source in row and f"working on {source}" in row
    progress.succeeded("b.txt", record())
    shown = screen(buffer.getvalue())
    assert shown[0].startswith("[1/3] b.txt: ok in ") and "1/3" in shown[1] and "1 ok" in shown[1]
    assert ["a.txt" in shown[2], "c.txt" in shown[3], len(shown)] == [True, True, 4]
    progress.failed("a.txt", "boom")
    progress.failed("c.txt", "boom")
    progress.finish(1, 2)
    assert screen(buffer.getvalue())[1:] == [
        "[2/3] a.txt: FAILED: boom",
        "[3/3] c.txt: FAILED: boom",
        "summarizer: 1 record(s), 2 failed",
    ]


def test_records_on_stdout_never_go_into_the_display(monkeypatch: pytest.MonkeyPatch) -> None:
    stdout = io.StringIO()
    monkeypatch.setattr(sys, "stdout", stdout)
    buffer = io.StringIO()
    progress = Progress(console=make_console(buffer, terminal=True))
    progress.start(2)
    progress.begin("a.txt")
    print('{"jsonl": 1}')  # what click.echo does with a JSONL record while the batch runs
    progress.succeeded("a.txt", record())
    progress.finish(1, 0)
    assert stdout.getvalue() == '{"jsonl": 1}\n' and "jsonl" not in buffer.getvalue()


def test_stop_takes_the_display_down_and_later_lines_still_print() -> None:
    buffer = io.StringIO()
    with Progress(console=make_console(buffer, terminal=True)) as progress:
        progress.start(2)
        progress.begin("a.txt")
        progress.begin("b.txt")
    progress.failed("a.txt", "interrupted")  # a worker finishing after the runner stopped
    progress.begin("c.txt")  # no display again until the next start()
    assert screen(buffer.getvalue()) == ["[1/2] a.txt: FAILED: interrupted"]
    assert progress.counts == Counts(failed=1, running=2)


def test_a_long_source_is_cut_in_the_display_but_whole_in_its_line() -> None:
    buffer = io.StringIO()
    progress = Progress(console=make_console(buffer, terminal=True))
    source = "very/" * 30 + "deep.txt"
    progress.start(1)
    progress.begin(source)
    (row,) = screen(buffer.getvalue())
    assert "…" in row and row.count("very/") < 10 and "deep.txt" in row
    progress.succeeded(source, record())
    (line,) = screen(buffer.getvalue())
    assert line.startswith(source + ": ok in ")


def test_a_narrow_terminal_cuts_the_words_not_the_bar_or_the_clocks() -> None:
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=60, height=50, color_system="standard")
    progress = Progress(console=console)
    progress.start(120)
    progress.begin("a.txt")
    progress.status("a.txt", "model call 2 of 3 (re-ask), the answer did not fit the schema")
    progress.failed("a.txt", "boom")
    progress.skipped("b.txt")
    source = "feeds/" * 10 + "c.txt"
    progress.begin(source)
    progress.status(source, "model call 2 of 3 (re-ask), the answer did not fit the schema")
    assert wait_until(lambda: "model" in screen(buffer.getvalue())[-1])
    batch, row = screen(buffer.getvalue())[-2:]
    assert batch[0] in SPINNER and "━" * 5 in batch and "2/120" in batch and "…" in batch and len(batch) <= 60
    assert row[0] in SPINNER and "c.txt" in row and re.search(r"model[\w ]*… 0:0\d$", row) and len(row) <= 60
    progress.stop()


# ---------------------------------------------------------------- a stderr that cannot be written


class BrokenPipe(io.StringIO):
    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")

    def flush(self) -> None:
        raise BrokenPipeError(32, "Broken pipe")


def closed_stream() -> io.StringIO:
    stream = io.StringIO()
    stream.close()
    return stream


@pytest.mark.parametrize("terminal", [True, False], ids=["terminal", "pipe"])
@pytest.mark.parametrize("make_stream", [BrokenPipe, closed_stream], ids=["broken", "closed"])
def test_a_broken_or_closed_stderr_never_raises(
    terminal: bool, make_stream: Callable[[], io.StringIO], thread_errors: list[Any]
) -> None:
    console = make_console(make_stream(), terminal=terminal)
    exits: list[str] = []
    console.on_broken_pipe = lambda: exits.append("rich would exit and point stdout at /dev/null")  # type: ignore[method-assign]
    progress = Progress(console=console)
    progress.start(1)
    progress.begin("a.txt")
    progress.status("a.txt", "grounding")
    time.sleep(0.15)  # a redraw or so on the terminal
    progress.succeeded("a.txt", record())
    run_batch(progress)
    assert exits == [] and thread_errors == []
    assert progress.counts == EXPECTED


def test_the_default_console_follows_sys_stderr_and_survives_it(monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stderr", first)
    progress = Progress()
    assert not progress.interactive
    progress.say("one")
    monkeypatch.setattr(sys, "stderr", second)  # as click's CliRunner does for each invocation
    progress.say("two")
    assert (first.getvalue(), second.getvalue()) == ("summarizer: one\n", "summarizer: two\n")
    for broken in (BrokenPipe(), closed_stream()):
        monkeypatch.setattr(sys, "stderr", broken)
        progress.failed("a.txt", "boom")
        progress.finish(0, 1)
    ascii_only = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
    monkeypatch.setattr(sys, "stderr", ascii_only)
    progress.say("a · b")
    ascii_only.flush()
    assert ascii_only.buffer.getvalue() == b"summarizer: a ? b\n"


def test_a_slow_batch_rate_is_shown_per_minute_or_hour() -> None:
    """A local model's batch once showed `0.00493 articles/s`; it reads as articles a minute or an hour."""
    from summarizer.output.progress import rate_text

    assert [rate_text(r) for r in (168.3, 2.54, 0.3, 0.00493, 99.6 / 60)] == [
        "168 articles/s", "2.5 articles/s", "18 articles/min", "18 articles/h", "1.7 articles/s",
    ]  # fmt: skip
