"""The README's commands are real: every `summarizer ...` line in its code blocks and inline code names a
command of this CLI, only that command's options, and files the repository has.

What each command prints is checked where the behaviour is tested; this catches a README that drifted from the
CLI (a renamed option, a removed command, a path that moved).
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from test_cli_help import check_command_line

README = Path(__file__).resolve().parent.parent / "README.md"


def readme_commands(text: str) -> list[list[str]]:
    """Argument lists after `summarizer`, from shell code blocks and inline code spans of a Markdown text.

    A shell line is split at `&&`, `|` and `;`; comments and leading `VAR=value` assignments are dropped.
    Placeholders in capitals (DIR, RUN_A) are kept: they are positional arguments, not options.
    """
    lines: list[str] = []
    fence: str | None = None  # the backticks that opened the code block we are in
    shell = False  # a block without a language is shell; ```json and ````markdown are not
    for line in text.splitlines():
        stripped = line.strip()
        ticks = len(stripped) - len(stripped.lstrip("`"))
        if ticks >= 3 and fence is None:
            fence, shell = "`" * ticks, stripped == "`" * ticks
            continue
        if fence is not None and stripped == "`" * ticks and ticks >= len(fence):
            fence = None
            continue
        if fence is None:
            lines.extend(re.findall(r"`(summarizer [^`]+)`", line))
        elif shell:
            lines.append(line)
    found = []
    for line in lines:
        for part in re.split(r"&&|\||;", line.split(" #")[0]):
            try:
                words = shlex.split(part)
            except ValueError:
                continue
            while words and re.fullmatch(r"[A-Z_]+=\S*", words[0]):
                words.pop(0)
            if words and words[0] == "summarizer":
                found.append(words[1:])
    return found


def test_the_reader_finds_commands_in_blocks_chains_pipes_and_inline_code() -> None:
    text = (
        "Run `summarizer eval --fixtures x`.\n\n```\npython3 -m venv .venv && summarizer summarize a.txt  # one\n"
        "cat feed.jsonl | summarizer summarize -\nSUMMARIZER_HOME=/tmp summarizer logs\n```\n\n"
        '```json\n{"summarizer merge": 1}\n```\n'
    )
    assert readme_commands(text) == [
        ["eval", "--fixtures", "x"], ["summarize", "a.txt"], ["summarize", "-"], ["logs"],
    ]  # fmt: skip


def test_a_drifted_command_is_caught() -> None:
    with pytest.raises(AssertionError):
        check_command_line(["summarize", "--no-such-option", "a.txt"])
    with pytest.raises(AssertionError):
        check_command_line(["summarise", "a.txt"])
    with pytest.raises(AssertionError):
        check_command_line(["prompts", "lst"])
    with pytest.raises(AssertionError):
        check_command_line(["summarize", "evals/fixtures/does-not-exist.txt"])


COMMANDS = readme_commands(README.read_text(encoding="utf-8"))


def test_the_readme_shows_the_commands_a_newcomer_needs() -> None:
    firsts = {tuple(words[:1]) for words in COMMANDS}
    assert {("summarize",), ("eval",), ("merge",), ("prompts",), ("batch",), ("logs",)} <= firsts
    assert len(COMMANDS) >= 30


@pytest.mark.parametrize("words", [pytest.param(words, id=" ".join(words)) for words in COMMANDS])
def test_every_readme_command_is_a_real_command_with_real_options_and_files(words: list[str]) -> None:
    check_command_line(words)


def test_the_event_types_listed_are_the_schemas() -> None:
    """README's event-type list is `EventType`, in order (it once missed the four types schema 2.0 added)."""
    from summarizer.record.schema import EVENT_TYPES

    text = README.read_text(encoding="utf-8")
    line = text[text.index("- `event_type`:") :].split(" (modelled on", 1)[0]
    assert tuple(re.findall(r"`([a-z_]+)`", line)[1:]) == EVENT_TYPES
