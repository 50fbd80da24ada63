"""Article input that streams and never reads the wrong files (issue 8).

JSONL is read line by line (flat memory, no 20 MB file cap, one failure per bad line), the run's
output files and eval labels files are never fed to the model, and ``count_articles`` gives a
progress total without loading anything.
"""

from __future__ import annotations

import io
import json
import time
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from summarizer.ingest import articles, decoding, streams
from summarizer.ingest.article import Article, LoadFailure
from summarizer.ingest.articles import LABELS_SUFFIX, count_articles, load_article, load_articles
from summarizer.ingest.decoding import MAX_FILE_BYTES

BODY = "Overnight, a missile struck Kyiv. At least 17 people were injured, officials said."
BIG_LINES = 20_000
BIG_TEXT_CHARS = 2_600  # 20,000 lines of about 2.6 KB: a JSONL of about 52 MB, over the 20 MB cap


def shrink_file_cap(monkeypatch: pytest.MonkeyPatch, size: int) -> None:
    """``MAX_FILE_BYTES`` made ``size`` in every loading module that reads it."""
    for module in (articles, streams, decoding):
        monkeypatch.setattr(module, "MAX_FILE_BYTES", size)


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def jsonl(*objects: Any) -> str:
    return "".join(json.dumps(obj) + "\n" for obj in objects)


def load_all(*args: str, stdin: bytes | None = None, exclude: tuple[Path, ...] = ()) -> list[Article | LoadFailure]:
    stream = io.BytesIO(stdin) if stdin is not None else None
    return list(load_articles(args, stdin=stream, exclude=exclude))


def only_failure(results: list[Article | LoadFailure]) -> LoadFailure:
    assert len(results) == 1 and isinstance(results[0], LoadFailure), results
    return results[0]


def big_jsonl_bytes(lines: int = BIG_LINES) -> bytes:
    filler = ("Rescuers searched the rubble of the apartment block through the night. " * 40)[:BIG_TEXT_CHARS]
    return b"".join(
        json.dumps({"id": f"a{n}", "text": f"Article {n}. {filler}", "published": "2024-03-21"}).encode() + b"\n"
        for n in range(lines)
    )


@pytest.fixture(scope="module")
def big_jsonl(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("big") / "feed.jsonl"
    path.write_bytes(big_jsonl_bytes())
    assert path.stat().st_size > 2 * MAX_FILE_BYTES
    return path


class CountingFileIO(io.FileIO):
    """A file that records how many bytes were actually read from it (below any buffering)."""

    consumed = 0

    def readinto(self, buffer: Any) -> int | None:
        count = super().readinto(buffer)
        type(self).consumed += count or 0
        return count


class CountingStream(io.BytesIO):
    """stdin stand-in that records how many bytes the loader took from it."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.consumed = 0

    def read(self, size: int | None = -1, /) -> bytes:
        data = super().read(size)
        self.consumed += len(data)
        return data

    def readline(self, size: int | None = -1, /) -> bytes:
        data = super().readline(size)
        self.consumed += len(data)
        return data


# ---------------------------------------------------------------- streaming


def test_jsonl_first_article_does_not_read_the_whole_file(big_jsonl: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    original_open = Path.open

    def counting_open(self: Path, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if self == big_jsonl and mode == "rb":
            return io.BufferedReader(CountingFileIO(self))
        return original_open(self, mode, *args, **kwargs)

    monkeypatch.setattr(Path, "open", counting_open)
    CountingFileIO.consumed = 0
    items = load_articles([str(big_jsonl)])
    first = next(items)
    assert isinstance(first, Article) and first.id == "a0" and first.source == f"{big_jsonl}:1"
    assert 0 < CountingFileIO.consumed < 64 * 1024  # a few buffers of a 52 MB file
    second = next(items)
    assert isinstance(second, Article) and second.id == "a1"
    assert CountingFileIO.consumed < 64 * 1024
    items.close()


def test_jsonl_larger_than_the_file_cap_streams_in_flat_memory(big_jsonl: Path) -> None:
    size = big_jsonl.stat().st_size
    count = 0
    last: Article | LoadFailure | None = None
    tracemalloc.start()
    try:
        for item in load_articles([str(big_jsonl)]):
            assert isinstance(item, Article), item
            count += 1
            last = item
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == BIG_LINES
    assert isinstance(last, Article) and last.source == f"{big_jsonl}:{BIG_LINES}" and last.id == f"a{BIG_LINES - 1}"
    assert peak < 2 * 1024 * 1024 < size // 20, f"peak {peak:,} bytes while loading a {size:,}-byte JSONL"


def test_count_articles_is_fast_on_a_large_jsonl(big_jsonl: Path) -> None:
    started = time.perf_counter()
    assert count_articles([str(big_jsonl)]) == BIG_LINES
    assert time.perf_counter() - started < 2.0


def test_malformed_binary_and_undecodable_lines_fail_alone(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": "a", "text": "Alpha happened."}).encode(),
        b"{not json",
        b'{"text": "Bravo\x00\x00 happened."}',  # NUL bytes: binary content, this line only
        json.dumps({"text": "Caf\u00e9 owner spoke."}, ensure_ascii=False).encode("cp1252"),
        b"   \t",
        b"\x81\x8d\x8f\x90\x9d" * 20,
        json.dumps({"id": "d", "text": "Delta happened."}).encode(),
    ]
    path = write(tmp_path, "mixed.jsonl", b"\r\n".join(lines) + b"\r\n")
    results = load_all(str(path))
    assert [(type(r).__name__, r.source) for r in results] == [
        ("Article", f"{path}:1"),
        ("LoadFailure", f"{path}:2"),
        ("LoadFailure", f"{path}:3"),
        ("Article", f"{path}:4"),
        ("LoadFailure", f"{path}:6"),
        ("Article", f"{path}:7"),
    ]
    alpha, cafe, delta = (r for r in results if isinstance(r, Article))
    assert "invalid JSON" in results[1].message
    assert "binary" in results[2].message and results[2].message.startswith(f"{path}:3:")
    assert "cannot decode" in results[4].message
    assert cafe.text == "Caf\u00e9 owner spoke." and any("Windows-1252" in w for w in cafe.warnings)
    assert alpha.warnings == () and delta.warnings == ()  # decoding is per line: one bad line taints no other
    assert (alpha.id, delta.id) == ("a", "d")


def test_a_binary_file_named_jsonl_is_one_failure(tmp_path: Path) -> None:
    raw = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 40
    failure = only_failure(load_all(str(write(tmp_path, "photo.jsonl", raw))))
    assert "binary" in failure.message and failure.source.endswith("photo.jsonl")


def test_a_line_over_the_cap_is_one_failure_and_the_rest_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shrink_file_cap(monkeypatch, 200)
    long_line = json.dumps({"text": "x " * 2000})
    path = write(tmp_path, "long.jsonl", jsonl({"text": "One."}) + long_line + "\n" + jsonl({"text": "Three."}))
    results = load_all(str(path))
    assert [type(r).__name__ for r in results] == ["Article", "LoadFailure", "Article"]
    assert results[1].source == f"{path}:2" and "larger than" in results[1].message
    assert results[2].source == f"{path}:3" and results[2].text == "Three."


def test_jsonl_of_blank_lines_is_empty(tmp_path: Path) -> None:
    failure = only_failure(load_all(str(write(tmp_path, "blank.jsonl", "\n  \n\u00a0\n"))))
    assert "empty" in failure.message and failure.source == str(tmp_path / "blank.jsonl")


def test_utf16_jsonl_still_loads(tmp_path: Path) -> None:
    path = write(tmp_path, "u16.jsonl", jsonl({"text": "Київ was hit."}, {"text": "Two."}).encode("utf-16"))
    assert [r.text for r in load_all(str(path)) if isinstance(r, Article)] == ["Київ was hit.", "Two."]


def test_load_article_on_a_one_line_jsonl(tmp_path: Path) -> None:
    article = load_article(write(tmp_path, "one.jsonl", jsonl({"id": "x", "text": BODY})))
    assert article.id == "x" and article.text == BODY


# ---------------------------------------------------------------- stdin


def test_stdin_jsonl_streams() -> None:
    stream = CountingStream(big_jsonl_bytes(2_000))
    items = load_articles(["-"], stdin=stream)
    first = next(items)
    assert isinstance(first, Article) and first.source == "stdin:1" and first.id == "a0"
    assert stream.consumed < 16 * 1024  # two lines sniffed, of about 5 MB
    assert sum(1 for _ in items) == 1_999


def test_stdin_jsonl_with_blank_lines_keeps_line_numbers() -> None:
    payload = ("\n\n" + jsonl({"text": "One."}) + "\n" + jsonl({"text": "Two."})).encode()
    results = load_all("-", stdin=payload)
    assert [(r.source, r.text) for r in results if isinstance(r, Article)] == [("stdin:3", "One."), ("stdin:5", "Two.")]
    assert [r.id for r in results if isinstance(r, Article)] == ["stdin-3", "stdin-5"]


def test_stdin_single_object_is_still_one_json_document() -> None:
    (article,) = load_all("-", stdin=(json.dumps({"text": BODY}) + "\n\n").encode())
    assert isinstance(article, Article) and article.source == "stdin" and article.id == "stdin"
    pretty = json.dumps({"id": "p", "text": BODY}, indent=2).encode()
    (article,) = load_all("-", stdin=pretty)
    assert isinstance(article, Article) and article.id == "p" and article.source == "stdin"


def test_stdin_jsonl_with_a_malformed_first_line() -> None:
    results = load_all("-", stdin=("{oops\n" + jsonl({"text": "Two."})).encode())
    assert [(type(r).__name__, r.source) for r in results] == [("LoadFailure", "stdin:1"), ("Article", "stdin:2")]


def test_stdin_over_the_cap_with_a_malformed_first_line_streams(monkeypatch: pytest.MonkeyPatch) -> None:
    shrink_file_cap(monkeypatch, 300)
    payload = ("{oops\n" + jsonl(*({"text": f"Line {n}."} for n in range(2, 40)))).encode()
    results = load_all("-", stdin=payload)
    assert isinstance(results[0], LoadFailure) and results[0].source == "stdin:1"
    assert [r.text for r in results[1:]] == [f"Line {n}." for n in range(2, 40)]


def test_stdin_text_over_the_cap_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    shrink_file_cap(monkeypatch, 100)
    assert "larger than" in only_failure(load_all("-", stdin=b"word " * 100)).message


def test_file_without_suffix_sniffs_as_jsonl(tmp_path: Path) -> None:
    path = write(tmp_path, "feed", jsonl({"text": "One."}, {"text": "Two."}))
    assert [r.source for r in load_all(str(path))] == [f"{path}:1", f"{path}:2"]
    assert count_articles([str(path)]) == 2


# ---------------------------------------------------------------- never the output or the labels


def test_out_files_are_skipped_in_a_folder_and_refused_explicitly(tmp_path: Path) -> None:
    write(tmp_path, "a.txt", BODY)
    out = write(tmp_path, "records.jsonl", jsonl({"text": "A record, not an article."}))
    errors = write(tmp_path, "records.errors.jsonl", jsonl({"text": "An error line."}))
    exclude = (out, errors, tmp_path / "records.jsonl.torn")  # a side file that does not exist is fine
    results = load_all(str(tmp_path), exclude=exclude)
    assert [r.source for r in results] == [str(tmp_path / "a.txt")]
    assert count_articles([str(tmp_path)], exclude=exclude) == 1

    failure = only_failure(load_all(str(out), exclude=exclude))
    assert "output file" in failure.message and failure.source == str(out)
    # the same file under another name is still the output file
    other_name = tmp_path / "sub" / ".." / "records.errors.jsonl"
    (tmp_path / "sub").mkdir()
    assert "output file" in only_failure(load_all(str(other_name), exclude=exclude)).message
    link = tmp_path / "link.jsonl"
    link.symlink_to(out)
    assert "output file" in only_failure(load_all(str(link), exclude=exclude)).message


def test_out_files_are_skipped_in_a_glob(tmp_path: Path) -> None:
    write(tmp_path, "feed.jsonl", jsonl({"text": "One."}))
    out = write(tmp_path, "out.jsonl", jsonl({"text": "Record."}))
    assert [r.text for r in load_all(str(tmp_path / "*.jsonl"), exclude=(out,))] == ["One."]
    failure = only_failure(load_all(str(tmp_path / "out*"), exclude=(out,)))
    assert "output files" in failure.message
    assert count_articles([str(tmp_path / "*.jsonl")], exclude=(out,)) == 1


def test_without_exclude_the_out_file_is_an_ordinary_file(tmp_path: Path) -> None:
    out = write(tmp_path, "out.jsonl", jsonl({"text": "Record."}))
    assert [r.text for r in load_all(str(out))] == ["Record."]


def test_labels_files_are_skipped_in_folders_and_globs_and_refused_explicitly(tmp_path: Path) -> None:
    write(tmp_path, "fixtures/000_case.txt", BODY)
    labels = write(tmp_path, "fixtures/000_case.labels.json", json.dumps({"labels": {"what.event_type": "attack"}}))
    write(tmp_path, "fixtures/sub/001_case.md", "Second.")
    write(tmp_path, "fixtures/sub/001_case.LABELS.JSON", json.dumps({"labels": {}}))
    folder = tmp_path / "fixtures"
    assert [r.text for r in load_all(str(folder))] == [BODY, "Second."]
    assert [r.text for r in load_all(str(folder / "*"))] == [BODY]
    assert "only eval labels files" in only_failure(load_all(str(folder / "*.json"))).message
    assert count_articles([str(folder)]) == 2

    failure = only_failure(load_all(str(labels)))
    assert "labels file" in failure.message and "not an article" in failure.message
    assert count_articles([str(labels)]) == 1


def test_a_folder_of_labels_only_has_no_article_files(tmp_path: Path) -> None:
    write(tmp_path, "only/x.labels.json", "{}")
    assert "no article files" in only_failure(load_all(str(tmp_path / "only"))).message


def test_eval_fixtures_use_the_same_labels_suffix() -> None:
    from summarizer.evals import fixtures

    assert fixtures.LABELS_SUFFIX is LABELS_SUFFIX == ".labels.json"


# ---------------------------------------------------------------- count_articles


def test_count_articles_matches_what_a_mixed_folder_yields(tmp_path: Path) -> None:
    write(tmp_path, "in/a.txt", BODY)
    write(tmp_path, "in/b.md", f"# Title\n\n{BODY}")
    write(tmp_path, "in/c.html", f"<html><body><p>{BODY}</p></body></html>")
    write(tmp_path, "in/d.json", json.dumps({"text": BODY}))
    write(tmp_path, "in/e.json", json.dumps([{"text": "One."}, {"title": "no text"}, {"text": "Three."}]))
    write(tmp_path, "in/f.json", "[]")  # an empty array yields nothing
    write(tmp_path, "in/g.json", "[broken")
    write(tmp_path, "in/h.jsonl", "\n" + jsonl({"text": "One."}) + "  \n{bad\n" + json.dumps({"text": "Four."}))
    write(tmp_path, "in/i.jsonl", "\n\n")  # one "empty" failure
    write(tmp_path, "in/j.jsonl", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    write(tmp_path, "in/k.txt", "")
    write(tmp_path, "in/sub/l.ndjson", jsonl({"text": "A."}, {"text": "B."}, {"text": "C."}))
    write(tmp_path, "in/m.labels.json", "{}")
    write(tmp_path, "in/n.png", b"\x89PNG")
    out = write(tmp_path, "in/out.jsonl", jsonl({"text": "Record."}))
    args = [str(tmp_path / "in"), str(tmp_path / "missing.txt"), str(out)]
    yielded = list(load_articles(args, exclude=[out]))
    assert count_articles(args, exclude=[out]) == len(yielded) == 19
    assert sum(isinstance(r, Article) for r in yielded) == 11


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 8])
def test_count_articles_across_chunk_boundaries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int) -> None:
    content = '\n  \n{"text": "a"}\n\n   {"text": "b"}\r\n\t\n  {"text": "c"}\n \n'
    path = write(tmp_path, "f.jsonl", content)
    assert [r.text for r in load_all(str(path))] == ["a", "b", "c"]
    monkeypatch.setattr(articles, "COUNT_CHUNK_BYTES", chunk)
    monkeypatch.setattr(articles, "SNIFF_BYTES", chunk)
    assert count_articles([str(path)]) == 3


def test_count_articles_is_none_with_stdin(tmp_path: Path) -> None:
    assert count_articles(["-", str(write(tmp_path, "a.txt", BODY))]) is None
    assert count_articles([str(tmp_path / "nothing-*.txt")]) == 1  # the "no files match" failure
