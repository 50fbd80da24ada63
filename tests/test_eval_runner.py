"""The runner over the real pipeline with a queued fake model: rows, errors, concurrency, the cache, the store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fake_backend import QueuedBackend
from test_eval_support import ByArticleBackend, answer, changed_prompt, make_summarizer, write_fixtures

from summarizer.config.settings import Settings
from summarizer.errors import BackendError, ConfigError
from summarizer.evals.compare import resolve_run
from summarizer.evals.fixtures import load_fixtures
from summarizer.evals.report import footer_lines
from summarizer.evals.results import CaseRow, read_report, write_report
from summarizer.evals.runner import run_eval, save_run, select_cases
from summarizer.pipeline import Summarizer
from summarizer.record.schema import Casualties, Count, Place
from summarizer.store.database import Store


def outcomes(run) -> list[tuple[str, int, dict]]:
    return [(row.case, row.repeat, row.outcomes()) for row in run.rows]


def test_rows_scores_errors_and_stamp(tmp_path: Path) -> None:
    cases = load_fixtures(write_fixtures(tmp_path / "fx", 3)).cases
    backend = QueuedBackend([answer(0), answer(1, good=False), BackendError("server down")])
    summarizer = make_summarizer(tmp_path / "home", backend)
    run = run_eval(summarizer, cases, fixtures=tmp_path / "fx")

    good, bad, failed = run.rows
    assert good.error is None and all(set(o) <= {"correct", "correct_empty"} for o in good.outcomes().values())
    assert good.located == good.emitted == 3  # when, places[0], casualties.injured
    assert good.text["title"] == 1.0
    assert good.record is not None and good.record["spans"]["places[0]"]["match"] == "exact"
    assert bad.outcomes()["places"] == {"missing": 1, "invented": 1}
    assert bad.outcomes()["casualties.injured"] == {"wrong": 1}
    assert bad.outcomes()["casualties.injured.qualifier"] == {"wrong": 1}
    assert bad.outcomes()["casualties.killed"] == {"correct_empty": 1}
    assert failed.error == "BackendError: server down"
    assert good.traceback is None and failed.traceback is None  # an expected error is its one line
    assert failed.outcomes()["places"] == {"missing": 1}  # an error scores as an empty prediction
    assert failed.outcomes()["casualties.killed"] == {"correct_empty": 1}

    meta = run.meta
    assert meta["backend"] == "fake" and meta["model"] == "queued"
    assert meta["prompt_name"] == "default" and len(meta["prompt_hash"]) == 16
    assert meta["schema_version"] and meta["parameters"]["temperature"] == 0.0
    assert set(meta["git"]) == {"revision", "dirty"}
    assert meta["cases"] == 3 and meta["repeat"] == 1
    assert backend.calls == 3 and meta["model_calls"] == summarizer.model_calls
    assert run.summary["errors"] == 1
    assert run.summary["fields"]["places"]["missing"] == 2
    assert run.summary["fields"]["places"]["invented"] == 1


def test_concurrency_gives_the_same_rows_in_case_order(tmp_path: Path) -> None:
    cases = load_fixtures(write_fixtures(tmp_path / "fx", 6)).cases
    replies = {i: answer(i, good=i % 2 == 0) for i in range(6)}
    serial = run_eval(make_summarizer(tmp_path / "a", ByArticleBackend(replies)), cases, repeat=2)
    parallel_backend = ByArticleBackend(replies)
    parallel = run_eval(make_summarizer(tmp_path / "b", parallel_backend), cases, repeat=2, concurrency=4)
    assert outcomes(parallel) == outcomes(serial)
    assert [row.case for row in parallel.rows] == [f"case{i:02d}" for i in range(6) for _ in range(2)]
    assert parallel_backend.calls == 12


def test_second_run_is_served_from_cache_and_a_changed_prompt_requeries(tmp_path: Path) -> None:
    cases = load_fixtures(write_fixtures(tmp_path / "fx", 4)).cases
    home = tmp_path / "home"
    backend = ByArticleBackend({i: answer(i) for i in range(4)})

    first = run_eval(make_summarizer(home, backend), cases, repeat=2)
    assert backend.calls == 8 and first.meta["model_calls"] == 8

    warm = make_summarizer(home, backend)
    second = run_eval(warm, cases, repeat=2)
    assert warm.model_calls == 0 and backend.calls == 8  # zero model calls
    assert second.meta["model_calls"] == 0 and all(row.cached for row in second.rows)
    assert outcomes(second) == outcomes(first)

    candidate = make_summarizer(home, backend, prompt=str(changed_prompt(tmp_path)))
    third = run_eval(candidate, cases[:3], repeat=2)
    assert candidate.model_calls == 6 and backend.calls == 14  # only the changed prompt's cases
    assert third.meta["prompt_name"] == "candidate" and third.meta["prompt_hash"] != first.meta["prompt_hash"]

    forced = make_summarizer(home, backend)
    run_eval(forced, cases[:1], use_cache=False)
    assert forced.model_calls == 1 and backend.calls == 15


def test_saved_runs_resolve_by_id_prompt_and_file(tmp_path: Path) -> None:
    cases = load_fixtures(write_fixtures(tmp_path / "fx", 2)).cases
    summarizer = make_summarizer(tmp_path / "home", ByArticleBackend({0: answer(0), 1: answer(1)}))
    older = run_eval(summarizer, cases)
    save_run(summarizer.store, older)
    newer = run_eval(summarizer, cases)
    save_run(summarizer.store, newer)
    assert resolve_run(older.run_id, summarizer.store).run_id == older.run_id
    assert resolve_run("default", summarizer.store).run_id == newer.run_id
    assert resolve_run("default", summarizer.store, exclude=newer.run_id).run_id == older.run_id
    write_report(older, tmp_path / "baseline.json")
    from_file = resolve_run(str(tmp_path / "baseline.json"), summarizer.store)
    assert from_file.run_id == older.run_id and outcomes(from_file) == outcomes(older)
    assert summarizer.store.list_runs()[0]["micro_f1"] == 1.0
    with pytest.raises(ConfigError, match="no report file, saved run or run of a prompt named 'nope'"):
        resolve_run("nope", summarizer.store)


def test_an_unexpected_exception_keeps_its_redacted_traceback(tmp_path: Path) -> None:
    """A bug (not a SummarizerError) keeps its traceback, redacted, in the row, the JSON report and the store;
    an expected error stays one line. The terminal report says where the traceback is."""
    key = "sk-" + "q" * 24  # key-shaped: redact masks it wherever it shows up
    cases = load_fixtures(write_fixtures(tmp_path / "fx", 2)).cases
    backend = ByArticleBackend({0: BackendError("server down"), 1: RuntimeError(f"a bug near {key}")})
    summarizer = make_summarizer(tmp_path / "home", backend)
    run = run_eval(summarizer, cases)

    expected, bug = run.rows
    assert expected.error == "BackendError: server down" and expected.traceback is None
    assert bug.error == "RuntimeError: a bug near sk-[redacted]"
    assert bug.traceback is not None and bug.traceback.startswith("Traceback (most recent call last):\n")
    assert bug.traceback.endswith("RuntimeError: a bug near sk-[redacted]\n")
    assert ", in summarize\n" in bug.traceback and "fake_backend.py" in bug.traceback  # the frames, not one line
    assert key not in bug.traceback

    write_report(run, tmp_path / "report.json")
    data = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert [row["traceback"] for row in data["cases"]] == [None, bug.traceback]
    assert [row.traceback for row in read_report(tmp_path / "report.json").rows] == [None, bug.traceback]
    save_run(summarizer.store, run)
    assert resolve_run(run.run_id, summarizer.store).rows[1].traceback == bug.traceback
    old = {name: value for name, value in bug.to_json().items() if name != "traceback"}  # a report from before
    assert CaseRow.from_json(old).traceback is None

    lines = footer_lines(run)
    assert "error: case00 (repeat 0): BackendError: server down" in lines
    assert (
        "error: case01 (repeat 0): RuntimeError: a bug near sk-[redacted] (a bug: its traceback is in --json / --html)"
        in lines
    )


def test_select_cases(tmp_path: Path) -> None:
    dataset = load_fixtures(write_fixtures(tmp_path / "fx", 4))
    assert [c.name for c in select_cases(dataset, limit=2)] == ["case00", "case01"]
    assert [c.name for c in select_cases(dataset, ["case03", "case01"])] == ["case03", "case01"]
    with pytest.raises(ConfigError, match="no case named case09"):
        select_cases(dataset, ["case09"])


def test_removed_values_come_from_the_answer_the_record_was_made_from(tmp_path: Path) -> None:
    """Re-asked, the model gives two answers; the record keeps the better one, and what the report says the
    model said for its removed value comes from that answer, not the first."""
    good = answer(0)
    first = good.model_copy(
        update={
            "places": [*good.places, Place(evidence="a missile struck Lublin", name="Lublin", kind="city")],
            "casualties": Casualties(
                injured=Count(evidence="At least 3 people were injured", phrase="3", value=99, qualifier="exact")
            ),
        }
    )
    second = good.model_copy(
        update={"places": [*good.places, Place(evidence="a missile struck Chelm", name="Chelm", kind="city")]}
    )
    settings = Settings.from_env({}, home=tmp_path / "home", max_retries=1, strategy="model")
    backend = QueuedBackend([first, second])
    summarizer = Summarizer(settings, backend=backend, store=Store.open(tmp_path / "home"))
    cases = load_fixtures(write_fixtures(tmp_path / "fx", 1)).cases
    (row,) = run_eval(summarizer, cases).rows
    assert backend.calls == 2
    assert [(item["path"], item["said"]["name"]) for item in row.removed] == [("places[1]", "Chelm")]
    assert row.removed[0]["said"]["evidence"] == "a missile struck Chelm"

    (again,) = run_eval(summarizer, cases).rows  # the record served from the cache: the same answer is found
    assert again.cached and again.removed == row.removed
    assert CaseRow.from_json(json.loads(json.dumps(row.to_json()))).removed == row.removed
    old = {key: value for key, value in row.to_json().items() if key != "removed"}  # a report from before
    assert CaseRow.from_json(old).removed == []
