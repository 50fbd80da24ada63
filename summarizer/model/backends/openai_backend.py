"""OpenAI or any OpenAI-compatible server (vLLM, Ollama, llama.cpp server) through the official client."""

from __future__ import annotations

import json
from typing import Any

import openai
from openai.types.chat import ChatCompletion

from summarizer.config.capabilities import OPENAI
from summarizer.config.secrets import one_line, public_url, scrub
from summarizer.config.settings import Settings
from summarizer.errors import BackendError
from summarizer.model.backends.breaker import Breaker, ServerRefused
from summarizer.model.backends.http import DEFAULT_URL, LoopClients, UnusableAnswer, client_options, run_with_deadline
from summarizer.model.backends.retry import NotChatCompletion, call_with_retries

NO_KEY = "not-needed"  # local OpenAI-compatible servers accept any key
NOT_OPENAI = "; is the base URL an OpenAI-compatible endpoint (usually ending in /v1)?"
REFUSING = {401: "refused the API key", 403: "refused access", 404: "does not know this model or path"}


class OpenAIBackend:
    name = OPENAI.name  # what it can do: summarizer.config.capabilities.OPENAI

    def __init__(self, settings: Settings) -> None:
        self.model = settings.model_name
        self.base_url = settings.base_url
        self._api_retries = settings.api_retries
        self._timeout = settings.timeout  # for the whole request (summarizer.model.backends.http), not per read
        self.breaker = Breaker(pause_s=settings.breaker_pause_s)
        # max_retries=0: the client's own retries would compound with ours (summarizer.model.backends.retry).
        self._clients = LoopClients(client_options(settings.base_url, settings.api_key or NO_KEY, settings.timeout))
        self._url = f"{self._clients.options['base_url'] or DEFAULT_URL}/chat/completions"

    def complete(self, **request: Any) -> ChatCompletion:
        started = self.breaker.check()
        try:
            response = call_with_retries(lambda: self._create(request), self._api_retries)
        except openai.APIStatusError as exc:
            said = f"{self._where()} answered HTTP {exc.status_code}: {server_said(exc)}"
            if exc.status_code in REFUSING:
                refused = ServerRefused(f"stopping: {self._where()} {REFUSING[exc.status_code]} ({said})")
                raise self.breaker.refused(refused) from exc
            if exc.status_code >= 500 or exc.status_code in (408, 409, 429):
                raise self.breaker.failed(BackendError(said), started) from exc
            raise BackendError(said) from exc  # this request's fault, not the server's
        except openai.APITimeoutError as exc:
            error = BackendError(f"{self._where()} timed out after {self._api_retries + 1} attempt(s)")
            raise self.breaker.failed(error, started) from exc
        except openai.APIConnectionError as exc:
            if isinstance(exc.__cause__, UnusableAnswer):
                error = BackendError(f"{self._where()} {exc.__cause__}")
            else:
                error = BackendError(f"cannot reach {self._where()}: {one_line(str(exc.__cause__ or exc))}")
            raise self.breaker.failed(error, started) from exc
        except NotChatCompletion as exc:
            raise self.breaker.failed(BackendError(f"{self._where()} {exc}{NOT_OPENAI}"), started) from exc
        self.breaker.succeeded()
        return response

    def _create(self, request: dict[str, Any]) -> ChatCompletion:
        """One request, bounded by the timeout as a whole; a 200 that is not a chat completion (a proxy's page, a
        wrong path) is retried too. The configured secrets are scrubbed from the answer (a server that echoes the
        key inside it cannot get the key into a record or the store)."""
        try:
            response = run_with_deadline(
                lambda: self._clients.get().chat.completions.create(**request), self._timeout, self._url
            )
        except json.JSONDecodeError as exc:
            raise NotChatCompletion("did not answer with JSON") from exc
        if not isinstance(response, ChatCompletion) or not response.choices:
            raise NotChatCompletion("did not answer with a chat completion")
        return scrub_completion(response)

    def _where(self) -> str:
        return f"the server at {public_url(self.base_url)}" if self.base_url else "the OpenAI API"


def scrub_completion(completion: ChatCompletion) -> ChatCompletion:
    """``completion`` with the configured secrets removed from what its answers say (their text and tool-call
    arguments, where JSON escapes cannot hide them either); changed in place, and returned."""
    for choice in completion.choices:
        message = choice.message
        if message.content:
            message.content = scrub(message.content)
        for call in message.tool_calls or []:
            function = getattr(call, "function", None)
            if function is not None and isinstance(function.arguments, str):
                function.arguments = scrub(function.arguments)
    return completion


def server_said(exc: openai.APIStatusError, limit: int = 200) -> str:
    """The error message in a server's answer, on one line, redacted and truncated; the body's own text when
    it has no message (never the Python repr of a parsed body)."""
    body: object = exc.body
    if isinstance(body, dict) and isinstance(body.get("error"), (dict, str)):
        body = body["error"]
    message, kind = None, None
    if isinstance(body, dict):  # OpenAI's {"error": {"message", "type"}}; FastAPI's (vLLM's) {"detail"}
        message, kind = body.get("message") or body.get("detail"), body.get("type") or body.get("code")
    elif isinstance(body, str):
        message = body
    if not isinstance(message, str) or not message.strip():
        try:
            message = exc.response.text
        except Exception:  # a response whose body cannot be read: say what the client said
            message = exc.message
    text = one_line(message or "no message", limit)
    return f"{text} ({one_line(str(kind), 40)})" if isinstance(kind, str) and kind and kind not in text else text
