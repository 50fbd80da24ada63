"""When: the first time expression of the event's own sentences, resolved against the publication date.

spaCy finds the DATE and TIME entities ("late Saturday", "Thursday afternoon", "overnight", "on March
3", "3/25/2024"); the project's resolver (``summarizer.text.dates``) turns them into a window, as grounding does for
the model's answer, so both are held to the same reading of the words.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from spacy.tokens import Span as SpacySpan

from summarizer.reader.findings import Finding
from summarizer.reader.nlp import entities as entity_index
from summarizer.record.schema import TimeWindow
from summarizer.text.dates import resolve

LEAD_SENTENCES = 4
YEAR = re.compile(r"\b(?:19|20)\d\d\b")
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
        found_here = False
        for entity in [*entities, sentence]:
            if entity is sentence and found_here:
                break  # the sentence as a whole only when none of its time expressions resolved
            words = _with_day(entity) if entity is not sentence else _after(sentence, dateline_end)
            window = resolve(words, published)
            if window is None or (latest and window.end > latest):
                continue
            step = _step(entity) if entity is not sentence else None
            if published and (published - window.start).days > 300 and not YEAR.search(words):
                step = "later"  # "by July 31" in a June story: a deadline ahead, read back into last year
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
            if step == "incident":
                confidence = min(0.95, confidence + 0.1)  # "shot Saturday", "Saturday's air strike"
            elif step == "later":
                confidence *= 0.6  # "pleaded not guilty Tuesday", "police said Monday": a later step
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
            found_here = True  # every time expression of the sentence competes: "will fly Saturday ... shot Monday"
    return findings


# Words of the incident itself: a date on one of them is the event's ("was shot Saturday", "Saturday's blast").
INCIDENT_WORDS = frozenset(
    """kill die shoot stab injure wound hurt hit strike explode collapse crash burn attack happen occur erupt
    break fire open slay murder drown overturn derail capsize ram detonate shell bomb struck shooting stabbing
    attack strike explosion blast crash fire collapse bombing raid barrage killing death incident accident
    collision blaze assault""".split()
)
# Words of a later step of the story: an arrest, a court, a statement, a search, a revised toll, a mourning.
LATER_WORDS = frozenset(
    """say tell announce confirm identify arrest charge plead appear arraign sentence convict indict release
    recover find hold mourn rise lower raise climb stand differ continue resume search work declare update
    report add issue testify rule file jail book hearing trial court vigil funeral statement conference
    mourning memorial""".split()
)


def _step(entity: SpacySpan) -> str | None:
    """'incident' when the time expression dates the incident's own verb or noun, 'later' when it dates a later
    step (an arrest, a hearing, a statement, a revised toll), None when the parse does not say."""
    token = entity.root
    for _ in range(5):
        head = token.head  # the verb or noun it dates: "shot Saturday", "Saturday's shooting"
        if head is token:
            return None
        lemma = head.lemma_.lower()
        if head.pos_ in ("VERB", "AUX") and any(c.dep_ == "aux" and c.lower_ in ("will", "'ll") for c in head.children):
            return "later"  # "flags will fly on Saturday": ahead of the story, not the event
        if head.pos_ in ("VERB", "AUX", "NOUN"):
            if lemma in INCIDENT_WORDS:
                return "incident"
            if lemma in LATER_WORDS:
                return "later"
            if head.pos_ in ("VERB", "AUX"):
                return None
        token = head
    return None


def _with_day(entity: SpacySpan) -> str:
    """The entity with the weekday it names after 'of' / 'on' / 'into' ("the early hours" + "of Sunday")."""
    doc = entity.doc
    following = doc[entity.end : min(len(doc), entity.end + 3)]
    if len(following) >= 2 and following[0].lower_ in ("of", "on", "into") and following[1].ent_type_ == "DATE":
        return f"{entity.text} {following[0].text} {following[1].text}"
    return entity.text


def _after(sentence: SpacySpan, offset: int) -> str:
    """The sentence's text from ``offset`` (a character offset in the document) on."""
    return sentence.text[max(0, offset - sentence.start_char) :]
