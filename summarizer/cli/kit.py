"""What the commands of the CLI share, in one place: domain errors as click errors, the model options and the
settings they make, the other shared options, where a command gets its Summarizer, the opening of a run, its
records file, the help epilog.

- ``fail`` / ``domain_errors``: the one translation of a ``SummarizerError`` into a one-line, redacted click error
  that keeps its exit code (1, or 2 for a usage or configuration error); ``UsageError`` is a usage error of the
  command line itself.
- ``model_options`` + ``settings_from_options``: the options of every command that runs a model; ``out_option``,
  ``quiet_option``, ``timeout_option``, ``FILE`` and ``EXISTING_FILE``: options (and option types) that several
  commands declare alike.
- ``new_summarizer``: the one injection point. A command builds its Summarizer with the callable that
  ``ctx.obj[SUMMARIZER_KEY]`` holds, when the root context was given one (tests, embedding programs:
  ``CliRunner().invoke(cli, args, obj={SUMMARIZER_KEY: factory})``), else with ``Summarizer`` itself.
- ``start_run``: a run's Summarizer, its progress display and its "backend · model · prompt" line.

This module imports no model code: `summarizer --help` and `--version` import it, so the pipeline and the
progress display are imported inside the functions that use them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, overload

import click

from summarizer.config.capabilities import BACKENDS, ENDPOINT_BACKEND, backend_info
from summarizer.config.installed import ADD_A_MODEL, require_local_model
from summarizer.config.secrets import redact
from summarizer.config.settings import STRATEGIES, Settings, environment
from summarizer.errors import SummarizerError
from summarizer.output.files import ErrorsFile, JsonlOutput, errors_path
from summarizer.output.what_ran import TRUST_PROFILE, what_ran

if TYPE_CHECKING:
    from summarizer.model.backends import ChatBackend
    from summarizer.output.progress import Progress
    from summarizer.pipeline import Summarizer


# ---------------------------------------------------------------- errors


class UsageError(click.ClickException):
    exit_code = 2


def fail(exc: SummarizerError) -> click.ClickException:
    """``exc`` as click shows it: one redacted line, and the exit code of its kind."""
    error = click.ClickException(redact(str(exc)))
    error.exit_code = exc.exit_code  # type: ignore[misc]  # click types it a ClassVar, yet reads it off the instance
    return error


@contextmanager
def domain_errors() -> Iterator[None]:
    """Raise a ``SummarizerError`` from inside as ``fail`` makes it (anything else is a bug: left as it is)."""
    try:
        yield
    except SummarizerError as exc:
        raise fail(exc) from exc


# ---------------------------------------------------------------- model options and settings

MODEL_OPTIONS = (  # the parameters model_options adds, in its order
    "backend", "model", "model_path", "base_url", "prompt", "strategy", "temperature", "max_retries", "timeout",
    "trust_profile",
)  # fmt: skip


F = TypeVar("F", bound=Callable[..., Any])

FILE = click.Path(dir_okay=False, path_type=Path)  # an option's file (never a folder), as a Path
EXISTING_FILE = click.Path(dir_okay=False, exists=True, path_type=Path)  # a file to read: missing is a usage error

timeout_option = click.option(
    "--timeout",
    type=click.FloatRange(min=1),
    help="Seconds an API request may take in all, however slowly the server answers [default: 120].",
)
quiet_option = click.option("-q", "--quiet", is_flag=True, help="No progress on stderr.")


def out_option(help: str) -> Callable[[F], F]:
    """``--out FILE``: the file a command writes its records to; ``help`` says how (appended, resumed, new)."""
    return click.option("--out", type=FILE, help=help)


@overload
def model_options(command: F, *, strategy: Callable[[Any], Any] | None = None) -> F: ...
@overload
def model_options(command: None = None, *, strategy: Callable[[Any], Any] | None = None) -> Callable[[F], F]: ...
def model_options(command: F | None = None, *, strategy: Callable[[Any], Any] | None = None) -> F | Callable[[F], F]:
    """Options shared by every command that runs a model (their parameters: ``MODEL_OPTIONS``). Used bare
    (``@model_options``), or called with another ``strategy`` option (``@model_options(strategy=...)``)."""
    options = [
        click.option(
            "--backend",
            type=click.Choice(BACKENDS),
            help=" or ".join(f"{name} ({backend_info(name).summary})" for name in BACKENDS) + ".",
        ),
        click.option("--model", help="Model name (openai backend) or label (local)."),
        click.option(
            "--model-path",
            type=click.Path(dir_okay=False),
            help="Any GGUF file for the local backend [default: bundled SmolLM2-135M-Instruct].",
        ),
        click.option("--base-url", help="OpenAI-compatible server, e.g. http://127.0.0.1:8080/v1 (implies openai)."),
        click.option(
            "--prompt",
            help="A prompt's name, as its header says (see `summarizer prompts list`: yours first, then the "
            "shipped ones), or a prompt file's path.",
        ),
        strategy
        or click.option(
            "--strategy",
            type=click.Choice(STRATEGIES),
            help="both: the model's answer filled in and cross-checked by the reader; model: the model alone; "
            "reader: deterministic reading alone, no model call [default: both].",
        ),
        click.option("--temperature", type=float, help="Sampling temperature [default: 0]."),
        click.option("--max-retries", type=click.IntRange(0, 10), help="Re-asks after invalid or ungrounded answers."),
        timeout_option,
        click.option(
            "--trust-profile",
            metavar="auto|default|PATH",
            help="Which source leads on each field with --strategy both: auto (the profile measured for this "
            "backend, model and prompt, else default), default (the model leads, the reader fills gaps), or a "
            "profile file from `summarizer eval --strategy all --save-profile PATH` [default: auto].",
        ),
    ]

    def decorate(command: F) -> F:
        for option in reversed(options):
            command = option(command)
        return command

    return decorate if command is None else decorate(command)


def settings_from_options(**options: Any) -> Settings:
    """Settings from the environment and the options given (None: not given); --base-url implies openai."""
    overrides = {key: value for key, value in options.items() if value is not None}
    if overrides.get("base_url") and "backend" not in overrides:
        overrides["backend"] = ENDPOINT_BACKEND
    with domain_errors():
        return Settings.from_env(**overrides)


# ---------------------------------------------------------------- the summarizer and the run

SUMMARIZER_KEY = "make_summarizer"  # ctx.obj[SUMMARIZER_KEY]: (settings) -> Summarizer, in place of Summarizer


def summarizer_factory() -> Callable[[Settings], Summarizer]:
    """What builds this command's Summarizer: the callable the root context's ``obj`` injects, else Summarizer."""
    ctx = click.get_current_context(silent=True)
    obj = ctx.find_root().obj if ctx is not None else None
    if isinstance(obj, dict) and callable(obj.get(SUMMARIZER_KEY)):
        factory: Callable[[Settings], Summarizer] = obj[SUMMARIZER_KEY]
        return factory
    from summarizer.pipeline import Summarizer

    return Summarizer


def new_summarizer(settings: Settings, backend: ChatBackend | None = None) -> Summarizer:
    """The run's Summarizer; ``backend`` (the eval's oracle) in place of the configured one. Asked for the
    embedded model when it is not installed: exit 2, saying how to install it, before any article is read (an
    injected factory or backend brings its own model)."""
    from summarizer.pipeline import Summarizer

    if backend is not None:
        with domain_errors():
            return Summarizer(settings, backend=backend)
    factory = summarizer_factory()
    with domain_errors():
        summarizer = factory(settings)
        if factory is Summarizer and backend_info(settings.backend).embedded_model and not summarizer.reads_alone:
            require_local_model(settings.model_path)
        return summarizer


def start_run(settings: Settings, quiet: bool, *, jobs: int = 1) -> tuple[Summarizer, Progress]:
    """The Summarizer of a run, and its progress on stderr (none with ``quiet``), which first names the setup."""
    from summarizer.output.progress import Progress

    summarizer = new_summarizer(settings)
    progress = Progress(enabled=not quiet)
    progress.say(setup_line(summarizer) + (f" · {jobs} jobs" if jobs > 1 else ""))
    if settings.strategy == "both":
        progress.say(summarizer.profile.describe())
        if summarizer.profile_note:
            progress.say(summarizer.profile_note)
    return summarizer, progress


def setup_of(summarizer: Summarizer) -> dict[str, Any]:
    """What a run of ``summarizer`` is, in the keys of a record's provenance (see ``summarizer.output.what_ran``)."""
    prompt = summarizer.prompt
    both = summarizer.settings.strategy == "both"
    alone = both and summarizer.reads_alone  # a trust profile that asks no model: say what does run
    return {
        "strategy": summarizer.settings.strategy,
        "backend": "reader" if alone else summarizer.backend_name,
        "model": "none" if alone else summarizer.model_name,
        "prompt_name": prompt.name,
        "prompt_version": prompt.version,
        "prompt_hash": prompt.hash,
        TRUST_PROFILE: summarizer.profile.name if both else None,
    }


def setup_line(summarizer: Summarizer) -> str:
    """The first line of a run on stderr: what runs; when the reader runs alone because no model is configured
    or installed, why, and how to add one (one line)."""
    line = what_ran(setup_of(summarizer))
    fallback = summarizer.settings.fallback
    return f"{line}: {fallback}. To add a model: {ADD_A_MODEL}" if fallback else line


# ---------------------------------------------------------------- a run's records file


def written_beside(out: Path | None) -> list[Path]:
    """The files a run appending records to ``out`` writes (never read as articles)."""
    return [out, errors_path(out), out.with_name(out.name + ".torn")] if out is not None else []


def open_records(
    stack: ExitStack, out: Path, summarizer: Summarizer, progress: Progress
) -> tuple[JsonlOutput, set[str], ErrorsFile]:
    """The .jsonl ``out`` opened to append records, the article hashes it already has from this setup (to skip),
    and its errors file; both files are closed with ``stack``. A torn last line set aside is said on ``progress``."""
    with domain_errors():
        output = stack.enter_context(JsonlOutput(out).open())
    if output.repaired:
        progress.say(output.repaired)
    done = output.done(same_setup(summarizer))
    return output, done, stack.enter_context(ErrorsFile(errors_path(out)))


def same_setup(summarizer: Summarizer) -> Callable[[dict[str, Any]], str | None]:
    """The article hash of a record this run would make again, else None (the record is not this run's).

    What identifies a run depends on its strategy. ``reader``: the reader's version alone (no backend, model or
    prompt is used; its records say backend ``reader``). ``model`` and ``both``: the strategy, backend, model
    and prompt; under ``both``, a record the reader made alone because the model's answers never fit
    (backend ``reader``, strategy ``both``) is the run's too when its prompt is. A record without a strategy
    (record version 1) was made by a model.
    """
    strategy = summarizer.settings.strategy
    prompt_hash = summarizer.prompt.hash
    backend, model = summarizer.backend_name, summarizer.model_name
    reader = None
    if strategy == "reader":
        from summarizer.reader.nlp import pipeline_version
        from summarizer.versions import reader_version

        reader = f"reader-{reader_version()}/{pipeline_version()}"

    def ours(record: dict[str, Any]) -> bool:
        provenance = record["provenance"]
        if provenance.get("strategy", "model") != strategy:
            return False
        if reader is not None:
            return bool(provenance.get("reader") == reader)
        made_with = (provenance["backend"], provenance["model"])
        if provenance["prompt_hash"] != prompt_hash:
            return False
        if made_with == (backend, model):
            return True
        if strategy != "both" or made_with != READER_ALONE:
            return False
        # the reader alone under both: because this run's trust profile asks no model (the same profile), or
        # because the model's answers never fit (a model_failed record: retried only with --retry-failed)
        if summarizer.reads_alone:
            return bool(provenance.get("trust_profile") == summarizer.profile.name)
        return any(warning.get("code") == "model_failed" for warning in record.get("warnings") or [])

    def identity(record: dict[str, Any]) -> str | None:
        try:
            if ours(record):
                sha256: str | None = record["article"]["sha256"]
                return sha256
        except (KeyError, TypeError, AttributeError):
            pass
        return None

    return identity


READER_ALONE = ("reader", "none")  # the backend and model a record made by the reader alone names


# ---------------------------------------------------------------- help that teaches

# What each variable sets, from its one declaration (summarizer.config.settings); an option given wins over it.
ENVIRONMENT: dict[str, str] = environment()
MODEL_ENVIRONMENT = tuple(ENVIRONMENT)  # what a command that runs a model reads (Settings.from_env)
OPTION_WINS = "Environment (an option given wins over its variable):"


def help_epilog(
    examples: Sequence[str],
    environment: Sequence[str | tuple[str, str]] | str,
    exit_codes: Sequence[tuple[int, str]],
    *,
    environment_title: str = "Environment:",
) -> str:
    """A command's epilog: examples, the environment variables it reads, its exit codes. Each block starts with
    click's ``\\b`` line, which keeps its lines as written; a newline in a description continues it below. A
    variable is named by its declared name (``ENVIRONMENT``), alone or with a description for this command; a
    name not declared there fails at import, so a renamed variable cannot linger in a help text."""
    blocks = ["\b\nExamples (from a clone of the repository):\n" + "\n".join(f"  {line}" for line in examples)]
    if isinstance(environment, str):
        blocks.append(f"\b\nEnvironment: {environment}")
    else:
        rows = [(item, ENVIRONMENT[item]) if isinstance(item, str) else item for item in environment]
        if undeclared := [name for name, _ in rows if name not in ENVIRONMENT]:
            raise KeyError(f"help names undeclared environment variables: {undeclared}")
        blocks.append(f"\b\n{environment_title}\n" + _rows(rows))
    blocks.append("\b\nExit codes:\n" + _rows([(str(code), text) for code, text in exit_codes]))
    return "\n\n".join(blocks)


def _rows(rows: Sequence[tuple[str, str]]) -> str:
    width = max(len(key) for key, _ in rows) + 2
    lines = []
    for key, text in rows:
        first, *rest = text.split("\n")
        lines += [f"  {key:<{width}}{first}", *(f"  {'':<{width}}{line}" for line in rest)]
    return "\n".join(lines)
