"""The command line with click's CliRunner: exit codes, bad inputs, stdin, JSONL, resume, formats, prompts, config.

The model is the queued fake (``install_fake``: ``run`` hands it to the CLI as ``obj``, the CLI's one injection
point), except in the tests that run the real openai backend against a loopback HTTP server to check that the
API key never shows up anywhere.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from answers_kit import drone_answer as answer  # a grounded answer for TEXT
from click.testing import CliRunner, Result
from fake_backend import QueuedBackend
from fake_openai_server import Reply, chat_server, completion, error_body

from summarizer import __version__
from summarizer.cli.kit import SUMMARIZER_KEY
from summarizer.cli.root import cli
from summarizer.config.settings import Settings
from summarizer.errors import BackendError
from summarizer.model.prompts import load_prompt
from summarizer.output.formats import describe_count
from summarizer.pipeline import Summarizer
from summarizer.record import Record
from summarizer.record.schema import Count

TEXT = "Overnight, Russia launched 12 drones at Odesa. At least 3 people were injured, the governor said."
API_KEY = "sk-test-NEVER-PRINTED-91b7"


class Fake:
    """The queued fake model behind the CLI; every Summarizer the CLI builds shares it."""

    def __init__(self) -> None:
        self.backend = QueuedBackend([])
        self.settings: list[Settings] = []

    def queue(self, *replies: Any) -> Fake:
        self.backend.replies.extend(replies)
        return self

    def __call__(self, settings: Settings) -> Summarizer:
        self.settings.append(settings)
        return Summarizer(settings, backend=self.backend)

    @property
    def calls(self) -> int:
        return self.backend.calls

    @property
    def obj(self) -> dict[str, Any]:
        """The ``obj`` that makes the CLI build every Summarizer on this fake: ``CliRunner().invoke(..., obj=)``."""
        return {SUMMARIZER_KEY: self}


installed: Fake | None = None  # the fake of the running test (install_fake), which run() passes to the CLI


def install_fake(monkeypatch: pytest.MonkeyPatch) -> Fake:
    """A fake model for this test's CLI runs through ``run`` (``fake.obj`` for a CliRunner of its own)."""
    model = Fake()
    monkeypatch.setattr(sys.modules[__name__], "installed", model)
    return model


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Fake:
    return install_fake(monkeypatch)


def run(*args: str, input: bytes | str | None = None, env: dict[str, str] | None = None) -> Result:
    obj = installed.obj if installed is not None else None
    return CliRunner().invoke(cli, list(args), input=input, env=env, obj=obj, catch_exceptions=False)


def write(folder: Path, name: str, content: str | bytes) -> str:
    path = folder / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return str(path)


def article_file(folder: Path, name: str = "odesa.txt", text: str = TEXT) -> str:
    return write(folder, name, f" date 2024-05-02 {text}")


def records(stdout: str) -> list[Record]:
    data = json.loads(stdout)
    return [Record.model_validate(item) for item in (data if isinstance(data, list) else [data])]


def jsonl_records(text: str) -> list[Record]:
    return [Record.model_validate_json(line) for line in text.splitlines() if line.strip()]


def failure_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "FAILED" in line]


def assert_clean(result: Result) -> None:
    assert "Traceback" not in result.output and "Traceback" not in result.stderr


# ---------------------------------------------------------------- basics


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0 and __version__ in result.stdout and "summarizer" in result.stdout


def test_help_lists_the_commands() -> None:
    result = run("--help")
    assert result.exit_code == 0
    for command in ("summarize", "prompts"):
        assert command in result.stdout
    assert "--backend" in run("summarize", "--help").stdout


def test_one_file_gives_one_json_record(tmp_path: Path, fake: Fake) -> None:
    fake.queue(answer())
    result = run("summarize", article_file(tmp_path))
    assert result.exit_code == 0, result.stderr
    (record,) = records(result.stdout)
    assert record.event.places[0].name == "Odesa" and record.event.casualties.injured.value == 3
    assert record.article.published.isoformat() == "2024-05-02"
    assert "backend fake" in result.stderr and "model queued" in result.stderr
    assert fake.calls == 1
    assert str(fake.settings[0].home).startswith(str(tmp_path))  # SUMMARIZER_HOME from the conftest


def test_options_reach_the_settings(tmp_path: Path, fake: Fake) -> None:
    fake.queue(answer())
    result = run("summarize", article_file(tmp_path), "--temperature", "0.4", "--max-retries", "0", "-q")
    assert result.exit_code == 0
    assert (fake.settings[0].temperature, fake.settings[0].max_retries) == (0.4, 0)
    assert fake.backend.requests[0]["temperature"] == 0.4
    assert result.stderr == ""  # --quiet


def test_several_files_give_an_array(tmp_path: Path, fake: Fake) -> None:
    fake.queue(answer(), answer())
    first = article_file(tmp_path, "a.txt")
    second = article_file(tmp_path, "b.txt", TEXT + " Schools were closed.")
    result = run("summarize", first, second)
    assert result.exit_code == 0
    assert [r.article.id for r in records(result.stdout)] == ["a", "b"]


# ---------------------------------------------------------------- bad inputs


BAD_INPUTS: dict[str, tuple[Callable[[Path], str], str]] = {
    "missing": (lambda d: str(d / "missing.txt"), "no such file or folder"),
    "empty": (lambda d: write(d, "empty.txt", ""), "the file is empty"),
    "whitespace": (lambda d: write(d, "blank.txt", "  \n\t\n  "), "the file is empty"),
    "binary": (lambda d: write(d, "photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00" + bytes(range(200))), "binary content"),
    "undecodable": (lambda d: write(d, "mojibake.txt", b"Kyiv " + b"\x81\x8d\x8f\x90\x9d" * 30), "cannot decode"),
    "bad json": (lambda d: write(d, "bad.json", '{"text": '), "invalid JSON"),
    "json without text": (lambda d: write(d, "notext.json", '{"title": "x"}'), "no 'text' string"),
    "empty folder": (lambda d: str((d / "nothing").mkdir() or d / "nothing"), "folder has no article files"),
    "unmatched glob": (lambda d: str(d / "*.nomatch"), "no files match"),
}


@pytest.mark.parametrize("kind", list(BAD_INPUTS))
def test_each_bad_input_is_one_clear_line(tmp_path: Path, fake: Fake, kind: str) -> None:
    make, expected = BAD_INPUTS[kind]
    source = make(tmp_path)
    result = run("summarize", source)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert_clean(result)
    (line,) = failure_lines(result.stderr)
    assert expected in line and source in line
    assert fake.calls == 0


def test_one_bad_file_in_a_batch(tmp_path: Path, fake: Fake) -> None:
    fake.queue(answer(), answer())
    good = article_file(tmp_path, "good.txt")
    empty = write(tmp_path, "empty.txt", "")
    other = article_file(tmp_path, "other.txt", TEXT + " Power was cut.")
    result = run("summarize", good, empty, str(tmp_path / "gone.txt"), other)
    assert result.exit_code == 1
    assert [r.article.id for r in records(result.stdout)] == ["good", "other"]
    assert len(failure_lines(result.stderr)) == 2
    assert "2 record(s)" in result.stderr and "2 failed" in result.stderr
    assert_clean(result)


def test_a_model_failure_fails_only_its_article(tmp_path: Path, fake: Fake) -> None:
    fake.queue(BackendError("the server at http://127.0.0.1:9/v1 answered HTTP 500: boom"), answer())
    first = article_file(tmp_path, "a.txt")
    second = article_file(tmp_path, "b.txt", TEXT + " Schools were closed.")
    result = run("summarize", first, second)
    assert result.exit_code == 1
    assert [r.article.id for r in records(result.stdout)] == ["b"]
    (line,) = failure_lines(result.stderr)
    assert first in line and "answered HTTP 500: boom" in line
    assert_clean(result)


def test_a_model_that_never_answers_validly(tmp_path: Path, fake: Fake) -> None:
    fake.queue("not json", "still not json")
    result = run("summarize", article_file(tmp_path), "--max-retries", "1")
    assert result.exit_code == 1 and fake.calls == 2
    (line,) = failure_lines(result.stderr)
    assert "does not fit the schema" in line
    assert_clean(result)


def test_overlong_article_is_refused_or_truncated(tmp_path: Path, fake: Fake) -> None:
    long_file = article_file(tmp_path, "long.txt", TEXT + "\n" + "Filler about the weather.\n" * 400)
    env = {"SUMMARIZER_N_CTX": "4096"}
    refused = run("summarize", long_file, env=env)
    assert refused.exit_code == 1 and fake.calls == 0
    (line,) = failure_lines(refused.stderr)
    assert "--truncate" in line
    fake.queue(answer())
    truncated = run("summarize", long_file, "--truncate", env=env)
    assert truncated.exit_code == 0 and fake.calls == 1
    (record,) = records(truncated.stdout)
    assert any(w.code == "input" and "truncated" in w.message for w in record.warnings)


def test_cp1252_file_is_summarized_with_a_warning(tmp_path: Path, fake: Fake) -> None:
    fake.queue(answer())
    path = write(tmp_path, "w.txt", f" date 2024-05-02 {TEXT} Caf\u00e9 owners helped.".encode("cp1252"))
    result = run("summarize", path)
    assert result.exit_code == 0
    (record,) = records(result.stdout)
    assert any(w.code == "input" and "Windows-1252" in w.message for w in record.warnings)


# ---------------------------------------------------------------- stdin and JSONL


@pytest.mark.parametrize("args", [("summarize", "-"), ("summarize",)])
def test_stdin(fake: Fake, args: tuple[str, ...]) -> None:
    fake.queue(answer())
    result = run(*args, input=f" date 2024-05-02 {TEXT}".encode())
    assert result.exit_code == 0, result.stderr
    (record,) = records(result.stdout)
    assert record.article.source == "stdin" and record.article.published.isoformat() == "2024-05-02"
    assert TEXT in fake.backend.requests[0]["messages"][1]["content"]


def test_empty_stdin(fake: Fake) -> None:
    result = run("summarize", "-", input=b"")
    assert result.exit_code == 1 and "stdin" in failure_lines(result.stderr)[0]
    assert_clean(result)


def test_jsonl_in_and_out(tmp_path: Path, fake: Fake) -> None:
    fake.queue(answer(), answer())
    lines = [
        json.dumps({"id": "first", "text": TEXT, "published": "2024-05-02", "url": "https://example.org/1"}),
        "{broken",
        json.dumps(
            {"id": "second", "text": TEXT + " Trains were delayed.", "title": "Second", "published": "2024-05-02"}
        ),
    ]
    source = write(tmp_path, "in.jsonl", "\n".join(lines) + "\n")
    result = run("summarize", source, "--format", "jsonl")
    assert result.exit_code == 1  # the broken line
    out = jsonl_records(result.stdout)
    assert [r.article.id for r in out] == ["first", "second"]
    assert out[0].article.url == "https://example.org/1" and out[1].article.title == "Second"
    assert [r.article.source for r in out] == [f"{source}:1", f"{source}:3"]
    (line,) = failure_lines(result.stderr)
    assert f"{source}:2" in line and "invalid JSON" in line


def test_jsonl_from_stdin(fake: Fake) -> None:
    fake.queue(answer(), answer())
    items = [{"text": TEXT, "published": "2024-05-02"}, {"text": TEXT + " More.", "published": "2024-05-02"}]
    payload = "".join(json.dumps(item) + "\n" for item in items)
    result = run("summarize", "-", "--format", "jsonl", input=payload)
    assert result.exit_code == 0 and len(jsonl_records(result.stdout)) == 2


# ---------------------------------------------------------------- output files and resume


def test_resume_skips_what_the_output_file_already_has(tmp_path: Path, fake: Fake) -> None:
    fake.queue(answer(), answer())
    sources = [article_file(tmp_path, "a.txt"), article_file(tmp_path, "b.txt", TEXT + " Schools were closed.")]
    out = tmp_path / "out" / "records.jsonl"
    first = run("summarize", *sources, "--out", str(out))
    assert first.exit_code == 0 and first.stdout == ""
    assert [r.article.id for r in jsonl_records(out.read_text())] == ["a", "b"]
    assert fake.calls == 2

    second = run("summarize", *sources, "--out", str(out))
    assert second.exit_code == 0
    assert fake.calls == 2  # zero backend calls: nothing was even looked up
    assert second.stderr.count("already in the output file, skipped") == 2
    assert len(jsonl_records(out.read_text())) == 2


def test_resume_redoes_a_torn_line_and_new_articles(tmp_path: Path, fake: Fake) -> None:
    fake.queue(answer(), answer())
    first_source = article_file(tmp_path, "a.txt")
    out = tmp_path / "records.jsonl"
    assert run("summarize", first_source, "--out", str(out)).exit_code == 0
    with out.open("a", encoding="utf-8") as handle:
        handle.write('{"record_version": "1", "article": {"sha')  # an interrupted write
    new_source = article_file(tmp_path, "b.txt", TEXT + " Trains were delayed.")
    result = run("summarize", first_source, new_source, "--out", str(out), "--no-cache")
    assert result.exit_code == 0 and fake.calls == 2
    ids = []
    for line in out.read_text().splitlines():
        try:
            ids.append(Record.model_validate_json(line).article.id)
        except ValueError:
            continue
    assert ids == ["a", "b"]


def test_resume_of_a_truncated_article_does_not_duplicate_it(tmp_path: Path, fake: Fake) -> None:
    fake.queue(answer())
    long_file = article_file(tmp_path, "long.txt", TEXT + "\n" + "Filler about the weather.\n" * 400)
    out = tmp_path / "records.jsonl"
    env = {"SUMMARIZER_N_CTX": "4096"}
    assert run("summarize", long_file, "--truncate", "--out", str(out), env=env).exit_code == 0
    again = run("summarize", long_file, "--truncate", "--out", str(out), env=env)
    assert again.exit_code == 0 and "skipped" in again.stderr
    assert len(jsonl_records(out.read_text())) == 1 and fake.calls == 1


def test_resume_counts_only_what_this_run_skipped(tmp_path: Path, fake: Fake) -> None:
    fake.queue(answer(), answer(), answer())
    a, b = article_file(tmp_path, "a.txt"), article_file(tmp_path, "b.txt", TEXT + " Schools were closed.")
    out = tmp_path / "records.jsonl"
    assert run("summarize", a, b, "--out", str(out)).exit_code == 0
    c = article_file(tmp_path, "c.txt", TEXT + " Trains were delayed.")
    result = run("summarize", a, c, "--out", str(out))
    assert result.exit_code == 0 and fake.calls == 3
    assert "summarizer: 1 record(s), 1 skipped (already done)" in result.stderr.splitlines()
    assert [r.article.id for r in jsonl_records(out.read_text())] == ["a", "b", "c"]


def test_out_json_file(tmp_path: Path, fake: Fake) -> None:
    fake.queue(answer())
    out = tmp_path / "record.json"
    result = run("summarize", article_file(tmp_path), "--out", str(out))
    assert result.exit_code == 0 and result.stdout == ""
    assert records(out.read_text())[0].event.places[0].name == "Odesa"


def test_no_cache_calls_the_model_again(tmp_path: Path, fake: Fake) -> None:
    fake.queue(answer(), answer())
    source = article_file(tmp_path)
    assert run("summarize", source).exit_code == 0
    cached = run("summarize", source)
    assert fake.calls == 1 and records(cached.stdout)[0].provenance.cached
    assert run("summarize", source, "--no-cache").exit_code == 0 and fake.calls == 2


# ---------------------------------------------------------------- markdown


def test_markdown_escapes_model_and_article_text(tmp_path: Path, fake: Fake) -> None:
    hostile_title = "<script>alert(1)</script> [click](http://evil.example) `rm -rf`"
    fake.queue(answer(title=hostile_title, summary="<img src=x onerror=alert(2)> # not a heading"))
    result = run("summarize", article_file(tmp_path), "--format", "markdown")
    assert result.exit_code == 0
    text = result.stdout
    assert "<script>" not in text and "<img" not in text
    assert "&lt;script&gt;" in text and "&lt;img" in text
    assert re.search(r"(?<!\\)\[click\]", text) is None and "\\[click\\]" in text  # no link
    assert re.search(r"(?<!\\)`rm -rf", text) is None  # no code span
    assert "Odesa (city)" in text and 'at least 3 ("At least 3")' in text


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"qualifier": "exact", "value": 17}, '17 ("p")'),
        ({"qualifier": "at_least", "value": 17, "low": 17}, 'at least 17 ("p")'),
        ({"qualifier": "at_most", "high": 5}, 'at most 5 ("p")'),
        ({"qualifier": "about", "value": 40}, 'about 40 ("p")'),
        ({"qualifier": "range", "low": 16, "high": 18}, '16–18 ("p")'),
        ({"qualifier": "range", "low": 16}, 'at least 16 ("p")'),
        ({"qualifier": "range", "high": 18}, 'at most 18 ("p")'),
        ({"qualifier": "vague"}, 'no figure given ("p")'),
    ],
)
def test_markdown_count_wording(fields: dict[str, Any], expected: str) -> None:
    assert describe_count(Count(evidence="e", phrase="p", **fields)) == expected


# ---------------------------------------------------------------- prompts


def test_prompts_list(tmp_path: Path) -> None:
    default = load_prompt("default")
    result = run("prompts", "list")
    assert result.exit_code == 0
    assert f"{default.name}\tv{default.version}\t{default.hash}\t{default.description}" in result.stdout.splitlines()


def test_prompts_list_includes_the_prompts_dir(tmp_path: Path) -> None:
    text = load_prompt("default").path.read_text(encoding="utf-8").replace("name: default", "name: candidate", 1)
    (tmp_path / "candidate.txt").write_text(text, encoding="utf-8")
    result = run("prompts", "list", env={"SUMMARIZER_PROMPTS_DIR": str(tmp_path)})
    names = [line.split("\t")[0] for line in result.stdout.splitlines()]
    assert result.exit_code == 0 and sorted(names) == ["candidate", "default"]


def test_prompts_show() -> None:
    default = load_prompt("default")
    result = run("prompts", "show", "default")
    assert result.exit_code == 0
    assert result.stdout == default.path.read_text(encoding="utf-8")
    assert default.hash in result.stderr


def test_prompts_show_unknown() -> None:
    result = run("prompts", "show", "nope")
    assert result.exit_code == 2 and "no prompt named 'nope'" in result.stderr
    assert_clean(result)


def test_a_broken_prompt_is_a_usage_error(tmp_path: Path, fake: Fake) -> None:
    broken = write(tmp_path, "broken.txt", "---\nname: broken\nversion: 1\n---\n[user]\nNo article.\n")
    result = run("summarize", article_file(tmp_path), "--prompt", broken)
    assert result.exit_code == 2 and "must contain" in result.stderr and fake.calls == 0
    assert_clean(result)


# ---------------------------------------------------------------- configuration errors


@pytest.mark.parametrize(
    ("args", "env", "expected"),
    [
        (("--backend", "openai"), {}, "needs OPENAI_API_KEY"),
        (("--temperature", "5"), {}, "temperature must be between 0 and 2"),
        (("--model-path", "/nonexistent/model.gguf"), {}, "no such file"),
        (("--prompt", "nope"), {}, "no prompt named 'nope'"),
        ((), {"SUMMARIZER_TEMPERATURE": "warm"}, "is not a number"),
        ((), {"SUMMARIZER_BACKEND": "cloud"}, "unknown backend"),
        (("--format", "xml"), {}, "Invalid value for '--format'"),
        (("--max-retries", "-1"), {}, "Invalid value for '--max-retries'"),
    ],
)
def test_config_errors_exit_2(
    tmp_path: Path, fake: Fake, args: tuple[str, ...], env: dict[str, str], expected: str
) -> None:
    result = run("summarize", article_file(tmp_path), *args, env=env)
    assert result.exit_code == 2
    assert expected in result.stderr
    assert result.stdout == "" and fake.calls == 0
    assert_clean(result)


def test_key_or_base_url_selects_openai(tmp_path: Path, fake: Fake) -> None:
    fake.queue(answer(), answer())
    assert run("summarize", article_file(tmp_path), env={"OPENAI_API_KEY": API_KEY}).exit_code == 0
    assert fake.settings[-1].backend == "openai"
    result = run("summarize", article_file(tmp_path), "--base-url", "http://127.0.0.1:9/v1", "--no-cache")
    assert result.exit_code == 0 and fake.settings[-1].backend == "openai"


# ---------------------------------------------------------------- the real openai backend on loopback


def tool_answer(request: dict[str, Any]) -> Reply:
    return Reply(200, completion(request, json.dumps(answer())))


def test_openai_backend_end_to_end_never_prints_the_key(tmp_path: Path, isolated_home: Path) -> None:
    def script(number: int, request: dict[str, Any]) -> Reply:
        if number == 0:
            return Reply(429, error_body("slow down", "rate_limit"), {"retry-after": "0"})
        return tool_answer(request)

    with chat_server(script) as server:
        result = run("summarize", article_file(tmp_path), "--base-url", server.url, env={"OPENAI_API_KEY": API_KEY})
    assert result.exit_code == 0, result.stderr
    assert server.requests == 2 and server.seen[0].headers["authorization"] == f"Bearer {API_KEY}"
    (record,) = records(result.stdout)
    assert record.provenance.backend == "openai" and record.event.places[0].name == "Odesa"
    assert "backend openai" in result.stderr
    assert API_KEY not in result.stdout and API_KEY not in result.stderr
    stored = [path for path in isolated_home.rglob("*") if path.is_file()]
    assert stored
    for path in stored:
        assert API_KEY.encode() not in path.read_bytes(), path


def test_openai_backend_failure_is_one_line_without_the_key(tmp_path: Path) -> None:
    env = {"OPENAI_API_KEY": API_KEY, "SUMMARIZER_API_RETRIES": "1"}
    with chat_server(lambda number, request: Reply(500, error_body("model exploded"))) as server:
        result = run("summarize", article_file(tmp_path), "--base-url", server.url, env=env)
    assert result.exit_code == 1
    assert server.requests == 2  # the first try and one retry, for the one model call
    (line,) = failure_lines(result.stderr)
    assert f"the server at {server.url} answered HTTP 500" in line and "model exploded" in line
    assert API_KEY not in result.stdout and API_KEY not in result.stderr
    assert_clean(result)


def test_a_reader_run_resumes_its_jsonl_without_duplicating_records(tmp_path: Path) -> None:
    """Records of the reader alone say backend `reader`, model `none`: a second run on the same --out skips
    them (it used to compare them with the local backend's name and append every record again)."""
    seeds = [str(path) for path in sorted((Path(__file__).parents[1] / "evals" / "fixtures").glob("00[01]_*.txt"))]
    out = tmp_path / "records.jsonl"
    for _ in range(2):
        result = CliRunner().invoke(cli, ["summarize", "--strategy", "reader", "--out", str(out), *seeds])
        assert result.exit_code == 0, result.stderr
    assert len(out.read_text(encoding="utf-8").splitlines()) == 2
    assert "summarizer: 0 record(s), 2 skipped (already done)" in result.stderr.splitlines()
