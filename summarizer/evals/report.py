"""The terminal report (rich): per-field outcomes and P / R / F1, averages, grounding, tokens, cost, latency."""

from __future__ import annotations

from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from summarizer.config.capabilities import backend_info
from summarizer.config.settings import Strategy
from summarizer.evals.results import Run
from summarizer.evals.stats import MACRO, MICRO
from summarizer.output.what_ran import what_ran

# USD per million tokens (input, output), for models whose price is public. Prefix match on the model
# name, so dated snapshots ("gpt-4o-mini-2024-07-18") price like their family. Local models cost 0.
PRICES: dict[str, tuple[float, float]] = {
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4o": (2.50, 10.00),
    "gpt-4.1-nano": (0.10, 0.40),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1": (2.00, 8.00),
    "gpt-3.5-turbo": (0.50, 1.50),
    "o4-mini": (1.10, 4.40),
    "o3-mini": (1.10, 4.40),
}


def cost_usd(meta: dict[str, Any], prompt_tokens: int, completion_tokens: int) -> float | None:
    """What the tokens cost; 0 on the embedded model; None when the price is not known."""
    info = backend_info(meta.get("backend"))
    if info.free:
        return 0.0
    if not info.priced or meta.get("base_url"):
        return None  # a fake model, or a self-hosted / third-party server whose price we do not know
    model = str(meta.get("model") or "")
    prefix = max((p for p in PRICES if model.startswith(p)), key=len, default=None)
    if prefix is None:
        return None
    price_in, price_out = PRICES[prefix]
    return (prompt_tokens * price_in + completion_tokens * price_out) / 1_000_000


def _f(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def describe(meta: dict[str, Any]) -> str:
    git = meta.get("git") or {}
    revision = (git.get("revision") or "no git")[:10] + ("+dirty" if git.get("dirty") else "")
    return f"run {meta.get('run_id', '?')} · {what_ran(meta)} · schema {meta.get('schema_version')} · {revision}"


def compact_table(**options: Any) -> Table:
    """A table that fits 100 columns: no outer border, no column rules, two spaces between columns."""
    return Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, collapse_padding=True, **options)


def field_labels(names: list[str]) -> list[str]:
    """Field paths for a narrow first column: a sub-field right under its parent is shown as ``  .qualifier``
    (``casualties.injured.qualifier`` under ``casualties.injured``); any other keeps its whole path."""
    labels, previous = [], ""
    for name in names:
        parent, _, leaf = name.rpartition(".")
        labels.append(f"  .{leaf}" if parent and parent == previous else name)
        if not (parent and parent == previous):
            previous = name
    return labels


def field_table(run: Run) -> Table:
    summary = run.summary
    repeats = summary["repeats"]
    caption = (
        f"F1: the mean of {repeats} repeats (fields that flip between them, if any: below)" if repeats > 1 else None
    )
    table = compact_table(title=describe(run.meta), title_justify="left", caption=caption, caption_justify="left")
    table.add_column("field", no_wrap=True)
    for name in ("correct", "wrong", "missing", "invented", "empty", "P", "R", "F1", "95% CI"):
        table.add_column(name, justify="right", no_wrap=True)
    names = list(summary["fields"])
    for name, label in zip(names, field_labels(names), strict=True):
        stats = summary["fields"][name]
        low, high = stats["ci95"]
        cells: list[str | Text] = [
            label,
            *(str(stats[o]) for o in ("correct", "wrong", "missing", "invented", "correct_empty")),
            _f(stats["precision"]),
            _f(stats["recall"]),
            Text(_f(stats["f1"]), style="green" if stats["f1"] >= 0.8 else "red" if stats["f1"] < 0.5 else "yellow"),
            f"{low:.2f}-{high:.2f}",
        ]
        table.add_row(*cells)
    micro, macro = summary[MICRO], summary[MACRO]
    table.add_section()
    table.add_row(
        Text("micro", style="bold"),
        *[""] * 5,
        _f(micro["precision"]),
        _f(micro["recall"]),
        _f(micro["f1"]),
        "{:.2f}-{:.2f}".format(*micro["ci95"]),
    )
    table.add_row(Text("macro", style="bold"), *[""] * 7, _f(macro["f1"]), "{:.2f}-{:.2f}".format(*macro["ci95"]))
    return table


def strategy_table(runs: dict[Strategy, Run]) -> Table:
    """Each field's F1 per strategy (model alone, reader alone, both), and the values each invents."""
    names: list[Strategy] = [name for name in ("model", "reader", "both") if name in runs]
    table = compact_table(
        title="F1 per strategy (invented: values emitted where the label is empty)", title_justify="left"
    )
    table.add_column("field", no_wrap=True)
    for name in names:
        table.add_column(name, justify="right")
        table.add_column("invented", justify="right")
    fields = list(dict.fromkeys(f for name in names for f in runs[name].summary["fields"]))
    for field, label in zip([*fields, MICRO], [*field_labels(fields), MICRO], strict=True):
        cells = []
        for name in names:
            summary = runs[name].summary
            stats = summary[MICRO] if field == MICRO else summary["fields"].get(field, {})
            cells += [_f(stats.get("f1")), str(stats.get("invented", "")) if field != MICRO else ""]
        table.add_row(label, *cells)
    return table


def grounding_line(found: dict[str, Any], strategy: str | None = None) -> str:
    """Where the records' values came from: the model's quote located, a sentence standing in for the model's
    quote, removed, or the reader's own reading (runs saved before ``by_reader`` was counted say so). A run of
    the reader alone (``strategy``) had no model quote to locate: it says how many values the reader found."""
    if strategy == "reader":
        return f"{found['emitted']} values found by the reader, each on the sentence that states it (no model ran)"
    reader = found.get("by_reader", 0)
    said = found["emitted"] - reader  # the values the model gave, kept or removed
    if said:
        parts = [
            f"the model's quote was located for {found['located']} of the {said} values it gave "
            f"({found['located'] / said:.0%})",
            f"{found.get('repaired', 0) - reader} kept on the sentence around the value",
        ]
    else:
        parts = ["the model gave no value"]
    if found.get("removed"):
        parts.append(f"{found['removed']} removed")
    if reader:
        parts.append(f"{reader} {'more ' if said else ''}found by the reader")
    if "by_reader" not in found:
        parts.append("(a run saved before the reader's values were counted apart: they are among these)")
    return "; ".join(parts)


def footer_lines(run: Run) -> list[str]:
    summary, meta = run.summary, run.meta
    usage, found = summary["usage"], summary["grounding"]
    cost = cost_usd(meta, usage["prompt_tokens"], usage["completion_tokens"])
    similarity = ", ".join(f"{name} {value:.2f}" for name, value in summary["text_similarity"].items()) or "-"
    lines = [
        f"cases {summary['cases']} x repeats {summary['repeats']} = {summary['rows']} rows; errors {summary['errors']}",
        f"text similarity (token F1, reported, not gated): {similarity}",
        "grounding: "
        + grounding_line(found, meta.get("strategy"))
        + ("; what the model said: 'removed' per case in --json / --html" if found.get("removed") else ""),
        f"tokens: {usage['prompt_tokens']:,} in / {usage['completion_tokens']:,} out; cost: "
        + ("unknown price" if cost is None else f"${cost:.4f}"),
        f"latency per answer: mean {usage['latency_s_mean']:.2f}s; model calls this run: "
        f"{meta.get('model_calls', usage['model_calls'])}; served from cache: {usage['cached_rows']}/{summary['rows']}"
        + (f"; wall {meta['wall_s']:.1f}s" if "wall_s" in meta else ""),
    ]
    if summary["flips"]:
        flipped = ", ".join(f"{name} ({len(cases)})" for name, cases in summary["flips"].items())
        lines.append(f"fields that flip between repeats (cases): {flipped}")
    for row in run.rows:
        if row.error:
            hint = " (a bug: its traceback is in --json / --html)" if row.traceback else ""
            lines.append(f"error: {row.case} (repeat {row.repeat}): {row.error}{hint}")
    return lines


def print_run(run: Run, console: Console) -> None:
    console.print(field_table(run))
    for line in footer_lines(run):
        console.print(line, markup=False, highlight=False)
