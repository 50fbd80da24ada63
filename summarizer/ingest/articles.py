"""Load articles from files, folders, globs, JSON / JSONL, stdin and http(s) URLs: the entry points of ``ingest``.

Every source yields either an ``Article`` or a ``LoadFailure`` (``article``) so that one bad input never
stops a batch. Bytes become text in ``decoding`` (lenient where the text is still readable, and says so), a
stream becomes documents in ``streams`` (JSONL line by line, so memory stays flat whatever the file size; every
other document read whole, up to ``MAX_FILE_BYTES``), and a document becomes an ``Article`` in ``documents``.
Folder and glob expansion never feeds the run's own output files (``exclude``) or eval labels files
(``*.labels.json``) to the model; naming one explicitly is a ``LoadFailure``. ``count_articles`` is a cheap
pre-pass that gives a progress total without loading anything. A file with a suffix the loader does not know is
sniffed (JSON, JSONL, HTML or text); a document that is a known binary format by its first bytes (``%PDF-``, a
zip, an image, RTF) is refused whatever its name. A URL is fetched (``summarizer.ingest.fetch``) and read like an
``.html`` file; its record's ``url`` is canonical.
"""

from __future__ import annotations

import os
import re
import stat
import sys
import time
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urljoin, urlsplit

from summarizer.errors import ArticleError
from summarizer.ingest.article import Article, LoadFailure
from summarizer.ingest.decoding import MAX_FILE_BYTES, SNIFF_BYTES, WIDE_BOMS, binary_format, looks_binary
from summarizer.ingest.html_text import canonical_url
from summarizer.ingest.sources import (
    JSONL_SUFFIXES,
    expand,
    path_text,
    why_unreadable,
)
from summarizer.ingest.streams import (
    COUNT_CHUNK_BYTES,
    JSON_SUFFIXES,
    SUPPORTED_SUFFIXES,
    ByteStream,
    Rewound,
    iter_documents,
    lead_byte,
    load_stream,
)

# Eval fixture labels (evals/LABELLING.md): never an article, so never fed to the model.
LABELS_SUFFIX = ".labels.json"

FIFO_WAIT_S = 3.0  # how long a named pipe given as a source may take to get a writer


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


class _Pipe(Rewound):
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
            lead = lead_byte(head)
            utf16 = head.startswith(WIDE_BOMS)
            if suffix in JSONL_SUFFIXES and not utf16:
                if lead != b"{" and looks_binary(head):
                    return 1
                return _count_content_lines(head, stream) or 1
            if not (utf16 or lead == b"[" or (suffix == "" and lead == b"{")):
                return 1  # one document
            if os.fstat(stream.fileno()).st_size > MAX_FILE_BYTES:
                # too large to be one document: refused, unless it sniffs as JSONL (then streamed)
                return (_count_content_lines(head, stream) or 1) if suffix == "" and lead == b"{" else 1
            rewound = Rewound(head, stream)
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
