"""Loaded once per process, however many threads ask for it first.

``functools.cache`` and ``lru_cache`` do not stop concurrent first calls: under ``--jobs K`` each of K threads
that arrive before the first load ends runs the load again (the gazetteer was loaded 8 times, 629 MB).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Once(Generic[T]):
    """A function of no arguments run on its first call only; calls that arrive while it runs wait for its
    result (a double-checked lock: no lock once loaded). A load that raises is not kept: the next call tries
    again."""

    def __init__(self, load: Callable[[], T]) -> None:
        self._load = load
        self._lock = threading.Lock()
        self._loaded = False
        self._value: T | None = None
        functools.update_wrapper(self, load)

    def __call__(self) -> T:
        if not self._loaded:
            with self._lock:
                if not self._loaded:
                    self._value = self._load()
                    self._loaded = True
        return self._value  # type: ignore[return-value]  # set before _loaded, never None once loaded

    def reset(self) -> None:
        """Forget the value (for tests): the next call loads again."""
        with self._lock:
            self._loaded = False
            self._value = None


def once(load: Callable[[], T]) -> Once[T]:
    return Once(load)
