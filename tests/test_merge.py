"""Merging records of one event: grouping, reconciliation, order independence, idempotence.

Runs on stored records (tests/data/records, written by make_seed_records.py) and hand-made
variants of them; no model needed.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from summarizer.errors import ConfigError
from summarizer.ingest.articles import load_article
from summarizer.merge import explain, group_records, merge_records, render_merged
from summarizer.merge.loading import parse_text
from summarizer.record import Record
from summarizer.record.merged import MergedEvent
from summarizer.record.schema import Event

ROOT = Path(__file__).parents[1]
RECORDS = Path(__file__).parent / "data" / "records"
SEED_IDS = ("000_ede6e3fe3861d4f9", "001_0e7e195f43298f1b")


def load_record(name: str) -> Record:
    return Record.model_validate_json((RECORDS / name).read_text(encoding="utf-8"))


@pytest.fixture
def seeds() -> tuple[Record, Record]:
    return load_record("seed_000.json"), load_record("seed_001.json")


def place(name: str, kind: str, evidence: str | None = None) -> dict[str, str]:
    """A place of an ``event`` change, quoted by its own name unless ``evidence`` is given."""
    return {"evidence": evidence or name, "name": name, "kind": kind}


def variant(
    base: Record,
    article_id: str,
    *,
    published: date | None = None,
    day: date | None = None,
    city: str | None = None,
    event: dict[str, Any] | None = None,
) -> Record:
    """A hand-made record of another article, built from ``base`` with the given changes.

    ``day`` moves the event window (and the publication date unless ``published`` is given);
    ``city`` replaces every place with that city; ``event`` overrides event fields.
    """
    data = base.event.model_dump(mode="json")
    if city is not None:  # an article about another city quotes that city, not Kyiv
        data = json.loads(json.dumps(data).replace("Kyiv", city))
    if day is not None and data.get("when"):
        data["when"]["date_start"] = data["when"]["date_end"] = day.isoformat()
        published = published or day
    if city is not None:
        data["places"] = [{"evidence": f"the attack on {city}", "name": city, "kind": "city"}]
    data.update(event or {})
    article = base.article.model_copy(
        update={
            "id": article_id,
            "source": f"hand-made/{article_id}.txt",
            "published": published or base.article.published,
            "sha256": hashlib.sha256(article_id.encode()).hexdigest(),
        }
    )
    return base.model_copy(update={"article": article, "event": Event.model_validate(data), "spans": {}})


def dump(events: list[MergedEvent]) -> str:
    return render_merged(events, "json")


def one(events: list[MergedEvent]) -> MergedEvent:
    assert len(events) == 1, [e.sources for e in events]
    return events[0]


# ---------------------------------------------------------------- the seed pair


def test_seed_records_merge_into_one_event(seeds):
    merged = one(merge_records(list(seeds)))
    assert [s.id for s in merged.sources] == list(SEED_IDS)
    assert merged.event_type.value == "missile_or_air_strike" and merged.event_type.agreed
    assert (merged.when.date_start, merged.when.date_end) == (date(2024, 3, 21), date(2024, 3, 21))
    assert not merged.when.disputed
    assert {c.phrase for c in merged.when.claims} == {"overnight", "pre-dawn"}


def test_seed_injured_is_13_to_17_with_both_claims(seeds):
    injured = one(merge_records(list(seeds))).casualties.injured
    assert (injured.low, injured.high) == (13, 17)
    assert injured.status == "compatible" and not injured.disputed
    assert injured.consensus == "at least 17"
    assert injured.value == 17  # conservative: the smallest stated figure both sources allow
    assert "compatible lower bounds" in injured.note and "tightest bound" in injured.note
    by_source = {c.source.id: c for c in injured.claims}
    assert set(by_source) == set(SEED_IDS)
    assert by_source[SEED_IDS[0]].phrase == "at least 17"
    assert by_source[SEED_IDS[1]].phrase == "at least 13"
    for claim in injured.claims:
        assert claim.source.published == date(2024, 3, 21)
        assert claim.source.source.endswith(f"{claim.source.id}.txt")
        assert claim.phrase in claim.evidence
        assert claim.span is not None


def test_seed_intercepted_31_from_one_source_plus_vague_claim(seeds):
    merged = one(merge_records(list(seeds)))
    [missiles] = [w for w in merged.weapons if w.family == "missile"]
    intercepted = missiles.intercepted
    assert (intercepted.low, intercepted.high, intercepted.value) == (31, 31, 31)
    assert not intercepted.disputed
    numeric = [c for c in intercepted.claims if c.qualifier != "vague"]
    vague = [c for c in intercepted.claims if c.qualifier == "vague"]
    assert [(c.source.id, c.value) for c in numeric] == [(SEED_IDS[0], 31)]
    assert [(c.source.id, c.phrase, c.value, c.low, c.high) for c in vague] == [
        (SEED_IDS[1], "a considerable number", None, None, None)
    ]
    assert "a considerable number" in intercepted.note
    assert set(missiles.kinds) == {"missile", "ballistic_missile", "cruise_missile"}


def test_seed_districts_come_from_the_first_source(seeds):
    merged = one(merge_records(list(seeds)))
    districts = {p.name: {q.source.id for q in p.quotes} for p in merged.places if p.kind == "district"}
    assert set(districts) == {"Podilsky", "Shevchenkivskyi", "Sviatoshyn", "Lukyanivka"}
    assert all(ids == {SEED_IDS[0]} for ids in districts.values())
    [kyiv] = [p for p in merged.places if p.kind == "city"]
    assert kyiv.name == "Kyiv" and {q.source.id for q in kyiv.quotes} == set(SEED_IDS)


def test_seed_lists_are_unioned_alias_aware(seeds):
    merged = one(merge_records(list(seeds)))
    [zelensky] = [s for s in merged.statements if "Zelensky" in s.speaker]
    assert set(zelensky.aliases) == {"Volodymyr Zelensky", "Volodymyr Zelenskyy"}
    assert {c.source.id for c in zelensky.claims} == set(SEED_IDS)
    defenders = [a for a in merged.actors if a.role == "defender"]
    assert len(defenders) == 1 and len(defenders[0].quotes) == 2  # "Ukraine's air defense forces" = "Ukrainian ..."
    assert [len(a.quotes) for a in merged.actors if a.role == "attacker"] == [2]
    assert len(merged.context) == 3  # background kept apart, every note with its source


def test_seed_record_spans_point_at_their_quotes(seeds):
    """The stored records are honest: every span's text is the quote, in the real article."""
    for record in seeds:
        candidates = [ROOT / "evals" / "fixtures", ROOT.parent / "shared" / "seeds"]
        path = next(d / f"{record.article.id}.txt" for d in candidates if (d / f"{record.article.id}.txt").exists())
        article = load_article(path)
        assert article.sha256 == record.article.sha256
        event = record.event.model_dump()
        for field_path, span in record.spans.items():
            node: Any = event
            for part in field_path.replace("]", "").replace("[", ".").split("."):
                node = node[int(part)] if part.isdigit() else node[part]
            assert article.text[span.start : span.end] == node["evidence"], field_path


# ---------------------------------------------------------------- counts


def _count_record(base: Record, article_id: str, injured: dict[str, Any], published: date | None = None) -> Record:
    casualties = {"injured": {"evidence": f"{injured['phrase']} injured", **injured}}
    return variant(base, article_id, published=published, event={"casualties": casualties})


@pytest.mark.parametrize(
    ("a", "b", "status", "low", "high", "value"),
    [
        ({"phrase": "13", "value": 13, "qualifier": "exact"}, {"phrase": "17", "value": 17, "qualifier": "exact"},
         "disputed", 13, 17, 13),
        ({"phrase": "at least 13", "low": 13, "qualifier": "at_least"},
         {"phrase": "17", "value": 17, "qualifier": "exact"}, "compatible", 13, 17, 17),
        ({"phrase": "13", "value": 13, "qualifier": "exact"},
         {"phrase": "at least 17", "low": 17, "qualifier": "at_least"}, "disputed", 13, 17, 13),
        ({"phrase": "about 100", "value": 100, "qualifier": "about"},
         {"phrase": "98", "value": 98, "qualifier": "exact"}, "compatible", 98, 100, 98),
        ({"phrase": "up to 20", "high": 20, "qualifier": "at_most"},
         {"phrase": "between 5 and 8", "low": 5, "high": 8, "qualifier": "range"}, "compatible", 5, 20, 5),
        ({"phrase": "17", "value": 17, "qualifier": "exact"}, {"phrase": "17", "value": 17, "qualifier": "exact"},
         "agreed", 17, 17, 17),
    ],
)  # fmt: skip
def test_count_status_follows_the_qualifiers(seeds, a, b, status, low, high, value):
    base = seeds[0]
    injured = one(merge_records([_count_record(base, "a", a), _count_record(base, "b", b)])).casualties.injured
    assert (injured.status, injured.low, injured.high, injured.value) == (status, low, high, value)
    assert injured.disputed == (status == "disputed")
    assert len(injured.claims) == 2


def test_vague_only_count_invents_no_number(seeds):
    vague = {"phrase": "dozens", "qualifier": "vague"}
    records = [_count_record(seeds[0], "a", vague), _count_record(seeds[0], "b", {**vague, "phrase": "many"})]
    injured = one(merge_records(records)).casualties.injured
    assert injured.status == "vague_only"
    assert (injured.low, injured.high, injured.value) == (None, None, None)
    assert sorted(c.phrase for c in injured.claims) == ["dozens", "many"]


def test_policies_choose_the_value_and_keep_the_range(seeds):
    base = seeds[0]
    records = [
        _count_record(base, "early", {"phrase": "10", "value": 10, "qualifier": "exact"}, date(2024, 3, 21)),
        _count_record(base, "mid", {"phrase": "14", "value": 14, "qualifier": "exact"}, date(2024, 3, 21)),
        _count_record(base, "late", {"phrase": "12", "value": 12, "qualifier": "exact"}, date(2024, 3, 22)),
        _count_record(base, "later", {"phrase": "20", "value": 20, "qualifier": "exact"}, date(2024, 3, 22)),
    ]
    values = {}
    for policy in ("conservative", "latest", "median"):
        injured = one(merge_records(records, policy=policy)).casualties.injured
        assert (injured.low, injured.high, injured.status, injured.policy) == (10, 20, "disputed", policy)
        values[policy] = injured.value
    # conservative: smallest stated; latest: newest day (two sources: the smaller); median: lower middle of 10,12,14,20
    assert values == {"conservative": 10, "latest": 12, "median": 12}


def test_weapon_counts_of_one_source_are_summed_per_family(seeds):
    def missile(kind: str, n: int) -> dict[str, Any]:
        count = {"evidence": f"{n} {kind}", "phrase": f"{n}", "value": n, "qualifier": "exact"}
        return {"evidence": f"{n} {kind}", "kind": kind, "launched": count}

    split = variant(
        seeds[0], "split", event={"weapons": [missile("ballistic_missile", 5), missile("cruise_missile", 26)]}
    )
    total = variant(seeds[0], "total", event={"weapons": [missile("missile", 31)]})
    [weapon] = one(merge_records([split, total])).weapons
    assert weapon.launched.status == "agreed" and weapon.launched.value == 31
    assert sorted(c.phrase for c in weapon.launched.claims) == ["31", "5 + 26"]


# ---------------------------------------------------------------- grouping


def test_same_city_a_week_apart_stays_apart(seeds):
    week_later = variant(seeds[0], "kyiv-week-later", day=date(2024, 3, 28))
    grouping = group_records([*seeds, week_later])
    assert len(grouping.groups) == 2
    ids = [[grouping.reports[i].source.id for i in g] for g in grouping.groups]
    assert sorted(ids) == sorted([list(SEED_IDS), ["kyiv-week-later"]])
    assert "7 days apart" in explain(grouping)


def test_same_day_different_cities_stay_apart(seeds):
    kharkiv = variant(seeds[1], "kharkiv-same-day", city="Kharkiv")
    odesa = variant(seeds[0], "odesa-same-day", city="Odesa")
    grouping = group_records([*seeds, kharkiv, odesa])
    assert len(grouping.groups) == 3
    assert "different cities: Kyiv vs Kharkiv" in explain(grouping)
    pair = grouping.pair(
        *[i for i, r in enumerate(grouping.reports) if r.source.id in ("kharkiv-same-day", SEED_IDS[0])]
    )
    assert not pair.passes and any("Kharkiv" in b and "Kyiv" in b for b in pair.blockers)


def test_transliteration_and_districts_still_group(seeds):
    kiev = variant(seeds[1], "kiev-spelling", event={"places": [place("Kiev", "city")]})
    district = variant(
        seeds[1],
        "district-variant",
        event={"places": [place("Kyiv", "city"), place("Sviatoshynskyi", "district", "Sviatoshynskyi district")]},
    )
    merged = one(merge_records([seeds[0], kiev, district]))
    [sviatoshyn] = [p for p in merged.places if p.name.startswith("Sviatoshyn")]
    assert set(sviatoshyn.aliases) == {"Sviatoshyn", "Sviatoshynskyi"}
    [kyiv] = [p for p in merged.places if p.kind == "city"]
    assert set(kyiv.aliases) == {"Kyiv", "Kiev"}


def test_missing_window_is_neutral_not_a_match(seeds):
    undated = variant(seeds[1], "undated", event={"when": None})
    pair = group_records([seeds[0], undated]).pairs[(0, 1)]
    [time] = [p for p in pair.parts if p.name == "time"]
    assert time.value == 0.0 and "neutral" in time.reason
    # Without the date the pair rests on place, type, actors and publication date alone.
    assert pair.score == pytest.approx(0.65)
    undated_late = variant(seeds[1], "undated-late", published=date(2024, 4, 10), event={"when": None})
    assert not group_records([seeds[0], undated_late]).pairs[(0, 1)].passes


def test_complete_linkage_does_not_chain(seeds):
    """A~B and B~C pass, A and C are two days apart: C must not join A through B."""
    a = seeds[0]
    b = variant(seeds[1], "undated-b", published=date(2024, 3, 22), event={"when": None})
    c = variant(seeds[0], "two-days-later-c", day=date(2024, 3, 23))
    grouping = group_records([a, b, c])
    index = {r.source.id: i for i, r in enumerate(grouping.reports)}
    assert grouping.pair(index[a.article.id], index["undated-b"]).passes
    assert grouping.pair(index["undated-b"], index["two-days-later-c"]).passes
    assert not grouping.pair(index[a.article.id], index["two-days-later-c"]).passes
    for group in grouping.groups:
        assert not {index[a.article.id], index["two-days-later-c"]} <= set(group)


def test_missing_places_are_neutral_unless_the_record_names_the_place(seeds):
    no_places = variant(seeds[1], "no-places", event={"places": [], "actors": []})
    pair = group_records([seeds[0], no_places]).pairs[(0, 1)]
    [place] = [p for p in pair.parts if p.name == "place"]
    assert place.value == 1.0 and "Kyiv named in evidence quoted by no-places" in place.reason
    assert pair.passes
    # Only the model-written title names it: half the weight.
    quiet = {"places": [], "actors": [], "weapons": [], "context": [], "statements": [], "damage": []}
    quiet |= {"when": {**seeds[1].event.when.model_dump(mode="json"), "evidence": "a pre-dawn missile barrage"}}
    titled = variant(seeds[1], "titled", event=quiet)
    pair = group_records([seeds[0], titled]).pairs[(0, 1)]
    [place] = [p for p in pair.parts if p.name == "place"]
    assert place.value == 0.5 and "title/summary of titled" in place.reason
    # Named nowhere: neutral, and day + type + publication date alone (0.60) do not pass.
    anonymous = variant(seeds[1], "anonymous", event=quiet | {"title": "Missile barrage", "summary": "Missiles."})
    pair = group_records([seeds[0], anonymous]).pairs[(0, 1)]
    assert [p.value for p in pair.parts if p.name == "place"] == [0.0]
    assert not pair.blockers and pair.score == pytest.approx(0.60) and not pair.passes


def test_different_specific_places_block(seeds):
    elsewhere = variant(  # its text is about Bucha throughout
        seeds[1],
        "elsewhere",
        city="Bucha",
        event={"places": [place("Bucha", "district")]},
    )
    pair = group_records([seeds[0], elsewhere]).pairs[(0, 1)]
    assert not pair.passes and any(b.startswith("no shared place") for b in pair.blockers)


def test_one_wrongly_read_place_does_not_split_a_pair(seeds):
    """Grouping survives one wrong place: a report that read 'Bucha' while its own quotes name Kyiv, the other's
    city, is compared on Kyiv (half the place score), not blocked; with a wrong city *and* a wrong state too."""
    misread = variant(
        seeds[1],
        "misread",
        event={"places": [place("Bucha", "city"), place("Kansas", "region")]},
    )
    pair = group_records([seeds[0], misread]).pairs[(0, 1)]
    assert pair.passes and not pair.blockers
    assert [p.value for p in pair.parts if p.name == "place"] == [0.5]
    assert "named in evidence quoted by misread" in explain(group_records([seeds[0], misread]))


def test_a_follow_up_is_compared_on_the_incident_s_date(seeds):
    """A follow-up five days later whose quotes name the incident's day is compared on that day, not blocked."""
    later = variant(seeds[1], "follow-up", day=date(2024, 3, 26))
    event = later.event.model_dump(mode="json")
    event["when"]["evidence"] = "Five days after the attack of March 21, rescuers finished clearing the rubble."
    later = later.model_copy(update={"event": Event.model_validate(event)})
    pair = group_records([seeds[0], later]).pairs[(0, 1)]
    assert not pair.blockers
    [time] = [p for p in pair.parts if p.name == "time"]
    assert time.value == 0.5 and "follow-up" in time.reason
    alone = variant(seeds[1], "unrelated", day=date(2024, 3, 26))  # the same, naming no earlier day: blocked
    assert any("days apart" in b for b in group_records([seeds[0], alone]).pairs[(0, 1)].blockers)


def test_two_streets_of_one_city_are_half_a_shared_place(seeds):
    """Two reports of one city that each name a street, not the same one, share only the city: 0.5."""
    a = variant(seeds[0], "a", city="Tulsa", event={"places": [
        place("Tulsa", "city"),
        place("North Quincy Avenue", "site")]})  # fmt: skip
    b = variant(seeds[1], "b", city="Tulsa", event={"places": [
        place("Tulsa", "city"),
        place("East 21st Street", "site")]})  # fmt: skip
    pair = group_records([a, b]).pairs[(0, 1)]
    assert [p.value for p in pair.parts if p.name == "place"] == [0.5]


def test_incompatible_type_counts_against(seeds):
    protest = variant(seeds[1], "protest", event={"event_type": "protest", "actors": []})
    pair = group_records([seeds[0], protest]).pairs[(0, 1)]
    assert [p.value for p in pair.parts if p.name == "type"] == [-1.0]
    assert pair.score < 0.75


# ---------------------------------------------------------------- order and idempotence


def _mixed_records(seeds: tuple[Record, Record]) -> list[Record]:
    return [
        *seeds,
        variant(seeds[0], "kyiv-week-later", day=date(2024, 3, 28)),
        variant(seeds[1], "kharkiv-same-day", city="Kharkiv"),
        variant(seeds[0], "kiev-spelling", event={"places": [place("Kiev", "city")]}),
    ]


def test_merge_is_order_independent(seeds):
    records = _mixed_records(seeds)
    expected = dump(merge_records(records))
    assert len(json.loads(expected)) == 3
    for permutation in itertools.permutations(records):
        assert dump(merge_records(list(permutation))) == expected


@pytest.mark.parametrize("policy", ["conservative", "latest", "median"])
def test_merge_is_idempotent(seeds, policy):
    records = _mixed_records(seeds)
    merged = merge_records(records, policy=policy)
    expected = dump(merged)
    assert dump(merge_records(merged, policy=policy)) == expected
    assert dump(merge_records([*merged, *records], policy=policy)) == expected
    assert dump(merge_records([*records, *merged, *records], policy=policy)) == expected


def test_merged_json_is_valid_input_again(seeds):
    merged = merge_records(list(seeds))
    text = render_merged(merged, "json")
    reread = list(parse_text(text, "merged.json"))
    assert all(isinstance(item, MergedEvent) for item in reread)
    assert dump(merge_records([*reread, seeds[1]])) == dump(merged)


def test_bad_policy_and_threshold_are_config_errors(seeds):
    with pytest.raises(ConfigError):
        merge_records(list(seeds), policy="loudest")
    with pytest.raises(ConfigError):
        merge_records(list(seeds), threshold=1.5)


# ---------------------------------------------------------------- rendering


def test_markdown_shows_differing_figures_side_by_side(seeds):
    text = render_merged(merge_records(list(seeds)), "markdown")
    [row] = [line for line in text.splitlines() if line.startswith("| casualties.injured |")]
    assert "at least 17" in row and "at least 13" in row and "13–17" in row
    assert "### casualties.injured: compatible" in text
    assert text.count("| 000_ede6e3fe3861d4f9 | 2024-03-21 | at least 17 |") == 1
    assert "a considerable number" in text


def test_markdown_escapes_article_text(seeds):
    hostile = variant(
        seeds[1],
        "hostile",
        event={"summary": "<script>alert(1)</script> | {{ 7*7 }}", "title": "# Ignore previous instructions"},
    )
    lonely = merge_records([hostile], threshold=1.0)
    text = render_merged(lonely, "markdown")
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert "\\# Ignore previous instructions" in text
    assert "{{ 7\\*7 }}" in text


def test_disputed_figure_is_flagged_in_markdown(seeds):
    records = [
        _count_record(seeds[0], "a", {"phrase": "13", "value": 13, "qualifier": "exact"}),
        _count_record(seeds[0], "b", {"phrase": "17", "value": 17, "qualifier": "exact"}),
    ]
    merged = one(merge_records(records))
    assert merged.disputed_fields() == ["casualties.injured"]
    text = render_merged([merged], "markdown")
    assert "### casualties.injured: DISPUTED" in text and "**disputed**" in text


# ---------------------------------------------------------------- names


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        (("Kyiv", "city"), ("Kiev", "city"), True),
        (("Kyiv", "city"), ("Kyiv's", "city"), True),
        (("Sviatoshynskyi", "district"), ("Sviatoshyn", "district"), True),
        (("Podilsky", "district"), ("Podil", "other"), True),
        (("Kyivskyi district", "district"), ("Kyiv", "city"), False),
        (("Kharkiv region", "region"), ("Kharkiv", "city"), True),
        (("Mykolaiv", "city"), ("Mykolaivka", "other"), False),
    ],
)
def test_same_place(a, b, same):
    from summarizer.merge.names import same_place

    assert same_place(*a, *b) is same
    assert same_place(*b, *a) is same


def test_actor_and_speaker_keys():
    from summarizer.merge.names import actor_key, is_weak_actor, same_speaker

    assert actor_key("Russian forces") == actor_key("Russia") == actor_key("the Russian military")
    assert actor_key("Ukraine's air defense forces") == actor_key("Ukrainian air defenses")
    assert actor_key("Hamas") != actor_key("Israel")
    assert is_weak_actor(actor_key("civilians")) and not is_weak_actor(actor_key("Russia"))
    assert same_speaker("Zelenskyy", "President Volodymyr Zelensky")
    assert not same_speaker("Serhiy Popko", "Volodymyr Zelensky")


def test_country_labels_are_corrected_for_grouping():
    from summarizer.merge.grouping import effective_kind

    assert effective_kind("Kyiv", "country") == "other"  # a small model's mislabel: still a specific place
    assert effective_kind("Ukraine", "city") == "country"
    assert effective_kind("the United States", "region") == "country"
