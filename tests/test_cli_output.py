"""`summarize --out` never replaces, truncates or misreads a file, and refuses what it cannot write up front."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from test_cli import TEXT, Fake, answer, article_file, assert_clean, install_fake, jsonl_records, run, write

from summarizer import pipeline
from summarizer.ground.grounding import ground_event


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Fake:
    return install_fake(monkeypatch)


def two_records(tmp_path: Path, fake: Fake, out: Path) -> None:
    fake.queue(answer(), answer())
    first = article_file(tmp_path, "a.txt")
    second = article_file(tmp_path, "b.txt", text=f"{TEXT} Report two.")
    result = run("summarize", first, second, "--out", str(out))
    assert result.exit_code == 0, result.stderr
    assert len(jsonl_records(out.read_text(encoding="utf-8"))) == 2


@pytest.mark.parametrize("option", [["--format", "json"], ["--format", "markdown"], ["--merge"]])
def test_a_jsonl_out_is_never_replaced_by_another_format(tmp_path: Path, fake: Fake, option: list[str]) -> None:
    out = tmp_path / "out.jsonl"
    two_records(tmp_path, fake, out)
    before = out.read_bytes()
    result = run("summarize", article_file(tmp_path, "c.txt"), "--out", str(out), *option)
    assert result.exit_code == 2
    assert "is a JSONL file" in result.stderr
    assert out.read_bytes() == before
    assert fake.calls == 2  # refused before any model call


@pytest.mark.parametrize("name", ["out.json", "out.md"])
def test_an_existing_json_or_markdown_out_is_refused(tmp_path: Path, fake: Fake, name: str) -> None:
    out = tmp_path / name
    out.write_text("my notes", encoding="utf-8")
    result = run("summarize", article_file(tmp_path), "--out", str(out))
    assert result.exit_code == 2 and "never replaced" in result.stderr
    assert out.read_text(encoding="utf-8") == "my notes" and fake.calls == 0


def test_an_out_under_a_file_is_refused_before_the_model_runs(tmp_path: Path, fake: Fake) -> None:
    blocker = tmp_path / "notes.txt"
    blocker.write_text("x", encoding="utf-8")
    result = run("summarize", article_file(tmp_path), "--out", str(blocker / "out.jsonl"))
    assert result.exit_code == 2 and fake.calls == 0
    assert_clean(result)


def test_dev_full_is_refused_at_once(tmp_path: Path, fake: Fake) -> None:
    result = run("summarize", article_file(tmp_path), "--out", "/dev/full", "--format", "jsonl")
    assert result.exit_code == 2 and fake.calls == 0
    assert "/dev/full" in result.stderr


def test_a_fifo_is_refused_without_hanging(tmp_path: Path, fake: Fake) -> None:
    fifo = tmp_path / "out.jsonl"
    os.mkfifo(fifo)
    result = run("summarize", article_file(tmp_path), "--out", str(fifo))
    assert result.exit_code == 2 and fake.calls == 0


def test_not_a_url_is_a_usage_error(tmp_path: Path) -> None:
    result = run("summarize", article_file(tmp_path), "--base-url", "not a url")
    assert result.exit_code == 2
    assert "not an http(s) URL" in result.stderr


def test_an_out_inside_the_input_folder_is_never_read_as_articles(tmp_path: Path, fake: Fake) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    article_file(folder, "a.txt")
    write(folder, "case.labels.json", json.dumps({"article": "a.txt"}))
    out = folder / "out.jsonl"
    fake.queue(answer())
    first = run("summarize", str(folder), "--out", str(out))
    assert first.exit_code == 0, first.stderr
    second = run("summarize", str(folder), "--out", str(out))
    assert second.exit_code == 0, second.stderr
    assert fake.calls == 1  # the output file and the labels were never sent to the model
    assert "skipped (already done)" in second.stderr
    assert len(jsonl_records(out.read_text(encoding="utf-8"))) == 1


def test_failures_go_to_the_errors_file_and_retry_failed_runs_only_those(tmp_path: Path, fake: Fake) -> None:
    good, bad = article_file(tmp_path, "good.txt"), article_file(tmp_path, "bad.txt", text="Nothing at all here.")
    out = tmp_path / "out.jsonl"
    fake.queue(answer(), "not json")
    first = run("summarize", good, bad, "--out", str(out), "--max-retries", "0", "--no-cache")
    assert first.exit_code == 1
    errors = [json.loads(line) for line in (tmp_path / "out.errors.jsonl").read_text().splitlines()]
    assert [(e["source"], e["kind"], e["attempts"]) for e in errors] == [(bad, "extraction", 1)]
    assert "out.errors.jsonl" in first.stderr
    fake.queue(answer())
    again = run("summarize", good, bad, "--out", str(out), "--retry-failed", "--no-cache", "--max-retries", "0")
    assert again.exit_code == 0, again.stderr
    assert fake.calls == 3  # only bad.txt was asked again
    assert sorted(r.article.source for r in jsonl_records(out.read_text())) == sorted([good, bad])


def test_retry_failed_needs_a_jsonl_out(tmp_path: Path, fake: Fake) -> None:
    assert run("summarize", article_file(tmp_path), "--retry-failed").exit_code == 2


def test_each_answer_is_grounded_once_and_a_warm_run_not_at_all(
    tmp_path: Path, fake: Fake, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []

    def counting(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return ground_event(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "ground_event", counting)
    fake.queue(answer())
    path = article_file(tmp_path)
    assert run("summarize", path, "--format", "jsonl").exit_code == 0
    assert len(calls) == 1
    assert run("summarize", path, "--format", "jsonl").exit_code == 0
    assert len(calls) == 1 and fake.calls == 1  # the stored record was reused


def test_json_output_keeps_the_input_order_with_jobs(tmp_path: Path, fake: Fake) -> None:
    names = [f"{letter}.txt" for letter in "dcba"]
    paths = [article_file(tmp_path, name, text=f"{TEXT} {name}") for name in names]
    fake.queue(*[answer() for _ in names])
    result = run("summarize", *paths, "--jobs", "3", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert [item["article"]["source"] for item in json.loads(result.stdout)] == paths
