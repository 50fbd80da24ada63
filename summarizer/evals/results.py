"""The data of an eval run: one row per case and repeat, plus the run's metadata; JSON in and out.

A failing case is a row with ``error`` set, never a missing row: its fields are scored as an empty
prediction, so errors cost recall instead of silently shrinking the denominator.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from summarizer.errors import SummarizerError
from summarizer.evals.scorers import FieldScore

FORMAT_VERSION = "1"


class RunFormatError(SummarizerError):
    """A saved run or report file cannot be read (usage error: exit code 2)."""

    exit_code = 2


@dataclass
class CaseRow:
    case: str
    repeat: int = 0
    error: str | None = None
    scores: list[FieldScore] = field(default_factory=list)
    text: dict[str, float] = field(default_factory=dict)
    located: int = 0
    emitted: int = 0
    unlocated: list[str] = field(default_factory=list)
    repaired: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_s: float = 0.0
    model_calls: int = 0
    cached: bool = False
    record: dict[str, Any] | None = None
    # what grounding removed: {"path", "said" (the model's value there, or None), "why"} per value
    removed: list[dict[str, Any]] = field(default_factory=list)

    def outcomes(self) -> dict[str, dict[str, int]]:
        return {score.field: score.outcomes for score in self.scores}

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["scores"] = {
            s.field: {"outcomes": s.outcomes, "expected": s.expected, "predicted": s.predicted} for s in self.scores
        }
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CaseRow:
        scores = [
            FieldScore(name, dict(s["outcomes"]), s.get("expected"), s.get("predicted"))
            for name, s in data.get("scores", {}).items()
        ]
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__ and k != "scores"}
        return cls(**known, scores=scores)


@dataclass
class Run:
    meta: dict[str, Any]
    rows: list[CaseRow]
    _summary: dict[str, Any] | None = field(default=None, repr=False, compare=False)

    @property
    def run_id(self) -> str:
        return str(self.meta.get("run_id", "?"))

    @property
    def summary(self) -> dict[str, Any]:
        """Metrics computed from the rows (once: the bootstrap is not free)."""
        if self._summary is None:
            from summarizer.evals.stats import summarize  # stats imports this module

            self._summary = summarize(self.rows)
        return self._summary

    def to_json(self) -> dict[str, Any]:
        return {
            "format_version": FORMAT_VERSION,
            "meta": self.meta,
            "summary": self.summary,
            "cases": [row.to_json() for row in self.rows],
        }

    @classmethod
    def from_json(cls, data: object, source: str) -> Run:
        if not isinstance(data, dict) or "cases" not in data or "meta" not in data:
            raise RunFormatError(f"{source}: not an eval report (expected 'format_version', 'meta' and 'cases')")
        version = str(data.get("format_version"))
        if version != FORMAT_VERSION:
            raise RunFormatError(f"{source}: report format {version!r}, this version reads {FORMAT_VERSION!r}")
        try:
            return cls(dict(data["meta"]), [CaseRow.from_json(row) for row in data["cases"]])
        except (TypeError, KeyError, AttributeError) as exc:
            raise RunFormatError(f"{source}: malformed case row ({exc})") from exc


def write_report(run: Run, path: str | Path) -> None:
    Path(path).write_text(json.dumps(run.to_json(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def read_report(path: str | Path) -> Run:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise RunFormatError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    except json.JSONDecodeError as exc:
        raise RunFormatError(f"{path}: invalid JSON at line {exc.lineno}: {exc.msg}") from exc
    return Run.from_json(data, str(path))
