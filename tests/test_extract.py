"""One structured answer: the tool built once, lenient parsing of near-JSON, and answers cut off at the limit."""

from __future__ import annotations

import json
from collections import deque
from typing import Any

import instructor
import pytest
from fake_backend import QueuedBackend, tool_call_completion
from openai.types.chat import ChatCompletion
from test_pipeline import ARTICLE, good_answer

from summarizer.config.capabilities import BackendInfo, register_backend
from summarizer.config.settings import Settings
from summarizer.model.extract import (
    SHORTER,
    InvalidAnswer,
    Meter,
    TruncatedAnswer,
    build_request,
    event_tool,
    extract_event,
    parse_completion,
)
from summarizer.pipeline import Summarizer
from summarizer.record.schema import Event

MESSAGES = [{"role": "user", "content": "the article"}]


# a kind of backend whose context is fixed, as the embedded model's is: what it can do is asked by its name
FIXED = register_backend(BackendInfo("scripted-fixed-context", fixed_context=True))


class ScriptedBackend:
    """Answers with the given (arguments, finish_reason) pairs, in order, and keeps every request."""

    model = "scripted-model"

    def __init__(self, replies: list[tuple[str, str]], fixed_context: bool = False, name: str = "scripted") -> None:
        self.replies = deque(replies)
        self.requests: list[dict[str, Any]] = []
        self.name = FIXED.name if fixed_context else name

    def complete(self, **request: Any) -> ChatCompletion:
        self.requests.append(request)
        arguments, finish = self.replies.popleft()
        data = tool_call_completion(request, arguments, model=self.model)
        data["choices"][0]["finish_reason"] = finish
        return ChatCompletion.model_validate(data)


def settings(**changes: Any) -> Settings:
    return Settings.from_env({}, backend="local", **changes)


def test_the_tool_is_what_instructor_builds_for_the_schema() -> None:
    """The request carries exactly the tools instructor's TOOLS mode would send (built once, not per call)."""
    captured: dict[str, Any] = {}

    def create(**request: Any) -> None:
        captured.update(request)
        raise RuntimeError("captured")

    patched = instructor.patch(create=create, mode=instructor.Mode.TOOLS)
    with pytest.raises(Exception, match="captured"):
        patched(response_model=Event, messages=MESSAGES, max_retries=0, model="m")
    assert {"tools": captured["tools"], "tool_choice": captured["tool_choice"]} == event_tool()
    assert event_tool() is event_tool()  # cached: one schema build per process


def test_build_request_is_the_whole_body() -> None:
    body = build_request(MESSAGES, settings(temperature=0.3, max_tokens=900), "m", seed=7)
    assert body == {
        "messages": MESSAGES,
        "model": "m",
        "temperature": 0.3,
        "max_tokens": 900,
        "seed": 7,
        **event_tool(),
    }


def test_raw_control_characters_inside_strings_are_parsed_leniently() -> None:
    answer = good_answer(title="Drone attack\ton Odesa")  # json.dumps escapes it; put a raw tab back
    raw = json.dumps(answer).replace("\\t", "\t")
    with pytest.raises(ValueError):
        json.loads(raw)  # strict JSON refuses it, as the bundled model's answers were refused
    backend = QueuedBackend([raw])
    event = extract_event(Meter(backend), MESSAGES, settings(), seed=0)
    assert event.title == "Drone attack\ton Odesa"


def test_not_json_at_all_is_an_invalid_answer_with_the_raw_text() -> None:
    with pytest.raises(InvalidAnswer) as raised:
        extract_event(Meter(QueuedBackend(['{"event_type": "drone_strike", "title": '])), MESSAGES, settings(), 0)
    assert "does not fit the schema: not valid JSON" in str(raised.value)
    assert raised.value.raw.startswith('{"event_type"')


def test_a_completion_without_the_tool_call_is_invalid() -> None:
    data = tool_call_completion({"tools": event_tool()["tools"]}, "{}", model="m")
    data["choices"][0]["message"] = {"role": "assistant", "content": "I cannot help with that."}
    with pytest.raises(InvalidAnswer, match="did not call the event tool"):
        parse_completion(ChatCompletion.model_validate(data))


def test_a_cut_off_answer_is_asked_again_with_twice_the_budget_on_a_server() -> None:
    good = json.dumps(good_answer())
    backend = ScriptedBackend([(good[:100], "length"), (good, "tool_calls")])
    meter = Meter(backend)
    event = extract_event(meter, MESSAGES, settings(max_tokens=500), seed=0)
    assert event.title == "Drone attack on Odesa"
    assert [r["max_tokens"] for r in backend.requests] == [500, 1000]
    assert backend.requests[1]["messages"] == MESSAGES
    assert meter.calls == 2


def test_a_cut_off_answer_on_a_fixed_context_is_asked_to_be_shorter() -> None:
    good = json.dumps(good_answer())
    backend = ScriptedBackend([(good[:100], "length"), (good, "tool_calls")], fixed_context=True)
    extract_event(Meter(backend), MESSAGES, settings(max_tokens=500), seed=0)
    assert [r["max_tokens"] for r in backend.requests] == [500, 500]
    assert backend.requests[1]["messages"] == [*MESSAGES, {"role": "user", "content": SHORTER}]


def test_the_embedded_kind_is_a_fixed_context_and_an_unknown_kind_is_not() -> None:
    """The capability of the shipped local kind, asked by the backend's name; a name not registered claims none."""
    good = json.dumps(good_answer())
    for name, budgets in (("local", [500, 500]), ("never-registered", [500, 1000])):
        backend = ScriptedBackend([(good[:100], "length"), (good, "tool_calls")], name=name)
        extract_event(Meter(backend), MESSAGES, settings(max_tokens=500), seed=0)
        assert [r["max_tokens"] for r in backend.requests] == budgets, name


def test_cut_off_twice_is_a_clear_final_error() -> None:
    backend = ScriptedBackend([('{"a": "', "length"), ('{"a": "b', "length")])
    with pytest.raises(TruncatedAnswer, match="cut off at the token limit"):
        extract_event(Meter(backend), MESSAGES, settings(max_tokens=500), seed=0)
    assert len(backend.requests) == 2


@pytest.mark.parametrize(
    ("fixed_context", "said"),
    [
        (False, "cut off at the token limit twice (500 tokens, then 1000)"),
        (True, "cut off at the token limit twice (500 tokens, then 500 with a request for a shorter answer)"),
    ],
)
def test_cut_off_twice_says_what_each_try_asked_for(fixed_context: bool, said: str) -> None:
    backend = ScriptedBackend([('{"a": "', "length"), ('{"a": "b', "length")], fixed_context=fixed_context)
    with pytest.raises(TruncatedAnswer) as raised:
        extract_event(Meter(backend), MESSAGES, settings(max_tokens=500), seed=0)
    assert said in str(raised.value)


def test_the_pipeline_does_not_re_ask_a_twice_cut_off_answer(tmp_path: Any) -> None:
    backend = ScriptedBackend([('{"a": "', "length"), ('{"a": "b', "length")])
    summarizer = Summarizer(Settings.from_env({}, backend="local", strategy="model", home=tmp_path), backend=backend)
    with pytest.raises(TruncatedAnswer):
        summarizer.summarize(ARTICLE)
    assert len(backend.requests) == 2  # no schema re-asks on top: a longer echo would not help


def test_a_cut_off_re_ask_keeps_the_earlier_answer(tmp_path: Any) -> None:
    """The first answer is kept when a re-ask for a missing place is cut off twice."""
    first = json.dumps(good_answer(places=[]))
    backend = ScriptedBackend([(first, "tool_calls"), ('{"a": "', "length"), ('{"a": "b', "length")])
    summarizer = Summarizer(Settings.from_env({}, backend="local", strategy="model", home=tmp_path), backend=backend)
    record = summarizer.summarize(ARTICLE)
    assert record.event.title == "Drone attack on Odesa"
    assert record.provenance.attempts == 3
