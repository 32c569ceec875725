"""Gateway composition root: FastAPI app, NATS wiring, WebSocket hub, ops endpoints."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, WebSocket
from fastapi.responses import JSONResponse
from s3c_events import (
    ExecutionCompleted,
    ExecutionCosted,
    ExecutionFailed,
    UnknownEvent,
    decode_event,
    subjects,
)
from s3c_runtime.service import Service

from s3c_gateway import errors, ui
from s3c_gateway.bodylimit import BodyLimit
from s3c_gateway.catalog import FunctionCatalog
from s3c_gateway.errors import ANY_REQUEST, refusals
from s3c_gateway.hub import CostWaiter, Hub, to_ws_message
from s3c_gateway.ratelimit import RateLimit
from s3c_gateway.routes import costs, executions, functions, metrics
from s3c_gateway.schemas import Alive, Readiness
from s3c_gateway.service_client import ServiceClient
from s3c_gateway.settings import GatewaySettings

SERVICES = ("registry", "executor", "billing", "scaler")
FUNCTION_PREFIX = f"{subjects.EVENTS}.function."


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    settings = settings or GatewaySettings()
    service = Service("gateway", settings)
    hub = Hub()
    costs_seen = CostWaiter()
    pending: set[asyncio.Task[None]] = set()

    async def on_event(msg: Any) -> None:
        # A core (non-durable) subscription: live fan-out needs no replay. With no WebSocket
        # client, only function events matter (they keep the function cache fresh).
        if not hub.clients and not msg.subject.startswith(FUNCTION_PREFIX):
            return
        try:
            event = decode_event(msg.subject, msg.data)
        except (UnknownEvent, ValueError):
            return
        if event.AGGREGATE == "function":
            app.state.catalog.apply(event)
        if isinstance(event, ExecutionCosted):
            costs_seen.deliver(event)
        message = to_ws_message(event)
        if message is None:
            return
        if isinstance(event, ExecutionCompleted | ExecutionFailed):
            # Carry the cost when it is known: billing answers within a few ms, wait that long.
            task = asyncio.create_task(
                costs_seen.attach_and_send(event.execution_id, message, hub.broadcast)
            )
            pending.add(task)
            task.add_done_callback(pending.discard)
        else:
            hub.broadcast(message)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await service.app.start()
        app.state.services = ServiceClient(service.nc, settings.request_timeout)
        app.state.catalog = FunctionCatalog(app.state.services)
        sub = await service.nc.subscribe(subjects.ALL_EVENTS, cb=on_event)
        app.state.service = service
        try:
            yield
        finally:
            await sub.unsubscribe()
            await service.app.stop()

    app = FastAPI(
        title="S3-for-Compute",
        version="0.1.0",
        description="Serverless functions: upload, run isolated, see every cost, watch it live.",
        lifespan=lifespan,
        docs_url="/docs",
        openapi_url="/openapi.json",
        responses=refusals(*ANY_REQUEST),
    )
    app.state.hub = hub
    app.state.audit_gate = asyncio.Lock()
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(
        RateLimit, rate=settings.rate_limit, burst=settings.rate_burst or 2 * settings.rate_limit
    )
    errors.install(app)
    app.include_router(functions.router)
    app.include_router(executions.router)
    app.include_router(costs.router)
    app.include_router(metrics.router)

    @app.get("/healthz", tags=["ops"], summary="The gateway process is alive", response_model=Alive)
    async def healthz() -> dict[str, Any]:
        return {"status": "ok"}

    @app.get(
        "/readyz",
        tags=["ops"],
        summary="NATS is connected and every service answers",
        response_model=Readiness,
        responses={503: {"model": Readiness, "description": "Not ready: `services` says why"}},
    )
    async def readyz() -> JSONResponse:
        nats_ok = service.nc.is_connected

        async def ping(name: str) -> tuple[str, str]:
            if not nats_ok:
                return name, "nats down"
            try:
                msg = await service.nc.request(subjects.health_subject(name), b"{}", timeout=1.0)
                return name, json.loads(msg.data)["data"]["status"]
            except Exception as exc:
                return name, f"unreachable: {type(exc).__name__}"

        checks = dict(await asyncio.gather(*(ping(n) for n in SERVICES)))
        ready = nats_ok and all(v == "ok" for v in checks.values())
        body = {"status": "ready" if ready else "not ready", "nats": nats_ok, "services": checks}
        return JSONResponse(body, status_code=200 if ready else 503)

    @app.websocket("/")
    async def ws_root(ws: WebSocket) -> None:
        await hub.serve(ws)

    @app.websocket("/ws")
    async def ws_path(ws: WebSocket) -> None:
        await hub.serve(ws)

    ui.install(app, settings.ui_dist)  # last: its history fallback answers what no route above does
    return app
