"""Render records as JSON, JSON Lines or a Markdown summary (the rich and HTML views are terminal.py and html.py;
untrusted text in the Markdown goes through ``summarizer.output.markdown``)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

from summarizer.output.markdown import md_code, md_escape

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


def record_markdown(record: Record) -> str:
    from summarizer.record.schema import CASUALTY_FIELDS  # pydantic: loaded by the record already, not by `--help`

    event, meta = record.event, record.article
    lines = [f"## {md_escape(event.title)}", ""]
    lines.append(
        f"*{event.event_type.replace('_', ' ')}* · source {md_code(meta.source)}"
        + (f" · published {meta.published}" if meta.published else "")
    )
    lines += ["", md_escape(event.summary), ""]
    facts: list[tuple[str, str]] = []
    if event.when:
        window = event.when
        dates = (
            f"{window.date_start}"
            if window.date_start == window.date_end
            else f"{window.date_start} – {window.date_end}"
        )
        facts.append(("When", f'{dates if window.date_start else "date not stated"} ("{md_escape(window.phrase)}")'))
    if event.places:
        facts.append(("Where", ", ".join(f"{md_escape(p.name)} ({p.kind})" for p in event.places)))
    if event.actors:
        facts.append(("Who", ", ".join(f"{md_escape(a.name)} ({a.role})" for a in event.actors)))
    if event.casualties:
        for name in CASUALTY_FIELDS:
            described = describe_count(getattr(event.casualties, name))
            if described:
                facts.append((name.replace("_", " ").capitalize(), md_escape(described)))
    for weapon in event.weapons:
        parts = [weapon.kind.replace("_", " ") + (f" ({md_escape(weapon.name)})" if weapon.name else "")]
        for label, count in (("launched", weapon.launched), ("intercepted", weapon.intercepted)):
            described = describe_count(count)
            if described:
                parts.append(f"{label} {md_escape(described)}")
        facts.append(("Weapon", ", ".join(parts)))
    for damage in event.damage:
        facts.append(("Damage", md_escape(damage.what) + (f" in {md_escape(damage.place)}" if damage.place else "")))
    for statement in event.statements:
        who = md_escape(statement.speaker) + (f", {md_escape(statement.title)}" if statement.title else "")
        facts.append(("Statement", f"{who}: {md_escape(statement.gist)}"))
    for note in event.context:
        facts.append(("Context", md_escape(note.note)))
    if facts:
        lines += ["| | |", "|---|---|", *[f"| {label} | {value} |" for label, value in facts], ""]
    if record.warnings:
        lines.append(f"**Warnings ({len(record.warnings)})**")
        lines += [
            f"- `{w.code}` {md_escape(w.path) + ': ' if w.path else ''}{md_escape(w.message)}" for w in record.warnings
        ]
        lines.append("")
    from summarizer.output.what_ran import provenance_summary

    lines.append(f"<sub>{md_escape(provenance_summary(record.provenance.model_dump(mode='json')))}</sub>")
    return "\n".join(lines)
