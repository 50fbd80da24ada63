"""Store migrations are named and append-only: a store made by the previous release opens, keeps every row
and gains what is new; a store upgraded by a newer release is refused with a clear message."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from summarizer.errors import ConfigError
from summarizer.store.database import DB_NAME, MIGRATIONS, Store

RELEASE_0_1_0 = Path(__file__).parent / "data" / "stores" / "release-0.1.0.sql"
# The names of the migrations that shipped, in order: a migration is never renamed, removed or reordered.
SHIPPED = ["answers-and-eval-runs", "answers-replay-error", "records", "batches"]


def old_store(home: Path) -> Path:
    home.mkdir(mode=0o700)
    path = home / DB_NAME
    db = sqlite3.connect(path)
    db.executescript(RELEASE_0_1_0.read_text(encoding="utf-8"))
    db.close()
    path.chmod(0o600)
    return path


def test_migrations_only_grow() -> None:
    names = [migration.name for migration in MIGRATIONS]
    assert names[: len(SHIPPED)] == SHIPPED
    assert len(set(names)) == len(names)
    assert all(migration.statements for migration in MIGRATIONS)


def test_a_store_of_the_previous_release_upgrades_and_keeps_everything(tmp_path: Path) -> None:
    home = tmp_path / "home"
    old_store(home)
    store = Store.open(home)
    assert store.cached_answer("key-1")["answer"] == {"event_type": "other"}
    assert store.cached_answer("key-2")["error"] == "server said no"  # a replayed error stays replayed
    assert store.cached_record("rec-1") == '{"event": {}}'
    assert store.load_run("run-1")["meta"]["prompt"] == "default"
    assert store.load_batch("batch_1")["articles"][0]["custom_id"] == "c1"
    assert store.count_answers() == 2
    store.close()
    rows = sqlite3.connect(home / DB_NAME).execute("SELECT id, name FROM migrations ORDER BY id").fetchall()
    assert [name for _, name in rows] == [migration.name for migration in MIGRATIONS]
    assert [number for number, _ in rows[: len(SHIPPED)]] == list(range(1, len(SHIPPED) + 1))
    Store.open(home).close()  # opening again applies nothing twice
    again = sqlite3.connect(home / DB_NAME).execute("SELECT COUNT(*) FROM migrations").fetchone()[0]
    assert again == len(MIGRATIONS)


def test_a_fresh_store_records_every_migration_by_name(tmp_path: Path) -> None:
    Store.open(tmp_path / "home").close()
    names = sqlite3.connect(tmp_path / "home" / DB_NAME).execute("SELECT name FROM migrations ORDER BY id")
    assert [row[0] for row in names] == [migration.name for migration in MIGRATIONS]


def test_a_store_upgraded_by_a_newer_release_is_refused(tmp_path: Path) -> None:
    home = tmp_path / "home"
    Store.open(home).close()
    db = sqlite3.connect(home / DB_NAME)
    db.execute("INSERT INTO migrations (name, applied) VALUES ('from-the-future', '2030-01-01')")
    db.commit()
    db.close()
    with pytest.raises(ConfigError, match=r"upgraded by a newer summarizer .*from-the-future"):
        Store.open(home)
