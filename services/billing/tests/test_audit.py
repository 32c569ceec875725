"""The cost audit over an in-memory event log: an honest ledger has no differences; a tampered,
missing or unexplained record is reported; the log is read a batch at a time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from billing_fakes import T0, InMemoryEventLog, InMemoryStore, started, terminal
from s3c_billing.audit import TERMINAL_SUBJECTS, CostAuditor
from s3c_billing.domain.ledger import cost_record
from s3c_billing.projections import bill_batch
from s3c_events import CostAudit
from s3c_events.subjects import events_of_type

EVENTS = [
    started("e1"),
    terminal("e1", cold_starts=1),
    terminal("e2", function_id="f2", tier="premium", duration_ms=4321),
    started("e3"),
    terminal("e3", failed=True, retry_count=2, start_time=T0 + timedelta(hours=2)),
    terminal("e1", failed=True, duration_ms=99999),  # a duplicate: the completed one counts
    *(terminal(f"r{i}", function_id=f"f{i % 3}", duration_ms=i * 37.5) for i in range(20)),
]


async def audit(tamper: Callable[[InMemoryStore], Any] = lambda store: None) -> tuple[
    dict[str, Any], InMemoryEventLog, InMemoryStore
]:  # fmt: skip
    log, store = InMemoryEventLog(EVENTS), InMemoryStore()
    store.add_function("f2", tier="premium")
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
    # Bounded: the stream came in batches of at most 4, and so did the ledger look-ups.
    assert max(log.batch_sizes) == 4 and store.largest_lookup <= 4
    assert sum(log.batch_sizes) == 24  # the terminal events only (started ones are not read)


async def test_a_tampered_record_is_reported() -> None:
    honest = cost_record(terminal("e2", function_id="f2", duration_ms=4321), "premium").total_cost

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
    # The roll-ups still hold the honest figure, so they no longer match the ledger's total.
    assert [d["problem"] for d in report["differences"][1:]] == [
        "function roll-ups total differs from the ledger",
        "hourly roll-ups total differs from the ledger",
    ]


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
