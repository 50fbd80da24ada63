"""Field scorers: compare one predicted Event with one case's labels, field by field.

Every scored unit gets one of five outcomes (OUTCOMES). Scalar fields (event_type, when, counts,
count qualifiers) yield one outcome per case; list fields (places, actors, damage, statements,
weapons.kinds) yield one per item after a one-to-one best assignment: matched items are
``correct``, unmatched gold items ``missing``, unmatched predictions ``invented``. An empty gold
list with an empty prediction is ``correct_empty``. Title and summary are not outcomes: they get a
similarity in [0, 1], reported and never gated.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from rapidfuzz import fuzz

from summarizer.evals.fixtures import COUNT_FIELDS, LIST_FIELDS, TEXT_FIELDS, CountLabel, ItemLabel, WindowLabel
from summarizer.record import Record
from summarizer.record.schema import CASUALTY_FIELDS, Count, Event, TimeWindow
from summarizer.text.normalize import name_key, normalise
from summarizer.versions import code_hash

Outcome = Literal["correct", "wrong", "missing", "invented", "correct_empty"]
OUTCOMES: tuple[Outcome, ...] = ("correct", "wrong", "missing", "invented", "correct_empty")

NAME_THRESHOLD = 0.9  # rapidfuzz ratio on name keys, for typos the transliteration table does not know
MATCH_BONUS = 100.0  # assignment weight per match, so more matches always beat better-scoring fewer ones
# The code whose change moves the scores of unchanged records: the scorers, label parsing and name folding.
SCORING_CODE = ("evals/scorers.py", "evals/fixtures.py", "text")


def scorer_version() -> str:
    """A hash of the scoring code (``SCORING_CODE``): two runs are compared as like for like only when
    their records were scored by the same code."""
    return code_hash(SCORING_CODE)


# The order fields are reported in (a field appears only if some case labels it).
FIELD_ORDER: tuple[str, ...] = (
    "event_type",
    "when",
    "places",
    "places.kind",
    "actors",
    "actors.role",
    "weapons.kinds",
    *(name for count in COUNT_FIELDS[4:] + COUNT_FIELDS[:4] for name in (count, f"{count}.qualifier")),
    "damage",
    "statements",
)


@dataclass
class FieldScore:
    """The outcomes of one field in one case, with what was expected and predicted (for diffs)."""

    field: str
    outcomes: dict[str, int]
    expected: Any = None
    predicted: Any = None

    @classmethod
    def one(cls, name: str, outcome: Outcome, expected: Any, predicted: Any) -> FieldScore:
        return cls(name, {outcome: 1}, expected, predicted)


@dataclass(frozen=True)
class PredictedCount:
    """What a prediction commits to for a count: one figure (None when it states none) and a qualifier."""

    figure: int | None
    qualifier: str

    @classmethod
    def of(cls, count: Count) -> PredictedCount:
        return cls(count.figure(), count.qualifier)

    @classmethod
    def total(cls, counts: Sequence[Count]) -> PredictedCount | None:
        """Several weapons' counts as one: the sum of the figures stated; a shared qualifier or 'mixed'."""
        if not counts:
            return None
        parts = [cls.of(count) for count in counts]
        figures = [part.figure for part in parts if part.figure is not None]
        qualifiers = {part.qualifier for part in parts}
        return cls(sum(figures) if figures else None, qualifiers.pop() if len(qualifiers) == 1 else "mixed")


# ---------------------------------------------------------------- scalar scorers


def score_enum(gold: str | None, predicted: str | None) -> Outcome:
    if gold is None:
        return "correct_empty" if predicted is None else "invented"
    if predicted is None:
        return "missing"
    return "correct" if predicted == gold else "wrong"


def score_window(gold: WindowLabel | None, predicted: TimeWindow | None) -> Outcome:
    """Correct when the predicted window overlaps the gold one; a window without dates is wrong."""
    if gold is None:
        return "correct_empty" if predicted is None else "invented"
    if predicted is None:
        return "missing"
    start = predicted.date_start or predicted.date_end
    end = predicted.date_end or predicted.date_start
    if start is None or end is None:
        return "wrong"
    return "correct" if start <= gold.end and end >= gold.start else "wrong"


def score_count(gold: CountLabel | None, predicted: PredictedCount | None) -> Outcome:
    """Exact value, or any figure inside a gold range / bound; a vague gold wants no figure."""
    if gold is None:
        return "correct_empty" if predicted is None else "invented"
    if predicted is None:
        return "missing"
    if gold.vague:
        return "correct" if predicted.figure is None else "wrong"
    if predicted.figure is None:
        return "wrong"
    return "correct" if gold.accepts(predicted.figure) else "wrong"


def score_qualifier(gold: CountLabel, predicted: PredictedCount | None) -> Outcome:
    return score_enum(gold.qualifier, predicted.qualifier if predicted else None)


# ---------------------------------------------------------------- lists


def name_similarity(aliases: Sequence[str], predicted: str) -> float:
    """1.0 for the same name key; 0.95 when the prediction contains a whole alias ("President X" vs "X");
    the fuzzy ratio when it is at least NAME_THRESHOLD; else 0 (no match)."""
    key = name_key(predicted)
    if not key:
        return 0.0
    best = 0.0
    for alias in aliases:
        alias_key = name_key(alias)
        if not alias_key:
            continue
        if alias_key == key:
            return 1.0
        if f" {alias_key} " in f" {key} ":
            best = max(best, 0.95)
        ratio = fuzz.ratio(alias_key, key) / 100
        if ratio >= NAME_THRESHOLD:
            best = max(best, min(ratio, 0.95))
    return best


def best_assignment(weights: list[list[float]]) -> list[tuple[int, int]]:
    """Maximum-weight one-to-one matching of rows to columns (Hungarian algorithm); weight 0 = no match."""
    rows, cols = len(weights), len(weights[0]) if weights else 0
    if not rows or not cols:
        return []
    flip = rows > cols
    matrix = [list(column) for column in zip(*weights, strict=True)] if flip else weights
    n, m = len(matrix), len(matrix[0])
    inf = float("inf")
    u, v, owner, way = [0.0] * (n + 1), [0.0] * (m + 1), [0] * (m + 1), [0] * (m + 1)
    for i in range(1, n + 1):
        owner[0], j0 = i, 0
        min_v, used = [inf] * (m + 1), [False] * (m + 1)
        while True:
            used[j0] = True
            i0, delta, j1 = owner[j0], inf, 0
            for j in range(1, m + 1):
                if used[j]:
                    continue
                cur = -matrix[i0 - 1][j - 1] - u[i0] - v[j]
                if cur < min_v[j]:
                    min_v[j], way[j] = cur, j0
                if min_v[j] < delta:
                    delta, j1 = min_v[j], j
            for j in range(m + 1):
                if used[j]:
                    u[owner[j]] += delta
                    v[j] -= delta
                else:
                    min_v[j] -= delta
            j0 = j1
            if owner[j0] == 0:
                break
        while j0:
            j1 = way[j0]
            owner[j0] = owner[j1]
            j0 = j1
    pairs = [(owner[j] - 1, j - 1) for j in range(1, m + 1) if owner[j]]
    if flip:
        pairs = [(col, row) for row, col in pairs]
    return sorted((row, col) for row, col in pairs if weights[row][col] > 0)


def match_items(
    gold: Sequence[Any], predicted: Sequence[Any], similarity: Callable[[Any, Any], float]
) -> tuple[dict[str, int], list[tuple[int, int]]]:
    """Outcome counts and matched (gold index, predicted index) pairs for two lists, in any order."""
    if not gold and not predicted:
        return {"correct_empty": 1}, []
    weights = [[(MATCH_BONUS + s) if (s := similarity(g, p)) > 0 else 0.0 for p in predicted] for g in gold]
    pairs = best_assignment(weights)
    outcomes = {
        "correct": len(pairs),
        "missing": len(gold) - len(pairs),
        "invented": len(predicted) - len(pairs),
    }
    return {k: n for k, n in outcomes.items() if n}, pairs


# ---------------------------------------------------------------- one event against its labels


def _items(event: Event | None, path: str) -> list[Any]:
    return list(getattr(event, path)) if event is not None else []


def _count(event: Event | None, path: str) -> PredictedCount | None:
    if event is None:
        return None
    group, name = path.split(".")
    if group == "weapons":
        return PredictedCount.total([c for w in event.weapons if (c := getattr(w, name)) is not None])
    count = getattr(event.casualties, name) if event.casualties is not None else None
    return PredictedCount.of(count) if count is not None else None


def _count_label(label: CountLabel | None) -> dict[str, Any] | None:
    if label is None:
        return None
    shown: dict[str, Any] = {"value": label.value, "min": label.min, "max": label.max, "vague": label.vague or None}
    shown["qualifier"] = label.qualifier
    return {k: v for k, v in shown.items() if v is not None}


def score_event(labels: dict[str, Any], event: Event | None) -> list[FieldScore]:
    """Score every labelled field; ``event=None`` (the case errored) scores as an empty prediction."""
    scores: list[FieldScore] = []
    if "event_type" in labels:
        gold_type, predicted_type = labels["event_type"], event.event_type if event else None
        scores.append(FieldScore.one("event_type", score_enum(gold_type, predicted_type), gold_type, predicted_type))
    if "when" in labels:
        gold, window = labels["when"], event.when if event else None
        shown = {"start": str(gold.start), "end": str(gold.end)} if gold else None
        pred_shown = window.model_dump(mode="json", include={"date_start", "date_end", "phrase"}) if window else None
        scores.append(FieldScore.one("when", score_window(gold, window), shown, pred_shown))
    for path, (key, attr, _allowed) in LIST_FIELDS.items():
        if path in labels:
            scores.extend(_score_list(path, key, attr, labels[path], _items(event, path)))
    if "weapons.kinds" in labels:
        kinds = list(dict.fromkeys(w.kind for w in _items(event, "weapons")))
        gold_kinds = labels["weapons.kinds"]
        outcomes, _ = match_items(gold_kinds, kinds, lambda choices, kind: 1.0 if kind in choices else 0.0)
        scores.append(FieldScore("weapons.kinds", outcomes, [list(c) for c in gold_kinds], kinds))
    for path in COUNT_FIELDS:
        if path not in labels:
            continue
        gold, predicted = labels[path], _count(event, path)
        pred_shown = {"figure": predicted.figure, "qualifier": predicted.qualifier} if predicted else None
        scores.append(FieldScore.one(path, score_count(gold, predicted), _count_label(gold), pred_shown))
        if gold is not None and gold.qualifier is not None:
            pred_qualifier = predicted.qualifier if predicted else None
            scores.append(
                FieldScore.one(f"{path}.qualifier", score_qualifier(gold, predicted), gold.qualifier, pred_qualifier)
            )
    return scores


def _score_list(path: str, key: str, attr: str | None, gold: list[ItemLabel], items: list[Any]) -> list[FieldScore]:
    names = [getattr(item, key) for item in items]
    outcomes, pairs = match_items(gold, names, lambda label, name: name_similarity(label.aliases, name))
    scores = [FieldScore(path, outcomes, [list(label.aliases) for label in gold], names)]
    if attr is None:
        return scores
    # kind / role: scored over matched items whose gold gives one, independently of the name score
    attr_outcomes: dict[str, int] = {}
    expected, predicted = [], []
    for g, p in pairs:
        allowed = gold[g].attr
        if allowed is None:
            continue
        value = getattr(items[p], attr)
        outcome = "correct" if value in allowed else "wrong"
        attr_outcomes[outcome] = attr_outcomes.get(outcome, 0) + 1
        expected.append([names[p], list(allowed)])
        predicted.append([names[p], value])
    if attr_outcomes:
        scores.append(FieldScore(f"{path}.{attr}", attr_outcomes, expected, predicted))
    return scores


# ---------------------------------------------------------------- free text


WORD = re.compile(r"\w+")


def text_similarity(reference: str, predicted: str) -> float:
    """Token-overlap F1 between normalised texts (the SQuAD measure): 1.0 identical words, 0.0 none shared."""
    gold_words, pred_words = WORD.findall(normalise(reference)), WORD.findall(normalise(predicted))
    if not gold_words or not pred_words:
        return float(gold_words == pred_words)
    common = sum((Counter(gold_words) & Counter(pred_words)).values())
    if not common:
        return 0.0
    precision, recall = common / len(pred_words), common / len(gold_words)
    return 2 * precision * recall / (precision + recall)


def score_text(labels: dict[str, Any], event: Event | None) -> dict[str, float]:
    return {
        path: text_similarity(labels[path], getattr(event, path) if event else "")
        for path in TEXT_FIELDS
        if labels.get(path) is not None
    }


# ---------------------------------------------------------------- grounding


def evidence_paths(event: Event) -> list[str]:
    """Paths of the emitted values that carry an evidence quote, named as in ``Record.spans``."""
    paths = ["when"] if event.when is not None else []
    for group in ("places", "actors", "weapons", "damage", "statements", "context"):
        for index, item in enumerate(getattr(event, group)):
            paths.append(f"{group}[{index}]")
            if group == "weapons":
                paths.extend(f"weapons[{index}].{n}" for n in ("launched", "intercepted") if getattr(item, n))
    if event.casualties is not None:
        for name in CASUALTY_FIELDS:
            if getattr(event.casualties, name) is not None:
                paths.append(f"casualties.{name}")
    return paths


LOCATED_MATCHES = frozenset({"exact", "normalised", "fuzzy"})


@dataclass
class Grounding:
    located: int = 0
    emitted: int = 0
    unlocated: list[str] = field(default_factory=list)
    repaired: int = 0  # of the unlocated, kept because the pipeline found the value and its sentence
    by_reader: int = 0  # of the repaired, the reader's own findings (``match == "reader"``), not the model's

    @property
    def rate(self) -> float | None:
        return self.located / self.emitted if self.emitted else None


def grounding(record: Record, nulled_codes: Sequence[str] = ("ungrounded",)) -> Grounding:
    """Located / emitted evidence-bearing values, from ``Record.spans`` and ``Record.warnings``.

    A warning with one of ``nulled_codes`` names a value the model emitted and grounding removed: on a list
    path (``places[2]``, model numbering) it is one more emitted, unlocated value; on a value still present
    (``when`` whose dates were stripped) it marks that value as not grounded. A ``sentence`` span (the
    model's quote was not found; the value was, and its sentence stands in) does not count as located.
    """
    paths = evidence_paths(record.event)
    spans = {path for path, span in record.spans.items() if span.match in LOCATED_MATCHES}
    dropped = [w.path for w in record.warnings if w.code in nulled_codes and w.path]
    stripped = {path for path in dropped if "[" not in path and path in paths}
    located = [path for path in paths if path in spans and path not in stripped]
    unlocated = [path for path in paths if path not in located] + [p for p in dropped if p not in stripped]
    kept = [p for p in paths if p not in located and p in record.spans and p not in stripped]
    by_reader = sum(1 for p in kept if record.spans[p].match == "reader")
    return Grounding(len(located), len(located) + len(unlocated), unlocated, len(kept), by_reader)
