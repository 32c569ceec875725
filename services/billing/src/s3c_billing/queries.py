"""Billing's queries, answered from its read models: system costs over a period, hourly trends,
one function's totals, one execution's cost.

Each takes an optional owner: with one, it answers from that owner's executions only, and
another owner's function or execution is not found; without one (admin), from every owner's,
with the system's own costs (scaling, storage) added."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from s3c_events import (
    CostTrends,
    ExecutionCost,
    ExecutionCostList,
    FunctionCosts,
    SystemCosts,
    utc_now,
)
from s3c_events.owners import owner_of, visible
from s3c_runtime.mongo import Doc
from s3c_runtime.rpc import RequestError

from s3c_billing.domain.costs import EXACT, canonical, hour_bucket, storage_cost, total
from s3c_billing.domain.ledger import MONEY, SYSTEM
from s3c_billing.ports import CostStore

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def utc(moment: datetime | None, default: datetime) -> datetime:
    if moment is None:
        return default
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def as_datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.fromisoformat(str(value).replace("Z", "+00:00")).astimezone(UTC)


def money_view(doc: Doc | dict[str, Any], fields: Sequence[str] = MONEY) -> dict[str, Any]:
    """Money as numbers (for charts) plus the exact decimal strings (`<field>Exact`)."""
    out: dict[str, Any] = {}
    for field in fields:
        exact = str(doc.get(field, "0"))
        out[field] = float(exact)
        out[f"{field}Exact"] = exact
    return out


def owner(doc: Doc) -> str:
    """A stored record's, roll-up's or function's owner (`local` if stored before owners)."""
    return owner_of(doc.get("owner"))


def seen_by(doc: Doc, asked: str | None) -> bool:
    """Whether a request for `asked` (None: every owner) may see this record or function."""
    return visible(owner(doc), asked)


def hour_view(doc: Doc) -> dict[str, Any]:
    return {
        "hour": doc["hour"],
        "executions": int(doc["executions"]),
        "cost": float(doc["totalCost"]),
        "costExact": doc["totalCost"],
        # The parts of the total, for a chart stacked by kind of cost.
        **money_view(doc, MONEY[:-1]),
    }


def cost_view(doc: Doc) -> dict[str, Any]:
    return {
        "executionId": doc["executionId"],
        "functionId": doc["functionId"],
        "owner": owner(doc),
        "tier": doc["tier"],
        "status": doc.get("status"),
        "resourceUsage": doc.get("resourceUsage"),
        "billedDurationMs": doc.get("billedDurationMs"),
        "durationMs": doc.get("durationMs"),
        "coldStarts": doc.get("coldStarts"),
        "retryCount": doc.get("retryCount"),
        "inputBytes": doc.get("inputBytes"),
        "outputBytes": doc.get("outputBytes"),
        "startTime": doc.get("startTime"),
        **money_view(doc),
    }


class CostQueries:
    def __init__(self, store: CostStore) -> None:
        self.store = store

    async def _storage(
        self, start: datetime, end: datetime, function_id: str | None = None
    ) -> Decimal:
        amounts = []
        async for doc in self.store.function_versions(function_id):
            versions = doc.get("versions") or {}
            if not versions or "storedFrom" not in doc:
                continue
            latest = versions[max(versions, key=int)]
            until = as_datetime(doc["storedUntil"]) if doc.get("storedUntil") else None
            amounts.append(
                storage_cost(
                    int(latest["codeBytes"]), as_datetime(doc["storedFrom"]), until, start, end
                )
            )
        return total(amounts)

    async def _scaling(self, start: datetime, end: datetime) -> tuple[Decimal, int]:
        charges = [
            Decimal(d["cost"])
            async for d in self.store.scaling_charges(hour_bucket(start), hour_bucket(end))
            if start <= as_datetime(d["at"]) <= end
        ]
        return total(charges), len(charges)

    async def system(self, query: SystemCosts) -> dict[str, Any]:
        """Totals over whole UTC hours touching [startDate, endDate] (default: all time)."""
        now = utc_now()
        start, end = utc(query.start_date, EPOCH), utc(query.end_date, now)
        if end < start:
            raise RequestError("invalid", "endDate is before startDate", "endDate")
        first, last = hour_bucket(start), hour_bucket(end)
        system_total, executions = Decimal(0), 0
        totals = (
            self.store.hourly(SYSTEM, first, last)
            if query.owner is None
            else self.store.owner_hourly(query.owner, first, last)
        )
        async for doc in totals:
            system_total = EXACT.add(system_total, Decimal(doc["totalCost"]))
            executions += int(doc["executions"])
        per_function: dict[str, dict[str, Any]] = {}
        async for doc in self.store.function_hours(first, last, query.owner):
            entry = per_function.setdefault(
                doc["functionId"], {"total": Decimal(0), "executions": 0}
            )
            entry["total"] = EXACT.add(entry["total"], Decimal(doc["totalCost"]))
            entry["executions"] += int(doc["executions"])
        names = {d["functionId"]: d async for d in self.store.function_rollups(list(per_function))}
        function_costs = [
            {
                "functionId": fid,
                "functionName": names.get(fid, {}).get("functionName"),
                "tier": names.get(fid, {}).get("tier"),
                "executionCount": entry["executions"],
                **money_view({"totalCost": canonical(entry["total"])}, ("totalCost",)),
            }
            for fid, entry in sorted(
                per_function.items(), key=lambda kv: kv[1]["total"], reverse=True
            )
        ]
        # Scaling and storage are the system's costs, no owner's: only an admin's answer has them.
        scaling, scaling_events, storage = Decimal(0), 0, Decimal(0)
        if query.owner is None:
            scaling, scaling_events = await self._scaling(start, end)
            storage = await self._storage(start, end)
        average = EXACT.divide(system_total, Decimal(executions)) if executions else Decimal(0)
        return {
            "period": {"start": start.isoformat(), "end": end.isoformat()},
            "owner": query.owner,
            "totalExecutions": executions,
            "functionCosts": function_costs,
            "scalingEvents": scaling_events,
            **money_view(
                {
                    "totalSystemCost": canonical(total([system_total, scaling, storage])),
                    "totalExecutionCost": canonical(system_total),
                    "averageCostPerExecution": canonical(
                        average.quantize(Decimal("1e-12")) if executions else average
                    ),
                    "scalingCost": canonical(scaling),
                    "storageCost": canonical(storage),
                },
                (
                    "totalSystemCost",
                    "totalExecutionCost",
                    "averageCostPerExecution",
                    "scalingCost",
                    "storageCost",
                ),
            ),
        }

    async def trends(self, query: CostTrends) -> dict[str, Any]:
        now = utc_now()
        start, end = utc(query.from_, now - timedelta(hours=24)), utc(query.to, now)
        if end < start:
            raise RequestError("invalid", "'to' is before 'from'", "to")
        first, last = hour_bucket(start), hour_bucket(end)
        series: AsyncIterator[Doc] | None
        if query.function_id is not None:
            mine = await self._may_see(query.function_id, query.owner)
            series = self.store.hourly(query.function_id, first, last) if mine else None
        elif query.owner is not None:
            series = self.store.owner_hourly(query.owner, first, last)
        else:
            series = self.store.hourly(SYSTEM, first, last)
        hourly = [hour_view(d) async for d in series] if series is not None else []
        return {
            "from": start.isoformat(),
            "to": end.isoformat(),
            "functionId": query.function_id,
            "owner": query.owner,
            "hourly": hourly,
        }

    async def _may_see(self, function_id: str, to: str | None) -> bool:
        """Whether an owner (None: admin) may see a function's costs. Another owner's function
        shows no hours, as an unknown one has none: its existence is not revealed."""
        if to is None:
            return True
        known = await self.store.function_rollup(function_id)
        known = known or await self.store.function_version(function_id)
        return known is None or seen_by(known, to)

    async def function(self, query: FunctionCosts) -> dict[str, Any]:
        doc = await self.store.function_rollup(query.function_id)
        known = doc or await self.store.function_version(query.function_id)
        if known is None or not seen_by(known, query.owner):
            raise RequestError("not_found", f"no costs known for function '{query.function_id}'")
        storage = await self._storage(EPOCH, utc_now(), query.function_id)
        doc = doc or {}
        executions = int(doc.get("executions", 0))
        average = (
            EXACT.divide(Decimal(doc.get("totalCost", "0")), Decimal(executions))
            if executions
            else Decimal(0)
        )
        return {
            "functionId": query.function_id,
            "owner": owner(known),
            "functionName": doc.get("functionName") or known.get("name"),
            "tier": doc.get("tier"),
            "executionCount": executions,
            "failedCount": int(doc.get("failed", 0)),
            "coldStarts": int(doc.get("coldStarts", 0)),
            "retries": int(doc.get("retries", 0)),
            **money_view(doc),
            **money_view(
                {
                    "averageCost": canonical(
                        average.quantize(Decimal("1e-12")) if executions else average
                    ),
                    "storageCost": canonical(storage),
                },
                ("averageCost", "storageCost"),
            ),
        }

    async def executions(self, query: ExecutionCostList) -> dict[str, Any]:
        found = await self.store.cost_records(set(query.execution_ids))
        return {
            "costs": {
                eid: cost_view(doc) for eid, doc in found.items() if seen_by(doc, query.owner)
            }
        }

    async def execution(self, query: ExecutionCost) -> dict[str, Any]:
        doc = await self.store.cost_record(query.execution_id)
        if doc is None or not seen_by(doc, query.owner):
            raise RequestError(
                "not_found", f"execution '{query.execution_id}' has not been costed (yet)"
            )
        return cost_view(doc)
