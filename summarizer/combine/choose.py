"""Combine the model's grounded event with the reader's, field by field, as the trust profile says.

For each field the profile (``summarizer.combine.trust``) names the source that leads: its value stands and wins a
disagreement; the other source fills the field when the leader left it empty, if the profile lets it; a
disagreement always leaves a ``disagreement`` warning with the other value and its evidence. Lists (places,
actors, statements, damage) are the leader's items, then the other's items only where the profile says they
are precise enough to join (or the leader's list is empty and the other may fill it). Weapons follow
``weapons.kinds``; their launched / intercepted counts follow their own fields. With the default profile the
model leads everywhere and the reader fills what it left empty.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from summarizer.combine.trust import FieldTrust, TrustProfile
from summarizer.reader import Reading
from summarizer.record.basetypes import Issue, Span
from summarizer.record.schema import (
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
    Weapon,
)
from summarizer.text.normalize import name_key

Source = Literal["model", "reader", "both"]
V = TypeVar("V")
LEAD_SHARE = 0.3  # the share of an article's text that is its lead, where news names the event's place
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


def combine(
    model: Event,
    model_spans: dict[str, Span],
    reading: Reading,
    profile: TrustProfile | None = None,
    text: str = "",
) -> Combined:
    profile = profile or TrustProfile.default()
    out = model_only(model, model_spans)
    reader = reading.event
    update: dict[str, Any] = {}
    update["event_type"] = _event_type(out, model, reading, profile)
    update["when"] = _scalar(out, "when", model.when, reader.when, reading, profile.field("when"), _same_window)
    casualties = {
        name: _scalar(
            out,
            f"casualties.{name}",
            _count(model.casualties, name),
            _count(reader.casualties, name),
            reading,
            profile.field(f"casualties.{name}"),
            _same_count,
        )
        for name in CASUALTY_FIELDS
    }
    update["casualties"] = _valid_casualties(casualties, out)
    for name, (key, limit) in LISTS.items():
        update[name] = _joined(
            out, name, key, limit, getattr(model, name), getattr(reader, name), reading, profile.field(name)
        )
    update["weapons"] = _weapons(out, model, reading, profile)
    for name in ("title", "summary"):  # the text nearer the references on the evals
        if profile.field(name).leader == "reader":
            update[name] = getattr(reader, name)
            out.sources[name] = "reader"
    _flag_untied_places(out, update["places"], text)
    out.event = Event.model_validate({**model.model_dump(), **_dumped(update)})
    return out


def _event_type(out: Combined, model: Event, reading: Reading, profile: TrustProfile) -> EventType:
    """The leader's type, as for any scalar. A model type that no word of the reader's vocabulary supports is
    flagged, not replaced: the vocabulary is the reader's, not the article's ("a bus plunged into a gorge" is a
    road crash with none of its words)."""
    kept: EventType = _scalar(
        out, "event_type", model.event_type, reading.event.event_type, reading, profile.field("event_type"), _same
    )
    if kept == model.event_type and kept != "other" and not reading.type_scores[kept]:
        out.warnings.append(
            Issue(
                code="disagreement",
                path="event_type",
                message=f"model said {kept}, which no word of the reader's vocabulary for it supports; check it",
            )
        )
    return kept


def _dumped(update: dict[str, Any]) -> dict[str, Any]:
    def dump(value: Any) -> Any:
        if isinstance(value, list):
            return [dump(item) for item in value]
        return value.model_dump() if hasattr(value, "model_dump") else value

    return {key: dump(value) for key, value in update.items()}


def _scalar(out: Combined, path: str, model: Any, reader: Any, reading: Reading, trust: FieldTrust, same: Any) -> Any:
    """One value for ``path``: the leader's; the other's where the leader has none and the other may fill."""
    if reader is None:
        if model is None or trust.leader == "model" or trust.fills:
            return model
        for key in [k for k in out.spans if k == path or k.startswith(path + ".")]:
            del out.spans[key]  # the reader leads and found nothing; the model may not fill: its value goes
        out.sources.pop(path, None)
        return None
    if model is None:
        if trust.leader == "reader" or trust.fills:
            _take_reader(out, path, reading)
            return reader
        return None
    if same(model, reader):
        out.sources[path] = "both"
        return model
    keep_reader = trust.leader == "reader"
    kept, other, other_side = (reader, model, "model") if keep_reader else (model, reader, "reader")
    if keep_reader:
        _take_reader(out, path, reading)
    else:
        out.sources[path] = "model"
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
    out: Combined,
    name: str,
    key: str,
    limit: int,
    model: list[Any],
    reader: list[Any],
    reading: Reading,
    trust: FieldTrust,
) -> list[Any]:
    """The leader's items, then the other's that it does not name, where the profile lets them in; each item's
    spans and source move with it to its new position."""
    prefix = f"{name}["
    model_spans = {k: v for k, v in out.spans.items() if k.startswith(prefix)}
    for path in model_spans:
        del out.spans[path]
        out.sources.pop(path, None)
    reader_spans = {k: v for k, v in reading.spans.items() if k.startswith(prefix)}
    sides: dict[Source, tuple[list[Any], dict[str, Span]]] = {
        "model": (model, model_spans),
        "reader": (reader, reader_spans),
    }
    items: list[Any] = []
    keys: list[str] = []

    def place(item: Any, index: int, spans: dict[str, Span], source: Source) -> None:
        position, old = len(items), f"{name}[{index}]"
        items.append(item)
        keys.append(name_key(getattr(item, key)))
        for path, span in spans.items():
            if path == old or path.startswith(old + "."):
                out.spans[f"{name}[{position}]" + path[len(old) :]] = span
        out.sources[f"{name}[{position}]"] = source

    leader, other = trust.leader, trust.other()
    for index, item in enumerate(sides[leader][0]):
        place(item, index, sides[leader][1], leader)
    adds = trust.joins or (not items and trust.fills)
    for index, item in enumerate(sides[other][0]):
        item_key = name_key(getattr(item, key))
        if item_key in keys:
            out.sources[f"{name}[{keys.index(item_key)}]"] = "both"
        elif adds and len(items) < limit:
            place(item, index, sides[other][1], other)
    if name == "places" and leader == "model":
        items = _city_first(out, items, reader)
    return items


def _flag_untied_places(out: Combined, places: list[Any], text: str) -> None:
    """Warn about each of the model's places that the article first names outside its lead (the first
    ``LEAD_SHARE`` of the text). News puts the event's place in the lead; a place first named further down is
    usually another place of the story (the hospital's town, where the suspect was arrested, an earlier
    incident): the warning asks a reader to check it, the value stays."""
    if not text:
        return
    lead = int(len(text) * LEAD_SHARE)
    for index, place in enumerate(places):
        if out.sources.get(f"places[{index}]") == "reader" or place.kind in ("country", "other"):
            continue  # the model's places (the reader may have found the same one: it reads every place named)
        first = re.search(rf"(?<!\w){re.escape(place.name)}(?!\w)", text, re.IGNORECASE)
        if first is None or first.start() <= lead:
            continue
        out.warnings.append(
            Issue(
                code="disagreement",
                path=f"places[{index}]",
                message=f"{place.name!r} is first named outside the article's lead: check that it is where the "
                "event happened, not another place of the story",
            )
        )


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


def _weapons(out: Combined, model: Event, reading: Reading, profile: TrustProfile) -> list[Any]:
    """The weapons of the source leading on ``weapons.kinds`` (the other's where it has none and may fill);
    a launched / intercepted count the other side states for a weapon of the same family fills an empty
    one, or replaces a differing one, as the profile says for that count."""
    reader = reading.event.weapons
    kinds = profile.field("weapons.kinds")
    if kinds.leader == "reader" and not reader and not kinds.fills:
        for path in [k for k in out.spans if k.startswith("weapons[")]:
            del out.spans[path]  # the reader leads and found none; the model may not fill
        for path in [k for k in out.sources if k.startswith("weapons[")]:
            del out.sources[path]
        return []
    reader_leads = kinds.leader == "reader" and bool(reader)
    if not model.weapons or reader_leads:
        if not reader or (not reader_leads and not kinds.fills):
            return list(model.weapons)
        for path in [k for k in out.spans if k.startswith("weapons[")]:
            del out.spans[path]
        for path in [k for k in out.sources if k.startswith("weapons[")]:
            del out.sources[path]
        for index, _ in enumerate(reader):
            for suffix in ("", ".launched", ".intercepted"):
                path = f"weapons[{index}]{suffix}"
                if path in reading.spans:
                    out.spans[path] = reading.spans[path]
                    out.sources[path] = "reader"
            out.sources[f"weapons[{index}]"] = "reader"
        led = list(reader)
        base, other = led, list(model.weapons)
        return _counts_from(out, base, other, "model", profile, reading)[:MAX_WEAPONS]
    return _counts_from(out, list(model.weapons), list(reader), "reader", profile, reading)[:MAX_WEAPONS]


def _counts_from(
    out: Combined, weapons: list[Weapon], others: list[Weapon], side: str, profile: TrustProfile, reading: Reading
) -> list[Weapon]:
    """``weapons`` with the launched / intercepted counts of ``others`` (from ``side``) of the same family,
    where the profile lets that side fill or lead on the count. A count goes to one weapon only."""
    used: set[int] = set()
    for index, weapon in enumerate(weapons):
        family = [i for i, w in enumerate(weapons) if _family(w.kind) == _family(weapon.kind)]
        match = next((i for i, w in enumerate(others) if _family(w.kind) == _family(weapon.kind)), None)
        if match is None or match in used or len(family) > 1:
            continue  # a count goes to one weapon, never to each of several of its family
        used.add(match)
        out.sources[f"weapons[{index}]"] = "both"
        update = {}
        for name in ("launched", "intercepted"):
            mine, theirs = getattr(weapon, name), getattr(others[match], name)
            if theirs is None:
                continue
            trust = profile.field(f"weapons.{name}")
            path = f"weapons[{index}].{name}"
            if mine is not None and _same_count(mine, theirs):
                out.sources[path] = "both"
                continue
            leads = trust.leader == side
            if mine is None and not (leads or trust.fills):
                continue
            if mine is not None:
                kept, dropped = (theirs, mine) if leads else (mine, theirs)
                out.warnings.append(
                    Issue(
                        code="disagreement",
                        path=path,
                        message=f"kept {side if leads else 'the other side'}: {_show(kept)}; "
                        f"the other said {_show(dropped)} (evidence: {_clip(dropped.evidence)!r})",
                    )
                )
                if not leads:
                    continue
            update[name] = theirs
            source_path = f"weapons[{match}].{name}"
            out.spans.pop(path, None)
            if side == "reader" and source_path in reading.spans:
                out.spans[path] = reading.spans[source_path]
            out.sources[path] = "reader" if side == "reader" else "model"
        if update:
            try:
                weapons[index] = weapon.model_validate({**weapon.model_dump(), **_dumped(update)})
            except ValueError:
                continue  # the other side's figure would break the weapon's invariant (intercepted > launched)
    return weapons


def _family(kind: str) -> str:
    return "missile" if kind.endswith("missile") else kind


def _valid_casualties(casualties: dict[str, Count | None], out: Combined) -> Casualties | None:
    kept = {name: count for name, count in casualties.items() if count is not None}
    if not kept:
        return None
    try:
        return Casualties(**kept)
    except ValueError:  # a children count above a total from the other side: the total stands
        for name, total in CHILD_COUNTS:
            if name in kept and out.sources.get(f"casualties.{name}") != out.sources.get(f"casualties.{total}"):
                kept.pop(name)
                out.warnings.append(
                    Issue(
                        code="disagreement",
                        path=f"casualties.{name}",
                        message="children count above the total of the other source; removed",
                    )
                )
                out.sources.pop(f"casualties.{name}", None)
                out.spans.pop(f"casualties.{name}", None)
        try:
            return Casualties(**kept) if kept else None
        except ValueError:
            for name, _ in CHILD_COUNTS:
                kept.pop(name, None)
                out.sources.pop(f"casualties.{name}", None)
                out.spans.pop(f"casualties.{name}", None)
            return Casualties(**kept) if kept else None


def _count(casualties: Casualties | None, name: str) -> Count | None:
    return getattr(casualties, name) if casualties is not None else None


def _same(a: Any, b: Any) -> bool:
    return bool(a == b)


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
