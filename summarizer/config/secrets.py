"""Keep secrets out of everything the program writes or shows: one redaction for all text from outside.

Text from outside (a server's error body, an exception message, a URL from the configuration) passes
through ``redact`` before it reaches a log, the store, a record, a report or the terminal. It removes
the secrets this process was configured with (the API key; the password of a base URL, its user:password
and the HTTP Basic token made of them; key-like query parameters), bearer tokens, ``sk-``-shaped keys and
the user information of URLs. A model's answer passes through ``scrub``, which removes only the configured
secrets (a server that puts the key in an answer cannot get it into a record or the store). ``public_url``
is the form of a base URL that may be stored or shown.
"""

from __future__ import annotations

import base64
import json
import re
import threading
from urllib.parse import unquote, unquote_plus, urlsplit, urlunsplit

MASK = "[redacted]"
MIN_SECRET_CHARS = 6  # shorter "keys" (e.g. "x" for a local server) would mask ordinary words

_secrets: set[str] = set()
_lock = threading.Lock()

BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{6,}")
KEY_SHAPED = re.compile(r"\b(sk|rk|pk)-[A-Za-z0-9_-]{8,}")
USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@]+@")
KEY_PARAMETER = re.compile(r"(?i)\b(api[_-]?key|access[_-]?token|token|key)=([^&\s\"']+)")
SECRET_PARAMETER = re.compile(r"(?i)key|token|secret|sig|password|passwd|auth|credential|code")


def add_secret(value: str | None) -> None:
    """Remember a configured secret (an API key) so that ``redact`` removes it wherever it shows up: as it is,
    with its control characters escaped (as an error message shows a header), and each run of it between
    them (a key with a line break in it)."""
    if not value:
        return
    forms = {value, value.encode("unicode_escape").decode("ascii"), *re.split(r"[\x00-\x20\x7f]+", value)}
    with _lock:
        _secrets.update(form for form in forms if len(form) >= MIN_SECRET_CHARS)


def add_url_secrets(url: str | None) -> None:
    """Remember the secrets a base URL carries: its user name and password (a token is often given as the
    user name), user:password and the HTTP Basic token an HTTP client makes of them, and the values of
    key-like query parameters (``api-key=``, ``sig=``, ``code=``), each as written and percent-decoded."""
    if not url:
        return
    try:
        parts = urlsplit(url)
        username, password = parts.username, parts.password
    except ValueError:
        return
    if username is not None or password is not None:
        for user, secret in {(username or "", password or ""), (unquote(username or ""), unquote(password or ""))}:
            pair = f"{user}:{secret}"
            for value in (user, secret, pair, base64.b64encode(pair.encode("utf-8")).decode("ascii")):
                add_secret(value)
    for item in parts.query.split("&"):
        name, _, value = item.partition("=")
        if SECRET_PARAMETER.search(unquote(name)):
            add_secret(value)
            add_secret(unquote_plus(value))


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


def scrub(text: str) -> str:
    """``text`` (a model's answer) without the configured secrets, also where JSON escapes hide them: only
    those, so that an article's own words are never masked by a pattern."""
    with _lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    if not text or not secrets:
        return text
    if any(secret in text for secret in secrets):
        for secret in secrets:
            text = text.replace(secret, MASK)
        return text
    if "\\" not in text:
        return text
    try:  # "\u0073k-..." in a JSON string is the key once parsed
        decoded = json.dumps(json.loads(text, strict=False), ensure_ascii=False)
    except ValueError:
        return text
    return scrub(decoded) if any(secret in decoded for secret in secrets) else text


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
