"""HTML articles: the main text only (no navigation, captions, comments or teasers), the headline, the date."""

from __future__ import annotations

import socket
from datetime import date
from pathlib import Path

import pytest

from summarizer.ingest.articles import load_article
from summarizer.ingest.html_text import FALLBACK_WARNING, read_page

PAGE = Path(__file__).resolve().parent / "data" / "html" / "kyiv_missiles.html"

BODY = [
    "KYIV, March 21 (Ledger) — Russia fired ballistic and cruise missiles at Kyiv in the early hours of Thursday",
    "The air force said air defences intercepted all 31 missiles launched at the city",
    "Mayor Vitali Klitschko said on Telegram that a child was among the injured",
    '"The enemy is trying to break the spirit of Kyiv, but the city stands," Serhiy Popko',
    'saying Ukraine needed "Patriot batteries, not promises".',
]
NOT_THE_ARTICLE = [
    "Subscribe for 1 euro a week",  # navigation bar
    "Politics",
    "Firefighters work at the site",  # photo caption
    "Ledger staff photographer",
    "Comments (3)",  # reader comments
    "Stay strong Kyiv",
    "Send the air defence systems now",
    "watcher42",
    "Related stories",  # teaser block: a headline that would pass grounding
    "31 missiles shot down over Kyiv",
    "Power grid battered",
    "All rights reserved",  # footer
    "dataLayer",  # script
]


def test_the_main_text_without_navigation_captions_comments_or_teasers() -> None:
    article = load_article(PAGE)
    for sentence in BODY:
        assert sentence in article.text
    for noise in NOT_THE_ARTICLE:
        assert noise not in article.text, noise
    assert article.warnings == ()


def test_headline_date_and_url_from_the_markup() -> None:
    article = load_article(PAGE)
    assert article.title == "Russian missiles injure 17 in overnight attack on Kyiv"
    assert article.title not in article.text  # the headline is the title, not the body
    assert article.published == date(2024, 3, 21)
    assert article.url == "https://ledger.example/world/2024/03/21/kyiv-missile-attack"


def test_paragraphs_are_separated_by_a_blank_line() -> None:
    paragraphs = load_article(PAGE).text.split("\n\n")
    assert len(paragraphs) == len(BODY)
    assert all(paragraph.strip() == paragraph and "\n" not in paragraph for paragraph in paragraphs)
    assert all(sentence in paragraph for paragraph, sentence in zip(paragraphs, BODY, strict=True))


def test_extraction_is_offline_and_deterministic(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("HTML extraction tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    html = PAGE.read_text(encoding="utf-8")
    assert read_page(html) == read_page(html)


def test_a_page_without_a_stated_date_gets_none_not_a_date_from_its_text(tmp_path: Path) -> None:
    stated = ("article:published_time", "article:modified_time", 'rel="canonical"')  # the URL has the date too
    lines = PAGE.read_text(encoding="utf-8").splitlines()
    html = "\n".join(line for line in lines if not any(marker in line for marker in stated))
    html = html.replace('<time datetime="2024-03-21T06:45:00+02:00">March 21, 2024</time>', "")
    path = tmp_path / "undated.html"
    path.write_text(html, encoding="utf-8")
    article = load_article(path)
    assert article.published is None  # "March 21" in the dateline is the event's date, not the page's
    assert BODY[0] in article.text


def test_no_main_text_falls_back_to_the_visible_text_and_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    import trafilatura

    monkeypatch.setattr(trafilatura, "bare_extraction", lambda *args, **kwargs: None)
    article = load_article(PAGE)
    assert BODY[0] in article.text
    assert "Firefighters work at the site" in article.text  # the fallback keeps what a reader sees
    assert article.title == "Russian missiles injure 17 in overnight attack on Kyiv"
    assert article.published == date(2024, 3, 21)
    assert article.warnings == (FALLBACK_WARNING,)
