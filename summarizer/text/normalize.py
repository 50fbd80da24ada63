"""Text normalisation shared by grounding, the reader, scoring and merging.

``normalise`` folds case, accents, quote and dash variants and white space. ``name_key``
goes further for names and places (transliteration variants such as Kyiv / Kiev,
Zelensky / Zelenskyy). ``numbers_in`` reads the numbers a phrase states, as digits or words.
"""

from __future__ import annotations

import functools
import re
import unicodedata

QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "`": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
        "\u00a0": " ",
        "\u202f": " ",
    }
)


@functools.lru_cache(maxsize=4096)
def fold_char(char: str) -> str:
    """One character, case-folded, without accents, with quote/dash variants unified."""
    decomposed = unicodedata.normalize("NFKD", char.translate(QUOTES))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@functools.lru_cache(maxsize=2048)
def normalise(text: str) -> str:
    folded = "".join(fold_char(char) for char in text)
    return re.sub(r"\s+", " ", folded).strip()


def normalise_with_map(text: str) -> tuple[str, list[int]]:
    """Normalised text plus, for each of its characters, the offset it came from in ``text``."""
    out: list[str] = []
    origin: list[int] = []
    pending_space = False
    for index, char in enumerate(text):
        if char.isspace() or char in "\u00a0\u202f":
            pending_space = bool(out)
            continue
        if pending_space:
            out.append(" ")
            origin.append(index - 1)
            pending_space = False
        for folded in fold_char(char):
            out.append(folded)
            origin.append(index)
    return "".join(out), origin


# Transliteration variants of Ukrainian / Russian names (pattern: spelling), applied in order to whole
# normalised words.
TRANSLITERATIONS = [
    (re.compile(pattern), spelling)
    for pattern, spelling in {
        r"kiev": "kyiv",
        r"kharkov": "kharkiv",
        r"odessa": "odesa",
        r"lvov": "lviv",
        r"nikolaev|mykolayiv": "mykolaiv",
        r"zaporozhye|zaporizhia|zaporizhzhya": "zaporizhzhia",
        r"dnipropetrovsk|dnepr\b": "dnipro",
        r"yy\b": "y",
        r"iy\b": "y",
        r"yi\b": "y",
        r"kyy": "ky",
    }.items()
]
# A word holding none of these is left as it is by every pattern above (checked first: most words hold none).
TRANSLITERATION_HINTS = ("kiev", "kharkov", "odessa", "lvov", "nikolaev", "mykolayiv", "zapor", "dnipropetrovsk",
                         "dnepr", "yy", "iy", "yi")  # fmt: skip
NAME_NOISE = re.compile(r"[^\w\s]")
LEADING_ARTICLES = re.compile(r"^(the|a|an)\s+")


@functools.lru_cache(maxsize=65536)
def name_key(name: str) -> str:
    """A key under which spelling variants of one name or place compare equal."""
    key = NAME_NOISE.sub(" ", normalise(name))
    key = LEADING_ARTICLES.sub("", re.sub(r"\s+", " ", key).strip())
    words = []
    for word in key.split():
        if any(hint in word for hint in TRANSLITERATION_HINTS):
            for pattern, replacement in TRANSLITERATIONS:
                word = pattern.sub(replacement, word)
        words.append(word)
    return " ".join(words)


UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000}
SPECIAL = {"a dozen": 12, "a pair of": 2, "a couple of": 2, "single": 1, "dozen": 12}
DIGITS = re.compile(r"(?<![\w.])\d{1,3}(?:,\d{3})+(?![\d,])|(?<![\w.])\d+(?:\.\d+)?")


# Singular nouns that "a" / "an" / "one" / "single" turn into a count of 1 ("including a child").
SINGULAR_NOUNS = (
    "child", "person", "man", "woman", "boy", "girl", "soldier", "civilian", "teenager", "baby", "infant",
    "resident", "missile", "drone", "rocket",
)  # fmt: skip
ONE_OF = re.compile(r"\b(?:a|an|one|single)\s+(?:" + "|".join(SINGULAR_NOUNS) + r")\b")
# Phrases that state zero; "no one" must not also count as 1.
ZERO = re.compile(r"\b(?:no[\s-]one|nobody|no (?:casualties|injuries|deaths|fatalities))\b")
A_SCALE = re.compile(r"\ban? (?=(?:hundred|thousand|million)\b)")


def _words_to_numbers(words: list[str]) -> list[int]:
    """Read a run of number words as one or more numbers.

    "and" joins only after hundred / thousand / million ("one hundred and five" = 105); anywhere
    else it separates two numbers ("between sixteen and eighteen" = 16 and 18), and so does a
    word that cannot continue the number before it ("sixteen eighteen").
    """
    numbers: list[int] = []
    total = current = 0
    previous: str | None = None  # kind of the previous word: unit, teen, tens, hundred, scale, and
    smallest_scale: int | None = None

    def flush() -> None:
        nonlocal total, current, previous, smallest_scale
        if previous is not None:
            numbers.append(total + current)
        total = current = 0
        previous = smallest_scale = None

    for index, word in enumerate(words):
        following = words[index + 1] if index + 1 < len(words) else None
        if word == "and":
            joins = previous in ("hundred", "scale") and (following in UNITS or following in TENS)
            if joins:
                previous = "and"
            else:
                flush()
            continue
        if word in UNITS:
            kind = "unit" if UNITS[word] < 10 else "teen"
            allowed = (None, "hundred", "scale", "and") + (("tens",) if kind == "unit" and UNITS[word] else ())
            if previous not in allowed:
                flush()
            current += UNITS[word]
        elif word in TENS:
            kind = "tens"
            if previous not in (None, "hundred", "scale", "and"):
                flush()
            current += TENS[word]
        elif word == "hundred":
            kind = "hundred"
            if previous in ("unit", "teen", "tens") and current < 100:
                current *= 100
            else:
                if previous is not None:
                    flush()
                current = 100
        elif word in ("thousand", "million"):
            kind, factor = "scale", SCALES[word]
            if previous in ("scale", "and") or (smallest_scale is not None and smallest_scale <= factor):
                carried = current if previous not in ("scale", "and") else 0
                current = 0
                flush()
                current = carried
            total += max(current, 1) * factor
            current = 0
            smallest_scale = factor
        else:
            flush()
            continue
        previous = kind
    flush()
    return numbers


def numbers_in(text: str) -> set[int]:
    """Whole numbers a phrase states: '17', '1,200', 'seventeen', 'twenty-five', 'a dozen', '3 million',
    'a child' (1), 'no one' (0)."""
    folded = normalise(text)
    found: set[int] = set()
    if ZERO.search(folded):
        found.add(0)
        folded = ZERO.sub(" ", folded)
    if ONE_OF.search(folded):
        found.add(1)
    folded = A_SCALE.sub("one ", folded)
    for match in DIGITS.finditer(folded):
        raw = match.group().replace(",", "")
        number = float(raw)
        found.add(int(number))
        tail = folded[match.end() :].lstrip()
        for scale, factor in SCALES.items():
            if tail.startswith(scale):
                found.add(int(number * factor))
    for phrase, value in SPECIAL.items():
        if re.search(rf"\b{phrase}\b", folded):
            found.add(value)
    for run in re.finditer(r"(?:\b(?:" + "|".join([*UNITS, *TENS, *SCALES]) + r")\b[\s-]*(?:and[\s-]+)?)+", folded):
        words = [w for w in re.split(r"[\s-]+", run.group()) if w]
        while words and words[-1] == "and":
            words.pop()
        if all(word in SCALES for word in words):
            continue  # "million" alone is a scale for a preceding digit, not a number
        found.update(_words_to_numbers(words))
    return found
