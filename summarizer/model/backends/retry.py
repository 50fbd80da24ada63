"""The one retry policy for failed API calls: 429, 5xx, timeouts, connection errors and 200s that are not
chat completions.

Answers that do not validate are re-asked by the pipeline, not here. The wait
honours the server's ``Retry-After`` (seconds or HTTP date, or ``retry-after-ms``), capped, and
otherwise backs off exponentially with jitter.
"""

from __future__ import annotations

import email.utils
import math
import time
from collections.abc import Callable
from typing import TypeVar

import openai
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt, wait_random_exponential

T = TypeVar("T")
MAX_WAIT_S = 60.0
_fallback_wait = wait_random_exponential(multiplier=0.5, max=20)


class NotChatCompletion(Exception):
    """A 200 whose body is not a chat completion (a proxy's page, a server restarting): worth another try."""


def is_transient(exc: BaseException) -> bool:
    if isinstance(exc, (openai.APITimeoutError, openai.APIConnectionError, openai.RateLimitError, NotChatCompletion)):
        return True
    return isinstance(exc, openai.APIStatusError) and (exc.status_code >= 500 or exc.status_code in (408, 409))


def retry_after_seconds(exc: BaseException | None) -> float | None:
    """The server's requested wait, if it sent one that is a wait: a negative or not-a-number value is none."""
    seconds = _requested(exc)
    return seconds if seconds is not None and 0 <= seconds <= math.inf else None


def _requested(exc: BaseException | None) -> float | None:
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    if not headers:
        return None
    if milliseconds := headers.get("retry-after-ms"):
        try:
            return float(milliseconds) / 1000
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None  # a malformed header falls back to the exponential wait, never crashes the call
    return max(0.0, parsed.timestamp() - time.time())


def _wait(state: RetryCallState) -> float:
    exc = state.outcome.exception() if state.outcome else None
    requested = retry_after_seconds(exc)
    if requested is not None:
        return min(requested, MAX_WAIT_S)
    return _fallback_wait(state)


def call_with_retries(func: Callable[[], T], attempts: int, sleep: Callable[[float], None] = time.sleep) -> T:
    """Run ``func``, retrying transient API errors up to ``attempts`` more times."""
    retrying = Retrying(
        retry=retry_if_exception(is_transient),
        stop=stop_after_attempt(attempts + 1),
        wait=_wait,
        sleep=sleep,
        reraise=True,
    )
    return retrying(func)
