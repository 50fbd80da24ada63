"""What was damaged: things (not people) that a damage verb governs ('a power transformer was damaged',
'destroyed two homes and several cars')."""

from __future__ import annotations

from spacy.tokens import Span as SpacySpan
from spacy.tokens import Token

from summarizer.reader import lexicon as lx
from summarizer.reader.context import event_tokens
from summarizer.reader.findings import Finding
from summarizer.record.schema import MAX_DAMAGE, Damage

DAMAGE_VERBS = frozenset(
    "damage destroy gut collapse burn shatter flatten level demolish raze wreck smash blow".split()
)
DAMAGE_ROLES = ("nsubjpass", "dobj", "nsubj", "conj")
NOT_DAMAGE = frozenset("fire blaze flame explosion blast attack strike missile drone debris it they that which".split())


def find_damage(sentences: list[SpacySpan], context: list[bool]) -> list[Finding]:
    findings: list[Finding] = []
    seen: set[str] = set()
    for sentence, token in event_tokens(sentences, context):
        if token.lemma_.lower() not in DAMAGE_VERBS or token.pos_ != "VERB":
            continue
        for target in _targets(token):
            what = _what(target)
            if what.lower() in seen:
                continue
            seen.add(what.lower())
            damage = Damage(evidence=sentence.text.strip()[:600], what=what[:300])
            findings.append(Finding("damage", damage, sentence.start_char, sentence.end_char, 0.65, token.lemma_))
    return findings[:MAX_DAMAGE]


def _targets(verb: Token) -> list[Token]:
    passive = any(c.dep_ in ("auxpass", "nsubjpass") for c in verb.children)
    intransitive = verb.lemma_.lower() in ("collapse", "burn") and not any(c.dep_ == "dobj" for c in verb.children)
    wanted = ("nsubjpass",) if passive else ("nsubj", "dobj") if intransitive else ("dobj",)
    heads = [c for c in verb.children if c.dep_ in wanted]
    if verb.dep_ == "acl" and verb.head.pos_ == "NOUN":
        heads.append(verb.head)  # "homes damaged in the attack"
    found = [t for head in heads for t in [head, *head.conjuncts]]
    return [t for t in found if t.pos_ == "NOUN" and t.lemma_.lower() not in lx.PERSON_NOUNS | NOT_DAMAGE]


def _what(noun: Token) -> str:
    words = [t for t in noun.subtree if (t.i <= noun.i and t.dep_ in ("amod", "compound", "nummod")) or t is noun]
    return noun.doc[words[0].i : noun.i + 1].text  # verbatim, as the article writes it ("high-rise")
