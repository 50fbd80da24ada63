"""Settings from options and the environment.

Each setting is declared once, as a field of ``Settings``: its type, its default and, in the field's metadata,
the environment variable that sets it and its line in ``--help`` (``environment()``). A variable is parsed by
its field's type with pydantic's ``TypeAdapter`` (imported only when a variable is set); a value that does not
fit is a one-line ``ConfigError`` naming the variable.

Precedence: explicit option > environment variable > default. With no API key and no base
URL the backend is the embedded local model, so the tool works offline by default; when that model is not
installed (it is an extra) and no backend, strategy or model path was asked for, the reader runs alone
and ``Settings.fallback`` says why.
"""

from __future__ import annotations

import os
import typing
from dataclasses import Field, dataclass, field, fields, replace
from functools import cache
from pathlib import Path
from typing import Any, ClassVar, Literal
from urllib.parse import urlsplit

from summarizer.config.capabilities import BACKENDS, DEFAULT_BACKEND, ENDPOINT_BACKEND, backend_info
from summarizer.config.installed import BUNDLED_MODEL_FILE, local_model_problem
from summarizer.config.secrets import add_secret, add_url_secrets, redact
from summarizer.errors import ConfigError

# model: the model alone; reader: the deterministic reader alone (no model call); both: the model's answer,
# filled in and cross-checked by the reader.
Strategy = Literal["model", "reader", "both"]
STRATEGIES: tuple[str, ...] = ("both", "model", "reader")
HOME_VARIABLE = "SUMMARIZER_HOME"
PROMPTS_DIR_VARIABLE = "SUMMARIZER_PROMPTS_DIR"  # read by summarizer.model.prompts, not a setting of a run
# Variables read outside Settings, and what each sets (shown in --help with those of Settings).
OTHER_VARIABLES: dict[str, str] = {PROMPTS_DIR_VARIABLE: "your prompts folder (`summarizer prompts -h`)"}


def default_home() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "summarizer"


def home_dir() -> Path:
    """The summarizer home as ``Settings.from_env`` reads it (SUMMARIZER_HOME, else ``default_home()``), for
    what needs only the home: the store's place, the user's prompts folder."""
    home = os.environ.get(HOME_VARIABLE)
    return Path(home).expanduser() if home else default_home()


def env(variable: str, says: str) -> dict[str, str]:
    """A setting's field metadata: the environment variable that sets it and what it says in --help (an option
    given wins over its variable; ``{default}`` in it shows the field's default)."""
    return {"env": variable, "help": says}


@dataclass(frozen=True)
class Settings:
    """Every setting of a run, each declared once: its type, its default, and (in its metadata) the environment
    variable that sets it and its line in --help (``environment()``)."""

    api_key: str | None = field(  # never logged, cached or recorded
        default=None, repr=False, metadata=env("OPENAI_API_KEY", "the OpenAI key (never printed or stored)")
    )
    base_url: str | None = field(default=None, metadata=env("OPENAI_BASE_URL", "as --base-url"))
    backend: str = field(
        default=DEFAULT_BACKEND,
        metadata=env("SUMMARIZER_BACKEND", f"as --backend [{ENDPOINT_BACKEND} if a key or URL is set]"),
    )
    model: str | None = field(default=None, metadata=env("SUMMARIZER_MODEL", "as --model"))
    model_path: str | None = field(default=None, metadata=env("SUMMARIZER_MODEL_PATH", "as --model-path"))
    prompt: str = field(default="default", metadata=env("SUMMARIZER_PROMPT", "as --prompt [{default}]"))
    strategy: Strategy = field(default="both", metadata=env("SUMMARIZER_STRATEGY", "as --strategy"))
    temperature: float = field(default=0.0, metadata=env("SUMMARIZER_TEMPERATURE", "as --temperature"))
    # re-asks after invalid or ungrounded output
    max_retries: int = field(default=2, metadata=env("SUMMARIZER_MAX_RETRIES", "as --max-retries"))
    timeout: float = field(default=120.0, metadata=env("SUMMARIZER_TIMEOUT", "as --timeout"))
    # auto: the profile measured for this setup, else the default; or a path; or default
    trust_profile: str = field(
        default="auto", metadata=env("SUMMARIZER_TRUST_PROFILE", "as --trust-profile [{default}]")
    )
    # retries of failed API calls (429, 5xx, timeouts, connection errors)
    api_retries: int = field(
        default=4, metadata=env("SUMMARIZER_API_RETRIES", "retries of a failed API call [{default}]")
    )
    breaker_pause_s: float = field(  # how long a batch waits when every request fails, before it stops
        default=30.0, metadata=env("SUMMARIZER_BREAKER_PAUSE", "seconds to pause when every request fails [{default}]")
    )
    max_tokens: int = field(default=2048, metadata=env("SUMMARIZER_MAX_TOKENS", "most tokens in an answer [{default}]"))
    seed: int = field(default=0, metadata=env("SUMMARIZER_SEED", "sampling seed [{default}]"))
    n_ctx: int = field(
        default=8192, metadata=env("SUMMARIZER_N_CTX", "the local model's context, in tokens [{default}]")
    )
    home: Path = field(
        default_factory=default_home,
        metadata=env(HOME_VARIABLE, "the store of answers, calls, runs and batches\n[~/.local/share/summarizer]"),
    )
    truncate: bool = False
    # Why the reader runs alone though no strategy was asked for (no model configured or installed), else None.
    fallback: str | None = None

    ENV: ClassVar[dict[str, str]]  # field name -> its environment variable, from the fields' metadata

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: object) -> Settings:
        """Build settings from ``environ`` (default: os.environ), then apply non-None ``overrides``."""
        environ = dict(os.environ) if environ is None else environ
        values: dict[str, Any] = {}  # each parsed to its field's type; checked by validate()
        for item in _variables():
            raw = environ.get(item.metadata["env"])
            if raw not in (None, ""):
                values[item.name] = _parse(item, raw)
        values.update({key: value for key, value in overrides.items() if value is not None})
        if isinstance(values.get("api_key"), str):  # a key pasted with its line end (a CRLF .env file)
            values["api_key"] = values["api_key"].strip() or None
        if "home" in values:
            values["home"] = Path(str(values["home"])).expanduser()
        if "backend" not in values:
            endpoint = values.get("api_key") or values.get("base_url")
            values["backend"] = ENDPOINT_BACKEND if endpoint else DEFAULT_BACKEND
            if backend_info(values["backend"]).embedded_model and not {"strategy", "model_path"} & values.keys():
                problem = local_model_problem()
                if problem is not None:
                    values.update(strategy="reader", fallback=problem)
        settings = cls(**values)
        add_secret(settings.api_key)
        add_url_secrets(settings.base_url)
        settings.validate()
        return settings

    def validate(self) -> None:
        if self.strategy not in STRATEGIES:
            raise ConfigError(f"unknown strategy {self.strategy!r}; choose one of {', '.join(STRATEGIES)}")
        if self.backend not in BACKENDS:
            raise ConfigError(f"unknown backend {self.backend!r}; choose one of {', '.join(BACKENDS)}")
        if backend_info(self.backend).needs_endpoint and not self.api_key and not self.base_url:
            raise ConfigError(
                f"the {self.backend} backend needs OPENAI_API_KEY, or --base-url for an OpenAI-compatible server"
            )
        if not 0.0 <= self.temperature <= 2.0:
            raise ConfigError(f"temperature must be between 0 and 2, got {self.temperature}")
        if self.max_retries < 0 or self.api_retries < 0:
            raise ConfigError("retry counts cannot be negative")
        if self.api_key is not None:
            check_api_key(self.api_key)
        if self.base_url is not None:
            check_base_url(self.base_url)
        if self.model_path and not Path(self.model_path).is_file():
            raise ConfigError(f"--model-path {self.model_path}: no such file")

    def with_(self, **changes: Any) -> Settings:
        return replace(self, **changes)

    @property
    def model_name(self) -> str:
        """The model's name as recorded in provenance."""
        if self.model:
            return self.model
        info = backend_info(self.backend)
        if info.embedded_model and self.model_path:
            return Path(self.model_path).name
        return info.default_model or BUNDLED_MODEL_FILE

    def parameters(self) -> dict[str, float | int | str | None]:
        """Generation parameters that change the answer: recorded in provenance and part of the cache key."""
        return {
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
            "seed": self.seed,
            "max_retries": self.max_retries,
        }


def _variables() -> list[Field[Any]]:
    """The fields an environment variable sets, in their order."""
    return [item for item in fields(Settings) if "env" in item.metadata]


Settings.ENV = {item.name: item.metadata["env"] for item in _variables()}


def environment() -> dict[str, str]:
    """Every environment variable the tool reads, and what it sets: those of ``Settings``, then the others."""
    return {
        **{item.metadata["env"]: item.metadata["help"].format(default=_shown(item.default)) for item in _variables()},
        **OTHER_VARIABLES,
    }


def _shown(default: object) -> str:
    return f"{default:g}" if isinstance(default, float) else str(default)


@cache
def _adapter(name: str) -> Any:
    """A pydantic TypeAdapter for the type of the field ``name`` (pydantic is imported only to read variables)."""
    from pydantic import TypeAdapter

    return TypeAdapter(typing.get_type_hints(Settings)[name])


def _parse(item: Field[Any], raw: str) -> object:
    """The value of the field ``item`` that the variable's text ``raw`` gives; a one-line ConfigError naming the
    variable when it does not fit the field's type."""
    from pydantic import ValidationError

    try:
        return _adapter(item.name).validate_strings(raw)
    except ValidationError as exc:
        kind = exc.errors()[0]["type"]
        if kind == "literal_error":  # one of some words: validate() names the choices, as for an option
            return raw
        said = "is not a number" if kind in ("int_parsing", "float_parsing") else exc.errors()[0]["msg"]
        shown = repr(raw) if item.repr else "(not shown)"  # a secret's value is never shown
        raise ConfigError(f"{item.metadata['env']}={shown} {said}") from None


def check_base_url(url: str) -> None:
    """An http(s) URL with a host, e.g. http://127.0.0.1:8080/v1; anything else is a usage error."""
    parsed = urlsplit(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise ConfigError(
            f"the base URL {redact(url)!r} (--base-url or OPENAI_BASE_URL) is not an http(s) URL with a host; "
            "expected e.g. http://127.0.0.1:8080/v1"
        )


def check_api_key(key: str) -> None:
    """A key as keys are: printable ASCII without spaces, which an HTTP header can carry (the key itself is
    never shown: a key sent with a line break showed its tail in the client's header error)."""
    if any(not "!" <= character <= "~" for character in key):
        kind = "a non-ASCII character" if not key.isascii() else "a space, line break or other control character"
        raise ConfigError(
            f"the API key (OPENAI_API_KEY) holds {kind}, which no API key has: check how it was set "
            "(a copy with typographic quotes, or two lines?)"
        )
