"""Alias-aware keys for the names merge compares: places, actors, speakers, damage, notes.

All keys build on ``text.normalize.name_key`` (case, accents, punctuation, transliteration:
Kyiv == Kiev, Zelensky == Zelenskyy) and add what merging needs on top:

- places drop generic words ("Kyiv region" -> kyiv) and possessives ("Kyiv's");
  districts also drop the Ukrainian/Russian adjectival ending, so "Sviatoshynskyi" and
  "Sviatoshyn", "Podilsky" and "Podil" are one district. That ending is only dropped when
  neither place is a city, region or country ("Kyivskyi district" is not Kyiv);
- actors fold demonyms and generic words ("Russian forces" == "Russia");
- speakers match when one name's words contain the other's ("Zelenskyy" and
  "President Volodymyr Zelensky").

``components`` groups items under a symmetric "same" relation into connected components
with a result that does not depend on input order.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import TypeVar

from summarizer.text.normalize import name_key as _name_key
from summarizer.text.normalize import normalise

# Every key below is a pure function of a short string and grouping asks for each one once per
# pair: cache them (bounded), or scoring n reports re-normalises the same names n times over.
name_key = lru_cache(maxsize=1 << 16)(_name_key)

T = TypeVar("T")

PLACE_GENERIC = {
    "region", "oblast", "province", "district", "raion", "rayon", "city", "town", "village", "county",
    "municipality", "area", "of", "s", "capital", "community", "hromada", "settlement",
}  # fmt: skip
COARSE_PLACE_KINDS = {"country", "region", "city"}
ADJECTIVAL = re.compile(r"(?:s'?kyi|s'?kyy|s'?ky|s'?ka|s'?ke|s'?kiy)$")

DEMONYMS = {
    "russian": "russia", "russians": "russia", "ukrainian": "ukraine", "ukrainians": "ukraine",
    "israeli": "israel", "israelis": "israel", "palestinian": "palestine", "palestinians": "palestine",
    "american": "us", "americans": "us", "u s": "us", "usa": "us", "united states": "us",
    "iranian": "iran", "syrian": "syria", "turkish": "turkey", "lebanese": "lebanon",
    "belarusian": "belarus", "british": "uk", "french": "france", "german": "germany",
    "sudanese": "sudan", "yemeni": "yemen", "iraqi": "iraq", "afghan": "afghanistan",
}  # fmt: skip
ACTOR_GENERIC = {
    "forces", "force", "army", "armed", "military", "troops", "air", "defense", "defence", "defenses",
    "defences", "systems", "system", "units", "unit", "government", "authorities", "officials", "the", "of",
    "s", "and", "federation", "national", "state", "side", "strikes",
}  # fmt: skip
TITLES = {
    "president", "prime", "minister", "mayor", "governor", "head", "chief", "general", "spokesperson",
    "spokesman", "spokeswoman", "official", "commander", "advisor", "adviser", "secretary", "mr", "mrs",
    "ms", "dr", "of", "the", "s",
}  # fmt: skip
WEAK_ACTORS = {"civilians", "civilian", "residents", "people", "children", "unknown", "police", "emergency"}
# Country names (English short forms and common variants), so a country is recognised as coarse
# whatever kind an extractor gave it, and a city mislabelled "country" (Kyiv) still counts as specific.
COUNTRY_NAMES = """
afghanistan, albania, algeria, andorra, angola, argentina, armenia, australia, austria, azerbaijan, bahamas,
bahrain, bangladesh, barbados, belarus, belgium, belize, benin, bhutan, bolivia, bosnia, bosnia and herzegovina,
botswana, brazil, brunei, bulgaria, burkina faso, burundi, cambodia, cameroon, canada, cape verde, chad, chile,
china, colombia, comoros, congo, costa rica, croatia, cuba, cyprus, czechia, czech republic, denmark, djibouti,
dominica, dominican republic, ecuador, egypt, el salvador, eritrea, estonia, eswatini, ethiopia, fiji, finland,
france, gabon, gambia, georgia, germany, ghana, greece, grenada, guatemala, guinea, guyana, haiti, honduras,
hungary, iceland, india, indonesia, iran, iraq, ireland, israel, italy, ivory coast, jamaica, japan, jordan,
kazakhstan, kenya, kosovo, kuwait, kyrgyzstan, laos, latvia, lebanon, lesotho, liberia, libya, liechtenstein,
lithuania, luxembourg, madagascar, malawi, malaysia, maldives, mali, malta, mauritania, mauritius, mexico,
moldova, monaco, mongolia, montenegro, morocco, mozambique, myanmar, burma, namibia, nepal, netherlands,
new zealand, nicaragua, niger, nigeria, north korea, north macedonia, norway, oman, pakistan, palestine, panama,
papua new guinea, paraguay, peru, philippines, poland, portugal, qatar, romania, russia, russian federation,
rwanda, saudi arabia, senegal, serbia, sierra leone, singapore, slovakia, slovenia, somalia, south africa,
south korea, south sudan, spain, sri lanka, sudan, suriname, sweden, switzerland, syria, taiwan, tajikistan,
tanzania, thailand, togo, tunisia, turkey, turkiye, turkmenistan, uganda, ukraine, united arab emirates, uae,
united kingdom, uk, britain, great britain, united states, united states of america, us, usa, america, uruguay,
uzbekistan, venezuela, vietnam, yemen, zambia, zimbabwe, gaza, gaza strip, west bank, u.s., u.k.
"""
COUNTRY_KEYS = frozenset(name_key(name) for name in COUNTRY_NAMES.replace("\n", " ").split(","))


@lru_cache(maxsize=1 << 16)
def is_country(name: str) -> bool:
    return name_key(name) in COUNTRY_KEYS


CONTENT_STOPWORDS = {"a", "an", "the", "of", "and", "in", "on", "at", "to", "several", "multiple", "many", "some"}


@lru_cache(maxsize=1 << 16)
def place_key(name: str) -> str:
    """Place name without generic words or possessive: 'Kyiv region' and "Kyiv's" -> 'kyiv'."""
    words = [word for word in name_key(name).split() if word not in PLACE_GENERIC]
    return " ".join(words) or name_key(name)


@lru_cache(maxsize=1 << 16)
def district_key(name: str) -> str:
    """Place key without the adjectival ending: 'Sviatoshynskyi' -> 'sviatoshyn'."""
    words = place_key(name).split()
    if words:
        stripped = ADJECTIVAL.sub("", words[-1])
        if len(stripped) >= 4:
            words[-1] = stripped
    return " ".join(words)


@lru_cache(maxsize=1 << 16)
def same_place(a_name: str, a_kind: str, b_name: str, b_kind: str) -> bool:
    if place_key(a_name) == place_key(b_name):
        return True
    if a_kind in COARSE_PLACE_KINDS or b_kind in COARSE_PLACE_KINDS:
        return False
    return district_key(a_name) == district_key(b_name)


@lru_cache(maxsize=1 << 16)
def actor_key(name: str) -> str:
    """Actor name with demonyms folded and generic words dropped: 'Russian forces' -> 'russia'."""
    key = name_key(name)
    for phrase, country in DEMONYMS.items():
        key = re.sub(rf"\b{phrase}\b", country, key)
    words = sorted({word for word in key.split() if word not in ACTOR_GENERIC})
    return " ".join(words) or key


def is_weak_actor(key: str) -> bool:
    """Actors too generic to show two reports are about one event (civilians, residents)."""
    return not key or set(key.split()) <= WEAK_ACTORS


@lru_cache(maxsize=1 << 16)
def speaker_words(name: str) -> frozenset[str]:
    words = frozenset(word for word in actor_key(name).split() if word not in TITLES)
    return words or frozenset(actor_key(name).split())


def same_speaker(a: str, b: str) -> bool:
    a_words, b_words = speaker_words(a), speaker_words(b)
    return bool(a_words and b_words) and (a_words <= b_words or b_words <= a_words)


@lru_cache(maxsize=1 << 16)
def content_key(text: str) -> str:
    """Words of a phrase without stop words, crude plural folding: 'a power transformer' -> 'power transformer'."""
    words = re.sub(r"[^\w\s]", " ", normalise(text)).split()
    stems = sorted({_singular(word) for word in words if word not in CONTENT_STOPWORDS})
    return " ".join(stems) or normalise(text)


def _singular(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def components(items: Sequence[T], same: Callable[[T, T], bool]) -> list[list[int]]:
    """Indices of ``items`` grouped into connected components of ``same`` (each sorted, by first index)."""
    parent = list(range(len(items)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(items)):
        for j in range(i + 1, len(items)):
            if find(i) != find(j) and same(items[i], items[j]):
                parent[max(find(i), find(j))] = min(find(i), find(j))
    groups: dict[int, list[int]] = {}
    for i in range(len(items)):
        groups.setdefault(find(i), []).append(i)
    return sorted(groups.values())


def pick_display(names: Sequence[str]) -> str:
    """The spelling most sources use; ties go to the shorter, then alphabetically first one."""
    counts: dict[str, int] = {}
    for name in names:
        counts[name] = counts.get(name, 0) + 1
    return min(counts, key=lambda name: (-counts[name], len(name), name))


def unique_sorted(values: Sequence[str]) -> list[str]:
    return sorted(set(values), key=lambda value: (normalise(value), value))
