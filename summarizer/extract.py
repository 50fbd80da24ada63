"""Structured extraction: one instructor call in TOOLS mode over any backend, metered.

instructor turns the schema into a forced tool call and parses the answer. Its own re-asks
are off (``max_retries=0``): its TOOLS re-ask appends ``tool`` role messages, after which
llama.cpp stopped applying the grammar (seen with the bundled model), so the pipeline re-asks
itself with plain messages, for invalid and ungrounded answers alike. API failures are retried
inside the backend (``summarizer.retry``). No ``context=`` is ever passed to instructor: that
would render the messages, article included, as Jinja templates.
"""

from __future__ import annotations

from typing import Any

import instructor
from instructor.core.exceptions import InstructorRetryException
from openai.types.chat import ChatCompletion
from pydantic import ValidationError

from summarizer.backends import ChatBackend
from summarizer.config import Settings
from summarizer.errors import BackendError, ExtractionError
from summarizer.record import Usage
from summarizer.schema import Event


class InvalidAnswer(ExtractionError):
    """The model answered, but not with a valid event; carries what it said for the re-ask."""

    def __init__(self, message: str, raw: str) -> None:
        super().__init__(message)
        self.raw = raw


class Meter:
    """Wraps a backend's completion call to count calls and tokens over every attempt for one article,
    failed attempts included."""

    def __init__(self, backend: ChatBackend) -> None:
        self.backend = backend
        self.calls = 0
        self.usage = Usage()
        self.error: BackendError | None = None

    def __call__(self, **request: Any) -> ChatCompletion:
        self.calls += 1
        try:
            response = self.backend.complete(**request)
        except BackendError as exc:
            self.error = exc
            raise
        if response.usage is not None:
            self.usage = self.usage + Usage(
                prompt_tokens=response.usage.prompt_tokens or 0,
                completion_tokens=response.usage.completion_tokens or 0,
            )
        return response


def extract_event(meter: Meter, messages: list[dict[str, Any]], settings: Settings, seed: int) -> Event:
    """One model call for one event; raises InvalidAnswer (with the raw answer) or BackendError."""
    meter.error = None
    create = instructor.patch(create=meter, mode=instructor.Mode.TOOLS)
    try:
        return create(
            response_model=Event,
            messages=messages,
            max_retries=0,
            model=meter.backend.model,
            temperature=settings.temperature,
            max_tokens=settings.max_tokens,
            seed=seed,
        )
    except InstructorRetryException as exc:
        if meter.error is not None:
            raise meter.error from exc
        cause = exc.__cause__ or exc
        raise InvalidAnswer(
            f"the model's answer does not fit the schema: {_summary(cause)}", raw=_raw_arguments(exc.last_completion)
        ) from exc


def _summary(error: BaseException, limit: int = 600) -> str:
    """A pydantic error list without the echoed input, which can be the whole (long) answer."""
    if isinstance(error, ValidationError):
        parts = [f"{'.'.join(str(p) for p in e['loc']) or 'answer'}: {e['msg']}" for e in error.errors()[:8]]
        text = "; ".join(parts)
    else:
        text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return text if len(text) <= limit else text[:limit] + "..."


def _raw_arguments(completion: Any) -> str:
    try:
        return completion.choices[0].message.tool_calls[0].function.arguments or ""
    except (AttributeError, IndexError, TypeError):
        return ""
