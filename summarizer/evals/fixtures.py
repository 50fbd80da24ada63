"""Load a fixtures folder: one case = an article (same loader as the CLI) + its hand labels.

The labels format is the contract in ``evals/LABELLING.md``. Labels are parsed into small typed
values here, once, so that the scorers never see raw JSON; a malformed file is a ``FixtureError``
that names the file and the label path.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, get_args

from summarizer.errors import ArticleError, SummarizerError
from summarizer.ingest.article import Article
from summarizer.ingest.articles import LABELS_SUFFIX, load_article
from summarizer.ingest.streams import SUPPORTED_SUFFIXES
from summarizer.record.schema import EVENT_TYPES, ActorRole, PlaceKind, Qualifier, WeaponKind

QUALIFIERS: tuple[str, ...] = get_args(Qualifier)
PLACE_KINDS: tuple[str, ...] = get_args(PlaceKind)
ACTOR_ROLES: tuple[str, ...] = get_args(ActorRole)
WEAPON_KINDS: tuple[str, ...] = get_args(WeaponKind)

COUNT_FIELDS = (
    "casualties.killed",
    "casualties.injured",
    "casualties.children_killed",
    "casualties.children_injured",
    "weapons.launched",
    "weapons.intercepted",
)
# list field -> (key holding the alias list, optional attribute scored separately, its allowed values)
LIST_FIELDS: dict[str, tuple[str, str | None, tuple[str, ...]]] = {
    "places": ("name", "kind", PLACE_KINDS),
    "actors": ("name", "role", ACTOR_ROLES),
    "damage": ("what", None, ()),
    "statements": ("speaker", None, ()),
}
TEXT_FIELDS = ("title", "summary")
KNOWN_FIELDS = ("event_type", *TEXT_FIELDS, "when", *LIST_FIELDS, "weapons.kinds", *COUNT_FIELDS)


class FixtureError(SummarizerError):
    """A fixtures folder or labels file is malformed (a usage error: exit code 2)."""

    exit_code = 2


@dataclass(frozen=True)
class CountLabel:
    """A gold count: exactly one of value / (min and/or max) / vague, plus an optional qualifier."""

    value: int | None = None
    min: int | None = None
    max: int | None = None
    vague: bool = False
    qualifier: str | None = None

    def accepts(self, figure: int) -> bool:
        if self.value is not None:
            return figure == self.value
        low = self.min if self.min is not None else 0
        high = self.max if self.max is not None else figure
        return low <= figure <= high


@dataclass(frozen=True)
class WindowLabel:
    start: date
    end: date


@dataclass(frozen=True)
class ItemLabel:
    """One gold list item: acceptable spellings of its name, and optionally acceptable kinds/roles."""

    aliases: tuple[str, ...]
    attr: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Case:
    name: str
    article: Article
    labels: dict[str, Any]
    labels_path: Path
    tags: tuple[str, ...] = ()
    notes: str = ""
    event: str | None = None  # the real event it reports (same id = same event), for grouping evaluation
    evidence: dict[str, str] = field(default_factory=dict)  # label path -> the verbatim phrase that states it


@dataclass
class Dataset:
    path: Path
    cases: list[Case] = field(default_factory=list)


def load_fixtures(folder: str | Path) -> Dataset:
    """Every ``NAME.labels.json`` under ``folder`` with its article, sorted by name."""
    root = Path(folder)
    if not root.is_dir():
        raise FixtureError(f"{root}: no such fixtures folder")
    label_files = sorted(root.rglob(f"*{LABELS_SUFFIX}"))
    if not label_files:
        raise FixtureError(f"{root}: no fixtures found (expected NAME{LABELS_SUFFIX} files; see evals/LABELLING.md)")
    return Dataset(root, [load_case(path, root) for path in label_files])


def load_case(labels_path: Path, root: Path | None = None) -> Case:
    home = (root if root is not None else labels_path.parent).resolve()
    if not labels_path.resolve().is_relative_to(home):  # checked before reading: its values reach messages
        raise FixtureError(f"{labels_path}: leads outside the fixtures folder {home} (a symlink?)")
    try:
        raw = json.loads(labels_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise FixtureError(f"{labels_path}: cannot read ({exc})") from exc
    except json.JSONDecodeError as exc:
        raise FixtureError(f"{labels_path}: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from exc
    where = str(labels_path)
    if not isinstance(raw, dict):
        raise FixtureError(f"{where}: expected a JSON object with a 'labels' object")
    # Other top-level keys (evidence notes for the label checks) are the labeller's business and ignored
    # here, as is an event id that is not a string; inside "labels" every key is checked.
    if not isinstance(raw.get("labels"), dict):
        raise FixtureError(f"{where}: 'labels' must be an object of field path -> label")
    tags = raw.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
        raise FixtureError(f"{where}: 'tags' must be a list of strings")
    notes = raw.get("notes", "")
    if not isinstance(notes, str):
        raise FixtureError(f"{where}: 'notes' must be a string")
    event = raw.get("event")
    name = fixture_stem(labels_path)
    if root is not None and labels_path.parent != root:
        name = str(labels_path.parent.relative_to(root) / name)
    labels = parse_labels(raw["labels"], where)
    try:
        article = load_article(article_path(labels_path, raw.get("article"), root))
    except ArticleError as exc:
        raise FixtureError(f"{where}: {exc}") from exc
    evidence = raw.get("evidence")
    phrases = {k: v for k, v in evidence.items() if isinstance(v, str)} if isinstance(evidence, dict) else {}
    return Case(
        name, article, labels, labels_path, tuple(tags), notes, event if isinstance(event, str) else None, phrases
    )


def fixture_stem(labels_path: Path) -> str:
    """The fixture's name without its folder: ``NAME`` of ``NAME.labels.json``."""
    return labels_path.name[: -len(LABELS_SUFFIX)]


def article_path(labels_path: Path, given: object, root: Path | None = None) -> Path:
    """The article file of a labels file, confined to the fixtures folder.

    ``given`` is the labels file's ``"article"`` value (``None``: the file beside it with the same
    stem). A fixtures folder may come from an untrusted pull request, so the article must be a
    relative path that resolves, ``..`` and symlinks followed, inside ``root`` (default: the labels
    file's folder); anything else would let a labels file send any readable file to the model.
    """
    where = str(labels_path)
    home = (root if root is not None else labels_path.parent).resolve()
    if given is not None:
        if not isinstance(given, str) or not given or "\0" in given:
            raise FixtureError(f"{where}: 'article' must be a file name")
        relative = Path(given)
        if relative.is_absolute() or relative.drive:
            raise FixtureError(f"{where}: 'article' must be a relative path inside the fixtures folder, not {given!r}")
        path = labels_path.parent / relative
        if not path.resolve().is_relative_to(home):
            raise FixtureError(f"{where}: 'article' {given!r} leads outside the fixtures folder {home}")
        if not path.is_file():
            raise FixtureError(f"{where}: article file {path} does not exist")
    else:
        path = _article_beside(labels_path)
    for checked in (labels_path, path):
        if not checked.resolve().is_relative_to(home):
            raise FixtureError(f"{where}: {checked} leads outside the fixtures folder {home} (a symlink?)")
    return path


def _article_beside(labels_path: Path) -> Path:
    where = str(labels_path)
    stem = fixture_stem(labels_path)
    candidates = sorted(
        p
        for p in labels_path.parent.glob(f"{stem}.*")
        if p.suffix.lower() in SUPPORTED_SUFFIXES and p.stem == stem and not p.name.endswith(LABELS_SUFFIX)
    )
    if not candidates:
        raise FixtureError(f"{where}: no article file {stem}.txt (or .md, .html, .json) beside it")
    if len(candidates) > 1:
        names = ", ".join(p.name for p in candidates)
        raise FixtureError(f"{where}: several article files match ({names}); set 'article' in the labels file")
    return candidates[0]


# ---------------------------------------------------------------- label parsing


def parse_labels(labels: dict[str, Any], where: str) -> dict[str, Any]:
    parsed: dict[str, Any] = {}
    for path, value in labels.items():
        at = f"{where}: labels.{path}"
        if path not in KNOWN_FIELDS:
            raise FixtureError(f"{at}: unknown field path (known: {', '.join(KNOWN_FIELDS)})")
        parsed[path] = _parse_field(path, value, at)
    return parsed


def _parse_field(path: str, value: Any, at: str) -> Any:
    if path in LIST_FIELDS:
        if value is None:
            return []
        if not isinstance(value, list):
            raise FixtureError(f"{at}: expected a list of items (or null / [] when the article states none)")
        key, attr, allowed = LIST_FIELDS[path]
        return [_parse_item(item, key, attr, allowed, f"{at}[{index}]") for index, item in enumerate(value)]
    if path == "weapons.kinds":
        if value is None:
            return []
        if not isinstance(value, list):
            raise FixtureError(f"{at}: expected a list whose items are a kind or a list of acceptable kinds")
        return [_choices(item, WEAPON_KINDS, f"{at}[{index}]") for index, item in enumerate(value)]
    if value is None:
        return None
    if path == "event_type":
        if value not in EVENT_TYPES:
            raise FixtureError(f"{at}: {value!r} is not an event type ({', '.join(EVENT_TYPES)})")
        return value
    if path in TEXT_FIELDS:
        if not isinstance(value, str):
            raise FixtureError(f"{at}: expected reference text (a string)")
        return value
    if path == "when":
        return _parse_window(value, at)
    return _parse_count(value, at)


def _parse_item(item: Any, key: str, attr: str | None, allowed: tuple[str, ...], at: str) -> ItemLabel:
    if not isinstance(item, dict):
        raise FixtureError(f"{at}: expected an object with {key!r}")
    unknown = set(item) - {key, *([attr] if attr else [])}
    if unknown:
        raise FixtureError(f"{at}: unknown key(s) {', '.join(sorted(unknown))}")
    aliases = item.get(key)
    if isinstance(aliases, str):
        aliases = [aliases]
    if not isinstance(aliases, list) or not aliases or not all(isinstance(a, str) and a.strip() for a in aliases):
        raise FixtureError(f"{at}.{key}: expected a non-empty list of names (aliases)")
    kinds = _choices(item[attr], allowed, f"{at}.{attr}") if attr and item.get(attr) is not None else None
    return ItemLabel(tuple(aliases), kinds)


def _choices(value: Any, allowed: tuple[str, ...], at: str) -> tuple[str, ...]:
    options = [value] if isinstance(value, str) else value
    if not isinstance(options, list) or not options:
        raise FixtureError(f"{at}: expected one of {', '.join(allowed)} or a list of them")
    for option in options:
        if option not in allowed:
            raise FixtureError(f"{at}: {option!r} is not one of {', '.join(allowed)}")
    return tuple(options)


def _parse_window(value: Any, at: str) -> WindowLabel:
    if not isinstance(value, dict) or not value or set(value) - {"start", "end"}:
        raise FixtureError(f'{at}: expected {{"start": "YYYY-MM-DD", "end": "YYYY-MM-DD"}}')
    days: dict[str, date] = {}
    for key, text in value.items():
        try:
            days[key] = date.fromisoformat(text)
        except (TypeError, ValueError) as exc:
            raise FixtureError(f"{at}.{key}: {text!r} is not a YYYY-MM-DD date") from exc
    start, end = days.get("start", days.get("end")), days.get("end", days.get("start"))
    assert start is not None and end is not None
    if start > end:
        raise FixtureError(f"{at}: start {start} is after end {end}")
    return WindowLabel(start, end)


def _parse_count(value: Any, at: str) -> CountLabel:
    forms = '{"value": N}, {"min": N}, {"max": N}, {"min": N, "max": M} or {"vague": true}'
    if not isinstance(value, dict):
        raise FixtureError(f"{at}: expected a count: {forms}, or null")
    unknown = set(value) - {"value", "min", "max", "vague", "qualifier"}
    if unknown:
        raise FixtureError(f"{at}: unknown key(s) {', '.join(sorted(unknown))} (expected {forms})")
    for key in ("value", "min", "max"):
        number = value.get(key)
        if number is not None and (not isinstance(number, int) or isinstance(number, bool) or number < 0):
            raise FixtureError(f"{at}.{key}: expected a whole number >= 0, got {number!r}")
    vague = value.get("vague", False)
    if not isinstance(vague, bool):
        raise FixtureError(f"{at}.vague: expected true or false")
    has_value, has_bound = value.get("value") is not None, value.get("min") is not None or value.get("max") is not None
    if sum((has_value, has_bound, vague)) != 1:
        raise FixtureError(f"{at}: give exactly one of {forms}")
    low, high = value.get("min"), value.get("max")
    if low is not None and high is not None and low > high:
        raise FixtureError(f"{at}: min {low} is greater than max {high}")
    qualifier = value.get("qualifier")
    if qualifier is not None and qualifier not in QUALIFIERS:
        raise FixtureError(f"{at}.qualifier: {qualifier!r} is not one of {', '.join(QUALIFIERS)}")
    return CountLabel(value.get("value"), low, high, vague, qualifier)
