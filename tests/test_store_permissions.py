"""The store is private (issue 9, part 4): its home 0700, everything the program writes in it 0600."""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from fake_backend import QueuedBackend

import summarizer.store.private
from summarizer.config.settings import Settings
from summarizer.pipeline import Summarizer
from summarizer.record import Usage
from summarizer.run.provider_batch import write_batch_file
from summarizer.store.database import DB_NAME, Store
from summarizer.store.private import make_private_dirs, open_private

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def modes(home: Path) -> dict[str, int]:
    """Every path under ``home`` (and ``home`` itself, as "."), with its permission bits."""
    found = {".": mode(home)}
    for path in home.rglob("*"):
        found[str(path.relative_to(home))] = mode(path)
    return found


def assert_private(home: Path) -> None:
    found = modes(home)
    expected = {name: 0o700 if (home / name).is_dir() else 0o600 for name in found}
    assert {k: oct(v) for k, v in found.items()} == {k: oct(v) for k, v in expected.items()}


def log_one(store: Store) -> None:
    """A real write: one answer (and one error) through the Store API."""
    identity = {
        "backend": "openai",
        "model": "gpt-4o-mini",
        "prompt_name": "default",
        "prompt_hash": "abc",
        "schema_version": "2.0",
        "article_sha256": "0" * 64,
        "parameters": {"temperature": 0},
        "repeat": 0,
    }
    usage = Usage(prompt_tokens=10, completion_tokens=5)
    store.log_answer("k1", identity=identity, answer={"what": "x"}, error=None, latency_s=0.1, usage=usage, calls=1)
    store.log_answer("k2", identity=identity, answer=None, error="boom", latency_s=0.1, usage=usage, calls=1)


@pytest.fixture
def umask_000() -> Iterator[None]:
    previous = os.umask(0)
    try:
        yield
    finally:
        os.umask(previous)


def test_a_fresh_home_is_0700_and_every_file_0600_after_a_write(isolated_home: Path) -> None:
    store = Store.open(isolated_home)
    try:
        log_one(store)
        names = set(modes(isolated_home))
        assert {DB_NAME, f"{DB_NAME}-wal", f"{DB_NAME}-shm"} <= names  # checked while WAL is live
        assert_private(isolated_home)
    finally:
        store.close()
    assert_private(isolated_home)


def test_under_umask_000_the_home_is_still_0700_and_the_files_0600(isolated_home: Path, umask_000: None) -> None:
    store = Store.open(isolated_home)
    try:
        log_one(store)
        assert f"{DB_NAME}-wal" in modes(isolated_home)
        assert_private(isolated_home)
    finally:
        store.close()


def test_a_loose_home_and_db_are_tightened_with_one_notice_once(
    isolated_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    isolated_home.mkdir()
    os.chmod(isolated_home, 0o755)
    db = isolated_home / DB_NAME
    sqlite3.connect(db).close()
    os.chmod(db, 0o644)
    assert (mode(isolated_home), mode(db)) == (0o755, 0o644)

    store = Store.open(isolated_home)
    log_one(store)
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith(f"summarizer: tightened permissions of {isolated_home.resolve()} to 0700 and of {db} to 0600")
    assert "model answers" in err
    assert_private(isolated_home)
    store.close()

    os.chmod(isolated_home, 0o755)  # loosened again: tightened again, but the notice is not repeated
    Store.open(isolated_home).close()
    assert mode(isolated_home) == 0o700
    assert capsys.readouterr().err == ""


def test_only_the_home_loose_gives_the_short_notice(isolated_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    Store.open(isolated_home).close()
    capsys.readouterr()
    os.chmod(isolated_home, 0o755)
    Store.open(isolated_home).close()
    assert capsys.readouterr().err == (
        f"summarizer: tightened permissions of {isolated_home.resolve()} to 0700 (it holds model answers)\n"
    )


def test_a_file_that_cannot_be_chmodded_is_a_warning_not_a_crash(
    isolated_home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    isolated_home.mkdir(mode=0o700)
    db = isolated_home / DB_NAME
    sqlite3.connect(db).close()
    os.chmod(db, 0o644)
    real_chmod = os.chmod

    def chmod(path: os.PathLike[str] | str, new_mode: int, **kwargs: object) -> None:
        if Path(path) == db:  # as for another user's file (the tests may run as root, who may chmod anything)
            raise PermissionError(1, "Operation not permitted", str(path))
        real_chmod(path, new_mode, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(summarizer.store.private.os, "chmod", chmod)
    store = Store.open(isolated_home)
    log_one(store)
    assert store.count_answers() == 2
    store.close()
    err = capsys.readouterr().err
    assert f"summarizer: warning: cannot make {db} (mode 0644, owner uid {os.getuid()}) private" in err
    assert "Operation not permitted" in err
    assert mode(db) == 0o644


def test_a_shared_sticky_folder_is_never_chmodded(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o1777)
    Store(shared / DB_NAME).close()
    assert mode(shared) == 0o1777
    assert mode(shared / DB_NAME) == 0o600
    assert "a shared folder; set SUMMARIZER_HOME" in capsys.readouterr().err


def test_batch_request_files_under_the_home_are_private(isolated_home: Path, tmp_path: Path, umask_000: None) -> None:
    article = tmp_path / "article.txt"
    article.write_text("A fire broke out in a warehouse in Lyon on Monday, the police said.\n", encoding="utf-8")
    settings = Settings.from_env({}, home=isolated_home, max_retries=0, strategy="model")
    runner = Summarizer(settings, backend=QueuedBackend([]), store=Store.open(isolated_home))
    batch = write_batch_file(runner, [str(article)], isolated_home / "batches" / "t.jsonl", token="t")
    assert batch.articles and (isolated_home / "batches" / "t.jsonl").exists()
    assert_private(isolated_home)
    outside = tmp_path / "elsewhere" / "t.jsonl"  # a --file outside the home keeps the usual modes
    write_batch_file(runner, [str(article)], outside, token="t")
    assert mode(outside) == 0o666 and mode(outside.parent) == 0o777


def test_the_helpers_tighten_existing_folders_and_files_under_the_home(isolated_home: Path) -> None:
    (isolated_home / "batches").mkdir(parents=True)
    os.chmod(isolated_home, 0o755)
    os.chmod(isolated_home / "batches", 0o775)
    (isolated_home / "batches" / "old.jsonl").write_text("x")
    os.chmod(isolated_home / "batches" / "old.jsonl", 0o664)
    make_private_dirs(isolated_home / "batches" / "deeper", isolated_home)
    with open_private(isolated_home / "batches" / "old.jsonl", isolated_home) as handle:
        handle.write("y")
    assert_private(isolated_home)
    assert (isolated_home / "batches" / "old.jsonl").read_text() == "y"
