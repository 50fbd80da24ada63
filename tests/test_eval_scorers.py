"""Scorers on known pairs, plus properties: gold against itself is perfect, order does not matter, null != 0."""

from __future__ import annotations

import itertools
import random
from datetime import date
from typing import Any

import pytest

from summarizer.evals.fixtures import CountLabel, ItemLabel, WindowLabel, parse_labels
from summarizer.evals.report import grounding_line
from summarizer.evals.results import CaseRow, Run
from summarizer.evals.scorers import (
    PredictedCount,
    best_assignment,
    grounding,
    name_similarity,
    score_count,
    score_event,
    score_text,
    score_window,
    text_similarity,
)
from summarizer.record import ArticleMeta, Issue, Record, Span, unmodelled_provenance
from summarizer.record.schema import (
    Actor,
    Casualties,
    Count,
    Damage,
    Event,
    Place,
    Statement,
    TimeWindow,
    Weapon,
)

SEED_LABELS = {
    "event_type": "missile_or_air_strike",
    "title": "Russian missile attack on Kyiv injures at least 17",
    "summary": "Ukraine intercepted 31 Russian missiles over Kyiv; falling debris injured at least 17 people.",
    "when": {"start": "2024-03-21", "end": "2024-03-21"},
    "places": [
        {"name": ["Kyiv", "Kiev"], "kind": "city"},
        {"name": ["Sviatoshyn", "Sviatoshynskyi"], "kind": "district"},
        {"name": ["Podilsky"]},
    ],
    "actors": [
        {"name": ["Russia", "Russian forces"], "role": "attacker"},
        {"name": ["Ukraine's air defense", "Ukrainian air defense"], "role": "defender"},
    ],
    "weapons.kinds": [["missile", "ballistic_missile", "cruise_missile"]],
    "weapons.launched": {"value": 31},
    "weapons.intercepted": {"value": 31, "qualifier": "exact"},
    "casualties.killed": None,
    "casualties.injured": {"min": 17, "qualifier": "at_least"},
    "casualties.children_killed": None,
    "casualties.children_injured": {"value": 1},
    "damage": [{"what": ["power transformer", "transformer"]}, {"what": ["residential buildings"]}],
    "statements": [{"speaker": ["Serhiy Popko", "Popko"]}],
}

VARIED_LABELS = {
    "event_type": "protest",
    "when": {"start": "2023-05-01", "end": "2023-05-07"},
    "places": None,
    "actors": [{"name": ["protesters"], "role": ["victim", "other"]}],
    "weapons.kinds": [],
    "weapons.launched": None,
    "casualties.killed": {"min": 20, "max": 25, "qualifier": "range"},
    "casualties.injured": {"vague": True, "qualifier": "vague"},
    "casualties.children_injured": {"max": 3},
    "damage": [],
    "statements": None,
}


def count_from(label: CountLabel) -> Count:
    if label.vague:
        return Count(evidence="many", phrase="many", qualifier="vague")
    if label.value is not None:
        return Count(evidence="n", phrase=str(label.value), value=label.value, qualifier=label.qualifier or "exact")
    default = "range" if label.min is not None and label.max is not None else "at_least" if label.min else "at_most"
    return Count(evidence="n", phrase="n", low=label.min, high=label.max, qualifier=label.qualifier or default)


def event_from(labels: dict[str, Any]) -> Event:
    """The prediction the labels describe: first alias, first acceptable kind, the labelled figure."""

    def first(label: ItemLabel, fallback: str) -> Any:
        return label.attr[0] if label.attr else fallback

    counts = {path: count_from(label) for path, label in labels.items() if isinstance(label, CountLabel)}
    weapons = [Weapon(evidence="w", kind=choices[0]) for choices in labels.get("weapons.kinds", [])]
    if any(path.startswith("weapons.") for path in counts):
        weapons = weapons or [Weapon(evidence="w", kind="other")]
        weapons[0] = weapons[0].model_copy(
            update={"launched": counts.get("weapons.launched"), "intercepted": counts.get("weapons.intercepted")}
        )
    casualties = {path.split(".")[1]: c for path, c in counts.items() if path.startswith("casualties.")}
    window: WindowLabel | None = labels.get("when")
    return Event(
        event_type=labels.get("event_type") or "other",
        title=labels.get("title") or "t",
        summary=labels.get("summary") or "s",
        when=TimeWindow(evidence="w", phrase="w", date_start=window.start, date_end=window.end) if window else None,
        places=[Place(evidence="p", name=g.aliases[0], kind=first(g, "other")) for g in labels.get("places", [])],
        actors=[Actor(evidence="a", name=g.aliases[0], role=first(g, "other")) for g in labels.get("actors", [])],
        weapons=weapons,
        casualties=Casualties(**casualties) if casualties else None,
        damage=[Damage(evidence="d", what=g.aliases[-1]) for g in labels.get("damage", [])],
        statements=[Statement(evidence="s", speaker=g.aliases[0], gist="g") for g in labels.get("statements", [])],
    )


def outcomes(scores: list, field: str) -> dict[str, int]:
    return next(score.outcomes for score in scores if score.field == field)


@pytest.mark.parametrize("raw", [SEED_LABELS, VARIED_LABELS], ids=["seed", "varied"])
def test_gold_scored_against_itself_is_perfect(raw: dict) -> None:
    labels = parse_labels(raw, "test")
    scores = score_event(labels, event_from(labels))
    assert {score.field for score in scores} >= set(raw) - {"title", "summary"}
    for score in scores:
        assert set(score.outcomes) <= {"correct", "correct_empty"}, (score.field, score.outcomes)
    assert all(value == 1.0 for value in score_text(labels, event_from(labels)).values())


def test_list_order_does_not_matter() -> None:
    labels = parse_labels(SEED_LABELS, "test")
    event = event_from(labels)
    reordered = event.model_copy(
        update={name: list(reversed(getattr(event, name))) for name in ("places", "actors", "damage", "statements")}
    )
    shuffled_gold = {**labels, "places": labels["places"][::-1], "actors": labels["actors"][1:] + labels["actors"][:1]}
    baseline = [(s.field, s.outcomes) for s in score_event(labels, event)]
    assert [(s.field, s.outcomes) for s in score_event(labels, reordered)] == baseline
    assert [(s.field, s.outcomes) for s in score_event(shuffled_gold, event)] == baseline


def test_null_and_zero_are_different_outcomes() -> None:
    zero = PredictedCount(0, "exact")
    assert score_count(None, zero) == "invented"
    assert score_count(None, None) == "correct_empty"
    assert score_count(CountLabel(value=0), None) == "missing"
    assert score_count(CountLabel(value=0), zero) == "correct"


def test_lower_bound_range_and_exact_counts() -> None:
    at_least_17, between = CountLabel(min=17), CountLabel(min=20, max=25)
    assert [score_count(at_least_17, PredictedCount(n, "at_least")) for n in (16, 17, 40)] == [
        "wrong",
        "correct",
        "correct",
    ]
    assert [score_count(between, PredictedCount(n, "range")) for n in (19, 20, 23, 25, 26)] == [
        "wrong",
        "correct",
        "correct",
        "correct",
        "wrong",
    ]
    assert score_count(CountLabel(max=3), PredictedCount(2, "at_most")) == "correct"
    assert score_count(CountLabel(value=31), PredictedCount(30, "exact")) == "wrong"
    assert score_count(CountLabel(value=31), PredictedCount(None, "vague")) == "wrong"


def test_vague_gold_wants_a_count_without_a_figure() -> None:
    vague = CountLabel(vague=True)
    assert score_count(vague, PredictedCount(None, "vague")) == "correct"
    assert score_count(vague, PredictedCount(12, "about")) == "wrong"
    assert score_count(vague, None) == "missing"


def test_count_read_from_low_and_qualifier_scored_separately() -> None:
    labels = parse_labels({"casualties.injured": {"min": 17, "qualifier": "at_least"}}, "test")
    said_exact = Count(evidence="e", phrase="17", value=17, qualifier="exact")
    only_low = Count(evidence="e", phrase="at least 17", low=17, qualifier="at_least")
    for count, qualifier_outcome in ((said_exact, "wrong"), (only_low, "correct")):
        event = Event(event_type="other", title="t", summary="s", casualties=Casualties(injured=count))
        scores = score_event(labels, event)
        assert outcomes(scores, "casualties.injured") == {"correct": 1}
        assert outcomes(scores, "casualties.injured.qualifier") == {qualifier_outcome: 1}


def test_weapon_counts_are_summed_over_weapons_that_state_one() -> None:
    labels = parse_labels({"weapons.launched": {"value": 31}, "weapons.intercepted": None}, "test")
    weapons = [
        Weapon(
            evidence="e", kind="cruise_missile", launched=Count(evidence="e", phrase="20", value=20, qualifier="exact")
        ),
        Weapon(
            evidence="e",
            kind="ballistic_missile",
            launched=Count(evidence="e", phrase="11", value=11, qualifier="exact"),
        ),
        Weapon(evidence="e", kind="drone"),
    ]
    scores = score_event(labels, Event(event_type="other", title="t", summary="s", weapons=weapons))
    assert outcomes(scores, "weapons.launched") == {"correct": 1}
    assert outcomes(scores, "weapons.intercepted") == {"correct_empty": 1}
    assert PredictedCount.total([w.launched for w in weapons[:2]]) == PredictedCount(31, "exact")


def test_date_windows_overlap() -> None:
    gold = WindowLabel(date(2024, 3, 21), date(2024, 3, 21))

    def window(start: date | None, end: date | None) -> TimeWindow:
        return TimeWindow(evidence="e", phrase="p", date_start=start, date_end=end)

    assert score_window(gold, window(date(2024, 3, 21), date(2024, 3, 21))) == "correct"
    assert score_window(gold, window(date(2024, 3, 20), date(2024, 3, 22))) == "correct"
    assert score_window(gold, window(None, date(2024, 3, 21))) == "correct"
    assert score_window(gold, window(date(2024, 3, 19), date(2024, 3, 20))) == "wrong"
    assert score_window(gold, window(None, None)) == "wrong"
    assert score_window(gold, None) == "missing"
    assert score_window(None, window(date(2024, 3, 21), None)) == "invented"
    assert score_window(None, None) == "correct_empty"


@pytest.mark.parametrize(
    ("aliases", "predicted", "matches"),
    [
        (["Kyiv"], "Kiev", True),
        (["Kyiv"], "KYIV", True),
        (["Volodymyr Zelensky"], "Volodymyr Zelenskyy", True),
        (["Zelensky"], "President Volodymyr Zelensky", True),
        (["Sviatoshyn", "Sviatoshynskyi"], "Sviatoshynskyi district", True),
        (["Kharkiv"], "Kharkov", True),
        (["Zaporizhzhia"], "Zaporizhzhya", True),
        (["Lukyanivka"], "Lukianivka", True),  # a typo-level variant, through the fuzzy ratio
        (["São Paulo"], "sao paulo", True),
        (["Kyiv"], "Kharkiv", False),
        (["Russia"], "Ukraine", False),
        (["air defense forces"], "forces", False),  # a vaguer prediction does not match a specific gold name
        (["Kyiv"], "", False),
    ],
)
def test_name_similarity(aliases: list[str], predicted: str, matches: bool) -> None:
    assert (name_similarity(aliases, predicted) > 0) is matches


def test_names_match_one_to_one() -> None:
    labels = parse_labels({"places": [{"name": ["Kyiv", "Kiev"]}]}, "test")
    places = [Place(evidence="e", name=n, kind="city") for n in ("Kyiv", "Kiev", "Lviv")]
    scores = score_event(labels, Event(event_type="other", title="t", summary="s", places=places))
    assert outcomes(scores, "places") == {"correct": 1, "invented": 2}


def test_assignment_is_best_not_greedy() -> None:
    # "Lukyanivka" matches gold A exactly and gold B only fuzzily; "Lukyanivka district" matches only A.
    # Greedy best-first would pair "Lukyanivka" with A and leave B unmatched.
    labels = parse_labels({"places": [{"name": ["Lukyanivka"]}, {"name": ["Lukianivka"]}]}, "test")
    places = [Place(evidence="e", name=n, kind="district") for n in ("Lukyanivka", "Lukyanivka district")]
    event = Event(event_type="other", title="t", summary="s", places=places)
    assert outcomes(score_event(labels, event), "places") == {"correct": 2}
    assert best_assignment([[101.0, 100.95], [100.95, 0.0]]) == [(0, 1), (1, 0)]


@pytest.mark.parametrize("seed", range(30))
def test_best_assignment_equals_brute_force(seed: int) -> None:
    rng = random.Random(seed)
    rows, cols = rng.randint(1, 5), rng.randint(1, 5)
    weights = [[rng.choice([0.0, 0.0, 100.9, 100.95, 101.0]) for _ in range(cols)] for _ in range(rows)]
    pairs = best_assignment(weights)
    assert len({r for r, _ in pairs}) == len(pairs) == len({c for _, c in pairs})
    best = 0.0
    for perm in itertools.permutations(range(max(rows, cols)), rows):
        best = max(best, sum(weights[r][c] for r, c in enumerate(perm) if c < cols))
    assert sum(weights[r][c] for r, c in pairs) == pytest.approx(best)


def test_kind_and_role_scored_separately_from_names() -> None:
    labels = parse_labels(SEED_LABELS, "test")
    event = event_from(labels)
    wrong_kinds = event.model_copy(update={"places": [p.model_copy(update={"kind": "region"}) for p in event.places]})
    scores = score_event(labels, wrong_kinds)
    assert outcomes(scores, "places") == {"correct": 3}
    assert outcomes(scores, "places.kind") == {"wrong": 2}  # Podilsky has no gold kind: not scored


def test_weapon_kinds_accept_alternatives_and_ignore_duplicates() -> None:
    labels = parse_labels({"weapons.kinds": [["missile", "ballistic_missile"]]}, "test")
    weapons = [Weapon(evidence="e", kind="ballistic_missile"), Weapon(evidence="e", kind="ballistic_missile")]
    event = Event(event_type="other", title="t", summary="s", weapons=weapons)
    assert outcomes(score_event(labels, event), "weapons.kinds") == {"correct": 1}
    drones = event.model_copy(update={"weapons": [Weapon(evidence="e", kind="drone")]})
    assert outcomes(score_event(labels, drones), "weapons.kinds") == {"missing": 1, "invented": 1}


def test_empty_lists_and_errored_cases() -> None:
    labels = parse_labels(VARIED_LABELS, "test")
    scores = score_event(labels, None)
    assert outcomes(scores, "places") == {"correct_empty": 1}
    assert outcomes(scores, "casualties.killed") == {"missing": 1}
    assert outcomes(scores, "weapons.launched") == {"correct_empty": 1}
    assert outcomes(scores, "actors") == {"missing": 1}
    invented = Event(
        event_type="protest", title="t", summary="s", places=[Place(evidence="e", name="Paris", kind="city")]
    )
    assert outcomes(score_event(labels, invented), "places") == {"invented": 1}


def test_text_similarity() -> None:
    assert text_similarity("Missile attack on Kyiv", "missile attack on KYIV.") == 1.0
    assert text_similarity("Missile attack on Kyiv", "Protest in Paris") == 0.0
    partial = text_similarity("Missile attack on Kyiv injures 17", "Missile attack on Kyiv")
    assert 0.5 < partial < 1.0
    assert text_similarity("", "") == 1.0


def _record(event: Event, spans: dict[str, Span], warnings: list[Issue]) -> Record:
    provenance = unmodelled_provenance("fake")
    meta = ArticleMeta(id="a", source="a.txt", sha256="0" * 64, chars=10)
    return Record(article=meta, event=event, spans=spans, provenance=provenance, warnings=warnings)


def test_grounding_rate_counts_located_and_nulled_values() -> None:
    event = event_from(parse_labels(SEED_LABELS, "test"))
    span = Span(start=0, end=4, match="exact", score=1.0)
    record = _record(event, {"when": span, "places[0]": span, "casualties.injured": span}, [])
    result = grounding(record)
    # when, 3 places, 2 actors, 1 weapon + its 2 counts, 2 casualty counts, 2 damage, 1 statement
    assert (result.located, result.emitted) == (3, 14)
    nulled = Issue(code="ungrounded", message="quote not found", path="casualties.killed")
    with_warning = grounding(_record(event, {"when": span}, [nulled]))
    assert (with_warning.located, with_warning.emitted) == (1, 15)
    assert "casualties.killed" in with_warning.unlocated
    stripped = Issue(code="ungrounded", message="dates not stated", path="when")
    other = Issue(code="corrected", message="dates resolved", path="places[0]")
    assert grounding(_record(event, {"when": span}, [stripped, other])).located == 0
    stand_in = Span(start=0, end=4, match="sentence", score=1.0)  # the model's own quote was not found
    repaired = grounding(_record(event, {"when": span, "places[0]": stand_in}, []))
    assert (repaired.located, repaired.repaired) == (1, 1)


def test_the_reader_s_values_are_told_apart_from_the_model_s_repaired_ones() -> None:
    """A reader span is not the model's evidence: the report counts it apart from a sentence standing in for the
    model's quote (both are ``repaired`` to the scorer)."""
    event = event_from(parse_labels(SEED_LABELS, "test"))
    exact = Span(start=0, end=4, match="exact", score=1.0)
    stand_in = Span(start=0, end=4, match="sentence", score=1.0)
    read = Span(start=0, end=4, match="reader", score=0.9)
    spans = {"when": exact, "places[0]": stand_in, "places[1]": read, "casualties.injured": read}
    removed = Issue(code="ungrounded", message="quote not found", path="places[5]")
    record = _record(event, spans, [removed])
    found = grounding(record)
    assert (found.located, found.repaired, found.by_reader) == (1, 3, 2)
    line = grounding_line({"located": 1, "emitted": found.emitted, "repaired": 3, "by_reader": 2, "removed": 1})
    assert line == (
        f"the model's quote was located for 1 of the {found.emitted - 2} values it gave "
        f"({1 / (found.emitted - 2):.0%}); 1 kept on the sentence around the value; 1 removed; "
        "2 more found by the reader"
    )
    assert grounding_line({"located": 0, "emitted": 5, "repaired": 5, "by_reader": 5}) == (
        "the model gave no value; 5 found by the reader"
    )


def test_a_run_saved_before_the_reader_s_values_were_counted_says_so() -> None:
    row = CaseRow(case="c", located=1, emitted=4, repaired=3).to_json()
    del row["by_reader"]  # as a report saved before the field existed
    old = Run.from_json({"format_version": "1", "meta": {}, "cases": [row]}, "old.json")
    assert "by_reader" not in old.summary["grounding"]
    assert "counted apart" in grounding_line(old.summary["grounding"])
    new = Run({}, [CaseRow(case="c", located=1, emitted=4, repaired=3, by_reader=2)])
    assert new.summary["grounding"]["by_reader"] == 2
    assert "counted apart" not in grounding_line(new.summary["grounding"])
