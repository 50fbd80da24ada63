"""Pages from the web: ``summarizer summarize https://...`` fetches the page (here) and reads it like an ``.html``
file (``summarizer.ingest.articles.load_url``).

Only ``http`` and ``https``; a timeout, a size limit, a user agent that names the program, and at most
``MAX_REDIRECTS`` redirects (httpx follows none to another scheme). The record's ``url`` is the page's
canonical URL (``<link rel="canonical">`` or ``og:url``, resolved against where the page was found), else the
URL it was fetched from after redirects. What is not HTML or text (a PDF, an image, an archive) is refused
with one line, never read as text.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from summarizer import __version__
from summarizer.config.secrets import redact
from summarizer.errors import ArticleError

SCHEMES = ("http", "https")
TIMEOUT_S = 20.0
MAX_PAGE_BYTES = 10 * 1024 * 1024
MAX_REDIRECTS = 5
USER_AGENT = f"news-event-summarizer/{__version__} (+https://pypi.org/project/news-event-summarizer/)"


@dataclass(frozen=True)
class Page:
    """A fetched page: the URL it was found at (after redirects), its media type ("text/html"), its bytes."""

    url: str
    media_type: str
    body: bytes


def fetch(url: str) -> Page:
    """GET ``url``, or ``ArticleError`` in one line: not http(s), an HTTP error, too large, too many redirects,
    no answer in time, no connection."""
    import httpx  # imported when a URL is read

    shown = redact(url)
    parts = urlsplit(url)
    if parts.scheme.lower() not in SCHEMES or not parts.hostname:
        raise ArticleError(f"{shown}: only http and https URLs are read")
    headers = {"User-Agent": USER_AGENT, "Accept": "text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.1"}
    limits = {"follow_redirects": True, "max_redirects": MAX_REDIRECTS, "timeout": TIMEOUT_S}
    try:
        with httpx.Client(headers=headers, **limits) as client, client.stream("GET", url) as response:  # type: ignore[arg-type]
            if response.status_code >= 400:
                raise ArticleError(f"{shown}: HTTP {response.status_code} {response.reason_phrase}".rstrip())
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > MAX_PAGE_BYTES:
                raise ArticleError(_too_large(shown))
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > MAX_PAGE_BYTES:
                    raise ArticleError(_too_large(shown))
            media_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
            return Page(url=str(response.url), media_type=media_type, body=bytes(body))
    except httpx.TooManyRedirects as exc:
        raise ArticleError(f"{shown}: more than {MAX_REDIRECTS} redirects") from exc
    except httpx.TimeoutException as exc:
        raise ArticleError(f"{shown}: no answer within {TIMEOUT_S:g} s") from exc
    except httpx.UnsupportedProtocol as exc:
        raise ArticleError(f"{shown}: redirected to a URL that is not http or https") from exc
    except httpx.HTTPError as exc:
        raise ArticleError(f"{shown}: cannot fetch ({redact(str(exc)) or type(exc).__name__})") from exc


def _too_large(shown: str) -> str:
    return f"{shown}: larger than {MAX_PAGE_BYTES // (1024 * 1024)} MB; not an article page"
