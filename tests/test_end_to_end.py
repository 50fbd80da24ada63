"""End to end with real parts: the embedded model in process, and the openai backend against a real
OpenAI-compatible server (llama-cpp-python's ``llama_cpp.server`` with the bundled model) on loopback.

Both run the CLI as a user does, in a subprocess, on the two seed articles. Slow: each article takes
tens of seconds on two cores.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from rapidfuzz import fuzz

from summarizer.ground.locate import STRIP
from summarizer.ingest.articles import load_article
from summarizer.model.backends.local import bundled_model_path
from summarizer.record import Record
from summarizer.text.normalize import name_key, normalise

pytestmark = pytest.mark.slow

# The two founding articles, as the repository keeps them (copies of the seeds the project began with).
SEEDS = sorted(Path(__file__).parents[1].glob("evals/fixtures/00[01]_*.txt"))
SEED_DATE = date(2024, 3, 21)
# What the bundled SmolLM2-135M gets wrong on a seed at temperature 0, measured, not hoped away: the test
# reports it as xfail, and passes outright the day a prompt or model change fixes it.
KNOWN_MISSES = {
    "000_ede6e3fe3861d4f9": "the bundled 135M model leaves places empty for this seed (and lists the districts, "
    "never Kyiv, under other prompts), also when re-asked",
}


def run_cli(*args: str, home: Path, extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "SUMMARIZER_"))}
    env.update({"SUMMARIZER_HOME": str(home), **(extra_env or {})})
    return subprocess.run(
        [sys.executable, "-m", "summarizer", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=1800,
        check=False,
    )


def evidence_items(record: Record) -> dict[str, str]:
    """Every emitted evidence quote by its field path, as the spans are keyed."""
    event = record.event
    items: dict[str, str] = {}
    if event.when:
        items["when"] = event.when.evidence
    for name in ("places", "actors", "damage", "statements", "context"):
        for index, item in enumerate(getattr(event, name)):
            items[f"{name}[{index}]"] = item.evidence
    for index, weapon in enumerate(event.weapons):
        items[f"weapons[{index}]"] = weapon.evidence
        for part in ("launched", "intercepted"):
            count = getattr(weapon, part)
            if count:
                items[f"weapons[{index}].{part}"] = count.evidence
    if event.casualties:
        for part in ("killed", "injured", "children_killed", "children_injured"):
            count = getattr(event.casualties, part)
            if count:
                items[f"casualties.{part}"] = count.evidence
    return items


def assert_grounded_seed_record(record: Record, seed: Path, *, expect_facts: bool = True) -> None:
    """A valid record whose every emitted fact is located in the article; with ``expect_facts``, also the
    date and the city the issue asks the embedded model for (elsewhere they are checked when present)."""
    article = load_article(seed)
    assert record.article.sha256 == article.sha256
    assert record.article.published == SEED_DATE
    # every emitted evidence quote has a span, and the span really is that quote in the article
    items = evidence_items(record)
    assert set(items) == set(record.spans), "every fact, and only facts that were emitted, carry a span"
    for path, quote in items.items():
        span = record.spans[path]
        located = article.text[span.start : span.end]
        assert located, path
        if span.match == "fuzzy":
            assert fuzz.ratio(normalise(located), normalise(quote)) >= 85, (path, located, quote)
        else:
            assert normalise(located).strip(STRIP) == normalise(quote).strip(STRIP), (path, located, quote)
    # the event's dates are the seeds' date: "overnight" / "pre-dawn" on 2024-03-21
    if expect_facts:
        assert record.event.when is not None, f"no grounded date for {seed.name}: {record.warnings}"
    if record.event.when is not None:
        assert (record.event.when.date_start, record.event.when.date_end) == (SEED_DATE, SEED_DATE)
    # nothing ungrounded was emitted silently: every drop is listed
    for warning in record.warnings:
        assert warning.code in {
            "ungrounded",
            "repaired",
            "corrected",
            "duplicate",
            "unsupported",
            "input",
            "disagreement",
        }
    # the city is Kyiv (checked last: a known miss of the bundled model ends the test as xfail)
    if not expect_facts:
        return
    if "kyiv" not in {name_key(place.name) for place in record.event.places} and seed.stem in KNOWN_MISSES:
        pytest.xfail(KNOWN_MISSES[seed.stem])
    assert "kyiv" in {name_key(place.name) for place in record.event.places}, record.event.places


@pytest.fixture(scope="module")
def local_records(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Record]:
    home = tmp_path_factory.mktemp("home")
    # --trust-profile default: the embedded model is asked (its shipped profile would leave it out: the reader
    # leads on every field for it, see tests/test_reader_embedded.py)
    result = run_cli("summarize", *map(str, SEEDS), "--format", "jsonl", "--trust-profile", "default", home=home)
    assert result.returncode == 0, result.stderr
    assert "backend local" in result.stderr and "SmolLM2-135M-Instruct" in result.stderr
    records = [Record.model_validate_json(line) for line in result.stdout.splitlines()]
    return {record.article.id: record for record in records}


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.stem)
def test_embedded_model_summarizes_each_seed_into_a_grounded_record(local_records: dict[str, Record], seed: Path):
    record = local_records[seed.stem]
    assert record.provenance.backend == "local"
    assert record.provenance.attempts >= 1
    assert_grounded_seed_record(record, seed)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``python -m llama_cpp.server`` with the bundled model on a free loopback port."""
    port = free_port()
    log = tmp_path_factory.mktemp("server") / "server.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "llama_cpp.server", "--model", str(bundled_model_path()), "--host", "127.0.0.1",
             "--port", str(port), "--n_ctx", "8192", "--model_alias", "smollm2"],
            stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip
    base_url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{base_url}/models", timeout=2) as response:
                    if json.load(response)["data"]:
                        break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"llama_cpp.server did not start:\n{log.read_text()[-2000:]}")
                time.sleep(0.5)
        yield base_url
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.stem)
def test_openai_backend_against_a_real_llama_cpp_server(llama_server: str, seed: Path, tmp_path: Path):
    result = run_cli(
        "summarize", str(seed), "--base-url", llama_server, "--model", "smollm2", "--format", "json", home=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert "backend openai" in result.stderr and "smollm2" in result.stderr
    record = Record.model_validate_json(result.stdout)
    assert record.provenance.backend == "openai"
    assert record.provenance.model == "smollm2"
    assert record.provenance.usage.prompt_tokens > 0 and record.provenance.usage.completion_tokens > 0
    # the server samples with its own defaults, so the tiny model's answers differ from the in-process ones:
    # this test is of the OpenAI path (request, tool call, parsing, grounding), the embedded one of the facts
    assert_grounded_seed_record(record, seed, expect_facts=False)


def test_server_answers_are_cached_across_processes(llama_server: str, tmp_path: Path):
    seed = SEEDS[0]
    args = ("summarize", str(seed), "--base-url", llama_server, "--model", "smollm2", "--max-retries", "0")
    first = run_cli(*args, home=tmp_path)
    second = run_cli(*args, home=tmp_path)
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    first_record, second_record = Record.model_validate_json(first.stdout), Record.model_validate_json(second.stdout)
    assert not first_record.provenance.cached and second_record.provenance.cached
    assert first_record.event == second_record.event


def test_unreachable_server_is_a_clear_error_not_a_traceback(tmp_path: Path):
    seed = SEEDS[0]
    result = run_cli(
        "summarize", str(seed), "--base-url", f"http://127.0.0.1:{free_port()}/v1", "--timeout", "2", home=tmp_path,
        extra_env={"SUMMARIZER_API_RETRIES": "1"},
    )  # fmt: skip
    assert result.returncode == 1
    assert "cannot reach the server at http://127.0.0.1" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_founding_articles_are_in_the_fixtures() -> None:
    assert [seed.name[:3] for seed in SEEDS] == ["000", "001"]
