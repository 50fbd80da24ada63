"""URLs in: `summarize http://...` fetches the page from a server the test starts on loopback and reads it like an
.html file; the record's url is the canonical one. Limits (size, redirects, time, scheme) and what is not an
article page (a PDF, an image) are one-line failures. Files with an unknown suffix are sniffed, and a PDF is
refused whatever its name."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from summarizer.cli.root import cli
from summarizer.ingest import fetch
from summarizer.ingest.article import Article, LoadFailure
from summarizer.ingest.articles import load_articles

ARTICLE = """<!DOCTYPE html><html><head><title>Fire in Millbrook | The Gazette</title>
<link rel="canonical" href="/news/2025/02/15/fire-in-millbrook">
<meta property="article:published_time" content="2025-02-15T09:00:00Z"></head>
<body><nav>Home | News | Sport</nav><article><h1>Fire in Millbrook: two injured</h1>
<p>MILLBROOK, Ohio (AP) - A house fire on Elm Street injured two people late Saturday, the fire chief said.</p>
<p>Firefighters arrived within minutes and put out the blaze, which started in the kitchen, officials said.</p>
<p>Both injured residents were taken to a hospital in nearby Springfield with burns that were not
life-threatening, according to the fire department.</p></article>
<footer>Related: Ten things to do this weekend</footer></body></html>"""
OG_ONLY = ARTICLE.replace(
    '<link rel="canonical" href="/news/2025/02/15/fire-in-millbrook">',
    '<meta property="og:url" content="https://gazette.example/fire">',
)
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\nBT (A house fire injured two people) Tj ET\n%%EOF\n"


class Handler(BaseHTTPRequestHandler):
    agents: list[str] = []  # noqa: RUF012  # the User-Agent of every request, for the test to read

    def do_GET(self) -> None:
        Handler.agents.append(self.headers.get("User-Agent", ""))
        path = self.path
        if path == "/story":
            self.send(200, "text/html; charset=utf-8", ARTICLE.encode())
        elif path == "/og":
            self.send(200, "text/html", OG_ONLY.encode())
        elif path == "/moved":
            self.send(301, "text/html", b"", location="/story")
        elif path.startswith("/loop"):
            self.send(302, "text/html", b"", location=f"/loop{len(path)}")
        elif path == "/to-ftp":
            self.send(302, "text/html", b"", location="ftp://127.0.0.1/story")
        elif path == "/report.pdf":
            self.send(200, "application/pdf", PDF)
        elif path == "/mislabelled":
            self.send(200, "text/html", PDF)  # a PDF served as HTML: refused by its bytes
        elif path == "/image":
            self.send(200, "image/png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
        elif path == "/huge":
            self.send(200, "text/html", b"<p>" + b"a" * (2 * 1024 * 1024) + b"</p>")
        elif path == "/slow":
            time.sleep(3)
            self.send(200, "text/html", ARTICLE.encode())
        elif path == "/plain":
            self.send(200, "text/plain", b"A house fire on Elm Street in Millbrook injured two people on Saturday.")
        else:
            self.send(404, "text/html", b"<h1>Not Found</h1>")

    def send(self, code: int, media_type: str, body: bytes, location: str | None = None) -> None:
        self.send_response(code)
        self.send_header("Content-Type", media_type)
        self.send_header("Content-Length", str(len(body)))
        if location:
            self.send_header("Location", location)
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # a client that gave up (a timeout)
            self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def load(source: str) -> Article | LoadFailure:
    [item] = list(load_articles([source]))
    return item


def test_a_page_is_read_like_an_html_file_with_its_canonical_url(site: str) -> None:
    article = load(f"{site}/moved")  # redirected to /story
    assert isinstance(article, Article), article
    assert article.url == f"{site}/news/2025/02/15/fire-in-millbrook"  # <link rel=canonical>, made absolute
    assert article.source == f"{site}/moved" and article.id == "story"
    assert article.title == "Fire in Millbrook: two injured" and str(article.published) == "2025-02-15"
    assert "injured two people" in article.text and "Ten things" not in article.text and "Sport" not in article.text
    assert Handler.agents[-1].startswith("news-event-summarizer/")


def test_og_url_else_the_url_fetched(site: str) -> None:
    og = load(f"{site}/og")
    assert isinstance(og, Article) and og.url == "https://gazette.example/fire"
    plain = load(f"{site}/plain")
    assert isinstance(plain, Article) and plain.url == f"{site}/plain" and plain.text.startswith("A house fire")


def test_summarize_a_url_as_a_user_does(site: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUMMARIZER_STRATEGY", "reader")
    result = CliRunner().invoke(cli, ["summarize", "--format", "json", f"{site}/story"])
    assert result.exit_code == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["article"]["url"] == f"{site}/news/2025/02/15/fire-in-millbrook"
    assert record["article"]["source"] == f"{site}/story"
    assert record["event"]["casualties"]["injured"]["value"] == 2


@pytest.mark.parametrize(
    ("path", "says"),
    [
        ("/report.pdf", "a PDF document, not an article page"),
        ("/mislabelled", "a PDF document, not an article page"),
        ("/image", "a PNG image, not an article page"),
        ("/missing", "HTTP 404 Not Found"),
        ("/loop", f"more than {fetch.MAX_REDIRECTS} redirects"),
        ("/to-ftp", "not http or https"),
    ],
)
def test_what_is_not_an_article_page_is_one_line(site: str, path: str, says: str) -> None:
    failure = load(f"{site}{path}")
    assert isinstance(failure, LoadFailure) and says in failure.message, failure
    assert failure.message.startswith(f"{site}{path}: ") and "\n" not in failure.message


def test_size_and_time_are_bounded(site: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fetch, "MAX_PAGE_BYTES", 1024 * 1024)
    huge = load(f"{site}/huge")
    assert isinstance(huge, LoadFailure) and "larger than 1 MB" in huge.message
    monkeypatch.setattr(fetch, "TIMEOUT_S", 0.5)
    slow = load(f"{site}/slow")
    assert isinstance(slow, LoadFailure) and "no answer within 0.5 s" in slow.message


def test_only_http_and_https(tmp_path: Path) -> None:
    for url in ("ftp://127.0.0.1/story", f"file://{tmp_path}/a.html"):
        failure = load(url)
        assert isinstance(failure, LoadFailure) and "only http and https URLs are read" in failure.message


def test_a_url_is_never_taken_for_a_missing_file() -> None:
    failure = load("http://127.0.0.1:9/nothing-listens-here")  # port 9 (discard): refused on loopback
    assert isinstance(failure, LoadFailure) and "cannot fetch" in failure.message
    assert "no such file" not in failure.message


def test_a_pdf_file_is_refused_whatever_its_name(tmp_path: Path) -> None:
    for name in ("report.pdf", "report.txt", "report"):
        (tmp_path / name).write_bytes(PDF)  # no NUL byte: the binary test alone let it through as text
        failure = load(str(tmp_path / name))
        assert isinstance(failure, LoadFailure), name
        assert "binary content (a PDF document), not text; extract its text first" in failure.message


def test_an_unknown_suffix_is_sniffed_not_read_blindly(tmp_path: Path) -> None:
    page = tmp_path / "story.php"
    page.write_text(ARTICLE, encoding="utf-8")
    article = load(str(page))
    assert isinstance(article, Article) and article.title == "Fire in Millbrook: two injured"  # read as HTML
    assert "<p>" not in article.text
    notes = tmp_path / "notes.log"
    notes.write_text("A house fire injured two people.", encoding="utf-8")
    text = load(str(notes))
    assert isinstance(text, Article) and text.text == "A house fire injured two people."
