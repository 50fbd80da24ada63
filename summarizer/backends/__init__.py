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

    def article_budget_chars(self) -> int:
        """How many characters of article text fit in the model's context next to the prompt and answer."""
        ...


def create_backend(settings: Settings) -> ChatBackend:
    if settings.backend == "openai":
        from summarizer.backends.openai_backend import OpenAIBackend

        return OpenAIBackend(settings)
    from summarizer.backends.local import LocalBackend

    return LocalBackend.shared(settings)
