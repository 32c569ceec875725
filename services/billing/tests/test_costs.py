"""The cost model (DESIGN section 5) as a pure module: exact, monotonic, with the seed's tiers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from s3c_billing.domain.costs import (
    billed_units,
    canonical,
    execution_cost,
    hour_bucket,
    scaling_cost,
    storage_cost,
    total,
)
from s3c_events.tiers import TIERS, determine_tier

tiers = st.sampled_from(sorted(TIERS))
durations = st.floats(min_value=0, max_value=900_000, allow_nan=False, allow_infinity=False)
counts = st.integers(min_value=0, max_value=20)
sizes = st.integers(min_value=0, max_value=6 * 1024 * 1024)


@given(tiers, durations, counts, counts, sizes, sizes)
def test_total_is_the_sum_of_its_parts(tier, duration, cold, retries, inp, out) -> None:  # type: ignore[no-untyped-def]
    c = execution_cost(tier, duration, cold, retries, inp, out)
    assert c.total_cost == c.base_cost + c.cold_start_cost + c.retry_cost + c.data_transfer_cost
    assert Decimal(canonical(c.total_cost)) == c.total_cost  # the string form loses nothing


@given(tiers, durations, durations, counts, sizes)
def test_cost_never_falls_as_duration_grows(tier, a, b, cold, size) -> None:  # type: ignore[no-untyped-def]
    low, high = sorted((a, b))
    assert (
        execution_cost(tier, low, cold, 0, size, 0).total_cost
        <= execution_cost(tier, high, cold, 0, size, 0).total_cost
    )


@given(st.lists(st.tuples(tiers, durations, counts, counts, sizes, sizes), max_size=200))
def test_sums_are_exact_whatever_the_order(rows) -> None:  # type: ignore[no-untyped-def]
    costs = [execution_cost(*row).total_cost for row in rows]
    assert total(costs) == total(list(reversed(costs))) == sum(costs, Decimal(0))


def test_the_formula_digit_for_digit() -> None:
    c = execution_cost("standard", 250.5, 1, 2, 1000, 24)
    assert c.billed_duration_ms == 300
    assert c.base_cost == Decimal("0.0009")  # 3 units x 0.0003
    assert c.cold_start_cost == Decimal("0.00005")
    assert c.retry_cost == Decimal("0.00004")
    assert c.data_transfer_cost == Decimal("0.000001")  # (1000 + 24) / 1024 KiB
    assert canonical(c.total_cost) == "0.000991"
    assert (
        billed_units(0) == 0
        and billed_units(0.001) == 1
        and billed_units(100) == 1
        and billed_units(100.01) == 2
    )
    assert canonical(execution_cost("basic", 0, 0, 0, 0, 0).total_cost) == "0"
    assert (
        canonical(execution_cost("basic", 1, 0, 0, 1, 0).data_transfer_cost) == "0.0000000009765625"
    )


@pytest.mark.parametrize(
    ("length", "timeout", "tier"),
    [
        (100, 30000, "basic"), (101, 30000, "standard"),
        (5000, 30000, "standard"), (5001, 30000, "premium"),
        (10000, 30000, "premium"), (10001, 30000, "enterprise"),
        (10, 60000, "basic"), (10, 60001, "premium"),
        (10, 120000, "premium"), (10, 120001, "enterprise"),
        (101, 60001, "premium"), (5001, 120001, "enterprise"),
    ],
)  # fmt: skip
def test_tier_boundaries(length: int, timeout: int, tier: str) -> None:
    assert determine_tier(length, timeout) == tier


def test_system_costs() -> None:
    assert scaling_cost(3) == Decimal("0.0003")
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    one_mb_hour = storage_cost(1024 * 1024, t0, None, t0, t0 + timedelta(hours=1))
    assert one_mb_hour == Decimal("0.0001")
    # Only the part inside the window counts; nothing after deletion.
    half = storage_cost(1024 * 1024, t0, t0 + timedelta(minutes=30), t0, t0 + timedelta(hours=5))
    assert half == Decimal("0.00005")
    assert storage_cost(1024 * 1024, t0, None, t0 - timedelta(hours=2), t0) == 0


def test_hour_buckets_are_utc() -> None:
    from datetime import timezone

    assert hour_bucket(datetime(2026, 3, 1, 23, 59, 59, tzinfo=UTC)) == "2026-03-01T23:00:00Z"
    plus_two = timezone(timedelta(hours=2))
    assert hour_bucket(datetime(2026, 3, 2, 1, 30, tzinfo=plus_two)) == "2026-03-01T23:00:00Z"
