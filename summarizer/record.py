"""The emitted record: article metadata + event + grounding spans + provenance + warnings."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from summarizer.schema import SCHEMA_VERSION, Event

RECORD_VERSION = "2"  # 2: per-field sources, strategy and reader in provenance
READABLE_RECORD_VERSIONS = ("1", RECORD_VERSION)  # 1 lacks what 2 added, which has defaults


def readable_version(value: str, readable: tuple[str, ...], what: str) -> str:
    """``value`` if this release reads ``what`` of that version; else a message saying which it reads."""
    if value not in readable:
        raise ValueError(
            f"{what} version {value!r} is not one this summarizer reads ({', '.join(readable)}): "
            "it was written by another release; upgrade summarizer to read it"
        )
    return value


# exact / normalised / fuzzy: the model's quote was found; sentence: the quote was not found, but the
# value itself was, and the sentence around it became the evidence (the record's warnings say so); reader: the
# reader found the value in that sentence itself (its span is the sentence, its score the rule's confidence).
MatchKind = Literal["exact", "normalised", "fuzzy", "sentence", "reader"]


class ArticleMeta(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    source: str = Field(description="Path, 'stdin', or 'path:line' for JSONL input.")
    title: str | None = None
    published: date | None = None
    url: str | None = None
    sha256: str
    chars: int


class Span(BaseModel):
    """Where a quote was found in the article text (Python string offsets, end exclusive)."""

    model_config = ConfigDict(extra="forbid")

    start: int
    end: int
    match: MatchKind
    score: float = Field(description="1.0 for exact and normalised matches; the similarity for fuzzy ones.")


class Issue(BaseModel):
    """A warning attached to a record: something was nulled, truncated or could not be checked."""

    model_config = ConfigDict(extra="forbid")

    code: str
    message: str
    path: str | None = Field(default=None, description="Field path in the event, e.g. 'casualties.injured'.")


class Usage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    prompt_tokens: int = 0
    completion_tokens: int = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
        )


class Provenance(BaseModel):
    model_config = ConfigDict(extra="forbid")

    prompt_name: str
    prompt_version: str
    prompt_hash: str
    schema_version: str
    backend: str
    model: str
    parameters: dict[str, float | int | str | None]
    usage: Usage
    latency_s: float
    attempts: int = Field(description="Model calls made for this record (first call + re-asks).")
    cached: bool = False
    created_at: str
    strategy: str = Field(default="model", description="model | reader | both: who filled the record.")
    reader: str | None = Field(default=None, description="Reader version and spaCy pipeline, when the reader ran.")


def unmodelled_provenance(maker: str, created_at: str = "1970-01-01T00:00:00+00:00") -> Provenance:
    """Provenance for a record no model wrote (built from gold labels, or by hand for tests): ``maker``
    names what made it, in place of a prompt, backend and model."""
    return Provenance(
        prompt_name=maker,
        prompt_version="0",
        prompt_hash=maker,
        schema_version=SCHEMA_VERSION,
        backend=maker,
        model=maker,
        parameters={},
        usage=Usage(),
        latency_s=0.0,
        attempts=0,
        created_at=created_at,
    )


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid")

    record_version: str = RECORD_VERSION

    @field_validator("record_version")
    @classmethod
    def _readable(cls, value: str) -> str:
        return readable_version(value, READABLE_RECORD_VERSIONS, "record")

    article: ArticleMeta
    event: Event
    spans: dict[str, Span] = Field(
        default_factory=dict, description="Field path -> located evidence, e.g. 'places[0]' or 'casualties.injured'."
    )
    sources: dict[str, Literal["model", "reader", "both"]] = Field(
        default_factory=dict,
        description="Field path -> who stated the value: the model, the reader, or both agreeing.",
    )
    provenance: Provenance
    warnings: list[Issue] = Field(default_factory=list)

    @model_validator(mode="after")
    def _event_not_after_publication(self) -> Record:
        when, published = self.event.when, self.article.published
        if when is None or published is None:
            return self
        latest = published + timedelta(days=1)
        for label, day in (("date_start", when.date_start), ("date_end", when.date_end)):
            if day is not None and day > latest:
                raise ValueError(f"{label} {day} is after the publication date {published}")
        return self
