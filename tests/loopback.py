"""What the fake servers the tests start share (a test kit, not part of the package): a real HTTP server on
127.0.0.1 at a free port, serving on a daemon thread; ``with server:`` starts it and stops it after.

A subclass gives ``_handler()``, a ``QuietHandler`` subclass that answers its requests.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar

S = TypeVar("S", bound="LoopbackServer")


class QuietHandler(BaseHTTPRequestHandler):
    """A request handler that logs nothing (test output stays clean)."""

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def body(self) -> bytes:
        """The request's body (``content-length`` bytes; none without that header)."""
        length = int(self.headers.get("content-length") or 0)
        return self.rfile.read(length) if length else b""


class LoopbackServer:
    def _listen(self) -> None:
        """Bind the port (call from ``__init__``); requests are served once ``start`` is called."""
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    def _handler(self) -> type[QuietHandler]:
        raise NotImplementedError

    @property
    def url(self) -> str:
        """The OpenAI-style base URL (``/v1``) of the server."""
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def start(self: S) -> S:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self: S) -> S:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
