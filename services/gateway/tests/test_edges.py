"""Gateway edges without servers: body limit, error envelope, WebSocket hub back-pressure."""

from __future__ import annotations

import asyncio
import json

import httpx
from fastapi import FastAPI
from pydantic import BaseModel
from s3c_gateway import errors
from s3c_gateway.bodylimit import BodyLimit
from s3c_gateway.hub import Hub


class Body(BaseModel):
    name: str


def app(limit: int = 100) -> FastAPI:
    api = FastAPI()
    api.add_middleware(BodyLimit, max_bytes=limit)
    errors.install(api)

    @api.post("/echo")
    async def echo(body: Body) -> dict[str, str]:
        return {"name": body.name}

    @api.get("/boom")
    async def boom() -> None:
        raise errors.ApiError(409, "taken", "conflict", "name")

    return api


async def call(method: str, path: str, **kw: object) -> httpx.Response:
    transport = httpx.ASGITransport(app=app())
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        return await client.request(method, path, **kw)  # type: ignore[arg-type]


async def test_bodies_within_the_limit_pass_and_larger_ones_are_413() -> None:
    assert (await call("POST", "/echo", json={"name": "x"})).json() == {"name": "x"}
    big = await call("POST", "/echo", json={"name": "x" * 200})
    assert big.status_code == 413 and big.json()["success"] is False


async def test_validation_and_api_errors_use_the_envelope() -> None:
    missing = await call("POST", "/echo", json={})
    assert missing.status_code == 400
    assert missing.json() == {
        "success": False,
        "error": "name: Field required",
        "code": "invalid",
        "field": "name",
    }
    assert (
        await call("POST", "/echo", content=b"{", headers={"content-type": "application/json"})
    ).status_code == 400
    conflict = await call("GET", "/boom")
    assert conflict.status_code == 409 and conflict.json()["field"] == "name"
    assert (await call("GET", "/nowhere")).json() == {
        "success": False,
        "error": "Not Found",
        "code": "not_found",
    }


async def test_a_slow_client_is_dropped_not_buffered() -> None:
    hub = Hub(queue_size=3)
    fast: asyncio.Queue[str | None] = asyncio.Queue(3)
    slow: asyncio.Queue[str | None] = asyncio.Queue(3)
    hub.clients |= {fast: None, slow: None}
    for i in range(3):
        hub.broadcast({"type": "t", "data": i})
        json.loads(await fast.get())  # the fast client keeps up
    hub.broadcast({"type": "t", "data": 3})
    assert fast.qsize() == 1
    hub.broadcast({"type": "t", "data": 4})
    assert slow not in hub.clients and hub.dropped == 1
    # The slow client is told to go: its queue ends with the close marker.
    items = [slow.get_nowait() for _ in range(slow.qsize())]
    assert items[-1] is None
    assert fast in hub.clients


async def test_rate_limit_per_client() -> None:
    from s3c_gateway.ratelimit import RateLimit

    api = FastAPI()
    api.add_middleware(RateLimit, rate=1.0, burst=3.0)

    @api.get("/x")
    async def x() -> dict[str, bool]:
        return {"ok": True}

    @api.get("/healthz")
    async def health() -> dict[str, bool]:
        return {"ok": True}

    transport = httpx.ASGITransport(app=api, client=("10.1.1.1", 1234))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        codes = [(await client.get("/x")).status_code for _ in range(5)]
        assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429]
        limited = await client.get("/x")
        assert limited.json()["code"] == "rate_limited" and int(limited.headers["retry-after"]) >= 1
        assert (await client.get("/healthz")).status_code == 200  # probes are never limited
    other = httpx.ASGITransport(app=api, client=("10.2.2.2", 1234))
    async with httpx.AsyncClient(transport=other, base_url="http://t") as client:
        assert (await client.get("/x")).status_code == 200  # another client has its own bucket
