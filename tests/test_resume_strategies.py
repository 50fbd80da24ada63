"""Resuming a .jsonl --out skips exactly the articles this run would make again, for every strategy.

What identifies a run: the reader's version for ``--strategy reader`` (its records name no backend, model or
prompt of the run); the strategy, backend, model and prompt for ``model`` and ``both``. The CLI runs as a user
runs it (click's CliRunner); the model strategies use the queued fake model, the reader the real reader.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from answers_kit import drone_answer
from click.testing import CliRunner, Result
from fake_backend import QueuedBackend

from summarizer.cli.kit import SUMMARIZER_KEY
from summarizer.cli.root import cli
from summarizer.config.settings import Settings
from summarizer.pipeline import Summarizer

TEXTS = {
    "a": "Overnight, Russia launched 12 drones at Odesa. At least 3 people were injured, the governor said.",
    "b": "Russia fired 4 missiles at Kharkiv on Tuesday. Two people were killed, officials said.",
    "c": "A car bomb exploded in Mogadishu on Sunday, killing 5 people, police said.",
}


def answer() -> dict[str, Any]:
    return drone_answer(leave_out=("casualties",))


def articles(folder: Path, *names: str) -> list[str]:
    paths = []
    for name in names:
        path = folder / f"{name}.txt"
        path.write_text(f" date 2024-05-02 {TEXTS[name]}", encoding="utf-8")
        paths.append(str(path))
    return paths


def run(*args: str, backend: QueuedBackend | None = None, env: dict[str, str] | None = None) -> Result:
    obj = None
    if backend is not None:
        obj = {SUMMARIZER_KEY: lambda settings: Summarizer(settings, backend=backend)}
    return CliRunner().invoke(cli, ["summarize", *args], obj=obj, env=env, catch_exceptions=False)


def lines(out: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def test_the_same_reader_run_twice_writes_each_record_once(tmp_path: Path) -> None:
    sources = articles(tmp_path, "a", "b")
    out = tmp_path / "r.jsonl"
    first = run("--strategy", "reader", *sources, "--out", str(out))
    assert first.exit_code == 0, first.output
    second = run("--strategy", "reader", *sources, "--out", str(out))
    assert second.exit_code == 0, second.output
    assert second.stderr.count("already in the output file, skipped") == 2
    assert [record["article"]["id"] for record in lines(out)] == ["a", "b"]


def test_a_reader_resume_after_a_torn_last_line_completes_the_set_exactly_once(tmp_path: Path) -> None:
    sources = articles(tmp_path, "a", "b", "c")
    out = tmp_path / "r.jsonl"
    assert run("--strategy", "reader", *sources, "--out", str(out)).exit_code == 0
    data = out.read_bytes()
    out.write_bytes(data[: data.rindex(b"\n", 0, len(data) - 1) + 40])  # the last record torn (a full disk)
    result = run("--strategy", "reader", *sources, "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "1 record(s), 2 skipped" in result.stderr
    assert sorted(record["article"]["id"] for record in lines(out)) == ["a", "b", "c"]
    assert (tmp_path / "r.jsonl.torn").exists()


def test_a_truncated_article_resumes_under_the_reader_too(tmp_path: Path) -> None:
    long = tmp_path / "long.txt"
    long.write_text(f" date 2024-05-02 {TEXTS['a']}\n" + "Filler about the weather.\n" * 600, encoding="utf-8")
    out = tmp_path / "r.jsonl"
    env = {"SUMMARIZER_N_CTX": "4096"}  # the model's context would cut the article; the reader reads it whole
    for _ in range(2):
        result = run("--strategy", "reader", "--truncate", str(long), "--out", str(out), env=env)
        assert result.exit_code == 0, result.output
    assert len(lines(out)) == 1


def test_the_model_strategy_resumes_and_a_reader_record_is_not_its_own(tmp_path: Path) -> None:
    sources = articles(tmp_path, "a")
    out = tmp_path / "r.jsonl"
    assert run("--strategy", "reader", *sources, "--out", str(out)).exit_code == 0
    backend = QueuedBackend([answer()])
    for _ in range(2):  # the reader's record is not the model's: the model runs once, then is resumed
        result = run("--strategy", "model", *sources, "--out", str(out), backend=backend)
        assert result.exit_code == 0, result.output
    assert backend.calls == 1
    assert [record["provenance"]["strategy"] for record in lines(out)] == ["reader", "model"]


def test_a_model_record_does_not_stand_for_a_run_with_the_reader(tmp_path: Path) -> None:
    sources = articles(tmp_path, "a")
    out = tmp_path / "r.jsonl"
    backend = QueuedBackend([answer()])
    assert run("--strategy", "model", *sources, "--out", str(out), backend=backend).exit_code == 0
    result = run("--strategy", "both", *sources, "--out", str(out), backend=backend)
    assert result.exit_code == 0, result.output
    # made again (from the stored answer: no second model call), not skipped as if the reader had read it
    assert backend.calls == 1 and [record["provenance"]["strategy"] for record in lines(out)] == ["model", "both"]


def test_a_record_the_reader_made_when_the_model_failed_is_resumed(tmp_path: Path) -> None:
    sources = articles(tmp_path, "a")
    out = tmp_path / "r.jsonl"
    backend = QueuedBackend(["not json", "not json", "not json"])  # never fits: the reader's record stands alone
    for _ in range(2):
        result = run("--strategy", "both", *sources, "--out", str(out), backend=backend)
        assert result.exit_code == 0, result.output
    (record,) = lines(out)
    assert record["provenance"]["backend"] == "reader" and record["warnings"][0]["code"] == "model_failed"


def test_identity_of_old_records_without_a_strategy(tmp_path: Path) -> None:
    """A record of version 1 has no strategy: a model made it."""
    from summarizer.cli.kit import same_setup

    backend = QueuedBackend([])
    summarizer = Summarizer(Settings.from_env(strategy="model", home=tmp_path), backend=backend)
    record = {
        "article": {"sha256": "abc"},
        "provenance": {"backend": "fake", "model": "queued", "prompt_hash": summarizer.prompt.hash},
    }
    assert same_setup(summarizer)(record) == "abc"
    assert same_setup(summarizer)({"provenance": "garbage"}) is None
