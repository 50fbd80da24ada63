"""Trust profiles: per field, how precise the model and the reader were on the evals, and so which one leads.

A profile is measured by ``summarizer eval --strategy all --save-profile PATH`` for one backend, model and
prompt: for every scored field, the correct and emitted values of the model alone and of the reader alone,
over the fixtures. ``summarize`` then combines the two field by field (``summarizer.combine.choose``):

- the source with the better measured precision *leads*: its value stands, and wins a disagreement (the
  other value is kept in a ``disagreement`` warning with its evidence);
- the other source *fills a gap* (a field the leader left empty) only when its precision on the leader's gaps
  is above ``FILL_MIN``, and is *joined* into a non-empty list only when its precision on the items it added
  there is above ``JOIN_MIN``;
- title and summary follow the source whose text was nearer the references;
- a model that leads nowhere and may fill nothing is not asked at all (``asked_properties`` is empty);
- a model with no profile gets ``TrustProfile.default()``: the model leads everywhere, the reader fills gaps.

Precision is smoothed (one correct and one wrong value added to the counts), so a source that emitted two
values, both right, does not outrank one with 90 right of 100. A profile is refused when the code that made
its measurements (the reader, grounding, the schema and the prompt's tool) has changed since.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from summarizer.errors import ConfigError

PROFILE_FORMAT = "1"
FILL_MIN = 0.5  # at or below this a value is no more often right than wrong: an empty field scores as well
JOIN_MIN = 0.75  # an extra list item beside the leader's must be clearly more often right than invented
Source = Literal["model", "reader"]
# The fields a profile measures (the eval's scored fields, without the kind / role / qualifier details).
FIELDS: tuple[str, ...] = (
    "event_type",
    "when",
    "places",
    "actors",
    "weapons.kinds",
    "weapons.launched",
    "weapons.intercepted",
    "casualties.killed",
    "casualties.injured",
    "casualties.children_killed",
    "casualties.children_injured",
    "damage",
    "statements",
)
TEXT_FIELDS: tuple[str, ...] = ("title", "summary")  # measured by similarity to the reference text
# The event's top-level properties each profile field is asked through (what a smaller tool schema leaves out).
PROPERTY_OF: dict[str, str] = {name: name.split(".")[0] for name in FIELDS}
ALWAYS_ASKED = ("event_type", "title", "summary")  # required by the schema: every answer has them


@dataclass(frozen=True)
class Measured:
    """One source's outcomes on one field over the fixtures."""

    correct: int = 0
    emitted: int = 0  # correct + wrong + invented
    expected: int = 0  # correct + wrong + missing
    cases: int = 0
    gap_correct: int = 0  # of the values given where the other source left the field empty, the right ones
    gap_emitted: int = 0
    join_correct: int = 0  # of the list items added to the other source's non-empty list, the right ones
    join_emitted: int = 0
    similarity: float = 0.0  # title and summary: the sum over cases of the text's similarity to the reference

    @property
    def precision(self) -> float | None:
        return self.correct / self.emitted if self.emitted else None

    @property
    def recall(self) -> float | None:
        return self.correct / self.expected if self.expected else None

    @property
    def mean_similarity(self) -> float | None:
        return self.similarity / self.cases if self.cases else None

    @property
    def smoothed(self) -> float:
        """Precision with one right and one wrong value added: 0.5 with no evidence, the measure with much."""
        return _smoothed(self.correct, self.emitted)

    @property
    def gap_smoothed(self) -> float:
        return _smoothed(self.gap_correct, self.gap_emitted)

    @property
    def join_smoothed(self) -> float:
        return _smoothed(self.join_correct, self.join_emitted)

    def to_json(self) -> dict[str, Any]:
        return {
            "precision": _round(self.precision),
            "recall": _round(self.recall),
            "gap_precision": _round(self.gap_correct / self.gap_emitted if self.gap_emitted else None),
            "join_precision": _round(self.join_correct / self.join_emitted if self.join_emitted else None),
            **{name: getattr(self, name) for name in self.__dataclass_fields__},
            "mean_similarity": _round(self.mean_similarity),
        }


@dataclass(frozen=True)
class FieldTrust:
    """Who leads on one field, and whether the other may fill its gaps or join its list."""

    leader: Source
    fills: bool  # the other source fills a field the leader left empty
    joins: bool  # the other source's items are added to the leader's non-empty list

    @classmethod
    def measured_text(cls, model: Measured, reader: Measured) -> FieldTrust:
        """Title and summary: the source whose text is nearer the references leads (no gaps: both always write)."""
        better = (reader.mean_similarity or 0.0) > (model.mean_similarity or 0.0)
        return cls("reader" if better else "model", fills=False, joins=False)

    @classmethod
    def measured(cls, model: Measured, reader: Measured) -> FieldTrust:
        """The more precise source leads; the other fills the leader's gaps when the values it gave in the
        leader's gaps were right often enough, and joins its lists when its added items were."""
        leader: Source = "reader" if reader.smoothed > model.smoothed else "model"
        other = model if leader == "reader" else reader
        return cls(leader, fills=other.gap_smoothed > FILL_MIN, joins=other.join_smoothed > JOIN_MIN)

    def other(self) -> Source:
        return "model" if self.leader == "reader" else "reader"

    def uses(self, source: Source) -> bool:
        """Whether a value from ``source`` can ever reach a record on this field."""
        return source == self.leader or self.fills or self.joins


DEFAULT_FIELD = FieldTrust(leader="model", fills=True, joins=False)


@dataclass(frozen=True)
class TrustProfile:
    name: str
    fields: dict[str, FieldTrust] = field(default_factory=dict)
    measured: dict[str, dict[Source, Measured]] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def default(cls) -> TrustProfile:
        """For a model with no profile: the model leads on every field; the reader fills what it left empty
        and flags what it disagrees with; lists are not joined."""
        return cls("default")

    def field(self, path: str) -> FieldTrust:
        """The trust of a field path (``casualties.killed``, ``places``; ``weapons[0].launched`` as
        ``weapons.launched``); fields the profile did not measure get the default."""
        key = path.split("[")[0] + (path[path.index("]") + 1 :] if "]" in path else "")
        return self.fields.get(key, DEFAULT_FIELD)

    @functools.cached_property
    def _asked(self) -> tuple[str, ...] | None:
        return self._asked_properties()

    def asked_properties(self) -> tuple[str, ...] | None:
        """See ``_asked_properties``; computed once per profile (it is asked for every article)."""
        return self._asked

    def _asked_properties(self) -> tuple[str, ...] | None:
        """The event properties worth asking the model for (None: all of them; empty: none, the model adds
        nothing). A property is left out when no field it holds can reach a record from the model;
        ``context`` (unmeasured) only with all."""
        if not self.fields:
            return None
        if not any(self.field(name).uses("model") for name in (*FIELDS, *TEXT_FIELDS)):
            return ()
        wanted = {PROPERTY_OF[name] for name in FIELDS if self.field(name).uses("model")}
        properties = [name for name in dict.fromkeys(PROPERTY_OF.values()) if name in wanted]
        if len(properties) == len(set(PROPERTY_OF.values())):
            return None
        return tuple(dict.fromkeys([*ALWAYS_ASKED, *properties]))

    def fingerprint(self) -> str:
        """What a record made with this profile depends on: each field's leader and what the other may do."""
        policy = {name: (t.leader, t.fills, t.joins) for name, t in sorted(self.fields.items())}
        return hashlib.sha256(json.dumps([self.name, policy]).encode()).hexdigest()[:16]

    def describe(self) -> str:
        """One line for stderr: which profile, measured on how much."""
        if not self.fields:
            return "trust profile: default (model leads; the reader fills empty fields and flags disagreements)"
        cases = self.meta.get("fixtures", {}).get("cases", "?")
        led = [name for name, trust in self.fields.items() if trust.leader == "reader"]
        line = f"trust profile: {self.name} (measured on {cases} cases; the reader leads on {len(led)} fields)"
        if self.asked_properties() == ():
            line += (
                "; the model was less precise than the reader on every field, so it is not asked "
                "(--trust-profile default asks it anyway; --base-url or OPENAI_API_KEY for a capable model)"
            )
        return line

    def to_json(self) -> dict[str, Any]:
        return {
            "format": "summarizer-trust-profile",
            "format_version": PROFILE_FORMAT,
            "name": self.name,
            **self.meta,
            "policy": {"fill_min": FILL_MIN, "join_min": JOIN_MIN, "precision": "smoothed: (correct+1)/(emitted+2)"},
            "fields": {
                name: {
                    "leader": trust.leader,
                    "other_fills": trust.fills,
                    "other_joins": trust.joins,
                    **{source: m.to_json() for source, m in self.measured.get(name, {}).items()},
                }
                for name, trust in self.fields.items()
            },
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], where: str) -> TrustProfile:
        if data.get("format") != "summarizer-trust-profile":
            raise ConfigError(f"{where}: not a trust profile")
        if data.get("format_version") != PROFILE_FORMAT:
            found = data.get("format_version")
            raise ConfigError(f"{where}: trust profile format {found!r}, expected {PROFILE_FORMAT}")
        measured: dict[str, dict[Source, Measured]] = {}
        for name, entry in (data.get("fields") or {}).items():
            if name not in (*FIELDS, *TEXT_FIELDS):
                continue
            sides: dict[Source, Measured] = {}
            for source in ("model", "reader"):
                counts = entry.get(source) or {}
                try:
                    sides[source] = Measured(
                        **{k: type(getattr(Measured(), k))(counts.get(k) or 0) for k in Measured.__dataclass_fields__}
                    )
                except (TypeError, ValueError) as exc:
                    raise ConfigError(f"{where}: fields.{name}.{source}: not a count ({exc})") from exc
            measured[name] = sides
        meta = {k: v for k, v in data.items() if k not in ("format", "format_version", "name", "fields", "policy")}
        return cls.from_measurements(str(data.get("name") or Path(where).stem), measured, meta)

    @classmethod
    def from_measurements(
        cls, name: str, measured: dict[str, dict[Source, Measured]], meta: dict[str, Any]
    ) -> TrustProfile:
        fields = {
            field_name: (FieldTrust.measured_text if field_name in TEXT_FIELDS else FieldTrust.measured)(
                sides["model"], sides["reader"]
            )
            for field_name, sides in measured.items()
            if "model" in sides and "reader" in sides
        }
        return cls(name, fields, measured, meta)


def _smoothed(correct: int, emitted: int) -> float:
    return (correct + 1) / (emitted + 2)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


# ---------------------------------------------------------------- finding a profile


def shipped_profiles_dir() -> Path:
    return Path(__file__).parent.parent / "profiles"


def profile_dirs(home: Path) -> list[Path]:
    """Where profiles are looked for: the user's (saved by ``eval --save-profile`` there), then the packaged."""
    return [home / "profiles", shipped_profiles_dir()]


def load_profile(path: Path) -> TrustProfile:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"trust profile {path}: cannot read it ({exc})") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"trust profile {path}: not a trust profile")
    return TrustProfile.from_json(data, str(path))


def setup_key(backend: str, model: str, prompt_name: str, prompt_hash: str) -> dict[str, str]:
    """What a profile was measured for: a profile serves exactly this setup."""
    return {"backend": backend, "model": model, "prompt_name": prompt_name, "prompt_hash": prompt_hash}


def find_profile(home: Path, setup: dict[str, str]) -> Path | None:
    """The first profile (user's before packaged, by file name) measured for this setup."""
    for folder in profile_dirs(home):
        for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, json.JSONDecodeError):
                continue
            if isinstance(data, dict) and all(data.get("setup", {}).get(k) == v for k, v in setup.items()):
                return path
    return None


def stale_reason(profile: TrustProfile, code_version: str) -> str | None:
    """Why a profile no longer describes this code (None: it does)."""
    made_by = profile.meta.get("code_version")
    if made_by != code_version:
        return f"it was measured by other code ({made_by}, now {code_version})"
    return None


def fixtures_hash(entries: list[tuple[str, str, str]]) -> str:
    """A hash of the measured cases: (name, article sha256, labels file sha256) each."""
    digest = hashlib.sha256()
    for name, article, labels in sorted(entries):
        digest.update(f"{name}\0{article}\0{labels}\n".encode())
    return digest.hexdigest()[:16]
