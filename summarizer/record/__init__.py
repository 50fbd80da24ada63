"""The emitted record: article metadata + event + grounding spans + provenance + warnings."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import Field, field_validator, model_validator

from summarizer.record.basetypes import ArticleMeta, Issue, MatchKind, Span, Usage, readable_version
from summarizer.record.schema import SCHEMA_VERSION, Event, Strict

__all__ = [  # the shared types are re-exported: `from summarizer.record import Span` keeps working
    "READABLE_RECORD_VERSIONS",
    "RECORD_VERSION",
    "ArticleMeta",
    "Issue",
    "MatchKind",
    "Provenance",
    "Record",
    "Span",
    "Usage",
    "readable_version",
    "unmodelled_provenance",
]

RECORD_VERSION = "2"  # 2: per-field sources, strategy and reader in provenance
READABLE_RECORD_VERSIONS = ("1", RECORD_VERSION)  # 1 lacks what 2 added, which has defaults


class Provenance(Strict):
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
    trust_profile: str | None = Field(
        default=None, description="With the both strategy: the trust profile that chose each field's source."
    )


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


class Record(Strict):
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
