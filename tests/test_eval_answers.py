"""Stored answers as a file: an eval made on one machine is replayed on another with no model call."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from fake_backend import QueuedBackend
from test_eval_support import ByArticleBackend, answer, make_summarizer, write_fixtures

from summarizer.cli.eval import eval_group


def run(home: Path, backend: object, args: list[str]) -> dict:
    def factory(settings):  # type: ignore[no-untyped-def]
        return make_summarizer(home, backend, prompt=settings.prompt, strategy=settings.strategy)

    result = CliRunner().invoke(eval_group, [*args, "--json", "-"], obj={"make_summarizer": factory})
    assert result.exit_code == 0, result.output
    return {"report": json.loads(result.stdout), "stderr": result.stderr}


def test_answers_saved_on_one_store_replay_on_another_with_no_model_call(tmp_path: Path) -> None:
    fixtures = write_fixtures(tmp_path / "fx", 3)
    answers = tmp_path / "answers.jsonl"
    model = ByArticleBackend({i: answer(i) for i in range(3)})
    first = run(tmp_path / "one", model, ["--fixtures", str(fixtures), "--save-answers", str(answers)])
    assert f"wrote {answers} (3 stored answers)" in first["stderr"]
    assert len(answers.read_text().splitlines()) == 3

    no_model = QueuedBackend([], model=model.model)  # any call would fail the case
    no_model.name = model.name
    second = run(tmp_path / "two", no_model, ["--fixtures", str(fixtures), "--answers", str(answers)])
    assert "answers: 3 stored from" in second["stderr"]
    assert no_model.calls == 0 and second["report"]["meta"]["model_calls"] == 0
    assert second["report"]["summary"]["micro"] == first["report"]["summary"]["micro"]


def test_a_malformed_answers_file_is_a_usage_error(tmp_path: Path) -> None:
    fixtures = write_fixtures(tmp_path / "fx", 1)
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"format": "summarizer-answers/1"}\n')

    def factory(settings):  # type: ignore[no-untyped-def]
        return make_summarizer(tmp_path / "h", QueuedBackend([]), strategy=settings.strategy)

    result = CliRunner().invoke(
        eval_group, ["--fixtures", str(fixtures), "--answers", str(bad)], obj={"make_summarizer": factory}
    )
    assert result.exit_code == 2 and "bad.jsonl:1: no cache key or identity" in result.output
