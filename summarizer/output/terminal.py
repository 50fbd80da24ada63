"""A record a person can read on a terminal: a heading, the facts with the article's own words, a one-line
summary of the warnings.

Everything that comes from the article or the model (titles, names, quotes, paths) is untrusted: it goes
into ``rich.text.Text``, never through console markup, so ``[bold]`` or ``[link=...]`` in an article prints
as written; control characters (terminal escape sequences, bidi overrides) are shown as ``\\x1b``-style
escapes instead of being sent to the terminal.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from rich import box
from rich.console import Console, RenderableType
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from summarizer.output.formats import describe_count
from summarizer.output.what_ran import provenance_summary
from summarizer.record import Record
from summarizer.record.schema import CASUALTY_FIELDS, Count, TimeWindow

# The sections of a record's facts, with their column headers (label, value, evidence).
SECTIONS: dict[str, tuple[str, str, str]] = {
    "facts": ("fact", "value", "evidence"),
    "statements": ("speaker", "said", "quote"),
    "damage": ("what", "where", "evidence"),
    "context": ("note", "", "evidence"),
}
SECTION_TITLES = {"facts": "", "statements": "Statements", "damage": "Damage", "context": "Background"}
# How the one-line warnings summary names a warning code; codes not listed are shown as they are.
WARNING_WORDS = {"ungrounded": "removed", "duplicate": "duplicate removed"}
WARNINGS_HINT = "see them all with --format markdown or json"
EVIDENCE_STYLE = "dim italic"

# C0 / C1 control characters (but tab and newline) and the bidirectional overrides: never sent as they are.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


@dataclass(frozen=True)
class Fact:
    """One row of a record's facts: ``path`` names the field in the event (the key of ``Record.spans`` and
    ``Record.sources``), ``evidence`` is the article's words the value stands on."""

    section: str  # a key of SECTIONS
    label: str
    value: str
    evidence: str | None
    path: str


def _dates(window: TimeWindow) -> str:
    if window.date_start is None:
        dates = "date not stated"
    elif window.date_end in (None, window.date_start):
        dates = str(window.date_start)
    else:
        dates = f"{window.date_start} – {window.date_end}"
    if window.time_of_day:
        dates += f", {window.time_of_day}"
    return f'{dates} ("{window.phrase}")' if window.phrase else dates


def _count_fact(label: str, count: Count | None, path: str) -> list[Fact]:
    described = describe_count(count)
    if count is None or described is None:
        return []
    return [Fact("facts", label, described, count.evidence, path)]


def record_facts(record: Record) -> list[Fact]:
    """The record's facts in reading order: when, places, actors, weapons (with launched and intercepted
    counts), casualties; then statements, damage and background."""
    event = record.event
    facts: list[Fact] = []
    if event.when:
        facts.append(Fact("facts", "When", _dates(event.when), event.when.evidence, "when"))
    for index, place in enumerate(event.places):
        facts.append(Fact("facts", "Place", f"{place.name} ({place.kind})", place.evidence, f"places[{index}]"))
    for index, actor in enumerate(event.actors):
        facts.append(Fact("facts", "Actor", f"{actor.name} ({actor.role})", actor.evidence, f"actors[{index}]"))
    for index, weapon in enumerate(event.weapons):
        path = f"weapons[{index}]"
        kind = weapon.kind.replace("_", " ") + (f" ({weapon.name})" if weapon.name else "")
        facts.append(Fact("facts", "Weapon", kind, weapon.evidence, path))
        facts += _count_fact("  launched", weapon.launched, f"{path}.launched")
        facts += _count_fact("  intercepted", weapon.intercepted, f"{path}.intercepted")
    if event.casualties:
        for name in CASUALTY_FIELDS:
            label = name.replace("_", " ").capitalize()
            facts += _count_fact(label, getattr(event.casualties, name), f"casualties.{name}")
    for index, statement in enumerate(event.statements):
        who = statement.speaker + (f", {statement.title}" if statement.title else "")
        facts.append(Fact("statements", who, statement.gist, statement.evidence, f"statements[{index}]"))
    for index, damage in enumerate(event.damage):
        facts.append(Fact("damage", damage.what, damage.place or "", damage.evidence, f"damage[{index}]"))
    for index, note in enumerate(event.context):
        facts.append(Fact("context", note.note, "", note.evidence, f"context[{index}]"))
    return facts


def source_of(record: Record, path: str) -> str | None:
    """Who stated the value at ``path`` (model, reader or both): the path's own entry, else its nearest
    enclosing field's ('weapons[0]' for 'weapons[0].launched')."""
    while path:
        if path in record.sources:
            return record.sources[path]
        cut = max(path.rfind("."), path.rfind("["))
        path = path[:cut] if cut > 0 else ""
    return None


def warnings_line(record: Record) -> str | None:
    """'3 warnings (2 disagreement, 1 removed) — see them all with ...', or None for a record without any."""
    if not record.warnings:
        return None
    counts = Counter(WARNING_WORDS.get(w.code, w.code) for w in record.warnings)
    kinds = ", ".join(f"{n} {word}" for word, n in sorted(counts.items(), key=lambda item: (-item[1], item[0])))
    total = len(record.warnings)
    return f"{total} warning{'s' if total != 1 else ''} ({kinds}) — {WARNINGS_HINT}"


def safe(text: str | None, style: str = "") -> Text:
    """Untrusted text as a rich Text: no markup, no emoji codes, control characters made visible."""
    shown = _UNSAFE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text or "")
    return Text(shown, style=style)


def _table(record: Record, section: str, facts: list[Fact]) -> Table:
    label, value, evidence = SECTIONS[section]
    with_sources = bool(record.sources)
    table = Table(
        title=SECTION_TITLES[section] or None,
        title_justify="left",
        title_style="bold",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        expand=True,
    )
    table.add_column(label, style="bold", ratio=2, overflow="fold")
    table.add_column(value, ratio=3, overflow="fold")
    table.add_column(evidence, ratio=5, overflow="fold")
    if with_sources:
        table.add_column("source", no_wrap=True)
    for fact in facts:
        quote = safe(f"“{fact.evidence}”" if fact.evidence else "", EVIDENCE_STYLE)
        cells = [safe(fact.label), safe(fact.value), quote]
        if with_sources:
            cells.append(safe(source_of(record, fact.path) or "", "dim"))
        table.add_row(*cells)
    return table


def about_line(record: Record) -> str:
    """'missile or air strike · source kyiv.txt · published 2024-03-21'."""
    event, meta = record.event, record.article
    about = f"{event.event_type.replace('_', ' ')} · source {meta.source}"
    return about + (f" · published {meta.published}" if meta.published else "")


def provenance_line(record: Record) -> str:
    """Who made the record: strategy, backend, model, prompt (or the reader alone), schema, tokens, calls, time."""
    return provenance_summary(record.provenance.model_dump(mode="json"))


def record_view(record: Record) -> list[RenderableType]:
    """What ``print_records`` prints for one record, in order; the last is the warnings line."""
    event = record.event
    parts: list[RenderableType] = [safe(event.title, "bold"), safe(about_line(record), "dim")]
    parts += [Text(), safe(event.summary)]
    facts = record_facts(record)
    for section in SECTIONS:
        rows = [fact for fact in facts if fact.section == section]
        if rows:
            parts += [Text(), _table(record, section, rows)]
    line = warnings_line(record)
    parts += [
        Text(),
        safe(provenance_line(record), "dim"),
        safe(line, "yellow") if line else safe("no warnings", "dim"),
    ]
    return parts


def print_records(records: Sequence[Record], console: Console) -> None:
    """Each record: its title, type, source and date, its facts beside the article's words, and its warnings
    in one line; a rule between records."""
    for index, record in enumerate(records):
        if index:
            console.print(Rule(style="dim"))
        *body, warnings = record_view(record)
        for part in body:
            console.print(part, highlight=False)
        console.print(warnings, highlight=False, soft_wrap=True)  # one line, however narrow the terminal
