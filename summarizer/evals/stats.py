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

import math
import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from operator import add

from summarizer.evals.rows import CaseRow
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
        return f1_from(self.correct, self.wrong + self.invented, self.wrong + self.missing)


def f1_from(tp: int, fp: int, fn: int) -> float:
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


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


class _Table:
    """(tp, fp, fn) per field for every case and repeat, flattened into lists, so that a bootstrap
    resample is a weighted sum of a few vectors rather than a walk over every score."""

    def __init__(self, rows: Iterable[CaseRow], fields: Sequence[str]) -> None:
        self.fields = list(fields)
        position = {name: index for index, name in enumerate(self.fields)}
        self.vectors: dict[tuple[str, int], list[int]] = {}
        for row in rows:
            vector = self.vectors.setdefault((row.case, row.repeat), [0] * (3 * len(self.fields)))
            for score in row.scores:
                if score.field in position:
                    at = 3 * position[score.field]
                    tally = Tally.of(score.outcomes)
                    vector[at] += tally.correct
                    vector[at + 1] += tally.wrong + tally.invented
                    vector[at + 2] += tally.wrong + tally.missing
        self.cases = sorted({case for case, _ in self.vectors})
        self.repeats = sorted({repeat for _, repeat in self.vectors}) or [0]

    def scores(self, weights: dict[str, int]) -> dict[str, float]:
        """Mean over repeats of the F1 per field (plus micro, macro) for cases drawn with these weights."""
        total: dict[str, float] = defaultdict(float)
        for repeat in self.repeats:
            acc = [0] * (3 * len(self.fields))
            for case, weight in weights.items():
                vector = self.vectors.get((case, repeat))
                if vector is not None:
                    acc = list(map(add, acc, vector if weight == 1 else [weight * v for v in vector]))
            for name, value in self._f1(acc).items():
                total[name] += value / len(self.repeats)
        return dict(total)

    def _f1(self, acc: list[int]) -> dict[str, float]:
        scores = {name: f1_from(*acc[3 * i : 3 * i + 3]) for i, name in enumerate(self.fields)}
        scores[MICRO] = f1_from(sum(acc[0::3]), sum(acc[1::3]), sum(acc[2::3]))
        scores[MACRO] = sum(scores[name] for name in self.fields) / len(self.fields) if self.fields else 1.0
        return scores

    def cases_scoring(self, name: str) -> set[str]:
        """The cases with a tp, fp or fn for ``name`` in some repeat (a correctly empty field scores nothing)."""
        at = 3 * self.fields.index(name)
        return {case for (case, _), vector in self.vectors.items() if any(vector[at : at + 3])}

    def resample(self, rng: random.Random) -> dict[str, int]:
        return Counter(rng.choice(self.cases) for _ in self.cases)


def mean_f1(rows: Sequence[CaseRow], fields: Sequence[str]) -> dict[str, float]:
    """F1 per field and averages, computed per repeat index and then averaged over repeats."""
    table = _Table(rows, fields)
    return table.scores(dict.fromkeys(table.cases, 1))


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
    table = _Table(rows, fields)
    if len(table.cases) < 2:
        point = table.scores(dict.fromkeys(table.cases, 1))
        return {name: (value, value) for name, value in point.items()}
    rng = random.Random(seed)
    samples: dict[str, list[float]] = defaultdict(list)
    for _ in range(resamples):
        for name, value in table.scores(table.resample(rng)).items():
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
    cases: int = 0  # the shared cases that score this field in either run (tp, fp or fn): those that can move it

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
    shared = {row.case for row in baseline} & {row.case for row in candidate}
    base_rows = [row for row in baseline if row.case in shared]
    cand_rows = [row for row in candidate if row.case in shared]
    fields = [name for name in fields_of(base_rows) if name in set(fields_of(cand_rows))]
    base, cand = _Table(base_rows, fields), _Table(cand_rows, fields)
    everything = dict.fromkeys(base.cases, 1)
    base_point, cand_point = base.scores(everything), cand.scores(everything)
    diffs: dict[str, list[float]] = defaultdict(list)
    rng = random.Random(seed)
    for _ in range(resamples if len(shared) > 1 else 0):
        weights = base.resample(rng)
        base_scores, cand_scores = base.scores(weights), cand.scores(weights)
        for name, value in cand_scores.items():
            diffs[name].append(value - base_scores[name])
    scoring = {name: len(base.cases_scoring(name) | cand.cases_scoring(name)) for name in fields}
    result = []
    for name in [*fields, MICRO, MACRO]:
        point = cand_point[name] - base_point[name]
        values = diffs.get(name)
        cases = scoring.get(name, len(shared))
        if not values:  # fewer than two shared cases: no estimate of noise, so never significant
            low, high, p_value = min(point, 0.0), max(point, 0.0), 1.0
        else:
            below, above = sum(v <= 0 for v in values), sum(v >= 0 for v in values)
            p_value = min(1.0, 2 * min(below, above) / len(values))
            low, high = _percentile(values, 0.025), _percentile(values, 0.975)
        result.append(Delta(name, base_point[name], cand_point[name], low, high, p_value, cases))
    return result


# ---------------------------------------------------------------- repeats


def flips(rows: Iterable[CaseRow]) -> dict[str, list[str]]:
    """Field -> cases whose outcome for that field differs between repeats of the same case."""
    groups: dict[str, list[CaseRow]] = defaultdict(list)
    for row in rows:
        groups[row.case].append(row)
    found: dict[str, list[str]] = defaultdict(list)
    for case, group in sorted(groups.items()):
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
    by_reader = [r.by_reader for r in rows]  # a run saved before this was counted has None: no total then
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
        "grounding": {
            "located": located,
            "repaired": sum(r.repaired for r in rows),
            **({} if None in by_reader else {"by_reader": sum(n for n in by_reader if n is not None)}),
            "removed": sum(len(r.removed) for r in rows),
            "emitted": emitted,
            "rate": located / emitted if emitted else None,
        },
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


# ---------------------------------------------------------------- power of the --max-drop gate

TAIL = 0.025  # each side of the 95% interval that paired_deltas reports


def cases_beyond_noise(cases: int, tail: float = TAIL) -> int | None:
    """The fewest of ``cases`` cases that must get worse (the others unchanged) for a drop to be beyond noise.

    A paired bootstrap resample that draws none of the m worse cases shows no change; that happens with
    probability (1 - m/n)^n, and the 95% interval lies below zero only when it is under 2.5%. So one worse
    case is never enough, however many cases there are, and for n >= 9 it takes four. None for fewer than
    two cases, where ``paired_deltas`` has no resampling and never calls a change significant.
    """
    if cases < 2:
        return None
    return next(m for m in range(1, cases + 1) if (1 - m / cases) ** cases < tail)


@dataclass(frozen=True)
class Power:
    """Whether a ``--max-drop`` gate over ``cases`` shared cases can fail at all on a drop just above ``max_drop``.

    With n cases one case moves a field scored once per case by about 1/n of F1, so a drop above ``max_drop``
    may come from as few as floor(max_drop * n) + 1 cases; the gate can catch it only when that is at least
    ``cases_beyond_noise(n)``. Over all shared cases this decides whether the gate can work at all; a field
    scored in only k of them moves by about 1/k a case, so ``Power(k, max_drop)`` says whether that field's
    gate can see the drop (``check_gate`` names the fields that cannot).
    """

    cases: int
    max_drop: float

    @property
    def worse_cases_needed(self) -> int | None:
        return cases_beyond_noise(self.cases)

    @property
    def enough(self) -> bool:
        if self.max_drop >= 1:  # no drop is larger than 1: there is nothing to detect
            return True
        needed = self.worse_cases_needed
        return needed is not None and math.floor(self.max_drop * self.cases + 1e-9) + 1 >= needed

    @property
    def smallest_detectable(self) -> float | None:
        """The smallest drop this many cases can show beyond noise (for a field scored once per case)."""
        needed = self.worse_cases_needed
        return None if needed is None else min(1.0, needed / self.cases)

    @property
    def lowest_max_drop(self) -> float | None:
        """The lowest ``--max-drop`` whose drops these cases can all detect."""
        needed = self.worse_cases_needed
        return None if needed is None else (needed - 1) / self.cases

    @property
    def cases_needed(self) -> int | None:
        """The fewest cases from which on a drop just above ``max_drop`` can always be beyond noise (None: no
        number will do, as for ``--max-drop 0``: a single worse case is never beyond noise). From nine cases on
        it takes four worse cases, so every n >= 3 / max_drop is enough; below that the answer is not monotone
        (0.3 is enough with 8 cases, not with 9), hence the scan down from there."""
        if self.max_drop <= 0:
            return None
        top = max(9, math.ceil(3 / self.max_drop + 1e-9) + 1)
        short = next((n for n in range(top, 0, -1) if not Power(n, self.max_drop).enough), 0)
        return short + 1

    def problem(self) -> str | None:
        """What a CI user must read instead of 'gate passed', or None when the gate can do its job."""
        if self.enough:
            return None
        cases = f"{self.cases} case" + ("" if self.cases == 1 else "s")
        lowest = self.lowest_max_drop if self.lowest_max_drop is not None and self.lowest_max_drop < 1 else None
        loosen = f"--max-drop ≥ {lowest:.3f}" if lowest is not None else ""
        if self.cases_needed is None:
            needs = "no number of cases is enough" + (f"; use {loosen}" if loosen else "")
        else:
            needs = f"needs ≥ {self.cases_needed} cases" + (f", or {loosen}" if loosen else "")
        why = (
            f"a drop is beyond noise only when at least {self.worse_cases_needed} of the {cases} get worse"
            if self.worse_cases_needed is not None
            else "with fewer than two cases there is no estimate of noise, so no drop is ever beyond it"
        )
        return f"gate cannot detect a drop of {self.max_drop:.3f} with {cases} ({needs}): {why}"
