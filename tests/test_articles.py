"""Article loading: every format, stdin, and every kind of bad input as a LoadFailure with a clear message."""

from __future__ import annotations

import hashlib
import io
import json
from datetime import date
from pathlib import Path

import pytest
from test_articles_streaming import BODY, shrink_file_cap, write

from summarizer.errors import ArticleError
from summarizer.ingest import documents
from summarizer.ingest.article import Article, LoadFailure, fit_to_budget
from summarizer.ingest.articles import load_article, load_articles

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "evals" / "fixtures" / "000_ede6e3fe3861d4f9.txt"


def load_all(*args: str, stdin: bytes | None = None) -> list[Article | LoadFailure]:
    return list(load_articles(args, stdin=io.BytesIO(stdin) if stdin is not None else None))


def only_failure(results: list[Article | LoadFailure]) -> LoadFailure:
    assert len(results) == 1 and isinstance(results[0], LoadFailure), results
    return results[0]


# ---------------------------------------------------------------- formats


def test_seed_file_date_header_and_body_on_one_line() -> None:
    raw = SEED.read_text(encoding="utf-8")
    article = load_article(SEED)
    assert article.published == date(2024, 3, 21)
    assert article.text.startswith("In a stark overnight operation")
    assert "date 2024-03-21" not in article.text
    assert article.text == raw.split("2024-03-21", 1)[1].strip()
    assert article.id == SEED.stem and article.source == str(SEED)
    assert article.warnings == ()


def test_text_date_header(tmp_path: Path) -> None:
    article = load_article(write(tmp_path, "a.txt", f" date 2023-11-02 {BODY}\n"))
    assert article.published == date(2023, 11, 2)
    assert article.text == BODY


def test_text_without_header_has_no_date(tmp_path: Path) -> None:
    article = load_article(write(tmp_path, "plain.txt", f"\n  {BODY}\n\n"))
    assert article.published is None and article.text == BODY


def test_impossible_header_date_is_a_warning_not_a_failure(tmp_path: Path) -> None:
    article = load_article(write(tmp_path, "a.txt", f" date 2024-02-31 {BODY}"))
    assert article.published is None
    assert any("2024-02-31" in warning for warning in article.warnings)
    assert article.text == BODY


def test_sha256_and_meta() -> None:
    article = load_article(SEED)
    assert article.sha256 == hashlib.sha256(article.text.encode("utf-8")).hexdigest()
    meta = article.meta()
    assert meta.sha256 == article.sha256 and meta.chars == len(article.text)
    assert meta.published == article.published and meta.id == article.id


def test_markdown_front_matter_and_heading(tmp_path: Path) -> None:
    text = f'---\ntitle: "Strike on Kyiv"\ndate: 2024-03-21\nurl: https://example.org/a\n---\n# Headline\n\n{BODY}\n'
    article = load_article(write(tmp_path, "a.md", text))
    assert article.title == "Strike on Kyiv"  # front matter wins over the heading
    assert article.published == date(2024, 3, 21)
    assert article.url == "https://example.org/a"
    assert article.text == BODY


def test_markdown_heading_is_the_title(tmp_path: Path) -> None:
    article = load_article(write(tmp_path, "a.md", f"# Missiles hit Kyiv\n\n{BODY}\n"))
    assert article.title == "Missiles hit Kyiv" and article.text == BODY and article.published is None


def test_markdown_with_seed_header(tmp_path: Path) -> None:
    article = load_article(write(tmp_path, "a.md", f" date 2024-03-21 {BODY}"))
    assert article.published == date(2024, 3, 21) and article.text == BODY


HTML = """<!doctype html><html><head><title>Site | Strike</title>
<meta property="article:published_time" content="2024-03-21T08:00:00Z">
<style>.x { color: red }</style><script>var secret = "SCRIPT_TEXT";</script></head>
<body><nav>Home &middot; World NAV_TEXT</nav>
<article><h1>Missiles hit Kyiv</h1><p>Overnight, a missile struck Kyiv.</p>
<p>At least 17 people were injured &amp; 2 buildings burned.</p><noscript>NOSCRIPT_TEXT</noscript></article>
<aside>ASIDE_TEXT</aside><footer>FOOTER_TEXT</footer></body></html>"""


def test_html_visible_article_text_only(tmp_path: Path) -> None:
    article = load_article(write(tmp_path, "page.html", HTML))
    assert article.title == "Missiles hit Kyiv"
    assert article.published == date(2024, 3, 21)
    assert "Overnight, a missile struck Kyiv." in article.text
    assert "At least 17 people were injured & 2 buildings burned." in article.text
    for hidden in ("SCRIPT_TEXT", "NAV_TEXT", "NOSCRIPT_TEXT", "ASIDE_TEXT", "FOOTER_TEXT", "color: red", "<p>"):
        assert hidden not in article.text
    assert "Missiles hit Kyiv" not in article.text  # the headline is the title, not the body


def test_html_without_article_element_uses_the_page(tmp_path: Path) -> None:
    page = "<html><body><p>First paragraph.</p><p>Second paragraph.</p><script>x()</script></body></html>"
    article = load_article(write(tmp_path, "p.htm", page))
    lines = [line for line in article.text.splitlines() if line.strip()]
    assert lines == ["First paragraph.", "Second paragraph."]
    assert "x()" not in article.text


@pytest.mark.parametrize(
    "page",
    [
        "<html><head><title>T</title><body><p>Kyiv was hit.</p></body></html>",  # no </head>
        "<html><head><title>T</title><meta charset=utf-8><p>Kyiv was hit.</p>",  # no </head>, no <body>
        "<!doctype html><title>T</title><p>Kyiv was hit.",  # no <head> either
    ],
)
def test_html_with_optional_tags_left_out(tmp_path: Path, page: str) -> None:
    article = load_article(write(tmp_path, "p.html", page))
    assert article.text == "Kyiv was hit." and article.title == "T"


def test_html_with_only_markup_is_empty(tmp_path: Path) -> None:
    failure = only_failure(load_all(str(write(tmp_path, "e.html", "<html><script>x()</script></html>"))))
    assert "empty" in failure.message


def test_json_object_fields(tmp_path: Path) -> None:
    obj = {"id": "kyiv-1", "text": BODY, "title": "T", "published": "2024-03-21T10:00:00", "url": "https://x.test/1"}
    article = load_article(write(tmp_path, "a.json", json.dumps(obj)))
    assert (article.id, article.title, article.url) == ("kyiv-1", "T", "https://x.test/1")
    assert article.published == date(2024, 3, 21) and article.text == BODY


def test_markdown_front_matter_date_in_words(tmp_path: Path) -> None:
    article = load_article(write(tmp_path, "a.md", f"---\ndate: March 26, 2024\n---\n{BODY}\n"))
    assert article.published == date(2024, 3, 26) and article.warnings == ()


def test_json_dotted_published_date_is_day_first(tmp_path: Path) -> None:
    article = load_article(write(tmp_path, "a.json", json.dumps({"text": BODY, "published": "21.03.2024"})))
    assert article.published == date(2024, 3, 21) and article.warnings == ()


@pytest.mark.parametrize(
    ("value", "day"),
    [
        ("March 26, 2024", date(2024, 3, 26)),
        ("26 March 2024", date(2024, 3, 26)),
        ("Thu, 21 Mar 2024 06:45:00 GMT", date(2024, 3, 21)),
        ("21 March 2024 23:30 EST", date(2024, 3, 21)),  # the date as stated, not converted to another zone
        ("21.03.2024", date(2024, 3, 21)),  # dots: day first
        ("04.03.2024", date(2024, 3, 4)),
        ("21-03-2024", date(2024, 3, 21)),  # dashes, year last: day first
        ("3/25/2024", date(2024, 3, 25)),  # slashes: month first
        ("3/25/24", date(2024, 3, 25)),
        ("25/03/2024", date(2024, 3, 25)),  # impossible month first: the one reading there is
        ("2024/03/21", date(2024, 3, 21)),  # year first: year, month, day
    ],
)
def test_absolute_publication_dates(value: str, day: date) -> None:
    warnings: list[str] = []
    assert documents.parse_date(value, "a.json", warnings) == day
    assert warnings == []


def test_an_ambiguous_slashed_date_is_month_first_and_says_so() -> None:
    warnings: list[str] = []
    assert documents.parse_date("03/04/2024", "a.json", warnings) == date(2024, 3, 4)
    assert len(warnings) == 1 and "03/04/2024" in warnings[0] and "month first" in warnings[0]


@pytest.mark.parametrize(
    "value",
    ["yesterday", "today", "2 days ago", "now", "last Tuesday", "March 26", "March 2024", "1711000000",
     "2024-13-01", "31.02.2024", "13/13/2024", "soon"],
)  # fmt: skip
def test_relative_partial_or_impossible_publication_dates_stay_a_warning(value: str) -> None:
    warnings: list[str] = []
    assert documents.parse_date(value, "a.json", warnings) is None
    assert len(warnings) == 1 and repr(value) in warnings[0]


def test_json_text_with_seed_header_and_no_published_field(tmp_path: Path) -> None:
    article = load_article(write(tmp_path, "a.json", json.dumps({"text": f" date 2024-03-20 {BODY}"})))
    assert article.published == date(2024, 3, 20) and article.text == BODY and article.id == "a"


def test_json_array_gives_one_article_per_item_and_failures_per_bad_item(tmp_path: Path) -> None:
    path = write(tmp_path, "many.json", json.dumps([{"text": "First."}, {"title": "no text"}, {"text": "Third."}]))
    results = load_all(str(path))
    assert [type(r).__name__ for r in results] == ["Article", "LoadFailure", "Article"]
    assert [r.id for r in results if isinstance(r, Article)] == ["many-0", "many-2"]
    assert results[1].source == f"{path}[1]" and "'text'" in results[1].message


def test_invalid_json_is_one_failure_with_position(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.json", '{"text": "x",\n  oops}')
    failure = only_failure(load_all(str(path)))
    assert "invalid JSON" in failure.message and "line 2" in failure.message and str(path) in failure.message


def test_json_scalar_is_a_failure(tmp_path: Path) -> None:
    failure = only_failure(load_all(str(write(tmp_path, "n.json", "42"))))
    assert "JSON object" in failure.message


def test_jsonl_good_lines_load_and_bad_lines_fail_alone(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": "a", "text": "Alpha happened."}),
        "",
        "{not json",
        json.dumps({"id": "c", "text": "   "}),
        json.dumps(["not", "an", "object"]),
        json.dumps({"text": "Delta happened.", "published": "2024-01-05"}),
    ]
    path = write(tmp_path, "batch.jsonl", "\n".join(lines) + "\n")
    results = load_all(str(path))
    good = [r for r in results if isinstance(r, Article)]
    bad = [r for r in results if isinstance(r, LoadFailure)]
    assert [a.text for a in good] == ["Alpha happened.", "Delta happened."]
    assert good[0].id == "a" and good[1].id == "batch-6" and good[1].published == date(2024, 1, 5)
    assert [f.source for f in bad] == [f"{path}:3", f"{path}:4", f"{path}:5"]
    assert "invalid JSON" in bad[0].message
    assert "empty" in bad[1].message
    assert "JSON object" in bad[2].message


# ---------------------------------------------------------------- stdin, folders, globs


@pytest.mark.parametrize(
    ("payload", "expected_texts"),
    [
        (f" date 2024-03-21 {BODY}".encode(), [BODY]),
        (json.dumps({"text": BODY}).encode(), [BODY]),
        ((json.dumps({"text": "One."}) + "\n" + json.dumps({"text": "Two."}) + "\n").encode(), ["One.", "Two."]),
        (b"<html><body><article><p>Inside.</p></article></body></html>", ["Inside."]),
    ],
)
def test_stdin_sniffs_the_format(payload: bytes, expected_texts: list[str]) -> None:
    results = load_all("-", stdin=payload)
    assert all(isinstance(r, Article) for r in results)
    assert [r.text for r in results] == expected_texts
    assert all(r.source.startswith("stdin") for r in results)


def test_stdin_date_header() -> None:
    (article,) = load_all("-", stdin=f" date 2024-03-21 {BODY}".encode())
    assert isinstance(article, Article) and article.published == date(2024, 3, 21)


def test_stdin_empty_and_missing_stream() -> None:
    assert "empty" in only_failure(load_all("-", stdin=b"  \n\t ")).message
    assert "stdin" in only_failure(load_all("-")).message


def test_folder_is_recursive_sorted_and_skips_other_suffixes(tmp_path: Path) -> None:
    write(tmp_path, "in/b.txt", "Bravo.")
    write(tmp_path, "in/a.md", "Alpha.")
    write(tmp_path, "in/sub/c.json", json.dumps({"text": "Charlie."}))
    write(tmp_path, "in/skip.png", b"\x89PNG\r\n\x1a\n\x00\x00")
    results = load_all(str(tmp_path / "in"))
    assert [r.text for r in results if isinstance(r, Article)] == ["Alpha.", "Bravo.", "Charlie."]
    assert all(isinstance(r, Article) for r in results)


def test_empty_folder_and_unmatched_glob_and_missing_file(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    assert "no article files" in only_failure(load_all(str(tmp_path / "empty"))).message
    assert "no files match" in only_failure(load_all(str(tmp_path / "*.nothing"))).message
    missing = only_failure(load_all(str(tmp_path / "missing.txt")))
    assert missing.message == f"{tmp_path / 'missing.txt'}: no such file or folder"


def test_glob_expands(tmp_path: Path) -> None:
    write(tmp_path, "x1.txt", "One.")
    write(tmp_path, "x2.txt", "Two.")
    write(tmp_path, "y.txt", "Other.")
    assert [r.text for r in load_all(str(tmp_path / "x*.txt"))] == ["One.", "Two."]


def test_one_bad_source_does_not_stop_the_others(tmp_path: Path) -> None:
    good = write(tmp_path, "good.txt", BODY)
    empty = write(tmp_path, "empty.txt", "")
    other = write(tmp_path, "other.txt", BODY)  # another file (one file named twice is read once)
    results = load_all(str(good), str(tmp_path / "nope.txt"), str(empty), str(other))
    assert [type(r).__name__ for r in results] == ["Article", "LoadFailure", "LoadFailure", "Article"]


# ---------------------------------------------------------------- bad bytes


@pytest.mark.parametrize("content", [b"", b"   \n\t\r\n  ", "\u00a0\n".encode()])
def test_empty_or_whitespace(tmp_path: Path, content: bytes) -> None:
    failure = only_failure(load_all(str(write(tmp_path, "e.txt", content))))
    assert "empty" in failure.message and str(tmp_path / "e.txt") in failure.message


def test_binary_content(tmp_path: Path) -> None:
    path = write(tmp_path, "photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    failure = only_failure(load_all(str(path)))
    assert "binary" in failure.message and str(path) in failure.message


def test_cp1252_is_decoded_with_a_warning(tmp_path: Path) -> None:
    raw = "Caf\u00e9 owner said \u201cno one\u201d was hurt \u2013 officials.".encode("cp1252")
    article = load_article(write(tmp_path, "w.txt", raw))
    assert article.text == raw.decode("cp1252")
    assert "\u00e9" in article.text and "\u201c" in article.text
    assert any("Windows-1252" in warning for warning in article.warnings)


def test_few_undecodable_bytes_are_replaced_with_a_warning(tmp_path: Path) -> None:
    # 0x81 is undefined in cp1252 and invalid in UTF-8: neither decoder accepts it
    raw = ("A long enough article about the strike on Kyiv. " * 4).encode() + b"\x81" + b" The end."
    article = load_article(write(tmp_path, "r.txt", raw))
    assert article.text.count("\ufffd") == 1
    assert any("U+FFFD" in warning and "1 undecodable" in warning for warning in article.warnings)


def test_mostly_undecodable_bytes_are_refused(tmp_path: Path) -> None:
    raw = b"Kyiv " + b"\x81\x8d\x8f\x90\x9d" * 20
    failure = only_failure(load_all(str(write(tmp_path, "u.txt", raw))))
    assert "cannot decode" in failure.message and "UTF-8" in failure.message


def test_utf8_bom_and_utf16_are_decoded(tmp_path: Path) -> None:
    bom = load_article(write(tmp_path, "bom.txt", "\ufeff date 2024-03-21 Kyiv was hit.".encode()))
    assert bom.published == date(2024, 3, 21) and bom.text == "Kyiv was hit." and bom.warnings == ()
    utf16 = load_article(write(tmp_path, "u16.txt", "Київ was hit.".encode("utf-16")))
    assert utf16.text == "Київ was hit."


def test_file_over_the_size_cap_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shrink_file_cap(monkeypatch, 100)
    failure = only_failure(load_all(str(write(tmp_path, "big.txt", "x " * 200))))
    assert "larger than" in failure.message


def test_load_article_raises_for_failures_and_for_many(tmp_path: Path) -> None:
    with pytest.raises(ArticleError, match=r"missing.txt: cannot read .No such file"):
        load_article(tmp_path / "missing.txt")
    many = write(tmp_path, "two.jsonl", '{"text": "a"}\n{"text": "b"}\n')
    with pytest.raises(ArticleError, match="expected one article, found 2"):
        load_article(many)


# ---------------------------------------------------------------- over-long articles


def long_article(paragraphs: int = 40) -> Article:
    text = "\n".join(f"Paragraph {i}: " + " ".join(["word"] * 20) for i in range(paragraphs))
    return Article(id="long", text=text, source="long.txt", warnings=("earlier warning",))


def test_fit_to_budget_passes_short_articles_unchanged() -> None:
    article = long_article(3)
    assert fit_to_budget(article, len(article.text), truncate=False) is article


def test_fit_to_budget_refuses_by_default() -> None:
    article = long_article()
    with pytest.raises(ArticleError) as raised:
        fit_to_budget(article, 500, truncate=False)
    message = str(raised.value)
    assert "long.txt" in message and "--truncate" in message and f"{len(article.text):,}" in message


def test_fit_to_budget_truncates_at_a_line_break_with_a_warning() -> None:
    article = long_article()
    fitted = fit_to_budget(article, 500, truncate=True)
    assert len(fitted.text) <= 500
    assert article.text.startswith(fitted.text)
    assert article.text[len(fitted.text)] == "\n"  # cut at a paragraph boundary
    assert fitted.warnings[0] == "earlier warning"
    assert "truncated" in fitted.warnings[-1] and f"{len(article.text):,}" in fitted.warnings[-1]
    assert fitted.sha256 != article.sha256


def test_fit_to_budget_cuts_mid_text_when_there_is_no_line_break() -> None:
    article = Article(id="x", text="word " * 400, source="x.txt")
    fitted = fit_to_budget(article, 300, truncate=True)
    assert 0 < len(fitted.text) <= 300 and any("truncated" in w for w in fitted.warnings)
