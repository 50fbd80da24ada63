"""Metrics on known tallies; bootstrap and paired comparison behave as noise-aware statistics should."""

from __future__ import annotations

import json

import pytest

from summarizer.evals.results import CaseRow, Run, RunFormatError
from summarizer.evals.scorers import FieldScore
from summarizer.evals.stats import (
    MACRO,
    MICRO,
    Tally,
    bootstrap_ci,
    f1_scores,
    flips,
    paired_deltas,
    summarize,
    tallies,
)


def row(case: str, outcomes: dict[str, str | dict[str, int]], repeat: int = 0, **extra: object) -> CaseRow:
    scores = [FieldScore(f, {o: 1} if isinstance(o, str) else o) for f, o in outcomes.items()]
    return CaseRow(case=case, repeat=repeat, scores=scores, **extra)  # type: ignore[arg-type]


def test_tally_precision_recall_f1() -> None:
    tally = Tally(correct=6, wrong=1, missing=2, invented=1, correct_empty=5)
    assert tally.precision == pytest.approx(6 / 8)
    assert tally.recall == pytest.approx(6 / 9)
    assert tally.f1 == pytest.approx(2 * (6 / 8) * (6 / 9) / (6 / 8 + 6 / 9))
    assert Tally(correct_empty=4).f1 == 1.0  # rightly empty everywhere
    assert Tally(correct_empty=4, invented=1).f1 == 0.0  # one invention in a field that should stay empty
    assert Tally(missing=3).precision == 1.0 and Tally(missing=3).f1 == 0.0


def test_micro_and_macro_averages() -> None:
    rows = [row("a", {"x": "correct", "y": "wrong"}), row("b", {"x": "correct", "y": "correct"})]
    by_field = tallies(rows, ["x", "y"])
    scores = f1_scores(by_field)
    assert scores["x"] == 1.0
    assert scores["y"] == pytest.approx(0.5)  # tp 1, fp 1, fn 1
    assert scores[MACRO] == pytest.approx(0.75)
    assert scores[MICRO] == pytest.approx(0.75)  # tp 3, fp 1, fn 1


def test_bootstrap_is_seeded_and_brackets_the_estimate() -> None:
    rows = [row(f"c{i}", {"x": "correct" if i % 3 else "missing"}) for i in range(12)]
    first, second = bootstrap_ci(rows, ["x"]), bootstrap_ci(rows, ["x"])
    assert first == second
    low, high = first["x"]
    point = f1_scores(tallies(rows, ["x"]))["x"]
    assert low < point < high
    same = [row(f"c{i}", {"x": "correct"}) for i in range(12)]
    assert bootstrap_ci(same, ["x"])["x"] == (1.0, 1.0)


def test_identical_runs_show_no_significant_delta() -> None:
    rows = [row(f"c{i}", {"x": "correct" if i % 2 else "wrong"}) for i in range(10)]
    for delta in paired_deltas(rows, rows):
        assert delta.delta == 0.0
        assert not delta.significant


def test_consistent_drop_is_significant_and_one_flip_is_noise() -> None:
    base = [row(f"c{i}", {"x": "correct", "y": "correct"}) for i in range(16)]
    worse = [row(f"c{i}", {"x": "missing", "y": "correct" if i else "missing"}) for i in range(16)]
    deltas = {d.field: d for d in paired_deltas(base, worse)}
    assert deltas["x"].delta == pytest.approx(-1.0)
    assert deltas["x"].significant and deltas["x"].p_value < 0.05
    assert deltas["y"].delta < 0
    assert not deltas["y"].significant  # one case of sixteen flipped: within noise
    assert deltas["y"].p_value > 0.05


def test_paired_comparison_uses_shared_cases_and_pools_repeats() -> None:
    base = [row("a", {"x": "correct"}), row("b", {"x": "correct"}), row("only-base", {"x": "missing"})]
    cand = [row(c, {"x": "correct"}, repeat=r) for c in ("a", "b") for r in range(3)]
    [x, *_] = paired_deltas(base, cand)
    assert (x.field, x.baseline, x.candidate) == ("x", 1.0, 1.0)


def test_single_shared_case_is_never_significant() -> None:
    [x, *_] = paired_deltas([row("a", {"x": "correct"})], [row("a", {"x": "missing"})])
    assert x.delta == -1.0 and not x.significant


def test_flips_between_repeats() -> None:
    rows = [
        row("a", {"x": "correct", "y": "correct"}, repeat=0),
        row("a", {"x": "correct", "y": "invented"}, repeat=1),
        row("b", {"x": "missing", "y": "correct"}, repeat=0),
        row("b", {"x": "correct", "y": "correct"}, repeat=1),
        row("c", {"x": "missing"}, repeat=0),
    ]
    assert flips(rows) == {"x": ["b"], "y": ["a"]}


def test_summary_and_json_round_trip() -> None:
    rows = [
        row("a", {"event_type": "correct", "places": {"correct": 2, "invented": 1}}, text={"title": 0.5}),
        row("b", {"event_type": "wrong", "places": {"correct_empty": 1}}, text={"title": 1.0}, error=None),
        CaseRow(case="c", error="ExtractionError: no valid record", scores=[FieldScore("event_type", {"missing": 1})]),
    ]
    rows[0].located, rows[0].emitted = 3, 4
    summary = summarize(rows)
    assert summary["errors"] == 1
    assert summary["fields"]["event_type"]["correct"] == 1
    assert summary["fields"]["places"]["precision"] == pytest.approx(2 / 3)
    assert summary["text_similarity"]["title"] == pytest.approx(0.75)
    assert summary["grounding"]["rate"] == pytest.approx(0.75)
    data = json.loads(json.dumps(Run({"run_id": "r1"}, rows).to_json()))
    assert data["format_version"] == "1"
    again = Run.from_json(data, "mem")
    assert again.to_json()["summary"] == data["summary"]
    assert again.rows[2].error == "ExtractionError: no valid record"
    with pytest.raises(RunFormatError, match="report format '0'"):
        Run.from_json({**data, "format_version": "0"}, "old.json")
