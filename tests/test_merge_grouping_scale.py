"""Grouping at scale: blocking and the heap agglomeration give what scoring every pair gives.

The reference below scores every pair and runs complete linkage the plain way (every group
pair rescanned on every join); it is slow on purpose and kept here, apart from the code.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import random
from datetime import date, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from summarizer.merge import group_records
from summarizer.merge.grouping import PairScore, candidate_pairs, group_reports, score_pair, undated_reach
from summarizer.merge.reports import collect_reports
from summarizer.record import Record
from summarizer.record.merged import SourceReport
from summarizer.record.schema import Event

SEED = Path(__file__).parent / "data" / "records" / "seed_000.json"
CITIES = ["Kyiv", "Kiev", "Kharkiv", "Odesa", "Lviv"]  # Kiev: Kyiv's other spelling
DISTRICTS = ["Sviatoshynskyi", "Sviatoshyn", "Podil", "Podilsky", "Obolon"]
REGIONS = ["Kyiv region", "Kharkiv oblast", "Odesa"]
COUNTRIES = ["Ukraine", "Russia"]
TYPES = ["missile_or_air_strike", "drone_strike", "shelling", "armed_clash", "other", "protest"]
ACTORS = [("Russia", "attacker"), ("Russian forces", "attacker"), ("Ukraine's air defense forces", "defender")]
ACTORS += [("Hamas", "attacker"), ("civilians", "victim"), ("Kyiv city administration", "other")]
THRESHOLDS = [0.65, 0.5, 0.6, 0.75]


# ---------------------------------------------------------------- synthetic records


def _places(rng: random.Random) -> list[dict[str, str]]:
    draw = rng.random()
    if draw < 0.15:
        return []
    if draw < 0.25:
        return [_place(rng.choice(COUNTRIES), "country")]
    places = [_place(rng.choice(CITIES), "city")] if rng.random() < 0.8 else []
    for _ in range(rng.randrange(3)):
        kind = rng.choice(["district", "district", "region", "country", "site", "other"])
        pool = {"district": DISTRICTS, "region": REGIONS, "country": [*COUNTRIES, "Kyiv"]}.get(kind, CITIES)
        places.append(_place(rng.choice(pool), kind))  # "Kyiv" as a country: a mislabel, a specific place
    return places or [_place(rng.choice(DISTRICTS), "district")]


def _place(name: str, kind: str) -> dict[str, str]:
    return {"evidence": name, "name": name, "kind": kind}


def _when(rng: random.Random, day: date, event: dict[str, Any]) -> dict[str, Any] | None:
    draw = rng.random()
    if draw < 0.15:
        return None
    length = 0 if draw < 0.75 else 1 if draw < 0.9 else 6
    return {**event["when"], "date_start": (day - timedelta(days=length)).isoformat(), "date_end": day.isoformat()}


def synthetic_records(n: int, seed: int) -> list[Record]:
    """``n`` records over three weeks with varied dates, places, types and actors (some missing)."""
    base = Record.model_validate_json(SEED.read_text(encoding="utf-8"))
    rng = random.Random(seed)
    text = json.dumps(base.event.model_dump(mode="json"))
    records = []
    for i in range(n):
        event = json.loads(text.replace("Kyiv", rng.choice(CITIES)))  # the quotes name some city
        day = date(2024, 3, 1) + timedelta(days=rng.randrange(21))
        event["when"] = _when(rng, day, event)
        event["places"] = _places(rng)
        event["event_type"] = rng.choice([TYPES[0], TYPES[0], *TYPES])
        actors = ACTORS[::2] if rng.random() < 0.5 else rng.sample(ACTORS, rng.randrange(4))
        event["actors"] = [{"name": name, "role": role, "evidence": name} for name, role in actors]
        published = None if rng.random() < 0.1 else day + timedelta(days=rng.choice([0, 0, 1, 2, 5]))
        article = base.article.model_copy(
            update={
                "id": f"r{i:04d}",
                "published": published,
                "sha256": hashlib.sha256(f"{seed} {i}".encode()).hexdigest(),
            }
        )
        records.append(base.model_copy(update={"article": article, "event": Event.model_validate(event), "spans": {}}))
    return records


# ---------------------------------------------------------------- the reference


def reference_scores(reports: list[SourceReport]) -> dict[tuple[int, int], PairScore]:
    return {(i, j): score_pair(reports[i], reports[j]) for i, j in itertools.combinations(range(len(reports)), 2)}


def passing(scores: dict[tuple[int, int], PairScore], threshold: float) -> dict[tuple[int, int], Fraction]:
    """The pairs that pass at ``threshold``, with their exact scores."""
    return {
        key: Fraction(round(pair.score * 10_000), 10_000)
        for key, pair in scores.items()
        if not pair.blockers and pair.score >= threshold
    }


def reference_groups(n: int, passes: dict[tuple[int, int], Fraction]) -> list[list[int]]:
    """Complete linkage: join the two groups whose every cross pair passes, best (worst, then mean) first.

    Ties go to the pair of groups whose first reports come first. Each connected component
    of the passing pairs is linked on its own (no join ever crosses one).
    """
    groups: list[list[int]] = []
    for component in _components(n, passes):
        clusters = [[i] for i in component]
        while True:
            best: tuple[Fraction, Fraction, int, int] | None = None
            for x, y in itertools.combinations(range(len(clusters)), 2):
                if (clusters[x][0], clusters[y][0]) not in passes:
                    continue  # a quick reject: one cross pair fails (first reports ascend with x)
                cross = [passes.get((min(i, j), max(i, j))) for i in clusters[x] for j in clusters[y]]
                if all(score is not None for score in cross):
                    scores = [score for score in cross if score is not None]
                    candidate = (-min(scores), -sum(scores) / len(scores), clusters[x][0], clusters[y][0])
                    best = candidate if best is None or candidate < best else best
            if best is None:
                break
            x = next(k for k, cluster in enumerate(clusters) if cluster[0] == best[2])
            y = next(k for k, cluster in enumerate(clusters) if cluster[0] == best[3])
            clusters[x] = sorted(clusters[x] + clusters[y])
            del clusters[y]
        groups.extend(clusters)
    return sorted(groups)


def _components(n: int, passes: dict[tuple[int, int], Fraction]) -> list[list[int]]:
    seen: set[int] = set()
    neighbours: dict[int, set[int]] = {i: set() for i in range(n)}
    for i, j in passes:
        neighbours[i].add(j)
        neighbours[j].add(i)
    components = []
    for start in range(n):
        if start in seen:
            continue
        stack, component = [start], []
        seen.add(start)
        while stack:
            i = stack.pop()
            component.append(i)
            for j in neighbours[i] - seen:
                seen.add(j)
                stack.append(j)
        components.append(sorted(component))
    return components


# ---------------------------------------------------------------- tests


@pytest.fixture(scope="module", params=[1, 2, 3])
def scored(request: pytest.FixtureRequest) -> tuple[list[SourceReport], dict[tuple[int, int], PairScore]]:
    reports = collect_reports(synthetic_records(200, seed=request.param))
    return reports, reference_scores(reports)


def test_synthetic_records_cover_the_hard_cases(scored):
    reports, scores = scored
    assert sum(r.event.when is None for r in reports) > 10
    assert sum(not r.event.places for r in reports) > 10
    assert sum(r.source.published is None for r in reports) > 5
    passes = passing(scores, 0.65)
    undated = {i for i, r in enumerate(reports) if r.event.when is None}
    placeless = {i for i, r in enumerate(reports) if not r.event.places}
    assert any(i in undated or j in undated for i, j in passes)
    assert any(i in placeless or j in placeless for i, j in passes)
    assert max(len(group) for group in reference_groups(len(reports), passes)) >= 3


@pytest.mark.parametrize("threshold", THRESHOLDS)
def test_blocking_keeps_every_passing_pair(scored, threshold):
    reports, scores = scored
    candidates = set(candidate_pairs(reports, threshold))
    assert set(passing(scores, threshold)) <= candidates
    assert len(candidates) < len(scores)  # and it does block


@pytest.mark.parametrize("threshold", THRESHOLDS)
def test_grouping_equals_the_reference(scored, threshold):
    reports, scores = scored
    passes = passing(scores, threshold)
    grouping = group_reports(reports, threshold)
    assert grouping.groups == reference_groups(len(reports), passes)
    assert set(grouping.pairs) == set(passes)


def test_grouping_does_not_depend_on_input_order():
    records = synthetic_records(150, seed=7)
    expected = _ids(group_records(records))
    shuffled = records[:]
    random.Random(0).shuffle(shuffled)
    assert _ids(group_records(shuffled)) == expected


def _ids(grouping: Any) -> list[list[str]]:
    return sorted(sorted(grouping.reports[i].source.id for i in group) for group in grouping.groups)


def test_any_pair_can_still_be_asked_for(scored):
    reports, scores = scored
    grouping = group_reports(reports)
    blocked = next(key for key, pair in scores.items() if pair.blockers)
    assert blocked not in grouping.pairs
    assert grouping.pairs[blocked] == scores[blocked] == grouping.pair(*reversed(blocked))
    with pytest.raises(KeyError):
        grouping.pairs[(len(reports), len(reports) + 1)]


@pytest.mark.parametrize(("threshold", "reach"), [(0.65, 1), (0.61, 1), (0.6, 3), (0.56, 3), (0.55, None), (0.66, -1)])
def test_undated_pairs_need_close_publication_dates(threshold, reach):
    assert undated_reach(threshold) == reach
