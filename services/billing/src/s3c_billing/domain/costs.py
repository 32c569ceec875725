"""The cost model (DESIGN section 5), exact: Decimal end to end, no float anywhere in a sum."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import ROUND_CEILING, ROUND_HALF_EVEN, Context, Decimal

from s3c_events.tiers import TIERS, Tier

# Enough digits that no sum of costs ever rounds (the inputs have at most ~20 significant digits).
EXACT = Context(prec=60)
COLD_START = Decimal("0.00005")
PER_RETRY = Decimal("0.00002")
PER_KIB = Decimal("0.000001")
PER_SCALING_EVENT = Decimal("0.0001")
STORAGE_PER_MB_HOUR = Decimal("0.0001")
MB = 1024 * 1024
# Storage accrues by the second; only that figure is rounded, to 1e-12 dollars.
STORAGE_QUANTUM = Decimal("1e-12")


@dataclass(frozen=True)
class CostBreakdown:
    tier: Tier
    base_cost: Decimal
    cold_start_cost: Decimal
    retry_cost: Decimal
    data_transfer_cost: Decimal
    billed_duration_ms: int

    @property
    def total_cost(self) -> Decimal:
        return EXACT.add(
            EXACT.add(self.base_cost, self.cold_start_cost),
            EXACT.add(self.retry_cost, self.data_transfer_cost),
        )


def canonical(amount: Decimal) -> str:
    """A money string: plain notation, no exponent, trailing zeros kept off (`0` for zero)."""
    text = format(amount.normalize(EXACT), "f")
    return text if text not in ("-0",) else "0"


def billed_units(duration_ms: float | Decimal) -> int:
    """Whole 100 ms units, rounded up; a run of 0 ms costs nothing."""
    exact = Decimal(str(duration_ms)) if not isinstance(duration_ms, Decimal) else duration_ms
    if exact <= 0:
        return 0
    return int((exact / 100).to_integral_value(rounding=ROUND_CEILING))


def execution_cost(
    tier: Tier,
    duration_ms: float | Decimal,
    cold_starts: int,
    retry_count: int,
    input_bytes: int,
    output_bytes: int,
) -> CostBreakdown:
    units = billed_units(duration_ms)
    return CostBreakdown(
        tier=tier,
        base_cost=EXACT.multiply(Decimal(units), TIERS[tier].price_per_100ms),
        cold_start_cost=EXACT.multiply(COLD_START, Decimal(cold_starts)),
        retry_cost=EXACT.multiply(PER_RETRY, Decimal(retry_count)),
        # 1024 is a power of two, so this division always terminates: exact.
        data_transfer_cost=EXACT.multiply(
            EXACT.divide(Decimal(input_bytes + output_bytes), Decimal(1024)), PER_KIB
        ),
        billed_duration_ms=units * 100,
    )


def total(amounts: list[Decimal] | tuple[Decimal, ...]) -> Decimal:
    result = Decimal(0)
    for amount in amounts:
        result = EXACT.add(result, amount)
    return result


def scaling_cost(events: int) -> Decimal:
    return EXACT.multiply(PER_SCALING_EVENT, Decimal(events))


def storage_cost(
    code_bytes: int,
    stored_from: datetime,
    stored_until: datetime | None,
    start: datetime,
    end: datetime,
) -> Decimal:
    """Cost of keeping `code_bytes` of code from `stored_from` to `stored_until` (None: still
    stored), counted only inside [start, end)."""
    lo = max(stored_from, start)
    hi = min(stored_until or end, end)
    if hi <= lo or code_bytes <= 0:
        return Decimal(0)
    seconds = Decimal((hi - lo) // timedelta(microseconds=1)) / Decimal(1_000_000)
    mb_hours = EXACT.divide(EXACT.multiply(Decimal(code_bytes), seconds), Decimal(MB * 3600))
    return EXACT.multiply(mb_hours, STORAGE_PER_MB_HOUR).quantize(
        STORAGE_QUANTUM, rounding=ROUND_HALF_EVEN
    )


def hour_bucket(moment: datetime) -> str:
    """The UTC hour a moment falls in, as `YYYY-MM-DDTHH:00:00Z`."""
    utc = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    return utc.strftime("%Y-%m-%dT%H:00:00Z")
