"""The hand-labelled fixtures are well formed and true to their articles.

Every labels file in ``evals/fixtures`` follows the format in ``evals/LABELLING.md``; its article
loads with the CLI's loader; every labelled name, place, speaker and damage item has an alias that
occurs in the article, and every labelled count figure is stated in it (as digits or words), so a
typo in a label fails here instead of silently lowering a score. The set as a whole must cover
the kinds of article the eval needs (marked by tags) and the same-event groups the merge needs.

The checks are plain functions returning a list of problems, so ``test_checks_catch_label_typos``
can prove on mutated copies of a real case that they would catch a typo.
"""

from __future__ import annotations

import copy
import json
import re
from collections import Counter, defaultdict
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from summarizer.evals.fixtures import (
    COUNT_FIELDS,
    KNOWN_FIELDS,
    LABELS_SUFFIX,
    LIST_FIELDS,
    QUALIFIERS,
    WEAPON_KINDS,
    parse_labels,
)
from summarizer.ingest.article import Article
from summarizer.ingest.articles import load_article
from summarizer.ingest.streams import SUPPORTED_SUFFIXES
from summarizer.record.schema import EVENT_TYPES, Event
from summarizer.text.normalize import name_key, normalise, numbers_in

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "evals" / "fixtures"
SEEDS = ROOT.parent / "shared" / "seeds"
MIN_CASES = 70
MIN_SHARED_EVENTS = 3
NEARBY_DAYS = 7

TOP_KEYS = {"article", "event", "tags", "notes", "evidence", "labels"}
REQUIRED_TOP_KEYS = {"article", "event", "tags", "notes", "evidence", "labels"}
# The loader's field lists, not copies: labels, loader and scorers share one contract.
COUNT_PATHS = COUNT_FIELDS
LIST_PATHS = LIST_FIELDS  # list path -> (key holding the alias list, optional attribute, its allowed values)
LABEL_PATHS = KNOWN_FIELDS
# the keys a count gives -> the qualifiers that fit that form
COUNT_FORMS: dict[frozenset[str], set[str]] = {
    frozenset({"value"}): {"exact", "about"},
    frozenset({"min"}): {"at_least"},
    frozenset({"max"}): {"at_most"},
    frozenset({"min", "max"}): {"range"},
    frozenset({"vague"}): {"vague"},
}
# words that state a small figure without a digit or number word that numbers_in reads
IMPLIED_FIGURES = {"a": 1, "an": 1, "both": 2, "no": 0, "none": 0}

# The tag vocabulary (documented in evals/LABELLING.md).
EVENT_KIND_TAGS = {
    "missile_strike": "missile_or_air_strike",
    "air_strike": "missile_or_air_strike",
    "drone_strike": "drone_strike",
    "shelling": "shelling",
    "bombing": "bombing",
    "shooting": "shooting",
    "protest": "protest",
    "armed_clash": "armed_clash",
    "stabbing": "stabbing",
    "road_crash": "road_crash",
    "fire": "fire",
    "collapse": "collapse",
    "no_event": "other",
}
ACCIDENT_TYPES = ("road_crash", "fire", "collapse", "other")
# Tags that name no event kind: those the fixture set must cover, then the rest.
REQUIRED_OTHER_TAGS = {
    "accident",
    "no_casualties",
    "several_places",
    "relative_dates",
    "numbers_in_words",
    "ranges",
    "revised_figure",
    "mostly_background",
    "same_event",
    "nearby_different",
}
OTHER_TAGS = REQUIRED_OTHER_TAGS | {
    "vague_figures",
    "disputed_attribution",
    "context_heavy",
    "context_places",
    "seed",
    "format_md",
    "format_html",
    "local_news",
    "dateline",
    "other_incident",
}
KNOWN_TAGS = set(EVENT_KIND_TAGS) | OTHER_TAGS
REQUIRED_TAGS = {"missile_strike", "drone_strike", "shelling", "bombing", "shooting", "protest"} | REQUIRED_OTHER_TAGS
# "ROCKFORD, Ill. (AP) —", "WINNIPEG —" (Canadian Press), "NEW DELHI:" (Indian papers)
DATELINE = re.compile(r"^[A-Z][A-Z .'-]+(?:,[^\n]{0,40}?)?(?:\(\w+\))?\s*(?:[—–-]|:)")
EVENT_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
EVENT_ID_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
SEED_NAME = re.compile(r"^\d{3}_[0-9a-f]{16}\.txt$")
RELATIVE_DAY = re.compile(r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday|yesterday|last|ago)\b")


def schema_bound(field: str) -> int | None:
    """The most items the schema lets a record hold in a list field (a gold list beyond it cannot be matched)."""
    return next((m.max_length for m in Event.model_fields[field].metadata if hasattr(m, "max_length")), None)


# label path -> the Event list field that holds its predictions
LIST_BOUNDS = {path: schema_bound(path) for path in LIST_PATHS} | {"weapons.kinds": schema_bound("weapons")}


def label_files() -> list[Path]:
    return sorted(FIXTURES.glob(f"*{LABELS_SUFFIX}"))


def case_name(path: Path) -> str:
    return path.name[: -len(LABELS_SUFFIX)]


def load_case(path: Path) -> tuple[dict[str, Any], Article]:
    raw = json.loads(path.read_text(encoding="utf-8"))
    return raw, load_article(path.parent / raw["article"])


def all_cases() -> list[tuple[str, dict[str, Any], Article]]:
    return [(case_name(path), *load_case(path)) for path in label_files()]


# ---------------------------------------------------------------- small helpers


def is_count_number(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def figures(count: dict[str, Any]) -> list[int]:
    return [count[key] for key in ("value", "min", "max") if is_count_number(count.get(key))]


def floor_of(count: Any) -> int | None:
    if not isinstance(count, dict):
        return None
    return next((count[k] for k in ("value", "min") if is_count_number(count.get(k))), None)


def ceiling_of(count: Any) -> int | None:
    if not isinstance(count, dict):
        return None
    return next((count[k] for k in ("value", "max") if is_count_number(count.get(k))), None)


def stated_numbers(phrase: str) -> set[int]:
    """Numbers a phrase states, including 'a'/'both'/'no' and both ends of 'X and Y' / 'X to Y'.

    The parts are read separately because numbers_in reads 'sixteen and eighteen' as one number.
    """
    found = set(numbers_in(phrase))
    for part in re.split(r"\b(?:and|to|or)\b", normalise(phrase)):
        found |= numbers_in(part)
    words = set(re.findall(r"[a-z]+", normalise(phrase)))
    found |= {figure for word, figure in IMPLIED_FIGURES.items() if word in words}
    return found


def occurs(phrase: str, article: Article) -> bool:
    """The phrase is in the article, as words (normalised) or as a name (name_key: Kiev == Kyiv)."""
    text = normalise(article.text)
    wanted = normalise(phrase)
    if wanted and re.search(rf"(?<!\w){re.escape(wanted)}(?!\w)", text):
        return True
    key = name_key(phrase)
    return bool(key) and f" {key} " in f" {name_key(article.text)} "


def parse_day(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else None
    except ValueError:
        return None


def window(labels: dict[str, Any]) -> tuple[date, date] | None:
    when = labels.get("when")
    if not isinstance(when, dict):
        return None
    start, end = parse_day(when.get("start")), parse_day(when.get("end"))
    return (start, end) if start and end else None


# ---------------------------------------------------------------- the checks


def shape_problems(raw: Any, published: date | None) -> list[str]:
    """The labels file has the documented shape: known keys, enum values, count forms, dates."""
    if not isinstance(raw, dict):
        return ["the labels file is not a JSON object"]
    problems = [f"unknown top-level key {key!r}" for key in sorted(set(raw) - TOP_KEYS)]
    problems += [f"missing top-level key {key!r}" for key in sorted(REQUIRED_TOP_KEYS - set(raw))]
    event = raw.get("event")
    if not isinstance(event, str) or not EVENT_ID.match(event) or not EVENT_ID_DATE.search(event):
        problems.append(f"event {event!r} is not a lower-case id with a date, like 'kyiv-2024-03-21-missiles'")
    tags = raw.get("tags")
    if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
        problems.append("tags must be a list of strings")
    else:
        problems += [f"unknown tag {tag!r}" for tag in tags if tag not in KNOWN_TAGS]
        problems += [f"tag {tag!r} given twice" for tag, n in Counter(tags).items() if n > 1]
    if not isinstance(raw.get("notes"), str):
        problems.append("notes must be a string")
    labels = raw.get("labels")
    if not isinstance(labels, dict):
        return [*problems, "labels must be an object of field path -> label"]
    problems += [f"unknown label path {path!r}" for path in sorted(set(labels) - set(LABEL_PATHS))]
    problems += [f"label path {path!r} is missing (give null or [])" for path in LABEL_PATHS if path not in labels]
    if labels.get("event_type") not in EVENT_TYPES:
        problems.append(f"event_type {labels.get('event_type')!r} is not one of {', '.join(EVENT_TYPES)}")
    for path in ("title", "summary"):
        if not isinstance(labels.get(path), str) or not labels[path].strip():
            problems.append(f"{path} must be reference text")
    problems += when_problems(labels.get("when"), published)
    for path, (key, attr, allowed) in LIST_PATHS.items():
        problems += list_problems(path, labels.get(path), key, attr, allowed)
    problems += kinds_problems(labels.get("weapons.kinds"))
    for path, bound in LIST_BOUNDS.items():
        items = labels.get(path)
        if bound is not None and isinstance(items, list) and len(items) > bound:
            problems.append(f"{path} has {len(items)} items; a record holds at most {bound}")
    for path in COUNT_PATHS:
        problems += count_problems(path, labels.get(path))
    problems += consistency_problems(labels)
    problems += evidence_shape_problems(raw.get("evidence"), labels)
    return problems


def when_problems(when: Any, published: date | None) -> list[str]:
    if when is None:
        return []
    if not isinstance(when, dict) or set(when) != {"start", "end"}:
        return ['when must be {"start": "YYYY-MM-DD", "end": "YYYY-MM-DD"} or null']
    start, end = parse_day(when["start"]), parse_day(when["end"])
    if start is None or end is None:
        return [f"when has a date that is not YYYY-MM-DD: {when}"]
    problems = []
    if start > end:
        problems.append(f"when starts ({start}) after it ends ({end})")
    if published is not None and end > published + timedelta(days=1):
        problems.append(f"when ends ({end}) more than a day after publication ({published})")
    return problems


def list_problems(path: str, items: Any, key: str, attr: str | None, allowed: tuple[str, ...]) -> list[str]:
    if not isinstance(items, list):
        return [f"{path} must be a list ([] when the article states none)"]
    problems = []
    for index, item in enumerate(items):
        at = f"{path}[{index}]"
        if not isinstance(item, dict):
            problems.append(f"{at} must be an object with {key!r}")
            continue
        problems += [f"{at} has unknown key {k!r}" for k in sorted(set(item) - {key, *([attr] if attr else [])})]
        aliases = item.get(key)
        if not isinstance(aliases, list) or not aliases or not all(isinstance(a, str) and a.strip() for a in aliases):
            problems.append(f"{at}.{key} must be a non-empty list of aliases")
        if attr and attr in item:
            options = item[attr] if isinstance(item[attr], list) else [item[attr]]
            bad = [option for option in options if option not in allowed]
            problems += [f"{at}.{attr} {option!r} is not one of {', '.join(allowed)}" for option in bad]
    return problems


def kinds_problems(kinds: Any) -> list[str]:
    if not isinstance(kinds, list):
        return ["weapons.kinds must be a list ([] when no weapon is stated)"]
    problems = []
    for index, item in enumerate(kinds):
        options = [item] if isinstance(item, str) else item
        if not isinstance(options, list) or not options:
            problems.append(f"weapons.kinds[{index}] must be a kind or a non-empty list of kinds")
            continue
        problems += [f"weapons.kinds[{index}]: {o!r} is not a weapon kind" for o in options if o not in WEAPON_KINDS]
    return problems


def count_problems(path: str, count: Any) -> list[str]:
    if count is None:
        return []
    if not isinstance(count, dict):
        return [f"{path} must be a count object or null"]
    numbers = {key for key in ("value", "min", "max") if key in count}
    form = frozenset(numbers | ({"vague"} if "vague" in count else set()))
    problems = [f"{path} has unknown key {key!r}" for key in sorted(set(count) - {*form, "qualifier"})]
    if form not in COUNT_FORMS:
        return [*problems, f"{path}: give exactly one of value / min / max / min+max / vague, got {sorted(form)}"]
    problems += [f"{path}.{key} must be a whole number >= 0" for key in numbers if not is_count_number(count[key])]
    if "vague" in count and count["vague"] is not True:
        problems.append(f"{path}.vague must be true")
    if not problems and {"min", "max"} <= numbers and count["min"] > count["max"]:
        problems.append(f"{path}: min {count['min']} is above max {count['max']}")
    qualifier = count.get("qualifier")
    if qualifier not in QUALIFIERS:
        problems.append(f"{path}.qualifier {qualifier!r} is not one of {', '.join(QUALIFIERS)}")
    elif qualifier not in COUNT_FORMS[form]:
        problems.append(f"{path}: qualifier {qualifier!r} does not fit a {'+'.join(sorted(form))} count")
    return problems


def consistency_problems(labels: dict[str, Any]) -> list[str]:
    """Parts within wholes (children within the total, intercepted within launched); no weapon, no launch."""
    problems = []
    for part, whole in (
        ("casualties.children_killed", "casualties.killed"),
        ("casualties.children_injured", "casualties.injured"),
        ("weapons.intercepted", "weapons.launched"),
    ):
        low, high = floor_of(labels.get(part)), ceiling_of(labels.get(whole))
        if low is not None and high is not None and low > high:
            problems.append(f"{part} ({low}) is more than {whole} ({high})")
    if labels.get("weapons.kinds") == []:
        for path in ("weapons.launched", "weapons.intercepted"):
            if labels.get(path) is not None:
                problems.append(f"{path} is labelled but weapons.kinds is []")
    return problems


def evidence_shape_problems(evidence: Any, labels: dict[str, Any]) -> list[str]:
    """Every stated count and the time window carry a verbatim phrase; no phrase for an empty label."""
    if not isinstance(evidence, dict):
        return ["evidence must be an object of label path -> verbatim phrase"]
    problems = []
    for path, phrase in evidence.items():
        if path not in (*COUNT_PATHS, "when"):
            problems.append(f"evidence for {path!r}: only counts and 'when' take evidence")
        elif labels.get(path) is None:
            problems.append(f"evidence for {path!r}, which is labelled null")
        if not isinstance(phrase, str) or not phrase.strip():
            problems.append(f"evidence for {path!r} must be a verbatim phrase")
    for path in (*COUNT_PATHS, "when"):
        if labels.get(path) is not None and path not in evidence:
            problems.append(f"{path} is labelled but has no evidence phrase")
    return problems


def grounding_problems(raw: dict[str, Any], article: Article) -> list[str]:
    """Every alias list, evidence phrase and count figure can be found in the article text."""
    labels, evidence = raw["labels"], raw.get("evidence", {})
    problems = []
    for path, (key, _attr, _allowed) in LIST_PATHS.items():
        for index, item in enumerate(labels.get(path) or []):
            aliases = item.get(key) or []
            if not any(occurs(alias, article) for alias in aliases):
                problems.append(f"{path}[{index}]: no alias of {aliases} occurs in the article")
    for path, phrase in evidence.items():
        if isinstance(phrase, str) and not occurs(phrase, article):
            problems.append(f"evidence for {path}: {phrase!r} is not in the article")
    article_numbers = numbers_in(article.text)
    for path in COUNT_PATHS:
        count = labels.get(path)
        if not isinstance(count, dict):
            continue
        phrase = evidence.get(path, "")
        in_phrase = stated_numbers(phrase) if isinstance(phrase, str) else set()
        for figure in figures(count):
            if figure not in article_numbers and figure not in in_phrase:
                problems.append(f"{path}: {figure} is not stated in the article (as digits or words)")
            elif phrase and figure not in in_phrase:
                problems.append(f"{path}: {figure} is not stated by its evidence {phrase!r}")
    return problems


def tag_problems(raw: dict[str, Any], article: Article) -> list[str]:
    """Each tag that can be checked against the labels agrees with them."""
    labels, tags = raw["labels"], set(raw.get("tags", []))
    evidence = raw.get("evidence", {})
    counts = {path: labels.get(path) for path in COUNT_PATHS if isinstance(labels.get(path), dict)}
    problems = [
        f"tag {tag!r} needs event_type {wanted!r}, labelled {labels.get('event_type')!r}"
        for tag, wanted in EVENT_KIND_TAGS.items()
        if tag in tags and labels.get("event_type") != wanted
    ]
    checks: dict[str, tuple[bool, str]] = {
        "accident": (
            labels.get("weapons.kinds") == [] and labels.get("event_type") in ACCIDENT_TYPES,
            f"an accident has no weapons and an event_type in {ACCIDENT_TYPES}",
        ),
        "no_event": (
            all(labels.get(p) is None for p in COUNT_PATHS) and labels.get("weapons.kinds") == [],
            "an article with no violent event has no counts and no weapons",
        ),
        "dateline": (bool(DATELINE.match(article.text)), "needs a dateline ('CITY, State (AP) —') at the start"),
        "no_casualties": (
            all(labels.get(p) is None or labels[p] == {"value": 0, "qualifier": "exact"} for p in COUNT_PATHS[:2]),
            "killed and injured must be null or a stated zero",
        ),
        "several_places": (
            sum(1 for p in labels.get("places", []) if p.get("kind") in ("city", "region")) >= 3,
            "needs at least three cities or regions",
        ),
        "relative_dates": (
            bool(RELATIVE_DAY.search(normalise(evidence.get("when", ""))))
            and (w := window(labels)) is not None
            and article.published is not None
            and w[0] < article.published,
            "needs a relative 'when' phrase (a weekday, 'yesterday', 'last', 'ago') resolved before publication",
        ),
        "numbers_in_words": (
            any(
                not re.search(r"\d", evidence.get(path, "")) and numbers_in(evidence.get(path, ""))
                for path in counts
                if figures(counts[path])
            ),
            "needs a count whose evidence states its figure in words",
        ),
        "ranges": (any({"min", "max"} <= set(c) for c in counts.values()), "needs a min+max count"),
        "revised_figure": ("revis" in raw.get("notes", "").lower(), "the notes must say what was revised"),
        "vague_figures": (any(c.get("vague") for c in counts.values()), "needs a vague count"),
        "disputed_attribution": (
            any("role" not in actor for actor in labels.get("actors", [])),
            "needs an actor listed without a role",
        ),
        "seed": (bool(SEED_NAME.match(raw.get("article", ""))), "a seed keeps its original file name"),
        "format_md": (raw.get("article", "").endswith(".md"), "needs a .md article"),
        "format_html": (raw.get("article", "").endswith(".html"), "needs a .html article"),
    }
    problems += [f"tag {tag!r}: {why}" for tag, (ok, why) in checks.items() if tag in tags and not ok]
    return problems


def event_id_problems(raw: dict[str, Any]) -> list[str]:
    """The date in the event id lies in the labelled window (ids name the real event's day)."""
    match = EVENT_ID_DATE.search(raw.get("event", ""))
    w = window(raw["labels"])
    day = parse_day(match.group()) if match else None
    if day is None or w is None or w[0] <= day <= w[1]:
        return []
    return [f"event id date {day} is outside the labelled window {w[0]}..{w[1]}"]


def case_problems(raw: dict[str, Any], article: Article) -> list[str]:
    problems = shape_problems(raw, article.published)
    if problems:
        return problems
    return grounding_problems(raw, article) + tag_problems(raw, article) + event_id_problems(raw)


# ---------------------------------------------------------------- tests over every case

CASES = label_files()


def test_there_are_enough_cases() -> None:
    assert len(CASES) >= MIN_CASES, f"{len(CASES)} cases in {FIXTURES}, want at least {MIN_CASES}"


def test_every_article_has_labels_and_every_labels_file_an_article() -> None:
    labelled = set()
    for path in CASES:
        raw = json.loads(path.read_text(encoding="utf-8"))
        article = path.parent / raw.get("article", "")
        assert article.is_file(), f"{path.name}: article {article.name} is missing"
        labelled.add(article.name)
    articles = {
        p.name for p in FIXTURES.iterdir() if p.suffix.lower() in SUPPORTED_SUFFIXES and not p.name.endswith(".json")
    }
    assert articles - labelled == set(), "article files without labels"


@pytest.mark.parametrize("path", CASES, ids=case_name)
def test_case_is_well_formed_and_true_to_its_article(path: Path) -> None:
    raw, article = load_case(path)
    assert article.published is not None, "fixtures state their publication date"
    assert 150 <= len(article.text.split()) <= 450, f"{len(article.text.split())} words, want 150-450"
    problems = case_problems(raw, article)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", CASES, ids=case_name)
def test_labels_parse_with_the_scorers_loader(path: Path) -> None:
    """The labels object is what summarizer.evals.fixtures (the scorers' side of the contract) reads."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    parse_labels(raw["labels"], str(path))


# ---------------------------------------------------------------- tests over the set


def test_the_required_kinds_of_article_are_covered() -> None:
    present = {tag for _name, raw, _article in all_cases() for tag in raw["tags"]}
    assert REQUIRED_TAGS - present == set()


def test_same_event_groups_exist_and_are_tagged() -> None:
    cases = all_cases()
    members: dict[str, list[str]] = defaultdict(list)
    for name, raw, _article in cases:
        members[raw["event"]].append(name)
    shared = {event for event, names in members.items() if len(names) >= 2}
    assert len(shared) >= MIN_SHARED_EVENTS, f"shared event ids: {sorted(shared)}"
    for name, raw, _article in cases:
        assert ("same_event" in raw["tags"]) == (raw["event"] in shared), f"{name}: same_event tag vs event id"


def test_nearby_but_different_events_have_a_near_neighbour() -> None:
    """Each 'nearby_different' case has another event within a week that shares a place or its day."""
    cases = all_cases()

    def places(raw: dict[str, Any]) -> set[str]:
        return {name_key(alias) for item in raw["labels"]["places"] for alias in item["name"]}

    for name, raw, _article in cases:
        if "nearby_different" not in raw["tags"]:
            continue
        start, _end = window(raw["labels"]) or pytest.fail(f"{name}: no window")
        neighbours = [
            other
            for other_name, other, _a in cases
            if other["event"] != raw["event"]
            and (w := window(other["labels"])) is not None
            and abs((w[0] - start).days) <= NEARBY_DAYS
            and (w[0] == start or places(other) & places(raw))
        ]
        assert neighbours, f"{name}: no other event within {NEARBY_DAYS} days sharing a place or the same day"


def test_seed_fixtures_are_verbatim_copies_of_the_seeds() -> None:
    seeds = sorted(SEEDS.glob("*.txt")) if SEEDS.is_dir() else []
    if not seeds:
        pytest.skip(f"no seed folder at {SEEDS}")
    for seed in seeds:
        assert (FIXTURES / seed.name).read_bytes() == seed.read_bytes(), seed.name


# ---------------------------------------------------------------- the checks catch typos


def mutate(raw: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of the case with one label (or 'evidence.PATH' / a top-level key) replaced."""
    changed = copy.deepcopy(raw)
    if path.startswith("evidence."):
        changed["evidence"][path.removeprefix("evidence.")] = value
    elif path in TOP_KEYS:
        changed[path] = value
    else:
        changed["labels"][path] = value
    return changed


SEED_CASE = "000_ede6e3fe3861d4f9"
# what is changed -> (label path, new value, a fragment of the problem that must be reported)
TYPOS: dict[str, tuple[str, Any, str]] = {
    "a misspelt place": ("places", [{"name": ["Sviatoshin district"], "kind": "district"}], "no alias"),
    "a misspelt speaker": ("statements", [{"speaker": ["Serhiy Popkov"]}], "no alias"),
    "a misspelt damage item": ("damage", [{"what": ["power transfomer"]}], "no alias"),
    "a figure not in the article": ("casualties.injured", {"min": 71, "qualifier": "at_least"}, "not stated in the"),
    "a figure its evidence does not state": ("weapons.intercepted", {"value": 3, "qualifier": "exact"}, "evidence"),
    "evidence not in the article": ("evidence.casualties.injured", "at least 71 injuries", "not in the article"),
    "an unknown label path": ("casualties.wounded", None, "unknown label path"),
    "an unknown enum value": ("event_type", "missile_strike", "event_type"),
    "an unknown place kind": ("places", [{"name": ["Kyiv"], "kind": "town"}], "'town' is not one of"),
    "a qualifier that does not fit": ("casualties.injured", {"min": 17, "qualifier": "exact"}, "does not fit"),
    "a window ending after publication": ("when", {"start": "2024-03-21", "end": "2024-03-24"}, "after publication"),
    "a reversed window": ("when", {"start": "2024-03-21", "end": "2024-03-20"}, "after it ends"),
    "a non-ISO date": ("when", {"start": "21/03/2024", "end": "2024-03-21"}, "not YYYY-MM-DD"),
    "an unknown tag": ("tags", ["seed", "missile_strke"], "unknown tag"),
    "a tag the labels contradict": ("tags", ["seed", "missile_strike", "same_event", "no_casualties"], "no_casualties"),
    "more intercepted than launched": ("weapons.launched", {"value": 17, "qualifier": "exact"}, "is more than"),
    "a count as a bare number": ("casualties.injured", 17, "count object"),
    "missing evidence phrases": ("evidence", {}, "no evidence phrase"),
    "more places than a record holds": ("places", [{"name": ["Kyiv"], "kind": "city"}] * 20, "at most"),
}


@pytest.mark.parametrize("typo", sorted(TYPOS))
def test_checks_catch_label_typos(typo: str) -> None:
    raw, article = load_case(FIXTURES / f"{SEED_CASE}{LABELS_SUFFIX}")
    assert case_problems(raw, article) == [], "the unmodified case must pass"
    path, value, expected = TYPOS[typo]
    problems = case_problems(mutate(raw, path, value), article)
    assert any(expected in problem for problem in problems), f"{typo} was not caught: {problems}"
