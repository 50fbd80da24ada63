"""Pairwise grouping precision / recall, and records built from fixture labels."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from summarizer.cli.merge_eval import main
from summarizer.merge.evaluate import evaluate, gold_events, pairwise, records_from_labels

FIXTURES = Path(__file__).parents[1] / "evals" / "fixtures"


def test_pairwise_counts_every_pair_once():
    gold = {"a": "x", "b": "x", "c": "x", "d": "y", "e": "z"}
    predicted = {"a": 0, "b": 0, "c": 1, "d": 1, "e": 2}
    result = pairwise(predicted, gold)
    # gold pairs: ab ac bc; predicted pairs: ab cd -> TP ab, FP cd, FN ac bc
    assert (result.true_positive, result.false_positive, result.false_negative) == (1, 1, 2)
    assert result.precision == pytest.approx(0.5) and result.recall == pytest.approx(1 / 3)
    assert result.false_merges == (("c", "d"),) and result.missed == (("a", "c"), ("b", "c"))
    assert (result.items, result.events) == (5, 3)


def test_pairwise_perfect_and_empty():
    gold = {"a": "x", "b": "x", "c": "y"}
    perfect = pairwise({"a": 0, "b": 0, "c": 1}, gold)
    assert (perfect.precision, perfect.recall, perfect.f1) == (1.0, 1.0, 1.0)
    singletons = pairwise({"a": 0, "b": 1, "c": 2}, gold)
    assert singletons.precision is None and singletons.recall == 0.0
    assert pairwise({"a": 0}, {"b": "x"}).items == 0  # items without gold are not scored


def _write_case(folder: Path, name: str, event: str, day: str, city: str) -> None:
    (folder / f"{name}.txt").write_text(f" date {day} Missiles hit {city} overnight, injuring 5 people.\n")
    labels = {
        "event": event,
        "labels": {
            "event_type": "missile_or_air_strike",
            "when": {"start": day, "end": day},
            "places": [{"name": [city], "kind": "city"}],
            "actors": [{"name": ["Russia"], "role": "attacker"}],
            "casualties.injured": {"value": 5},
            "weapons.kinds": [["missile"]],
        },
    }
    (folder / f"{name}.labels.json").write_text(json.dumps(labels))


def test_records_from_labels_group_by_the_labelled_facts(tmp_path):
    _write_case(tmp_path, "a1", "kyiv-1", "2024-03-21", "Kyiv")
    _write_case(tmp_path, "a2", "kyiv-1", "2024-03-21", "Kiev")
    _write_case(tmp_path, "b1", "kyiv-2", "2024-03-28", "Kyiv")
    _write_case(tmp_path, "c1", "lviv-1", "2024-03-21", "Lviv")
    records = records_from_labels(tmp_path)
    assert [r.article.id for r in records] == ["a1", "a2", "b1", "c1"]
    assert records[0].event.casualties.injured.value == 5
    gold = gold_events(tmp_path)
    result = evaluate(records, gold, threshold=0.65)
    assert (result.true_positive, result.false_positive, result.false_negative) == (1, 0, 0)
    output = CliRunner().invoke(main, ["--fixtures", str(tmp_path)]).output
    assert "synthetic records built from the labels" in output and "precision 1.000  recall 1.000" in output


def test_project_fixtures_group_well_from_their_labels():
    """Upper bound on the grouping rule: perfect extractions (the labels) must group nearly perfectly."""
    gold = gold_events(FIXTURES)
    assert len(gold) == len(list(FIXTURES.rglob("*.labels.json"))) >= 20  # every fixture names its event
    assert len(set(gold.values())) < len(gold)  # some events have several reports: there are pairs to find
    result = evaluate(records_from_labels(FIXTURES), gold, threshold=0.65)
    assert result.precision == 1.0, result.false_merges
    assert result.recall is not None and result.recall >= 0.8, result.missed


def test_the_readme_command_runs_as_written():
    """README's `python -m summarizer.cli.merge_eval`, from the repository's folder: records built from the labels."""
    repo = FIXTURES.parents[1]
    assert "`python -m summarizer.cli.merge_eval`" in (repo / "README.md").read_text(encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "summarizer.cli.merge_eval"], cwd=repo, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "synthetic records built from the labels" in done.stdout and "precision 1.000" in done.stdout
