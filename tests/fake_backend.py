"""A fake model for unit tests of pipeline logic (a test double, not part of the package): returns queued
events as tool calls, in order.

Its answers go through the same parsing (``summarizer.model.extract``) as a real backend's, so a queued dict
that breaks the schema triggers a real re-ask. Tests import it as ``fake_backend`` (pytest puts tests/ on
``sys.path``); bench/ scripts add tests/ to ``sys.path`` themselves.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Iterable
from typing import Any

from openai.types.chat import ChatCompletion

from summarizer.errors import BackendError
from summarizer.record.schema import Event


class QueuedBackend:
    name = "fake"

    def __init__(self, replies: Iterable[Event | dict | str | Exception], model: str = "queued") -> None:
        self.model = model
        self.replies: deque[Event | dict | str | Exception] = deque(replies)
        self.requests: list[dict[str, Any]] = []

    @property
    def calls(self) -> int:
        return len(self.requests)

    def complete(self, **request: Any) -> ChatCompletion:
        self.requests.append(request)
        if not self.replies:
            raise BackendError("the fake model has no queued reply left")
        reply = self.replies.popleft()
        if isinstance(reply, Exception):
            raise reply
        if isinstance(reply, Event):
            arguments = reply.model_dump_json()
        elif isinstance(reply, dict):
            arguments = json.dumps(reply)
        else:
            arguments = reply
        return ChatCompletion.model_validate(tool_call_completion(request, arguments, model=self.model))


def tool_call_completion(request: dict[str, Any], arguments: str, model: str) -> dict[str, Any]:
    """An OpenAI chat completion (as JSON) whose answer calls the tool the request forces with ``arguments``."""
    tool_name = request["tools"][0]["function"]["name"]
    call = {"id": "call-1", "type": "function", "function": {"name": tool_name, "arguments": arguments}}
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": 0,
        "model": model,
        "choices": [
            {
                "index": 0,
                "finish_reason": "tool_calls",
                "message": {"role": "assistant", "content": None, "tool_calls": [call]},
            }
        ],
        "usage": {"prompt_tokens": 100, "completion_tokens": 50, "total_tokens": 150},
    }
