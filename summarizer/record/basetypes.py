"""Types every stage shares: article metadata, located spans, warnings, token usage, version checks.

They sit below everything that uses them (the loader, grounding, the reader, the merge, the record) and
import nothing from the package but the schema. ``summarizer.record`` re-exports them.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from summarizer.record.schema import Strict


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


class ArticleMeta(Strict):
    id: str
    source: str = Field(description="Path, 'stdin', or 'path:line' for JSONL input.")
    title: str | None = None
    published: date | None = None
    url: str | None = None
    sha256: str
    chars: int


class Span(Strict):
    """Where a quote was found in the article text (Python string offsets, end exclusive)."""

    start: int
    end: int
    match: MatchKind
    score: float = Field(description="1.0 for exact and normalised matches; the similarity for fuzzy ones.")


class Issue(Strict):
    """A warning attached to a record: something was nulled, truncated or could not be checked."""

    code: str
    message: str
    path: str | None = Field(default=None, description="Field path in the event, e.g. 'casualties.injured'.")


class Usage(Strict):
    prompt_tokens: int = 0
    completion_tokens: int = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
        )
