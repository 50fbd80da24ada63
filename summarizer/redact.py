"""Keep secrets out of everything the program writes or shows: one redaction for all text from outside.

Text from outside (a server's error body, an exception message, a URL from the configuration) passes
through ``redact`` before it reaches a log, the store, a record, a report or the terminal. It removes
the API keys this process was configured with, bearer tokens, ``sk-``-shaped keys and the user
information of URLs. ``public_url`` is the form of a base URL that may be stored or shown.
"""

from __future__ import annotations

import re
import threading
from urllib.parse import urlsplit, urlunsplit

MASK = "[redacted]"
MIN_SECRET_CHARS = 6  # shorter "keys" (e.g. "x" for a local server) would mask ordinary words

_secrets: set[str] = set()
_lock = threading.Lock()

BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{6,}")
KEY_SHAPED = re.compile(r"\b(sk|rk|pk)-[A-Za-z0-9_-]{8,}")
USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@]+@")
KEY_PARAMETER = re.compile(r"(?i)\b(api[_-]?key|access[_-]?token|token|key)=([^&\s\"']+)")


def add_secret(value: str | None) -> None:
    """Remember a configured secret (an API key) so that ``redact`` removes it wherever it shows up."""
    if value and len(value) >= MIN_SECRET_CHARS:
        with _lock:
            _secrets.add(value)


def redact(text: str) -> str:
    """``text`` without configured secrets, bearer tokens, key-shaped strings or URL user information."""
    if not text:
        return text
    with _lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for secret in secrets:
        text = text.replace(secret, MASK)
    text = USERINFO.sub(rf"\1{MASK}@", text)
    text = BEARER.sub(rf"\1 {MASK}", text)
    text = KEY_SHAPED.sub(rf"\1-{MASK}", text)
    return KEY_PARAMETER.sub(rf"\1={MASK}", text)


def public_url(url: str | None) -> str | None:
    """A base URL as it may be stored or shown: without user, password, query or fragment."""
    if url is None:
        return None
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:  # not a URL at all: shown redacted, never parsed further
        return redact(url)
    if ":" in host:  # IPv6
        host = f"[{host}]"
    netloc = host + (f":{port}" if port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def one_line(text: str, limit: int = 300) -> str:
    """Redacted, on one line, at most ``limit`` characters: how outside text is shown in a message."""
    flat = " ".join(redact(text).split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."
