"""What `summarizer logs` shows: the stored model calls and eval runs, filtered, with totals and cost.

Prices come from the table bundled in the genai-prices package (by Pydantic), never fetched at run
time: its background updater (``genai_prices.UpdatePrices``) is opt-in and never started here. A
price is only given where it is known (``summarizer.config.capabilities``): a free backend (the local one) costs
nothing and shows "local"; any other
model the table does not know (a fake model, a self-hosted one) shows tokens only, never $0.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from summarizer.config.capabilities import backend_info
from summarizer.store.database import Store

if TYPE_CHECKING:
    from genai_prices.types import PriceCalculation

STATUSES: tuple[str, ...] = ("ok", "failed")

CostBasis = Literal["genai-prices", "local", "unknown"]
PRICE_SOURCE: CostBasis = "genai-prices"


# ------------------------------------------------------------------------------------------- dates


def parse_when(text: str, *, end: bool = False) -> datetime:
    """An ISO date or datetime as an aware UTC datetime (naive means UTC, as the store's times are).

    With ``end`` it is the exclusive end of what the text names: the next midnight for a date, the next
    second for a datetime, so ``--until 2026-11-02`` keeps all of that day. Raises ValueError.
    """
    value = text.strip()
    if value[-1:] in ("Z", "z"):  # Python 3.10's fromisoformat does not read a Z suffix
        value = value[:-1] + "+00:00"
    if len(value) == 10:
        day = date.fromisoformat(value)
        start = datetime.combine(day, time(), tzinfo=timezone.utc)
        return start + timedelta(days=1) if end else start
    moment = datetime.fromisoformat(value)
    moment = moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)
    if end:
        return moment.replace(microsecond=0) + timedelta(seconds=1)
    return moment


def _stamp(text: str | None) -> datetime | None:
    """A stored ISO time as an aware datetime, or None when missing or unreadable."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment


# -------------------------------------------------------------------------------------------- cost


@dataclass(frozen=True)
class Cost:
    """What some tokens cost: ``usd`` when the price is known, else None (``basis`` says why)."""

    usd: Decimal | None
    basis: CostBasis

    @property
    def label(self) -> str:
        if self.basis == "local":
            return "local"
        return "-" if self.usd is None else format_usd(self.usd)

    @property
    def usd_float(self) -> float | None:
        return None if self.usd is None else float(self.usd)


LOCAL = Cost(None, "local")
UNKNOWN = Cost(None, "unknown")


def format_usd(usd: Decimal) -> str:
    return f"${usd:,.4f}" if usd >= Decimal("0.01") else f"${usd:.6f}"


def _calc(
    model: str,
    prompt_tokens: int | None,
    completion_tokens: int | None,
    when: datetime | None,
    base_url: str | None,
    provider: str,
) -> PriceCalculation | None:
    """genai-prices' ``PriceCalculation`` for the tokens of one request at the price in force ``when``, from
    its bundled table: ``provider``'s price, or that of the provider at ``base_url``; None when the table lacks
    it."""
    import genai_prices  # 0.2 s to import: only when something is priced

    usage = genai_prices.Usage(input_tokens=prompt_tokens or 0, output_tokens=completion_tokens or 0)
    try:
        if base_url:
            return genai_prices.calc_price(
                usage, model_ref=model, genai_request_timestamp=when, provider_api_url=base_url
            )
        return genai_prices.calc_price(usage, model_ref=model, genai_request_timestamp=when, provider_id=provider)
    except (LookupError, ValueError):  # an unknown provider or model
        return None


def _tier_start(calculation: PriceCalculation) -> int | None:
    """The input tokens of one request past which the price used rises (genai-prices' tiers apply to a whole
    request once its input passes a start), or None when the price does not depend on a request's size."""
    from genai_prices.types import TieredPrices

    starts = [
        tier.start
        for value in vars(calculation.model_price).values()
        if isinstance(value, TieredPrices)
        for tier in value.tiers
    ]
    return min(starts) if starts else None


def call_cost(
    backend: str,
    model: str,
    prompt_tokens: int | None,
    completion_tokens: int | None,
    *,
    when: datetime | None = None,
    base_url: str | None = None,
) -> Cost:
    """What the tokens of one request cost, at the price in force ``when`` (None: now).

    Only a backend with a price table is priced (openai): at its provider's prices, or, given a ``base_url``, at
    the prices of the provider serving it, when genai-prices knows that provider (a loopback server it does not).
    """
    info = backend_info(backend)
    if info.free:
        return LOCAL
    if info.price_provider is None or not model:
        return UNKNOWN
    calculation = _calc(model, prompt_tokens, completion_tokens, when, base_url, info.price_provider)
    return UNKNOWN if calculation is None else Cost(calculation.total_price, PRICE_SOURCE)


# ---------------------------------------------------------------------------------- model calls


@dataclass(frozen=True)
class Filters:
    """Which logged calls (or runs) to show; ``until`` is exclusive (see ``parse_when``)."""

    model: str | None = None
    prompt: str | None = None  # a prompt name, or a prefix of its hash
    since: datetime | None = None
    until: datetime | None = None
    status: str | None = None  # ok | failed; calls only

    def query(self) -> dict[str, Any]:
        return {"model": self.model, "prompt": self.prompt, "since": self.since, "until": self.until}


@dataclass
class Totals:
    """Sums over every call the filters match (not only the ones listed)."""

    answers: int = 0
    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    failed: int = 0
    latency_s: float = 0.0
    usd: Decimal = Decimal(0)
    priced: int = 0  # answers whose cost is in ``usd``
    local: int = 0
    unknown: int = 0  # answers of a model whose price is not known

    def line(self) -> str:
        """One line: answers, model calls, tokens, failures, mean latency per answer and cost."""
        others = [f"{self.local:,} local"] if self.local else []
        others += [f"{self.unknown:,} of unknown price"] if self.unknown else []
        if self.priced:
            cost = f"cost {format_usd(self.usd)}" + (f" (+ {', '.join(others)})" if others else "")
        elif self.local and not self.unknown:
            cost = "cost: local"
        else:
            cost = "cost unknown" + (f" ({', '.join(others)})" if others else "")
        latency = f"mean latency {self.latency_s / self.answers:.2f}s" if self.answers else "no latency"
        return (
            f"totals: {self.answers:,} answers, {self.calls:,} model calls, tokens {self.prompt_tokens:,} in / "
            f"{self.completion_tokens:,} out, {self.failed:,} failed, {latency}, {cost}"
        )


@dataclass
class CallLog:
    """The listed calls (newest first, with their cost) and the totals of all that match."""

    rows: list[dict[str, Any]]
    totals: Totals = field(default_factory=Totals)


def one_line(text: str | None, width: int = 160) -> str:
    """The first line of an error message, cut to ``width`` characters."""
    lines = (text or "").strip().splitlines()
    line = " ".join(lines[0].split()) if lines else ""
    return line if len(line) <= width else line[: width - 1] + "…"


def call_logs(store: Store, filters: Filters, limit: int | None) -> CallLog:
    """The ``limit`` newest calls that match (all with None) and the totals of every match."""
    rows = store.answer_log(**filters.query(), status=filters.status, limit=limit)
    for row in rows:
        cost = call_cost(
            row["backend"], row["model"], row["prompt_tokens"], row["completion_tokens"], when=_stamp(row["created"])
        )
        row["status"] = "ok" if row.pop("ok") else "failed"
        row["replay_error"] = bool(row["replay_error"])
        row["cost_usd"], row["cost_basis"] = cost.usd_float, cost.basis
        row["cost"] = cost
    return CallLog(rows, call_totals(store, filters))


def call_totals(store: Store, filters: Filters) -> Totals:
    """Tokens and cost of every matching call, priced per backend, model and UTC day (at the price in force
    at the day's first call), and in smaller batches where the price depends on a request's size (tiers)."""
    totals = Totals()
    for group in store.answer_log_totals(**filters.query(), status=filters.status):
        totals.answers += group["answers"]
        totals.calls += group["calls"] or 0
        totals.prompt_tokens += group["prompt_tokens"] or 0
        totals.completion_tokens += group["completion_tokens"] or 0
        totals.failed += group["failed"]
        totals.latency_s += group["latency_s"] or 0.0
        backend, model, when = group["backend"], group["model"], _stamp(group["first"])
        info = backend_info(backend)
        if info.free:
            totals.local += group["answers"]
            continue
        summed = None
        if info.price_provider is not None and model:
            summed = _calc(model, group["prompt_tokens"], group["completion_tokens"], when, None, info.price_provider)
        if summed is None or info.price_provider is None:
            totals.unknown += group["answers"]
            continue
        totals.priced += group["answers"]
        start = _tier_start(summed)
        if start is None:
            totals.usd += summed.total_price
        else:
            rows = _rows_of_day(store, filters, backend, model, group["day"])
            totals.usd += _tiered_total(rows, model, when, start, info.price_provider)
    return totals


def _tiered_total(
    rows: Iterable[dict[str, Any]], model: str, when: datetime | None, start: int, provider: str
) -> Decimal:
    """The cost of calls whose price rises past ``start`` input tokens in one request: a call past it alone,
    the others in batches whose input stays within it (priced alike, so one price each, not one per call)."""
    total = Decimal(0)
    batch = [0, 0]

    def price(prompt_tokens: int, completion_tokens: int) -> Decimal:
        calculation = _calc(model, prompt_tokens, completion_tokens, when, None, provider)
        return Decimal(0) if calculation is None else calculation.total_price

    for row in rows:
        prompt_tokens, completion_tokens = row["prompt_tokens"] or 0, row["completion_tokens"] or 0
        if prompt_tokens > start:
            total += price(prompt_tokens, completion_tokens)
            continue
        if batch[0] + prompt_tokens > start:
            total += price(*batch)
            batch = [0, 0]
        batch[0] += prompt_tokens
        batch[1] += completion_tokens
    return total + (price(*batch) if batch != [0, 0] else Decimal(0))


def _rows_of_day(store: Store, filters: Filters, backend: str, model: str, day: str) -> Iterable[dict[str, Any]]:
    start = parse_when(day)
    end = start + timedelta(days=1)
    narrowed = replace(
        filters,
        model=model,
        since=max(start, filters.since) if filters.since else start,
        until=min(end, filters.until) if filters.until else end,
    )
    return store.answer_log(**narrowed.query(), status=filters.status, backend=backend, limit=None)


def call_json(row: dict[str, Any]) -> dict[str, Any]:
    """A listed call as JSON (the full error message; the answer itself is not included)."""
    return {key: value for key, value in row.items() if key != "cost"}


# ------------------------------------------------------------------------------------- eval runs


def run_logs(store: Store, filters: Filters, limit: int | None) -> list[dict[str, Any]]:
    """Saved eval runs, newest first: their meta, the usage of the answers they scored, and its cost.

    A run's tokens include answers served from the store, so its cost is that of the answers it scored,
    as in the eval report, not what the run itself spent; it is priced on the run's token sums, so a price
    that rises with a request's size (tiered) is applied as if the run were one request.
    """
    runs = []
    for saved in store.run_log(**filters.query(), limit=limit):
        meta, usage = saved["meta"], saved["usage"] or {}
        cost = call_cost(
            str(meta.get("backend") or ""),
            str(meta.get("model") or ""),
            usage.get("prompt_tokens"),
            usage.get("completion_tokens"),
            when=_stamp(meta.get("created")),
            base_url=meta.get("base_url"),
        )
        runs.append({**meta, "usage": usage, "cost_usd": cost.usd_float, "cost_basis": cost.basis, "cost": cost})
    return runs


def run_json(run: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in run.items() if key != "cost"}
