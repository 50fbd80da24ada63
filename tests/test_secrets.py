"""Secrets never leak, exit codes say what happened: the CLI as a user runs it, against servers on loopback.

After runs that exercise each path (a 401 that echoes the key, a key in the base URL's user information,
timeouts, eval reports), every file under SUMMARIZER_HOME, every output and report, and the captured
stdout and stderr are searched for the secret.
"""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from fake_openai_server import Reply, Seen, chat_server, error_body, seeing_server
from fault_server import FaultScript, fault_server, write_articles

from summarizer.config.secrets import add_secret, one_line, public_url, redact

KEY = "sk-proj-SECRETKEY-0123456789abcdef"
PASSWORD = "hunter2-in-the-url"
FIXTURES = Path(__file__).parents[1] / "evals" / "fixtures"


def run(*args: str, home: Path, url: str, key: str = KEY, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "OPENAI_API_KEY": key,
        "OPENAI_BASE_URL": url,
        "SUMMARIZER_HOME": str(home),
        "SUMMARIZER_STRATEGY": "model",
        "SUMMARIZER_API_RETRIES": "0",
        "SUMMARIZER_MAX_RETRIES": "0",
        **extra,
    }
    return subprocess.run(
        [sys.executable, "-m", "summarizer", *args], env=env, capture_output=True, text=True, timeout=300
    )


def leaks(secret: str, folders: list[Path], *texts: str) -> list[str]:
    """Every file (any content, SQLite included) and text that contains ``secret``."""
    found = [f"output #{n}" for n, text in enumerate(texts) if secret in text]
    for folder in folders:
        for path in folder.rglob("*"):
            if path.is_file() and secret.encode() in path.read_bytes():
                found.append(str(path))
    return found


def echoing(status: int) -> Callable[[Seen], Reply]:
    """An answer of ``status`` with the request's Authorization header in the error message."""

    def reply(seen: Seen) -> Reply:
        said = seen.headers.get("authorization", "")
        return Reply(status, error_body(f"Incorrect API key provided: {said} (and {KEY})", "invalid_request_error"))

    return reply


def test_a_401_that_echoes_the_key_never_reaches_the_store_or_the_terminal(tmp_path: Path) -> None:
    write_articles(tmp_path / "in.jsonl", 3)
    with seeing_server(echoing(401)) as server:
        done = run(
            "summarize",
            str(tmp_path / "in.jsonl"),
            "--out",
            str(tmp_path / "out.jsonl"),
            home=tmp_path / "home",
            url=server.url,
        )
    assert done.returncode == 2
    assert "refused the API key" in done.stderr and "Incorrect API key provided" in done.stderr
    assert "Error code" not in done.stderr and "{'error'" not in done.stderr  # one readable line
    assert leaks(KEY, [tmp_path], done.stdout, done.stderr) == []


def test_a_key_in_the_base_url_is_never_stored_or_shown(tmp_path: Path) -> None:
    with seeing_server(echoing(500)) as server:
        url = server.url.replace("http://", f"http://alice:{PASSWORD}@")
        done = run(
            "eval", "--fixtures", str(FIXTURES), "--limit", "2", "--json", str(tmp_path / "report.json"),
            "--html", str(tmp_path / "report.html"), home=tmp_path / "home", url=url,
        )  # fmt: skip
    assert done.returncode == 1  # the cases failed on backend errors
    assert "case run(s) failed" in done.stderr
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert report["meta"]["base_url"] == server.url
    basic = base64.b64encode(f"alice:{PASSWORD}".encode()).decode()
    for secret in (PASSWORD, basic, KEY):
        assert leaks(secret, [tmp_path], done.stdout, done.stderr) == [], secret


def test_timeouts_keep_the_key_out_too(tmp_path: Path) -> None:
    write_articles(tmp_path / "in.jsonl", 2)
    with chat_server(lambda number, request: Reply(hang=True)) as server:
        done = run(
            "summarize", str(tmp_path / "in.jsonl"), "--out", str(tmp_path / "out.jsonl"),
            home=tmp_path / "home", url=server.url, SUMMARIZER_TIMEOUT="1",
        )  # fmt: skip
    assert done.returncode == 1 and "timed out" in done.stderr
    assert leaks(KEY, [tmp_path], done.stdout, done.stderr) == []


def sigint_as_in_a_terminal() -> None:
    """SIGINT back to its default in the child: a shell starts background jobs (``cmd &``) with it ignored."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_exits_130_with_what_was_written(tmp_path: Path) -> None:
    write_articles(tmp_path / "in.jsonl", 200)
    out = tmp_path / "out.jsonl"
    with fault_server(FaultScript(), latency_s=0.05) as server:
        env = {
            **os.environ,
            "OPENAI_API_KEY": KEY,
            "OPENAI_BASE_URL": server.url,
            "SUMMARIZER_HOME": str(tmp_path / "home"),
            "SUMMARIZER_STRATEGY": "model",
        }
        command = [sys.executable, "-m", "summarizer", "summarize", str(tmp_path / "in.jsonl"), "--out", str(out)]
        running = subprocess.Popen(
            command, env=env, stderr=subprocess.PIPE, text=True, preexec_fn=sigint_as_in_a_terminal
        )
        deadline = time.monotonic() + 60
        while (not out.exists() or len(out.read_bytes().splitlines()) < 5) and time.monotonic() < deadline:
            time.sleep(0.05)
        running.send_signal(signal.SIGINT)
        _, stderr = running.communicate(timeout=60)
    assert running.returncode == 130
    written = len(out.read_bytes().splitlines())
    assert f"interrupted: {written} record(s) written in {out}" in stderr
    assert "Traceback" not in stderr


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"Incorrect API key provided: {KEY}.", "Incorrect API key provided: [redacted]."),
        ("Authorization: Bearer abcdef123456789", "Authorization: Bearer [redacted]"),
        ("key sk-abcdefghijklmnop leaked", "key sk-[redacted] leaked"),
        ("see https://bob:pw@example.com/v1", "see https://[redacted]@example.com/v1"),
        ("https://api.example.com/v1?api-key=abc123", "https://api.example.com/v1?api-key=[redacted]"),
        ("nothing secret in a drone strike on Kyiv", "nothing secret in a drone strike on Kyiv"),
    ],
)
def test_redact(text: str, expected: str) -> None:
    add_secret(KEY)
    assert redact(text) == expected


def test_public_url_and_one_line() -> None:
    assert public_url("https://u:p@host:8443/v1?k=1#f") == "https://host:8443/v1"
    assert public_url("http://[::1]:8080/v1") == "http://[::1]:8080/v1"
    assert one_line("a\n  b\tc", 100) == "a b c"
    assert one_line("x" * 50, 10) == "xxxxxxx..."
