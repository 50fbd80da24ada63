"""The reader on known sentences: counts attached to what they count, places, time, speakers, event type."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from summarizer.articles import load_article
from summarizer.reader import read
from summarizer.reader.context import context_flags
from summarizer.reader.counts import find_counts
from summarizer.reader.nlp import parse
from summarizer.reader.places import dateline

FIXTURES = Path(__file__).resolve().parent.parent / "evals" / "fixtures"


def counts_in(text: str) -> dict[str, tuple[int | None, int | None, int | None, str]]:
    sentences = list(parse(text).sents)
    found = {}
    for finding in find_counts(sentences, [False] * len(sentences)):
        count = finding.value
        found.setdefault(finding.path, (count.value, count.low, count.high, count.qualifier))
    return found


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "At least 17 people were injured, including a child.",
            {"casualties.injured": (17, 17, None, "at_least"), "casualties.children_injured": (1, None, None, "exact")},
        ),
        (
            "The gunman opened fire, killing at least 14 people and wounding 25 others.",
            {"casualties.killed": (14, 14, None, "at_least"), "casualties.injured": (25, None, None, "exact")},
        ),
        ("Twelve people were detained and five were hurt.", {"casualties.injured": (5, None, None, "exact")}),
        (
            "Police said 27 people had been arrested and 19 officers injured.",
            {"casualties.injured": (19, None, None, "exact")},
        ),  # a verb with a subject of its own does not share the first verb's
        ("Two men were shot and killed.", {"casualties.killed": (2, None, None, "exact")}),
        ("Two people were shot and they later died in hospital.", {"casualties.killed": (2, None, None, "exact")}),
        ("Two men were stabbed and both died at the scene.", {"casualties.killed": (2, None, None, "exact")}),
        (
            "A woman died and three others were wounded.",
            {"casualties.killed": (1, None, None, "exact"), "casualties.injured": (3, None, None, "exact")},
        ),
        ("The driver and two passengers were killed.", {"casualties.killed": (3, None, None, "exact")}),
        (
            "The toll rose to 12, including five children.",
            {"casualties.killed": (12, None, None, "exact"), "casualties.children_killed": (5, None, None, "exact")},
        ),
        ("Between 20 and 25 people were hurt.", {"casualties.injured": (None, 20, 25, "range")}),
        ("No one was injured, fire officials said.", {"casualties.injured": (0, None, None, "exact")}),
        ("Twenty-five people were hurt.", {"casualties.injured": (25, None, None, "exact")}),
        ("Three people were shot and killed outside a bar.", {"casualties.killed": (3, None, None, "exact")}),
        (
            "Air defences shot down 31 of 34 missiles.",
            {
                "weapons.missile.intercepted": (31, None, None, "exact"),
                "weapons.missile.launched": (34, None, None, "exact"),
            },
        ),
        (
            "The air force said it intercepted 31 missiles launched by Russia.",
            {
                "weapons.missile.intercepted": (31, None, None, "exact"),
                "weapons.missile.launched": (31, None, None, "exact"),
            },
        ),
        (
            "A considerable number of missiles were shot down.",
            {"weapons.missile.intercepted": (None, None, None, "vague")},
        ),
        (
            "The region was attacked with eight Shahed drones and seven of them were shot down.",
            {"weapons.drone.launched": (8, None, None, "exact"), "weapons.drone.intercepted": (7, None, None, "exact")},
        ),
        (
            "Russian missiles struck the city, injuring 28 people, two of them children.",
            {"casualties.injured": (28, None, None, "exact"), "casualties.children_injured": (2, None, None, "exact")},
        ),
        ("The assault caused injuries to at least 13 individuals.", {"casualties.injured": (13, 13, None, "at_least")}),
    ],
)
def test_counts_attach_to_what_they_count(sentence: str, expected: dict) -> None:
    assert counts_in(sentence) == expected


@pytest.mark.parametrize(
    "sentence",
    [
        "A 15-year-old was taken into custody in the 1200 block of Main Street shortly before 11 p.m.",
        "John Smith, 45, of Dayton, spoke to reporters.",
        "The Lakers beat the Celtics 112-104 on Sunday.",
        "The fire caused $2 million in damage to 12 homes.",
        "He died at the scene at 4.21pm.",
        "Two of the injured were in critical condition.",
        "The council voted 7-2 to approve the $45 million budget, with 3 members absent.",
        "Up to 1,000 people could be killed if the dam fails, engineers warned.",
        "Five people may have been killed, officials said.",
    ],
)
def test_ages_times_addresses_money_scores_and_parts_are_not_counts(sentence: str) -> None:
    assert {path for path in counts_in(sentence) if path.endswith(("killed", "injured"))} == set()


def test_a_figure_about_another_incident_is_context() -> None:
    text = (
        "A man was shot dead on Friday night, police said. "
        "It was the city's fourth shooting this month, after 9 people were hurt in March."
    )
    sentences = list(parse(text).sents)
    assert context_flags(sentences) == [False, True]
    reading = read(text, date(2024, 6, 1))
    assert reading.event.casualties is not None
    assert reading.event.casualties.killed is not None and reading.event.casualties.killed.value == 1
    assert reading.event.casualties.injured is None


def test_a_revised_toll_is_the_one_kept() -> None:
    text = (
        "Five people were killed when a bus fell into a gorge on Monday, police said. "
        "By Tuesday the death toll had risen to 17, officials said."
    )
    killed = read(text, date(2024, 6, 4)).event.casualties.killed  # type: ignore[union-attr]
    assert killed is not None and killed.value == 17


def test_dateline_city_region_and_agency() -> None:
    place, _start, _end = dateline("ROCKFORD, Ill. (AP) — Two people were killed.")  # type: ignore[misc]
    assert (place.name, place.kind) == ("Rockford", "city")
    assert dateline("In a quiet town, nothing happened.") is None
    reading = read("ROCKFORD, Ill. (AP) — Two people were killed in a shooting on Elm Street late Saturday.", None)
    names = [(p.name, p.kind) for p in reading.event.places]
    assert names[0] == ("Rockford", "city") and ("Ill.", "region") in names and ("Elm Street", "site") in names


def test_the_dateline_does_not_hide_the_lead_s_subject() -> None:
    """Parsed with the lead, "MOGADISHU, Somalia (AP)" became the subject of "has risen" and hid the toll."""
    reading = read(
        "MOGADISHU, Somalia (AP) — The death toll from a suicide bombing at a busy restaurant has risen to 19, police "
        "said Monday.",
        date(2024, 6, 17),
    )
    assert reading.event.casualties.killed is not None and reading.event.casualties.killed.value == 19
    assert [(p.name, p.kind) for p in reading.event.places][:2] == [("Mogadishu", "city"), ("Somalia", "country")]


def test_spans_of_a_lead_after_a_dateline_cover_their_evidence() -> None:
    text = (
        "MOGADISHU, Somalia (AP) — The death toll from a suicide bombing at a busy restaurant has risen to 19 after "
        "the attack late on Sunday, police said.\n\nAt least 30 people were wounded, the health ministry said."
    )
    reading = read(text, date(2024, 6, 17))
    assert reading.event.when is not None and reading.event.casualties is not None
    killed, injured = reading.event.casualties.killed, reading.event.casualties.injured
    assert killed is not None and injured is not None
    for path, evidence in [
        ("when", reading.event.when.evidence),
        ("casualties.killed", killed.evidence),
        ("casualties.injured", injured.evidence),
    ]:
        span = reading.spans[path]
        assert text[span.start : span.end] == evidence, path


def test_when_resolves_against_the_publication_date() -> None:
    reading = read("Two people were killed in a shooting late Saturday, police said.", date(2024, 6, 17))
    assert reading.event.when is not None
    assert reading.event.when.date_start == date(2024, 6, 15) and reading.event.when.phrase == "late Saturday"


def test_a_wire_dateline_s_date_is_the_filing_date_not_the_event_s() -> None:
    """Reuters and AAP datelines carry the day the report was filed; the event's own words say when it was."""
    text = (
        "BEIJING, Oct 22 (Reuters) - A man armed with a knife killed two people and wounded 11 others outside a "
        "primary school on Monday afternoon, police said."
    )
    reading = read(text, date(2024, 10, 22))
    assert reading.event.when is not None
    assert reading.event.when.date_start == date(2024, 10, 21) and "Monday" in reading.event.when.phrase
    month = read(
        "NAIROBI, January 15 (Reuters) - Gunmen killed four people late on Sunday, police said.", date(2024, 1, 15)
    )
    assert month.event.when is not None and month.event.when.date_start == date(2024, 1, 14)
    assert month.event.places and month.event.places[0].name == "Nairobi"
    filed_only = read("BEIJING, Oct 22 (Reuters) - A man armed with a knife killed two people, police said.", None)
    assert filed_only.event.when is None  # the dateline alone does not date the event


@pytest.mark.parametrize(
    ("stated", "day"),
    [("6/15/2024", date(2024, 6, 15)), ("15.06.2024", date(2024, 6, 15)), ("June 15, 2024", date(2024, 6, 15))],
)
def test_when_reads_an_explicit_numeric_date(stated: str, day: date) -> None:
    reading = read(f"Two people were killed in a shooting on {stated}, police said.", date(2024, 6, 17))
    assert reading.event.when is not None
    assert (reading.event.when.date_start, reading.event.when.precision) == (day, "day")
    assert stated.lower() in reading.event.when.phrase.lower()


def test_speakers_with_titles_and_the_seed_facts() -> None:
    article = load_article(FIXTURES / "000_ede6e3fe3861d4f9.txt")
    reading = read(article.text, article.published)
    event = reading.event
    assert {"weapons[0]", "weapons[0].launched", "weapons[0].intercepted", "casualties.injured"} <= set(reading.spans)
    assert event.event_type == "missile_or_air_strike"
    assert event.places[0].name == "Kyiv"
    assert sum(1 for p in event.places if p.kind == "district") >= 3
    assert event.casualties is not None and event.casualties.injured is not None
    assert (event.casualties.injured.low, event.casualties.injured.qualifier) == (17, "at_least")
    assert event.casualties.children_injured is not None and event.casualties.children_injured.value == 1
    weapon = event.weapons[0]
    assert weapon.launched is not None and weapon.intercepted is not None
    assert (weapon.launched.value, weapon.intercepted.value) == (31, 31)
    speakers = {s.speaker for s in event.statements}
    assert {"Volodymyr Zelensky", "Serhiy Popko"} <= speakers


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("A man was stabbed outside a pub on Friday; the knife was recovered, police said.", "stabbing"),
        ("Two cars collided head-on on the highway, and the crash killed both drivers.", "road_crash"),
        ("Firefighters battled a blaze that gutted a warehouse; flames could be seen for miles.", "fire"),
        ("The city council approved the budget by a vote of 7-2 on Tuesday.", "other"),
    ],
)
def test_event_type_from_the_article_words(text: str, kind: str) -> None:
    assert read(text, None).event.event_type == kind


def test_intercepted_above_launched_is_dropped_not_a_crash() -> None:
    event = read("Russia fired 5 missiles at Kyiv overnight. Air defences destroyed 7 missiles.", None).event
    (weapon,) = event.weapons
    assert weapon.launched is not None and weapon.launched.value == 5 and weapon.intercepted is None


def test_a_group_total_keeps_its_precision() -> None:
    assert counts_in("About 30 people and two officers were injured.")["casualties.injured"] == (
        32,
        32,
        None,
        "at_least",
    )


def test_an_age_inside_a_group_does_not_make_the_group_children() -> None:
    found = counts_in("The strike killed at least 51 people, including a six-year-old boy.")
    assert found["casualties.killed"] == (51, 51, None, "at_least")
    assert found["casualties.children_killed"] == (1, None, None, "exact")


@pytest.mark.parametrize("text", ["BREAKING: Three people were shot.", "Police — A man was stabbed on Friday."])
def test_heading_words_are_not_datelines(text: str) -> None:
    assert dateline(text) is None
