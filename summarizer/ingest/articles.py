"""Load articles from files, folders, globs, JSON / JSONL, stdin and http(s) URLs.

Every source yields either an ``Article`` or a ``LoadFailure`` so that one bad input never
stops a batch. Decoding is lenient where the text is still readable, and says so.

JSONL (a ``.jsonl`` / ``.ndjson`` file, or stdin and suffix-less files that sniff as JSONL) is
streamed: read one line at a time, each line decoded on its own and capped at ``MAX_FILE_BYTES``,
so memory stays flat whatever the file size. Every other document is read whole, up to
``MAX_FILE_BYTES``. Folder and glob expansion never feeds the run's own output files (``exclude``)
or eval labels files (``*.labels.json``) to the model; naming one explicitly is a ``LoadFailure``.
``count_articles`` is a cheap pre-pass that gives a progress total without loading anything.
A file with a suffix the loader does not know is sniffed (JSON, JSONL, HTML or text); a document that is
a known binary format by its first bytes (``%PDF-``, a zip, an image, RTF) is refused whatever its name.
A URL is fetched (``summarizer.ingest.fetch``) and read like an ``.html`` file; its record's ``url`` is canonical.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import sys
import time
import unicodedata
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Protocol
from urllib.parse import urljoin, urlsplit

from summarizer.errors import ArticleError
from summarizer.ingest.frontmatter import split_front_matter
from summarizer.ingest.html_text import canonical_url, read_page
from summarizer.ingest.sources import (
    JSONL_SUFFIXES,
    BadJSON,
    decode_json,
    expand,
    json_items,
    json_lines,
    path_text,
    why_unreadable,
)
from summarizer.text.dates import absolute_date

if TYPE_CHECKING:
    from summarizer.record.basetypes import ArticleMeta

MAX_FILE_BYTES = 20 * 1024 * 1024
TEXT_SUFFIXES = {".txt", ".text", ""}
MARKDOWN_SUFFIXES = {".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm"}
JSON_SUFFIXES = {".json"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | MARKDOWN_SUFFIXES | HTML_SUFFIXES | JSON_SUFFIXES | JSONL_SUFFIXES
# Eval fixture labels (evals/LABELLING.md): never an article, so never fed to the model.
LABELS_SUFFIX = ".labels.json"

SNIFF_BYTES = 8192  # the head that the binary check and format sniffing look at
FIFO_WAIT_S = 3.0  # how long a named pipe given as a source may take to get a writer
COUNT_CHUNK_BYTES = 1024 * 1024
UTF8_BOM = b"\xef\xbb\xbf"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
UTF32_BOMS = (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")
WIDE_BOMS = UTF32_BOMS + UTF16_BOMS  # text full of NUL bytes, read whole (never as binary)

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
        from summarizer.record.basetypes import ArticleMeta  # pydantic: imported when a record is made, not by `--help`

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


PDF = "a PDF document"
# Formats that are not text, by their first bytes: some (a PDF of plain streams, RTF) pass the binary test.
MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", PDF),
    (b"{\\rtf", "an RTF document"),
    (b"PK\x03\x04", "a zip archive (or .docx, .odt, .epub)"),
    (b"\xd0\xcf\x11\xe0", "an old Office document"),
    (b"\x89PNG", "a PNG image"),
    (b"GIF8", "a GIF image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"\x1f\x8b", "a gzip file"),
)


def binary_format(raw: bytes) -> str | None:
    """The known non-text format ``raw`` starts with ("a PDF document"), else None."""
    head = raw[:16].lstrip(b" \t\r\n")
    return next((name for magic, name in MAGIC if head.startswith(magic)), None)


def decode_bytes(raw: bytes, source: str) -> tuple[str, list[str]]:
    """Decode article bytes; refuse binary data, decode leniently and say so otherwise.

    A byte order mark decides UTF-32 or UTF-16 (UTF-32's is tried first: its little-endian mark starts with
    UTF-16's). Text that is not valid UTF-8 is read as UTF-8 with the bad bytes replaced, and a warning naming
    their offsets, when it is mostly UTF-8 (its other non-ASCII letters decode); else as Windows-1252; else
    with replacement characters, when they are few.
    """
    warnings: list[str] = []
    for boms, codec in ((UTF32_BOMS, "utf-32"), (UTF16_BOMS, "utf-16")):
        if raw.startswith(boms):
            try:
                return raw.decode(codec), warnings
            except UnicodeDecodeError as exc:
                name = codec.upper()
                raise ArticleError(f"{source}: looks like {name} but does not decode ({exc.reason})") from exc
    if _looks_binary(raw):
        raise ArticleError(f"{source}: binary content, not text (is this the right file?)")
    try:
        return raw.decode("utf-8-sig"), warnings
    except UnicodeDecodeError:
        pass
    text, offsets = _utf8_replacing(raw)
    decoded = sum(1 for char in text if char > "\x7f" and char != "\ufffd")
    if decoded >= len(offsets):  # mostly UTF-8: a stray byte, not another encoding
        warnings.append(_replaced(offsets))
        return text, warnings
    try:
        windows = raw.decode("cp1252")
        warnings.append("not valid UTF-8; decoded as Windows-1252 (check accented characters)")
        return windows, warnings
    except UnicodeDecodeError:
        pass
    bad = len(offsets)
    if bad > max(3, len(text) // 100):
        raise ArticleError(f"{source}: cannot decode the text ({bad} undecodable characters); save it as UTF-8")
    warnings.append(_replaced(offsets))
    return text, warnings


_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")  # what the "surrogateescape" error handler makes of a bad byte


def _utf8_replacing(raw: bytes) -> tuple[str, list[int]]:
    """``raw`` as UTF-8 (after a byte order mark), each byte that does not decode replaced by U+FFFD, and the
    offsets of those bytes in ``raw``."""
    start = len(UTF8_BOM) if raw.startswith(UTF8_BOM) else 0
    escaped = raw[start:].decode("utf-8", "surrogateescape")
    offsets: list[int] = []
    offset, last = start, 0
    for match in _ESCAPED_BYTE.finditer(escaped):
        offset += len(escaped[last : match.start()].encode("utf-8"))
        offsets.append(offset)
        offset, last = offset + 1, match.end()
    return _ESCAPED_BYTE.sub("\ufffd", escaped), offsets


def _replaced(offsets: list[int], shown: int = 5) -> str:
    """The warning for bytes replaced by U+FFFD, naming where they were."""
    where = ", ".join(str(offset) for offset in offsets[:shown])
    more = f" and {len(offsets) - shown} more" if len(offsets) > shown else ""
    at = "at byte offset" if len(offsets) == 1 else "at byte offsets"
    return f"not valid UTF-8: {len(offsets)} undecodable byte(s) replaced with U+FFFD ({at} {where}{more})"


def _looks_binary(raw: bytes) -> bool:
    """The binary test ``decode_bytes`` applies (after UTF-32 and UTF-16, whose encodings are full of NUL bytes):
    a NUL byte anywhere in ``raw``, or over 5% control bytes in its first 8 KB."""
    return b"\x00" in raw or _control_share(raw[:SNIFF_BYTES]) > 0.05


CONTROL_BYTES = bytes(byte for byte in range(32) if byte not in (9, 10, 12, 13))


def _control_share(raw: bytes) -> float:
    if not raw:
        return 0.0
    return (len(raw) - len(raw.translate(None, CONTROL_BYTES))) / len(raw)


def read_capped(stream: BinaryIO, source: str) -> bytes:
    """The whole stream, or ArticleError when it is larger than ``MAX_FILE_BYTES``."""
    raw = stream.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:
        raise ArticleError(_too_large(source))
    return raw


def _too_large(source: str, what: str = "") -> str:
    subject = f"{source}: {what} " if what else f"{source}: "
    return f"{subject}larger than {MAX_FILE_BYTES // (1024 * 1024)} MB; not an article"


# ---------------------------------------------------------------- parsing one document


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


# ---------------------------------------------------------------- sources


class ByteStream(Protocol):
    """What the loaders read: a binary file, stdin, or a ``_Rewound`` stream."""

    def read(self, size: int = -1, /) -> bytes: ...

    def readline(self, size: int = -1, /) -> bytes: ...


class _Rewound:
    """A binary stream whose first bytes were already read (to sniff it), put back in front."""

    def __init__(self, head: bytes, rest: ByteStream) -> None:
        self._head = head
        self._pos = 0
        self._rest = rest

    def read(self, size: int = -1, /) -> bytes:
        if self._pos >= len(self._head):
            return self._rest.read(size)
        end = len(self._head) if size < 0 else min(len(self._head), self._pos + size)
        data = self._head[self._pos : end]
        self._pos = end
        if size < 0:
            return data + self._rest.read()
        return data if len(data) == size else data + self._rest.read(size - len(data))

    def readline(self, size: int = -1, /) -> bytes:
        if self._pos >= len(self._head):
            return self._rest.readline(size)
        newline = self._head.find(b"\n", self._pos)
        end = len(self._head) if newline < 0 else newline + 1
        if size >= 0:
            end = min(end, self._pos + size)
        line = self._head[self._pos : end]
        self._pos = end
        if line.endswith(b"\n") or self._pos < len(self._head) or len(line) == size:
            return line
        return line + self._rest.readline(-1 if size < 0 else size - len(line))


def iter_documents(raw: bytes, *, source: str, stem: str, suffix: str) -> Iterator[Article | LoadFailure]:
    """Turn the bytes of one whole file (or stdin) into articles, one failure per bad record."""
    try:
        kind = binary_format(raw)
        if kind:
            hint = "; extract its text first (e.g. pdftotext)" if kind == PDF else ""
            raise ArticleError(f"{source}: binary content ({kind}), not text{hint}")
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
    data = decode_json(text)
    if isinstance(data, BadJSON):
        raise ArticleError(f"{source}: {data}")
    for index, item_source, obj in json_items(data, source):
        default_id = stem if index is None else f"{stem}-{index}"
        try:
            yield parse_object(obj, source=item_source, default_id=default_id, warnings=list(warnings))
        except ArticleError as exc:
            yield LoadFailure(item_source, str(exc))


def _iter_jsonl(text: str, *, source: str, stem: str, warnings: list[str]) -> Iterator[Article | LoadFailure]:
    """JSONL already decoded whole (UTF-16 files, and stdin small enough to sniff whole)."""
    for number, line_source, value in json_lines(text, source):
        yield _jsonl_record(value, source=line_source, default_id=f"{stem}-{number}", warnings=warnings)


def _jsonl_record(obj: object, *, source: str, default_id: str, warnings: list[str]) -> Article | LoadFailure:
    """One decoded JSONL line (``source`` is ``file:N``) as an article, or its one failure."""
    if isinstance(obj, BadJSON):
        return LoadFailure(source, f"{source}: {obj}")
    try:
        return parse_object(obj, source=source, default_id=default_id, warnings=list(warnings))
    except ArticleError as exc:
        return LoadFailure(source, str(exc))


def iter_jsonl_lines(stream: ByteStream, *, source: str, stem: str) -> Iterator[Article | LoadFailure]:
    """Stream JSONL: one line in memory at a time, each decoded by ``decode_bytes`` on its own.

    Lines are split at ``\\n`` only. A blank line is skipped; a line that is binary, undecodable, not
    JSON, not an article object, or longer than ``MAX_FILE_BYTES`` is one failure (``file:N``) and
    the rest goes on. A stream with no non-blank line is one "empty" failure.
    """
    number = 0
    seen = False
    while line := stream.readline(MAX_FILE_BYTES + 1):
        number += 1
        line_source = f"{source}:{number}"
        if len(line) > MAX_FILE_BYTES and not line.endswith(b"\n"):
            while (rest := stream.readline(COUNT_CHUNK_BYTES)) and not rest.endswith(b"\n"):
                pass  # skip the rest of the over-long line without holding it
            seen = True
            yield LoadFailure(line_source, _too_large(line_source, "line"))
            continue
        if not line.strip():
            continue
        try:
            text, warnings = decode_bytes(line, line_source)
        except ArticleError as exc:
            seen = True
            yield LoadFailure(line_source, str(exc))
            continue
        text = text.rstrip("\r\n")
        if not text.strip():
            continue
        seen = True
        yield _jsonl_record(
            decode_json(text, line=True), source=line_source, default_id=f"{stem}-{number}", warnings=warnings
        )
    if not seen:
        yield LoadFailure(source, f"{source}: the file is empty")


def _lead_byte(head: bytes) -> bytes:
    """The first non-whitespace byte of ``head`` after a UTF-8 byte order mark (b"" if none)."""
    return head.removeprefix(UTF8_BOM).lstrip()[:1]


def _load_jsonl(stream: ByteStream, *, source: str, stem: str) -> Iterator[Article | LoadFailure]:
    """A ``.jsonl`` file, streamed (UTF-16 files, rare, are decoded whole under the size cap)."""
    head = stream.read(SNIFF_BYTES)
    if head.startswith(WIDE_BOMS):
        raw = head + stream.read(MAX_FILE_BYTES + 1 - len(head))
        if len(raw) > MAX_FILE_BYTES:
            yield LoadFailure(source, _too_large(source))
        else:
            yield from iter_documents(raw, source=source, stem=stem, suffix=".jsonl")
        return
    if _lead_byte(head) != b"{" and _looks_binary(head):
        # Not JSONL at all (a picture, an archive): one failure for the file, not one per "line".
        yield LoadFailure(source, f"{source}: binary content, not text (is this the right file?)")
        return
    yield from iter_jsonl_lines(_Rewound(head, stream), source=source, stem=stem)


def _read_to_content(stream: ByteStream, lines: list[bytes]) -> bytes:
    """Read lines (kept in ``lines``) up to the first non-blank one and return it; b"" at the end."""
    while line := stream.readline(MAX_FILE_BYTES + 1):
        lines.append(line)
        if line.strip():
            return line
    return b""


def _one_json_value(line: bytes) -> bool:
    try:
        text, _ = decode_bytes(line, "")
        json.loads(text)
    except (ArticleError, ValueError, RecursionError):
        return False
    return True


def load_stream(stream: ByteStream, *, source: str, stem: str, suffix: str) -> Iterator[Article | LoadFailure]:
    """Articles from a stream of one format (``suffix``), or sniffed from its content (``suffix == ""``).

    A sniffed stream whose first non-blank line is a whole JSON object followed by more lines is
    JSONL and is streamed; one that starts with ``{`` but is larger than ``MAX_FILE_BYTES`` cannot
    be a single document and is streamed as JSONL too. Anything else is read whole, capped, and
    sniffed as before (JSON, JSONL, HTML or text).
    """
    if suffix in JSONL_SUFFIXES:
        yield from _load_jsonl(stream, source=source, stem=stem)
        return
    lines: list[bytes] = []
    starts_object = False
    if suffix == "":
        first = _read_to_content(stream, lines)
        starts_object = _lead_byte(first) == b"{"
        if starts_object and first.endswith(b"\n") and _one_json_value(first) and _read_to_content(stream, lines):
            yield from iter_jsonl_lines(_Rewound(b"".join(lines), stream), source=source, stem=stem)
            return
    head = b"".join(lines)
    raw = head + stream.read(max(0, MAX_FILE_BYTES + 1 - len(head)))
    if len(raw) > MAX_FILE_BYTES:
        if suffix == "" and starts_object:
            yield from iter_jsonl_lines(_Rewound(raw, stream), source=source, stem=stem)
        else:
            yield LoadFailure(source, _too_large(source))
        return
    yield from iter_documents(raw, source=source, stem=stem, suffix=suffix)


# ---------------------------------------------------------------- which files


def is_labels_file(path: Path) -> bool:
    """An eval fixture labels file (``NAME.labels.json``): hand labels, never an article."""
    return path.name.lower().endswith(LABELS_SUFFIX)


def _file_keys(paths: Iterable[Path]) -> set[tuple[int, int]]:
    """(st_dev, st_ino) of the paths that exist now: the same test as ``os.path.samefile``."""
    keys = set()
    for path in paths:
        try:
            info = os.stat(path)
        except OSError:
            continue
        keys.add((info.st_dev, info.st_ino))
    return keys


def _is_one_of(path: Path, keys: set[tuple[int, int]]) -> bool:
    if not keys:
        return False
    try:
        info = os.stat(path)
    except OSError:
        return False
    return (info.st_dev, info.st_ino) in keys


@dataclass(frozen=True)
class Url:
    """A source argument that is a URL (fetched when read)."""

    url: str


def expand_sources(
    args: Iterable[str], *, exclude: Collection[Path] = (), warn: Callable[[str], None] | None = None
) -> Iterator[Path | str | Url | LoadFailure]:
    """Files, folders (recursively, supported suffixes only), glob patterns, URLs, and '-' for stdin.

    Folders and globs skip, silently, eval labels files and the files in ``exclude`` (the run's
    output files, compared as the same file on disk, whatever path names them). Named
    explicitly, either is a ``LoadFailure``. ``exclude`` is looked at as each argument is expanded.
    A file named twice (``a.txt ./a.txt``, a folder and a glob in it) is read once, with a warning.
    Names that are not UTF-8 are shown (and become sources) with their bad bytes as ``\\xNN``.
    An entry of a folder or glob named like an article that is no file to read (a symbolic link loop, a
    broken link, a named pipe: see ``sources.why_unreadable``) is skipped with one line to ``warn`` (by
    default on stderr); named explicitly, a loop or a broken link is a ``LoadFailure`` that says so.
    """
    warn = warn or _warn_on_stderr
    seen: set[tuple[int, int]] = set()  # the files yielded, as (st_dev, st_ino): each is read once

    def once(paths: Iterable[Path]) -> Iterator[Path]:
        for path in paths:
            key = next(iter(_file_keys([path])), None)
            if key is not None and key in seen:
                warn(f"{path_text(path)}: named more than once; read once")
                continue
            if key is not None:
                seen.add(key)
            yield path

    for named in expand(args, SUPPORTED_SUFFIXES):
        arg = path_text(named.arg) or "''"
        for odd in named.odd:
            warn(f"{path_text(odd)}: skipped: {why_unreadable(odd)}")
        if named.kind == "stdin":
            yield "-"
        elif named.kind == "url":
            yield Url(arg)
        elif named.kind == "folder":
            files = _articles_among(named.paths, exclude)
            if not files:
                yield LoadFailure(
                    arg, f"{arg}: folder has no article files ({', '.join(sorted(SUPPORTED_SUFFIXES - {''}))})"
                )
            yield from once(files)
        elif named.kind == "file":
            [path] = named.paths
            if _is_one_of(path, _file_keys(exclude)):
                yield LoadFailure(arg, f"{arg}: this is the output file of this run, not an article; not read")
            elif is_labels_file(path):
                yield LoadFailure(
                    arg, f"{arg}: this is an eval labels file ({LABELS_SUFFIX}), not an article; give its article file"
                )
            else:
                yield from once([path])
        elif named.kind == "glob":
            files = _articles_among(named.paths, exclude)
            if not named.paths and not named.odd:
                yield LoadFailure(arg, f"{arg}: no files match this pattern")
            elif not files and named.paths:
                yield LoadFailure(arg, f"{arg}: only eval labels files or this run's output files match this pattern")
            elif not files:
                yield LoadFailure(arg, f"{arg}: nothing this pattern matches can be read (see the warnings above)")
            yield from once(files)
        else:
            yield LoadFailure(arg, f"{arg}: {why_unreadable(named.arg)}")


def _warn_on_stderr(message: str) -> None:
    print(f"summarizer: warning: {message}", file=sys.stderr)


def _articles_among(paths: Iterable[Path], exclude: Collection[Path]) -> list[Path]:
    """``paths`` without eval labels files and the files in ``exclude`` (looked at now)."""
    keys = _file_keys(exclude)
    return [p for p in paths if not is_labels_file(p) and not _is_one_of(p, keys)]


def load_articles(
    args: Iterable[str],
    stdin: BinaryIO | None = None,
    *,
    exclude: Collection[Path] = (),
    warn: Callable[[str], None] | None = None,
) -> Iterator[Article | LoadFailure]:
    """Every article (or failure) the sources hold, lazily: a JSONL source is streamed line by line.

    ``exclude`` names files never to read (the ``--out`` file and its side files): skipped in
    folders and globs, a failure when named explicitly; ``warn`` hears about the entries skipped for
    another reason. See ``expand_sources``.
    """
    for item in expand_sources(args, exclude=exclude, warn=warn):
        if isinstance(item, LoadFailure):
            yield item
        elif isinstance(item, Url):
            yield from load_url(item.url)
        elif item == "-":
            if stdin is None:
                yield LoadFailure("stdin", "stdin: it is closed; nothing to read")
                continue
            try:
                yield from load_stream(stdin, source="stdin", stem="stdin", suffix="")
            except OSError as exc:
                yield LoadFailure("stdin", f"stdin: cannot read ({exc.strerror or exc})")
        else:
            assert isinstance(item, Path)
            yield from load_path(item)


def _suffix_of(path: Path) -> str:
    """The file's format by its suffix; "" (sniff the content) for a suffix the loader does not know."""
    suffix = path.suffix.lower()
    return suffix if suffix in SUPPORTED_SUFFIXES else ""


# ---------------------------------------------------------------- URLs

HTML_TYPES = ("text/html", "application/xhtml+xml")


def url_id(url: str) -> str:
    """An article id from a URL: the last segment of its path without its extension, else the host."""
    parts = urlsplit(url)
    segment = next((part for part in reversed(parts.path.split("/")) if part), "")
    stem = re.sub(r"\.[A-Za-z0-9]{1,5}\Z", "", segment)
    return re.sub(r"[^A-Za-z0-9._-]+", "-", stem or parts.hostname or "page").strip("-") or "page"


def load_url(url: str) -> Iterator[Article | LoadFailure]:
    """The article at an http(s) ``url``, read like an ``.html`` file (text/plain: like a ``.txt``), its ``url``
    the page's canonical one; or one failure saying why not (see ``summarizer.ingest.fetch``)."""
    from summarizer.config.secrets import redact
    from summarizer.ingest.fetch import fetch

    shown = redact(url)
    try:
        page = fetch(url)
    except ArticleError as exc:
        yield LoadFailure(shown, str(exc))
        return
    kind = binary_format(page.body)
    if (
        kind is None
        and page.media_type
        and page.media_type not in HTML_TYPES
        and not page.media_type.startswith("text/")
    ):
        kind = f"{page.media_type} content"
    if kind:
        yield LoadFailure(shown, f"{shown}: {kind}, not an article page (summarizer reads HTML and text)")
        return
    suffix = ".txt" if page.media_type.startswith("text/") and page.media_type not in HTML_TYPES else ".html"
    named = canonical_url(page.body.decode("utf-8", "replace")) if suffix == ".html" else None
    for item in iter_documents(page.body, source=shown, stem=url_id(page.url), suffix=suffix):
        if isinstance(item, Article):
            own = named or item.url
            canonical = urljoin(page.url, own) if own else page.url
            chosen = canonical if urlsplit(canonical).scheme in ("http", "https") else page.url
            item = replace(item, url=redact(chosen))  # no user:password@ or key= parameter reaches a record
        yield item


def load_path(path: Path) -> Iterator[Article | LoadFailure]:
    """One file's articles and failures (JSONL streamed, the rest read whole under the size cap).

    A named pipe is read as a stream (as ``<(zcat feed.jsonl.gz)`` is) when something writes to it; one with
    no writer within ``FIFO_WAIT_S`` is a failure, never a wait for a writer that may not come.
    """
    source = path_text(path)
    try:
        pipe = stat.S_ISFIFO(os.stat(path).st_mode)
        stream = _open_pipe(path) if pipe else path.open("rb")
    except OSError as exc:
        yield LoadFailure(source, f"{source}: cannot read ({exc.strerror or exc})")
        return
    if stream is None:
        yield LoadFailure(
            source,
            f"{source}: a named pipe with nothing writing to it (waited {FIFO_WAIT_S:g} s); "
            "start its writer first, or give a file",
        )
        return
    with stream:
        try:
            yield from load_stream(stream, source=source, stem=path_text(path.stem), suffix=_suffix_of(path))
        except OSError as exc:
            yield LoadFailure(source, f"{source}: cannot read ({exc.strerror or exc})")


class _Pipe(_Rewound):
    """A named pipe's stream, its first bytes put back, closed with ``with``."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        super().__init__(head, rest)
        self._file = rest

    def __enter__(self) -> _Pipe:
        return self

    def __exit__(self, *exc: object) -> None:
        self._file.close()


def _open_pipe(path: Path) -> _Pipe | None:
    """A named pipe opened without blocking on a writer; None when none came (see ``_pipe_head``)."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        head = _pipe_head(fd)
        if head == b"":
            os.close(fd)
            return None
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return _Pipe(head or b"", os.fdopen(fd, "rb"))


def _pipe_head(fd: int) -> bytes | None:
    """The first bytes of a named pipe opened without blocking: None when a writer holds it open without having
    written yet, b"" when no writer came within ``FIFO_WAIT_S`` (a read without a writer is at its end)."""
    deadline = time.monotonic() + FIFO_WAIT_S
    while True:
        try:
            head = os.read(fd, SNIFF_BYTES)
        except BlockingIOError:
            return None
        if head or time.monotonic() >= deadline:
            return head
        time.sleep(0.05)


def load_article(path: str | Path) -> Article:
    """Load exactly one article from a file; raise ArticleError otherwise (used by eval fixtures)."""
    results = list(load_path(Path(path)))
    if len(results) != 1:
        raise ArticleError(f"{path}: expected one article, found {len(results)}")
    if isinstance(results[0], LoadFailure):
        raise ArticleError(results[0].message)
    return results[0]


# ---------------------------------------------------------------- counting (a progress total)

# A newline that starts a blank line: only whitespace (as bytes.strip() sees it) up to the next newline.
_BLANK_LINE = re.compile(rb"\n[ \t\r\x0b\x0c]*(?=\n)")


def count_articles(args: Iterable[str], *, exclude: Collection[Path] = ()) -> int | None:
    """How many items (articles and failures) ``load_articles`` will yield, without loading them.

    ``None`` when stdin or another non-regular file (a pipe such as ``<(zcat feed.jsonl.gz)``) is
    among the sources: it can be read only once. Files count 1 each; a JSONL file counts its
    non-blank lines (bytes scanned in 1 MB chunks); a JSON array (capped at 20 MB) and a suffix-less
    file that sniffs as JSON/JSONL are parsed. It is exact except for JSONL lines blank only once
    decoded (non-ASCII whitespace) and files that change in between: a total for progress only.
    """
    args = list(args)
    if "-" in args:
        return None
    total = 0
    for item in expand_sources(args, exclude=exclude, warn=lambda _: None):  # load_articles says it
        if isinstance(item, LoadFailure | Url):
            total += 1
            continue
        assert isinstance(item, Path)
        try:
            if not stat.S_ISREG(os.stat(item).st_mode):
                return None
        except OSError:
            total += 1  # a failure to read it
            continue
        total += _count_path(item)
    return total


def _count_path(path: Path) -> int:
    suffix = _suffix_of(path)
    if suffix not in JSONL_SUFFIXES | JSON_SUFFIXES | {""}:
        return 1
    try:
        with path.open("rb") as stream:
            head = stream.read(SNIFF_BYTES)
            lead = _lead_byte(head)
            utf16 = head.startswith(WIDE_BOMS)
            if suffix in JSONL_SUFFIXES and not utf16:
                if lead != b"{" and _looks_binary(head):
                    return 1
                return _count_content_lines(head, stream) or 1
            if not (utf16 or lead == b"[" or (suffix == "" and lead == b"{")):
                return 1  # one document
            if os.fstat(stream.fileno()).st_size > MAX_FILE_BYTES:
                # too large to be one document: refused, unless it sniffs as JSONL (then streamed)
                return (_count_content_lines(head, stream) or 1) if suffix == "" and lead == b"{" else 1
            rewound = _Rewound(head, stream)
            return sum(1 for _ in load_stream(rewound, source=str(path), stem=path.stem, suffix=suffix))
    except OSError:
        return 1


def _count_content_lines(head: bytes, stream: ByteStream) -> int:
    """Non-blank lines in ``head`` + the rest of ``stream``, read in 1 MB chunks (flat memory)."""
    # Every newline starts a line; count those that start a non-blank one. A line seen only up to
    # the end of a chunk, with nothing but whitespace so far, is undecided: its newline is carried
    # into the next chunk (as the stream's start is, the start of its first line).
    count = 0
    carry = b"\n"
    chunk = head
    while chunk:
        data = carry + chunk
        last = data.rfind(b"\n")
        undecided = last >= 0 and not data[last + 1 :].strip()
        count += data.count(b"\n") - len(_BLANK_LINE.findall(data)) - undecided
        carry = b"\n" if undecided else b""
        chunk = stream.read(COUNT_CHUNK_BYTES)
    return count


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
