"""`summarizer merge` through click's CliRunner on the stored seed records."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from summarizer.cli.merge import merge_command
from summarizer.merge import DEFAULT_THRESHOLD

RECORDS = Path(__file__).parent / "data" / "records"
SEEDS = [str(RECORDS / "seed_000.json"), str(RECORDS / "seed_001.json")]


def run(*args: str, stdin: str | None = None):
    return CliRunner().invoke(merge_command, list(args), input=stdin)


def compact(path: str) -> str:
    return json.dumps(json.loads(Path(path).read_text(encoding="utf-8")))


def test_json_output_is_one_merged_event():
    result = run(*SEEDS, "--format", "json")
    assert result.exit_code == 0, result.stderr
    event = json.loads(result.stdout)  # one event: an object, as `summarize` prints one record
    assert event["kind"] == "merged_event"
    injured = event["casualties"]["injured"]
    assert (injured["low"], injured["high"], injured["status"]) == (13, 17, "compatible")
    assert sorted(c["phrase"] for c in injured["claims"]) == ["at least 13", "at least 17"]
    assert "merged 2 report(s) into 1 event(s)" in result.stderr


def test_default_format_off_a_terminal_is_json():
    result = run(*SEEDS)
    assert result.exit_code == 0
    assert json.loads(result.stdout)["kind"] == "merged_event"


def test_markdown_output_shows_the_figures_table():
    result = run(*SEEDS, "--format", "markdown")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("# ")
    assert "| casualties.injured | 17 (range 13–17, compatible; together: at least 17) |" in result.stdout
    assert "a considerable number" in result.stdout


def test_jsonl_with_a_malformed_line_reports_it_and_merges_the_rest(tmp_path):
    path = tmp_path / "records.jsonl"
    not_a_record = json.dumps({"article": {"id": "x"}, "event": {}})
    path.write_text("\n".join([compact(SEEDS[0]), "{this is not json", not_a_record, compact(SEEDS[1])]) + "\n")
    result = run(str(path), "--format", "jsonl")
    assert result.exit_code == 1
    assert f"{path}:2: invalid JSON" in result.stderr
    assert f"{path}:3: not a valid Record" in result.stderr
    assert "2 input(s) skipped" in result.stderr
    [line] = result.stdout.splitlines()
    assert len(json.loads(line)["sources"]) == 2


def test_a_json_list_and_stdin_are_read():
    listing = "[" + ",".join(compact(p) for p in SEEDS) + "]"
    result = run("-", "--format", "json", stdin=listing)
    assert result.exit_code == 0, result.stderr
    assert len(json.loads(result.stdout)["sources"]) == 2


def test_merged_output_merges_to_itself(tmp_path):
    first = run(*SEEDS, "--format", "json")
    merged = tmp_path / "merged.json"
    merged.write_text(first.stdout)
    again = run(str(merged), *SEEDS, "--format", "json")
    assert again.exit_code == 0, again.stderr
    assert again.stdout == first.stdout


def test_explain_prints_each_pair_with_its_parts():
    result = run(*SEEDS, "--format", "json", "--explain")
    assert "score 1.00 -> GROUPED" in result.stderr
    for part in ("time", "place", "type", "actors", "published"):
        assert f"    {part}" in result.stderr
    assert "shared place: Kyiv" in result.stderr


def test_threshold_decides(tmp_path):
    later = json.loads(Path(SEEDS[1]).read_text(encoding="utf-8"))
    later["article"]["published"] = "2024-03-23"  # published part 0.5: score 0.95
    path = tmp_path / "later.json"
    path.write_text(json.dumps(later))
    assert json.loads(run(SEEDS[0], str(path), "--format", "json").stdout)["kind"] == "merged_event"
    strict = run(SEEDS[0], str(path), "--format", "json", "--threshold", "0.96", "--explain")
    assert [len(e["sources"]) for e in json.loads(strict.stdout)] == [1, 1]
    assert "score 0.95 -> not grouped: score below threshold 0.96" in strict.stderr


def test_policy_option_sets_the_value():
    result = run(*SEEDS, "--format", "json", "--policy", "median")
    injured = json.loads(result.stdout)["casualties"]["injured"]
    assert (injured["value"], injured["policy"]) == (13, "median")


@pytest.mark.parametrize("bad", [["--threshold", "1.5"], ["--policy", "loudest"], ["--format", "html"]])
def test_bad_options_are_usage_errors(bad):
    result = run(*SEEDS, *bad)
    assert result.exit_code == 2


def test_nothing_valid_is_an_error(tmp_path):
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    result = run(str(empty), str(tmp_path / "missing.json"))
    assert result.exit_code == 1
    assert "empty input" in result.stderr and "no such file" in result.stderr
    assert "no valid records to merge" in result.stderr


def test_out_writes_a_file(tmp_path):
    out = tmp_path / "merged.md"
    result = run(*SEEDS, "--format", "markdown", "--out", str(out))
    assert result.exit_code == 0 and result.stdout == ""
    assert out.read_text(encoding="utf-8").startswith("# ")


def test_a_configuration_error_exits_2_as_in_every_command():
    """A ConfigError of the merge itself (here a policy that click's choices would have refused, as a program
    calling the command may pass) is a one-line usage error with exit code 2; it used to exit 1."""
    with pytest.raises(click.ClickException) as caught:
        merge_command.callback(tuple(SEEDS), "json", "loudest", DEFAULT_THRESHOLD, False, None)
    assert caught.value.exit_code == 2
    assert caught.value.message.startswith("unknown policy 'loudest'; choose one of conservative")
