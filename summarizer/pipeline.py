"""Article -> reader -> messages -> model -> Event -> grounding -> combine -> Record, with answer and record caches.

With the default strategy (``both``) the reader reads the article first. The model is asked once;
when grounding finds unsupported values it is re-asked with the list of problems (at most
``max_retries`` times). Of the answers it gave, the one with the most grounded facts is kept, and
whatever in it is still ungrounded is removed and listed in the record's warnings. Then the
reader's findings fill what the model left empty and cross-check what it said
(``summarizer.combine.choose``). ``--strategy reader`` skips the model; ``model`` skips the reader.
"""

from __future__ import annotations

import functools
import hashlib
import json
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from summarizer.combine.choose import Combined, combine, model_only, reader_only
from summarizer.combine.trust import TrustProfile, find_profile, load_profile, setup_key, stale_reason
from summarizer.config.settings import Settings
from summarizer.errors import ConfigError, ExtractionError, SummarizerError
from summarizer.ground.grounding import Grounding, ground_event
from summarizer.ingest.article import Article, fit_to_budget
from summarizer.model.backends import ChatBackend, article_budget_chars, create_backend, info_of
from summarizer.model.extract import InvalidAnswer, Meter, TruncatedAnswer, event_tool, extract_event, parse_completion
from summarizer.model.prompts import Prompt, as_data, load_prompt, shows_escaped
from summarizer.reader import Reading
from summarizer.reader.nlp import pipeline_version
from summarizer.record import Provenance, Record
from summarizer.record.basetypes import Issue, Usage
from summarizer.record.schema import SCHEMA_VERSION, Event
from summarizer.store.database import Store, cache_key, now
from summarizer.versions import measured_code_version, reader_version, reask_version, record_code_version

if TYPE_CHECKING:  # imported only for annotations: openai takes 0.7 s to import
    from openai.types.chat import ChatCompletion

MAX_ECHO_CHARS = 4000  # how much of a rejected answer is shown back to the model
Status = Callable[[str], None]
Reader = Callable[[str, "date | None"], Reading]  # what reads an article instead of this process


@dataclass
class Answer:
    """What the model said for one article: every candidate event, with the cost of getting them."""

    candidates: list[Event]
    usage: Usage
    calls: int
    latency_s: float
    groundings: list[Grounding] | None = None  # of the candidates, when already grounded in this process

    def to_json(self) -> dict[str, Any]:
        return {"candidates": [event.model_dump(mode="json") for event in self.candidates]}


class Summarizer:
    def __init__(self, settings: Settings, backend: ChatBackend | None = None, store: Store | None = None) -> None:
        self.settings = settings
        self.prompt: Prompt = load_prompt(settings.prompt)
        self._backend = backend
        reader = settings.strategy == "reader"  # asks no model: a read-only store is replaced by none, not refused
        self.store = store if store is not None else Store.open(settings.home, scratch_if_read_only=reader)
        self.model_calls = 0
        self._lock = threading.Lock()
        self.profile_note: str | None = None  # why the profile asked for is not the one in use
        self.profile: TrustProfile = self._trust_profile() if settings.strategy == "both" else TrustProfile.default()

    @property
    def backend(self) -> ChatBackend:
        """Created on first use, so answers served from the cache never load a model."""
        with self._lock:
            if self._backend is None:
                self._backend = create_backend(self.settings)
            return self._backend

    @property
    def backend_name(self) -> str:
        return self._backend.name if self._backend is not None else self.settings.backend

    @property
    def model_name(self) -> str:
        return self._backend.model if self._backend is not None else self.settings.model_name

    def _trust_profile(self) -> TrustProfile:
        """The profile ``settings.trust_profile`` names: ``default``, a file, or (``auto``) the one measured for
        this backend, model and prompt. A profile made by other code is refused: ``auto`` falls back to the
        default and says why in ``profile_note``; a named file is a configuration error."""
        choice = self.settings.trust_profile
        if choice == "default":
            return TrustProfile.default()
        setup = setup_key(self.backend_name, self.model_name, self.prompt.name, self.prompt.hash)
        path = Path(choice).expanduser() if choice != "auto" else find_profile(self.settings.home, setup)
        if path is None:
            return TrustProfile.default()
        profile = load_profile(path)
        reason = stale_reason(profile, profile_code_version())
        if reason is not None:
            refresh = "summarizer eval --strategy all --trust-profile default --save-profile " + str(path)
            if choice != "auto":
                raise ConfigError(f"trust profile {path} is refused: {reason}; refresh it: {refresh}")
            self.profile_note = f"trust profile {profile.name} refused: {reason}; using the default ({refresh})"
            return TrustProfile.default()
        if profile.meta.get("setup") != setup:
            self.profile_note = f"trust profile {profile.name} was measured for {profile.meta.get('setup')}"
        return profile

    @property
    def reads_alone(self) -> bool:
        """No model is asked: ``--strategy reader``, or a trust profile that credits the model with no field."""
        return self.settings.strategy == "reader" or self.asked == ()

    @property
    def asked(self) -> tuple[str, ...] | None:
        """The event properties the model is asked for (None: all): what the profile says it can add."""
        if self.settings.strategy != "both":
            return None
        return self.profile.asked_properties()

    def identity(self, article: Article, repeat: int) -> dict[str, Any]:
        return {
            "backend": self.backend_name,
            "model": self.model_name,
            "prompt_name": self.prompt.name,
            "prompt_hash": self.prompt.hash,
            "schema_version": SCHEMA_VERSION,
            "article_sha256": article.sha256,
            "parameters": self.settings.parameters(),
            "repeat": repeat,
        }

    def fit(self, article: Article) -> Article:
        """The article as the model reads it (and its record names it): refused or truncated to the context."""
        budget = article_budget_chars(self.settings, info_of(self._backend, self.settings))
        return fit_to_budget(article, budget, truncate=self.settings.truncate)

    def read(self, article: Article, reader: Reader | None = None) -> Reading:
        """The reader's findings (spaCy is loaded on the first call of the process), or ``reader``'s (the batch
        runner's worker processes). A rule that fails on an odd article is a failed article, never a crashed
        batch."""
        from summarizer.reader import read

        try:
            return (reader or read)(article.text, article.published)
        except SummarizerError:
            raise
        except Exception as exc:
            raise ExtractionError(f"the reader failed on this article: {type(exc).__name__}: {exc}") from exc

    def summarize(
        self,
        article: Article,
        *,
        repeat: int = 0,
        use_cache: bool = True,
        status: Status | None = None,
        reader: Reader | None = None,
    ) -> Record:
        """The record of one article. ``status`` hears what is in progress ("reading", "model call 2 (re-ask)");
        ``reader``, when given, reads the article instead of this process (same findings).

        A record made before from the same answer (or, with ``--strategy reader``, the same text) by the same
        code is served from the store without grounding or reading again.
        """
        strategy = self.settings.strategy
        alone = self.reads_alone
        if not alone:  # the reader alone has no model context to fit into
            article = self.fit(article)
        key = None if alone else self.answer_key(article, repeat)
        derived = cache_key(
            answer=key,
            article=article.sha256,
            published=article.published,
            prompt=self.prompt.hash,
            strategy=strategy,
            code=derived_version(),
            trust=self.profile.fingerprint(),
        )
        if use_cache and (stored := self.store.cached_record(derived)) is not None:
            return restamp(Record.model_validate_json(stored), article)
        if strategy != "model" and status is not None:
            status("reading the article")
        reading = self.read(article, reader) if strategy != "model" else None
        if key is None:
            assert reading is not None
            record = self._reader_record(article, reading)
        else:
            record = self._model_record(article, key, repeat, reading, use_cache=use_cache, status=status)
        self.store.save_record(derived, unstamped(record).model_dump_json())
        return record

    def answer_key(self, article: Article, repeat: int) -> str:
        """What the model's answer depends on: its setup, the prompt and tool schema, what the prompt shows of the
        article (text, title, publication date), and, when it may be asked again, the code that words the re-asks
        (``versions.reask_version``); with ``max_retries`` 0 the answer is the model's first, whatever grounding
        says of it. The strategy is not part of it: an answer is shared by ``model`` and ``both`` (with ``both``
        a re-ask may also name an essential field the reader found, so the first run's re-asks are the ones kept)."""
        reasks = {"reasks": reask_version()} if self.settings.max_retries else {}
        return cache_key(
            **self.identity(article, repeat),
            base_url=self.settings.base_url,
            **reasks,
            tool=tool_schema_hash(self.asked),
            published=article.published,
            title=article.title,
            # Keys of articles shown unchanged stay as they were before prompt syntax was escaped.
            **({"escaped": True} if shows_escaped(article) else {}),
        )

    def record_from_completion(self, article: Article, completion: ChatCompletion, latency_s: float = 0.0) -> Record:
        """The record of an answer obtained outside this process (a provider batch), made as ``summarize``
        makes one: grounded, read and combined. There was no chance to re-ask, so the answer is stored
        under its own key (``via: batch``) and never served to ``summarize``."""
        strategy = self.settings.strategy
        article = self.fit(article)
        reading = self.read(article) if strategy == "both" else None
        identity = {**self.identity(article, 0), "article": article.source}  # the source: logged, not keyed
        key = cache_key(answer=self.answer_key(article, 0), via="batch")
        usage = Usage()
        if completion.usage is not None:
            usage = Usage(
                prompt_tokens=completion.usage.prompt_tokens or 0,
                completion_tokens=completion.usage.completion_tokens or 0,
            )
        try:
            event = parse_completion(completion)
        except InvalidAnswer as exc:
            self._log(key, identity, Answer([], usage, 1, latency_s), error=exc)
            if reading is None:
                raise
            record = self._reader_record(article, reading)
            record.warnings.insert(0, Issue(code="model_failed", message=f"record from the reader alone: {exc}"))
            return record
        answer = Answer([event], usage, 1, latency_s)
        self._log(key, identity, answer)
        return self._record(article, answer, cached=False, reading=reading)

    def _model_record(
        self,
        article: Article,
        key: str,
        repeat: int,
        reading: Reading | None,
        *,
        use_cache: bool,
        status: Status | None,
    ) -> Record:
        identity = {**self.identity(article, repeat), "article": article.source}  # the source: logged, not keyed
        cached = self.store.cached_answer(key) if use_cache else None
        try:
            if cached is not None and cached["answer"] is None:
                raise ExtractionError(f"{cached['error']} (stored outcome; --no-cache asks the model again)")
            if cached is not None:
                answer = Answer(
                    candidates=[Event.model_validate(c) for c in cached["answer"]["candidates"]],
                    usage=Usage(prompt_tokens=cached["prompt_tokens"], completion_tokens=cached["completion_tokens"]),
                    calls=cached["calls"],
                    latency_s=cached["latency_s"],
                )
            else:
                answer = self._ask(
                    article, key, identity, seed=self.settings.seed + repeat, reading=reading, status=status
                )
        except ExtractionError as exc:
            if reading is None:
                raise
            # The model's answer never fit the schema: the reader's record stands alone, and says so.
            record = self._reader_record(article, reading)
            record.warnings.insert(0, Issue(code="model_failed", message=f"record from the reader alone: {exc}"))
            return record
        return self._record(article, answer, cached=cached is not None, reading=reading)

    def _ask(
        self,
        article: Article,
        key: str,
        identity: dict[str, Any],
        seed: int,
        reading: Reading | None = None,
        status: Status | None = None,
    ) -> Answer:
        started = time.perf_counter()
        meter = Meter(self.backend)
        base = self.prompt.render(article)
        messages: list[dict[str, Any]] = base
        candidates: list[Event] = []
        groundings: list[Grounding] = []
        invalid_raws: list[str] = []
        last_error: SummarizerError | None = None
        try:
            for attempt in range(self.settings.max_retries + 1):
                if status is not None:
                    status(f"model call {attempt + 1}" + (" (re-ask)" if attempt else ""))
                try:
                    event = extract_event(meter, messages, self.settings, seed, self.asked)
                except TruncatedAnswer:
                    if candidates:  # keep what an earlier attempt gave rather than lose the article
                        break
                    raise
                except InvalidAnswer as invalid:
                    if invalid.raw and invalid.raw in invalid_raws:
                        last_error = invalid
                        break  # the same invalid answer again: asking once more cannot change it
                    invalid_raws.append(invalid.raw)
                    said, feedback = invalid.raw[:MAX_ECHO_CHARS], schema_reask(str(invalid))
                    last_error = invalid
                else:
                    if event in candidates:
                        break  # the same answer again: asking once more cannot change it
                    candidates.append(event)
                    grounding = ground_event(event, article.text, article.published)
                    groundings.append(grounding)
                    gaps = essential_gaps(grounding.event, reading.event if reading else None)
                    if not grounding.problems and not gaps:
                        break
                    said = event.model_dump_json(exclude_none=True)[:MAX_ECHO_CHARS]
                    feedback = grounding_reask(grounding.problems, gaps)
                if attempt < self.settings.max_retries:
                    messages = [*base, *_reask(said, feedback)]  # only the latest answer: prompts stay short
            if not candidates:
                assert last_error is not None
                raise last_error
        except SummarizerError as exc:
            exc.attempts = meter.calls
            failed = Answer([], meter.usage, meter.calls, round(time.perf_counter() - started, 3))
            self._log(key, identity, failed, error=exc)
            raise
        answer = Answer(candidates, meter.usage, meter.calls, round(time.perf_counter() - started, 3), groundings)
        self._log(key, identity, answer)
        return answer

    def _log(self, key: str, identity: dict[str, Any], answer: Answer, error: SummarizerError | None = None) -> None:
        """Count the calls and store what the model said (or why it failed): every call is logged.

        An answer that never fit the schema is replayed from the store like any answer (the same request
        gets the same answer at temperature 0); a backend failure is not, so the next run asks again.
        """
        with self._lock:
            self.model_calls += answer.calls
        self.store.log_answer(
            key,
            identity=identity,
            answer=None if error else answer.to_json(),
            error=None if error is None else str(error),
            replay_error=isinstance(error, ExtractionError),
            latency_s=answer.latency_s,
            usage=answer.usage,
            calls=answer.calls,
        )

    def _record(self, article: Article, answer: Answer, *, cached: bool, reading: Reading | None = None) -> Record:
        groundings = answer.groundings or [
            ground_event(event, article.text, article.published) for event in answer.candidates
        ]
        best: Grounding = max(reversed(groundings), key=lambda g: (g.grounded, -len(g.problems)))
        combined = model_only(best.event, best.spans)
        if reading is not None:
            try:
                combined = combine(best.event, best.spans, reading, self.profile, article.text)
            except ValueError as exc:  # the two would break an invariant together: keep the model's, say so
                combined.warnings.append(Issue(code="disagreement", message=f"reader findings not combined: {exc}"))
        provenance = self._provenance(answer.usage, answer.latency_s, answer.calls, cached, reading is not None)
        return self._assemble(article, combined, provenance, [*best.problems, *best.notes])

    def _reader_record(self, article: Article, reading: Reading) -> Record:
        """The reader's record alone: no model call, no prompt."""
        provenance = self._provenance(Usage(), 0.0, 0, False, True)
        provenance = provenance.model_copy(update={"backend": "reader", "model": "none", "parameters": {}})
        return self._assemble(article, reader_only(reading), provenance, [])

    def _provenance(self, usage: Usage, latency_s: float, calls: int, cached: bool, read: bool) -> Provenance:
        return Provenance(
            prompt_name=self.prompt.name,
            prompt_version=self.prompt.version,
            prompt_hash=self.prompt.hash,
            schema_version=SCHEMA_VERSION,
            backend=self.backend_name,
            model=self.model_name,
            parameters=self.settings.parameters(),
            usage=usage,
            latency_s=latency_s,
            attempts=calls,
            cached=cached,
            created_at=now(),
            strategy=self.settings.strategy,
            reader=f"reader-{reader_version()}/{pipeline_version()}" if read else None,
            trust_profile=self.profile.name if self.settings.strategy == "both" else None,
        )

    def _assemble(self, article: Article, combined: Combined, provenance: Provenance, checks: list[Issue]) -> Record:
        warnings = [Issue(code="input", message=message) for message in article.warnings]
        return Record(
            article=article.meta(),
            event=combined.event,
            spans=combined.spans,
            sources=combined.sources,
            provenance=provenance,
            warnings=[*warnings, *checks, *combined.warnings],
        )


@functools.cache
def tool_schema_hash(asked: tuple[str, ...] | None = None) -> str:
    """The tool definition the model sees changes its answers as much as the prompt does."""
    return hashlib.sha256(json.dumps(event_tool(asked), sort_keys=True).encode()).hexdigest()[:16]


@functools.cache
def derived_version() -> str:
    """A hash of the code that turns an answer into a record (the record-making packages, found by folder in
    ``summarizer.versions``) and of the spaCy pipeline: a stored record is reused only by the code that made it."""
    return _with_pipeline(record_code_version(), pipeline_version())


@functools.cache
def profile_code_version() -> str:
    """A hash of the code a trust profile's measurements depend on: all that makes a record except the combining
    of the two sources, which the profile steers (the ``combine`` package)."""
    return _with_pipeline(measured_code_version(), pipeline_version())


def _with_pipeline(code: str, pipeline: str) -> str:
    return hashlib.sha256(f"{pipeline}\0{code}".encode()).hexdigest()[:16]


def unstamped(record: Record) -> Record:
    """A record without what belongs to the file it came from (its metadata and input warnings)."""
    return record.model_copy(update={"warnings": [w for w in record.warnings if w.code != "input"]})


def restamp(record: Record, article: Article) -> Record:
    """A stored record for this article: its metadata and input warnings, served from the cache."""
    warnings = [Issue(code="input", message=message) for message in article.warnings]
    provenance = record.provenance.model_copy(update={"cached": record.provenance.attempts > 0, "created_at": now()})
    return record.model_copy(
        update={"article": article.meta(), "warnings": [*warnings, *record.warnings], "provenance": provenance}
    )


def _reask(said: str, feedback: str) -> list[dict[str, str]]:
    """The model's answer and what was wrong with it. Both quote the article (evidence, names, the values
    that failed), so both are shown as data, like the article in the first request."""
    return [{"role": "assistant", "content": as_data(said)}, {"role": "user", "content": as_data(feedback)}]


def schema_reask(error: str) -> str:
    return (
        f"Your answer could not be used: {error}\n"
        "Answer again with every field in the required shape. Keep lists short: only items the article states."
    )


def essential_gaps(event: Event, reader: Event | None = None) -> list[str]:
    """Where and when are what every event record needs (ACLED codes no event without them): ask once more,
    but only for what neither the model nor the reader found."""
    gaps = []
    if event.when is None and (reader is None or reader.when is None):
        gaps.append("when: give the time words of the article (e.g. 'overnight', 'on Tuesday') and the dates")
    if not event.places and (reader is None or not reader.places):
        gaps.append("places: name the city or town where it happened, as the article writes it")
    return gaps


def grounding_reask(problems: Sequence[Issue], gaps: Sequence[str] = ()) -> str:
    parts = []
    if problems:
        listed = "\n".join(f"- {problem.path}: {problem.message}" for problem in problems)
        parts.append(f"Some values in your answer are not supported by the article:\n{listed}")
    if gaps:
        listed = "\n".join(f"- {gap}" for gap in gaps)
        parts.append(f"Your answer leaves out what the article may well state:\n{listed}")
    parts.append(
        "Answer again with the same fields. Copy every evidence quote word for word from the article, "
        "and leave a value null (or a list empty) when the article does not state it."
    )
    return "\n\n".join(parts)
