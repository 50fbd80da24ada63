"""`summarizer eval` end to end through click, on a tmp fixtures folder with a fake model injected via obj."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from test_eval_support import ByArticleBackend, answer, changed_prompt, make_summarizer, write_fixtures

from summarizer.cli.eval import eval_group
from summarizer.cli.kit import SUMMARIZER_KEY

CASES = 8


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    home = tmp_path / "home"
    monkeypatch.setenv("SUMMARIZER_HOME", str(home))
    for variable in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "SUMMARIZER_BACKEND", "SUMMARIZER_PROMPT"):
        monkeypatch.delenv(variable, raising=False)
    good = ByArticleBackend({i: answer(i) for i in range(CASES)})
    worse = ByArticleBackend({i: answer(i, good=False) for i in range(CASES)})
    return {
        "tmp": tmp_path,
        "home": home,
        "fixtures": write_fixtures(tmp_path / "fx", CASES),
        "good": good,
        "worse": worse,
        "candidate": changed_prompt(tmp_path),
    }


def invoke(env: dict, args: list[str]) -> Result:
    """Run the command; the default prompt gets the good fake model, the candidate prompt the worse one."""

    def factory(settings):  # the settings the CLI built, with a fake model in place of the real one
        model = env["worse"] if settings.prompt == str(env["candidate"]) else env["good"]
        return make_summarizer(env["home"], model, prompt=settings.prompt, strategy=settings.strategy)

    return CliRunner().invoke(eval_group, args, obj={SUMMARIZER_KEY: factory}, catch_exceptions=False)


def test_run_report_json_html_and_cache(env: dict) -> None:
    report, page = env["tmp"] / "report.json", env["tmp"] / "report.html"
    first = invoke(env, ["--fixtures", str(env["fixtures"]), "--json", str(report), "--html", str(page)])
    assert first.exit_code == 0, first.output
    assert "casualties.injured" in first.output and "micro" in first.output and "macro" in first.output
    data = json.loads(report.read_text())
    assert data["format_version"] == "1"
    assert data["summary"]["micro"]["f1"] == 1.0
    assert len(data["cases"]) == CASES
    assert data["meta"]["prompt_name"] == "default"
    assert "case07" in page.read_text()
    assert env["good"].calls == CASES

    second = invoke(env, ["--fixtures", str(env["fixtures"]), "--json", "-"])
    assert second.exit_code == 0
    assert env["good"].calls == CASES  # served from the cache
    streamed = json.loads(second.stdout)
    assert streamed["meta"]["model_calls"] == 0
    assert streamed["summary"]["usage"]["cached_rows"] == CASES


def test_gate_on_a_worse_prompt_against_the_baseline(env: dict) -> None:
    fixtures = ["--fixtures", str(env["fixtures"])]
    baseline = env["tmp"] / "baselines" / "default-local.json"
    baseline.parent.mkdir()
    assert invoke(env, [*fixtures, "--save-baseline", str(baseline)]).exit_code == 0
    assert json.loads(baseline.read_text())["format_version"] == "1"

    # 8 cases resolve a --max-drop of 0.25 and above (tests/test_eval_power.py: 0.05 would need 60 cases)
    same = invoke(env, [*fixtures, "--baseline", "default", "--max-drop", "0.3"])
    assert same.exit_code == 0, same.output
    assert "gate passed" in same.output

    candidate = ["--prompt", str(env["candidate"])]
    worse = invoke(env, [*fixtures, *candidate, "--baseline", str(baseline), "--max-drop", "0.1"])
    assert worse.exit_code == 1, worse.output
    assert "GATE FAILED places: F1 dropped 1.000" in worse.output
    assert "prompt_name: default -> candidate" in worse.output
    assert "worse" in worse.output

    lenient = invoke(env, [*fixtures, *candidate, "--baseline", "default", "--max-drop", "1.0"])
    assert lenient.exit_code == 0, lenient.output


def test_a_baseline_prompt_never_run_is_run_first(env: dict) -> None:
    args = ["--fixtures", str(env["fixtures"]), "--prompt", str(env["candidate"]), "--baseline", "default"]
    first = invoke(env, [*args, "--max-drop", "0.1"])
    assert first.exit_code == 1, first.output
    assert "no saved run of prompt 'default' on this backend and model; running it" in first.output
    assert env["good"].calls == CASES and env["worse"].calls == CASES
    again = invoke(env, args)
    assert again.exit_code == 0 and "running it" not in again.output
    assert env["good"].calls == env["worse"].calls == CASES  # the saved baseline and the cache: no calls


def test_fail_under_and_usage_errors(env: dict) -> None:
    fixtures = ["--fixtures", str(env["fixtures"])]
    assert invoke(env, [*fixtures, "--fail-under", "places=0.9"]).exit_code == 0
    failed = invoke(env, [*fixtures, "--fail-under", "places=0.9", "--prompt", str(env["candidate"])])
    assert failed.exit_code == 1 and "GATE FAILED places: F1 0.000 is under 0.900" in failed.output
    for args, message in (
        (["--fail-under", "places=1.5"], "expected FIELD=VALUE"),
        (["--fail-under", "nosuchfield=0.5"], "no scored field nosuchfield"),
        (["--max-drop", "0.1"], "--max-drop needs --baseline"),
        (["--baseline", "missing-run"], "no report file, saved run or run of a prompt named 'missing-run'"),
        (["--case", "nope"], "no case named nope"),
        (["--prompt", "no-such-prompt"], "no prompt named 'no-such-prompt'"),
    ):
        result = invoke(env, [*fixtures, *args])
        assert result.exit_code == 2, (args, result.output)
        assert message in result.output


def test_malformed_fixtures_are_a_usage_error(env: dict) -> None:
    bad = env["tmp"] / "bad"
    write_fixtures(bad, 1)
    (bad / "case00.labels.json").write_text('{"labels": {"casualties.injured": {"value": "three"}}}')
    result = invoke(env, ["--fixtures", str(bad)])
    assert result.exit_code == 2
    assert "case00.labels.json: labels.casualties.injured.value: expected a whole number" in result.output
    assert invoke(env, ["--fixtures", str(env["tmp"] / "nowhere")]).exit_code == 2


def test_subset_runs_list_and_compare(env: dict) -> None:
    fixtures = ["--fixtures", str(env["fixtures"])]
    assert invoke(env, [*fixtures, "--limit", "2", "--repeat", "2", "--concurrency", "2"]).exit_code == 0
    assert env["good"].calls == 4
    assert invoke(env, [*fixtures, "--case", "case05"]).exit_code == 0
    full = invoke(env, [*fixtures, "--json", "-"])
    worse = invoke(env, [*fixtures, "--prompt", str(env["candidate"]), "--json", "-"])
    base_id, cand_id = json.loads(full.stdout)["meta"]["run_id"], json.loads(worse.stdout)["meta"]["run_id"]

    listed = invoke(env, ["runs"])
    assert listed.exit_code == 0
    for run_id in (base_id, cand_id):
        assert run_id[:15] in listed.output

    compared = invoke(env, ["compare", base_id, cand_id, "--json", "-"])
    assert compared.exit_code == 0
    deltas = json.loads(compared.stdout)["fields"]
    assert deltas["places"]["delta"] == -1.0 and deltas["places"]["significant"]
    assert deltas["event_type"]["delta"] == 0.0 and not deltas["event_type"]["significant"]
    assert invoke(env, ["compare", base_id, "candidate", "--max-drop", "0.2"]).exit_code == 1
    assert invoke(env, ["compare", base_id, "nope"]).exit_code == 2


def test_strategy_all_shows_each_field_per_strategy_and_asks_the_model_once(env: dict) -> None:
    result = invoke(env, ["--fixtures", str(env["fixtures"]), "--strategy", "all"])
    assert result.exit_code == 0, result.output
    assert "F1 per strategy" in result.output
    header = next(line for line in result.output.splitlines() if "field" in line and "reader" in line)
    assert header.index("model") < header.index("reader") < header.index("both")
    assert env["good"].calls == CASES  # the model strategy is served from the answers the 'both' run stored


def test_the_model_options_of_summarize_reach_the_settings(env: dict) -> None:
    """eval has summarize's model options, --timeout and --max-retries included; --base-url implies openai."""
    built = []

    def factory(settings):
        built.append(settings)
        return make_summarizer(env["home"], env["good"], prompt=settings.prompt, strategy=settings.strategy)

    args = ["--fixtures", str(env["fixtures"]), "--limit", "1", "--timeout", "7", "--max-retries", "1"]
    args += ["--temperature", "0.3", "--base-url", "http://127.0.0.1:9/v1", "--model", "m"]
    result = CliRunner().invoke(eval_group, args, obj={SUMMARIZER_KEY: factory}, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    [settings] = built
    assert (settings.timeout, settings.max_retries, settings.temperature) == (7.0, 1, 0.3)
    assert (settings.backend, settings.base_url, settings.model) == ("openai", "http://127.0.0.1:9/v1", "m")
    refused = invoke(env, ["--fixtures", str(env["fixtures"]), "--timeout", "0"])
    assert refused.exit_code == 2 and "Invalid value for '--timeout'" in refused.output
