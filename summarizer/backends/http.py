"""The HTTP side of a server backend: a total deadline per request and a cap on the size of an answer.

The HTTP client's timeouts (httpx2, under openai) bound each network operation (connect, one read, one write), so a server that sends a byte
every few seconds never trips them and a request can last for minutes. Requests therefore run on one event
loop in a background thread, with the official async client, where ``asyncio.wait_for`` cancels a request
(and closes its connection) when its deadline passes; callers stay synchronous, one per worker thread, and a
request that overran its deadline raises ``openai.APITimeoutError`` like any timeout, so the one retry policy
(``summarizer.retry``) treats it as before. ``capped_client`` makes the async HTTP client whose answers may not
exceed ``MAX_ANSWER_BYTES``: a server that streams gigabytes is an error, not a process out of memory.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any, TypeVar

import httpx2
import openai

T = TypeVar("T")
MAX_ANSWER_BYTES = 16 * 1024 * 1024  # one event record is a few kB; a proxy's error page some hundred kB
# as the openai client sets them for its own transport (openai._constants.DEFAULT_CONNECTION_LIMITS)
CONNECTION_LIMITS = httpx2.Limits(max_connections=1000, max_keepalive_connections=100)

_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None


class AnswerTooLarge(Exception):
    """A server's answer went past ``MAX_ANSWER_BYTES`` (the openai client reports it as a connection error)."""


def event_loop() -> asyncio.AbstractEventLoop:
    """The process's one event loop for requests, running in a daemon thread started on first use."""
    global _loop
    with _lock:
        if _loop is None:
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, name="summarizer-http", daemon=True).start()
            _loop = loop
        return _loop


def run_with_deadline(make: Callable[[], Coroutine[Any, Any, T]], deadline_s: float, url: str) -> T:
    """Run the request ``make()`` starts on the event loop and wait for it, at most ``deadline_s`` seconds in
    all; past that it is cancelled and ``openai.APITimeoutError`` is raised (``url`` names the request)."""

    async def bounded() -> T:
        try:
            return await asyncio.wait_for(make(), deadline_s)
        except asyncio.TimeoutError:
            raise openai.APITimeoutError(request=httpx2.Request("POST", url)) from None

    future = asyncio.run_coroutine_threadsafe(bounded(), event_loop())
    try:
        return future.result()
    except BaseException:  # Ctrl-C on the main thread: the request is not left running
        future.cancel()
        raise


def capped_client(limit: int = MAX_ANSWER_BYTES) -> httpx2.AsyncClient:
    """The async HTTP client for the openai client: as openai's own (redirects followed, its connection
    limits), with every answer cut off with ``AnswerTooLarge`` past ``limit`` bytes."""
    transport = CappedTransport(httpx2.AsyncHTTPTransport(limits=CONNECTION_LIMITS), limit)
    return openai.DefaultAsyncHttpxClient(transport=transport)


class CappedTransport(httpx2.AsyncBaseTransport):
    """A transport whose answers raise ``AnswerTooLarge`` once their body passes ``limit`` bytes."""

    def __init__(self, inner: httpx2.AsyncBaseTransport, limit: int) -> None:
        self.inner = inner
        self.limit = limit

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        response = await self.inner.handle_async_request(request)
        assert isinstance(response.stream, httpx2.AsyncByteStream)
        return httpx2.Response(
            response.status_code,
            headers=response.headers,
            stream=_CappedStream(response.stream, self.limit),
            extensions=response.extensions,
            request=request,
        )

    async def aclose(self) -> None:
        await self.inner.aclose()


class _CappedStream(httpx2.AsyncByteStream):
    def __init__(self, inner: httpx2.AsyncByteStream, limit: int) -> None:
        self.inner = inner
        self.limit = limit

    async def __aiter__(self) -> AsyncIterator[bytes]:
        received = 0
        async for chunk in self.inner:
            received += len(chunk)
            if received > self.limit:
                raise AnswerTooLarge(f"answered with more than {self.limit // (1024 * 1024)} MB")
            yield chunk

    async def aclose(self) -> None:
        await self.inner.aclose()
