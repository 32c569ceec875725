"""Metrics: the seed's system overview, per-minute series, the scaling history, Prometheus text."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from prometheus_client.registry import Collector
from prometheus_client.utils import floatToGoString
from s3c_events import (
    ExecutionMetrics,
    ExecutionTimeseries,
    FunctionList,
    QueueHistory,
    ScalerStatus,
    ScalingHistory,
    SystemCosts,
)

from s3c_gateway.deps import Admin, Reader, client
from s3c_gateway.errors import ApiError
from s3c_gateway.schemas import Metrics, Ok, ScalingDecision, Timeseries
from s3c_gateway.service_client import ServiceClient

router = APIRouter(tags=["metrics"])
Client = Annotated[ServiceClient, Depends(client)]


async def optional(call: Any) -> Any:
    """A figure from a service that is down is reported as missing, not as a failed page."""
    try:
        return await call
    except ApiError:
        return None


async def overview(
    services: ServiceClient, sees: str | None = None
) -> tuple[dict[str, Any], dict[str, Any] | None, dict[str, Any] | None]:
    """The figures a caller who sees `sees` (None: every owner) may see; the pool's size and
    queue are the system's, shared by every owner."""
    executions, functions, scaler = await asyncio.gather(
        services.call(ExecutionMetrics.SUBJECT, ExecutionMetrics(owner=sees)),
        optional(services.call(FunctionList.SUBJECT, FunctionList(status="active", owner=sees))),
        optional(services.call(ScalerStatus.SUBJECT, ScalerStatus())),
    )
    metrics = dict(executions)
    metrics["activeFunctions"] = len(functions) if functions is not None else None
    metrics["currentInstances"] = scaler["instances"] if scaler else None
    metrics["queueLength"] = scaler["queueLength"] if scaler else None
    return metrics, functions, scaler


@router.get(
    "/api/metrics",
    summary="System overview (seed fields plus p50/p99 and executions/s)",
    response_model=Ok[Metrics],
)
async def get_metrics(services: Client, caller: Reader) -> JSONResponse:
    metrics, _, _ = await overview(services, caller.sees)
    return JSONResponse({"success": True, "data": metrics})


@router.get(
    "/api/metrics/timeseries",
    summary="Per-minute runs, rate and durations, and the recent queue depth (oldest first)",
    response_model=Ok[Timeseries],
)
async def timeseries(
    services: Client, caller: Reader, minutes: Annotated[int, Query(ge=1, le=1440)] = 15
) -> JSONResponse:
    """`points`: one a minute, the current (partial) minute last, zeros for idle minutes, from
    the executor's roll-ups. `queue`: the scaler's readings of the work queue over the same
    span, every scaling interval; the scaler keeps the last 15 minutes in memory, so a longer
    span shows 15 minutes, and a restarted scaler starts again from none. `[]` while the scaler
    does not answer."""
    series, queue = await asyncio.gather(
        services.call(
            ExecutionTimeseries.SUBJECT, ExecutionTimeseries(minutes=minutes, owner=caller.sees)
        ),
        optional(services.call(QueueHistory.SUBJECT, QueueHistory(minutes=minutes))),
    )
    return JSONResponse({"success": True, "data": {**series, "queue": queue or []}})


@router.get(
    "/api/metrics/scaling-history",
    summary="Scaling decisions, newest first",
    response_model=Ok[list[ScalingDecision]],
)
async def scaling_history(
    services: Client, caller: Reader, limit: Annotated[int, Query(ge=1, le=1000)] = 100
) -> JSONResponse:
    data = await services.call(ScalingHistory.SUBJECT, ScalingHistory(limit=limit))
    return JSONResponse({"success": True, "data": data})


class SystemFigures(Collector):
    """The figures one `/metrics/prometheus` request fetched, as metric families. The counts live
    in the services, not in this process, so they are read at scrape time, not kept in
    prometheus-client's counters."""

    def __init__(self, metrics: dict[str, Any], costs: dict[str, Any] | None) -> None:
        self.metrics, self.costs = metrics, costs

    def collect(self) -> Iterator[Metric]:
        executions = GaugeMetricFamily("s3c_executions", "Executions by status.", labels=["status"])
        for status in ("pending", "running", "completed", "failed"):
            executions.add_metric([status], self.metrics[f"{status}Executions"])
        yield executions
        # `cumulativeCounts` is already cumulative, the +Inf bucket last; its `_count` is that one.
        hist = self.metrics["durationHistogram"]
        # `le` as prometheus-client writes its own buckets: 5 -> "5.0", then "+Inf".
        bounds = [*hist["bucketsMs"], float("inf")]
        les = [floatToGoString(b) for b in bounds]  # type: ignore[no-untyped-call]
        yield HistogramMetricFamily(
            "s3c_execution_duration_ms",
            "Sandbox run time of finished executions.",
            buckets=list(zip(les, hist["cumulativeCounts"], strict=True)),
            sum_value=hist["sumMs"],
        )
        for name, value, help_text in (
            ("s3c_queue_depth", self.metrics.get("queueLength"), "Jobs waiting in the work queue."),
            (
                "s3c_instances",
                self.metrics.get("currentInstances"),
                "Worker processes per executor, as decided.",
            ),
            ("s3c_active_functions", self.metrics.get("activeFunctions"), "Active functions."),
        ):
            if value is not None:  # its service did not answer: leave the family out
                yield GaugeMetricFamily(name, help_text, value=value)
        if self.costs:
            cost = GaugeMetricFamily("s3c_cost_dollars", "Costs so far, by kind.", labels=["kind"])
            for kind, field in (
                ("executions", "totalExecutionCost"),
                ("scaling", "scalingCost"),
                ("storage", "storageCost"),
                ("total", "totalSystemCost"),
            ):
                cost.add_metric([kind], float(self.costs[f"{field}Exact"]))
            yield cost


def exposition(metrics: dict[str, Any], costs: dict[str, Any] | None) -> bytes:
    """The Prometheus text format, from a registry of our own (the global one would also carry
    this process's Python and GC metrics, and would keep one request's figures for the next)."""
    registry = CollectorRegistry()
    registry.register(SystemFigures(metrics, costs))
    return generate_latest(registry)


@router.get(
    "/metrics/prometheus",
    summary="Prometheus text exposition",
    # `Response`, not `PlainTextResponse`: the refusals stay documented as the JSON they are.
    response_class=Response,
    responses={
        200: {
            "description": "Prometheus text format 0.0.4",
            "content": {"text/plain": {"schema": {"type": "string"}}},
        }
    },
)
async def prometheus(services: Client, caller: Admin) -> PlainTextResponse:
    (metrics, _, _), costs = await asyncio.gather(
        overview(services), optional(services.call(SystemCosts.SUBJECT, SystemCosts()))
    )
    return PlainTextResponse(exposition(metrics, costs), media_type=CONTENT_TYPE_PLAIN_0_0_4)
