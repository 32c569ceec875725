"""`/api/functions`: create, list, read, update, delete functions (answers come from the registry)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse
from s3c_events import (
    DeleteFunction,
    FunctionChanges,
    FunctionDetail,
    FunctionList,
    FunctionRunStats,
    FunctionState,
    RegisterFunction,
    UpdateFunction,
)

from s3c_gateway.catalog import FunctionCatalog
from s3c_gateway.deps import Deployer, Reader, catalog, client
from s3c_gateway.errors import refusals
from s3c_gateway.schemas import Function, FunctionRemoved, Ok, RunStats
from s3c_gateway.service_client import ServiceClient
from s3c_gateway.views import function_view

router = APIRouter(prefix="/api/functions", tags=["functions"])
Client = Annotated[ServiceClient, Depends(client)]
Catalog = Annotated[FunctionCatalog, Depends(catalog)]


def ok(data: Any, status: int = 200) -> JSONResponse:
    return JSONResponse({"success": True, "data": data}, status_code=status)


@router.get("", summary="List functions, newest first", response_model=Ok[list[Function]])
async def list_functions(
    services: Client,
    caller: Reader,
    status: Annotated[Literal["active", "inactive"] | None, Query()] = None,
) -> JSONResponse:
    data = await services.call(FunctionList.SUBJECT, FunctionList(status=status, owner=caller.sees))
    return ok([function_view(f) for f in data])


@router.post(
    "",
    status_code=201,
    summary="Register a function (its code must compile)",
    response_model=Ok[Function],
    responses=refusals(409, 413),
)
async def create_function(
    services: Client, functions: Catalog, caller: Deployer, body: RegisterFunction
) -> JSONResponse:
    # The function is the caller's; an admin may create one for another owner (`owner`).
    given = body.owner if "owner" in body.model_fields_set else None
    command = body.model_copy(update={"owner": caller.acts_for(given)})
    data = await services.call(RegisterFunction.SUBJECT, command)
    functions.put(FunctionState.model_validate(data))  # read-your-writes for execute/invoke
    return ok(function_view(data), 201)


# Before `/{function_id}`, which would take "stats" for an id.
@router.get(
    "/stats",
    summary="Run figures of every function that ran, latest run first",
    response_model=Ok[list[RunStats]],
)
async def functions_stats(services: Client, caller: Reader) -> JSONResponse:
    """`[{functionId, executions, completed, failed, lastRunAt, avgDurationMs}]` from the
    executor's per-function roll-ups; a function that never ran is not listed (its figures are
    zeros). `lastRunAt` is the latest run's `createdAt`; `avgDurationMs` is over finished runs."""
    query = FunctionRunStats(owner=caller.sees)
    return ok(await services.call(FunctionRunStats.SUBJECT, query))


@router.get(
    "/{function_id}/stats",
    summary="One function's run figures",
    response_model=Ok[RunStats],
    responses=refusals(404),
)
async def function_stats(
    function_id: str, services: Client, functions: Catalog, caller: Reader
) -> JSONResponse:
    await functions.by_id(function_id, caller.sees)  # 404 for an unknown or another's function
    query = FunctionRunStats(function_id=function_id, owner=caller.sees)
    rows = await services.call(FunctionRunStats.SUBJECT, query)
    return ok(rows[0])


@router.get(
    "/{function_id}", summary="One function", response_model=Ok[Function], responses=refusals(404)
)
async def get_function(services: Client, caller: Reader, function_id: str) -> JSONResponse:
    query = FunctionDetail(function_id=function_id, owner=caller.sees)
    data = await services.call(FunctionDetail.SUBJECT, query)
    return ok(function_view(data))


@router.put(
    "/{function_id}",
    summary="Change a function; code, runtime or config make a new version",
    response_model=Ok[Function],
    responses=refusals(404, 409, 413),
)
async def update_function(
    services: Client, caller: Deployer, function_id: str, body: FunctionChanges
) -> JSONResponse:
    command = UpdateFunction(
        function_id=function_id, owner=caller.sees, **body.model_dump(exclude_unset=True)
    )
    data = await services.call(UpdateFunction.SUBJECT, command)
    return ok(function_view(data))


@router.delete(
    "/{function_id}",
    summary="Delete a function",
    response_model=Ok[FunctionRemoved],
    responses=refusals(404),
)
async def delete_function(
    services: Client, functions: Catalog, caller: Deployer, function_id: str
) -> JSONResponse:
    command = DeleteFunction(function_id=function_id, owner=caller.sees)
    data = await services.call(DeleteFunction.SUBJECT, command)
    functions.drop(function_id)
    return ok({"_id": data["id"], **data})
