"""Metrics: the seed's system overview, per-minute series, the scaling history, Prometheus text."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse, PlainTextResponse
from s3c_events import (
    ExecutionMetrics,
    ExecutionTimeseries,
    FunctionList,
    QueueHistory,
    ScalerStatus,
    ScalingHistory,
    SystemCosts,
)

from s3c_gateway.deps import client
from s3c_gateway.errors import ApiError
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
    services: ServiceClient,
) -> tuple[dict[str, Any], dict[str, Any] | None, dict[str, Any] | None]:
    executions, functions, scaler = await asyncio.gather(
        services.call(ExecutionMetrics.SUBJECT, ExecutionMetrics()),
        optional(services.call(FunctionList.SUBJECT, FunctionList(status="active"))),
        optional(services.call(ScalerStatus.SUBJECT, ScalerStatus())),
    )
    metrics = dict(executions)
    metrics["activeFunctions"] = len(functions) if functions is not None else None
    metrics["currentInstances"] = scaler["instances"] if scaler else None
    metrics["queueLength"] = scaler["queueLength"] if scaler else None
    return metrics, functions, scaler


@router.get("/api/metrics", summary="System overview (seed fields plus p50/p99 and executions/s)")
async def get_metrics(services: Client) -> JSONResponse:
    metrics, _, _ = await overview(services)
    return JSONResponse({"success": True, "data": metrics})


@router.get(
    "/api/metrics/timeseries",
    summary="Per-minute runs, rate and durations, and the recent queue depth (oldest first)",
)
async def timeseries(
    services: Client, minutes: Annotated[int, Query(ge=1, le=1440)] = 15
) -> JSONResponse:
    """`points`: one a minute, the current (partial) minute last, zeros for idle minutes, from
    the executor's roll-ups. `queue`: the scaler's readings of the work queue over the same
    span, every scaling interval; the scaler keeps the last 15 minutes in memory, so a longer
    span shows 15 minutes, and a restarted scaler starts again from none. `[]` while the scaler
    does not answer."""
    series, queue = await asyncio.gather(
        services.call(ExecutionTimeseries.SUBJECT, ExecutionTimeseries(minutes=minutes)),
        optional(services.call(QueueHistory.SUBJECT, QueueHistory(minutes=minutes))),
    )
    return JSONResponse({"success": True, "data": {**series, "queue": queue or []}})


@router.get("/api/metrics/scaling-history", summary="Scaling decisions, newest first")
async def scaling_history(
    services: Client, limit: Annotated[int, Query(ge=1, le=1000)] = 100
) -> JSONResponse:
    data = await services.call(ScalingHistory.SUBJECT, ScalingHistory(limit=limit))
    return JSONResponse({"success": True, "data": data})


def prometheus_text(metrics: dict[str, Any], costs: dict[str, Any] | None) -> str:
    lines = [
        "# HELP s3c_executions Executions by status.",
        "# TYPE s3c_executions gauge",
    ]
    for status in ("pending", "running", "completed", "failed"):
        lines.append(f's3c_executions{{status="{status}"}} {metrics[f"{status}Executions"]}')
    hist = metrics["durationHistogram"]
    lines += [
        "# HELP s3c_execution_duration_ms Sandbox run time of finished executions.",
        "# TYPE s3c_execution_duration_ms histogram",
    ]
    for bound, count in zip([*hist["bucketsMs"], "+Inf"], hist["cumulativeCounts"], strict=True):
        lines.append(f's3c_execution_duration_ms_bucket{{le="{bound}"}} {count}')
    lines += [
        f"s3c_execution_duration_ms_sum {hist['sumMs']}",
        f"s3c_execution_duration_ms_count {hist['count']}",
    ]
    for name, value, help_text in (
        ("s3c_queue_depth", metrics.get("queueLength"), "Jobs waiting in the work queue."),
        (
            "s3c_instances",
            metrics.get("currentInstances"),
            "Worker processes per executor, as decided.",
        ),
        ("s3c_active_functions", metrics.get("activeFunctions"), "Active functions."),
    ):
        if value is not None:
            lines += [f"# HELP {name} {help_text}", f"# TYPE {name} gauge", f"{name} {value}"]
    if costs:
        lines += ["# HELP s3c_cost_dollars Costs so far, by kind.", "# TYPE s3c_cost_dollars gauge"]
        for kind, field in (
            ("executions", "totalExecutionCost"),
            ("scaling", "scalingCost"),
            ("storage", "storageCost"),
            ("total", "totalSystemCost"),
        ):
            lines.append(f's3c_cost_dollars{{kind="{kind}"}} {costs[f"{field}Exact"]}')
    return "\n".join(lines) + "\n"


@router.get(
    "/metrics/prometheus", response_class=PlainTextResponse, summary="Prometheus text exposition"
)
async def prometheus(services: Client) -> PlainTextResponse:
    (metrics, _, _), costs = await asyncio.gather(
        overview(services), optional(services.call(SystemCosts.SUBJECT, SystemCosts()))
    )
    return PlainTextResponse(
        prometheus_text(metrics, costs), media_type="text/plain; version=0.0.4"
    )
