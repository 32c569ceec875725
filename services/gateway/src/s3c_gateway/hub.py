"""WebSocket fan-out: every client gets its own bounded queue, so a slow client never slows the rest."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

from fastapi import WebSocket, WebSocketDisconnect
from s3c_events import (
    Event,
    ExecutionCompleted,
    ExecutionCosted,
    ExecutionFailed,
    ExecutionStarted,
    FunctionActivated,
    FunctionDeactivated,
    FunctionDeleted,
    FunctionRegistered,
    FunctionUpdated,
    PoolScaledDown,
    PoolScaledUp,
    utc_now,
)

from s3c_gateway.views import function_view

log = logging.getLogger("s3c.gateway.hub")


def to_ws_message(event: Event) -> dict[str, Any] | None:
    """Map a platform event to the seed's WebSocket message `{type, data, timestamp}`."""
    data: dict[str, Any]
    if isinstance(event, FunctionRegistered):
        kind, data = "function_created", function_view(event.function)
    elif isinstance(event, FunctionUpdated):
        kind, data = "function_updated", function_view(event.function)
    elif isinstance(event, FunctionActivated | FunctionDeactivated):
        status = "active" if isinstance(event, FunctionActivated) else "inactive"
        kind = "function_updated"
        data = {
            "id": event.function_id,
            "_id": event.function_id,
            "status": status,
            "version": event.version,
        }
    elif isinstance(event, FunctionDeleted):
        kind, data = (
            "function_deleted",
            {"id": event.function_id, "_id": event.function_id, "name": event.name},
        )
    elif isinstance(event, ExecutionStarted):
        kind = "execution_started"
        data = {
            "executionId": event.execution_id,
            "functionId": event.function_id,
            "functionVersion": event.function_version,
            "instanceId": event.instance_id,
            "attempt": event.attempt,
            "coldStart": event.cold_start,
            "status": "running",
        }
    elif isinstance(event, ExecutionCompleted | ExecutionFailed):
        failed = isinstance(event, ExecutionFailed)
        kind = "execution_failed" if failed else "execution_completed"
        data = {
            "executionId": event.execution_id,
            "functionId": event.function_id,
            "functionName": event.function_name,
            "functionVersion": event.function_version,
            "status": "failed" if failed else "completed",
            "duration": event.duration_ms,
            "output": event.output,
            "error": event.error.message if isinstance(event, ExecutionFailed) else None,
            "retryCount": event.retry_count,
            "coldStarts": event.cold_starts,
            "instanceId": event.instance_id,
        }
    elif isinstance(event, ExecutionCosted):
        kind, data = "cost_update", cost_data(event)
    elif isinstance(event, PoolScaledUp | PoolScaledDown):
        kind = "scaling_event"
        data = {
            "action": event.action,
            "instanceCount": event.instance_count,
            "previousCount": event.previous_count,
            "queueLength": event.queue_length,
            "reason": event.reason,
            "timestamp": event.occurred_at.isoformat().replace("+00:00", "Z"),
        }
    else:
        return None
    return {"type": kind, "data": data, "timestamp": event.occurred_at.isoformat()}


def cost_data(event: ExecutionCosted) -> dict[str, Any]:
    wire = event.to_dict()
    money = ("baseCost", "coldStartCost", "retryCost", "dataTransferCost", "totalCost")
    return {
        "executionId": event.execution_id,
        "functionId": event.function_id,
        "functionName": event.function_name,
        "tier": event.tier,
        "status": event.status,
        "billedDurationMs": event.billed_duration_ms,
        "resourceUsage": wire["resourceUsage"],
        **{m: float(wire[m]) for m in money},
        **{f"{m}Exact": wire[m] for m in money},
    }


class CostWaiter:
    """Lets `execution_completed` carry its cost when billing answers within `wait` seconds."""

    def __init__(self, wait: float = 0.3, keep: int = 1000) -> None:
        self.wait = wait
        self.keep = keep
        self.known: dict[str, dict[str, Any]] = {}
        self.waiting: dict[str, asyncio.Future[dict[str, Any]]] = {}

    def deliver(self, event: ExecutionCosted) -> None:
        data = cost_data(event)
        self.known[event.execution_id] = data
        while len(self.known) > self.keep:
            self.known.pop(next(iter(self.known)))
        future = self.waiting.pop(event.execution_id, None)
        if future is not None and not future.done():
            future.set_result(data)

    async def attach_and_send(self, execution_id: str, message: dict[str, Any], send: Any) -> None:
        cost = self.known.get(execution_id)
        if cost is None:
            future = self.waiting.setdefault(
                execution_id, asyncio.get_running_loop().create_future()
            )
            try:
                cost = await asyncio.wait_for(asyncio.shield(future), self.wait)
            except TimeoutError:
                cost = None
            finally:
                self.waiting.pop(execution_id, None)
        message["data"]["cost"] = cost
        send(message)


REVOKED = "\x00revoked"  # put in a client's queue: close it, its key was revoked


def owner_of(event: Event) -> str | None:
    """Whose event it is (None: the system's, e.g. scaling, which every client may see)."""
    owner = getattr(event, "owner", None)
    return owner if isinstance(owner, str) else None


class Hub:
    """Live messages to WebSocket clients, each filtered to the owner it may see."""

    def __init__(self, queue_size: int = 1000) -> None:
        self.queue_size = queue_size
        # Each client's queue, and the owner it sees (None: every owner: admin, local mode).
        self.clients: dict[asyncio.Queue[str | None], str | None] = {}
        self.keys: dict[asyncio.Queue[str | None], str] = {}  # the key each client came with
        self.dropped = 0

    def broadcast(self, message: dict[str, Any], owner: str | None = None) -> None:
        """To every client that may see `owner`'s messages (`owner` None: to every client)."""
        text = json.dumps(message, default=str)
        for queue, sees in list(self.clients.items()):
            if owner is not None and sees is not None and sees != owner:
                continue
            try:
                queue.put_nowait(text)
            except asyncio.QueueFull:
                # The client cannot keep up: cut it loose rather than buffer without bound.
                self.dropped += 1
                self.clients.pop(queue, None)
                with contextlib.suppress(asyncio.QueueFull):
                    queue.get_nowait()
                    queue.put_nowait(None)

    def revoke(self, key_id: str) -> None:
        """Close every socket that came with this key (it was revoked)."""
        for queue, key in list(self.keys.items()):
            if key == key_id:
                self.clients.pop(queue, None)
                with contextlib.suppress(asyncio.QueueFull):
                    while not queue.empty():
                        queue.get_nowait()
                    queue.put_nowait(REVOKED)

    async def serve(
        self, ws: WebSocket, sees: str | None = None, key_id: str | None = None
    ) -> None:
        """Serve an accepted, authenticated socket until it closes."""
        queue: asyncio.Queue[str | None] = asyncio.Queue(self.queue_size)
        self.clients[queue] = sees
        if key_id is not None:
            self.keys[queue] = key_id
        # How many sockets see what this one sees (another owner's are not counted).
        hello = {
            "type": "connected",
            "data": {"clients": sum(1 for s in self.clients.values() if s == sees)},
            "timestamp": utc_now().isoformat(),
        }
        await ws.send_text(json.dumps(hello))

        async def drain_incoming() -> None:
            # Clients may send pings; we read only to notice a disconnect.
            with contextlib.suppress(WebSocketDisconnect, RuntimeError):
                while True:
                    await ws.receive_text()

        reader = asyncio.create_task(drain_incoming())
        try:
            while not reader.done():
                getter = asyncio.create_task(queue.get())
                done, _ = await asyncio.wait({getter, reader}, return_when=asyncio.FIRST_COMPLETED)
                if getter not in done:
                    getter.cancel()
                    break
                text = getter.result()
                if text is None:
                    await ws.close(code=1013, reason="too slow")
                    break
                if text is REVOKED:
                    await ws.close(code=4401, reason="the key was revoked")
                    break
                await ws.send_text(text)
        except (WebSocketDisconnect, RuntimeError):
            pass
        finally:
            self.clients.pop(queue, None)
            self.keys.pop(queue, None)
            reader.cancel()
