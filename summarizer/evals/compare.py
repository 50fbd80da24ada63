"""Baseline comparison and the CI gate.

A baseline is named by a saved run id, a prompt name (its latest saved run, preferring the same
backend, model and fixtures), or a JSON report file such as ``evals/baselines/default-local.json``.
The gate fails on ``--fail-under FIELD=VALUE`` (absolute F1) and on ``--max-drop VALUE``: a field
whose F1 fell by more than VALUE *and* whose paired bootstrap interval lies wholly below zero, so a
drop inside the noise never fails a build. Because of that second condition a ``--max-drop`` gate over
too few cases could never fail, whatever the candidate did; such a gate does not pass either: it says
that it cannot detect the drop asked for (``stats.Power``) and fails.

A baseline made by other code (schema, grounding, reader, tool schema or the code that makes records)
is stale: ``staleness`` says so, one line per difference, and ``refresh_command`` the command that
makes it again.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.table import Table
from rich.text import Text

from summarizer.config.capabilities import BACKENDS, backend_info
from summarizer.config.settings import Settings
from summarizer.errors import ConfigError, PromptError
from summarizer.evals.report import compact_table, describe, field_labels
from summarizer.evals.results import Run, read_report

if TYPE_CHECKING:
    from rich.console import JustifyMethod
from summarizer.evals.stats import MACRO, MICRO, RESAMPLES, Delta, Power, paired_deltas
from summarizer.model.prompts import load_prompt
from summarizer.store.database import Store


class NoBaseline(ConfigError):
    """Nothing saved matches a baseline reference."""


IDENTITY = ("prompt_name", "prompt_hash", "strategy", "backend", "model", "parameters", "fixtures")
# What a run records of the code that made its records (``runner.run_meta``), and what the value is called;
# the strategies for which it matters (the reader's versions do not change a model-only run, and so on).
VERSIONS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("schema_version", "schema version", ("both", "model", "reader")),
    ("grounding_version", "grounding version", ("both", "model")),
    ("tool_schema_hash", "tool schema", ("both", "model")),
    ("reader_version", "reader version", ("both", "reader")),
    ("reader_pipeline", "spaCy pipeline", ("both", "reader")),
    ("code_version", "record-making code", ("both", "model", "reader")),
    ("scorer_version", "scoring code", ("both", "model", "reader")),
)


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
    underpowered: str | None = None  # why the --max-drop gate could not have failed on these cases
    power: Power | None = field(default=None, compare=False)
    # fields scored in some, but too few, of the shared cases for their own drop to be seen: "name (k cases)"; a
    # note, not a failure (most fields are labelled in a minority of articles, and the gate still watches them)
    blind_fields: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures and self.underpowered is None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"passed": self.passed, "failures": self.failures, "underpowered": self.underpowered}
        if self.power is not None:
            data["power"] = {
                "cases": self.power.cases,
                "max_drop": self.power.max_drop,
                "worse_cases_needed": self.power.worse_cases_needed,
                "smallest_detectable_drop": self.power.smallest_detectable,
                "lowest_max_drop": self.power.lowest_max_drop,
                "cases_needed": self.power.cases_needed,
                "blind_fields": self.blind_fields,
            }
        return data


def check_gate(
    candidate: Run,
    deltas: Sequence[Delta] | None,
    fail_under: dict[str, float],
    max_drop: float | None,
    *,
    baseline: Run | None = None,
) -> Gate:
    """The gate's verdict. ``--max-drop`` is judged over the cases the baseline and candidate share (all the
    candidate's cases when no ``baseline`` is given), and is underpowered when they are too few."""
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
        power = Power(shared_cases(baseline, candidate) if baseline is not None else len(_cases(candidate)), max_drop)
        blind = [
            f"{d.field} ({d.cases} case{'' if d.cases == 1 else 's'})"
            for d in deltas
            if d.field not in (MICRO, MACRO) and d.cases and not Power(d.cases, max_drop).enough
        ]
        return Gate(failures, power.problem(), power, blind if power.enough else [])
    return Gate(failures)


def _cases(run: Run) -> set[str]:
    return {row.case for row in run.rows}


def shared_cases(baseline: Run, candidate: Run) -> int:
    """How many cases a comparison of the two runs rests on."""
    return len(_cases(baseline) & _cases(candidate))


def compare_runs(baseline: Run, candidate: Run) -> list[Delta]:
    return paired_deltas(baseline.rows, candidate.rows)


def staleness(baseline: Run, candidate: Run) -> list[str]:
    """One line per way the baseline was made by other code than the candidate: schema, grounding, reader and
    tool schema versions, and the code that makes records (git revisions shown where recorded). A baseline
    from before runs recorded a version says it does not record it; nothing is said of a version the
    candidate does not record either."""
    base, cand = baseline.meta, candidate.meta
    strategies = {base.get("strategy", "model"), cand.get("strategy", "model")}
    lines = []
    for key, what, matters in VERSIONS:
        new = cand.get(key)
        if new is None or not strategies & set(matters):
            continue
        if base.get(key) is None:
            lines.append(f"baseline does not record {key} ({what}; this run: {new})")
        elif base[key] != new:
            line = f"baseline made with {what} {base[key]}, this run with {new} ({key})"
            lines.append(line + (_revisions(base, cand) if key == "code_version" else ""))
    if cand.get("code_version") is None or base.get("code_version") is None:
        old, now = (base.get("git") or {}).get("revision"), (cand.get("git") or {}).get("revision")
        if old and now and old != now:  # no code hash to tell whether it matters: say the revision moved
            older = str(base.get("created") or "") < str(cand.get("created") or "")
            lines.append(f"baseline made at {'an older' if older else 'another'} code revision{_revisions(base, cand)}")
        elif now and not old:
            lines.append("baseline does not record git revision")
    return lines


def _revisions(base: dict[str, Any], cand: dict[str, Any]) -> str:
    def stamp(meta: dict[str, Any]) -> str:
        git = meta.get("git") or {}
        revision = git.get("revision")
        return "-" if not revision else revision[:10] + ("+dirty" if git.get("dirty") else "")

    if not (base.get("git") or {}).get("revision") and not (cand.get("git") or {}).get("revision"):
        return ""
    created = f" of {base['created']}" if base.get("created") else ""
    return f" (git {stamp(base)}{created} -> {stamp(cand)})"


def refresh_command(reference: str, baseline: Run) -> str:
    """The command that makes ``baseline`` again with the code installed now: for a report file, the run
    that rewrites it (``--save-baseline``); for a saved run or prompt name, the run that saves a newer run
    of that prompt, which ``--baseline PROMPT`` then finds."""
    meta = baseline.meta
    defaults = Settings()
    parameters = meta.get("parameters") or {}
    env = [
        f"{Settings.ENV[name]}={shlex.quote(str(parameters[name]))}"
        for name in ("max_tokens", "seed", "max_retries")
        if parameters.get(name) is not None and parameters[name] != getattr(defaults, name)
    ]
    args = ["summarizer", "eval"]
    if meta.get("fixtures"):
        args += ["--fixtures", str(meta["fixtures"])]
    args += ["--prompt", _prompt_argument(meta)]
    backend, model = meta.get("backend"), meta.get("model")
    if backend in BACKENDS:
        info = backend_info(str(backend))
        args += ["--backend", str(backend)]
        if info.embedded_model and model and model != info.default_model:
            args += ["--model-path", str(model)]  # the run records the file's name only; give its path
        elif not info.embedded_model and model:
            args += ["--model", str(model)]
            if meta.get("base_url"):
                args += ["--base-url", str(meta["base_url"])]
    if meta.get("strategy") and meta["strategy"] != defaults.strategy:
        args += ["--strategy", str(meta["strategy"])]
    if parameters.get("temperature"):
        args += ["--temperature", str(parameters["temperature"])]
    if isinstance(meta.get("repeat"), int) and meta["repeat"] > 1:
        args += ["--repeat", str(meta["repeat"])]
    if Path(reference).is_file():
        return " ".join([*env, shlex.join([*args, "--save-baseline", reference])])
    then = shlex.quote(str(meta.get("prompt_name") or "default"))  # saved runs are found by prompt name
    return " ".join([*env, shlex.join(args)]) + f"   (it saves a run; then compare with --baseline {then})"


def _prompt_argument(meta: dict[str, Any]) -> str:
    """The prompt by name when the run used the prompt of that name, else by the file it was read from."""
    name, path = str(meta.get("prompt_name") or "default"), meta.get("prompt_path")
    try:
        by_name = load_prompt(name)
    except PromptError:
        by_name = None
    if by_name is not None and (not path or Path(path).name == by_name.path.name):
        return name
    return str(path) if path else name


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
    table = compact_table(
        caption="paired bootstrap over cases (repeats pooled within a case); '~' = within noise",
        caption_justify="left",
    )
    columns: tuple[tuple[str, JustifyMethod], ...] = (
        ("field", "left"),
        ("baseline F1", "right"),
        ("candidate F1", "right"),
    )
    for name, justify in columns:
        table.add_column(name, justify=justify)
    for name in ("delta", "95% CI", "p", ""):
        table.add_column(name, justify="right")
    labels = dict(zip([d.field for d in deltas], field_labels([d.field for d in deltas]), strict=True))
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
            labels[delta.field],
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


def comparison_json(
    baseline: Run, deltas: Sequence[Delta], gate: Gate | None, stale: Sequence[str] = (), refresh: str | None = None
) -> dict[str, Any]:
    return {
        "baseline": baseline.run_id,
        "stale": list(stale),
        "refresh": refresh if stale else None,
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
        "gate": None if gate is None else gate.to_json(),
    }
