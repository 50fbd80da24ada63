"""A stream of documents: the format chosen by suffix or sniffed, JSON read whole, JSONL line by line (each line
decoded and capped on its own, so memory stays flat whatever the file's size)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Protocol

from summarizer.errors import ArticleError
from summarizer.ingest.article import Article, LoadFailure
from summarizer.ingest.decoding import (
    MAX_FILE_BYTES,
    PDF,
    SNIFF_BYTES,
    UTF8_BOM,
    WIDE_BOMS,
    binary_format,
    decode_bytes,
    looks_binary,
    too_large,
)
from summarizer.ingest.documents import parse_html, parse_markdown, parse_object, parse_text
from summarizer.ingest.sources import (
    JSONL_SUFFIXES,
    BadJSON,
    decode_json,
    json_items,
    json_lines,
)

TEXT_SUFFIXES = {".txt", ".text", ""}
MARKDOWN_SUFFIXES = {".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm"}
JSON_SUFFIXES = {".json"}
COUNT_CHUNK_BYTES = 1024 * 1024  # the most read at once where a line or a count may be longer
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | MARKDOWN_SUFFIXES | HTML_SUFFIXES | JSON_SUFFIXES | JSONL_SUFFIXES


class ByteStream(Protocol):
    """What the loaders read: a binary file, stdin, or a ``Rewound`` stream."""

    def read(self, size: int = -1, /) -> bytes: ...

    def readline(self, size: int = -1, /) -> bytes: ...


class Rewound:
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
            yield LoadFailure(line_source, too_large(line_source, "line"))
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


def lead_byte(head: bytes) -> bytes:
    """The first non-whitespace byte of ``head`` after a UTF-8 byte order mark (b"" if none)."""
    return head.removeprefix(UTF8_BOM).lstrip()[:1]


def _load_jsonl(stream: ByteStream, *, source: str, stem: str) -> Iterator[Article | LoadFailure]:
    """A ``.jsonl`` file, streamed (UTF-16 files, rare, are decoded whole under the size cap)."""
    head = stream.read(SNIFF_BYTES)
    if head.startswith(WIDE_BOMS):
        raw = head + stream.read(MAX_FILE_BYTES + 1 - len(head))
        if len(raw) > MAX_FILE_BYTES:
            yield LoadFailure(source, too_large(source))
        else:
            yield from iter_documents(raw, source=source, stem=stem, suffix=".jsonl")
        return
    if lead_byte(head) != b"{" and looks_binary(head):
        # Not JSONL at all (a picture, an archive): one failure for the file, not one per "line".
        yield LoadFailure(source, f"{source}: binary content, not text (is this the right file?)")
        return
    yield from iter_jsonl_lines(Rewound(head, stream), source=source, stem=stem)


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
        starts_object = lead_byte(first) == b"{"
        if starts_object and first.endswith(b"\n") and _one_json_value(first) and _read_to_content(stream, lines):
            yield from iter_jsonl_lines(Rewound(b"".join(lines), stream), source=source, stem=stem)
            return
    head = b"".join(lines)
    raw = head + stream.read(max(0, MAX_FILE_BYTES + 1 - len(head)))
    if len(raw) > MAX_FILE_BYTES:
        if suffix == "" and starts_object:
            yield from iter_jsonl_lines(Rewound(raw, stream), source=source, stem=stem)
        else:
            yield LoadFailure(source, too_large(source))
        return
    yield from iter_documents(raw, source=source, stem=stem, suffix=suffix)
