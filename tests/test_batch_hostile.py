"""`summarizer batch` against servers without OpenAI's files and batches API, or that refuse the key.

Each is one clear line and the README's exit code (1: the server could not be asked or answered nonsense; 2:
it refuses the key or has no such endpoint), no traceback, and nothing recorded as submitted when it was not.
The real openai client against a loopback server (tests/fake_batch_server.py).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from fake_batch_server import batch_server
from fake_openai_server import completion

from summarizer.cli.batch import batch_group
from summarizer.store.database import Store

API_KEY = "sk-test-BATCH-HOSTILE-7d3f"
TEXT = "Overnight, Russia launched 12 drones at Odesa. At least 3 people were injured."
HTML = (200, "<html><body>Welcome to nginx!</body></html>", "text/html")
EMPTY_JSON = (200, "{}", "application/json")
WRONG_JSON = (200, json.dumps({"id": 7, "status": ["x"], "object": "batch"}), "application/json")
REFUSED = (401, json.dumps({"error": {"message": "Incorrect API key provided", "type": "invalid_request_error"}}),
           "application/json")  # fmt: skip
NOT_FOUND = (404, json.dumps({"detail": "Not Found"}), "application/json")


def answer(number: int, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    return 200, completion(body, json.dumps({"event_type": "other", "title": "T", "summary": "S."}))


def run(*args: str) -> Result:
    return CliRunner().invoke(batch_group, list(args), env={"OPENAI_API_KEY": API_KEY}, catch_exceptions=False)


@pytest.fixture
def article(tmp_path: Path) -> str:
    path = tmp_path / "odesa.txt"
    path.write_text(f" date 2024-05-02 {TEXT}", encoding="utf-8")
    return str(path)


def errors(result: Result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("Error")]


@pytest.mark.parametrize(
    ("fixed", "batches_only", "code", "says"),
    [
        (HTML, False, 1, "did not answer as the batch API does"),
        (EMPTY_JSON, False, 1, "did not answer as the batch API does"),
        (EMPTY_JSON, True, 1, "did not answer as the batch API does"),
        (WRONG_JSON, True, 1, "did not answer as the batch API does"),
        (HTML, True, 1, "did not answer as the batch API does"),
        (REFUSED, False, 2, "answered HTTP 401: Incorrect API key provided"),
        (NOT_FOUND, False, 2, "answered HTTP 404: Not Found (does this server have a batch API?)"),
    ],
    ids=["html", "empty-json", "batches-empty-json", "batches-wrong-json", "batches-html", "401", "404"],
)
def test_submit_to_a_server_without_the_batch_api(
    article: str, isolated_home: Path, fixed: tuple[int, str, str], batches_only: bool, code: int, says: str
) -> None:
    faults = {"fixed_batches": fixed} if batches_only else {"fixed": fixed}
    with batch_server(answer, **faults) as server:
        result = run("submit", article, "--base-url", server.url)
    assert result.exit_code == code, result.stderr
    (line,) = errors(result)
    assert says in line and "Traceback" not in result.stderr and "{'" not in result.stderr
    assert "submitted" not in result.stderr and result.stdout == ""
    assert Store.open(isolated_home).list_batches(limit=None) == []


def test_status_of_a_batch_the_server_answers_with_nonsense(article: str, isolated_home: Path) -> None:
    with batch_server(answer, hold=True) as server:
        submitted = run("submit", article, "--base-url", server.url)
        assert submitted.exit_code == 0, submitted.stderr
        batch_id = submitted.stdout.strip()
        server.fixed_batches = EMPTY_JSON
        status = run("status", batch_id)
        server.fixed_batches = REFUSED
        refused = run("status", batch_id)
    assert status.exit_code == 1 and "did not answer as the batch API does" in errors(status)[0]
    assert refused.exit_code == 2 and "answered HTTP 401: Incorrect API key provided" in errors(refused)[0]
    stored = Store.open(isolated_home).load_batch(batch_id)
    assert stored is not None and stored["state"] == "validating"  # as last truly seen


def test_batch_requests_are_bounded_by_the_timeout_as_a_whole(article: str, isolated_home: Path) -> None:
    with batch_server(answer, hold=True) as server:
        submitted = run("submit", article, "--base-url", server.url)
        assert submitted.exit_code == 0, submitted.stderr
        server.drip_batches_s = 0.2  # the batch's ~400 bytes would take over a minute; each byte well in time
        status = CliRunner().invoke(
            batch_group,
            ["status", submitted.stdout.strip(), "--timeout", "1"],
            env={"OPENAI_API_KEY": API_KEY, "SUMMARIZER_API_RETRIES": "0"},
            catch_exceptions=False,
        )
    assert status.exit_code == 1 and "timed out" in errors(status)[0]
