"""The output file and its errors file against the real OS: locks, torn lines, devices, full disks."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from mounts import tmpfs

from summarizer.errors import ConfigError, OutputError
from summarizer.output.files import (
    ErrorsFile,
    JsonlOutput,
    check_output_path,
    errors_path,
    failed_sources,
)

REPO = Path(__file__).parents[1]
posix_only = pytest.mark.skipif(sys.platform == "win32", reason="flock, FIFOs and devices are POSIX")


def record(sha256: str, model: str = "m") -> str:
    return json.dumps({"article": {"sha256": sha256}, "provenance": {"model": model}, "event": {"title": "x" * 40}})


def by_model_m(entry: dict[str, Any]) -> str | None:
    return entry["article"]["sha256"] if entry["provenance"]["model"] == "m" else None


# ---------------------------------------------------------------- one writer per file


@posix_only
def test_a_second_writer_in_the_same_process_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    with JsonlOutput(out) as first:
        first.write(record("a"))
        with pytest.raises(ConfigError) as refused:
            JsonlOutput(out).open()
        assert str(refused.value) == (
            f"another summarizer run is writing to {out}; wait for it to finish or use another --out"
        )
        assert refused.value.exit_code == 2
    with JsonlOutput(out) as again:  # released on close
        assert again.done(by_model_m) == {"a"}


@posix_only
def test_a_second_writer_in_another_process_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    script = textwrap.dedent(
        f"""
        from pathlib import Path
        from summarizer.errors import ConfigError
        from summarizer.output.files import JsonlOutput
        try:
            JsonlOutput(Path({str(out)!r})).open()
        except ConfigError as exc:
            print(exc)
            raise SystemExit(exc.exit_code)
        """
    )
    with JsonlOutput(out):
        held = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert held.returncode == 2, held.stderr
    assert held.stdout.startswith(f"another summarizer run is writing to {out};")
    free = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert free.returncode == 0, free.stdout + free.stderr


@posix_only
def test_wait_blocks_until_the_first_writer_closes(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    first = JsonlOutput(out).open()
    first.write(record("a"))
    opened = threading.Event()

    def second() -> None:
        with JsonlOutput(out, wait=True) as output:
            opened.set()
            output.write(record("b"))

    thread = threading.Thread(target=second, daemon=True)
    thread.start()
    assert not opened.wait(0.3)  # still waiting for the lock
    first.close()
    thread.join(timeout=10)
    assert opened.is_set() and not thread.is_alive()
    assert [json.loads(line)["article"]["sha256"] for line in out.read_text().splitlines()] == ["a", "b"]


# ---------------------------------------------------------------- a torn last line


@posix_only
def test_a_torn_last_line_is_set_aside_and_the_good_lines_kept(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    good = record("a") + "\n" + record("b") + "\n"
    fragment = '{"article": {"sha256": "c"}, "provenance": {"mo'
    out.write_text(good + fragment, encoding="utf-8")
    with JsonlOutput(out) as output:
        assert output.repaired == (
            f"set aside a torn last line ({len(fragment)} bytes) from an interrupted run in {out}.torn"
        )
        assert out.read_text(encoding="utf-8") == good
        assert output.done(by_model_m) == {"a", "b"} and output.unreadable_lines == 0
        output.write(record("c"))
    assert Path(f"{out}.torn").read_text(encoding="utf-8") == fragment + "\n"
    assert out.read_text(encoding="utf-8") == good + record("c") + "\n"
    with JsonlOutput(out) as output:  # nothing to repair the second time
        assert output.repaired is None


@posix_only
def test_a_torn_line_longer_than_a_scan_chunk_and_a_file_without_newlines(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    fragment = "x" * 200_000  # spans several 64 KiB tail chunks
    out.write_text(record("a") + "\n" + fragment, encoding="utf-8")
    with JsonlOutput(out) as output:
        assert output.repaired is not None and "(200000 bytes)" in output.repaired
    assert out.read_text(encoding="utf-8") == record("a") + "\n"
    lone = tmp_path / "lone.jsonl"
    lone.write_bytes(b"\x00\xffnot json")
    with JsonlOutput(lone) as output:
        assert output.repaired is not None and output.done(by_model_m) == set()
    assert lone.read_bytes() == b"" and Path(f"{lone}.torn").read_bytes() == b"\x00\xffnot json\n"


@posix_only
def test_a_whole_last_record_without_its_newline_is_kept(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text(record("a") + "\n" + record("b"), encoding="utf-8")
    with JsonlOutput(out) as output:
        assert output.repaired == f"added the missing newline after the last record of {out}"
        assert output.done(by_model_m) == {"a", "b"}
    assert out.read_text(encoding="utf-8") == record("a") + "\n" + record("b") + "\n"
    assert not Path(f"{out}.torn").exists()


# ---------------------------------------------------------------- paths refused up front


@posix_only
def test_dev_full_a_fifo_a_folder_and_a_path_under_a_file_are_refused(tmp_path: Path) -> None:
    if Path("/dev/full").exists():
        with pytest.raises(ConfigError, match=r"^/dev/full is a device, not a file; "):
            check_output_path(Path("/dev/full"))
        with pytest.raises(ConfigError, match="is a device"):
            JsonlOutput(Path("/dev/full")).open()
        link = tmp_path / "link.jsonl"
        link.symlink_to("/dev/full")
        with pytest.raises(ConfigError, match="is a device"):
            check_output_path(link)
    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)
    outcome: list[BaseException] = []
    thread = threading.Thread(target=lambda: _catch(outcome, JsonlOutput(fifo).open), daemon=True)
    thread.start()
    thread.join(timeout=10)
    assert not thread.is_alive(), "opening a FIFO hung"
    assert isinstance(outcome[0], ConfigError) and str(outcome[0]).startswith(f"{fifo} is a pipe or socket")
    with pytest.raises(ConfigError, match="is a folder; give --out a file name"):
        check_output_path(tmp_path)
    a_file = tmp_path / "notes.txt"
    a_file.write_text("x")
    with pytest.raises(ConfigError) as under:
        check_output_path(a_file / "deeper" / "out.jsonl")
    assert str(under.value) == (
        f"cannot create {a_file / 'deeper' / 'out.jsonl'}: {a_file} is a file, not a folder; choose an --out outside it"
    )
    for message in (str(outcome[0]), str(under.value)):
        assert "\n" not in message
    check_output_path(tmp_path / "new" / "folders" / "out.jsonl")  # missing folders are fine: created on open
    assert not (tmp_path / "new").exists()


def _catch(outcome: list[BaseException], call: Any) -> None:
    try:
        call()
    except BaseException as exc:
        outcome.append(exc)


# ---------------------------------------------------------------- failed writes leave whole lines


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 64 KiB tmpfs, where writes really fail with ENOSPC."""
    with tmpfs(tmp_path / "tiny", "size=64k") as where:
        yield where


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root writes anywhere")
def test_a_folder_without_write_permission_is_refused(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    with pytest.raises(ConfigError, match=f"the folder {locked} is not writable"):
        check_output_path(locked / "out.jsonl")


def test_a_folder_that_cannot_be_written_is_refused(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "ro", "ro,size=64k") as read_only:
        target = read_only / "sub" / "out.jsonl"
        with pytest.raises(ConfigError) as refused:
            check_output_path(target)
        assert str(refused.value) == (
            f"cannot create {target}: the folder {read_only} is not writable; "
            "fix its permissions or choose another --out"
        )


def test_a_full_disk_keeps_the_file_exactly_as_before_the_failed_write(tiny_disk: Path) -> None:
    out = tiny_disk / "out.jsonl"
    written = 0
    with JsonlOutput(out) as output, pytest.raises(OutputError) as full:
        for written in range(10_000):
            before = out.read_bytes()
            output.write(record(f"{written:05d}") + " " * 3000)
    assert str(full.value) == (
        f"cannot write to {out}: No space left on device; nothing half-written was kept "
        f"({written} records were written in this run)"
    )
    assert full.value.exit_code == 1
    assert out.read_bytes() == before and before.endswith(b"\n") and before.count(b"\n") == written


def test_a_line_bigger_than_the_disk_is_cut_back_after_a_partial_write(tiny_disk: Path) -> None:
    out = tiny_disk / "out.jsonl"
    with JsonlOutput(out) as output:
        output.write(record("a"))
        with pytest.raises(OutputError, match=r"nothing half-written was kept \(1 record was written"):
            output.write(record("b") + " " * 200_000)  # the kernel takes part of it, then says ENOSPC
        output.write(record("c"))  # room again once the partial line is cut back
    assert out.read_text() == record("a") + "\n" + record("c") + "\n"


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_FSIZE behaviour checked on Linux")
def test_a_file_size_limit_efbig_keeps_whole_lines(tmp_path: Path) -> None:
    """No root needed: RLIMIT_FSIZE makes the kernel write part of a line, then refuse with EFBIG."""
    out = tmp_path / "out.jsonl"
    script = textwrap.dedent(
        f"""
        import resource
        from pathlib import Path
        from summarizer.errors import OutputError
        from summarizer.output.files import JsonlOutput
        resource.setrlimit(resource.RLIMIT_FSIZE, (10_000, 10_000))
        with JsonlOutput(Path({str(out)!r})) as output:
            try:
                for n in range(100):
                    output.write('{{"n": %d, "pad": "%s"}}' % (n, "x" * 3000))
            except OutputError as exc:
                print(exc)
        """
    )
    ran = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip() == (
        f"cannot write to {out}: File too large; nothing half-written was kept (3 records were written in this run)"
    )
    lines = out.read_bytes().split(b"\n")
    assert lines[-1] == b"" and [json.loads(line)["n"] for line in lines[:-1]] == [0, 1, 2]


def test_a_failed_fsync_cuts_the_line_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """fsync EIO cannot be provoked without a failing device: this one is simulated."""
    out = tmp_path / "out.jsonl"
    with JsonlOutput(out, fsync_interval=0) as output:
        output.write(record("a"))
        real_fsync = os.fsync

        def failing_fsync(fd: int) -> None:
            raise OSError(errno.EIO, os.strerror(errno.EIO))

        monkeypatch.setattr(os, "fsync", failing_fsync)
        with pytest.raises(OutputError, match=r"Input/output error; nothing half-written was kept \(1 record was"):
            output.write(record("b"))
        monkeypatch.setattr(os, "fsync", real_fsync)
    assert out.read_text() == record("a") + "\n"


def test_batched_fsync_syncs_the_first_line_at_once_and_the_rest_within_the_interval(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[int] = []
    real_fsync = os.fsync

    def counting_fsync(fd: int) -> None:
        synced.append(fd)
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", counting_fsync)
    with JsonlOutput(tmp_path / "out.jsonl", fsync_interval=0.05) as output:
        for n in range(5):
            output.write(record(str(n)))
        assert len(synced) == 1  # the first at once, the other four wait for the timer
        deadline = time.monotonic() + 5
        while len(synced) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(synced) == 2  # one deferred fsync for the four
    assert len(synced) == 2  # nothing was pending at close


def test_lines_with_newlines_are_refused_before_anything_is_written(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    with JsonlOutput(out) as output, pytest.raises(ValueError):
        output.write('{"a": 1}\n{"b": 2}')
    assert out.read_bytes() == b""


# ---------------------------------------------------------------- reading what is done


def test_done_skips_and_counts_malformed_lines(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    lines = [
        record("a"),
        "not json",
        "",  # a blank line: ignored, not counted
        "[1, 2]",  # JSON, not an object
        json.dumps({"no": "provenance"}),  # identity raises KeyError
        record("b", model="other"),  # another model's record: not done, not unreadable
        '{"article": {"sha256": "c"}, "provenance": {"model": "m"}, "title": "caf\u00e9"}',
        record("d"),
    ]
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with out.open("ab") as handle:
        handle.write(b'{"article": {"sha256": "\xff"}}\n')  # not UTF-8
    with JsonlOutput(out) as output:
        assert output.done(by_model_m) == {"a", "c", "d"}
        assert output.unreadable_lines == 4


def test_written_lines_are_read_back_by_a_later_run(tmp_path: Path) -> None:
    out = tmp_path / "deep" / "er" / "out.jsonl"
    with JsonlOutput(out) as output:
        threads = [
            threading.Thread(target=lambda n=n: [output.write(record(f"{n}-{i}")) for i in range(50)]) for n in range(4)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert output.written == 200
    assert oct(out.stat().st_mode & 0o777) == oct(0o644 & ~_umask())
    with JsonlOutput(out) as output:
        assert len(output.done(by_model_m)) == 200 and output.unreadable_lines == 0 and output.repaired is None


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# ---------------------------------------------------------------- the errors file


def test_errors_path_sits_next_to_the_output() -> None:
    assert errors_path(Path("runs/out.jsonl")) == Path("runs/out.errors.jsonl")


def test_a_clean_run_leaves_no_errors_file(tmp_path: Path) -> None:
    with ErrorsFile.for_output(tmp_path / "out.jsonl"):
        pass
    assert not errors_path(tmp_path / "out.jsonl").exists()
    assert ErrorsFile.read(errors_path(tmp_path / "out.jsonl")) == []


def test_errors_from_threads_latest_per_source_and_failed_sources(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    with ErrorsFile.for_output(out) as errors:

        def fail(n: int) -> None:
            for attempt in range(1, 26):
                errors.append(
                    {"source": f"s{n}.txt", "sha256": f"h{n}", "kind": "backend", "message": "m", "attempts": attempt}
                )

        threads = [threading.Thread(target=fail, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        errors.append({"source": "missing.txt", "kind": "load", "message": "no such file"})
    raw = errors_path(out).read_text(encoding="utf-8").splitlines()
    assert len(raw) == 101 and all(json.loads(line) for line in raw)
    with errors_path(out).open("a", encoding="utf-8") as handle:
        handle.write("garbage\n")
        handle.write(json.dumps({"source": "s0.txt", "sha256": "h0-new", "kind": "k", "message": "later"}) + "\n")
    entries = ErrorsFile.read(errors_path(out))
    assert [entry["source"] for entry in entries][3:] == ["missing.txt", "s0.txt"]
    assert {entry["source"]: entry["attempts"] for entry in entries[:3]} == {f"s{n}.txt": 25 for n in (1, 2, 3)}
    missing = entries[3]
    assert list(missing) == ["id", "source", "sha256", "kind", "message", "attempts", "at"]
    assert missing["sha256"] is None and missing["at"].endswith("+00:00")
    assert entries[4]["message"] == "later"
    assert failed_sources(out, done={"h1", "h0"}) == {"s0.txt", "s2.txt", "s3.txt", "missing.txt"}


def test_an_unterminated_errors_line_does_not_swallow_the_next_entry(tmp_path: Path) -> None:
    path = tmp_path / "out.errors.jsonl"
    path.write_text('{"source": "a.txt", "kin', encoding="utf-8")
    with ErrorsFile(path) as errors:
        errors.append({"source": "b.txt", "kind": "k", "message": "m"})
    assert [entry["source"] for entry in ErrorsFile.read(path)] == ["b.txt"]


def test_an_error_entry_with_unknown_fields_is_refused(tmp_path: Path) -> None:
    with ErrorsFile(tmp_path / "e.jsonl") as errors, pytest.raises(ValueError):
        errors.append({"source": "a", "kind": "k", "message": "m", "extra": 1})
    assert not (tmp_path / "e.jsonl").exists()
