"""The one Markdown escaper, for the record and merged-event views: untrusted text (article text, model
output, file names) placed in Markdown stays text: it cannot become a heading, a list, a quote, a link or an
image, emphasis, a code span or fence, raw HTML, or break out of a table cell or its line.

A bare ``https://...`` may still be shown as a link by renderers that autolink (GitHub's); its text is then its
own address, so nothing is hidden behind it.
"""

from __future__ import annotations

import re

# Escaped wherever it stands: backslash, code spans and fences (`), emphasis (* and _ at a word's edge; within a
# word _ is text), strikethrough and tilde fences (~), links and images ([ ] !), headings (#), table cells (|).
_INLINE = re.compile(r"([\\`*\[\]|#!~]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9]))")
# Block syntax that only counts at the start of a line (where a caller may put the text): bullets, thematic
# breaks and setext underlines (- + =; * is escaped already), ordered list items ("1." "1)").
_BLOCK_MARK = re.compile(r"^([-+=])")
_ORDERED = re.compile(r"^(\d+)([.)])")
_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")  # "&amp;" in the text stays "&amp;", not "&"


def _one_line(text: object) -> str:
    return re.sub(r"\s+", " ", str(text)).strip()


def md_escape(text: object) -> str:
    """``text`` as inert inline Markdown on one line (whitespace runs become one space), safe in a table cell,
    after a list marker or heading mark, or alone on a line. ``<`` and ``>`` become ``&lt;`` ``&gt;``, which
    every Markdown dialect shows as text; the rest is backslash-escaped."""
    line = _ENTITY.sub(r"\\&", _INLINE.sub(r"\\\1", _one_line(text)))
    line = line.replace("<", "&lt;").replace(">", "&gt;")
    return _ORDERED.sub(r"\1\\\2", _BLOCK_MARK.sub(r"\\\1", line))


def md_code(text: object) -> str:
    """``text`` as one inline code span, shown exactly (on one line): fenced by more backticks than any run of
    them inside it, as CommonMark allows. Not for table cells (a ``|`` there still splits the cell)."""
    line = _one_line(text)
    if not line:
        return ""
    fence = "`" * (max((len(run) for run in re.findall("`+", line)), default=0) + 1)
    pad = " " if line.startswith("`") or line.endswith("`") else ""
    return f"{fence}{pad}{line}{pad}{fence}"
