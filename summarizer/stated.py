"""What words state: the figures a count phrase gives, and the vocabulary that makes a quote evidence of a field.

Grounding accepts a value only when its words state it, so this module reads the ways news writes a count
beyond digits and number words (``textnorm.numbers_in``): one person is one ("A 17-year-old boy has died",
"a crane operator", "the victim"), people listed together add up ("a father and his young daughter" is 2),
"both" is two, and a stated zero is a zero ("no one was hurt", "no lives were lost", "none of the children
were hurt"). An age is never a figure ("a 17-year-old" states 1, not 17). The cue vocabularies follow the
labelling guide (``evals/LABELLING.md``): a quote is about the killed when it says killed, died, drowned, the
dead, bodies, fatal, victims, and so on for each field.
"""

from __future__ import annotations

import re

from summarizer.textnorm import UNITS, normalise, numbers_in

# Nouns for one person, singular: "a" / "an" / "the" / "his" before one of them states a count of one.
PERSON_NOUNS = (
    "man", "woman", "boy", "girl", "child", "kid", "baby", "infant", "toddler", "newborn", "teen", "teenager",
    "youth", "minor", "juvenile", "adult", "person", "individual", "son", "daughter", "mother", "father", "wife",
    "husband", "brother", "sister", "grandmother", "grandfather", "grandson", "granddaughter", "uncle", "aunt",
    "nephew", "niece", "cousin", "friend", "neighbor", "neighbour", "boyfriend", "girlfriend", "partner", "worker",
    "employee", "operator", "driver", "passenger", "pedestrian", "cyclist", "motorcyclist", "motorist", "rider",
    "officer", "policeman", "policewoman", "trooper", "deputy", "firefighter", "soldier", "serviceman",
    "civilian", "resident", "student", "pupil", "schoolboy", "schoolgirl", "teacher", "victim", "guard", "miner",
    "farmer", "shopkeeper", "vendor", "journalist", "reporter", "pilot", "customer", "patron", "bystander",
    "suspect", "gunman", "attacker", "assailant", "shooter", "occupant", "tenant", "homeowner", "owner", "nurse",
    "doctor", "senior", "retiree", "pensioner", "fisherman", "sailor", "crewman", "crew member", "player", "fan",
    "spectator", "worshipper", "shopper", "hiker", "swimmer", "camper", "tourist", "visitor", "volunteer",
    "clerk", "cashier", "manager", "security guard", "doorman", "contractor", "labourer", "laborer", "inmate",
    "prisoner", "detainee", "protester", "demonstrator", "motorman", "conductor", "engineer", "mechanic",
    "paramedic", "medic", "priest", "imam", "pastor", "monk", "nun", "official", "lawmaker", "mayor", "chief",
    "watchman", "body", "corpse", "gunwoman", "fighter", "militant", "rebel", "diver", "climber", "skier",
)  # fmt: skip
_DETERMINERS = r"(?:a|an|one|the|his|her|their|its|another|a second|a third|a fourth|a fifth|a single|a lone)"
_AGE = r"(?:\d+|[a-z]+(?:-[a-z]+)?)[\s-]+(?:year|month|week)s?[\s-]+old"
_PERSON = r"(?:" + "|".join(sorted(PERSON_NOUNS, key=len, reverse=True)) + r")"
# "a 17-year-old boy", "his young daughter", "A crane operator", "the victim", "a 13-year-old" (no noun).
ONE_PERSON = re.compile(rf"\b{_DETERMINERS}\s+(?:(?:[\w'’-]+,?\s+){{0,3}}?{_PERSON}(?![\w-])(?!\s*s\b)|{_AGE})")
_PART_START = re.compile(rf"^\s*{_DETERMINERS}\b")
_CASUALTY_NOUNS = r"(?:lives|life|deaths?|injur\w*|casualt\w*|fatalit\w*|victims?|one else|serious injur\w*)"
ZERO = re.compile(
    rf"\b(?:no[\s-]one|nobody|none|no (?:other )?{_CASUALTY_NOUNS}|no \w+ (?:or|and) {_CASUALTY_NOUNS}"
    r"|(?:was|were|is|are|been)(?:n't| not) (?:\w+ )?(?:hurt|injured|harmed|killed)"
    r"|unhurt|uninjured|unharmed|unscathed|escaped (?:injury|unhurt|without)|without (?:injury|injuries))\b"
)
BOTH = re.compile(r"\b(?:both|twin|twins|a pair|the pair|the couple|a couple)\b")
_NUMBER = r"(?:\d+|[a-z]+)"
AGES = re.compile(
    rf"\b{_AGE}\b|\baged? {_NUMBER}(?: (?:and|or|to) {_NUMBER})*|\bages {_NUMBER}(?:,? (?:and |to )?{_NUMBER})*"
)


def without_ages(text: str) -> str:
    """``text`` with ages blanked ("a 17-year-old", "aged nine and six", "ages 20 and 24"): not figures."""
    return AGES.sub(lambda m: "age" + " " * (len(m.group()) - 3), text)


def figures_in(text: str) -> set[int]:
    """The numbers ``text`` states as figures: digits and number words, ages left out."""
    return numbers_in(without_ages(normalise(text)))


def stated_figures(phrase: str) -> set[int]:
    """Every figure a count phrase states: its numbers (not ages), one for one person, the sum of people
    listed together, two for "both", zero for a stated zero."""
    folded = normalise(phrase)
    found = set()
    if ZERO.search(folded):
        found.add(0)
        folded = ZERO.sub(" ", folded)
    found |= figures_in(folded)
    if BOTH.search(folded):
        found.add(2)
    people = [part for part in re.split(r",\s*|\s+and\s+|\s+&\s+", folded) if part.strip()]
    singles = [part for part in people if _PART_START.search(part) and ONE_PERSON.search(part)]
    if singles or ONE_PERSON.search(folded):
        found.add(1)
    if len(singles) > 1:
        found.add(len(singles))
    return found


def zero_stated(phrase: str) -> bool:
    return bool(ZERO.search(normalise(phrase)))


PEOPLE = re.compile(
    rf"\b(?:people|persons|others|men|women|children|{_PERSON}(?:s|es)?|{_AGE}s?)\b|\bno[\s-]one\b|\bnobody\b"
)


def counts_people(phrase: str) -> bool:
    """Whether a count phrase counts people ("two other people", "a 38-year-old man", "the three victims")."""
    return bool(PEOPLE.search(normalise(phrase)))


# ---------------------------------------------------------------- what a quote is about

_KILLED = (
    r"kill|dead|death|die|dying|lives|life|bodies|body|fatal|casualt|massacre|murder|drown|slain|slay|perish"
    r"|homicide|victim|corpse|lifeless|deceased|succumb|toll|funeral|buried|execut|behead|shot dead"
)
_INJURED = (
    r"injur|wound|hurt|hospital|casualt|treated|harm|stab|shot(?! down)|gunshot|burn|bleed|bruis|fractur|broke|cut |"
    r"critical|serious condition|stable condition|ambulance|paramedic|medical|victim|unscathed|unharmed|trauma|"
    r"smoke inhalation|rescued|trapped|struck|hit by"
)
_CHILD = (
    r"child|kid|boy|girl|minor|teen|toddler|infant|baby|babies|newborn|pupil|student|juvenile|schoolchild|son\b|"
    r"daughter|sister|brother|nephew|niece|grandchild|grandson|granddaughter|youth|youngster|underage"
)
CUES = {
    "killed": re.compile(_KILLED),
    "injured": re.compile(_INJURED),
    "children_killed": re.compile(rf"(?=.*({_CHILD}))(?=.*({_KILLED}))"),
    "children_injured": re.compile(rf"(?=.*({_CHILD}))(?=.*({_INJURED}))"),
    "launched": re.compile(
        r"launch|fire|fired|attack|missile|drone|rocket|shell|barrage|volley|salvo|strike|bomb|round|drop|hurl|"
        r"lob|shot|wave|sent|deploy|used|target|projectile|munition|warhead|grenade"
    ),
    "intercepted": re.compile(
        r"intercept|shot down|shoot down|shooting down|downed|destroy|neutrali|repel|air defen|disabl|jam|"
        r"stopped|foiled|thwart|brought down|knock|suppress|eliminat|defeat|parried|electronic warfare|"
        r"repuls|took down|taken down|hit by air"
    ),
}
CHILD = re.compile(_CHILD)
_MINOR = r"(?:\d|1[0-7]|" + "|".join(word for word, n in UNITS.items() if 0 < n < 18) + r")"
MINOR_AGE = re.compile(rf"\b{_MINOR}[\s-]+year[\s-]+old\b|\baged? {_MINOR}\b")


def speaks_of_children(text: str) -> bool:
    folded = normalise(text)
    return bool(CHILD.search(folded) or MINOR_AGE.search(folded))


SPEECH = re.compile(
    r"\b(?:said|says|say|saying|told|tells|tell|stated|states|announced|announces|announcing|according to|wrote|"
    r"writes|writing|posted|posting|called|calls|urged|urges|warned|warns|reported|reports|detailed|confirmed|"
    r"confirms|added|adds|declared|declares|claimed|claims|claiming|denied|denies|accused|accuses|vowed|vows|"
    r"promised|promises|described|describes|alleged|alleges|alleging|argued|argues|insisted|insists|noted|notes|"
    r"explained|explains|acknowledged|admitted|asserted|blamed|blames|condemned|condemns|criticised|criticized|"
    r"praised|thanked|welcomed|responded|replied|commented|remarked|testified|tweeted|ruled|rules|ordered|"
    r"asked|asks|appealed|pledged|expressed|estimated|identified|charged|statement|spokes\w+|spoke|speaking|"
    r"interview|conference|briefing|telegram|message|address|quoted|quoting|cited|citing|reporters|"
    r"announcement|post on|posted on|wrote on|told reporters|in a letter|claim|denial|accusation|promise|"
    r"warning|appeal|comment|remarks|according|put the toll|put the number|gave the toll)\b|[\"“”]"
)
DAMAGE = re.compile(  # word starts: "dent" is not in "incident", "hit" not in "white"
    r"\b(?:damag|destr|fire|blaze|burn|crater|collaps|shatter|wreck|ruin|debris|hit|struck|smash|level|flatten|blown|"
    r"gutted|gut |torn|tore|ripped|rip |blew|overturn|crush|sank|sunk|capsiz|submerg|flood|swept|scorch|charred|"
    r"razed|demolish|caved|buckl|pierc|punctur|riddled|bullet holes|broken|broke|crack|toppl|fell|fallen|"
    r"engulf|flame|lost|rammed|crashed|slammed|ablaze|smoulder|smolder|gaping|holes?\b|dent|mangled|twisted|"
    r"burst|explo|leak|cut off|knocked out|outage|torched|set alight|set on fire|looted|vandal|graffiti|"
    r"pelted|stoned|los[ei]|losing|melt|went through|tore through|ripped through|bullet|bow|bent|gave way|"
    r"fail|dropp|sag|detach|split|snapp|peel|bombard|plung|skid|went off|careen|flipp|rolled over|penetrat|"
    r"spray|collid|uninhabitable|unlivable|inundat|underwater|washed|wiped out|jackknif|spill)"
)
