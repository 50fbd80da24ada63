"""One row of an eval run: a case (and repeat) scored field by field, with what its run cost; JSON in and out.

Below ``stats`` (metrics over rows) and ``results`` (a run: rows and metadata), which re-exports it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from summarizer.evals.scorers import FieldScore


@dataclass
class CaseRow:
    case: str
    repeat: int = 0
    error: str | None = None  # one line, ``Type: message``
    traceback: str | None = None  # the formatted traceback of an unexpected exception (not a SummarizerError)
    scores: list[FieldScore] = field(default_factory=list)
    text: dict[str, float] = field(default_factory=dict)
    located: int = 0
    emitted: int = 0
    unlocated: list[str] = field(default_factory=list)
    repaired: int = 0  # of the unlocated, kept on a sentence: the reader's findings and the model's repaired values
    # of the repaired, the values the reader found (``match == "reader"``), not the model; None in rows saved
    # before it was counted
    by_reader: int | None = None
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
