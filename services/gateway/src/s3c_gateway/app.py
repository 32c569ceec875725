"""Gateway composition root: FastAPI app, NATS wiring, WebSocket hub, ops endpoints."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlsplit

from fastapi import FastAPI, WebSocket
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from nats.errors import TimeoutError as NatsTimeout
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError
from s3c_events import (
    ExecutionCompleted,
    ExecutionCosted,
    ExecutionFailed,
    KeyRevoked,
    UnknownEvent,
    decode_event,
    streams,
    subjects,
)
from s3c_runtime.service import Service

from s3c_gateway import errors, ui
from s3c_gateway.auth import LOCAL_PRINCIPAL, KeyRing, is_loopback, loopback_request
from s3c_gateway.bodylimit import BodyLimit
from s3c_gateway.catalog import FunctionCatalog
from s3c_gateway.errors import ANY_REQUEST, refusals
from s3c_gateway.hub import CostWaiter, Hub, owner_of, to_ws_message
from s3c_gateway.ratelimit import RateLimit
from s3c_gateway.routes import costs, executions, functions, metrics
from s3c_gateway.routes import keys as keys_routes
from s3c_gateway.schemas import Alive, Readiness
from s3c_gateway.service_client import ServiceClient
from s3c_gateway.settings import GatewaySettings

SERVICES = ("registry", "executor", "billing", "scaler")
FUNCTION_PREFIX = f"{subjects.EVENTS}.function."
KEY_PREFIX = f"{subjects.EVENTS}.key."
WS_AUTH_WAIT_S = 5.0
REPLAY_DEADLINE_S = 30.0


async def replay_keys(js: Any, keys: KeyRing) -> int:
    """Every key event stored so far, applied in order (the live subscription, opened first,
    adds what comes after). Returns how many were read."""
    try:
        info = await js.stream_info(streams.KEYS.name)
    except NotFoundError:
        return 0
    last = info.state.last_seq
    if info.state.messages == 0:
        return 0
    sub = await js.pull_subscribe(
        subjects.KEY_EVENTS,
        stream=streams.KEYS.name,
        config=ConsumerConfig(
            ack_policy=AckPolicy.NONE, deliver_policy=DeliverPolicy.ALL, inactive_threshold=30
        ),
    )
    count, seen = 0, 0
    deadline = time.monotonic() + REPLAY_DEADLINE_S
    try:
        while seen < last:
            if time.monotonic() > deadline:
                # Fail closed: a key revoked late in the stream must not pass for valid.
                raise RuntimeError(
                    f"could not read the key events up to {last} in {REPLAY_DEADLINE_S:g} s"
                )
            try:
                msgs = await sub.fetch(256, timeout=2.0)
            except (NatsTimeout, TimeoutError):
                continue
            for msg in msgs:
                with contextlib.suppress(UnknownEvent, ValueError):
                    keys.apply(decode_event(msg.subject, msg.data))
                seen = max(seen, msg.metadata.sequence.stream)
            count += len(msgs)
    finally:
        with contextlib.suppress(Exception):
            await sub.unsubscribe()
    return count


def same_origin(origin: str, host: str | None) -> bool:
    return bool(host) and urlsplit(origin).netloc.lower() == (host or "").lower()


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    settings = settings or GatewaySettings()
    service = Service("gateway", settings)
    hub = Hub()
    keys = KeyRing(admin_key=settings.admin_key.get_secret_value())
    origins = [o.strip().rstrip("/") for o in settings.cors_origins.split(",") if o.strip()]
    costs_seen = CostWaiter()
    pending: set[asyncio.Task[None]] = set()

    async def on_event(msg: Any) -> None:
        # A core (non-durable) subscription: live fan-out needs no replay. With no WebSocket
        # client, only function events matter (they keep the function cache fresh).
        subject = msg.subject
        if not hub.clients and not subject.startswith((FUNCTION_PREFIX, KEY_PREFIX)):
            return
        try:
            event = decode_event(subject, msg.data)
        except (UnknownEvent, ValueError):
            return
        if event.AGGREGATE == "key":
            keys.apply(event)  # a revoked key fails from here on
            if isinstance(event, KeyRevoked):
                hub.revoke(event.key_id)  # and its open sockets close
            return
        if event.AGGREGATE == "function":
            app.state.catalog.apply(event)
        if isinstance(event, ExecutionCosted):
            costs_seen.deliver(event)
        message = to_ws_message(event)
        if message is None:
            return
        owner = owner_of(event)
        if isinstance(event, ExecutionCompleted | ExecutionFailed):
            # Carry the cost when it is known: billing answers within a few ms, wait that long.
            task = asyncio.create_task(
                costs_seen.attach_and_send(
                    event.execution_id, message, lambda m: hub.broadcast(m, owner)
                )
            )
            pending.add(task)
            task.add_done_callback(pending.discard)
        else:
            hub.broadcast(message, owner)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await service.app.start()
        app.state.services = ServiceClient(service.nc, settings.request_timeout)
        app.state.catalog = FunctionCatalog(app.state.services)
        sub = await service.nc.subscribe(subjects.ALL_EVENTS, cb=on_event)
        await replay_keys(service.js, keys)  # after subscribing: no key event falls between
        if not keys.configured and not is_loopback(settings.host):
            await sub.unsubscribe()
            await service.app.stop()
            raise SystemExit(
                f"refusing to start: the gateway binds {settings.host}, which is not a loopback "
                "address, and no API key exists. Set S3C_ADMIN_KEY (then create keys), or bind "
                "127.0.0.1 for local mode."
            )
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
    app.state.keys = keys
    app.state.loopback = is_loopback(settings.host)
    app.state.audit_gate = asyncio.Lock()
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(
        RateLimit,
        rate=settings.rate_limit,
        burst=settings.rate_burst or 2 * settings.rate_limit,
        keys=keys,
    )
    if origins:
        # Browsers on these origins may call the REST API; same-origin needs no header at all.
        app.add_middleware(
            CORSMiddleware,
            allow_origins=origins,
            allow_methods=["GET", "POST", "PUT", "DELETE", "OPTIONS"],
            allow_headers=["Authorization", "Content-Type"],
            expose_headers=["X-Execution-Id", "X-Duration-Ms", "Retry-After"],
            max_age=600,
        )
    errors.install(app)
    app.include_router(keys_routes.router)
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

    async def live(ws: WebSocket) -> None:
        """The live feed: an allowed `Origin` (or none, or the same origin), then a key as
        `?token=` or a first `{"type": "auth", "token": ...}` message (local mode needs none);
        each client gets only its owner's messages (admin: every owner's)."""
        origin = ws.headers.get("origin")
        if (
            origin
            and origin.rstrip("/") not in origins
            and not same_origin(origin, ws.headers.get("host"))
        ):
            await ws.close(code=1008)  # before accepting: the upgrade is refused with 403
            return
        await ws.accept()
        principal = None
        local = not keys.configured and app.state.loopback
        if local and loopback_request(ws.headers.get("host"), origin):
            principal = LOCAL_PRINCIPAL
        else:
            token = ws.query_params.get("token")
            if token is None:
                with contextlib.suppress(Exception):
                    first = json.loads(await asyncio.wait_for(ws.receive_text(), WS_AUTH_WAIT_S))
                    if isinstance(first, dict) and first.get("type") == "auth":
                        token = str(first.get("token") or "")
            principal = keys.authenticate(token) if token else None
        if principal is None:
            await ws.close(code=4401, reason="a valid API key is required")
            return
        await hub.serve(ws, principal.sees, principal.key_id)

    @app.websocket("/")
    async def ws_root(ws: WebSocket) -> None:
        await live(ws)

    @app.websocket("/ws")
    async def ws_path(ws: WebSocket) -> None:
        await live(ws)

    ui.install(app, settings.ui_dist)  # last: its history fallback answers what no route above does
    return app
