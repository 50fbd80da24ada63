"""Settings from options and the environment.

Precedence: explicit option > environment variable > default. With no API key and no base
URL the backend is the embedded local model, so the tool works offline by default; when that model is not
installed (it is an extra) and no backend, strategy or model path was asked for, the reader runs alone
and ``Settings.fallback`` says why.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, ClassVar, Literal
from urllib.parse import urlsplit

from summarizer.config.installed import BUNDLED_MODEL_FILE as BUNDLED_MODEL_FILE  # re-exported
from summarizer.config.installed import local_model_problem
from summarizer.config.secrets import add_secret, add_url_secrets, redact
from summarizer.errors import ConfigError

Backend = Literal["local", "openai"]
BACKENDS: tuple[str, ...] = ("local", "openai")
# model: the model alone; reader: the deterministic reader alone (no model call); both: the model's answer,
# filled in and cross-checked by the reader.
Strategy = Literal["model", "reader", "both"]
STRATEGIES: tuple[str, ...] = ("both", "model", "reader")
DEFAULT_OPENAI_MODEL = "gpt-4o-mini"


def default_home() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "summarizer"


def home_dir() -> Path:
    """The summarizer home as ``Settings.from_env`` reads it (SUMMARIZER_HOME, else ``default_home()``), for
    what needs only the home: the store's place, the user's prompts folder."""
    home = os.environ.get("SUMMARIZER_HOME")
    return Path(home).expanduser() if home else default_home()


@dataclass(frozen=True)
class Settings:
    backend: Backend = "local"
    model: str | None = None
    model_path: str | None = None
    base_url: str | None = None
    api_key: str | None = field(default=None, repr=False)  # never logged, cached or recorded
    prompt: str = "default"
    strategy: Strategy = "both"
    temperature: float = 0.0
    max_retries: int = 2  # re-asks after invalid or ungrounded output
    api_retries: int = 4  # retries of failed API calls (429, 5xx, timeouts, connection errors)
    timeout: float = 120.0
    breaker_pause_s: float = 30.0  # how long a batch waits when every request fails, before it stops
    max_tokens: int = 2048
    seed: int = 0
    n_ctx: int = 8192
    truncate: bool = False
    home: Path = field(default_factory=default_home)
    trust_profile: str = "auto"  # auto: the profile measured for this setup, else the default; or a path; or default
    # Why the reader runs alone though no strategy was asked for (no model configured or installed), else None.
    fallback: str | None = None

    ENV: ClassVar[dict[str, str]] = {
        "backend": "SUMMARIZER_BACKEND",
        "model": "SUMMARIZER_MODEL",
        "model_path": "SUMMARIZER_MODEL_PATH",
        "base_url": "OPENAI_BASE_URL",
        "api_key": "OPENAI_API_KEY",
        "prompt": "SUMMARIZER_PROMPT",
        "strategy": "SUMMARIZER_STRATEGY",
        "temperature": "SUMMARIZER_TEMPERATURE",
        "max_retries": "SUMMARIZER_MAX_RETRIES",
        "api_retries": "SUMMARIZER_API_RETRIES",
        "timeout": "SUMMARIZER_TIMEOUT",
        "breaker_pause_s": "SUMMARIZER_BREAKER_PAUSE",
        "max_tokens": "SUMMARIZER_MAX_TOKENS",
        "seed": "SUMMARIZER_SEED",
        "n_ctx": "SUMMARIZER_N_CTX",
        "home": "SUMMARIZER_HOME",
        "trust_profile": "SUMMARIZER_TRUST_PROFILE",
    }

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: object) -> Settings:
        """Build settings from ``environ`` (default: os.environ), then apply non-None ``overrides``."""
        environ = dict(os.environ) if environ is None else environ
        types = {f.name: f.type for f in fields(cls)}
        values: dict[str, Any] = {}  # each coerced to its field's type; checked by validate()
        for name, variable in cls.ENV.items():
            raw = environ.get(variable)
            if raw not in (None, ""):
                values[name] = _coerce(name, raw, str(types[name]), variable)
        values.update({key: value for key, value in overrides.items() if value is not None})
        if isinstance(values.get("api_key"), str):  # a key pasted with its line end (a CRLF .env file)
            values["api_key"] = values["api_key"].strip() or None
        if "home" in values:
            values["home"] = Path(str(values["home"])).expanduser()
        if "backend" not in values:
            values["backend"] = "openai" if values.get("api_key") or values.get("base_url") else "local"
            if values["backend"] == "local" and not {"strategy", "model_path"} & values.keys():
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
        if self.backend == "openai" and not self.api_key and not self.base_url:
            raise ConfigError("the openai backend needs OPENAI_API_KEY, or --base-url for an OpenAI-compatible server")
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
        if self.backend == "openai":
            return DEFAULT_OPENAI_MODEL
        return Path(self.model_path).name if self.model_path else BUNDLED_MODEL_FILE

    def parameters(self) -> dict[str, float | int | str | None]:
        """Generation parameters that change the answer: recorded in provenance and part of the cache key."""
        return {
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
            "seed": self.seed,
            "max_retries": self.max_retries,
        }


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


def _coerce(name: str, raw: str, type_name: str, variable: str) -> object:
    try:
        if "float" in type_name:
            return float(raw)
        if "int" in type_name:
            return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{variable}={raw!r} is not a number") from exc
    return raw
