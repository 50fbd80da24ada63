"""The HTML view of records: each article with its grounded spans highlighted and labelled, the facts beside
it, the warnings visible; hostile text stays text, in the page source and in headless Chromium.

The browser tests need the Debian package `chromium` (they skip without it locally, fail in CI), as in
test_eval_html.py, whose helpers they use.
"""

from __future__ import annotations

import hashlib
import struct
from pathlib import Path

import pytest
from test_eval_html import HOSTILE, Dom, browse

from summarizer.ingest.articles import load_article
from summarizer.output.html import records_html
from summarizer.record import ArticleMeta, Issue, Record, Span, unmodelled_provenance
from summarizer.record.schema import Event

ROOT = Path(__file__).parents[1]
RECORDS = Path(__file__).parent / "data" / "records"
FIXTURES = ROOT / "evals" / "fixtures"

HOSTILE_TEXT = (
    "Overnight, a missile struck <b onmouseover=alert(4)>Odesa</b>. "
    + " ".join(HOSTILE)
    + " At least 5 people were injured, the mayor said."
)
PLACE_QUOTE = "a missile struck <b onmouseover=alert(4)>Odesa</b>"
INJURED_QUOTE = "At least 5 people were injured"


class Marks(Dom):
    """The parsed page, with the text inside each <mark> as well."""

    def __init__(self) -> None:
        super().__init__()
        self.marked: list[str] = []
        self._in_mark = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        super().handle_starttag(tag, attrs)
        if tag == "mark":
            self._in_mark = True
            self.marked.append("")

    def handle_endtag(self, tag: str) -> None:
        super().handle_endtag(tag)
        self._in_mark = False if tag == "mark" else self._in_mark

    def handle_data(self, data: str) -> None:
        super().handle_data(data)
        if self._in_mark:
            self.marked[-1] += data


def parsed(page: str) -> Marks:
    dom = Marks()
    dom.feed(page)
    dom.close()
    return dom


def span_of(quote: str) -> Span:
    start = HOSTILE_TEXT.index(quote)
    return Span(start=start, end=start + len(quote), match="exact", score=1.0)


def hostile_record() -> Record:
    event = {
        "event_type": "missile_or_air_strike",
        "title": HOSTILE[0] + " title",
        "summary": "Summary " + HOSTILE[1],
        "places": [{"name": "Odesa", "kind": "city", "evidence": PLACE_QUOTE}],
        "casualties": {
            "injured": {
                "evidence": INJURED_QUOTE,
                "phrase": "At least 5",
                "value": 5,
                "low": 5,
                "qualifier": "at_least",
            }
        },
    }
    meta = ArticleMeta(
        id="hostile",
        source="<i>hostile</i>.txt",
        url="javascript:alert(6)",
        sha256=hashlib.sha256(HOSTILE_TEXT.encode("utf-8")).hexdigest(),
        chars=len(HOSTILE_TEXT),
    )
    return Record(
        article=meta,
        event=Event.model_validate(event),
        spans={"places[0]": span_of(PLACE_QUOTE), "casualties.injured": span_of(INJURED_QUOTE)},
        sources={"places[0]": "both", "casualties.injured": "model"},
        provenance=unmodelled_provenance("hand"),
        warnings=[
            Issue(
                code="disagreement",
                path="casualties.injured",
                message=f"kept model: at least 5; the reader said 4 (evidence: {HOSTILE[1]!r})",
            ),
            Issue(code="ungrounded", path="actors[0]", message=f"actor {HOSTILE[2]!r} is not in the article"),
            Issue(code="repaired", path="places[0]", message="evidence replaced by the sentence that names 'Odesa'"),
        ],
    )


def seed(name: str) -> Record:
    return Record.model_validate_json((RECORDS / name).read_text(encoding="utf-8"))


@pytest.fixture
def items() -> list[tuple[Record, str | None]]:
    first = seed("seed_000.json")
    article = load_article(FIXTURES / f"{first.article.id}.txt")
    return [(first, article.text), (hostile_record(), HOSTILE_TEXT), (seed("seed_001.json"), None)]


@pytest.fixture
def page(items: list[tuple[Record, str | None]], tmp_path: Path) -> Path:
    path = tmp_path / "records.html"
    path.write_text(records_html(items), encoding="utf-8")
    return path


def test_each_record_has_its_section_article_facts_and_warnings(items: list[tuple[Record, str | None]]) -> None:
    source = records_html(items)
    assert source.startswith("<!DOCTYPE html>")
    dom = parsed(source)
    assert dom.sections == ["record-0", "record-1", "record-2"]
    assert dom.headings == [record.event.title for record, _ in items]
    assert source.count("<div class='article'>") == 2  # the third record has no text: facts only
    assert source.count("<table class='facts'>") == 3
    seed_record = items[0][0]
    # every span is marked and labelled (overlapping spans share pieces, each labelled with all their fields)
    assert {path for title in dom.titles for path in title.split(", ")} == {*seed_record.spans, *items[1][0].spans}
    assert "Disagreements: the value not kept, with its evidence (1)" in source
    assert "Removed by grounding (1)" in source and "Other warnings (1)" in source
    text = "".join(dom.text)
    assert "the reader said 4" in text and "is not in the article" in text
    assert "Kyiv (city)" in text and "at least 17" in text and "Podilsky (district)" in text


def test_marks_hold_exactly_the_evidence_and_say_which_field(items: list[tuple[Record, str | None]]) -> None:
    dom = parsed(records_html(items[1:2]))
    assert list(zip(dom.titles, dom.marked, strict=True)) == [
        ("places[0]", PLACE_QUOTE),
        ("casualties.injured", INJURED_QUOTE),
    ]


def test_hostile_text_is_escaped_everywhere(items: list[tuple[Record, str | None]]) -> None:
    source = records_html(items)
    for needle in ("<script", "<img", "<svg", "<b onmouseover", "<i>hostile", "href='javascript", 'href="javascript'):
        assert needle not in source, needle
    assert "&lt;script&gt;alert(1)&lt;/script&gt; title" in source
    dom = parsed(source)
    assert not {"script", "img", "svg", "b", "i", "iframe"} & set(dom.tags)
    assert dom.handlers == []
    text = "".join(dom.text)
    for hostile in [*HOSTILE, "<b onmouseover=alert(4)>Odesa</b>", "<i>hostile</i>.txt", "javascript:alert(6)"]:
        assert hostile in text


def test_a_text_other_than_the_records_is_shown_without_highlights() -> None:
    record = hostile_record()
    source = records_html([(record, HOSTILE_TEXT + " Later edits.")])
    assert "<mark" not in source
    assert "sha256 differs" in source and "Later edits." in source


def test_a_truncated_record_highlights_the_part_it_read() -> None:
    record = hostile_record()
    note = Issue(code="input", message="article truncated to its first 10 of 20 characters to fit the model's context")
    record = record.model_copy(update={"warnings": [note, *record.warnings]})
    source = records_html([(record, HOSTILE_TEXT + "\nThe rest, not read.")])
    assert "<mark" in source and "first " in source and "(--truncate)" in source
    assert "The rest, not read." not in source and "sha256 differs" not in source


def test_unlocated_evidence_is_said_so() -> None:
    record = hostile_record()
    record = record.model_copy(update={"spans": {"places[0]": record.spans["places[0]"]}})
    source = records_html([(record, HOSTILE_TEXT)])
    assert source.count("(not located in the article)") == 1


def test_chromium_renders_the_highlights_and_runs_nothing(
    page: Path, items: list[tuple[Record, str | None]], tmp_path: Path
) -> None:
    dom = parsed(browse(tmp_path, "--dump-dom", page.as_uri()).stdout)
    assert "table" in dom.tags and "mark" in dom.tags
    assert not {"script", "img", "svg", "iframe", "object", "embed"} & set(dom.tags)
    assert dom.handlers == []
    assert dom.sections == ["record-0", "record-1", "record-2"]
    assert dom.headings == [record.event.title for record, _ in items]
    assert PLACE_QUOTE in dom.marked and INJURED_QUOTE in dom.marked
    assert any("places[0]" in title for title in dom.titles)
    assert any("casualties.injured" in title for title in dom.titles)
    text = "".join(dom.text)
    for hostile in [*HOSTILE, "<b onmouseover=alert(4)>Odesa</b>"]:
        assert hostile in text  # shown as text


def test_chromium_screenshot(page: Path, tmp_path: Path) -> None:
    shot = tmp_path / "records.png"
    browse(tmp_path, f"--screenshot={shot}", "--window-size=1200,900", "--hide-scrollbars", page.as_uri())
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", data[16:24]) == (1200, 900)
    assert len(data) > 20_000  # a page with an article, tables and highlights, not a blank canvas
