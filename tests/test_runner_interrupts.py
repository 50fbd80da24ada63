"""Ctrl-C inside a held block waits for the block to finish (the record written is the record counted)."""

from __future__ import annotations

import signal
import threading

import pytest

from summarizer.run.runner import interrupts_held

pytestmark = pytest.mark.usefixtures("ctrl_c_raises")


def test_a_ctrl_c_inside_the_block_is_raised_when_it_ends() -> None:
    finished = []
    with pytest.raises(KeyboardInterrupt), interrupts_held():
        signal.raise_signal(signal.SIGINT)
        finished.append("written")
        finished.append("counted")
    assert finished == ["written", "counted"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_without_a_ctrl_c_nothing_is_raised_and_the_handler_is_restored() -> None:
    with interrupts_held():
        pass
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_an_error_inside_the_block_still_restores_the_handler() -> None:
    with pytest.raises(ValueError), interrupts_held():
        raise ValueError("disk full")
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_off_the_main_thread_it_installs_no_handler() -> None:
    seen: list[object] = []

    def worker() -> None:
        with interrupts_held():
            seen.append(signal.getsignal(signal.SIGINT))

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert seen == [signal.default_int_handler]


def test_a_handler_someone_else_installed_is_left_alone() -> None:
    calls: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: calls.append(signum))
    try:
        with interrupts_held():
            signal.raise_signal(signal.SIGINT)
            assert calls == [signal.SIGINT]  # theirs ran at once; nothing was held
    finally:
        signal.signal(signal.SIGINT, previous)


def test_a_second_ctrl_c_is_not_held() -> None:
    finished = []
    with pytest.raises(KeyboardInterrupt), interrupts_held():
        signal.raise_signal(signal.SIGINT)
        finished.append("held")
        signal.raise_signal(signal.SIGINT)
        finished.append("never")
    assert finished == ["held"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
