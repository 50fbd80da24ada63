"""``summarizer merge RECORDS...``: group records of the same event and write one merged event per group (on
stdout, or to --out), with ``summarizer.merge`` doing the grouping, reconciling and rendering."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from summarizer.cli.kit import UsageError, domain_errors
from summarizer.merge import DEFAULT_THRESHOLD, FORMATS, POLICIES, group_records, merge_grouping, render_merged
from summarizer.merge.grouping import explain as explain_grouping
from summarizer.merge.loading import LoadProblem, load_inputs
from summarizer.output.files import write_document, write_stdout
from summarizer.output.formats import BINARY_FORMATS, TERMINAL
from summarizer.output.printable import printable
from summarizer.output.tables import check_parquet, write_parquet

EPILOG = """\b
Examples (from a clone of the repository):
  summarizer summarize --strategy reader --out kyiv.jsonl \\
      'evals/fixtures/00[01]_*.txt'
  summarizer merge kyiv.jsonl
  summarizer merge kyiv.jsonl --policy median --explain --format json

\b
Environment: none; merge reads only its RECORDS (no model, settings or store).

\b
Exit codes:
  0    every input merged
  1    an input could not be read (the others are merged), no
       input held a valid record, or the output could not be
       written (a full disk or stdout)
  2    usage error (an option, a missing RECORDS)
  130  interrupted (Ctrl-C)
"""


def default_format(out_path: str | None) -> str:
    """By --out's suffix (.csv, .parquet, .md, .jsonl, else json); without --out: rich on a terminal, else json."""
    if out_path is None:
        return TERMINAL if sys.stdout.isatty() else "json"
    suffix = Path(out_path).suffix.lower()
    return {".csv": "csv", ".parquet": "parquet", ".md": "markdown", ".jsonl": "jsonl"}.get(suffix, "json")


@click.command("merge", epilog=EPILOG)
@click.argument("records", nargs=-1, required=True)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default=None,
    help="Output format [default: by --out's suffix (.csv .parquet .md .jsonl, else json); without --out, "
    "a rich view on a terminal, json otherwise]. csv / parquet: one row per merged event (columns in README).",
)
@click.option(
    "--policy",
    type=click.Choice(POLICIES),
    default="conservative",
    show_default=True,
    help="How a count's value is chosen: conservative (ACLED: smallest figure every source allows), "
    "latest (most recently published source) or median (of the stated figures).",
)
@click.option(
    "--threshold",
    type=click.FloatRange(0.0, 1.0),
    default=DEFAULT_THRESHOLD,
    show_default=True,
    help="Pair score needed to group two records (see summarizer/merge/grouping.py for the score).",
)
@click.option("--explain", is_flag=True, help="Print to stderr why each pair was or was not grouped.")
@click.option("--out", "out_path", type=click.Path(dir_okay=False, writable=True), help="Write here, not stdout.")
def merge_command(
    records: tuple[str, ...], fmt: str | None, policy: str, threshold: float, explain: bool, out_path: str | None
) -> None:
    """Merge records of the same event from several reports.

    RECORDS are JSON or JSONL files written by `summarizer summarize` (a JSON file may hold one
    record or a list), folders of them, or - for stdin. Merged events are valid input too:
    merging again changes nothing. Exit code 1 if any input could not be read.

    Two records are grouped when their score (0.35 time window + 0.30 place + 0.15 event type
    + 0.10 shared actors + 0.10 publication date, each part in -1..1) reaches --threshold and
    nothing blocks them (windows 2+ days apart, different cities, no shared place); every
    pair in a group must pass (complete linkage). Counts keep every source's claim: low and
    high are the smallest and largest stated figures, the value follows --policy, and a
    figure is disputed when the claims cannot all be true given their qualifiers.
    """
    if out_path == "-":  # --out - : stdout, as for other tools
        out_path = None
    if out_path is None and sys.stdout is None:  # started with stdout closed (>&-)
        raise UsageError("stdout is closed: the merged events would go nowhere; redirect it, or use --out FILE")
    loaded, problems = [], []
    for item in load_inputs(records, stdin=getattr(sys.stdin, "buffer", None)):
        if isinstance(item, LoadProblem):
            problems.append(item)
            click.echo(printable(f"error: {item}"), err=True)  # a name's newline or escape: shown, not obeyed
        else:
            loaded.append(item)
    if not loaded:
        raise click.ClickException("no valid records to merge")
    with domain_errors():  # a ConfigError (a policy or threshold click did not check) exits 2, as everywhere
        grouping = group_records(loaded, threshold)
        events = merge_grouping(grouping, policy)
    if explain:
        click.echo(explain_grouping(grouping), err=True)
    if fmt is None:
        fmt = default_format(out_path)
    with domain_errors():  # a full disk, a full or closed stdout: one line, exit 1, no partial file
        if fmt in BINARY_FORMATS:
            check_parquet(Path(out_path) if out_path else None)
            write_parquet(events, Path(str(out_path)))
        else:
            text = render_merged(events, fmt)
            if out_path:
                write_document(Path(out_path), text, replace=True)
            else:
                write_stdout(text)
    click.echo(
        f"merged {len(grouping.reports)} report(s) into {len(events)} event(s)"
        + (f"; wrote {out_path}" if out_path else "")
        + (f"; {len(problems)} input(s) skipped" if problems else ""),
        err=True,
    )
    if problems:
        sys.exit(1)
