"""Model backends: one small interface, an embedded llama.cpp model and any OpenAI-compatible server.

A backend only knows how to run one raw chat completion (OpenAI request shape in, an
``openai.types.chat.ChatCompletion`` out). Structured output, re-asks and metering live in
``summarizer.extract``, once, for every backend.
"""

from __future__ import annotations

from typing import Any, Protocol

from openai.types.chat import ChatCompletion

from summarizer.config import Settings


class ChatBackend(Protocol):
    name: str
    model: str

    def complete(self, **request: Any) -> ChatCompletion:
        """Run one chat completion; raise ``BackendError`` once retries are exhausted."""
        ...


PROMPT_AND_ANSWER_TOKENS = 3500  # instructions + answer, measured on the default prompt with room to spare
CHARS_PER_TOKEN = 3.0  # conservative for English news text
REMOTE_CONTEXT_CHARS = 200_000


def article_budget_chars(settings: Settings) -> int:
    """How many characters of article text fit in the model's context next to the prompt and the answer."""
    if settings.backend == "openai":
        return REMOTE_CONTEXT_CHARS
    return int((settings.n_ctx - PROMPT_AND_ANSWER_TOKENS) * CHARS_PER_TOKEN)


def create_backend(settings: Settings) -> ChatBackend:
    if settings.backend == "openai":
        from summarizer.backends.openai_backend import OpenAIBackend

        return OpenAIBackend(settings)
    from summarizer.backends.local import LocalBackend

    return LocalBackend.shared(settings)
