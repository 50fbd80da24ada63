"""The article a reader sees on an HTML page: its main text, headline and publication date.

``read_page`` uses trafilatura: the main text without navigation, photo captions, reader comments,
"related stories" teasers, scripts or styles; the headline; the publication date the markup states
(``article:published_time`` and other meta tags, JSON-LD ``datePublished``, ``<time datetime>``). It
runs offline on the string it is given (trafilatura is never handed a URL, so it fetches nothing) and
is deterministic: no clock-dependent date bounds, no text-pattern date guessing (which would take a
date the body mentions for the publication date), no cross-document deduplication.

``visible_text`` is the plain fallback: every visible character of the page (or of its ``<article>``),
used only when trafilatura finds no main text, and said so in ``Page.warnings``.

Paragraphs come out separated by a blank line, as the other article formats have them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser


@dataclass(frozen=True)
class Page:
    text: str
    title: str | None
    published: str | None  # as the page states it (trafilatura gives YYYY-MM-DD; the fallback the raw value)
    url: str | None = None  # the page's canonical URL, when its markup names one
    warnings: tuple[str, ...] = ()


FALLBACK_WARNING = (
    "HTML: no main text found by the article extractor; used every visible text of the page instead "
    "(navigation, photo captions, comments or teasers may remain)"
)
# htmldate checks dates against an upper bound that defaults to today; a fixed one keeps the result
# independent of the clock (a page's own statement is taken as it is, as before).
_DATE_PARAMS = {"original_date": True, "extensive_search": False, "max_date": "2099-12-31"}


def read_page(html: str) -> Page:
    """The page's main text, headline and publication date; ``visible_text`` if there is no main text."""
    import trafilatura  # imported here: half a second that only HTML articles should pay

    document = trafilatura.bare_extraction(
        html,
        favor_precision=True,  # a teaser or caption that reaches the model can pass grounding: prefer less text
        include_comments=False,
        include_tables=True,  # casualty tables are article text
        include_images=False,
        include_links=False,
        with_metadata=True,
        date_extraction_params=dict(_DATE_PARAMS),
    )
    found = None if document is None or isinstance(document, dict) else document  # a dict only with as_dict
    title = _clean(found.title) if found else None
    text = _paragraphs(found.text or "", title) if found else ""
    published, url = (found.date, found.url) if found else (None, None)
    if not text:
        fallback = visible_text(html)
        return Page(
            text=fallback.text,
            title=title or fallback.title,
            published=published or fallback.published,
            url=url,
            warnings=(FALLBACK_WARNING,) if fallback.text.strip() else (),
        )
    return Page(text=text, title=title, published=published, url=url)


def _clean(value: str | None) -> str | None:
    return (re.sub(r"\s+", " ", value).strip() or None) if value else None


def _paragraphs(text: str, title: str | None) -> str:
    """trafilatura's one block per line as paragraphs separated by a blank line, without the headline."""
    lines = [re.sub(r"[ \t\r\f\v]+", " ", line).strip() for line in text.splitlines()]
    lines = [line for line in lines if line]
    if lines and title and lines[0].casefold() == title.casefold():
        lines = lines[1:]  # the headline is the title, not part of the body
    return "\n\n".join(lines)


def visible_text(html: str) -> Page:
    """Every text a reader sees on the page (or in its ``<article>``): the fallback extractor."""
    parser = _VisibleText()
    parser.feed(html)
    parser.close()
    return Page(text=parser.text(), title=(parser.h1 or parser.title or "").strip() or None, published=parser.published)


class _VisibleText(HTMLParser):
    """Collects the text a reader sees; prefers the <article> element when there is one."""

    HIDDEN = frozenset({"script", "style", "noscript", "template", "nav", "footer", "aside", "form", "svg", "iframe"})
    # </head> is optional in HTML: the head also ends at the first tag that only a body can hold.
    HEAD_ONLY = frozenset({"title", "meta", "link", "style", "script", "base", "noscript", "template"})
    BLOCKS = frozenset(
        {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "tr", "blockquote"}
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hidden_depth = 0
        self.in_head = False
        self.article_depth = 0
        self.page: list[str] = []
        self.article: list[str] = []
        self.title: str | None = None
        self.published: str | None = None
        self._in_title = False
        self._in_h1 = False
        self.h1: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "title":
            self._in_title = True
        if tag == "h1" and self.h1 is None:
            self._in_h1 = True
        if tag == "meta" and attributes.get("property") in ("article:published_time", "og:published_time"):
            self.published = self.published or attributes.get("content")
        if tag == "time" and attributes.get("datetime"):
            self.published = self.published or attributes.get("datetime")
        if tag == "head":
            self.in_head = True
        elif self.in_head and tag not in self.HEAD_ONLY:
            self.in_head = False
        if tag in self.HIDDEN:
            self.hidden_depth += 1
        if tag == "article":
            self.article_depth += 1
        if tag in self.BLOCKS:
            self._emit("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        if tag == "h1":
            self._in_h1 = False
        if tag == "head":
            self.in_head = False
        if tag in self.HIDDEN and self.hidden_depth:
            self.hidden_depth -= 1
        if tag in self.BLOCKS:
            self._emit("\n")
        if tag == "article" and self.article_depth:
            self.article_depth -= 1

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title = (self.title or "") + data
            return  # the document title is never shown in the page
        if self._in_h1:
            self.h1 = (self.h1 or "") + data
            return  # the headline is the title, not part of the body
        if not self.hidden_depth and not self.in_head:
            self._emit(data)

    def _emit(self, data: str) -> None:
        self.page.append(data)
        if self.article_depth:
            self.article.append(data)

    def text(self) -> str:
        chunks = self.article if "".join(self.article).strip() else self.page
        joined = "".join(chunks)
        lines = (re.sub(r"[ \t\r\f\v]+", " ", line).strip() for line in joined.split("\n"))
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


class _SelfNamed(HTMLParser):
    """Collects ``<link rel="canonical" href>`` and ``<meta property="og:url" content>`` values."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.canonical: list[str] = []
        self.og_url: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: (value or "").strip() for name, value in attrs}
        if tag == "link" and "canonical" in values.get("rel", "").lower().split() and values.get("href"):
            self.canonical.append(values["href"])
        elif tag == "meta" and values.get("property", "").lower() == "og:url" and values.get("content"):
            self.og_url.append(values["content"])


def canonical_url(html: str) -> str | None:
    """The URL a page names for itself, as written (maybe relative): ``<link rel="canonical">``, else ``og:url``."""
    parser = _SelfNamed()
    parser.feed(html)
    parser.close()
    return next(iter(parser.canonical + parser.og_url), None)
