"""The merged event: one event as told by several reports, every value traced to its source.

A ``MergedEvent`` carries the reports it was built from (``reports``: each source's article
metadata, extracted event and spans). Merge is defined over that *set of reports*: a merged
event given back as input is unpacked into its reports, duplicates are dropped by report key,
and the result is rebuilt from scratch. Merging is therefore order-independent and idempotent
(merging a merged event with its own sources gives the same event), and a merged event is
a valid input to ``summarizer merge`` like any record.
"""

from __future__ import annotations

from datetime import date
from typing import Literal, TypeGuard, get_args

from pydantic import Field, field_validator

from summarizer.record.basetypes import Issue, Span, readable_version
from summarizer.record.schema import (
    CASUALTY_FIELDS,
    EventType,
    PlaceKind,
    Qualifier,
    Strict,
    WeaponKind,
    committed_figure,
)
from summarizer.record.schema import Event as SourceEvent

MERGED_VERSION = "1"

Policy = Literal["conservative", "latest", "median"]
POLICIES: tuple[str, ...] = get_args(Policy)


def is_policy(name: str) -> TypeGuard[Policy]:
    return name in POLICIES


CountStatus = Literal["single", "agreed", "compatible", "disputed", "vague_only"]


class SourceRef(Strict):
    """Which report a value came from (compact; repeated on every claim)."""

    key: str = Field(description="Stable report key: hash of the article text and the extracted event.")
    id: str = Field(description="The article id.")
    source: str = Field(description="Where the article was read from (path, 'stdin', 'path:line').")
    url: str | None = None
    published: date | None = None


class SourceReport(Strict):
    """One input report, kept whole so a merged event can be merged again."""

    source: SourceRef
    title: str | None = None
    sha256: str
    chars: int
    model: str | None = None
    prompt_hash: str | None = None
    event: SourceEvent
    spans: dict[str, Span] = Field(default_factory=dict)
    warnings: list[Issue] = Field(default_factory=list)


class Quote(Strict):
    """A verbatim evidence quote from one source, with its offsets when grounding located it."""

    source: SourceRef
    evidence: str
    span: Span | None = None


class CountClaim(Strict):
    """One stated figure as one source states it."""

    source: SourceRef
    phrase: str
    evidence: str
    span: Span | None = None
    qualifier: Qualifier
    value: int | None = None
    low: int | None = None
    high: int | None = None

    def figure(self) -> int | None:
        """The one figure this claim commits to (see ``schema.committed_figure``)."""
        return committed_figure(self)


class MergedCount(Strict):
    """A count across sources: the range of stated figures, a value by policy, every claim."""

    low: int | None = Field(description="Smallest stated figure; null when every claim is vague.")
    high: int | None = Field(description="Largest stated figure; null when every claim is vague.")
    value: int | None = Field(description="The figure chosen by the policy; null when every claim is vague.")
    policy: Policy
    status: CountStatus
    disputed: bool = Field(description="True when the stated figures cannot all be true given their qualifiers.")
    consensus: str | None = Field(
        default=None, description="What all numeric claims allow together, e.g. 'at least 17'; null when disputed."
    )
    note: str
    claims: list[CountClaim]


class ValueClaim(Strict):
    """A categorical value (event type, place kind...) and the sources that state it."""

    value: str
    sources: list[SourceRef]


class MergedEventType(Strict):
    value: EventType
    agreed: bool
    claims: list[ValueClaim]


class TextClaim(Strict):
    text: str
    source: SourceRef


class WindowClaim(Strict):
    source: SourceRef
    phrase: str
    evidence: str
    span: Span | None = None
    date_start: date | None = None
    date_end: date | None = None
    precision: str | None = None
    time_of_day: str | None = None


class MergedWindow(Strict):
    date_start: date | None
    date_end: date | None
    disputed: bool = Field(description="True when the stated windows do not overlap (the union is shown).")
    note: str
    times_of_day: list[str] = Field(default_factory=list)
    claims: list[WindowClaim]


class MergedPlace(Strict):
    name: str
    aliases: list[str]
    kind: PlaceKind
    kinds: list[ValueClaim] = Field(description="Every kind a source gave, with its sources.")
    quotes: list[Quote]


class MergedActor(Strict):
    name: str
    aliases: list[str]
    role: str
    quotes: list[Quote]


class MergedWeapon(Strict):
    family: str = Field(description="missile | drone | artillery | rocket | ...: the level at which sources agree.")
    kinds: list[WeaponKind]
    names: list[str]
    launched: MergedCount | None = None
    intercepted: MergedCount | None = None
    quotes: list[Quote]


class MergedCasualties(Strict):
    killed: MergedCount | None = None
    injured: MergedCount | None = None
    children_killed: MergedCount | None = None
    children_injured: MergedCount | None = None


class MergedDamage(Strict):
    what: str
    aliases: list[str]
    places: list[str]
    quotes: list[Quote]


class StatementClaim(Strict):
    gist: str
    title: str | None = None
    source: SourceRef
    evidence: str
    span: Span | None = None


class MergedStatement(Strict):
    speaker: str
    aliases: list[str]
    claims: list[StatementClaim]


class MergedContext(Strict):
    note: str
    quotes: list[Quote]


class MergedEvent(Strict):
    merged_version: str = MERGED_VERSION

    @field_validator("merged_version")
    @classmethod
    def _readable(cls, value: str) -> str:
        return readable_version(value, (MERGED_VERSION,), "merged event")

    kind: Literal["merged_event"] = "merged_event"
    id: str = Field(description="Stable id: a hash of the sorted report keys.")
    policy: Policy
    threshold: float
    title: str
    summary: str
    titles: list[TextClaim]
    summaries: list[TextClaim]
    event_type: MergedEventType
    when: MergedWindow | None = None
    places: list[MergedPlace] = Field(default_factory=list)
    actors: list[MergedActor] = Field(default_factory=list)
    weapons: list[MergedWeapon] = Field(default_factory=list)
    casualties: MergedCasualties = Field(default_factory=MergedCasualties)
    damage: list[MergedDamage] = Field(default_factory=list)
    statements: list[MergedStatement] = Field(default_factory=list)
    context: list[MergedContext] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list, description="Plain-language agreements and disputes.")
    sources: list[SourceRef]
    reports: list[SourceReport]

    def disputed_fields(self) -> list[str]:
        """Paths of the counts and windows whose sources cannot all be right."""
        out = [label for label, count in self.counts() if count.disputed]
        if self.when is not None and self.when.disputed:
            out.append("when")
        if not self.event_type.agreed:
            out.append("event_type")
        return out

    def counts(self) -> list[tuple[str, MergedCount]]:
        """Every merged count with a readable label, casualties first, then weapons."""
        out: list[tuple[str, MergedCount]] = []
        for name in CASUALTY_FIELDS:
            count = getattr(self.casualties, name)
            if count is not None:
                out.append((f"casualties.{name}", count))
        for weapon in self.weapons:
            for measure in ("launched", "intercepted"):
                count = getattr(weapon, measure)
                if count is not None:
                    out.append((f"weapons[{weapon.family}].{measure}", count))
        return out
