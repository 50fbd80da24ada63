"""``python -m summarizer.cli.merge_eval``: pairwise grouping precision / recall of ``merge`` against the
fixtures' event ids, on records built from the labels, records from ``summarize``, or records the pipeline makes
now (what each measures: ``summarizer.merge.evaluate``). A developer's command, not one of `summarizer`'s."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import click

from summarizer.cli.kit import fail
from summarizer.config.settings import Settings
from summarizer.evals.fixtures import Case, FixtureError, fixture_stem, load_fixtures
from summarizer.merge.evaluate import PairwiseResult, evaluate, gold_of, noisy_trials, records_of
from summarizer.merge.grouping import DEFAULT_THRESHOLD
from summarizer.merge.loading import LoadProblem, load_inputs
from summarizer.pipeline import Summarizer
from summarizer.record import Record
from summarizer.record.merged import MergedEvent
from summarizer.run.runner import run_articles


def load_records(paths: Sequence[str]) -> list[Record | MergedEvent]:
    """The records and merged events of ``paths``; what cannot be read is said on stderr and left out."""
    loaded: list[Record | MergedEvent] = []
    for item in load_inputs(paths):
        if isinstance(item, LoadProblem):
            click.echo(f"error: {item}", err=True)
        else:
            loaded.append(item)
    return loaded


def summarize_fixtures(cases: Iterable[Case], gold: Mapping[str, str], out: Path) -> list[Record]:
    """Run the real pipeline on every fixture article that has an event id; write its records to ``out`` (a new
    or replaced JSONL file), each as it is made."""
    summarizer = Summarizer(Settings.from_env())
    records: list[Record] = []
    with out.open("w", encoding="utf-8") as handle:

        def keep(record: Record) -> None:
            handle.write(record.model_dump_json() + "\n")
            handle.flush()
            click.echo(f"summarized {record.article.id} ({record.provenance.latency_s:.1f} s)", err=True)
            records.append(record)

        articles = [case.article for case in cases if fixture_stem(case.labels_path) in gold]
        tally = run_articles(
            summarizer,
            articles,
            on_record=keep,
            on_failure=lambda failure: click.echo(f"error: {failure.id}: {failure.message}", err=True),
        )
    if tally.stopped is not None:
        raise fail(tally.stopped)
    return records


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


@click.command()
@click.option(
    "--fixtures", "fixtures_dir", default="evals/fixtures", show_default=True, type=click.Path(file_okay=False)
)
@click.option("--records", "record_paths", multiple=True, help="Records from summarize (default: built from labels).")
@click.option("--threshold", type=click.FloatRange(0, 1), default=DEFAULT_THRESHOLD, show_default=True)
@click.option("--sweep", is_flag=True, help="Also report P/R for thresholds 0.40 .. 1.00.")
@click.option(
    "--summarize",
    "summarize_to",
    type=click.Path(dir_okay=False),
    help="Summarize the fixture articles with the configured model (cached), save the records to this JSONL "
    "file and evaluate them.",
)
@click.option("--noise", type=click.FloatRange(0, 1), default=0.0, help="Also simulate extraction misses at this rate.")
@click.option("--trials", type=click.IntRange(1), default=20, show_default=True, help="Seeded trials for --noise.")
def main(
    fixtures_dir: str,
    record_paths: tuple[str, ...],
    threshold: float,
    sweep: bool,
    summarize_to: str | None,
    noise: float,
    trials: int,
) -> None:
    """Pairwise grouping precision / recall against the fixtures' event ids."""
    fixtures = Path(fixtures_dir)
    try:
        cases = load_fixtures(fixtures).cases
    except FixtureError as exc:
        raise fail(exc) from exc
    gold = gold_of(cases)
    if not gold:
        raise click.ClickException(f"{fixtures}: no labels file has a top-level 'event' id")
    if summarize_to:
        records: list[Record | MergedEvent] = list(summarize_fixtures(cases, gold, Path(summarize_to)))
        origin = f"model records ({summarize_to})"
    elif record_paths:
        records, origin = load_records(record_paths), "records: " + ", ".join(record_paths)
    else:
        records, origin = list(records_of(cases)), "synthetic records built from the labels"
    result = evaluate(records, gold, threshold)
    click.echo(f"{origin}; {result.items} reports of {result.events} events; threshold {threshold:g}")
    click.echo(
        f"pairs: TP {result.true_positive}  FP {result.false_positive}  FN {result.false_negative}  "
        f"precision {_fmt(result.precision)}  recall {_fmt(result.recall)}  F1 {_fmt(result.f1)}"
    )
    for a, b in result.false_merges:
        click.echo(f"  false merge: {a} + {b} ({gold[a]} vs {gold[b]})")
    for a, b in result.missed:
        click.echo(f"  missed: {a} + {b} (both {gold[a]})")
    if noise:
        plain = [r for r in records if isinstance(r, Record)]
        results = noisy_trials(plain, gold, threshold, noise, trials)
        fields = ("true_positive", "false_positive", "false_negative")
        tp, fp, fn = (sum(getattr(r, f) for r in results) for f in fields)
        pooled = PairwiseResult(results[0].items, results[0].events, tp, fp, fn, (), ())
        click.echo(
            f"with each of window / places / actors / type lost at rate {noise:g}, {trials} seeded trials: "
            f"pooled precision {_fmt(pooled.precision)} recall {_fmt(pooled.recall)} (TP {tp} FP {fp} FN {fn})"
        )
    if sweep:
        for step in range(40, 101, 5):
            swept = evaluate(records, gold, step / 100)
            click.echo(
                f"  threshold {step / 100:.2f}: precision {_fmt(swept.precision)} recall {_fmt(swept.recall)} "
                f"(TP {swept.true_positive} FP {swept.false_positive} FN {swept.false_negative})"
            )


if __name__ == "__main__":
    main()
