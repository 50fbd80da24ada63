"""The oracle: the fixtures' labels replayed as a perfect model's answers, through the unchanged pipeline.

Before the pipeline every oracle answer scores 1.0 on every field (and every label of the project's fixtures
has verbatim evidence: a label without it is a fixture bug). Through it, what the pipeline loses is measured.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from summarizer.cli.root import cli
from summarizer.evals.fixtures import load_fixtures
from summarizer.evals.oracle import OracleBackend, noisy_answer, oracle_answer
from summarizer.evals.scorers import score_event
from summarizer.record.schema import Event

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "evals" / "fixtures"


@pytest.fixture(scope="module")
def dataset():  # type: ignore[no-untyped-def]
    return load_fixtures(FIXTURES)


def test_every_label_of_the_project_fixtures_has_verbatim_evidence_and_scores_perfectly(dataset) -> None:  # type: ignore[no-untyped-def]
    for case in dataset.cases:
        answer = oracle_answer(case)
        assert answer.fixture_problems == [], (case.name, answer.fixture_problems)
        event = Event.model_validate(answer.arguments)
        for score in score_event(case.labels, event):
            wrong = {k: n for k, n in score.outcomes.items() if k in ("wrong", "missing", "invented")}
            assert not wrong, (case.name, score.field, score.expected, score.predicted)
        for quote in _quotes(answer.arguments):
            assert quote in case.article.text, (case.name, quote)


def _quotes(value: object) -> list[str]:
    if isinstance(value, dict):
        own = [value["evidence"]] if isinstance(value.get("evidence"), str) else []
        return own + [q for v in value.values() for q in _quotes(v)]
    if isinstance(value, list):
        return [q for v in value for q in _quotes(v)]
    return []


def test_a_label_without_evidence_is_reported_as_a_fixture_bug(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(" date 2024-03-21 Two people were hurt in Lviv overnight.", encoding="utf-8")
    labels = {
        "evidence": {"casualties.injured": "three people were hurt", "when": "overnight"},
        "labels": {"casualties.injured": {"value": 3}, "places": [{"name": ["Odesa"]}]},
    }
    (tmp_path / "a.labels.json").write_text(json.dumps(labels), encoding="utf-8")
    result = CliRunner().invoke(cli, ["eval", "--oracle", "--strategy", "model", "--fixtures", str(tmp_path)])
    assert "fixture bug: a: casualties.injured: no evidence phrase found" in result.stderr
    assert "fixture bug: a: places[0]: no alias of 'Odesa' is in the article" in result.stderr


def test_the_oracle_through_the_model_strategy_keeps_every_right_value() -> None:
    result = CliRunner().invoke(
        cli, ["eval", "--oracle", "--strategy", "model", "--limit", "30", "--json", "-", "--fixtures", str(FIXTURES)]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["meta"]["backend"] == "oracle"
    assert report["summary"]["micro"]["f1"] >= 0.99
    # a re-ask that gets the same answer back ends the loop: never the third call of --max-retries 2
    assert all(row["model_calls"] <= 2 for row in report["cases"])


def test_noise_is_reproducible_valid_and_recorded(dataset) -> None:  # type: ignore[no-untyped-def]
    cases = dataset.cases[:40]
    first = [noisy_answer(case, 7, ["Lviv"]) for case in cases]
    again = [noisy_answer(case, 7, ["Lviv"]) for case in cases]
    assert [a.arguments for a in first] == [a.arguments for a in again]
    kinds = {change["kind"] for answer in first for change in answer.perturbations}
    assert {"count_off", "speaker_invented", "type_wrong"} <= kinds
    for answer in first:
        Event.model_validate(answer.arguments)  # every perturbed answer still fits the schema
    assert [a.arguments for a in first] != [noisy_answer(case, 8, ["Lviv"]).arguments for case in cases]


def test_the_oracle_backend_finds_the_case_by_its_article_and_refuses_an_unknown_one(dataset) -> None:  # type: ignore[no-untyped-def]
    from summarizer.errors import BackendError
    from summarizer.model.extract import event_tool
    from summarizer.model.prompts import load_prompt

    cases = dataset.cases[:3]
    backend = OracleBackend.for_cases(cases)
    messages = load_prompt("default").render(cases[1].article)
    completion = backend.complete(messages=messages, **event_tool())
    arguments = completion.choices[0].message.tool_calls[0].function.arguments  # type: ignore[union-attr]
    assert json.loads(arguments) == oracle_answer(cases[1]).arguments
    with pytest.raises(BackendError):
        backend.complete(messages=[{"role": "user", "content": "another article"}], **event_tool())


def test_noise_needs_the_oracle() -> None:
    result = CliRunner().invoke(cli, ["eval", "--noise", "3", "--fixtures", str(FIXTURES)])
    assert result.exit_code == 2 and "--noise SEED needs --oracle" in result.output
