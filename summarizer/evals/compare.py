"""Baseline comparison and the CI gate.

A baseline is named by a saved run id, a prompt name (its latest saved run, preferring the same
backend, model and fixtures), or a JSON report file such as ``evals/baselines/default-local.json``.
The gate fails on ``--fail-under FIELD=VALUE`` (absolute F1) and on ``--max-drop VALUE``: a field
whose F1 fell by more than VALUE *and* whose paired bootstrap interval lies wholly below zero, so a
drop inside the noise never fails a build.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.table import Table
from rich.text import Text

from summarizer.errors import ConfigError
from summarizer.evals.report import describe
from summarizer.evals.results import Run, read_report
from summarizer.evals.stats import MACRO, MICRO, RESAMPLES, Delta, paired_deltas
from summarizer.store import Store


class NoBaseline(ConfigError):
    """Nothing saved matches a baseline reference."""


IDENTITY = ("prompt_name", "prompt_hash", "strategy", "schema_version", "backend", "model", "parameters", "fixtures")


def resolve_run(reference: str, store: Store, like: dict[str, Any] | None = None, exclude: str | None = None) -> Run:
    """A run by report file path, saved run id, or prompt name / hash (latest saved run of that prompt)."""
    path = Path(reference)
    if path.is_file():
        return read_report(path)
    saved = store.load_run(reference)
    if saved is not None:
        return Run.from_json(saved["result"], f"saved run {reference}")
    if reference.endswith(".json"):
        raise ConfigError(f"baseline report {reference} does not exist")
    runs = [
        meta
        for meta in store.list_runs(limit=10_000)
        if reference in (meta.get("prompt_name"), meta.get("prompt_hash")) and meta.get("run_id") != exclude
    ]
    if like:  # comparing with a fresh run: only runs on the same backend and model are a fair baseline
        runs = [meta for meta in runs if _same_setup(meta, like)]
        runs.sort(key=lambda meta: meta.get("fixtures") != like.get("fixtures"))  # stable: newest first within
    if not runs:
        where = f" on {like.get('backend')}/{like.get('model')}" if like else ""
        raise NoBaseline(
            f"no report file, saved run or run of a prompt named {reference!r}{where} (see `summarizer eval runs`)"
        )
    saved = store.load_run(str(runs[0]["run_id"]))
    assert saved is not None
    return Run.from_json(saved["result"], f"saved run {runs[0]['run_id']}")


def _same_setup(meta: dict[str, Any], like: dict[str, Any]) -> bool:
    """Same backend, model and strategy (a run from before strategies existed was the model alone)."""
    return all(meta.get(k) == like.get(k) for k in ("backend", "model")) and meta.get("strategy", "model") == like.get(
        "strategy", "model"
    )


def parse_thresholds(values: Iterable[str]) -> dict[str, float]:
    """``FIELD=VALUE`` options -> {field: value}, with VALUE an F1 between 0 and 1."""
    thresholds: dict[str, float] = {}
    for item in values:
        name, sep, raw = item.partition("=")
        try:
            value = float(raw)
        except ValueError:
            value = -1.0
        if not sep or not name.strip() or not 0.0 <= value <= 1.0:
            raise ConfigError(f"--fail-under {item!r}: expected FIELD=VALUE with VALUE between 0 and 1")
        thresholds[name.strip()] = value
    return thresholds


@dataclass(frozen=True)
class Gate:
    failures: list[str]

    @property
    def passed(self) -> bool:
        return not self.failures


def check_gate(
    candidate: Run, deltas: Sequence[Delta] | None, fail_under: dict[str, float], max_drop: float | None
) -> Gate:
    summary = candidate.summary
    scores = {name: stats["f1"] for name, stats in summary["fields"].items()}
    scores[MICRO], scores[MACRO] = summary[MICRO]["f1"], summary[MACRO]["f1"]
    unknown = sorted(set(fail_under) - set(scores))
    if unknown:
        raise ConfigError(f"--fail-under: no scored field {', '.join(unknown)} (fields: {', '.join(scores)})")
    failures = [
        f"{name}: F1 {scores[name]:.3f} is under {limit:.3f}"
        for name, limit in fail_under.items()
        if scores[name] < limit
    ]
    if max_drop is not None:
        if deltas is None:
            raise ConfigError("--max-drop needs a baseline (--baseline RUN_ID|PROMPT|PATH)")
        failures += [
            f"{d.field}: F1 dropped {-d.delta:.3f} ({d.baseline:.3f} -> {d.candidate:.3f}; 95% CI of the change "
            f"{d.low:+.3f}..{d.high:+.3f}, p {_p(d.p_value)}), more than {max_drop:.3f} and beyond noise"
            for d in deltas
            if d.delta < -max_drop and d.significant
        ]
    return Gate(failures)


def compare_runs(baseline: Run, candidate: Run) -> list[Delta]:
    return paired_deltas(baseline.rows, candidate.rows)


def differences(baseline: Run, candidate: Run) -> list[str]:
    """Both runs, what differs between their setups, and which cases only one of them has."""
    lines = [f"baseline  {describe(baseline.meta)}", f"candidate {describe(candidate.meta)}"]
    lines += [
        f"{key}: {baseline.meta.get(key)} -> {candidate.meta.get(key)}"
        for key in IDENTITY
        if baseline.meta.get(key) != candidate.meta.get(key)
    ]
    base_cases, cand_cases = {r.case for r in baseline.rows}, {r.case for r in candidate.rows}
    if base_cases - cand_cases:
        lines.append(f"only in the baseline (not compared): {', '.join(sorted(base_cases - cand_cases))}")
    if cand_cases - base_cases:
        lines.append(f"only in the candidate (not compared): {', '.join(sorted(cand_cases - base_cases))}")
    return lines


def comparison_table(baseline: Run, candidate: Run, deltas: Sequence[Delta]) -> Table:
    table = Table(
        caption="paired bootstrap over cases (repeats pooled within a case); '~' = within noise",
        caption_justify="left",
    )
    for name, justify in (("field", "left"), ("baseline F1", "right"), ("candidate F1", "right")):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for name in ("delta", "95% CI", "p", ""):
        table.add_column(name, justify="right")
    for delta in deltas:
        if delta.field == MICRO:
            table.add_section()
        verdict = (
            Text("better", style="green")
            if delta.significant and delta.delta > 0
            else Text("worse", style="red")
            if delta.significant and delta.delta < 0
            else Text("~", style="dim")
        )
        table.add_row(
            delta.field,
            f"{delta.baseline:.2f}",
            f"{delta.candidate:.2f}",
            f"{delta.delta:+.2f}",
            f"{delta.low:+.2f}..{delta.high:+.2f}",
            _p(delta.p_value),
            verdict,
        )
    return table


def _p(value: float) -> str:
    """A bootstrap p-value of 0 only means smaller than one resample in RESAMPLES."""
    return f"<{1 / RESAMPLES:g}" if value < 1 / RESAMPLES else f"{value:.3f}"


def comparison_json(baseline: Run, deltas: Sequence[Delta], gate: Gate | None) -> dict[str, Any]:
    return {
        "baseline": baseline.run_id,
        "fields": {
            d.field: {
                "baseline": d.baseline,
                "candidate": d.candidate,
                "delta": d.delta,
                "ci95": [d.low, d.high],
                "p_value": d.p_value,
                "significant": d.significant,
            }
            for d in deltas
        },
        "gate": None if gate is None else {"passed": gate.passed, "failures": gate.failures},
    }
