"""Which sentences are about something other than the event: another incident, another time.

A sentence is context when it speaks of another time or incident ("last year", "in 2019", "the city's
fourth shooting this month", "a separate attack") and is not the lead, which is always about the event.
Its figures, places and speakers are not the event's.
"""

from __future__ import annotations

from spacy.tokens import Span as SpacySpan

from summarizer.reader.lexicon import CONTEXT_MARKERS


def context_flags(sentences: list[SpacySpan]) -> list[bool]:
    return [index > 0 and bool(CONTEXT_MARKERS.search(sentence.text)) for index, sentence in enumerate(sentences)]
