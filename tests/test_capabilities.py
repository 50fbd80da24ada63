"""Backends declare what they can do (summarizer.config.capabilities): every place that once branched on a
backend's name asks the capability, so a kind described otherwise is treated otherwise; a name not registered
(a test's fake, a name read back from an old log) claims nothing."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from fake_backend import QueuedBackend
from test_cli import Fake, article_file, run
from test_pipeline import ARTICLE

from summarizer.config import capabilities
from summarizer.config.capabilities import LOCAL, OPENAI, BackendInfo, backend_info, register_backend
from summarizer.config.settings import Settings
from summarizer.errors import ArticleError, ConfigError
from summarizer.evals.compare import refresh_command
from summarizer.evals.report import cost_usd
from summarizer.evals.results import Run
from summarizer.model.backends import IMPLEMENTATIONS, article_budget_chars, info_of
from summarizer.pipeline import Summarizer
from summarizer.store.logs import call_cost


def describe(monkeypatch: pytest.MonkeyPatch, info: BackendInfo) -> None:
    """Describe the kind ``info.name`` as ``info`` for this test only."""
    monkeypatch.setitem(capabilities._KINDS, info.name, info)


def test_each_kind_has_an_implementation_and_an_unknown_name_claims_nothing() -> None:
    assert set(IMPLEMENTATIONS) == set(capabilities.BACKENDS) == {"local", "openai"}
    unknown = backend_info("fake")
    assert unknown == BackendInfo("fake") and not unknown.priced and not unknown.free
    assert not unknown.needs_endpoint and not unknown.fixed_context and unknown.context_chars is None
    assert backend_info(None) == BackendInfo("")
    with pytest.raises(ValueError, match="already described"):
        register_backend(BackendInfo("openai"))


def test_a_registered_kind_is_found_by_its_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(capabilities, "_KINDS", dict(capabilities._KINDS))  # registered for this test only
    info = register_backend(BackendInfo("capability-test-kind", context_chars=123, free=True))
    assert backend_info("capability-test-kind") is info
    assert "capability-test-kind" not in capabilities.BACKENDS  # described, not selectable by --backend


def test_the_article_budget_follows_the_backends_declared_context(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A backend of a kind declared with a small context refuses a longer article; a backend whose kind is not
    registered gets the configured kind's budget, as before."""
    settings = Settings.from_env({}, backend="local", strategy="model", home=tmp_path)
    small = BackendInfo("small-context-test-kind", context_chars=20)
    describe(monkeypatch, small)
    backend = QueuedBackend([])
    backend.name = small.name
    with pytest.raises(ArticleError, match="more than this model's context allows"):
        Summarizer(settings, backend=backend).fit(ARTICLE)
    assert Summarizer(settings, backend=QueuedBackend([])).fit(ARTICLE) is ARTICLE
    assert info_of(QueuedBackend([]), settings) is LOCAL and info_of(None, settings) is LOCAL
    assert article_budget_chars(settings, OPENAI) == 200_000
    assert article_budget_chars(settings, LOCAL) == int((8192 - 2048 - 2300) * 3.0)


def test_settings_validation_asks_whether_the_kind_needs_an_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    Settings.from_env({}, backend="local", strategy="reader")
    describe(monkeypatch, replace(LOCAL, needs_endpoint=True))
    with pytest.raises(ConfigError, match="the local backend needs OPENAI_API_KEY"):
        Settings.from_env({}, backend="local", strategy="reader")
    describe(monkeypatch, replace(OPENAI, needs_endpoint=False))
    assert Settings.from_env({}, backend="openai").model_name == "gpt-4o-mini"  # its declared default model


def test_prices_follow_the_declared_price_table(monkeypatch: pytest.MonkeyPatch) -> None:
    """Free kinds cost nothing, kinds with a price table are priced, others are unknown (never $0)."""
    assert call_cost("local", "x.gguf", 900, 200).label == "local"
    assert call_cost("openai", "gpt-4o-mini", 1_000_000, 0).usd is not None
    assert call_cost("fake", "gpt-4o-mini", 1_000_000, 0).label == "-"
    assert cost_usd({"backend": "local"}, 10, 10) == 0.0
    assert cost_usd({"backend": "openai", "model": "gpt-4o-mini"}, 1_000_000, 0) == pytest.approx(0.15)
    assert cost_usd({"backend": "oracle", "model": "gpt-4o-mini"}, 1_000_000, 0) is None
    describe(monkeypatch, replace(OPENAI, price_provider=None))
    describe(monkeypatch, replace(LOCAL, free=False))
    assert call_cost("openai", "gpt-4o-mini", 1_000_000, 0).label == "-"
    assert call_cost("local", "x.gguf", 900, 200).label == "-"
    assert cost_usd({"backend": "local"}, 10, 10) is None
    assert cost_usd({"backend": "openai", "model": "gpt-4o-mini"}, 1_000_000, 0) is None


def test_the_reproduce_command_names_a_model_file_or_a_model_by_the_kind(monkeypatch: pytest.MonkeyPatch) -> None:
    run = Run({"backend": "local", "model": "other.gguf", "prompt_name": "default"}, [])
    assert "--model-path other.gguf" in refresh_command("nowhere.json", run)
    describe(monkeypatch, replace(LOCAL, embedded_model=False))
    assert "--model other.gguf" in refresh_command("nowhere.json", run)


@pytest.mark.parametrize("one_at_a_time", [True, False])
def test_jobs_on_a_one_at_a_time_backend_say_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, one_at_a_time: bool
) -> None:
    import test_cli

    fake = Fake()
    monkeypatch.setattr(test_cli, "installed", fake)
    fake.queue(test_cli.answer(), test_cli.answer())
    describe(monkeypatch, replace(OPENAI, one_at_a_time=one_at_a_time))
    base_url = ("--base-url", "http://127.0.0.1:9/v1", "--strategy", "model")
    result = run("summarize", article_file(tmp_path), *base_url, "--jobs", "2")
    assert result.exit_code == 0, result.stderr
    said = "the openai backend runs one model call at a time" in result.stderr
    assert said == one_at_a_time


def test_a_batch_needs_a_kind_with_a_batch_api(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    refused = "batches go through a provider's batch API"
    assert refused in run("batch", "submit", "--backend", "local", str(tmp_path)).stderr
    describe(monkeypatch, replace(OPENAI, provider_batch=False))
    result = run("batch", "submit", "--base-url", "http://127.0.0.1:9/v1", str(tmp_path))
    assert result.exit_code == 2 and refused in result.stderr
