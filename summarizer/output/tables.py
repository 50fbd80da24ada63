"""Records and merged events as table rows: CSV (always) and Parquet (when pyarrow is installed).

One row per record or per merged event, the columns an event-data user expects (ACLED / UCDP style): dates,
places by kind, each count as value / low / high / qualifier with its phrase and evidence, lists joined with
``;``, the source and what made the row. Records and merged events share the columns, so their tables stack;
``COLUMNS`` names them in order and README's "Tables" section describes each one (a test keeps the two equal).

For a merged event, ``low`` / ``high`` are the smallest and largest figures the sources state, ``value`` is
the policy's choice, and ``qualifier`` is the qualifier every numeric claim shares, else ``mixed``;
``*_status`` says how the sources relate (single, agreed, compatible, disputed, vague_only). Cells from the
article are data: a CSV cell that starts with ``=``, ``+``, ``-``, ``@`` (a spreadsheet formula) is
prefixed with ``'``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from summarizer.config.installed import importable
from summarizer.errors import ConfigError

if TYPE_CHECKING:
    from summarizer.record import Record
    from summarizer.record.merged import MergedCount, MergedEvent
    from summarizer.record.schema import Count

TABLE_FORMATS = ("csv", "parquet")
COUNTS = ("killed", "injured", "children_killed", "children_injured")
JOIN = ";"
EVIDENCE_JOIN = " | "

COLUMNS: tuple[str, ...] = (
    "id", "kind", "sources_count", "source", "url", "published",
    "event_type", "title", "summary",
    "date_start", "date_end", "date_precision", "when_phrase", "when_evidence",
    "country", "region", "city", "district", "places",
    *(f"{name}{part}" for name in COUNTS for part in ("", "_low", "_high", "_qualifier", "_status", "_phrase", "_evidence")),  # noqa: E501
    "weapon_kinds", "launched", "intercepted",
    "actors", "damage", "speakers",
    "disputed", "warnings", "strategy", "model", "prompt_hash",
)  # fmt: skip
INTEGER_COLUMNS = frozenset(
    ["sources_count", "warnings", *(f"{name}{part}" for name in COUNTS for part in ("", "_low", "_high"))]
)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _join(items: Iterable[str | None]) -> str:
    return JOIN.join(dict.fromkeys(item for item in items if item))


def _count_cells(name: str, count: Count | None) -> dict[str, Any]:
    if count is None:
        return {}
    return {
        name: count.value,
        f"{name}_low": count.low,
        f"{name}_high": count.high,
        f"{name}_qualifier": count.qualifier,
        f"{name}_phrase": count.phrase,
        f"{name}_evidence": count.evidence,
    }


def record_row(record: Record) -> dict[str, Any]:
    """One record as a row (see ``COLUMNS``)."""
    event, meta, provenance = record.event, record.article, record.provenance
    row: dict[str, Any] = {
        "id": meta.id,
        "kind": "record",
        "sources_count": 1,
        "source": meta.source,
        "url": meta.url,
        "published": meta.published.isoformat() if meta.published else None,
        "event_type": event.event_type,
        "title": event.title,
        "summary": event.summary,
        "places": _join(place.name for place in event.places),
        "weapon_kinds": _join(weapon.kind for weapon in event.weapons),
        "launched": _join(
            f"{w.kind}={w.launched.figure()}" for w in event.weapons if w.launched and w.launched.figure()
        ),
        "intercepted": _join(
            f"{w.kind}={w.intercepted.figure()}" for w in event.weapons if w.intercepted and w.intercepted.figure()
        ),
        "actors": _join(f"{actor.name} ({actor.role})" for actor in event.actors),
        "damage": _join(damage.what for damage in event.damage),
        "speakers": _join(statement.speaker for statement in event.statements),
        "warnings": len(record.warnings),
        "strategy": provenance.strategy,
        "model": None if provenance.strategy == "reader" else provenance.model,
        "prompt_hash": None if provenance.strategy == "reader" else provenance.prompt_hash,
    }
    for kind in ("country", "region", "city", "district"):
        row[kind] = next((place.name for place in event.places if place.kind == kind), None)
    if event.when is not None:
        when = event.when
        row.update(
            date_start=when.date_start.isoformat() if when.date_start else None,
            date_end=when.date_end.isoformat() if when.date_end else None,
            date_precision=when.precision,
            when_phrase=when.phrase,
            when_evidence=when.evidence,
        )
    if event.casualties is not None:
        for name in COUNTS:
            row.update(_count_cells(name, getattr(event.casualties, name)))
    return row


def _merged_count_cells(name: str, count: MergedCount | None) -> dict[str, Any]:
    if count is None:
        return {}
    numeric = {claim.qualifier for claim in count.claims if claim.qualifier != "vague"}
    return {
        name: count.value,
        f"{name}_low": count.low,
        f"{name}_high": count.high,
        f"{name}_qualifier": (numeric.pop() if len(numeric) == 1 else "mixed") if numeric else "vague",
        f"{name}_status": count.status,
        f"{name}_phrase": EVIDENCE_JOIN.join(f"{claim.source.id}: {claim.phrase}" for claim in count.claims),
        f"{name}_evidence": EVIDENCE_JOIN.join(f"{claim.source.id}: {claim.evidence}" for claim in count.claims),
    }


def _figures(count: MergedCount | None, family: str) -> str | None:
    return f"{family}={count.value}" if count is not None and count.value is not None else None


def merged_row(event: MergedEvent) -> dict[str, Any]:
    """One merged event as a row (see ``COLUMNS``)."""
    published = sorted(source.published for source in event.sources if source.published)
    ran = [report for report in event.reports if report.model and report.model != "none"]  # "none": reader alone
    models = _join(report.model for report in ran)
    row: dict[str, Any] = {
        "id": event.id,
        "kind": "merged_event",
        "sources_count": len(event.sources),
        "source": _join(source.source for source in event.sources),
        "url": _join(source.url for source in event.sources) or None,
        "published": published[0].isoformat() if published else None,
        "event_type": event.event_type.value,
        "title": event.title,
        "summary": event.summary,
        "places": _join(place.name for place in event.places),
        "weapon_kinds": _join(kind for weapon in event.weapons for kind in weapon.kinds),
        "launched": _join(_figures(weapon.launched, weapon.family) for weapon in event.weapons),
        "intercepted": _join(_figures(weapon.intercepted, weapon.family) for weapon in event.weapons),
        "actors": _join(f"{actor.name} ({actor.role})" for actor in event.actors),
        "damage": _join(damage.what for damage in event.damage),
        "speakers": _join(statement.speaker for statement in event.statements),
        "disputed": _join(event.disputed_fields()),
        "warnings": sum(len(report.warnings) for report in event.reports),
        "strategy": None,
        "model": models or None,
        "prompt_hash": _join(report.prompt_hash for report in ran) or None,
    }
    for kind in ("country", "region", "city", "district"):
        row[kind] = next((place.name for place in event.places if place.kind == kind), None)
    if event.when is not None:
        when = event.when
        precisions = {claim.precision for claim in when.claims if claim.precision}
        row.update(
            date_start=when.date_start.isoformat() if when.date_start else None,
            date_end=when.date_end.isoformat() if when.date_end else None,
            date_precision=precisions.pop() if len(precisions) == 1 else None,
            when_phrase=EVIDENCE_JOIN.join(f"{claim.source.id}: {claim.phrase}" for claim in when.claims),
            when_evidence=EVIDENCE_JOIN.join(f"{claim.source.id}: {claim.evidence}" for claim in when.claims),
        )
    for name in COUNTS:
        row.update(_merged_count_cells(name, getattr(event.casualties, name)))
    return row


def rows_of(items: Sequence[Record | MergedEvent]) -> list[dict[str, Any]]:
    """Every item as a full row: each column of ``COLUMNS``, in order, None where it has no value."""
    from summarizer.record import Record

    rows = []
    for item in items:
        row = record_row(item) if isinstance(item, Record) else merged_row(item)
        rows.append({column: row.get(column) for column in COLUMNS})
    return rows


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value  # a spreadsheet would run it as a formula (CSV injection)
    return "" if value is None else value


def to_csv(items: Sequence[Record | MergedEvent]) -> str:
    """A header line and one row per item (RFC 4180 quoting, ``\\n`` line ends; empty cells for null)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows_of(items):
        writer.writerow([_cell(row[column]) for column in COLUMNS])
    return buffer.getvalue()


def check_parquet(out: Path | None) -> None:
    """Parquet needs pyarrow and an ``--out`` file (it is binary): a usage error, before any work, otherwise."""
    if not importable("pyarrow"):
        raise ConfigError("--format parquet needs pyarrow: pip install pyarrow (or use --format csv)")
    if out is None:
        raise ConfigError("--format parquet writes a binary file: give --out FILE.parquet")


def write_parquet(items: Sequence[Record | MergedEvent], out: Path) -> None:
    """The rows as a Parquet file at ``out`` (written beside it, then moved in place), with typed columns."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([(c, pa.int64() if c in INTEGER_COLUMNS else pa.string()) for c in COLUMNS])
    table = pa.Table.from_pylist(rows_of(items), schema=schema)
    temporary = out.with_name(out.name + ".tmp")
    pq.write_table(table, temporary)
    temporary.replace(out)
