"""Running functions: queue (`execute`), wait (`invoke`), function URLs (`/fn/:name`), and records."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from s3c_events import (
    ExecuteFunction,
    ExecutionCost,
    ExecutionCostList,
    ExecutionDetail,
    ExecutionList,
    FunctionState,
    InvokeFunction,
    jsonvalue,
)
from s3c_events.executor import MAX_INPUT_BYTES, input_bytes
from s3c_events.jsonvalue import JsonValueError
from s3c_events.owners import LOCAL, OWNER_PATTERN

from s3c_gateway.catalog import FunctionCatalog
from s3c_gateway.deps import Invoker, Reader, catalog, client, optional_caller, unauthorized
from s3c_gateway.errors import ApiError, refusals
from s3c_gateway.schemas import Execution, FunctionFailure, Ok, Outcome, Queued
from s3c_gateway.service_client import ServiceClient

router = APIRouter(tags=["executions"])
Client = Annotated[ServiceClient, Depends(client)]
Catalog = Annotated[FunctionCatalog, Depends(catalog)]
INVOKE_GRACE_S = 10.0  # beyond the function's timeout: queueing for a free worker
INPUT_RULES = (
    f"The input is any JSON value at most {jsonvalue.MAX_JSON_DEPTH} levels deep, with finite "
    "numbers (no NaN or Infinity), integers within 64 bits, no lone surrogates in text, and no "
    "object key that contains U+0000 or begins with `$`; anything else is a 400 naming the part "
    f"(`input.a[2]: ...`). At most {MAX_INPUT_BYTES} bytes of JSON (413)."
)
# The bodies the run routes read themselves (any JSON may be an input), for the document.
RUN_BODY = {
    "requestBody": {
        "required": False,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {"input": {"description": "the function's input"}},
                }
            }
        },
    }
}
URL_BODY = {
    "requestBody": {
        "required": False,
        "content": {"application/json": {"schema": {"description": "the function's input"}}},
    }
}


def ok(data: Any, status: int = 200) -> JSONResponse:
    return JSONResponse({"success": True, "data": data}, status_code=status)


def door(step: Callable[..., Any], *args: Any) -> Any:
    """What `step(*args)` returns, or a 400 naming the part of the JSON that may not cross."""
    try:
        return step(*args)
    except JsonValueError as exc:
        raise ApiError(400, str(exc), "invalid", exc.field) from None


async def read_json(request: Request) -> Any:
    """The body as the input (function URLs); an empty body is null. Limits: `s3c_events.jsonvalue`."""
    raw = await request.body()
    if not raw.strip():
        return None
    return door(jsonvalue.loads, raw, "input")


async def read_input(request: Request) -> Any:
    """`{"input": ...}`; an empty body or a body without `input` runs with null. Each member of
    the body is checked as its own JSON value (`INPUT_RULES`)."""
    raw = await request.body()
    if not raw.strip():
        return None
    body = door(jsonvalue.parse, raw, "body")
    if not isinstance(body, dict):
        raise ApiError(
            400, 'the body must be a JSON object like {"input": ...}', "invalid", "input"
        )
    for key, member in body.items():
        door(jsonvalue.check, member, jsonvalue.path_to("", key))
    return body.get("input")


async def run(
    services: ServiceClient,
    command: ExecuteFunction | InvokeFunction,
    timeout: float | None = None,
) -> Any:
    """Ask the executor to run: it checks the function (exists, active) and the input size."""
    try:
        return await services.call(command.SUBJECT, command, timeout=timeout)
    except ApiError as exc:
        if exc.code == "too_large" and exc.field is None:
            # Over NATS's message limit, so the executor never saw it: refuse it as it would.
            size = input_bytes(command.input)
            message = f"the input is {size} bytes of JSON; the limit is {MAX_INPUT_BYTES}"
            raise ApiError(413, message, "too_large", "input") from None
        raise


async def invoke(
    services: ServiceClient, state: FunctionState, command: InvokeFunction
) -> dict[str, Any]:
    # How long to wait is the gateway's call: the function's timeout (cached here) plus a grace.
    result: dict[str, Any] = await run(
        services, command, state.config.timeout / 1000 + INVOKE_GRACE_S
    )
    return result


@router.post(
    "/api/functions/{function_id}/execute",
    status_code=202,
    summary="Queue a run (202, pending)",
    description=f'The body is `{{"input": ...}}`. {INPUT_RULES}',
    response_model=Ok[Queued],
    responses=refusals(404, 409, 413),
    openapi_extra=RUN_BODY,
)
async def execute(
    function_id: str, request: Request, services: Client, caller: Invoker
) -> JSONResponse:
    value = await read_input(request)
    command = ExecuteFunction(function_id=function_id, input=value, owner=caller.sees)
    data = await run(services, command)
    return ok({**data, "message": "Execution queued"}, 202)


@router.post(
    "/api/functions/{function_id}/invoke",
    summary="Run and wait for the outcome (sync)",
    description=f'The body is `{{"input": ...}}`. {INPUT_RULES} A run that fails is still a '
    '200: its `status` is "failed", with `error` and `errorKind`.',
    response_model=Ok[Outcome],
    responses=refusals(404, 409, 413),
    openapi_extra=RUN_BODY,
)
async def invoke_function(
    function_id: str, request: Request, functions: Catalog, services: Client, caller: Invoker
) -> JSONResponse:
    value = await read_input(request)
    state = await functions.by_id(function_id, caller.sees)
    command = InvokeFunction(function_id=function_id, input=value, owner=caller.sees)
    result = await invoke(services, state, command)
    text = result.pop("outputJson", None)
    result["output"] = json.loads(text) if text else None
    return ok(result)


ERROR_STATUS = {
    "runtime": 500,
    "crash": 502,
    "timeout": 504,
    "memory": 500,
    "compile": 500,
    "unsupported": 501,
}
# For the document: each failure status with the kinds of failure that answer it.
FAILED_AS = {
    status: ", ".join(kind for kind, s in ERROR_STATUS.items() if s == status)
    for status in sorted(set(ERROR_STATUS.values()))
}


# What both function URL forms document: the output, the function's failures, the refusals.
URL_ROUTE: dict[str, Any] = {
    "description": f"The body is the input (empty: null). {INPUT_RULES}",
    "responses": {
        200: {
            "description": "The function's output (any JSON value)",
            "content": {"application/json": {"schema": {}}},
            "headers": {
                "X-Execution-Id": {"schema": {"type": "string"}},
                "X-Duration-Ms": {"schema": {"type": "string"}, "description": "run time"},
            },
        },
        **{
            status: {"model": FunctionFailure, "description": f"The function failed: {kinds}"}
            for status, kinds in FAILED_AS.items()
        },
        **refusals(404, 409, 413),
    },
    "openapi_extra": URL_BODY,
}


@router.post(
    "/fn/{name}",
    summary="Function URL: the body is the input, the response is the output",
    **URL_ROUTE,
)
async def function_url(
    name: str, request: Request, functions: Catalog, services: Client
) -> Response:
    """The function named `name` within the caller's owner (local mode's, without a key)."""
    return await call_url(request, functions, services, None, name)


@router.post(
    "/fn/{owner}/{name}",
    summary="Function URL of an owner's function (the public form)",
    **URL_ROUTE,
)
async def owner_function_url(
    owner: str, name: str, request: Request, functions: Catalog, services: Client
) -> Response:
    return await call_url(request, functions, services, owner, name)


async def call_url(
    request: Request,
    functions: Catalog,
    services: Client,
    owner: str | None,
    name: str,
) -> Response:
    """Run a function by URL. `config.auth` `none` lets anyone call it; `key` (the default)
    needs an `invoke` key of its owner: without a key that is a 401, whether or not the function
    exists; with another owner's key it does not exist (404)."""
    value = await read_json(request)  # a body that may not cross is a 400 before any lookup
    caller = await optional_caller(request)
    if owner is not None and not re.fullmatch(OWNER_PATTERN.strip("^$"), owner):
        raise ApiError(404, f"function '{owner}/{name}' not found", "not_found")
    within = owner or (caller.owner if caller is not None and not caller.local else LOCAL)
    try:
        state = await functions.by_name(name, within)
    except ApiError as exc:
        if exc.status == 404 and caller is None:
            raise unauthorized() from None
        raise
    if state.config.auth != "none":
        if caller is None:
            raise unauthorized()
        if caller.sees is not None and caller.sees != state.owner:
            # The registry's words for a name it does not know: nothing tells the two apart.
            raise ApiError(404, f"function named '{name}' not found", "not_found")
        if not caller.can("invoke"):
            raise ApiError(
                403, "This key cannot run functions: it lacks the invoke scope", "forbidden"
            )
    command = InvokeFunction(function_id=state.id, input=value, owner=state.owner)
    result = await invoke(services, state, command)
    headers = {"X-Execution-Id": result["executionId"], "X-Duration-Ms": str(result["duration"])}
    if result["status"] == "completed":
        return Response(
            result.get("outputJson") or "null", media_type="application/json", headers=headers
        )
    body = {
        "error": result["error"],
        "errorKind": result["errorKind"],
        "executionId": result["executionId"],
    }
    return JSONResponse(
        body, status_code=ERROR_STATUS.get(result["errorKind"], 500), headers=headers
    )


async def with_costs(
    services: ServiceClient, records: list[dict[str, Any]], sees: str | None = None
) -> list[dict[str, Any]]:
    """Each finished record gets its `cost` from billing in one query (null until costed). A list
    must answer when billing does not: its records then carry no cost."""
    finished = [r["id"] for r in records if r.get("status") in ("completed", "failed")]
    costs: dict[str, Any] = {}
    if finished:
        try:
            reply = await services.call(
                ExecutionCostList.SUBJECT, ExecutionCostList(execution_ids=finished, owner=sees)
            )
            costs = reply["costs"]
        except ApiError:
            costs = {}
    for record in records:
        record["cost"] = costs.get(record["id"])
    return records


@router.get(
    "/api/executions",
    summary="Executions, newest first, each with its cost",
    response_model=Ok[list[Execution]],
)
async def list_executions(
    services: Client,
    caller: Reader,
    function_id: Annotated[str | None, Query(alias="functionId")] = None,
    status: Annotated[Literal["pending", "running", "completed", "failed"] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
) -> JSONResponse:
    query = ExecutionList(function_id=function_id, status=status, limit=limit, owner=caller.sees)
    rows = await services.call(ExecutionList.SUBJECT, query)
    return ok(await with_costs(services, rows, caller.sees))


@router.get(
    "/api/functions/{function_id}/executions",
    summary="One function's executions, with costs",
    response_model=Ok[list[Execution]],
    responses=refusals(404),
)
async def function_executions(
    function_id: str,
    services: Client,
    functions: Catalog,
    caller: Reader,
    status: Annotated[Literal["pending", "running", "completed", "failed"] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
) -> JSONResponse:
    await functions.by_id(function_id, caller.sees)  # 404 for an unknown or another's function
    query = ExecutionList(function_id=function_id, status=status, limit=limit, owner=caller.sees)
    rows = await services.call(ExecutionList.SUBJECT, query)
    return ok(await with_costs(services, rows, caller.sees))


@router.get(
    "/api/executions/{execution_id}",
    summary="One execution with its attempts, logs and cost",
    response_model=Ok[Execution],
    responses=refusals(404),
)
async def get_execution(execution_id: str, services: Client, caller: Reader) -> JSONResponse:
    record = await services.call(
        ExecutionDetail.SUBJECT, ExecutionDetail(execution_id=execution_id, owner=caller.sees)
    )
    record["cost"] = None
    if record.get("status") in ("completed", "failed"):
        try:
            record["cost"] = await services.call(
                ExecutionCost.SUBJECT, ExecutionCost(execution_id=execution_id, owner=caller.sees)
            )
        except ApiError as exc:
            if exc.status >= 500:
                raise
    return ok(record)
