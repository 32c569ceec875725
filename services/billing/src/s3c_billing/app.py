"""Billing's service: three projectors (function versions, costs, scaling) and the cost queries,
wired at start-up by `bootstrap`."""

from __future__ import annotations

from s3c_events import (
    CostAudit,
    CostTrends,
    ExecutionCost,
    ExecutionCosted,
    ExecutionCostList,
    FunctionCosts,
    SystemCosts,
)
from s3c_events.billing import SERVICE
from s3c_events.subjects import EVENTS
from s3c_runtime.projector import Projector
from s3c_runtime.service import Service

from s3c_billing.bootstrap import Deps, Handlers, bootstrap, start_projectors
from s3c_billing.settings import BillingSettings


def build(
    settings: BillingSettings | None = None, deps: Deps | None = None
) -> Service[BillingSettings]:
    """The billing service. With `deps` (unit tests) it answers from those and starts nothing;
    otherwise it builds the production adapters and starts its projectors once connected."""
    service = Service(SERVICE, settings or BillingSettings())
    handlers = Handlers(deps)
    if deps is None:
        projectors: list[Projector] = []

        @service.on_ready
        async def start() -> None:
            ready = await bootstrap(service)
            projectors.extend(await start_projectors(service, ready))
            handlers.bind(ready)

        @service.on_stop
        async def stop() -> None:
            for projector in projectors:
                await projector.stop()

    service.answer(SystemCosts, handlers.system, "system costs over a period", max_workers=8)
    service.answer(CostTrends, handlers.trends, "hourly cost trend (UTC hours)", max_workers=8)
    service.answer(FunctionCosts, handlers.function, "one function's cost totals", max_workers=8)
    service.answer(ExecutionCost, handlers.execution, "one execution's cost", max_workers=8)
    service.answer(
        ExecutionCostList, handlers.executions, "the costs of many executions", max_workers=8
    )
    service.answer(
        CostAudit, handlers.audit, "recompute every cost from the event log", max_workers=8
    )
    service.document_events([ExecutionCosted], f"{EVENTS}.billing.{{{{executionId}}}}.{{type}}")
    return service
