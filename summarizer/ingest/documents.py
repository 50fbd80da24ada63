"""One document to an ``Article``: plain text (with the seed format's date line), Markdown with front matter,
an HTML page, or a JSON object; the publication date read without inventing one."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime

from summarizer.errors import ArticleError
from summarizer.ingest.article import Article
from summarizer.ingest.frontmatter import split_front_matter
from summarizer.ingest.html_text import read_page
from summarizer.text.dates import absolute_date

# The seed format: " date YYYY-MM-DD <body on the same line>"
DATE_HEADER = re.compile(r"\A\s*date\s+(\d{4}-\d{2}-\d{2})[ \t]*")


def parse_date(value: object, source: str, warnings: list[str]) -> date | None:
    """A publication date: ISO 8601 directly, else an absolute English date by ``text.dates.absolute_date``
    ("March 26, 2024", "21.03.2024", "3/25/2024"; its docstring has the rule for numeric dates). Relative
    words ("yesterday") are never resolved: that would invent the date. Anything else is a warning."""
    if value in (None, ""):
        return None
    if isinstance(value, str):
        try:
            return date.fromisoformat(value[:10]) if len(value) >= 10 else date.fromisoformat(value)
        except ValueError:
            try:
                return datetime.fromisoformat(value).date()
            except ValueError:
                pass
        if absolute := absolute_date(value):
            if absolute.note:
                warnings.append(f"publication date {value!r} read as {absolute.day.isoformat()}: {absolute.note}")
            return absolute.day
    warnings.append(f"unreadable publication date {value!r}; relative dates cannot be resolved")
    return None


def is_blank(text: str) -> bool:
    """Nothing to read: only whitespace and invisible format characters (Unicode category Cf: zero-width
    spaces and joiners, word joiners, byte order marks, soft hyphens, direction marks)."""
    return all(char.isspace() or unicodedata.category(char) == "Cf" for char in text)


def _finish(
    text: str,
    *,
    source: str,
    id: str,
    warnings: list[str],
    published: date | None = None,
    title: str | None = None,
    url: str | None = None,
) -> Article:
    if is_blank(text):
        raise ArticleError(f"{source}: the article is empty")
    return Article(
        id=id, text=text.strip(), source=source, published=published, title=title, url=url, warnings=tuple(warnings)
    )


def parse_text(text: str, *, source: str, id: str, warnings: list[str]) -> Article:
    published = None
    header = DATE_HEADER.match(text)
    if header:
        published = parse_date(header.group(1), source, warnings)
        text = text[header.end() :]
    return _finish(text, source=source, id=id, warnings=warnings, published=published)


def parse_markdown(text: str, *, source: str, id: str, warnings: list[str]) -> Article:
    front = split_front_matter(text)
    meta, text = front or ({}, text)
    if not front and DATE_HEADER.match(text):
        return parse_text(text, source=source, id=id, warnings=warnings)
    title = meta.get("title")
    heading = re.match(r"\A\s*#\s+(.+)\n", text)
    if heading:
        title = title or heading.group(1).strip()
        text = text[heading.end() :]
    published = parse_date(meta.get("date") or meta.get("published"), source, warnings)
    return _finish(text, source=source, id=id, warnings=warnings, title=title, published=published, url=meta.get("url"))


def parse_html(text: str, *, source: str, id: str, warnings: list[str]) -> Article:
    page = read_page(text)
    warnings.extend(page.warnings)
    published = parse_date(page.published, source, warnings)
    return _finish(
        page.text, source=source, id=id, warnings=warnings, title=page.title, published=published, url=page.url
    )


def parse_object(obj: object, *, source: str, default_id: str, warnings: list[str]) -> Article:
    if not isinstance(obj, dict):
        raise ArticleError(f"{source}: expected a JSON object with a 'text' field, got {type(obj).__name__}")
    text = obj.get("text")
    if not isinstance(text, str):
        raise ArticleError(f"{source}: the object has no 'text' string")
    published = None
    header = DATE_HEADER.match(text)
    if header:  # the seed format's date line; a "published" field wins over it
        published = parse_date(header.group(1), source, warnings)
        text = text[header.end() :]
    if obj.get("published"):
        published = parse_date(obj.get("published"), source, warnings)
    return _finish(
        text,
        source=source,
        id=str(obj.get("id") or default_id),
        warnings=warnings,
        published=published,
        title=_optional_str(obj.get("title")),
        url=_optional_str(obj.get("url")),
    )


def _optional_str(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None
