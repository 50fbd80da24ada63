"""Privacy of the home: the store and batch files are the user's alone (folders 0700, files 0600).

The store holds every model answer and error, and batch files the articles: the home folder is kept 0700
and what the program writes in it 0600. Files and folders are created with those modes (os.open / mkdir
with a mode, then chmod: never through the umask, which is process-wide); looser ones found at open are
tightened, with one notice on stderr. SQLite creates the db's -wal / -shm / -journal with the db file's
own mode, so the db is made 0600 before SQLite opens it. Nothing here runs on non-POSIX systems.
"""

from __future__ import annotations

import os
import stat
import sys
import threading
from pathlib import Path
from typing import TextIO

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
DB_COMPANIONS = ("-journal", "-wal", "-shm")
_reported: set[str] = set()  # paths already named in a notice or warning by this process
_reported_lock = threading.Lock()


def _posix() -> bool:
    return os.name == "posix"


def _is_under(path: Path, home: Path) -> bool:
    return path.resolve().is_relative_to(home.resolve())


def _first_report(path: Path) -> bool:
    """True the first time ``path`` is reported in this process."""
    key = str(path.absolute())
    with _reported_lock:
        if key in _reported:
            return False
        _reported.add(key)
        return True


def tighten(paths: list[Path]) -> None:
    """Make each existing path private (a folder 0700, a file 0600) if group or others have any access.

    What is tightened is named in one notice line on stderr, each path once per process; a path that
    cannot be chmod-ed (owned by another user) gets a warning instead of an error.
    """
    if not _posix():
        return
    tightened: dict[int, list[Path]] = {}
    for path in paths:
        try:
            info = os.stat(path)
        except FileNotFoundError:
            continue
        except OSError as exc:
            _warn(path, None, exc)
            continue
        if not stat.S_IMODE(info.st_mode) & 0o077:
            continue
        if stat.S_ISDIR(info.st_mode) and info.st_mode & stat.S_ISVTX:
            _warn(path, info, None)  # a shared folder such as /tmp: never made private
            continue
        mode = PRIVATE_DIR_MODE if stat.S_ISDIR(info.st_mode) else PRIVATE_FILE_MODE
        try:
            os.chmod(path, mode)
        except OSError as exc:
            _warn(path, info, exc)
            continue
        if _first_report(path):
            tightened.setdefault(mode, []).append(path)
    if tightened:
        count = sum(len(group) for group in tightened.values())
        groups = sorted(tightened.items(), reverse=True)  # the folder (0700) first
        parts = [f"{', '.join(map(str, group))} to {mode:04o}" for mode, group in groups]
        what = "it holds" if count == 1 else "they hold"
        print(f"summarizer: tightened permissions of {' and of '.join(parts)} ({what} model answers)", file=sys.stderr)


def _warn(path: Path, info: os.stat_result | None, exc: OSError | None) -> None:
    """One warning line for a path left readable by others (``exc`` None: a shared sticky folder)."""
    if not _first_report(path):
        return
    detail = "" if info is None else f" (mode {stat.S_IMODE(info.st_mode):04o}, owner uid {info.st_uid})"
    why = "a shared folder; set SUMMARIZER_HOME to a folder of its own" if exc is None else exc.strerror or exc
    print(
        f"summarizer: warning: cannot make {path}{detail} private: {why}; "
        "other users may read the model answers it holds",
        file=sys.stderr,
    )


def make_private_dirs(folder: Path, home: Path) -> None:
    """``mkdir -p folder``; the home and the folders under it are created (or tightened to) 0700.

    A folder outside ``home`` is created as ``mkdir`` would, with the umask.
    """
    tighten(create_private_dirs(folder, home))


def create_private_dirs(folder: Path, home: Path) -> list[Path]:
    """``make_private_dirs`` without the tightening: the folders that already existed, to tighten."""
    if not _posix() or not _is_under(folder, home):
        folder.mkdir(parents=True, exist_ok=True)
        return []
    folder, home = folder.resolve(), home.resolve()
    chain = [folder, *folder.parents]
    home.parent.mkdir(parents=True, exist_ok=True)
    existing = []
    for path in reversed(chain[: chain.index(home) + 1]):  # the home first
        try:
            path.mkdir(mode=PRIVATE_DIR_MODE)
        except FileExistsError:
            if not path.is_dir():
                raise
            existing.append(path)
        else:
            os.chmod(path, PRIVATE_DIR_MODE)  # the umask may have taken the owner's bits too
    return existing


def create_private_file(path: Path) -> bool:
    """Create ``path`` empty with mode 0600 if it does not exist (False when it already did)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
    except FileExistsError:
        return False
    try:
        if _posix():
            os.fchmod(fd, PRIVATE_FILE_MODE)  # exactly 0600 whatever the umask
    finally:
        os.close(fd)
    return True


def open_private(path: Path, home: Path) -> TextIO:
    """``path`` opened to write UTF-8 text (truncated); under ``home`` it is created, or tightened, 0600."""
    if _posix() and _is_under(path, home) and not create_private_file(path):
        tighten([path])
    return path.open("w", encoding="utf-8")
