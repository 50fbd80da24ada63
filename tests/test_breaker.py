"""The circuit breaker: a refusing server stops the batch at once, a failing one after a pause."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from fake_openai_server import Reply, chat_server, error_body, free_port
from test_retry import REQUEST, ok, settings

from summarizer.errors import BackendError
from summarizer.model.backends.breaker import Breaker, ServerDown, ServerRefused
from summarizer.model.backends.openai_backend import OpenAIBackend


def failing(breaker: Breaker, times: int) -> list[BaseException]:
    raised = []
    for _ in range(times):
        started = breaker.check()
        raised.append(breaker.failed(BackendError("boom"), started))
    return raised


def test_failures_below_the_threshold_pass_through() -> None:
    breaker = Breaker(threshold=3, pause_s=5, sleep=pytest.fail)
    assert [type(e) for e in failing(breaker, 2)] == [BackendError, BackendError]


def test_a_run_of_failures_pauses_once_then_stops() -> None:
    sleeps: list[float] = []
    breaker = Breaker(threshold=3, pause_s=5, sleep=sleeps.append)
    first = failing(breaker, 3)  # the third pauses
    assert sleeps == [5] and all(type(e) is BackendError for e in first)
    after = failing(breaker, 3)  # three more after the pause: stop
    assert [type(e) for e in after] == [BackendError, BackendError, ServerDown]
    assert "after a 5 s pause" in str(after[-1]) and "run the same command again" in str(after[-1])
    with pytest.raises(ServerDown):
        breaker.check()  # nothing more is sent


def test_a_success_closes_the_breaker() -> None:
    sleeps: list[float] = []
    breaker = Breaker(threshold=3, pause_s=5, sleep=sleeps.append)
    failing(breaker, 3)
    breaker.succeeded()
    assert [type(e) for e in failing(breaker, 2)] == [BackendError, BackendError]
    assert sleeps == [5]


def test_requests_sent_before_the_pause_do_not_count_after_it() -> None:
    breaker = Breaker(threshold=2, pause_s=0, sleep=lambda s: None)
    early = [breaker.check() for _ in range(4)]  # four requests in flight at once
    breaker.failed(BackendError("a"), early[0])
    breaker.failed(BackendError("b"), early[1])  # pauses (0 s)
    assert type(breaker.failed(BackendError("c"), early[2])) is BackendError
    assert type(breaker.failed(BackendError("d"), early[3])) is BackendError
    breaker.check()  # not stopped


def test_a_pause_holds_every_caller() -> None:
    release = threading.Event()
    breaker = Breaker(threshold=1, pause_s=1, sleep=lambda s: release.wait(5))
    pausing = threading.Thread(target=lambda: breaker.failed(BackendError("x"), breaker.check()))
    pausing.start()
    checked = threading.Event()
    waiter = threading.Thread(target=lambda: (breaker.check(), checked.set()))
    while not breaker._pausing.locked():
        pass
    waiter.start()
    assert not checked.wait(0.2)  # held by the pause
    release.set()
    assert checked.wait(5)
    pausing.join()
    waiter.join()


@pytest.mark.parametrize("status", [401, 403, 404])
def test_a_refusing_server_stops_at_the_first_answer(tmp_path: Path, status: int) -> None:
    with chat_server(lambda n, r: Reply(status, error_body("no", "invalid_request_error"))) as server:
        backend = OpenAIBackend(settings(server.url, tmp_path))
        with pytest.raises(ServerRefused) as raised:
            backend.complete(**REQUEST)
        assert raised.value.exit_code == 2
        with pytest.raises(ServerRefused):
            backend.complete(**REQUEST)  # refused without another request
    assert server.requests == 1
    assert f"HTTP {status}" in str(raised.value)


def test_a_400_is_the_request_s_fault_and_does_not_stop(tmp_path: Path) -> None:
    def script(number: int, request: dict[str, Any]) -> Reply:
        return Reply(400, error_body("bad")) if number == 0 else ok(request)

    with chat_server(script) as server:
        backend = OpenAIBackend(settings(server.url, tmp_path))
        with pytest.raises(BackendError):
            backend.complete(**REQUEST)
        assert backend.complete(**REQUEST).choices


def test_an_unreachable_server_pauses_then_stops(tmp_path: Path) -> None:
    backend = OpenAIBackend(settings(f"http://127.0.0.1:{free_port()}/v1", tmp_path, api_retries=0))
    sleeps: list[float] = []
    backend.breaker = Breaker(threshold=2, pause_s=7, sleep=sleeps.append)
    kinds = []
    for _ in range(6):
        try:
            backend.complete(**REQUEST)
        except BackendError as exc:
            kinds.append(type(exc).__name__)
    assert kinds == ["BackendError", "BackendError", "BackendError", "ServerDown", "ServerDown", "ServerDown"]
    assert sleeps == [7]
