"""The data of an eval run: one row per case and repeat, plus the run's metadata; JSON in and out.

A failing case is a row with ``error`` set, never a missing row: its fields are scored as an empty
prediction, so errors cost recall instead of silently shrinking the denominator. A row whose error is
a bug (not a ``SummarizerError``) carries its ``traceback`` too, in the JSON report as in the store.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from summarizer.errors import SummarizerError
from summarizer.evals.rows import CaseRow
from summarizer.evals.stats import summarize

__all__ = ["FORMAT_VERSION", "CaseRow", "Run", "RunFormatError", "read_report", "write_report"]

FORMAT_VERSION = "1"


class RunFormatError(SummarizerError):
    """A saved run or report file cannot be read (usage error: exit code 2)."""

    exit_code = 2


@dataclass
class Run:
    meta: dict[str, Any]
    rows: list[CaseRow]
    _summary: dict[str, Any] | None = field(default=None, repr=False, compare=False)

    @property
    def run_id(self) -> str:
        return str(self.meta.get("run_id", "?"))

    @property
    def summary(self) -> dict[str, Any]:
        """Metrics computed from the rows (once: the bootstrap is not free)."""
        if self._summary is None:
            self._summary = summarize(self.rows)
        return self._summary

    def to_json(self) -> dict[str, Any]:
        return {
            "format_version": FORMAT_VERSION,
            "meta": self.meta,
            "summary": self.summary,
            "cases": [row.to_json() for row in self.rows],
        }

    @classmethod
    def from_json(cls, data: object, source: str) -> Run:
        if not isinstance(data, dict) or "cases" not in data or "meta" not in data:
            raise RunFormatError(f"{source}: not an eval report (expected 'format_version', 'meta' and 'cases')")
        version = str(data.get("format_version"))
        if version != FORMAT_VERSION:
            raise RunFormatError(f"{source}: report format {version!r}, this version reads {FORMAT_VERSION!r}")
        try:
            return cls(dict(data["meta"]), [CaseRow.from_json(row) for row in data["cases"]])
        except (TypeError, KeyError, AttributeError) as exc:
            raise RunFormatError(f"{source}: malformed case row ({exc})") from exc


def write_report(run: Run, path: str | Path) -> None:
    Path(path).write_text(json.dumps(run.to_json(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def read_report(path: str | Path) -> Run:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise RunFormatError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    except json.JSONDecodeError as exc:
        raise RunFormatError(f"{path}: invalid JSON at line {exc.lineno}: {exc.msg}") from exc
    return Run.from_json(data, str(path))
