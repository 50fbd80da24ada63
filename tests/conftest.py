"""Isolation for every test: the store lives under tmp_path and no real OpenAI settings leak in."""

from __future__ import annotations

import signal
from collections.abc import Iterator
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


@pytest.fixture
def ctrl_c_raises() -> Iterator[None]:
    """Ctrl-C raises KeyboardInterrupt here, as in a terminal, even when pytest was started with SIGINT ignored.

    A shell starts background jobs (``cmd &``, nohup) with SIGINT ignored, and Python then installs no
    handler of its own, so a test of what Ctrl-C does must put Python's back for its length.
    """
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
