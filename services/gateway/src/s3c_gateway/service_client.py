"""Requests from the gateway to other services over NATS, with replies mapped to HTTP errors."""

from __future__ import annotations

import json
from typing import Any

from nats.aio.client import Client
from nats.errors import MaxPayloadError, NoRespondersError
from nats.errors import TimeoutError as NatsTimeout
from s3c_events import Message

from s3c_gateway.errors import STATUS_BY_CODE, ApiError


class ServiceClient:
    def __init__(self, nc: Client, timeout: float) -> None:
        self.nc = nc
        self.timeout = timeout

    async def call(self, subject: str, message: Message, timeout: float | None = None) -> Any:
        """Send a command/query; return its data or raise the ApiError its refusal maps to."""
        service = subject.split(".")[2]
        try:
            msg = await self.nc.request(subject, message.to_json(), timeout=timeout or self.timeout)
        except MaxPayloadError:
            raise ApiError(
                413, "the request is over the 1 MiB message limit", "too_large"
            ) from None
        except (NoRespondersError, NatsTimeout):
            raise ApiError(
                503, f"the {service} service is not answering; retry shortly", "unavailable"
            ) from None
        reply = json.loads(msg.data)
        if reply.get("ok"):
            return reply.get("data")
        error = reply.get("error") or {}
        code = error.get("code", "unavailable")
        raise ApiError(
            STATUS_BY_CODE.get(code, 502),
            error.get("message", "request failed"),
            code,
            error.get("field"),
        )
