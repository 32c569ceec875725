"""ASGI middleware: a token bucket per API key (per client address without one); past it, 429
with Retry-After."""

from __future__ import annotations

import hashlib
import json
import math
import time
from collections import OrderedDict

from starlette.types import ASGIApp, Receive, Scope, Send

EXEMPT = ("/healthz", "/readyz")
MAX_CLIENTS = 10_000  # buckets kept; the least recently seen go first


def who(scope: Scope) -> str:
    """The bucket a request draws from: its API key's (hashed: the secret is never kept), or
    without one its client address."""
    for name, value in scope.get("headers", ()):
        if name == b"authorization" and value[:7].lower() == b"bearer ":
            return "key:" + hashlib.sha256(value[7:].strip()).hexdigest()[:32]
    return (scope.get("client") or ("unknown", 0))[0]


class RateLimit:
    def __init__(self, app: ASGIApp, rate: float, burst: float) -> None:
        self.app = app
        self.rate = rate
        self.burst = max(burst, 1.0)
        self.buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # tokens, last seen

    def _allow(self, client: str) -> float:
        """0 when the request may go ahead, else the seconds until it could."""
        now = time.monotonic()
        tokens, seen = self.buckets.pop(client, (self.burst, now))
        tokens = min(self.burst, tokens + (now - seen) * self.rate)
        wait = 0.0
        if tokens >= 1:
            tokens -= 1
        else:
            wait = (1 - tokens) / self.rate
        self.buckets[client] = (tokens, now)
        while len(self.buckets) > MAX_CLIENTS:
            self.buckets.popitem(last=False)
        return wait

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.rate <= 0 or scope["type"] != "http" or scope["path"] in EXEMPT:
            await self.app(scope, receive, send)
            return
        client = who(scope)
        wait = self._allow(client)
        if not wait:
            await self.app(scope, receive, send)
            return
        body = json.dumps(
            {
                "success": False,
                "error": f"rate limit: {self.rate:g} requests/s per key (or client address)",
                "code": "rate_limited",
            }
        ).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"retry-after", str(max(1, math.ceil(wait))).encode()),
        ]
        await send({"type": "http.response.start", "status": 429, "headers": headers})
        await send({"type": "http.response.body", "body": body})
