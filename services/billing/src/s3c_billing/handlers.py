"""Billing queries: system costs, hourly trends, per-function and per-execution costs, audit."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from nats.errors import TimeoutError as NatsTimeout
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from pymongo.asynchronous.database import AsyncDatabase
from s3c_events import (
    CostAudit,
    CostTrends,
    ExecutionCompleted,
    ExecutionCost,
    ExecutionFailed,
    FunctionCosts,
    SystemCosts,
    decode_event,
    streams,
    utc_now,
)
from s3c_runtime.mongo import Doc
from s3c_runtime.service import RequestError

from s3c_billing.domain.costs import EXACT, canonical, hour_bucket, storage_cost, total
from s3c_billing.projections import MONEY, CostsProjection, cost_event, money_view

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def utc(moment: datetime | None, default: datetime) -> datetime:
    if moment is None:
        return default
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def as_datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.fromisoformat(str(value).replace("Z", "+00:00")).astimezone(UTC)


class BillingHandlers:
    def __init__(
        self, db: AsyncDatabase[Doc], js: JetStreamContext, costs: CostsProjection
    ) -> None:
        self.db = db
        self.js = js
        self.costs = costs

    async def _storage(
        self, start: datetime, end: datetime, function_id: str | None = None
    ) -> Decimal:
        query: Doc = {"_id": function_id} if function_id else {}
        amounts = []
        async for doc in self.db["function_versions"].find(query):
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
            async for d in self.db["scaling_charges"].find(
                {"hour": {"$gte": hour_bucket(start), "$lte": hour_bucket(end)}}
            )
            if start <= as_datetime(d["at"]) <= end
        ]
        return total(charges), len(charges)

    async def system(self, query: SystemCosts) -> dict[str, Any]:
        """Totals over whole UTC hours touching [startDate, endDate] (default: all time)."""
        now = utc_now()
        start, end = utc(query.start_date, EPOCH), utc(query.end_date, now)
        if end < start:
            raise RequestError("invalid", "endDate is before startDate", "endDate")
        hours = {"kind": "hour", "hour": {"$gte": hour_bucket(start), "$lte": hour_bucket(end)}}
        system_total, executions = Decimal(0), 0
        per_function: dict[str, dict[str, Any]] = {}
        async for doc in self.db["cost_rollups"].find(hours):
            if doc["functionId"] == "*":
                system_total = EXACT.add(system_total, Decimal(doc["totalCost"]))
                executions += int(doc["executions"])
                continue
            entry = per_function.setdefault(
                doc["functionId"], {"total": Decimal(0), "executions": 0}
            )
            entry["total"] = EXACT.add(entry["total"], Decimal(doc["totalCost"]))
            entry["executions"] += int(doc["executions"])
        names = {
            d["functionId"]: d
            async for d in self.db["cost_rollups"].find(
                {"kind": "function", "functionId": {"$in": list(per_function)}}
            )
        }
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
        scaling, scaling_events = await self._scaling(start, end)
        storage = await self._storage(start, end)
        average = EXACT.divide(system_total, Decimal(executions)) if executions else Decimal(0)
        return {
            "period": {"start": start.isoformat(), "end": end.isoformat()},
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
        cursor = (
            self.db["cost_rollups"]
            .find(
                {
                    "kind": "hour",
                    "functionId": query.function_id or "*",
                    "hour": {"$gte": hour_bucket(start), "$lte": hour_bucket(end)},
                }
            )
            .sort("hour", 1)
        )
        hourly = [
            {
                "hour": d["hour"],
                "executions": int(d["executions"]),
                "cost": float(d["totalCost"]),
                "costExact": d["totalCost"],
                # The parts of the total, for a chart stacked by kind of cost.
                **money_view(d, MONEY[:-1]),
            }
            async for d in cursor
        ]
        return {
            "from": start.isoformat(),
            "to": end.isoformat(),
            "functionId": query.function_id,
            "hourly": hourly,
        }

    async def function(self, query: FunctionCosts) -> dict[str, Any]:
        doc = await self.db["cost_rollups"].find_one({"_id": f"fn|{query.function_id}"})
        storage = await self._storage(EPOCH, utc_now(), query.function_id)
        known = doc or await self.db["function_versions"].find_one({"_id": query.function_id})
        if known is None:
            raise RequestError("not_found", f"no costs known for function '{query.function_id}'")
        doc = doc or {}
        executions = int(doc.get("executions", 0))
        average = (
            EXACT.divide(Decimal(doc.get("totalCost", "0")), Decimal(executions))
            if executions
            else Decimal(0)
        )
        return {
            "functionId": query.function_id,
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

    async def execution(self, query: ExecutionCost) -> dict[str, Any]:
        doc = await self.db["execution_costs"].find_one({"_id": query.execution_id})
        if doc is None:
            raise RequestError(
                "not_found", f"execution '{query.execution_id}' has not been costed (yet)"
            )
        return cost_view(doc)

    async def audit(self, _: CostAudit) -> dict[str, Any]:
        """Replay every terminal execution event, recompute its cost, compare with the ledger."""
        recomputed: dict[str, dict[str, Any]] = {}
        sub = await self.js.pull_subscribe(
            "",
            stream=streams.EXECUTIONS.name,
            config=ConsumerConfig(
                ack_policy=AckPolicy.NONE,
                deliver_policy=DeliverPolicy.ALL,
                filter_subjects=["s3c.evt.execution.*.completed", "s3c.evt.execution.*.failed"],
                inactive_threshold=30,
            ),
        )
        try:
            while True:
                try:
                    msgs = await sub.fetch(512, timeout=0.5)
                except (NatsTimeout, TimeoutError):
                    break
                events = [decode_event(m.subject, m.data) for m in msgs]
                terminal = [
                    e for e in events if isinstance(e, ExecutionCompleted | ExecutionFailed)
                ]
                tiers = await self.costs.tiers_of(self.db["execution_costs"], terminal)
                for event, tier in zip(terminal, tiers, strict=True):
                    # The first terminal event of an execution is the one that counts.
                    recomputed.setdefault(event.execution_id, cost_event(event, tier).to_dict())
        finally:
            with contextlib.suppress(Exception):
                await sub.unsubscribe()
        ledger = {d["_id"]: d async for d in self.db["execution_costs"].find({})}
        differences = []
        for eid, expected in recomputed.items():
            stored = ledger.get(eid)
            if stored is None:
                differences.append(
                    {
                        "executionId": eid,
                        "problem": "missing from the ledger",
                        "expected": expected["totalCost"],
                    }
                )
                continue
            for field in (*MONEY, "tier", "billedDurationMs"):
                if str(stored.get(field)) != str(expected[field]):
                    differences.append(
                        {
                            "executionId": eid,
                            "field": field,
                            "stored": stored.get(field),
                            "expected": expected[field],
                        }
                    )
        for eid in ledger.keys() - recomputed.keys():
            differences.append(
                {"executionId": eid, "problem": "costed, but no terminal event in the stream"}
            )
        ledger_total = total([Decimal(d["totalCost"]) for d in ledger.values()])
        recomputed_total = total([Decimal(r["totalCost"]) for r in recomputed.values()])
        rollup_total = total(
            [
                Decimal(d["totalCost"])
                async for d in self.db["cost_rollups"].find({"kind": "function"})
            ]
        )
        hourly_total = total(
            [
                Decimal(d["totalCost"])
                async for d in self.db["cost_rollups"].find({"kind": "hour", "functionId": "*"})
            ]
        )
        for name, value in (("function roll-ups", rollup_total), ("hourly roll-ups", hourly_total)):
            if value != ledger_total:
                differences.append(
                    {
                        "problem": f"{name} total differs from the ledger",
                        "stored": canonical(value),
                        "expected": canonical(ledger_total),
                    }
                )
        return {
            "checkedExecutions": len(recomputed),
            "ledgerRecords": len(ledger),
            "differences": differences,
            "ledgerTotalExact": canonical(ledger_total),
            "recomputedTotalExact": canonical(recomputed_total),
            "ok": not differences,
        }


def cost_view(doc: Doc) -> dict[str, Any]:
    return {
        "executionId": doc["executionId"],
        "functionId": doc["functionId"],
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
