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

from summarizer.reader import lexicon as lx
from summarizer.reader.findings import Finding
from summarizer.reader.gazetteer import (
    CAR_MAKES,
    DISTRICT_WORDS,
    REGION_WORDS,
    SITE_WORDS,
    STATE_ABBREVIATIONS,
    kind_of,
)
from summarizer.reader.nlp import entities
from summarizer.record.schema import MAX_PLACES, Place, PlaceKind
from summarizer.text.normalize import name_key

# "ROCKFORD, Ill. (AP) — ", "KYIV, Ukraine (Reuters) - ", "LONDON — "
DATELINE = re.compile(
    r"[ \t]*(?P<city>[A-Z][A-Z .'-]{1,40}[A-Z]|[A-Z][a-z]+(?: [A-Z][a-z]+)?(?= [—–]|,\s*[A-Z]))"
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
# Where a page's body can start: the top, the start of one of its first lines (after a headline line, a byline,
# a "Posted" line), or after a separator on one of them ("• ", ">> ", "| ").
HEAD_LINES, HEAD_CHARS = 8, 1200
SEPARATOR = re.compile(r"(?:•|>>|»|\|)\s*")


def _body_starts(text: str) -> list[int]:
    starts, position = [0], 0
    for line in text[:HEAD_CHARS].split("\n")[:HEAD_LINES]:
        if position:
            starts.append(position)
        starts += [position + m.end() for m in SEPARATOR.finditer(line)]
        position += len(line) + 1
    return starts


def _dateline_match(text: str) -> re.Match[str] | None:
    """'ROCKFORD, Ill. (AP) —' wherever the body starts: a city the gazetteer knows, or any city followed by a
    region or an agency ('Police — A man was stabbed' is a heading word, and Police is no city here)."""
    for start in _body_starts(text):
        match = DATELINE.match(text, start)
        if match and _is_dateline(match):
            return match
    return None


def _is_dateline(match: re.Match[str]) -> bool:
    city = match.group("city").strip()
    if city.upper() in NOT_DATELINES:
        return False
    region = match.group("region")
    if (
        not city.isupper()
        and region
        and region not in STATE_ABBREVIATIONS
        and kind_of(region) not in ("region", "country")
    ):
        return False  # "Police, Fire — ...": a mixed-case heading, not "Elgin, Ill. —"
    return kind_of(city.title()) == "city" or bool(match.group("region") or match.group("agency"))


def _dateline_place(match: re.Match[str]) -> tuple[Place, int, int]:
    city = match.group("city").strip().title()
    return Place(name=city, kind="city", evidence=match.group().strip(" —–-")[:600]), match.start("city"), match.end()


def dateline(text: str) -> tuple[Place, int, int] | None:
    """The dateline's city, with the span of the dateline."""
    match = _dateline_match(text)
    return _dateline_place(match) if match else None


def find_places(text: str, sentences: list[SpacySpan], context: list[bool]) -> list[Finding]:
    """Every place of the event's sentences, once, with the confidence of its best mention ("a Tulsa man" is
    a weak mention of Tulsa, a later "in Tulsa" a strong one), in the order the article first names them."""
    findings: list[Finding] = []
    match = _dateline_match(text)
    if match is not None:
        place, start, end = _dateline_place(match)
        findings.append(Finding("places", place, start, end, 0.9, "dateline", start, end))
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
    for index, (sentence, is_context) in enumerate(zip(sentences, context, strict=True)):
        if is_context:
            continue
        for entity in entities(sentence.doc).within(sentence):
            found = _place(entity, sentence)
            if found is None:
                continue
            named, confidence, why = found
            if named.kind == "city" and index >= LEAD_SENTENCES and not INCIDENT_WORDS.search(sentence.text):
                confidence = min(confidence, 0.45)  # a town named only later, with no word of the event: context
            findings.append(
                Finding(
                    "places",
                    named,
                    sentence.start_char,
                    sentence.end_char,
                    confidence,
                    why or entity.label_,
                    entity.start_char,
                    entity.end_char,
                )
            )
        findings += _city_parts(sentence) + _modifier_tokens(sentence)
    for sentence, is_context in zip(sentences, context, strict=True):
        if not is_context:
            for finding in _listed_parts(sentence):
                for index, earlier in enumerate(findings):  # the place word says what kind it is
                    if name_key(earlier.value.name) == name_key(finding.value.name) and earlier.why != "dateline":
                        findings[index] = finding
                findings.append(finding)
    return _ordered(text, _without_bystanders(_best_mentions(findings)))[:MAX_PLACES]


def _without_bystanders(findings: list[Finding]) -> list[Finding]:
    """A city named only as a modifier ("a Tulsa man") is where the story is only when no city is placed more
    surely: else it is someone's home town."""
    best = max((f.confidence for f in findings if f.value.kind == "city" and f.why != "modifier"), default=0.0)
    return [f for f in findings if f.why != "modifier" or f.confidence >= best]


def _best_mentions(findings: list[Finding]) -> list[Finding]:
    """One finding per place, where the article first names it, with its best mention's confidence and evidence."""
    best: dict[str, Finding] = {}
    first: dict[str, int] = {}
    for index, finding in enumerate(findings):
        key = name_key(finding.value.name)
        first.setdefault(key, index)
        if key not in best or finding.confidence > best[key].confidence:
            best[key] = finding
    return [best[key] for key in sorted(best, key=first.__getitem__)]


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


def _place(entity: SpacySpan, sentence_span: SpacySpan) -> tuple[Place, float, str] | None:
    """The place an entity names, with the confidence its use gives and why; None when it names none."""
    name = _with_place_word(entity)
    known = kind_of(name)
    if not name[:1].isupper() and not name.lower().startswith("the "):
        return None  # "spring", "woodland": a common noun the tagger took for a place
    if any(words.fullmatch(name) for words in (SITE_WORDS, DISTRICT_WORDS, REGION_WORDS)):
        return None  # "Avenue" alone (of "72 Avenue"): a generic word, not a name
    if entity.label_ not in PLACE_LABELS and known is None:
        return None
    root = entity.root
    modifier = _modified(entity)
    if modifier is not None:
        return (Place(name=name[:100], kind="city", evidence=sentence_span.text.strip()[:600]), *modifier)
    if entity.label_ in ("PERSON", "ORG") and (
        known not in ("city", "country", "region", "district") or not _after_locative(entity)
    ):
        return None  # spaCy calls Kyiv a PERSON; trust the gazetteer only where a preposition places it
    if root.dep_ == "poss" and kind_of(root.head.text) is None:
        return None  # "Ukraine's air force", "Moscow's vow" (but "Kyiv's Podilsky district" is a place)
    if root.pos_ == "ADJ" or root.dep_ == "amod" or entity.label_ == "NORP":
        return None  # "Ukrainian", "Russian"
    if root.dep_ == "pobj" and root.head.lower_ == "by":
        return None  # "launched by Russia": an actor, not a place
    if root.dep_ in ("compound", "amod") and (
        root.head.lemma_.lower() in NOT_PLACE_HEADS or root.head.lemma_.lower() in lx.PERSON_NOUNS
    ):
        return None  # "Maryland State Police", "a Texas man": a name, not where it happened
    if root.i > 0 and root.doc[entity.start - 1].lower_ in CAR_MAKES:
        return None  # "a Chevrolet Malibu"
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
    confidence = (0.8 if entity.label_ in PLACE_LABELS else 0.65) if _located(entity) else 0.4
    why = ""
    if kind in ("city", "district", "site") and _elsewhere(entity):
        confidence, why = min(confidence, 0.45), "elsewhere"
    place = Place(name=name.removeprefix("the ").removeprefix("The ")[:100], kind=kind, evidence=sentence)
    return place, confidence, why


LEAD_SENTENCES = 3
INCIDENT_WORDS = re.compile(
    r"\b(kill|killed|killing|die|died|dead|death|injur|wound|hurt|shot|shooting|stabb|struck|hit|crash|collid|"
    r"explo|blast|fire|blaze|burn|collaps|destroy|damag|flood|storm|attack|bomb|strike|evacuat|rescue)\w*",
    re.IGNORECASE,
)
# A city named as a modifier places the story there: "Elgin police", "a Tulsa man", "the Dayton woman".
MODIFIED_HEADS = frozenset("police officer officers detective detectives firefighter firefighters".split())
# Where a victim was taken, a suspect arrested or held, a person lives or studies: not where the event happened.
ELSEWHERE_NOUNS = frozenset("""hospital hospitals jail prison clinic""".split())
ELSEWHERE_VERBS = frozenset(
    "arrest apprehend book jail detain treat live reside attend study extradite arraign".split()
)
TAKEN_VERBS = frozenset("take transport rush fly airlift transfer drive carry".split())  # "taken to X"


def _modified(entity: SpacySpan) -> tuple[float, str] | None:
    """(confidence, why) when a known city is a modifier of the story's nouns: "Elgin police" (0.6), "a Tulsa
    man" (0.55); None otherwise. Only gazetteer cities: "Capitol Police" and "a Honda man" are no places."""
    root = entity.root
    if root.dep_ not in ("compound", "nmod", "amod") or kind_of(entity.text) != "city":
        return None
    head = root.head.lemma_.lower()
    if head in MODIFIED_HEADS or (head == "department" and "police" in root.head.text.lower()):
        return 0.6, "modifier"
    if head in lx.PERSON_NOUNS and head not in ("suspect", "gunman"):
        return 0.55, "modifier"
    return None


def _modifier_tokens(sentence: SpacySpan) -> list[Finding]:
    """ "Elgin police said ...": a known city as a one-word modifier that the tagger left without an entity."""
    found = []
    for token in sentence:
        if token.ent_type_ or token.pos_ != "PROPN" or token.dep_ != "compound":
            continue
        if token.i > 0 and token.doc[token.i - 1].pos_ == "PROPN":
            continue  # part of a longer name ("Capitol Heights police")
        head = token.head.lemma_.lower()
        if kind_of(token.text) == "city" and (head in MODIFIED_HEADS or head in lx.PERSON_NOUNS):
            place = Place(name=token.text, kind="city", evidence=sentence.text.strip()[:600])
            end = token.idx + len(token.text)
            confidence = 0.6 if head in MODIFIED_HEADS else 0.55
            found.append(
                Finding("places", place, sentence.start_char, sentence.end_char, confidence, "modifier", token.idx, end)
            )
    return found


def _elsewhere(entity: SpacySpan) -> bool:
    """Whether the entity is where someone was taken, arrested, held or lives, not where the event was: the
    word its preposition hangs on ("taken to ... in Kettering", "arrested in Chicago", "a hospital in Temple")."""
    root = entity.root
    if re.search(r"\b(?:jail|prison|detention)\b", entity.text, re.I):
        return True  # "booked into the Bell County Jail"
    if root.dep_ != "pobj" or root.head.head is root.head:
        return False
    governor = root.head.head
    lemma = governor.lemma_.lower()
    if governor.pos_ in ("VERB", "AUX") and lemma in TAKEN_VERBS:
        return root.head.lower_ == "to"  # "taken to Kettering", not "took place in Elgin"
    return lemma in ELSEWHERE_NOUNS or (governor.pos_ in ("VERB", "AUX") and lemma in ELSEWHERE_VERBS)


SIDE_NOUNS = frozenset("side end".split())
COMPASS = frozenset("north south east west northeast northwest southeast southwest far lower upper".split())


def _city_parts(sentence: SpacySpan) -> list[Finding]:
    """A part of a city named by its side: "Dayton's west side" is Dayton (a locative mention) and its west
    side (a district); "the city's east end" the district alone."""
    found: list[Finding] = []
    for token in sentence:
        if token.lemma_.lower() not in SIDE_NOUNS:
            continue
        compass = [c for c in token.children if c.dep_ in ("amod", "compound") and c.lower_ in COMPASS]
        owner = next((c for c in token.children if c.dep_ == "poss"), None)
        if not compass or owner is None:
            continue
        evidence = sentence.text.strip()[:600]
        part = sentence.doc[compass[0].i : token.i + 1].text
        found.append(
            Finding(
                "places",
                Place(name=part[:100], kind="district", evidence=evidence),
                sentence.start_char,
                sentence.end_char,
                0.6,
                "side",
                compass[0].idx,
                token.idx + len(token.text),
            )
        )
        if owner.pos_ == "PROPN" and kind_of(owner.text) == "city":
            city = Place(name=owner.text, kind="city", evidence=evidence)
            found.append(
                Finding("places", city, sentence.start_char, sentence.end_char, 0.75, "side", owner.idx, owner.idx)
            )
    return found


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
    """The city or town first (the schema's 'where'): the dateline's, else the one placed most surely (an "in
    X" over "an X man", either over where a victim was taken), then named most; the rest in the order the
    article names them."""
    cities = [f for f in findings if f.value.kind == "city"]
    dateline_city = next((f for f in cities if f.why == "dateline"), None)
    city = dateline_city or max(cities, key=lambda f: (round(f.confidence, 1), text.count(f.value.name)), default=None)
    rest = [f for f in findings if f is not city]
    return [city, *rest] if city is not None else rest
