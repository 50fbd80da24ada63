"""--timeout bounds a whole request: a server that drips its answer a byte at a time cannot stretch it.

Against real loopback servers (tests/fake_openai_server.py, tests/fault_server.py). The assertions are about
outcomes (a timeout, how much of the answer the server got to send before the client hung up), never about
how long anything took.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from fake_openai_server import ANSWER, REQUEST, Reply, chat_server, completion
from fault_server import FaultScript, fault_server, write_articles

from summarizer.config.settings import Settings
from summarizer.errors import BackendError
from summarizer.model.backends import openai_backend
from summarizer.model.backends.openai_backend import OpenAIBackend
from summarizer.model.backends.retry import call_with_retries


def settings(url: str, home: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {"backend": "openai", "base_url": url, "api_key": "sk-test-deadline-0000", "home": home}
    return Settings.from_env({}, **{**values, **overrides})


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    recorded: list[float] = []
    monkeypatch.setattr(
        openai_backend, "call_with_retries", lambda func, attempts: call_with_retries(func, attempts, recorded.append)
    )
    return recorded


@pytest.mark.parametrize("drip_head", [False, True], ids=["body", "status-and-headers"])
def test_a_dripping_answer_is_cut_off_at_the_deadline(tmp_path: Path, sleeps: list[float], drip_head: bool) -> None:
    # ~600 bytes at 0.1 s each: a minute of answer, every byte well inside the 1 s per-read timeout of old
    script = lambda number, request: Reply(200, completion(request, ANSWER), drip_s=0.1, drip_head=drip_head)  # noqa: E731
    with chat_server(script) as server:
        backend = OpenAIBackend(settings(server.url, tmp_path, timeout=1.0, api_retries=0))
        with pytest.raises(BackendError) as raised:
            backend.complete(**REQUEST)
    assert str(raised.value) == f"the server at {server.url} timed out after 1 attempt(s)"
    ((sent, whole),) = server.dripped
    assert sent < whole / 2  # the client hung up long before the end


def test_the_retry_policy_is_unchanged_for_a_request_past_its_deadline(tmp_path: Path, sleeps: list[float]) -> None:
    script = lambda number, request: Reply(200, completion(request, ANSWER), drip_s=0.1)  # noqa: E731
    with chat_server(script) as server:
        backend = OpenAIBackend(settings(server.url, tmp_path, timeout=1.0, api_retries=2))
        with pytest.raises(BackendError, match="timed out after 3 attempt"):
            backend.complete(**REQUEST)
    assert server.requests == 3 and len(sleeps) == 2


def test_a_drip_that_ends_inside_the_deadline_is_an_answer(tmp_path: Path) -> None:
    script = lambda number, request: Reply(200, completion(request, ANSWER), drip_s=0.001)  # noqa: E731
    with chat_server(script) as server:
        response = OpenAIBackend(settings(server.url, tmp_path, timeout=60.0, api_retries=0)).complete(**REQUEST)
    assert response.choices[0].message.tool_calls is not None
    ((sent, whole),) = server.dripped
    assert sent == whole


def test_summarize_with_timeout_against_a_dripping_server(tmp_path: Path) -> None:
    write_articles(tmp_path / "in.jsonl", 1)
    out = tmp_path / "out.jsonl"
    with fault_server(FaultScript(rate=1.0, faults=("drip",), drip_s=0.2)) as server:
        env = {
            **os.environ,
            "OPENAI_API_KEY": "sk-test-deadline-0000",
            "OPENAI_BASE_URL": server.url,
            "SUMMARIZER_HOME": str(tmp_path / "home"),
            "SUMMARIZER_STRATEGY": "model",
            "SUMMARIZER_API_RETRIES": "0",
        }
        command = ["summarize", str(tmp_path / "in.jsonl"), "--timeout", "1", "--out", str(out)]
        done = subprocess.run(
            [sys.executable, "-m", "summarizer", *command], env=env, capture_output=True, text=True, timeout=120
        )
        dripped = list(server.dripped)
    assert done.returncode == 1, done.stderr
    assert "timed out after 1 attempt(s)" in done.stderr and "Traceback" not in done.stderr
    assert out.read_text() == "" and dripped and all(sent < whole / 2 for sent, whole in dripped)
