"""Who: speakers of statements (a person or office with a speech verb, with their title) and actors with
the role the parse gives them (the one who fired or attacked, the forces that intercepted, a named victim)."""

from __future__ import annotations

from spacy.tokens import Span as SpacySpan
from spacy.tokens import Token

from summarizer.reader import lexicon as lx
from summarizer.reader.context import event_tokens
from summarizer.reader.findings import Finding
from summarizer.reader.nlp import entities
from summarizer.record.schema import MAX_ACTORS, MAX_STATEMENTS, Actor, ActorRole, Statement
from summarizer.text.normalize import name_key

SPEAKER_LABELS = ("PERSON", "ORG", "NORP", "GPE")
INSTITUTION_HEADS = frozenset(
    """police ministry department office agency army military force forces service command administration
    council government authority authorities prosecutor prosecutors court sheriff commission coroner""".split()
)
ATTACK_VERBS = frozenset("attack launch fire shoot stab strike bomb shell open ram target kill detonate".split())
ATTACKER_NOUNS = frozenset("gunman gunmen attacker attackers assailant shooter suspect knifeman bomber".split())
DEFENCE_WORDS = ("air defen", "air force", "defence forces", "defense forces", "anti-aircraft")


def find_statements(sentences: list[SpacySpan], context: list[bool]) -> list[Finding]:
    findings: list[Finding] = []
    seen: set[str] = set()
    for sentence, token in event_tokens(sentences, context):
        if token.lemma_.lower() in lx.SPEECH_VERBS and token.pos_ == "VERB":
            subject = next((c for c in token.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        elif token.lower_ == "according" and token.i + 1 < len(token.doc) and token.nbor(1).lower_ == "to":
            subject = next((c for c in token.nbor(1).children if c.dep_ == "pobj"), None)
        elif token.lemma_.lower() in SPEECH_NOUNS:
            subject = next((c for c in token.children if c.dep_ == "poss"), None) or _by(token, "from")
        else:
            continue
        if subject is not None and token.pos_ == "VERB" and subject.dep_ == "nsubjpass":
            subject = None
        if subject is None and token.pos_ == "VERB":
            subject = _by(token, "by")
        if subject is None:
            continue
        speaker = _speaker(subject) if subject is not None else None
        if speaker is None or _already(speaker[0], seen):
            continue
        name, title = speaker
        name = name.removesuffix("'s").removesuffix("’s")
        seen.add(name_key(name))
        gist = _gist(token, sentence)
        statement = Statement(
            evidence=sentence.text.strip()[:600],
            speaker=name[:100],
            title=title[:100] if title else None,
            gist=gist[:300],
        )
        findings.append(Finding("statements", statement, sentence.start_char, sentence.end_char, 0.75, "speech"))
    return findings[:MAX_STATEMENTS]


SPEECH_NOUNS = frozenset("call appeal statement remark comment warning message address".split())


def _by(token: Token, preposition: str) -> Token | None:
    """The object of 'by' (a passive: 'as detailed by ...') or 'from' ('calls from President ...')."""
    for child in token.children:
        if child.dep_ in ("agent", "prep") and child.lower_ == preposition:
            return next((g for g in child.children if g.dep_ == "pobj"), None)
    return None


def _speaker(subject: Token) -> tuple[str, str | None] | None:
    """The speaker's name and title from a speech verb's subject, or None for a pronoun or a vague group."""
    doc = subject.doc
    entity = entities(doc).at(subject.i)
    if entity is not None and entity.label_ not in SPEAKER_LABELS:
        entity = None
    if entity is None or entity.label_ != "PERSON":  # "the head of the administration, Serhiy Popko"
        appos = [t for t in subject.subtree if t.dep_ == "appos" and t.ent_type_ == "PERSON"]
        if appos:
            holder = entities(doc).at(appos[0].i)  # a PERSON token is inside a PERSON entity
            assert holder is not None
            return holder.text, doc[subject.left_edge.i : subject.i + 1].text.removeprefix("the ")
    if entity is not None and entity.label_ == "PERSON":
        return entity.text, _title(entity)
    phrase = [t for t in subject.subtree if t.dep_ not in ("punct", "appos", "relcl", "acl") and t.i <= subject.i]
    if subject.lemma_.lower() in INSTITUTION_HEADS and any(t.pos_ == "PROPN" for t in phrase):
        text = doc[phrase[0].i : subject.i + 1].text
        return text.removeprefix("the ").removeprefix("The "), None
    if entity is not None and entity.label_ == "ORG":
        return entity.text.removeprefix("the "), None
    return None


def _title(person: SpacySpan) -> str | None:
    """'Mayor' in 'Mayor Vitali Klitschko'; 'head of the city's military administration' in an apposition."""
    root = person.root
    appos = next((c for c in root.children if c.dep_ == "appos"), None)
    if appos is not None and not appos.like_num:
        return person.doc[appos.left_edge.i : appos.right_edge.i + 1].text
    before = [
        t
        for t in root.children
        if t.dep_ in ("compound", "amod") and t.i < person.start and t.pos_ in ("PROPN", "NOUN")
    ]
    if before:
        return person.doc[before[0].left_edge.i : person.start].text
    return None


def _gist(verb: Token, sentence: SpacySpan) -> str:
    clause = next((c for c in verb.children if c.dep_ in ("ccomp", "xcomp", "dobj")), None)
    if clause is not None and len(list(clause.subtree)) > 2:
        return verb.doc[clause.left_edge.i : clause.right_edge.i + 1].text.strip(' ,"“”')
    return sentence.text.strip()


def _already(name: str, seen: set[str]) -> bool:
    """'Zelensky' after 'Volodymyr Zelensky' is the same speaker."""
    key = name_key(name)
    return any(key == other or key.split()[-1:] == other.split()[-1:] for other in seen)


def find_actors(sentences: list[SpacySpan], context: list[bool], everyday: bool = False) -> list[Finding]:
    """Attackers, defenders, named victims and the police or fire service that responded; in everyday news
    (``everyday``: a match, a vote, a company's results) the teams, people, parties and companies its lead is
    about, as ``other``."""
    findings: list[Finding] = []
    seen: set[str] = set()
    lead_end = sentences[min(LEAD_SENTENCES, len(sentences)) - 1].end_char if sentences else 0
    for sentence, token in event_tokens(sentences, context):
        found = _actor(token) or _responder(token) or _victim(token)
        if found is None and everyday and sentence.end_char <= lead_end:
            found = _party(token)
        if found is None or name_key(found[0]) in seen or _already(found[0], seen):
            continue
        name, role, confidence = found
        seen.add(name_key(name))
        actor = Actor(name=name[:100], role=role, evidence=sentence.text.strip()[:600])
        findings.append(Finding("actors", actor, sentence.start_char, sentence.end_char, confidence, role))
    return findings[:MAX_ACTORS]


LEAD_SENTENCES = 3
RESPONDER_HEADS = frozenset("police sheriff department office patrol troopers firefighters service".split())
VICTIM_VERBS = frozenset("die kill shoot stab injure wound hurt identify murder strike hit".split())


def _responder(token: Token) -> tuple[str, ActorRole, float] | None:
    """'Elgin police', 'the Tulsa Police Department', 'the Scott County Sheriff's Office': who responded."""
    if token.lemma_.lower() not in RESPONDER_HEADS or token.dep_ in ("compound", "poss"):
        return None
    words = [t for t in token.subtree if t.i <= token.i and t.dep_ in ("compound", "poss", "amod", "case")]
    words = [t for t in words if t.i >= token.i - 5]
    if not any(t.pos_ == "PROPN" for t in words):
        return None  # "police said": no one in particular
    start = min(t.i for t in words)
    phrase = token.doc[start : token.i + 1].text.removeprefix("the ").removeprefix("The ")
    if token.lemma_.lower() in ("office", "department", "service", "patrol") and not any(
        w in phrase.lower() for w in ("police", "sheriff", "fire", "safety", "patrol", "rescue")
    ):
        return None  # "the Interior Department": not who responded
    return phrase, "other", 0.6


def _victim(token: Token) -> tuple[str, ActorRole, float] | None:
    """A named person the article says died, was killed, shot or hurt, or was identified (as the victim)."""
    if token.ent_type_ != "PERSON" or token.dep_ == "compound":
        return None
    entity = next((e for e in token.doc.ents if e.start <= token.i < e.end), None)
    if entity is None or entity.root != token:
        return None
    head = token.head
    if token.dep_ == "pobj" and head.lower_ == "as":
        head = head.head  # "identified as Tanisha Reed"
    elif token.dep_ == "appos":
        head = head.head if head.lemma_.lower() == "victim" else head
    elif token.dep_ not in ("nsubj", "nsubjpass"):
        return None
    lemma = head.lemma_.lower()
    passive = token.dep_ != "nsubj" or lemma in ("die",)
    if lemma in VICTIM_VERBS and (passive or token.dep_ == "pobj"):
        return entity.text, "victim", 0.6
    return None


def _party(token: Token) -> tuple[str, ActorRole, float] | None:
    """In everyday news, a named team, person, party or company its lead is about (subject or object)."""
    if token.dep_ not in ("nsubj", "nsubjpass", "dobj", "pobj"):
        return None
    if token.dep_ == "nsubj" and token.head.lemma_.lower() in lx.SPEECH_VERBS:
        return None  # a speaker, not a party
    entity = next((e for e in token.doc.ents if e.start <= token.i < e.end), None)
    if entity is not None and entity.label_ in ("ORG", "PERSON") and entity.root == token:
        return entity.text.removeprefix("the ").removeprefix("The "), "other", 0.55
    if entity is None and token.pos_ == "PROPN":  # a name the tagger missed: "Ogun Rovers beat ..."
        words = [t for t in token.subtree if t.i <= token.i and t.dep_ == "compound" and t.pos_ == "PROPN"]
        start = min([t.i for t in words], default=token.i)
        return token.doc[start : token.i + 1].text, "other", 0.55
    return None


def _actor(token: Token) -> tuple[str, ActorRole, float] | None:
    lemma = token.lemma_.lower()
    if token.dep_ in ("nsubj",) and token.head.lemma_.lower() in ATTACK_VERBS:
        if token.head.lemma_.lower() == "open" and "fire" not in token.sent.text.lower():
            return None
        name = _name(token)
        if name is not None:
            return name, "attacker", 0.7
    if token.dep_ == "pobj" and token.head.dep_ == "agent" and token.head.head.lemma_.lower() in ATTACK_VERBS:
        name = _name(token)
        if name is not None:
            return name, "attacker", 0.7
    if token.dep_ == "nsubj" and token.head.lemma_.lower() in lx.INTERCEPT_VERBS:
        phrase = token.doc[token.left_edge.i : token.i + 1].text
        if any(word in phrase.lower() for word in DEFENCE_WORDS):
            return phrase.removeprefix("the ").removeprefix("The "), "defender", 0.75
    if lemma in ATTACKER_NOUNS and token.dep_ in ("nsubj", "nsubjpass", "pobj", "dobj"):
        return (
            token.doc[token.left_edge.i : token.i + 1]
            .text.removeprefix("A ")
            .removeprefix("The ")
            .removeprefix("a ")
            .removeprefix("the "),
            "attacker",
            0.6,
        )
    return None


def _name(token: Token) -> str | None:
    """A named party (an entity or an attacker noun), never a pronoun or a common noun."""
    entity = entities(token.doc).at(token.i)
    if entity is not None and entity.label_ in ("GPE", "NORP", "ORG", "PERSON"):
        return entity.text
    if token.lemma_.lower() in ATTACKER_NOUNS:
        return token.text
    return None
