"""The ledger: an execution's first terminal event is billed, once; roll-ups take each record
exactly once (a batch applied twice, or again after a crash between its writes, changes nothing)
and equal the sum of the cost records to the last digit, system-wide, per function and per owner.
Pure domain, and the costs projection's `bill_batch` over in-memory fakes."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from billing_fakes import (
    T0,
    Crash,
    InMemoryEventLog,
    InMemoryStore,
    RecordingPublisher,
    started,
    terminal,
)
from hypothesis import given, settings
from hypothesis import strategies as st
from s3c_billing.domain.costs import hour_bucket, total
from s3c_billing.domain.ledger import (
    MONEY,
    SYSTEM,
    Costed,
    Money,
    Rollup,
    RollupKey,
    cost_record,
    first_terminal_wins,
    pick_tier,
    plan_batch,
    roll_up,
    rollup_keys,
)
from s3c_billing.projections import bill_batch
from s3c_events import ExecutionCosted
from s3c_events.tiers import TIERS


def costed(seq: int, eid: str, **changes: Any) -> Costed:
    """The record of a terminal event built by `terminal(eid, **changes)`, at `seq`."""
    event = terminal(eid, **changes)
    return Costed(seq, cost_record(event, event.tier))


def without_timestamps(store: InMemoryStore) -> tuple[dict[str, Any], dict[str, Any]]:
    """The store's documents; a record's `occurred_at` says when it was costed, so it differs
    between two stores that cost the same events."""
    records, rollups = store.snapshot()
    return {
        k: {f: v for f, v in d.items() if f != "occurred_at"} for k, d in records.items()
    }, rollups


# Which record counts.


def test_the_first_terminal_event_wins_within_a_batch() -> None:
    completed = costed(1, "e1")
    duplicate = costed(2, "e1", failed=True, duration_ms=9000)
    other = costed(3, "e2")
    new, counted = first_terminal_wins([completed, duplicate, other], {})
    assert new == counted == [completed, other]


def test_a_record_in_the_ledger_wins_over_a_later_event() -> None:
    later = costed(7, "e1", failed=True)
    assert first_terminal_wins([later], {"e1": 3}) == ([], [])
    # The very event the ledger holds (a batch applied again): counted, not inserted again.
    again = costed(3, "e1")
    assert first_terminal_wins([again, later], {"e1": 3}) == ([], [again])


def test_the_tier_comes_from_billings_own_record_of_the_version() -> None:
    event = terminal("e1", tier="basic", version=2)
    assert pick_tier(event, {"f1": {"2": "premium"}}) == "premium"
    assert pick_tier(event, {"f1": {"1": "premium"}}) == "basic"  # version unknown: the event's
    assert pick_tier(event, {}) == "basic"


async def test_a_completed_then_a_duplicate_failed_costs_one_record() -> None:
    store, publisher, log = InMemoryStore(), RecordingPublisher(), InMemoryEventLog()
    await bill_batch(
        store,
        log.append(started("e1"), terminal("e1"), terminal("e1", failed=True, duration_ms=900)),
        publisher,
    )
    await bill_batch(store, log.append(terminal("e1", failed=True, retry_count=2)), publisher)

    assert list(store.records) == ["e1"]
    record = store.records["e1"]
    assert record["status"] == "completed" and record["seq"] == 2
    assert record["totalCost"] == cost_record(terminal("e1"), "basic").total_cost
    function = store.rollup_docs["fn|f1"]
    assert (function["executions"], function["failed"]) == (1, 0)
    assert function["totalCost"] == record["totalCost"]
    assert [r.execution_id for r in publisher.published] == ["e1"]


async def test_a_failed_run_is_billed_too() -> None:
    store = InMemoryStore()
    await bill_batch(store, InMemoryEventLog().append(terminal("e1", failed=True, retry_count=1)))
    assert store.records["e1"]["status"] == "failed"
    assert store.rollup_docs["fn|f1"]["failed"] == 1
    assert store.rollup_docs["fn|f1"]["retries"] == 1


# The sequence guard.


def test_a_rollup_takes_only_records_above_its_sequence() -> None:
    key = RollupKey("function", "f1")
    stored = Rollup(key).add(costed(5, "e5"))
    assert stored.add(costed(5, "e5")) is stored and stored.add(costed(4, "e4")) is stored
    changed = roll_up({key.id: stored}, [costed(4, "e4"), costed(5, "e5"), costed(6, "e6")])
    function = next(r for r in changed if r.key == key)
    assert function.executions == 2 and function.seq == 6
    assert function.money == Money.of(costed(5, "e5").record) + Money.of(costed(6, "e6").record)
    # Nothing new for any roll-up: nothing to write.
    assert roll_up({r.key.id: r for r in changed}, [costed(6, "e6")]) == []


def test_a_plan_names_the_records_to_insert_and_the_rollups_to_write() -> None:
    batch = [
        costed(1, "e1"),
        costed(2, "e1", failed=True),
        costed(3, "e2", function_id="f2", owner="acme"),
    ]
    plan = plan_batch(batch, {}, {})
    assert [c.seq for c in plan.new] == [c.seq for c in plan.counted] == [1, 3]
    hour = hour_bucket(T0)
    assert {r.key.id for r in plan.rollups} == {
        "fn|f1", f"hour|{hour}|f1", "fn|f2", f"hour|{hour}|f2", f"hour|{hour}|*",
        f"owner|{hour}|local", f"owner|{hour}|acme",
    }  # fmt: skip
    system = next(r for r in plan.rollups if r.key.id == f"hour|{hour}|*")
    assert system.executions == 2 and system.seq == 3
    acme = next(r for r in plan.rollups if r.key.id == f"owner|{hour}|acme")
    assert acme.executions == 1 and acme.money == Money.of(batch[2].record) and acme.seq == 3


# Owners.


def test_a_record_carries_its_runs_owner_and_adds_into_that_owners_rollup() -> None:
    record = cost_record(terminal("e1", owner="acme"), "basic")
    assert record.owner == "acme"
    hour = hour_bucket(T0)
    assert RollupKey.of_owner("acme", hour) in rollup_keys(record)
    assert [k.id for k in rollup_keys(record)] == [
        "fn|f1", f"hour|{hour}|f1", f"hour|{hour}|*", f"owner|{hour}|acme"
    ]  # fmt: skip


def test_a_cost_record_without_an_owner_is_locals() -> None:
    old = cost_record(terminal("e1"), "basic").to_dict()
    del old["owner"]
    assert ExecutionCosted.model_validate(old).owner == "local"


@pytest.mark.parametrize(
    "key",
    [RollupKey("function", "f1"), RollupKey("hour", "f1", "2026-01-02T03:00:00Z"),
     RollupKey("hour", SYSTEM, "2026-01-02T03:00:00Z"),
     RollupKey.of_owner("acme-1_x", "2026-01-02T03:00:00Z")],
)  # fmt: skip
def test_a_rollup_id_names_its_key(key: RollupKey) -> None:
    assert RollupKey.parse(key.id) == key


def test_a_functions_rollups_carry_its_owner_and_the_systems_none() -> None:
    record = costed(1, "e1", owner="acme")
    rollups = {r.key.kind + ("*" if r.key.function_id == SYSTEM else ""): r
               for r in roll_up({}, [record])}  # fmt: skip
    assert rollups["function"].owner == rollups["hour"].owner == "acme"
    assert rollups["owner*"].owner == "acme" and rollups["hour*"].owner is None


def runs() -> list[Any]:
    later = T0 + timedelta(hours=1)
    return [
        started("e1"),
        terminal("e1", cold_starts=1),
        terminal("e2", function_id="f2", tier="premium", duration_ms=1234),
        terminal("e1", failed=True),  # a duplicate: not billed
        terminal("e3", failed=True, retry_count=2, start_time=later),
        started("e4"),
        terminal("e4", function_id="f2", tier="enterprise", start_time=later, output_bytes=5000),
        terminal("e5", function_id="f3", tier="standard"),
    ]


async def test_the_same_batch_applied_twice_changes_nothing() -> None:
    store, publisher = InMemoryStore(), RecordingPublisher()
    batch = InMemoryEventLog().append(*runs())
    await bill_batch(store, batch, publisher)
    once = store.snapshot()
    await bill_batch(store, batch, publisher)
    assert store.snapshot() == once
    # Announced again with the same event ids, which JetStream drops as duplicates.
    ids = [r.event_id for r in publisher.published]
    assert ids[: len(ids) // 2] == ids[len(ids) // 2 :] == [f"e{i}-costed" for i in range(1, 6)]


@pytest.mark.parametrize(
    ("method", "written"),
    [("insert_records", 0), ("insert_records", 2), ("save_rollups", 0), ("save_rollups", 1),
     ("save_rollups", 4)],
)  # fmt: skip
async def test_a_batch_applied_again_after_a_crash_changes_nothing(
    method: str, written: int
) -> None:
    items = InMemoryEventLog().append(*runs())
    clean = InMemoryStore()
    await bill_batch(clean, items[:5])
    await bill_batch(clean, items[5:])

    crashed = InMemoryStore()
    crashed.crash[method] = written  # dies after writing this many documents of the batch
    with pytest.raises(Crash):
        await bill_batch(crashed, items[:5])
    # The projector reads again from its checkpoint; this time the batch may be longer.
    await bill_batch(crashed, items)
    assert without_timestamps(crashed) == without_timestamps(clean)


# Roll-ups equal the records, to the last digit.

OWNED = {"f1": "local", "f2": "acme", "f3": "acme", "f4": "zeta"}  # function -> its owner
run = st.tuples(
    st.integers(0, 12),  # execution (ids repeat: duplicate terminal events)
    st.sampled_from(sorted(OWNED)),
    st.sampled_from(sorted(TIERS)),
    st.floats(min_value=0, max_value=200_000, allow_nan=False),
    st.integers(0, 3),  # cold starts
    st.integers(0, 3),  # retries
    st.integers(0, 3_000_000),  # input bytes
    st.integers(0, 3_000_000),  # output bytes
    st.integers(0, 3),  # hour
    st.booleans(),  # failed
)


def sums(records: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        **{m: total([Decimal(r[m]) for r in records]) for m in MONEY},
        "executions": len(records),
        "failed": sum(r["status"] == "failed" for r in records),
        "coldStarts": sum(r["coldStarts"] for r in records),
        "retries": sum(r["retryCount"] for r in records),
    }


def as_sums(doc: dict[str, Any]) -> dict[str, Any]:
    return {
        **{m: Decimal(doc[m]) for m in MONEY},
        **{k: doc[k] for k in ("executions", "failed", "coldStarts", "retries")},
    }


@settings(max_examples=60, deadline=None)
@given(st.lists(run, min_size=1, max_size=40), st.lists(st.integers(1, 9), min_size=1))
def test_rollups_equal_the_sum_of_the_records(rows: list[Any], cuts: list[int]) -> None:
    events = [
        terminal(f"e{n}", fid, tier=tier, duration_ms=ms, cold_starts=cold, retry_count=retries,
                 input_bytes=inp, output_bytes=out, start_time=T0 + timedelta(hours=h), failed=bad,
                 owner=OWNED[fid])
        for n, fid, tier, ms, cold, retries, inp, out, h, bad in rows
    ]  # fmt: skip
    items = InMemoryEventLog().append(*events)
    store = InMemoryStore()

    async def apply() -> None:
        start, i = 0, 0
        while start < len(items):
            size = cuts[i % len(cuts)]
            await bill_batch(store, items[start : start + size])
            start, i = start + size, i + 1

    asyncio.run(apply())

    first: dict[str, Any] = {}
    for event in events:
        first.setdefault(event.execution_id, event)
    assert set(store.records) == set(first)
    for eid, event in first.items():
        assert store.records[eid]["totalCost"] == cost_record(event, event.tier).total_cost
        assert store.records[eid]["owner"] == OWNED[event.function_id]

    records = list(store.records.values())
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in records:
        hour = hour_bucket(first[r["executionId"]].start_time)
        for key in (
            f"fn|{r['functionId']}",
            f"hour|{hour}|{r['functionId']}",
            f"hour|{hour}|*",
            f"owner|{hour}|{r['owner']}",
        ):
            groups[key].append(r)
    assert set(store.rollup_docs) == set(groups)
    for key, members in groups.items():
        assert as_sums(store.rollup_docs[key]) == sums(members), key
        # Stored as canonical strings: equal to the digit, not only in value.
        assert (
            store.rollup_docs[key]["totalCost"]
            == Money.parse(sums(members)).as_strings()["totalCost"]
        )
    ledger = total([Decimal(r["totalCost"]) for r in records])
    by_function = [
        Decimal(d["totalCost"]) for k, d in store.rollup_docs.items() if k.startswith("fn|")
    ]
    by_hour = [Decimal(d["totalCost"]) for k, d in store.rollup_docs.items() if k.endswith("|*")]
    by_owner = [Decimal(d["totalCost"]) for k, d in store.rollup_docs.items() if k[:6] == "owner|"]
    assert total(by_function) == total(by_hour) == total(by_owner) == ledger
    # A function's roll-ups name its owner; an owner's roll-ups hold only that owner's records.
    for key, doc in store.rollup_docs.items():
        if doc["functionId"] != SYSTEM:
            assert doc["owner"] == OWNED[doc["functionId"]], key
        elif doc["kind"] == "owner":
            assert {m["owner"] for m in groups[key]} == {doc["owner"]}, key
