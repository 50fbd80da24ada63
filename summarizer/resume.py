"""Resuming a batch: records already in a JSONL output file are not summarized again."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Protocol


class _Identity(Protocol):
    backend_name: str
    model_name: str

    @property
    def prompt(self) -> object: ...


def already_done(out: Path, summarizer: _Identity) -> set[str]:
    """Article hashes with a record in ``out`` from the same backend, model and prompt version."""
    if not out.exists():
        return set()
    prompt_hash = getattr(summarizer.prompt, "hash", None)
    done: set[str] = set()
    with out.open(encoding="utf-8", errors="replace") as lines:
        for line in lines:
            try:
                record = json.loads(line)
                provenance = record["provenance"]
                if (provenance["backend"], provenance["model"], provenance["prompt_hash"]) == (
                    summarizer.backend_name,
                    summarizer.model_name,
                    prompt_hash,
                ):
                    done.add(record["article"]["sha256"])
            except (json.JSONDecodeError, KeyError, TypeError):
                continue  # a torn last line from an interrupted run is simply redone
    return done


def append_line(out: Path, line: str) -> None:
    """Append one record and flush it, so an interrupted batch keeps everything finished so far."""
    out.parent.mkdir(parents=True, exist_ok=True)
    needs_newline = out.exists() and out.stat().st_size > 0 and not out.read_bytes().endswith(b"\n")
    with out.open("a", encoding="utf-8") as handle:
        handle.write(("\n" if needs_newline else "") + line + "\n")
        handle.flush()
