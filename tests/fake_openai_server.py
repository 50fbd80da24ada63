"""A real HTTP server on 127.0.0.1 that speaks just enough of the OpenAI chat API for error-handling tests.

It answers from a script (request number -> Reply), records every request it saw, and serves a bounded
number of requests. The client under test is the real ``openai`` client over real sockets.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fake_backend import tool_call_completion
from loopback import LoopbackServer, QuietHandler


@dataclass
class Reply:
    status: int = 200
    body: dict[str, Any] | str = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    hang: bool = False  # never answer (until the server stops): the client must time out
    drip_s: float = 0.0  # send the body one byte at a time, this many seconds apart (a slow-drip server)
    drip_head: bool = False  # with drip_s: drip the status line and headers too
    raw: bytes | None = None  # the body as these bytes (in place of ``body``), e.g. gzip with its header
    cut_at: int | None = None  # send this many bytes of the body, then close (a server that dies mid-answer)


@dataclass
class Seen:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


Script = Callable[[int, dict[str, Any]], Reply]

# The smallest chat request that forces the Event tool, and the arguments of the smallest valid Event answer.
REQUEST: dict[str, Any] = {
    "model": "test-model",
    "messages": [{"role": "user", "content": "hello"}],
    "tools": [{"type": "function", "function": {"name": "Event", "parameters": {"type": "object"}}}],
    "tool_choice": {"type": "function", "function": {"name": "Event"}},
}
ANSWER = json.dumps({"event_type": "other", "title": "A title", "summary": "A summary."})


def completion(request: dict[str, Any], arguments: str) -> dict[str, Any]:
    """A chat completion whose answer is a call of the tool the request forces."""
    return tool_call_completion(request, arguments, model=request.get("model", "test-model"))


def error_body(message: str, kind: str = "server_error") -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "code": None}}


class ChatServer(LoopbackServer):
    def __init__(self, script: Script, max_requests: int = 20) -> None:
        self.script = script
        self.max_requests = max_requests
        self.seen: list[Seen] = []
        self.dripped: list[tuple[int, int]] = []  # per dripped answer: (bytes sent, bytes it had)
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._listen()

    @property
    def requests(self) -> int:
        return len(self.seen)

    def stop(self) -> None:
        self.stopping.set()  # a hanging or dripping answer ends
        super().stop()

    def _handler(self) -> type[QuietHandler]:
        server = self

        class Handler(QuietHandler):
            def do_POST(self) -> None:
                body = json.loads(self.body() or b"{}")
                with server._lock:
                    number = len(server.seen)
                    server.seen.append(Seen(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                if number >= server.max_requests:
                    reply = Reply(418, error_body("the test server's request budget is spent"))
                else:
                    reply = server.script(number, body)
                if reply.hang:
                    server.stopping.wait(30)
                    return
                payload = reply.body if isinstance(reply.body, str) else json.dumps(reply.body)
                data = payload.encode("utf-8") if reply.raw is None else reply.raw
                if reply.drip_s:
                    self._drip(reply, data)
                    return
                try:
                    self.send_response(reply.status)
                    headers = {"content-type": "application/json", **reply.headers}
                    headers["content-length"] = str(len(data))
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(data if reply.cut_at is None else data[: reply.cut_at])
                except (BrokenPipeError, ConnectionResetError):
                    pass
                if reply.cut_at is not None:
                    self.close_connection = True

            def _drip(self, reply: Reply, data: bytes) -> None:
                """Answer one byte at a time (the head too with ``drip_head``) until done, the client hangs up
                or the server stops; record how much was sent."""
                headers = {"content-type": "application/json", **reply.headers, "content-length": str(len(data))}
                head = f"HTTP/1.1 {reply.status} OK\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
                whole = head.encode() + b"\r\n" + data
                sent = 0
                try:
                    if not reply.drip_head:
                        self.wfile.write(whole[: len(whole) - len(data)])
                        sent = len(whole) - len(data)
                    while sent < len(whole) and not server.stopping.is_set():
                        self.wfile.write(whole[sent : sent + 1])
                        sent += 1
                        server.stopping.wait(reply.drip_s)
                except (BrokenPipeError, ConnectionResetError):
                    pass
                server.dripped.append((sent, len(whole)))
                self.close_connection = True

        return Handler


def chat_server(script: Script, max_requests: int = 20) -> ChatServer:
    """The server, to use in a ``with`` block (it serves inside it)."""
    return ChatServer(script, max_requests)


def seeing_server(reply: Callable[[Seen], Reply], max_requests: int = 20) -> ChatServer:
    """A server that answers each request with ``reply(what it saw of it)``: its path, headers (lower-case
    names) and body (an echo of the key, say); to use in a ``with`` block."""
    server = ChatServer(lambda number, request: reply(server.seen[number]), max_requests)
    return server


def free_port() -> int:
    """A loopback port nothing listens on (for connection-refused tests)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
