"""What was used: weapon kinds from the article's own words, with the launched / intercepted counts the
count reader attached to them."""

from __future__ import annotations

import re

from spacy.tokens import Span as SpacySpan

from summarizer.reader.counts import MIN_CONFIDENCE, best_count
from summarizer.reader.findings import Finding
from summarizer.record.schema import MAX_WEAPONS, Count, Weapon, WeaponKind

# Each kind's words, as a pattern on lower-cased text; the first kind that matches a sentence wins over later,
# more generic ones of the same family.
KIND_WORDS: dict[WeaponKind, str] = {
    "ballistic_missile": r"\bballistic missiles?\b|\biskanders?\b|\bkinzhals?\b|\bkn-23\b",
    "cruise_missile": r"\bcruise missiles?\b|\bkh-\d+\b|\bkalibrs?\b",
    "missile": r"\bmissiles?\b",
    "drone": r"\b(?:drones?|uavs?|shaheds?|unmanned aerial vehicles?)\b",
    "artillery": r"\b(?:artillery|mortars?|howitzers?|shells?|shelling|shelled)\b",
    "rocket": r"\b(?:rockets?|grads?|mlrs|multiple rocket launchers?)\b",
    "aircraft_bomb": r"\b(?:glide bombs?|guided (?:aerial )?bombs?|aerial bombs?|kabs?|air strikes?|airstrikes?)\b",
    "explosive": r"\b(?:car bomb|suicide bomb(?:er|ing)?|explosive device|ied|explosives?|grenades?|bombs?)\b",
    "firearm": (
        r"\b(?:guns?|gunman|gunmen|gunfire|rifles?|handguns?|pistols?|shotguns?|firearms?|opened fire|"
        r"shot (?!down)|shooting|gunshot)\b"
    ),
    "other": r"\b(?:knife|knives|blade|machete|stabbed|stabbing|knifeman)\b",
}
KIND_PATTERNS = {kind: re.compile(words) for kind, words in KIND_WORDS.items()}
FAMILY = {"ballistic_missile": "missile", "cruise_missile": "missile", "missile": "missile"}
COUNT_KIND = {
    "missile": "missile",
    "rocket": "rocket",
    "drone": "drone",
    "artillery": "artillery",
    "aircraft_bomb": "aircraft_bomb",
}


def find_weapons(sentences: list[SpacySpan], context: list[bool], counts: list[Finding]) -> list[Finding]:
    found: dict[str, Finding] = {}
    for sentence, is_context in zip(sentences, context, strict=True):
        if is_context:
            continue
        lowered = sentence.text.lower()
        for kind, pattern in KIND_PATTERNS.items():
            if not pattern.search(lowered) or kind in found:
                continue
            if FAMILY.get(kind) == "missile" and any(FAMILY.get(k) == "missile" for k in found):
                continue
            weapon = Weapon(evidence=sentence.text.strip()[:600], kind=kind)
            found[kind] = Finding("weapons", weapon, sentence.start_char, sentence.end_char, 0.7, kind)
    return [_with_counts(finding, counts) for finding in found.values()][:MAX_WEAPONS]


def _with_counts(finding: Finding, counts: list[Finding]) -> Finding:
    """The weapon with its launched / intercepted counts; an intercepted count above the launched one is
    dropped (one of the two was misread), as the schema forbids it."""
    weapon: Weapon = finding.value
    family = FAMILY.get(weapon.kind, weapon.kind)
    update: dict[str, Count] = {}
    for field in ("launched", "intercepted"):
        path = f"weapons.{COUNT_KIND.get(family, family)}.{field}"
        best = best_count([c for c in counts if c.path == path and c.confidence >= MIN_CONFIDENCE])
        if best is not None:
            update[field] = best.value
    try:
        armed = Weapon.model_validate({**weapon.model_dump(), **{k: v.model_dump() for k, v in update.items()}})
    except ValueError:
        armed = weapon.model_copy(update={"launched": update.get("launched")})
    return Finding("weapons", armed, finding.start, finding.end, finding.confidence, finding.why)
