"""OpenAI or any OpenAI-compatible server (vLLM, Ollama, llama.cpp server) through the official client."""

from __future__ import annotations

import json
from typing import Any

import openai
from openai.types.chat import ChatCompletion

from summarizer.config import Settings
from summarizer.errors import BackendError
from summarizer.retry import call_with_retries

NO_KEY = "not-needed"  # local OpenAI-compatible servers accept any key
NOT_OPENAI = "; is the base URL an OpenAI-compatible endpoint (usually ending in /v1)?"


class OpenAIBackend:
    name = "openai"

    def __init__(self, settings: Settings) -> None:
        self.model = settings.model_name
        self.base_url = settings.base_url
        self._api_retries = settings.api_retries
        # max_retries=0: the client's own retries would compound with ours (summarizer.retry).
        self._client = openai.OpenAI(
            api_key=settings.api_key or NO_KEY,
            base_url=settings.base_url,
            timeout=settings.timeout,
            max_retries=0,
        )

    def complete(self, **request: Any) -> ChatCompletion:
        try:
            response = call_with_retries(lambda: self._client.chat.completions.create(**request), self._api_retries)
        except openai.APIStatusError as exc:
            raise BackendError(f"{self._where()} answered HTTP {exc.status_code}: {_short(exc.message)}") from exc
        except openai.APITimeoutError as exc:
            raise BackendError(f"{self._where()} timed out after {self._api_retries + 1} attempt(s)") from exc
        except openai.APIConnectionError as exc:
            raise BackendError(f"cannot reach {self._where()}: {_short(str(exc.__cause__ or exc))}") from exc
        except json.JSONDecodeError as exc:  # a 200 whose body is not JSON: a web page, a proxy, a wrong path
            raise BackendError(f"{self._where()} did not answer with JSON{NOT_OPENAI}") from exc
        if not isinstance(response, ChatCompletion) or not response.choices:
            raise BackendError(f"{self._where()} did not answer with a chat completion{NOT_OPENAI}")
        return response

    def _where(self) -> str:
        return f"the server at {self.base_url}" if self.base_url else "the OpenAI API"


def _short(message: str, limit: int = 300) -> str:
    return message if len(message) <= limit else message[:limit] + "..."
