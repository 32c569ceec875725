"""Running functions: queue (`execute`), wait (`invoke`), function URLs (`/fn/:name`), and records."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from nats.js import JetStreamContext
from s3c_events import (
    ExecutionCost,
    ExecutionDetail,
    ExecutionJob,
    ExecutionList,
    ExecutionRequested,
    FunctionSnapshot,
    FunctionState,
    InvokeFunction,
    new_id,
    tiers,
    utc_now,
)
from s3c_events.subjects import work_subject
from s3c_runtime.bus import publish_event

from s3c_gateway.catalog import FunctionCatalog
from s3c_gateway.deps import catalog, client, jetstream
from s3c_gateway.errors import ApiError
from s3c_gateway.service_client import ServiceClient

router = APIRouter(tags=["executions"])
Client = Annotated[ServiceClient, Depends(client)]
Catalog = Annotated[FunctionCatalog, Depends(catalog)]
JetStream = Annotated[JetStreamContext, Depends(jetstream)]
INVOKE_GRACE_S = 10.0  # beyond the function's timeout: queueing for a free worker


def ok(data: Any, status: int = 200) -> JSONResponse:
    return JSONResponse({"success": True, "data": data}, status_code=status)


def compact_bytes(value: Any) -> int:
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode())


async def read_json(request: Request) -> Any:
    raw = await request.body()
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise ApiError(400, f"malformed JSON body: {exc}", "invalid") from None


async def read_input(request: Request) -> Any:
    """`{"input": ...}`; an empty body or a body without `input` runs with null."""
    body = await read_json(request)
    if body is None:
        return None
    if not isinstance(body, dict):
        raise ApiError(
            400, 'the body must be a JSON object like {"input": ...}', "invalid", "input"
        )
    return body.get("input")


MAX_INPUT_BYTES = 256 * 1024  # the input, output and logs of a run travel in one 1 MiB message


def job_for(state: FunctionState, value: Any, mode: Literal["async", "sync"]) -> ExecutionJob:
    if state.status != "active":
        raise ApiError(
            409, f"function '{state.name}' is inactive: activate it to run it", "conflict", "status"
        )
    snapshot = FunctionSnapshot(
        id=state.id,
        name=state.name,
        version=state.version,
        code=state.code,
        runtime=state.runtime,
        timeout=state.config.timeout,
        retry_count=state.config.retry_count,
        tier=tiers.determine_tier(len(state.code), state.config.timeout),
    )
    size = compact_bytes(value)
    if size > MAX_INPUT_BYTES:
        raise ApiError(
            413,
            f"the input is {size} bytes of JSON; the limit is {MAX_INPUT_BYTES}",
            "too_large",
            "input",
        )
    cls = InvokeFunction if mode == "sync" else ExecutionJob
    return cls(
        execution_id=new_id(),
        function=snapshot,
        input=value,
        input_bytes=compact_bytes(value),
        requested_at=utc_now(),
        mode=mode,
    )


async def invoke(services: ServiceClient, job: ExecutionJob) -> dict[str, Any]:
    timeout = job.function.timeout / 1000 + INVOKE_GRACE_S
    result: dict[str, Any] = await services.call(InvokeFunction.SUBJECT, job, timeout=timeout)  # type: ignore[arg-type]
    return result


@router.post(
    "/api/functions/{function_id}/execute", status_code=202, summary="Queue a run (202, pending)"
)
async def execute(
    function_id: str, request: Request, functions: Catalog, js: JetStream
) -> JSONResponse:
    value = await read_input(request)
    state = await functions.by_id(function_id)
    job = job_for(state, value, "async")
    fn = job.function
    # The job first: once it is queued the run happens, even if we die before the event below.
    await js.publish(
        work_subject(fn.tier), job.to_json(), headers={"Nats-Msg-Id": job.execution_id}
    )
    await publish_event(
        js,
        ExecutionRequested(
            event_id=f"{job.execution_id}-requested",
            execution_id=job.execution_id,
            function_id=fn.id,
            function_name=fn.name,
            function_version=fn.version,
            tier=fn.tier,
            input=value,
            input_bytes=job.input_bytes,
            occurred_at=job.requested_at,
        ),
    )
    return ok(
        {"executionId": job.execution_id, "status": "pending", "message": "Execution queued"}, 202
    )


@router.post("/api/functions/{function_id}/invoke", summary="Run and wait for the outcome (sync)")
async def invoke_function(
    function_id: str, request: Request, functions: Catalog, services: Client
) -> JSONResponse:
    value = await read_input(request)
    result = await invoke(services, job_for(await functions.by_id(function_id), value, "sync"))
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


@router.post(
    "/fn/{name}", summary="Function URL: the body is the input, the response is the output"
)
async def function_url(
    name: str, request: Request, functions: Catalog, services: Client
) -> Response:
    value = await read_json(request)
    result = await invoke(services, job_for(await functions.by_name(name), value, "sync"))
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


@router.get("/api/executions", summary="Executions, newest first")
async def list_executions(
    services: Client,
    function_id: Annotated[str | None, Query(alias="functionId")] = None,
    status: Annotated[Literal["pending", "running", "completed", "failed"] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
) -> JSONResponse:
    query = ExecutionList(function_id=function_id, status=status, limit=limit)
    return ok(await services.call(ExecutionList.SUBJECT, query))


@router.get("/api/functions/{function_id}/executions", summary="One function's executions")
async def function_executions(
    function_id: str,
    services: Client,
    functions: Catalog,
    status: Annotated[Literal["pending", "running", "completed", "failed"] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
) -> JSONResponse:
    await functions.by_id(function_id)  # 404 for an unknown function
    query = ExecutionList(function_id=function_id, status=status, limit=limit)
    return ok(await services.call(ExecutionList.SUBJECT, query))


@router.get(
    "/api/executions/{execution_id}", summary="One execution with its attempts, logs and cost"
)
async def get_execution(execution_id: str, services: Client) -> JSONResponse:
    record = await services.call(
        ExecutionDetail.SUBJECT, ExecutionDetail(execution_id=execution_id)
    )
    record["cost"] = None
    if record.get("status") in ("completed", "failed"):
        try:
            record["cost"] = await services.call(
                ExecutionCost.SUBJECT, ExecutionCost(execution_id=execution_id)
            )
        except ApiError as exc:
            if exc.status >= 500:
                raise
    return ok(record)
