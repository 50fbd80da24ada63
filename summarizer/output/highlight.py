"""The one highlighter of the HTML pages (the records page and the eval report): an article cut at the ends
of every located evidence span, each piece with the field paths whose evidence covers it.

The cutting is here; the markup (``<mark title="paths">``, class ``overlap`` where spans overlap) is the
``highlight`` macro of ``templates/highlight.html.j2``, which escapes every piece.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import pairwise
from typing import Any, NamedTuple

from summarizer.output.templating import environment


class Piece(NamedTuple):
    text: str
    paths: tuple[str, ...]  # sorted; empty: no evidence covers this piece


def pieces(text: str, spans: Mapping[str, Mapping[str, Any]]) -> list[Piece]:
    """``text`` in pieces; a span outside the text (or empty) is ignored, not an error."""
    valid = {
        path: (span["start"], span["end"])
        for path, span in spans.items()
        if 0 <= span.get("start", -1) < span.get("end", -1) <= len(text)
    }
    cuts = sorted({0, len(text), *(b for span in valid.values() for b in span)})
    return [
        Piece(text[start:end], tuple(sorted(path for path, (s, e) in valid.items() if s <= start and end <= e)))
        for start, end in pairwise(cuts)
    ]


def highlight(text: str, spans: Mapping[str, Mapping[str, Any]]) -> str:
    """The article as HTML, escaped, with each located evidence span wrapped in ``<mark title="paths">``."""
    macro = environment().get_template("highlight.html.j2").module.highlight  # type: ignore[attr-defined]
    return str(macro(pieces(text, spans)))
