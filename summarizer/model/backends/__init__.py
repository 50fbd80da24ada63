"""Model backends: one small interface, an embedded llama.cpp model and any OpenAI-compatible server.

A backend only knows how to run one raw chat completion (OpenAI request shape in, an
``openai.types.chat.ChatCompletion`` out). Structured output and metering live in
``summarizer.model.extract`` and re-asks in ``summarizer.pipeline``, once, for every backend.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from summarizer.config.settings import Settings

if TYPE_CHECKING:  # imported only for annotations: openai takes 0.7 s to import
    from openai.types.chat import ChatCompletion


class ChatBackend(Protocol):
    name: str
    model: str

    def complete(self, **request: Any) -> ChatCompletion:
        """Run one chat completion; raise ``BackendError`` once retries are exhausted."""
        ...


# Beside the article a request holds the instructions (567 tokens in the default prompt) and, on a re-ask,
# the echo of the previous answer (at most 4000 characters); the answer itself needs max_tokens.
INSTRUCTIONS_AND_ECHO_TOKENS = 2300
CHARS_PER_TOKEN = 3.0  # conservative: SmolLM2 reads 5.4 characters per token on seed 000
REMOTE_CONTEXT_CHARS = 200_000


def article_budget_chars(settings: Settings) -> int:
    """How many characters of article text fit in the model's context next to the prompt and the answer."""
    if settings.backend == "openai":
        return REMOTE_CONTEXT_CHARS
    return int((settings.n_ctx - settings.max_tokens - INSTRUCTIONS_AND_ECHO_TOKENS) * CHARS_PER_TOKEN)


def create_backend(settings: Settings) -> ChatBackend:
    if settings.backend == "openai":
        from summarizer.model.backends.openai_backend import OpenAIBackend

        return OpenAIBackend(settings)
    from summarizer.model.backends.local import LocalBackend

    return LocalBackend.shared(settings)
