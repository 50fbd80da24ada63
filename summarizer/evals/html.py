"""A self-contained HTML page for one run: the per-field table, per-case expected vs predicted, and
each article with every field's evidence highlighted from ``Record.spans``.

The markup is ``templates/report.html.j2`` (in the page frame and with the highlighter of
``summarizer.output``), rendered with autoescape: article text, labels and model output are untrusted and
reach the page only as escaped text. The page has no scripts and loads nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from summarizer.evals.report import cost_usd, describe, grounding_line
from summarizer.evals.results import CaseRow, Run
from summarizer.evals.stats import MACRO, MICRO
from summarizer.output.highlight import Piece, pieces
from summarizer.output.templating import render

HEADERS = ("field", "correct", "wrong", "missing", "invented", "empty", "P", "R", "F1", "95% CI", "flips")
OUTCOMES = ("correct", "wrong", "missing", "invented", "correct_empty")


def _json(value: Any) -> str | None:
    return json.dumps(value, ensure_ascii=False, indent=None) if value is not None else None


@dataclass(frozen=True)
class ScoreView:
    field: str
    outcome: str  # the most frequent, the row's class
    outcomes: str
    expected: str | None  # JSON; None: null
    predicted: str | None


@dataclass(frozen=True)
class RemovedView:
    path: str
    said: str | None  # JSON; None: not stored
    why: str


@dataclass(frozen=True)
class RowView:
    row: CaseRow
    label: str
    scores: list[ScoreView]
    removed: list[RemovedView]
    event: dict[str, Any]
    warnings: list[dict[str, Any]]
    spans: int
    article: list[Piece] | None
    open: bool  # the first repeat's article is shown unfolded


@dataclass(frozen=True)
class CaseView:
    number: int
    name: str
    rows: list[RowView]


def _row_view(row: CaseRow, article: str | None, first: bool) -> RowView:
    record = row.record or {}
    spans = record.get("spans") or {}
    return RowView(
        row=row,
        label=f"repeat {row.repeat}" + (" (cached)" if row.cached else ""),
        scores=[
            ScoreView(
                s.field,
                max(s.outcomes, key=s.outcomes.__getitem__),
                ", ".join(f"{k} {v}" for k, v in s.outcomes.items()),
                _json(s.expected),
                _json(s.predicted),
            )
            for s in row.scores
        ],
        removed=[
            RemovedView(item.get("path") or "", _json(item.get("said")), item.get("why") or "") for item in row.removed
        ],
        event=record.get("event") or {},
        warnings=record.get("warnings") or [],
        spans=len(spans),
        article=None if article is None else pieces(article, spans),
        open=first,
    )


def render_html(run: Run, articles: dict[str, str] | None = None) -> str:
    """The whole page; ``articles`` maps case name -> article text (as the pipeline saw it)."""
    articles = articles or {}
    summary, meta = run.summary, run.meta
    by_case: dict[str, list[CaseRow]] = {}
    for row in run.rows:
        by_case.setdefault(row.case, []).append(row)
    cases = [
        CaseView(
            number,
            name,
            [_row_view(row, articles.get(name), row.repeat == rows[0].repeat) for row in rows],
        )
        for number, (name, rows) in enumerate(by_case.items())
    ]
    return render(
        "report.html.j2",
        "summarizer.evals",
        run=run,
        summary=summary,
        description=describe(meta),
        grounding=grounding_line(summary["grounding"], meta.get("strategy")),
        cost=cost_usd(meta, summary["usage"]["prompt_tokens"], summary["usage"]["completion_tokens"]),
        cases=cases,
        HEADERS=HEADERS,
        OUTCOMES=OUTCOMES,
        MICRO=MICRO,
        MACRO=MACRO,
    )
