"""Word lists the reader's rules share: lemmas (spaCy's), not surface forms, wherever a verb or noun inflects."""

from __future__ import annotations

import re

# Verbs whose patient died or was hurt ("were killed", "killing 14", "died", "wounding 25 others").
KILLED_VERBS = frozenset(
    "kill die murder slay perish drown execute behead assassinate massacre electrocute suffocate".split()
)
INJURED_VERBS = frozenset("injure wound hurt hospitalize hospitalise maim burn scald".split())
# Verbs that hurt or kill depending on the outcome ("were shot", "was stabbed", "was hit by a car"):
# injured unless something in the clause says they died ("fatally", "to death", "dead").
HARM_VERBS = frozenset("shoot stab strike hit run knock attack beat slash trample crush".split())
# Nouns that are themselves a casualty count ("17 injuries", "14 deaths", "12 dead", "three wounded").
KILLED_NOUNS = frozenset("death dead fatality body".split())
INJURED_NOUNS = frozenset("injury injured wounded hurt".split())
DEATH_MARKERS = frozenset("death dead fatally fatal deadly lifeless".split())
TOLL_NOUNS = frozenset("toll".split())  # "the death toll rose to 12", "the toll stood at 5"

PERSON_NOUNS = frozenset(
    """person people man men woman women boy girl child children kid teenager teen youth baby infant toddler
    minor adult resident civilian passenger driver pedestrian cyclist motorist rider occupant officer policeman
    firefighter worker employee student pupil victim other soldier serviceman bystander customer shopper guest
    patient visitor tourist spectator fan worshipper miner crew member family father mother son daughter wife
    husband brother sister grandmother grandfather neighbor neighbour friend colleague inmate prisoner suspect
    gunman attacker assailant teacher nurse doctor journalist protester demonstrator player staff individual
    homeowner tenant farmer fisherman villager commuter parent relative sibling couple""".split()
)
CHILD_NOUNS = frozenset("child children kid boy girl teenager teen baby infant toddler minor pupil schoolchild".split())
ADULT_AGE = 18

WEAPON_NOUNS: dict[str, str] = {
    "missile": "missile",
    "rocket": "rocket",
    "drone": "drone",
    "uav": "drone",
    "shahed": "drone",
    "shell": "artillery",
    "mortar": "artillery",
    "bomb": "aircraft_bomb",
    "projectile": "missile",
}
LAUNCH_VERBS = frozenset("launch fire use attack target send deploy unleash drop hurl strike".split())
INTERCEPT_VERBS = frozenset("intercept down destroy neutralize neutralise repel shoot stop disable jam".split())

# Quantity words that state a count without a figure ("several people", "dozens of missiles").
VAGUE_WORDS = frozenset(
    "several many numerous dozens scores hundreds thousands multiple countless some few various".split()
)
VAGUE_HEADS = frozenset("dozens scores hundreds thousands number lot handful couple".split())

SPEECH_VERBS = frozenset(
    """say tell announce state add confirm report write post declare claim deny accuse vow promise describe warn
    urge explain note insist estimate acknowledge detail""".split()
)

# Words that put a clause in another time or another incident, so its figures are not this event's.
CONTEXT_MARKERS = re.compile(
    r"\b(last (?:year|month|summer|winter|spring|autumn|fall)|(?:earlier|so far) this (?:year|month)|"
    r"in (?:19|20)\d\d|since (?:19|20)\d\d|previous(?:ly)?|a separate|another (?:shooting|attack|crash|fire|"
    r"incident|stabbing|strike|explosion|collision|blaze)|a similar|years? ago|months ago|the (?:deadliest|worst)|"
    r"(?:first|second|third|fourth|fifth|sixth) (?:shooting|homicide|killing|fatal|death|crash|fire|attack|"
    r"stabbing)|this year|(?:came|comes|follows|followed) (?:just |less than |more than |about )?"
    r"(?:hours|days|a day|a week|weeks|a month|months) after|"
    r"across the (?:city|county|state|region|country)|city-?wide|county-?wide|nationwide|in (?:separate|unrelated) "
    r"(?:incidents|shootings|attacks|crashes)|(?:this|last|over the) (?:past )?weekend'?s? (?:violence|shootings)|"
    r"(?:a day|days|hours|a week|weeks) (?:earlier|before)|"
    r"in (?:january|february|march|april|may|june|july|august|september|october|november|december)\b(?! \d))",
    re.IGNORECASE,
)
# Words that say a figure replaces an earlier one ("the toll rose to 12", "has climbed to", "now stands at").
REVISION_MARKERS = frozenset("rise climb increase grow reach jump revise update mount raise".split())
REVISED = re.compile(
    r"\b(rose|risen|climbed|increased|jumped|grew|mounted|revised|updated|now stands?|has reached)\b|"
    r"\b(?:raising|raised|bringing|brought|brings)\b(?=.{0,40}\b(?:toll|total|number)\b)"  # "raising the toll to 3"
)
