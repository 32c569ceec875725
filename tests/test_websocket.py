"""The gateway's WebSocket pushes function events as `{type, data, timestamp}`."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import httpx
import pytest
import websockets
from helpers import Stack

ADD = "function add(a, b) { return a + b; }"


async def next_of(ws: Any, kind: str, timeout: float) -> tuple[dict[str, Any], float]:
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise AssertionError(f"no {kind} message within {timeout} s")
        message = json.loads(await asyncio.wait_for(ws.recv(), remaining))
        if message["type"] == kind:
            return message, time.monotonic()


@pytest.mark.parametrize("path", ["/", "/ws"])
async def test_function_lifecycle_is_pushed(stack: Stack, unique: str, path: str) -> None:
    ws_url = stack.url.replace("http", "ws") + path
    async with websockets.connect(ws_url) as ws, httpx.AsyncClient(base_url=stack.url) as api:
        hello = json.loads(await asyncio.wait_for(ws.recv(), 5))
        assert hello["type"] == "connected"
        name = f"{unique}{path.strip('/')}"
        sent = time.monotonic()
        res = await api.post("/api/functions", json={"name": name, "code": ADD})
        assert res.status_code == 201
        created, received = await next_of(ws, "function_created", 5)
        assert received - sent < 1.0, "function_created must arrive within 1 s of the POST"
        assert created["data"]["name"] == name
        assert created["data"]["config"] == {"timeout": 30000, "retryCount": 3, "auth": "key"}
        assert created["timestamp"]
        fid = created["data"]["id"]

        await api.put(f"/api/functions/{fid}", json={"description": "d"})
        updated, _ = await next_of(ws, "function_updated", 5)
        assert updated["data"]["id"] == fid and updated["data"]["description"] == "d"

        await api.delete(f"/api/functions/{fid}")
        deleted, _ = await next_of(ws, "function_deleted", 5)
        assert deleted["data"]["id"] == fid and deleted["data"]["name"] == name
