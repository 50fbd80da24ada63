"""Resolve the time expressions news articles use against the publication date.

Returns a window (start, end, precision) or ``None`` when the phrase says nothing the program
can check. Explicit dates win over relative words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from summarizer.textnorm import normalise

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
class Window:
    start: date
    end: date
    precision: str
    reason: str
    phrase: str  # the words that gave the window, as normalised text


def resolve(text: str, published: date | None) -> Window | None:
    """The window a time expression denotes; relative expressions need the publication date."""
    folded = normalise(text)
    explicit = _explicit_date(folded, published)
    if explicit:
        day, words = explicit
        return Window(day, day, "day", "explicit date", words)
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


def _explicit_date(folded: str, published: date | None) -> tuple[date, str] | None:
    if match := ISO_DATE.search(folded):
        day = _safe_date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        return (day, match.group()) if day else None
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
        return (candidate, match.group()) if candidate else None
    return None


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
