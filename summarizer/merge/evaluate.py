"""Grouping quality: pairwise precision / recall of ``merge`` against known event ids.

Every unordered pair of reports is a decision: grouped together or not. Against gold event
ids (same id = same real event), a pair grouped and gold-same is a true positive, grouped
but gold-different a false positive, gold-same but not grouped a false negative.

Gold ids come from the fixtures: each ``NAME.labels.json`` carries a top-level ``"event"``
id. The records to group are either

- real ``summarize`` output for the fixture articles (``--records FILE...``; matched to the
  labels by article id = fixture name), or
- **synthetic records built from the hand labels** (the default, ``records_from_labels``):
  the gold values dressed as a record, with placeholder evidence. These measure the grouping
  rule on perfect extractions, an upper bound; they say nothing about the model. ``--noise``
  degrades them (window, places, actors, event type each lost at a rate, seeded trials) to
  see how the rule holds up when extraction misses things, or
- records the pipeline makes for the fixture articles now (``--summarize OUT.jsonl``).

The command that reports them is ``summarizer.cli.merge_eval``:

    python -m summarizer.cli.merge_eval [--fixtures evals/fixtures] [--records FILE... | --summarize OUT]
        [--threshold T] [--sweep] [--noise RATE --trials N]
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from summarizer.evals.fixtures import (
    Case,
    CountLabel,
    WindowLabel,
    fixture_stem,
    load_fixtures,
)
from summarizer.merge.grouping import Grouping, group_reports
from summarizer.merge.reports import collect_reports
from summarizer.record import Record, unmodelled_provenance
from summarizer.record.merged import MergedEvent
from summarizer.record.schema import CASUALTY_FIELDS, Event

PLACEHOLDER = "(synthetic record built from the hand labels)"


@dataclass(frozen=True)
class PairwiseResult:
    items: int
    events: int
    true_positive: int
    false_positive: int
    false_negative: int
    false_merges: tuple[tuple[str, str], ...]
    missed: tuple[tuple[str, str], ...]

    @property
    def precision(self) -> float | None:
        predicted = self.true_positive + self.false_positive
        return self.true_positive / predicted if predicted else None

    @property
    def recall(self) -> float | None:
        gold = self.true_positive + self.false_negative
        return self.true_positive / gold if gold else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p is not None and r is not None and p + r else None


def pairwise(predicted: Mapping[str, int], gold: Mapping[str, str]) -> PairwiseResult:
    """Pairwise P/R of a predicted clustering (item -> group number) against gold event ids."""
    items = sorted(set(predicted) & set(gold))
    tp = fp = fn = 0
    false_merges, missed = [], []
    for a, b in itertools.combinations(items, 2):
        together, same = predicted[a] == predicted[b], gold[a] == gold[b]
        if together and same:
            tp += 1
        elif together:
            fp += 1
            false_merges.append((a, b))
        elif same:
            fn += 1
            missed.append((a, b))
    return PairwiseResult(len(items), len({gold[i] for i in items}), tp, fp, fn, tuple(false_merges), tuple(missed))


def assignment(grouping: Grouping) -> dict[str, int]:
    """Article id -> group number (a report key when one article id has several reports)."""
    return {grouping.reports[i].source.id: g for g, members in enumerate(grouping.groups) for i in members}


# ---------------------------------------------------------------- gold ids and synthetic records


def gold_events(fixtures: Path) -> dict[str, str]:
    """Fixture name (= article id) -> its ``event`` id, for every labels file that has one."""
    return gold_of(load_fixtures(fixtures).cases)


def gold_of(cases: Iterable[Case]) -> dict[str, str]:
    return {fixture_stem(case.labels_path): case.event for case in cases if case.event is not None}


def records_from_labels(fixtures: Path) -> list[Record]:
    """One synthetic record per fixture: the gold labels as an event (see the module docstring)."""
    return records_of(load_fixtures(fixtures).cases)


def records_of(cases: Iterable[Case]) -> list[Record]:
    return [
        Record(
            article=case.article.meta(),
            event=event_from_labels(case.labels, case.article.published),
            provenance=unmodelled_provenance("gold labels (synthetic record)"),
        )
        for case in cases
    ]


def _count(label: CountLabel | None) -> dict[str, Any] | None:
    if label is None:
        return None
    if label.vague:
        return {"evidence": PLACEHOLDER, "phrase": "(vague)", "qualifier": "vague"}
    value, low, high = label.value, label.min, label.max
    qualifier = label.qualifier
    if qualifier in (None, "vague"):
        if value is not None:
            qualifier = "exact"
        elif low is not None and high is not None:
            qualifier = "range"
        else:
            qualifier = "at_least" if low is not None else "at_most"
    count = {"value": value, "low": low, "high": high, "qualifier": qualifier}
    return {"evidence": PLACEHOLDER, "phrase": "(label)", **count}


def _max_items(field: str) -> int | None:
    """The schema's bound on a list field (labels may list more items than a record may hold)."""
    for meta in Event.model_fields[field].metadata:
        if hasattr(meta, "max_length"):
            bound: int | None = meta.max_length  # pydantic's annotated_types.MaxLen
            return bound
    return None


def event_from_labels(labels: Mapping[str, Any], published: date | None) -> Event:
    """The parsed labels of one case (``evals.fixtures.parse_labels``) as an event."""

    def items(field: str, key: str, attr: str | None, default: str) -> list[dict[str, Any]]:
        out = []
        for item in (labels.get(field) or [])[: _max_items(field)]:
            entry = {"evidence": PLACEHOLDER, key: item.aliases[0]}
            if attr:
                entry[attr] = item.attr[0] if item.attr else default
            out.append(entry)
        return out

    when = None
    window: WindowLabel | None = labels.get("when")
    if window is not None:
        when = {"evidence": PLACEHOLDER, "phrase": "(label)", "date_start": window.start, "date_end": window.end}
    kinds = (labels.get("weapons.kinds") or [])[: _max_items("weapons")]
    weapons: list[dict[str, Any]] = [{"evidence": PLACEHOLDER, "kind": k[0]} for k in kinds]
    for measure in ("launched", "intercepted"):
        count = _count(labels.get(f"weapons.{measure}"))
        if count is not None:
            if not weapons:
                weapons.append({"evidence": PLACEHOLDER, "kind": "other"})
            weapons[0][measure] = count
    casualties = {name: _count(labels.get(f"casualties.{name}")) for name in CASUALTY_FIELDS}
    data = {
        "event_type": labels.get("event_type") or "other",
        "title": labels.get("title") or "(no title label)",
        "summary": labels.get("summary") or "(no summary label)",
        "when": when,
        "places": items("places", "name", "kind", "other"),
        "actors": items("actors", "name", "role", "other"),
        "weapons": weapons,
        "casualties": casualties if any(casualties.values()) else None,
        "damage": items("damage", "what", None, ""),
        "statements": [{**s, "gist": "(label)"} for s in items("statements", "speaker", None, "")],
    }
    return Event.model_validate(data)


# ---------------------------------------------------------------- simulated extraction misses


def degrade(record: Record, rng: random.Random, rate: float) -> Record:
    """Simulated extraction misses: each of window, places, actors, event type lost with probability ``rate``."""
    update: dict[str, Any] = {}
    if rng.random() < rate:
        update["when"] = None
    if rng.random() < rate:
        update["places"] = []
    if rng.random() < rate:
        update["actors"] = []
    if rng.random() < rate:
        update["event_type"] = "other"
    return record.model_copy(update={"event": record.event.model_copy(update=update)})


def noisy_trials(
    records: Sequence[Record], gold: Mapping[str, str], threshold: float, rate: float, trials: int
) -> list[PairwiseResult]:
    """Pairwise results of ``trials`` seeded degradations of ``records`` (seed = trial number)."""
    out = []
    for trial in range(trials):
        rng = random.Random(trial)
        out.append(evaluate([degrade(r, rng, rate) for r in records], gold, threshold))
    return out


def evaluate(records: Iterable[Record | MergedEvent], gold: Mapping[str, str], threshold: float) -> PairwiseResult:
    reports = [r for r in collect_reports(records) if r.source.id in gold]
    return pairwise(assignment(group_reports(reports, threshold)), gold)
