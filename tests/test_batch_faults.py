"""Batches against real faults, run as a user runs them: the CLI in a subprocess, a faulty server on loopback.

Whatever the server does, every article ends as exactly one record or one line in the errors file, a
killed run resumes to the same set exactly once, two writers never duplicate, and a refusing server
stops the batch after a handful of requests.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from fault_server import FaultScript, fault_server, write_articles


def env(url: str, home: Path, **extra: str) -> dict[str, str]:
    values = {
        **os.environ,
        "OPENAI_BASE_URL": url,
        "OPENAI_API_KEY": "sk-test-fault-injection",
        "SUMMARIZER_HOME": str(home),
        "SUMMARIZER_STRATEGY": "model",
        "SUMMARIZER_TIMEOUT": "2",
        "SUMMARIZER_API_RETRIES": "3",
        "SUMMARIZER_MAX_RETRIES": "0",
        "SUMMARIZER_BREAKER_PAUSE": "1",
    }
    values.update(extra)
    return values


def summarize_command(*args: str) -> list[str]:
    """``summarizer summarize`` with ``args``, as a user runs it (the console script of this interpreter)."""
    return [sys.executable, "-m", "summarizer", "summarize", *args]


def summarize(*args: str, environ: dict[str, str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    command = summarize_command(*args)
    return subprocess.run(command, env=environ, capture_output=True, text=True, timeout=600, **kwargs)  # type: ignore[call-overload]


def ids_in(path: Path) -> list[str]:
    if not path.exists():
        return []
    return [json.loads(line)["article"]["id"] for line in path.read_text(encoding="utf-8").splitlines() if line]


def errors_in(path: Path) -> list[str]:
    if not path.exists():
        return []
    return [json.loads(line)["id"] for line in path.read_text(encoding="utf-8").splitlines() if line]


def test_a_batch_at_20_percent_faults_ends_with_one_outcome_per_article(tmp_path: Path) -> None:
    ids = write_articles(tmp_path / "in.jsonl", 200)
    out = tmp_path / "out.jsonl"
    script = FaultScript(rate=0.2, seed=7, faults=("500", "429", "html", "cut_off"))
    with fault_server(script) as server:
        done = summarize(
            str(tmp_path / "in.jsonl"), "--out", str(out), "--jobs", "8", environ=env(server.url, tmp_path)
        )
    records, errors = ids_in(out), errors_in(tmp_path / "out.errors.jsonl")
    assert sum(script.injected.values()) > 20, script.injected
    assert len(records) == len(set(records))  # never twice
    assert set(records) | set(errors) == set(ids) and not set(records) & set(errors)
    assert len(records) >= 190, done.stderr[-2000:]
    assert done.returncode == (1 if errors else 0)


def test_kill_9_mid_batch_then_resume_completes_the_set_exactly_once(tmp_path: Path) -> None:
    ids = write_articles(tmp_path / "in.jsonl", 120)
    out = tmp_path / "out.jsonl"
    with fault_server(FaultScript(), latency_s=0.02) as server:
        environ = env(server.url, tmp_path)
        command = summarize_command(str(tmp_path / "in.jsonl"), "--out", str(out))
        running = subprocess.Popen([*command, "--jobs", "4"], env=environ, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while len(ids_in(out)) < 30 and time.monotonic() < deadline and running.poll() is None:
            time.sleep(0.05)
        running.send_signal(signal.SIGKILL)
        running.wait()
        partial = len(out.read_bytes().splitlines())
        assert 0 < partial < 120
        again = summarize(str(tmp_path / "in.jsonl"), "--out", str(out), "--jobs", "4", environ=environ)
    assert again.returncode == 0, again.stderr[-2000:]
    records = ids_in(out)
    assert Counter(records) == Counter(ids)  # every article once
    assert "skipped (already done)" in again.stderr


def test_two_writers_on_one_out_never_duplicate(tmp_path: Path) -> None:
    ids = write_articles(tmp_path / "in.jsonl", 60)
    out = tmp_path / "out.jsonl"
    with fault_server(FaultScript(), latency_s=0.02) as server:
        environ = env(server.url, tmp_path)
        command = summarize_command(str(tmp_path / "in.jsonl"), "--out", str(out))
        first = subprocess.Popen(command, env=environ, stderr=subprocess.PIPE, text=True)
        while not out.exists() and first.poll() is None:
            time.sleep(0.02)
        second = summarize(str(tmp_path / "in.jsonl"), "--out", str(out), environ=environ)
        first.communicate(timeout=300)
        third = summarize(str(tmp_path / "in.jsonl"), "--out", str(out), environ=environ)
    assert second.returncode == 2
    assert "another summarizer run is writing to" in second.stderr
    assert first.returncode == 0 and third.returncode == 0
    assert Counter(ids_in(out)) == Counter(ids)


def test_a_server_refusing_the_key_stops_the_batch_after_a_handful_of_requests(tmp_path: Path) -> None:
    write_articles(tmp_path / "in.jsonl", 200)
    out = tmp_path / "out.jsonl"
    with fault_server(FaultScript(status=401)) as server:
        done = summarize(
            str(tmp_path / "in.jsonl"), "--out", str(out), "--jobs", "4", environ=env(server.url, tmp_path)
        )
        requests = server.requests
    assert done.returncode == 2
    assert requests <= 12, requests
    assert "refused the API key" in done.stderr
    assert done.stderr.count("FAILED") <= 12
    assert not out.exists() or not out.read_text(encoding="utf-8").strip()


def test_an_unreachable_server_pauses_then_stops(tmp_path: Path) -> None:
    from fake_openai_server import free_port

    write_articles(tmp_path / "in.jsonl", 200)
    environ = env(f"http://127.0.0.1:{free_port()}/v1", tmp_path, SUMMARIZER_API_RETRIES="0")
    started = time.monotonic()
    done = summarize(str(tmp_path / "in.jsonl"), "--out", str(tmp_path / "out.jsonl"), environ=environ)
    assert time.monotonic() - started < 60
    assert done.returncode == 1
    assert "stopping:" in done.stderr and "run the same command again to resume" in done.stderr
    assert done.stderr.count("FAILED") < 20


def test_a_torn_last_line_is_set_aside_and_the_batch_completes(tmp_path: Path) -> None:
    ids = write_articles(tmp_path / "in.jsonl", 5)
    out = tmp_path / "out.jsonl"
    with fault_server(FaultScript()) as server:
        environ = env(server.url, tmp_path)
        first = summarize(str(tmp_path / "in.jsonl"), "--out", str(out), environ=environ)
        assert first.returncode == 0
        lines = out.read_bytes().splitlines(keepends=True)
        out.write_bytes(b"".join(lines[:3]) + lines[3][: len(lines[3]) // 2])  # killed mid-write
        again = summarize(str(tmp_path / "in.jsonl"), "--out", str(out), environ=environ)
    assert again.returncode == 0, again.stderr
    assert "torn last line" in again.stderr
    assert (tmp_path / "out.jsonl.torn").exists()
    assert Counter(ids_in(out)) == Counter(ids)
