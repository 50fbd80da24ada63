"""Find a quote or a name in an article: exact, then normalised, then fuzzy above a threshold.

Offsets are into the original text, so a span always slices the article to what was found.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rapidfuzz import fuzz

from summarizer.record.basetypes import MatchKind, Span
from summarizer.text.normalize import name_key, normalise, normalise_with_map

FUZZY_THRESHOLD = 90.0
MIN_FUZZY_CHARS = 20  # shorter quotes must match exactly or after normalisation
NAME_THRESHOLD = 85.0
MIN_FUZZY_NAME_CHARS = 5  # shorter names (US, UN, Kyiv) must match as words, not fuzzily
STRIP = " \t\n\"'“”‘’«».…"


@lru_cache(maxsize=64)
def _normalised_article(text: str) -> tuple[str, list[int]]:
    return normalise_with_map(text)


def locate(quote: str, text: str, threshold: float = FUZZY_THRESHOLD) -> Span | None:
    """Find ``quote`` in ``text``: exact, then normalised (case, accents, quotes, dashes, spaces), then fuzzy."""
    quote = quote.strip(STRIP)
    if not quote:
        return None
    start = text.find(quote)
    if start >= 0:
        return Span(start=start, end=start + len(quote), match="exact", score=1.0)
    folded_text, origin = _normalised_article(text)
    folded_quote = normalise(quote).strip(STRIP)
    if not folded_quote:
        return None
    index = folded_text.find(folded_quote)
    if index >= 0:
        return _mapped(origin, index, index + len(folded_quote), "normalised", 1.0)
    if len(folded_quote) < MIN_FUZZY_CHARS or len(folded_quote) > len(folded_text):
        return None  # partial_ratio would align the text inside a longer quote: words the article lacks would pass
    alignment = fuzz.partial_ratio_alignment(folded_quote, folded_text, score_cutoff=threshold)
    if alignment is None or alignment.dest_end <= alignment.dest_start:
        return None
    return _mapped(origin, alignment.dest_start, alignment.dest_end, "fuzzy", round(alignment.score / 100, 3))


def _mapped(origin: list[int], start: int, end: int, kind: MatchKind, score: float) -> Span:
    return Span(start=origin[start], end=origin[end - 1] + 1, match=kind, score=score)


def mentions(container: str, name: str) -> bool:
    """Whether ``name`` (allowing spelling variants) occurs in ``container``.

    A name may run on into an adjective or possessive ("Russia" in "Russian"), but a short one
    must be a whole word ("US" is not in "Russia"), and a fuzzy match compares the name with
    runs of about as many whole words, so a long invented name ("Russian Aerospace Forces") is
    not supported by a short quote ("Russia").
    """
    needle, haystack = name_key(name.replace(".", "")), name_key(container.replace(".", ""))
    if not needle:
        return False
    if re.search(_as_word(needle), haystack):
        return True
    if len(needle) < MIN_FUZZY_NAME_CHARS:
        return False
    words, size = haystack.split(), len(needle.split())
    return any(
        fuzz.ratio(needle, " ".join(words[start : start + length])) >= NAME_THRESHOLD
        for length in {max(1, size - 1), size, size + 1}
        for start in range(len(words) - length + 1)
    )


def find_name(name: str, text: str) -> Span | None:
    """The first place ``text`` names ``name``, both normalised (case, accents, quotes, dashes, spaces), as
    ``_as_word`` matches it ("Oman" is not in "woman", "Russia" is in "Russian"); a name of 20 characters or
    more that is not there is looked for fuzzily (``locate``); one of fewer than 3 is never found."""
    needle = normalise(name).strip(STRIP)
    if len(needle) < 3:
        return None
    folded, origin = _normalised_article(text)
    match = re.search(_as_word(needle), folded)
    if match:
        return _mapped(origin, match.start(), match.end(), "normalised", 1.0)
    return locate(name, text) if len(needle) >= MIN_FUZZY_CHARS else None


def _as_word(needle: str) -> str:
    """A pattern for ``needle`` at the start of a word; a short one (under ``MIN_FUZZY_NAME_CHARS``) must end
    a word too, a longer one may run on into an adjective or possessive."""
    tail = r"(?!\w)" if len(needle) < MIN_FUZZY_NAME_CHARS else ""
    return rf"(?<!\w){re.escape(needle)}{tail}"
