"""Records as one self-contained HTML page: per record, the article with every grounded span highlighted
and labelled by field, the facts beside it, and the warnings (disagreements with the other value, values
grounding removed, the rest).

The markup is ``templates/records.html.j2``, rendered with autoescape: article text and model output are
untrusted and reach the page only as escaped text. The page has no scripts, loads nothing, and forbids both
with a Content-Security-Policy. The highlighting is ``summarizer.output.highlight`` (the eval report's too).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from summarizer.output.highlight import Piece, pieces
from summarizer.output.templating import render
from summarizer.output.terminal import (
    SECTION_TITLES,
    SECTIONS,
    about_line,
    provenance_line,
    record_facts,
    source_of,
)
from summarizer.record import Record
from summarizer.record.basetypes import Issue

# Which warnings the page lists under which heading; codes not listed go under the last one.
DISAGREEMENT = ("disagreement",)
REMOVED = ("ungrounded", "duplicate")


@dataclass(frozen=True)
class Row:
    label: str
    path: str
    value: str
    evidence: str
    located: bool  # the evidence was found in the article (it has a span)
    source: str


@dataclass(frozen=True)
class FactTable:
    title: str
    section: str  # a key of SECTIONS, the table's class
    headers: tuple[str, ...]
    rows: list[Row]
    with_sources: bool


@dataclass(frozen=True)
class IssueGroup:
    css: str
    heading: str
    issues: list[Issue]


@dataclass(frozen=True)
class ArticleView:
    pieces: list[Piece]
    matches: bool  # False: not the text the record was made from, so nothing is highlighted
    read_chars: int | None = None  # the record was made from this many first characters (--truncate)


@dataclass(frozen=True)
class RecordView:
    number: int
    record: Record
    about: str
    provenance: str
    article: ArticleView | None  # None: facts only
    tables: list[FactTable]
    warnings: list[IssueGroup]  # empty: no warnings


def _tables(record: Record) -> list[FactTable]:
    facts = record_facts(record)
    with_sources = bool(record.sources)
    tables = []
    for section, headers in SECTIONS.items():
        rows = [
            Row(
                label=fact.label.strip(),
                path=fact.path,
                value=fact.value,
                evidence=fact.evidence or "",
                located=fact.path in record.spans,
                source=source_of(record, fact.path) or "",
            )
            for fact in facts
            if fact.section == section
        ]
        if rows:
            columns = (*headers, *(["source"] if with_sources else []))
            tables.append(FactTable(SECTION_TITLES[section] or "Facts", section, columns, rows, with_sources))
    return tables


def _warnings(record: Record) -> list[IssueGroup]:
    warnings = record.warnings
    if not warnings:
        return []
    return [
        IssueGroup(
            "disagreement",
            "Disagreements: the value not kept, with its evidence",
            [w for w in warnings if w.code in DISAGREEMENT],
        ),
        IssueGroup("removed", "Removed by grounding", [w for w in warnings if w.code in REMOVED]),
        IssueGroup("other", "Other warnings", [w for w in warnings if w.code not in (*DISAGREEMENT, *REMOVED)]),
    ]


def _article(record: Record, text: str) -> ArticleView:
    """The article with the record's spans highlighted, when the text is the one the record was made from
    (or begins with it: a record made with --truncate names the part it read)."""
    read_chars = None
    prefix = text[: record.article.chars]
    truncated = any(issue.code == "input" and "article truncated" in issue.message for issue in record.warnings)
    if truncated and _sha256(text) != record.article.sha256 and _sha256(prefix) == record.article.sha256:
        read_chars, text = len(prefix), prefix
    if _sha256(text) != record.article.sha256:
        return ArticleView(pieces(text, {}), matches=False)
    spans = {path: span.model_dump() for path, span in record.spans.items()}
    return ArticleView(pieces(text, spans), matches=True, read_chars=read_chars)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def record_view(number: int, record: Record, text: str | None) -> RecordView:
    """What the page shows of one record."""
    about = about_line(record)
    if record.article.url:
        about += f" · {record.article.url}"  # shown as text, never a link: the address is the article's
    return RecordView(
        number=number,
        record=record,
        about=about,
        provenance=provenance_line(record),
        article=None if text is None else _article(record, text),
        tables=_tables(record),
        warnings=_warnings(record),
    )


def records_html(items: Sequence[tuple[Record, str | None]]) -> str:
    """The whole page; each item is a record and the article text it was made from (None: facts only)."""
    count = f"{len(items)} record{'s' if len(items) != 1 else ''}"
    views = [record_view(number, record, text) for number, (record, text) in enumerate(items)]
    return render("records.html.j2", count=count, records=views)
