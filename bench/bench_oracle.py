"""Benchmark: what the pipeline does to a perfect model's answers, and to a noisy one's.

The oracle answers every fixture with its own labels (verbatim evidence), so before the pipeline it scores 1.0
on every field; whatever ``--strategy model`` loses is grounding's, whatever ``both`` loses beyond that is
combine's. The noisy oracle (same labels, perturbed as real models err: counts off by a few or swapped for
another figure of the sentence, a place swapped for another place the article names, an invented speaker, a
wrong event type) shows what the pipeline catches. ``both`` runs three ways: with the default profile (the
model leads, the reader fills gaps), and with a profile measured on the other half of the fixtures (two folds:
the profile is never measured on the cases it is used on). Prints micro F1 and every field where a strategy
differs, the grounding's remaining removals with their reasons, and how many swapped places were flagged.

    .venv/bin/python bench/bench_oracle.py [NOISE_SEED]      # default seed: 1
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).parents[1]

from summarizer.combine.trust import TrustProfile  # noqa: E402
from summarizer.config.settings import Settings  # noqa: E402
from summarizer.evals.fixtures import Case, load_fixtures  # noqa: E402
from summarizer.evals.oracle import OracleBackend  # noqa: E402
from summarizer.evals.results import Run  # noqa: E402
from summarizer.evals.runner import run_eval  # noqa: E402
from summarizer.evals.trust import build_profile  # noqa: E402
from summarizer.pipeline import Summarizer  # noqa: E402


def evaluate(home: Path, backend: OracleBackend, cases: list[Case], strategy: str, profile: TrustProfile | None) -> Run:
    settings = Settings.from_env({}, home=home, strategy=strategy, trust_profile="default")
    summarizer = Summarizer(settings, backend=backend)
    if profile is not None:
        summarizer.profile = profile
    return run_eval(summarizer, cases, use_cache=False)


def cross_validated(home: Path, backend: OracleBackend, cases: list[Case]) -> Run:
    """``both`` on each half of the cases with the profile measured on the other half."""
    halves = [cases[0::2], cases[1::2]]
    rows = []
    for index, half in enumerate(halves):
        other = halves[1 - index]
        model = evaluate(home, backend, other, "model", None)
        reader = evaluate(home, backend, other, "reader", None)
        measured_by = Summarizer(Settings.from_env({}, home=home, strategy="model"), backend=backend)
        profile = build_profile(measured_by, other, model, reader, f"fold{index}")
        rows += evaluate(home, backend, half, "both", profile).rows
    order = {case.name: i for i, case in enumerate(cases)}
    return Run({"strategy": "both"}, sorted(rows, key=lambda row: order[row.case]))


def report(title: str, runs: dict[str, Run]) -> None:
    summaries = {name: run.summary for name, run in runs.items()}
    print(f"\n## {title}\n")
    print(f"| field | {' | '.join(summaries)} |")
    print(f"|---|{'---|' * len(summaries)}")
    fields = list(next(iter(summaries.values()))["fields"])
    for name in ["micro", "macro", *fields]:
        values = [s[name]["f1"] if name in ("micro", "macro") else s["fields"][name]["f1"] for s in summaries.values()]
        if name in ("micro", "macro") or len({round(v or 0, 3) for v in values}) > 1:
            print(f"| {name} | {' | '.join(f'{v:.3f}' if v is not None else '-' for v in values)} |")


def flagged_swaps(backend: OracleBackend, run: Run) -> tuple[int, int]:
    """Of the places the noise swapped in, how many the record flags or no longer holds."""
    swapped = caught = 0
    for row in run.rows:
        for change in backend.answers[row.case].perturbations:
            if change["kind"] != "place_swapped":
                continue
            swapped += 1
            record = row.record or {}
            names = [p["name"] for p in record.get("event", {}).get("places", [])]
            warned = any(change["now"] in (w.get("message") or "") for w in record.get("warnings", []))
            caught += warned or change["now"] not in names
    return caught, swapped


def main(seed: int) -> None:
    cases = load_fixtures(ROOT / "evals" / "fixtures").cases
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder)
        oracle = OracleBackend.for_cases(cases)
        runs = {
            "model": evaluate(home, oracle, cases, "model", None),
            "both (default)": evaluate(home, oracle, cases, "both", None),
            "both (measured, 2 folds)": cross_validated(home, oracle, cases),
        }
        report(f"Oracle, {len(cases)} fixtures", runs)
        print("\nRemoved from the oracle's answers by grounding (each a label the article supports):")
        for row in runs["model"].rows:
            for removed in row.removed:
                print(f"- {row.case} {removed['path']}: {removed['why']}")
        noisy = OracleBackend.for_cases(cases, noise=seed)
        runs = {
            "model": evaluate(home, noisy, cases, "model", None),
            "both (default)": evaluate(home, noisy, cases, "both", None),
            "both (measured, 2 folds)": cross_validated(home, noisy, cases),
            "reader": evaluate(home, noisy, cases, "reader", None),
        }
        report(f"Noisy oracle (seed {seed}), {len(cases)} fixtures", runs)
        for name in ("both (default)", "both (measured, 2 folds)"):
            caught, swapped = flagged_swaps(noisy, runs[name])
            print(f"\nswapped places flagged or removed, {name}: {caught} of {swapped}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1)
