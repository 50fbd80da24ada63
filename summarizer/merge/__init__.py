"""Merge records of the same event from several reports, keeping every source and dispute visible.

Public API (used by ``summarizer merge`` and ``summarizer summarize --merge``)::

    merge_records(records, policy="conservative", threshold=0.65) -> list[MergedEvent]
    render_merged(events, fmt) -> str        # fmt: json | jsonl | markdown

``records`` may mix ``Record`` objects and ``MergedEvent`` objects; merged events are unpacked
into the reports they carry, so merging is idempotent and order-independent.
"""

from __future__ import annotations

from collections.abc import Iterable

from summarizer.errors import ConfigError
from summarizer.merge.grouping import DEFAULT_THRESHOLD, Grouping, explain, group_reports
from summarizer.merge.reconcile import build_merged_event
from summarizer.merge.render import FORMATS, render_merged
from summarizer.merge.reports import collect_reports
from summarizer.record import Record
from summarizer.record.merged import MERGED_VERSION, POLICIES, MergedEvent, Policy, SourceReport, is_policy

__all__ = [
    "DEFAULT_THRESHOLD",
    "FORMATS",
    "MERGED_VERSION",
    "POLICIES",
    "MergedEvent",
    "explain",
    "group_records",
    "merge_grouping",
    "merge_records",
    "render_merged",
]


def _check(policy: str, threshold: float) -> Policy:
    """Raise on an unknown policy or a threshold outside 0..1; returns the policy."""
    if not is_policy(policy):
        raise ConfigError(f"unknown policy {policy!r}; choose one of {', '.join(POLICIES)}")
    if not 0.0 <= threshold <= 1.0:
        raise ConfigError(f"threshold must be between 0 and 1, got {threshold}")
    return policy


def group_records(
    records: Iterable[Record | MergedEvent | SourceReport], threshold: float = DEFAULT_THRESHOLD
) -> Grouping:
    """Which reports describe the same event (with every pair's score, for ``explain``)."""
    _check("conservative", threshold)
    return group_reports(collect_reports(records), threshold)


def merge_records(
    records: Iterable[Record | MergedEvent | SourceReport],
    policy: Policy | str = "conservative",
    threshold: float = DEFAULT_THRESHOLD,
) -> list[MergedEvent]:
    """One merged event per group of records that describe the same event (singletons included)."""
    _check(policy, threshold)
    return merge_grouping(group_records(records, threshold), policy)


def merge_grouping(grouping: Grouping, policy: Policy | str = "conservative") -> list[MergedEvent]:
    """The merged event of each group of a grouping (in the order of the groups' first reports)."""
    known = _check(policy, 0.0)
    reports = grouping.reports
    return [build_merged_event([reports[i] for i in group], known, grouping.threshold) for group in grouping.groups]
