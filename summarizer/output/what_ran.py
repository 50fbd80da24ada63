"""One wording of what made a record or a run, for every view: stderr, eval headers, `logs runs`, both HTML reports.

``what_ran`` reads the keys a record's provenance and an eval run's meta share (``strategy``, ``backend``,
``model``, ``prompt_name`` / ``prompt_version`` / ``prompt_hash``), so a reader-only run says so instead of
naming a backend and model that never ran. A trust profile (the per-field trust of the model and the reader,
being added to provenance) is shown by every view once provenance or run meta carries ``TRUST_PROFILE``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

TRUST_PROFILE = "trust_profile"  # the key of the trust profile's name in provenance and run meta (shown when set)
READER_ALONE = "no model (the reader alone)"


def what_ran(meta: Mapping[str, Any], *, prompt: bool = True) -> str:
    """``strategy both · backend local · model X · prompt default v1 (abc)``; for the reader alone
    ``strategy reader · no model (the reader alone)``; `` · trust profile NAME`` when there is one. Runs saved
    before strategies existed have no ``strategy``: they were the model alone."""
    strategy = meta.get("strategy")
    parts = [f"strategy {strategy}"] if strategy else []
    if strategy == "reader":
        parts.append(READER_ALONE)
    else:
        parts += [f"backend {meta.get('backend')}", f"model {meta.get('model')}"]
        if prompt and meta.get("prompt_name"):
            version = f" v{meta['prompt_version']}" if meta.get("prompt_version") else ""
            digest = f" ({meta['prompt_hash']})" if meta.get("prompt_hash") else ""
            parts.append(f"prompt {meta['prompt_name']}{version}{digest}")
    if meta.get(TRUST_PROFILE):
        parts.append(f"trust profile {meta[TRUST_PROFILE]}")
    return " · ".join(parts)


def model_of(meta: Mapping[str, Any]) -> str:
    """The short form for a table cell: ``reader alone``, or ``backend/model`` (with the strategy when not both)."""
    strategy = meta.get("strategy")
    if strategy == "reader":
        return "reader alone"
    short = f"{meta.get('backend')}/{meta.get('model')}"
    return f"{short} ({strategy})" if strategy and strategy != "both" else short


def provenance_summary(provenance: Mapping[str, Any]) -> str:
    """A record's provenance in one line: what ran, the schema, tokens (when a model ran), calls, time."""
    usage = provenance.get("usage") or {}
    tokens = (
        ""
        if provenance.get("strategy") == "reader"
        else f"{usage.get('prompt_tokens', 0)}+{usage.get('completion_tokens', 0)} tokens · "
    )
    latency = float(provenance.get("latency_s") or 0)
    timed = f" · {latency:.1f}s" if latency or provenance.get("attempts") else ""  # the reader's time is not kept
    return (
        f"{what_ran(provenance)} · schema {provenance.get('schema_version')} · {tokens}"
        f"{provenance.get('attempts', 0)} call(s){timed}" + (" · cached" if provenance.get("cached") else "")
    )
