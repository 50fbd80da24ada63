"""The command line: a thin click layer. Domain errors become one-line, redacted messages and exit codes.

Exit codes: 0 ok, 1 some article or case failed, 2 usage or configuration error, 130 interrupted.
"""

from __future__ import annotations

import io
import logging
import os
import shutil
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Any, BinaryIO, NoReturn

import click

from summarizer import __version__
from summarizer.articles import Article, LoadFailure, count_articles, load_articles
from summarizer.batch_cli import batch_group
from summarizer.config import BACKENDS, STRATEGIES, Settings
from summarizer.errors import ConfigError, SummarizerError
from summarizer.evals.cli import eval_group
from summarizer.logs_cli import logs_command
from summarizer.merge import merge_records, render_merged
from summarizer.merge.cli import merge_command
from summarizer.outfile import ErrorsFile, JsonlOutput, check_output_path, errors_path, failed_sources
from summarizer.output import FORMATS, TERMINAL, to_json, to_jsonl_line, to_markdown
from summarizer.pipeline import Summarizer
from summarizer.progress import Progress
from summarizer.prompts import list_prompts, load_prompt
from summarizer.record import Record
from summarizer.redact import redact
from summarizer.runner import run_articles

# Tests may replace this to run the CLI on a fake model: (settings) -> Summarizer.
summarizer_factory: Callable[[Settings], Summarizer] = Summarizer


class UsageError(click.ClickException):
    exit_code = 2


def fail(exc: SummarizerError) -> click.ClickException:
    error = click.ClickException(redact(str(exc)))
    error.exit_code = exc.exit_code
    return error


def model_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Options shared by every command that runs a model."""
    options = [
        click.option("--backend", type=click.Choice(BACKENDS), help="local (embedded llama.cpp) or openai."),
        click.option("--model", help="Model name (openai backend) or label (local)."),
        click.option(
            "--model-path",
            type=click.Path(dir_okay=False),
            help="Any GGUF file for the local backend [default: bundled SmolLM2-135M-Instruct].",
        ),
        click.option("--base-url", help="OpenAI-compatible server, e.g. http://127.0.0.1:8080/v1 (implies openai)."),
        click.option("--prompt", help="Prompt name (see `summarizer prompts list`) or path to a prompt file."),
        click.option(
            "--strategy",
            type=click.Choice(STRATEGIES),
            help="both: the model's answer filled in and cross-checked by the reader; model: the model alone; "
            "reader: deterministic reading alone, no model call [default: both].",
        ),
        click.option("--temperature", type=float, help="Sampling temperature [default: 0]."),
        click.option("--max-retries", type=click.IntRange(0, 10), help="Re-asks after invalid or ungrounded answers."),
        click.option("--timeout", type=click.FloatRange(min=1), help="Seconds per API request [default: 120]."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def settings_from_options(**options: Any) -> Settings:
    overrides = {key: value for key, value in options.items() if value is not None}
    if overrides.get("base_url") and "backend" not in overrides:
        overrides["backend"] = "openai"
    try:
        return Settings.from_env(**overrides)
    except ConfigError as exc:
        raise fail(exc) from exc


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="summarizer")
def cli() -> None:
    """Turn news articles into strict, source-grounded event records, and evaluate prompt changes.

    \b
    Runs offline on the embedded model by default. Set OPENAI_API_KEY, or pass --base-url,
    to use OpenAI or any OpenAI-compatible server (vLLM, Ollama, llama.cpp server).

    \b
    Exit codes: 0 ok; 1 some article (or eval case) failed; 2 usage or configuration error,
    including a server that refuses the key or the model; 130 interrupted (Ctrl-C).
    """
    logging.getLogger("instructor").addHandler(logging.NullHandler())
    logging.getLogger("instructor").propagate = False


@cli.command()
@click.argument("sources", nargs=-1)
@model_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    help="Output format [default: a readable view on a terminal, json in a pipe; for --out, by its suffix: "
    ".jsonl, .md, .html, else json]. html: one self-contained page, the article with every located fact marked.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write records here. A .jsonl file is appended to and resumed (articles already in it are skipped, "
    "failures go to <name>.errors.jsonl beside it); any other file must not exist yet.",
)
@click.option(
    "-j", "--jobs", type=click.IntRange(1, 256), default=1, show_default=True,
    help="Articles summarized at once (openai backend; the local backend runs one model call at a time).",
)  # fmt: skip
@click.option("--retry-failed", is_flag=True, help="Only the SOURCES that failed before (listed in the errors file).")
@click.option("--truncate", is_flag=True, help="Summarise the first part of an article too long for the model.")
@click.option("--no-cache", is_flag=True, help="Ask the model again even when a stored answer exists.")
@click.option("--merge", "merge_events", is_flag=True, help="Merge records of the same event (see `merge`).")
@click.option("-q", "--quiet", is_flag=True, help="No progress on stderr.")
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

    SOURCES are files (.txt .md .html .json .jsonl), folders, glob patterns, or - for stdin
    (also read when no SOURCES are given and stdin is not a terminal). JSONL input is streamed.
    """
    stdin: BinaryIO = sys.stdin.buffer
    if not sources:
        if sys.stdin is None or sys.stdin.isatty():
            raise UsageError("give article files, a folder, or - for stdin (see --help)")
        sources = ("-",)
    settings = settings_from_options(truncate=truncate or None, **options)
    fmt = fmt or default_format(out)
    check_output(out, fmt, merge_events, retry_failed)
    try:
        summarizer = summarizer_factory(settings)
    except SummarizerError as exc:
        raise fail(exc) from exc
    progress = Progress(enabled=not quiet)
    progress.say(
        f"backend {summarizer.backend_name} · model {summarizer.model_name} · "
        f"prompt {summarizer.prompt.name} v{summarizer.prompt.version} ({summarizer.prompt.hash})"
        + (f" · {jobs} jobs" if jobs > 1 else "")
    )
    if jobs > 1 and settings.backend == "local" and settings.strategy != "reader":
        progress.say("the local backend runs one model call at a time: --jobs overlaps only reading and grounding")
    # JSONL is written record by record as each article finishes: appended to --out (and resumed from
    # it), or streamed to stdout. Merged output and JSON or Markdown files need every record first.
    streaming = fmt == "jsonl" and not merge_events
    with ExitStack() as stack:
        output = errors = None
        done: set[str] = set()
        if streaming and out is not None:
            output = stack.enter_context(open_output(out))
            if output.repaired:
                progress.say(output.repaired)
            done = output.done(same_setup(summarizer))
            errors = stack.enter_context(ErrorsFile(errors_path(out)))
        excluded = [out, errors_path(out), out.with_name(out.name + ".torn")] if out is not None else []
        wanted = failed_sources(out, done) if retry_failed and out is not None else None
        items = load_articles(sources, stdin=stdin, exclude=excluded)
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
                click.echo(to_jsonl_line(record))
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
        if merge_events:
            text = render_merged(merge_records(kept), fmt) if kept else ""
        elif not streaming:
            text = render(sorted(kept, key=lambda r: order.get(r.article.source, 0)), fmt, texts)
        if text:
            emit(text, out)
    notes = [f"failures listed in {errors_path(out)}"] if tally.failed and output is not None else []
    progress.finish(tally.records, tally.failed, skipped=tally.skipped, extra="; ".join(notes) or None)
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
    if out is None:
        return
    if out.suffix.lower() == ".jsonl" and (fmt != "jsonl" or merge_events):
        what = "--merge" if merge_events else f"--format {fmt}"
        raise UsageError(f"{out} is a JSONL file, appended to record by record; {what} would replace it")
    if fmt != "jsonl" and out.exists():
        raise UsageError(f"{out} exists and records are never replaced: choose another --out, or remove it first")
    try:
        check_output_path(out)
        if fmt == "jsonl":
            check_output_path(errors_path(out))
    except ConfigError as exc:
        raise fail(exc) from exc


def open_output(out: Path) -> JsonlOutput:
    try:
        return JsonlOutput(out).open()
    except SummarizerError as exc:
        raise fail(exc) from exc


def same_setup(summarizer: Summarizer) -> Callable[[dict[str, Any]], str | None]:
    """The article hash of a record made by the same backend, model and prompt (hash), else None."""
    wanted = (summarizer.backend_name, summarizer.model_name, summarizer.prompt.hash)

    def identity(record: dict[str, Any]) -> str | None:
        try:
            provenance = record["provenance"]
            if (provenance["backend"], provenance["model"], provenance["prompt_hash"]) == wanted:
                return record["article"]["sha256"]
        except (KeyError, TypeError):
            pass
        return None

    return identity


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
        return {".jsonl": "jsonl", ".md": "markdown", ".html": "html", ".htm": "html"}.get(out.suffix.lower(), "json")
    return TERMINAL if sys.stdout.isatty() else "json"


def render(records: Sequence[Record], fmt: str, texts: Mapping[str, str] | None = None) -> str:
    """The records as text in ``fmt``; ``texts`` (source -> article text) lets the HTML view mark the facts."""
    if not records:
        return ""
    if fmt == TERMINAL:
        from rich.console import Console

        from summarizer.view_terminal import print_records

        console = Console(file=io.StringIO(), force_terminal=True, width=shutil.get_terminal_size().columns)
        print_records(records, console)
        return console.file.getvalue()  # type: ignore[attr-defined]
    if fmt == "markdown":
        return to_markdown(records)
    if fmt == "html":
        from summarizer.view_html import records_html

        return records_html([(record, (texts or {}).get(record.article.source)) for record in records])
    return to_json(records) + "\n"


def emit(text: str, out: Path | None) -> None:
    if out is None:
        click.echo(text, nl=False)
        return
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        temporary = out.with_name(out.name + ".tmp")
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(out)
    except OSError as exc:
        raise UsageError(f"cannot write {out}: {exc.strerror or exc}") from exc


@cli.group()
def prompts() -> None:
    """List and show prompt templates."""


@prompts.command("list")
def prompts_list() -> None:
    """Available prompts: name, version, hash and description."""
    try:
        found = list_prompts()
    except SummarizerError as exc:
        raise fail(exc) from exc
    for prompt in found:
        click.echo(f"{prompt.name}\tv{prompt.version}\t{prompt.hash}\t{prompt.description}")


@prompts.command("show")
@click.argument("name")
def prompts_show(name: str) -> None:
    """Print a prompt's file (NAME or path)."""
    try:
        prompt = load_prompt(name)
    except SummarizerError as exc:
        raise fail(exc) from exc
    click.echo(f"# {prompt.path} (hash {prompt.hash})", err=True)
    click.echo(prompt.path.read_text(encoding="utf-8"), nl=False)


cli.add_command(eval_group)
cli.add_command(merge_command)
cli.add_command(batch_group)
cli.add_command(logs_command)


def main() -> None:
    """The console script: click's handling, except that Ctrl-C exits 130 (not 1, which means "some article
    failed")."""
    try:
        code = cli.main(prog_name="summarizer", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("summarizer: interrupted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    sys.exit(code if isinstance(code, int) else 0)
