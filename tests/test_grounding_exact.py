"""Exact grounding: every rule that accepts a value has a pair, one value the words support and one they do not.

The texts are written here, in the ways news states counts, speakers and damage: one person is one, people listed
together add up, a stated zero is a zero, the labelling guide's vocabulary for each field, a qualifier only from
the words right before a figure, a speaker quoted in the next sentence or by surname.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from summarizer.ground.grounding import explicit_qualifier, ground_event
from summarizer.ground.stated import stated_figures
from summarizer.record.schema import Casualties, Count, Damage, Event, Statement, Weapon

PUBLISHED = date(2024, 6, 3)


def event(**fields: Any) -> Event:
    return Event(event_type="shooting", title="t", summary="s", **fields)


def casualty(text: str, name: str, phrase: str, value: int | None, evidence: str | None = None, **extra: Any) -> bool:
    """Whether grounding keeps a casualty count given with this phrase (and quote) in this article."""
    count = Count(evidence=evidence or phrase, phrase=phrase, value=value, **{"qualifier": "exact", **extra})
    grounded = ground_event(event(casualties=Casualties(**{name: count})), text, PUBLISHED)
    return grounded.event.casualties is not None and getattr(grounded.event.casualties, name) is not None


@pytest.mark.parametrize(
    ("text", "name", "phrase", "supported", "unsupported"),
    [
        ("A 17-year-old boy has died after being stabbed at a bus stop.", "killed", "A 17-year-old boy", 1, 17),
        ("A crane operator has been killed after a tower crane collapsed.", "killed", "A crane operator", 1, 2),
        ("Among the dead were a father and his young daughter.", "killed", "a father and his young daughter", 2, 3),
        ("A 13-year-old was shot and killed on the porch.", "killed", "A 13-year-old", 1, 13),
        ("Two men were stabbed outside the bar, police said.", "injured", "Two men", 2, 3),
        ("Police found the three victims in the classroom, all dead.", "killed", "the three victims", 3, 4),
        ("At least 11 people, including four children, drowned.", "killed", "At least 11 people", 11, 12),
        ("Firefighters recovered the body of a night watchman.", "killed", "the body of a night watchman", 1, 2),
    ],
)
def test_people_counted_as_news_writes_them(
    text: str, name: str, phrase: str, supported: int, unsupported: int
) -> None:
    qualifier = "at_least" if "least" in phrase else "exact"
    assert casualty(text, name, phrase, supported, text, qualifier=qualifier)
    assert not casualty(text, name, phrase, unsupported, text, qualifier=qualifier)


@pytest.mark.parametrize(
    ("text", "name", "phrase"),
    [
        (
            "None of the children at the party were hurt, he said.",
            "children_injured",
            "None of the children at the party were hurt",
        ),
        ("No lives were lost, the fire service said.", "killed", "No lives were lost"),
        ("It said no one had been hurt in the attack.", "killed", "no one had been hurt"),  # nobody hurt: none killed
        (
            "The march passed off peacefully and police reported no arrests or injuries.",
            "injured",
            "no arrests or injuries",
        ),
        (
            "Her son, 3, who was strapped into a car seat, suffered no injuries.",
            "children_injured",
            "suffered no injuries",
        ),
    ],
)
def test_a_stated_zero_is_a_zero(text: str, name: str, phrase: str) -> None:
    assert casualty(text, name, phrase, 0, text)
    assert not casualty(text, name, phrase, 1, text)


def test_silence_is_not_a_zero() -> None:
    text = "The march passed off peacefully, organisers said."
    assert not casualty(text, "injured", "passed off peacefully", 0, text)


def test_an_age_is_never_a_count_and_a_figure_must_sit_in_its_field() -> None:
    text = "A 16-year-old boy was killed and a 14-year-old girl was wounded in the parking lot."
    assert casualty(text, "killed", "A 16-year-old boy", 1, text)
    assert not casualty(text, "killed", "16-year-old", 16, text)
    missiles = "Air defences shot down 10 of them. Three people were injured."
    assert not casualty(missiles, "injured", "10", 10, "Air defences shot down 10 of them")


def test_the_sentence_after_counts_only_for_a_count_of_people() -> None:
    text = "Two other people escaped through an upstairs window. Both were treated for smoke inhalation."
    assert casualty(text, "injured", "Two other people", 2, "Two other people escaped through an upstairs window")
    text = "Air defences shot down 10 drones. Three people were treated for injuries."
    assert not casualty(text, "injured", "10", 10, "Air defences shot down 10 drones")


@pytest.mark.parametrize(
    ("phrase", "qualifier", "corrected"),
    [
        ("at least 17", "exact", "at_least"),  # the words before the figure state it
        ("both were destroyed", "exact", None),  # no digit is not vague
        ("14 of them over the Bryansk region", "exact", None),  # "over" before a place is not "more than"
        ("Three students, ages 15 to 17, were hurt", "exact", None),  # ages are not a range
        ("At least one person and as many as three were killed", "range", None),  # floor and ceiling: a range
        ("between 16 and 18", "exact", "range"),  # a floor and a ceiling given as exact
    ],
)
def test_a_qualifier_is_corrected_only_to_what_the_words_state(
    phrase: str, qualifier: str, corrected: str | None
) -> None:
    count = Count(evidence=phrase, phrase=phrase, value=17 if qualifier != "range" else None, qualifier=qualifier)
    if qualifier == "range":
        count = Count(evidence=phrase, phrase=phrase, low=1, high=3, qualifier="range")
    if phrase.startswith("between"):
        count = Count(evidence=phrase, phrase=phrase, low=16, high=18, qualifier=qualifier)
    assert explicit_qualifier(count) == corrected


def test_both_intercepted() -> None:
    text = "Russia launched two drones at the Kremlin overnight; both were disabled by electronic warfare, it said."
    kept = Count(evidence=text, phrase="both were disabled", value=2, qualifier="exact")
    wrong = Count(evidence=text, phrase="both were disabled", value=1, qualifier="exact")
    for intercepted, expected in ((kept, 2), (wrong, None)):
        weapon = Weapon(evidence=text, kind="drone", intercepted=intercepted)
        grounded = ground_event(event(weapons=[weapon]), text, PUBLISHED)
        got = grounded.event.weapons[0].intercepted
        assert (got.value if got else None) == expected
        assert grounded.event.weapons[0].intercepted is None or got.qualifier == "exact"


def test_a_speaker_quoted_by_surname_or_in_the_next_sentence() -> None:
    text = (
        "Councilwoman Renee Costa was elected mayor on Tuesday. Speaking to supporters, Costa promised repairs. "
        "Full-forward Eoin Kennedy scored the goal. Kennedy lifted the cup as captain. "
        '"He would have been proud," he said. Bill Ortiz watched from the stand.'
    )
    statements = [
        Statement(evidence="not in the article", speaker="Renee Costa", gist="promised repairs"),
        Statement(evidence="not in the article", speaker="Eoin Kennedy", gist="dedicated the win"),
        Statement(evidence="not in the article", speaker="Bill Ortiz", gist="watched"),  # named, never speaks
        Statement(evidence="not in the article", speaker="John Costa", gist="spoke"),  # a surname is not a name
    ]
    grounded = ground_event(event(statements=statements), text, PUBLISHED)
    assert [s.speaker for s in grounded.event.statements] == ["Renee Costa", "Eoin Kennedy"]
    assert "promised" in grounded.event.statements[0].evidence


def test_damage_in_the_words_news_uses() -> None:
    text = (
        "Beehives and livestock were lost. A stray round went through the front window of a house. "
        "Vinyl siding on the house next door melted in the heat. The mayor praised the response."
    )
    items = ["beehives", "front window", "Vinyl siding", "mayor"]
    damage = [Damage(evidence="not in the article", what=what) for what in items]
    grounded = ground_event(event(damage=damage), text, PUBLISHED)
    assert [d.what for d in grounded.event.damage] == ["beehives", "front window", "Vinyl siding"]


@pytest.mark.parametrize(
    ("phrase", "figures"),
    [
        ("a woman and her son", {2}),
        ("a 38-year-old man and a 14-year-old boy", {2}),
        ("a man and his two sons", {2, 3}),
        ("A fourth man, a rear-seat passenger, was cut free", {1}),  # one man, described twice
        ("two sisters, aged nine and six", {2}),
        ("no one was hurt", {0}),
        ("three men", {3}),
        ("a dozen", {12}),
    ],
)
def test_stated_figures(phrase: str, figures: set[int]) -> None:
    assert stated_figures(phrase) == figures


def test_a_multi_day_window_is_kept_when_the_article_gives_its_days_and_narrowed_when_not() -> None:
    from summarizer.record.schema import TimeWindow

    text = "The wildfire broke out on Tuesday near the village. By Saturday it had burned 60 homes."
    published = date(2024, 7, 28)  # a Sunday: Tuesday is the 23rd, Saturday the 27th

    def kept(start: str, end: str) -> tuple[str, str]:
        when = TimeWindow(evidence="broke out on Tuesday", phrase="on Tuesday", date_start=start, date_end=end)
        grounded = ground_event(event(when=when), text, published).event.when
        assert grounded is not None
        return str(grounded.date_start), str(grounded.date_end)

    assert kept("2024-07-23", "2024-07-27") == ("2024-07-23", "2024-07-27")  # Saturday is in the article
    assert kept("2024-07-23", "2024-07-25") == ("2024-07-23", "2024-07-23")  # Thursday is not: narrowed


@pytest.mark.parametrize(
    ("text", "name", "phrase", "value"),
    [
        ("One person was killed in the crash.", "children_killed", "One person", 1),  # "son" in "person"
        ("Officer Johnson said two people were injured.", "children_injured", "two people", 2),
        ("Fourteen people were hurt.", "children_injured", "Fourteen people", 14),  # "teen" in "fourteen"
        ("Two adults suffered minor injuries.", "children_injured", "Two adults", 2),  # "minor injuries"
        ("Police arrested two men on Friday. A woman died at the scene.", "killed", "two men", 2),
        ("Three people were killed, including a child.", "killed", "including a child", 1),
        ("The police chief said 12 people died.", "killed", "The police chief said 12 people died", 1),
        ("Three people were injured, none seriously.", "injured", "none seriously", 0),
        ("No one has been arrested in the shooting that killed two men.", "killed", "No one has been arrested", 0),
        ("Nobody has claimed the blast, which wounded 30 people.", "injured", "Nobody has claimed", 0),
        ("Witnesses heard five shots near the bar.", "injured", "five shots", 5),
        ("Firefighters rescued four residents from the building.", "injured", "four residents", 4),
    ],
)
def test_values_the_words_do_not_support_are_refused(text: str, name: str, phrase: str, value: int) -> None:
    first_sentence = text.split(". ")[0]
    assert not casualty(text, name, phrase, value, first_sentence)


def test_people_who_are_named_but_do_not_speak_are_not_speakers() -> None:
    text = (
        'Police identified the victim as John Smith, 34. "It was a senseless act," Chief Brown said. '
        "Mark Lee, 22, was charged with murder. Mayor Jane Smith visited the scene. Smith was not available for "
        "comment."
    )
    statements = [
        Statement(evidence="not in the article", speaker=name, gist="spoke")
        for name in ("John Smith", "Mark Lee", "Jane Smith", "Chief Brown")
    ]
    grounded = ground_event(event(statements=statements), text, PUBLISHED)
    assert [s.speaker for s in grounded.event.statements] == ["Chief Brown"]


@pytest.mark.parametrize(
    ("phrase", "qualifier"),
    [("killed over two days", "exact"), ("children under 10", "exact"), ("at about 3 p.m.", "exact")],
)
def test_a_qualifier_word_before_another_number_is_not_the_count_s(phrase: str, qualifier: str) -> None:
    count = Count(evidence=phrase, phrase=phrase, value=4, qualifier=qualifier)
    assert explicit_qualifier(count) is None


def test_a_window_is_not_stretched_to_a_later_step() -> None:
    from summarizer.record.schema import TimeWindow

    text = "The shooting happened on Tuesday. The suspect was arrested on Friday."
    when = TimeWindow(evidence="on Tuesday", phrase="on Tuesday", date_start="2024-07-23", date_end="2024-07-26")
    grounded = ground_event(event(when=when), text, date(2024, 7, 28)).event.when
    assert grounded is not None and (str(grounded.date_start), str(grounded.date_end)) == ("2024-07-23", "2024-07-23")
