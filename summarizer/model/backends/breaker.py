"""A circuit breaker for a batch against one server: stop instead of burning the rest of the input.

Two kinds of failure end a batch early. A server that refuses the credentials or the model
(401, 403, 404) will refuse every article the same way: the first refusal stops the batch as a
configuration error (exit 2). A server that fails every request (unreachable, a 5xx storm, time
outs) may be restarting: after ``threshold`` requests in a row fail once their retries are spent,
the breaker pauses every caller for ``pause_s``; when ``threshold`` more requests, sent after the
pause, fail too, it stops the batch. Any success closes it again. One breaker serves all the
threads of a run; requests already in flight when the pause began do not count after it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from summarizer.errors import BackendError, ConfigError


class ServerRefused(ConfigError):
    """The server refuses the credentials or the model: no other article can succeed (exit 2)."""


class ServerDown(BackendError):
    """Every request failed for a while, a pause included: the batch stops (exit 1); run again to resume."""


BatchStop = (ServerRefused, ServerDown)


class Breaker:
    def __init__(self, threshold: int = 5, pause_s: float = 30.0, sleep: Callable[[float], None] = time.sleep) -> None:
        self.threshold = threshold
        self.pause_s = pause_s
        self._sleep = sleep
        self._lock = threading.Lock()
        self._pausing = threading.Lock()
        self._consecutive = 0
        self._resumed_at: float | None = None  # when the pause ended; None before any pause
        self._stopped: ServerRefused | ServerDown | None = None

    def check(self) -> float:
        """Before a request: raise if the batch is stopped, wait out a pause; returns the request's start."""
        with self._pausing:  # held while a pause sleeps
            pass
        if self._stopped is not None:
            raise type(self._stopped)(str(self._stopped))
        return time.monotonic()

    def succeeded(self) -> None:
        with self._lock:
            self._consecutive = 0
            self._resumed_at = None

    def refused(self, error: ServerRefused) -> ServerRefused:
        """The server refused the credentials or the model: the batch stops; returns the error to raise."""
        with self._lock:
            self._stopped = self._stopped or error
        return error

    def failed(self, error: BackendError, started: float) -> BackendError | ServerRefused:
        """A request sent at ``started`` failed after its retries; returns the error to raise (``ServerDown``
        once the batch stops, or the refusal that stopped it), after pausing every caller when failures keep
        coming."""
        with self._lock:
            if self._stopped is not None:
                return type(self._stopped)(str(self._stopped))
            if self._resumed_at is not None and started < self._resumed_at:
                return error  # sent before the pause ended: says nothing about the server now
            self._consecutive += 1
            if self._consecutive < self.threshold:
                return error
            if self._resumed_at is not None:
                self._stopped = ServerDown(
                    f"stopping: {self._consecutive} requests in a row failed after a {self.pause_s:g} s pause, "
                    f"the last with: {error}; run the same command again to resume"
                )
                return self._stopped
        self._pause()
        return error

    def _pause(self) -> None:
        """One thread sleeps while holding the pause lock; every other request waits for it in ``check``."""
        if not self._pausing.acquire(blocking=False):
            return  # another thread is already pausing
        try:
            self._sleep(self.pause_s)
            with self._lock:
                self._consecutive = 0
                self._resumed_at = time.monotonic()
        finally:
            self._pausing.release()
