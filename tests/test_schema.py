"""Schema and record invariants: what the validators accept and what they refuse."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from summarizer.record import ArticleMeta, Record, unmodelled_provenance
from summarizer.record.schema import (
    EVENT_TYPES,
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


def count(**fields: Any) -> dict[str, Any]:
    return {"evidence": "at least 17 people were injured", "phrase": "at least 17", "qualifier": "exact", **fields}


def event(**fields: Any) -> dict[str, Any]:
    return {"event_type": "missile_or_air_strike", "title": "Strike", "summary": "A strike.", **fields}


# ---------------------------------------------------------------- counts


@pytest.mark.parametrize(
    "fields",
    [
        {"value": 17},
        {"value": 17, "low": 17, "qualifier": "at_least"},
        {"low": 16, "high": 18, "qualifier": "range"},
        {"value": 17, "low": 16, "high": 18, "qualifier": "range"},
        {"value": 0},
        {"qualifier": "vague", "phrase": "a considerable number"},
        {"qualifier": "vague", "low": 2},
    ],
)
def test_valid_counts(fields: dict[str, Any]) -> None:
    Count.model_validate(count(**fields))


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"low": 18, "high": 16}, "low (18) is greater than high (16)"),
        ({"value": 15, "low": 16}, "value (15) is below low (16)"),
        ({"value": 19, "high": 18}, "value (19) is above high (18)"),
        ({"value": 5, "qualifier": "vague"}, "a vague count has no value"),
        ({"value": -1}, "greater than or equal to 0"),
        ({"qualifier": "roughly"}, "qualifier"),
        ({"value": 3, "source": "x"}, "Extra inputs are not permitted"),
    ],
)
def test_invalid_counts(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(message)):
        Count.model_validate(count(**fields))


def test_count_requires_evidence_phrase_and_qualifier() -> None:
    with pytest.raises(ValidationError) as raised:
        Count.model_validate({"value": 3})
    missing = {error["loc"][0] for error in raised.value.errors() if error["type"] == "missing"}
    assert missing == {"evidence", "phrase", "qualifier"}


@pytest.mark.parametrize(
    ("fields", "floor"), [({"value": 7, "low": 5}, 7), ({"low": 5, "qualifier": "at_least"}, 5), ({}, None)]
)
def test_floor(fields: dict[str, Any], floor: int | None) -> None:
    assert Count.model_validate(count(**fields)).floor() == floor


# ---------------------------------------------------------------- weapons and casualties


def weapon(launched: dict[str, Any] | None, intercepted: dict[str, Any] | None) -> dict[str, Any]:
    return {"evidence": "31 missiles", "kind": "missile", "launched": launched, "intercepted": intercepted}


@pytest.mark.parametrize(
    ("launched", "intercepted"),
    [
        (count(value=31), count(value=31)),
        (count(value=31), count(value=29)),
        (count(low=30, high=40, qualifier="range"), count(value=35)),
        (count(qualifier="vague"), count(value=100)),  # no launched figure: nothing to compare
        (None, count(value=5)),
        (count(value=5), None),
    ],
)
def test_intercepted_within_launched(launched: dict | None, intercepted: dict | None) -> None:
    Weapon.model_validate(weapon(launched, intercepted))


@pytest.mark.parametrize(
    ("launched", "intercepted"),
    [
        (count(value=31), count(value=32)),
        (count(low=30, high=40, qualifier="range"), count(value=41)),
        (count(value=10), count(low=11, qualifier="at_least")),
    ],
)
def test_intercepted_above_launched_is_refused(launched: dict, intercepted: dict) -> None:
    with pytest.raises(ValidationError, match=r"intercepted \(\d+\) exceeds (the most )?launched \(\d+\)"):
        Weapon.model_validate(weapon(launched, intercepted))


@pytest.mark.parametrize(
    ("launched", "intercepted", "message"),
    [
        (count(low=30, high=40, qualifier="range"), count(value=41), "intercepted (41) exceeds the most launched (40)"),
        (count(value=31), count(value=32), "intercepted (32) exceeds launched (31)"),
        (count(value=10), count(low=11, qualifier="at_least"), "intercepted (11) exceeds launched (10)"),
        (count(high=38, qualifier="at_most"), count(value=39), "intercepted (39) exceeds the most launched (38)"),
    ],
)
def test_intercepted_above_launched_names_the_bound_it_broke(launched: dict, intercepted: dict, message: str) -> None:
    # The message goes back to the model in the re-ask: it must name the bound that was broken, not the low end.
    with pytest.raises(ValidationError) as info:
        Weapon.model_validate(weapon(launched, intercepted))
    assert message in str(info.value)


@pytest.mark.parametrize(
    "launched",
    [count(value=30, low=30, qualifier="at_least"), count(value=30, qualifier="about"), count(qualifier="vague")],
)
def test_a_launched_count_without_an_upper_bound_allows_more_intercepted(launched: dict) -> None:
    """'At least 30 launched, 32 shot down' is consistent: only a stated upper bound limits intercepted."""
    Weapon.model_validate(weapon(launched, count(value=32)))


@pytest.mark.parametrize("field", ["killed", "injured"])
def test_children_within_total(field: str) -> None:
    Casualties.model_validate({field: count(value=17), f"children_{field}": count(value=1)})
    Casualties.model_validate({field: count(value=17), f"children_{field}": count(value=17)})
    Casualties.model_validate({f"children_{field}": count(value=3)})  # total unknown
    with pytest.raises(ValidationError, match=f"children {field} \\(18\\) exceed the total {field} \\(17\\)"):
        Casualties.model_validate({field: count(value=17), f"children_{field}": count(value=18)})
    with pytest.raises(ValidationError, match=f"children {field}"):
        Casualties.model_validate(
            {field: count(low=1, high=4, qualifier="range"), f"children_{field}": count(low=5, qualifier="at_least")}
        )


# ---------------------------------------------------------------- time window and event


def test_time_window_order() -> None:
    TimeWindow(evidence="overnight", phrase="overnight", date_start=date(2024, 3, 21), date_end=date(2024, 3, 21))
    TimeWindow(evidence="last week", phrase="last week", date_start=date(2024, 3, 11), date_end=date(2024, 3, 17))
    with pytest.raises(ValidationError, match=r"date_start .* is after date_end"):
        TimeWindow(evidence="x", phrase="x", date_start=date(2024, 3, 22), date_end=date(2024, 3, 21))


def test_minimal_event_has_nulls_and_empty_lists() -> None:
    parsed = Event.model_validate(event())
    assert parsed.when is None and parsed.casualties is None
    assert parsed.places == parsed.actors == parsed.weapons == parsed.damage == [] == parsed.statements
    assert parsed.context == []


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_every_listed_event_type_is_accepted(event_type: str) -> None:
    assert Event.model_validate(event(event_type=event_type)).event_type == event_type


@pytest.mark.parametrize("event_type", ["airstrike", "Missile strike", "", "massacre"])
def test_event_type_is_a_closed_list(event_type: str) -> None:
    with pytest.raises(ValidationError, match="event_type"):
        Event.model_validate(event(event_type=event_type))


@pytest.mark.parametrize(
    "extra",
    [
        {"confidence": 0.9},
        {"places": [{"evidence": "Kyiv", "name": "Kyiv", "kind": "city", "country": "Ukraine"}]},
        {"casualties": {"killed": None, "missing": None}},
        {"when": {"evidence": "x", "phrase": "x", "timezone": "UTC"}},
    ],
)
def test_extra_fields_are_forbidden_at_every_level(extra: dict[str, Any]) -> None:
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        Event.model_validate(event(**extra))


def test_list_bounds() -> None:
    place = {"evidence": "Kyiv", "name": "Kyiv", "kind": "city"}
    with pytest.raises(ValidationError, match="places"):
        Event.model_validate(event(places=[place] * 50))


def test_nested_invariants_surface_through_event() -> None:
    with pytest.raises(ValidationError, match="low \\(5\\) is greater than high \\(2\\)"):
        Event.model_validate(event(casualties={"injured": count(low=5, high=2, qualifier="range")}))


def test_main_place() -> None:
    parsed = Event.model_validate(
        event(
            places=[
                {"evidence": "Ukraine", "name": "Ukraine", "kind": "country"},
                {"evidence": "Kyiv", "name": "Kyiv", "kind": "city"},
                {"evidence": "Lviv", "name": "Lviv", "kind": "city"},
            ]
        )
    )
    assert parsed.main_place().name == "Kyiv"
    assert parsed.main_place("country").name == "Ukraine"
    assert parsed.main_place("site") is None


def test_json_schema_roundtrip() -> None:
    """The JSON schema forbids extra fields on every model, not only the event, and a full event survives
    JSON both ways unchanged."""
    schema = Event.model_json_schema()
    models = {"Event": schema, **schema["$defs"]}
    nested = ("Actor", "Casualties", "ContextNote", "Count", "Damage", "Place", "Statement", "TimeWindow", "Weapon")
    assert sorted(models) == sorted(["Event", *nested])
    assert [name for name, model in models.items() if model.get("additionalProperties") is not False] == []
    assert set(schema["properties"]["event_type"]["enum"]) == set(EVENT_TYPES)
    full = Event.model_validate(
        event(
            when={"evidence": "overnight", "phrase": "overnight", "date_start": "2024-03-21", "precision": "day"},
            places=[{"name": "Kyiv", "kind": "city", "evidence": "in Kyiv"}],
            actors=[{"name": "Russia", "role": "attacker", "evidence": "Russia fired"}],
            weapons=[{"evidence": "31 missiles", "kind": "missile", "launched": count(value=31)}],
            casualties={"injured": count(low=17, qualifier="at_least")},
            damage=[{"evidence": "a transformer was damaged", "what": "transformer"}],
            statements=[{"evidence": "he said", "speaker": "Klitschko", "gist": "Help is on the way."}],
            context=[{"evidence": "last week", "note": "An earlier visit."}],
        )
    )
    assert Event.model_validate_json(full.model_dump_json()) == full
    assert Event.model_validate(full.model_dump(mode="json")) == full


@pytest.mark.parametrize(
    ("model", "order"),
    [
        (Count, ["evidence", "phrase"]),
        (TimeWindow, ["evidence", "phrase"]),
        (Weapon, ["evidence", "kind"]),
        (Damage, ["evidence", "what"]),
        (Statement, ["evidence", "speaker"]),
        (ContextNote, ["evidence", "note"]),
        (Place, ["name", "kind", "evidence"]),
        (Actor, ["name", "role", "evidence"]),
    ],
)
def test_field_order_is_the_one_the_schema_docstring_states(model: type[BaseModel], order: list[str]) -> None:
    """The model writes fields in schema order: the quote first where the value is read out of it; places and
    actors name first, evidence last."""
    assert list(model.model_fields)[: len(order)] == order


# ---------------------------------------------------------------- record


def record(published: date | None, start: date | None, end: date | None) -> dict[str, Any]:
    return {
        "article": ArticleMeta(id="a", source="a.txt", published=published, sha256="0" * 64, chars=10).model_dump(),
        "event": event(when={"evidence": "x", "phrase": "x", "date_start": start, "date_end": end}),
        "provenance": unmodelled_provenance("fake").model_dump(),
    }


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (date(2024, 3, 21), date(2024, 3, 21)),
        (date(2024, 3, 20), date(2024, 3, 22)),  # publication + 1 day (time zones)
        (date(2023, 1, 1), None),
        (None, None),
    ],
)
def test_record_accepts_events_up_to_a_day_after_publication(start: date | None, end: date | None) -> None:
    Record.model_validate(record(date(2024, 3, 21), start, end))


@pytest.mark.parametrize(
    ("start", "end", "label"),
    [
        (date(2024, 3, 23), date(2024, 3, 23), "date_start"),
        (date(2024, 3, 21), date(2024, 3, 23), "date_end"),
        (None, date(2024, 4, 1), "date_end"),
    ],
)
def test_record_rejects_an_event_after_publication(start: date | None, end: date, label: str) -> None:
    with pytest.raises(ValidationError, match=f"{label} .* is after the publication date 2024-03-21"):
        Record.model_validate(record(date(2024, 3, 21), start, end))


def test_record_without_publication_date_takes_any_date() -> None:
    Record.model_validate(record(None, date(2030, 1, 1), date(2030, 1, 2)))


def test_record_forbids_extra_fields() -> None:
    with pytest.raises(ValidationError, match="Extra inputs"):
        Record.model_validate({**record(None, None, None), "api_key": "sk-x"})
