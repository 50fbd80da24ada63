"""`summarizer logs`: stored calls and eval runs listed, filtered, totalled and priced (offline)."""

from __future__ import annotations

import contextlib
import io
import json
import socket
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import genai_prices
import pytest
from click.testing import CliRunner, Result
from rich.console import Console

import summarizer.store.database
from summarizer.cli.logs import calls_view, logs_command
from summarizer.record import Usage
from summarizer.store.database import DB_NAME, Store
from summarizer.store.logs import Filters, call_logs

LOCAL_MODEL = "SmolLM2-135M-Instruct.Q4_1.gguf"
VLLM_MODEL = "Qwen/Qwen2.5-7B-Instruct"
DEFAULT_HASH = "abcdef0123456789"
STRICT_HASH = "ffff000011112222"


@pytest.fixture
def store(isolated_home: Path) -> Iterator[Store]:
    opened = Store.open(isolated_home)
    yield opened
    opened.close()


def log(
    store: Store,
    monkeypatch: pytest.MonkeyPatch,
    created: str,
    *,
    backend: str = "openai",
    model: str = "gpt-4o-mini",
    prompt: tuple[str, str] = ("default", DEFAULT_HASH),
    tokens: tuple[int, int] = (1200, 300),
    error: str | None = None,
    calls: int = 1,
    article: str = "a",
) -> None:
    """One answer through the real Store.log_answer, stamped ``created``."""
    monkeypatch.setattr(summarizer.store.database, "now", lambda: created)
    store.log_answer(
        f"key-{created}-{model}",
        identity={
            "backend": backend,
            "model": model,
            "prompt_name": prompt[0],
            "prompt_hash": prompt[1],
            "schema_version": "2.0",
            "article_sha256": article * 64,
            "parameters": {"temperature": 0.0},
            "repeat": 0,
        },
        answer=None if error else {"candidates": []},
        error=error,
        replay_error=error is not None and "schema" in error,
        latency_s=1.25,
        usage=Usage(prompt_tokens=tokens[0], completion_tokens=tokens[1]),
        calls=calls,
    )


def invoke(*args: str) -> Result:
    return CliRunner().invoke(logs_command, list(args), catch_exceptions=False)


def lines(result: Result) -> list[list[str]]:
    return [line.split("\t") for line in result.stdout.splitlines()]


def price(model: str, prompt_tokens: int, completion_tokens: int, created: str) -> Decimal:
    """What genai-prices itself says the tokens cost."""
    usage = genai_prices.Usage(input_tokens=prompt_tokens, output_tokens=completion_tokens)
    when = datetime.fromisoformat(created)
    return genai_prices.calc_price(
        usage, model_ref=model, provider_id="openai", genai_request_timestamp=when
    ).total_price


@pytest.fixture
def filled(store: Store, monkeypatch: pytest.MonkeyPatch) -> Store:
    """Five calls over three days: OpenAI, the local model, a self-hosted one, a failure, another prompt."""
    log(store, monkeypatch, "2026-11-01T09:00:00+00:00", article="1")
    log(store, monkeypatch, "2026-11-01T10:00:00+00:00", backend="local", model=LOCAL_MODEL, tokens=(900, 200),
        calls=3, article="2")  # fmt: skip
    log(store, monkeypatch, "2026-11-02T08:00:00+00:00", model=VLLM_MODEL, prompt=("strict", STRICT_HASH), article="3")
    log(store, monkeypatch, "2026-11-02T23:30:00+00:00", tokens=(1000, 0), error="the answer never fit the schema:\n"
        "1 validation error\twhen.date_start", calls=3, article="4")  # fmt: skip
    log(store, monkeypatch, "2026-11-03T07:00:00+00:00", tokens=(2000, 500), article="5")
    return store


def test_newest_first_with_a_limit_and_totals_over_every_match(filled: Store) -> None:
    result = invoke("-n", "3")
    assert result.exit_code == 0, result.output
    rows = lines(result)
    assert [row[0] for row in rows] == [
        "2026-11-03T07:00:00+00:00",
        "2026-11-02T23:30:00+00:00",
        "2026-11-02T08:00:00+00:00",
    ]
    assert rows[0][:6] == ["2026-11-03T07:00:00+00:00", "openai", "gpt-4o-mini", "default", DEFAULT_HASH, "ok"]
    assert rows[0][6:10] == ["1", "2000", "500", "1.25"] and rows[0][11] == "5" * 12
    # the totals cover all five calls, not the three listed; they go to stderr, stdout stays data
    assert "3 of 5 matching calls" in result.stderr
    assert (
        "totals: 5 answers, 9 model calls, tokens 6,300 in / 1,300 out, 1 failed, mean latency 1.25s" in result.stderr
    )
    assert "1 local, 1 of unknown price" in result.stderr
    assert len(lines(invoke("--limit", "0"))) == 5
    assert len(lines(invoke())) == 5  # the default limit is 20


def test_a_failure_shows_its_error_on_one_line(filled: Store) -> None:
    rows = lines(invoke("--status", "failed"))
    assert len(rows) == 1 and rows[0][5] == "failed"
    assert rows[0][-2] == "the answer never fit the schema:"  # then the article's source (none logged here)
    full = json.loads(invoke("--status", "failed", "--json").stdout)[0]
    assert full["error"].startswith("the answer never fit the schema:\n1 validation error")
    assert full["replay_error"] is True and full["status"] == "failed"
    assert {row[5] for row in lines(invoke("--status", "ok"))} == {"ok"}
    assert len(lines(invoke("--status", "ok"))) == 4


def test_filters_by_model_prompt_and_dates(filled: Store) -> None:
    def created(*args: str) -> list[str]:
        result = invoke(*args)
        assert result.exit_code == 0, result.output
        return [row[0][:16] for row in lines(result)]

    assert created("--model", "gpt-4o-mini") == ["2026-11-03T07:00", "2026-11-02T23:30", "2026-11-01T09:00"]
    assert created("-m", LOCAL_MODEL) == ["2026-11-01T10:00"]
    assert created("-m", "gpt-4o") == []  # exact names, not prefixes
    assert created("--prompt", "strict") == ["2026-11-02T08:00"]
    assert created("--prompt", "FFFF00") == ["2026-11-02T08:00"]  # a hash prefix, any case
    assert len(created("--prompt", "abcdef")) == 4
    assert created("--since", "2026-11-02", "--until", "2026-11-02") == ["2026-11-02T23:30", "2026-11-02T08:00"]
    assert created("--since", "2026-11-02T23:30:00") == ["2026-11-03T07:00", "2026-11-02T23:30"]  # inclusive
    assert created("--until", "2026-11-01T10:00") == ["2026-11-01T10:00", "2026-11-01T09:00"]  # inclusive
    assert created("--since", "2026-11-03T09:00+02:00") == ["2026-11-03T07:00"]  # an offset is honoured
    assert created("--since", "2026-11-02T23:00Z", "--status", "failed", "-m", "gpt-4o-mini") == ["2026-11-02T23:30"]
    result = invoke("--prompt", "nothing-like-it")
    assert result.exit_code == 0 and result.stdout == "" and "no logged model calls match" in result.stderr


def test_json_and_jsonl_shapes(filled: Store) -> None:
    data = json.loads(invoke("--json", "-n", "2").stdout)
    assert isinstance(data, list) and len(data) == 2
    assert set(data[0]) == {
        "id", "created", "backend", "model", "prompt_name", "prompt_hash", "article_sha256", "article", "repeat",
        "status", "error", "replay_error", "latency_s", "prompt_tokens", "completion_tokens", "calls", "cost_usd",
        "cost_basis",
    }  # fmt: skip
    assert data[0]["created"] == "2026-11-03T07:00:00+00:00" and data[0]["article_sha256"] == "5" * 64
    assert (data[0]["prompt_tokens"], data[0]["completion_tokens"], data[0]["calls"]) == (2000, 500, 1)
    streamed = [json.loads(line) for line in invoke("--jsonl", "-n", "2").stdout.splitlines()]
    assert streamed == data
    empty = invoke("--json", "--model", "none")
    assert empty.exit_code == 0 and json.loads(empty.stdout) == []


def test_cost_of_a_priced_openai_model_is_genai_prices_own(filled: Store) -> None:
    data = {row["created"]: row for row in json.loads(invoke("--json").stdout)}
    first, last = "2026-11-01T09:00:00+00:00", "2026-11-03T07:00:00+00:00"
    expected = price("gpt-4o-mini", 1200, 300, first)
    assert expected > 0
    assert data[first]["cost_usd"] == float(expected) and data[first]["cost_basis"] == "genai-prices"
    assert data[last]["cost_usd"] == float(price("gpt-4o-mini", 2000, 500, last))
    # the totals price every gpt-4o-mini call, the failed one's tokens too
    failed = "2026-11-02T23:30:00+00:00"
    total = expected + price("gpt-4o-mini", 2000, 500, last) + price("gpt-4o-mini", 1000, 0, failed)
    stderr = invoke("--json").stderr
    assert f"cost ${total:.6f} (+ 1 local, 1 of unknown price)" in stderr
    tsv = {row[0]: row for row in lines(invoke())}
    assert tsv[first][10] == f"${expected:.6f}"


def test_the_local_model_costs_nothing_and_an_unknown_model_has_no_price(filled: Store) -> None:
    data = {row["model"]: row for row in json.loads(invoke("--json").stdout)}
    assert (data[LOCAL_MODEL]["cost_usd"], data[LOCAL_MODEL]["cost_basis"]) == (None, "local")
    assert (data[VLLM_MODEL]["cost_usd"], data[VLLM_MODEL]["cost_basis"]) == (None, "unknown")
    tsv = {row[2]: row for row in lines(invoke())}
    assert tsv[LOCAL_MODEL][10] == "local"
    assert tsv[VLLM_MODEL][10] == "-"
    local = invoke("-m", LOCAL_MODEL)
    assert "cost: local" in local.stderr and "$" not in local.stderr
    unknown = invoke("-m", VLLM_MODEL)
    assert "cost unknown (1 of unknown price)" in unknown.stderr and "$" not in unknown.stderr


def test_prices_come_from_the_bundled_table_with_no_network(filled: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("summarizer logs tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    result = invoke("--json", "-m", "gpt-4o-mini")
    assert result.exit_code == 0, result.output
    assert all(row["cost_basis"] == "genai-prices" for row in json.loads(result.stdout))
    snapshot = genai_prices.data_snapshot.get_snapshot()
    assert snapshot.from_auto_update is False  # no updater ever replaced the bundled data


def test_tiered_prices_are_applied_call_by_call(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """A price that rises past a request's size is applied to each request in the totals, not to their sum."""
    when = "2026-11-05T12:00:00+00:00"
    model = tiered_openai_model(datetime.fromisoformat(when))
    if model is None:
        pytest.skip("this genai-prices table has no tiered OpenAI model")
    size = 200_000  # under the tier alone; two of them together would be over it
    log(store, monkeypatch, when, model=model, tokens=(size, 1000), article="1")
    log(store, monkeypatch, when.replace("12:00", "12:05"), model=model, tokens=(size, 1000), article="2")
    per_call = 2 * price(model, size, 1000, when)
    assert price(model, 2 * size, 2000, when) != per_call  # the tier is real at these sizes
    assert call_logs(store, Filters(), None).totals.usd == per_call


def tiered_openai_model(when: datetime) -> str | None:
    from genai_prices import data, types

    for provider in data.providers:
        if provider.id != "openai":
            continue
        for model in provider.models:
            input_price = vars(model.get_prices(when)).get("input_mtok")
            tiered = isinstance(input_price, types.TieredPrices)
            if tiered and all(200_000 < tier.start < 400_000 for tier in input_price.tiers):
                return model.id
    return None


def test_bad_arguments_are_usage_errors(filled: Store) -> None:
    for args, message in [
        (["--since", "last tuesday"], "not an ISO date or datetime"),
        (["--since", "2026-02-30"], "not an ISO date or datetime"),
        (["--until", "2026-13-01"], "not an ISO date or datetime"),
        (["--since", "2026-11-03", "--until", "2026-11-01"], "--since must be before --until"),
        (["--json", "--jsonl"], "cannot be used together"),
        (["runs", "--status", "ok"], "--status applies to calls"),
        (["--status", "maybe"], "Invalid value"),
        (["everything"], "Invalid value"),
    ]:
        result = invoke(*args)
        assert result.exit_code == 2, (args, result.output)
        assert message in result.output, (args, result.output)


def test_no_store_yet_lists_nothing_and_creates_none(isolated_home: Path) -> None:
    result = invoke()
    assert result.exit_code == 0 and result.stdout == "" and "no store yet" in result.stderr
    assert json.loads(invoke("--json").stdout) == []
    assert not (isolated_home / DB_NAME).exists()


def test_the_terminal_table(filled: Store) -> None:
    rows = call_logs(filled, Filters(), 20).rows

    def render(width: int) -> str:
        console = Console(file=io.StringIO(), width=width, color_system=None)
        console.print(*calls_view(rows, width=width, title="5 of 5"))
        return console.file.getvalue()  # type: ignore[attr-defined]

    wide = render(200)
    header = wide.splitlines()[1].split()
    assert header == ["created", "(UTC)", "model", "prompt", "status", "calls", "in", "out", "secs", "cost", "article",
                      "error"]  # fmt: skip
    assert "2026-11-03 07:00" in wide and "default abcdef01" in wide and "local" in wide
    assert f"${price('gpt-4o-mini', 2000, 500, '2026-11-03T07:00:00+00:00'):.6f}" in wide
    assert "the answer never fit the schema:" in wide and "1 validation error" not in wide
    narrow = render(80)
    assert all(len(line) <= 80 for line in narrow.splitlines())
    assert "2026-11-03 07:00" in narrow and "2,000" in narrow  # times and counts are never cut
    assert "failed 2026-11-02 23:30 gpt-4o-mini article 44444444: the answer never fit" in narrow  # below the table


def test_eval_runs(store: Store) -> None:
    def run(run_id: str, created: str, backend: str, model: str, **extra: Any) -> None:
        meta = {
            "run_id": run_id, "created": created, "prompt_name": "default", "prompt_hash": DEFAULT_HASH,
            "backend": backend, "model": model, "base_url": None, "cases": 3, "repeat": 2, "micro_f1": 0.5,
            "macro_f1": 0.25, "git": {"revision": "0123456789abcdef", "dirty": True}, **extra,
        }  # fmt: skip
        usage = {"prompt_tokens": 6000, "completion_tokens": 1500, "model_calls": 6, "cached_rows": 0}
        store.save_run(run_id, meta, {"meta": meta, "summary": {"usage": usage}, "cases": []})

    run("20261101T090000-aaaaaa", "2026-11-01T09:00:00+00:00", "openai", "gpt-4o-mini")
    run("20261102T090000-bbbbbb", "2026-11-02T09:00:00+00:00", "local", LOCAL_MODEL)
    run("20261103T090000-cccccc", "2026-11-03T09:00:00+00:00", "openai", "gpt-4o-mini",
        base_url="http://127.0.0.1:8080/v1", prompt_name="strict", prompt_hash=STRICT_HASH)  # fmt: skip

    rows = lines(invoke("runs"))
    assert [row[0] for row in rows] == ["20261103T090000-cccccc", "20261102T090000-bbbbbb", "20261101T090000-aaaaaa"]
    assert rows[2][4:] == ["openai", "gpt-4o-mini", "3", "2", "0.50", "0.25", "6000", "1500",
                           f"${price('gpt-4o-mini', 6000, 1500, '2026-11-01T09:00:00+00:00'):.6f}",
                           "0123456789+dirty", ""]  # fmt: skip  # strategy: none saved before strategies
    assert rows[1][12] == "local"
    assert rows[0][12] == "-"  # gpt-4o-mini served by a loopback server: not OpenAI's price
    assert [row[0] for row in lines(invoke("runs", "-m", LOCAL_MODEL))] == ["20261102T090000-bbbbbb"]
    assert [row[0] for row in lines(invoke("--prompt", "fff", "runs"))] == ["20261103T090000-cccccc"]
    assert [row[0] for row in lines(invoke("runs", "--until", "2026-11-01", "-n", "5"))] == ["20261101T090000-aaaaaa"]
    assert len(lines(invoke("runs", "-n", "1"))) == 1
    data = json.loads(invoke("runs", "--json").stdout)
    assert data[2]["run_id"] == "20261101T090000-aaaaaa" and data[2]["micro_f1"] == 0.5
    assert data[2]["usage"]["prompt_tokens"] == 6000
    assert data[2]["cost_usd"] == float(price("gpt-4o-mini", 6000, 1500, "2026-11-01T09:00:00+00:00"))
    assert [row["cost_basis"] for row in data] == ["unknown", "local", "genai-prices"]


def test_a_call_names_its_article(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`logs` names the article a call was for (its file, URL or JSONL line), not only its hash."""
    from fake_backend import QueuedBackend

    from summarizer.config.settings import Settings
    from summarizer.ingest.article import Article
    from summarizer.pipeline import Summarizer

    store = Store.open(tmp_path / "home")
    summarizer = Summarizer(Settings(max_retries=0, home=tmp_path / "home"), QueuedBackend(["not json"]), store)
    article = Article(id="odesa", text="Drones hit Odesa overnight.", source="news/2026/odesa-drones.txt")
    with contextlib.suppress(Exception):
        summarizer.summarize(article)
    [row] = store.answer_log()
    assert row["article"] == "news/2026/odesa-drones.txt"
    [table] = calls_view(call_logs(store, Filters(), None).rows, width=100)[:1]
    console = Console(width=100, record=True, file=io.StringIO())
    console.print(table)
    assert "odesa-drones.txt" in console.export_text()
