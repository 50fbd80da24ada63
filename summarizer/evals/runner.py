"""Run cases x repeats through the unchanged summarize pipeline and score every record.

A case that raises becomes a row with its error (scored as an empty prediction); the run goes on. An
unexpected exception (not a ``SummarizerError``) also keeps its redacted traceback in the row. Every
run is stamped with what makes it reproducible and saved in the store, so any two runs can be compared
later.
"""

from __future__ import annotations

import re
import secrets
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path
from traceback import format_exception
from typing import Any

from summarizer import __version__
from summarizer.config.secrets import public_url, redact
from summarizer.errors import ConfigError, SummarizerError
from summarizer.evals.fixtures import Case, Dataset
from summarizer.evals.results import FORMAT_VERSION, CaseRow, Run
from summarizer.evals.scorers import grounding, score_event, score_text, scorer_version
from summarizer.ground.grounding import ground_event
from summarizer.ingest.article import Article
from summarizer.pipeline import (
    Summarizer,
    derived_version,
    profile_code_version,
    tool_schema_hash,
)
from summarizer.reader.nlp import pipeline_version
from summarizer.record import Record
from summarizer.record.schema import SCHEMA_VERSION, Event
from summarizer.store.database import Store
from summarizer.versions import grounding_version, reader_version

Progress = Callable[[int, int, CaseRow], None]


def select_cases(dataset: Dataset, names: Sequence[str] = (), limit: int | None = None) -> list[Case]:
    """The cases named (all when none are), then the first ``limit`` of them."""
    cases = dataset.cases
    if names:
        known = {case.name: case for case in cases}
        unknown = [name for name in names if name not in known]
        if unknown:
            raise ConfigError(f"no case named {', '.join(unknown)} in {dataset.path} (cases: {', '.join(known)})")
        cases = [known[name] for name in dict.fromkeys(names)]
    if limit is not None:
        if limit < 1:
            raise ConfigError("--limit must be at least 1")
        cases = cases[:limit]
    return cases


def run_case(summarizer: Summarizer, case: Case, repeat: int, *, use_cache: bool = True) -> CaseRow:
    started = time.perf_counter()
    try:
        record = summarizer.summarize(case.article, repeat=repeat, use_cache=use_cache)
    except Exception as exc:  # a failing case is a row, whatever the failure
        return CaseRow(
            case=case.name,
            repeat=repeat,
            error=redact(f"{type(exc).__name__}: {exc}"),
            # an expected error is its one line; anything else is a bug and keeps its traceback (errors.py)
            traceback=None if isinstance(exc, SummarizerError) else redact("".join(format_exception(exc))),
            scores=score_event(case.labels, None),
            text=score_text(case.labels, None),
            latency_s=round(time.perf_counter() - started, 3),
            by_reader=0,
        )
    found = grounding(record)
    provenance = record.provenance
    return CaseRow(
        case=case.name,
        repeat=repeat,
        scores=score_event(case.labels, record.event),
        text=score_text(case.labels, record.event),
        located=found.located,
        emitted=found.emitted,
        unlocated=found.unlocated,
        repaired=found.repaired,
        by_reader=found.by_reader,
        prompt_tokens=provenance.usage.prompt_tokens,
        completion_tokens=provenance.usage.completion_tokens,
        latency_s=round(time.perf_counter() - started, 3),  # this run's time for the answer (a cached one: ~0)
        model_calls=0 if provenance.cached else provenance.attempts,
        cached=provenance.cached,
        record=record.model_dump(mode="json"),
        removed=removed_values(summarizer, case.article, repeat, record),
    )


def removed_values(summarizer: Summarizer, article: Article, repeat: int, record: Record) -> list[dict[str, Any]]:
    """What grounding removed from the model's answer: per removed value its path, what the model said there
    (from the answer in the store; None when it is not there) and why it was removed.

    The record keeps a removal only as an ``ungrounded`` warning, whose message names a place or a speaker
    but not a count's figure; the answer the record was made from has the value itself. Of a re-asked
    article's answers that is the one whose grounding reports exactly the record's removals.
    """
    removals = [issue for issue in record.warnings if issue.code == "ungrounded"]
    if not removals:
        return []
    said = _answer_of(summarizer, article, repeat, [(issue.path, issue.message) for issue in removals])
    return [
        {"path": issue.path, "said": None if said is None else value_at(said, issue.path or ""), "why": issue.message}
        for issue in removals
    ]


def _answer_of(
    summarizer: Summarizer, article: Article, repeat: int, removals: list[tuple[str | None, str]]
) -> dict[str, Any] | None:
    if summarizer.settings.strategy == "reader":
        return None
    try:
        fitted = summarizer.fit(article)
        stored = summarizer.store.cached_answer(summarizer.answer_key(fitted, repeat))
        candidates = [Event.model_validate(c) for c in ((stored or {}).get("answer") or {}).get("candidates", [])]
    except Exception:  # the report loses a detail, the run goes on
        return None
    for event in candidates if len(candidates) > 1 else []:
        problems = ground_event(event, fitted.text, fitted.published).problems
        if [(problem.path, problem.message) for problem in problems] == removals:
            return event.model_dump(mode="json", exclude_none=True)
    return candidates[0].model_dump(mode="json", exclude_none=True) if len(candidates) == 1 else None


def value_at(data: Any, path: str) -> Any:
    """The value at an event path such as ``casualties.injured``, ``places[1]`` or ``weapons[0].launched``."""
    for part in re.findall(r"\[\d+\]|[^.\[\]]+", path):
        if part.startswith("["):
            index = int(part[1:-1])
            data = data[index] if isinstance(data, list) and index < len(data) else None
        else:
            data = data.get(part) if isinstance(data, dict) else None
        if data is None:
            return None
    return data


def run_eval(
    summarizer: Summarizer,
    cases: Sequence[Case],
    *,
    repeat: int = 1,
    concurrency: int = 1,
    use_cache: bool = True,
    fixtures: str | Path = "",
    progress: Progress | None = None,
) -> Run:
    """Every case ``repeat`` times, ``concurrency`` at a time; rows come back in case order."""
    if repeat < 1 or concurrency < 1:
        raise ConfigError("--repeat and --concurrency must be at least 1")
    tasks = [(case, index) for case in cases for index in range(repeat)]
    started, calls_before = time.perf_counter(), summarizer.model_calls
    created = datetime.now(timezone.utc)
    done: list[CaseRow] = []
    lock = threading.Lock()

    def one(task: tuple[Case, int]) -> CaseRow:
        row = run_case(summarizer, task[0], task[1], use_cache=use_cache)
        with lock:
            done.append(row)
            if progress is not None:
                progress(len(done), len(tasks), row)
        return row

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        rows = list(pool.map(one, tasks))
    meta = run_meta(summarizer, created, fixtures=str(fixtures), cases=len(cases), repeat=repeat)
    meta.update(
        concurrency=concurrency,
        use_cache=use_cache,
        model_calls=summarizer.model_calls - calls_before,
        wall_s=round(time.perf_counter() - started, 3),
    )
    return Run(meta, rows)


def run_meta(summarizer: Summarizer, created: datetime, **extra: Any) -> dict[str, Any]:
    """What makes a run reproducible: code revision, prompt, schema, backend, model and parameters, and the
    versions of what turns an answer into a record (compared with a baseline's by ``compare.staleness``)."""
    prompt = summarizer.prompt
    return {
        "run_id": f"{created:%Y%m%dT%H%M%S}-{secrets.token_hex(3)}",
        "format_version": FORMAT_VERSION,
        "created": created.isoformat(timespec="seconds"),
        "git": git_state(Path(__file__).resolve().parent),
        "prompt_name": prompt.name,
        "prompt_version": prompt.version,
        "prompt_hash": prompt.hash,
        "prompt_path": str(prompt.path),
        "schema_version": SCHEMA_VERSION,
        "grounding_version": grounding_version(),
        "tool_schema_hash": tool_schema_hash(summarizer.asked),
        "reader_version": reader_version(),
        "reader_pipeline": pipeline_version(),
        "code_version": derived_version(),
        "scorer_version": scorer_version(),
        "summarizer_version": __version__,
        "strategy": summarizer.settings.strategy,
        "backend": summarizer.backend_name,
        "model": summarizer.model_name,
        "base_url": public_url(summarizer.settings.base_url),
        "parameters": summarizer.settings.parameters(),
        "trust_profile": summarizer.profile.name if summarizer.settings.strategy == "both" else None,
        "profile_code_version": profile_code_version(),
        **extra,
    }


def git_state(folder: Path) -> dict[str, Any]:
    """Revision and dirty flag of the checkout the harness runs from; nulls outside a git checkout."""

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True, timeout=10)
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    revision = git("rev-parse", "HEAD")
    status = git("status", "--porcelain", "--untracked-files=no") if revision else None
    return {"revision": revision, "dirty": bool(status) if status is not None else None}


def save_run(store: Store, run: Run) -> None:
    """Save the run; its headline scores go into the meta too, for `summarizer eval runs`."""
    run.meta["micro_f1"] = run.summary["micro"]["f1"]
    run.meta["macro_f1"] = run.summary["macro"]["f1"]
    store.save_run(run.run_id, run.meta, run.to_json())
