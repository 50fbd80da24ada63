"""A self-contained HTML page for one run: the per-field table, per-case expected vs predicted, and
each article with every field's evidence highlighted from ``Record.spans``.

Article text, labels and model output are untrusted: every piece goes through ``html.escape``
(attributes with ``quote=True``). The page has no scripts and loads nothing.
"""

from __future__ import annotations

import json
from html import escape
from itertools import pairwise
from typing import Any

from summarizer.evals.report import cost_usd, describe, grounding_line
from summarizer.evals.results import CaseRow, Run
from summarizer.evals.stats import MACRO, MICRO

CSS = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 1.5rem auto; max-width: 72rem; padding: 0 1rem; color: #222; }
table { border-collapse: collapse; margin: .5rem 0 1rem; }
th, td { border: 1px solid #ccc; padding: .2rem .5rem; text-align: left; vertical-align: top; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
code, .value { font: 12px/1.4 ui-monospace, monospace; white-space: pre-wrap; word-break: break-word; }
.correct, .correct_empty { background: #e3f5e1; } .wrong { background: #fde2c8; }
.missing { background: #fff3b0; } .invented { background: #f8c9c9; }
.error { color: #a00; font-weight: bold; }
table.removed caption { text-align: left; font-weight: bold; }
.article { white-space: pre-wrap; border-left: 3px solid #ccc; padding-left: .8rem; }
mark { background: #ffe58a; border-bottom: 2px solid #c90; } mark.overlap { background: #ffc966; }
section.case { border-top: 2px solid #888; margin-top: 1.5rem; }
"""


def escape_html(value: object) -> str:
    """Any value as HTML text, safe in element content and in quoted attribute values."""
    return escape(str(value), quote=True)


_e = escape_html  # the short name the markup below uses


def _json(value: Any) -> str:
    return _e(json.dumps(value, ensure_ascii=False, indent=None)) if value is not None else "<i>null</i>"


def field_table(run: Run) -> str:
    summary = run.summary
    head = "".join(
        f"<th>{h}</th>"
        for h in ("field", "correct", "wrong", "missing", "invented", "empty", "P", "R", "F1", "95% CI", "flips")
    )
    rows = []
    for name, stats in summary["fields"].items():
        counts = "".join(
            f'<td class="n">{stats[o]}</td>' for o in ("correct", "wrong", "missing", "invented", "correct_empty")
        )
        low, high = stats["ci95"]
        rows.append(
            f"<tr><td><code>{_e(name)}</code></td>{counts}<td class='n'>{stats['precision']:.2f}</td>"
            f"<td class='n'>{stats['recall']:.2f}</td><td class='n'><b>{stats['f1']:.2f}</b></td>"
            f"<td class='n'>{low:.2f}-{high:.2f}</td><td class='n'>{len(summary['flips'].get(name, []))}</td></tr>"
        )
    micro, macro = summary[MICRO], summary[MACRO]
    rows.append(
        f"<tr><th>micro</th><td colspan=5></td><td class='n'>{micro['precision']:.2f}</td>"
        f"<td class='n'>{micro['recall']:.2f}</td><td class='n'><b>{micro['f1']:.2f}</b></td>"
        f"<td class='n'>{micro['ci95'][0]:.2f}-{micro['ci95'][1]:.2f}</td><td></td></tr>"
        f"<tr><th>macro</th><td colspan=7></td><td class='n'><b>{macro['f1']:.2f}</b></td>"
        f"<td class='n'>{macro['ci95'][0]:.2f}-{macro['ci95'][1]:.2f}</td><td></td></tr>"
    )
    return f"<table id='fields'><tr>{head}</tr>{''.join(rows)}</table>"


def highlight(text: str, spans: dict[str, dict[str, Any]]) -> str:
    """The article, escaped, with each located evidence span wrapped in <mark title="field paths">."""
    valid = {
        path: (span["start"], span["end"])
        for path, span in spans.items()
        if 0 <= span.get("start", -1) < span.get("end", -1) <= len(text)
    }
    cuts = sorted({0, len(text), *(b for span in valid.values() for b in span)})
    out = []
    for start, end in pairwise(cuts):
        covering = [path for path, (s, e) in valid.items() if s <= start and end <= e]
        piece = escape(text[start:end])
        if covering:
            css = ' class="overlap"' if len(covering) > 1 else ""
            out.append(f'<mark{css} title="{_e(", ".join(sorted(covering)))}">{piece}</mark>')
        else:
            out.append(piece)
    return "".join(out)


def removed_table(removed: list[dict[str, Any]]) -> str:
    """What the model said for each value grounding removed, and why it was removed."""
    items = "".join(
        f"<tr><td><code>{_e(item.get('path') or '')}</code></td>"
        f"<td class='value'>{_json(item.get('said')) if item.get('said') is not None else '<i>not stored</i>'}</td>"
        f"<td>{_e(item.get('why') or '')}</td></tr>"
        for item in removed
    )
    return (
        f"<table class='removed'><caption>removed by grounding ({len(removed)}): what the model said</caption>"
        f"<tr><th>field</th><th>the model said</th><th>why it was removed</th></tr>{items}</table>"
    )


def case_section(number: int, rows: list[CaseRow], article: str | None) -> str:
    name = rows[0].case
    parts = [f"<section class='case' id='case-{number}'><h2>{_e(name)}</h2>"]
    for row in rows:
        label = f"repeat {row.repeat}" + (" (cached)" if row.cached else "")
        parts.append(f"<h3>{_e(label)}</h3>")
        if row.error:
            parts.append(f"<p class='error'>error: {_e(row.error)}</p>")
        if row.traceback:
            parts.append(
                f"<details class='traceback'><summary>traceback</summary><pre><code>{_e(row.traceback)}</code></pre>"
                "</details>"
            )
        diff = [
            f"<tr class='{_e(max(s.outcomes, key=s.outcomes.__getitem__))}'><td><code>{_e(s.field)}</code></td>"
            f"<td>{_e(', '.join(f'{k} {v}' for k, v in s.outcomes.items()))}</td>"
            f"<td class='value'>{_json(s.expected)}</td><td class='value'>{_json(s.predicted)}</td></tr>"
            for s in row.scores
        ]
        parts.append(
            "<table class='diff'><tr><th>field</th><th>outcome</th><th>expected</th><th>predicted</th></tr>"
            + "".join(diff)
            + "</table>"
        )
        if row.removed:
            parts.append(removed_table(row.removed))
        event = (row.record or {}).get("event") or {}
        for text_field, similarity in row.text.items():
            parts.append(
                f"<p><b>{_e(text_field)}</b> (similarity {similarity:.2f}): {_e(event.get(text_field, ''))}</p>"
            )
        if row.emitted:
            parts.append(f"<p>grounding: {row.located}/{row.emitted} quotes located, {row.repaired} repaired</p>")
        warnings = (row.record or {}).get("warnings") or []
        if warnings:
            items = "".join(f"<li><code>{_e(w.get('path') or '')}</code> {_e(w.get('message'))}</li>" for w in warnings)
            parts.append(f"<details><summary>{len(warnings)} warning(s)</summary><ul>{items}</ul></details>")
        if article is not None:
            spans = (row.record or {}).get("spans") or {}
            parts.append(
                f"<details{' open' if row.repeat == rows[0].repeat else ''}><summary>article with evidence "
                f"({len(spans)} spans)</summary><div class='article'>{highlight(article, spans)}</div></details>"
            )
    parts.append("</section>")
    return "".join(parts)


def render_html(run: Run, articles: dict[str, str] | None = None) -> str:
    """The whole page; ``articles`` maps case name -> article text (as the pipeline saw it)."""
    articles = articles or {}
    summary, meta = run.summary, run.meta
    usage, found = summary["usage"], summary["grounding"]
    cost = cost_usd(meta, usage["prompt_tokens"], usage["completion_tokens"])
    by_case: dict[str, list[CaseRow]] = {}
    for row in run.rows:
        by_case.setdefault(row.case, []).append(row)
    similarity = ", ".join(f"{_e(k)} {v:.2f}" for k, v in summary["text_similarity"].items()) or "-"
    facts = [
        f"{summary['cases']} cases x {summary['repeats']} repeats; {summary['errors']} errors",
        f"text similarity (not gated): {similarity}",
        "grounding: "
        + _e(grounding_line(found, meta.get("strategy")))
        + ("; what the model said is shown per case" if found.get("removed") else ""),
        f"tokens {usage['prompt_tokens']:,} in / {usage['completion_tokens']:,} out; "
        + ("cost unknown" if cost is None else f"cost ${cost:.4f}"),
        f"mean latency {usage['latency_s_mean']:.2f}s",
    ]
    index = " · ".join(f"<a href='#case-{number}'>{_e(name)}</a>" for number, name in enumerate(by_case))
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; style-src 'unsafe-inline'\">"
        f"<title>eval {_e(run.run_id)}</title><style>{CSS}</style></head><body>"
        f"<h1>Eval run {_e(run.run_id)}</h1><p>{_e(describe(meta))}</p>"
        f"<ul>{''.join(f'<li>{fact}</li>' for fact in facts)}</ul>"
        f"{field_table(run)}<p>cases: {index}</p>"
        + "".join(case_section(n, rows, articles.get(name)) for n, (name, rows) in enumerate(by_case.items()))
        + "</body></html>\n"
    )
