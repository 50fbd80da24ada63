"""Loading a fixtures folder in the LABELLING.md format; malformed labels name the file and the path."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from summarizer.evals.fixtures import CountLabel, FixtureError, ItemLabel, WindowLabel, load_fixtures

ARTICLE = " date 2024-03-21 Overnight, Russia launched 31 missiles at Kyiv; at least 17 people were injured."


def write_case(folder: Path, name: str, labels: object, article: str | None = ARTICLE, suffix: str = ".txt") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    if article is not None:
        (folder / f"{name}{suffix}").write_text(article, encoding="utf-8")
    path = folder / f"{name}.labels.json"
    path.write_text(json.dumps(labels) if not isinstance(labels, str) else labels, encoding="utf-8")
    return path


def test_loads_cases_with_typed_labels(tmp_path: Path) -> None:
    write_case(
        tmp_path,
        "kyiv",
        {
            "tags": ["missile_strike"],
            "event": "kyiv-2024-03-21",  # other top-level keys belong to the labeller and are ignored
            "evidence": {"casualties.injured": "at least 17 people"},
            "labels": {
                "event_type": "missile_or_air_strike",
                "when": {"start": "2024-03-21", "end": "2024-03-21"},
                "places": [{"name": ["Kyiv", "Kiev"], "kind": "city"}],
                "actors": [{"name": "Russia", "role": "attacker"}],
                "weapons.kinds": ["missile", ["cruise_missile", "ballistic_missile"]],
                "casualties.injured": {"min": 17, "qualifier": "at_least"},
                "casualties.killed": None,
                "damage": None,
            },
        },
    )
    write_case(tmp_path, "b-other", {"labels": {"event_type": "other"}}, article="Something happened.", suffix=".md")
    dataset = load_fixtures(tmp_path)
    assert [case.name for case in dataset.cases] == ["b-other", "kyiv"]
    kyiv = dataset.cases[1]
    assert kyiv.article.published == date(2024, 3, 21)
    assert kyiv.article.text.startswith("Overnight, Russia")
    assert kyiv.tags == ("missile_strike",)
    labels = kyiv.labels
    assert labels["when"] == WindowLabel(date(2024, 3, 21), date(2024, 3, 21))
    assert labels["places"] == [ItemLabel(("Kyiv", "Kiev"), ("city",))]
    assert labels["actors"] == [ItemLabel(("Russia",), ("attacker",))]
    assert labels["weapons.kinds"] == [("missile",), ("cruise_missile", "ballistic_missile")]
    assert labels["casualties.injured"] == CountLabel(min=17, qualifier="at_least")
    assert labels["casualties.killed"] is None
    assert labels["damage"] == []  # null for a list means "states none"
    assert "summary" not in labels  # absent: not scored


def test_explicit_article_name_and_subfolders(tmp_path: Path) -> None:
    (tmp_path / "texts").mkdir()
    (tmp_path / "texts" / "story.txt").write_text("A protest in Paris.", encoding="utf-8")
    write_case(tmp_path / "set", "x", {"article": "../texts/story.txt", "labels": {"event_type": "protest"}}, None)
    [case] = load_fixtures(tmp_path).cases
    assert case.name == "set/x"
    assert case.article.text == "A protest in Paris."


@pytest.mark.parametrize(
    ("labels", "message"),
    [
        ("{not json", "invalid JSON at line 1"),
        ([], "expected a JSON object"),
        ({"label": {}}, "'labels' must be an object"),
        ({"labels": {"casualties.wounded": None}}, "labels.casualties.wounded: unknown field path"),
        ({"labels": {"event_type": "airstrike"}}, "labels.event_type: 'airstrike' is not an event type"),
        ({"labels": {"when": {"start": "21/03/2024"}}}, "labels.when.start: '21/03/2024' is not a YYYY-MM-DD date"),
        ({"labels": {"when": {"start": "2024-03-22", "end": "2024-03-21"}}}, "labels.when: start 2024-03-22 is after"),
        ({"labels": {"casualties.injured": 17}}, "labels.casualties.injured: expected a count"),
        ({"labels": {"casualties.injured": {"value": 3, "min": 2}}}, "labels.casualties.injured: give exactly one"),
        ({"labels": {"casualties.injured": {"min": 5, "max": 2}}}, "min 5 is greater than max 2"),
        ({"labels": {"casualties.injured": {"value": -1}}}, "labels.casualties.injured.value: expected a whole number"),
        ({"labels": {"casualties.injured": {"value": 3, "qualifier": "roughly"}}}, "qualifier: 'roughly' is not one"),
        ({"labels": {"casualties.injured": {"valeu": 3}}}, "unknown key(s) valeu"),
        ({"labels": {"places": {"name": ["Kyiv"]}}}, "labels.places: expected a list"),
        ({"labels": {"places": [{"name": []}]}}, "labels.places[0].name: expected a non-empty list"),
        ({"labels": {"places": [{"name": ["Kyiv"], "kind": "town"}]}}, "labels.places[0].kind: 'town' is not one"),
        ({"labels": {"actors": [{"name": ["X"], "kind": "city"}]}}, "labels.actors[0]: unknown key(s) kind"),
        ({"labels": {"weapons.kinds": [["missile", "laser"]]}}, "labels.weapons.kinds[0]: 'laser' is not one"),
        ({"labels": {"title": 3}}, "labels.title: expected reference text"),
    ],
)
def test_malformed_labels_name_the_file_and_path(tmp_path: Path, labels: object, message: str) -> None:
    path = write_case(tmp_path, "bad", labels)
    with pytest.raises(FixtureError) as error:
        load_fixtures(tmp_path)
    assert str(path) in str(error.value)
    assert message in str(error.value)
    assert error.value.exit_code == 2


def test_missing_or_ambiguous_article(tmp_path: Path) -> None:
    write_case(tmp_path, "lonely", {"labels": {}}, article=None)
    with pytest.raises(FixtureError, match=r"lonely\.labels\.json: no article file lonely\.txt"):
        load_fixtures(tmp_path)
    (tmp_path / "lonely.txt").write_text("one", encoding="utf-8")
    (tmp_path / "lonely.md").write_text("two", encoding="utf-8")
    with pytest.raises(FixtureError, match="several article files match"):
        load_fixtures(tmp_path)


def test_unloadable_article_is_a_fixture_error(tmp_path: Path) -> None:
    write_case(tmp_path, "empty", {"labels": {}}, article="   \n")
    with pytest.raises(FixtureError, match=r"empty\.labels\.json: .*empty"):
        load_fixtures(tmp_path)


def test_empty_or_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(FixtureError, match="no fixtures found"):
        load_fixtures(tmp_path)
    with pytest.raises(FixtureError, match="no such fixtures folder"):
        load_fixtures(tmp_path / "nope")
