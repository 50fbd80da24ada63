"""Long articles: the reader parses them in pieces (bounded memory), finds entities through one index per
document (linear time), and refuses a text over spaCy's limit in one line. Its speed is measured in
bench/bench_reader.py, not here."""

from __future__ import annotations

import itertools
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

import pytest

from summarizer.ingest.articles import load_article
from summarizer.reader import nlp, read
from summarizer.reader.nlp import MAX_CHARS, entities, parse, pieces

FIXTURES = Path(__file__).resolve().parent.parent / "evals" / "fixtures"


def fixture_texts(count: int) -> list[str]:
    return [load_article(path).text for path in sorted(FIXTURES.glob("*.txt"))[:count]]


@pytest.mark.parametrize(
    "text",
    [
        "First paragraph here.\n\nSecond one, longer than the first.\n\nThird.\n" * 40,
        "One line after another.\n" * 200,
        "A sentence that ends. " * 300,
        "x" * 5000,
        "word " * 2000 + "\n\n\n   \n" + "more " * 100,
    ],
)
def test_pieces_join_back_into_the_text_and_end_at_breaks(text: str) -> None:
    found = pieces(text, 500)
    assert "".join(found) == text
    assert len(found) > 1
    for piece, after in itertools.pairwise(found):
        assert len(piece.rstrip()) <= 500
        assert not after[:1].isspace()  # white space stays with the piece it ends
    if text.startswith("First paragraph"):  # paragraph breaks all along: every cut is after one
        assert all(piece.endswith("\n\n") for piece in found[:-1])
    if text.startswith("A sentence"):
        assert all(piece.endswith(". ") for piece in found[:-1])


def test_a_text_read_in_pieces_gives_the_same_findings_as_one_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "\n\n".join(fixture_texts(6))
    whole = read(text, None)
    monkeypatch.setattr(nlp, "PIECE_CHARS", 1500)
    assert len(pieces(text, 1500)) >= 4
    doc = parse(text)
    assert doc.text == text
    assert [(t.idx, t.text) for t in doc] == [(t.idx, t.text) for t in nlp.pipeline()(text)]
    in_pieces = read(text, None)
    assert [asdict(f) for f in in_pieces.findings] == [asdict(f) for f in whole.findings]
    assert in_pieces.event == whole.event


def test_the_entity_index_finds_what_spacy_finds() -> None:
    doc = parse("\n\n".join(fixture_texts(3)))
    index = entities(doc)
    assert entities(doc) is index  # built once per document
    assert len(index.ents) > 10
    for sentence in doc.sents:
        assert index.within(sentence) == list(sentence.ents)
    for token in doc:
        spacy_says = next((e for e in doc.ents if e.start <= token.i < e.end), None)
        assert index.at(token.i) == spacy_says


def test_a_text_over_the_limit_is_refused_in_one_line(tmp_path: Path) -> None:
    article = tmp_path / "huge.txt"
    article.write_text("Three people were injured in Kyiv. " * (MAX_CHARS // 35 + 10), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "summarizer", "summarize", "--strategy", "reader", str(article)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    assert any(f"the reader reads at most {MAX_CHARS:,}" in line for line in lines), result.stderr
    assert "Traceback" not in result.stderr
