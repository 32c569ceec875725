"""The audit's bookkeeping, pure: recomputed cost records against the ledger's, a batch at a time.

It keeps the ids of the executions it has checked (the first terminal event of each is the one
that counts) and running totals (overall and per owner), never the events or the records
themselves.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from s3c_events.owners import LOCAL, owner_of

from s3c_billing.domain.costs import EXACT, canonical
from s3c_billing.domain.ledger import MONEY, Terminal

AUDITED = (*MONEY, "tier", "billedDurationMs", "owner")  # the record fields the audit compares
# How a field missing from a stored record reads (records older than the field).
STORED_DEFAULTS: dict[str, str] = {"owner": LOCAL}


@dataclass
class AuditTally:
    seen: set[str] = field(default_factory=set)
    differences: list[dict[str, Any]] = field(default_factory=list)
    recomputed_total: Decimal = Decimal(0)
    ledger_total: Decimal = Decimal(0)
    ledger_records: int = 0
    ledger_by_owner: dict[str, Decimal] = field(default_factory=dict)

    def firsts(self, events: Iterable[Terminal]) -> list[Terminal]:
        """The events (read in stream order) that are their execution's first terminal event."""
        out = []
        for event in events:
            if event.execution_id not in self.seen:
                self.seen.add(event.execution_id)
                out.append(event)
        return out

    def check(self, expected: Mapping[str, Any], stored: Mapping[str, Any] | None) -> None:
        """Compare one recomputed record (wire shape) with the ledger's (None: it has none)."""
        eid = expected["executionId"]
        self.recomputed_total = EXACT.add(self.recomputed_total, Decimal(expected["totalCost"]))
        if stored is None:
            self.differences.append(
                {
                    "executionId": eid,
                    "problem": "missing from the ledger",
                    "expected": expected["totalCost"],
                }
            )
            return
        for name in AUDITED:
            value = stored.get(name, STORED_DEFAULTS.get(name))
            if str(value) != str(expected[name]):
                self.differences.append(
                    {"executionId": eid, "field": name, "stored": value, "expected": expected[name]}
                )

    def count_ledger(self, record: Mapping[str, Any]) -> None:
        """Take one ledger record into the ledger's total, after the whole stream was checked: a
        record no terminal event accounts for is a difference."""
        self.ledger_records += 1
        amount = Decimal(record["totalCost"])
        self.ledger_total = EXACT.add(self.ledger_total, amount)
        owner = owner_of(record.get("owner"))
        self.ledger_by_owner[owner] = EXACT.add(self.ledger_by_owner.get(owner, Decimal(0)), amount)
        if record["_id"] not in self.seen:
            self.differences.append(
                {
                    "executionId": record["_id"],
                    "problem": "costed, but no terminal event in the stream",
                }
            )

    def check_total(self, name: str, value: Decimal) -> None:
        """A roll-up total (after the whole ledger was counted) must equal the ledger's."""
        if value != self.ledger_total:
            self.differences.append(
                {
                    "problem": f"{name} total differs from the ledger",
                    "stored": canonical(value),
                    "expected": canonical(self.ledger_total),
                }
            )

    def check_owner_totals(self, name: str, totals: Mapping[str, Decimal]) -> None:
        """Roll-up totals per owner (after the whole ledger was counted) must equal the ledger's
        per owner: a cost counted for the wrong owner shows here even when the sum is right."""
        for owner in sorted(self.ledger_by_owner.keys() | totals.keys()):
            value = totals.get(owner, Decimal(0))
            expected = self.ledger_by_owner.get(owner, Decimal(0))
            if value != expected:
                self.differences.append(
                    {
                        "problem": f"{name} total of owner '{owner}' differs from the ledger",
                        "owner": owner,
                        "stored": canonical(value),
                        "expected": canonical(expected),
                    }
                )

    def report(self) -> dict[str, Any]:
        return {
            "checkedExecutions": len(self.seen),
            "ledgerRecords": self.ledger_records,
            "differences": self.differences,
            "ledgerTotalExact": canonical(self.ledger_total),
            "ledgerTotalByOwnerExact": {
                owner: canonical(amount) for owner, amount in sorted(self.ledger_by_owner.items())
            },
            "recomputedTotalExact": canonical(self.recomputed_total),
            "ok": not self.differences,
        }
