"""The event schema the model fills.

Principles: what the article does not state is ``null`` (or an empty list), never ``0``, ``""``
or a guess; numbers carry their precision; time is a window; every fact carries a verbatim
``evidence`` quote that grounding locates in the article before the value is trusted. Field
order is the order the model writes in: counts, times, weapons, damage, statements and context
notes put ``evidence`` first, so the model copies the quote and then reads the value out of it;
places and actors put ``name`` first, then ``kind`` / ``role``, then ``evidence``.

Only invariants that hold for any article live here. Checks that need the article (quotes,
publication date) live in ``grounding``.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal, Protocol, get_args

from pydantic import BaseModel, ConfigDict, Field, model_validator

SCHEMA_VERSION = "2.0"  # 2.0: everyday event types (stabbing, road_crash, fire, collapse)

EventType = Literal[
    "missile_or_air_strike",
    "drone_strike",
    "shelling",
    "armed_clash",
    "bombing",
    "shooting",
    "protest",
    "stabbing",
    "road_crash",
    "fire",
    "collapse",
    "other",
]
EVENT_TYPES: tuple[str, ...] = get_args(EventType)

Qualifier = Literal["exact", "at_least", "at_most", "about", "range", "vague"]
Precision = Literal["hour", "part_of_day", "day", "days", "week", "month", "year"]
PlaceKind = Literal["country", "region", "city", "district", "site", "other"]
ActorRole = Literal["attacker", "defender", "target", "victim", "other"]
WeaponKind = Literal[
    "ballistic_missile",
    "cruise_missile",
    "missile",
    "drone",
    "artillery",
    "rocket",
    "aircraft_bomb",
    "explosive",
    "firearm",
    "other",
]

# String bounds reach the decoding grammar, so a looping small model is cut off rather than running to max_tokens.
MAX_EVIDENCE_CHARS, MAX_PHRASE_CHARS, MAX_NAME_CHARS, MAX_SHORT_CHARS, MAX_SUMMARY_CHARS = 600, 120, 100, 300, 800
# List bounds reach the decoding grammar too, so a small model that starts repeating itself stops.
MAX_PLACES, MAX_ACTORS, MAX_WEAPONS, MAX_DAMAGE, MAX_STATEMENTS, MAX_CONTEXT = 8, 6, 4, 6, 4, 4


# The verbatim quote every fact carries (``evidence``), bounded alike; each model says what its quote holds.
Evidence = Annotated[str, Field(max_length=MAX_EVIDENCE_CHARS)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Figures(Protocol):
    """What a count states: a ``Count``, or a claim the merge keeps of one."""

    value: int | None
    low: int | None
    high: int | None


def committed_figure(count: Figures) -> int | None:
    """The one figure a count commits to: its value, else its lower bound, else its upper bound (None: none)."""
    return next((n for n in (count.value, count.low, count.high) if n is not None), None)


class Count(Strict):
    """A count as the article states it, with honesty about its precision."""

    evidence: Evidence = Field(description="Verbatim sentence or clause from the article that states this count.")
    phrase: str = Field(
        max_length=MAX_PHRASE_CHARS, description='The exact words that give the number, e.g. "at least 17", "dozens".'
    )
    value: int | None = Field(
        default=None, ge=0, description="Best single figure; null when the article gives none (vague)."
    )
    low: int | None = Field(default=None, ge=0, description="Lower bound when stated (at least N, between N and M).")
    high: int | None = Field(default=None, ge=0, description="Upper bound when stated (up to N, between N and M).")
    qualifier: Qualifier = Field(
        description="exact | at_least | at_most | about | range | vague (no figure, e.g. 'a considerable number')."
    )

    @model_validator(mode="after")
    def _bounds_are_ordered(self) -> Count:
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError(f"low ({self.low}) is greater than high ({self.high})")
        if self.value is not None:
            if self.low is not None and self.value < self.low:
                raise ValueError(f"value ({self.value}) is below low ({self.low})")
            if self.high is not None and self.value > self.high:
                raise ValueError(f"value ({self.value}) is above high ({self.high})")
        if self.qualifier == "vague" and self.value is not None:
            raise ValueError("a vague count has no value: set value to null and keep the phrase")
        return self

    def floor(self) -> int | None:
        """The smallest figure this count commits to (value, else low)."""
        return self.value if self.value is not None else self.low

    def ceiling(self) -> int | None:
        """The largest figure this count allows: high, else an exact or "at most" value; None when it sets no
        upper bound ("at least 30", "about 30" and vague counts do not)."""
        if self.high is not None:
            return self.high
        return self.value if self.qualifier in ("exact", "at_most") else None

    def figure(self) -> int | None:
        """The one figure this count commits to (see ``committed_figure``)."""
        return committed_figure(self)


class TimeWindow(Strict):
    """When the event happened, as a window of dates."""

    evidence: Evidence = Field(description="Verbatim words from the article that say when it happened.")
    phrase: str = Field(
        max_length=MAX_PHRASE_CHARS,
        description='The time expression itself, e.g. "overnight", "last Tuesday", "on 3 May".',
    )
    date_start: date | None = Field(default=None, description="First day of the window (YYYY-MM-DD).")
    date_end: date | None = Field(default=None, description="Last day of the window (YYYY-MM-DD).")
    precision: Precision | None = Field(default=None, description="How precise the article is about the time.")
    time_of_day: str | None = Field(
        max_length=MAX_PHRASE_CHARS, default=None, description='Clock time or part of day if stated, e.g. "03:00".'
    )

    @model_validator(mode="after")
    def _window_is_ordered(self) -> TimeWindow:
        if self.date_start and self.date_end and self.date_start > self.date_end:
            raise ValueError(f"date_start ({self.date_start}) is after date_end ({self.date_end})")
        return self


class Place(Strict):
    name: str = Field(max_length=MAX_NAME_CHARS, description="The place name as written in the article.")
    kind: PlaceKind = Field(description="country | region | city | district | site | other.")
    evidence: Evidence = Field(description="Verbatim words from the article that name this place.")


class Actor(Strict):
    name: str = Field(
        max_length=MAX_NAME_CHARS, description="The actor as written: a country, force, group, person or 'civilians'."
    )
    role: ActorRole = Field(description="attacker | defender | target | victim | other.")
    evidence: Evidence = Field(description="Verbatim words from the article that name this actor.")


class Weapon(Strict):
    evidence: Evidence = Field(description="Verbatim words from the article about this weapon.")
    kind: WeaponKind
    name: str | None = Field(
        max_length=MAX_NAME_CHARS, default=None, description="A model or system name if given, e.g. 'Kinzhal'."
    )
    launched: Count | None = Field(default=None, description="How many were launched or fired, if stated.")
    intercepted: Count | None = Field(default=None, description="How many were intercepted or shot down, if stated.")

    @model_validator(mode="after")
    def _intercepted_within_launched(self) -> Weapon:
        if self.launched and self.intercepted:
            intercepted = self.intercepted.floor()
            ceiling = self.launched.ceiling()
            if ceiling is not None and intercepted is not None and intercepted > ceiling:
                bound = "the most launched" if self.launched.high is not None else "launched"  # a stated upper bound
                raise ValueError(f"intercepted ({intercepted}) exceeds {bound} ({ceiling})")
        return self


class Casualties(Strict):
    killed: Count | None = Field(default=None, description="People killed, if stated.")
    injured: Count | None = Field(default=None, description="People injured or wounded, if stated.")
    children_killed: Count | None = Field(default=None, description="Children among the killed, if stated.")
    children_injured: Count | None = Field(default=None, description="Children among the injured, if stated.")

    @model_validator(mode="after")
    def _children_within_total(self) -> Casualties:
        for part_name, label in CHILD_COUNTS:
            part, total = getattr(self, part_name), getattr(self, label)
            if part is None or total is None:
                continue
            part_floor = part.floor()
            total_ceiling = total.ceiling()
            if part_floor is not None and total_ceiling is not None and part_floor > total_ceiling:
                raise ValueError(f"children {label} ({part_floor}) exceed the total {label} ({total_ceiling})")
        return self


# The casualty counts, in the schema's order; and each children count with the total it is part of.
CASUALTY_FIELDS: tuple[str, ...] = tuple(Casualties.model_fields)
CHILD_COUNTS: tuple[tuple[str, str], ...] = (("children_killed", "killed"), ("children_injured", "injured"))


class Damage(Strict):
    evidence: Evidence = Field(description="Verbatim words from the article that describe the damage.")
    what: str = Field(
        max_length=MAX_SHORT_CHARS, description="What was damaged or destroyed, e.g. 'power transformer'."
    )
    place: str | None = Field(max_length=MAX_NAME_CHARS, default=None, description="Where, if the article says.")


class Statement(Strict):
    evidence: Evidence = Field(description="Verbatim words from the article reporting the statement.")
    speaker: str = Field(max_length=MAX_NAME_CHARS, description="Who spoke, as named in the article.")
    title: str | None = Field(
        max_length=MAX_NAME_CHARS, default=None, description="The speaker's role or title, if given."
    )
    gist: str = Field(max_length=MAX_SHORT_CHARS, description="One short sentence: what they said.")


class ContextNote(Strict):
    evidence: Evidence = Field(description="Verbatim words from the article.")
    note: str = Field(
        max_length=MAX_SHORT_CHARS,
        description="Background that is not part of the event itself (earlier events, visits).",
    )


class Event(Strict):
    """One event as reported by one article."""

    event_type: EventType = Field(description="The kind of event: " + " | ".join(EVENT_TYPES) + ".")
    title: str = Field(max_length=MAX_SHORT_CHARS, description="A neutral one-line title.")
    summary: str = Field(
        max_length=MAX_SUMMARY_CHARS, description="Two or three neutral sentences: what happened, when, where, to whom."
    )
    when: TimeWindow | None = Field(default=None, description="When the event happened; null if not stated.")
    places: list[Place] = Field(default_factory=list, max_length=MAX_PLACES)
    actors: list[Actor] = Field(default_factory=list, max_length=MAX_ACTORS)
    weapons: list[Weapon] = Field(default_factory=list, max_length=MAX_WEAPONS)
    casualties: Casualties | None = Field(default=None, description="Killed and injured; null if not stated.")
    damage: list[Damage] = Field(default_factory=list, max_length=MAX_DAMAGE)
    statements: list[Statement] = Field(default_factory=list, max_length=MAX_STATEMENTS)
    context: list[ContextNote] = Field(default_factory=list, max_length=MAX_CONTEXT)

    def main_place(self, kind: PlaceKind = "city") -> Place | None:
        """The first place of the given kind, the usual answer to 'where'."""
        return next((place for place in self.places if place.kind == kind), None)
