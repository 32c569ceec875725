"""The executor's queries, answered from its read models: one execution, a list of them, the
metrics overview, the per-minute series and per-function run figures. Each may be asked for one
owner: another owner's execution is not found, and the figures are that owner's roll-ups."""

from __future__ import annotations

import asyncio
from typing import Any

from s3c_events import (
    ExecutionDetail,
    ExecutionList,
    ExecutionMetrics,
    ExecutionTimeseries,
    FunctionRunStats,
    utc_now,
)
from s3c_events.owners import owner_of, visible
from s3c_runtime.rpc import RequestError

from s3c_executor import projections
from s3c_executor.domain import figures, stats
from s3c_executor.ports import ExecutionStore

Rows = list[dict[str, Any]]  # not spelled `list` in the class: it has a method of that name


class ExecutionQueries:
    def __init__(self, store: ExecutionStore) -> None:
        self.store = store

    async def detail(self, query: ExecutionDetail) -> dict[str, Any]:
        doc = await self.store.execution(query.execution_id)
        if doc is None or not visible(owner_of(doc.get("owner")), query.owner):
            raise RequestError("not_found", f"execution '{query.execution_id}' not found")
        return projections.view(doc)

    async def list(self, query: ExecutionList) -> Rows:
        found = self.store.executions(query.function_id, query.status, query.limit, query.owner)
        return [projections.view(d) async for d in found]

    async def metrics(self, query: ExecutionMetrics) -> dict[str, Any]:
        """Two reads of the roll-ups (the system's, or one owner's), whatever the number of
        executions (see domain/figures)."""
        now = utc_now()
        recent = stats.minutes_back(now, figures.RECENT_MINUTES)
        total, minutes = await asyncio.gather(
            self.store.rollup(stats.owner_key(query.owner)),
            self.store.minute_rollups(recent, query.owner),
        )
        return figures.overview(total, minutes, now)

    async def timeseries(self, query: ExecutionTimeseries) -> dict[str, Any]:
        now = utc_now()
        wanted = stats.minutes_back(now, query.minutes)
        minutes = await self.store.minute_rollups(wanted, query.owner)
        return {"bucketSeconds": 60, "points": figures.series(minutes, query.minutes, now)}

    async def function_stats(self, query: FunctionRunStats) -> Rows:
        if query.function_id is not None:
            doc = await self.store.rollup(stats.function_key(query.function_id))
            if doc is not None and not visible(owner_of(doc.get("owner")), query.owner):
                doc = None  # another owner's function reads as one that never ran
            return [figures.function_stats(query.function_id, doc)]
        rows = [
            figures.function_stats(d["functionId"], d)
            async for d in self.store.function_rollups(query.owner)
        ]
        return sorted(rows, key=lambda r: r["lastRunAt"] or "", reverse=True)
