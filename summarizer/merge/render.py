"""Merged events as JSON, JSONL or markdown.

JSON follows ``summarize``: one merged event as an object, several as an array; either can
be merged again. The
markdown is for a person: every figure with each source's own phrase side by side, and a
table of quotes for every figure the sources state differently. Article text is untrusted:
everything taken from a source goes through ``summarizer.output.markdown.md_escape`` (the record view's
escaper too), so it cannot become Markdown structure, a link or raw HTML, nor break a table cell.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence

from summarizer.errors import ConfigError
from summarizer.output.formats import DOCUMENT_FORMATS, TERMINAL
from summarizer.output.markdown import md_escape as esc
from summarizer.record.merged import CountClaim, MergedCount, MergedEvent, Quote, SourceRef

FORMATS = DOCUMENT_FORMATS  # a merged event has no HTML page


def render_merged(events: Sequence[MergedEvent], fmt: str) -> str:
    """The events in ``fmt`` (json | jsonl | markdown | csv, or ``terminal``: the Markdown drawn by rich), ending
    with a newline (parquet: ``summarizer.output.tables.write_parquet``)."""
    if fmt == "json":  # like `summarize`: one event as an object, several as an array
        data = [e.model_dump(mode="json") for e in events]
        return json.dumps(data[0] if len(data) == 1 else data, indent=2, ensure_ascii=False) + "\n"
    if fmt == "jsonl":
        return "".join(json.dumps(e.model_dump(mode="json"), ensure_ascii=False) + "\n" for e in events)
    if fmt == "markdown":
        return "\n\n---\n\n".join(render_markdown(e) for e in events) + "\n"
    if fmt == "csv":
        from summarizer.output.tables import to_csv

        return to_csv(events)
    if fmt == TERMINAL:
        return rendered_markdown("\n\n---\n\n".join(render_markdown(e) for e in events) + "\n")
    raise ConfigError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")


def rendered_markdown(text: str, width: int | None = None) -> str:
    """Markdown as a terminal shows it, drawn by rich (headings, tables, no backslash escapes left)."""
    import shutil

    from rich.console import Console
    from rich.markdown import Markdown

    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=width or shutil.get_terminal_size().columns)
    console.print(Markdown(text))
    return buffer.getvalue()


def _src(source: SourceRef) -> str:
    return esc(source.id)


def _sources(refs: Sequence[SourceRef]) -> str:
    return ", ".join(dict.fromkeys(_src(s) for s in refs))


def _quotes(quotes: Sequence[Quote]) -> str:
    return _sources([q.source for q in quotes])


def render_markdown(event: MergedEvent) -> str:
    out = [f"# {esc(event.title)}", ""]
    n = len(event.reports)
    kind = event.event_type
    agreement = (
        "agreed"
        if kind.agreed
        else "sources disagree: " + "; ".join(f"{esc(c.value)} ({_sources(c.sources)})" for c in kind.claims)
    )
    plural = "s" if n != 1 else ""
    origin = _src(event.sources[0])
    out.append(f"*Merged from {n} report{plural} · {esc(kind.value)} ({agreement}) · policy: {event.policy} · "
               f"title and summary from {origin} · id {event.id}*")  # fmt: skip
    out.append("")
    if event.when is not None:
        w = event.when
        dates = (
            "not dated"
            if w.date_start is None
            else w.date_start.isoformat()
            if w.date_start == w.date_end
            else f"{w.date_start} to {w.date_end}"
        )
        phrases = "; ".join(f"'{esc(c.phrase)}' ({_src(c.source)})" for c in w.claims)
        times = f", time of day: {', '.join(esc(t) for t in w.times_of_day)}" if w.times_of_day else ""
        flag = " **(disputed)**" if w.disputed else ""
        out.append(f"**When:** {dates}{flag}{times} — {phrases}  ")
    if event.places:
        places = ", ".join(f"{esc(p.name)} ({esc(p.kind)})" for p in event.places)
        out.append(f"**Where:** {places}  ")
    out.append(f"**Summary:** {esc(event.summary)}")
    out.append("")
    out.extend(_figures(event))
    out.extend(_lists(event))
    shown = tuple(f"{label}:" for label, _ in event.counts())
    notes = [note for note in event.notes if not note.startswith(shown)]  # figures are explained above
    if notes:
        out += ["## Notes", ""] + [f"- {esc(note)}" for note in notes] + [""]
    out += ["## Sources", "", "| Source | Published | From | URL | Extracted title |", "|---|---|---|---|---|"]
    for report, title in zip(event.reports, event.titles, strict=True):
        s = report.source
        published = s.published.isoformat() if s.published else "unknown"
        out.append(f"| {esc(s.id)} | {published} | {esc(s.source)} | {esc(s.url or '')} | {esc(title.text)} |")
    return "\n".join(out).rstrip() + "\n"


def _claim_text(claim: CountClaim) -> str:
    return esc(claim.phrase)


def _merged_text(count: MergedCount) -> str:
    if count.value is None:
        return "no figure (vague only)"
    spread = f"range {count.low}–{count.high}, " if count.low != count.high else ""
    consensus = f"; together: {esc(count.consensus)}" if count.consensus and count.status == "compatible" else ""
    flag = "**disputed**" if count.disputed else count.status
    return f"{count.value} ({spread}{flag}{consensus})"


def _figures(event: MergedEvent) -> list[str]:
    counts = event.counts()
    if not counts:
        return []
    sources = event.sources
    head = "| Figure | Merged | " + " | ".join(f"{_src(s)} ({s.published or 'undated'})" for s in sources) + " |"
    out = ["## Figures", "", head, "|---|---|" + "---|" * len(sources)]
    for label, count in counts:
        cells = []
        for source in sources:
            phrases = [_claim_text(c) for c in count.claims if c.source.key == source.key]
            cells.append("; ".join(phrases) if phrases else "—")
        out.append(f"| {esc(label)} | {_merged_text(count)} | " + " | ".join(cells) + " |")
    out.append("")
    for label, count in counts:
        if count.status in ("single", "agreed") and all(c.qualifier != "vague" for c in count.claims):
            continue
        out += [f"### {esc(label)}: {'DISPUTED' if count.disputed else count.status}", "", esc(count.note), ""]
        out += ["| Source | Published | Phrase | Qualifier | Evidence |", "|---|---|---|---|---|"]
        for c in count.claims:
            published = c.source.published.isoformat() if c.source.published else "unknown"
            out.append(f"| {_src(c.source)} | {published} | {esc(c.phrase)} | {c.qualifier} | “{esc(c.evidence)}” |")
        out.append("")
    return out


def _joined(texts: Sequence[str], separator: str = ", ") -> str:
    return separator.join(esc(text) for text in texts)


def _item(text: str, quotes: Sequence[Quote]) -> str:
    """A list item: what the sources say (``text``, escaped already), then which sources quote it."""
    return f"- {text} — {_quotes(quotes)}"


def _named(name: str, kind: str, aliases: Sequence[str], also: str) -> str:
    """A place or an actor: name (kind), then its other spellings."""
    others = f", {also} {_joined([alias for alias in aliases if alias != name])}" if len(aliases) > 1 else ""
    return f"{esc(name)} ({esc(kind)}){others}"


def _lists(event: MergedEvent) -> list[str]:
    out: list[str] = []

    def section(title: str, rows: list[str]) -> None:
        if rows:
            out.extend([f"## {title}", "", *rows, ""])

    section("Places", [_item(_named(p.name, p.kind, p.aliases, "also written"), p.quotes) for p in event.places])
    section("Actors", [_item(_named(a.name, a.role, a.aliases, "also"), a.quotes) for a in event.actors])
    weapons = [
        _item(f"{esc(w.family)}: {_joined(w.kinds)}" + (f" ({_joined(w.names)})" if w.names else ""), w.quotes)
        for w in event.weapons
    ]
    section("Weapons", weapons)
    damage = [
        _item(esc(d.what) + (f" (where: {_joined(d.places, '; ')})" if d.places else ""), d.quotes)
        for d in event.damage
    ]
    section("Damage", damage)
    rows = []
    for s in event.statements:
        rows.append(f"- **{esc(s.speaker)}**")
        rows += [f"  - {esc(c.gist)} ({_src(c.source)}: “{esc(c.evidence)}”)" for c in s.claims]
    section("Statements", rows)
    section("Context (background, not part of the event)", [_item(esc(c.note), c.quotes) for c in event.context])
    return out
