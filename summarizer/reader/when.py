"""When: the first time expression of the event's own sentences, resolved against the publication date.

spaCy finds the DATE and TIME entities ("late Saturday", "Thursday afternoon", "overnight", "on March
3", "3/25/2024"); the project's resolver (``summarizer.timeparse``) turns them into a window, as grounding does for
the model's answer, so both are held to the same reading of the words.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from spacy.tokens import Span as SpacySpan

from summarizer.reader.findings import Finding
from summarizer.reader.nlp import entities as entity_index
from summarizer.schema import TimeWindow
from summarizer.timeparse import resolve

LEAD_SENTENCES = 4
CLOCK = re.compile(r"\b\d{1,2}(?::\d{2})?\s*(?:a\.?m\.?|p\.?m\.?)|\b\d{1,2}:\d{2}\b|\bnoon\b|\bmidnight\b", re.I)


def find_when(
    sentences: list[SpacySpan], context: list[bool], published: date | None, dateline_end: int = 0
) -> list[Finding]:
    """The time expressions of the event's sentences, as findings; nothing before ``dateline_end``.

    A wire dateline's date ("BEIJING, Oct 22 (Reuters) -") is when the report was filed, not when the event
    happened ("... killed two people on Monday"), so it is never read as the event's time.
    """
    findings: list[Finding] = []
    latest = published + timedelta(days=1) if published else None
    for index, (sentence, is_context) in enumerate(zip(sentences, context, strict=True)):
        if is_context or sentence.end_char <= dateline_end:
            continue
        lead = index < LEAD_SENTENCES
        entities = [
            e
            for e in entity_index(sentence.doc).within(sentence)
            if e.label_ in ("DATE", "TIME") and e.start_char >= dateline_end
        ]
        for entity in [*entities, sentence]:
            words = entity.text if entity is not sentence else _after(sentence, dateline_end)
            window = resolve(words, published)
            if window is None or (latest and window.end > latest):
                continue
            clock = CLOCK.search(sentence.text)
            value = TimeWindow(
                evidence=sentence.text.strip()[:600],
                phrase=entity.text[:120] if entity is not sentence else window.phrase[:120],
                date_start=window.start,
                date_end=window.end,
                precision=window.precision,
                time_of_day=clock.group()[:120] if clock else None,
            )
            confidence = (0.85 if lead else 0.6) * (0.7 if entity is sentence else 1.0)
            findings.append(
                Finding(
                    "when",
                    value,
                    sentence.start_char,
                    sentence.end_char,
                    confidence,
                    window.reason,
                    entity.start_char,
                    entity.end_char,
                )
            )
            break
    return findings


def _after(sentence: SpacySpan, offset: int) -> str:
    """The sentence's text from ``offset`` (a character offset in the document) on."""
    return sentence.text[max(0, offset - sentence.start_char) :]
