"""Structured extraction: one forced tool call for the event schema over any backend, metered.

The tool definition is instructor's OpenAI schema for ``Event``, built once per process (building
it on every call cost ~26 ms and memory). instructor's own re-asks are not used: its TOOLS re-ask
appends ``tool`` role messages, after which llama.cpp stopped applying the grammar (seen with the
bundled model), so the pipeline re-asks itself with plain messages, for invalid and ungrounded
answers alike. The answer is parsed here: strictly first, then leniently for JSON that only breaks
the rules with raw control characters inside strings (seen with the bundled model). An answer cut
off at the token limit is asked once more (with a larger budget where the context allows, asking
for a shorter answer otherwise) and is then a final error for the article. API failures are
retried inside the backend (``summarizer.model.backends.retry``). The article is never rendered as a template.
"""

from __future__ import annotations

import json
import threading
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from summarizer.config.settings import Settings
from summarizer.errors import ExtractionError, validation_errors
from summarizer.model.backends import ChatBackend, info_of
from summarizer.once import once
from summarizer.record.basetypes import Usage
from summarizer.record.schema import Event

if TYPE_CHECKING:  # imported only for annotations: openai takes 0.7 s to import
    from openai.types.chat import ChatCompletion

SHORTER = (
    "Your answer was cut off at the length limit. Answer again, shorter: only the facts the article states, "
    "short evidence quotes, and no repeated items."
)


class InvalidAnswer(ExtractionError):
    """The model answered, but not with a valid event; carries what it said for the re-ask."""

    def __init__(self, message: str, raw: str) -> None:
        super().__init__(message)
        self.raw = raw


class TruncatedAnswer(ExtractionError):
    """The answer was cut off at the token limit twice: final for this article (no re-ask helps)."""


class Meter:
    """Wraps a backend's completion call to count calls and tokens over every attempt for one article,
    failed attempts included."""

    def __init__(self, backend: ChatBackend) -> None:
        self.backend = backend
        self.calls = 0
        self.usage = Usage()

    def __call__(self, **request: Any) -> ChatCompletion:
        self.calls += 1
        response = self.backend.complete(**request)
        if response.usage is not None:
            self.usage = self.usage + Usage(
                prompt_tokens=response.usage.prompt_tokens or 0,
                completion_tokens=response.usage.completion_tokens or 0,
            )
        return response


@once
def _event_schema() -> dict[str, Any]:
    """instructor's OpenAI schema of ``Event``, built once per process (once however many threads ask first)."""
    import instructor  # here, not at the top: it imports openai, which a resumed batch never needs

    schema: dict[str, Any] = instructor.generate_openai_schema(Event)
    return schema


_tools: dict[tuple[str, ...] | None, dict[str, Any]] = {}
_tools_lock = threading.Lock()


def event_tool(asked: tuple[str, ...] | None = None) -> dict[str, Any]:
    """The ``tools`` and forced ``tool_choice`` of every request: instructor's OpenAI schema of ``Event``,
    built once per process and per ``asked`` (the same object every call, however many threads ask first).

    ``asked`` names the event properties to ask for (None: all): the others are left out of the schema, so a
    model whose answers the trust profile never uses for them spends no tokens on them (they parse as empty).
    """
    tool = _tools.get(asked)
    if tool is None:
        with _tools_lock:
            tool = _tools.get(asked)
            if tool is None:
                tool = _tools[asked] = _tool(asked)
    return tool


def reset_event_tools() -> None:
    """Forget the built tools and schema (for tests): the next call builds them again."""
    with _tools_lock:
        _tools.clear()
    _event_schema.reset()


def _tool(asked: tuple[str, ...] | None) -> dict[str, Any]:
    schema = _event_schema()  # what instructor.openai_schema(Event).openai_schema gives
    if asked is not None:
        parameters = dict(schema["parameters"])
        parameters["properties"] = {k: v for k, v in parameters["properties"].items() if k in asked}
        parameters["required"] = [k for k in parameters.get("required", []) if k in asked]
        schema = {**schema, "parameters": parameters}
    return {
        "tools": [{"type": "function", "function": schema}],
        "tool_choice": {"type": "function", "function": {"name": schema["name"]}},
    }


def build_request(
    messages: list[dict[str, Any]],
    settings: Settings,
    model: str,
    seed: int,
    max_tokens: int | None = None,
    asked: tuple[str, ...] | None = None,
) -> dict[str, Any]:
    """The chat-completion request body for one attempt (also what a provider batch file holds)."""
    return {
        "messages": messages,
        "model": model,
        "temperature": settings.temperature,
        "max_tokens": max_tokens or settings.max_tokens,
        "seed": seed,
        **event_tool(asked),
    }


def extract_event(
    meter: Meter, messages: list[dict[str, Any]], settings: Settings, seed: int, asked: tuple[str, ...] | None = None
) -> Event:
    """One model answer for one event; raises InvalidAnswer (with the raw answer), TruncatedAnswer or
    BackendError."""
    request = build_request(messages, settings, meter.backend.model, seed, asked=asked)
    completion = meter(**request)
    if finish_reason(completion) == "length":
        again = _after_cut_off(request, meter.backend)
        completion = meter(**again)
        if finish_reason(completion) == "length":
            shorter = " with a request for a shorter answer" if again["messages"] != request["messages"] else ""
            raise TruncatedAnswer(
                f"the model's answer was cut off at the token limit twice ({request['max_tokens']} tokens, then "
                f"{again['max_tokens']}{shorter}); raise SUMMARIZER_MAX_TOKENS or use a model that answers more briefly"
            )
    return parse_completion(completion)


def _after_cut_off(request: dict[str, Any], backend: ChatBackend) -> dict[str, Any]:
    """The retry of a cut-off answer: twice the budget on a server; on a fixed local context, which the
    budget already fills, the same budget and a request for a shorter answer."""
    if info_of(backend).fixed_context:
        return {**request, "messages": [*request["messages"], {"role": "user", "content": SHORTER}]}
    return {**request, "max_tokens": request["max_tokens"] * 2}


def finish_reason(completion: ChatCompletion) -> str | None:
    try:
        return completion.choices[0].finish_reason
    except (AttributeError, IndexError):
        return None


def parse_completion(completion: ChatCompletion) -> Event:
    """The event in the forced tool call; raises InvalidAnswer with the raw arguments."""
    raw = tool_arguments(completion)
    if raw is None:
        raise InvalidAnswer("the model's answer does not fit the schema: it did not call the event tool", raw="")
    try:
        return Event.model_validate_json(raw)
    except ValidationError as strict_error:
        if not any(error["type"] == "json_invalid" for error in strict_error.errors()):
            raise InvalidAnswer(f"the model's answer does not fit the schema: {summary(strict_error)}", raw) from None
        try:
            lenient = json.loads(raw, strict=False)  # raw control characters inside strings
        except json.JSONDecodeError as exc:
            raise InvalidAnswer(
                f"the model's answer does not fit the schema: not valid JSON ({exc.msg} at character {exc.pos})", raw
            ) from None
        except RecursionError:  # brackets nested thousands deep
            raise InvalidAnswer("the model's answer does not fit the schema: JSON nested too deeply", raw) from None
        try:
            return Event.model_validate(lenient)
        except ValidationError as error:
            raise InvalidAnswer(f"the model's answer does not fit the schema: {summary(error)}", raw) from None


def tool_arguments(completion: ChatCompletion) -> str | None:
    try:
        calls = completion.choices[0].message.tool_calls
    except (AttributeError, IndexError):
        return None
    if not calls:
        return None
    function = getattr(calls[0], "function", None)
    return getattr(function, "arguments", None)


def summary(error: BaseException, limit: int = 600) -> str:
    """A pydantic error list without the echoed input, which can be the whole (long) answer."""
    if isinstance(error, ValidationError):
        text = "; ".join(validation_errors(error, "answer")[:8])
    else:
        text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return text if len(text) <= limit else text[:limit] + "..."
