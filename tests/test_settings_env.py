"""Settings are declared once: each field's environment variable and its --help line live in the field's metadata,
from which both the parsing (pydantic's TypeAdapter, by the field's type) and the help epilogs are derived."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest
from test_cli import article_file, run

from summarizer.cli.kit import ENVIRONMENT
from summarizer.config.settings import OTHER_VARIABLES, Settings, environment
from summarizer.errors import ConfigError


def test_each_variable_is_declared_once_on_its_field_and_listed_in_help_from_there() -> None:
    declared = {item.metadata["env"]: item for item in fields(Settings) if "env" in item.metadata}
    assert len(declared) == len(Settings.ENV) == 17
    assert {item.name: variable for variable, item in declared.items()} == Settings.ENV
    assert environment() == ENVIRONMENT
    assert list(ENVIRONMENT) == [*declared, *OTHER_VARIABLES]
    for variable, item in declared.items():
        assert ENVIRONMENT[variable].startswith(item.metadata["help"].split("{")[0]), variable
    assert ENVIRONMENT["SUMMARIZER_MAX_TOKENS"] == "most tokens in an answer [2048]"  # the field's default
    assert ENVIRONMENT["SUMMARIZER_BREAKER_PAUSE"].endswith("[30]")
    text = run("summarize", "--help").stdout
    for variable, says in ENVIRONMENT.items():
        assert variable in text and says.split("\n")[0] in text, variable


@pytest.mark.parametrize(
    ("variable", "raw", "name", "value"),
    [
        ("SUMMARIZER_N_CTX", "4096", "n_ctx", 4096),
        ("SUMMARIZER_SEED", " 7 ", "seed", 7),
        ("SUMMARIZER_TIMEOUT", "2.5", "timeout", 2.5),
        ("SUMMARIZER_BREAKER_PAUSE", "1", "breaker_pause_s", 1.0),
        ("SUMMARIZER_PROMPT", "mine", "prompt", "mine"),
        ("SUMMARIZER_HOME", "~/somewhere", "home", Path("~/somewhere").expanduser()),
    ],
)
def test_a_variable_is_parsed_to_its_fields_type(variable: str, raw: str, name: str, value: object) -> None:
    settings = Settings.from_env({variable: raw, "SUMMARIZER_STRATEGY": "reader"})
    assert getattr(settings, name) == value and type(getattr(settings, name)) is type(value)


def test_an_option_wins_over_its_variable_which_wins_over_the_default() -> None:
    env = {"SUMMARIZER_SEED": "3", "SUMMARIZER_STRATEGY": "reader"}
    assert Settings.from_env({"SUMMARIZER_STRATEGY": "reader"}).seed == 0
    assert Settings.from_env(env).seed == 3
    assert Settings.from_env(env, seed=5).seed == 5
    assert Settings.from_env({**env, "SUMMARIZER_SEED": ""}).seed == 0  # empty: unset


@pytest.mark.parametrize(
    ("variable", "raw"),
    [("SUMMARIZER_SEED", "abc"), ("SUMMARIZER_MAX_TOKENS", "2.5"), ("SUMMARIZER_TEMPERATURE", "warm")],
)
def test_a_bad_value_is_a_one_line_error_naming_the_variable(variable: str, raw: str) -> None:
    with pytest.raises(ConfigError) as raised:
        Settings.from_env({variable: raw})
    assert str(raised.value) == f"{variable}={raw!r} is not a number"


def test_a_bad_value_exits_2_on_one_line(tmp_path: Path) -> None:
    result = run("summarize", article_file(tmp_path), env={"SUMMARIZER_N_CTX": "big"})
    assert result.exit_code == 2
    assert result.stderr.strip() == "Error: SUMMARIZER_N_CTX='big' is not a number"


def test_a_word_outside_its_choices_is_named_with_the_choices() -> None:
    with pytest.raises(ConfigError, match=r"^unknown strategy 'cloud'; choose one of both, model, reader$"):
        Settings.from_env({"SUMMARIZER_STRATEGY": "cloud"})
    with pytest.raises(ConfigError, match=r"^unknown backend 'cloud'; choose one of local, openai$"):
        Settings.from_env({"SUMMARIZER_BACKEND": "cloud"})
