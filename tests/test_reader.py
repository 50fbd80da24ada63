"""The reader on known sentences: counts attached to what they count, places, time, speakers, event type."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from summarizer.ingest.articles import load_article
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
        "An ambulance reached the scene at 4.21pm.",  # "He died at 4.21pm" is 1 killed: see below
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


# ---------------------------------------------------------------- real pages (issue 17)

WEDNESDAY = date(2016, 6, 15)


def _places(text: str) -> list[str]:
    return [place.name for place in read(text, WEDNESDAY).event.places]


@pytest.mark.parametrize(
    "text",
    [
        "Teen killed in shooting\nBy Jane Doe, Staff Writer\n\nELGIN, Ill. — A man was shot Saturday, police said.",
        "Local News • ELGIN, Ill. (AP) — A man was shot Saturday, police said.",
        "Crime >> Elgin, Ill. — A man was shot Saturday, police said.",
    ],
)
def test_a_dateline_after_a_headline_byline_or_separator_is_read(text: str) -> None:
    line = dateline(text)
    assert line is not None and line[0].name == "Elgin"
    assert _places(text)[0] == "Elgin"


def test_a_headline_word_is_still_no_dateline_wherever_it_stands() -> None:
    assert dateline("Shooting\nPolice — A man was stabbed on Elm Street on Saturday.") is None


def test_a_city_as_a_modifier_places_the_story_but_a_home_town_does_not() -> None:
    assert _places("Elgin police said a man was shot on Saturday night.")[0] == "Elgin"
    assert _places("A man was shot on Dayton's west side late Saturday.")[:2] == ["Dayton", "west side"]
    # a dateline city is surer than "a Tulsa man": Tulsa is someone's home town
    assert "Tulsa" not in _places("ELGIN, Ill. — A Tulsa man was shot on Saturday, Elgin police said.")


def test_a_place_s_confidence_is_its_best_mention() -> None:
    reading = read("A Tulsa man was shot. Officers said the shooting happened in Tulsa late Saturday.", WEDNESDAY)
    assert reading.event.places[0].name == "Tulsa" and reading.confidence["places[0]"] >= 0.8


def test_where_a_victim_was_taken_or_a_suspect_arrested_is_not_the_event_s_city() -> None:
    places = _places(
        "A man was shot in Dayton on Saturday. He was taken to a hospital in Kettering, and a suspect was "
        "arrested in Springfield on Sunday."
    )
    assert places[0] == "Dayton" and "Kettering" not in places and "Springfield" not in places


@pytest.mark.parametrize(
    "text",
    [
        "The suspect fled in a silver Chevrolet Malibu, police said.",  # a car model that is also a town
        "Police — A man was stabbed on Saturday.",  # Police is a town in Poland
        "The victim was found on Street Road about a Mile from the park.",
    ],
)
def test_car_models_units_and_police_are_not_towns(text: str) -> None:
    assert not {"Malibu", "Police", "Mile", "Street"} & set(_places(text))


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "A 13-year-old was shot and killed Saturday night.",
            {"casualties.killed": (1, None, None, "exact"), "casualties.children_killed": (1, None, None, "exact")},
        ),
        (
            "The teen who died was identified as Jane Doe.",
            {"casualties.killed": (1, None, None, "exact"), "casualties.children_killed": (1, None, None, "exact")},
        ),
        ("Police are investigating the death of John Smith.", {"casualties.killed": (1, None, None, "exact")}),
        ("A woman and her son were killed.", {"casualties.killed": (2, None, None, "exact")}),
        (
            "Five people were shot, one fatally.",
            {"casualties.killed": (1, None, None, "exact"), "casualties.injured": (4, None, None, "exact")},
        ),
        ("The gunman killed two people.", {"casualties.killed": (2, None, None, "exact")}),  # not the gunman
        ("He died at the scene at 4.21pm.", {"casualties.killed": (1, None, None, "exact")}),  # not 4 or 21
        (
            "John Smith, 25, Jane Doe, 30, and Bob Roe, 41, were killed.",  # three names, not 25 + 30 + 41
            {"casualties.killed": (3, None, None, "exact")},
        ),
        ("The victim, John Smith, 25, died at the scene.", {"casualties.killed": (1, None, None, "exact")}),
        (
            "A third person has died, raising the death toll to three.",
            {"casualties.killed": (1, None, None, "exact")},  # found first; the revised 3 is kept by read()
        ),
    ],
)
def test_one_person_is_one_and_shares_are_split(sentence: str, expected: dict) -> None:
    assert counts_in(sentence) == expected


def _casualties(text: str) -> tuple[int | None, int | None]:
    casualties = read(text, WEDNESDAY).event.casualties
    if casualties is None:
        return None, None
    killed, injured = casualties.killed, casualties.injured
    return (killed.value if killed else None), (injured.value if injured else None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A man was shot Saturday on Elm Street. He died at the hospital, police said.", (1, None)),
        ("Two men were shot Saturday on Elm Street. One died at the scene.", (1, 1)),
        ("A man shot his wife Sunday and then killed himself, police said.", (2, None)),
        ("A gunman killed 14 people at the university before killing himself.", (14, None)),
        ("A third person has died after Sunday's shooting, raising the death toll to three.", (3, None)),
        (
            "A man was wounded on Elm Street on Saturday. Fourteen people were shot across the city over the "
            "weekend, police said.",
            (None, 1),
        ),
    ],
)
def test_killed_and_injured_are_disjoint_and_the_attacker_s_death_counts(text: str, expected: tuple) -> None:
    assert _casualties(text) == expected


def test_a_follow_up_s_date_is_the_incident_s_not_the_hearing_s() -> None:
    text = (
        "A Syracuse man accused of stabbing four people pleaded not guilty Tuesday. "
        "The stabbing happened Saturday at a grocery store, police said."
    )
    when = read(text, WEDNESDAY).event.when
    assert when is not None and when.date_start == date(2016, 6, 11)


def test_the_early_hours_of_a_weekday_are_that_day_s() -> None:
    when = read("A man was shot in Moss Side in the early hours of Sunday, police said.", WEDNESDAY).event.when
    assert when is not None and when.date_start == date(2016, 6, 12)


def test_a_future_step_is_not_the_event_s_date() -> None:
    text = "Flags will fly at half-mast on Saturday for the fourteen people shot dead in Prague on Monday."
    when = read(text, WEDNESDAY).event.when
    assert when is not None and when.date_start == date(2016, 6, 13)


def test_sport_and_business_news_get_no_violent_type_and_no_casualty() -> None:
    match = (
        "The Royals beat the Tigers 7-2 on Saturday. Their pitcher was knocked out in the third inning after "
        "giving up five runs, and two players were hit by pitches. The team has won six games this season, and "
        "fans at the stadium cheered the league leaders. The coach said the win was a shot in the arm."
    )
    reading = read(match, WEDNESDAY)
    assert reading.event.event_type == "other" and reading.event.casualties is None
    crash = (
        "Smith won the race on Sunday after a crash on lap 12 took out three cars. The points leader finished "
        "second in the championship round, and the team celebrated its third victory of the season."
    )
    assert read(crash, WEDNESDAY).event.event_type == "other"
    shooting = "Two people were shot and killed outside a bar on Saturday, police said. The gunman fled."
    assert read(shooting, WEDNESDAY).event.event_type == "shooting"


def test_the_police_who_responded_and_named_victims_are_actors() -> None:
    text = (
        "A woman was shot and killed Saturday on Elm Street, Dayton police said. The victim was identified as "
        "Tanisha Reed, 34. Police said they had no suspect."
    )
    actors = {(a.name, a.role) for a in read(text, WEDNESDAY).event.actors}
    assert {("Dayton police", "other"), ("Tanisha Reed", "victim")} <= actors
    assert not any(name == "Police" for name, _ in actors)  # "Police said": no one in particular


def test_teams_and_companies_are_the_actors_of_everyday_news() -> None:
    text = (
        "Ogun Rovers beat Benue Stallions 2-1 in the cup final on Saturday at the National Stadium. The team "
        "scored twice in the second half, and fans celebrated the club's first title in a decade of the league. "
        "The coach praised his players after the match, the season's last game."
    )
    names = {a.name for a in read(text, WEDNESDAY).event.actors}
    assert {"Ogun Rovers", "Benue Stallions"} & names


def test_a_town_named_only_later_with_no_word_of_the_event_is_context() -> None:
    text = (
        "A man was stabbed on Dundee Avenue in Elgin on Saturday, police said. He was in stable condition. "
        "Officers were still searching for the attacker. The victim had moved from Aurora last year."
    )
    assert "Aurora" not in _places(text)
    assert "Aurora" in _places("A man was stabbed in Aurora on Saturday, police said.")
