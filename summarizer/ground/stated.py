"""What words state: the figures a count phrase gives, and the vocabulary that makes a quote evidence of a field.

Grounding accepts a value only when its words state it, so this module reads the ways news writes a count
beyond digits and number words (``text.normalize.numbers_in``): one person is one ("A 17-year-old boy has died",
"a crane operator", "the victim"), people listed together add up ("a father and his young daughter" is 2),
"both" is two, and a stated zero is a zero ("no one was hurt", "no lives were lost", "none of the children
were hurt"). An age is never a figure ("a 17-year-old" states 1, not 17). The cue vocabularies follow the
labelling guide (``evals/LABELLING.md``): a quote is about the killed when it says killed, died, drowned, the
dead, bodies, fatal, victims, and so on for each field.
"""

from __future__ import annotations

import re

from summarizer.text.normalize import SINGULAR_NOUNS, UNITS, normalise, numbers_in
from summarizer.text.normalize import ZERO as ANY_ZERO

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
PART_OF = re.compile(r"\b(?:including|among them|among whom|of whom|of them|one of)\b")
_CASUALTY_NOUNS = r"(?:lives were lost|life was lost|lives lost|deaths?|injur(?:y|ies)|casualties|fatalities|victims)"
_HARMED = r"(?:killed|hurt|injured|harmed|wounded|died|dead|lost their lives)"
# A stated zero: nobody as the subject of a casualty verb ("no one was hurt", "none of the children at the party
# were hurt"), or no casualty noun ("no deaths were reported", "no arrests or injuries", "suffered no injuries"),
# or unhurt and its kind. "No one has been arrested in the shooting that killed two" and "none seriously" are not.
ZERO = re.compile(
    rf"\b(?:no[\s-]one(?: else)?|nobody|none(?: of (?:the |them|those )?\w*)?)\s+(?:\w+\s+){{0,4}}?"
    rf"(?:(?:was|were|is|are|has been|had been|have been|got|had|has|have)\s+)?(?:\w+\s+)?{_HARMED}"
    rf"|\bno (?:other )?{_CASUALTY_NOUNS}|\bno \w+ (?:or|and) {_CASUALTY_NOUNS}"
    r"|\b(?:was|were|is|are|been)(?:n't| not) (?:\w+ )?(?:hurt|injured|harmed|killed)"
    r"|\b(?:unhurt|uninjured|unharmed|unscathed|escaped (?:injury|unhurt)|without (?:injury|injuries))\b"
)
BOTH = re.compile(r"\b(?:both|twin|twins|a pair|the pair|the couple|a couple)\b")
_NUMBER = r"(?:\d+|[a-z]+)"
AGES = re.compile(
    rf"\b{_AGE}\b|\baged? {_NUMBER}(?: (?:and|or|to) {_NUMBER})*|\bages {_NUMBER}(?:,? (?:and |to )?{_NUMBER})*"
)


def without_ages(text: str) -> str:
    """``text`` with ages blanked ("a 17-year-old", "aged nine and six", "ages 20 and 24"): not figures."""
    return AGES.sub(lambda m: "age" + " " * (len(m.group()) - 3), text)


_A_NOUN = re.compile(r"\b(?:a|an)\s+(?=(?:" + "|".join(SINGULAR_NOUNS) + r")\b)")


def figures_in(text: str) -> set[int]:
    """The numbers ``text`` states as figures: digits and number words, ages left out. "A child" is not read
    as 1 here: whether one person is a count depends on the phrase (``stated_figures``)."""
    plain = _A_NOUN.sub("", without_ages(normalise(text)))
    return numbers_in(ANY_ZERO.sub(" ", plain))  # a zero is read by ``ZERO`` alone, as a casualty verb's subject


def stated_figures(phrase: str, children: bool = False) -> set[int]:
    """Every figure a count phrase states: its numbers (not ages), one for one person named alone, the sum of
    people listed together, two for "both", zero for a stated zero. For a count of children, one child named
    anywhere in it is one ("17 injured, including a child")."""
    folded = normalise(phrase)
    found = set()
    if ZERO.search(folded):
        found.add(0)
        folded = ZERO.sub(" ", folded)
    figures = figures_in(folded)
    found |= figures
    if BOTH.search(folded):
        found.add(2)
    listed = _people_listed(folded)
    if listed != {1} or not figures:  # one person named beside another figure is not that count
        found |= listed
    if children and any(speaks_of_children(folded[m.start() : m.end() + 12]) for m in ONE_PERSON.finditer(folded)):
        found.add(1)
    return found


def _people_listed(folded: str) -> set[int]:
    """One for one person named alone ("A 17-year-old boy has died"); the sum for people listed together ("a
    father and his young daughter" 2, "a man and his two sons" 3); nothing for an apposition that restates a
    figure ("Two other people, a 38-year-old man and a 14-year-old boy": the 2 is already stated)."""
    pieces = re.split(r"(,\s*|\s+and\s+|\s+&\s+)", folded)
    parts = [piece.strip() for piece in pieces[0::2] if piece.strip()]
    listed = any(separator.strip() in ("and", "&") for separator in pieces[1::2])
    if len(parts) == 1:  # one person named alone, not as a part of others ("including a child")
        return {1} if ONE_PERSON.search(folded) and not PART_OF.search(folded) else set()
    counted: list[int] = []
    for part in parts:
        if _PART_START.search(part) and ONE_PERSON.search(part):
            counted.append(1)
        elif (figures := figures_in(part)) and PEOPLE.search(part) and re.match(r"^(?:his|her|their|its)?\s*\w", part):
            if not re.match(rf"^(?:his|her|their|its)?\s*(?:\d+|{'|'.join(UNITS)})\b", part):
                break  # a part that does not start with its figure ("including four children") ends the list
            counted.append(max(figures))
        else:
            break  # the list of people ends where a part is not one ("... has died", "who were inside")
    if not counted:  # the person comes later in the phrase ("running down and killing a pedestrian")
        return {1} if len(ONE_PERSON.findall(folded)) == 1 else set()
    if len(counted) == 1 or not listed:
        return {counted[0]}  # "A fourth man, a rear-seat passenger, was cut free": one person, described twice
    if counted[0] != 1:
        return set()  # "Two other people, a man and a boy": an apposition, the figure is the first part's
    return {sum(counted)}


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
    r"injur|wound|hurt|hospital|casualt|treated|harm|stab|\bshot\b(?! down)|gunshot|burn|bleed|bruis|fractur|"
    r"broken bone|critical|serious condition|stable condition|ambulance|paramedic|victim|unscathed|unharmed|"
    r"trauma|smoke inhalation"
)
_CHILD = (
    r"\b(?:child|children|kids?|boys?|girls?|a minor|minors|teens?|teenagers?|toddlers?|infants?|baby|babies|"
    r"newborns?|pupils?|schoolchildren|schoolchild|schoolboys?|schoolgirls?|juveniles?|youngsters?|underage|"
    r"grandchild|grandchildren|(?:young|little|infant|baby) (?:son|daughter|brother|sister)s?)\b"
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
# "a 15-year-old", "aged 15", and the age news puts after a name: "Her son, Luis, 15, and ..."
MINOR_AGE = re.compile(rf"\b{_MINOR}[\s-]+year[\s-]+old\b|\baged? {_MINOR}\b|\w, (?:\d|1[0-7]),")


def speaks_of_children(text: str) -> bool:
    folded = normalise(text)
    return bool(CHILD.search(folded) or MINOR_AGE.search(folded))


SPEECH = re.compile(
    r"\b(?:said|says|say|saying|told|tells|tell|stated|states|announced|announces|announcing|according to|wrote|"
    r"writes|writing|posted|posting|called|calls|urged|urges|warned|warns|reported|reports|detailed|confirmed|"
    r"confirms|added|adds|declared|declares|claimed|claims|claiming|denied|denies|accused|accuses|vowed|vows|"
    r"promised|promises|described|describes|alleged|alleges|alleging|argued|argues|insisted|insists|noted|notes|"
    r"explained|explains|acknowledged|admitted|asserted|blamed|blames|condemned|condemns|criticised|criticized|"
    r"praised|thanked|welcomed|responded|replied|commented|remarked|testified|tweeted|ruled|appealed|pledged|"
    r"expressed|estimated|statement|spokes\w+|spoke|speaking|interview|briefing|telegram|quoted|quoting|"
    r"cited|citing|told reporters|announcement|posted on|wrote on|in a letter|claim|denial|accusation|"
    r"remarks|according|put the toll|put the number|gave the toll|issued (?:a|an) (?:\w+ )?(?:warning|statement|"
    r"alert|advisory))\b|[\"“”]"
)
DAMAGE = re.compile(  # word starts (and ends where a prefix would take in other words)
    r"\b(?:damag|destr|fire\b|fires\b|blaze|burn|crater|collaps|shatter|wreck|ruin|debris|hit\b|struck|smash|"
    r"level(?:l)?ed|flatten|blown|gutted|torn|tore\b|ripped|blew|overturn|crush|sank|sunk|capsiz|submerg|"
    r"flood|swept|scorch|charred|razed|demolish|caved|buckl|pierc|punctur|riddled|bullet holes|broken|"
    r"cracked|toppl|fell (?:on|onto|into|through)|engulf|flames|rammed|crashed|slammed|ablaze|smould|smold|"
    r"gaping|holes?\b|dented|mangled|twisted|burst|explo(?:ded|sion)|leak|cut off|knocked out|outage|torched|"
    r"set alight|set on fire|looted|vandal|graffiti|pelted|stoned|melted|went through|tore through|"
    r"ripped through|bullets?\b|bowed|bowing|bent\b|gave way|dropped|sagg|detached|split\b|snapped|peeled|"
    r"bombard|plung|skid|went off|careen|flipp|rolled over|penetrat|sprayed|collid|uninhabitable|unlivable|"
    r"inundat|underwater|washed away|wiped out|jackknif|spill|fell in\b|(?:been|were|was) lost|sweeping away|"
    r"swept away|hitting|hits\b|struck)"
)
