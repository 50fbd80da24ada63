"""The one retry policy and the openai backend's error handling, against a real HTTP server on loopback."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import httpx2
import openai
import pytest
from answers_kit import drone_answer
from fake_openai_server import REQUEST, Reply, chat_server, completion, error_body, free_port

from summarizer.config.settings import Settings
from summarizer.errors import BackendError, SummarizerError
from summarizer.ingest.article import Article
from summarizer.model.backends import openai_backend
from summarizer.model.backends.openai_backend import OpenAIBackend
from summarizer.model.backends.retry import MAX_WAIT_S, call_with_retries, is_transient, retry_after_seconds
from summarizer.pipeline import Summarizer

API_KEY = "sk-test-DO-NOT-LEAK-4f2a9c"
ARTICLE = Article(
    id="kyiv",
    text="Overnight, Russia launched 12 drones at Kyiv. At least 3 people were injured, the mayor said.",
    source="kyiv.txt",
    published=datetime(2024, 3, 21).date(),
)
EVENT = drone_answer("Kyiv", summary="Russia launched drones at Kyiv overnight; at least 3 people were injured.")


def settings(url: str | None, home: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {"backend": "openai", "base_url": url, "api_key": API_KEY, "home": home, "timeout": 10.0}
    return Settings.from_env({}, **{**values, **overrides})


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record the waits the policy asks for instead of sleeping them."""
    recorded: list[float] = []

    def recording(func: Any, attempts: int) -> Any:
        return call_with_retries(func, attempts, sleep=recorded.append)

    monkeypatch.setattr(openai_backend, "call_with_retries", recording)
    return recorded


def ok(request: dict[str, Any]) -> Reply:
    return Reply(200, completion(request, json.dumps(EVENT)))


# ---------------------------------------------------------------- retries against the server


def test_429_with_retry_after_zero_then_success(tmp_path: Path) -> None:
    def script(number: int, request: dict[str, Any]) -> Reply:
        return Reply(429, error_body("slow down", "rate_limit"), {"retry-after": "0"}) if number == 0 else ok(request)

    with chat_server(script) as server:
        response = OpenAIBackend(settings(server.url, tmp_path)).complete(**REQUEST)
    assert server.requests == 2
    assert response.choices[0].message.tool_calls[0].function.name == "Event"
    assert all(seen.path == "/v1/chat/completions" for seen in server.seen)
    assert server.seen[0].headers["authorization"] == f"Bearer {API_KEY}"  # the key reaches the server...
    assert server.seen[1].body == server.seen[0].body  # ...and the retry resends the same request


def test_retry_after_is_honoured(tmp_path: Path, sleeps: list[float]) -> None:
    def script(number: int, request: dict[str, Any]) -> Reply:
        if number == 0:
            return Reply(429, error_body("slow down"), {"retry-after": "7"})
        if number == 1:
            return Reply(503, error_body("busy"), {"retry-after-ms": "1500"})
        return ok(request)

    with chat_server(script) as server:
        OpenAIBackend(settings(server.url, tmp_path)).complete(**REQUEST)
    assert server.requests == 3
    assert sleeps == [7.0, 1.5]


def test_retry_after_date_is_capped(tmp_path: Path, sleeps: list[float]) -> None:
    later = format_datetime(datetime.now(timezone.utc) + timedelta(hours=2), usegmt=True)

    def script(number: int, request: dict[str, Any]) -> Reply:
        return Reply(429, error_body("later"), {"retry-after": later}) if number == 0 else ok(request)

    with chat_server(script) as server:
        OpenAIBackend(settings(server.url, tmp_path)).complete(**REQUEST)
    assert server.requests == 2 and sleeps == [MAX_WAIT_S]


def test_malformed_retry_after_falls_back_to_backoff(tmp_path: Path, sleeps: list[float]) -> None:
    def script(number: int, request: dict[str, Any]) -> Reply:
        return Reply(429, error_body("slow down"), {"retry-after": "soon"}) if number == 0 else ok(request)

    with chat_server(script) as server:
        OpenAIBackend(settings(server.url, tmp_path)).complete(**REQUEST)
    assert server.requests == 2 and len(sleeps) == 1 and 0 <= sleeps[0] <= MAX_WAIT_S


@pytest.mark.parametrize("retries", [0, 1, 3])
def test_500_forever_gives_up_after_the_allowed_retries(tmp_path: Path, sleeps: list[float], retries: int) -> None:
    with chat_server(lambda number, request: Reply(500, error_body("the model crashed"))) as server:
        backend = OpenAIBackend(settings(server.url, tmp_path, api_retries=retries))
        with pytest.raises(BackendError) as raised:
            backend.complete(**REQUEST)
    assert server.requests == retries + 1
    assert len(sleeps) == retries and all(0 <= wait <= MAX_WAIT_S for wait in sleeps)
    message = str(raised.value)
    assert message.startswith(f"the server at {server.url} answered HTTP 500")
    assert "the model crashed" in message and API_KEY not in message


@pytest.mark.parametrize(("status", "kind"), [(400, "invalid_request_error"), (401, "auth"), (404, "not_found")])
def test_client_errors_are_not_retried(tmp_path: Path, sleeps: list[float], status: int, kind: str) -> None:
    """A 400 fails the article; 401 and 404 stop the batch (tests/test_breaker.py): none is retried."""
    with chat_server(lambda number, request: Reply(status, error_body(f"nope {status}", kind))) as server:
        backend = OpenAIBackend(settings(server.url, tmp_path))
        with pytest.raises(SummarizerError, match=f"answered HTTP {status}: .*nope {status}") as raised:
            backend.complete(**REQUEST)
    assert server.requests == 1 and sleeps == []
    assert API_KEY not in str(raised.value)


@pytest.mark.parametrize("status", [408, 409, 502, 503, 504])
def test_other_transient_statuses_are_retried(tmp_path: Path, sleeps: list[float], status: int) -> None:
    def script(number: int, request: dict[str, Any]) -> Reply:
        return Reply(status, error_body("again")) if number == 0 else ok(request)

    with chat_server(script) as server:
        OpenAIBackend(settings(server.url, tmp_path)).complete(**REQUEST)
    assert server.requests == 2 and len(sleeps) == 1


def test_timeouts_are_retried_then_reported(tmp_path: Path, sleeps: list[float]) -> None:
    with chat_server(lambda number, request: Reply(hang=True)) as server:
        backend = OpenAIBackend(settings(server.url, tmp_path, timeout=0.3, api_retries=2))
        with pytest.raises(BackendError) as raised:
            backend.complete(**REQUEST)
        seen = server.requests
    assert seen == 3 and len(sleeps) == 2
    assert str(raised.value) == f"the server at {server.url} timed out after 3 attempt(s)"


def test_a_slow_first_answer_then_a_fast_one(tmp_path: Path, sleeps: list[float]) -> None:
    def script(number: int, request: dict[str, Any]) -> Reply:
        return Reply(hang=True) if number == 0 else ok(request)

    with chat_server(script) as server:
        OpenAIBackend(settings(server.url, tmp_path, timeout=0.3)).complete(**REQUEST)
    assert server.requests == 2


def test_connection_refused_is_retried_then_reported(tmp_path: Path, sleeps: list[float]) -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    with pytest.raises(BackendError) as raised:
        OpenAIBackend(settings(url, tmp_path, api_retries=2)).complete(**REQUEST)
    assert len(sleeps) == 2
    assert str(raised.value).startswith(f"cannot reach the server at {url}")
    assert API_KEY not in str(raised.value)


def test_a_proxy_page_once_then_the_answer_succeeds(tmp_path: Path, sleeps: list[float]) -> None:
    def script(number: int, request: dict[str, Any]) -> Reply:
        return Reply(200, "<html>gateway</html>", {"content-type": "text/html"}) if number == 0 else ok(request)

    with chat_server(script) as server:
        assert OpenAIBackend(settings(server.url, tmp_path)).complete(**REQUEST).choices
    assert server.requests == 2


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        ("<html>proxy login</html>", "application/json", "did not answer with JSON"),
        ("<html>proxy login</html>", "text/html", "did not answer with a chat completion"),
        ("{}", "application/json", "did not answer with a chat completion"),
        ('{"choices": []}', "application/json", "did not answer with a chat completion"),
    ],
)
def test_a_200_that_is_not_a_chat_completion_is_retried_then_a_backend_error(
    tmp_path: Path, sleeps: list[float], body: str, content_type: str, expected: str
) -> None:
    with chat_server(lambda number, request: Reply(200, body, {"content-type": content_type})) as server:
        backend = OpenAIBackend(settings(server.url, tmp_path, api_retries=2))
        with pytest.raises(BackendError) as raised:
            backend.complete(**REQUEST)
    assert server.requests == 3 and len(sleeps) == 2
    assert str(raised.value).startswith(f"the server at {server.url} {expected}")
    assert "/v1" in str(raised.value) and API_KEY not in str(raised.value)


# ---------------------------------------------------------------- end to end: the key never leaks


def test_key_never_stored_or_recorded(tmp_path: Path) -> None:
    home = tmp_path / "home"

    def script(number: int, request: dict[str, Any]) -> Reply:
        return Reply(429, error_body("wait"), {"retry-after": "0"}) if number == 0 else ok(request)

    with chat_server(script) as server:
        summarizer = Summarizer(settings(server.url, home))
        record = summarizer.summarize(ARTICLE)
    assert server.requests == 2 and summarizer.model_calls == 1
    assert record.provenance.backend == "openai" and record.event.places[0].name == "Kyiv"
    assert record.event.casualties is not None and record.event.casualties.injured.value == 3
    user_message = server.seen[-1].body["messages"][-1]["content"]
    assert ARTICLE.text in user_message
    assert API_KEY not in record.model_dump_json()
    stored = [path for path in home.rglob("*") if path.is_file()]
    assert any(path.name.startswith("summarizer.db") for path in stored)
    summarizer.store.close()
    for path in stored:
        if path.exists():
            assert API_KEY.encode() not in path.read_bytes(), path
    assert API_KEY not in repr(summarizer.settings)


# ---------------------------------------------------------------- the policy's parts


def api_error(status: int, headers: dict[str, str] | None = None) -> openai.APIStatusError:
    request = httpx2.Request("POST", "http://127.0.0.1/v1/chat/completions")
    response = httpx2.Response(status, headers=headers or {}, request=request)
    cls = openai.RateLimitError if status == 429 else openai.APIStatusError
    return cls(f"HTTP {status}", response=response, body=None)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after": "0"}, 0.0),
        ({"retry-after": "12"}, 12.0),
        ({"retry-after": "2.5"}, 2.5),
        ({"retry-after-ms": "250"}, 0.25),
        ({"retry-after-ms": "250", "retry-after": "9"}, 0.25),
        ({"retry-after": "soon"}, None),
        ({}, None),
    ],
)
def test_retry_after_seconds(headers: dict[str, str], expected: float | None) -> None:
    assert retry_after_seconds(api_error(429, headers)) == expected


def test_retry_after_http_date_in_the_past_is_zero() -> None:
    past = format_datetime(datetime.now(timezone.utc) - timedelta(minutes=5), usegmt=True)
    assert retry_after_seconds(api_error(503, {"retry-after": past})) == 0.0


@pytest.mark.parametrize(("status", "transient"), [(429, True), (500, True), (503, True), (408, True), (400, False)])
def test_is_transient(status: int, transient: bool) -> None:
    assert is_transient(api_error(status)) is transient


def test_other_exceptions_are_not_retried() -> None:
    calls: list[int] = []

    def broken() -> None:
        calls.append(1)
        raise ValueError("a bug, not a network problem")

    with pytest.raises(ValueError):
        call_with_retries(broken, attempts=5, sleep=lambda _: None)
    assert calls == [1]


def test_policy_stops_at_attempts_plus_one() -> None:
    calls: list[int] = []
    waits: list[float] = []

    def flaky() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise api_error(429, {"retry-after": "4"})
        return "done"

    assert call_with_retries(flaky, attempts=2, sleep=waits.append) == "done"
    assert len(calls) == 3 and waits == [4.0, 4.0]
    calls.clear()
    with pytest.raises(openai.RateLimitError):
        call_with_retries(flaky, attempts=1, sleep=waits.append)
    assert len(calls) == 2


def test_a_retry_after_over_the_cap_waits_only_the_cap() -> None:
    calls: list[int] = []
    waits: list[float] = []

    def busy() -> str:
        calls.append(1)
        if len(calls) == 1:
            raise api_error(503, {"retry-after": "3600"})  # an hour: a batch must not sleep that long
        return "done"

    assert call_with_retries(busy, attempts=1, sleep=waits.append) == "done"
    assert waits == [MAX_WAIT_S] and MAX_WAIT_S < 3600
