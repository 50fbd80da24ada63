"""Versions computed from the code itself: a hash of the files in the packages that do a job, found by folder.

A stored record, a stored re-asked answer or a trust profile is reused only by the code that made it. The
packages that decide what a record says are named here once, by folder: a module added to one of them counts by
where it sits, with no list of file names to keep and no version number to bump by hand. ``model/backends``
(how a request reaches a model: clients, retries, the circuit breaker) decides nothing a record says and is left
out, as are the settings, the store, the views, the runners, the evals, merge and the CLI.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

PACKAGE = Path(__file__).parent
# The packages whose code decides what a record says, in data-flow order; the top-level modules (the pipeline
# that runs them, errors, once, this one) count with them.
RECORD_MAKING = ("record", "text", "ingest", "model", "ground", "reader", "combine")
TRANSPORT = ("model/backends",)  # how a request reaches a model: never what the answer or the record says
GROUNDING = ("text", "ground")  # what decides which values of an answer pass grounding
READING = ("text", "ground", "reader")  # what decides what the reader finds
# What the words of a re-ask depend on: grounding's and the schema's findings, the reader's gaps (essential
# fields, with the both strategy), the echo of the answer and the article as data (model, the pipeline).
REASKING = ("record", "text", "model", "ground", "reader")
STEERED = "combine"  # the combining of the two sources, which a trust profile steers and is measured without


@functools.cache
def code_hash(parts: tuple[str, ...], *, top_level: bool = False, leave_out: tuple[str, ...] = ()) -> str:
    """A 16-hex hash of every ``.py`` file under the folders of ``parts`` and of its module paths (and of the
    modules directly in the package when ``top_level``), by path and content; ``leave_out``: folders under
    them that are not hashed."""
    skipped = [PACKAGE / folder for folder in leave_out]
    files = [path for part in parts for path in _modules(PACKAGE / part)]
    if top_level:
        files += PACKAGE.glob("*.py")
    digest = hashlib.sha256()
    for path in sorted(files):
        if not any(path.is_relative_to(folder) for folder in skipped):
            digest.update(path.relative_to(PACKAGE).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def _modules(path: Path) -> list[Path]:
    if path.suffix == ".py":
        if not path.is_file():
            raise FileNotFoundError(path)  # a missing module is an error here, not a hash that leaves it out
        return [path]
    if not path.is_dir():
        raise FileNotFoundError(path)
    return list(path.rglob("*.py"))


def grounding_version() -> str:
    return code_hash(GROUNDING)


def reader_version() -> str:
    return code_hash(READING)


def reask_version() -> str:
    """The code a re-asked answer depends on (``REASKING`` and the pipeline that words the re-asks)."""
    return code_hash(REASKING, top_level=True, leave_out=TRANSPORT)


def record_code_version() -> str:
    """The code that turns an answer into a record (without the spaCy pipeline, which ``pipeline`` adds)."""
    return code_hash(RECORD_MAKING, top_level=True, leave_out=TRANSPORT)


def measured_code_version() -> str:
    """The code a trust profile's measurements depend on: all that makes a record but the combining it steers."""
    parts = tuple(folder for folder in RECORD_MAKING if folder != STEERED)
    return code_hash(parts, top_level=True, leave_out=TRANSPORT)
