"""The HTTP side of a server backend: a total deadline per request and a cap on the size of an answer.

The HTTP client's timeouts (httpx2, under openai) bound each network operation (connect, one read, one
write), so a server that sends a byte every few seconds never trips them and a request can last for
minutes. Requests therefore run with the official async client, each worker thread on an event loop of its
own, where ``asyncio.wait_for`` cancels a request (and closes its connection) when its deadline passes;
callers stay synchronous, and a request that overran its deadline raises
``openai.APITimeoutError`` like any timeout, so the one retry policy (``summarizer.model.backends.retry``) treats it as
before. ``capped_client`` makes the async HTTP client whose answers may not exceed ``MAX_ANSWER_BYTES``
once decoded: a server that streams gigabytes, or a small gzip body that unpacks into gigabytes, is an
error, not a process out of memory. ``client_options`` sends a base URL's query with every request.
"""

from __future__ import annotations

import asyncio
import os
import ssl
import threading
import weakref
import zlib
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlsplit, urlunsplit

import httpx2
import openai

T = TypeVar("T")
MAX_ANSWER_BYTES = 16 * 1024 * 1024  # one event record is a few kB; a proxy's error page some hundred kB
# as the openai client sets them for its own transport (openai._constants.DEFAULT_CONNECTION_LIMITS)
CONNECTION_LIMITS = httpx2.Limits(max_connections=1000, max_keepalive_connections=100)
DEFAULT_URL = "https://api.openai.com/v1"  # where the client goes without a base URL
ACCEPTED_ENCODINGS = "gzip, deflate"
DECODERS = {
    "gzip": zlib.MAX_WBITS | 32,
    "x-gzip": zlib.MAX_WBITS | 32,
    "deflate": zlib.MAX_WBITS | 32,
}  # 32: either header

_lock = threading.Lock()
_background: tuple[int, asyncio.AbstractEventLoop] | None = None  # (the process it runs in, the loop)
_local = threading.local()  # this thread's own loop: .loop, .pid
_ssl: ssl.SSLContext | None = None


class UnusableAnswer(Exception):
    """A server's answer went past ``MAX_ANSWER_BYTES`` once decoded, or cannot be decoded (the openai client
    reports it as a connection error, with this as its cause)."""


def run_with_deadline(make: Callable[[], Coroutine[Any, Any, T]], deadline_s: float, url: str) -> T:
    """Run the request ``make()`` starts and wait for it, at most ``deadline_s`` seconds in all; past that it is
    cancelled and ``openai.APITimeoutError`` is raised (``url`` names the request).

    It runs on the calling thread's own event loop (each worker thread does its own requests, as with a
    synchronous client), or, when the caller is itself inside a running event loop, on a background one."""

    async def bounded() -> T:
        try:
            return await asyncio.wait_for(make(), deadline_s)
        except asyncio.TimeoutError:
            raise openai.APITimeoutError(request=httpx2.Request("POST", url)) from None

    try:
        asyncio.get_running_loop()
    except RuntimeError:  # the usual case: no loop runs in this thread
        loop = _thread_loop()
        task = loop.create_task(bounded())
        try:
            return loop.run_until_complete(task)
        except BaseException:  # Ctrl-C on the main thread: the request is not left to run later
            task.cancel()
            raise
    future = asyncio.run_coroutine_threadsafe(bounded(), _background_loop())
    try:
        return future.result()
    except BaseException:
        future.cancel()
        raise


def _thread_loop() -> asyncio.AbstractEventLoop:
    """This thread's event loop, made on first use (and again in a forked child)."""
    loop: asyncio.AbstractEventLoop | None = getattr(_local, "loop", None)
    if loop is None or loop.is_closed() or _local.pid != os.getpid():
        loop = asyncio.new_event_loop()
        _local.loop, _local.pid = loop, os.getpid()
    return loop


def _background_loop() -> asyncio.AbstractEventLoop:
    """An event loop running in a daemon thread, started on first use (again in a forked child)."""
    global _background
    with _lock:
        if _background is None or _background[0] != os.getpid():
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, name="summarizer-http", daemon=True).start()
            _background = (os.getpid(), loop)
        return _background[1]


class LoopClients:
    """The official async client, one per event loop (a client's connections belong to the loop that opened
    them), made with ``options`` (``openai.AsyncOpenAI``'s) and a ``capped_client``."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        self._clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, openai.AsyncOpenAI] = (
            weakref.WeakKeyDictionary()
        )
        self._lock = threading.Lock()

    def get(self) -> openai.AsyncOpenAI:
        """The client of the running event loop."""
        loop = asyncio.get_running_loop()
        with self._lock:
            client = self._clients.get(loop)
            if client is None:
                client = self._clients[loop] = openai.AsyncOpenAI(http_client=capped_client(), **self.options)
            return client


def capped_client(limit: int | None = None) -> httpx2.AsyncClient:
    """The async HTTP client for the openai client: as openai's own (redirects followed, its connection
    limits), with every answer cut off with ``UnusableAnswer`` past ``limit`` bytes [``MAX_ANSWER_BYTES``]."""
    inner = httpx2.AsyncHTTPTransport(verify=ssl_context(), limits=CONNECTION_LIMITS)
    return openai.DefaultAsyncHttpxClient(transport=CappedTransport(inner, limit or MAX_ANSWER_BYTES))


def ssl_context() -> ssl.SSLContext:
    """The process's one TLS context, as the HTTP client makes it (certifi, or SSL_CERT_FILE): making one
    costs ~27 ms of CPU, and each worker thread's client needs one."""
    global _ssl
    with _lock:
        if _ssl is None:
            _ssl = httpx2.create_ssl_context()
        return _ssl


def client_options(base_url: str | None, api_key: str, timeout: float) -> dict[str, Any]:
    """The openai client's options for a server: no retries of its own (they would compound with the one
    policy, ``retry``); a query in the base URL (``?api-version=``) is sent with every request, where the client
    would put the endpoint's path after it."""
    options: dict[str, Any] = {"api_key": api_key, "timeout": timeout, "max_retries": 0, "base_url": base_url}
    if base_url is None:
        return options
    parts = urlsplit(base_url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    options["base_url"] = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    return {**options, "default_query": query} if query else options


class CappedTransport(httpx2.AsyncBaseTransport):
    """A transport whose answers raise ``UnusableAnswer`` once their body passes ``limit`` bytes, decoded: it
    asks for gzip or deflate only and inflates them itself, a bounded piece at a time, so that a small
    compressed answer cannot unpack into gigabytes (a decompression bomb)."""

    def __init__(self, inner: httpx2.AsyncBaseTransport, limit: int) -> None:
        self.inner = inner
        self.limit = limit

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        request.headers["accept-encoding"] = ACCEPTED_ENCODINGS
        response = await self.inner.handle_async_request(request)
        assert isinstance(response.stream, httpx2.AsyncByteStream)
        encoding = response.headers.get("content-encoding", "identity").strip().lower()
        headers = [
            (name, value)
            for name, value in response.headers.multi_items()
            if name.lower() not in ("content-encoding", "content-length")
        ]  # the body handed on is decoded here
        return httpx2.Response(
            response.status_code,
            headers=headers,
            stream=_CappedStream(response.stream, self.limit, encoding),
            extensions=response.extensions,
            request=request,
        )

    async def aclose(self) -> None:
        await self.inner.aclose()


class _CappedStream(httpx2.AsyncByteStream):
    def __init__(self, inner: httpx2.AsyncByteStream, limit: int, encoding: str) -> None:
        self.inner = inner
        self.limit = limit
        self.encoding = encoding
        self.received = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        if self.encoding not in ("identity", "", *DECODERS):
            raise UnusableAnswer(f"answered in an encoding it was not asked for ({self.encoding[:40]})")
        inflate = zlib.decompressobj(DECODERS[self.encoding]) if self.encoding in DECODERS else None
        async for chunk in self.inner:
            for piece in self._inflated(inflate, chunk) if inflate else (chunk,):
                yield self._counted(piece)
        if inflate is not None:
            yield self._counted(inflate.flush())

    def _inflated(self, inflate: Any, data: bytes) -> Iterator[bytes]:
        """``data`` inflated, in pieces no longer than what the limit still allows (plus one byte)."""
        try:
            while data:
                piece = inflate.decompress(data, self.limit - self.received + 1)
                data = inflate.unconsumed_tail
                yield piece
        except zlib.error as exc:
            raise UnusableAnswer(f"answered with a body that does not inflate ({self.encoding}: {exc})") from exc

    def _counted(self, piece: bytes) -> bytes:
        self.received += len(piece)
        if self.received > self.limit:
            raise UnusableAnswer(f"answered with more than {self.limit / (1024 * 1024):g} MB")
        return piece

    async def aclose(self) -> None:
        await self.inner.aclose()
