"""A --max-drop gate over too few cases to detect the drop it asks for says so and fails, instead of 'gate passed'."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from test_eval_support import ByArticleBackend, answer, changed_prompt, make_summarizer, write_fixtures

from summarizer.cli.eval import eval_group
from summarizer.evals.compare import check_gate, compare_runs
from summarizer.evals.results import CaseRow, Run
from summarizer.evals.scorers import FieldScore
from summarizer.evals.stats import Power, cases_beyond_noise, paired_deltas


def rows(cases: int, worse: int) -> tuple[list[CaseRow], list[CaseRow]]:
    """A field scored once per case, right everywhere in the baseline and wrong in ``worse`` candidate cases."""
    base = [CaseRow(case=f"c{i:03d}", scores=[FieldScore("event_type", {"correct": 1})]) for i in range(cases)]
    cand = [
        CaseRow(case=f"c{i:03d}", scores=[FieldScore("event_type", {"wrong": 1} if i < worse else {"correct": 1})])
        for i in range(cases)
    ]
    return base, cand


def significant(cases: int, worse: int) -> bool:
    base, cand = rows(cases, worse)
    return next(d for d in paired_deltas(base, cand) if d.field == "event_type").significant


@pytest.mark.parametrize("cases", [2, 3, 5, 10, 58])
def test_the_rule_matches_the_paired_bootstrap(cases: int) -> None:
    """The worse cases the rule says a drop needs are what the gate's own statistics need (away from the
    boundary of the 2.5% tail, where the seeded resamples may fall either way: 8 and 20 cases)."""
    needed = cases_beyond_noise(cases)
    assert needed is not None
    assert significant(cases, needed)
    assert not significant(cases, needed - 1)


def test_the_rule_for_few_cases() -> None:
    assert cases_beyond_noise(1) is None  # no resampling at all: never significant
    assert not significant(1, 1)
    assert [cases_beyond_noise(n) for n in (2, 3, 4, 9, 58, 1000)] == [2, 3, 3, 4, 4, 4]
    assert Power(1, 0.1).problem() == (
        "gate cannot detect a drop of 0.100 with 1 case (needs ≥ 30 cases): with fewer than two cases there is "
        "no estimate of noise, so no drop is ever beyond it"
    )
    assert Power(2, 0.1).problem() == (
        "gate cannot detect a drop of 0.100 with 2 cases (needs ≥ 30 cases, or --max-drop ≥ 0.500): a drop is "
        "beyond noise only when at least 2 of the 2 cases get worse"
    )
    assert Power(3, 0.5).problem() is not None and Power(3, 0.7).problem() is None
    assert Power(58, 0.05).problem() == (
        "gate cannot detect a drop of 0.050 with 58 cases (needs ≥ 60 cases, or --max-drop ≥ 0.052): a drop is "
        "beyond noise only when at least 4 of the 58 cases get worse"
    )
    assert Power(60, 0.05).enough and Power(58, 0.06).enough
    assert "no number of cases is enough; use --max-drop ≥ 0.052" in (Power(58, 0.0).problem() or "")
    assert Power(1, 1.0).enough  # no drop exceeds 1: nothing to detect


@pytest.mark.parametrize("max_drop", [0.02, 0.05, 0.1, 0.25, 0.3, 0.5])
def test_cases_needed_is_enough_from_there_on(max_drop: float) -> None:
    needed = Power(2, max_drop).cases_needed
    assert needed is not None
    assert all(Power(n, max_drop).enough for n in range(needed, 400))
    assert not Power(needed - 1, max_drop).enough


@pytest.fixture
def env(tmp_path: Path, isolated_home: Path) -> dict:
    return {
        "tmp": tmp_path,
        "home": isolated_home,  # where `eval compare` and `eval runs` look (SUMMARIZER_HOME)
        "good": ByArticleBackend({i: answer(i) for i in range(3)}),
        "worse": ByArticleBackend({i: answer(i, good=False) for i in range(3)}),
        "candidate": changed_prompt(tmp_path),
    }


def invoke(env: dict, args: list[str]) -> Result:
    def factory(settings):
        model = env["worse"] if settings.prompt == str(env["candidate"]) else env["good"]
        return make_summarizer(env["home"], model, prompt=settings.prompt, strategy=settings.strategy)

    return CliRunner().invoke(eval_group, args, obj={"make_summarizer": factory}, catch_exceptions=False)


@pytest.mark.parametrize(("cases", "needs"), [(1, "needs ≥ 30 cases)"), (2, "or --max-drop ≥ 0.500"), (3, "0.667")])
def test_an_underpowered_gate_fails_and_says_why(env: dict, cases: int, needs: str) -> None:
    fixtures = ["--fixtures", str(write_fixtures(env["tmp"] / f"fx{cases}", cases))]
    assert invoke(env, fixtures).exit_code == 0  # the baseline run
    result = invoke(env, [*fixtures, "--baseline", "default", "--max-drop", "0.1", "--json", "-"])
    assert result.exit_code == 1, result.output
    assert "gate passed" not in result.output
    plural = "case" if cases == 1 else "cases"
    assert f"GATE CANNOT DETECT: gate cannot detect a drop of 0.100 with {cases} {plural} (" in result.output
    assert needs in result.output
    gate = json.loads(result.stdout)["comparison"]["gate"]
    assert gate["passed"] is False and gate["failures"] == []
    assert gate["underpowered"].startswith("gate cannot detect a drop of 0.100")
    assert gate["power"]["cases"] == cases and gate["power"]["cases_needed"] == 30


def test_a_gate_with_enough_cases_passes_and_a_real_drop_still_fails(env: dict) -> None:
    fixtures = ["--fixtures", str(write_fixtures(env["tmp"] / "fx", 3))]
    assert invoke(env, fixtures).exit_code == 0
    fine = invoke(env, [*fixtures, "--baseline", "default", "--max-drop", "0.7"])
    assert fine.exit_code == 0, fine.output
    assert "gate passed" in fine.output and "CANNOT DETECT" not in fine.output

    candidate = ["--prompt", str(env["candidate"])]
    worse = invoke(env, [*fixtures, *candidate, "--baseline", "default", "--max-drop", "0.1"])
    assert worse.exit_code == 1
    assert "GATE FAILED places: F1 dropped 1.000" in worse.output  # every case worse: beyond noise with 3
    assert "GATE CANNOT DETECT" in worse.output  # and smaller drops would not have been


def test_compare_reports_the_power_of_its_gate(env: dict) -> None:
    fixtures = ["--fixtures", str(write_fixtures(env["tmp"] / "fx", 2))]
    first = json.loads(invoke(env, [*fixtures, "--json", "-"]).stdout)["meta"]["run_id"]
    second = json.loads(invoke(env, [*fixtures, "--json", "-"]).stdout)["meta"]["run_id"]
    result = invoke(env, ["compare", first, second, "--max-drop", "0.2"])
    assert result.exit_code == 1
    assert "GATE CANNOT DETECT: gate cannot detect a drop of 0.200 with 2 cases" in result.output
    assert invoke(env, ["compare", first, second, "--max-drop", "0.5"]).exit_code == 0
    assert invoke(env, ["compare", first, second]).exit_code == 0  # no gate asked for: nothing to judge


def few_scoring(cases: int = 60, scoring: int = 12) -> Run:
    """``cases`` cases that all score event_type; only the first ``scoring`` state (and score) children killed."""

    def row(index: int) -> CaseRow:
        children = {"correct": 1} if index < scoring else {"correct_empty": 1}
        scores = [FieldScore("event_type", {"correct": 1}), FieldScore("casualties.children_killed", children)]
        scores.append(FieldScore("casualties.killed", {"correct_empty": 1}))  # scored nowhere: nothing to see
        return CaseRow(case=f"c{index:03d}", scores=scores)

    return Run({"run_id": "r"}, [row(i) for i in range(cases)])


def test_fields_scored_in_too_few_shared_cases_are_named_without_failing_the_gate() -> None:
    """60 shared cases can see a drop of 0.06 in a field every case scores, not in one that 12 cases score: the
    gate names that field (a note) and still passes when nothing dropped."""
    baseline, candidate = few_scoring(), few_scoring()
    deltas = compare_runs(baseline, candidate)
    assert {d.field: d.cases for d in deltas if not d.field.startswith(("micro", "macro"))} == {
        "event_type": 60,
        "casualties.children_killed": 12,
        "casualties.killed": 0,
    }
    gate = check_gate(candidate, deltas, {}, 0.06, baseline=baseline)
    assert gate.passed and gate.underpowered is None
    assert gate.blind_fields == ["casualties.children_killed (12 cases)"]
    assert gate.to_json()["power"]["blind_fields"] == ["casualties.children_killed (12 cases)"]
    assert check_gate(candidate, deltas, {}, 0.3, baseline=baseline).blind_fields == []  # 12 cases see 0.3


def test_compare_prints_the_blind_fields_as_a_note(tmp_path: Path) -> None:
    paths = []
    for name in ("base", "cand"):
        paths.append(tmp_path / f"{name}.json")
        paths[-1].write_text(json.dumps(few_scoring().to_json()), encoding="utf-8")
    result = CliRunner().invoke(eval_group, ["compare", *map(str, paths), "--max-drop", "0.06"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "note: a drop just over 0.06 can go unseen in these fields" in text
    note = text[text.index("note:") : text.index("gate passed")]
    assert note.endswith("casualties.children_killed (12 cases) ") and "casualties.killed" not in note
