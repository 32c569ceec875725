"""`/api/costs`: system, trends, per function, audit (answers come from billing)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse
from s3c_events import CostAudit, CostTrends, FunctionCosts, SystemCosts

from s3c_gateway.deps import client
from s3c_gateway.service_client import ServiceClient

router = APIRouter(prefix="/api/costs", tags=["costs"])
Client = Annotated[ServiceClient, Depends(client)]


def ok(data: Any) -> JSONResponse:
    return JSONResponse({"success": True, "data": data})


@router.get("/system", summary="System costs over whole UTC hours touching [startDate, endDate]")
async def system_costs(
    services: Client,
    start_date: Annotated[datetime | None, Query(alias="startDate")] = None,
    end_date: Annotated[datetime | None, Query(alias="endDate")] = None,
) -> JSONResponse:
    return ok(
        await services.call(
            SystemCosts.SUBJECT, SystemCosts(start_date=start_date, end_date=end_date)
        )
    )


@router.get("/trends", summary="Hourly cost and executions (UTC hours; default: the last 24 h)")
async def cost_trends(
    services: Client,
    from_: Annotated[datetime | None, Query(alias="from")] = None,
    to: Annotated[datetime | None, Query()] = None,
    function_id: Annotated[str | None, Query(alias="functionId")] = None,
) -> JSONResponse:
    query = CostTrends.model_validate({"from": from_, "to": to, "functionId": function_id})
    return ok(await services.call(CostTrends.SUBJECT, query))


@router.get("/functions/{function_id}", summary="One function's cost totals")
async def function_costs(function_id: str, services: Client) -> JSONResponse:
    return ok(await services.call(FunctionCosts.SUBJECT, FunctionCosts(function_id=function_id)))


@router.get("/audit", summary="Recompute every cost from the event log and report differences")
async def audit(services: Client) -> JSONResponse:
    return ok(await services.call(CostAudit.SUBJECT, CostAudit(), timeout=120))
