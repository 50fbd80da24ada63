"""Records as one self-contained HTML page: per record, the article with every grounded span highlighted
and labelled by field, the facts beside it, and the warnings (disagreements with the other value, values
grounding removed, the rest).

Article text and model output are untrusted: every piece goes through ``html.escape`` (attributes with
``quote=True``). The page has no scripts, loads nothing, and forbids both with a Content-Security-Policy.
The highlighting is the eval report's (``summarizer.evals.html.highlight``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from summarizer.evals.html import escape_html as _e
from summarizer.evals.html import highlight
from summarizer.output.terminal import (
    SECTION_TITLES,
    SECTIONS,
    Fact,
    about_line,
    provenance_line,
    record_facts,
    source_of,
)
from summarizer.record import Record
from summarizer.record.basetypes import Issue

CSS = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 1.5rem auto; max-width: 90rem; padding: 0 1rem; color: #222; }
h2 { margin-bottom: .2rem; } h3 { margin: .8rem 0 .3rem; font-size: 1rem; }
.meta, .provenance { color: #666; } .provenance { font-size: 12px; }
table { border-collapse: collapse; margin: .3rem 0 .8rem; width: 100%; }
th, td { border: 1px solid #ccc; padding: .2rem .4rem; text-align: left; vertical-align: top; }
td.evidence { font-style: italic; color: #555; } td.unlocated { color: #a00; }
code { font: 12px/1.4 ui-monospace, monospace; word-break: break-word; }
code.path { color: #7a5a00; font-size: 11px; white-space: nowrap; }
.columns { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 1.5rem; }
.columns.facts-only { grid-template-columns: minmax(0, 1fr); }
.article { white-space: pre-wrap; border-left: 3px solid #ccc; padding-left: .8rem; }
mark { background: #ffe58a; border-bottom: 2px solid #c90; } mark.overlap { background: #ffc966; }
mark::after { content: attr(title); font: 10px/1 ui-monospace, monospace; color: #7a5a00;
  vertical-align: super; margin-left: .15rem; }
.note { color: #a00; }
.disagreement { background: #fde2c8; } .removed { background: #f8c9c9; }
section.record { border-top: 2px solid #888; margin-top: 1.5rem; }
"""

# Which warnings the page lists under which heading; codes not listed go under the last one.
DISAGREEMENT = ("disagreement",)
REMOVED = ("ungrounded", "duplicate")


def _facts_tables(record: Record) -> str:
    facts = record_facts(record)
    with_sources = bool(record.sources)
    out = []
    for section, headers in SECTIONS.items():
        rows: list[Fact] = [fact for fact in facts if fact.section == section]
        if not rows:
            continue
        title = SECTION_TITLES[section] or "Facts"
        head = "".join(f"<th>{_e(h)}</th>" for h in (*headers, *(["source"] if with_sources else [])))
        body = []
        for fact in rows:
            located = fact.path in record.spans
            evidence = _e(fact.evidence or "")
            if not located:
                evidence += " <span class='note'>(not located in the article)</span>"
            cells = [
                f"<td>{_e(fact.label.strip())}<br><code class='path'>{_e(fact.path)}</code></td>",
                f"<td>{_e(fact.value)}</td>",
                f"<td class='evidence{'' if located else ' unlocated'}'>{evidence}</td>",
            ]
            if with_sources:
                cells.append(f"<td>{_e(source_of(record, fact.path) or '')}</td>")
            body.append(f"<tr>{''.join(cells)}</tr>")
        out.append(f"<h3>{_e(title)}</h3><table class='{section}'><tr>{head}</tr>{''.join(body)}</table>")
    return "".join(out) or "<p>no facts</p>"


def _issue_list(css: str, heading: str, issues: list[Issue]) -> str:
    if not issues:
        return ""
    items = "".join(
        f"<li class='{css}'><code>{_e(issue.code)}</code> "
        + (f"<code>{_e(issue.path)}</code> " if issue.path else "")
        + f"{_e(issue.message)}</li>"
        for issue in issues
    )
    return f"<h3>{_e(heading)} ({len(issues)})</h3><ul class='{css}'>{items}</ul>"


def _warnings(record: Record) -> str:
    warnings = record.warnings
    if not warnings:
        return "<p class='meta'>no warnings</p>"
    disagreements = [w for w in warnings if w.code in DISAGREEMENT]
    removed = [w for w in warnings if w.code in REMOVED]
    other = [w for w in warnings if w.code not in (*DISAGREEMENT, *REMOVED)]
    return (
        "<div class='warnings'>"
        + _issue_list("disagreement", "Disagreements: the value not kept, with its evidence", disagreements)
        + _issue_list("removed", "Removed by grounding", removed)
        + _issue_list("other", "Other warnings", other)
        + "</div>"
    )


def _article(record: Record, text: str) -> str:
    """The article with the record's spans highlighted, when the text is the one the record was made from
    (or begins with it: a record made with --truncate names the part it read)."""
    note = ""
    prefix = text[: record.article.chars]
    truncated = any(issue.code == "input" and "article truncated" in issue.message for issue in record.warnings)
    if truncated and _sha256(text) != record.article.sha256 and _sha256(prefix) == record.article.sha256:
        note = f"<p class='note'>The record was made from the first {len(prefix)} characters (--truncate).</p>"
        text = prefix
    if _sha256(text) != record.article.sha256:
        return (
            "<p class='note'>This text is not the one the record was made from (its sha256 differs), "
            "so the evidence is not highlighted.</p>"
            f"<div class='article'>{_e(text)}</div>"
        )
    spans = {path: span.model_dump() for path, span in record.spans.items()}
    return f"{note}<div class='article'>{highlight(text, spans)}</div>"


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def record_section(number: int, record: Record, text: str | None) -> str:
    event, about = record.event, about_line(record)
    if record.article.url:
        about += f" · {record.article.url}"  # shown as text, never a link: the address is the article's
    if text is None:
        columns = f"<div class='columns facts-only'><div class='facts'>{_facts_tables(record)}</div></div>"
    else:
        columns = (
            f"<div class='columns'><div><h3>Article ({len(record.spans)} spans)</h3>{_article(record, text)}</div>"
            f"<div class='facts'>{_facts_tables(record)}</div></div>"
        )
    return (
        f"<section class='record' id='record-{number}'><h2>{_e(event.title)}</h2>"
        f"<p class='meta'>{_e(about)}</p><p class='summary'>{_e(event.summary)}</p>"
        f"{columns}{_warnings(record)}<p class='provenance'>{_e(provenance_line(record))}</p></section>"
    )


def records_html(items: Sequence[tuple[Record, str | None]]) -> str:
    """The whole page; each item is a record and the article text it was made from (None: facts only)."""
    count = f"{len(items)} record{'s' if len(items) != 1 else ''}"
    index = (
        "<p>records: "
        + " · ".join(f"<a href='#record-{n}'>{_e(record.event.title)}</a>" for n, (record, _) in enumerate(items))
        + "</p>"
        if len(items) > 1
        else ""
    )
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; style-src 'unsafe-inline'\">"
        f"<title>{_e(count)}</title><style>{CSS}</style></head><body>"
        f"<h1>Event records ({_e(count)})</h1>{index}"
        + "".join(record_section(n, record, text) for n, (record, text) in enumerate(items))
        + "</body></html>\n"
    )
