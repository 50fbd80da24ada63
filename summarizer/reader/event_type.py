"""What happened: the event type from the article's own words, a vocabulary scored over its sentences
(the lead counts most), with the share of the winning type as the confidence."""

from __future__ import annotations

import re
from collections import Counter

from spacy.tokens import Span as SpacySpan

from summarizer.record.schema import EventType

VOCABULARY: dict[EventType, re.Pattern[str]] = {
    "missile_or_air_strike": re.compile(
        r"\b(missiles?|air ?strikes?|air raids?|ballistic|cruise missile|glide bombs?|aerial bombs?|warplanes?|"
        r"iskander|kinzhal|kh-\d+)\b"
    ),
    "drone_strike": re.compile(r"\b(drones?|uavs?|shaheds?|unmanned)\b"),
    "shelling": re.compile(r"\b(shelling|shelled|shells|artillery|mortars?|howitzers?|multiple rocket)\b"),
    "armed_clash": re.compile(
        r"\b(clash(?:es|ed)?|firefights?|gunbattles?|gun battles?|ambush(?:ed)?|militants|"
        r"insurgents|fighting)\b"
    ),
    "bombing": re.compile(
        r"\b(bomb(?:s|ing|er)?|blasts?|explosions?|explosives?|explosive device|suicide|detonated|ied)\b"
    ),
    "shooting": re.compile(
        r"\b(shooting|shootings|shot|shots|gunman|gunmen|gunfire|opened fire|shooter|gunshot|"
        r"firearm|rifle|handgun)\b"
    ),
    "protest": re.compile(r"\b(protests?|protesters|protestors|demonstrat(?:ors|ion|ions)|rall(?:y|ies)|marchers)\b"),
    "stabbing": re.compile(r"\b(stabb(?:ed|ing|ings)|knife|knives|knifeman|machete|blade)\b"),
    "road_crash": re.compile(
        r"\b(crash(?:ed|es)?|collision|collided|derail(?:ed|ment)|head-on|overturned|"
        r"(?:struck|hit|run over) by an? (?:car|vehicle|truck|lorry|bus|train|van))\b"
    ),
    "fire": re.compile(r"\b(fires?|blazes?|flames|firefighters|burn(?:ed|ing|t)|smoke|gas explosion)\b"),
    "collapse": re.compile(r"\b(collaps(?:e|ed|es|ing)|caved in|gave way|cave-in)\b"),
}
# Everyday news that borrows the words of violence: a pitcher "knocked out", a rival "beaten", a motor race's
# "crash", a budget "under fire". An article whose words are mostly those of one of these is not an incident.
GENRES: dict[str, re.Pattern[str]] = {
    "sport": re.compile(
        r"\b(matche?s?|games?|season|coach(?:es)?|league|championships?|tournament|finals?|semi-?finals?|"
        r"quarter-?finals?|goals?|scored|scores?|innings?|touchdowns?|quarterback|pitcher|striker|playoffs?|cup|"
        r"title|races?|laps?|grand prix|podium|victory|won|wins?|defeated|beat|points|fans|club|teams?|referee|"
        r"knock(?:ed)? ?out|rounds?|bout|boxer|champion|nascar|formula one|players?|squad|half-?time|kick-?off|"
        r"stadium|olympics?|medal)\b"
    ),
    "politics": re.compile(
        r"\b(elections?|votes?|voters|ballots?|campaign|candidates?|senators?|parliament|bill|legislation|"
        r"lawmakers|council(?:lors?)?|party|parties|polls?|constituency|seats?|budget|policy|referendum|governor|"
        r"mayor|congress|opposition|coalition)\b"
    ),
    "business": re.compile(
        r"\b(shares|stocks?|earnings|revenue|profits?|quarter|investors|company|companies|ceo|job cuts|layoffs|"
        r"merger|acquisition|sales|analysts|forecast|billion|million|percent|per cent|market share|firm|economy|"
        r"prices)\b"
    ),
    "science": re.compile(
        r"\b(study|researchers|scientists|journal|research|data|findings|trial|species|temperature|record|degrees|"
        r"climate|weather|rainfall|forecast)\b"
    ),
}
INCIDENT = re.compile(
    r"\b(police|officers?|victims?|injured|injuries|killed|died|dead|wounded|hospital|suspects?|arrested|"
    r"firefighters|paramedics|ambulance|rescuers?|bodies|casualties|shooting|gunman|stabbed|fatally|blaze|"
    r"explosion|collapsed?|crash|collision)\b"
)
MIN_GENRE_WORDS, GENRE_RATIO = 5, 2


def everyday_genre(text: str) -> str | None:
    """'sport' | 'politics' | 'business' | 'science' when the article's words are mostly that genre's (at least
    five of them, twice the words of an incident: police, victims, killed, hospital ...); else None."""
    lowered = text.lower()
    counts = {name: len(pattern.findall(lowered)) for name, pattern in GENRES.items()}
    genre = max(counts, key=counts.__getitem__)
    incident = len(INCIDENT.findall(lowered))
    if counts[genre] >= MIN_GENRE_WORDS and counts[genre] >= GENRE_RATIO * incident:
        return genre
    return None


LEAD_WEIGHT, LEAD_SENTENCES = 3, 2
MIN_SCORE = 2  # fewer mentions than this is no evidence of any type: 'other'


def score_types(sentences: list[SpacySpan]) -> Counter[EventType]:
    scores: Counter[EventType] = Counter()
    for index, sentence in enumerate(sentences):
        weight = LEAD_WEIGHT if index < LEAD_SENTENCES else 1
        lowered = sentence.text.lower().replace("shot down", "")  # interceptions are not shootings
        for kind, pattern in VOCABULARY.items():
            scores[kind] += weight * len(pattern.findall(lowered))
    if scores["fire"] and scores["shooting"]:
        scores["fire"] -= (
            len(re.findall(r"opened fire|returned fire|exchange of fire", " ".join(s.text.lower() for s in sentences)))
            * LEAD_WEIGHT
        )
    return scores


def classify(sentences: list[SpacySpan]) -> tuple[EventType, float, Counter[EventType]]:
    """(event type, confidence, every type's score)."""
    scores = score_types(sentences)
    if not scores or max(scores.values()) < MIN_SCORE:
        return "other", 0.5, scores
    kind, best = scores.most_common(1)[0]
    total = sum(value for value in scores.values() if value > 0)
    return kind, round(best / total, 3), scores
