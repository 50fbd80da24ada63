"""Text normalisation: normalise, normalise_with_map, name_key and numbers_in on known pairs."""

from __future__ import annotations

import pytest

from summarizer.text.normalize import name_key, normalise, normalise_with_map, numbers_in


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Kyiv’s  “air   defence”", 'kyiv\'s "air defence"'),
        ("Zelenskyy — president", "zelenskyy - president"),
        ("Café\u00a0Ñandú", "cafe nandu"),
        ("  line one\n\n line\ttwo  ", "line one line two"),
        ("pre–dawn", "pre-dawn"),
    ],
)
def test_normalise_folds_case_accents_quotes_dashes_and_space(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


def test_normalise_with_map_points_back_into_the_original() -> None:
    text = "In  Kyiv’s   “Podilsky”\tdistrict"
    folded, origin = normalise_with_map(text)
    assert folded == normalise(text)
    assert len(origin) == len(folded)
    index = folded.index("podilsky")
    start, end = origin[index], origin[index + len("podilsky") - 1] + 1
    assert text[start:end] == "Podilsky"
    assert origin == sorted(origin)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Kyiv", "Kiev"),
        ("Zelensky", "Zelenskyy"),
        ("Volodymyr Zelenskiy", "Volodymyr Zelensky"),
        ("Kharkov", "Kharkiv"),
        ("Odessa", "Odesa"),
        ("the Kremlin", "Kremlin"),
        ("Sviatoshynskyi", "SVIATOSHYNSKYY"),
        ("Zaporizhia", "Zaporizhzhia"),
        ("Kyiv's", "kyiv s"),
    ],
)
def test_name_key_equates_spelling_variants(a: str, b: str) -> None:
    assert name_key(a) == name_key(b)


@pytest.mark.parametrize(("a", "b"), [("Kyiv", "Kharkiv"), ("Lviv", "Lutsk"), ("Russia", "Belarus")])
def test_name_key_keeps_different_names_apart(a: str, b: str) -> None:
    assert name_key(a) != name_key(b)


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("at least 17 injuries", {17}),
        ("intercepted 31 missiles", {31}),
        ("1,200 people", {1200}),
        ("seventeen people", {17}),
        ("twenty-five drones", {25}),
        ("thirty one", {31}),
        ("a dozen", {12}),
        ("3 million", {3, 3_000_000}),
        ("one hundred and five", {105}),
        ("two thousand and twenty", {2020}),
        ("one thousand two hundred and thirty-four", {1234}),
        ("fifteen hundred", {1500}),
        ("a hundred people", {100}),
        ("two million three hundred thousand", {2_300_000}),
        # "and" between two plain numbers separates them
        ("between sixteen and eighteen", {16, 18}),
        ("between 16 and 18", {16, 18}),
        ("one and two", {1, 2}),
        ("ninety-nine and one", {99, 1}),
        ("sixteen eighteen", {16, 18}),
        ("three thousand two thousand", {3000, 2000}),
        # a singular person or weapon noun states one
        ("including a child", {1}),
        ("an infant was hurt", {1}),
        ("a single missile", {1}),
        ("one soldier", {1}),
        ("a woman and a man", {1}),
        ("seventeen people, including a child", {17, 1}),
        # zero
        ("no one was hurt", {0}),
        ("nobody died", {0}),
        ("No casualties were reported", {0}),
        ("no injuries", {0}),
        ("no deaths", {0}),
        ("no fatalities", {0}),
        # nothing stated
        ("a considerable number", set()),
        ("dozens of people", set()),
        ("a children's hospital", set()),
        ("a manager", set()),
        ("millions", set()),
    ],
)
def test_numbers_in_known_pairs(phrase: str, expected: set[int]) -> None:
    assert numbers_in(phrase) == expected


def test_no_one_is_not_also_one() -> None:
    assert 1 not in numbers_in("No one was injured, officials said.")


def test_digits_inside_a_word_are_not_a_number() -> None:
    assert 320 not in numbers_in("an Airbus A320 was diverted")
