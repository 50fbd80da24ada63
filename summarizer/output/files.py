"""The JSONL output file and its errors file: one job, putting lines on disk so that none is lost.

- ``check_output_path`` refuses, before any model call, an ``--out`` that cannot be a regular file we append
  to (a folder, a device such as /dev/full, a FIFO or socket, a path under a file, an unwritable folder).
- ``JsonlOutput`` is the append-only records file: locked against a second run writing to it, its torn last
  line (an interrupted run's) set aside on open, each record written whole with one ``os.write`` or not at
  all, and synced to disk.
- ``ErrorsFile`` is the failures file next to it (``out.errors.jsonl``), written by the same rules, and
  ``failed_sources`` tells ``--retry-failed`` which sources still have no record.
- ``write_document`` writes a whole ``.json`` / ``.md`` / ``.html`` output at once, whole or not at all, and
  ``write_stdout`` writes to stdout; both raise ``OutputError`` (one line, exit 1) when the disk is full or
  stdout is closed, full or gone.

Existing complete lines are never replaced, rewritten or truncated; only an unterminated tail is moved aside.
"""

from __future__ import annotations

import errno
import json
import os
import stat
import sys
import threading
import time
from collections.abc import Callable, Collection, Mapping
from contextlib import suppress
from datetime import datetime, timezone
from pathlib import Path
from types import TracebackType
from typing import Any

from pydantic_core import from_json

from summarizer.errors import ConfigError, OutputError

try:  # POSIX only; Windows is not a target, but the module still imports there
    import fcntl
except ImportError:  # pragma: no cover - exercised on Windows only
    HAVE_FCNTL = False
else:
    HAVE_FCNTL = True

# fsync of a 3 KB append measured 0.2 ms on the idle development VM (ext4 on virtio) and 3-4 ms while
# the machine was busy, over the 2 ms a record can afford, so syncing is batched: at most one fsync per
# FSYNC_INTERVAL seconds, a pending one FSYNC_INTERVAL later at most (a timer), and always at close.
# Records that come slower than that (every model call) are each synced as they are written.
# bench/bench_outfile.py measures both ways.
FSYNC_INTERVAL = 0.05
_CHUNK = 64 * 1024  # tail scan and torn-line copy step
_READ_BUFFER = 1 << 20  # done(): 1 MiB reads
_COMPLETE_TAIL_LIMIT = 16 * 1024 * 1024  # an unterminated tail up to this size is checked for a whole record
ERROR_FIELDS = ("id", "source", "sha256", "kind", "message", "attempts", "at", "traceback")


# ---------------------------------------------------------------- checking a path up front


def check_output_path(path: Path) -> None:
    """Raise ``ConfigError`` unless ``path`` is, or can be created as, a writable regular file."""
    try:
        info: os.stat_result | None = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        info = None  # missing, or under a file: the ancestors below say which
    except OSError as exc:
        raise ConfigError(f"cannot use {path} as the output file: {exc.strerror}; choose another --out") from exc
    if info is not None:
        _check_existing(path, info.st_mode)
        return
    # Not there yet: the nearest existing ancestor (of where a symlink points, if it is one) must be a
    # folder we can create entries in; the folders between are created on open.
    for ancestor in Path(os.path.realpath(path)).parents:
        try:
            mode = os.stat(ancestor).st_mode
        except (FileNotFoundError, NotADirectoryError):
            continue
        except OSError as exc:
            raise ConfigError(f"cannot create {path}: {ancestor}: {exc.strerror}; choose another --out") from exc
        if not stat.S_ISDIR(mode):
            raise ConfigError(f"cannot create {path}: {ancestor} is a file, not a folder; choose an --out outside it")
        if not os.access(ancestor, os.W_OK | os.X_OK):
            raise ConfigError(
                f"cannot create {path}: the folder {ancestor} is not writable; "
                "fix its permissions or choose another --out"
            )
        return


def _check_existing(path: Path, mode: int) -> None:
    if stat.S_ISDIR(mode):
        raise ConfigError(f"{path} is a folder; give --out a file name, such as {path / 'records.jsonl'}")
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        raise ConfigError(f"{path} is a device, not a file; give --out a regular file, or leave --out off for stdout")
    if stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode):
        raise ConfigError(f"{path} is a pipe or socket, not a file; give --out a regular file, or pipe stdout instead")
    if not stat.S_ISREG(mode):
        raise ConfigError(f"{path} is not a regular file; give --out a regular file")
    if not os.access(path, os.W_OK | os.R_OK):
        raise ConfigError(
            f"{path} is not both readable and writable (resuming reads it); fix its permissions or choose another --out"
        )


# ---------------------------------------------------------------- one append-only descriptor


def _counted(count: int, nouns: tuple[str, str]) -> str:
    return f"1 {nouns[0]} was" if count == 1 else f"{count} {nouns[1]} were"


class _Appender:
    """An O_APPEND descriptor: each line is one ``os.write`` (finished if short), cut back if it fails.

    fsync is batched by ``interval`` (0 syncs every line). Thread-safe.
    """

    def __init__(self, path: Path, fd: int, *, interval: float, nouns: tuple[str, str]) -> None:
        self.path = path
        self.fd: int | None = fd
        self.interval = interval
        self.nouns = nouns
        self.written = 0
        self.lock = threading.Lock()
        self._last_sync = float("-inf")
        self._dirty = False
        self._timer: threading.Timer | None = None
        self._sync_error: OSError | None = None

    def append(self, data: bytes) -> None:
        with self.lock:
            if self.fd is None:
                raise ValueError(f"{self.path} is closed")
            self._raise_sync_error()
            try:
                before = os.fstat(self.fd).st_size
            except OSError as exc:
                raise self._error(exc, "nothing was written") from exc
            try:
                view = memoryview(data)
                while view:
                    count = os.write(self.fd, view)
                    if count <= 0:  # never seen on a regular file; refuse to spin
                        raise OSError(0, "the file accepted no bytes")
                    view = view[count:]
                self._dirty = True
                if time.monotonic() - self._last_sync >= self.interval:
                    self._sync()
                else:
                    self._schedule()
            except OSError as exc:
                raise self._error(exc, self._cut_back(before)) from exc
            self.written += 1

    def close(self) -> None:
        """Sync what is pending and close; raises ``OutputError`` if the final sync fails."""
        with self.lock:
            if self._timer is not None:
                self._timer.cancel()  # a timer already waiting for the lock finds the file closed
                self._timer = None
            if self.fd is None:
                return
            fd, self.fd = self.fd, None
            try:
                if self._dirty:
                    os.fsync(fd)
                    self._dirty = False
            except OSError as exc:
                self._sync_error = exc
            finally:
                os.close(fd)
            self._raise_sync_error()

    def _sync(self) -> None:
        assert self.fd is not None
        os.fsync(self.fd)
        self._dirty = False
        self._last_sync = time.monotonic()

    def _schedule(self) -> None:
        if self._timer is None:
            delay = max(0.0, self.interval - (time.monotonic() - self._last_sync))
            self._timer = threading.Timer(delay, self._deferred_sync)
            self._timer.daemon = True
            self._timer.start()

    def _deferred_sync(self) -> None:
        with self.lock:
            self._timer = None
            if self.fd is None or not self._dirty:
                return
            try:
                self._sync()
            except OSError as exc:  # reported by the next append or by close
                self._sync_error = exc

    def _raise_sync_error(self) -> None:
        if self._sync_error is not None:
            exc, self._sync_error = self._sync_error, None
            raise self._error(exc, "the last lines written may not be on disk") from exc

    def _cut_back(self, size: int) -> str:
        """Truncate to ``size`` (the length before the failed write); say what was kept."""
        assert self.fd is not None
        try:
            os.ftruncate(self.fd, size)
        except OSError:
            return f"a partial line may be left at the end of {self.path} (the next run sets it aside)"
        return "nothing half-written was kept"

    def _error(self, exc: OSError, kept: str) -> OutputError:
        reason = exc.strerror or str(exc)
        return OutputError(
            f"cannot write to {self.path}: {reason}; {kept} ({_counted(self.written, self.nouns)} written in this run)"
        )


# ---------------------------------------------------------------- the records file


class JsonlOutput:
    """The append-only records file of a run, locked for the run's length (a context manager).

    Open it, read what it already holds with ``done``, then ``write`` one line per record from any thread.
    Each line reaches the file whole or not at all; fsync is batched (see ``FSYNC_INTERVAL``) and done at
    close, so a crash of the machine can lose the lines of about the last ``FSYNC_INTERVAL`` seconds (a line
    it tears is set aside by the next open); a crash of the process loses nothing written.
    """

    def __init__(self, path: Path, *, wait: bool = False, fsync_interval: float = FSYNC_INTERVAL) -> None:
        self.path = Path(path)
        self.wait = wait
        self.fsync_interval = fsync_interval
        self.repaired: str | None = None  # a one-line notice when open() set a torn last line aside
        self.unreadable_lines = 0  # lines the last done() could not read as records
        self._appender: _Appender | None = None
        self._read_fd: int | None = None
        self._written_when_closed = 0

    @property
    def written(self) -> int:
        """Lines written since the last open."""
        return self._appender.written if self._appender else self._written_when_closed

    def open(self) -> JsonlOutput:
        """Check the path, create its folders, open, lock, and set aside a torn last line."""
        if self._appender is not None:
            return self
        check_output_path(self.path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(f"cannot create the folder of {self.path}: {exc.strerror}; choose another --out") from exc
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        except OSError as exc:
            raise ConfigError(f"cannot open {self.path} for writing: {exc.strerror}; choose another --out") from exc
        read_fd: int | None = None
        try:
            _check_existing(self.path, os.fstat(fd).st_mode)  # the file opened, not the one checked before
            _lock(fd, self.path, wait=self.wait)
            try:
                read_fd = os.open(self.path, os.O_RDONLY)
            except OSError as exc:
                raise ConfigError(f"cannot read {self.path}: {exc.strerror}; choose another --out") from exc
            if not os.path.samestat(os.fstat(fd), os.fstat(read_fd)):
                raise ConfigError(f"{self.path} was replaced while it was being opened; run again")
            try:
                self.repaired = _repair_tail(self.path, fd, read_fd)
            except OSError as exc:
                raise OutputError(f"cannot repair the end of {self.path}: {exc.strerror}") from exc
        except BaseException:
            os.close(fd)
            if read_fd is not None:
                os.close(read_fd)
            raise
        self._read_fd = read_fd
        self._appender = _Appender(self.path, fd, interval=self.fsync_interval, nouns=("record", "records"))
        return self

    def done(self, identity: Callable[[dict[str, Any]], str | None]) -> set[str]:
        """The keys ``identity`` gives the file's records (None: not counted), reading the file once, streaming.

        Blank lines are ignored; lines that are not JSON objects, or on which ``identity`` raises KeyError or
        TypeError (not a record it can read), are skipped and counted in ``unreadable_lines``.
        """
        if self._read_fd is None:
            raise ValueError(f"open {self.path} before reading it")
        keys: set[str] = set()
        try:
            self._read_lines(identity, keys)
        except OSError as exc:
            raise OutputError(f"cannot read {self.path}: {exc.strerror}") from exc
        return keys

    def _read_lines(self, identity: Callable[[dict[str, Any]], str | None], keys: set[str]) -> None:
        assert self._read_fd is not None
        unreadable = 0
        with open(os.dup(self._read_fd), "rb", buffering=_READ_BUFFER) as lines:
            lines.seek(0)
            for line in lines:
                try:
                    record = from_json(line)  # pydantic's parser: 1.6-1.8x as fast as json.loads here
                except ValueError:  # not JSON, not UTF-8, or nested deeper than 200
                    if not line.isspace():
                        unreadable += 1
                    continue
                if not isinstance(record, dict):
                    unreadable += 1
                    continue
                try:
                    key = identity(record)
                except (KeyError, TypeError):
                    unreadable += 1
                    continue
                if key is not None:
                    keys.add(key)
        self.unreadable_lines = unreadable

    def write(self, line: str) -> None:
        """Append ``line`` (one JSON document, no newline) and a newline, whole or not at all.

        Raises ``OutputError`` (the file cut back to its length before this write) when the system refuses it.
        """
        if "\n" in line:
            raise ValueError("a JSONL line cannot contain a newline")
        if self._appender is None:
            raise ValueError(f"open {self.path} before writing to it")
        self._appender.append((line + "\n").encode("utf-8"))

    def close(self) -> None:
        """Sync, unlock and close; closing twice is harmless."""
        appender, self._appender = self._appender, None
        read_fd, self._read_fd = self._read_fd, None
        if read_fd is not None:
            os.close(read_fd)
        if appender is not None:
            self._written_when_closed = appender.written
            appender.close()  # closing the descriptor releases the lock

    def __enter__(self) -> JsonlOutput:
        return self.open()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def _lock(fd: int, path: Path, *, wait: bool) -> None:
    if not HAVE_FCNTL:  # pragma: no cover - Windows only
        raise ConfigError(f"cannot lock {path}: writing --out files needs a POSIX system")
    try:
        fcntl.flock(fd, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError as exc:
        raise ConfigError(
            f"another summarizer run is writing to {path}; wait for it to finish or use another --out"
        ) from exc
    except OSError as exc:
        raise ConfigError(f"cannot lock {path}: {exc.strerror}; put --out on a local disk") from exc


def _repair_tail(path: Path, fd: int, read_fd: int) -> str | None:
    """Make the file end with a newline; say what was done (None: it already did, or is empty).

    An unterminated tail that is a whole JSON object is a record that lost only its newline: the newline
    is added. Anything else is a torn line: copied to ``<name>.torn`` first, then cut off the output.
    """
    size = os.fstat(fd).st_size
    if size == 0 or os.pread(read_fd, 1, size - 1) == b"\n":
        return None
    start = _after_last_newline(read_fd, size)
    tail_size = size - start
    if tail_size <= _COMPLETE_TAIL_LIMIT and _is_json_object(os.pread(read_fd, tail_size, start)):
        try:
            _write_all(fd, b"\n")
            os.fsync(fd)
        except OSError as exc:
            os.ftruncate(fd, size)
            raise OutputError(f"cannot end the last line of {path} with a newline: {exc.strerror}") from exc
        return f"added the missing newline after the last record of {path}"
    torn = path.with_name(path.name + ".torn")
    _set_aside(read_fd, start, size, torn, path)
    os.ftruncate(fd, start)
    os.fsync(fd)
    return f"set aside a torn last line ({tail_size} bytes) from an interrupted run in {torn}"


def _after_last_newline(read_fd: int, size: int) -> int:
    """Offset just after the last b"\\n" (0 if none), scanning back from the end in chunks."""
    end = size
    while end > 0:
        begin = max(0, end - _CHUNK)
        found = os.pread(read_fd, end - begin, begin).rfind(b"\n")
        if found >= 0:
            return begin + found + 1
        end = begin
    return 0


def _is_json_object(data: bytes) -> bool:
    try:
        return isinstance(json.loads(data), dict)
    except (ValueError, RecursionError):
        return False


def _set_aside(read_fd: int, start: int, end: int, torn: Path, path: Path) -> None:
    """Append bytes ``start:end`` of the output and a newline to ``torn``, synced; cut back if that fails."""
    try:
        torn_fd = os.open(torn, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    except OSError as exc:
        raise OutputError(f"cannot set aside the torn last line of {path} in {torn}: {exc.strerror}") from exc
    try:
        before = os.fstat(torn_fd).st_size
        try:
            for offset in range(start, end, _CHUNK):
                _write_all(torn_fd, os.pread(read_fd, min(_CHUNK, end - offset), offset))
            _write_all(torn_fd, b"\n")
            os.fsync(torn_fd)
        except OSError as exc:
            os.ftruncate(torn_fd, before)
            raise OutputError(
                f"cannot set aside the torn last line of {path} in {torn}: {exc.strerror}; "
                "free some space and run again"
            ) from exc
    finally:
        os.close(torn_fd)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


# ---------------------------------------------------------------- the errors file


def errors_path(out: Path) -> Path:
    """The failures file of an output file: ``out.jsonl`` -> ``out.errors.jsonl``."""
    return out.with_name(out.stem + ".errors.jsonl")


class ErrorsFile:
    """The failures of a run, one JSON line each (``ERROR_FIELDS``), appended like records (a context manager).

    Opened on the first ``append``, so a clean run leaves no file. It is not locked itself: the output's
    lock covers it. A last line without its newline (an interrupted write) gets one before the next entry.
    """

    def __init__(self, path: Path, *, fsync_interval: float = FSYNC_INTERVAL) -> None:
        self.path = Path(path)
        self.fsync_interval = fsync_interval
        self._appender: _Appender | None = None
        self._needs_newline = False
        self._lock = threading.Lock()

    @classmethod
    def for_output(cls, out: Path) -> ErrorsFile:
        return cls(errors_path(out))

    def append(self, entry: Mapping[str, Any]) -> None:
        """Write one failure: ``source``, ``kind`` and ``message`` are required; ``at`` defaults to now (UTC)."""
        unknown = set(entry) - set(ERROR_FIELDS)
        missing = {"source", "kind", "message"} - set(entry)
        if unknown or missing:
            raise ValueError(f"error entry: unknown fields {sorted(unknown)}, missing fields {sorted(missing)}")
        line = json.dumps(
            {
                "id": entry.get("id"),
                "source": entry["source"],
                "sha256": entry.get("sha256"),
                "kind": entry["kind"],
                "message": entry["message"],
                "attempts": entry.get("attempts", 1),
                "at": entry.get("at") or datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
                **({"traceback": entry["traceback"]} if entry.get("traceback") else {}),
            },
            ensure_ascii=False,
        )
        with self._lock:
            appender = self._appender or self._open()
            prefix = b"\n" if self._needs_newline else b""
            appender.append(prefix + line.encode("utf-8") + b"\n")
            self._needs_newline = False

    def close(self) -> None:
        """Sync and close (nothing to do if nothing failed)."""
        with self._lock:
            appender, self._appender = self._appender, None
        if appender is not None:
            appender.close()

    def __enter__(self) -> ErrorsFile:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _open(self) -> _Appender:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        except OSError as exc:
            raise OutputError(f"cannot write to {self.path}: {exc.strerror}; failures are listed above") from exc
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise OutputError(f"cannot write to {self.path}: not a regular file; move it away and run again")
            if info.st_size:
                with open(self.path, "rb") as handle:
                    handle.seek(-1, os.SEEK_END)
                    self._needs_newline = handle.read(1) != b"\n"
        except BaseException:
            os.close(fd)
            raise
        self._appender = _Appender(self.path, fd, interval=self.fsync_interval, nouns=("entry", "entries"))
        return self._appender

    @staticmethod
    def read(path: Path) -> list[dict[str, Any]]:
        """The entries of an errors file, the latest per source (in the order those were written); [] if none."""
        try:
            mode = os.stat(path).st_mode
        except FileNotFoundError:
            return []
        if not stat.S_ISREG(mode):
            raise ConfigError(f"{path} is not a regular file; move it away and run again")
        latest: dict[str, dict[str, Any]] = {}
        with open(path, "rb", buffering=_READ_BUFFER) as lines:
            for line in lines:
                try:
                    entry = json.loads(line)
                except (ValueError, RecursionError):
                    continue
                if isinstance(entry, dict) and isinstance(entry.get("source"), str):
                    latest.pop(entry["source"], None)  # re-inserted: the order is that of the latest entries
                    latest[entry["source"]] = entry
        return list(latest.values())


def failed_sources(out: Path, done: Collection[str]) -> set[str]:
    """Sources whose latest failure in ``out``'s errors file has no record in ``done`` (article hashes)."""
    failed: set[str] = set()
    for entry in ErrorsFile.read(errors_path(out)):
        sha256 = entry.get("sha256")
        if not isinstance(sha256, str) or sha256 not in done:
            failed.add(entry["source"])
    return failed


# ---------------------------------------------------------------- a whole document, and stdout


def write_document(path: Path, text: str, *, replace: bool = False) -> None:
    """Write ``text`` (UTF-8) as the file ``path``, whole or not at all: it goes to a temporary file beside
    ``path``, synced, then moved into place; on any failure the temporary file is removed. Without
    ``replace``, a file that appeared at ``path`` in the meantime is kept, and that is an ``OutputError``."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create the folder of {path}: {exc.strerror or exc}; nothing was written") from exc
    temporary = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # the umask applies, as to any file
        try:
            _write_all(fd, text.encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)
        if replace:
            os.replace(temporary, path)
        else:
            _link_new(temporary, path)
    except FileExistsError as exc:
        raise OutputError(
            f"{path} appeared while the records were made; it is not replaced: choose another --out"
        ) from exc
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise OutputError(f"cannot write {path}: {reason}; nothing was written (no partial file is left)") from exc
    finally:
        with suppress(OSError):
            temporary.unlink(missing_ok=True)


def _link_new(temporary: Path, path: Path) -> None:
    """Give ``temporary``'s content the name ``path``, which must not exist (FileExistsError otherwise)."""
    try:
        os.link(temporary, path)  # atomic and never replaces
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EMLINK, errno.ENOSYS):
            raise
        if os.path.lexists(path):  # no hard links on this file system (FAT, some network ones): check, rename
            raise FileExistsError(errno.EEXIST, "File exists", str(path)) from exc
        os.rename(temporary, path)


def write_stdout(text: str) -> None:
    """``text`` on stdout, flushed. Raises ``OutputError`` when stdout is closed, full (``> /dev/full``) or gone
    (a closed pipe); stdout is then pointed at the null device, so that nothing is written half at exit."""
    stream = sys.stdout
    if stream is None:  # started with stdout closed (``>&-``)
        raise OutputError("cannot write to stdout: it is closed; redirect it to a file, or use --out")
    try:
        stream.write(text)
        stream.flush()
    except UnicodeEncodeError as exc:
        raise OutputError(
            f"cannot write to stdout: its encoding ({stream.encoding}) cannot show {exc.object[exc.start]!r}; "
            "set PYTHONIOENCODING=utf-8, or use --out"
        ) from exc
    except (OSError, ValueError) as exc:  # ValueError: "I/O operation on closed file"
        _silence_stdout()
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise OutputError(f"cannot write to stdout: {reason}; use --out to write to a file") from exc


def _silence_stdout() -> None:
    """Point stdout's descriptor at the null device: its unflushed buffer cannot fail again at exit."""
    try:
        fd = sys.stdout.fileno()
        null = os.open(os.devnull, os.O_WRONLY)
    except (OSError, ValueError, AttributeError):
        return
    try:
        os.dup2(null, fd)
    finally:
        os.close(null)
