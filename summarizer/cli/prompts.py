"""`summarizer prompts`: list, show and create prompt templates (``summarizer.model.prompts`` finds them)."""

from __future__ import annotations

from collections.abc import Sequence

import click

from summarizer.cli.kit import domain_errors, help_epilog
from summarizer.config.secrets import redact
from summarizer.errors import SummarizerError
from summarizer.model.prompts import find_prompts, list_prompts, load_prompt, new_prompt

PROMPTS_ENVIRONMENT = (
    ("SUMMARIZER_PROMPTS_DIR", "your prompts folder [SUMMARIZER_HOME/prompts]"),
    ("SUMMARIZER_HOME", "holds the prompts folder by default\n[~/.local/share/summarizer]"),
)


def _epilog(examples: Sequence[str], exit_codes: Sequence[tuple[int, str]]) -> str:
    """The epilog of a prompts command: each reads the variables of ``PROMPTS_ENVIRONMENT``."""
    return help_epilog(examples, PROMPTS_ENVIRONMENT, exit_codes)


@click.group(
    "prompts",
    epilog=_epilog(
        [
            "summarizer prompts list",
            "summarizer prompts new terse",
            "summarizer summarize --prompt terse evals/fixtures/000_ede6e3fe3861d4f9.txt",
        ],
        [(0, "ok"), (2, "a prompt missing or malformed, or two prompts of one name")],
    ),
)
def prompts() -> None:
    """List, show and create prompt templates.

    A prompt's name is the `name:` line of its header, not its file name: `--prompt NAME` (and
    `prompts show NAME`) finds the prompt of that name in your prompts folder first, then among the
    prompts shipped with summarizer; a name of yours hides a shipped one. `--prompt FILE.txt` reads
    that file. Two prompts of one name in a folder are an error.

    \b
    Your prompts folder: SUMMARIZER_PROMPTS_DIR if set, else SUMMARIZER_HOME/prompts
    (by default ~/.local/share/summarizer/prompts); `prompts new NAME` writes there.
    """


@prompts.command(
    "list",
    epilog=_epilog(
        [
            "summarizer prompts list",
            "summarizer prompts list | cut -f1              # the names alone",
            "SUMMARIZER_PROMPTS_DIR=prompts summarizer prompts list",
        ],
        [(0, "ok"), (2, "a prompt file is malformed, or two prompts share a name")],
    ),
)
def prompts_list() -> None:
    """Available prompts: name, version, hash and description (tab-separated).

    One line per name, the prompt `--prompt NAME` uses. On stderr: a file whose name differs from the
    name in its header, and a prompt of yours that hides a shipped one.
    """
    with domain_errors():
        everything = find_prompts()
        found = list_prompts()
    for prompt in found:
        click.echo(f"{prompt.name}\tv{prompt.version}\t{prompt.hash}\t{prompt.description}")
    for prompt in everything:
        if prompt.path.stem != prompt.name:
            click.echo(
                f"summarizer: note: {prompt.path} is named {prompt.name!r} in its header: use --prompt {prompt.name}",
                err=True,
            )
        if prompt not in found:
            used = next(other for other in found if other.name == prompt.name)
            click.echo(f"summarizer: note: {used.path} hides {prompt.path} (both named {prompt.name!r})", err=True)


@prompts.command(
    "show",
    epilog=_epilog(
        [
            "summarizer prompts show default",
            "summarizer prompts show prompts/default.txt      # a file",
            "summarizer prompts show default 2>/dev/null > mine.txt",
        ],
        [(0, "ok"), (2, "no prompt of that name or file, or it is malformed")],
    ),
)
@click.argument("name")
def prompts_show(name: str) -> None:
    """Print a prompt's file (NAME or path); its path and hash go to stderr."""
    with domain_errors():
        prompt = load_prompt(name)
    click.echo(f"# {prompt.path} (hash {prompt.hash})", err=True)
    click.echo(prompt.path.read_text(encoding="utf-8"), nl=False)


@prompts.command(
    "new",
    epilog=_epilog(
        [
            "summarizer prompts new terse",
            "summarizer prompts new terse-v2 --from terse",
            "summarizer summarize --prompt terse evals/fixtures/000_ede6e3fe3861d4f9.txt",
        ],
        [
            (0, "written; its path is on stdout"),
            (2, "NAME is taken or its file exists (never replaced),\nNAME is not a name, or --from names no prompt"),
        ],
    ),
)
@click.argument("name")
@click.option(
    "--from",
    "source",
    metavar="NAME|FILE",
    default="default",
    show_default=True,
    help="The prompt to copy: a name (see `summarizer prompts list`) or a file.",
)
def prompts_new(name: str, source: str) -> None:
    """Write an editable copy of a prompt into your prompts folder, named NAME; print its path.

    The copy is NAME.txt, with `name: NAME` and `version: 1` in its header; edit it, then use
    `--prompt NAME` with summarize, batch or eval. An existing file or name is never replaced.
    """
    with domain_errors():
        path = new_prompt(name, source)
    click.echo(str(path))
    try:  # the copy is written: a malformed file elsewhere in the folders must not make this look failed
        hidden = [prompt.path for prompt in find_prompts() if prompt.name == name and prompt.path != path]
    except SummarizerError as exc:
        hidden = []
        click.echo(f"summarizer: note: {redact(str(exc))}", err=True)
    for other in hidden:
        click.echo(f"summarizer: note: it hides {other} (also named {name!r})", err=True)
    click.echo(f"summarizer: edit it, then: summarizer summarize --prompt {name} ARTICLE", err=True)
