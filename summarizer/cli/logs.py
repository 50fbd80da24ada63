"""The `summarizer logs` command: shows what ``summarizer.store.logs`` finds, as a table, tab-separated lines or
JSON. ``summarizer.cli.root`` imports this module only when `summarizer logs` runs or shows its help (its
``LazyGroup``)."""

from __future__ import annotations

import json
import sqlite3
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

from summarizer.cli.kit import UsageError, fail
from summarizer.config.settings import home_dir
from summarizer.errors import ConfigError, StoreReadOnly, SummarizerError
from summarizer.output.what_ran import model_of
from summarizer.store.database import DB_NAME, Store
from summarizer.store.logs import STATUSES, Filters, call_json, call_logs, one_line, parse_when, run_json, run_logs

WHAT = ("calls", "runs")

# click 8.3 (still allowed by pyproject) has no generic ParamType: subscript it for the type checker only
if TYPE_CHECKING:
    DateParam = click.ParamType[datetime]
else:
    DateParam = click.ParamType


class When(DateParam):
    """An ISO date or datetime (UTC unless it has an offset); ``end``: the exclusive end of what it names."""

    name = "date"

    def __init__(self, *, end: bool = False) -> None:
        self.end = end

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> datetime:
        if isinstance(value, datetime):
            return value
        try:
            return parse_when(str(value), end=self.end)
        except ValueError:
            self.fail(f"{value!r} is not an ISO date or datetime (e.g. 2026-11-02 or 2026-11-02T14:30)", param, ctx)


EPILOG = """\b
Examples (from a clone of the repository, after a summarize or eval run):
  summarizer logs
  summarizer logs runs
  summarizer logs --status failed --since 2024-03-01 --json

\b
Environment:
  SUMMARIZER_HOME  the store read [~/.local/share/summarizer,
                   or $XDG_DATA_HOME/summarizer]

\b
Exit codes:
  0  ok (also when nothing matches, or there is no store yet)
  2  usage error (conflicting options, a bad date), or a store
     that cannot be read
"""


@click.command("logs", epilog=EPILOG)
@click.argument("what", type=click.Choice(WHAT), default="calls", required=False)
@click.option("-m", "--model", help="Only this model (its exact name, as listed).")
@click.option("--prompt", help="Only this prompt: its name, or the start of its hash.")
@click.option("--since", type=When(), help="From this date or time on (ISO; UTC unless an offset is given).")
@click.option("--until", type=When(end=True), help="Up to this date (the whole day) or time, included.")
@click.option("--status", type=click.Choice(STATUSES), help="Calls only: those with an answer, or failed ones.")
@click.option(
    "-n", "--limit", type=click.IntRange(min=0), default=20, show_default=True, help="How many to list; 0: all."
)
@click.option("--json", "as_json", is_flag=True, help="One JSON array on stdout.")
@click.option("--jsonl", "as_jsonl", is_flag=True, help="One JSON object a line on stdout.")
def logs_command(
    what: str,
    model: str | None,
    prompt: str | None,
    since: datetime | None,
    until: datetime | None,
    status: str | None,
    limit: int,
    as_json: bool,
    as_jsonl: bool,
) -> None:
    """Recent model calls, or eval runs, from the store: newest first, with tokens, latency, failures and cost.

    \b
    summarizer logs [calls]  every model request stored (a cache hit is not a call)
    summarizer logs runs     saved eval runs (as `summarizer eval runs`, with tokens and cost)

    One command: WHAT (calls, the default, or runs) is an argument, not a subcommand, so the options
    may come before or after it; they filter both, except --status (calls only).

    On a terminal: a table, then a totals line over every call that matches (not only the listed ones).
    In a pipe: tab-separated lines, the totals on stderr. Calls: created, backend, model, prompt name,
    prompt hash, status, model calls, tokens in, tokens out, latency s, cost, article hash, error, article
    source (where it was read from; empty for calls logged before it was recorded). Runs:
    run id, created, prompt name, prompt hash, backend, model (reader and none for the reader alone), cases,
    repeats, micro F1, macro F1, tokens in, tokens out, cost, git revision, strategy. Times are UTC.

    Cost is priced, for the openai backend, from the table bundled with genai-prices (never fetched at
    run time); "local" for the embedded model, which costs nothing; "-" where the price is not known (a
    model the table lacks: a self-hosted server's, a fake one). A call's row does not record its base
    URL, so a server that serves a model under an OpenAI name is priced as OpenAI (eval runs record it
    and are not). Cached input tokens are not recorded either, so they are priced as ordinary input.
    """
    if as_json and as_jsonl:
        raise UsageError("--json and --jsonl cannot be used together")
    if since is not None and until is not None and since >= until:
        raise UsageError("--since must be before --until")
    if what == "runs" and status is not None:
        raise UsageError("--status applies to calls, not to runs")
    filters = Filters(model=model, prompt=prompt, since=since, until=until, status=status)
    fmt = "json" if as_json else "jsonl" if as_jsonl else "table" if sys.stdout.isatty() else "tsv"
    store = _open_store()
    if store is None:
        _nothing(fmt, f"no store yet at {_store_path()}: nothing has been logged")
        return
    try:
        (_calls if what == "calls" else _runs)(store, filters, limit or None, fmt)
    except SummarizerError as exc:  # the store's failures, in words (summarizer.store.database.store_error)
        raise fail(exc) from exc
    except sqlite3.Error as exc:
        raise fail(ConfigError(f"cannot read the store at {store.path}: {exc}")) from exc
    finally:
        store.close()


def _store_path() -> Path:
    """Where the store is: SUMMARIZER_HOME, as every command reads it (without the model settings)."""
    return home_dir() / DB_NAME


def _open_store() -> Store | None:
    """The store, or None when there is none yet (it is not created just to list nothing)."""
    path = _store_path()
    if not path.exists():
        return None
    try:
        try:
            return Store(path)
        except StoreReadOnly:  # listing needs no writing
            return Store(path, read_only=True)
    except ConfigError as exc:
        raise fail(exc) from exc
    except sqlite3.Error as exc:
        raise fail(ConfigError(f"cannot read the store at {path}: {exc}")) from exc


def _nothing(fmt: str, message: str) -> None:
    if fmt == "json":
        click.echo("[]")
    click.echo(message, err=fmt != "table")


def _emit(fmt: str, items: list[dict[str, Any]], to_json: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
    if fmt == "json":
        click.echo(json.dumps([to_json(item) for item in items], indent=2, ensure_ascii=False))
    else:
        for item in items:
            click.echo(json.dumps(to_json(item), ensure_ascii=False))


def _tsv(*cells: object) -> str:
    return "\t".join("" if cell is None else str(cell).replace("\t", " ") for cell in cells)


def _created(text: str | None) -> str:
    """A stored UTC time to the minute: 2026-11-02 14:30."""
    return (text or "").replace("T", " ")[:16]


# ------------------------------------------------------------------------------------------ calls


def _calls(store: Store, filters: Filters, limit: int | None, fmt: str) -> None:
    log = call_logs(store, filters, limit)
    rows, totals = log.rows, log.totals
    if not rows:
        _nothing(fmt, "no logged model calls match" if _filtered(filters) else "no model calls logged yet")
        return
    shown = f"{len(rows):,} of {totals.answers:,} matching calls, newest first"
    if fmt in ("json", "jsonl"):
        _emit(fmt, rows, call_json)
        click.echo(f"{shown}; {totals.line()}", err=True)
        return
    if fmt == "tsv":
        for row in rows:
            cells = (
                row["created"], row["backend"], row["model"], row["prompt_name"], row["prompt_hash"], row["status"],
                row["calls"], row["prompt_tokens"], row["completion_tokens"], _latency(row["latency_s"]),
                row["cost"].label, (row["article_sha256"] or "")[:12], one_line(row["error"]), row.get("article"),
            )  # fmt: skip
            click.echo(_tsv(*cells))
        click.echo(f"{shown}; {totals.line()}", err=True)
        return
    console = Console()
    console.print(*calls_view(rows, width=console.width, title=shown))
    console.print(totals.line(), highlight=False, soft_wrap=True)


def _filtered(filters: Filters) -> bool:
    return any(value is not None for value in vars(filters).values())


def _latency(seconds: float | None) -> str:
    return "" if seconds is None else f"{seconds:.2f}"


def article_name(row: dict[str, Any]) -> str:
    """The article of a call as a person knows it: its file's name (``feed.jsonl:7``), its URL, else (calls
    logged before the source was) the start of its hash."""
    source = row.get("article")
    if not source:
        return (row["article_sha256"] or "")[:8]
    return source if "://" in source or source == "stdin" else Path(source).name


def calls_view(rows: list[dict[str, Any]], *, width: int, title: str | None = None) -> list[Table | Text]:
    """The listed calls for a terminal ``width`` wide: a rich table, with an error column when some call
    failed, or, when the terminal is too narrow for it, the errors in lines under the table."""
    cells = [
        {
            "created (UTC)": _created(row["created"]),
            "model": row["model"],
            "prompt": f"{row['prompt_name']} {row['prompt_hash'][:8]}",
            "status": Text(row["status"], style="green" if row["status"] == "ok" else "red"),
            "calls": str(row["calls"] or 0),
            "in": f"{row['prompt_tokens'] or 0:,}",
            "out": f"{row['completion_tokens'] or 0:,}",
            "secs": _latency(row["latency_s"]),
            "cost": row["cost"].label,
            "article": article_name(row),
            "error": Text(one_line(row["error"]), style="red"),
        }
        for row in rows
    ]
    failures = [(cell, row) for cell, row in zip(cells, rows, strict=True) if row["status"] != "ok"]
    columns = [name for name in cells[0] if name != "error" or failures]
    table = _fit_table(
        title, columns, cells, width=width, flexible={"model": 8, "prompt": 8, "article": 12, "error": 24},
        right={"calls", "in", "out", "secs", "cost"}, droppable=["error", "article", "calls"],
    )  # fmt: skip
    if not failures or "error" in [column.header for column in table.columns]:
        return [table]
    notes = []
    for cell, row in failures:
        note = Text(f"failed {cell['created (UTC)']} {row['model']} article {cell['article']}: ", style="red")
        note.append(one_line(row["error"]))
        note.truncate(width, overflow="ellipsis")
        notes.append(note)
    return [table, *notes]


def _fit_table(
    title: str | None,
    columns: list[str],
    rows: list[dict[str, Any]],
    *,
    width: int,
    flexible: dict[str, int],
    right: set[str],
    droppable: list[str],
) -> Table:
    """A compact rich table that fits ``width``: each column as wide as its widest cell, except the
    ``flexible`` ones (name: least width), which share what is left and are cut with …; when even their
    least widths do not fit, the ``droppable`` columns are left out, in that order, until they do."""
    widest = {name: max([len(name), *(cell_len(str(row[name])) for row in rows)]) for name in columns}
    kept = list(columns)
    drops = [name for name in droppable if name in kept]
    while True:
        room = width - 2 * (len(kept) - 1) - sum(widest[name] for name in kept if name not in flexible)
        flex = sorted((name for name in kept if name in flexible), key=lambda name: widest[name])
        if sum(min(flexible[name], widest[name]) for name in flex) <= room or not drops:
            break
        kept.remove(drops.pop(0))
    allowed = {name: min(flexible[name], widest[name]) for name in flex}
    spare = room - sum(allowed.values())
    for index, name in enumerate(flex):  # the least needy first: what one does not need goes to the others
        more = max(0, min(widest[name] - allowed[name], spare // (len(flex) - index)))
        allowed[name] += more
        spare -= more
    table = Table(
        title=title, title_justify="left", box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False,
        padding=(0, 1), collapse_padding=True,  # two spaces between columns, none at the edges
    )  # fmt: skip
    for name in kept:
        table.add_column(
            name,
            justify="right" if name in right else "left",
            no_wrap=True,
            overflow="ellipsis",
            width=allowed.get(name, widest[name]),
        )
    for row in rows:
        table.add_row(*(row[name] for name in kept))
    return table


# ------------------------------------------------------------------------------------------- runs


def _runs(store: Store, filters: Filters, limit: int | None, fmt: str) -> None:
    runs = run_logs(store, filters, limit)
    if not runs:
        _nothing(
            fmt, "no saved eval runs match" if _filtered(filters) else "no saved eval runs yet; run `summarizer eval`"
        )
        return
    if fmt in ("json", "jsonl"):
        _emit(fmt, runs, run_json)
        return
    if fmt == "tsv":
        for run in runs:
            usage = run["usage"]
            alone = run.get("strategy") == "reader"  # no backend or model ran: as a reader record's provenance says
            cells = (
                run.get("run_id"), run.get("created"), run.get("prompt_name"), run.get("prompt_hash"),
                "reader" if alone else run.get("backend"), "none" if alone else run.get("model"), run.get("cases"),
                run.get("repeat"), _score(run.get("micro_f1")), _score(run.get("macro_f1")),
                usage.get("prompt_tokens"), usage.get("completion_tokens"), run["cost"].label, _git(run),
                run.get("strategy"),
            )  # fmt: skip
            click.echo(_tsv(*cells))
        click.echo(_runs_title(runs), err=True)
        return
    console = Console()
    console.print(runs_view(runs, width=console.width, title=_runs_title(runs)))


def _runs_title(runs: list[dict[str, Any]]) -> str:
    return f"{len(runs):,} eval run{'s' if len(runs) != 1 else ''}, newest first"


def runs_view(runs: list[dict[str, Any]], *, width: int, title: str | None = None) -> Table:
    """The listed eval runs as a rich table for a terminal ``width`` wide."""
    cells = [
        {
            "run": str(run.get("run_id")),
            "created (UTC)": _created(run.get("created")),
            "prompt": f"{run.get('prompt_name')} {str(run.get('prompt_hash') or '')[:8]}",
            "what ran": model_of(run),
            "cases": f"{run.get('cases')}x{run.get('repeat')}",
            "micro F1": _score(run.get("micro_f1")),
            "macro F1": _score(run.get("macro_f1")),
            "in": f"{run['usage'].get('prompt_tokens') or 0:,}",
            "out": f"{run['usage'].get('completion_tokens') or 0:,}",
            "cost": run["cost"].label,
            "git": _git(run),
        }
        for run in runs
    ]
    return _fit_table(
        title, [*cells[0]], cells, width=width, flexible={"prompt": 8, "what ran": 12, "git": 7},
        right={"cases", "micro F1", "macro F1", "in", "out", "cost"}, droppable=["git", "created (UTC)", "macro F1"],
    )  # fmt: skip


def _score(value: object) -> str:
    return f"{value:.2f}" if isinstance(value, float) else "-"


def _git(run: dict[str, Any]) -> str:
    git = run.get("git") or {}
    return (git.get("revision") or "-")[:10] + ("+dirty" if git.get("dirty") else "")
