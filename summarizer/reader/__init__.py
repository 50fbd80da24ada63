"""The reader: deterministic NLP over the article (spaCy), one entry point.

``read(text, published)`` returns a ``Reading``: the reader's own event record, built from its most
confident findings, with the character span and confidence of every value. The pipeline combines it
with the model's grounded answer (``summarizer.combine.choose``); with ``--strategy reader`` it is the
record by itself, with no model call.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from summarizer.reader.findings import Finding
from summarizer.record.basetypes import Span
from summarizer.record.schema import CASUALTY_FIELDS, CHILD_COUNTS, Casualties, Count, Event, EventType

if TYPE_CHECKING:  # importing spaCy costs a second; only reading an article needs it
    from spacy.tokens import Span as SpacySpan


@dataclass
class Reading:
    event: Event
    spans: dict[str, Span] = field(default_factory=dict)
    confidence: dict[str, float] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    type_scores: Counter[EventType] = field(default_factory=Counter)


def read(text: str, published: date | None) -> Reading:
    from summarizer.reader import counts, damage, event_type, people, places, weapons, when
    from summarizer.reader.context import context_flags
    from summarizer.reader.counts import MIN_CONFIDENCE, best_count
    from summarizer.reader.nlp import parse

    line = places.dateline(text)
    dateline_end = line[2] if line else 0
    # The dateline ("BELEDWEYNE, Somalia (AP) —") is parsed as the lead's subject and hides its real one; the
    # parse sees it as white space (same length: every offset into ``text`` stays true), places read it apart.
    doc = parse(" " * dateline_end + text[dateline_end:])
    sentences = _by_paragraph(list(doc.sents))
    context = context_flags(sentences)
    found_counts = counts.find_counts(sentences, context)
    found = {
        "when": when.find_when(sentences, context, published, dateline_end),
        "places": places.find_places(text, sentences, context),
        "actors": people.find_actors(sentences, context, everyday=event_type.everyday_genre(text) is not None),
        "statements": people.find_statements(sentences, context),
        "damage": damage.find_damage(sentences, context),
        "weapons": weapons.find_weapons(sentences, context, found_counts),
    }
    kind, kind_confidence, scores = event_type.classify(sentences)
    genre = event_type.everyday_genre(text) if kind != "protest" else None  # a protest is political news
    if genre is not None:  # a match, a vote, earnings, a study: its "beat", "crash" and "shot" are no event
        kind, kind_confidence = "other", 0.8
    reading = Reading(event=Event(event_type=kind, title="-", summary="-"), type_scores=scores)
    reading.findings = [*found_counts, *(f for group in found.values() for f in group)]
    reading.confidence["event_type"] = kind_confidence
    update: dict[str, object] = {}

    sure = {name: [f for f in group if f.confidence >= MIN_CONFIDENCE] for name, group in found.items()}
    if sure["when"]:
        best = max(sure["when"], key=lambda f: (f.confidence, -f.start))
        update["when"] = best.value
        _place(reading, "when", best)
    for name in ("places", "actors", "statements", "damage", "weapons"):
        update[name] = [f.value for f in sure[name]]
        for index, finding in enumerate(sure[name]):
            _place(reading, f"{name}[{index}]", finding)
    casualties: dict[str, Count] = {}
    chosen: dict[str, Finding] = {}
    for name in CASUALTY_FIELDS:
        candidates = [
            f
            for f in found_counts
            if f.path == f"casualties.{name}" and f.confidence >= MIN_CONFIDENCE and f.why != "perpetrator"
        ]
        if any(
            f.value.value and f.why not in ("harmed", "hospital") for f in candidates
        ):  # "no one else was hurt" is 0 only when no one was counted
            candidates = [f for f in candidates if not (f.value.value == 0 and "else" in f.value.evidence.lower())]
        counted = best_count(candidates)
        if counted is not None:
            chosen[name] = counted
    perpetrator = next((f for f in found_counts if f.why == "perpetrator" and f.confidence >= MIN_CONFIDENCE), None)
    for name, counted in _disjoint(chosen, perpetrator).items() if genre is None else ():
        casualties[name] = counted.value
        _place(reading, f"casualties.{name}", counted)
    update["casualties"] = _consistent(casualties)
    for index, weapon in enumerate(sure["weapons"]):  # the findings of update["weapons"]
        for name in ("launched", "intercepted"):
            count = getattr(weapon.value, name)
            source = next((f for f in found_counts if f.value == count), None)
            if source is not None:
                _place(reading, f"weapons[{index}].{name}", source)
    event = reading.event.model_copy(update=update)
    title, summary = describe(event, sentences)
    reading.event = Event.model_validate({**event.model_dump(), "title": title, "summary": summary})
    return reading


def _by_paragraph(sentences: list[SpacySpan]) -> list[SpacySpan]:
    """spaCy runs a heading into the sentence after it ("Casualties\n\nThe aftermath was ..."): cut sentences at
    line breaks, so evidence is the sentence alone."""
    pieces: list[SpacySpan] = []
    for sentence in sentences:
        start = sentence.start
        for token in sentence:
            if token.is_space and "\n" in token.text:
                if token.i > start:
                    pieces.append(sentence.doc[start : token.i])
                start = token.i + 1
        if start < sentence.end:
            pieces.append(sentence.doc[start : sentence.end])
    return [trimmed for piece in pieces if (trimmed := _without_space(piece)) is not None]


def _without_space(piece: SpacySpan) -> SpacySpan | None:
    """The piece without white-space tokens at either end (the blanked dateline is one), so that its first
    character is where its evidence starts; None when nothing else is left."""
    start, end = piece.start, piece.end
    while start < end and piece.doc[start].is_space:
        start += 1
    while end > start and piece.doc[end - 1].is_space:
        end -= 1
    return piece.doc[start:end] if start < end and piece.doc[start:end].text.strip() else None


def _place(reading: Reading, path: str, finding: Finding) -> None:
    """The finding's span: its evidence (the sentence, cut to the schema's length) where it stands in the text."""
    evidence = getattr(finding.value, "evidence", "")
    end = finding.start + len(evidence) if evidence else finding.end
    reading.spans[path] = Span(start=finding.start, end=end, match="reader", score=finding.confidence)
    reading.confidence[path] = finding.confidence


def _disjoint(chosen: dict[str, Finding], perpetrator: Finding | None) -> dict[str, Finding]:
    """Killed and injured as disjoint groups, the attacker's own death among the dead.

    A count read only from a verb that hurts or kills ("a man was shot", "two men were shot") followed by a
    count of those who died ("he died", "one died") is the victims before the outcome: the dead leave it
    (one shot and died is 1 killed, 0 injured; two shot, one died is 1 and 1). The attacker who killed
    himself adds one to victims counted one by one ("his wife", "a woman and her son"), not to a stated
    figure ("14 people", which the article gives apart from him), and is the one death when no victim died.
    """
    out = dict(chosen)
    killed, injured = out.get("killed"), out.get("injured")
    if killed is not None and injured is not None and injured.why == "harmed" and killed.start >= injured.start:
        dead, hurt = killed.value.value, injured.value.value
        if dead is not None and hurt is not None and killed.value.qualifier == injured.value.qualifier == "exact":
            if hurt <= dead:
                del out["injured"]
            else:
                out["injured"] = _with_figure(injured, hurt - dead)
    if perpetrator is not None:
        if killed is None:
            out["killed"] = perpetrator
        elif killed.value.value is not None and not _states_figure(killed.value.phrase):
            out["killed"] = _with_figure(killed, killed.value.value + 1)
    return out


def _states_figure(phrase: str) -> bool:
    """Whether a count's words state a figure ("14 people", "two men"), not people one by one ("his wife")."""
    import re

    from summarizer.text.normalize import numbers_in

    return bool(numbers_in(re.sub(r"\b(?:a|an|one)\b", " ", phrase, flags=re.I)))


def _with_figure(finding: Finding, value: int) -> Finding:
    count = finding.value.model_copy(update={"value": value, "low": None, "high": None, "qualifier": "exact"})
    return dataclasses.replace(finding, value=count)


def _consistent(casualties: dict[str, Count]) -> Casualties | None:
    """Children within the total: a children count larger than its total is dropped, not the total."""
    for part, total in CHILD_COUNTS:
        if part in casualties and total in casualties:
            ceiling = casualties[total].ceiling()
            floor = casualties[part].floor()
            if ceiling is not None and floor is not None and floor > ceiling:
                del casualties[part]
    return Casualties(**casualties) if casualties else None


TYPE_WORDS = {
    "missile_or_air_strike": "Missile or air strike",
    "drone_strike": "Drone strike",
    "shelling": "Shelling",
    "armed_clash": "Armed clash",
    "bombing": "Bombing",
    "shooting": "Shooting",
    "protest": "Protest",
    "stabbing": "Stabbing",
    "road_crash": "Road crash",
    "fire": "Fire",
    "collapse": "Collapse",
    "other": "Event",
}


def describe(event: Event, sentences: list[SpacySpan]) -> tuple[str, str]:
    """A neutral title from the record's own facts, and the article's lead as the summary (its words, not ours)."""
    title = TYPE_WORDS[event.event_type]
    city = event.main_place()
    if city is not None:
        title += f" in {city.name}"
    figures = []
    if event.casualties:
        for name in ("killed", "injured"):
            count: Count | None = getattr(event.casualties, name)
            if count is not None:
                figures.append(f"{count.phrase} {name}")
    if figures:
        title += ": " + ", ".join(figures)
    lead = " ".join(s.text.strip() for s in sentences[:2])
    return title[:300], (lead[:797] + "...") if len(lead) > 800 else lead
