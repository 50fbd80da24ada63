"""SQLite's failures on the store, in words a user can act on (and the exit code of their kind)."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from summarizer.errors import ConfigError, StoreDamaged, StoreError, StoreReadOnly, SummarizerError
from summarizer.store.private import DB_COMPANIONS

# Primary result codes (https://sqlite.org/rescode.html); an extended code keeps its primary one in its low byte.
SQLITE_PERM, SQLITE_READONLY, SQLITE_IOERR, SQLITE_CORRUPT, SQLITE_FULL, SQLITE_CANTOPEN, SQLITE_NOTADB = (
    3, 8, 10, 11, 13, 14, 26,
)  # fmt: skip


def store_error(path: Path, exc: sqlite3.Error, *, opening: bool = False) -> SummarizerError | None:
    """What a failure of SQLite on the store at ``path`` means to a user, in one line; None for a misuse of
    the API (a bug, kept as it is). ``opening``: while the store is opened (then an unknown failure is a
    ``ConfigError``, exit 2; during a run a ``StoreError``, exit 1).

    - not a database, or a damaged one: ``StoreDamaged``, never replaced (it holds paid answers);
    - read-only (the file, its folder or the file system): ``StoreReadOnly``;
    - the disk is full: ``StoreError`` (exit 1), which stops a run as the circuit breaker does.
    """
    if type(exc) not in (sqlite3.DatabaseError, sqlite3.OperationalError):
        return None  # IntegrityError, ProgrammingError, InterfaceError...: a bug, not the file
    code = (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF
    reason = str(exc)
    if code in (SQLITE_CORRUPT, SQLITE_NOTADB):
        return StoreDamaged(
            f"the store {path} is damaged ({reason}); it holds the stored model answers, so it is never replaced: "
            "move it aside or remove it to start a new store, or set SUMMARIZER_HOME to another folder"
        )
    if code == SQLITE_READONLY or (code in (SQLITE_PERM, SQLITE_CANTOPEN, SQLITE_IOERR) and not _writable(path)):
        return StoreReadOnly(read_only_message(path, reason))
    if code == SQLITE_FULL:
        return StoreError(
            f"cannot write to the store {path}: the disk is full ({reason}); stopping: free some space "
            "(or set SUMMARIZER_HOME to another disk), then run the same command again"
        )
    if opening:
        return ConfigError(f"cannot open the store at {path}: {reason} (set SUMMARIZER_HOME to move it)")
    return StoreError(f"cannot use the store {path}: {reason}; stopping (set SUMMARIZER_HOME to move it)")


def read_only_message(path: Path, reason: str) -> str:
    return (
        f"the store {path} cannot be written ({reason}): make it writable, or set SUMMARIZER_HOME to a folder that is"
    )


def _writable(path: Path) -> bool:
    """Whether the store's folder, and the db and its companions where they exist, can be written."""
    files = [path, *(path.with_name(path.name + suffix) for suffix in DB_COMPANIONS)]
    if not os.access(path.parent, os.W_OK | os.X_OK):
        return False
    return all(os.access(file, os.W_OK) for file in files if file.exists())
