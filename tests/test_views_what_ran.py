"""Views say what ran: a reader-only run names no backend or model on stderr, in record views, eval headers,
reports (terminal and HTML), and `logs runs`; eval rows carry this run's time; eval tables fit 100 columns;
every file written is named on stderr."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.console import Console

from summarizer.cli.root import cli
from summarizer.evals.compare import compare_runs, comparison_table
from summarizer.evals.report import field_labels, field_table, strategy_table
from summarizer.evals.results import Run
from summarizer.output.what_ran import TRUST_PROFILE, model_of, what_ran
from summarizer.store.logs import Filters

ROOT = Path(__file__).parents[1]
SEED = str(ROOT / "evals" / "fixtures" / "000_ede6e3fe3861d4f9.txt")
FIXTURES = str(ROOT / "evals" / "fixtures")
WRONG = ("SmolLM2", "backend local", "local/")  # what a reader-only run used to claim


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_what_ran_for_each_strategy_and_the_trust_profile_hook() -> None:
    meta = {"strategy": "both", "backend": "local", "model": "m.gguf", "prompt_name": "default",
            "prompt_version": "1", "prompt_hash": "abc"}  # fmt: skip
    assert what_ran(meta) == "strategy both · backend local · model m.gguf · prompt default v1 (abc)"
    assert what_ran({**meta, "strategy": "reader"}) == "strategy reader · no model (the reader alone)"
    assert what_ran({**meta, TRUST_PROFILE: "local-default"}).endswith(" · trust profile local-default")
    assert what_ran({"backend": "openai", "model": "gpt"}) == "backend openai · model gpt"  # saved before strategies
    assert [model_of({**meta, "strategy": s}) for s in ("both", "model", "reader")] == [
        "local/m.gguf", "local/m.gguf (model)", "reader alone",
    ]  # fmt: skip


def test_a_reader_run_says_so_on_stderr_and_in_the_record_views(tmp_path: Path) -> None:
    code, out, err = run("summarize", "--strategy", "reader", "--format", "markdown", SEED)
    assert code == 0, err
    assert err.splitlines()[0] == "summarizer: strategy reader · no model (the reader alone)"
    assert "strategy reader · no model (the reader alone) · schema 2.0 · 0 call(s)" in out
    page = tmp_path / "record.html"
    code, _, err = run("summarize", "--strategy", "reader", "--out", str(page), SEED)
    assert code == 0, err
    assert f"summarizer: wrote {page}" in err.splitlines()
    assert "strategy reader · no model (the reader alone)" in page.read_text(encoding="utf-8")
    for text in (out, err, page.read_text(encoding="utf-8")):
        assert not any(wrong in text for wrong in WRONG)


def test_a_jsonl_out_is_named_too(tmp_path: Path) -> None:
    out = tmp_path / "records.jsonl"
    code, _, err = run("summarize", "--strategy", "reader", "--out", str(out), SEED)
    assert code == 0 and f"summarizer: records appended to {out}" in err.splitlines()


def test_a_reader_eval_says_what_ran_times_each_case_and_words_grounding_for_it(tmp_path: Path) -> None:
    report, page = tmp_path / "run.json", tmp_path / "run.html"
    args = ["eval", "--fixtures", FIXTURES, "--strategy", "reader", "--limit", "2"]
    code, out, err = run(*args, "--json", str(report), "--html", str(page))
    assert code == 0, err
    assert err.splitlines()[0].endswith("· strategy reader · no model (the reader alone)")
    assert "strategy reader · no model (the reader alone) · schema" in out
    assert "values found by the reader, each on the sentence that states it (no model ran)" in out
    assert "quotes located" not in out and "repaired" not in out
    assert f"wrote {report} (JSON report)" in err and f"wrote {page} (HTML report)" in err
    html = page.read_text(encoding="utf-8")
    assert "strategy reader · no model (the reader alone)" in html and "(no model ran)" in html
    rows = json.loads(report.read_text(encoding="utf-8"))["cases"]
    assert sum(row["latency_s"] for row in rows) > 0  # this run's time (it was 0.0 for every reader row)
    for text in (out, err, html):
        assert not any(wrong in text for wrong in WRONG)
    code, out, _ = run("logs", "runs")  # in a pipe: tab-separated
    cells = out.splitlines()[0].split("\t")
    assert code == 0 and (cells[4], cells[5], cells[-1]) == ("reader", "none", "reader") and "SmolLM2" not in out
    from summarizer.cli.logs import runs_view
    from summarizer.store.database import Store
    from summarizer.store.logs import run_logs

    store = Store.open(Path(os.environ["SUMMARIZER_HOME"]))
    console = Console(width=100, record=True, file=open(tmp_path / "screen", "w"))  # noqa: SIM115
    console.print(runs_view(run_logs(store, Filters(), None), width=100))
    assert "reader alone" in console.export_text() and "SmolLM2" not in console.export_text()


def test_eval_tables_fit_100_columns_uncut(tmp_path: Path) -> None:
    report = tmp_path / "run.json"
    code, _, err = run("eval", "--fixtures", FIXTURES, "--strategy", "reader", "--limit", "3", "--repeat", "2",
                       "--json", str(report))  # fmt: skip
    assert code == 0, err
    saved = Run.from_json(json.loads(report.read_text(encoding="utf-8")), str(report))
    for table in (field_table(saved), strategy_table({"reader": saved}),
                  comparison_table(saved, saved, compare_runs(saved, saved))):  # fmt: skip
        console = Console(width=100, record=True, file=open(tmp_path / "screen", "w"))  # noqa: SIM115
        console.print(table)
        screen = console.export_text()
        assert "…" not in screen, screen
        assert max(len(line.rstrip()) for line in screen.splitlines()) <= 100
    assert "casualties.injured\n" not in screen or "  .qualifier" in screen


@pytest.mark.parametrize(
    ("names", "labels"),
    [
        (["places", "places.kind", "actors"], ["places", "  .kind", "actors"]),
        (["a.b", "a.b.qualifier", "a.b.c.qualifier"], ["a.b", "  .qualifier", "a.b.c.qualifier"]),
        (["weapons.kinds", "weapons.launched"], ["weapons.kinds", "weapons.launched"]),
    ],
)
def test_a_sub_field_is_shortened_only_right_under_its_parent(names: list[str], labels: list[str]) -> None:
    assert field_labels(names) == labels
