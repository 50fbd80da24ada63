"""Hostile input: UTF-32, a stray byte in UTF-8, symbolic link loops and broken links, named pipes, file names
holding newlines and escape sequences. Each is read right or refused in one line that says what it is."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from contextlib import suppress
from pathlib import Path

import pytest
from test_cli import Fake, answer, article_file, assert_clean, install_fake, run

from summarizer.ingest.article import Article, LoadFailure
from summarizer.ingest.articles import load_article, load_articles
from summarizer.ingest.decoding import decode_bytes

posix_only = pytest.mark.skipif(os.name != "posix", reason="symbolic links and named pipes")
ACCENTED = "Zelenskyy visited Kyïv's Sviatoshynskyi district; the café owner, Andriï, said «no one» was hurt."


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Fake:
    return install_fake(monkeypatch)


def loaded(*args: str, warnings: list[str] | None = None) -> list[Article | LoadFailure]:
    sink = warnings if warnings is not None else []
    return list(load_articles(args, warn=sink.append))


# ---------------------------------------------------------------- encodings


@pytest.mark.parametrize("codec", ["utf-32", "utf-32-le", "utf-32-be"])
def test_utf32_with_a_byte_order_mark_is_read_as_utf32(tmp_path: Path, codec: str) -> None:
    bom = {"utf-32": b"", "utf-32-le": b"\xff\xfe\x00\x00", "utf-32-be": b"\x00\x00\xfe\xff"}[codec]
    path = tmp_path / "a.txt"
    path.write_bytes(bom + ACCENTED.encode(codec))
    article = load_article(path)
    assert article.text == ACCENTED and "\x00" not in article.text
    assert article.warnings == ()


def test_a_utf32_jsonl_file_is_read_as_utf32(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    path.write_bytes(('{"text": "' + ACCENTED + '"}\n{"text": "Second report from Odesa."}\n').encode("utf-32"))
    items = loaded(str(path))
    assert [item.text for item in items if isinstance(item, Article)] == [ACCENTED, "Second report from Odesa."]


def test_one_bad_byte_in_utf8_text_is_replaced_alone_and_named(tmp_path: Path) -> None:
    raw = ACCENTED[:40].encode() + b"\xe9" + ACCENTED[40:].encode()  # a Latin-1 "é" pasted into UTF-8 text
    text, warnings = decode_bytes(raw, "a.txt")
    assert text == ACCENTED[:40] + "\ufffd" + ACCENTED[40:]  # every accent intact: no mojibake
    offset = len(ACCENTED[:40].encode())  # 41: "ï" is two bytes
    assert warnings == [f"not valid UTF-8: 1 undecodable byte(s) replaced with U+FFFD (at byte offset {offset})"]


def test_bad_bytes_after_a_utf8_bom_are_counted_from_the_files_start() -> None:
    text, warnings = decode_bytes(b"\xef\xbb\xbfKy\xc3\xafv caf\xc3\xa9 \xff and \xfe", "a.txt")
    assert text == "Kyïv café \ufffd and \ufffd"
    assert warnings == ["not valid UTF-8: 2 undecodable byte(s) replaced with U+FFFD (at byte offsets 15, 21)"]


def test_windows_1252_text_is_still_read_as_windows_1252() -> None:
    raw = "The café owner said “no one” was hurt – officials.".encode("cp1252")
    text, warnings = decode_bytes(raw, "a.txt")
    assert text == raw.decode("cp1252") and "Windows-1252" in warnings[0]


# ---------------------------------------------------------------- links and pipes


def unblock(fifo: Path) -> None:
    """Open ``fifo`` to write and close it: a reader blocked opening it gets an empty stream (no wait if none is)."""
    with suppress(OSError):
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))


@posix_only
def test_a_symbolic_link_loop_says_so(tmp_path: Path) -> None:
    loop = tmp_path / "loop.txt"
    loop.symlink_to(loop)
    [failure] = loaded(str(loop))
    assert isinstance(failure, LoadFailure)
    assert failure.message == f"{loop}: a symbolic link loop (too many levels of symbolic links)"


@posix_only
def test_a_broken_link_says_where_it_points(tmp_path: Path) -> None:
    link = tmp_path / "gone.txt"
    link.symlink_to(tmp_path / "deleted.txt")
    [failure] = loaded(str(link))
    assert isinstance(failure, LoadFailure)
    assert failure.message == f"{link}: a broken symbolic link (to {tmp_path / 'deleted.txt'}, which does not exist)"


@posix_only
def test_loops_broken_links_and_pipes_in_a_folder_are_one_warning_each(tmp_path: Path, fake: Fake) -> None:
    fake.queue(answer())
    folder = tmp_path / "news"
    folder.mkdir()
    article_file(folder, "real.txt")
    (folder / "loop.txt").symlink_to(folder / "loop.txt")
    (folder / "gone.md").symlink_to(folder / "deleted.md")
    os.mkfifo(folder / "feed.jsonl")
    (folder / "picture.png").symlink_to(folder / "nowhere.png")  # not named like an article: not mentioned
    result = run("summarize", str(folder), "--format", "json")
    assert_clean(result)
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith("summarizer: warning:")]
    assert warnings == [
        f"summarizer: warning: {folder / 'feed.jsonl'}: skipped: a named pipe (FIFO), not a file",
        f"summarizer: warning: {folder / 'gone.md'}: skipped: a broken symbolic link "
        f"(to {folder / 'deleted.md'}, which does not exist)",
        f"summarizer: warning: {folder / 'loop.txt'}: skipped: a symbolic link loop "
        "(too many levels of symbolic links)",
    ]
    assert "real.txt: ok" in result.stderr


@posix_only
def test_a_glob_says_which_matches_it_skipped(tmp_path: Path) -> None:
    (tmp_path / "loop.txt").symlink_to(tmp_path / "loop.txt")
    warnings: list[str] = []
    [failure] = loaded(str(tmp_path / "*.txt"), warnings=warnings)
    assert warnings == [f"{tmp_path / 'loop.txt'}: skipped: a symbolic link loop (too many levels of symbolic links)"]
    assert isinstance(failure, LoadFailure) and "nothing this pattern matches can be read" in failure.message


@posix_only
def test_a_named_pipe_without_a_writer_is_refused_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "feed.jsonl"
    os.mkfifo(fifo)
    outcome: list[list[Article | LoadFailure]] = []
    reader = threading.Thread(target=lambda: outcome.append(loaded(str(fifo))), daemon=True)
    reader.start()
    reader.join(timeout=20)
    if reader.is_alive():  # unblock the hung reader so that the test run can end
        unblock(fifo)
        pytest.fail("reading a named pipe without a writer hangs")
    [[failure]] = outcome
    assert isinstance(failure, LoadFailure)
    assert failure.message == (
        f"{fifo}: a named pipe with nothing writing to it (waited 3 s); start its writer first, or give a file"
    )


@posix_only
def test_a_named_pipe_with_a_writer_is_read_as_a_stream(tmp_path: Path) -> None:
    """The writer may come a moment after the reader (``summarizer summarize p & producer > p``)."""
    fifo = tmp_path / "feed"
    os.mkfifo(fifo)
    lines = b'{"text": "First report from Odesa."}\n{"text": "Second report from Kyiv."}\n'
    writer = subprocess.Popen(["sh", "-c", 'printf "%s" "$1" > "$2"', "sh", lines.decode(), str(fifo)])
    try:
        items = loaded(str(fifo))
    finally:
        try:
            writer.wait(timeout=20)
        except subprocess.TimeoutExpired:
            writer.kill()  # blocked opening the pipe: the reader gave up on it
    assert [item.text for item in items if isinstance(item, Article)] == [
        "First report from Odesa.",
        "Second report from Kyiv.",
    ]


def test_a_named_pipe_as_a_user_gives_it_does_not_hang(tmp_path: Path) -> None:
    if os.name != "posix":
        pytest.skip("named pipes")
    fifo = tmp_path / "feed.jsonl"
    os.mkfifo(fifo)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "summarizer", "summarize", "--strategy", "reader", str(fifo)],
            capture_output=True,
            text=True,
            timeout=120,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("summarize hangs on a named pipe without a writer")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert f"{fifo}: a named pipe with nothing writing to it" in done.stderr


# ---------------------------------------------------------------- names that are not text


@posix_only
def test_newlines_and_escape_sequences_in_a_file_name_are_shown_escaped(tmp_path: Path, fake: Fake) -> None:
    fake.queue(answer())
    name = "odesa\n[2of2] fake.txt: ok\x1b[31m\u202e.txt"
    article_file(tmp_path, name)
    result = run("summarize", str(tmp_path), "--format", "json")
    assert_clean(result)
    assert result.exit_code == 0
    assert "\x1b" not in result.stderr and "\u202e" not in result.stderr
    shown = str(tmp_path / "odesa\\n[2of2] fake.txt: ok\\x1b[31m\\u202e.txt")
    outcome = [line for line in result.stderr.splitlines() if ": ok" in line]
    assert outcome == [f"{shown}: ok in {outcome[0].split(' in ')[-1]}"]  # one line, the name escaped
    assert '"id": "odesa\\n[2of2] fake.txt: ok\\u001b[31m' in result.stdout  # the record keeps the real name


@posix_only
def test_an_error_about_such_a_name_is_one_line(tmp_path: Path) -> None:
    out = tmp_path / "out\n\x1b[2J.json"
    out.write_text("taken")
    done = subprocess.run(
        [sys.executable, "-c", "import sys; from summarizer.cli.root import main; sys.argv[0] = 'summarizer'; main()",
         "summarize", "--strategy", "reader", "x.txt", "--out", str(out)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2
    assert "\x1b" not in done.stderr and done.stderr.count("\n") == 1, done.stderr
    assert "out\\n\\x1b[2J.json exists" in done.stderr


@posix_only
def test_merge_shows_such_a_name_escaped(tmp_path: Path) -> None:
    bad = tmp_path / "evil\n\x1b[31m.json"
    bad.write_text("not json")
    result = run("merge", str(bad), str(Path(__file__).parent / "data" / "records" / "seed_000.json"))
    assert result.exit_code == 1
    assert "\x1b" not in result.stderr
    [line] = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert "evil\\n\\x1b[31m.json" in line
