"""The ``batch`` command group: submit, status and collect over ``summarizer.run.provider_batch``, with what
they check and record (the settings a batch was submitted with, where it was submitted from, the store's record
of it).

``summarizer.cli.root`` imports this module only when `summarizer batch` runs or shows its help (its
``LazyGroup``). The options and helpers it shares with `summarize` are ``summarizer.cli.kit``'s.
"""

from __future__ import annotations

import os
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import click

from summarizer.cli.kit import (
    EXISTING_FILE,
    FILE,
    MODEL_ENVIRONMENT,
    OPTION_WINS,
    UsageError,
    domain_errors,
    fail,
    help_epilog,
    model_options,
    new_summarizer,
    open_records,
    out_option,
    quiet_option,
    settings_from_options,
    start_run,
    timeout_option,
    written_beside,
)
from summarizer.config.capabilities import BATCH_BACKEND, DEFAULT_BACKEND, backend_info
from summarizer.config.secrets import public_url
from summarizer.config.settings import Settings
from summarizer.errors import ConfigError, SummarizerError
from summarizer.output.files import ERROR_FIELDS, ErrorsFile, check_output_path, errors_path
from summarizer.output.formats import to_jsonl_line
from summarizer.output.progress import Progress
from summarizer.record import Record
from summarizer.run import provider_batch
from summarizer.run.runner import Failure
from summarizer.store.database import Store

LOCAL_REFUSED = (
    "batches go through a provider's batch API, which only the openai backend has: set OPENAI_API_KEY or pass "
    "--base-url (for an offline vLLM run_batch: submit --dry-run --model NAME --file FILE)"
)


class BatchGroup(click.Group):
    """Lists its commands in the order of a batch's life (submit, status, collect), not alphabetically."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)


BATCH_EXAMPLES = [
    "summarizer batch submit evals/fixtures/       # needs OPENAI_API_KEY",
    "summarizer batch status                       # its state and counts",
    "summarizer batch collect --out records.jsonl  # its records",
]
# Offline: write the batch file, run it with vLLM's run_batch, collect its output (COLLECT_FROM_FILE).
DRY_RUN_EXAMPLE = [
    "summarizer batch submit --dry-run --model gpt-4o-mini \\",
    "    --file batch.jsonl 'evals/fixtures/00[01]_*.txt'",
]
COLLECT_FROM_FILE = "summarizer batch collect --from-file results.jsonl --out records.jsonl"
RECORDED: tuple[str | tuple[str, str], ...] = (  # a bare name: as ENVIRONMENT says
    ("SUMMARIZER_HOME", "where batches are recorded (and the store)\n[~/.local/share/summarizer]"),
    "OPENAI_API_KEY",
    ("OPENAI_BASE_URL", "the server [default: the one the batch was\nsubmitted to]"),
    "SUMMARIZER_TIMEOUT",
    "SUMMARIZER_API_RETRIES",
)


@click.group(
    "batch",
    cls=BatchGroup,
    epilog=help_epilog(
        BATCH_EXAMPLES,
        ["OPENAI_API_KEY", "OPENAI_BASE_URL", "SUMMARIZER_MODEL", "SUMMARIZER_PROMPT", "SUMMARIZER_HOME"],
        [
            (0, "ok"),
            (1, "an article not sent, a request that failed, or a server\nthat could not be asked"),
            (2, "usage or configuration error"),
            (130, "interrupted (Ctrl-C)"),
        ],
        environment_title="Environment (the main ones; each command's --help lists its own):",
    ),
)
def batch_group() -> None:
    """Summarize through a provider's batch API (OpenAI /v1/batches; the file vLLM's run_batch reads).

    submit sends the articles as one batch and records it under SUMMARIZER_HOME; status asks the
    provider how far it is; collect turns its answers into records, grounded as `summarize` does.
    Batches need the openai backend (OPENAI_API_KEY, or --base-url), except a --dry-run.
    """


@batch_group.command(
    "submit",
    epilog=help_epilog(
        ["summarizer batch submit evals/fixtures/     # needs OPENAI_API_KEY", *DRY_RUN_EXAMPLE],
        MODEL_ENVIRONMENT,
        [
            (0, "submitted (with --dry-run: written); the batch id is on stdout"),
            (
                1,
                "an article could not be sent (listed on stderr; the others\nwere), or the server could not be asked",
            ),
            (
                2,
                "usage or configuration error: the local backend, no key,\n"
                "--dry-run without --file, too many requests, a server\n"
                "that refuses the key or has no batch API",
            ),
            (130, "interrupted (Ctrl-C)"),
        ],
        environment_title=OPTION_WINS,
    ),
)
@click.argument("sources", nargs=-1, required=True)
@model_options
@click.option(
    "--file",
    "batch_file",
    type=FILE,
    help="Write the batch JSONL here [default: a file under SUMMARIZER_HOME/batches].",
)
@click.option("--dry-run", is_flag=True, help="Write the batch file (needs --file) and record it; upload nothing.")
@click.option("--truncate", is_flag=True, help="Send the first part of an article too long for the model.")
@quiet_option
def submit(
    sources: tuple[str, ...], batch_file: Path | None, dry_run: bool, truncate: bool, quiet: bool, **options: Any
) -> None:
    """Send the articles of SOURCES as one batch; print its id.

    SOURCES are files, folders or glob patterns (not stdin: collect loads them again to ground the
    answers). With --dry-run the batch file is only written, e.g. for
    `python -m vllm.entrypoints.openai.run_batch -i batch.jsonl -o results.jsonl`; then
    `summarizer batch collect --from-file results.jsonl`.
    """
    _submit(sources, batch_file, dry_run, truncate, quiet, options)


@batch_group.command(
    "status",
    epilog=help_epilog(
        ["summarizer batch status", "summarizer batch status --all"],
        RECORDED,
        [
            (0, "ok"),
            (1, "the server could not be asked (unreachable, timed out,\nan HTTP error)"),
            (2, "no batch recorded (or none of that id), a usage error, or a\nserver that refuses the key"),
        ],
    ),
)
@click.argument("batch_id", required=False)
@click.option("--base-url", help="The server the batch was submitted to [default: the recorded one].")
@timeout_option
@click.option("--all", "show_all", is_flag=True, help="List every recorded batch (as last seen; asks nothing).")
def status(batch_id: str | None, base_url: str | None, timeout: float | None, show_all: bool) -> None:
    """Show a batch's state and request counts [default: the latest batch]."""
    with domain_errors():  # the store's failures, found while it is read or updated, too
        _status(batch_id, base_url, timeout, show_all)


@batch_group.command(
    "collect",
    epilog=help_epilog(
        [
            "summarizer batch collect --out records.jsonl",
            COLLECT_FROM_FILE,
            "summarizer batch collect | summarizer merge -",
        ],
        [
            *RECORDED,
            ("SUMMARIZER_STRATEGY", "as --strategy [the batch's]"),
            ("SUMMARIZER_PROMPTS_DIR", "where the batch's prompt is found (unchanged)"),
        ],
        [
            (0, "every answer made a record (or was in --out already)"),
            (
                1,
                "some request failed (stderr; the errors file), the batch\n"
                "is not finished or failed, or the server could not be asked",
            ),
            (
                2,
                "usage or configuration error: an option that contradicts\n"
                "the batch, a changed prompt, another folder than submit's,\n"
                "a server that refuses the key",
            ),
            (130, "interrupted (Ctrl-C); collect again to resume"),
        ],
        environment_title=OPTION_WINS,
    ),
)
@click.argument("batch_id", required=False)
@model_options
@out_option(
    "Append records to this .jsonl file, as `summarize --out` does (resumed: collecting twice adds "
    "nothing; failures go to <name>.errors.jsonl) [default: JSONL on stdout]."
)
@click.option(
    "--from-file",
    "from_file",
    type=EXISTING_FILE,
    help="Read the results from this file (vLLM run_batch output, or a downloaded output file) instead "
    "of downloading them.",
)
@quiet_option
def collect(batch_id: str | None, out: Path | None, from_file: Path | None, quiet: bool, **options: Any) -> None:
    """Turn a finished batch's answers into records [default: the latest batch].

    The records are made with the model, prompt and parameters the batch was submitted with (only
    --strategy may differ). The articles are loaded again from the batch's sources (run it from the
    folder it was submitted from); one whose text changed since submit is refused. A failed request
    is one line of the errors file; exit code 1 when any failed.
    """
    with domain_errors():  # the store's failures, found while it is read or updated, too
        _collect(batch_id, out, from_file, quiet, options)


# ---------------------------------------------------------------- submit


def _submit(
    sources: tuple[str, ...],
    batch_file: Path | None,
    dry_run: bool,
    truncate: bool,
    quiet: bool,
    options: dict[str, Any],
) -> None:
    if "-" in sources:
        raise UsageError("a batch cannot read stdin: collect loads the articles again; give files or folders")
    if dry_run and batch_file is None:
        raise UsageError("--dry-run writes the batch file only: say where with --file")
    settings = _settings(options, offline=dry_run, truncate=truncate or None)
    if settings.strategy == "reader":
        raise UsageError("--strategy reader makes no model call: there is nothing to send as a batch")
    summarizer, progress = start_run(settings, quiet)
    if summarizer.reads_alone:
        raise UsageError(
            f"the trust profile {summarizer.profile.name} asks this model for no field: there is nothing to send as "
            "a batch (--trust-profile default asks it anyway)"
        )
    token = provider_batch.new_token()
    path = batch_file or settings.home / "batches" / f"{token}.jsonl"
    with domain_errors():
        written = provider_batch.write_batch_file(summarizer, sources, path, token=token, exclude=[path])
    for failure in written.failures:
        progress.failed(failure.source, failure.message)
    if not written.articles:
        raise fail(SummarizerError("no article to send: nothing was written or submitted"))
    if not dry_run and len(written.articles) > provider_batch.MAX_REQUESTS:
        raise UsageError(
            f"{len(written.articles):,} requests is more than a batch may hold ({provider_batch.MAX_REQUESTS:,}); "
            "submit the sources in parts"
        )
    record: dict[str, Any] = {
        "base_url": public_url(settings.base_url),
        "model": summarizer.model_name,
        "prompt_hash": summarizer.prompt.hash,
        "sources": list(sources),
        "settings": {**provider_batch.batch_settings(settings), "cwd": os.getcwd(), "file": str(path.absolute())},
        "articles": [article.to_json() for article in written.articles],
    }
    count = len(written.articles)
    if dry_run:
        record.update(id=f"local-{written.token}", state=provider_batch.WRITTEN, input_file_id=None)
        progress.say(
            f"wrote {count} request(s) to {path} (not uploaded); run them, e.g. `python -m "
            f"vllm.entrypoints.openai.run_batch -i {path} -o results.jsonl --model {summarizer.model_name}`, then "
            "`summarizer batch collect --from-file results.jsonl --out records.jsonl`"
        )
    else:
        with domain_errors():
            created = provider_batch.BatchAPI(settings).submit(path, written.token)
        record.update(
            id=created.id,
            state=created.status,
            input_file_id=getattr(created, "input_file_id", None),
            detail=provider_batch.state_of(created),
        )
        progress.say(
            f"submitted {count} request(s) as batch {created.id} ({created.status}); see "
            f"`summarizer batch status {created.id}`, then `summarizer batch collect {created.id} --out records.jsonl`"
        )
    summarizer.store.save_batch(record)
    click.echo(record["id"])
    if written.failures:
        progress.say(f"{len(written.failures)} article(s) not sent (listed above)")
        sys.exit(1)


# ---------------------------------------------------------------- status


def _status(batch_id: str | None, base_url: str | None, timeout: float | None, show_all: bool) -> None:
    store = _store()
    if show_all:
        if batch_id is not None:
            raise UsageError("--all lists every batch: give no BATCH_ID with it")
        batches = store.list_batches(limit=None)
        for batch in batches:
            click.echo(provider_batch.describe(batch))
        if not batches:
            click.echo("summarizer: no batch recorded yet", err=True)
        return
    batch = _find(store, batch_id)
    if batch["state"] == provider_batch.WRITTEN:
        click.echo(provider_batch.describe(batch))
        click.echo(f"written to {batch['settings'].get('file')}, not uploaded: collect its results with --from-file")
        return
    settings = _remote_settings(batch, {"base_url": base_url, "timeout": timeout})
    with domain_errors():
        remote = provider_batch.BatchAPI(settings).retrieve(batch["id"])
    detail = provider_batch.state_of(remote)
    store.update_batch_state(batch["id"], remote.status, detail)
    batch = {**batch, "state": remote.status, "detail": detail}
    click.echo(provider_batch.describe(batch))
    if detail["output_file_id"]:
        click.echo(f"output file: {detail['output_file_id']}")
    if detail["error_file_id"]:
        click.echo(f"error file: {detail['error_file_id']}")
    for message in detail["errors"]:
        click.echo(f"error: {message}")


# ---------------------------------------------------------------- collect


def _collect(
    batch_id: str | None, out: Path | None, from_file: Path | None, quiet: bool, options: dict[str, Any]
) -> None:
    if out is not None:
        if out.suffix.lower() != ".jsonl":
            raise UsageError(f"{out}: collect appends records as JSON Lines; give --out a .jsonl file")
        with domain_errors():
            check_output_path(out)
    store = _store()
    results: dict[str, dict[str, Any]] = {}
    unusable: list[Failure] = []
    if from_file is not None:
        try:
            with from_file.open(encoding="utf-8", errors="replace") as lines:
                results, unusable = provider_batch.parse_results(lines, str(from_file))
        except OSError as exc:
            raise UsageError(f"cannot read {from_file}: {exc.strerror or exc}") from exc
        if not results:
            raise UsageError(f"{from_file} holds no batch result lines")
        if batch_id is None:
            owners = {store.batch_of_request(custom_id) for custom_id in results}
            if None in owners or len(owners) > 1:
                raise UsageError(f"{from_file} does not hold the results of one recorded batch: give its BATCH_ID")
            batch_id = owners.pop()
    batch = _find(store, batch_id)
    if from_file is None and batch["state"] == provider_batch.WRITTEN:
        raise UsageError(
            f"batch {batch['id']} was written to {batch['settings'].get('file')}, never uploaded: "
            "collect its results with --from-file RESULTS.jsonl"
        )
    _check_cwd(batch)
    settings = _collect_settings(batch, options, offline=from_file is not None)
    summarizer = new_summarizer(settings)
    if summarizer.prompt.hash != batch["prompt_hash"]:
        raise fail(
            ConfigError(
                f"prompt {summarizer.prompt.name} changed since batch {batch['id']} was submitted (hash "
                f"{batch['prompt_hash']}, now {summarizer.prompt.hash}): its answers belong to the old prompt"
            )
        )
    progress = Progress(enabled=not quiet)
    if from_file is None:
        results, unusable = _download(batch, settings, store, progress)
    else:
        progress.say(f"collecting {provider_batch.describe(batch)} from {from_file}")
    with ExitStack() as stack:
        output = errors = None
        done: set[str] = set()
        listed: set[tuple[Any, ...]] = set()
        if out is not None:
            output, done, errors = open_records(stack, out, summarizer, progress)
            listed = {(e.get("source"), e.get("sha256"), e.get("message")) for e in ErrorsFile.read(errors_path(out))}

        def keep(record: Record) -> None:
            line = to_jsonl_line(record)
            if output is not None:
                output.write(line)
            else:
                click.echo(line)

        def note(failure: Failure) -> None:
            if errors is not None and (failure.source, failure.sha256, failure.message) not in listed:
                # a failure listed by an earlier collect is not listed again; a traceback is not an errors-file field
                errors.append({key: value for key, value in failure.to_json().items() if key in ERROR_FIELDS})

        excluded = written_beside(out)
        excluded += [Path(batch["settings"].get("file") or os.devnull), *([from_file] if from_file else [])]
        progress.start(len(batch["articles"]))
        try:
            tally = provider_batch.collect(
                summarizer, batch, results, done=done, exclude=excluded, progress=progress, on_record=keep,
                on_failure=note,
            )  # fmt: skip
        except SummarizerError as exc:  # the output cannot take more records
            progress.stop()
            raise fail(exc) from exc
        progress.stop()
        for failure in unusable:
            tally.failed += 1
            progress.failed(failure.source, failure.message)
            note(failure)
    listed_in = f"failures listed in {errors_path(out)}" if tally.failed and out is not None else None
    progress.finish(tally.records, tally.failed, skipped=tally.skipped, extra=listed_in)
    if tally.failed:
        sys.exit(1)


def _download(
    batch: dict[str, Any], settings: Settings, store: Store, progress: Progress
) -> tuple[dict[str, dict[str, Any]], list[Failure]]:
    """The batch's state, refreshed; then its output and error files, parsed (``parse_results``)."""
    api = provider_batch.BatchAPI(settings)
    with domain_errors():
        remote = api.retrieve(batch["id"])
        batch.update(state=remote.status, detail=provider_batch.state_of(remote))
        store.update_batch_state(batch["id"], batch["state"], batch["detail"])
        provider_batch.check_collectable(batch)
        progress.say(f"collecting {provider_batch.describe(batch)}")
        lines: list[str] = []
        for key in ("output_file_id", "error_file_id"):
            if file_id := batch["detail"].get(key):
                progress.say(f"downloading {file_id}")
                lines += api.content(file_id).splitlines()
    return provider_batch.parse_results(lines, f"batch {batch['id']}")


# ---------------------------------------------------------------- settings and lookups


def _settings(options: dict[str, Any], *, offline: bool, **extra: Any) -> Settings:
    """Settings for a batch: the openai backend only. ``offline`` (nothing is sent: a batch file in OpenAI's
    format, e.g. for vLLM's run_batch) is that backend whether or not it is named, and needs no key or server."""
    options = {**options, **extra}
    if _no_batch_api(options.get("backend")):
        raise UsageError(LOCAL_REFUSED)
    if offline:  # settings of the default backend (no endpoint needed), then the batch's
        return settings_from_options(**{**options, "backend": DEFAULT_BACKEND}).with_(backend=BATCH_BACKEND)
    settings = settings_from_options(**options)
    if _no_batch_api(settings.backend):
        raise UsageError(LOCAL_REFUSED)
    return settings


def _collect_settings(batch: dict[str, Any], options: dict[str, Any], *, offline: bool) -> Settings:
    """The settings the batch was submitted with; an explicit option that contradicts them is refused."""
    recorded = batch["settings"]
    fixed = {"model": batch["model"], **{key: recorded.get(key) for key in ("prompt", "temperature", "max_retries")}}
    for name, value in fixed.items():
        given = options.get(name)
        if given is not None and value is not None and given != value:
            flag = "--" + name.replace("_", "-")
            raise UsageError(
                f"batch {batch['id']} was submitted with {flag} {value}: its answers are collected with what made "
                f"them (leave {flag} off)"
            )
    if offline:
        settings = _settings({**options, "backend": options.get("backend") or BATCH_BACKEND}, offline=True)
        settings = settings.with_(base_url=batch["base_url"])
    else:
        settings = _remote_settings(batch, options)
    changes = {key: recorded[key] for key in ("temperature", "max_tokens", "seed", "max_retries", "truncate")}
    strategy = options.get("strategy") or recorded.get("strategy") or settings.strategy
    if strategy == "reader":
        raise UsageError("--strategy reader makes no use of the model's answers: collect with both or model")
    return settings.with_(model=batch["model"], prompt=recorded["prompt"], strategy=strategy, **changes)


def _no_batch_api(backend: str | None) -> bool:
    """A backend is named, and it has no provider batch API."""
    return backend is not None and not backend_info(backend).provider_batch


def _remote_settings(batch: dict[str, Any], options: dict[str, Any]) -> Settings:
    """Settings that reach the server the batch was submitted to (its recorded base URL unless one is given)."""
    if _no_batch_api(options.get("backend")):
        raise UsageError(LOCAL_REFUSED)
    given = options.get("base_url") or os.environ.get(Settings.ENV["base_url"]) or None
    overrides = {**options, "backend": BATCH_BACKEND}
    if given is None or public_url(given) != batch["base_url"]:
        if options.get("base_url"):
            where = batch["base_url"] or "the OpenAI API"
            raise UsageError(f"batch {batch['id']} was submitted to {where}, not {options['base_url']}")
        overrides["base_url"] = batch["base_url"]
    settings = settings_from_options(**overrides)
    if public_url(settings.base_url) != batch["base_url"]:  # OPENAI_BASE_URL set, the batch at OpenAI
        raise UsageError(
            f"batch {batch['id']} was submitted to the OpenAI API, not {public_url(settings.base_url)} "
            "(unset OPENAI_BASE_URL)"
        )
    return settings


def _store() -> Store:
    with domain_errors():
        return Store.open(Settings.from_env(backend=DEFAULT_BACKEND).home)


def _find(store: Store, batch_id: str | None) -> dict[str, Any]:
    if batch_id is None:
        latest = store.list_batches(limit=1)
        if not latest:
            raise UsageError("no batch recorded yet: see `summarizer batch submit --help`")
        batch_id = latest[0]["id"]
    batch = store.load_batch(batch_id)
    if batch is None:
        raise UsageError(f"no batch {batch_id} recorded here; `summarizer batch status --all` lists them")
    return batch


def _check_cwd(batch: dict[str, Any]) -> None:
    """Relative sources are loaded again from the folder they were submitted from."""
    cwd = batch["settings"].get("cwd")
    relative = [source for source in batch["sources"] if not Path(source).is_absolute()]
    if cwd and relative and Path(cwd) != Path.cwd():
        raise UsageError(f"batch {batch['id']} was submitted from {cwd} with relative sources: collect it there")
