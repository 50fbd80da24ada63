"""Help that teaches: every command's --help has examples, the environment it reads and its exit codes; the
examples name real commands, options and files; `summarizer --help` and `--version` import no model code."""

from __future__ import annotations

import glob
import json
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from summarizer.cli.kit import ENVIRONMENT, MODEL_OPTIONS
from summarizer.cli.root import cli
from summarizer.config.settings import Settings

REPO = Path(__file__).resolve().parent.parent
VARIABLES = {*ENVIRONMENT, "XDG_DATA_HOME"}


def commands(group: click.Group = cli, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    """Every command under ``group`` (groups included), imported as `summarizer ... --help` would import it."""
    ctx = click.Context(group, info_name="summarizer")
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, name
        yield (*path, name), command
        if isinstance(command, click.Group):
            yield from commands(command, (*path, name))


PATHS = [()] + [path for path, _ in commands()]


def help_of(*path: str) -> str:
    result = CliRunner().invoke(cli, [*path, "--help"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def params(paths: list[tuple[str, ...]]) -> list[object]:
    return [pytest.param(path, id=" ".join(path) or "summarizer") for path in paths]


@pytest.mark.parametrize("path", params(PATHS))
def test_every_help_has_examples_environment_and_exit_codes(path: tuple[str, ...]) -> None:
    text = help_of(*path)
    assert "Examples" in text and "Exit codes:" in text
    environment = text[text.index("Environment") :]
    assert any(variable in environment for variable in VARIABLES) or environment.startswith("Environment: none")
    codes = text[text.index("Exit codes:") :].splitlines()[1:]
    assert codes and codes[0].split()[0] == "0"  # each command lists the codes it can end with, 0 first


def examples(text: str) -> list[list[str]]:
    """The example commands of a help text, as argument lists after `summarizer` (a line ending in a backslash
    continues on the next; comments, pipes and leading `VAR=value` are dropped)."""
    block = text[text.index("Examples") :].split("\n\n")[0].splitlines()[1:]
    lines, current = [], ""
    for line in block:
        current += " " + line.strip().removesuffix("\\")
        if not line.rstrip().endswith("\\"):
            lines.append(current)
            current = ""
    found = []
    for line in lines:
        for part in line.split("#")[0].split("|"):
            words = shlex.split(part)
            while words and "=" in words[0]:
                words.pop(0)
            if words and words[0] == "summarizer":
                found.append(words[1:])
    return found


@pytest.mark.parametrize("path", params(PATHS))
def test_examples_use_real_commands_options_and_files(path: tuple[str, ...]) -> None:
    """Two to four examples; each resolves to a command of this CLI, uses only its options, and names only files
    the repository has (evals/..., prompts/...)."""
    found = examples(help_of(*path))
    assert 2 <= len(found) <= 4, found
    for words in found:
        check_command_line(words)


def check_command_line(words: list[str]) -> None:
    """``words`` (after `summarizer`) name a command of this CLI, only its options, and only files the
    repository has (a word under evals/, prompts/ or tests/ must match one)."""
    command: click.Command = cli
    while isinstance(command, click.Group) and words and not words[0].startswith("-"):
        sub = command.get_command(click.Context(command), words[0])
        if sub is None:  # a group takes a word that is not its command only as an argument it declares
            assert any(isinstance(p, click.Argument) for p in command.params), f"no command {words[0]!r} in {words}"
            break
        command, words = sub, words[1:]
    options = {name for param in command.params for name in (*param.opts, *param.secondary_opts)}
    options |= {"--help"} | ({"--version"} if command is cli else set())
    assert command is not cli or (words and words[0] in options), f"no such command: {words}"
    for word in words:
        if word.startswith("-") and word != "-":
            assert word.split("=")[0] in options, f"{word} is not an option of {command.name}"
        elif word.startswith(("evals/", "prompts/", "tests/")):
            assert glob.glob(str(REPO / word)), f"{word} matches no file of the repository"


MODEL_COMMANDS = [("summarize",), ("eval",), ("batch", "submit"), ("batch", "collect")]


@pytest.mark.parametrize("path", params(MODEL_COMMANDS))
def test_every_command_that_runs_a_model_has_the_model_options(path: tuple[str, ...]) -> None:
    command = dict(commands())[path]
    assert set(MODEL_OPTIONS) <= {param.name for param in command.params}


@pytest.mark.parametrize("path", params([("summarize",), ("eval",), ("batch", "submit")]))
def test_help_lists_every_variable_settings_read(path: tuple[str, ...]) -> None:
    text = help_of(*path)
    for variable in [*Settings.ENV.values(), "SUMMARIZER_PROMPTS_DIR"]:
        assert variable in text, variable
    assert "as --max-retries" in text and "as --timeout" in text  # options, not only variables
    assert set(ENVIRONMENT) == {*Settings.ENV.values(), "SUMMARIZER_PROMPTS_DIR"}


def test_summarizer_help_lists_lazy_commands_as_they_describe_themselves() -> None:
    """`summarizer --help` shows the one-line help of commands it has not imported from cli.lazy: the same line
    the command itself gives (change both together)."""
    ctx = click.Context(cli)
    for name, (_, line) in cli.lazy.items():
        command = cli.get_command(ctx, name)
        assert command is not None
        for limit in (40, 57, 200):
            assert click.Command(name, help=line).get_short_help_str(limit) == command.get_short_help_str(limit), name


def test_batch_help_lists_its_commands_in_the_order_of_a_batch_life() -> None:
    section = help_of("batch").split("Commands:\n")[1].split("\n\n")[0]
    assert [line.split()[0] for line in section.splitlines()] == ["submit", "status", "collect"]


def test_eval_help_still_shows_its_options() -> None:
    text = help_of("eval")
    assert "--fixtures" in text and "--baseline" in text and "compare" in text


def loaded_by(*args: str) -> dict[str, object]:
    """The modules a fresh interpreter has imported after `summarizer ARGS`, and what it printed."""
    code = (
        "import json, sys\n"
        "from summarizer.cli.root import main\n"
        f"sys.argv = ['summarizer', *{list(args)!r}]\n"
        "try:\n    main()\nexcept SystemExit as exit:\n    code = exit.code\n"
        "print(json.dumps({'code': code, 'modules': sorted(sys.modules)}), file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    result: dict[str, object] = json.loads(done.stderr.strip().splitlines()[-1])
    result["stdout"] = done.stdout
    return result


HEAVY = (
    "openai", "instructor", "httpx", "rich", "spacy", "llama_cpp", "jinja2", "markupsafe",
    "summarizer.pipeline", "summarizer.run.runner", "summarizer.output.progress", "summarizer.model.backends",
    "summarizer.reader", "summarizer.ground.grounding", "summarizer.store.database", "summarizer.evals",
    "summarizer.merge", "summarizer.cli.batch", "summarizer.run.provider_batch", "summarizer.cli.logs",
    "summarizer.output.html", "summarizer.output.templating", "summarizer.output.highlight",
    "summarizer.cli.eval", "summarizer.cli.merge", "summarizer.cli.prompts", "summarizer.cli.merge_eval",
)  # fmt: skip


@pytest.mark.parametrize("args", [("--version",), ("--help",)])
def test_version_and_help_import_no_model_code(args: tuple[str, ...]) -> None:
    result = loaded_by(*args)
    assert result["code"] == 0 and "summarizer" in str(result["stdout"])
    modules = result["modules"]
    assert isinstance(modules, list)
    assert not [name for name in modules if name.split(".")[0] in HEAVY or name.startswith(HEAVY)]


def test_version_imports_no_pydantic() -> None:
    modules = loaded_by("--version")["modules"]
    assert isinstance(modules, list)
    assert "pydantic" not in modules and "summarizer.record" not in modules


def test_a_help_text_names_only_declared_environment_variables() -> None:
    """Every variable an epilog shows is declared once in the settings; a stale name fails when the help is built."""
    from summarizer.cli.kit import help_epilog

    shown = help_epilog([], [("SUMMARIZER_HOME", "where the store is")], [(0, "ok")])
    assert "SUMMARIZER_HOME" in shown
    with pytest.raises(KeyError, match="SUMMARIZER_RENAMED"):
        help_epilog([], [("SUMMARIZER_RENAMED", "a variable that is no longer read")], [(0, "ok")])
