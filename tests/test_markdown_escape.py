"""The one Markdown escaper (``summarizer.output.markdown``), read back by a CommonMark parser with GFM tables
and strikethrough (markdown-it, which rich draws Markdown with): a hostile line stays text wherever a view puts
it (alone, under a line, in a heading, a list item or a table cell), and shows exactly what it said."""

from __future__ import annotations

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token
from test_output_html import hostile_record

from summarizer.output.formats import to_markdown
from summarizer.output.markdown import md_code, md_escape

PARSER = MarkdownIt("commonmark").enable(["table", "strikethrough"])

HOSTILE = [
    "# a heading",
    "###### six",
    "> a quote",
    "- a bullet",
    "+ a bullet",
    "* a bullet",
    "1. an ordered item",
    "7) an ordered item",
    "```python",
    "~~~",
    "    indented code",
    "| a | b |",
    "---",
    "***",
    "___",
    "===",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(2)>",
    "<!-- a comment -->",
    "[click](javascript:alert(3))",
    "![image](http://evil.example/x.png)",
    "<http://evil.example>",
    "[ref]: http://evil.example",
    "**bold** __bold__ *em* _em_ ~~struck~~ `code`",
    "snake_case_name stays as written",
    "back\\slash \\* \\[",
    "AT&amp;T &lt;b&gt; &#60;",
    "{{ 7*7 }} {% if %}",
    "first line\n# a heading on the next line\n\n- a list after a blank line",
]
# Where the views put escaped text: {} is the escaped text.
CONTEXTS = {
    "paragraph": "Before.\n\n{}\n",
    "under a line": "A line of text\n{}\n",
    "heading": "## {}\n",
    "list item": "- {}\n",
    "table cell": "| label | value |\n|---|---|\n| x | {} |\n",
}
STRUCTURE = {  # what each context itself makes; anything more came from the text
    "paragraph": {"paragraph_open"},
    "under a line": {"paragraph_open"},
    "heading": {"heading_open"},
    "list item": {"bullet_list_open", "list_item_open", "paragraph_open"},
    "table cell": {"table_open", "thead_open", "tr_open", "th_open", "tbody_open", "td_open"},
}


def opened(tokens: list[Token]) -> set[str]:
    found = set()
    for token in tokens:
        found.add(token.type)
        found.update(child.type for child in token.children or [])
    return {kind for kind in found if not kind.endswith("_close") and kind not in ("inline", "text", "softbreak")}


def shown(tokens: list[Token]) -> list[str]:
    return ["".join(child.content for child in token.children or []) for token in tokens if token.type == "inline"]


@pytest.mark.parametrize("context", CONTEXTS)
@pytest.mark.parametrize("line", HOSTILE)
def test_a_hostile_line_stays_text_where_a_view_puts_it(line: str, context: str) -> None:
    tokens = PARSER.parse(CONTEXTS[context].format(md_escape(line)))
    assert opened(tokens) == STRUCTURE[context]  # no heading, list, quote, code, link, image, HTML, emphasis
    assert " ".join(line.split()) in shown(tokens)[-1]  # shown as written (whitespace runs as one space)
    if context == "table cell":
        assert sum(token.type == "td_open" for token in tokens) == 2  # the cell was not split


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("# x", "\\# x"),
        ("> x", "&gt; x"),
        ("- x", "\\- x"),
        ("+ x", "\\+ x"),
        ("* x", "\\* x"),
        ("12. x", "12\\. x"),
        ("1) x", "1\\) x"),
        ("```", "\\`\\`\\`"),
        ("a | b", "a \\| b"),
        ("<b>", "&lt;b&gt;"),
        ("[a](b) ![c](d)", "\\[a\\](b) \\!\\[c\\](d)"),
        ("snake_case _em_", "snake_case \\_em\\_"),
        ("a\n\n  b", "a b"),
        ("x - 1. y", "x - 1. y"),  # block syntax only counts at the start
        ("&amp;", "\\&amp;"),
    ],
)
def test_each_rule(text: str, escaped: str) -> None:
    assert md_escape(text) == escaped


@pytest.mark.parametrize(
    ("text", "span"),
    [("notes.txt", "`notes.txt`"), ("a`b", "``a`b``"), ("`a`", "`` `a` ``"), ("<i>x</i>\n.txt", "`<i>x</i> .txt`")],
)
def test_a_code_span_shows_any_text_exactly(text: str, span: str) -> None:
    assert md_code(text) == span
    [inline] = [token for token in PARSER.parse(f"source {span}") if token.type == "inline"]
    assert [child.content for child in inline.children or [] if child.type == "code_inline"] == [" ".join(text.split())]


def test_a_record_in_markdown_keeps_hostile_fields_as_text() -> None:
    """The record view once let a line of the summary starting with '#' become a heading."""
    record = hostile_record()
    event = record.event.model_copy(
        update={"title": "# [click](javascript:x)", "summary": "Fine.\n# Not a heading\n- not a list\n> no quote"}
    )
    place = event.places[0].model_copy(update={"name": "Odesa | broken cell"})
    record = record.model_copy(update={"event": event.model_copy(update={"places": [place]})})
    text = to_markdown([record])
    tokens = PARSER.parse(text)
    headings = [shown(tokens[i + 1 : i + 2])[0] for i, token in enumerate(tokens) if token.type == "heading_open"]
    assert headings == ["# [click](javascript:x)"]  # the title's own heading, showing the text as written
    assert not {"link_open", "image", "html_block", "blockquote_open", "code_block", "fence"} & opened(tokens)
    children = [child for token in tokens for child in token.children or []]
    assert {child.content for child in children if child.type == "html_inline"} == {"<sub>", "</sub>"}  # the view's
    assert "Fine. # Not a heading - not a list > no quote" in shown(tokens)
    assert "Odesa | broken cell (city)" in shown(tokens)
    cells_per_row = [sum(t.type in ("td_open", "th_open") for t in row) for row in _rows(tokens)]
    assert set(cells_per_row) == {2}
    assert text.count("<sub>") == 1 and "<script" not in text


def _rows(tokens: list[Token]) -> list[list[Token]]:
    rows, current = [], None
    for token in tokens:
        if token.type == "tr_open":
            current = []
        elif token.type == "tr_close" and current is not None:
            rows.append(current)
            current = None
        elif current is not None:
            current.append(token)
    return rows
