"""Read records (and merged events) from JSON / JSONL files, folders or stdin.

A JSON file holds one object or a list; a JSONL file one object per line. An object with
``"kind": "merged_event"`` is a merged event, anything else must be a ``Record``. A bad
line or item is reported as ``file:line`` (``file[index]`` in a JSON list) and the rest of
the file is still read.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from pydantic import ValidationError

from summarizer.errors import validation_errors
from summarizer.ingest.sources import JSONL_SUFFIXES, BadJSON, decode_json, expand, json_items, json_lines
from summarizer.record import Record
from summarizer.record.merged import MergedEvent

INPUT_SUFFIXES = {".json", *JSONL_SUFFIXES}

Loaded = Record | MergedEvent


@dataclass(frozen=True)
class LoadProblem:
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


def parse_object(obj: object) -> Loaded:
    """A record or merged event from decoded JSON; raises ValueError with a readable message."""
    if not isinstance(obj, dict):
        raise ValueError(f"expected a JSON object (a record), got {type(obj).__name__}")
    model = MergedEvent if obj.get("kind") == "merged_event" else Record
    try:
        return model.model_validate(obj)
    except ValidationError as exc:
        raise ValueError(f"not a valid {model.__name__}: {validation_summary(exc)}") from exc


def validation_summary(exc: ValidationError, limit: int = 3) -> str:
    errors = validation_errors(exc, "(root)")
    more = f" (+{len(errors) - limit} more)" if len(errors) > limit else ""
    return "; ".join(errors[:limit]) + more


def parse_text(text: str, where: str, jsonl: bool | None = None) -> Iterator[Loaded | LoadProblem]:
    """Every record in one file's text. ``jsonl=None`` sniffs: valid JSON as a whole, else lines."""
    if not text.strip():
        yield LoadProblem(where, "empty input, no records")
        return
    if jsonl is not True:
        data = decode_json(text)
        if not isinstance(data, BadJSON):
            for _, item_where, obj in json_items(data, where):
                yield _parse_or_problem(obj, item_where)
            return
        if jsonl is False or not _looks_like_jsonl(text, data):
            yield LoadProblem(where, str(data))
            return
    for _, line_where, obj in json_lines(text, where):
        yield LoadProblem(line_where, str(obj)) if isinstance(obj, BadJSON) else _parse_or_problem(obj, line_where)


def _looks_like_jsonl(text: str, bad: BadJSON) -> bool:
    """Several JSON documents, one per line (not one broken pretty-printed document)."""
    if bad.error is not None and bad.error.msg.startswith("Extra data"):
        return True
    first = next((line for line in text.splitlines() if line.strip()), "")
    return not isinstance(decode_json(first), BadJSON)


def _parse_or_problem(obj: object, where: str) -> Loaded | LoadProblem:
    try:
        return parse_object(obj)
    except ValueError as exc:
        return LoadProblem(where, str(exc))


def _expand(args: Iterable[str]) -> Iterator[Path | str | LoadProblem]:
    """Files, folders (recursively, .json / .jsonl only) and '-' for stdin; no glob patterns (the shell's)."""
    for named in expand(args, INPUT_SUFFIXES, globs=False, file_test=Path.is_file):
        if named.kind == "stdin":
            yield "-"
        elif named.kind == "folder":
            if not named.paths:
                yield LoadProblem(named.arg, "folder has no .json / .jsonl files")
            yield from named.paths
        elif named.kind == "file":
            yield from named.paths
        elif named.kind == "url":
            yield LoadProblem(named.arg, "merge reads records, not pages: summarize the page first")
        else:
            yield LoadProblem(named.arg, "no such file or folder")


def load_inputs(args: Iterable[str], stdin: BinaryIO | None = None) -> Iterator[Loaded | LoadProblem]:
    """Records and merged events from files, folders and '-' (stdin), with a problem per bad input."""
    for item in _expand(args):
        if isinstance(item, LoadProblem):
            yield item
            continue
        if item == "-":
            if stdin is None:
                yield LoadProblem("stdin", "no input stream")
                continue
            raw, where, jsonl = stdin.read(), "stdin", None
        else:
            assert isinstance(item, Path)
            where = str(item)
            try:
                raw = item.read_bytes()
            except OSError as exc:
                yield LoadProblem(where, f"cannot read ({exc.strerror or exc})")
                continue
            jsonl = True if item.suffix.lower() in JSONL_SUFFIXES else None
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            yield LoadProblem(where, "not UTF-8 text; records are written as UTF-8 JSON")
            continue
        yield from parse_text(text, where, jsonl)
