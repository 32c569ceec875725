"""ASGI middleware: a token bucket per API key (per client address without one); past it, 429
with Retry-After."""

from __future__ import annotations

import json
import math
import time
from collections import OrderedDict

from starlette.types import ASGIApp, Receive, Scope, Send

from s3c_gateway.auth import KeyRing, bearer

EXEMPT = ("/healthz", "/readyz")
MAX_CLIENTS = 10_000  # buckets kept; the least recently seen go first


def who(scope: Scope, keys: KeyRing | None) -> str:
    """The bucket a request draws from: its API key's, once verified (a made-up or mangled
    token is no key), else its client address."""
    if keys is not None:
        for name, value in scope.get("headers", ()):
            if name == b"authorization":
                token = bearer(value.decode("latin-1"))
                principal = keys.authenticate(token) if token else None
                if principal is not None:
                    return f"key:{principal.key_id or principal.owner}"
                break
    return (scope.get("client") or ("unknown", 0))[0]


class RateLimit:
    def __init__(
        self, app: ASGIApp, rate: float, burst: float, keys: KeyRing | None = None
    ) -> None:
        self.app = app
        self.keys = keys
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
        client = who(scope, self.keys)
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
