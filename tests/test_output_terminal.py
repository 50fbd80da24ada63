"""The terminal view of records: headings and facts with their evidence, no raw Markdown, warnings in one line,
and article text that stays text (no console markup, no terminal escape sequences)."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Any

from rich.console import Console

from summarizer.output.formats import describe_count
from summarizer.output.terminal import WARNINGS_HINT, print_records, record_facts, source_of, warnings_line
from summarizer.record import ArticleMeta, Issue, Record, unmodelled_provenance
from summarizer.record.schema import Event

RECORDS = Path(__file__).parent / "data" / "records"


def seed(name: str = "seed_000.json") -> Record:
    return Record.model_validate_json((RECORDS / name).read_text(encoding="utf-8"))


def make_record(event: dict[str, Any], text: str = "", **fields: Any) -> Record:
    """A hand-made record of an article ``text`` (spans, sources and warnings given in ``fields``)."""
    meta = ArticleMeta(
        id="hand",
        source="hand.txt",
        published=None,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        chars=len(text),
    )
    base = {"event_type": "other", "title": "A title", "summary": "A summary."}
    return Record(
        article=meta, event=Event.model_validate(base | event), provenance=unmodelled_provenance("hand"), **fields
    )


def console() -> Console:
    return Console(record=True, width=100, force_terminal=True, file=io.StringIO())


def render(records: list[Record]) -> tuple[str, str]:
    """(the text a person sees, the raw bytes sent to the terminal)."""
    out = console()
    print_records(records, out)
    raw = out.file.getvalue()  # type: ignore[attr-defined]
    return out.export_text(), raw


WARNINGS = [
    Issue(code="disagreement", path="casualties.injured", message="kept model: at least 17; the reader said 13"),
    Issue(code="ungrounded", path="places[5]", message="place 'Atlantis' is not in the article"),
    Issue(code="disagreement", path="when", message="kept reader: 2024-03-21; the model said 2024-03-20"),
]


def test_a_seed_record_reads_as_a_heading_a_line_of_metadata_and_facts() -> None:
    text, _ = render([seed()])
    lines = text.splitlines()
    assert lines[0] == "Russian missile attack on Kyiv: 31 missiles intercepted, at least 17 injured by debris"
    assert lines[1] == (
        "missile or air strike · source ../shared/seeds/000_ede6e3fe3861d4f9.txt · published 2024-03-21"
    )
    assert "Overnight on 21 March 2024 Russia launched 31 missiles at Kyiv" in text
    rows = [" ".join(row.split()) for row in lines]  # a row's cells, one space apart
    for fact in (
        "When 2024-03-21, overnight “In a stark overnight operation”",  # the value, then its evidence
        "Place Kyiv (city) “intercepted 31 missiles launched by Russia at",
        "Place Podilsky (district)",
        "Actor Russia (attacker)",
        "Weapon missile “Ukraine's air defense forces intercepted 31",
        'launched 31 ("31 missiles launched")',
        'intercepted 31 ("intercepted 31',
        'Injured at least 17 ("at least 17") “resulted in at least 17 injuries due to',
        'Children injured 1 ("including a child")',
    ):
        assert any(row.startswith(fact) for row in rows), fact
    for section in ("Statements", "Damage", "Background"):
        assert section in rows
    assert lines[-1] == "no warnings"


def test_no_raw_markdown() -> None:
    text, _ = render([seed(), seed("seed_001.json").model_copy(update={"warnings": WARNINGS})])
    for markdown in ("## ", "| |", "|---", "`", "<sub>", "**", "&lt;"):
        assert markdown not in text, markdown


def test_warnings_are_summarised_in_one_line_at_the_end() -> None:
    record = seed().model_copy(update={"warnings": WARNINGS})
    text, _ = render([record])
    line = "3 warnings (2 disagreement, 1 removed) — see them all with --format markdown or json"
    assert text.splitlines()[-1] == line
    assert [row for row in text.splitlines() if "warning" in row] == [line]
    assert "Atlantis" not in text and "the reader said 13" not in text  # the messages are for markdown / json


def test_the_warnings_line_stays_one_line_on_a_narrow_terminal() -> None:
    codes = ["disagreement", "ungrounded", "repaired", "corrected", "duplicate", "input", "unsupported"]
    record = seed().model_copy(update={"warnings": [Issue(code=code, message="m") for code in codes]})
    narrow = Console(record=True, width=40, force_terminal=True, file=io.StringIO())
    print_records([record], narrow)
    last = narrow.export_text().splitlines()[-1]
    assert last.startswith("7 warnings (1 corrected, 1 disagreement, 1 duplicate removed, ")
    assert last.endswith(WARNINGS_HINT)


def test_warnings_line_counts_and_words() -> None:
    assert warnings_line(seed()) is None
    one = seed().model_copy(update={"warnings": [Issue(code="ungrounded", message="x")]})
    assert warnings_line(one) == f"1 warning (1 removed) — {WARNINGS_HINT}"


def test_markup_and_escape_sequences_in_article_text_print_literally() -> None:
    hostile = "[bold]Kyiv[/bold] [link=https://evil.example]click[/link] :smile: [/]"
    escapes = "\x1b]8;;https://evil.example\x1b\\here\x1b]8;;\x1b\\ \x1b[2J \u202eevil"
    record = make_record(
        {
            "title": hostile,
            "summary": f"Summary {hostile}",
            "places": [{"name": "[red]Odesa[/red]", "kind": "city", "evidence": f"struck [i]Odesa[/i] {escapes}"}],
        },
        sources={"places[0]": "model"},
    )
    text, raw = render([record])
    assert text.splitlines()[0] == hostile
    assert f"Summary {hostile}" in text
    assert "[red]Odesa[/red] (city)" in text
    assert "[i]Odesa[/i]" in text
    assert "\\x1b]8;;https://evil.example\\x1b\\here" in text  # control characters shown, not sent
    assert "\\u202eevil" in text
    for sent in ("\x1b]8;", "\x1b[2J", "\u202e"):
        assert sent not in raw
    assert "😄" not in raw and "evil.example\x1b" not in raw


def test_sources_are_shown_beside_their_facts() -> None:
    record = seed().model_copy(
        update={"sources": {"places[0]": "both", "casualties.injured": "reader", "weapons[0]": "model"}}
    )
    text, _ = render([record])
    rows = text.splitlines()
    assert next(row for row in rows if "Kyiv (city)" in row).rstrip().endswith("both")
    assert next(row for row in rows if row.startswith("Injured")).rstrip().endswith("reader")
    assert next(row for row in rows if row.lstrip().startswith("launched")).rstrip().endswith("model")
    assert source_of(record, "weapons[0].launched") == "model"  # the weapon's source covers its counts
    assert source_of(record, "actors[0]") is None
    assert "source" not in render([seed()])[0].split("\n", 2)[2]  # no source column when no source is known


def test_record_facts_cover_every_kind_and_reuse_describe_count() -> None:
    record = seed()
    facts = {fact.path: fact for fact in record_facts(record)}
    event = record.event
    assert event.casualties is not None and event.weapons[0].launched is not None
    assert facts["casualties.injured"].value == describe_count(event.casualties.injured)
    assert facts["weapons[0].launched"].value == describe_count(event.weapons[0].launched)
    assert facts["weapons[0].launched"].evidence == event.weapons[0].launched.evidence
    assert {f.section for f in facts.values()} == {"facts", "statements", "damage", "context"}
    assert set(record.spans) <= set(facts)  # every grounded span is a fact shown
    statement = facts["statements[0]"]
    assert (statement.label, statement.value) == (
        event.statements[0].speaker + (f", {event.statements[0].title}" if event.statements[0].title else ""),
        event.statements[0].gist,
    )


def test_several_records_are_separated_and_a_bare_record_still_renders() -> None:
    bare = make_record({"title": "Nothing stated"})
    text, _ = render([seed(), bare])
    assert text.index("Russian missile attack") < text.index("Nothing stated")
    assert "─" * 50 in text  # the rule between records
    tail = text[text.index("Nothing stated") :].splitlines()
    assert tail[:5] == ["Nothing stated", "other · source hand.txt", "", "A summary.", ""]
    assert tail[-1] == "no warnings"
    assert " ".join(tail[5:-1]).startswith("strategy model · backend hand · model hand · prompt hand v0")
