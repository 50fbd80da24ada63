"""Five more kinds of bad input a hostile (or hurried) user tries, beyond issue 18's list, and five that were
already handled (kept here so that they stay so): stdin closed while named, a file name that is not UTF-8, one
file named twice, ``--out -``, an empty source name (an unset shell variable)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_cli import TEXT, Fake, answer, article_file, assert_clean, install_fake, jsonl_records, run

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX file names and shells")


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Fake:
    return install_fake(monkeypatch)


@posix_only
def test_stdin_named_while_closed_is_one_failure_not_a_traceback(tmp_path: Path) -> None:
    done = subprocess.run(
        ["sh", "-c", '"$@" <&-', "sh", sys.executable, "-m", "summarizer", "summarize", "--strategy", "reader", "-"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 1
    assert "FAILED: stdin: it is closed; nothing to read" in done.stderr


@posix_only
def test_a_file_name_that_is_not_utf8_is_summarized_and_recorded(tmp_path: Path, fake: Fake) -> None:
    fake.queue(answer())
    name = os.fsdecode(b"caf\xe9.txt")  # a Latin-1 name from an old archive
    try:
        article_file(tmp_path, name)
    except (UnicodeEncodeError, OSError):
        pytest.skip("this file system refuses names that are not UTF-8")
    out = tmp_path / "records.jsonl"
    result = run("summarize", str(tmp_path / name), "--out", str(out))
    assert_clean(result)
    assert result.exit_code == 0, result.output
    [record] = jsonl_records(out.read_text(encoding="utf-8"))
    assert record.article.source == f"{tmp_path}/caf\\xe9.txt" and record.article.id == "caf\\xe9"
    again = run("summarize", str(tmp_path / name), "--out", str(out))  # resumed: the same source, skipped
    assert again.exit_code == 0 and "already in the output file" in again.stderr and fake.calls == 1


def test_one_file_named_twice_is_read_once(tmp_path: Path, fake: Fake, monkeypatch: pytest.MonkeyPatch) -> None:
    fake.queue(answer(), answer())
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "news"
    folder.mkdir()
    article_file(folder, "a.txt")
    out = tmp_path / "records.jsonl"
    result = run("summarize", "news/a.txt", "news/a.txt", "./news/a.txt", "news", "news/*.txt", "--out", str(out))
    assert_clean(result)
    assert result.exit_code == 0, result.output
    assert len(jsonl_records(out.read_text())) == 1 and fake.calls == 1
    warnings = [line for line in result.stderr.splitlines() if line.startswith("summarizer: warning:")]
    assert warnings == [f"summarizer: warning: {Path(name)}: named more than once; read once" for name in [
        "news/a.txt", "news/a.txt", "news/a.txt", "news/*.txt".replace("*", "a"),
    ]]  # fmt: skip


def test_out_dash_is_stdout_not_a_file_named_dash(tmp_path: Path, fake: Fake, monkeypatch: pytest.MonkeyPatch) -> None:
    fake.queue(answer())
    monkeypatch.chdir(tmp_path)
    result = run("summarize", article_file(tmp_path), "--out", "-", "--format", "jsonl")
    assert result.exit_code == 0
    assert len(jsonl_records(result.stdout)) == 1
    assert not (tmp_path / "-").exists()


def test_merge_out_dash_is_stdout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    records = Path(__file__).parent / "data" / "records" / "seed_000.json"
    result = run("merge", str(records), "--out", "-", "--format", "json")
    assert result.exit_code == 0 and json.loads(result.stdout)
    assert not (tmp_path / "-").exists()


def test_an_empty_source_name_reads_nothing(tmp_path: Path, fake: Fake, monkeypatch: pytest.MonkeyPatch) -> None:
    """``summarizer summarize "$FILE"`` with FILE unset: not every article of the current folder."""
    monkeypatch.chdir(tmp_path)
    article_file(tmp_path, "private.txt")
    result = run("summarize", "")
    assert_clean(result)
    assert result.exit_code == 1 and fake.calls == 0
    assert "FAILED: '': an empty name, not a file (an unset shell variable?); nothing read" in result.stderr


# ---------------------------------------------------------------- already handled: kept so


def test_a_folder_as_out_is_a_usage_error(tmp_path: Path, fake: Fake) -> None:
    result = run("summarize", article_file(tmp_path), "--out", str(tmp_path))
    assert result.exit_code == 2 and "is a directory" in result.stderr and fake.calls == 0


def test_an_out_in_a_folder_that_does_not_exist_is_created(tmp_path: Path, fake: Fake) -> None:
    fake.queue(answer())
    out = tmp_path / "new" / "deeper" / "records.json"
    result = run("summarize", article_file(tmp_path), "--out", str(out))
    assert result.exit_code == 0 and json.loads(out.read_text())["article"]["id"] == "odesa"


def test_whitespace_only_articles_and_a_jsonl_array_line_fail_alone(tmp_path: Path, fake: Fake) -> None:
    fake.queue(*[answer()] * 3)  # an answer and its re-asks (the line has no publication date)
    (tmp_path / "blank.txt").write_text(" \t\n\u00a0\u200b\n", encoding="utf-8")
    (tmp_path / "feed.jsonl").write_text('[{"text": "x"}]\n' + json.dumps({"text": TEXT}) + "\n")
    result = run("summarize", str(tmp_path / "blank.txt"), str(tmp_path / "feed.jsonl"), "--format", "jsonl")
    assert_clean(result)
    assert result.exit_code == 1 and len(jsonl_records(result.stdout)) == 1
    assert "blank.txt: the article is empty" in result.stderr
    assert "feed.jsonl:1: expected a JSON object with a 'text' field, got list" in result.stderr


def test_a_2_gb_file_is_refused_without_reading_it(tmp_path: Path, fake: Fake) -> None:
    big = tmp_path / "big.txt"
    with big.open("wb") as handle:  # sparse: no 2 GB written
        handle.truncate(2 * 1024**3)
    result = run("summarize", str(big))
    assert_clean(result)
    assert result.exit_code == 1 and "big.txt: larger than 20 MB; not an article" in result.stderr
