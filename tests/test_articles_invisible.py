"""Text that is not text (issue 9, part 6): invisible-only articles are empty, a NUL anywhere is binary."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_articles import load_all, only_failure, write

from summarizer.ingest.article import LoadFailure
from summarizer.ingest.articles import load_article

BODY = "Overnight, a missile struck Kyiv. At least 17 people were injured, officials said."


@pytest.mark.parametrize(
    "content",
    [
        "\u200b\u200c\u200d\u2060\ufeff",  # zero-width space, non-joiner, joiner, word joiner, BOM
        "\u200b" * 5000,
        " \u00ad\n\t\u00ad \u00ad\u3000\n",  # whitespace and soft hyphens
        "\ufeff\u200e\u2066\u2069\u200b",  # a BOM and direction marks (all format characters, Cf)
    ],
)
def test_an_invisible_only_text_file_is_empty(tmp_path: Path, content: str) -> None:
    path = write(tmp_path, "z.txt", content)
    failure = only_failure(load_all(str(path)))
    assert failure.message == f"{path}: the article is empty"


def test_invisible_only_after_the_date_line_is_empty(tmp_path: Path) -> None:
    path = write(tmp_path, "d.txt", " date 2024-03-01 \u200b\u200b\n\u00ad\n")
    assert only_failure(load_all(str(path))).message == f"{path}: the article is empty"


def test_invisible_only_markdown_html_and_stdin_are_empty(tmp_path: Path) -> None:
    markdown = write(tmp_path, "m.md", "---\ntitle: T\n---\n\u200b\u2060\n")
    html = write(tmp_path, "h.html", "<html><body><p>&#8203;&shy;</p><p>\u200d</p></body></html>")
    for path in (markdown, html):
        assert only_failure(load_all(str(path))).message == f"{path}: the article is empty"
    stdin = "\u200b \u00ad\n".encode()
    assert only_failure(load_all("-", stdin=stdin)).message == "stdin: the article is empty"


def test_a_json_object_whose_text_is_only_a_zero_width_space_is_empty(tmp_path: Path) -> None:
    path = write(tmp_path, "o.json", json.dumps({"text": "\u200b", "title": "T"}))
    assert only_failure(load_all(str(path))).message == f"{path}: the article is empty"
    escaped = write(tmp_path, "e.json", '{"text": "\\u200b\\u00ad "}')
    assert only_failure(load_all(str(escaped))).message == f"{escaped}: the article is empty"


def test_a_jsonl_line_of_invisible_text_fails_alone(tmp_path: Path) -> None:
    lines = [{"text": BODY}, {"text": "\u200b\u200c"}, {"text": BODY + " Again."}]
    path = write(tmp_path, "l.jsonl", "".join(json.dumps(line) + "\n" for line in lines))
    results = load_all(str(path))
    assert [type(r).__name__ for r in results] == ["Article", "LoadFailure", "Article"]
    assert results[1].message == f"{path}:2: the article is empty"  # type: ignore[union-attr]


def test_visible_text_among_invisible_characters_still_loads(tmp_path: Path) -> None:
    article = load_article(write(tmp_path, "v.txt", "\u200b\u00ad" + BODY + "\u200b\n"))
    assert BODY in article.text


def test_a_nul_byte_far_into_a_text_file_is_binary(tmp_path: Path) -> None:
    raw = bytearray((BODY + "\n").encode() * 400)  # about 34 KB of text
    assert len(raw) > 20_001
    raw[20_000] = 0
    path = write(tmp_path, "n.txt", bytes(raw))
    failure = only_failure(load_all(str(path)))
    assert "binary content" in failure.message and failure.message.startswith(f"{path}:")


def test_a_nul_byte_far_into_stdin_is_binary() -> None:
    raw = (BODY + "\n").encode() * 400 + b"\x00" + b"end\n"
    assert "binary content" in only_failure(load_all("-", stdin=raw)).message


def test_a_jsonl_line_with_a_nul_far_in_fails_alone(tmp_path: Path) -> None:
    long_text = (BODY + " ") * 200  # about 17 KB: the NUL is past the first 8 KB of the line and of the file
    second = json.dumps({"text": long_text}).encode()
    second = second[:-2] + b"\x00" + second[-2:]  # a raw NUL near the end of the second line
    content = json.dumps({"text": BODY}).encode() + b"\n" + second + b"\n" + json.dumps({"text": "Third."}).encode()
    path = write(tmp_path, "n.jsonl", content + b"\n")
    results = load_all(str(path))
    assert [type(r).__name__ for r in results] == ["Article", "LoadFailure", "Article"]
    failure = results[1]
    assert isinstance(failure, LoadFailure)
    assert failure.source == f"{path}:2" and "binary content" in failure.message


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_a_utf16_file_with_a_bom_still_loads(tmp_path: Path, encoding: str) -> None:
    text = ("Київ: " + BODY + "\n") * 300  # NUL bytes all through it, well past 8 KB
    raw = text.encode(encoding)
    if encoding != "utf-16":  # "utf-16" writes its own BOM
        raw = "\ufeff".encode(encoding) + raw
    assert b"\x00" in raw[20_000:]
    article = load_article(write(tmp_path, "u16.txt", raw))
    assert article.text == text.strip()


def test_a_utf16_jsonl_file_with_a_bom_still_loads(tmp_path: Path) -> None:
    lines = [{"text": (BODY + " ") * 100}, {"text": "Київ was hit."}]
    raw = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines).encode("utf-16")
    results = load_all(str(write(tmp_path, "u16.jsonl", raw)))
    assert [type(r).__name__ for r in results] == ["Article", "Article"]
