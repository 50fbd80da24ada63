"""The store when it is damaged, read-only or full: one line naming the file and what to do, never a traceback,
never a replaced file (it holds paid answers), and a full store stops a batch as the circuit breaker does."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from mounts import tmpfs
from test_cli import TEXT, Fake, answer, article_file, assert_clean, install_fake, jsonl_records, run

from summarizer.cli.kit import SUMMARIZER_KEY
from summarizer.cli.root import cli
from summarizer.config.settings import Settings
from summarizer.errors import StoreDamaged, StoreError, StoreReadOnly
from summarizer.pipeline import Summarizer
from summarizer.store.database import DB_NAME, Store


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Fake:
    return install_fake(monkeypatch)


FIXTURES = Path(__file__).parent.parent / "evals" / "fixtures"


def one_line_error(result: Result) -> str:
    """The one ``Error: ...`` line of a failed command (and nothing that looks like a traceback)."""
    assert_clean(result)
    lines = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(lines) == 1, result.stderr
    return lines[0]


def real_store(home: Path) -> Path:
    """A store with content (so that truncating it leaves a damaged database, not an empty file)."""
    store = Store.open(home)
    for n in range(200):
        store.save_record(f"key-{n}", "x" * 500)
    store.close()
    return home / DB_NAME


def damage(db: Path, how: str) -> bytes:
    if how == "garbage":
        db.write_bytes(b"this is not a database, it is a shopping list\n" * 100)
    elif how == "truncated":
        data = db.read_bytes()
        db.write_bytes(data[: len(data) // 2])
    else:  # the first bytes only
        db.write_bytes(db.read_bytes()[:100])
    return db.read_bytes()


HOW = ["garbage", "truncated", "header-only"]


@pytest.mark.parametrize("how", HOW)
def test_a_damaged_store_is_one_line_in_summarize(tmp_path: Path, isolated_home: Path, how: str) -> None:
    before = damage(real_store(isolated_home), how)
    result = run("summarize", "--strategy", "reader", article_file(tmp_path))
    assert result.exit_code == 2
    line = one_line_error(result)
    assert str(isolated_home / DB_NAME) in line
    assert "never replaced" in line and "SUMMARIZER_HOME" in line and "remove it" in line
    assert (isolated_home / DB_NAME).read_bytes() == before  # not replaced, not repaired


@pytest.mark.parametrize("how", HOW)
def test_a_damaged_store_is_one_line_in_eval_and_batch_status_and_logs(isolated_home: Path, how: str) -> None:
    before = damage(real_store(isolated_home), how)
    for args in (
        ["eval", "--strategy", "reader", "--fixtures", str(FIXTURES), "--limit", "1"],
        ["eval", "runs"],
        ["batch", "status"],
        ["batch", "status", "--all"],
        ["logs"],
    ):
        result = run(*args)
        assert result.exit_code == 2, (args, result.output)
        line = one_line_error(result)
        assert str(isolated_home / DB_NAME) in line and "damaged" in line, (args, line)
    assert (isolated_home / DB_NAME).read_bytes() == before


def test_a_damaged_store_is_one_line_as_a_user_runs_it(tmp_path: Path, isolated_home: Path) -> None:
    """The console script in a subprocess: no traceback on its real stderr either."""
    damage(real_store(isolated_home), "garbage")
    done = subprocess.run(
        [sys.executable, "-m", "summarizer", "summarize", "--strategy", "reader", article_file(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr, done.stderr
    assert done.stderr.startswith(f"Error: the store {isolated_home / DB_NAME} is damaged")


def damage_last_pages(home: Path, pages: int = 12) -> None:
    """Corruption only a query finds: the last ``pages`` pages of the file overwritten, the schema intact."""
    db = home / DB_NAME
    data = bytearray(db.read_bytes())
    size = 4096  # SQLite's default page size
    data[len(data) - pages * size :] = b"\xff" * (pages * size)
    db.write_bytes(bytes(data))


def test_damage_found_by_a_query_is_the_same_one_line(isolated_home: Path) -> None:
    real_store(isolated_home)
    damage_last_pages(isolated_home)
    store = Store.open(isolated_home)  # opens: the damage is further in
    with pytest.raises(StoreDamaged, match=r"is damaged .*never replaced"):
        for n in range(200):
            store.cached_record(f"key-{n}")


def test_damage_found_during_a_run_stops_it_in_one_line(tmp_path: Path, isolated_home: Path) -> None:
    real_store(isolated_home)
    damage_last_pages(isolated_home)
    for n in range(5):
        article_file(tmp_path, f"a{n}.txt", f"Overnight, Russia launched {n + 12} drones at Odesa.")
    result = run("summarize", "--strategy", "reader", str(tmp_path), "--format", "json")
    assert result.exit_code == 2
    assert "is damaged" in one_line_error(result) and "FAILED" not in result.stderr


@pytest.mark.parametrize("command", ["status", "collect"])
def test_damage_found_by_batch_status_or_collect_is_one_line(isolated_home: Path, command: str) -> None:
    store = Store.open(isolated_home)
    articles = [
        {"custom_id": f"r{n}", "source": f"a{n}.txt", "article_id": f"a{n}", "sha256": "0" * 64, "record_sha256": "0"}
        for n in range(2000)
    ]
    store.save_batch(
        {"id": "batch_1", "model": "m", "prompt_hash": "p", "state": "validating", "sources": [], "articles": articles}
    )
    store.close()
    damage_last_pages(isolated_home, pages=20)
    result = run("batch", command, "batch_1")
    assert result.exit_code == 2
    assert "is damaged" in one_line_error(result)


# ---------------------------------------------------------------- read-only


@contextmanager
def read_only_home(home: Path) -> Iterator[Path]:
    """``home`` holding a real store, made read-only: a read-only tmpfs as root (who writes through any mode
    bits), else a folder and file without write permission. Skipped where neither can be made."""
    if hasattr(sys, "getwindowsversion"):
        pytest.skip("POSIX only")
    import os

    if os.geteuid() != 0:
        real_store(home)
        os.chmod(home / DB_NAME, 0o400)
        os.chmod(home, 0o500)
        try:
            yield home
        finally:
            os.chmod(home, 0o700)
        return
    mount, umount = shutil.which("mount"), shutil.which("umount")
    if mount is None or umount is None:
        pytest.skip("needs mount")
    home.mkdir(parents=True)
    done = subprocess.run([mount, "-t", "tmpfs", "-o", "size=8m,mode=0700", "tmpfs", str(home)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace').strip()}")
    try:
        real_store(home)
        subprocess.run([mount, "-o", "remount,ro", str(home)], check=True)
        yield home
    finally:
        if subprocess.run([umount, str(home)], capture_output=True).returncode:
            subprocess.run([umount, "-l", str(home)], check=False)


def test_a_read_only_store_lets_the_reader_run_without_it(tmp_path: Path, isolated_home: Path) -> None:
    with read_only_home(isolated_home):
        before = (isolated_home / DB_NAME).read_bytes()
        result = run("summarize", "--strategy", "reader", "--format", "json", article_file(tmp_path))
        assert_clean(result)
        assert result.exit_code == 0, result.output
        assert '"article"' in result.stdout  # the record
        warnings = [line for line in result.stderr.splitlines() if "warning" in line]
        assert len(warnings) == 1 and str(isolated_home / DB_NAME) in warnings[0], result.stderr
        assert "cannot be written" in warnings[0] and "stores nothing" in warnings[0]
        assert (isolated_home / DB_NAME).read_bytes() == before


def test_a_read_only_store_refuses_a_model_run_in_one_line(tmp_path: Path, isolated_home: Path, fake: Fake) -> None:
    """A model's answers cost money: a run that could not keep them is refused before any call."""
    with read_only_home(isolated_home):
        result = run("summarize", "--strategy", "model", article_file(tmp_path))
        assert result.exit_code == 2
        line = one_line_error(result)
        assert f"the store {isolated_home / DB_NAME} cannot be written" in line and "SUMMARIZER_HOME" in line
        assert fake.calls == 0


def test_read_only_store_errors_are_store_errors(isolated_home: Path) -> None:
    with read_only_home(isolated_home), pytest.raises(StoreReadOnly):
        Store.open(isolated_home)


# ---------------------------------------------------------------- full


def full_store(home: Path) -> Store:
    """A real store that has no room for one more page: SQLite's own limit (``max_page_count``) makes every
    write fail with SQLITE_FULL, "database or disk is full", as a full disk does."""
    store = Store.open(home)
    pages = store._db.execute("PRAGMA page_count").fetchone()[0]
    store._db.execute(f"PRAGMA max_page_count = {pages}")
    return store


def test_a_full_store_stops_the_batch_in_one_line(tmp_path: Path, isolated_home: Path) -> None:
    fake = Fake().queue(*[answer()] * 30)
    store = full_store(isolated_home)
    folder = tmp_path / "articles"
    folder.mkdir()
    for n in range(30):
        article_file(folder, f"a{n:02d}.txt", f"{TEXT} Report {n}.")

    def summarizer(settings: Settings) -> Summarizer:
        return Summarizer(settings, backend=fake.backend, store=store)

    out = tmp_path / "records.jsonl"
    result = CliRunner().invoke(
        cli,
        ["summarize", str(folder), "--out", str(out)],
        obj={SUMMARIZER_KEY: summarizer},
        catch_exceptions=False,
    )
    assert_clean(result)
    assert result.exit_code == 1
    assert "internal error" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert lines == [
        f"Error: cannot write to the store {isolated_home / DB_NAME}: the disk is full (database or disk is full); "
        "stopping: free some space (or set SUMMARIZER_HOME to another disk), then run the same command again"
    ]
    # stopped at the first article that could not be stored (and the one already in flight), not one failure each
    assert "FAILED" not in result.stderr and fake.calls < 10  # 30 articles would make 30 or more calls
    written = jsonl_records(out.read_text())  # what was stored before the disk filled up is kept, whole
    assert len(written) < 5 and f"{len(written)} record(s)" in result.stderr
    assert not (tmp_path / "records.errors.jsonl").exists()  # nothing to retry: the run stopped, no article failed
    store._db.execute("PRAGMA max_page_count = 1000000")  # room again: the store works, nothing half-written
    assert store.count_answers() >= len(written)


def test_a_full_store_raises_a_store_error_and_leaves_no_open_transaction(isolated_home: Path) -> None:
    store = full_store(isolated_home)
    for _ in range(3):  # a failed COMMIT or INSERT is rolled back: the next write fails the same way, not otherwise
        with pytest.raises(StoreError, match="the disk is full") as full:
            store.save_record("k", "x" * 100_000)
        assert full.value.exit_code == 1
    store._db.execute("PRAGMA max_page_count = 1000000")
    store.save_record("k", "x")
    assert store.cached_record("k") == "x"


def test_a_full_store_on_a_real_full_disk(tmp_path: Path, isolated_home: Path) -> None:
    """The same on a 256 KiB tmpfs (root only), with no SQLite limit: the disk itself is full."""
    with tmpfs(tmp_path / "tiny", "size=256k") as tiny:
        store = Store.open(tiny)
        try:
            with pytest.raises(StoreError, match="the disk is full"):
                for n in range(1000):
                    store.save_record(f"k{n}", "x" * 4000)
        finally:
            store.close()


def test_sqlite_misuse_stays_a_bug(isolated_home: Path) -> None:
    """Only the file's failures are put in words: a closed store used again is a bug and keeps its type."""
    store = Store.open(isolated_home)
    store.close()
    with pytest.raises(sqlite3.ProgrammingError):
        store.cached_record("k")


def test_logs_reads_a_read_only_store(isolated_home: Path) -> None:
    """`logs` only reads: a store it cannot write is still listed."""
    with read_only_home(isolated_home):
        result = run("logs", "--json")
        assert_clean(result)
        assert result.exit_code == 0, result.output
        assert result.stdout.strip() == "[]" and "no model calls logged yet" in result.stderr


def test_a_full_store_disk_stops_a_real_batch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """SUMMARIZER_HOME on a small tmpfs (root only) that the batch's answers and records fill up."""
    fake = install_fake(monkeypatch)
    fake.queue(*[answer()] * 400)
    folder = tmp_path / "articles"
    folder.mkdir()
    for n in range(200):
        article_file(folder, f"a{n:03d}.txt", f"{TEXT} Report {n}: " + "the governor spoke again. " * 40)
    with tmpfs(tmp_path / "home", "size=192k") as home:
        monkeypatch.setenv("SUMMARIZER_HOME", str(home))
        out = tmp_path / "records.jsonl"
        result = run("summarize", str(folder), "--out", str(out))
        assert_clean(result)
        assert result.exit_code == 1, result.stderr[-2000:]
        assert "internal error" not in result.stderr and "FAILED" not in result.stderr
        [line] = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
        assert line.startswith(f"Error: cannot write to the store {home / DB_NAME}: the disk is full")
        written = jsonl_records(out.read_text())
        assert 0 < len(written) < 200
        assert f"{len(written)} record(s)" in result.stderr
