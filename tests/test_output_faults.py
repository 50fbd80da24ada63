"""Output that cannot be written: a full stdout (``> /dev/full``), a closed stdout (``>&-``), a full disk under a
``.json`` / ``.md`` / ``.html`` ``--out``. One line, exit 1 (2 for a closed stdout, found before any work), no
traceback, no ``*.tmp`` file left behind, and never "N record(s)" for records that went nowhere."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_cli import TEXT, Fake, answer, article_file, assert_clean, install_fake, run
from test_output_files import tmpfs

from summarizer.errors import OutputError
from summarizer.output.files import write_document

RECORDS = Path(__file__).parent / "data" / "records"
FULL = Path("/dev/full")
needs_dev_full = pytest.mark.skipif(not FULL.exists(), reason="needs /dev/full (Linux)")


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Fake:
    return install_fake(monkeypatch)


def summarizer(*args: str, stdout: int | None = None, shell_suffix: str = "") -> subprocess.CompletedProcess[str]:
    """The command as a user runs it, with stdout sent to ``stdout`` (a file descriptor), or, with
    ``shell_suffix``, redirected by a shell (``>&-`` closes it)."""
    command = [sys.executable, "-m", "summarizer", *args]
    if shell_suffix:
        return subprocess.run(
            ["sh", "-c", f'"$@" {shell_suffix}', "sh", *command], capture_output=False, stderr=subprocess.PIPE,
            text=True, timeout=300,
        )  # fmt: skip
    return subprocess.run(command, stdout=stdout, stderr=subprocess.PIPE, text=True, timeout=300)


def error_lines(stderr: str) -> list[str]:
    assert "Traceback" not in stderr and "Exception ignored" not in stderr, stderr
    return [line for line in stderr.splitlines() if line.startswith("Error:")]


@needs_dev_full
@pytest.mark.parametrize("fmt", ["json", "jsonl", "markdown"])
def test_summarize_to_a_full_stdout_is_one_line_and_exit_1(tmp_path: Path, fmt: str) -> None:
    with FULL.open("w") as full:
        done = summarizer(
            "summarize", "--strategy", "reader", "--format", fmt, article_file(tmp_path), stdout=full.fileno()
        )
    assert done.returncode == 1, done.stderr
    assert error_lines(done.stderr) == [
        "Error: cannot write to stdout: No space left on device; use --out to write to a file"
    ]


@needs_dev_full
def test_merge_to_a_full_stdout_is_one_line_and_exit_1() -> None:
    with FULL.open("w") as full:
        done = summarizer("merge", str(RECORDS / "seed_000.json"), str(RECORDS / "seed_001.json"), stdout=full.fileno())
    assert done.returncode == 1, done.stderr
    assert error_lines(done.stderr) == [
        "Error: cannot write to stdout: No space left on device; use --out to write to a file"
    ]


def test_summarize_with_stdout_closed_writes_nothing_and_says_so(tmp_path: Path) -> None:
    done = summarizer("summarize", "--strategy", "reader", article_file(tmp_path), shell_suffix=">&-")
    assert done.returncode == 2, done.stderr
    assert error_lines(done.stderr) == [
        "Error: stdout is closed: the records would go nowhere; redirect it, or use --out FILE"
    ]
    assert "record(s)" not in done.stderr


def test_merge_with_stdout_closed_is_one_line(tmp_path: Path) -> None:
    done = summarizer("merge", str(RECORDS / "seed_000.json"), shell_suffix=">&-")
    assert done.returncode == 2, done.stderr
    assert error_lines(done.stderr) == [
        "Error: stdout is closed: the merged events would go nowhere; redirect it, or use --out FILE"
    ]
    assert "merged" not in done.stderr.replace("merged events would", "")


# ---------------------------------------------------------------- a full disk under --out


def fill(disk: Path) -> None:
    """Fill ``disk`` up: not one more page can be written."""
    with (disk / "filler").open("wb", buffering=0) as filler:
        try:
            while True:
                filler.write(b"x" * 4096)
        except OSError:
            pass


@pytest.mark.parametrize("name", ["records.json", "records.md", "records.html"])
def test_a_full_disk_under_a_document_out_is_exit_1_and_leaves_no_tmp_file(
    tmp_path: Path, fake: Fake, name: str
) -> None:
    fake.queue(*[answer()] * 4)
    sources = [article_file(tmp_path, f"a{n}.txt", f"{TEXT} Report {n}.") for n in range(4)]
    with tmpfs(tmp_path / "tiny", "size=64k") as disk:
        fill(disk)
        before = sorted(os.listdir(disk))
        out = disk / name
        result = run("summarize", *sources, "--out", str(out))
        assert_clean(result)
        assert result.exit_code == 1, result.output
        lines = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
        assert lines == [
            f"Error: cannot write {out}: No space left on device; nothing was written (no partial file is left)"
        ]
        assert sorted(os.listdir(disk)) == before  # no records file, no *.tmp


def test_merge_out_on_a_full_disk_is_exit_1_and_leaves_no_tmp_file(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "tiny", "size=64k") as disk:
        fill(disk)
        out = disk / "merged.json"
        result = run("merge", str(RECORDS / "seed_000.json"), str(RECORDS / "seed_001.json"), "--out", str(out))
        assert_clean(result)
        assert result.exit_code == 1
        assert f"Error: cannot write {out}: No space left on device" in result.stderr
        assert sorted(os.listdir(disk)) == ["filler"]


def test_a_document_out_that_appears_meanwhile_is_never_replaced(tmp_path: Path) -> None:
    out = tmp_path / "records.json"
    out.write_text("someone else's\n")
    with pytest.raises(OutputError, match="appeared while the records were made; it is not replaced"):
        write_document(out, "{}\n")
    assert out.read_text() == "someone else's\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["records.json"]


def test_a_document_out_is_written_whole(tmp_path: Path) -> None:
    out = tmp_path / "new" / "records.md"
    write_document(out, "# é\n")
    assert out.read_text(encoding="utf-8") == "# é\n"
    assert sorted(p.name for p in out.parent.iterdir()) == ["records.md"]
