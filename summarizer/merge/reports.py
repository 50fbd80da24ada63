"""Turn records and merged events into the unit merge works on: one ``SourceReport`` per report.

A report's key is a hash of the article text (sha256) and the extracted event, so the same
record read twice (or once directly and once inside a merged event) counts once, while two
different extractions of one article stay two reports.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable

from summarizer.record import Record
from summarizer.record.merged import MergedEvent, SourceRef, SourceReport


def report_key(sha256: str, event_json: str) -> str:
    return hashlib.sha256(f"{sha256}\n{event_json}".encode()).hexdigest()[:16]


def _canonical_event_json(record: Record) -> str:
    return json.dumps(record.event.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)


def report_from_record(record: Record) -> SourceReport:
    article = record.article
    source = SourceRef(
        key=report_key(article.sha256, _canonical_event_json(record)),
        id=article.id,
        source=article.source,
        url=article.url,
        published=article.published,
    )
    return SourceReport(
        source=source,
        title=article.title,
        sha256=article.sha256,
        chars=article.chars,
        model=record.provenance.model,
        prompt_hash=record.provenance.prompt_hash,
        event=record.event,
        spans=record.spans,
        warnings=record.warnings,
    )


def collect_reports(items: Iterable[Record | MergedEvent | SourceReport]) -> list[SourceReport]:
    """Flatten records and merged events into unique reports, in a canonical order."""
    by_key: dict[str, SourceReport] = {}
    for item in items:
        if isinstance(item, Record):
            reports = [report_from_record(item)]
        elif isinstance(item, MergedEvent):
            reports = item.reports
        else:
            reports = [item]
        for report in reports:
            kept = by_key.get(report.source.key)
            # Same text and same event under another name: keep one, chosen without regard to input order.
            if kept is None or report.model_dump_json() < kept.model_dump_json():
                by_key[report.source.key] = report
    return sorted(by_key.values(), key=sort_key)


def sort_key(report: SourceReport) -> tuple[str, str, str]:
    """Canonical order: publication date (unknown last), then article id, then report key."""
    published = report.source.published.isoformat() if report.source.published else "9999-99-99"
    return (published, report.source.id, report.source.key)
