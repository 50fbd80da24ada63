"""Decide which reports describe the same event.

Pair score (every part in [-1, 1], weights sum to 1):

    score = 0.35 * time + 0.30 * place + 0.15 * type + 0.10 * actors + 0.10 * published

- time: windows overlap and both are at most 2 days long: 1; overlap but a window is wider,
  or the windows are on adjacent days (overnight attacks straddle midnight): 0.5; a missing
  window on either side: 0 (neutral, never a match).
- place (kinds corrected first: a known country name is a country, anything else an
  extractor called a country is a specific place): a shared city, district or site (alias-
  and transliteration-aware, see ``names``): 1; only a shared region: 0.5; when one side
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

Blockers override the score (the pair is never grouped): windows 2 or more days apart; both
name cities (or regions, or countries) and none of one side's matches any place of the other;
both name specific places and share none.

A pair *passes* when it has no blocker and ``score >= threshold`` (default 0.65: the same
day, type and publication date alone make 0.60, not enough; a place or an actor must add to
it). Groups are built by complete linkage: two groups join only if every pair across them
passes, best pairs first. So a chain A~B~C never pulls A and C together when A and C fail on their own,
and the result does not depend on input order (reports are sorted canonically first and
ties are broken by that order).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date

from summarizer.merge.models import SourceReport
from summarizer.merge.names import actor_key, is_country, is_weak_actor, name_key, place_key, same_place

DEFAULT_THRESHOLD = 0.65
WEIGHTS = {"time": 0.35, "place": 0.30, "type": 0.15, "actors": 0.10, "published": 0.10}
NARROW_WINDOW_DAYS = 2

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


@dataclass(frozen=True)
class PairScore:
    a: str
    b: str
    parts: tuple[Part, ...]
    blockers: tuple[str, ...]
    threshold: float

    @property
    def score(self) -> float:
        return round(sum(part.weighted for part in self.parts), 4)

    @property
    def passes(self) -> bool:
        return not self.blockers and self.score >= self.threshold


@dataclass
class Grouping:
    reports: list[SourceReport]
    groups: list[list[int]]
    threshold: float
    pairs: dict[tuple[int, int], PairScore] = field(default_factory=dict)

    def pair(self, i: int, j: int) -> PairScore:
        """The score of two reports (pairs skipped as far apart in time are scored now)."""
        key = (min(i, j), max(i, j))
        if key not in self.pairs:
            self.pairs[key] = score_pair(self.reports[key[0]], self.reports[key[1]], self.threshold)
        return self.pairs[key]


# ---------------------------------------------------------------- parts


def _window(report: SourceReport) -> tuple[date, date] | None:
    when = report.event.when
    if when is None:
        return None
    start, end = when.date_start or when.date_end, when.date_end or when.date_start
    return (start, end) if start and end else None


def time_part(a: SourceReport, b: SourceReport) -> tuple[Part, str | None]:
    wa, wb = _window(a), _window(b)
    if wa is None or wb is None:
        missing = " and ".join(r.source.id for r, w in ((a, wa), (b, wb)) if w is None)
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
    return Part("time", -1.0, f"windows {gap} days apart ({shown})"), f"windows {gap} days apart ({shown})"


def _fmt_window(window: tuple[date, date]) -> str:
    start, end = window
    return start.isoformat() if start == end else f"{start.isoformat()}..{end.isoformat()}"


def place_part(a: SourceReport, b: SourceReport) -> tuple[Part, list[str]]:
    pa = [(p.name, effective_kind(p.name, p.kind)) for p in a.event.places]
    pb = [(p.name, effective_kind(p.name, p.kind)) for p in b.event.places]
    blockers = []
    for kind, plural in (("country", "countries"), ("region", "regions"), ("city", "cities")):
        ka, kb = [p for p in pa if p[1] == kind], [p for p in pb if p[1] == kind]
        if ka and kb and not _any_same(ka, pb) and not _any_same(kb, pa):
            blockers.append(f"different {plural}: {_names(ka)} vs {_names(kb)}")
    shared = [(x, y) for x in pa for y in pb if same_place(x[0], x[1], y[0], y[1])]
    fine = [(x, y) for x, y in shared if x[1] in FINE_KINDS or y[1] in FINE_KINDS]
    regions = [(x, y) for x, y in shared if "region" in (x[1], y[1])]
    if fine:
        return Part("place", 1.0, f"shared place: {_pairs(fine)}"), blockers
    if regions:
        return Part("place", 0.5, f"shared region only: {_pairs(regions)}"), blockers
    specific_a = [p for p in pa if p[1] != "country"]
    specific_b = [p for p in pb if p[1] != "country"]
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
        quoted = sorted({name for name, _ in others if _mentions(_evidence_words(bare), name)})
        if quoted:
            reason = f"{', '.join(quoted)} named in evidence quoted by {bare.source.id} (it lists no specific place)"
            return Part("place", 1.0, reason), blockers
        written = sorted({name for name, _ in others if _mentions(_title_words(bare), name)})
        if written:
            reason = f"{', '.join(written)} named in the title/summary of {bare.source.id} (it lists no specific place)"
            return Part("place", 0.5, reason), blockers
    missing = " and ".join(r.source.id for r, p in ((a, specific_a), (b, specific_b)) if not p)
    return Part("place", 0.0, f"no specific place in {missing} (neutral)"), blockers


def effective_kind(name: str, kind: str) -> str:
    """A country name is a country whatever its label; a non-country labelled "country" is a specific place."""
    if is_country(name):
        return "country"
    return "other" if kind == "country" else kind


def _mentions(words: list[str], place: str) -> bool:
    """Whether ``words`` (name-key words of some text) contain ``place``, alias-aware."""
    wanted = place_key(place).split()
    n = len(wanted)
    return bool(wanted) and any(words[i : i + n] == wanted for i in range(len(words) - n + 1))


def _title_words(report: SourceReport) -> list[str]:
    return name_key(f"{report.event.title} \n {report.event.summary}").split()


def _evidence_words(report: SourceReport) -> list[str]:
    texts: list[str] = []
    stack: list[object] = [report.event.model_dump()]
    while stack:  # every evidence quote, wherever it sits in the event
        node = stack.pop()
        if isinstance(node, dict):
            texts.extend(v for k, v in node.items() if k == "evidence" and isinstance(v, str))
            stack.extend(v for v in node.values() if isinstance(v, dict | list))
        elif isinstance(node, list):
            stack.extend(node)
    return name_key(" \n ".join(texts)).split()


def _any_same(places: list[tuple[str, str]], others: list[tuple[str, str]]) -> bool:
    return any(same_place(x[0], x[1], y[0], y[1]) for x in places for y in others)


def _names(places: list[tuple[str, str]]) -> str:
    return ", ".join(sorted({name for name, _ in places}))


def _pairs(pairs: list[tuple[tuple[str, str], tuple[str, str]]]) -> str:
    shown = sorted({x[0] if x[0] == y[0] else f"{x[0]} = {y[0]}" for x, y in pairs})
    return ", ".join(shown)


def type_part(a: SourceReport, b: SourceReport) -> Part:
    ta, tb = a.event.event_type, b.event.event_type
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


def actors_part(a: SourceReport, b: SourceReport) -> Part:
    shared = sorted(_actor_keys(a) & _actor_keys(b))
    if len(shared) >= 2:
        return Part("actors", 1.0, f"shared actors: {', '.join(shared)}")
    if shared:
        return Part("actors", 0.5, f"shared actor: {shared[0]}")
    attackers_a, attackers_b = _actor_keys(a, "attacker"), _actor_keys(b, "attacker")
    if attackers_a and attackers_b:
        shown = f"{', '.join(sorted(attackers_a))} vs {', '.join(sorted(attackers_b))}"
        return Part("actors", -0.5, f"different attackers ({shown})")
    return Part("actors", 0.0, "no shared actor (neutral)")


def published_part(a: SourceReport, b: SourceReport) -> Part:
    da, db = a.source.published, b.source.published
    if da is None or db is None:
        return Part("published", 0.0, "publication date unknown (neutral)")
    days = abs((da - db).days)
    if days <= 1:
        return Part("published", 1.0, f"published {days} day(s) apart")
    if days <= 3:
        return Part("published", 0.5, f"published {days} days apart")
    if days <= 7:
        return Part("published", 0.0, f"published {days} days apart")
    return Part("published", -1.0, f"published {days} days apart")


def score_pair(a: SourceReport, b: SourceReport, threshold: float = DEFAULT_THRESHOLD) -> PairScore:
    time, time_blocker = time_part(a, b)
    place, place_blockers = place_part(a, b)
    parts = (time, place, type_part(a, b), actors_part(a, b), published_part(a, b))
    blockers = ([time_blocker] if time_blocker else []) + place_blockers
    return PairScore(a.source.key, b.source.key, parts, tuple(blockers), threshold)


# ---------------------------------------------------------------- linkage


def candidate_pairs(reports: list[SourceReport]) -> list[tuple[int, int]]:
    """Pairs worth scoring: all but dated pairs whose windows are 2+ days apart (those are blocked anyway).

    Dated reports are swept in order of window start, so n reports spread over many days cost
    far fewer than n^2 / 2 pair scores; undated reports are paired with everything.
    """
    windows = [_window(r) for r in reports]
    dated = sorted((w[0], w[1], i) for i, w in enumerate(windows) if w is not None)
    undated = [i for i, w in enumerate(windows) if w is None]
    out = {(min(i, j), max(i, j)) for i in undated for j in range(len(reports)) if i != j}
    for x, (_, end_x, i) in enumerate(dated):
        for start_y, _, j in dated[x + 1 :]:
            if start_y.toordinal() - end_x.toordinal() >= 2:
                break
            out.add((min(i, j), max(i, j)))
    return sorted(out)


def group_reports(reports: list[SourceReport], threshold: float = DEFAULT_THRESHOLD) -> Grouping:
    """Complete-linkage groups of ``reports`` (which must already be in canonical order)."""
    pairs = {(i, j): score_pair(reports[i], reports[j], threshold) for i, j in candidate_pairs(reports)}
    # Complete linkage never joins reports that are not connected by passing pairs: link each
    # connected component of the passing pairs on its own (keeps the loop over groups small).
    parent = list(range(len(reports)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for (i, j), pair in pairs.items():
        if pair.passes:
            a, b = root(i), root(j)
            parent[max(a, b)] = min(a, b)
    components: dict[int, list[int]] = {}
    for i in range(len(reports)):
        components.setdefault(root(i), []).append(i)
    groups = [group for members in components.values() for group in _complete_linkage(members, pairs)]
    return Grouping(reports=reports, groups=sorted(groups), threshold=threshold, pairs=pairs)


def _complete_linkage(members: list[int], pairs: dict[tuple[int, int], PairScore]) -> list[list[int]]:
    clusters: list[list[int]] = [[i] for i in members]
    while True:
        best: tuple[float, float, int, int] | None = None
        for x in range(len(clusters)):
            for y in range(x + 1, len(clusters)):
                cross = [pairs.get((min(i, j), max(i, j))) for i in clusters[x] for j in clusters[y]]
                if not all(pair is not None and pair.passes for pair in cross):
                    continue
                scores = [pair.score for pair in cross if pair is not None]
                worst, mean = min(scores), sum(scores) / len(scores)
                candidate = (-worst, -mean, x, y)
                if best is None or candidate < best:
                    best = candidate
        if best is None:
            return clusters
        _, _, x, y = best
        clusters[x] = sorted(clusters[x] + clusters[y])
        del clusters[y]


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
