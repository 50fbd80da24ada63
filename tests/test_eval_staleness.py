"""A baseline made by other code (schema, grounding, reader, tool schema, record-making code) is reported as stale,
one line per difference, with the exact command that refreshes it; old baselines that lack the fields still load."""

from __future__ import annotations

import copy
import json
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from test_eval_support import ByArticleBackend, answer, make_summarizer, write_fixtures

from summarizer.cli.eval import eval_group
from summarizer.evals.compare import refresh_command, staleness
from summarizer.evals.results import Run, read_report
from summarizer.evals.scorers import scorer_version
from summarizer.pipeline import derived_version, tool_schema_hash
from summarizer.record.schema import SCHEMA_VERSION
from summarizer.versions import grounding_version, reader_version

ROOT = Path(__file__).resolve().parents[1]
VERSION_KEYS = ("schema_version", "grounding_version", "tool_schema_hash", "reader_version", "reader_pipeline")


@pytest.fixture
def env(tmp_path: Path, isolated_home: Path) -> dict:
    return {
        "tmp": tmp_path,
        "home": isolated_home,
        "fixtures": write_fixtures(tmp_path / "fx", 3),
        "model": ByArticleBackend({i: answer(i) for i in range(3)}),
    }


def invoke(env: dict, args: list[str]) -> Result:
    def factory(settings):
        return make_summarizer(env["home"], env["model"], prompt=settings.prompt, strategy=settings.strategy)

    return CliRunner().invoke(eval_group, args, obj={"make_summarizer": factory}, catch_exceptions=False)


def warnings(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("warning: stale baseline: ")]


def test_runs_record_the_versions_of_what_makes_records(env: dict) -> None:
    result = invoke(env, ["--fixtures", str(env["fixtures"]), "--json", "-"])
    meta = json.loads(result.stdout)["meta"]
    assert meta["schema_version"] == SCHEMA_VERSION
    assert meta["grounding_version"] == grounding_version()
    assert meta["tool_schema_hash"] == tool_schema_hash()
    assert meta["reader_version"] == reader_version()
    assert meta["reader_pipeline"]
    assert meta["code_version"] == derived_version()
    assert meta["scorer_version"] == scorer_version()
    assert "revision" in meta["git"] and "summarizer_version" in meta


def test_a_stale_baseline_file_warns_once_per_difference_and_the_command_refreshes_it(env: dict) -> None:
    fixtures = ["--fixtures", str(env["fixtures"])]
    baseline = env["tmp"] / "baseline.json"
    assert invoke(env, [*fixtures, "--save-baseline", str(baseline)]).exit_code == 0
    fresh = invoke(env, [*fixtures, "--baseline", str(baseline)])
    assert fresh.exit_code == 0 and warnings(fresh.output) == [] and "refresh the baseline" not in fresh.output

    data = json.loads(baseline.read_text())
    data["meta"].update(
        schema_version="1.0", grounding_version="0", code_version="0123456789abcdef", scorer_version="5" * 16
    )
    del data["meta"]["tool_schema_hash"]
    baseline.write_text(json.dumps(data))
    report = env["tmp"] / "report.json"
    stale = invoke(env, [*fixtures, "--baseline", str(baseline), "--json", str(report)])
    assert stale.exit_code == 0, stale.output  # a warning, not a failure
    lines = warnings(stale.output)
    assert lines[:3] == [
        f"warning: stale baseline: baseline made with schema version 1.0, this run with {SCHEMA_VERSION} "
        "(schema_version)",
        f"warning: stale baseline: baseline made with grounding version 0, this run with {grounding_version()} "
        "(grounding_version)",
        f"warning: stale baseline: baseline does not record tool_schema_hash (tool schema; this run: "
        f"{tool_schema_hash()})",
    ]
    assert lines[3].startswith(
        f"warning: stale baseline: baseline made with record-making code 0123456789abcdef, this run with "
        f"{derived_version()} (code_version)"
    )
    assert lines[4] == (
        f"warning: stale baseline: baseline made with scoring code {'5' * 16}, this run with {scorer_version()} "
        "(scorer_version)"
    )
    assert len(lines) == 5  # the reader does not run in a model-only eval: its versions are not compared
    command = next(line for line in stale.output.splitlines() if line.startswith("refresh the baseline: "))
    command = command.removeprefix("refresh the baseline: ")
    run_args = ["--fixtures", str(env["fixtures"]), "--prompt", "default", "--strategy", "model"]
    expected = shlex.join(["summarizer", "eval", *run_args, "--save-baseline", str(baseline)])
    assert command == f"SUMMARIZER_MAX_RETRIES=0 {expected}"  # the tests' summarizer never re-asks
    comparison = json.loads(report.read_text())["comparison"]
    assert [f"warning: stale baseline: {line}" for line in comparison["stale"]] == lines
    assert comparison["refresh"] == command

    args = shlex.split(command)
    assert args[:3] == ["SUMMARIZER_MAX_RETRIES=0", "summarizer", "eval"]
    assert invoke(env, args[3:]).exit_code == 0  # the command as printed
    again = invoke(env, [*fixtures, "--baseline", str(baseline)])
    assert warnings(again.output) == [] and "refresh the baseline" not in again.output


def test_the_committed_baseline_from_before_the_fields_loads_and_says_what_it_lacks() -> None:
    committed = ROOT / "evals" / "baselines" / "default-local.json"
    old = read_report(committed)
    for key in VERSION_KEYS[1:]:
        old.meta.pop(key, None)
    old.meta.pop("code_version", None)
    old.meta.pop("scorer_version", None)
    now = Run(
        {
            **copy.deepcopy(old.meta),
            "schema_version": SCHEMA_VERSION,
            "grounding_version": grounding_version(),
            "tool_schema_hash": "t" * 16,
            "reader_version": reader_version(),
            "reader_pipeline": "en_core_web_sm-3.8.0",
            "code_version": "c" * 16,
            "scorer_version": "s" * 16,
            "git": {"revision": "f" * 40, "dirty": False},
            "created": "2099-01-01T00:00:00+00:00",
        },
        [],
    )
    lines = staleness(old, now)
    keys = (
        "grounding_version",
        "tool_schema_hash",
        "reader_version",
        "reader_pipeline",
        "code_version",
        "scorer_version",
    )
    for key in keys:
        assert sum(line.startswith(f"baseline does not record {key} ") for line in lines) == 1, (key, lines)
    revision = old.meta["git"]["revision"]
    assert f"baseline made at an older code revision (git {revision[:10]} of {old.meta['created']} -> ffffffffff)" in (
        lines
    )
    assert len(lines) == len(keys) + 1
    command = refresh_command(str(committed), old)
    run_args = ["--fixtures", "evals/fixtures", "--prompt", "default", "--backend", "local"]
    assert command == shlex.join(["summarizer", "eval", *run_args, "--save-baseline", str(committed)])


def test_staleness_by_strategy_and_without_git() -> None:
    base = {"strategy": "both", "reader_version": "1", "reader_pipeline": "p1", "grounding_version": "1"}
    cand = {"strategy": "both", "reader_version": "2", "reader_pipeline": "p1", "grounding_version": "1"}
    assert staleness(Run(base, []), Run(cand, [])) == [
        "baseline made with reader version 1, this run with 2 (reader_version)"
    ]
    model_only = {**cand, "strategy": "model"}
    assert staleness(Run({**base, "strategy": "model"}, []), Run(model_only, [])) == []
    reader_only = {"strategy": "reader", "grounding_version": "2", "tool_schema_hash": "b"}
    assert staleness(Run({"strategy": "reader", "grounding_version": "1"}, []), Run(reader_only, [])) == []
    # A candidate from before the fields says nothing it cannot compare; git moves only matter without code hashes.
    assert staleness(Run({}, []), Run({}, [])) == []
    git = {"code_version": "c", "git": {"revision": "b" * 40}}
    assert staleness(Run({"code_version": "c", "git": {"revision": "a" * 40}}, []), Run(git, [])) == []
    assert staleness(Run({}, []), Run({"git": {"revision": "b" * 40}}, [])) == ["baseline does not record git revision"]
    later = Run({"git": {"revision": "a" * 40}, "created": "2030-01-02T00:00:00+00:00"}, [])
    earlier = {"git": {"revision": "b" * 40}, "created": "2030-01-01T00:00:00+00:00"}
    assert staleness(later, Run(earlier, [])) == [
        f"baseline made at another code revision (git {'a' * 10} of 2030-01-02T00:00:00+00:00 -> {'b' * 10})"
    ]


def test_compare_warns_about_a_stale_baseline_run(env: dict) -> None:
    fixtures = ["--fixtures", str(env["fixtures"])]
    baseline = env["tmp"] / "old.json"
    assert invoke(env, [*fixtures, "--save-baseline", str(baseline)]).exit_code == 0
    data = json.loads(baseline.read_text())
    data["meta"]["schema_version"] = "1.9"
    baseline.write_text(json.dumps(data))
    candidate = json.loads(invoke(env, [*fixtures, "--json", "-"]).stdout)["meta"]["run_id"]
    result = invoke(env, ["compare", str(baseline), candidate, "--json", "-"])
    assert result.exit_code == 0
    assert f"warning: stale baseline: baseline made with schema version 1.9, this run with {SCHEMA_VERSION}" in (
        result.output
    )
    assert json.loads(result.stdout)["refresh"].endswith(f"--save-baseline {baseline}")

    by_prompt = invoke(env, [*fixtures, "--baseline", "default"])  # a saved run: no file to rewrite
    assert by_prompt.exit_code == 0 and warnings(by_prompt.output) == []
