"""Provider batch APIs: one job, sending a run's requests out as one batch file and taking its answers back
as records.

The batch file is OpenAI's ``/v1/batches`` input (one ``{"custom_id", "method", "url", "body"}`` line per
article, the body exactly the request ``summarize`` sends), which vLLM's offline ``run_batch`` reads too.
``write_batch_file`` writes it, ``BatchAPI`` uploads it, creates the batch, asks its state and downloads its
result files through the official client (with the project's retry policy), and ``collect`` turns each result
line into a record through ``Summarizer.record_from_completion``. At collect time the articles are loaded
again from the sources recorded at submit, so answers are grounded in their text; an article whose text
changed since submit is refused. What a batch was built with is kept in the store (``Store.save_batch``).
The commands are in ``summarizer.cli.batch``.
"""

from __future__ import annotations

import json
import secrets
from collections import deque
from collections.abc import Callable, Collection, Coroutine, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, TypeVar

from pydantic import ValidationError

from summarizer.config.secrets import public_url
from summarizer.config.settings import Settings
from summarizer.errors import BackendError, ConfigError, OutputError, SummarizerError
from summarizer.ingest.article import LoadFailure
from summarizer.ingest.articles import load_articles
from summarizer.model.extract import build_request
from summarizer.output.progress import Progress
from summarizer.pipeline import Summarizer
from summarizer.record import Record
from summarizer.run.runner import Failure, Outcomes, Tally, failure_of
from summarizer.store.private import make_private_dirs, open_private

if TYPE_CHECKING:  # openai is imported where a request is made: it takes 0.7 s, and `summarize` never needs it
    from openai.types import Batch
    from openai.types.chat import ChatCompletion

T = TypeVar("T")
ENDPOINT: Final = "/v1/chat/completions"
COMPLETION_WINDOW: Final = "24h"
MAX_REQUESTS = 50_000  # OpenAI's limit per batch (vLLM's run_batch has none)
WRITTEN = "written"  # the state of a --dry-run batch: written to a file, never uploaded
PENDING = ("validating", "in_progress", "finalizing", "cancelling")
CHANGED = "source changed since submit"


@dataclass(frozen=True)
class BatchArticle:
    """One request of a batch and the article it was made from."""

    custom_id: str
    source: str
    article_id: str
    sha256: str  # of the text as loaded: compared at collect time
    record_sha256: str  # of the text the model reads (differs only when --truncate cut it): the record's hash

    def to_json(self) -> dict[str, str]:
        return asdict(self)


@dataclass
class BatchFile:
    """A written batch file: its token (the prefix of every custom_id), requests and the articles refused."""

    token: str
    path: Path
    articles: list[BatchArticle] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)


def batch_settings(settings: Settings) -> dict[str, Any]:
    """What the requests of a batch were built with, kept in the store so that collect makes its records
    with the same model, prompt and parameters (never the API key)."""
    return {
        "prompt": settings.prompt,
        "strategy": settings.strategy,
        "temperature": settings.temperature,
        "max_tokens": settings.max_tokens,
        "seed": settings.seed,
        "max_retries": settings.max_retries,
        "truncate": settings.truncate,
    }


# ---------------------------------------------------------------- the batch file


def new_token() -> str:
    """The prefix of a batch's custom_ids: unique enough that a result line names its batch."""
    return secrets.token_hex(6)


def write_batch_file(
    summarizer: Summarizer,
    sources: Iterable[str],
    path: Path,
    *,
    token: str | None = None,
    exclude: Collection[Path] = (),
) -> BatchFile:
    """Write one request line per article of ``sources`` to ``path`` (replaced whole, or not at all).

    Articles that cannot be loaded or do not fit the model's context are listed in ``failures``; with no
    request at all, no file is written.
    """
    batch = BatchFile(token=token or new_token(), path=path)
    settings = summarizer.settings
    temporary = path.with_name(path.name + ".tmp")
    try:
        make_private_dirs(path.parent, settings.home)  # under the home: 0700 folders, a 0600 file
        with open_private(temporary, settings.home) as handle:
            for item in load_articles(sources, exclude=[*exclude, temporary]):
                if isinstance(item, LoadFailure):
                    batch.failures.append(Failure(item.source, item.source, None, "input", item.message))
                    continue
                try:
                    fitted = summarizer.fit(item)
                except SummarizerError as exc:
                    batch.failures.append(failure_of(item, exc, item.sha256))
                    continue
                custom_id = f"{batch.token}-{len(batch.articles) + 1}"
                messages = summarizer.prompt.render(fitted)
                body = build_request(messages, settings, summarizer.model_name, settings.seed, asked=summarizer.asked)
                line = {"custom_id": custom_id, "method": "POST", "url": ENDPOINT, "body": body}
                handle.write(json.dumps(line, ensure_ascii=False) + "\n")
                batch.articles.append(BatchArticle(custom_id, item.source, item.id, item.sha256, fitted.sha256))
        if batch.articles:
            temporary.replace(path)
        else:
            temporary.unlink()
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise OutputError(f"cannot write the batch file {path}: {exc.strerror or exc}") from exc
    return batch


# ---------------------------------------------------------------- the provider's endpoints


class BatchAPI:
    """The provider's files and batches endpoints through the official client, with the project's retries."""

    def __init__(self, settings: Settings) -> None:
        import openai

        from summarizer.model.backends.http import LoopClients, client_options
        from summarizer.model.backends.openai_backend import NO_KEY

        self.settings = settings
        options = client_options(settings.base_url, settings.api_key or NO_KEY, settings.timeout)
        # Files may be large: their transfers are bounded per network read; batch requests as a whole.
        self._client = openai.OpenAI(**options)
        self._batches = LoopClients(options)

    def submit(self, path: Path, token: str) -> Batch:
        """Upload the batch file and create the batch; the provider's batch (state ``validating`` usually)."""

        def upload() -> str:
            with path.open("rb") as handle:
                uploaded = self._client.files.create(file=(path.name, handle, "application/jsonl"), purpose="batch")
            file_id = getattr(uploaded, "id", None)
            if not isinstance(file_id, str) or not file_id:
                raise NotBatchAPI("the upload's answer is not a file")
            return file_id

        file_id = self._call("uploading the batch file", upload)
        return self._call(
            f"creating the batch (the uploaded file {file_id} stays at the provider)",
            lambda: self._bounded(
                lambda: self._batches.get().batches.create(
                    input_file_id=file_id,
                    endpoint=ENDPOINT,
                    completion_window=COMPLETION_WINDOW,
                    metadata={"summarizer_batch": token},
                )
            ),
        )

    def retrieve(self, batch_id: str) -> Batch:
        return self._call(
            f"asking for batch {batch_id}",
            lambda: self._bounded(lambda: self._batches.get().batches.retrieve(batch_id)),
        )

    def _bounded(self, make: Callable[[], Coroutine[Any, Any, Batch]]) -> Batch:
        """A batches request, bounded by the timeout as a whole (``summarizer.model.backends.http``), then checked."""
        from summarizer.model.backends.http import DEFAULT_URL, run_with_deadline

        url = f"{self._batches.options['base_url'] or DEFAULT_URL}/batches"
        return checked_batch(run_with_deadline(make, self.settings.timeout, url))

    def content(self, file_id: str) -> str:
        """The text of a file at the provider (a batch's output or error file)."""
        return self._call(f"downloading file {file_id}", lambda: self._client.files.content(file_id).text)

    def _call(self, what: str, call: Callable[[], T]) -> T:
        """``call`` with the retry policy; a failure is one line: exit 2 for a server that refuses the key or
        has no such endpoint (a configuration to fix), else 1."""
        import openai

        from summarizer.model.backends.openai_backend import server_said
        from summarizer.model.backends.retry import call_with_retries

        where = f"the server at {public_url(self.settings.base_url)}" if self.settings.base_url else "the OpenAI API"
        try:
            return call_with_retries(call, self.settings.api_retries)
        except openai.APIStatusError as exc:
            said = f"{what}: {where} answered HTTP {exc.status_code}: {server_said(exc)}"
            if exc.status_code in (404, 405):
                raise ConfigError(f"{said} (does this server have a batch API?)") from exc
            if exc.status_code in (401, 403):
                raise ConfigError(said) from exc
            raise BackendError(said) from exc
        except openai.APITimeoutError as exc:
            raise BackendError(f"{what}: {where} timed out") from exc
        except openai.APIConnectionError as exc:
            raise BackendError(f"{what}: cannot reach {where}: {_short(str(exc.__cause__ or exc))}") from exc
        except (json.JSONDecodeError, ValidationError, NotBatchAPI) as exc:
            raise BackendError(
                f"{what}: {where} did not answer as the batch API does (does this server have one?)"
            ) from exc


class NotBatchAPI(Exception):
    """A server's 200 that is not what OpenAI's files or batches API answers (a web page, another API)."""


def checked_batch(batch: object) -> Batch:
    """``batch`` if it is a batch as the rest of this module reads one (an id, a state, counts), else
    ``NotBatchAPI``: the openai client builds its objects from any JSON without checking them."""
    from openai.types import Batch

    if not isinstance(batch, Batch):
        raise NotBatchAPI("not a batch")
    batch_id, status = getattr(batch, "id", None), getattr(batch, "status", None)
    if not isinstance(batch_id, str) or not batch_id or not isinstance(status, str) or not status:
        raise NotBatchAPI("a batch without an id or a state")
    if not isinstance(getattr(batch, "input_file_id", None), (str, type(None))):
        raise NotBatchAPI("a batch whose input file is not an id")
    try:
        json.dumps(state_of(batch))
    except (AttributeError, TypeError, ValueError) as exc:
        raise NotBatchAPI("a batch whose counts or errors cannot be read") from exc
    return batch


def state_of(batch: Batch) -> dict[str, Any]:
    """What the store keeps of a provider's batch besides its state: counts, result files, errors."""
    counts = batch.request_counts
    errors = [error.message for error in (batch.errors.data or [])] if batch.errors else []
    return {
        "counts": None if counts is None else counts.model_dump(include={"completed", "failed", "total"}),
        "output_file_id": batch.output_file_id,
        "error_file_id": batch.error_file_id,
        "errors": [message for message in errors if message],
    }


def describe(batch: Mapping[str, Any]) -> str:
    """One line for a person: the batch's id, state and counts."""
    detail = batch.get("detail") or {}
    counts = detail.get("counts")
    total = len(batch.get("articles") or ()) or (counts or {}).get("total")
    parts = [str(batch["id"]), str(batch["state"])]
    if counts:
        parts.append(f"{counts['completed']} of {counts['total']} done, {counts['failed']} failed")
    elif total:
        parts.append(f"{total} request(s)")
    parts.append(f"model {batch['model']}, prompt {batch['settings'].get('prompt')} ({batch['prompt_hash']})")
    parts.append(f"submitted {batch['created']}")
    return " · ".join(parts)


# ---------------------------------------------------------------- results


def parse_results(lines: Iterable[str], origin: str) -> tuple[dict[str, dict[str, Any]], list[Failure]]:
    """Result lines by custom_id (a successful line wins over a failed one), and the lines that are unusable."""
    results: dict[str, dict[str, Any]] = {}
    unusable: list[Failure] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            result = json.loads(line)
        except ValueError:
            result = None
        if not isinstance(result, dict) or not isinstance(result.get("custom_id"), str):
            where = f"{origin} line {number}"
            unusable.append(Failure(where, where, None, "backend", f"{where}: not a batch result line"))
            continue
        custom_id = result["custom_id"]
        if custom_id not in results or _failed(results[custom_id]):
            results[custom_id] = result
    return results, unusable


def _failed(result: Mapping[str, Any]) -> bool:
    response = result.get("response")
    return bool(result.get("error")) or not isinstance(response, dict) or response.get("status_code") != 200


def completion_of(result: Mapping[str, Any]) -> ChatCompletion:
    """The chat completion of one result line; ``BackendError`` saying why for a failed request."""
    response = result.get("response") if isinstance(result.get("response"), dict) else {}
    assert isinstance(response, dict)
    body = response.get("body")
    if result.get("error"):
        raise BackendError(f"the batch request failed: {_error_text(result['error'])}")
    status = response.get("status_code")
    if status != 200:
        said = _error_text(body.get("error", body)) if isinstance(body, dict) else _error_text(body)
        raise BackendError(f"the batch request failed with HTTP {status}: {said}")
    from openai.types.chat import ChatCompletion

    from summarizer.model.backends.openai_backend import scrub_completion

    try:
        completion = ChatCompletion.model_validate(body)
    except ValidationError as exc:
        raise BackendError("the batch answer is not a chat completion") from exc
    if not completion.choices:
        raise BackendError("the batch answer is a chat completion without choices")
    return scrub_completion(completion)


def _error_text(error: object) -> str:
    if isinstance(error, dict):
        message = error.get("message") or json.dumps(error, ensure_ascii=False)
        code = error.get("code")
        return _short(f"{message} ({code})" if code else str(message))
    return _short(str(error)) if error else "no reason given"


def _short(message: str, limit: int = 300) -> str:
    return message if len(message) <= limit else message[:limit] + "..."


# ---------------------------------------------------------------- collecting


def collect(
    summarizer: Summarizer,
    batch: Mapping[str, Any],
    results: Mapping[str, Mapping[str, Any]],
    *,
    done: Collection[str] = (),
    exclude: Collection[Path] = (),
    progress: Progress | None = None,
    on_record: Callable[[Record], None] | None = None,
    on_failure: Callable[[Failure], None] | None = None,
) -> Tally:
    """Make the record of every answered request of ``batch``, skipping articles whose record hash is in ``done``.

    The articles are loaded again from the batch's sources, in their order; one whose text changed since
    submit, a failed request and an answer that makes no record are failures (``on_failure``); the rest go
    to ``on_record`` in input order. ``results`` are result lines by custom_id (``parse_results``).
    """
    outcomes = Outcomes(progress or Progress(enabled=False), on_record, on_failure)
    results = dict(results)
    pending: dict[tuple[str, str], deque[BatchArticle]] = {}
    for row in batch["articles"]:
        article = BatchArticle(**row)
        pending.setdefault((article.source, article.article_id), deque()).append(article)
    unreadable: dict[str, str] = {}

    def skipped(expected: BatchArticle) -> bool:
        if expected.record_sha256 in done:
            results.pop(expected.custom_id, None)
            outcomes.skipped(expected.source)
            return True
        return False

    for item in load_articles(batch["sources"], exclude=exclude):
        if isinstance(item, LoadFailure):
            unreadable[item.source] = item.message
            continue
        queue = pending.get((item.source, item.id))
        if not queue:
            continue  # not part of this batch (a file added since submit)
        expected = queue.popleft()
        if skipped(expected):
            continue
        result = results.pop(expected.custom_id, None)
        if item.sha256 != expected.sha256:
            message = f"{item.source}: {CHANGED} (article {item.id}); its answer is not used: submit it again"
            outcomes.failed(Failure(item.id, item.source, expected.record_sha256, "input", message))
            continue
        outcomes.progress.begin(item.source)
        try:
            record = summarizer.record_from_completion(item, completion_of(_unanswered(result, batch)))
        except Exception as exc:
            outcomes.failed(failure_of(item, exc, expected.record_sha256))
            continue
        outcomes.succeeded(item.source, record)
    for queue in pending.values():
        for expected in queue:
            if skipped(expected):
                continue
            results.pop(expected.custom_id, None)
            reason = unreadable.get(expected.source) or f"article {expected.article_id} is no longer there"
            message = f"{expected.source}: {CHANGED}: {reason}"
            outcomes.failed(Failure(expected.article_id, expected.source, expected.record_sha256, "input", message))
    for custom_id in results:
        message = f"an answer for {custom_id}, which is not a request of batch {batch['id']}"
        outcomes.failed(Failure(custom_id, custom_id, None, "backend", message))
    return outcomes.tally


def _unanswered(result: Mapping[str, Any] | None, batch: Mapping[str, Any]) -> Mapping[str, Any]:
    """The result line, or one that says there is none (a batch that expired or was cancelled)."""
    if result is not None:
        return result
    return {"error": {"message": f"batch {batch['id']} ({batch['state']}) has no answer for this request"}}


def check_collectable(batch: Mapping[str, Any]) -> None:
    """Refuse to collect a batch that has no results yet, or failed as a whole."""
    state, detail = batch["state"], batch.get("detail") or {}
    if state in PENDING:
        counts = detail.get("counts") or {}
        done = f" ({counts['completed']} of {counts['total']} requests done)" if counts.get("total") else ""
        raise SummarizerError(
            f"batch {batch['id']} is {state}{done}: collect it when it is completed (see `summarizer batch status`)"
        )
    if state == "failed":
        reasons = "; ".join(detail.get("errors") or []) or "no reason given"
        raise SummarizerError(f"batch {batch['id']} failed at the provider: {_short(reasons)}")
    if not detail.get("output_file_id") and not detail.get("error_file_id"):
        raise SummarizerError(f"batch {batch['id']} is {state} and has no result file to collect")
