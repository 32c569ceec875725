"""Billing's composition root: the adapters behind its ports, built once at start-up, and the
handlers bound to them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from s3c_events import (
    CostAudit,
    CostTrends,
    ExecutionCost,
    ExecutionCostList,
    FunctionCosts,
    SystemCosts,
)
from s3c_runtime.projector import Projector
from s3c_runtime.service import Service

from s3c_billing.audit import CostAuditor
from s3c_billing.ports import CostStore, EventLog, Publisher
from s3c_billing.projections import (
    CostsProjection,
    FunctionVersionsProjection,
    ScalingChargesProjection,
)
from s3c_billing.queries import CostQueries
from s3c_billing.settings import BillingSettings
from s3c_billing.store import MongoCostStore, ensure_indexes
from s3c_billing.stream import JetStreamEventLog, JetStreamPublisher


@dataclass(frozen=True)
class Deps:
    """Everything billing's handlers and projections depend on (unit tests pass fakes)."""

    store: CostStore  # the read models
    events: EventLog  # the event log, read in order (the audit replays it)
    publisher: Publisher  # where `billing.execution_costed` goes


async def bootstrap(service: Service[BillingSettings]) -> Deps:
    """The production adapters over the service's connections (Mongo, JetStream)."""
    await ensure_indexes(service.db)
    return Deps(
        store=MongoCostStore(service.db),
        events=JetStreamEventLog(service.js),
        publisher=JetStreamPublisher(service.js),
    )


async def start_projectors(service: Service[BillingSettings], deps: Deps) -> list[Projector]:
    """Keep the read models from the streams, in the background; returns them (to stop them)."""
    versions = Projector(service.js, service.db, FunctionVersionsProjection())
    projectors = [
        versions,
        Projector(service.js, service.db, CostsProjection(publish=deps.publisher)),
        Projector(service.js, service.db, ScalingChargesProjection()),
    ]
    # Function versions first: costs look their tier inputs up there.
    await versions.catch_up()
    for projector in projectors:
        projector.start()
    return projectors


class Handlers:
    """The query handlers, answering once bound to their dependencies (before that, a query
    fails at once and its caller gets "unavailable")."""

    def __init__(self, deps: Deps | None = None) -> None:
        self._queries: CostQueries | None = None
        self._auditor: CostAuditor | None = None
        if deps is not None:
            self.bind(deps)

    def bind(self, deps: Deps) -> None:
        self._queries = CostQueries(deps.store)
        self._auditor = CostAuditor(deps.store, deps.events)

    @property
    def queries(self) -> CostQueries:
        if self._queries is None:
            raise RuntimeError("billing has not started")
        return self._queries

    @property
    def auditor(self) -> CostAuditor:
        if self._auditor is None:
            raise RuntimeError("billing has not started")
        return self._auditor

    async def system(self, query: SystemCosts) -> dict[str, Any]:
        return await self.queries.system(query)

    async def trends(self, query: CostTrends) -> dict[str, Any]:
        return await self.queries.trends(query)

    async def function(self, query: FunctionCosts) -> dict[str, Any]:
        return await self.queries.function(query)

    async def execution(self, query: ExecutionCost) -> dict[str, Any]:
        return await self.queries.execution(query)

    async def executions(self, query: ExecutionCostList) -> dict[str, Any]:
        return await self.queries.executions(query)

    async def audit(self, query: CostAudit) -> dict[str, Any]:
        return await self.auditor.audit(query)
