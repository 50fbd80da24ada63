"""Which sentences are about something other than the event: another incident, another time.

A sentence is context when it speaks of another time or incident ("last year", "in 2019", "the city's
fourth shooting this month", "a separate attack") and is not the lead, which is always about the event.
Its figures, places and speakers are not the event's.
"""

from __future__ import annotations

from collections.abc import Iterator

from spacy.tokens import Span as SpacySpan
from spacy.tokens import Token

from summarizer.reader.lexicon import CONTEXT_MARKERS


def context_flags(sentences: list[SpacySpan]) -> list[bool]:
    return [index > 0 and bool(CONTEXT_MARKERS.search(sentence.text)) for index, sentence in enumerate(sentences)]


def event_tokens(sentences: list[SpacySpan], context: list[bool]) -> Iterator[tuple[SpacySpan, Token]]:
    """Every token of the sentences about the event, with its sentence."""
    for sentence, is_context in zip(sentences, context, strict=True):
        if not is_context:
            for token in sentence:
                yield sentence, token
