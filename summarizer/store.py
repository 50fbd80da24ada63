"""Every model answer and every eval run, in SQLite under SUMMARIZER_HOME.

Model answers are keyed by exactly what changes them (backend, base URL, model, prompt hash,
schema and grounding versions, article hash, generation parameters, repeat index), so a
re-run with nothing changed is served from here, and a changed prompt misses. Migrations are
numbered and append-only. API keys are never part of a key or a row.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from summarizer.errors import ConfigError
from summarizer.record import Usage

DB_NAME = "summarizer.db"

MIGRATIONS: list[str] = [
    # 1: model answers and eval runs
    """
    CREATE TABLE answers (
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
    );
    CREATE INDEX answers_by_key ON answers (cache_key, id);
    CREATE TABLE eval_runs (
        id TEXT PRIMARY KEY,
        created TEXT NOT NULL,
        meta TEXT NOT NULL,
        result TEXT NOT NULL
    );
    """,
    # 2: a model answer that never fit the schema is an outcome too, replayed like an answer; a backend
    # failure (server down, timeout) is not, and is asked again
    """
    ALTER TABLE answers ADD COLUMN replay_error INTEGER NOT NULL DEFAULT 0;
    """,
]


def cache_key(**parts: Any) -> str:
    """A stable hash of everything that changes a model's answer."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class Store:
    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise ConfigError(f"cannot open the store at {path}: {exc} (set SUMMARIZER_HOME to move it)") from exc
        self._lock = threading.Lock()
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA busy_timeout=10000")
        self._migrate()

    @classmethod
    def open(cls, home: Path | None = None) -> Store:
        from summarizer.config import default_home

        return cls((home or default_home()) / DB_NAME)

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _migrate(self) -> None:
        with self._transaction() as db:
            db.execute("CREATE TABLE IF NOT EXISTS migrations (id INTEGER PRIMARY KEY, applied TEXT NOT NULL)")
            done = {row[0] for row in db.execute("SELECT id FROM migrations")}
            for number, script in enumerate(MIGRATIONS, start=1):
                if number in done:
                    continue
                for statement in filter(str.strip, script.split(";")):
                    db.execute(statement)
                db.execute("INSERT INTO migrations (id, applied) VALUES (?, ?)", (number, now()))

    # ------------------------------------------------------------ model answers

    def cached_answer(self, key: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._db.execute(
                "SELECT answer, error, latency_s, prompt_tokens, completion_tokens, calls FROM answers "
                "WHERE cache_key = ? AND (answer IS NOT NULL OR replay_error = 1) ORDER BY id DESC LIMIT 1",
                (key,),
            ).fetchone()
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
                "calls, replay_error) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
                    error,
                    latency_s,
                    usage.prompt_tokens,
                    usage.completion_tokens,
                    calls,
                    int(replay_error),
                ),
            )

    def count_answers(self) -> int:
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM answers").fetchone()[0]

    # ------------------------------------------------------------ eval runs

    def save_run(self, run_id: str, meta: dict[str, Any], result: dict[str, Any]) -> None:
        with self._transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO eval_runs (id, created, meta, result) VALUES (?, ?, ?, ?)",
                (run_id, meta.get("created") or now(), json.dumps(meta, default=str), json.dumps(result, default=str)),
            )

    def load_run(self, run_id: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._db.execute("SELECT meta, result FROM eval_runs WHERE id = ?", (run_id,)).fetchone()
        return None if row is None else {"meta": json.loads(row[0]), "result": json.loads(row[1])}

    def list_runs(self, limit: int = 20) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._db.execute(
                "SELECT meta FROM eval_runs ORDER BY created DESC, rowid DESC LIMIT ?", (limit,)
            ).fetchall()
        return [json.loads(row[0]) for row in rows]
