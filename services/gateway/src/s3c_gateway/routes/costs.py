"""`/api/costs`: system, trends, per function, audit (answers come from billing)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse
from s3c_events import CostAudit, CostTrends, FunctionCosts, SystemCosts

from s3c_gateway import schemas
from s3c_gateway.deps import Admin, Reader, audit_gate, client
from s3c_gateway.errors import ApiError, refusals
from s3c_gateway.service_client import ServiceClient

router = APIRouter(prefix="/api/costs", tags=["costs"])
Client = Annotated[ServiceClient, Depends(client)]
AuditGate = Annotated[asyncio.Lock, Depends(audit_gate)]
AUDIT_TIMEOUT_S = 120.0
AUDIT_RETRY_AFTER_S = 5


def in_utc(moment: datetime | None, name: str) -> datetime | None:
    """A query's date in UTC (no zone: already UTC). A date at the calendar's edge can leave it
    when moved to UTC (`0001-01-01T00:00:00+23:59`): a 400 naming the parameter, not a fault."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise ApiError(
            400,
            f"{name}: {moment.isoformat()} is outside years 1-9999 once moved to UTC",
            "invalid",
            name,
        ) from None


def ok(data: Any) -> JSONResponse:
    return JSONResponse({"success": True, "data": data})


@router.get(
    "/system",
    summary="System costs over whole UTC hours touching [startDate, endDate]",
    response_model=schemas.Ok[schemas.SystemCosts],
)
async def system_costs(
    services: Client,
    caller: Reader,
    start_date: Annotated[datetime | None, Query(alias="startDate")] = None,
    end_date: Annotated[datetime | None, Query(alias="endDate")] = None,
) -> JSONResponse:
    query = SystemCosts(
        start_date=in_utc(start_date, "startDate"),
        end_date=in_utc(end_date, "endDate"),
        owner=caller.sees,
    )
    return ok(await services.call(SystemCosts.SUBJECT, query))


@router.get(
    "/trends",
    summary="Hourly cost and executions (UTC hours; default: the last 24 h)",
    response_model=schemas.Ok[schemas.Trends],
)
async def cost_trends(
    services: Client,
    caller: Reader,
    from_: Annotated[datetime | None, Query(alias="from")] = None,
    to: Annotated[datetime | None, Query()] = None,
    function_id: Annotated[str | None, Query(alias="functionId")] = None,
) -> JSONResponse:
    query = CostTrends.model_validate(
        {
            "from": in_utc(from_, "from"),
            "to": in_utc(to, "to"),
            "functionId": function_id,
            "owner": caller.sees,
        }
    )
    return ok(await services.call(CostTrends.SUBJECT, query))


@router.get(
    "/functions/{function_id}",
    summary="One function's cost totals",
    response_model=schemas.Ok[schemas.FunctionCosts],
    responses=refusals(404),
)
async def function_costs(function_id: str, services: Client, caller: Reader) -> JSONResponse:
    query = FunctionCosts(function_id=function_id, owner=caller.sees)
    return ok(await services.call(FunctionCosts.SUBJECT, query))


@router.get(
    "/audit",
    summary="Recompute every cost from the event log and report differences",
    description="It replays the whole log, so one runs at a time: while one runs, another "
    f"request gets 429 with `Retry-After` ({AUDIT_RETRY_AFTER_S} s).",
    response_model=schemas.Ok[schemas.Audit],
)
async def audit(services: Client, running: AuditGate, caller: Admin) -> JSONResponse:
    if running.locked():
        raise ApiError(
            429,
            "a cost audit is running; one runs at a time, retry when it ends",
            "busy",
            headers={"Retry-After": str(AUDIT_RETRY_AFTER_S)},
        )
    async with running:
        return ok(await services.call(CostAudit.SUBJECT, CostAudit(), timeout=AUDIT_TIMEOUT_S))
