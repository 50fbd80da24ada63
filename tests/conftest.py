"""Isolation for every test: the store lives under tmp_path and no real OpenAI settings leak in."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "summarizer-home"
    monkeypatch.setenv("SUMMARIZER_HOME", str(home))
    for variable in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "SUMMARIZER_BACKEND", "SUMMARIZER_PROMPTS_DIR"):
        monkeypatch.delenv(variable, raising=False)
    # The model-path tests queue answers and check what the model said; the reader's own tests set
    # the strategy they exercise (tests/test_reader*.py).
    monkeypatch.setenv("SUMMARIZER_STRATEGY", "model")
    return home
