"""Build one ``MergedEvent`` from the reports of one group, field by field.

- counts: see ``counts`` (range of stated figures, value by policy, every claim kept);
- weapons: merged per family (all missiles, all drones, ...) because sources describe the
  same salvo at different detail ("31 missiles" vs "ballistic and cruise missiles"); one
  source's counts within a family are summed first;
- event type: by agreement, the disagreement stays visible (``agreed`` and every claim);
- time window: the intersection of the stated windows, or their union marked disputed;
- places, actors, damage, statements, context: unioned with alias-aware de-duplication,
  every quote and source kept.

Reports arrive in canonical order (``reports.sort_key``) and every list is built in that
order, so the output does not depend on the order of the inputs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Generic, Protocol, TypeVar

from summarizer.merge.counts import claim_from_count, interval, merge_counts, sum_counts
from summarizer.merge.names import (
    actor_key,
    components,
    content_key,
    district_key,
    pick_display,
    place_key,
    same_speaker,
    unique_sorted,
)
from summarizer.record.basetypes import Span
from summarizer.record.merged import (
    CountClaim,
    MergedActor,
    MergedCasualties,
    MergedContext,
    MergedDamage,
    MergedEvent,
    MergedEventType,
    MergedPlace,
    MergedStatement,
    MergedWeapon,
    MergedWindow,
    Policy,
    Quote,
    SourceRef,
    SourceReport,
    StatementClaim,
    TextClaim,
    ValueClaim,
    WindowClaim,
)
from summarizer.record.schema import (
    CASUALTY_FIELDS,
    EVENT_TYPES,
    Actor,
    ContextNote,
    Count,
    Damage,
    Event,
    Place,
    Statement,
    Weapon,
)
from summarizer.text.normalize import name_key


class Evidenced(Protocol):
    """A list entry of the schema: each carries its verbatim evidence."""

    @property
    def evidence(self) -> str: ...


T = TypeVar("T")
E = TypeVar("E", bound=Evidenced)
V = TypeVar("V", bound=str)

WEAPON_FAMILIES = {"ballistic_missile": "missile", "cruise_missile": "missile", "missile": "missile"}
COARSE_KINDS = {"country", "region", "city"}
KIND_ORDER = ("city", "district", "site", "region", "country", "other")


@dataclass(frozen=True)
class Item(Generic[T]):
    """One list entry of one report, with where it came from."""

    value: T
    report: SourceReport
    path: str

    @property
    def source(self) -> SourceRef:
        return self.report.source

    @property
    def span(self) -> Span | None:
        return self.report.spans.get(self.path)

    def sub_span(self, name: str) -> Span | None:
        return self.report.spans.get(f"{self.path}.{name}")


def _items(reports: Sequence[SourceReport], field: str, entries: Callable[[Event], Sequence[T]]) -> list[Item[T]]:
    """The ``entries`` of every report's event, each with its path (``field[index]``: ``entries`` reads ``field``)."""
    out = []
    for report in reports:
        for index, value in enumerate(entries(report.event)):
            out.append(Item(value, report, f"{field}[{index}]"))
    return out


def _quote(item: Item[E]) -> Quote:
    return Quote(source=item.source, evidence=item.value.evidence, span=item.span)


def _tally(values: Sequence[tuple[V, SourceRef]]) -> list[tuple[V, list[SourceRef]]]:
    """Distinct values with their sources, most sources first, then in order of first appearance."""
    by_value: dict[V, list[SourceRef]] = {}
    for value, source in values:
        sources = by_value.setdefault(value, [])
        if source not in sources:
            sources.append(source)
    return sorted(by_value.items(), key=lambda kv: -len(kv[1]))


def _leaders(tally: Sequence[tuple[V, list[SourceRef]]]) -> list[V]:
    """The values most sources state (in tally order)."""
    top = max(len(sources) for _, sources in tally)
    return [value for value, sources in tally if len(sources) == top]


def _claims(tally: Sequence[tuple[V, list[SourceRef]]]) -> list[ValueClaim]:
    return [ValueClaim(value=value, sources=sources) for value, sources in tally]


# ---------------------------------------------------------------- fields


def merge_event_type(reports: Sequence[SourceReport]) -> MergedEventType:
    tally = _tally([(r.event.event_type, r.source) for r in reports])
    leaders = _leaders(tally)
    specific = [v for v in leaders if v != "other"] or leaders
    value = min(specific, key=EVENT_TYPES.index)
    return MergedEventType(value=value, agreed=len(tally) == 1, claims=_claims(tally))


def merge_window(reports: Sequence[SourceReport]) -> MergedWindow | None:
    claims = [
        WindowClaim(
            source=r.source,
            phrase=r.event.when.phrase,
            evidence=r.event.when.evidence,
            span=r.spans.get("when"),
            date_start=r.event.when.date_start,
            date_end=r.event.when.date_end,
            precision=r.event.when.precision,
            time_of_day=r.event.when.time_of_day,
        )
        for r in reports
        if r.event.when is not None
    ]
    if not claims:
        return None
    windows: list[tuple[date, date]] = []
    stated: list[str] = []  # each dated window with its source, for a dispute's note
    for c in claims:
        start, end = c.date_start or c.date_end, c.date_end or c.date_start
        if start and end:
            windows.append((start, end))
            stated.append(f"{_span_text(start, end)} ({c.source.id})")
    times = unique_sorted([c.time_of_day for c in claims if c.time_of_day])
    if not windows:
        note = "No source gives dates; phrases: " + ", ".join(f"'{c.phrase}' ({c.source.id})" for c in claims) + "."
        return MergedWindow(
            date_start=None, date_end=None, disputed=False, note=note, times_of_day=times, claims=claims
        )
    start, end = max(w[0] for w in windows), min(w[1] for w in windows)
    dated = len(windows)
    if start <= end:
        how = "the intersection of" if dated > 1 else "from"
        note = f"Window {_span_text(start, end)}: {how} {dated} dated source window(s)."
        return MergedWindow(
            date_start=start, date_end=end, disputed=False, note=note, times_of_day=times, claims=claims
        )
    start, end = min(w[0] for w in windows), max(w[1] for w in windows)
    note = f"Stated windows do not overlap ({'; '.join(stated)}); showing their union {_span_text(start, end)}."
    return MergedWindow(date_start=start, date_end=end, disputed=True, note=note, times_of_day=times, claims=claims)


def _span_text(start: date, end: date) -> str:
    return start.isoformat() if start == end else f"{start.isoformat()} to {end.isoformat()}"


def _same_place_entry(a: Item[Place], b: Item[Place]) -> bool:
    pa, pb = a.value, b.value
    if place_key(pa.name) == place_key(pb.name) and (pa.kind == pb.kind or name_key(pa.name) == name_key(pb.name)):
        return True
    if pa.kind in COARSE_KINDS or pb.kind in COARSE_KINDS:
        return False
    return district_key(pa.name) == district_key(pb.name)


def _groups(
    reports: Sequence[SourceReport],
    field: str,
    entries: Callable[[Event], Sequence[T]],
    same: Callable[[Item[T], Item[T]], bool],
) -> list[list[Item[T]]]:
    """The ``entries`` of every report (see ``_items``), grouped into the connected components of ``same``."""
    items = _items(reports, field, entries)
    return [[items[i] for i in group] for group in components(items, same)]


def merge_places(reports: Sequence[SourceReport]) -> list[MergedPlace]:
    out = []
    for members in _groups(reports, "places", lambda event: event.places, _same_place_entry):
        kinds = _tally([(m.value.kind, m.source) for m in members])
        kind = min(_leaders(kinds), key=KIND_ORDER.index)
        out.append(
            MergedPlace(
                name=pick_display([m.value.name for m in members]),
                aliases=unique_sorted([m.value.name for m in members]),
                kind=kind,
                kinds=_claims(kinds),
                quotes=[_quote(m) for m in members],
            )
        )
    return out


def merge_actors(reports: Sequence[SourceReport]) -> list[MergedActor]:
    def same(a: Item[Actor], b: Item[Actor]) -> bool:
        return a.value.role == b.value.role and actor_key(a.value.name) == actor_key(b.value.name)

    return [
        MergedActor(
            name=pick_display([m.value.name for m in members]),
            aliases=unique_sorted([m.value.name for m in members]),
            role=members[0].value.role,
            quotes=[_quote(m) for m in members],
        )
        for members in _groups(reports, "actors", lambda event: event.actors, same)
    ]


def merge_damage(reports: Sequence[SourceReport]) -> list[MergedDamage]:
    def same(a: Item[Damage], b: Item[Damage]) -> bool:
        return content_key(a.value.what) == content_key(b.value.what)

    return [
        MergedDamage(
            what=pick_display([m.value.what for m in members]),
            aliases=unique_sorted([m.value.what for m in members]),
            places=unique_sorted([m.value.place for m in members if m.value.place]),
            quotes=[_quote(m) for m in members],
        )
        for members in _groups(reports, "damage", lambda event: event.damage, same)
    ]


def merge_statements(reports: Sequence[SourceReport]) -> list[MergedStatement]:
    def same(a: Item[Statement], b: Item[Statement]) -> bool:
        return same_speaker(a.value.speaker, b.value.speaker)

    out = []
    for members in _groups(reports, "statements", lambda event: event.statements, same):
        claims = [
            StatementClaim(
                gist=m.value.gist, title=m.value.title, source=m.source, evidence=m.value.evidence, span=m.span
            )
            for m in members
        ]
        names = [m.value.speaker for m in members]
        # The fullest name reads best as the heading ("Volodymyr Zelensky" over "Zelenskyy").
        speaker = max(names, key=lambda n: (len(n.split()), names.count(n), -len(n), n))
        out.append(MergedStatement(speaker=speaker, aliases=unique_sorted(names), claims=claims))
    return out


def merge_context(reports: Sequence[SourceReport]) -> list[MergedContext]:
    def same(a: Item[ContextNote], b: Item[ContextNote]) -> bool:
        return content_key(a.value.note) == content_key(b.value.note)

    return [
        MergedContext(note=pick_display([m.value.note for m in members]), quotes=[_quote(m) for m in members])
        for members in _groups(reports, "context", lambda event: event.context, same)
    ]


def merge_weapons(reports: Sequence[SourceReport], policy: Policy) -> list[MergedWeapon]:
    families: dict[str, list[Item[Weapon]]] = {}
    for item in _items(reports, "weapons", lambda event: event.weapons):
        families.setdefault(WEAPON_FAMILIES.get(item.value.kind, item.value.kind), []).append(item)
    out = []
    for family, members in families.items():
        counts = {
            measure: merge_counts(_family_claims(members, measure), policy) for measure in ("launched", "intercepted")
        }
        out.append(
            MergedWeapon(
                family=family,
                kinds=sorted({m.value.kind for m in members}),
                names=unique_sorted([m.value.name for m in members if m.value.name]),
                launched=counts["launched"],
                intercepted=counts["intercepted"],
                quotes=[_quote(m) for m in members],
            )
        )
    return out


def _family_claims(members: Sequence[Item[Weapon]], measure: str) -> list[CountClaim]:
    """One claim per source for the family's figure (summed over its weapons), plus vague claims."""
    claims: list[CountClaim] = []
    by_source: dict[str, list[tuple[Count, Span | None]]] = {}
    sources: dict[str, SourceRef] = {}
    for m in members:
        count = getattr(m.value, measure)
        if count is not None:
            by_source.setdefault(m.source.key, []).append((count, m.sub_span(measure)))
            sources[m.source.key] = m.source
    for key, found in by_source.items():
        numeric = [(c, s) for c, s in found if interval(c) is not None]
        vague = [(c, s) for c, s in found if interval(c) is None]
        if numeric:
            total = sum_counts([c for c, _ in numeric])
            span = numeric[0][1] if len(numeric) == 1 else None
            claims.append(claim_from_count(total, sources[key], span))
        claims.extend(claim_from_count(c, sources[key], s) for c, s in vague)
    return claims


def merge_casualties(reports: Sequence[SourceReport], policy: Policy) -> MergedCasualties:
    merged = {}
    for name in CASUALTY_FIELDS:
        claims = []
        for r in reports:
            count = getattr(r.event.casualties, name) if r.event.casualties else None
            if count is not None:
                claims.append(claim_from_count(count, r.source, r.spans.get(f"casualties.{name}")))
        merged[name] = merge_counts(claims, policy)
    return MergedCasualties(**merged)


# ---------------------------------------------------------------- the event


def build_merged_event(reports: Sequence[SourceReport], policy: Policy, threshold: float) -> MergedEvent:
    """The merged event of one group (reports in canonical order)."""
    first = reports[0]
    event_type = merge_event_type(reports)
    when = merge_window(reports)
    casualties = merge_casualties(reports, policy)
    weapons = merge_weapons(reports, policy)
    merged = MergedEvent(
        id="merged-" + hashlib.sha256("\n".join(sorted(r.source.key for r in reports)).encode()).hexdigest()[:16],
        policy=policy,
        threshold=threshold,
        title=first.event.title,
        summary=first.event.summary,
        titles=[TextClaim(text=r.event.title, source=r.source) for r in reports],
        summaries=[TextClaim(text=r.event.summary, source=r.source) for r in reports],
        event_type=event_type,
        when=when,
        places=merge_places(reports),
        actors=merge_actors(reports),
        weapons=weapons,
        casualties=casualties,
        damage=merge_damage(reports),
        statements=merge_statements(reports),
        context=merge_context(reports),
        sources=[r.source for r in reports],
        reports=list(reports),
    )
    merged.notes = _notes(merged)
    return merged


def _notes(event: MergedEvent) -> list[str]:
    notes = []
    if not event.event_type.agreed:
        shown = "; ".join(f"{c.value} ({', '.join(s.id for s in c.sources)})" for c in event.event_type.claims)
        notes.append(f"event_type: sources disagree: {shown}; shown: {event.event_type.value}.")
    if event.when is not None and (event.when.disputed or len(event.when.claims) > 1):
        notes.append(f"when: {event.when.note}")
    for label, count in event.counts():
        if count.status != "single" or len(count.claims) > 1:
            notes.append(f"{label}: {count.note}")
    for report in event.reports:
        if report.warnings:
            codes = ", ".join(sorted({w.code for w in report.warnings}))
            notes.append(f"{report.source.id}: {len(report.warnings)} extraction warning(s) ({codes}).")
    return notes
