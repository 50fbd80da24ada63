"""Benchmark: a warm eval (every answer and record stored) against reading the stored answers.

Runs the eval over the fixtures once against an OpenAI-compatible server on loopback that answers
every request with the same full-size event (the cold run fills the store), then again with nothing
to ask, and prints the warm run's time as a ratio to a reference measured in the same run: reading
and validating every stored answer the warm run needs (goal: ≤ 2×). The strategy is the default (model + reader).

    .venv/bin/python bench/bench_eval_warm.py [REPEATS]      # default: 3
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from fake_openai_server import Reply, completion  # noqa: E402
from fault_server import FaultScript, fault_server  # noqa: E402

from summarizer.config.settings import Settings  # noqa: E402
from summarizer.evals.fixtures import load_fixtures  # noqa: E402
from summarizer.evals.runner import run_eval  # noqa: E402
from summarizer.pipeline import Summarizer  # noqa: E402
from summarizer.record.schema import Event  # noqa: E402

SEED = ROOT / "tests" / "data" / "records" / "seed_000.json"


class FullAnswers(FaultScript):
    """Every request answered with a full-size event (the seed record's), so the stored answers the
    reference reads are as large as a real model's."""

    def __call__(self, number: int, request: dict) -> Reply:
        from summarizer.record import Record

        event = Record.model_validate_json(SEED.read_text(encoding="utf-8")).event
        return Reply(200, completion(request, event.model_dump_json()))


def read_answers(summarizer: Summarizer, cases: list) -> int:
    """The reference: every stored answer the eval needs, read and validated."""
    count = 0
    for case in cases:
        article = summarizer.fit(case.article)
        stored = summarizer.store.cached_answer(summarizer.answer_key(article, 0))
        assert stored is not None and stored["answer"] is not None
        count += len([Event.model_validate(c) for c in stored["answer"]["candidates"]])
    return count


def main(repeats: int) -> None:
    dataset = load_fixtures(ROOT / "evals" / "fixtures")
    cases = dataset.cases
    with fault_server(FullAnswers()) as server, tempfile.TemporaryDirectory() as home:
        settings = Settings.from_env({}, backend="openai", base_url=server.url, api_key="sk-bench", home=Path(home))
        summarizer = Summarizer(settings)
        started = time.perf_counter()
        cold = run_eval(summarizer, cases)
        cold_s = time.perf_counter() - started
        assert not any(row.error for row in cold.rows), [row.error for row in cold.rows if row.error]
        warm_times, reference_times = [], []
        for _ in range(repeats):
            started = time.perf_counter()
            warm = run_eval(Summarizer(settings), cases)
            warm_times.append(time.perf_counter() - started)
            assert warm.meta["model_calls"] == 0
            started = time.perf_counter()
            read_answers(Summarizer(settings), cases)
            reference_times.append(time.perf_counter() - started)
    warm_s, reference_s = min(warm_times), min(reference_times)
    print(f"{len(cases)} cases, strategy {settings.strategy}; best of {repeats}")
    print(f"cold eval (asks the server, reads every article): {cold_s:.2f} s")
    print(f"reference (read and validate the stored answers):  {reference_s:.3f} s")
    print(f"warm eval (everything stored):                     {warm_s:.3f} s = {warm_s / reference_s:.2f} x reference")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
