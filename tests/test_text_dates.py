"""Time words resolved against the publication date (a Thursday, 2024-03-21, like the seeds)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from summarizer.text.dates import resolve

PUBLISHED = date(2024, 3, 21)
THURSDAY = PUBLISHED.weekday()


def days_before(n: int) -> date:
    return PUBLISHED - timedelta(days=n)


@pytest.mark.parametrize(
    ("text", "start", "end", "precision"),
    [
        ("overnight", PUBLISHED, PUBLISHED, "part_of_day"),
        ("In a stark overnight operation", PUBLISHED, PUBLISHED, "part_of_day"),
        ("in the early hours", PUBLISHED, PUBLISHED, "part_of_day"),
        ("a pre-dawn attack", PUBLISHED, PUBLISHED, "part_of_day"),
        ("this morning", PUBLISHED, PUBLISHED, "part_of_day"),
        ("today", PUBLISHED, PUBLISHED, "part_of_day"),
        ("yesterday", days_before(1), days_before(1), "day"),
        ("Last night", days_before(1), days_before(1), "day"),
        ("two days ago", days_before(2), days_before(2), "day"),
        ("5 days ago", days_before(5), days_before(5), "day"),
        ("on Tuesday", days_before(2), days_before(2), "day"),
        ("Thursday", PUBLISHED, PUBLISHED, "day"),  # the publication weekday is that day
        ("last Thursday", days_before(7), days_before(7), "day"),
        ("on Friday", days_before(6), days_before(6), "day"),
        ("last week", date(2024, 3, 11), date(2024, 3, 17), "week"),
        # a part of the day tied to a weekday is that weekday, not the publication date
        ("in the early hours of Tuesday", days_before(2), days_before(2), "part_of_day"),
        ("overnight into Wednesday", days_before(1), days_before(1), "part_of_day"),
        ("Tuesday's pre-dawn strike", days_before(2), days_before(2), "part_of_day"),
        ("overnight into Thursday", PUBLISHED, PUBLISHED, "part_of_day"),
    ],
)
def test_relative_words(text: str, start: date, end: date, precision: str) -> None:
    window = resolve(text, PUBLISHED)
    assert window is not None
    assert (window.start, window.end, window.precision) == (start, end, precision)
    assert window.phrase and window.phrase in text.lower()


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("on 2024-03-19", date(2024, 3, 19)),
        ("March 20", date(2024, 3, 20)),
        ("on 20 March", date(2024, 3, 20)),
        ("20th of March", date(2024, 3, 20)),
        ("Mar. 19", date(2024, 3, 19)),
        ("on March 20, 2023", date(2023, 3, 20)),
        ("5 September 2022", date(2022, 9, 5)),
        ("December 25", date(2023, 12, 25)),  # no year, after publication: last year's
        ("March 22", date(2024, 3, 22)),  # publication + 1 day is still this year (time zones)
    ],
)
def test_explicit_dates(text: str, day: date) -> None:
    window = resolve(text, PUBLISHED)
    assert window is not None and (window.start, window.end, window.precision) == (day, day, "day")


def test_explicit_date_wins_over_relative_words() -> None:
    window = resolve("Yesterday, on March 18, the city was hit", PUBLISHED)
    assert window is not None and window.start == date(2024, 3, 18)


def test_part_of_day_not_tied_to_the_weekday_stays_on_the_publication_date() -> None:
    window = resolve("The attack overnight came after strikes on Monday", PUBLISHED)
    assert window is not None and window.start == PUBLISHED


@pytest.mark.parametrize("text", ["the attack", "recently", "last month", "February 30", "2024-02-30", "may be hit"])
def test_nothing_checkable(text: str) -> None:
    assert resolve(text, PUBLISHED) is None


@pytest.mark.parametrize("text", ["overnight", "yesterday", "on Tuesday", "March 20", "last week"])
def test_relative_words_need_a_publication_date(text: str) -> None:
    assert resolve(text, None) is None


def test_explicit_date_with_year_needs_no_publication_date() -> None:
    window = resolve("on 20 March 2024", None)
    assert window is not None and window.start == date(2024, 3, 20)


@pytest.mark.parametrize("published", [date(2024, 1, 1) + timedelta(days=n) for n in range(7)])
def test_weekdays_are_never_after_publication(published: date) -> None:
    for name in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"):
        window = resolve(f"on {name}", published)
        assert window is not None
        assert published - timedelta(days=6) <= window.start <= published
        assert window.start.strftime("%A").lower() == name


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("on 3/19/2024", date(2024, 3, 19)),  # slashes: month first
        ("On 3/19/24, the city was hit", date(2024, 3, 19)),
        ("on 20.03.2024.", date(2024, 3, 20)),  # dots: day first
        ("on 4.3.2024", date(2024, 3, 4)),
        ("20-03-2024", date(2024, 3, 20)),  # dashes, year last: day first
        ("on 25/03/2024", date(2024, 3, 25)),  # impossible month first: the only reading
        ("2024/03/20", date(2024, 3, 20)),  # year first
        ("on March 19, 2024", date(2024, 3, 19)),
    ],
)
def test_explicit_numeric_dates(text: str, day: date) -> None:
    window = resolve(text, PUBLISHED)
    assert window is not None and (window.start, window.end, window.precision) == (day, day, "day")
    assert window.phrase in text.lower()
    assert resolve(text, None) == window  # a date with its year needs no publication date


def test_an_ambiguous_slashed_date_follows_the_rule_and_says_so() -> None:
    window = resolve("on 03/04/2024", PUBLISHED)
    assert window is not None and window.start == date(2024, 3, 4)
    assert "month first" in window.reason


def test_explicit_numeric_date_wins_over_relative_words() -> None:
    window = resolve("Overnight on 3/19/2024, the city was hit", PUBLISHED)
    assert window is not None and window.start == date(2024, 3, 19)


@pytest.mark.parametrize(
    "text",
    ["version 1.2.2024.5", "at 192.168.1.1", "won 3/4 of the seats", "a 1/2/3 split", "31.02.2024", "13/13/2024",
     "2024/13/01", "scored 6-4 6-3"],
)  # fmt: skip
def test_numbers_that_are_not_dates(text: str) -> None:
    assert resolve(text, None) is None
