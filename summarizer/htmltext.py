"""The text a reader sees on an HTML page: no markup, scripts, styles, navigation or head."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser


@dataclass(frozen=True)
class Page:
    text: str
    title: str | None
    published: str | None  # as the page states it (meta article:published_time or <time datetime>)


def visible_text(html: str) -> Page:
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
