"""Render records as JSON, JSON Lines or a Markdown summary (the rich and HTML views are view_*.py)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: `summarizer --help` (which needs FORMATS) imports no pydantic model
    from summarizer.record import Record
    from summarizer.record.schema import Count

# What records and merged events both render as (``summarizer.merge.render``); records also make an HTML page.
# csv and parquet are tables: one row per record or merged event (``summarizer.output.tables``).
DOCUMENT_FORMATS = ("json", "jsonl", "markdown", "csv", "parquet")
FORMATS = (*DOCUMENT_FORMATS, "html")
BINARY_FORMATS = ("parquet",)  # written to --out only
TERMINAL = "terminal"  # not a --format: the rich view, the default when records go to a terminal


def to_json(records: Sequence[Record]) -> str:
    """One record as an object; several as an array."""
    data = [record.model_dump(mode="json") for record in records]
    return json.dumps(data[0] if len(data) == 1 else data, indent=2, ensure_ascii=False)


def to_jsonl_line(record: Record) -> str:
    return record.model_dump_json()


def to_markdown(records: Sequence[Record]) -> str:
    return "\n\n---\n\n".join(record_markdown(record) for record in records) + "\n"


def describe_count(count: Count | None) -> str | None:
    """'at least 17 ("at least 17 injuries")' — the figure and the article's own words."""
    if count is None:
        return None
    if count.value is None and count.low is None and count.high is None:
        figure = "no figure given"
    elif count.low is not None and count.high is not None and (count.qualifier == "range" or count.low != count.high):
        figure = f"{count.low}–{count.high}"
    else:
        best = count.figure()
        qualifier = count.qualifier
        if qualifier == "range" and count.value is None:  # a range with one bound known: say which
            qualifier = "at_least" if count.low is not None else "at_most"
        prefix = {"at_least": "at least ", "at_most": "at most ", "about": "about "}.get(qualifier, "")
        figure = f"{prefix}{best}"
    return f'{figure} ("{count.phrase}")' if count.phrase else figure


def _md(text: str) -> str:
    """Keep article text from turning into Markdown structure (headings, links, HTML)."""
    return text.replace("\\", "\\\\").replace("<", "&lt;").replace(">", "&gt;").replace("[", "\\[").replace("`", "\\`")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def record_markdown(record: Record) -> str:
    from summarizer.record.schema import CASUALTY_FIELDS  # pydantic: loaded by the record already, not by `--help`

    event, meta = record.event, record.article
    lines = [f"## {_md(event.title)}", ""]
    lines.append(
        f"*{event.event_type.replace('_', ' ')}* · source `{_md(meta.source)}`"
        + (f" · published {meta.published}" if meta.published else "")
    )
    lines += ["", _md(event.summary), ""]
    facts: list[tuple[str, str]] = []
    if event.when:
        window = event.when
        dates = (
            f"{window.date_start}"
            if window.date_start == window.date_end
            else f"{window.date_start} – {window.date_end}"
        )
        facts.append(("When", f'{dates if window.date_start else "date not stated"} ("{_md(window.phrase)}")'))
    if event.places:
        facts.append(("Where", ", ".join(f"{_md(p.name)} ({p.kind})" for p in event.places)))
    if event.actors:
        facts.append(("Who", ", ".join(f"{_md(a.name)} ({a.role})" for a in event.actors)))
    if event.casualties:
        for name in CASUALTY_FIELDS:
            described = describe_count(getattr(event.casualties, name))
            if described:
                facts.append((name.replace("_", " ").capitalize(), _md(described)))
    for weapon in event.weapons:
        parts = [weapon.kind.replace("_", " ") + (f" ({_md(weapon.name)})" if weapon.name else "")]
        for label, count in (("launched", weapon.launched), ("intercepted", weapon.intercepted)):
            described = describe_count(count)
            if described:
                parts.append(f"{label} {_md(described)}")
        facts.append(("Weapon", ", ".join(parts)))
    for damage in event.damage:
        facts.append(("Damage", _md(damage.what) + (f" in {_md(damage.place)}" if damage.place else "")))
    for statement in event.statements:
        who = _md(statement.speaker) + (f", {_md(statement.title)}" if statement.title else "")
        facts.append(("Statement", f"{who}: {_md(statement.gist)}"))
    for note in event.context:
        facts.append(("Context", _md(note.note)))
    if facts:
        lines += ["| | |", "|---|---|", *[f"| {label} | {_cell(value)} |" for label, value in facts], ""]
    if record.warnings:
        lines.append(f"**Warnings ({len(record.warnings)})**")
        lines += [f"- `{w.code}` {w.path + ': ' if w.path else ''}{_md(w.message)}" for w in record.warnings]
        lines.append("")
    from summarizer.output.what_ran import provenance_summary

    lines.append(f"<sub>{_md(provenance_summary(record.provenance.model_dump(mode='json')))}</sub>")
    return "\n".join(lines)
