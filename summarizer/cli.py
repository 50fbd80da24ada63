"""The command line: a thin click layer. Domain errors become one-line messages and exit codes.

Exit codes: 0 ok, 1 some article failed, 2 usage or configuration error.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, BinaryIO

import click

from summarizer import __version__
from summarizer.articles import Article, LoadFailure, load_articles
from summarizer.config import BACKENDS, STRATEGIES, Settings
from summarizer.errors import ConfigError, SummarizerError
from summarizer.evals.cli import eval_group
from summarizer.merge import merge_records, render_merged
from summarizer.merge.cli import merge_command
from summarizer.output import FORMATS, to_json, to_jsonl_line, to_markdown
from summarizer.pipeline import Summarizer
from summarizer.progress import Progress
from summarizer.prompts import list_prompts, load_prompt
from summarizer.record import Record
from summarizer.resume import already_done, append_line

# Tests may replace this to run the CLI on a fake model: (settings) -> Summarizer.
summarizer_factory: Callable[[Settings], Summarizer] = Summarizer


class UsageError(click.ClickException):
    exit_code = 2


def fail(exc: SummarizerError) -> click.ClickException:
    error = click.ClickException(str(exc))
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
    help="Output format [default: markdown on a terminal, json otherwise; jsonl for an --out *.jsonl].",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write records here. A .jsonl file is appended to and resumed: articles already in it are skipped.",
)
@click.option("--truncate", is_flag=True, help="Summarise the first part of an article too long for the model.")
@click.option("--no-cache", is_flag=True, help="Ask the model again even when a stored answer exists.")
@click.option("--merge", "merge_events", is_flag=True, help="Merge records of the same event (see `merge`).")
@click.option("-q", "--quiet", is_flag=True, help="No progress on stderr.")
def summarize(
    sources: tuple[str, ...],
    fmt: str | None,
    out: Path | None,
    truncate: bool,
    no_cache: bool,
    merge_events: bool,
    quiet: bool,
    **options: Any,
) -> None:
    """Summarize articles into event records.

    SOURCES are files (.txt .md .html .json .jsonl), folders, glob patterns, or - for stdin
    (also read when no SOURCES are given and stdin is not a terminal).
    """
    stdin: BinaryIO = sys.stdin.buffer
    if not sources:
        if sys.stdin is None or sys.stdin.isatty():
            raise UsageError("give article files, a folder, or - for stdin (see --help)")
        sources = ("-",)
    settings = settings_from_options(truncate=truncate or None, **options)
    fmt = fmt or default_format(out)
    try:
        summarizer = summarizer_factory(settings)
    except SummarizerError as exc:
        raise fail(exc) from exc
    progress = Progress(enabled=not quiet)
    progress.say(
        f"backend {summarizer.backend_name} · model {summarizer.model_name} · "
        f"prompt {summarizer.prompt.name} v{summarizer.prompt.version} ({summarizer.prompt.hash})"
    )
    items = list(load_articles(sources, stdin=stdin))
    # JSONL is written record by record as each article finishes: appended to --out (and resumed from
    # it), or streamed to stdout. Merged output needs every record first, so it is never streamed.
    streaming = fmt == "jsonl" and not merge_events
    done = already_done(out, summarizer) if streaming and out is not None else set()
    on_record: Callable[[Record], None] | None = None
    if streaming:
        on_record = (lambda r: append_line(out, to_jsonl_line(r))) if out else (lambda r: click.echo(to_jsonl_line(r)))
    records, failures, skipped = run_batch(
        summarizer, items, done, progress, use_cache=not no_cache, on_record=on_record
    )
    text = ""  # streamed JSONL is already out
    if merge_events:
        text = render_merged(merge_records(records), fmt) if records else ""
    elif not streaming:
        text = render(records, fmt)
    if text:
        emit(text, out)
    progress.finish(len(records), failures, skipped=skipped)
    if failures:
        sys.exit(1)


def run_batch(
    summarizer: Summarizer,
    items: Sequence[Article | LoadFailure],
    done: set[str],
    progress: Progress,
    *,
    use_cache: bool,
    on_record: Callable[[Record], None] | None,
) -> tuple[list[Record], int, int]:
    """Summarize each article; a failure is reported and counted, never fatal to the batch.

    Returns the records, the number of failures and the number of articles skipped because ``done``
    (article hashes, as records carry them) already has them.
    """
    records: list[Record] = []
    failures = skipped = 0
    progress.start(len(items))
    for item in items:
        if isinstance(item, LoadFailure):
            failures += 1
            progress.failed(item.source, item.message)
            continue
        if done and recorded_sha256(summarizer, item) in done:
            skipped += 1
            progress.skipped(item.source)
            continue
        progress.begin(item.source)
        try:
            record = summarizer.summarize(item, use_cache=use_cache)
        except ConfigError as exc:
            progress.stop()
            raise fail(exc) from exc
        except SummarizerError as exc:
            failures += 1
            progress.failed(item.source, str(exc))
            continue
        records.append(record)
        if on_record:
            on_record(record)
        progress.succeeded(item.source, record)
    progress.stop()
    return records, failures, skipped


def recorded_sha256(summarizer: Summarizer, article: Article) -> str:
    """The hash a record of this article carries: of the text the model reads (truncated with --truncate)."""
    try:
        return summarizer.fit(article).sha256
    except SummarizerError:
        return article.sha256


def default_format(out: Path | None) -> str:
    if out is not None:
        return {".jsonl": "jsonl", ".md": "markdown"}.get(out.suffix.lower(), "json")
    return "markdown" if sys.stdout.isatty() else "json"


def render(records: Sequence[Record], fmt: str) -> str:
    if not records:
        return ""
    if fmt == "markdown":
        return to_markdown(records)
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


def main() -> None:
    cli(prog_name="summarizer")
