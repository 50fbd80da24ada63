"""Measure a trust profile from the eval's model-alone and reader-alone runs over the same cases.

Per field and source: how many values it gave and how many were right (its precision, which decides who
leads), and, where the other source left the field empty, how many values it gave there and how many were
right (its *gap* precision, which decides whether it may fill the other's gaps). For lists the same is
measured for the items a source adds to the other's non-empty list (its *join* precision). Gap precision is
what separates the two ends: a capable model's empty field is usually a true "not stated", so the reader's
values there are mostly invented; a small model's empty field says nothing, so they are mostly right.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timezone
from hashlib import sha256
from typing import Any

from summarizer.combine.trust import FIELDS, TEXT_FIELDS, Measured, Source, TrustProfile, fixtures_hash, setup_key
from summarizer.evals.fixtures import LIST_FIELDS, Case
from summarizer.evals.results import Run
from summarizer.evals.rows import CaseRow
from summarizer.evals.scorers import match_items, name_similarity
from summarizer.pipeline import Summarizer, profile_code_version

EMPTY = ("missing", "correct_empty")
EMITTED = ("correct", "wrong", "invented")
EXPECTED = ("correct", "wrong", "missing")


class _Tally:
    def __init__(self) -> None:
        self.counts: dict[str, float] = defaultdict(float)

    def add(self, **counts: float) -> None:
        for key, value in counts.items():
            self.counts[key] += value

    def measured(self) -> Measured:
        counts = {key: int(self.counts.get(key, 0)) for key in Measured.__dataclass_fields__ if key != "similarity"}
        return Measured(**counts, similarity=float(self.counts.get("similarity", 0.0)))


def measure(model_run: Run, reader_run: Run) -> dict[str, dict[Source, Measured]]:
    """Per field, each source's overall, gap and join outcomes over the cases both runs scored."""
    tallies: dict[str, dict[Source, _Tally]] = {
        name: {"model": _Tally(), "reader": _Tally()} for name in (*FIELDS, *TEXT_FIELDS)
    }
    readers = {(row.case, row.repeat): row for row in reader_run.rows}
    for model_row in model_run.rows:
        reader_row = readers.get((model_row.case, model_row.repeat))
        if reader_row is None:
            continue
        rows: dict[Source, CaseRow] = {"model": model_row, "reader": reader_row}
        for name in TEXT_FIELDS:
            for source, row in rows.items():
                if name in row.text:
                    tallies[name][source].add(cases=1, similarity=row.text[name])
        scores = {source: {s.field: s for s in row.scores} for source, row in rows.items()}
        for name in FIELDS:
            if name not in scores["model"] or name not in scores["reader"]:
                continue
            pairs: tuple[tuple[Source, Source], ...] = (("model", "reader"), ("reader", "model"))
            for source, other in pairs:
                mine, theirs = scores[source][name], scores[other][name]
                tally = tallies[name][source]
                tally.add(
                    cases=1,
                    correct=mine.outcomes.get("correct", 0),
                    emitted=sum(mine.outcomes.get(k, 0) for k in EMITTED),
                    expected=sum(mine.outcomes.get(k, 0) for k in EXPECTED),
                )
                if name in LIST_FIELDS:
                    _list_extras(tally, mine.expected or [], mine.predicted or [], theirs.predicted or [])
                elif not any(theirs.outcomes.get(k, 0) for k in EMITTED):  # the other left it empty
                    tally.add(
                        gap_correct=mine.outcomes.get("correct", 0),
                        gap_emitted=sum(mine.outcomes.get(k, 0) for k in EMITTED),
                    )
    return {name: {source: tally.measured() for source, tally in sides.items()} for name, sides in tallies.items()}


def _list_extras(tally: _Tally, expected: list[Any], mine: list[Any], theirs: list[Any]) -> None:
    """The items of ``mine`` that ``theirs`` does not name, scored against the gold items ``theirs`` missed:
    into the gap counts when ``theirs`` is empty, into the join counts when it is not."""
    names = [_name(item) for item in mine]
    other_names = [_name(item) for item in theirs]
    extras = [n for n in names if not any(name_similarity([o], n) > 0 for o in other_names)]
    if not extras:
        return
    _, matched = match_items(expected, other_names, lambda gold, p: name_similarity(gold, p))
    left = [gold for index, gold in enumerate(expected) if index not in {g for g, _ in matched}]
    outcomes, _ = match_items(left, extras, lambda gold, p: name_similarity(gold, p))
    kind = "gap" if not theirs else "join"
    tally.add(**{f"{kind}_correct": outcomes.get("correct", 0), f"{kind}_emitted": len(extras)})


def _name(item: Any) -> str:
    """A predicted list item as the score rows show it: a name, or [name, kind]."""
    return str(item[0]) if isinstance(item, list | tuple) else str(item)


def build_profile(
    summarizer: Summarizer, cases: list[Case], model_run: Run, reader_run: Run, name: str
) -> TrustProfile:
    """The profile of this setup (backend, model, prompt) from its model and reader runs over ``cases``."""
    entries = [(case.name, case.article.sha256, sha256(case.labels_path.read_bytes()).hexdigest()) for case in cases]
    meta = {
        "setup": setup_key(
            summarizer.backend_name, summarizer.model_name, summarizer.prompt.name, summarizer.prompt.hash
        ),
        "code_version": profile_code_version(),
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "fixtures": {"hash": fixtures_hash(entries), "cases": len(cases), "names": [e[0] for e in entries]},
        "runs": {"model": model_run.run_id, "reader": reader_run.run_id},
    }
    return TrustProfile.from_measurements(name, measure(model_run, reader_run), meta)
