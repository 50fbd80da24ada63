"""Decide which reports describe the same event.

Pair score (every part in [-1, 1], weights sum to 1):

    score = 0.35 * time + 0.30 * place + 0.15 * type + 0.10 * actors + 0.10 * published

- time: windows overlap and both are at most 2 days long: 1; overlap but a window is wider,
  or the windows are on adjacent days (overnight attacks straddle midnight): 0.5; windows
  further apart when one report's evidence names a day inside the other's window (a follow-up
  that names the incident's date, "the Jan. 8 fire"): 0.5, compared on that date; a missing
  window on either side: 0 (neutral, never a match).
- place (kinds corrected first: a known country name is a country, anything else an
  extractor called a country is a specific place): a shared city, district or site (alias-
  and transliteration-aware, see ``names``): 1, but 0.5 when the shared place is a city and
  both name sites of their own, none shared (two shootings in one city, on two streets); only a
  shared region: 0.5; both name specific places, none shared, but one's evidence quotes
  (verbatim article text) name a city, district or site of the other's: 0.5 (one of the two
  read a wrong place; grouping survives it); when one side
  lists no specific place but one of its evidence quotes (verbatim article text) names one
  of the other's: 1, only its model-written title or summary: 0.5; otherwise 0 (a missing
  place is neutral; a shared country is too broad to count).
- type: same event type: 1; compatible types (missile/air strike ~ drone strike ~ shelling,
  shelling ~ armed clash, bombing ~ strikes, shooting ~ armed clash): 0.5; either is
  "other": 0; otherwise -1.
- actors: two or more shared actors (demonyms folded, civilians/residents ignored): 1; one:
  0.5; both name attackers and none is shared: -0.5; otherwise 0.
- published: publication dates at most 1 day apart: 1; at most 3: 0.5; 4 to 7: 0; more
  than 7: -1; unknown: 0.

Blockers override the score (the pair is never grouped): windows 2 or more days apart (unless
a follow-up names the other's date, above); both name countries and none of one side's matches
any place of the other; both name cities (or regions) and none matches, unless they share a
city, district or site or one's evidence names one of the other's (every place key counts, not
the first city alone: one wrongly read city does not split two reports of one event); both name
specific places and share none, with the same exception.

A pair *passes* when it has no blocker and ``score >= threshold`` (default 0.65: the same
day, type and publication date alone make 0.60, not enough; a place or an actor must add to
it). Groups are built by complete linkage: two groups join only if every pair across them
passes, best pairs first. So a chain A~B~C never pulls A and C together when A and C fail on their own,
and the result does not depend on input order (reports are sorted canonically first and
ties are broken by that order).

How it scales (the groups are those of scoring every pair and linking the plain way):

1. Blocking: only pairs that could pass are scored. Dated pairs need windows less than 2
   days apart (a sweep in order of window start). When both sides name specific places they
   must also share a place key (``place_key``; ``district_key`` when neither is a country,
   region or city) that is a specific place on at least one side, or one side's evidence must
   name a place key of the other's: a key -> reports index, swept per key. A report's days
   named in its evidence are swept like windows, so a follow-up meets the incident's reports.
   A report with no specific place is swept against every dated report in its date range. A
   pair with an undated side scores 0 on time, so it reaches the threshold only with close
   publication dates (``undated_reach``: at the default 0.65 at most 1 day
   apart, both known): those pairs are swept by publication date, then filtered by place key. Cost:
   ``n log n`` plus the pairs found, i.e. each report's neighbours within its date range and
   place keys (all reports of the range for a report without a specific place; at thresholds
   of 0.55 or less, all reports for an undated one).
2. Complete linkage over the passing pairs only: a heap of joinable group pairs keyed by
   (-worst score, -mean score, first report of each group), the mean compared exactly (equal
   means are ties, broken by canonical order). When two groups join, the new group can join
   only the groups both could join, with worst and sum of scores following from theirs; the
   heap entries of the two old groups go stale and are skipped when popped. Cost:
   ``O(p log p)`` for ``p`` passing pairs; no rescan of all group pairs.
"""

from __future__ import annotations

import heapq
import itertools
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from functools import cached_property

from summarizer.merge.names import (
    COARSE_PLACE_KINDS,
    actor_key,
    district_key,
    is_country,
    is_weak_actor,
    name_key,
    place_key,
    same_place,
)
from summarizer.record.merged import SourceReport

DEFAULT_THRESHOLD = 0.65
WEIGHTS = {"time": 0.35, "place": 0.30, "type": 0.15, "actors": 0.10, "published": 0.10}
NARROW_WINDOW_DAYS = 2
SCORE_UNIT = 10_000  # scores are rounded to 4 decimals: linkage compares them as integers of this unit

COMPATIBLE_TYPES = {
    frozenset({"missile_or_air_strike", "drone_strike"}),
    frozenset({"missile_or_air_strike", "shelling"}),
    frozenset({"drone_strike", "shelling"}),
    frozenset({"shelling", "armed_clash"}),
    frozenset({"bombing", "missile_or_air_strike"}),
    frozenset({"bombing", "drone_strike"}),
    frozenset({"shooting", "armed_clash"}),
}
FINE_KINDS = {"city", "district", "site", "other"}


@dataclass(frozen=True)
class Part:
    name: str
    value: float
    reason: str

    @property
    def weighted(self) -> float:
        return WEIGHTS[self.name] * self.value


def total(parts: Iterable[Part]) -> float:
    """The score of some parts: their weighted sum, rounded to 4 decimals."""
    return round(sum(part.weighted for part in parts), 4)


@dataclass(frozen=True)
class PairScore:
    a: str
    b: str
    parts: tuple[Part, ...]
    blockers: tuple[str, ...]
    threshold: float

    @property
    def score(self) -> float:
        return total(self.parts)

    @property
    def passes(self) -> bool:
        return not self.blockers and self.score >= self.threshold


# ---------------------------------------------------------------- what scoring reads from a report


@dataclass(eq=False)
class Profile:
    """What scoring reads from one report, derived once (grouping scores a report against many)."""

    report: SourceReport
    window: tuple[date, date] | None
    places: list[tuple[str, str]]  # (name, effective kind)
    actors: set[str]
    attackers: set[str]

    @classmethod
    def of(cls, report: SourceReport) -> Profile:
        places = [(p.name, effective_kind(p.name, p.kind)) for p in report.event.places]
        return cls(report, _window(report), places, _actor_keys(report), _actor_keys(report, "attacker"))

    @property
    def id(self) -> str:
        return self.report.source.id

    @cached_property
    def specific(self) -> list[tuple[str, str]]:
        """Its places that are not countries."""
        return [place for place in self.places if place[1] != "country"]

    def of_kind(self, kind: str) -> list[tuple[str, str]]:
        return self._by_kind.get(kind, [])

    @cached_property
    def _by_kind(self) -> dict[str, list[tuple[str, str]]]:
        by_kind: dict[str, list[tuple[str, str]]] = {}
        for place in self.places:
            by_kind.setdefault(place[1], []).append(place)
        return by_kind

    @cached_property
    def evidence_words(self) -> str:
        """The name-key words of its evidence quotes, each between spaces (see ``_mentions``)."""
        return _padded(_evidence_words(self.report))

    @cached_property
    def title_words(self) -> str:
        """The name-key words of its title and summary, each between spaces."""
        return _padded(name_key(f"{self.report.event.title} \n {self.report.event.summary}").split())

    @cached_property
    def named_days(self) -> frozenset[date]:
        """Days its evidence quotes name, resolved against its publication date ("Jan. 8", "on Friday")."""
        from summarizer.text.dates import resolve

        published = self.report.source.published
        days: set[date] = set()
        for quote in _evidence_texts(self.report):
            window = resolve(quote, published)
            if window is not None and window.start == window.end:
                days.add(window.start)
        return frozenset(days)

    @cached_property
    def place_keys(self) -> tuple[frozenset[str], frozenset[str]]:
        """Blocking keys of its (specific places, countries): two places can only be the same if they share one."""
        specific: set[str] = set()
        countries: set[str] = set()
        for name, kind in self.places:
            (countries if kind == "country" else specific).add("p:" + place_key(name))
            if kind not in COARSE_PLACE_KINDS:  # districts, sites, other: also the same under district_key
                specific.add("d:" + district_key(name))
        return frozenset(specific), frozenset(countries)


# ---------------------------------------------------------------- parts


def _window(report: SourceReport) -> tuple[date, date] | None:
    when = report.event.when
    if when is None:
        return None
    start, end = when.date_start or when.date_end, when.date_end or when.date_start
    return (start, end) if start and end else None


def time_part(a: Profile, b: Profile) -> tuple[Part, str | None]:
    wa, wb = a.window, b.window
    if wa is None or wb is None:
        missing = " and ".join(p.id for p, w in ((a, wa), (b, wb)) if w is None)
        return Part("time", 0.0, f"no dated window in {missing} (neutral)"), None
    gap = max(wa[0], wb[0]).toordinal() - min(wa[1], wb[1]).toordinal()
    shown = f"{_fmt_window(wa)} vs {_fmt_window(wb)}"
    if gap <= 0:
        widest = max((w[1] - w[0]).days + 1 for w in (wa, wb))
        if widest <= NARROW_WINDOW_DAYS:
            return Part("time", 1.0, f"windows overlap ({shown})"), None
        return Part("time", 0.5, f"windows overlap but one spans {widest} days ({shown})"), None
    if gap == 1:
        return Part("time", 0.5, f"windows on adjacent days ({shown})"), None
    for later, other, window in ((a, b, wb), (b, a, wa)):
        named = sorted(
            day for day in later.named_days if window[0].toordinal() - 1 <= day.toordinal() <= window[1].toordinal() + 1
        )
        if named:
            reason = f"{later.id} names {named[0].isoformat()}, in {other.id}'s window ({shown}): a follow-up"
            return Part("time", 0.5, reason), None
    return Part("time", -1.0, f"windows {gap} days apart ({shown})"), f"windows {gap} days apart ({shown})"


def _fmt_window(window: tuple[date, date]) -> str:
    start, end = window
    return start.isoformat() if start == end else f"{start.isoformat()}..{end.isoformat()}"


def place_part(a: Profile, b: Profile) -> tuple[Part, list[str]]:
    pa, pb = a.places, b.places
    blockers = []
    shared = [(x, y) for x in pa for y in pb if same_place(x[0], x[1], y[0], y[1])]
    fine = [(x, y) for x, y in shared if x[1] in FINE_KINDS or y[1] in FINE_KINDS]
    regions = [(x, y) for x, y in shared if "region" in (x[1], y[1])]
    both_placed = bool(a.specific and b.specific)  # else the evidence rule below for a report with no place
    quoted = _quoted_places(a, b) if both_placed and not fine else []
    quoted_cities = _quoted_places(a, b, ("city",)) if both_placed else []
    for kind, plural in (("country", "countries"), ("region", "regions"), ("city", "cities")):
        if kind == "region" and (fine or quoted):
            continue  # a wrongly read state does not outweigh a shared town or street
        if kind == "city" and quoted_cities:
            continue  # one report read a wrong city, and its own text names the other's
        ka, kb = a.of_kind(kind), b.of_kind(kind)
        if ka and kb and not _any_same(ka, pb) and not _any_same(kb, pa):
            blockers.append(f"different {plural}: {_names(ka)} vs {_names(kb)}")
    if fine:
        sites_a, sites_b = a.of_kind("site"), b.of_kind("site")
        only_cities = all(x[1] == "city" and y[1] == "city" for x, y in fine)
        if only_cities and sites_a and sites_b and not _any_same(sites_a, sites_b):
            detail = f"shared city only: {_pairs(fine)}; sites differ ({_names(sites_a)} vs {_names(sites_b)})"
            return Part("place", 0.5, detail), blockers
        return Part("place", 1.0, f"shared place: {_pairs(fine)}"), blockers
    if quoted:
        return Part("place", 0.5, "; ".join(quoted)), blockers
    if regions:
        return Part("place", 0.5, f"shared region only: {_pairs(regions)}"), blockers
    specific_a, specific_b = a.specific, b.specific
    if specific_a and specific_b:
        detail = f"no shared place ({_names(specific_a)} vs {_names(specific_b)})"
        blockers.append(detail)
        return Part("place", 0.0, detail), blockers
    # One side extracted no specific place: neutral, unless its own text names one of the other's places:
    # in an evidence quote (verbatim article text) that is as good as a listed place; only in its
    # model-written title or summary, half that.
    for bare, own, others in ((a, specific_a, specific_b), (b, specific_b, specific_a)):
        if own:
            continue
        quoted = sorted({name for name, _ in others if _mentions(bare.evidence_words, name)})
        if quoted:
            reason = f"{', '.join(quoted)} named in evidence quoted by {bare.id} (it lists no specific place)"
            return Part("place", 1.0, reason), blockers
        written = sorted({name for name, _ in others if _mentions(bare.title_words, name)})
        if written:
            reason = f"{', '.join(written)} named in the title/summary of {bare.id} (it lists no specific place)"
            return Part("place", 0.5, reason), blockers
    missing = " and ".join(p.id for p, s in ((a, specific_a), (b, specific_b)) if not s)
    return Part("place", 0.0, f"no specific place in {missing} (neutral)"), blockers


def _quoted_places(a: Profile, b: Profile, kinds: Iterable[str] = FINE_KINDS) -> list[str]:
    """Places of one report (cities, districts, sites) named in the other's evidence quotes (verbatim text)."""
    found = []
    wanted = set(kinds)
    for listed, quoting in ((a, b), (b, a)):
        names = sorted({n for n, kind in listed.places if kind in wanted and _mentions(quoting.evidence_words, n)})
        if names:
            found.append(f"{', '.join(names)} of {listed.id} named in evidence quoted by {quoting.id}")
    return found


def effective_kind(name: str, kind: str) -> str:
    """A country name is a country whatever its label; a non-country labelled "country" is a specific place."""
    if is_country(name):
        return "country"
    return "other" if kind == "country" else kind


def _mentions(words: str, place: str) -> bool:
    """Whether ``words`` (name-key words of some text, see ``_padded``) contain ``place``, alias-aware."""
    wanted = place_key(place).split()
    return bool(wanted) and _padded(wanted) in words


def _padded(words: list[str]) -> str:
    """Words joined with a space before and after each: a run of words is then a plain substring."""
    return f" {' '.join(words)} "


def _evidence_words(report: SourceReport) -> list[str]:
    return name_key(" \n ".join(_evidence_texts(report))).split()


def _evidence_texts(report: SourceReport) -> list[str]:
    texts: list[str] = []
    stack: list[object] = [report.event.model_dump()]
    while stack:  # every evidence quote, wherever it sits in the event
        node = stack.pop()
        if isinstance(node, dict):
            texts.extend(v for k, v in node.items() if k == "evidence" and isinstance(v, str))
            stack.extend(v for v in node.values() if isinstance(v, dict | list))
        elif isinstance(node, list):
            stack.extend(node)
    return texts


def _any_same(places: list[tuple[str, str]], others: list[tuple[str, str]]) -> bool:
    return any(same_place(x[0], x[1], y[0], y[1]) for x in places for y in others)


def _names(places: list[tuple[str, str]]) -> str:
    return ", ".join(sorted({name for name, _ in places}))


def _pairs(pairs: list[tuple[tuple[str, str], tuple[str, str]]]) -> str:
    shown = sorted({x[0] if x[0] == y[0] else f"{x[0]} = {y[0]}" for x, y in pairs})
    return ", ".join(shown)


def type_part(a: Profile, b: Profile) -> Part:
    ta, tb = a.report.event.event_type, b.report.event.event_type
    if ta == tb:
        return Part("type", 1.0, f"same type ({ta})")
    if "other" in (ta, tb):
        return Part("type", 0.0, f"{ta} vs {tb} (other is neutral)")
    if frozenset({ta, tb}) in COMPATIBLE_TYPES:
        return Part("type", 0.5, f"compatible types ({ta} ~ {tb})")
    return Part("type", -1.0, f"incompatible types ({ta} vs {tb})")


def _actor_keys(report: SourceReport, role: str | None = None) -> set[str]:
    keys = {actor_key(a.name) for a in report.event.actors if role is None or a.role == role}
    return {key for key in keys if not is_weak_actor(key)}


def actors_part(a: Profile, b: Profile) -> Part:
    shared = sorted(a.actors & b.actors)
    if len(shared) >= 2:
        return Part("actors", 1.0, f"shared actors: {', '.join(shared)}")
    if shared:
        return Part("actors", 0.5, f"shared actor: {shared[0]}")
    if a.attackers and b.attackers:
        shown = f"{', '.join(sorted(a.attackers))} vs {', '.join(sorted(b.attackers))}"
        return Part("actors", -0.5, f"different attackers ({shown})")
    return Part("actors", 0.0, "no shared actor (neutral)")


def published_value(days: int | None) -> float:
    """The published part for publication dates ``days`` apart (None: a date is unknown)."""
    if days is None:
        return 0.0
    return 1.0 if days <= 1 else 0.5 if days <= 3 else 0.0 if days <= 7 else -1.0


def published_part(a: Profile, b: Profile) -> Part:
    da, db = a.report.source.published, b.report.source.published
    if da is None or db is None:
        return Part("published", published_value(None), "publication date unknown (neutral)")
    days = abs((da - db).days)
    value = published_value(days)
    unit = "day(s)" if value == 1.0 else "days"
    return Part("published", value, f"published {days} {unit} apart")


def score_profiles(a: Profile, b: Profile, threshold: float = DEFAULT_THRESHOLD) -> PairScore:
    time, time_blocker = time_part(a, b)
    place, place_blockers = place_part(a, b)
    parts = (time, place, type_part(a, b), actors_part(a, b), published_part(a, b))
    blockers = ([time_blocker] if time_blocker else []) + place_blockers
    return PairScore(a.report.source.key, b.report.source.key, parts, tuple(blockers), threshold)


def score_pair(a: SourceReport, b: SourceReport, threshold: float = DEFAULT_THRESHOLD) -> PairScore:
    return score_profiles(Profile.of(a), Profile.of(b), threshold)


# ---------------------------------------------------------------- grouping


class PairScores(dict[tuple[int, int], PairScore]):
    """Scores by report indices ``(i, j)``, ``i < j``: the passing pairs, and any other pair once asked for."""

    def __init__(self, profiles: list[Profile], threshold: float) -> None:
        super().__init__()
        self.profiles, self.threshold = profiles, threshold

    def __missing__(self, key: tuple[int, int]) -> PairScore:
        i, j = key
        if not 0 <= i < j < len(self.profiles):
            raise KeyError(key)
        self[key] = score = score_profiles(self.profiles[i], self.profiles[j], self.threshold)
        return score


@dataclass
class Grouping:
    reports: list[SourceReport]
    groups: list[list[int]]
    threshold: float
    pairs: dict[tuple[int, int], PairScore] = field(default_factory=dict)

    def pair(self, i: int, j: int) -> PairScore:
        """The score of two reports (pairs blocking skipped are scored now)."""
        key = (min(i, j), max(i, j))
        if key not in self.pairs:
            self.pairs[key] = score_pair(self.reports[key[0]], self.reports[key[1]], self.threshold)
        return self.pairs[key]


def group_reports(reports: list[SourceReport], threshold: float = DEFAULT_THRESHOLD) -> Grouping:
    """Complete-linkage groups of ``reports`` (which must already be in canonical order)."""
    profiles = [Profile.of(report) for report in reports]
    pairs = PairScores(profiles, threshold)
    passing: dict[tuple[int, int], int] = {}
    for i, j in _candidates(profiles, threshold):
        pair = score_profiles(profiles[i], profiles[j], threshold)
        if pair.passes:  # only these are kept: the others are scored again if asked for
            pairs[(i, j)] = pair
            passing[(i, j)] = round(pair.score * SCORE_UNIT)
    groups = _complete_linkage(len(reports), passing)
    return Grouping(reports=reports, groups=groups, threshold=threshold, pairs=pairs)


# ---------------------------------------------------------------- blocking


def candidate_pairs(reports: list[SourceReport], threshold: float = DEFAULT_THRESHOLD) -> list[tuple[int, int]]:
    """Pairs worth scoring: every pair that can pass (see the module docstring), and few others."""
    return sorted(_candidates([Profile.of(report) for report in reports], threshold))


def _candidates(profiles: list[Profile], threshold: float) -> set[tuple[int, int]]:
    out: set[tuple[int, int]] = set()
    spans = {i: (p.window[0].toordinal(), p.window[1].toordinal(), i) for i, p in enumerate(profiles) if p.window}
    named = [(day.toordinal(), day.toordinal(), i) for i, p in enumerate(profiles) if p.window for day in p.named_days]
    for members in _key_index(profiles).values():
        specific = {i for i, is_specific in members.items() if is_specific}
        if specific and len(members) > 1:  # windows < 2 days apart, one side's specific place under this key
            items = [spans[i] for i in members if i in spans] + [d for d in named if d[2] in members]
            out.update((i, j) for i, j in _near(items, specific, 1) if i != j)
    placeless = {i for i, p in enumerate(profiles) if not p.place_keys[0]}
    out.update(_near(list(spans.values()), placeless, 1))  # no specific place: every dated report in its range
    for i, j in _undated_pairs(profiles, threshold):
        if _places_compatible(profiles[i], profiles[j]):
            out.add((i, j))
    return out


def _key_index(profiles: list[Profile]) -> dict[str, dict[int, bool]]:
    """Place key -> {report index: whether the key is one of its specific places (else only a country)}; a report
    is also under the key of a place another report lists when its evidence names that place."""
    index: dict[str, dict[int, bool]] = {}
    for i, profile in enumerate(profiles):
        specific, countries = profile.place_keys
        for key in countries:
            index.setdefault(key, {})[i] = False
        for key in specific:
            index.setdefault(key, {})[i] = True
    listed = {key[2:] for key in index if key.startswith("p:")}
    longest = max((len(key.split()) for key in listed), default=0)
    for i, profile in enumerate(profiles):
        words = profile.evidence_words.split()
        for size in range(1, longest + 1):
            for start in range(len(words) - size + 1):
                key = place_key(" ".join(words[start : start + size]))
                if key in listed:
                    index["p:" + key].setdefault(i, True)
    return index


def _places_compatible(a: Profile, b: Profile) -> bool:
    """False when "no shared place" blocks for sure: both name specific places and share no key."""
    specific_a, countries_a = a.place_keys
    specific_b, countries_b = b.place_keys
    if not specific_a or not specific_b:
        return True
    shared = not specific_a.isdisjoint(specific_b) or not specific_a.isdisjoint(countries_b)
    return shared or not specific_b.isdisjoint(countries_a) or bool(_quoted_places(a, b))


def _undated_pairs(profiles: list[Profile], threshold: float) -> Iterator[tuple[int, int]]:
    """Pairs with an undated side whose publication dates are close enough for the pair to reach ``threshold``."""
    undated = {i for i, p in enumerate(profiles) if p.window is None}
    reach = undated_reach(threshold)
    if not undated or reach == -1:
        return iter(())
    if reach is None:
        return ((min(u, v), max(u, v)) for u in sorted(undated) for v in range(len(profiles)) if v != u)
    published = [(d.toordinal(), d.toordinal(), i) for i, p in enumerate(profiles) if (d := p.report.source.published)]
    return _near(published, undated, reach)


def undated_reach(threshold: float) -> int | None:
    """How many days apart two known publication dates can be for a pair with an undated side to pass.

    Such a pair scores 0 on time, so even with the best place, type and actors its publication
    dates must be close: -1 when no such pair can pass, None when any can (unknown dates too).
    """

    def best(published: float) -> float:
        parts = [Part(name, 1.0, "") for name in ("place", "type", "actors")]
        return total([Part("time", 0.0, ""), *parts, Part("published", published, "")])

    if best(published_value(None)) >= threshold:
        return None
    return max((days for days in range(8) if best(published_value(days)) >= threshold), default=-1)


def _near(items: list[tuple[int, int, int]], wanted: set[int], reach: int) -> Iterator[tuple[int, int]]:
    """Index pairs of ``items`` (start, end, index) at most ``reach`` days apart, one of each pair in ``wanted``."""
    items = sorted(items)
    sub = [item for item in items if item[2] in wanted]
    for item in items:
        _, end, i = item
        target = items if i in wanted else sub
        for y in range(bisect_right(target, item), len(target)):
            start, _, j = target[y]
            if start - end > reach:
                break
            yield (i, j) if i < j else (j, i)


# ---------------------------------------------------------------- linkage


def _complete_linkage(n: int, passing: dict[tuple[int, int], int]) -> list[list[int]]:
    """Complete-linkage groups of reports ``0..n-1``, given the passing pairs' scores (in ``SCORE_UNIT``).

    A group is known by its first report. ``links[g][h] = (worst, sum)`` of the pair scores
    across groups g and h, kept only while every pair across them passes (once one fails, it
    fails for any groups containing them). The heap holds candidate joins with the version of
    each group when pushed; a join whose groups changed since is stale and skipped.
    """
    members = {i: [i] for i in range(n)}
    links: dict[int, dict[int, tuple[int, int]]] = {i: {} for i in range(n)}
    version = [0] * n
    # (-worst score, -mean score, g, h, version of g, version of h) when pushed
    heap: list[tuple[int, int | Fraction, int, int, int, int]] = []
    for (i, j), score in passing.items():
        links[i][j] = links[j][i] = (score, score)
        heap.append((-score, -score, i, j, 0, 0))
    heapq.heapify(heap)
    while heap:
        _, _, g, h, version_g, version_h = heapq.heappop(heap)
        if g not in members or h not in members or version[g] != version_g or version[h] != version_h:
            continue
        _join(g, h, members, links)
        version[g] += 1
        for k, (worst, summed) in links[g].items():
            x, y = min(g, k), max(g, k)
            count = len(members[x]) * len(members[y])
            heapq.heappush(heap, (-worst, _negative_mean(summed, count), x, y, version[x], version[y]))
    return sorted(members.values())


def _join(g: int, h: int, members: dict[int, list[int]], links: dict[int, dict[int, tuple[int, int]]]) -> None:
    """Put group ``h`` into group ``g`` (``g < h``): it can join only the groups both could join."""
    links_g, links_h = links[g], links.pop(h)
    del links_g[h], links_h[g]
    joined = {}
    for k, (worst, summed) in links_g.items():
        del links[k][g]
        if k in links_h:
            worst_h, summed_h = links_h[k]
            joined[k] = links[k][g] = (min(worst, worst_h), summed + summed_h)
    for k in links_h:
        del links[k][h]
    links[g] = joined
    members[g] = sorted(members[g] + members.pop(h))


def _negative_mean(summed: int, count: int) -> int | Fraction:
    """Minus the mean score, exactly (an int when it is one: those compare fastest)."""
    return -(summed // count) if summed % count == 0 else Fraction(-summed, count)


def explain(grouping: Grouping) -> str:
    """Why each pair was or was not grouped, with the score's parts."""
    reports = grouping.reports
    group_of = {i: g for g, members in enumerate(grouping.groups) for i in members}
    lines = [f"{len(reports)} report(s), {len(grouping.groups)} group(s); weights {WEIGHTS}"]
    for i, j in itertools.combinations(range(len(reports)), 2):
        pair = grouping.pair(i, j)
        a, b = reports[i].source, reports[j].source
        together = group_of[i] == group_of[j]
        if together:
            verdict = "GROUPED"
        elif pair.passes:
            verdict = "not grouped: passes, but another pair across the two groups fails (complete linkage)"
        elif pair.blockers:
            verdict = "not grouped: " + "; ".join(pair.blockers)
        else:
            verdict = f"not grouped: score below threshold {pair.threshold:g}"
        lines.append(f"{a.id} [{a.key[:8]}] x {b.id} [{b.key[:8]}]: score {pair.score:.2f} -> {verdict}")
        for part in pair.parts:
            lines.append(
                f"    {part.name:<9} {part.value:+.2f} x {WEIGHTS[part.name]:.2f} = {part.weighted:+.3f}  {part.reason}"
            )
    for g, members in enumerate(grouping.groups):
        lines.append(f"group {g + 1}: " + ", ".join(reports[i].source.id for i in members))
    return "\n".join(lines)
