"""Load articles from files, folders, globs, JSON / JSONL and stdin.

Every source yields either an ``Article`` or a ``LoadFailure`` so that one bad input never
stops a batch. Decoding is lenient where the text is still readable, and says so.
"""

from __future__ import annotations

import glob
import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import BinaryIO

from summarizer.errors import ArticleError
from summarizer.frontmatter import split_front_matter
from summarizer.htmltext import visible_text
from summarizer.record import ArticleMeta

MAX_FILE_BYTES = 20 * 1024 * 1024
TEXT_SUFFIXES = {".txt", ".text", ""}
MARKDOWN_SUFFIXES = {".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm"}
JSON_SUFFIXES = {".json"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | MARKDOWN_SUFFIXES | HTML_SUFFIXES | JSON_SUFFIXES | JSONL_SUFFIXES

# The seed format: " date YYYY-MM-DD <body on the same line>"
DATE_HEADER = re.compile(r"\A\s*date\s+(\d{4}-\d{2}-\d{2})[ \t]*")


@dataclass(frozen=True)
class Article:
    id: str
    text: str
    source: str
    published: date | None = None
    title: str | None = None
    url: str | None = None
    warnings: tuple[str, ...] = field(default=())

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    def meta(self) -> ArticleMeta:
        return ArticleMeta(
            id=self.id,
            source=self.source,
            title=self.title,
            published=self.published,
            url=self.url,
            sha256=self.sha256,
            chars=len(self.text),
        )


@dataclass(frozen=True)
class LoadFailure:
    source: str
    message: str


# ---------------------------------------------------------------- decoding


def decode_bytes(raw: bytes, source: str) -> tuple[str, list[str]]:
    """Decode article bytes; refuse binary data, decode leniently and say so otherwise."""
    warnings: list[str] = []
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16"), warnings
        except UnicodeDecodeError as exc:
            raise ArticleError(f"{source}: looks like UTF-16 but does not decode ({exc.reason})") from exc
    if b"\x00" in raw[:8192] or _control_share(raw[:8192]) > 0.05:
        raise ArticleError(f"{source}: binary content, not text (is this the right file?)")
    try:
        return raw.decode("utf-8-sig"), warnings
    except UnicodeDecodeError:
        pass
    try:
        text = raw.decode("cp1252")
        warnings.append("not valid UTF-8; decoded as Windows-1252 (check accented characters)")
        return text, warnings
    except UnicodeDecodeError:
        pass
    text = raw.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    if bad > max(3, len(text) // 100):
        raise ArticleError(f"{source}: cannot decode the text ({bad} undecodable characters); save it as UTF-8")
    warnings.append(f"not valid UTF-8; {bad} undecodable byte sequence(s) replaced with U+FFFD")
    return text, warnings


def _control_share(raw: bytes) -> float:
    if not raw:
        return 0.0
    controls = sum(1 for byte in raw if byte < 32 and byte not in (9, 10, 12, 13))
    return controls / len(raw)


def read_capped(stream: BinaryIO, source: str) -> bytes:
    raw = stream.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:
        raise ArticleError(f"{source}: larger than {MAX_FILE_BYTES // (1024 * 1024)} MB; not an article")
    return raw


# ---------------------------------------------------------------- parsing one document


def parse_date(value: object, source: str, warnings: list[str]) -> date | None:
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
    warnings.append(f"unreadable publication date {value!r}; relative dates cannot be resolved")
    return None


def _finish(text: str, *, source: str, id: str, warnings: list[str], **meta: object) -> Article:
    if not text.strip():
        raise ArticleError(f"{source}: the article is empty")
    return Article(id=id, text=text.strip(), source=source, warnings=tuple(warnings), **meta)  # type: ignore[arg-type]


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
    page = visible_text(text)
    published = parse_date(page.published, source, warnings)
    return _finish(page.text, source=source, id=id, warnings=warnings, title=page.title, published=published)


def parse_object(obj: object, *, source: str, default_id: str, warnings: list[str]) -> Article:
    if not isinstance(obj, dict):
        raise ArticleError(f"{source}: expected a JSON object with a 'text' field, got {type(obj).__name__}")
    text = obj.get("text")
    if not isinstance(text, str):
        raise ArticleError(f"{source}: the object has no 'text' string")
    article = parse_text(text, source=source, id=str(obj.get("id") or default_id), warnings=warnings)
    published = parse_date(obj.get("published"), source, warnings) if obj.get("published") else article.published
    return replace(
        article,
        title=_optional_str(obj.get("title")),
        url=_optional_str(obj.get("url")),
        published=published,
        warnings=tuple(warnings),
    )


def _optional_str(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


# ---------------------------------------------------------------- sources


def iter_documents(raw: bytes, *, source: str, stem: str, suffix: str) -> Iterator[Article | LoadFailure]:
    """Turn the bytes of one file (or stdin) into articles, one failure per bad record."""
    try:
        text, warnings = decode_bytes(raw, source)
        if not text.strip():
            raise ArticleError(f"{source}: the file is empty")
        if suffix == "":
            suffix = sniff_suffix(text)
        if suffix in JSONL_SUFFIXES:
            yield from _iter_jsonl(text, source=source, stem=stem, warnings=warnings)
            return
        if suffix in JSON_SUFFIXES:
            yield from _iter_json(text, source=source, stem=stem, warnings=warnings)
            return
        parse = parse_html if suffix in HTML_SUFFIXES else parse_markdown if suffix in MARKDOWN_SUFFIXES else parse_text
        yield parse(text, source=source, id=stem, warnings=warnings)
    except ArticleError as exc:
        yield LoadFailure(source, str(exc))


def sniff_suffix(text: str) -> str:
    head = text.lstrip()[:200].lower()
    if head.startswith("["):
        return ".json"
    if head.startswith("{"):
        try:
            json.loads(text)
            return ".json"
        except json.JSONDecodeError:
            return ".jsonl"
    if head.startswith(("<!doctype html", "<html", "<article", "<body")):
        return ".html"
    return ".txt"


def _iter_json(text: str, *, source: str, stem: str, warnings: list[str]) -> Iterator[Article | LoadFailure]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ArticleError(f"{source}: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from exc
    items = data if isinstance(data, list) else [data]
    for index, obj in enumerate(items):
        item_source = f"{source}[{index}]" if isinstance(data, list) else source
        default_id = f"{stem}-{index}" if isinstance(data, list) else stem
        try:
            yield parse_object(obj, source=item_source, default_id=default_id, warnings=list(warnings))
        except ArticleError as exc:
            yield LoadFailure(item_source, str(exc))


def _iter_jsonl(text: str, *, source: str, stem: str, warnings: list[str]) -> Iterator[Article | LoadFailure]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        line_source = f"{source}:{number}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield LoadFailure(line_source, f"{line_source}: invalid JSON ({exc.msg} at column {exc.colno})")
            continue
        try:
            yield parse_object(obj, source=line_source, default_id=f"{stem}-{number}", warnings=list(warnings))
        except ArticleError as exc:
            yield LoadFailure(line_source, str(exc))


def expand_sources(args: Iterable[str]) -> Iterator[Path | str | LoadFailure]:
    """Files, folders (recursively, supported suffixes only), glob patterns, and '-' for stdin."""
    for arg in args:
        if arg == "-":
            yield "-"
            continue
        path = Path(arg)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES)
            if not files:
                yield LoadFailure(
                    arg, f"{arg}: folder has no article files ({', '.join(sorted(SUPPORTED_SUFFIXES - {''}))})"
                )
            yield from files
        elif path.exists():
            yield path
        elif glob.has_magic(arg):
            matches = sorted(Path(p) for p in glob.glob(arg, recursive=True) if Path(p).is_file())
            if not matches:
                yield LoadFailure(arg, f"{arg}: no files match this pattern")
            yield from matches
        else:
            yield LoadFailure(arg, f"{arg}: no such file or folder")


def load_articles(args: Iterable[str], stdin: BinaryIO | None = None) -> Iterator[Article | LoadFailure]:
    for item in expand_sources(args):
        if isinstance(item, LoadFailure):
            yield item
        elif item == "-":
            if stdin is None:
                yield LoadFailure("stdin", "stdin: no input stream")
                continue
            try:
                raw = read_capped(stdin, "stdin")
            except ArticleError as exc:
                yield LoadFailure("stdin", str(exc))
                continue
            yield from iter_documents(raw, source="stdin", stem="stdin", suffix="")
        else:
            assert isinstance(item, Path)
            yield from load_path(item)


def load_path(path: Path) -> Iterator[Article | LoadFailure]:
    source = str(path)
    try:
        with path.open("rb") as stream:
            raw = read_capped(stream, source)
    except OSError as exc:
        yield LoadFailure(source, f"{source}: cannot read ({exc.strerror or exc})")
        return
    except ArticleError as exc:
        yield LoadFailure(source, str(exc))
        return
    suffix = path.suffix.lower()
    yield from iter_documents(
        raw, source=source, stem=path.stem, suffix=suffix if suffix in SUPPORTED_SUFFIXES else ".txt"
    )


def load_article(path: str | Path) -> Article:
    """Load exactly one article from a file; raise ArticleError otherwise (used by eval fixtures)."""
    results = list(load_path(Path(path)))
    if len(results) != 1:
        raise ArticleError(f"{path}: expected one article, found {len(results)}")
    if isinstance(results[0], LoadFailure):
        raise ArticleError(results[0].message)
    return results[0]


def fit_to_budget(article: Article, max_chars: int, *, truncate: bool) -> Article:
    """Refuse (default) or truncate, with a warning, an article longer than the model can read."""
    if len(article.text) <= max_chars:
        return article
    if not truncate:
        raise ArticleError(
            f"{article.source}: {len(article.text):,} characters is more than this model's context allows "
            f"(about {max_chars:,}); use --truncate to summarise the first part, or a model with a longer context"
        )
    cut = article.text.rfind("\n", 0, max_chars)
    cut = cut if cut > max_chars // 2 else max_chars
    note = f"article truncated to its first {cut:,} of {len(article.text):,} characters to fit the model's context"
    return replace(article, text=article.text[:cut].rstrip(), warnings=(*article.warnings, note))
