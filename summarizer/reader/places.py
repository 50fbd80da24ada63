"""Where: the dateline, then places named in the event's sentences, each with a kind.

spaCy's GPE / LOC / FAC entities are the candidates, plus PERSON and ORG entities that the gazetteer
knows as places or that a place word follows ("Podilsky district"): the small English model tags
some Ukrainian names as people. Launch sites ("from Crimea") and names inside an organisation or title
("Ukraine's air force") are not places of the event.
"""

from __future__ import annotations

import re

from spacy.tokens import Span as SpacySpan
from spacy.tokens import Token

from summarizer.reader.findings import Finding
from summarizer.reader.gazetteer import DISTRICT_WORDS, REGION_WORDS, SITE_WORDS, STATE_ABBREVIATIONS, kind_of
from summarizer.reader.nlp import entities
from summarizer.schema import MAX_PLACES, Place, PlaceKind
from summarizer.textnorm import name_key

# "ROCKFORD, Ill. (AP) — ", "KYIV, Ukraine (Reuters) - ", "LONDON — "
DATELINE = re.compile(
    r"^\s*(?P<city>[A-Z][A-Z .'-]{1,40}[A-Z]|[A-Z][a-z]+(?: [A-Z][a-z]+)?(?= [—–]))"
    r"(?:,\s*(?P<region>[A-Z][\w.]*(?:\s[A-Z][\w.]*){0,3}))??"
    r"(?:,?\s*[A-Z][a-z]{2,8}\.?\s+\d{1,2})?"  # "MELBOURNE, Sept 21 (AAP) -", "NAIROBI, January 15 (Reuters) -"
    r"\s*(?:\((?P<agency>[^)]{1,30})\))?\s*(?:[—–-]{1,2}|:)\s"
)
# Prepositions that put a place where the event happened ("in Millbrook", "on Elm Street", "near the bridge").
LOCATIVE = frozenset("in at on near outside inside into across along over off around throughout within".split())
NOT_PLACE_HEADS = frozenset(
    """force forces ministry military army navy police government president governor official officials
    administration authorities service council mayor spokesman spokeswoman spokesperson department agency
    office command people leader troops""".split()
)
ORIGIN_PREPOSITIONS = frozenset("from".split())
PLACE_LABELS = ("GPE", "LOC", "FAC")


NOT_DATELINES = frozenset("BREAKING UPDATE UPDATED WATCH EXCLUSIVE LIVE ANALYSIS OPINION EDITORIAL".split())


def _dateline_match(text: str) -> re.Match[str] | None:
    """'ROCKFORD, Ill. (AP) —': a city the gazetteer knows written in capitals, or any city followed by a
    region or an agency ('Police — A man was stabbed' is a heading word)."""
    match = DATELINE.match(text)
    if not match or match.group("city").strip().upper() in NOT_DATELINES:
        return None
    known = kind_of(match.group("city").strip().title()) == "city" and match.group("city").strip().isupper()
    if not known and not (match.group("region") or match.group("agency")):
        return None  # "Police — A man was stabbed": a heading word, not a dateline
    return match


def _dateline_place(match: re.Match[str]) -> tuple[Place, int, int]:
    city = match.group("city").strip().title()
    return Place(name=city, kind="city", evidence=match.group().strip(" —–-")[:600]), match.start("city"), match.end()


def dateline(text: str) -> tuple[Place, int, int] | None:
    """The dateline's city, with the span of the dateline."""
    match = _dateline_match(text)
    return _dateline_place(match) if match else None


def find_places(text: str, sentences: list[SpacySpan], context: list[bool]) -> list[Finding]:
    findings: list[Finding] = []
    seen: set[str] = set()
    match = _dateline_match(text)
    if match is not None:
        place, start, end = _dateline_place(match)
        findings.append(Finding("places", place, start, end, 0.9, "dateline", start, end))
        seen.add(name_key(place.name))
        region = match.group("region")
        region_kind = None if not region else "region" if region in STATE_ABBREVIATIONS else kind_of(region)
        if region_kind in ("region", "country"):
            findings.append(
                Finding(
                    "places",
                    Place(name=region, kind=region_kind, evidence=place.evidence),
                    start,
                    end,
                    0.7,
                    "dateline",
                )
            )
            seen.add(name_key(region))
    for sentence, is_context in zip(sentences, context, strict=True):
        if is_context:
            continue
        for entity in entities(sentence.doc).within(sentence):
            named = _place(entity, sentence)
            if named is None or name_key(named.name) in seen:
                continue
            seen.add(name_key(named.name))
            confidence = (0.8 if entity.label_ in PLACE_LABELS else 0.65) if _located(entity) else 0.4
            findings.append(
                Finding(
                    "places",
                    named,
                    sentence.start_char,
                    sentence.end_char,
                    confidence,
                    entity.label_,
                    entity.start_char,
                    entity.end_char,
                )
            )
    for sentence, is_context in zip(sentences, context, strict=True):
        if not is_context:
            for finding in _listed_parts(sentence):
                for index, earlier in enumerate(findings):  # the place word says what kind it is
                    if name_key(earlier.value.name) == name_key(finding.value.name) and earlier.why != "dateline":
                        findings[index] = finding
                if name_key(finding.value.name) not in seen:
                    seen.add(name_key(finding.value.name))
                    findings.append(finding)
    return _ordered(text, findings)[:MAX_PLACES]


PART_NOUNS: dict[str, PlaceKind] = {
    "district": "district",
    "neighborhood": "district",
    "neighbourhood": "district",
    "borough": "district",
    "suburb": "district",
    "region": "region",
    "province": "region",
    "oblast": "region",
    "county": "region",
    "village": "city",
    "town": "city",
    "city": "city",
}


def _listed_parts(sentence: SpacySpan) -> list[Finding]:
    """Names listed under a place word: "several districts, including Podilsky, Shevchenkivskyi, and
    Sviatoshyn"; "Lukyanivka, a residential district"."""
    found: list[Finding] = []
    for token in sentence:
        kind = PART_NOUNS.get(token.lemma_.lower())
        if kind is None:
            continue
        names: list[Token] = []
        for child in token.children:
            if child.dep_ == "prep" and child.lower_ in ("including", "like", "such"):
                first = next((g for g in child.children if g.dep_ == "pobj"), None)
                if first is not None:
                    names += [first, *first.conjuncts]
        if token.dep_ == "appos" and token.head.pos_ == "PROPN":
            names.append(token.head)
        for name in names:
            if name.pos_ != "PROPN":
                continue
            words = sentence.doc[name.left_edge.i : name.i + 1] if name.left_edge.pos_ == "PROPN" else [name]
            text = sentence.doc[words[0].i : words[-1].i + 1].text
            place = Place(name=text[:100], kind=kind, evidence=sentence.text.strip()[:600])
            found.append(
                Finding(
                    "places",
                    place,
                    sentence.start_char,
                    sentence.end_char,
                    0.75,
                    "listed",
                    name.idx,
                    name.idx + len(name.text),
                )
            )
    return found


def _place(entity: SpacySpan, sentence_span: SpacySpan) -> Place | None:
    name = _with_place_word(entity)
    known = kind_of(name)
    if entity.label_ not in PLACE_LABELS and known is None:
        return None
    if entity.label_ in ("PERSON", "ORG") and (
        known not in ("city", "country", "region", "district") or not _after_locative(entity)
    ):
        return None  # spaCy calls Kyiv a PERSON; trust the gazetteer only where a preposition places it
    root = entity.root
    if root.dep_ == "poss" and kind_of(root.head.text) is None:
        return None  # "Ukraine's air force", "Moscow's vow" (but "Kyiv's Podilsky district" is a place)
    if root.pos_ == "ADJ" or root.dep_ == "amod" or entity.label_ == "NORP":
        return None  # "Ukrainian", "Russian"
    if root.dep_ == "pobj" and root.head.lower_ == "by":
        return None  # "launched by Russia": an actor, not a place
    if root.dep_ in ("compound", "amod") and root.head.lemma_.lower() in NOT_PLACE_HEADS:
        return None  # "Kyiv police", "Maryland State Police"
    if root.dep_ == "pobj" and root.head.lower_ in ORIGIN_PREPOSITIONS:
        return None  # "launched from Crimea"
    if entity.label_ == "GPE" and known is None and entity.text.isupper():
        return None  # "AP", "BBC" in a byline
    anchor = root
    while anchor.dep_ == "conj" and anchor.head is not anchor:
        anchor = anchor.head  # "the Podilsky and Sviatoshyn districts"
    if known in (None, "city") and anchor.head.lemma_.lower() in (
        "district",
        "neighborhood",
        "neighbourhood",
        "borough",
    ):
        known = "district"  # "the Podilsky and Sviatoshyn districts"
    kind: PlaceKind = known or ("site" if entity.label_ == "FAC" else "other" if entity.label_ == "LOC" else "city")
    sentence = sentence_span.text.strip()[:600]
    return Place(name=name.removeprefix("the ").removeprefix("The ")[:100], kind=kind, evidence=sentence)


def _located(entity: SpacySpan) -> bool:
    """Whether the sentence puts something there: 'in Millbrook', 'Kyiv was hit', 'Kharkiv, Ukraine's second
    city', 'the Podilsky district'; a name only mentioned ('a ship from Singapore', 'Indonesian') is not."""
    root = entity.root
    for _ in range(3):
        if root.dep_ == "pobj" and root.head.lower_ in LOCATIVE:
            return True
        if (
            root.dep_ == "pobj"
            and root.head.lower_ == "of"
            and (kind_of(root.head.head.text) is not None or root.head.head.lemma_.lower() in PART_NOUNS)
        ):
            return True  # "the city of Kharkiv", "the village of Hroza", "the 1200 block of Elm Street"
        if root.dep_ in ("appos", "conj", "compound") and root.head is not root:
            root = root.head
            continue
        break
    return root.dep_ == "nsubjpass" and root.head.lemma_.lower() in STRUCK_VERBS  # "Kyiv was hit"


STRUCK_VERBS = frozenset("hit strike shell attack bomb target rock shake subject flood evacuate".split())


def _after_locative(entity: SpacySpan) -> bool:
    root = entity.root
    while root.dep_ in ("conj", "appos") and root.head is not root:
        root = root.head
    return root.dep_ == "pobj" and root.head.lower_ in LOCATIVE


def _with_place_word(entity: SpacySpan) -> str:
    """The entity with a following generic word it names ('Podilsky' + 'district', 'Elm' + 'Street')."""
    doc = entity.doc
    following = doc[entity.end] if entity.end < len(doc) else None
    if following is not None:
        candidate = f"{entity.text} {following.text}"
        if DISTRICT_WORDS.search(candidate) or REGION_WORDS.search(candidate) or SITE_WORDS.search(candidate):
            return candidate
    return entity.text


def _ordered(text: str, findings: list[Finding]) -> list[Finding]:
    """The city or town first (the schema's 'where'): the dateline's, else the one the article names most;
    then the rest in the order the article names them."""
    cities = [f for f in findings if f.value.kind == "city"]
    dateline_city = next((f for f in cities if f.why == "dateline"), None)
    city = dateline_city or max(cities, key=lambda f: text.count(f.value.name), default=None)
    rest = [f for f in findings if f is not city]
    return [city, *rest] if city is not None else rest
