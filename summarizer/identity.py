"""Versions computed from the code itself: a hash of the files in the packages that do a job, found by folder.

A stored answer, record or trust profile is reused only by the code that made it. The packages that make a
record are named here once, by folder: a module added to one of them counts by where it sits, with no list of
file names to keep and no version number to bump by hand.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

PACKAGE = Path(__file__).parent
# The packages whose code decides what a record says, in data-flow order; the top-level modules (the pipeline
# that runs them, errors, once) count with them. Views, the store, runners, evals, merge and the CLI do not.
RECORD_MAKING = ("config", "record", "text", "ingest", "model", "ground", "reader", "combine")
GROUNDING = ("text", "ground")  # what decides which answers pass grounding, and so the re-asks
READING = ("text", "ground", "reader")  # what decides what the reader finds
STEERED = "combine"  # the combining of the two sources, which a trust profile steers and is measured without


@functools.cache
def code_hash(parts: tuple[str, ...], *, top_level: bool = False) -> str:
    """A 16-hex hash of every ``.py`` file under the folders of ``parts`` and of its module paths (and of the
    modules directly in the package when ``top_level``), by path and content."""
    files = [path for part in parts for path in _modules(PACKAGE / part)]
    if top_level:
        files += PACKAGE.glob("*.py")
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(path.relative_to(PACKAGE).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def _modules(path: Path) -> list[Path]:
    if path.suffix == ".py":
        return [path]  # a missing module is an error here, not a hash that silently leaves it out
    if not path.is_dir():
        raise FileNotFoundError(path)
    return list(path.rglob("*.py"))


def grounding_version() -> str:
    return code_hash(GROUNDING)


def reader_version() -> str:
    return code_hash(READING)


def record_code_version() -> str:
    """The code that turns an answer into a record (without the spaCy pipeline, which ``pipeline`` adds)."""
    return code_hash(RECORD_MAKING, top_level=True)


def measured_code_version() -> str:
    """The code a trust profile's measurements depend on: all that makes a record but the combining it steers."""
    return code_hash(tuple(folder for folder in RECORD_MAKING if folder != STEERED), top_level=True)
