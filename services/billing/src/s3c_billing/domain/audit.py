"""The audit's bookkeeping, pure: recomputed cost records against the ledger's, a batch at a time.

It keeps the ids of the executions it has checked (the first terminal event of each is the one
that counts) and running totals, never the events or the records themselves.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from s3c_billing.domain.costs import EXACT, canonical
from s3c_billing.domain.ledger import MONEY, Terminal

AUDITED = (*MONEY, "tier", "billedDurationMs")  # the record fields the audit compares


@dataclass
class AuditTally:
    seen: set[str] = field(default_factory=set)
    differences: list[dict[str, Any]] = field(default_factory=list)
    recomputed_total: Decimal = Decimal(0)
    ledger_total: Decimal = Decimal(0)
    ledger_records: int = 0

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
            if str(stored.get(name)) != str(expected[name]):
                self.differences.append(
                    {
                        "executionId": eid,
                        "field": name,
                        "stored": stored.get(name),
                        "expected": expected[name],
                    }
                )

    def count_ledger(self, record: Mapping[str, Any]) -> None:
        """Take one ledger record into the ledger's total, after the whole stream was checked: a
        record no terminal event accounts for is a difference."""
        self.ledger_records += 1
        self.ledger_total = EXACT.add(self.ledger_total, Decimal(record["totalCost"]))
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

    def report(self) -> dict[str, Any]:
        return {
            "checkedExecutions": len(self.seen),
            "ledgerRecords": self.ledger_records,
            "differences": self.differences,
            "ledgerTotalExact": canonical(self.ledger_total),
            "recomputedTotalExact": canonical(self.recomputed_total),
            "ok": not self.differences,
        }
