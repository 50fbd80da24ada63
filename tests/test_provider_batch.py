"""``summarizer batch`` end to end: the real openai client against a loopback files + batches server.

Submit writes and uploads the batch JSONL, status reads the provider's counts, collect downloads the output
and error files and writes records as ``summarize --out`` does; also the offline path (``--dry-run`` and
``--from-file``, as with vLLM's run_batch), sources changed since submit, and the refusals.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from fake_batch_server import BatchServer, batch_server
from fake_openai_server import completion, error_body
from openai.types.chat import ChatCompletion

from summarizer.cli.batch import batch_group
from summarizer.cli.kit import SUMMARIZER_KEY
from summarizer.config.secrets import public_url
from summarizer.config.settings import Settings
from summarizer.ingest.article import Article
from summarizer.ingest.articles import load_articles
from summarizer.model.extract import build_request
from summarizer.pipeline import Summarizer
from summarizer.record import Record
from summarizer.store.database import Store

API_KEY = "sk-test-BATCH-NEVER-STORED-5e21"
CITIES = ("Odesa", "Kharkiv", "Dnipro", "Lviv", "Sumy")
FAILING_LINE = 2  # the provider fails the third request


def text(number: int, city: str) -> str:
    return f"Overnight, Russia launched {number + 10} drones at {city}. At least {number + 2} people were injured."


def event_for(body: dict[str, Any]) -> dict[str, Any]:
    """A grounded answer for the article in the request (its city and count read back from the prompt)."""
    prompt = " ".join(str(message.get("content")) for message in body["messages"])
    city, injured = re.search(r"drones at (\w+)\. At least (\d+) people", prompt).groups()  # type: ignore[union-attr]
    return {
        "event_type": "drone_strike",
        "title": f"Drone attack on {city}",
        "summary": f"Russia launched drones at {city} overnight.",
        "when": {"evidence": "Overnight", "phrase": "Overnight"},
        "places": [{"evidence": f"drones at {city}", "name": city, "kind": "city"}],
        "casualties": {
            "injured": {
                "evidence": f"At least {injured} people were injured",
                "phrase": f"At least {injured}",
                "value": int(injured),
                "low": int(injured),
                "qualifier": "at_least",
            }
        },
    }


def answer(number: int, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    if number == FAILING_LINE:
        return 500, error_body("the model is overloaded")
    return 200, completion(body, json.dumps(event_for(body)))


@pytest.fixture
def articles(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    for number, city in enumerate(CITIES):
        (folder / f"{number}_{city.lower()}.txt").write_text(f" date 2024-05-02 {text(number, city)}", encoding="utf-8")
    return folder


@pytest.fixture
def server() -> Any:
    with batch_server(answer) as running:
        yield running


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(batch_group, list(args), env=env, catch_exceptions=False)


def keyed(*args: str) -> Result:
    return run(*args, env={"OPENAI_API_KEY": API_KEY})


def jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def loaded(folder: Path) -> list[Article]:
    items = list(load_articles([str(folder)]))
    assert all(isinstance(item, Article) for item in items)
    return items  # type: ignore[return-value]


def settings_for(url: str | None, **overrides: Any) -> Settings:
    return Settings.from_env(backend="openai", base_url=url, api_key=API_KEY, **overrides)


def assert_no_key_anywhere(*places: Path, texts: tuple[str, ...] = ()) -> None:
    for text_ in texts:
        assert API_KEY not in text_
    for place in places:
        files = [place] if place.is_file() else [path for path in place.rglob("*") if path.is_file()]
        for path in files:
            assert API_KEY.encode() not in path.read_bytes(), path


# ---------------------------------------------------------------- submit, status, collect


def test_submit_status_collect_end_to_end(
    tmp_path: Path, articles: Path, server: BatchServer, isolated_home: Path
) -> None:
    submitted = keyed("submit", str(articles), "--base-url", server.url)
    assert submitted.exit_code == 0, submitted.stderr
    batch_id = submitted.stdout.strip()
    assert batch_id in server.batches and "submitted 5 request(s)" in submitted.stderr

    status = keyed("status", batch_id)
    assert status.exit_code == 0, status.stderr
    assert "completed" in status.stdout and "4 of 5 done, 1 failed" in status.stdout

    out = tmp_path / "out.jsonl"
    collected = keyed("collect", batch_id, "--out", str(out))
    assert collected.exit_code == 1, collected.stderr  # one request failed
    records = [Record.model_validate(line) for line in jsonl(out)]
    assert len(records) == 4
    assert sorted(r.event.places[0].name for r in records) == sorted(c for n, c in enumerate(CITIES) if n != 2)
    assert all(r.provenance.backend == "openai" and r.provenance.model == "gpt-4o-mini" for r in records)
    (error,) = jsonl(tmp_path / "out.errors.jsonl")
    assert error["kind"] == "backend" and "HTTP 500" in error["message"] and "overloaded" in error["message"]
    assert error["source"].endswith("2_dnipro.txt") and error["sha256"] == loaded(articles)[2].sha256
    assert "4 record(s)" in collected.stderr and "1 failed" in collected.stderr

    before = (out.read_bytes(), (tmp_path / "out.errors.jsonl").read_bytes())
    again = keyed("collect", "--out", str(out))  # the latest batch, collected twice: nothing added
    assert again.exit_code == 1 and "4 skipped (already done)" in again.stderr
    assert (out.read_bytes(), (tmp_path / "out.errors.jsonl").read_bytes()) == before

    stored = Store.open(isolated_home).load_batch(batch_id)
    assert stored is not None and stored["base_url"] == server.url and stored["state"] == "completed"
    assert stored["sources"] == [str(articles)] and len(stored["articles"]) == 5
    assert f"Bearer {API_KEY}" in server.authorizations
    texts = (submitted.stdout, submitted.stderr, status.stdout, collected.stdout, collected.stderr)
    assert_no_key_anywhere(isolated_home, out, tmp_path / "out.errors.jsonl", texts=texts)


def test_the_uploaded_file_is_batch_jsonl_of_the_summarize_requests(articles: Path, server: BatchServer) -> None:
    assert keyed("submit", str(articles), "--base-url", server.url).exit_code == 0
    (upload,) = server.uploaded("batch")
    assert upload.filename.endswith(".jsonl")
    lines = [json.loads(line) for line in upload.data.decode().splitlines()]
    summarizer = Summarizer(settings_for(server.url))
    expected = [
        build_request(summarizer.prompt.render(summarizer.fit(a)), summarizer.settings, "gpt-4o-mini", 0)
        for a in loaded(articles)
    ]
    assert [line["body"] for line in lines] == expected
    assert all(line["method"] == "POST" and line["url"] == "/v1/chat/completions" for line in lines)
    assert len({line["custom_id"] for line in lines}) == 5
    assert set(next(iter(server.batches.values()))["metadata"]) == {"summarizer_batch"}


def test_a_collected_record_is_what_record_from_completion_makes(
    tmp_path: Path, articles: Path, server: BatchServer
) -> None:
    batch_id = keyed("submit", str(articles), "--base-url", server.url).stdout.strip()
    out = tmp_path / "out.jsonl"
    keyed("collect", batch_id, "--out", str(out))
    output_file = server.files[server.batches[batch_id]["output_file_id"]]
    (first, *_) = [json.loads(line) for line in output_file.data.decode().splitlines()]
    completion_ = ChatCompletion.model_validate(first["response"]["body"])
    article = loaded(articles)[0]
    expected = Summarizer(settings_for(server.url)).record_from_completion(article, completion_)
    (record,) = [r for r in map(Record.model_validate, jsonl(out)) if r.article.source == article.source]
    assert record.event == expected.event and record.spans == expected.spans
    assert record.article == expected.article and record.warnings == expected.warnings


def test_collect_refuses_a_batch_still_running(tmp_path: Path, articles: Path) -> None:
    with batch_server(answer, hold=True) as server:
        batch_id = keyed("submit", str(articles), "--base-url", server.url).stdout.strip()
        result = keyed("collect", batch_id, "--out", str(tmp_path / "out.jsonl"))
        status = keyed("status")
    assert result.exit_code == 1 and "is in_progress" in result.stderr and "collect it when" in result.stderr
    assert not (tmp_path / "out.jsonl").exists()
    assert status.exit_code == 0 and "in_progress" in status.stdout


# ---------------------------------------------------------------- offline: --dry-run and --from-file


def vllm_results(batch_file: Path, fail_line: int = FAILING_LINE) -> str:
    """What vLLM's run_batch writes for a batch file: one result per request, an error object for a failure."""
    lines = []
    for number, line in enumerate(batch_file.read_text(encoding="utf-8").splitlines()):
        request = json.loads(line)
        result: dict[str, Any] = {"id": f"vllm-{number}", "custom_id": request["custom_id"], "error": None}
        if number == fail_line:
            result.update(response=None, error={"message": "prompt too long for the model", "code": 400})
        else:
            body = completion(request["body"], json.dumps(event_for(request["body"])))
            result["response"] = {"status_code": 200, "request_id": f"vllm-{number}", "body": body}
        lines.append(json.dumps(result))
    return "\n".join(lines) + "\n"


def test_dry_run_then_collect_from_a_vllm_results_file(tmp_path: Path, articles: Path, isolated_home: Path) -> None:
    batch_file = tmp_path / "batch.jsonl"
    submitted = run("submit", str(articles), "--dry-run", "--file", str(batch_file), "--backend", "openai",
                    "--model", "Qwen/Qwen2.5-7B-Instruct")  # fmt: skip
    assert submitted.exit_code == 0, submitted.stderr
    assert submitted.stdout.startswith("local-") and "run_batch" in submitted.stderr
    lines = jsonl(batch_file)
    assert len(lines) == 5 and {line["body"]["model"] for line in lines} == {"Qwen/Qwen2.5-7B-Instruct"}
    status = run("status")
    assert status.exit_code == 0 and "written" in status.stdout and "--from-file" in status.stdout

    results = tmp_path / "results.jsonl"
    results.write_text(vllm_results(batch_file), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    collected = run("collect", "--from-file", str(results), "--out", str(out))  # the batch found by custom_id
    assert collected.exit_code == 1, collected.stderr
    records = [Record.model_validate(line) for line in jsonl(out)]
    assert len(records) == 4 and {r.provenance.model for r in records} == {"Qwen/Qwen2.5-7B-Instruct"}
    (error,) = jsonl(tmp_path / "out.errors.jsonl")
    assert "prompt too long for the model" in error["message"] and error["kind"] == "backend"

    to_stdout = run("collect", "--from-file", str(results), "-q")  # no --out: JSONL on stdout, no resume
    assert len(to_stdout.stdout.splitlines()) == 4 and to_stdout.exit_code == 1

    uploaded = run("collect", "--out", str(tmp_path / "other.jsonl"))  # never uploaded: nothing to download
    assert uploaded.exit_code == 2 and "--from-file" in uploaded.stderr


def test_submit_and_collect_build_their_summarizer_where_every_command_does(tmp_path: Path, articles: Path) -> None:
    """The root context's obj injects the factory (cli.kit.SUMMARIZER_KEY), as for summarize and eval."""
    built: list[Settings] = []

    def factory(settings: Settings) -> Summarizer:
        built.append(settings)
        return Summarizer(settings)

    def injected(*args: str) -> Result:
        return CliRunner().invoke(batch_group, list(args), obj={SUMMARIZER_KEY: factory}, catch_exceptions=False)

    batch_file = tmp_path / "batch.jsonl"
    submitted = injected("submit", str(articles), "--dry-run", "--file", str(batch_file), "--backend", "openai",
                         "--timeout", "7")  # fmt: skip
    assert submitted.exit_code == 0, submitted.stderr
    assert "backend openai · model gpt-4o-mini · prompt default" in submitted.stderr  # the setup line
    results = tmp_path / "results.jsonl"
    results.write_text(vllm_results(batch_file, fail_line=-1), encoding="utf-8")
    collected = injected("collect", "--from-file", str(results), "--timeout", "9", "-q")
    assert collected.exit_code == 0, collected.stderr
    assert [settings.timeout for settings in built] == [7.0, 9.0]


def test_a_dry_run_writes_openai_batch_lines_without_a_key_or_a_named_backend(tmp_path: Path, articles: Path) -> None:
    """As the README shows it: `batch submit feed.jsonl --dry-run --file requests.jsonl` on a machine with no key."""
    batch_file = tmp_path / "requests.jsonl"
    result = run("submit", str(articles), "--dry-run", "--file", str(batch_file), "--model", "my-vllm-model")
    assert result.exit_code == 0, result.output
    lines = jsonl(batch_file)
    assert len(lines) == 5 and {line["url"] for line in lines} == {"/v1/chat/completions"}
    assert {line["body"]["model"] for line in lines} == {"my-vllm-model"}


def test_an_article_changed_since_submit_is_refused(tmp_path: Path, articles: Path) -> None:
    batch_file = tmp_path / "batch.jsonl"
    assert run("submit", str(articles), "--dry-run", "--file", str(batch_file), "--backend", "openai").exit_code == 0
    results = tmp_path / "results.jsonl"
    results.write_text(vllm_results(batch_file, fail_line=-1), encoding="utf-8")
    changed = articles / "1_kharkiv.txt"
    changed.write_text(changed.read_text(encoding="utf-8").replace("Kharkiv", "Kherson"), encoding="utf-8")
    (articles / "4_sumy.txt").unlink()
    out = tmp_path / "out.jsonl"
    result = run("collect", "--from-file", str(results), "--out", str(out))
    assert result.exit_code == 1
    assert len(jsonl(out)) == 3
    errors = {Path(e["source"]).name: e["message"] for e in jsonl(tmp_path / "out.errors.jsonl")}
    assert set(errors) == {"1_kharkiv.txt", "4_sumy.txt"}
    assert all("source changed since submit" in message for message in errors.values())


# ---------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("submit", "{articles}", "--backend", "local"), "only the openai backend"),
        (("submit", "{articles}"), "only the openai backend"),  # no key, no base URL: the local backend
        (("submit", "{articles}", "--dry-run", "--backend", "local", "--file", "b.jsonl"), "only the openai backend"),
        (("submit", "-", "--base-url", "http://127.0.0.1:9/v1"), "cannot read stdin"),
        (("submit", "{articles}", "--dry-run", "--backend", "openai"), "--file"),
        (("submit", "{articles}", "--dry-run", "--backend", "openai", "--strategy", "reader", "--file", "b.jsonl"),
         "nothing to send"),
        (("collect", "--out", "out.jsonl"), "no batch recorded yet"),
        (("status", "batch_unknown"), "no batch batch_unknown"),
    ],
)  # fmt: skip
def test_usage_errors_exit_2(articles: Path, args: tuple[str, ...], expected: str) -> None:
    result = run(*(arg.format(articles=articles) for arg in args))
    assert result.exit_code == 2, result.output
    assert expected in result.stderr and "Traceback" not in result.stderr


def test_collect_keeps_what_the_batch_was_submitted_with(tmp_path: Path, articles: Path) -> None:
    batch_file = tmp_path / "batch.jsonl"
    assert run("submit", str(articles), "--dry-run", "--file", str(batch_file), "--backend", "openai").exit_code == 0
    results = tmp_path / "results.jsonl"
    results.write_text(vllm_results(batch_file), encoding="utf-8")
    other_model = run("collect", "--from-file", str(results), "--model", "another-model")
    assert other_model.exit_code == 2 and "was submitted with --model gpt-4o-mini" in other_model.stderr
    local = run("collect", "--from-file", str(results), "--backend", "local")
    assert local.exit_code == 2 and "only the openai backend" in local.stderr


def test_relative_sources_are_collected_from_the_folder_of_submit(
    tmp_path: Path, articles: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert run("submit", "articles", "--dry-run", "--file", "batch.jsonl", "--backend", "openai").exit_code == 0
    (tmp_path / "results.jsonl").write_text(vllm_results(tmp_path / "batch.jsonl"), encoding="utf-8")
    monkeypatch.chdir(articles)
    elsewhere = run("collect", "--from-file", str(tmp_path / "results.jsonl"))
    assert elsewhere.exit_code == 2 and f"submitted from {tmp_path}" in elsewhere.stderr
    monkeypatch.chdir(tmp_path)
    here = run("collect", "--from-file", "results.jsonl", "--out", "out.jsonl")
    assert here.exit_code == 1 and len(jsonl(tmp_path / "out.jsonl")) == 4
    assert {Record.model_validate(r).article.source for r in jsonl(tmp_path / "out.jsonl")} == {
        f"articles/{name}" for name in ("0_odesa.txt", "1_kharkiv.txt", "3_lviv.txt", "4_sumy.txt")
    }


# ---------------------------------------------------------------- the store


def test_the_store_keeps_batches_without_credentials(tmp_path: Path) -> None:
    assert public_url("https://user:s3cret@example.com:8443/v1?api-key=k#x") == "https://example.com:8443/v1"
    assert public_url(None) is None
    store = Store(tmp_path / "s.db")
    article = {"custom_id": "t-1", "source": "a.txt", "article_id": "a", "sha256": "1" * 64, "record_sha256": "2" * 64}
    for number in (1, 2):
        store.save_batch(
            {"id": f"batch_{number}", "base_url": None, "model": "m", "prompt_hash": "h", "input_file_id": "file-1",
             "state": "validating", "sources": ["a.txt"], "settings": {"prompt": "default"},
             "articles": [{**article, "custom_id": f"t{number}-1"}]}
        )  # fmt: skip
    store.update_batch_state("batch_1", "completed", {"output_file_id": "file-9"})
    loaded_ = store.load_batch("batch_1")
    assert loaded_ is not None and loaded_["state"] == "completed" and loaded_["detail"] == {"output_file_id": "file-9"}
    assert loaded_["articles"] == [{**article, "custom_id": "t1-1"}] and loaded_["sources"] == ["a.txt"]
    assert [b["id"] for b in store.list_batches()] == ["batch_2", "batch_1"]
    assert store.batch_of_request("t2-1") == "batch_2" and store.batch_of_request("nope") is None
    assert store.load_batch("batch_3") is None
