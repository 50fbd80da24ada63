"""Resolve the time expressions news articles use against the publication date.

Returns a window (start, end, precision) or ``None`` when the phrase says nothing the program
can check. Explicit dates win over relative words.

Absolute dates (``absolute_date``: a publication date field, or a numeric date in the text) are read
by dateparser, in English, only when they state day, month and year, and never from relative words.
Numeric dates follow one rule, by how they are written:

* year first (``2024-03-21``, ``2024/03/21``, ``2024.03.21``): year, month, day;
* dots or dashes, year last (``21.03.2024``, ``21-03-2024``): day first, as Europe, where dotted
  dates are the norm, writes them (US style never uses dots);
* slashes, year last (``3/25/2024``): month first, as US pages and metadata write them;
* a date that is impossible in its order but valid in the other (``25/03/2024``) has only one
  reading and takes it; one valid both ways with slashes or dashes (``03/04/2024``), where both
  conventions are in real use, follows the rule and says so in ``AbsoluteDate.note``.

Wire copy spells the month (``March 21``, ``21 March``), so the rule only decides page metadata and
the rare numeric date in a body. The relative words a news story uses ("overnight", "last Tuesday")
dateparser does not read against a publication date the way the project does: those keep their own
rules below.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from summarizer.text.normalize import normalise

if TYPE_CHECKING:  # annotations only: the schema imports pydantic, which reading an article's date does not need
    from summarizer.record.schema import Precision

MONTHS = {
    name: number
    for number, names in enumerate(
        [("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",), ("june", "jun"),
         ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"), ("october", "oct"),
         ("november", "nov"), ("december", "dec")],
        start=1,
    )
    for name in names
}  # fmt: skip
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
MONTH = "(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
# 21.03.2024, 21-03-2024, 3/25/2024, 3/25/24 (two-digit years only with slashes: 1.5.10 is a version);
# not inside a longer run of numbers (an IP address, a version, a phone number).
NUMERIC_DATE = re.compile(
    r"(?<![\d./-])(?:(\d{1,2})([./-])(\d{1,2})\2(\d{4})|(\d{1,2})(/)(\d{1,2})/(\d{2}))(?![\d]|[./-]\d)"
)
YEAR_FIRST_DATE = re.compile(r"(?<![\d./-])(\d{4})([./-])(\d{1,2})\2(\d{1,2})(?![\d]|[./-]\d)")
# Any numeric date in a value that is meant to be one date (a publication date field): sets the order.
NUMERIC_PARTS = re.compile(r"(?<!\d)(\d{1,4})([./-])(\d{1,2})\2(\d{1,4})(?!\d)")
MONTH_DAY = re.compile(rf"\b{MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(\d{{4}}))?")
DAY_MONTH = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{MONTH}\b(?:,?\s+(\d{{4}}))?")
SAME_DAY = re.compile(
    r"\b(today|this morning|this afternoon|this evening|tonight|overnight|pre-dawn|predawn|before dawn|"
    r"early (?:on )?(?:this )?morning|early hours|in the early hours|at dawn|earlier today)\b"
)
PREVIOUS_DAY = re.compile(r"\b(yesterday|last night|the previous day|the day before)\b")
DAYS_AGO = re.compile(r"\b(\d+|one|two|three|four|five|six|seven|ten) days? ago\b")
WEEKDAY = re.compile(r"\b(last |on |this past |past )?(" + "|".join(WEEKDAYS) + r")\b")
LAST_WEEK = re.compile(r"\blast week\b")
# A part of the day tied to a named weekday ("in the early hours of Tuesday", "overnight into Wednesday",
# "Tuesday's pre-dawn attack") dates the event to that weekday, not to the publication date.
_PART_OF_DAY = r"(?:overnight|pre-?dawn|before dawn|at dawn|(?:in the )?early hours|early (?:on )?morning)"
_DAY_NAME = "(" + "|".join(WEEKDAYS) + ")"
PART_OF_WEEKDAY = re.compile(
    rf"\b{_PART_OF_DAY}\s+(?:(?:of|on|into|to)\s+)?(?:the\s+)?{_DAY_NAME}\b|\b{_DAY_NAME}(?:'s)?\s+{_PART_OF_DAY}"
)
SMALL = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "ten": 10}


@dataclass(frozen=True)
class AbsoluteDate:
    day: date
    note: str | None = None  # how an ambiguous numeric date was read


def date_order(separator: str) -> str:
    """The order of a numeric date with its year last: month first with slashes, else day first."""
    return "MDY" if separator == "/" else "DMY"


def absolute_date(value: str) -> AbsoluteDate | None:
    """The calendar date ``value`` states with day, month and year, in English; ``None`` for anything
    else, relative words included ("yesterday", "2 days ago", "now" are never resolved)."""
    text = value.strip()
    if not text or not re.search(r"\d", text):
        return None
    order, note = "MDY", None  # for month names the order only places the year; it cannot mislead
    if match := NUMERIC_PARTS.search(text):
        first, separator, second, last = match.groups()
        if len(first) == 4:
            if not _safe_date(int(first), int(second), int(last)):
                return None  # 2024-13-01 is a mistake, not 13 January: nobody writes year, day, month
            order = "YMD"
        elif len(last) in (2, 4):
            order = date_order(separator)
            if separator != "." and first != second and int(first) <= 12 and int(second) <= 12:
                reading = "month first" if order == "MDY" else "day first"
                note = f"{match.group()!r} could be read either way; read {reading}, the rule for {separator!r} dates"
    # imported here: loading its language data costs time that only a non-ISO date should pay
    import dateparser

    parsed = dateparser.parse(
        text,
        languages=["en"],
        settings={
            "DATE_ORDER": order,
            "PREFER_LOCALE_DATE_ORDER": False,
            "REQUIRE_PARTS": ["day", "month", "year"],
            # REQUIRE_PARTS and STRICT_PARSING alone still let "yesterday" or "2 days ago" through,
            # resolved against today (the relative-time parser), and read a bare number as a Unix
            # timestamp: only the absolute parsers may answer.
            "PARSERS": ["custom-formats", "absolute-time"],
        },
    )
    if parsed is None:
        return None
    return AbsoluteDate(parsed.date(), note)


@dataclass(frozen=True)
class Window:
    start: date
    end: date
    precision: Precision
    reason: str
    phrase: str  # the words that gave the window, as normalised text


def resolve(text: str, published: date | None) -> Window | None:
    """The window a time expression denotes; relative expressions need the publication date."""
    folded = normalise(text)
    explicit = _explicit_date(folded, published)
    if explicit:
        day, words, note = explicit
        return Window(day, day, "day", f"explicit date ({note})" if note else "explicit date", words)
    if published is None:
        return None
    if match := PART_OF_WEEKDAY.search(folded):
        weekday = match.group(1) or match.group(2)
        day = published - timedelta(days=(published.weekday() - WEEKDAYS.index(weekday)) % 7)
        words = match.group().strip()
        return Window(day, day, "part_of_day", f"'{words}' = the most recent {weekday.title()}", words)
    if match := SAME_DAY.search(folded):
        return Window(published, published, "part_of_day", f"'{match.group(1)}' on the publication date", match.group())
    if match := PREVIOUS_DAY.search(folded):
        day = published - timedelta(days=1)
        return Window(day, day, "day", f"'{match.group(1)}' = the day before publication", match.group())
    if match := DAYS_AGO.search(folded):
        count = int(match.group(1)) if match.group(1).isdigit() else SMALL[match.group(1)]
        day = published - timedelta(days=count)
        return Window(day, day, "day", f"'{match.group()}' before publication", match.group())
    if match := WEEKDAY.search(folded):
        target = WEEKDAYS.index(match.group(2))
        back = (published.weekday() - target) % 7
        if back == 0 and (match.group(1) or "").strip() in ("last", "past", "this past"):
            back = 7
        day = published - timedelta(days=back)
        words = match.group().strip()
        return Window(day, day, "day", f"'{words}' = the most recent {match.group(2).title()}", words)
    if LAST_WEEK.search(folded):
        monday = published - timedelta(days=published.weekday())
        return Window(monday - timedelta(days=7), monday - timedelta(days=1), "week", "'last week'", "last week")
    return None


def _explicit_date(folded: str, published: date | None) -> tuple[date, str, str | None] | None:
    if match := ISO_DATE.search(folded):
        iso = _safe_date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        return (iso, match.group(), None) if iso else None
    if match := YEAR_FIRST_DATE.search(folded) or NUMERIC_DATE.search(folded):
        absolute = absolute_date(match.group())
        return (absolute.day, match.group(), absolute.note) if absolute else None
    for pattern, month_group, day_group in ((MONTH_DAY, 1, 2), (DAY_MONTH, 2, 1)):
        match = pattern.search(folded)
        if not match:
            continue
        month, day = MONTHS[match.group(month_group)], int(match.group(day_group))
        if match.group(3):
            candidate = _safe_date(int(match.group(3)), month, day)
        elif published is None:
            return None
        else:
            candidate = _safe_date(published.year, month, day)
            if candidate and candidate > published + timedelta(days=1):
                candidate = _safe_date(published.year - 1, month, day)
        return (candidate, match.group(), None) if candidate else None
    return None


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
