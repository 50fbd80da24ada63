"""The HTML pages render through Jinja2 templates with autoescape: a hostile article (markup that closes the
highlighter's own <mark>, template syntax, quotes in a field path) is shown as text, in the page source and in
headless Chromium, and the text is data, never a template."""

from __future__ import annotations

import hashlib
from pathlib import Path

from test_eval_html import browse
from test_output_html import hostile_record, parsed

from summarizer.output.highlight import highlight, pieces
from summarizer.output.html import records_html
from summarizer.record import Record, Span

TEXT = "Before </mark><script>alert(1)</script> a missile struck {{ 7*7 }} Odesa {% raw %}x{# c #}. After."
QUOTE = "</mark><script>alert(1)</script> a missile struck {{ 7*7 }} Odesa"
PATH = "places[0]\" onmouseover=\"alert(2)' x='"  # a field path with both kinds of quote


def hostile_page_record() -> Record:
    record = hostile_record()
    start = TEXT.index(QUOTE)
    span = Span(start=start, end=start + len(QUOTE), match="exact", score=1.0)
    article = record.article.model_copy(
        update={"sha256": hashlib.sha256(TEXT.encode("utf-8")).hexdigest(), "chars": len(TEXT)}
    )
    event = record.event.model_copy(update={"title": "{{ 7*7 }} </mark><script>alert(3)</script>"})
    return record.model_copy(update={"article": article, "event": event, "spans": {PATH: span}})


def test_the_highlighter_keeps_a_hostile_article_and_path_as_text() -> None:
    start = TEXT.index(QUOTE)
    marked = highlight(TEXT, {PATH: {"start": start, "end": start + len(QUOTE)}})
    assert "<script" not in marked and 'onmouseover="' not in marked
    assert marked.count("<mark") == 1 and marked.count("</mark>") == 1  # the article's </mark> is text
    dom = parsed(marked)
    assert dom.titles == [PATH] and dom.marked == [QUOTE] and dom.handlers == []
    assert "".join(dom.text) == TEXT
    assert [piece.paths for piece in pieces(TEXT, {PATH: {"start": start, "end": start + len(QUOTE)}})] == [
        (),
        (PATH,),
        (),
    ]


def test_a_hostile_record_page_is_inert_in_source_and_in_chromium(tmp_path: Path) -> None:
    source = records_html([(hostile_page_record(), TEXT)])
    assert "<script" not in source and "49 Odesa" not in source  # no markup, no template evaluated
    assert source.count("<mark") == 1 and source.count("</mark>") == 1
    assert "{{ 7*7 }}" in source and "{% raw %}x{# c #}" in source  # template syntax kept as it was
    for dom in (parsed(source), parsed(_dumped(tmp_path, source))):
        assert "script" not in dom.tags and dom.handlers == []
        assert dom.titles == [PATH] and dom.marked == [QUOTE]
        assert dom.headings == ["{{ 7*7 }} </mark><script>alert(3)</script>"]
        assert TEXT in "".join(dom.text)


def _dumped(tmp_path: Path, source: str) -> str:
    page = tmp_path / "hostile.html"
    page.write_text(source, encoding="utf-8")
    return browse(tmp_path, "--dump-dom", page.as_uri()).stdout


def test_text_is_never_made_into_a_template() -> None:
    """Templates come from the package's files only; no string (an article, an answer) is compiled as one."""
    package = Path(__file__).parents[1] / "summarizer"
    for path in package.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        for needle in ("from_string(", "Template(", "Markup(", "autoescape=False"):
            assert needle not in source, f"{path.relative_to(package)}: {needle}"
