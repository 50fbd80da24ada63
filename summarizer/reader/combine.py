"""Combine the model's grounded event with the reader's: fill what the model left empty, cross-check the rest.

Time and casualty counts: what only one side has is taken from it; where both agree, the model's is kept
and the source is ``both``; where they disagree, the reader's value wins when its rule is confident
(``READER_WINS``), else the model's, and a ``disagreement`` warning carries the other value with its
evidence. Places, actors, statements and damage are joined: the model's items, then the reader's items the
model does not name. Weapons: the reader's when the model has none, else the model's with empty counts
filled from the reader's weapon of the same family.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from summarizer.basetypes import Issue, Span
from summarizer.reader import Reading
from summarizer.schema import (
    CASUALTY_FIELDS,
    CHILD_COUNTS,
    MAX_ACTORS,
    MAX_DAMAGE,
    MAX_PLACES,
    MAX_STATEMENTS,
    MAX_WEAPONS,
    Casualties,
    Count,
    Event,
    EventType,
    TimeWindow,
)
from summarizer.textnorm import name_key

Source = Literal["model", "reader", "both"]
V = TypeVar("V")
READER_WINS = 0.8  # a reader finding this sure overrides a disagreeing model value
TYPE_SUPPORT_RATIO = 0.25  # the model's event type stands while the text supports it this much next to the reader's
LISTS: dict[str, tuple[str, int]] = {
    "places": ("name", MAX_PLACES),
    "actors": ("name", MAX_ACTORS),
    "statements": ("speaker", MAX_STATEMENTS),
    "damage": ("what", MAX_DAMAGE),
}


@dataclass
class Combined:
    event: Event
    spans: dict[str, Span]
    sources: dict[str, Source]
    warnings: list[Issue] = field(default_factory=list)


def reader_only(reading: Reading) -> Combined:
    sources: dict[str, Source] = {path: "reader" for path in reading.spans}
    sources.update({"event_type": "reader", "title": "reader", "summary": "reader"})
    return Combined(reading.event, dict(reading.spans), sources)


def model_only(event: Event, spans: dict[str, Span]) -> Combined:
    sources: dict[str, Source] = {path: "model" for path in spans}
    sources.update({"event_type": "model", "title": "model", "summary": "model"})
    return Combined(event, dict(spans), sources)


def combine(model: Event, model_spans: dict[str, Span], reading: Reading) -> Combined:
    out = model_only(model, model_spans)
    reader = reading.event
    update: dict[str, Any] = {"event_type": _event_type(out, reading)}
    update["when"] = _scalar(out, "when", model.when, reader.when, reading, _same_window)
    casualties = {
        name: _scalar(
            out,
            f"casualties.{name}",
            _count(model.casualties, name),
            _count(reader.casualties, name),
            reading,
            _same_count,
        )
        for name in CASUALTY_FIELDS
    }
    update["casualties"] = _valid_casualties(casualties, out)
    for name, (key, limit) in LISTS.items():
        update[name] = _joined(out, name, key, limit, getattr(model, name), getattr(reader, name), reading)
    update["weapons"] = _weapons(out, model, reading)
    out.event = Event.model_validate({**model.model_dump(), **_dumped(update)})
    return out


def _dumped(update: dict[str, Any]) -> dict[str, Any]:
    def dump(value: Any) -> Any:
        if isinstance(value, list):
            return [dump(item) for item in value]
        return value.model_dump() if hasattr(value, "model_dump") else value

    return {key: dump(value) for key, value in update.items()}


def _event_type(out: Combined, reading: Reading) -> EventType:
    model_type, reader_type = out.event.event_type, reading.event.event_type
    if model_type == reader_type:
        out.sources["event_type"] = "both"
        return model_type
    scores = reading.type_scores
    unsupported = model_type != "other" and not scores[model_type]  # not one word of its vocabulary in the article
    if unsupported or (scores[reader_type] and scores[model_type] < TYPE_SUPPORT_RATIO * scores[reader_type]):
        out.sources["event_type"] = "reader"
        how = "no word of the article supports" if unsupported else "the article's words hardly support"
        out.warnings.append(
            Issue(
                code="disagreement",
                path="event_type",
                message=f"model said {model_type}, which {how}; kept the reader's {reader_type}",
            )
        )
        return reader_type
    return model_type


def _scalar(out: Combined, path: str, model: Any, reader: Any, reading: Reading, same: Any) -> Any:
    if reader is None:
        return model
    confidence = reading.confidence.get(path, 0.0)
    if model is None:
        _take_reader(out, path, reading)
        return reader
    if same(model, reader):
        out.sources[path] = "both"
        return model
    keep_reader = confidence >= READER_WINS
    kept, other, other_side = (reader, model, "model") if keep_reader else (model, reader, "reader")
    if keep_reader:
        _take_reader(out, path, reading)
    out.warnings.append(
        Issue(
            code="disagreement",
            path=path,
            message=(
                f"kept {'reader' if keep_reader else 'model'}: {_show(kept)}; the {other_side} said {_show(other)} "
                f"(evidence: {_clip(getattr(other, 'evidence', ''))!r})"
            ),
        )
    )
    return kept


def _take_reader(out: Combined, path: str, reading: Reading) -> None:
    for key in [k for k in out.spans if k == path or k.startswith(path + ".")]:
        del out.spans[key]
    if path in reading.spans:
        out.spans[path] = reading.spans[path]
    out.sources[path] = "reader"


def _joined(
    out: Combined, name: str, key: str, limit: int, model: list[Any], reader: list[Any], reading: Reading
) -> list[Any]:
    items = list(model)
    keys = [name_key(getattr(item, key)) for item in items]
    for index, item in enumerate(reader):
        item_key = name_key(getattr(item, key))
        if item_key in keys:
            out.sources[f"{name}[{keys.index(item_key)}]"] = "both"
            continue
        if len(items) >= limit:
            break
        position = len(items)
        items.append(item)
        keys.append(item_key)
        if f"{name}[{index}]" in reading.spans:
            out.spans[f"{name}[{position}]"] = reading.spans[f"{name}[{index}]"]
        out.sources[f"{name}[{position}]"] = "reader"
    if name == "places":
        items = _city_first(out, items, reader)
    return items


def _city_first(out: Combined, places: list[Any], reader: list[Any]) -> list[Any]:
    """The reader's main city (dateline, or the most named) leads when the model put something else first."""
    if not reader or reader[0].kind != "city" or not places or places[0].kind == "city":
        return places
    index = next((i for i, p in enumerate(places) if name_key(p.name) == name_key(reader[0].name)), None)
    if index is None or index == 0:
        return places
    order = [index, *[i for i in range(len(places)) if i != index]]
    remap = {f"places[{old}]": f"places[{new}]" for new, old in enumerate(order)}
    _rename(out.spans, remap)
    _rename(out.sources, remap)
    return [places[i] for i in order]


def _rename(table: dict[str, V], remap: dict[str, str]) -> None:
    """Rename, in place, the keys whose first part ``remap`` maps (``places[2].kind`` -> ``places[0].kind``)."""
    moved = {remap.get(k.split(".")[0], k.split(".")[0]) + k[len(k.split(".")[0]) :]: v for k, v in table.items()}
    table.clear()
    table.update(moved)


def _weapons(out: Combined, model: Event, reading: Reading) -> list[Any]:
    """The model's weapons, with a launched / intercepted total the reader found where the model has none."""
    reader = reading.event.weapons
    if not model.weapons:
        for index, _ in enumerate(reader):
            for suffix in ("", ".launched", ".intercepted"):
                path = f"weapons[{index}]{suffix}"
                if path in reading.spans:
                    out.spans[path] = reading.spans[path]
                    out.sources[path] = "reader"
            out.sources[f"weapons[{index}]"] = "reader"
        return list(reader)
    weapons = list(model.weapons)
    used: set[int] = set()
    for index, weapon in enumerate(weapons):
        family = [i for i, w in enumerate(weapons) if _family(w.kind) == _family(weapon.kind)]
        match = next((i for i, w in enumerate(reader) if _family(w.kind) == _family(weapon.kind)), None)
        if match is None or match in used or len(family) > 1:
            continue  # a reader count goes to one model weapon, never to each of several of its family
        used.add(match)
        out.sources[f"weapons[{index}]"] = "both"
        update = {}
        for name in ("launched", "intercepted"):
            mine, theirs = getattr(weapon, name), getattr(reader[match], name)
            if theirs is None:
                continue
            if mine is None:
                update[name] = theirs
                path = f"weapons[{index}].{name}"
                if f"weapons[{match}].{name}" in reading.spans:
                    out.spans[path] = reading.spans[f"weapons[{match}].{name}"]
                out.sources[path] = "reader"
            elif _same_count(mine, theirs):
                out.sources[f"weapons[{index}].{name}"] = "both"
        if update:
            try:
                weapons[index] = weapon.model_validate({**weapon.model_dump(), **_dumped(update)})
            except ValueError:
                continue  # the reader's figure would break the weapon's invariant (intercepted > launched)
    return weapons[:MAX_WEAPONS]


def _family(kind: str) -> str:
    return "missile" if kind.endswith("missile") else kind


def _valid_casualties(casualties: dict[str, Count | None], out: Combined) -> Casualties | None:
    kept = {name: count for name, count in casualties.items() if count is not None}
    if not kept:
        return None
    try:
        return Casualties(**kept)
    except ValueError:  # a children count from one side above the other side's total: keep the totals
        for name, _ in CHILD_COUNTS:
            if kept.pop(name, None) is not None:
                out.warnings.append(
                    Issue(
                        code="disagreement",
                        path=f"casualties.{name}",
                        message="children count above the total; removed",
                    )
                )
                out.sources.pop(f"casualties.{name}", None)
                out.spans.pop(f"casualties.{name}", None)
        return Casualties(**kept) if kept else None


def _count(casualties: Casualties | None, name: str) -> Count | None:
    return getattr(casualties, name) if casualties is not None else None


def _same_count(a: Count, b: Count) -> bool:
    if a.qualifier == "vague" or b.qualifier == "vague":
        return a.qualifier == b.qualifier
    return a.floor() == b.floor()


def _same_window(a: TimeWindow, b: TimeWindow) -> bool:
    if a.date_start is None or b.date_start is None:
        return False
    return a.date_start <= (b.date_end or b.date_start) and b.date_start <= (a.date_end or a.date_start)


def _show(value: Any) -> str:
    if isinstance(value, Count):
        return value.phrase if value.floor() is None else f"{value.floor()} ({value.phrase})"
    if isinstance(value, TimeWindow):
        return f"{value.date_start}..{value.date_end} ({value.phrase})"
    return str(value)


def _clip(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
