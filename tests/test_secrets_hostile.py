"""Secrets against a hostile server: one that echoes what it was sent, bare, in its errors and in its answers.

Each test runs the CLI as a user runs it (a subprocess) against a loopback server that echoes the request's
headers, then searches every file under the test's folder (the store, the output, the errors file) and the
captured stdout and stderr for each secret, in every form it travels in.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fake_openai_server import Reply, Seen, chat_server, completion, error_body, seeing_server
from fault_server import answer_for, write_articles

KEY = "sk-proj-HOSTILE-0123456789abcdef"
PASSWORD = "correct-horse-battery"


def run(*args: str, home: Path, url: str, key: str | None = KEY, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "OPENAI_BASE_URL": url,
        "SUMMARIZER_HOME": str(home),
        "SUMMARIZER_STRATEGY": "model",
        "SUMMARIZER_API_RETRIES": "0",
        "SUMMARIZER_MAX_RETRIES": "0",
        **extra,
    }
    env.pop("OPENAI_API_KEY", None)
    if key is not None:
        env["OPENAI_API_KEY"] = key
    return subprocess.run(
        [sys.executable, "-m", "summarizer", *args], env=env, capture_output=True, text=True, timeout=300
    )


def leaks(secret: str, folder: Path, *texts: str) -> list[str]:
    found = [f"output #{n}" for n, text in enumerate(texts) if secret in text]
    found += [str(path) for path in folder.rglob("*") if path.is_file() and secret.encode() in path.read_bytes()]
    return found


def bare_echo(status: int) -> Callable[[Seen], Reply]:
    """Answer ``status`` with the Authorization header's token alone (no scheme word before it), the decoded
    Basic credentials, and every header, in the message and beside it."""

    def reply(seen: Seen) -> Reply:
        headers = seen.headers
        token = headers.get("authorization", "").partition(" ")[2]
        decoded = base64.b64decode(token).decode() if headers.get("authorization", "").startswith("Basic") else ""
        body = error_body(f"credentials {token!r} ({decoded}) are not valid here")
        body["received"] = {"token": token, "headers": headers}
        return Reply(status, body)

    return reply


def test_the_basic_token_of_a_base_url_is_never_shown_or_stored(tmp_path: Path) -> None:
    write_articles(tmp_path / "in.jsonl", 2)
    with seeing_server(bare_echo(500)) as server:
        url = server.url.replace("http://", f"http://alice:{PASSWORD}@")
        done = run(
            "summarize", str(tmp_path / "in.jsonl"), "--out", str(tmp_path / "out.jsonl"),
            home=tmp_path / "home", url=url, key=None,
        )  # fmt: skip
        sent = server.seen[0].headers.get("authorization", "")
    assert done.returncode == 1 and "answered HTTP 500" in done.stderr
    assert (tmp_path / "out.errors.jsonl").exists()
    basic = base64.b64encode(f"alice:{PASSWORD}".encode()).decode()
    assert basic in sent  # what the server got, and echoed
    for secret in (PASSWORD, basic, f"alice:{PASSWORD}"):
        assert leaks(secret, tmp_path, done.stdout, done.stderr) == [], secret


def test_a_bearer_key_echoed_bare_is_never_shown_or_stored(tmp_path: Path) -> None:
    write_articles(tmp_path / "in.jsonl", 1)
    with seeing_server(bare_echo(400)) as server:
        done = run(
            "summarize", str(tmp_path / "in.jsonl"), "--out", str(tmp_path / "out.jsonl"),
            home=tmp_path / "home", url=server.url, key="hostile1test2key3abcdef",  # not sk-shaped
        )  # fmt: skip
    assert done.returncode == 1 and "answered HTTP 400" in done.stderr
    assert leaks("hostile1test2key3abcdef", tmp_path, done.stdout, done.stderr) == []


def answering_with(secret_of: Callable[[dict[str, str]], str]) -> Callable[[Seen], Reply]:
    """A correct answer whose title and summary carry what ``secret_of(headers)`` gives (the key, echoed)."""

    def reply(seen: Seen) -> Reply:
        secret = secret_of(seen.headers)
        answer = json.loads(answer_for(seen.body))
        answer["title"] = f"Drone attack, key {secret}"
        answer["summary"] = f"The key is {secret}."
        return Reply(200, completion(seen.body, json.dumps(answer)))

    return reply


def test_a_key_inside_an_answer_never_reaches_the_record_or_the_store(tmp_path: Path) -> None:
    write_articles(tmp_path / "in.jsonl", 1)
    with seeing_server(answering_with(lambda headers: headers["authorization"].partition(" ")[2])) as server:
        done = run("summarize", str(tmp_path / "in.jsonl"), "--out", str(tmp_path / "out.jsonl"),
                   home=tmp_path / "home", url=server.url)  # fmt: skip
    assert done.returncode == 0, done.stderr
    (record,) = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert record["event"]["title"] == "Drone attack, key [redacted]"
    assert leaks(KEY, tmp_path, done.stdout, done.stderr) == []


def test_a_key_hidden_by_json_escapes_inside_an_answer_is_removed_too(tmp_path: Path) -> None:
    write_articles(tmp_path / "in.jsonl", 1)

    def reply(seen: Seen) -> Reply:
        key = seen.headers["authorization"].partition(" ")[2]
        escaped = "".join(f"\\u{ord(character):04x}" for character in key)  # "\u0073\u006b..." parses to the key
        arguments = answer_for(seen.body).replace('"title": "', f'"title": "{escaped} ', 1)
        return Reply(200, completion(seen.body, arguments))

    with seeing_server(reply) as server:
        done = run("summarize", str(tmp_path / "in.jsonl"), "--out", str(tmp_path / "out.jsonl"),
                   home=tmp_path / "home", url=server.url)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "[redacted]" in (tmp_path / "out.jsonl").read_text()
    assert leaks(KEY, tmp_path, done.stdout, done.stderr) == []


def answering(number: int, request: dict[str, Any]) -> Reply:
    return Reply(200, completion(request, answer_for(request)))


@pytest.mark.parametrize(
    ("key", "says", "hidden"),
    [
        ("sk-proj-FIRSTPART-aaaa\nTAILSECRET-bbbbbbbb", "API key", ("TAILSECRET", "FIRSTPART")),  # a line break
        ("sk-proj-“quoted”-0123456789", "non-ASCII", ("quoted",)),
    ],
    ids=["line-break", "non-ascii"],
)
def test_a_key_that_cannot_be_sent_is_one_configuration_error_before_any_article_that_shows_none_of_it(
    tmp_path: Path, key: str, says: str, hidden: tuple[str, ...]
) -> None:
    write_articles(tmp_path / "in.jsonl", 3)
    with chat_server(answering) as server:
        done = run("summarize", str(tmp_path / "in.jsonl"), home=tmp_path / "home", url=server.url, key=key)
        requests = server.requests
    assert done.returncode == 2 and requests == 0
    assert done.stderr.count("\n") == 1 and says in done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    assert [word for word in hidden if word in done.stderr] == []


def test_a_key_with_its_line_end_from_a_crlf_env_file_still_works(tmp_path: Path) -> None:
    write_articles(tmp_path / "in.jsonl", 1)
    with chat_server(answering) as server:
        done = run("summarize", str(tmp_path / "in.jsonl"), home=tmp_path / "home", url=server.url, key=KEY + "\r\n")
        sent = server.seen[0].headers["authorization"]
    assert done.returncode == 0, done.stderr
    assert sent == f"Bearer {KEY}"


def test_a_key_in_the_base_url_query_is_never_shown_or_stored(tmp_path: Path) -> None:
    write_articles(tmp_path / "in.jsonl", 1)
    secret = "q1u2e3r4y5SECRET"

    def reply(seen: Seen) -> Reply:
        return Reply(500, error_body(f"bad request to {seen.path} with {secret}"))

    with seeing_server(reply) as server:
        done = run("summarize", str(tmp_path / "in.jsonl"), "--out", str(tmp_path / "out.jsonl"),
                   home=tmp_path / "home", url=f"{server.url}?code={secret}")  # fmt: skip
    assert done.returncode == 1 and "answered HTTP 500" in done.stderr
    assert leaks(secret, tmp_path, done.stdout, done.stderr) == []
