"""What a hostile or broken server can do to a run, beyond the usual faults: against real loopback servers.

A Retry-After that is no wait (NaN, negative), an answer of gigabytes (sent, or packed in a small gzip body),
an answer nested thousands deep, a base URL with a query, a redirect to another host or in a loop, and a
server that closes the connection in the middle of its answer. Each ends in one clear outcome: retried, or one
error line for the article; never a crash, an unbounded read or a key sent elsewhere.
"""

from __future__ import annotations

import gzip
import json
import zlib
from pathlib import Path
from typing import Any

import httpx2
import pytest
from fake_batch_server import batch_server
from fake_openai_server import ANSWER, REQUEST, Reply, chat_server, completion, error_body

from summarizer.config.settings import Settings
from summarizer.errors import BackendError, ExtractionError, SummarizerError
from summarizer.ingest.article import Article
from summarizer.model.backends import http
from summarizer.model.backends.openai_backend import OpenAIBackend
from summarizer.model.backends.retry import retry_after_seconds
from summarizer.pipeline import Summarizer
from summarizer.run.provider_batch import BatchAPI

API_KEY = "sk-test-HOSTILE-SERVER-93c1"


def settings(url: str, home: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {"backend": "openai", "base_url": url, "api_key": API_KEY, "home": home, "timeout": 30.0}
    return Settings.from_env({}, **{**values, **overrides})


def ok(request: dict[str, Any]) -> Reply:
    return Reply(200, completion(request, ANSWER))


# ---------------------------------------------------------------- Retry-After that is no wait


@pytest.mark.parametrize("value", ["nan", "-5", "-1e9", "NaN"])
def test_a_retry_after_that_is_no_wait_falls_back_to_the_policy(tmp_path: Path, value: str) -> None:
    def script(number: int, request: dict[str, Any]) -> Reply:
        return Reply(429, error_body("slow down", "rate_limit"), {"retry-after": value}) if number == 0 else ok(request)

    with chat_server(script) as server:  # real sleeps: time.sleep(nan) or (-5) would raise ValueError
        assert OpenAIBackend(settings(server.url, tmp_path, api_retries=1)).complete(**REQUEST).choices
    assert server.requests == 2


@pytest.mark.parametrize(
    ("headers", "expected"), [({"retry-after": "inf"}, float("inf")), ({"retry-after-ms": "nan"}, None)]
)
def test_retry_after_values(headers: dict[str, str], expected: float | None) -> None:
    request = httpx2.Request("POST", "http://127.0.0.1/v1/chat/completions")
    response = httpx2.Response(429, headers=headers, request=request)
    import openai

    assert retry_after_seconds(openai.RateLimitError("slow", response=response, body=None)) == expected


# ---------------------------------------------------------------- answers too large, packed or not


@pytest.fixture
def small_cap(monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(http, "MAX_ANSWER_BYTES", 1024 * 1024)
    return 1024 * 1024


def test_an_answer_larger_than_the_cap_is_refused(tmp_path: Path, small_cap: int) -> None:
    body = b'{"choices": [], "padding": "' + b"x" * (5 * small_cap) + b'"}'
    with chat_server(lambda number, request: Reply(200, raw=body)) as server:
        backend = OpenAIBackend(settings(server.url, tmp_path, api_retries=0))
        with pytest.raises(BackendError) as raised:
            backend.complete(**REQUEST)
    assert str(raised.value) == f"the server at {server.url} answered with more than 1 MB"


def gzip_bomb(size: int) -> bytes:
    """A gzip body of ``size`` spaces, built a megabyte at a time (it is a few kB)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    chunk = b" " * (1024 * 1024)
    return b"".join(packer.compress(chunk) for _ in range(size // len(chunk))) + packer.flush()


def test_a_gzip_bomb_is_refused_before_it_unpacks(tmp_path: Path, small_cap: int) -> None:
    bomb = gzip_bomb(64 * small_cap)
    assert len(bomb) < small_cap // 4
    script = lambda number, request: Reply(200, raw=bomb, headers={"content-encoding": "gzip"})  # noqa: E731
    with chat_server(script) as server:
        backend = OpenAIBackend(settings(server.url, tmp_path, api_retries=0))
        with pytest.raises(BackendError, match="answered with more than 1 MB"):
            backend.complete(**REQUEST)
    assert server.seen[0].headers["accept-encoding"] == "gzip, deflate"


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_a_packed_answer_of_a_normal_size_is_read(tmp_path: Path, encoding: str) -> None:
    def script(number: int, request: dict[str, Any]) -> Reply:
        data = json.dumps(completion(request, ANSWER)).encode()
        packed = gzip.compress(data) if encoding == "gzip" else zlib.compress(data)
        return Reply(200, raw=packed, headers={"content-encoding": encoding})

    with chat_server(script) as server:
        response = OpenAIBackend(settings(server.url, tmp_path, api_retries=0)).complete(**REQUEST)
    assert response.choices[0].message.tool_calls is not None


def test_an_encoding_that_was_not_asked_for_is_refused(tmp_path: Path) -> None:
    script = lambda number, request: Reply(200, raw=b"\x00" * 100, headers={"content-encoding": "br"})  # noqa: E731
    refused = pytest.raises(BackendError, match=r"answered in an encoding it was not asked for \(br\)")
    with chat_server(script) as server, refused:
        OpenAIBackend(settings(server.url, tmp_path, api_retries=0)).complete(**REQUEST)


# ---------------------------------------------------------------- an answer nested thousands deep


def test_an_answer_nested_thousands_deep_is_an_invalid_answer_not_a_crash(tmp_path: Path) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    arguments = '{"event_type": "other", "title": "t", "summary": "s", "places": ' + deep + "}"
    article = Article(id="a", text="Overnight, Russia launched 12 drones at Odesa.", source="a.txt")
    with chat_server(lambda number, request: Reply(200, completion(request, arguments))) as server:
        backend = OpenAIBackend(settings(server.url, tmp_path, api_retries=0))
        summarizer = Summarizer(settings(server.url, tmp_path, strategy="model", max_retries=0), backend=backend)
        with pytest.raises(ExtractionError, match="nested too deeply"):
            summarizer.summarize(article)


# ---------------------------------------------------------------- a base URL with a query


def test_a_base_url_query_is_sent_with_every_request(tmp_path: Path) -> None:
    with chat_server(lambda number, request: ok(request)) as server:
        OpenAIBackend(settings(f"{server.url}?api-version=2024-06-01", tmp_path)).complete(**REQUEST)
    assert server.seen[0].path == "/v1/chat/completions?api-version=2024-06-01"


def test_the_batch_api_sends_the_base_url_query_too(tmp_path: Path) -> None:
    path = tmp_path / "batch.jsonl"
    path.write_text('{"custom_id": "token-1"}\n', encoding="utf-8")
    # this server routes no query: the submit fails; what matters is the path it was asked for
    with batch_server(lambda number, body: (200, {})) as server, pytest.raises(SummarizerError):
        BatchAPI(settings(f"{server.url}?api-version=2024-06-01", tmp_path, api_retries=0)).submit(path, "token")
    assert server.requests[0] == ("POST", "/v1/files?api-version=2024-06-01")


# ---------------------------------------------------------------- redirects


def test_a_redirect_to_another_host_does_not_take_the_key_along(tmp_path: Path) -> None:
    with chat_server(lambda number, request: ok(request)) as elsewhere:
        to = f"{elsewhere.url.replace('127.0.0.1', 'localhost')}/chat/completions"
        with chat_server(lambda number, request: Reply(307, "", {"location": to})) as server:
            OpenAIBackend(settings(server.url, tmp_path, api_retries=0)).complete(**REQUEST)
    assert server.seen[0].headers["authorization"] == f"Bearer {API_KEY}"
    assert elsewhere.requests == 1 and "authorization" not in elsewhere.seen[0].headers


def test_a_redirect_loop_is_one_error_line(tmp_path: Path) -> None:
    loop = lambda number, request: Reply(307, "", {"location": "/v1/chat/completions"})  # noqa: E731
    with chat_server(loop, max_requests=1000) as server, pytest.raises(BackendError) as raised:
        OpenAIBackend(settings(server.url, tmp_path, api_retries=0)).complete(**REQUEST)
    assert str(raised.value) == f"cannot reach the server at {server.url}: Exceeded maximum allowed redirects."
    assert server.requests == 21  # the first request and 20 redirects, then it stops


# ---------------------------------------------------------------- a server that dies mid-answer


def test_a_server_that_closes_mid_answer_is_retried_then_one_error(tmp_path: Path) -> None:
    def script(number: int, request: dict[str, Any]) -> Reply:
        return Reply(200, completion(request, ANSWER), cut_at=40) if number < 2 else ok(request)

    with chat_server(script) as server:
        assert OpenAIBackend(settings(server.url, tmp_path, api_retries=2)).complete(**REQUEST).choices
        assert server.requests == 3
    cut = lambda number, request: Reply(200, completion(request, ANSWER), cut_at=40)  # noqa: E731
    with chat_server(cut) as server, pytest.raises(BackendError) as raised:
        OpenAIBackend(settings(server.url, tmp_path, api_retries=0)).complete(**REQUEST)
    assert str(raised.value).startswith(f"cannot reach the server at {server.url}: ")
    assert "\n" not in str(raised.value)
