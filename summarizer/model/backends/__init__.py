"""Model backends: one small interface, an embedded llama.cpp model and any OpenAI-compatible server.

A backend only knows how to run one raw chat completion (OpenAI request shape in, an
``openai.types.chat.ChatCompletion`` out). Structured output and metering live in
``summarizer.model.extract`` and re-asks in ``summarizer.pipeline``, once, for every backend.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from summarizer.config.capabilities import BACKENDS, BackendInfo, backend_info, registered
from summarizer.config.settings import Settings

if TYPE_CHECKING:  # imported only for annotations: openai takes 0.7 s to import
    from openai.types.chat import ChatCompletion


class ChatBackend(Protocol):
    name: str  # its kind: what it can do is ``info_of(backend)`` (summarizer.config.capabilities)
    model: str

    def complete(self, **request: Any) -> ChatCompletion:
        """Run one chat completion. A failed call raises ``BackendError`` (a server's transient errors only once
        its API retries are spent; ``ServerDown``, a BackendError, once the breaker stops the run); a server that
        refuses the key, access or model raises ``ServerRefused``, a ``ConfigError`` (``breaker``)."""
        ...


def _local(settings: Settings) -> ChatBackend:
    from summarizer.model.backends.local import LocalBackend  # llama.cpp: imported when first built

    return LocalBackend.shared(settings)  # loaded once per process


def _openai(settings: Settings) -> ChatBackend:
    from summarizer.model.backends.openai_backend import OpenAIBackend  # openai: imported when first built

    return OpenAIBackend(settings)


# What builds each kind --backend chooses; what each kind can do is declared in summarizer.config.capabilities.
IMPLEMENTATIONS: dict[str, Callable[[Settings], ChatBackend]] = {"local": _local, "openai": _openai}
assert set(IMPLEMENTATIONS) == set(BACKENDS), "each kind --backend chooses has one implementation"

# Beside the article a request holds the instructions (567 tokens in the default prompt) and, on a re-ask,
# the echo of the previous answer (at most 4000 characters); the answer itself needs max_tokens.
INSTRUCTIONS_AND_ECHO_TOKENS = 2300
CHARS_PER_TOKEN = 3.0  # conservative: SmolLM2 reads 5.4 characters per token on seed 000


def info_of(backend: ChatBackend | None, settings: Settings | None = None) -> BackendInfo:
    """What ``backend`` can do, by its kind; for a kind not registered (a test's fake) or no backend yet, that of
    the configured kind when ``settings`` are given, else a description that claims nothing."""
    if settings is not None and (backend is None or not registered(backend.name)):
        return backend_info(settings.backend)
    return backend_info(backend.name if backend is not None else None)


def article_budget_chars(settings: Settings, info: BackendInfo | None = None) -> int:
    """How many characters of article text fit in the model's context next to the prompt and the answer, for a
    backend that can do ``info`` (default: the configured kind's)."""
    info = info or backend_info(settings.backend)
    if info.context_chars is not None:
        return info.context_chars
    return int((settings.n_ctx - settings.max_tokens - INSTRUCTIONS_AND_ECHO_TOKENS) * CHARS_PER_TOKEN)


def create_backend(settings: Settings) -> ChatBackend:
    """The backend of the configured kind."""
    return IMPLEMENTATIONS[settings.backend](settings)
