"""Counts attached to what they count, through spaCy's dependency parse.

A figure is a casualty count only when the parse ties it to people (or to a casualty noun) that a
casualty verb governs: "at least 17 people were injured", "killing 14 and wounding 25 others",
"a woman died", "the driver and two passengers were killed" (1 + 2), "the toll rose to 12".
Ages ("a 15-year-old", "Smith, 45,"), times, street numbers and money never attach to such a
noun, so they are never counted. Weapons work the same way: "intercepted 31 missiles launched
by Russia" gives both an intercepted and a launched count.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Span as SpacySpan
from spacy.tokens import Token

from summarizer.ground.grounding import infer_qualifier
from summarizer.reader import lexicon as lx
from summarizer.reader.findings import Finding
from summarizer.record.schema import Count, Qualifier
from summarizer.text.normalize import numbers_in

# Prepositions through which a figure is what the verb or noun counts: "rose to 12", "stood at 5",
# "injuries to 13 people", "attacked with 31 missiles"; any other ("in", "of", "including") is not.
PATIENT_PREPOSITIONS = frozenset(("to", "at", "with"))
CLOCK_WORDS = frozenset(("am", "pm", "a.m.", "p.m.", "a.m", "p.m", "o'clock", "hours", "hrs", "gmt", "bst", "%"))
MIN_CONFIDENCE = 0.5  # findings below this are kept as findings, never put in a record
NOMINAL = ("NOUN", "PROPN", "PRON", "NUM", "ADJ", "VERB")
SINGULAR_PRONOUNS = frozenset(("he", "she"))
SINGULAR_DETERMINERS = frozenset("a an the his her their its this that one another".split())
# The dependency labels that put a noun in a clause as the one the verb acts on or about.
ARGUMENTS = ("nsubj", "nsubjpass", "dobj", "attr", "oprd", "pobj", "appos", "npadvmod", "dative", "ROOT", "conj")


@dataclass(frozen=True)
class Amount:
    value: int | None
    low: int | None
    high: int | None
    qualifier: Qualifier
    start: int  # token indices of the phrase that states it
    end: int


@dataclass(frozen=True)
class Mention:
    """A counted group in one clause: what it counts, how many, and the tokens of its phrase."""

    field: str  # killed | injured | launched | intercepted
    amount: Amount
    children: Amount | None
    confidence: float
    weapon: str | None = None
    also_launched: bool = False  # "intercepted 31 missiles launched by Russia": 31 were launched too
    why: str = ""  # "harmed": only a verb that hurts or kills ("were shot"); "hospital": only "taken to hospital";
    # "perpetrator": the attacker died


def find_counts(sentences: list[SpacySpan], context: list[bool]) -> list[Finding]:
    """Every casualty and weapon count the parse supports, one finding per clause that states one."""
    findings: list[Finding] = []
    last_weapon: str | None = None  # what "both", "all" and "30 of them" refer to
    for sentence, is_context in zip(sentences, context, strict=True):
        for mention in _mentions(sentence, last_weapon):
            for part in _fatal_share(sentence, mention):
                findings.extend(_findings(sentence, part, is_context))
            last_weapon = mention.weapon or last_weapon
        for mention in _perpetrator_deaths(sentence):
            findings.extend(_findings(sentence, mention, is_context))
    return findings


def _fatal_share(sentence: SpacySpan, mention: Mention) -> list[Mention]:
    """'Five people were shot, one fatally' (or "one of them fatally", "two of whom died"): 1 killed and 4
    injured, never 5 injured; any other mention unchanged."""
    total = mention.amount.value
    if mention.why != "harmed" or total is None or mention.amount.qualifier != "exact":
        return [mention]
    for token in sentence:
        if not _is_number(token) or token.i < mention.amount.end:
            continue
        words = {t.lower_ for t in token.doc[token.i : min(token.i + 6, sentence.end)]}
        if words & {"fatally", "died", "dead", "killed"} and not words & {"people", "persons"}:
            figure = _figure(token)
            dead = figure.value if figure is not None else None
            if figure is None or dead is None or dead > total:
                return [mention]
            killed = Mention("killed", Amount(dead, None, None, "exact", figure.start, figure.end), None, 0.8)
            rest = total - dead
            if rest == 0:
                return [killed]
            amount = mention.amount
            injured = Amount(rest, None, None, "exact", amount.start, amount.end)
            return [killed, Mention("injured", injured, mention.children, mention.confidence, why="share")]
    return [mention]


def _perpetrator_deaths(sentence: SpacySpan) -> list[Mention]:
    """The attacker's own death: "killed himself", "took his own life", "turned the gun on himself", "died of a
    self-inflicted gunshot wound": one killed, marked so that it adds to the victims (``perpetrator``)."""
    for token in sentence:
        lemma = token.lemma_.lower()
        below = {t.lower_ for t in token.subtree if t.i > token.i}
        own = lemma == "take" and "own" in below and "life" in below
        self_inflicted = lemma == "die" and "self-inflicted" in below
        self_killed = lemma == "kill" and any(
            c.dep_ == "dobj" and c.lower_ in ("himself", "herself") for c in token.children
        )
        turned = lemma == "turn" and "gun" in below and below & {"himself", "herself"}
        if (own or self_inflicted or self_killed or turned) and not any(c.dep_ == "neg" for c in token.children):
            amount = Amount(1, None, None, "exact", token.i, token.i + 1)
            return [Mention("killed", amount, None, 0.7, why="perpetrator")]
    return []


# ---------------------------------------------------------------- reading one sentence


def _mentions(sentence: SpacySpan, last_weapon: str | None = None) -> list[Mention]:
    seen: set[int] = set()
    mentions: list[Mention] = []
    for token in sentence:
        if token.i in seen or token.pos_ not in NOMINAL:
            continue
        if token.dep_ == "conj" and token.head.pos_ in NOMINAL and token.head.pos_ != "VERB":
            continue  # counted with the first of its group ("the driver and two passengers")
        group = [token, *[c for c in token.conjuncts if c.i > token.i and c.pos_ != "VERB"]]
        group += _listed_names(token)  # "John Smith, 25, Jane Doe, 30, and Bob Roe, 41, were killed"
        mention = _read_group(group)
        if mention is None and last_weapon is not None:
            mention = _weapon_reference(token, last_weapon)
        if mention is not None:
            last_weapon = mention.weapon or last_weapon
            seen.update(member.i for member in group)
            mentions.append(mention)
    return mentions


def _listed_names(token: Token) -> list[Token]:
    """Named people listed after a named person, which the parse hangs on it as appositions (with their ages
    between): each is one more person. Only after a name: "the victim, John Smith" is one person."""
    if token.ent_type_ != "PERSON":
        return []
    names = [c for c in token.children if c.dep_ == "appos" and c.ent_type_ == "PERSON" and c.i > token.i]
    return [t for name in names for t in (name, *name.conjuncts) if t.i > token.i and t.ent_type_ == "PERSON"]


def _read_group(group: list[Token]) -> Mention | None:
    head = group[0]
    found_amounts = [_amount(member) for member in group]
    amounts = [amount for amount in found_amounts if amount is not None]
    if len(amounts) < len(found_amounts):
        return None
    kinds = [_kind(member) for member in group]
    if any(kind is None for kind in kinds):
        return None
    weapon = next(
        (lx.WEAPON_NOUNS[_weapon_lemma(_counted(m))] for m, k in zip(group, kinds, strict=True) if k == "weapon"), None
    )
    if weapon is not None:
        field = _weapon_field(head)
        if field is None:
            return None
        return Mention(
            field,
            _sum(amounts),
            None,
            0.8,
            weapon,
            also_launched=field == "intercepted"
            and any(c.dep_ == "acl" and c.lemma_.lower() in lx.LAUNCH_VERBS for c in _counted(head).children),
        )
    if all(kind == "bare" for kind in kinds) and len(group) > 1:
        return None
    found = _casualty_field(head)
    if found is None:
        return None
    field, confidence = found
    why = ""
    if field in ("harmed", "hospital"):
        field, why = "injured", field
    singular = all(
        amount.qualifier == "exact" and amount.value == 1 and not _has_figure(m)
        for amount, m in zip(amounts, group, strict=True)
    )
    if singular:
        confidence -= 0.1  # "a woman died": right as a count, but often one of several named victims
    if head.lower_ in SINGULAR_PRONOUNS:
        confidence = min(confidence, 0.6)  # "he died": one, but which one the parse cannot tell
    children = [amount for amount, kind in zip(amounts, kinds, strict=True) if kind == "child"]
    child_amount = _sum(children) if children else _including_children(head)
    total = _sum(amounts)
    if len(group) > 1:
        total = Amount(total.value, total.low, total.high, total.qualifier, total.start, group[-1].i + 1)
    return Mention(field, total, child_amount, confidence, why=why)


def _weapon_reference(token: Token, weapon: str) -> Mention | None:
    """'both were destroyed', 'seven of them were shot down', 'shot down 30 of them': an intercepted count
    of the weapons counted just before."""
    partitive = _of_object(token)
    refers = token.lower_ == "both" or (partitive is not None and partitive.lower_ in ("them", "those"))
    if not refers or token.dep_ not in ("nsubj", "nsubjpass", "dobj"):
        return None
    if _weapon_field(token) != "intercepted":
        return None
    amount: Amount | None
    if token.lower_ == "both":
        amount = Amount(2, None, None, "exact", token.i, token.i + 1)
    else:
        amount = _figure(token) if _is_number(token) else Amount(None, None, None, "vague", token.i, token.i + 1)
    if amount is None:
        return None
    return Mention("intercepted", amount, None, 0.8, weapon)


def _kind(token: Token) -> str | None:
    """What a token counts: person | child | weapon | casualty | bare (a figure standing alone)."""
    lemma = token.lemma_.lower()
    if _is_number(token) and token.dep_ == "appos" and token.head.pos_ in ("PROPN", "NOUN"):
        return None  # "John Smith, 45," is an age
    if lemma in lx.CHILD_NOUNS or ((age := _age(token)) is not None and age < lx.ADULT_AGE):
        return "child"
    if _weapon_lemma(token) in lx.WEAPON_NOUNS:
        return "weapon"
    if lemma in lx.KILLED_NOUNS or lemma in lx.INJURED_NOUNS or token.lower_ in ("dead", "injured", "wounded"):
        return "casualty"
    if lemma in lx.PERSON_NOUNS or token.ent_type_ == "PERSON" or lemma in ("one", "other", "others"):
        return "person"
    if _is_age_noun(token) or token.lower_ in SINGULAR_PRONOUNS:
        return "person"  # "a 34-year-old"; "he died" (one person, whoever the article named before)
    if _is_number(token) or lemma in lx.VAGUE_HEADS:
        partitive = _of_object(token)
        if partitive is not None:
            return _kind(partitive) if not _is_definite(partitive) else None
        return "bare"
    return None


def _counted(token: Token) -> Token:
    """The noun a bare figure counts through 'of' ("31 of 34 missiles" counts missiles), else the token."""
    partitive = _of_object(token) if _is_number(token) or token.lemma_.lower() in lx.VAGUE_HEADS else None
    return partitive if partitive is not None else token


def _weapon_lemma(token: Token) -> str:
    lemma = token.lemma_.lower()
    if lemma in lx.WEAPON_NOUNS:
        return lemma
    compound = next((c.lemma_.lower() for c in token.children if c.dep_ == "compound"), "")
    return compound if compound in lx.WEAPON_NOUNS and lemma in ("attack", "strike") else lemma


def _amount(token: Token) -> Amount | None:
    """How many a nominal states: its figure, a vague quantity word, 'no', or one for a singular person."""
    no = next((c for c in token.children if c.dep_ == "det" and c.lower_ == "no"), None)
    if no is not None or token.lower_ in ("nobody", "none"):
        if any(c.dep_ == "amod" and c.lower_ in ("serious", "major", "life-threatening") for c in token.children):
            return None  # "no serious injuries" does not say no one was hurt
        return Amount(0, None, None, "exact", no.i if no is not None else token.i, token.i + 1)
    number = token if _is_number(token) else next((c for c in token.children if c.dep_ == "nummod"), None)
    if number is not None:
        return _figure(number)
    if token.lemma_.lower() in lx.VAGUE_HEADS or token.lower_ in lx.VAGUE_WORDS:
        return Amount(None, None, None, "vague", token.left_edge.i, token.i + 1)
    for child in token.children:
        if child.dep_ in ("amod", "det") and child.lower_ in lx.VAGUE_WORDS:
            return Amount(None, None, None, "vague", child.i, token.i + 1)
    if token.lower_ in SINGULAR_PRONOUNS and token.dep_ in ("nsubj", "nsubjpass"):
        return Amount(1, None, None, "exact", token.i, token.i + 1)
    aged = _is_age_noun(token)  # "a 13-year-old", "the 34-year-old"
    if (
        token.lemma_.lower() not in lx.PERSON_NOUNS
        and token.ent_type_ != "PERSON"
        and token.lower_ != "one"
        and not aged
    ):
        return None  # "the dead", "the injured" name a group, not one person
    if token.tag_ in ("NN", "NNP") or token.lower_ in ("one",) or aged:
        determiner = next((c for c in token.children if c.dep_ in ("det", "poss")), None)
        if determiner is not None and (determiner.lower_ in SINGULAR_DETERMINERS or determiner.dep_ == "poss"):
            return Amount(1, None, None, "exact", determiner.i, token.i + 1)
        if token.ent_type_ == "PERSON":
            return Amount(1, None, None, "exact", token.left_edge.i, token.i + 1)
    return None


def _figure(number: Token) -> Amount | None:
    doc = number.doc
    run = [t for t in number.subtree if _is_number(t) or t.text == "-"]
    modifiers = [t for t in number.children if t.dep_ in ("advmod", "quantmod", "amod") and t.i < number.i]
    start = min([number.i, *(t.left_edge.i for t in modifiers), *(t.i for t in run)])
    second = next((c for c in number.children if c.dep_ == "conj" and _is_number(c)), None)
    end = max([second.i if second is not None else number.i, *(t.i for t in run if t.i <= number.i + 3)]) + 1
    phrase = doc[start:end].text
    figures = sorted(numbers_in(doc[number.left_edge.i if run else number.i : number.i + 1].text))
    if not figures:
        figures = sorted(numbers_in(number.text))
    if not figures:
        return None
    value = figures[-1]
    qualifier = infer_qualifier(phrase) or "exact"
    if second is not None:
        high = max(numbers_in(second.text) or {value})
        return Amount(None, value, high, "range", start, end) if high >= value else None
    if qualifier == "range" or qualifier == "vague":
        qualifier = "exact"
    if qualifier == "at_least":
        return Amount(value, value, None, qualifier, start, end)
    if qualifier == "at_most":
        return Amount(value, None, value, qualifier, start, end)
    return Amount(value, None, None, qualifier, start, end)


def _sum(amounts: list[Amount]) -> Amount:
    if len(amounts) == 1:
        return amounts[0]
    start, end = min(a.start for a in amounts), max(a.end for a in amounts)
    figures = [a.value if a.value is not None else a.low for a in amounts]
    stated = [figure for figure in figures if figure is not None]
    if len(stated) < len(figures):
        known = sum(stated)
        return Amount(known or None, known or None, None, "at_least" if known else "vague", start, end)
    total = sum(stated)
    if all(a.qualifier == "exact" for a in amounts):
        return Amount(total, None, None, "exact", start, end)
    return Amount(total, total, None, "at_least", start, end)  # "about 30 people and two officers": at least 32


# ---------------------------------------------------------------- what the clause says happened to them


def _casualty_field(noun: Token) -> tuple[str, float] | None:
    """killed | injured, from the noun itself or the words that govern it, with a confidence."""
    lemma = noun.lemma_.lower()
    if lemma in lx.KILLED_NOUNS or noun.lower_ == "dead":
        return "killed", 0.85
    if lemma in lx.INJURED_NOUNS or noun.lower_ in ("injured", "wounded"):
        return ("killed", 0.8) if _has_death_marker(noun) else ("injured", 0.85)
    for child in noun.children:
        if child.dep_ in ("amod", "acl", "oprd") and child.lower_ == "dead":
            return "killed", 0.85
        if child.dep_ in ("amod", "acl") and child.lemma_.lower() in lx.INJURED_VERBS:
            return "injured", 0.8
        if child.dep_ == "relcl" and any(
            g.dep_ in ("nsubj", "nsubjpass") and g.lower_ in ("who", "that") for g in child.children
        ):
            if child.lemma_.lower() in lx.KILLED_VERBS or _has_death_marker(child):
                return "killed", 0.75  # "the teen who died"
            if child.lemma_.lower() in lx.INJURED_VERBS:
                return "injured", 0.8
    verb = _governor(noun)
    if verb is None:
        return None
    return _verb_field(verb, noun)


def _governor(noun: Token) -> Token | None:
    """The verb (or toll noun) a counted noun is an argument of, across 'including' and conjunctions."""
    token = noun
    for _ in range(4):
        if token.dep_ == "conj" and token.head.pos_ != "VERB":
            token = token.head
            continue
        if token.dep_ == "pobj" and token.head.dep_ == "prep":
            preposition = token.head
            if preposition.lower_ == "of" and preposition.head.lemma_.lower() in DEATH_OF_NOUNS:
                return preposition.head  # "the death of John Smith", "the fatal shooting of a teen"
            if preposition.lower_ not in PATIENT_PREPOSITIONS:
                return None  # "killed people in Kryvyi Rih", "two of the dead", "including five children"
            token = preposition.head
            if token.pos_ in ("VERB", "AUX"):
                return token
            if token.lemma_.lower() in lx.KILLED_NOUNS | lx.INJURED_NOUNS:
                return token  # "injuries to at least 13 individuals"
            continue
        if token.dep_ in ARGUMENTS and token.head.pos_ in ("VERB", "AUX", "ADJ"):
            return token.head
        if token.dep_ in ("nsubj", "nsubjpass", "dobj", "attr") and token.head.pos_ == "NOUN":
            return token.head
        return None
    return None


# Nouns whose "of" names the one who died: "the death of X", "the killing of X", "the fatal shooting of X".
DEATH_OF_NOUNS = frozenset("death killing murder slaying homicide shooting stabbing".split())
INTRANSITIVE = frozenset("die perish drown".split())  # their subject is the one who died
HEDGES = frozenset("could may might would will should feared believed missing presumed".split())


def _verb_field(verb: Token, noun: Token) -> tuple[str, float] | None:
    if any(child.dep_ == "neg" for child in verb.children):
        return None
    if any(child.lower_ in HEDGES and child.dep_ in ("aux", "auxpass", "advmod", "acomp") for child in verb.children):
        return None  # "could be killed", "may have been killed", "are feared dead"
    if any(
        child.dep_ == "advcl" and any(g.lower_ in ("if", "unless") for g in child.children) for child in verb.children
    ):
        return None  # a condition, not a report
    lemma = verb.lemma_.lower()
    # "were shot and killed" share their subject; "27 were arrested and 19 were hurt" do not: a conjoined verb
    # with a subject of its own says nothing of this noun
    related = [verb, *[c for c in verb.children if c.dep_ == "conj" and c.pos_ == "VERB" and not _has_subject(c)]]
    lemmas = {token.lemma_.lower() for token in related}
    transitive = any(c.dep_ == "dobj" for t in related for c in t.children)
    if noun.dep_ == "nsubj" and transitive and lemmas & (lx.KILLED_VERBS | lx.INJURED_VERBS) - INTRANSITIVE:
        return None  # "the gunman killed two people": the one who killed, not one killed
    if lemmas & lx.KILLED_VERBS:
        return "killed", 0.9
    if any(_has_death_marker(token) for token in related):
        return "killed", 0.85
    if lemmas & lx.INJURED_VERBS:
        return "injured", 0.9
    if lemmas & lx.HARM_VERBS and noun.dep_ in ("nsubjpass", "dobj", "conj") and _kind_is_person(noun):
        return "harmed", 0.6  # injured, unless the article says elsewhere that some died
    if lemma == "find" and noun.dep_ == "nsubjpass":
        found = {c.lemma_.lower() for c in verb.children if c.dep_ in ("xcomp", "oprd", "acomp", "advcl")}
        if found & lx.HARM_VERBS:
            return "harmed", 0.6  # "a man was found shot"
    if lemma in ("take", "rush", "airlift", "transport", "hospitalize", "treat", "send") and _mentions_hospital(verb):
        wounds = any(t.lemma_.lower() in lx.INJURED_NOUNS | {"wound"} for t in verb.subtree)
        return ("injured", 0.7) if wounds else ("hospital", 0.7)  # "taken to hospital", where they may have died
    if _object_lemma(verb) in lx.INJURED_NOUNS | lx.KILLED_NOUNS and noun.dep_ == "pobj":
        return ("killed", 0.75) if _object_lemma(verb) in lx.KILLED_NOUNS else ("injured", 0.75)  # "injuries to 13"
    if lemma in ("suffer", "sustain", "treat", "receive") and _object_lemma(verb) in lx.INJURED_NOUNS:
        return ("killed", 0.8) if _has_death_marker(verb) else ("injured", 0.8)
    if lemma in lx.REVISION_MARKERS | {"bring"} and noun.dep_ == "pobj":
        toll = next((c for c in verb.children if c.dep_ == "dobj" and c.lemma_.lower() in lx.TOLL_NOUNS), None)
        if toll is not None:  # "raising the death toll to three"
            compounds = {c.lemma_.lower() for c in toll.children if c.dep_ in ("compound", "amod")}
            return ("injured", 0.8) if compounds & {"injury", "casualty"} else ("killed", 0.85)
    if lemma in lx.REVISION_MARKERS or lemma in ("stand", "be", "remain", "reach"):
        subject = next((c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        if subject is not None and subject.lemma_.lower() in lx.TOLL_NOUNS and noun.dep_ != "nsubj":
            compounds = {c.lemma_.lower() for c in subject.children if c.dep_ in ("compound", "amod")}
            return ("injured", 0.8) if compounds & {"injury", "casualty"} else ("killed", 0.85)
        if lemma == "be" and noun.dep_ == "nsubj":
            complement = next((c for c in verb.children if c.dep_ in ("acomp", "attr")), None)
            if complement is not None and complement.lower_ == "dead":
                return "killed", 0.8
    if verb.pos_ == "NOUN" and verb.lemma_.lower() in lx.KILLED_NOUNS | DEATH_OF_NOUNS - {"shooting", "stabbing"}:
        return "killed", 0.8
    if verb.pos_ == "NOUN" and verb.lemma_.lower() in ("shooting", "stabbing") and noun.dep_ == "pobj":
        return ("killed", 0.8) if _has_death_marker(verb) else ("harmed", 0.55)
    if verb.pos_ == "NOUN" and verb.lemma_.lower() in lx.INJURED_NOUNS:
        return "injured", 0.8
    if verb.pos_ == "NOUN" and verb.lemma_.lower() in lx.TOLL_NOUNS:
        return "killed", 0.8
    return None


def _has_subject(verb: Token) -> bool:
    """A subject of its own: a noun or a number ("and five were hurt"), not a word that points back to the first
    verb's ("and they died", "and both died", "who died")."""
    return any(child.dep_ in ("nsubj", "nsubjpass") and child.pos_ not in ("PRON", "DET") for child in verb.children)


def _has_death_marker(token: Token) -> bool:
    """'stabbed to death', 'shot dead', 'fatally injured', 'pronounced dead', 'fatal injuries'."""
    for child in token.children:
        if child.lower_ in lx.DEATH_MARKERS and child.dep_ in ("advmod", "acomp", "oprd", "amod", "xcomp", "dobj"):
            return True
        if child.dep_ == "prep" and child.lower_ == "to" and any(g.lower_ == "death" for g in child.children):
            return True
        if child.dep_ == "dobj" and any(g.lower_ in ("fatal", "deadly") for g in child.children):
            return True
    return False


def _kind_is_person(token: Token) -> bool:
    return _kind(token) in ("person", "child")


def _mentions_hospital(verb: Token) -> bool:
    return any(t.lower_ in ("hospital", "hospitals", "medical") for t in verb.subtree if t.i > verb.i)


def _object_lemma(verb: Token) -> str:
    for child in verb.children:
        if child.dep_ == "dobj":
            return child.lemma_.lower()
        if child.dep_ == "prep":
            target = next((g for g in child.children if g.dep_ == "pobj"), None)
            if target is not None:
                return target.lemma_.lower()
    return ""


def _including_children(head: Token) -> Amount | None:
    """'at least 17 injuries due to falling debris, including a child': the children among the group just
    counted, up to the next figure of the sentence (which would start another group)."""
    for token in head.sent:
        if token.i <= head.i:
            continue
        partitive = _of_object(token) if _is_number(token) else None
        if partitive is not None and partitive.lower_ == "them":
            following = token.doc[token.i : min(len(token.doc), token.i + 5)]
            if any(t.lemma_.lower() in lx.CHILD_NOUNS for t in following):
                return _figure(token)  # "injuring 28 people, two of them children"
        another_figure = (_is_number(token) and token.dep_ != "nummod") or (
            token.dep_ == "nummod" and token.head.i > head.i
        )
        if another_figure and not (token.head.dep_ == "pobj" and token.head.head.lower_ == "including"):
            return None
        if token.lower_ in ("including", "among") and token.dep_ == "prep":
            target = next((g for g in token.children if g.dep_ == "pobj"), None)
            if target is not None and _kind(target) == "child":
                return _amount(target)
    return None


def _weapon_field(noun: Token) -> str | None:
    """launched | intercepted: the verb governing the weapon, or a participle on it ('missiles launched by')."""
    partitive_of = noun.head if noun.dep_ == "pobj" and noun.head.lower_ == "of" else None
    if partitive_of is not None and _is_number(partitive_of.head):
        return "launched"  # "31 of 34 missiles": 34 is the whole that was launched
    verb = _governor(noun)
    verbs = [verb] if verb is not None else []
    lemmas = {v.lemma_.lower() for v in verbs}
    particles = {c.lower_ for v in verbs for c in v.children if c.dep_ in ("prt", "advmod")}
    if lemmas & lx.INTERCEPT_VERBS and (lemmas - {"shoot"} or "down" in particles):
        return "intercepted"
    if lemmas & lx.LAUNCH_VERBS or any(c.dep_ == "acl" and c.lemma_.lower() in lx.LAUNCH_VERBS for c in noun.children):
        return "launched"
    return None


# ---------------------------------------------------------------- small helpers


def _is_number(token: Token) -> bool:
    """A whole-number figure: not a clock time, a decimal, or a percentage ("4.21pm", "11:40", "3.5%")."""
    if not (token.like_num or (token.pos_ == "NUM" and numbers_in(token.text))):
        return False
    if any(mark in token.text for mark in ".:") and not token.text.replace(",", "").isdigit():
        return False
    following = token.nbor(1).lower_ if token.i + 1 < len(token.doc) else ""
    return following not in CLOCK_WORDS


def _has_figure(token: Token) -> bool:
    return _is_number(token) or any(c.dep_ == "nummod" for c in token.children)


def _of_object(token: Token) -> Token | None:
    preposition = next((c for c in token.children if c.dep_ == "prep" and c.lower_ == "of"), None)
    if preposition is None:
        return None
    return next((g for g in preposition.children if g.dep_ == "pobj"), None)


def _is_definite(token: Token) -> bool:
    return any(
        c.dep_ in ("det", "poss") and c.lower_ in ("the", "those", "these", "their", "its") for c in token.children
    ) or any(c.dep_ == "poss" for c in token.children)


def _is_age_noun(token: Token) -> bool:
    """'a 13-year-old' standing for a person (the parse's head is 'old')."""
    return token.lower_ == "old" and any(g.lower_ in ("year", "years") for g in token.children)


def _age(token: Token) -> int | None:
    """The age a noun phrase gives ('a 15-year-old boy', 'a 15-year-old'), if any."""
    for t in [token, *(c for c in token.children if c.dep_ in ("amod", "compound", "nummod"))]:
        if t.lower_ == "old" and any(g.lower_ in ("year", "years") for g in t.children):
            figures = numbers_in(" ".join(g.text for g in t.subtree))
            return min(figures) if figures else None
    return None


def _findings(sentence: SpacySpan, mention: Mention, is_context: bool) -> list[Finding]:
    confidence = mention.confidence * (0.3 if is_context else 1.0)
    prefix = f"weapons.{mention.weapon}" if mention.weapon else "casualties"
    why = "revised" if lx.REVISED.search(sentence.text) else mention.why
    found = [_finding(f"{prefix}.{mention.field}", mention.amount, sentence, confidence, why)]
    if mention.also_launched:
        found.append(_finding(f"{prefix}.launched", mention.amount, sentence, confidence * 0.9))
    if mention.children is not None and not mention.weapon:
        found.append(_finding(f"casualties.children_{mention.field}", mention.children, sentence, confidence))
    return found


def _finding(path: str, amount: Amount, sentence: SpacySpan, confidence: float, why: str = "") -> Finding:
    doc = sentence.doc
    phrase = doc[amount.start : amount.end].text
    count = Count(
        evidence=sentence.text.strip()[:600],
        phrase=phrase[:120],
        value=amount.value,
        low=amount.low,
        high=amount.high,
        qualifier=amount.qualifier,
    )
    start = doc[amount.start].idx
    return Finding(
        path,
        count,
        sentence.start_char,
        sentence.end_char,
        round(confidence, 3),
        why,
        phrase_start=start,
        phrase_end=start + len(phrase),
    )


def best_count(candidates: list[Finding]) -> Finding | None:
    """The figure the article ends on: the last revised one ('the toll rose to 12') if any; else a stated
    figure before a count of one person ('a woman died' is often one of the victims the lead counted),
    and the first of those, as wire copy gives the toll in its lead."""
    if not candidates:
        return None
    revised = [c for c in candidates if c.why == "revised"]
    if revised:
        return revised[-1]

    def rank(candidate: Finding) -> tuple[bool, bool, int]:
        count = candidate.value
        singular = count.value == 1 and count.qualifier == "exact" and not any(ch.isdigit() for ch in count.phrase)
        return (candidate.confidence >= 0.8, not singular, -candidate.start)

    return max(candidates, key=rank)
