"""How `summarize` shows records to a person: the rich view on a terminal, plain Markdown when asked, a
self-contained HTML page for --format html / an .html --out."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_cli import Fake, answer, article_file, install_fake

from summarizer.cli.root import cli

SEED = Path(__file__).parent.parent / "evals" / "fixtures" / "000_ede6e3fe3861d4f9.txt"


def on_a_terminal(args: list[str], home: Path) -> str:
    """What `python -m summarizer ARGS` shows with stdout a real pseudo-terminal (fails on a non-zero exit)."""
    leader, follower = pty.openpty()
    env = {**os.environ, "SUMMARIZER_HOME": str(home), "COLUMNS": "100"}
    process = subprocess.Popen(
        [sys.executable, "-m", "summarizer", *args], stdout=follower, stderr=subprocess.PIPE, env=env
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed: the process is done
            break
        if not chunk:
            break
        chunks.append(chunk)
    assert process.wait(timeout=120) == 0, process.stderr.read() if process.stderr else ""
    return b"".join(chunks).decode("utf-8", "replace")


def test_html_out_is_one_page_with_the_located_facts_marked(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake: Fake = install_fake(monkeypatch)
    fake.queue(answer())
    out = tmp_path / "records.html"
    result = CliRunner().invoke(cli, ["summarize", "-q", article_file(tmp_path), "--out", str(out)], obj=fake.obj)
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<script" not in page
    assert "Drone attack on Odesa" in page
    assert "<mark" in page and "At least 3 people were injured" in page  # the article, with its facts marked
    assert "the governor said" in page  # and the unmarked rest of it


def test_format_html_with_merge_is_a_usage_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake: Fake = install_fake(monkeypatch)
    result = CliRunner().invoke(cli, ["summarize", "--merge", "--format", "html", article_file(tmp_path)], obj=fake.obj)
    assert result.exit_code == 2 and "--format html shows records" in result.output


def test_markdown_stays_plain_markdown(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake: Fake = install_fake(monkeypatch)
    fake.queue(answer())
    result = CliRunner().invoke(cli, ["summarize", "-q", "--format", "markdown", article_file(tmp_path)], obj=fake.obj)
    assert result.exit_code == 0 and result.output.startswith("## Drone attack on Odesa")
    assert "\x1b[" not in result.output


def test_a_terminal_gets_the_rich_view(tmp_path: Path) -> None:
    """Run as a user runs it (the reader alone: no model to load)."""
    shown = on_a_terminal(["summarize", "-q", "--strategy", "reader", str(SEED)], tmp_path)
    assert "\x1b[" in shown  # styled for the terminal
    assert "Kyiv (city)" in shown and "evidence" in shown
    assert "## " not in shown and "| |" not in shown and "<sub>" not in shown


def test_merge_on_a_terminal_is_drawn_by_rich(tmp_path: Path) -> None:
    """Merged events on a terminal are their Markdown drawn by rich, as `summarize` draws a record: no raw
    Markdown syntax (`# `, `|---|`, backslash escapes) reaches the screen (this crashed once, then was raw)."""
    shown = on_a_terminal(["summarize", "-q", "--strategy", "reader", "--merge", str(SEED)], tmp_path)
    assert "Traceback" not in shown
    assert "\x1b[" in shown  # styled by rich
    assert not shown.lstrip().startswith("# ") and "|---|" not in shown and "\\[" not in shown
    assert "Merged from 1 report" in shown


def test_merge_command_on_a_terminal_is_drawn_by_rich(tmp_path: Path) -> None:
    records = Path(__file__).parent / "data" / "records"
    shown = on_a_terminal(["merge", str(records / "seed_000.json"), str(records / "seed_001.json")], tmp_path)
    assert "\x1b[" in shown and "|---|" not in shown and "\\[missile\\]" not in shown
    assert "Merged from 2 reports" in shown and "at least 13" in shown
