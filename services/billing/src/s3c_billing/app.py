"""Billing composition root: three projectors (function versions, costs, scaling) and queries."""

from __future__ import annotations

from typing import Any

from s3c_events import (
    CostAudit,
    CostTrends,
    ExecutionCost,
    ExecutionCosted,
    FunctionCosts,
    SystemCosts,
)
from s3c_events.billing import SERVICE
from s3c_events.subjects import EVENTS
from s3c_runtime.bus import publish_event
from s3c_runtime.projector import Projector
from s3c_runtime.service import Service
from s3c_runtime.settings import Settings

from s3c_billing.handlers import BillingHandlers
from s3c_billing.projections import (
    CostsProjection,
    FunctionVersionsProjection,
    ScalingChargesProjection,
)


def build(settings: Settings | None = None) -> Service:
    service = Service(SERVICE, settings)
    parts: dict[str, Any] = {}

    def handlers() -> BillingHandlers:
        h: BillingHandlers = parts["handlers"]
        return h

    @service.on_ready
    async def start() -> None:
        db = service.db
        await db["execution_costs"].create_index("functionId")
        await db["cost_rollups"].create_index([("kind", 1), ("functionId", 1), ("hour", 1)])
        await db["scaling_charges"].create_index("hour")

        async def announce(record: ExecutionCosted) -> None:
            await publish_event(service.js, record)

        costs = CostsProjection(publish=announce)
        projectors = [
            Projector(service.js, db, FunctionVersionsProjection()),
            Projector(service.js, db, costs),
            Projector(service.js, db, ScalingChargesProjection()),
        ]
        # Function versions first: costs look their tier inputs up there.
        await projectors[0].catch_up()
        for projector in projectors:
            projector.start()
        parts.update(projectors=projectors, handlers=BillingHandlers(db, service.js, costs))

    @service.on_stop
    async def stop() -> None:
        for projector in parts.get("projectors", []):
            await projector.stop()

    service.answer(
        SystemCosts, lambda q: handlers().system(q), "system costs over a period", max_workers=8
    )
    service.answer(
        CostTrends, lambda q: handlers().trends(q), "hourly cost trend (UTC hours)", max_workers=8
    )
    service.answer(
        FunctionCosts, lambda q: handlers().function(q), "one function's cost totals", max_workers=8
    )
    service.answer(
        ExecutionCost, lambda q: handlers().execution(q), "one execution's cost", max_workers=8
    )
    service.answer(
        CostAudit,
        lambda q: handlers().audit(q),
        "recompute every cost from the event log",
        max_workers=8,
    )
    service.document_events([ExecutionCosted], f"{EVENTS}.billing.{{{{executionId}}}}.{{type}}")
    return service
