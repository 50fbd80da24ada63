"""Inputs for every loader: what the sources named on a command line are, and the JSON values in a text.

Shared by the article loader (``summarizer.ingest.articles``) and the record loader (``summarizer.merge.loading``).
``expand`` says what each argument names; each loader decides what it skips and words its own failures.
``decode_json`` / ``json_items`` read a JSON document (one object, or a list of them) and ``json_lines``
JSON Lines, each value with where it stands (``file``, ``file[3]``, ``file:7``); text that does not decode
is a ``BadJSON`` saying why.
"""

from __future__ import annotations

import errno
import glob
import json
import os
import re
import stat
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

JSONL_SUFFIXES = {".jsonl", ".ndjson"}

SourceKind = Literal["stdin", "url", "folder", "file", "glob", "missing"]
URL_START = re.compile(r"\A[A-Za-z][A-Za-z0-9+.-]*://")


def is_url(arg: str) -> bool:
    """Whether a source argument is a URL (``scheme://``; a scheme other than http(s) is refused when read)."""
    return bool(URL_START.match(arg))


@dataclass(frozen=True)
class Named:
    """What one source argument names: stdin (``-``), a URL, a folder's files, one file, a glob's matches, or
    nothing."""

    arg: str
    kind: SourceKind
    paths: tuple[Path, ...] = ()
    odd: tuple[Path, ...] = ()  # in a folder or among a glob's matches: named like one of the files, yet not a
    # regular file one can read (a symbolic link loop, a broken link, a named pipe, a socket, a device)


def expand(
    args: Iterable[str],
    suffixes: Collection[str],
    *,
    globs: bool = True,
    file_test: Callable[[Path], bool] = Path.exists,
) -> Iterator[Named]:
    """Each argument, lazily, as what it names (see ``Named``).

    A folder names the files below it, recursively, whose lower-cased suffix is in ``suffixes``; a path
    that is not a folder names one file when ``file_test`` holds (``Path.exists`` takes pipes and devices
    too); else, with ``globs``, a pattern names the files it matches (``**`` recursively). Paths are sorted.
    """
    for arg in args:
        if arg == "-":
            yield Named(arg, "stdin")
            continue
        if arg == "":  # Path("") is the current folder: an unset shell variable must not read all of it
            yield Named(arg, "missing")
            continue
        if is_url(arg):
            yield Named(arg, "url")
            continue
        path = Path(arg)
        if path.is_dir():
            named = [p for p in path.rglob("*") if p.suffix.lower() in suffixes]
            files, odd = _split(named)
            yield Named(arg, "folder", files, odd)
        elif file_test(path):
            yield Named(arg, "file", (path,))
        elif globs and glob.has_magic(arg):
            files, odd = _split([Path(p) for p in glob.glob(arg, recursive=True)])
            yield Named(arg, "glob", files, odd)
        else:
            yield Named(arg, "missing")


def _split(paths: Iterable[Path]) -> tuple[tuple[Path, ...], tuple[Path, ...]]:
    """Sorted regular files (symbolic links to them included), and the odd entries (see ``Named.odd``); folders
    are neither."""
    files, odd = [], []
    for path in paths:
        if path.is_file():
            files.append(path)
        elif not path.is_dir():
            odd.append(path)
    return tuple(sorted(files)), tuple(sorted(odd))


def path_text(path: Path | str) -> str:
    """A path as text any output can hold: the bytes of a name that are not UTF-8 (which Python keeps as lone
    surrogates, and no UTF-8 file or JSON encoder takes) are written as ``\\xNN``."""
    text = str(path)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        try:
            return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        except UnicodeEncodeError:
            return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def why_unreadable(name: Path | str) -> str:
    """Why ``path``, which is not a regular file or a folder, cannot be read as one: "a symbolic link loop",
    "a broken symbolic link (to X)", "a named pipe (FIFO)", ..., or "no such file or folder"."""
    if name == "":
        return "an empty name, not a file (an unset shell variable?); nothing read"
    path = Path(name)
    try:
        info = os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "a symbolic link loop (too many levels of symbolic links)"
        if path.is_symlink():
            try:
                return f"a broken symbolic link (to {path_text(os.readlink(path))}, which does not exist)"
            except OSError:
                return "a broken symbolic link"
        if exc.errno in (errno.ENOENT, errno.ENOTDIR):
            return "no such file or folder"
        return f"cannot read it ({exc.strerror or exc})"
    if stat.S_ISFIFO(info.st_mode):
        return "a named pipe (FIFO), not a file"
    if stat.S_ISSOCK(info.st_mode):
        return "a socket, not a file"
    if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode):
        return "a device, not a file"
    if stat.S_ISDIR(info.st_mode):
        return "a folder"
    return "not a regular file"


@dataclass(frozen=True)
class BadJSON:
    """Text that does not decode as JSON, and why, in words."""

    reason: str
    error: json.JSONDecodeError | None = None  # None when it is nested too deeply to decode

    def __str__(self) -> str:
        return self.reason


def decode_json(text: str, *, line: bool = False) -> object:
    """One JSON document, or a ``BadJSON``: "invalid JSON at line 2 column 5: Expecting value"; with ``line``,
    one JSON Lines value (the line is named by the caller): "invalid JSON (Expecting value at column 5)"."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        if line:
            return BadJSON(f"invalid JSON ({exc.msg.removesuffix(' at')} at column {exc.colno})", exc)
        return BadJSON(f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}", exc)
    except RecursionError:
        return BadJSON("invalid JSON (nested too deeply)")


def json_items(data: object, where: str) -> Iterator[tuple[int | None, str, object]]:
    """The objects of a decoded JSON document: a list's items (index, ``where[index]``), else itself (None)."""
    if isinstance(data, list):
        for index, item in enumerate(data):
            yield index, f"{where}[{index}]", item
    else:
        yield None, where, data


def json_lines(text: str, where: str) -> Iterator[tuple[int, str, object]]:
    """Each non-blank line of ``text``: its number, ``where:number`` and its value (see ``decode_json``)."""
    for number, text_line in enumerate(text.splitlines(), start=1):
        if text_line.strip():
            yield number, f"{where}:{number}", decode_json(text_line, line=True)
