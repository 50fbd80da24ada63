"""Read records (and merged events) from JSON / JSONL files, folders or stdin.

A JSON file holds one object or a list; a JSONL file one object per line. An object with
``"kind": "merged_event"`` is a merged event, anything else must be a ``Record``. A bad
line or item is reported as ``file:line`` (``file[index]`` in a JSON list) and the rest of
the file is still read.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from pydantic import ValidationError

from summarizer.merge.models import MergedEvent
from summarizer.record import Record

JSONL_SUFFIXES = {".jsonl", ".ndjson"}
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
    errors = exc.errors()
    parts = [f"{'.'.join(str(p) for p in e['loc']) or '(root)'}: {e['msg']}" for e in errors[:limit]]
    more = f" (+{len(errors) - limit} more)" if len(errors) > limit else ""
    return "; ".join(parts) + more


def parse_text(text: str, where: str, jsonl: bool | None = None) -> Iterator[Loaded | LoadProblem]:
    """Every record in one file's text. ``jsonl=None`` sniffs: valid JSON as a whole, else lines."""
    if not text.strip():
        yield LoadProblem(where, "empty input, no records")
        return
    if jsonl is not True:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            if jsonl is False or not _looks_like_jsonl(text, exc):
                yield LoadProblem(where, f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}")
                return
        else:
            items = data if isinstance(data, list) else [data]
            for index, obj in enumerate(items):
                item_where = f"{where}[{index}]" if isinstance(data, list) else where
                yield _parse_or_problem(obj, item_where)
            return
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield LoadProblem(f"{where}:{number}", f"invalid JSON ({exc.msg} at column {exc.colno})")
            continue
        yield _parse_or_problem(obj, f"{where}:{number}")


def _looks_like_jsonl(text: str, exc: json.JSONDecodeError) -> bool:
    """Several JSON documents, one per line (not one broken pretty-printed document)."""
    if exc.msg.startswith("Extra data"):
        return True
    first = next((line for line in text.splitlines() if line.strip()), "")
    try:
        json.loads(first)
    except json.JSONDecodeError:
        return False
    return True


def _parse_or_problem(obj: object, where: str) -> Loaded | LoadProblem:
    try:
        return parse_object(obj)
    except ValueError as exc:
        return LoadProblem(where, str(exc))


def _expand(args: Iterable[str]) -> Iterator[Path | str | LoadProblem]:
    for arg in args:
        path = Path(arg)
        if arg == "-":
            yield "-"
        elif path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in INPUT_SUFFIXES)
            if not files:
                yield LoadProblem(arg, "folder has no .json / .jsonl files")
            yield from files
        elif path.is_file():
            yield path
        else:
            yield LoadProblem(arg, "no such file or folder")


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
