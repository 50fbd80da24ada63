"""Metrics over case rows: per-field P / R / F1, micro and macro averages, bootstrap intervals,
paired comparison of two runs, and fields that flip between repeats.

Conventions: true positives are ``correct``; false positives ``wrong`` + ``invented``; false negatives
``wrong`` + ``missing``; ``correct_empty`` is a true negative. Precision with nothing predicted and
recall with nothing to find are 1.0 (vacuously), so a field the model rightly leaves empty everywhere
scores F1 = 1.0 and a single invention in it scores 0.0.

The resampling unit of every bootstrap is the case (all its repeats travel together), with a fixed
seed, so the same rows always give the same interval.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from summarizer.evals.results import CaseRow
from summarizer.evals.scorers import FIELD_ORDER, OUTCOMES

SEED = 20240321
RESAMPLES = 1000
MICRO, MACRO = "micro", "macro"


@dataclass(frozen=True)
class Tally:
    correct: int = 0
    wrong: int = 0
    missing: int = 0
    invented: int = 0
    correct_empty: int = 0

    @classmethod
    def of(cls, outcomes: dict[str, int]) -> Tally:
        return cls(**{name: outcomes.get(name, 0) for name in OUTCOMES})

    def __add__(self, other: Tally) -> Tally:
        return Tally(*(a + b for a, b in zip(self.as_tuple(), other.as_tuple(), strict=True)))

    def as_tuple(self) -> tuple[int, ...]:
        return (self.correct, self.wrong, self.missing, self.invented, self.correct_empty)

    @property
    def total(self) -> int:
        return sum(self.as_tuple())

    @property
    def precision(self) -> float:
        predicted = self.correct + self.wrong + self.invented
        return self.correct / predicted if predicted else 1.0

    @property
    def recall(self) -> float:
        expected = self.correct + self.wrong + self.missing
        return self.correct / expected if expected else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def fields_of(rows: Iterable[CaseRow]) -> list[str]:
    """Scored fields in report order (unknown ones last, alphabetically)."""
    seen = {score.field for row in rows for score in row.scores}
    return [f for f in FIELD_ORDER if f in seen] + sorted(seen - set(FIELD_ORDER))


def tallies(rows: Iterable[CaseRow], fields: Sequence[str]) -> dict[str, Tally]:
    total = {name: Tally() for name in fields}
    for row in rows:
        for score in row.scores:
            if score.field in total:
                total[score.field] = total[score.field] + Tally.of(score.outcomes)
    return total


def f1_scores(by_field: dict[str, Tally]) -> dict[str, float]:
    """F1 per field plus the micro (pooled counts) and macro (mean of field F1) averages."""
    scores = {name: tally.f1 for name, tally in by_field.items()}
    pooled = sum(by_field.values(), Tally())
    scores[MICRO] = pooled.f1
    scores[MACRO] = sum(scores[name] for name in by_field) / len(by_field) if by_field else 1.0
    return scores


# ---------------------------------------------------------------- bootstrap


def _by_case(rows: Iterable[CaseRow]) -> dict[str, list[CaseRow]]:
    groups: dict[str, list[CaseRow]] = defaultdict(list)
    for row in rows:
        groups[row.case].append(row)
    return dict(groups)


def mean_f1(rows: Sequence[CaseRow], fields: Sequence[str]) -> dict[str, float]:
    """F1 per field and averages, computed per repeat index and then averaged over repeats."""
    repeats = sorted({row.repeat for row in rows}) or [0]
    per_repeat = [f1_scores(tallies([r for r in rows if r.repeat == rep], fields)) for rep in repeats]
    return {name: sum(scores[name] for scores in per_repeat) / len(per_repeat) for name in per_repeat[0]}


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    position = q * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def bootstrap_ci(
    rows: Sequence[CaseRow], fields: Sequence[str], resamples: int = RESAMPLES, seed: int = SEED
) -> dict[str, tuple[float, float]]:
    """95% percentile interval of the mean-over-repeats F1 per field (and micro / macro), resampling cases."""
    groups = _by_case(rows)
    names = sorted(groups)
    if len(names) < 2:
        point = mean_f1(rows, fields)
        return {name: (value, value) for name, value in point.items()}
    rng = random.Random(seed)
    samples: dict[str, list[float]] = defaultdict(list)
    for _ in range(resamples):
        drawn = [row for _ in names for row in groups[rng.choice(names)]]
        for name, value in mean_f1(drawn, fields).items():
            samples[name].append(value)
    return {name: (_percentile(values, 0.025), _percentile(values, 0.975)) for name, values in samples.items()}


@dataclass(frozen=True)
class Delta:
    """Candidate minus baseline for one field, with a paired bootstrap interval and two-sided p-value."""

    field: str
    baseline: float
    candidate: float
    low: float
    high: float
    p_value: float

    @property
    def delta(self) -> float:
        return self.candidate - self.baseline

    @property
    def significant(self) -> bool:
        return self.low > 0 or self.high < 0


def paired_deltas(
    baseline: Sequence[CaseRow], candidate: Sequence[CaseRow], resamples: int = RESAMPLES, seed: int = SEED
) -> list[Delta]:
    """Per-field deltas over the cases both runs share, resampling cases (with all their repeats) in pairs."""
    base_groups, cand_groups = _by_case(baseline), _by_case(candidate)
    shared = sorted(set(base_groups) & set(cand_groups))
    base_rows = [row for name in shared for row in base_groups[name]]
    cand_rows = [row for name in shared for row in cand_groups[name]]
    fields = [f for f in fields_of(base_rows) if f in set(fields_of(cand_rows))]
    base_point, cand_point = mean_f1(base_rows, fields), mean_f1(cand_rows, fields)
    diffs: dict[str, list[float]] = defaultdict(list)
    rng = random.Random(seed)
    for _ in range(resamples if len(shared) > 1 else 0):
        drawn = [rng.choice(shared) for _ in shared]
        base = mean_f1([row for name in drawn for row in base_groups[name]], fields)
        cand = mean_f1([row for name in drawn for row in cand_groups[name]], fields)
        for name in base:
            diffs[name].append(cand[name] - base[name])
    result = []
    for name in [*fields, MICRO, MACRO]:
        point = cand_point[name] - base_point[name]
        values = diffs.get(name)
        if not values:  # fewer than two shared cases: no estimate of noise, so never significant
            result.append(Delta(name, base_point[name], cand_point[name], min(point, 0.0), max(point, 0.0), 1.0))
            continue
        below, above = sum(v <= 0 for v in values), sum(v >= 0 for v in values)
        p_value = min(1.0, 2 * min(below, above) / len(values))
        low, high = _percentile(values, 0.025), _percentile(values, 0.975)
        result.append(Delta(name, base_point[name], cand_point[name], low, high, p_value))
    return result


# ---------------------------------------------------------------- repeats


def flips(rows: Iterable[CaseRow]) -> dict[str, list[str]]:
    """Field -> cases whose outcome for that field differs between repeats of the same case."""
    found: dict[str, list[str]] = defaultdict(list)
    for case, group in sorted(_by_case(rows).items()):
        if len(group) < 2:
            continue
        per_repeat = [row.outcomes() for row in group]
        for name in sorted({f for outcomes in per_repeat for f in outcomes}):
            if len({tuple(sorted(o.get(name, {}).items())) for o in per_repeat}) > 1:
                found[name].append(case)
    return {name: found[name] for name in fields_of(rows) if name in found}


# ---------------------------------------------------------------- the summary block of a report


def summarize(rows: Sequence[CaseRow]) -> dict[str, object]:
    """Everything the terminal table and the JSON report show, computed from the rows alone."""
    fields = fields_of(rows)
    by_field = tallies(rows, fields)
    point = mean_f1(rows, fields)
    intervals = bootstrap_ci(rows, fields)
    repeats = len({row.repeat for row in rows}) or 1
    per_field = {
        name: {
            **{outcome: count for outcome, count in zip(OUTCOMES, tally.as_tuple(), strict=True)},
            "precision": tally.precision,
            "recall": tally.recall,
            "f1": point[name],
            "ci95": list(intervals[name]),
        }
        for name, tally in by_field.items()
    }
    pooled = sum(by_field.values(), Tally())
    text: dict[str, list[float]] = defaultdict(list)
    for row in rows:
        for name, value in row.text.items():
            text[name].append(value)
    located, emitted = sum(r.located for r in rows), sum(r.emitted for r in rows)
    return {
        "cases": len({row.case for row in rows}),
        "repeats": repeats,
        "rows": len(rows),
        "errors": sum(1 for row in rows if row.error),
        "fields": per_field,
        MICRO: {
            "precision": pooled.precision,
            "recall": pooled.recall,
            "f1": point.get(MICRO, 1.0),
            "ci95": list(intervals.get(MICRO, (1.0, 1.0))),
        },
        MACRO: {"f1": point.get(MACRO, 1.0), "ci95": list(intervals.get(MACRO, (1.0, 1.0)))},
        "text_similarity": {name: sum(values) / len(values) for name, values in text.items()},
        "grounding": {"located": located, "emitted": emitted, "rate": located / emitted if emitted else None},
        "usage": {
            "prompt_tokens": sum(r.prompt_tokens for r in rows),
            "completion_tokens": sum(r.completion_tokens for r in rows),
            "model_calls": sum(r.model_calls for r in rows),
            "cached_rows": sum(1 for r in rows if r.cached),
            "latency_s_total": sum(r.latency_s for r in rows),
            "latency_s_mean": sum(r.latency_s for r in rows) / len(rows) if rows else 0.0,
        },
        "flips": flips(rows),
    }
