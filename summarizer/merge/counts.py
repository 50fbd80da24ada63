"""Reconcile one count (injured, intercepted, ...) stated by several sources.

Every claim becomes an interval of the true figure it allows, read from its own qualifier:

    exact N -> [N, N]      at_least N -> [N, inf)     at_most N -> [0, N]
    range L-H -> [L, H]    about N -> [N - d, N + d] with d = max(1, round(0.15 * N))
    vague ("a considerable number") -> no interval: kept as a claim, never given a number

``low`` / ``high`` are the smallest and largest stated figures. The claims are *compatible*
when their intervals intersect ("at least 13" and "at least 17": together "at least 17", the
tightest bound) and *disputed* when they do not ("13" vs "17"). The value follows a policy:

- ``conservative`` (default, after ACLED): the smallest stated figure that every source
  allows ("at least 13" + "at least 17" -> 17); when they are disputed, the smallest stated
  figure.
- ``latest``: the figure of the most recently published source (ties: the smallest).
- ``median``: the median of the stated figures, the lower middle one for an even count, so
  the value is always a figure some source stated.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from summarizer.record.basetypes import Span
from summarizer.record.merged import CountClaim, CountStatus, MergedCount, Policy, SourceRef
from summarizer.record.schema import Count

INF = math.inf


def claim_from_count(count: Count, source: SourceRef, span: Span | None) -> CountClaim:
    return CountClaim(
        source=source,
        phrase=count.phrase,
        evidence=count.evidence,
        span=span,
        qualifier=count.qualifier,
        value=count.value,
        low=count.low,
        high=count.high,
    )


def interval(claim: CountClaim | Count) -> tuple[float, float] | None:
    """The true figures this claim allows, or None for a claim without a figure."""
    value, low, high = claim.value, claim.low, claim.high
    if value is None and low is None and high is None:
        return None
    match claim.qualifier:
        case "vague":
            return None
        case "at_least":
            return (float(_first(low, value, high)), INF)
        case "at_most":
            return (0.0, float(_first(high, value, low)))
        case "range":
            return (float(_first(low, value, high)), float(_first(high, value, low)))
        case "about":
            if low is not None and high is not None:
                return (float(low), float(high))
            centre = _first(value, low, high)
            margin = max(1, round(0.15 * centre))
            return (float(max(0, centre - margin)), float(centre + margin))
        case _:
            figure = _first(value, low, high)
            return (float(low if low is not None else figure), float(high if high is not None else figure))


def _first(*values: int | None) -> int:
    return next(v for v in values if v is not None)


def figures(claim: CountClaim) -> list[int]:
    """The numbers the claim states (not the margins we derive)."""
    if claim.qualifier == "vague":
        return []
    return sorted({v for v in (claim.value, claim.low, claim.high) if v is not None})


def headline(claim: CountClaim) -> int | None:
    """The claim's own single figure: value, else its lower bound, else its upper bound."""
    return None if claim.qualifier == "vague" else claim.figure()


def describe_interval(low: float, high: float) -> str:
    if high == INF:
        return f"at least {int(low)}"
    if low == 0 and high != 0:
        return f"at most {int(high)}"
    if low == high:
        return f"{int(low)}"
    return f"between {int(low)} and {int(high)}"


def _cite(claim: CountClaim) -> str:
    return f"'{claim.phrase}' ({claim.source.id})"


def merge_counts(claims: Sequence[CountClaim], policy: Policy) -> MergedCount | None:
    """One merged count from all claims about it (claims already in canonical order)."""
    if not claims:
        return None
    numeric = [c for c in claims if interval(c) is not None]
    vague = [c for c in claims if interval(c) is None]
    vague_note = ""
    if vague:
        vague_note = " Without a figure: " + ", ".join(_cite(c) for c in vague) + " (kept as claims, no number)."
    if not numeric:
        return MergedCount(
            low=None,
            high=None,
            value=None,
            policy=policy,
            status="vague_only",
            disputed=False,
            consensus=None,
            note="No source gives a figure." + vague_note,
            claims=list(claims),
        )
    stated = [f for c in numeric for f in figures(c)]
    low, high = min(stated), max(stated)
    intervals = [interval(c) for c in numeric]
    lo = max(i[0] for i in intervals if i is not None)
    hi = min(i[1] for i in intervals if i is not None)
    compatible = lo <= hi
    signatures = {(c.qualifier, interval(c)) for c in numeric}  # "at least 17" = "at least 17", however filled
    status: CountStatus
    if len(numeric) == 1:
        status, note = "single", f"One stated figure: {_cite(numeric[0])}."
    elif len(signatures) == 1:
        status, note = "agreed", f"{len(numeric)} sources agree: '{numeric[0].phrase}'."
    elif compatible:
        status = "compatible"
        kind = "lower bounds" if all(c.qualifier == "at_least" for c in numeric) else "given their qualifiers"
        together = describe_interval(lo, hi)
        tight = " (the tightest bound)" if hi == INF else ""
        note = f"{' and '.join(_cite(c) for c in numeric)} are compatible {kind}; together: {together}{tight}."
    else:
        status = "disputed"
        note = f"Sources disagree: {' vs '.join(_cite(c) for c in numeric)}; no figure satisfies all of them."
    value, why = _policy_value(numeric, policy, (lo, hi) if compatible else None)
    return MergedCount(
        low=low,
        high=high,
        value=value,
        policy=policy,
        status=status,
        disputed=status == "disputed",
        consensus=describe_interval(lo, hi) if compatible else None,
        note=f"{note} Value {value} by the {policy} policy ({why}).{vague_note}",
        claims=list(claims),
    )


def _policy_value(
    numeric: Sequence[CountClaim], policy: Policy, consensus: tuple[float, float] | None
) -> tuple[int, str]:
    heads = [h for h in (headline(c) for c in numeric) if h is not None]
    if policy == "latest":
        newest = max((c.source.published.toordinal() if c.source.published else 0) for c in numeric)
        latest = [
            headline(c) for c in numeric if (c.source.published.toordinal() if c.source.published else 0) == newest
        ]
        return min(h for h in latest if h is not None), "figure of the most recently published source"
    if policy == "median":
        ordered = sorted(heads)
        return ordered[(len(ordered) - 1) // 2], "median of the stated figures, lower middle for an even count"
    if consensus is not None:
        allowed = [f for c in numeric for f in figures(c) if consensus[0] <= f <= consensus[1]]
        if allowed:
            return min(allowed), "smallest stated figure every source allows"
    stated = [f for c in numeric for f in figures(c)]
    return min(stated), "smallest stated figure" + (", as sources conflict" if consensus is None else "")


def sum_counts(counts: Sequence[Count]) -> Count:
    """One source's total over several weapons of one family (e.g. ballistic + cruise missiles)."""
    if len(counts) == 1:
        return counts[0]
    intervals = [interval(c) for c in counts]
    lo = int(sum(i[0] for i in intervals if i is not None))
    hi_sum = sum(i[1] for i in intervals if i is not None)
    qualifiers = {c.qualifier for c in counts}
    phrase = " + ".join(c.phrase for c in counts)
    evidence = " … ".join(dict.fromkeys(c.evidence for c in counts))
    if qualifiers == {"exact"}:
        return Count(evidence=evidence, phrase=phrase, value=lo, qualifier="exact")
    if hi_sum == INF:
        return Count(evidence=evidence, phrase=phrase, low=lo, qualifier="at_least")
    return Count(evidence=evidence, phrase=phrase, low=lo, high=int(hi_sum), qualifier="range")
