"""Every model answer, the records made from them, eval runs and provider batches, in SQLite under
SUMMARIZER_HOME.

Model answers are keyed by exactly what changes them (the pipeline's ``answer_key``: backend, base
URL, model, prompt and tool-schema hashes, the grounding code when re-asks are allowed, the article's text,
title and date, generation parameters, repeat index), so a re-run with nothing changed is served from here,
and a changed prompt misses. Migrations are named and append-only. API keys are never part of a key or a row.
The home's file modes are kept in ``private``, SQLite's failures put in words in ``failures``.
"""

from __future__ import annotations

import errno
import hashlib
import json
import sqlite3
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from summarizer.config.secrets import redact
from summarizer.errors import ConfigError, StoreReadOnly
from summarizer.record.basetypes import Usage
from summarizer.store.failures import SQLITE_CANTOPEN, read_only_message, store_error
from summarizer.store.private import DB_COMPANIONS, create_private_dirs, create_private_file, tighten

DB_NAME = "summarizer.db"


@dataclass(frozen=True)
class Migration:
    """One change of the store's tables, applied once and recorded by its name. The list only grows:
    a migration that shipped is never edited, removed or reordered (tests/test_store_migrations.py
    upgrades a store made by the previous release)."""

    name: str
    statements: tuple[str, ...]


MIGRATIONS: tuple[Migration, ...] = (
    # model answers and eval runs
    Migration(
        "answers-and-eval-runs",
        (
            """CREATE TABLE answers (
            id INTEGER PRIMARY KEY,
            cache_key TEXT NOT NULL,
            created TEXT NOT NULL,
            backend TEXT NOT NULL,
            model TEXT NOT NULL,
            prompt_name TEXT NOT NULL,
            prompt_hash TEXT NOT NULL,
            schema_version TEXT NOT NULL,
            article_sha256 TEXT NOT NULL,
            parameters TEXT NOT NULL,
            repeat INTEGER NOT NULL,
            answer TEXT,
            error TEXT,
            latency_s REAL,
            prompt_tokens INTEGER,
            completion_tokens INTEGER,
            calls INTEGER
            )""",
            """CREATE INDEX answers_by_key ON answers (cache_key, id)""",
            """CREATE TABLE eval_runs (
            id TEXT PRIMARY KEY,
            created TEXT NOT NULL,
            meta TEXT NOT NULL,
            result TEXT NOT NULL
            )""",
        ),
    ),
    # a model answer that never fit the schema is an outcome too, replayed like an answer; a backend
    # failure (server down, timeout) is not, and is asked again
    Migration(
        "answers-replay-error",
        ("""ALTER TABLE answers ADD COLUMN replay_error INTEGER NOT NULL DEFAULT 0""",),
    ),
    # the record made from an answer, so a warm run reads it instead of grounding and reading again
    Migration(
        "records",
        (
            """CREATE TABLE records (
            cache_key TEXT PRIMARY KEY,
            created TEXT NOT NULL,
            record TEXT NOT NULL
            )""",
        ),
    ),
    # provider batches (summarizer batch submit / status / collect): the batch, and the article behind
    # each of its requests, so that collect loads the same articles again and refuses changed ones
    Migration(
        "batches",
        (
            """CREATE TABLE batches (
            id TEXT PRIMARY KEY,
            created TEXT NOT NULL,
            updated TEXT NOT NULL,
            base_url TEXT,
            model TEXT NOT NULL,
            prompt_hash TEXT NOT NULL,
            input_file_id TEXT,
            state TEXT NOT NULL,
            sources TEXT NOT NULL,
            settings TEXT NOT NULL,
            detail TEXT NOT NULL
            )""",
            """CREATE TABLE batch_articles (
            batch_id TEXT NOT NULL REFERENCES batches (id),
            custom_id TEXT NOT NULL,
            position INTEGER NOT NULL,
            source TEXT NOT NULL,
            article_id TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            record_sha256 TEXT NOT NULL,
            PRIMARY KEY (batch_id, custom_id)
            )""",
            """CREATE INDEX batch_articles_by_request ON batch_articles (custom_id)""",
        ),
    ),
    # where the article of an answer was read from (file, URL, file:line), so `summarizer logs` can name it
    Migration("answers-article", ("""ALTER TABLE answers ADD COLUMN article TEXT""",)),
)


def cache_key(**parts: Any) -> str:
    """A stable hash of everything that changes a model's answer."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class Store:
    """The store at ``path``; with ``memory``, an empty one in memory that is gone at exit (``Store.open``'s
    stand-in for a store that cannot be written, for runs that ask no model); with ``read_only``, the store
    opened only to read it (``summarizer logs`` on a read-only file system), unchanged and unmigrated.

    Every failure of SQLite is raised as a ``StoreError`` that names the file and what to do (see
    ``store_error``); a damaged file is never replaced, since it holds paid answers.
    """

    def __init__(self, path: Path, *, memory: bool = False, read_only: bool = False) -> None:
        self.path = path
        self._lock = threading.Lock()
        if memory:
            self._db = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
            self._migrate()
            return
        if read_only:
            self._db = self._open_read_only()
            return
        companions = [path.with_name(path.name + suffix) for suffix in DB_COMPANIONS]
        try:
            # private before SQLite opens it: its -wal / -shm / -journal are created with the db's mode
            loose = create_private_dirs(path.parent, path.parent)
            if not create_private_file(path):
                loose += [path, *companions]
            tighten(loose)
        except OSError as exc:
            if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
                raise StoreReadOnly(read_only_message(path, exc.strerror or str(exc))) from exc
            raise ConfigError(f"cannot open the store at {path}: {exc} (set SUMMARIZER_HOME to move it)") from exc
        try:
            self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        except sqlite3.Error as exc:
            error = store_error(path, exc, opening=True)
            if error is None:
                raise
            raise error from exc
        try:
            with self._errors(opening=True):
                self._db.execute("PRAGMA busy_timeout=10000")
                self._db.execute("PRAGMA journal_mode=WAL")
            self._migrate()
        except BaseException:
            self._db.close()
            raise
        tighten(companions)  # in case the db could not be made private (another user's file)

    def _open_read_only(self) -> sqlite3.Connection:
        """A connection that never writes: ``mode=ro``, else (a WAL store on a read-only file system, whose
        shared-memory file cannot be made) ``immutable=1``, which is true of a file nobody can write."""
        db: sqlite3.Connection | None = None
        with self._errors(opening=True):
            for flag in ("mode=ro", "immutable=1"):
                db = sqlite3.connect(f"{self.path.absolute().as_uri()}?{flag}", uri=True, check_same_thread=False)
                try:
                    newer = {row[0] for row in db.execute("SELECT name FROM migrations")} - {m.name for m in MIGRATIONS}
                except sqlite3.OperationalError as exc:
                    db.close()
                    if flag == "immutable=1" or (getattr(exc, "sqlite_errorcode", 0) & 0xFF) != SQLITE_CANTOPEN:
                        raise
                    continue
                if newer:
                    db.close()
                    raise ConfigError(
                        f"{self.path} was upgraded by a newer summarizer (migrations {', '.join(sorted(newer))})"
                    )
                break
        assert db is not None
        return db

    @classmethod
    def open(cls, home: Path | None = None, *, scratch_if_read_only: bool = False) -> Store:
        """The store under ``home`` (SUMMARIZER_HOME). With ``scratch_if_read_only`` (a run that asks no model,
        so has nothing paid to keep), a store that cannot be written is replaced, for this run only, by an
        empty one in memory, with one warning line on stderr; else it is a ``StoreReadOnly`` error."""
        from summarizer.config.settings import default_home

        path = (home or default_home()) / DB_NAME
        try:
            return cls(path)
        except StoreReadOnly as exc:
            if not scratch_if_read_only:
                raise
            print(
                f"summarizer: warning: {exc}; this run stores nothing (no cached records, no saved runs)",
                file=sys.stderr,
            )
            return cls(path, memory=True)

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def _errors(self, *, opening: bool = False) -> Iterator[None]:
        """Raise SQLite's failures as ``store_error`` words them (a bug's, such as a misused API, unchanged)."""
        try:
            yield
        except sqlite3.Error as exc:
            error = store_error(self.path, exc, opening=opening)
            if error is None:
                raise
            raise error from exc

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        with self._lock, self._errors():
            yield self._db

    def _one(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        """The first row a read-only query finds, or None."""
        with self._reading() as db:
            row: tuple[Any, ...] | None = db.execute(sql, params).fetchone()
        return row

    def _all(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Every row a read-only query finds."""
        with self._reading() as db:
            rows: list[tuple[Any, ...]] = db.execute(sql, params).fetchall()
        return rows

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock, self._errors():
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
                self._db.execute("COMMIT")  # a full disk often fails here: rolled back below, not left open
            except BaseException:
                with suppress(sqlite3.Error):
                    self._db.execute("ROLLBACK")
                raise

    def _migrate(self) -> None:
        known = [migration.name for migration in MIGRATIONS]
        with self._transaction() as db:
            db.execute("CREATE TABLE IF NOT EXISTS migrations (id INTEGER PRIMARY KEY, applied TEXT NOT NULL)")
            if "name" not in {row[1] for row in db.execute("PRAGMA table_info(migrations)")}:
                # Stores made before migrations had names numbered them by list position.
                db.execute("ALTER TABLE migrations ADD COLUMN name TEXT")
                db.executemany("UPDATE migrations SET name = ? WHERE id = ?", [(n, i) for i, n in enumerate(known, 1)])
            done = {row[0] for row in db.execute("SELECT name FROM migrations")}
            newer = sorted(str(name) for name in done - set(known))
            if newer:
                raise ConfigError(
                    f"{self.path} was upgraded by a newer summarizer (migrations {', '.join(newer)}): "
                    "install that version, or point SUMMARIZER_HOME at another folder"
                )
            for migration in MIGRATIONS:
                if migration.name in done:
                    continue
                for statement in migration.statements:
                    db.execute(statement)
                db.execute("INSERT INTO migrations (name, applied) VALUES (?, ?)", (migration.name, now()))

    # ------------------------------------------------------------ model answers

    def cached_answer(self, key: str) -> dict[str, Any] | None:
        row = self._one(
            "SELECT answer, error, latency_s, prompt_tokens, completion_tokens, calls FROM answers "
            "WHERE cache_key = ? AND (answer IS NOT NULL OR replay_error = 1) ORDER BY id DESC LIMIT 1",
            (key,),
        )
        if row is None:
            return None
        answer, error, latency, prompt_tokens, completion_tokens, calls = row
        return {
            "answer": None if answer is None else json.loads(answer),
            "error": error,
            "latency_s": latency,
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "calls": calls,
        }

    def log_answer(
        self,
        key: str,
        *,
        identity: dict[str, Any],
        answer: Any | None,
        error: str | None,
        replay_error: bool = False,
        latency_s: float,
        usage: Usage,
        calls: int,
    ) -> None:
        with self._transaction() as db:
            db.execute(
                "INSERT INTO answers (cache_key, created, backend, model, prompt_name, prompt_hash, schema_version, "
                "article_sha256, parameters, repeat, answer, error, latency_s, prompt_tokens, completion_tokens, "
                "calls, replay_error, article) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    key,
                    now(),
                    identity["backend"],
                    identity["model"],
                    identity["prompt_name"],
                    identity["prompt_hash"],
                    identity["schema_version"],
                    identity["article_sha256"],
                    json.dumps(identity["parameters"], sort_keys=True),
                    identity["repeat"],
                    None if answer is None else json.dumps(answer),
                    None if error is None else redact(error),
                    latency_s,
                    usage.prompt_tokens,
                    usage.completion_tokens,
                    calls,
                    int(replay_error),
                    identity.get("article"),  # the article's source; not part of the cache key
                ),
            )

    def cached_record(self, key: str) -> str | None:
        """The stored record JSON (without its article metadata) made under ``key``."""
        row = self._one("SELECT record FROM records WHERE cache_key = ?", (key,))
        return None if row is None else row[0]

    def save_record(self, key: str, record_json: str) -> None:
        with self._transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO records (cache_key, created, record) VALUES (?, ?, ?)",
                (key, now(), record_json),
            )

    def count_answers(self) -> int:
        row = self._one("SELECT COUNT(*) FROM answers")
        return 0 if row is None else int(row[0])

    # ------------------------------------------------------------ eval runs

    def save_run(self, run_id: str, meta: dict[str, Any], result: dict[str, Any]) -> None:
        with self._transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO eval_runs (id, created, meta, result) VALUES (?, ?, ?, ?)",
                (
                    run_id,
                    meta.get("created") or now(),
                    redact(json.dumps(meta, default=str)),
                    redact(json.dumps(result, default=str)),
                ),
            )

    def load_run(self, run_id: str) -> dict[str, Any] | None:
        row = self._one("SELECT meta, result FROM eval_runs WHERE id = ?", (run_id,))
        return None if row is None else {"meta": json.loads(row[0]), "result": json.loads(row[1])}

    def list_runs(self, limit: int = 20) -> list[dict[str, Any]]:
        rows = self._all("SELECT meta FROM eval_runs ORDER BY created DESC, rowid DESC LIMIT ?", (limit,))
        return [json.loads(row[0]) for row in rows]

    # ------------------------------------------------------------ logs: read-only queries for `summarizer logs`
    # (summarizer/store/logs.py). Times are aware datetimes, ``since`` inclusive and ``until`` exclusive; ``prompt`` is
    # a prompt name or a prefix of its hash; ``limit`` None means all. Nothing here writes.

    @staticmethod
    def _log_filter(
        *,
        model: str | None = None,
        prompt: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        status: str | None = None,
        backend: str | None = None,
        columns: tuple[str, str, str] = ("model", "prompt_name", "prompt_hash"),
    ) -> tuple[str, list[Any]]:
        """The WHERE clause and its parameters; ``columns`` are the model, prompt name and hash expressions."""
        model_column, name_column, hash_column = columns
        clauses: list[str] = []
        params: list[Any] = []
        if model is not None:
            clauses.append(f"{model_column} = ?")
            params.append(model)
        if backend is not None:
            clauses.append("backend = ?")
            params.append(backend)
        if prompt is not None:
            clauses.append(f"({name_column} = ? OR substr({hash_column}, 1, ?) = ?)")
            params += [prompt, len(prompt), prompt.lower()]
        if since is not None:
            clauses.append("julianday(created) >= julianday(?)")
            params.append(since.astimezone(timezone.utc).isoformat())
        if until is not None:
            clauses.append("julianday(created) < julianday(?)")
            params.append(until.astimezone(timezone.utc).isoformat())
        if status is not None:
            clauses.append("answer IS NOT NULL" if status == "ok" else "answer IS NULL")
        return (" WHERE " + " AND ".join(clauses) if clauses else ""), params

    def answer_log(self, *, limit: int | None = 20, **filters: Any) -> list[dict[str, Any]]:
        """Logged answers, newest first (every row is a model request, never a cache hit), without the answer
        itself: ``ok`` says whether there was one. ``filters``: model, prompt, since, until, status, backend."""
        where, params = self._log_filter(**filters)
        columns = (
            "id, created, backend, model, prompt_name, prompt_hash, article_sha256, article, repeat, "
            "answer IS NOT NULL, error, replay_error, latency_s, prompt_tokens, completion_tokens, calls"
        )
        sql = f"SELECT {columns} FROM answers{where} ORDER BY julianday(created) DESC, id DESC"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        names = [name.strip() for name in columns.replace("answer IS NOT NULL", "ok").split(",")]
        rows = self._all(sql, params)
        return [dict(zip(names, row, strict=True)) for row in rows]

    def answer_log_totals(self, **filters: Any) -> list[dict[str, Any]]:
        """Sums over the matching answers, one row per backend, model and UTC day (``first``: its earliest time)."""
        where, params = self._log_filter(**filters)
        sql = (
            "SELECT backend, model, date(created) AS day, COUNT(*), SUM(calls), SUM(prompt_tokens), "
            f"SUM(completion_tokens), SUM(answer IS NULL), SUM(latency_s), MIN(created) FROM answers{where} "
            "GROUP BY backend, model, day ORDER BY day, backend, model"
        )
        names = (
            "backend", "model", "day", "answers", "calls", "prompt_tokens", "completion_tokens", "failed",
            "latency_s", "first",
        )  # fmt: skip
        rows = self._all(sql, params)
        return [dict(zip(names, row, strict=True)) for row in rows]

    def run_log(self, *, limit: int | None = 20, **filters: Any) -> list[dict[str, Any]]:
        """Saved eval runs, newest first: ``meta`` and ``usage`` (the run summary's tokens, calls and latency).
        ``filters``: model, prompt, since, until."""
        columns = (
            "json_extract(meta, '$.model')",
            "json_extract(meta, '$.prompt_name')",
            "json_extract(meta, '$.prompt_hash')",
        )
        where, params = self._log_filter(**filters, columns=columns)
        sql = f"SELECT id, meta FROM eval_runs{where} ORDER BY julianday(created) DESC, rowid DESC"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        usage_sql = "SELECT json_extract(result, '$.summary.usage') FROM eval_runs WHERE id = ?"
        with self._reading() as db:
            rows = db.execute(sql, params).fetchall()
            # read after the limit, run by run: a run's result holds every case and can be large
            usages = [db.execute(usage_sql, (run_id,)).fetchone()[0] for run_id, _ in rows]
        return [
            {"meta": json.loads(meta), "usage": json.loads(usage) if usage else None}
            for (_, meta), usage in zip(rows, usages, strict=True)
        ]

    # ------------------------------------------------------------ provider batches (summarizer/run/provider_batch.py)
    # A batch is recorded when it is submitted (or written with --dry-run), with what its requests were
    # built from, so that collect can load the same articles again and make records with the same setup.

    def save_batch(self, batch: dict[str, Any]) -> None:
        """Record a batch: ``id``, ``base_url`` (without credentials), ``model``, ``prompt_hash``,
        ``input_file_id``, ``state``, ``sources``, ``settings``, ``detail`` and ``articles`` (dicts with
        ``custom_id``, ``source``, ``article_id``, ``sha256``, ``record_sha256``)."""
        with self._transaction() as db:
            db.execute(
                "INSERT INTO batches (id, created, updated, base_url, model, prompt_hash, input_file_id, state, "
                "sources, settings, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    batch["id"],
                    batch.get("created") or now(),
                    now(),
                    batch.get("base_url"),
                    batch["model"],
                    batch["prompt_hash"],
                    batch.get("input_file_id"),
                    batch["state"],
                    json.dumps(batch["sources"]),
                    json.dumps(batch.get("settings") or {}, sort_keys=True),
                    json.dumps(batch.get("detail") or {}, sort_keys=True),
                ),
            )
            db.executemany(
                "INSERT INTO batch_articles (batch_id, custom_id, position, source, article_id, sha256, record_sha256) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (batch["id"], a["custom_id"], n, a["source"], a["article_id"], a["sha256"], a["record_sha256"])
                    for n, a in enumerate(batch["articles"])
                ],
            )

    def load_batch(self, batch_id: str) -> dict[str, Any] | None:
        """A recorded batch with its ``articles`` in submit order, or None."""
        with self._reading() as db:  # the batch and its articles read together
            row = db.execute(f"SELECT {_BATCH_COLUMNS} FROM batches WHERE id = ?", (batch_id,)).fetchone()
            articles = db.execute(
                "SELECT custom_id, source, article_id, sha256, record_sha256 FROM batch_articles "
                "WHERE batch_id = ? ORDER BY position",
                (batch_id,),
            ).fetchall()
        if row is None:
            return None
        names = ("custom_id", "source", "article_id", "sha256", "record_sha256")
        return {**_batch_row(row), "articles": [dict(zip(names, article, strict=True)) for article in articles]}

    def list_batches(self, limit: int | None = 20) -> list[dict[str, Any]]:
        """Recorded batches, newest first, without their articles."""
        sql = f"SELECT {_BATCH_COLUMNS} FROM batches ORDER BY created DESC, rowid DESC"
        params: list[Any] = []
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        rows = self._all(sql, params)
        return [_batch_row(row) for row in rows]

    def update_batch_state(self, batch_id: str, state: str, detail: dict[str, Any] | None = None) -> None:
        """The batch's latest state at the provider (and its counts and result files, in ``detail``)."""
        with self._transaction() as db:
            db.execute(
                "UPDATE batches SET state = ?, detail = COALESCE(?, detail), updated = ? WHERE id = ?",
                (state, None if detail is None else json.dumps(detail, sort_keys=True), now(), batch_id),
            )

    def batch_of_request(self, custom_id: str) -> str | None:
        """The id of the batch that holds the request ``custom_id`` (for results read from a file)."""
        row = self._one(
            "SELECT batch_id FROM batch_articles WHERE custom_id = ? ORDER BY rowid DESC LIMIT 1", (custom_id,)
        )
        return None if row is None else row[0]


_BATCH_COLUMNS = "id, created, updated, base_url, model, prompt_hash, input_file_id, state, sources, settings, detail"


def _batch_row(row: tuple[Any, ...]) -> dict[str, Any]:
    batch = dict(zip([name.strip() for name in _BATCH_COLUMNS.split(",")], row, strict=True))
    for name in ("sources", "settings", "detail"):
        batch[name] = json.loads(batch[name]) if batch[name] else ({} if name != "sources" else [])
    return batch
