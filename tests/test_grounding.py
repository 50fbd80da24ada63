"""Grounding: quotes located (exact / normalised / fuzzy / missing), counts, names, dates, repairs, drops, spans."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from summarizer.ground.grounding import Grounding, ground_event, infer_qualifier
from summarizer.ground.locate import find_name, locate, mentions
from summarizer.ingest.articles import load_article
from summarizer.record.schema import (
    Actor,
    Casualties,
    ContextNote,
    Count,
    Damage,
    Event,
    Place,
    Statement,
    TimeWindow,
    Weapon,
)
from summarizer.text.normalize import normalise

SEED = load_article(Path(__file__).resolve().parents[1] / "evals" / "fixtures" / "000_ede6e3fe3861d4f9.txt")
TEXT, PUBLISHED = SEED.text, SEED.published


def make_event(**fields: Any) -> Event:
    return Event(
        event_type="missile_or_air_strike", title="Missile attack on Kyiv", summary="Missiles hit Kyiv.", **fields
    )


def ground(event: Event, text: str = TEXT, published: date | None = PUBLISHED) -> Grounding:
    return ground_event(event, text, published)


def problem_paths(result: Grounding) -> list[str]:
    assert all(problem.code == "ungrounded" for problem in result.problems)
    return [problem.path or "" for problem in result.problems]


def note_codes(result: Grounding) -> dict[str, str]:
    return {note.path or "": note.code for note in result.notes}


def count(evidence: str, phrase: str, value: int | None = None, **fields: Any) -> Count:
    return Count(evidence=evidence, phrase=phrase, value=value, **{"qualifier": "exact", **fields})


# ---------------------------------------------------------------- locate


def test_locate_exact() -> None:
    quote = "intercepted 31 missiles launched by Russia at Kyiv"
    span = locate(quote, TEXT)
    assert span is not None and span.match == "exact" and span.score == 1.0
    assert TEXT[span.start : span.end] == quote


@pytest.mark.parametrize(
    "quote",
    [
        "UKRAINE’S AIR DEFENSE FORCES",  # case and a curly apostrophe
        "intercepted   31\nmissiles",  # white space
        "AT LEAST 17  injuries",
        "Shevchenkivskyi,  and Sviatoshyn",
    ],
)
def test_locate_normalised(quote: str) -> None:
    span = locate(quote, TEXT)
    assert span is not None and span.match == "normalised" and span.score == 1.0
    assert normalise(TEXT[span.start : span.end]) == normalise(quote)


def test_locate_normalised_maps_back_through_accents_and_dashes() -> None:
    text = "Le maire a dit: «Les frappes — trois — ont touché l’école» hier."
    span = locate("les frappes - trois - ont touche l'ecole", text)
    assert span is not None and span.match == "normalised"
    assert text[span.start : span.end] == "Les frappes — trois — ont touché l’école"


def test_locate_fuzzy_tolerates_a_small_copying_error() -> None:
    quote = "debris from the downed missile inflicted injuries and caused fire in several districts"
    span = locate(quote, TEXT)
    assert span is not None and span.match == "fuzzy" and 0.9 <= span.score < 1.0
    located = TEXT[span.start : span.end]
    assert "debris from the downed missiles inflicted injuries" in located


@pytest.mark.parametrize(
    "quote",
    [
        "Forty people were killed when a missile hit a shopping centre in Odesa",  # invented
        "intercepted 32",  # short quotes are never fuzzy
        "",
        " “” ",
    ],
)
def test_locate_missing(quote: str) -> None:
    assert locate(quote, TEXT) is None


def test_locate_refuses_a_quote_that_adds_words_to_the_whole_article() -> None:
    text = "Kyiv was hit by missiles overnight, officials said."
    assert locate(text + " Forty-five people died in the blast, they added.", text) is None


# ---------------------------------------------------------------- mentions


@pytest.mark.parametrize(
    ("container", "name"),
    [
        ("launched by Russia at Kyiv", "Kiev"),
        ("President Volodymyr Zelensky", "Zelenskyy"),
        ("President Volodymyr Zelensky", "Volodimir Zelenskiy"),
        ("including Podilsky, Shevchenkivskyi, and Sviatoshyn", "Sviatoshynskyi"),
        ("Russian forces", "Russia"),
        ("reaffirmed U.S. support", "US"),
        ("a civilian was hurt", "civilians"),
    ],
)
def test_mentions_spelling_variants(container: str, name: str) -> None:
    assert mentions(container, name)


@pytest.mark.parametrize(
    ("container", "name"),
    [
        ("missiles launched by Russia", "US"),
        ("Russia used missiles", "US"),
        ("a woman was hurt", "Oman"),
        ("Russia", "Russian Aerospace Forces"),
        ("struck Kharkiv", "Kherson"),
        ("in Sumy", "Sumy region"),
        ("anything", ""),
    ],
)
def test_mentions_refuses_other_names(container: str, name: str) -> None:
    assert not mentions(container, name)


# ---------------------------------------------------------------- counts


def test_count_stated_in_its_quote_is_kept_with_a_span() -> None:
    injured = count("resulted in at least 17 injuries", "at least 17", 17, low=17, qualifier="at_least")
    result = ground(make_event(casualties=Casualties(injured=injured)))
    assert result.problems == []
    assert result.event.casualties is not None and result.event.casualties.injured == injured
    span = result.spans["casualties.injured"]
    assert TEXT[span.start : span.end] == injured.evidence and span.match == "exact"


def test_count_in_number_words() -> None:
    text = "Officials said seventeen people were injured in the strike on Lviv."
    injured = count("seventeen people were injured", "seventeen", 17)
    result = ground(make_event(casualties=Casualties(injured=injured)), text, None)
    assert result.problems == [] and result.event.casualties.injured.value == 17


def test_range_in_number_words_is_two_numbers() -> None:
    text = "Between sixteen and eighteen people were wounded, the governor said."
    injured = count(
        "Between sixteen and eighteen people were wounded", "Between sixteen and eighteen", None, low=16, high=18
    )
    result = ground(make_event(casualties=Casualties(injured=injured.model_copy(update={"qualifier": "range"}))), text)
    assert result.problems == []
    assert (result.event.casualties.injured.low, result.event.casualties.injured.high) == (16, 18)


def test_invented_figure_is_dropped_and_listed() -> None:
    injured = count("resulted in at least 17 injuries", "at least 20", 20, low=20, qualifier="at_least")
    result = ground(make_event(casualties=Casualties(injured=injured)))
    assert result.event.casualties is None  # nothing left in casualties
    assert problem_paths(result) == ["casualties.injured"]
    assert "[20] not stated" in result.problems[0].message
    assert "casualties.injured" not in result.spans
    assert result.removed == 1


def test_figure_from_another_field_is_dropped() -> None:
    # "31" is in the quote, but the quote speaks of missiles, not of injuries
    injured = count("intercepted 31 missiles launched by Russia at Kyiv", "31", 31)
    result = ground(make_event(casualties=Casualties(injured=injured)))
    assert result.event.casualties is None and problem_paths(result) == ["casualties.injured"]
    assert "does not speak of injured" in result.problems[0].message


def test_wrong_quote_but_stated_phrase_is_repaired_to_its_sentence() -> None:
    injured = count("at least 17 people were hurt by debris", "at least 17", 17, low=17, qualifier="at_least")
    result = ground(make_event(casualties=Casualties(injured=injured)))
    kept = result.event.casualties.injured
    span = result.spans["casualties.injured"]
    assert result.problems == [] and span.match == "sentence"
    assert kept.evidence == TEXT[span.start : span.end]
    assert kept.evidence.startswith("The assault, which occurred") and kept.evidence.endswith("Western allies.")
    assert note_codes(result)["casualties.injured"] == "repaired"


def test_a_child_states_one_child_injured() -> None:
    children = count("including a child", "a child", 1)
    result = ground(make_event(casualties=Casualties(children_injured=children)))
    assert result.problems == []
    assert result.event.casualties.children_injured.value == 1
    assert "injuries" in result.event.casualties.children_injured.evidence  # repaired to the sentence with the cue


def test_a_children_count_must_be_near_a_child_word() -> None:
    evidence = "resulted in at least 17 injuries due to falling debris, including a child"
    wrong = count(evidence, "at least 17", 17, low=17, qualifier="at_least")
    right = count(evidence, "a child", 1)
    result = ground(make_event(casualties=Casualties(children_injured=wrong)))
    assert result.event.casualties is None and problem_paths(result) == ["casualties.children_injured"]
    result = ground(make_event(casualties=Casualties(children_injured=right)))
    assert result.event.casualties.children_injured.value == 1


def test_vague_count_keeps_its_phrase() -> None:
    text = "A considerable number of people were injured when the drones hit Odesa."
    injured = count("A considerable number of people were injured", "A considerable number", None, qualifier="vague")
    result = ground(make_event(casualties=Casualties(injured=injured)), text)
    assert result.problems == [] and result.event.casualties.injured.qualifier == "vague"


@pytest.mark.parametrize(
    ("phrase", "value", "low", "high", "given", "expected"),
    [
        ("at least 17", 17, 17, None, "exact", "at_least"),
        ("about 17", 17, None, None, "exact", "about"),
        ("up to 17", 17, None, 17, "exact", "at_most"),
    ],
)
def test_qualifier_is_corrected_from_the_phrase(
    phrase: str, value: int, low: int | None, high: int | None, given: str, expected: str
) -> None:
    text = f"Officials said {phrase} people were injured in the attack."
    injured = count(f"{phrase} people were injured", phrase, value, low=low, high=high, qualifier=given)
    result = ground(make_event(casualties=Casualties(injured=injured)), text)
    assert result.event.casualties.injured.qualifier == expected
    assert note_codes(result)["casualties.injured"] == "corrected"


@pytest.mark.parametrize(
    ("phrase", "qualifier"),
    [
        ("at least 17", "at_least"),
        ("more than 30", "at_least"),
        ("up to 5", "at_most"),
        ("about 40", "about"),
        ("between 16 and 18", "range"),
        ("between sixteen and eighteen", "range"),
        ("10-12", "range"),
        ("a considerable number", "vague"),
        ("dozens", "vague"),
        ("17", None),
        ("a child", None),
    ],
)
def test_infer_qualifier(phrase: str, qualifier: str | None) -> None:
    assert infer_qualifier(phrase) == qualifier


def test_weapon_counts_and_name() -> None:
    weapon = Weapon(
        evidence="intercepted 31 missiles launched by Russia at Kyiv",
        kind="missile",
        name="Kinzhal",  # not in its evidence
        launched=count("intercepted 31 missiles launched by Russia", "31 missiles", 31),
        intercepted=count("intercepted 31 missiles", "31", 31),
    )
    result = ground(make_event(weapons=[weapon]))
    kept = result.event.weapons[0]
    assert kept.name is None and kept.launched.value == 31 and kept.intercepted.value == 31
    assert problem_paths(result) == ["weapons[0].name"]
    assert {"weapons[0]", "weapons[0].launched", "weapons[0].intercepted"} <= set(result.spans)


def test_intercepted_needs_an_interception_cue() -> None:
    weapon = Weapon(
        evidence="intercepted 31 missiles",
        kind="missile",
        intercepted=count("resulted in at least 17 injuries", "17", 17),
    )
    result = ground(make_event(weapons=[weapon]))
    assert result.event.weapons[0].intercepted is None
    assert problem_paths(result) == ["weapons[0].intercepted"]


# ---------------------------------------------------------------- names


def test_names_in_their_quotes_are_kept() -> None:
    places = [
        Place(evidence="launched by Russia at Kyiv", name="Kiev", kind="city"),
        Place(evidence="including Podilsky, Shevchenkivskyi, and Sviatoshyn", name="Sviatoshynskyi", kind="district"),
    ]
    actors = [Actor(evidence="President Volodymyr Zelensky", name="Zelenskyy", role="defender")]
    result = ground(make_event(places=places, actors=actors))
    assert result.problems == []
    assert [p.name for p in result.event.places] == ["Kiev", "Sviatoshynskyi"]
    assert result.event.actors[0].name == "Zelenskyy"


def test_name_with_a_wrong_quote_is_repaired_from_the_sentence_that_names_it() -> None:
    place = Place(evidence="the crater in the Lukyanivka neighbourhood", name="Lukyanivka", kind="district")
    result = ground(make_event(places=[place]))
    kept, span = result.event.places[0], result.spans["places[0]"]
    assert span.match == "sentence" and kept.evidence == TEXT[span.start : span.end]
    assert "Lukyanivka" in kept.evidence and note_codes(result)["places[0]"] == "repaired"


def test_repaired_evidence_is_not_cut_after_an_abbreviation() -> None:
    text = "Officials in the U.S. said Gen. Petrenko's unit was hit in Kyiv overnight. Nothing else happened."
    result = ground(make_event(places=[Place(name="Kyiv", kind="city", evidence="wrong")]), text=text)
    assert result.event.places[0].evidence == text.split(" Nothing")[0]


@pytest.mark.parametrize(
    ("name", "evidence"),
    [
        ("Odesa", "missiles struck Odesa overnight"),  # neither name nor quote in the article
        ("Odesa", "launched by Russia at Kyiv"),  # quote found, name not in it nor in the article
        ("US", "missiles launched by Russia"),  # 'us' is inside 'Russia', not a name
        ("Russian Aerospace Forces", "launched by Russia"),  # a longer name than the quote supports
    ],
)
def test_name_not_in_the_article_is_dropped(name: str, evidence: str) -> None:
    result = ground(make_event(actors=[Actor(evidence=evidence, name=name, role="attacker")]))
    assert result.event.actors == []
    assert problem_paths(result) == ["actors[0]"] and name in result.problems[0].message
    assert result.spans == {}


def test_name_inside_another_word_is_not_a_mention() -> None:
    text = "A woman was injured when a drone hit a house in Sumy."
    result = ground(make_event(places=[Place(evidence="attacks on Oman", name="Oman", kind="country")]), text)
    assert result.event.places == [] and problem_paths(result) == ["places[0]"]


@pytest.mark.parametrize(
    ("name", "text", "found"),
    [
        ("Oman", "A woman was injured.", None),  # a short name starts and ends a word
        ("Iran", "Iranian drones struck.", None),
        ("Russia", "Russian drones struck.", "Russia"),  # a longer one may run on
        ("kyiv", "Strikes on KYIV overnight.", "KYIV"),  # compared normalised
        ("UN", "The UN said.", None),  # under 3 characters: never
        (
            "Sviatoshynskyi district of Kyiv",
            "in the Sviatoshynskyy district of Kyiv",
            "Sviatoshynskyy district of Kyiv",
        ),
    ],
)
def test_find_name_does_what_its_docstring_says(name: str, text: str, found: str | None) -> None:
    span = find_name(name, text)
    assert (None if span is None else text[span.start : span.end]) == found


def test_statement_speaker_and_title() -> None:
    evidence = "as detailed by the head of the city's military administration, Serhiy Popko, on Telegram"
    statements = [
        Statement(
            evidence=evidence, speaker="Serhiy Popko", title="head of the city's military administration", gist="g"
        ),
        Statement(evidence=evidence, speaker="Popko", title="Defence Minister", gist="g"),
        Statement(evidence=evidence, speaker="Vitali Klitschko", gist="g"),
    ]
    result = ground(make_event(statements=statements))
    assert [s.speaker for s in result.event.statements] == ["Serhiy Popko", "Popko"]
    assert result.event.statements[0].title == "head of the city's military administration"
    assert result.event.statements[1].title is None
    assert sorted(problem_paths(result)) == ["statements[1].title", "statements[2]"]


def test_a_statement_needs_a_quote_that_reports_speech() -> None:
    # "Sviatoshyn" is named in the article, but nothing there reports it saying anything
    districts = "Despite the successful interception, debris from the downed missiles inflicted injuries"
    statements = [
        Statement(evidence=districts, speaker="Sviatoshyn", gist="2024-03-21"),
        Statement(evidence="not in the article", speaker="Serhiy Popko", gist="damage reported"),
    ]
    result = ground(make_event(statements=statements))
    assert [s.speaker for s in result.event.statements] == ["Serhiy Popko"]
    assert "on Telegram" in result.event.statements[0].evidence  # repaired to the sentence that reports his words
    assert problem_paths(result) == ["statements[0]"]
    assert note_codes(result) == {"statements[1]": "repaired"}  # no 'repaired' note for the dropped statement


def test_damage_needs_a_quote_that_describes_damage() -> None:
    # "Ukraine" is named in the article, but not as something damaged
    damage = [Damage(evidence="not in the article", what="Ukraine"), Damage(evidence="nor this", what="vehicles")]
    result = ground(make_event(damage=damage))
    assert [d.what for d in result.event.damage] == ["vehicles"]  # repaired to "...residential buildings, and vehicles"
    assert "damaged" in result.event.damage[0].evidence
    assert problem_paths(result) == ["damage[0]"]


def test_damage_what_and_place() -> None:
    damage = [
        Damage(evidence="a significant crater in Lukyanivka", what="crater", place="Lukyanivka"),
        Damage(evidence="Among the damaged were a power transformer", what="power transformer", place="Odesa"),
        Damage(evidence="a destroyed metro station", what="metro station"),
    ]
    result = ground(make_event(damage=damage))
    assert [(d.what, d.place) for d in result.event.damage] == [("crater", "Lukyanivka"), ("power transformer", None)]
    assert sorted(problem_paths(result)) == ["damage[1].place", "damage[2]"]


def test_context_needs_only_its_quote() -> None:
    notes = [
        ContextNote(evidence="a recent visit by White House National Security Advisor Jake Sullivan", note="visit"),
        ContextNote(evidence="a visit by the US Secretary of State last month", note="invented"),
    ]
    result = ground(make_event(context=notes))
    assert [c.note for c in result.event.context] == ["visit"] and problem_paths(result) == ["context[1]"]


# ---------------------------------------------------------------- dates


def window(evidence: str, phrase: str, start: date | None = None, end: date | None = None, **fields: Any) -> TimeWindow:
    return TimeWindow(evidence=evidence, phrase=phrase, date_start=start, date_end=end, **fields)


def test_dates_are_resolved_from_the_time_words() -> None:
    result = ground(make_event(when=window("In a stark overnight operation", "overnight")))
    when = result.event.when
    assert (when.date_start, when.date_end, when.precision) == (PUBLISHED, PUBLISHED, "part_of_day")
    assert result.problems == [] and "when" in result.spans


def test_a_wrong_date_is_corrected_from_the_time_words() -> None:
    wrong = date(2024, 3, 19)
    result = ground(make_event(when=window("In a stark overnight operation", "overnight", wrong, wrong)))
    assert result.event.when.date_start == PUBLISHED
    assert note_codes(result)["when"] == "corrected"


def test_dates_without_supporting_words_are_removed() -> None:
    day = date(2024, 3, 10)
    result = ground(
        make_event(when=window("The initial alarms warned of a ballistic missile threat", "recently", day, day))
    )
    assert result.event.when is None and "when" not in result.spans  # a window without a date is no fact
    assert problem_paths(result) == ["when"] and "no words in the article give the dates" in result.problems[0].message


def test_relative_words_without_a_publication_date_give_no_dates() -> None:
    day = date(2024, 3, 21)
    result = ground(make_event(when=window("In a stark overnight operation", "overnight", day, day)), published=None)
    assert result.event.when is None and problem_paths(result) == ["when"]


def test_time_words_that_give_no_date_drop_the_window() -> None:
    result = ground(make_event(when=window("The initial alarms warned of a ballistic missile threat", "initially")))
    assert result.event.when is None and problem_paths(result) == ["when"]


def test_a_date_after_publication_is_removed() -> None:
    text = "The parade on 30 March 2024 was cancelled after the strike."
    day = date(2024, 3, 30)
    result = ground(make_event(when=window("The parade on 30 March 2024", "30 March 2024", day, day)), text)
    assert result.event.when is None and problem_paths(result) == ["when"]
    assert "after the publication date" in result.problems[0].message


def test_dates_found_in_another_sentence_repair_the_evidence() -> None:
    text = "Officials gave details on Friday. The strike hit Kharkiv on Tuesday, killing two people."
    published = date(2024, 3, 21)  # a Thursday: Tuesday is 2024-03-19
    tuesday = date(2024, 3, 19)
    result = ground(make_event(when=window("the strike hit", "recently", tuesday, tuesday)), text, published)
    when = result.event.when
    assert when.date_start == tuesday and when.evidence == "The strike hit Kharkiv on Tuesday, killing two people."
    assert when.phrase == "on Tuesday" and note_codes(result)["when"] == "repaired"


def test_time_of_day_must_be_in_the_evidence() -> None:
    text = "The sirens sounded at 03:00 local time and the missiles hit Kyiv overnight."
    kept = ground(make_event(when=window("at 03:00 local time", "overnight", time_of_day="03:00")), text, PUBLISHED)
    assert kept.event.when.time_of_day == "03:00" and kept.problems == []
    dropped = ground(make_event(when=window("at 03:00 local time", "overnight", time_of_day="23:45")), text, PUBLISHED)
    assert dropped.event.when.time_of_day is None and problem_paths(dropped) == ["when.time_of_day"]


def test_missing_time_quote_drops_the_window() -> None:
    result = ground(make_event(when=window("on a quiet Sunday afternoon", "Sunday")))
    assert result.event.when is None and problem_paths(result) == ["when"]


# ---------------------------------------------------------------- the whole event


def test_spans_are_rekeyed_to_the_cleaned_lists() -> None:
    places = [
        Place(evidence="missiles struck Odesa", name="Odesa", kind="city"),  # dropped
        Place(evidence="launched by Russia at Kyiv", name="Kyiv", kind="city"),
        Place(evidence="a made-up quote", name="Mars", kind="other"),  # dropped
        Place(evidence="a significant crater in Lukyanivka", name="Lukyanivka", kind="district"),
    ]
    weapons = [
        Weapon(evidence="a volley of Kalibr missiles", kind="cruise_missile"),  # dropped
        Weapon(evidence="intercepted 31 missiles", kind="missile", launched=count("31 missiles launched", "31", 31)),
    ]
    result = ground(make_event(places=places, weapons=weapons))
    assert [p.name for p in result.event.places] == ["Kyiv", "Lukyanivka"]
    assert {key for key in result.spans if key.startswith("places")} == {"places[0]", "places[1]"}
    assert {key for key in result.spans if key.startswith("weapons")} == {"weapons[0]", "weapons[0].launched"}
    for index, place in enumerate(result.event.places):
        span = result.spans[f"places[{index}]"]
        assert TEXT[span.start : span.end] == place.evidence
    assert sorted(problem_paths(result)) == ["places[0]", "places[2]", "weapons[0]"]


def test_every_span_slices_the_article_to_its_evidence() -> None:
    event = make_event(
        when=window("In a stark overnight operation", "overnight"),
        places=[Place(evidence="Kyiv’s air defense systems", name="Kyiv", kind="city")],
        actors=[Actor(evidence="the largest attack on the city in weeks", name="Russia", role="attacker")],
        casualties=Casualties(injured=count("at least 17 injuries due to falling debris", "at least 17", 17, low=17)),
        damage=[Damage(evidence="Among the damaged were a power transformer", what="power transformer")],
    )
    result = ground(event)
    cleaned = result.event
    evidence = {
        "when": cleaned.when.evidence,
        "places[0]": cleaned.places[0].evidence,
        "casualties.injured": cleaned.casualties.injured.evidence,
        "damage[0]": cleaned.damage[0].evidence,
    }
    for path, quote in evidence.items():
        span = result.spans[path]
        assert normalise(TEXT[span.start : span.end]) == normalise(quote), path
    # the actor was not in its quote, but the article names Russia: its sentence became the evidence
    assert cleaned.actors[0].evidence == TEXT[result.spans["actors[0]"].start : result.spans["actors[0]"].end]
    assert result.grounded == len(result.spans)


def test_numbers_in_title_or_summary_that_the_article_lacks_are_flagged() -> None:
    event = Event(event_type="missile_or_air_strike", title="40 missiles hit Kyiv", summary="17 people were hurt.")
    result = ground(event)
    assert result.event.title == event.title  # free text is flagged, not rewritten
    assert {(n.path, n.code) for n in result.notes} == {("title", "unsupported")}
    assert "40" in result.notes[0].message


def test_cleaned_event_still_validates_and_the_input_is_untouched() -> None:
    casualties = Casualties(
        injured=count("resulted in at least 17 injuries", "at least 17", 17, low=17, qualifier="at_least"),
        children_injured=count("including a child", "a child", 1),
        killed=count("killed 3 people", "3", 3),
    )
    event = make_event(casualties=casualties)
    before = event.model_dump()
    result = ground(event)
    assert event.model_dump() == before
    Event.model_validate(result.event.model_dump())
    assert result.event.casualties.killed is None and problem_paths(result) == ["casualties.killed"]
