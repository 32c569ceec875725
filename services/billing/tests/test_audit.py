"""The cost audit over an in-memory event log: an honest ledger has no differences; a tampered,
missing or unexplained record is reported, and so is a cost counted for the wrong owner; the log
is read a batch at a time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

from billing_fakes import T0, InMemoryEventLog, InMemoryStore, started, terminal
from s3c_billing.audit import TERMINAL_SUBJECTS, CostAuditor
from s3c_billing.domain.costs import hour_bucket
from s3c_billing.domain.ledger import cost_record
from s3c_billing.projections import bill_batch
from s3c_events import CostAudit
from s3c_events.subjects import events_of_type

OWNERS = {"f0": "local", "f1": "local", "f2": "acme"}  # the owner of each function
EVENTS = [
    started("e1"),
    terminal("e1", cold_starts=1),
    terminal("e2", function_id="f2", tier="premium", duration_ms=4321, owner="acme"),
    started("e3"),
    terminal("e3", failed=True, retry_count=2, start_time=T0 + timedelta(hours=2)),
    terminal("e1", failed=True, duration_ms=99999),  # a duplicate: the completed one counts
    *(
        terminal(f"r{i}", function_id=f"f{i % 3}", duration_ms=i * 37.5, owner=OWNERS[f"f{i % 3}"])
        for i in range(20)
    ),
]


async def audit(tamper: Callable[[InMemoryStore], Any] = lambda store: None) -> tuple[
    dict[str, Any], InMemoryEventLog, InMemoryStore
]:  # fmt: skip
    log, store = InMemoryEventLog(EVENTS), InMemoryStore()
    store.add_function("f2", tier="premium", owner="acme")
    applied = log.applied()
    for start in range(0, len(applied), 3):
        await bill_batch(store, applied[start : start + 3])
    tamper(store)
    report = await CostAuditor(store, log, batch_size=4).audit(CostAudit())
    return report, log, store


async def test_an_honest_ledger_has_no_differences() -> None:
    report, log, store = await audit()
    assert report["differences"] == [] and report["ok"] is True
    assert report["checkedExecutions"] == report["ledgerRecords"] == 23
    assert report["ledgerTotalExact"] == report["recomputedTotalExact"]
    by_owner = report["ledgerTotalByOwnerExact"]
    assert set(by_owner) == {"local", "acme"}
    assert sum(map(Decimal, by_owner.values())) == Decimal(report["ledgerTotalExact"])
    assert Decimal(by_owner["acme"]) == sum(
        Decimal(r["totalCost"]) for r in store.records.values() if r["functionId"] == "f2"
    )
    # Bounded: the stream came in batches of at most 4, and so did the ledger look-ups.
    assert max(log.batch_sizes) == 4 and store.largest_lookup <= 4
    assert sum(log.batch_sizes) == 24  # the terminal events only (started ones are not read)


async def test_a_tampered_record_is_reported() -> None:
    honest = cost_record(terminal("e2", "f2", duration_ms=4321, owner="acme"), "premium").total_cost

    def tamper(store: InMemoryStore) -> None:
        store.records["e2"]["totalCost"] = "0.5"

    report, _, _ = await audit(tamper)
    assert report["ok"] is False
    assert report["differences"][0] == {
        "executionId": "e2",
        "field": "totalCost",
        "stored": "0.5",
        "expected": honest,
    }
    # The roll-ups still hold the honest figure, so they no longer match the ledger's total,
    # nor its owner's.
    assert [d["problem"] for d in report["differences"][1:]] == [
        "function roll-ups total differs from the ledger",
        "hourly roll-ups total differs from the ledger",
        "function roll-ups total of owner 'acme' differs from the ledger",
        "owner roll-ups total of owner 'acme' differs from the ledger",
    ]


async def test_a_record_of_the_wrong_owner_is_reported() -> None:
    def tamper(store: InMemoryStore) -> None:
        store.records["e2"]["owner"] = "intruder"

    report, _, _ = await audit(tamper)
    assert report["differences"][0] == {
        "executionId": "e2",
        "field": "owner",
        "stored": "intruder",
        "expected": "acme",
    }
    # Every total is right; only the split between owners is not.
    assert [(d["problem"], d["owner"]) for d in report["differences"][1:]] == [
        ("function roll-ups total of owner 'acme' differs from the ledger", "acme"),
        ("function roll-ups total of owner 'intruder' differs from the ledger", "intruder"),
        ("owner roll-ups total of owner 'acme' differs from the ledger", "acme"),
        ("owner roll-ups total of owner 'intruder' differs from the ledger", "intruder"),
    ]


async def test_an_owner_rollup_counted_for_another_owner_is_reported() -> None:
    moved = f"owner|{hour_bucket(T0)}|acme"

    def tamper(store: InMemoryStore) -> None:
        store.rollup_docs[moved]["owner"] = "local"

    report, _, _ = await audit(tamper)
    stored = {
        d["owner"]: d["stored"]
        for d in report["differences"]
        if d["problem"].startswith("owner roll-ups")
    }
    assert stored == {
        "acme": "0",
        "local": report["ledgerTotalExact"],  # the whole ledger: local's and acme's
    }
    assert len(report["differences"]) == 2 and report["ok"] is False


async def test_records_and_rollups_from_before_owners_read_as_local() -> None:
    def forget_owners(store: InMemoryStore) -> None:
        for doc in (*store.records.values(), *store.rollup_docs.values()):
            if doc.get("kind") != "owner" and doc.get("owner") == "local":
                del doc["owner"]

    report, _, store = await audit(forget_owners)
    assert any("owner" not in r for r in store.records.values())
    assert report["differences"] == [] and report["ok"] is True


async def test_a_missing_and_an_unexplained_record_are_reported() -> None:
    def tamper(store: InMemoryStore) -> None:
        ghost = store.records.pop("e3")
        store.records["ghost"] = {**ghost, "_id": "ghost", "executionId": "ghost"}

    report, _, _ = await audit(tamper)
    problems = [(d.get("executionId"), d.get("problem")) for d in report["differences"]]
    assert problems == [
        ("e3", "missing from the ledger"),
        ("ghost", "costed, but no terminal event in the stream"),
    ]  # same total: the roll-ups still match
    assert report["checkedExecutions"] == 23 and report["ledgerRecords"] == 23


def test_the_audit_reads_only_terminal_events() -> None:
    assert TERMINAL_SUBJECTS == (
        events_of_type("execution", "completed"),
        events_of_type("execution", "failed"),
    )
