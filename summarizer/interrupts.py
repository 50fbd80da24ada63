"""Hold Ctrl-C back while a record is written and counted, so "N record(s) written" is exact.

Python raises ``KeyboardInterrupt`` on the main thread between any two bytecodes, so without this a
Ctrl-C can land after a record reached the file but before it was counted. Other threads never see
``KeyboardInterrupt``, so off the main thread (or under a handler someone else installed) this does
nothing.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType


@contextmanager
def interrupts_held() -> Iterator[None]:
    """Run the block whole; a Ctrl-C that arrives inside it is raised when the block ends."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGINT)
    if previous is not signal.default_int_handler:
        yield
        return
    arrived: list[tuple[int, FrameType | None]] = []

    def hold(signum: int, frame: FrameType | None) -> None:
        arrived.append((signum, frame))

    signal.signal(signal.SIGINT, hold)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if arrived:
            signal.default_int_handler(*arrived[0])
