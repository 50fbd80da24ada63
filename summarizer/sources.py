"""Inputs for every loader: what the sources named on a command line are, and the JSON values in a text.

Shared by the article loader (``summarizer.articles``) and the record loader (``summarizer.merge.loading``).
``expand`` says what each argument names; each loader decides what it skips and words its own failures.
``decode_json`` / ``json_items`` read a JSON document (one object, or a list of them) and ``json_lines``
JSON Lines, each value with where it stands (``file``, ``file[3]``, ``file:7``); text that does not decode
is a ``BadJSON`` saying why.
"""

from __future__ import annotations

import glob
import json
import re
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
        if is_url(arg):
            yield Named(arg, "url")
            continue
        path = Path(arg)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in suffixes)
            yield Named(arg, "folder", tuple(files))
        elif file_test(path):
            yield Named(arg, "file", (path,))
        elif globs and glob.has_magic(arg):
            matches = sorted(Path(p) for p in glob.glob(arg, recursive=True) if Path(p).is_file())
            yield Named(arg, "glob", tuple(matches))
        else:
            yield Named(arg, "missing")


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
