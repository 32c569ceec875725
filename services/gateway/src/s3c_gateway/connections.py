"""The gateway's HTTP/1.1 connections: uvicorn's httptools protocol with limits at the door.

uvicorn alone buffers a request head of any size, and keeps a connection that sends part of a
request (or nothing) open forever. Here: the request head is capped (431), the head and the body
each have a deadline (408, or the connection is closed), and the open connections are capped per
client address (429) and in all (503). A refusal is written with the gateway's error envelope,
the write side is shut, and what the client still sends is read and dropped for a moment before
the close, so a client that writes its whole request before reading still gets the answer
instead of a reset.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any, ClassVar

import httptools
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from s3c_gateway.errors import error_body

LINGER_S = 1.0  # after a refusal: how long to keep reading (and dropping) before the close


@dataclass(frozen=True)
class ConnectionLimits:
    max_header_bytes: int = 64 * 1024  # the request line and headers
    header_timeout: float = 10.0  # from the connection (or a request's first byte) to its head
    body_timeout: float = 30.0  # from a request's head to the last byte of its body
    per_client: int = 256  # open connections from one address (0: no cap)
    total: int = 4096  # open connections in all, WebSockets included (0: no cap)


class Refusal(Exception):
    def __init__(
        self, status: int, message: str, code: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.headers = headers or {}

    def response(self) -> bytes:
        body = json.dumps(error_body(self.message, self.code)).encode()
        head = [
            STATUS_LINE[self.status],
            b"content-type: application/json\r\n",
            b"content-length: %d\r\n" % len(body),
            b"connection: close\r\n",
            *(f"{name}: {value}\r\n".encode("latin-1") for name, value in self.headers.items()),
            b"\r\n",
        ]
        return b"".join(head) + body


class GuardedHttpProtocol(HttpToolsProtocol):
    """One connection. `limits` is set per server by `guarded_protocol`."""

    limits: ClassVar[ConnectionLimits] = ConnectionLimits()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.reading_head = True  # between requests, or inside a request's head
        self.head_bytes = 0  # bytes received since the current head began
        self.head_timer: asyncio.TimerHandle | None = None
        self.body_timer: asyncio.TimerHandle | None = None
        self.linger_timer: asyncio.TimerHandle | None = None
        self.refused = False

    # Connection events

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        refusal = self._over_capacity()
        if refusal is not None:
            self._refuse(refusal)
            return
        self.head_timer = self.loop.call_later(self.limits.header_timeout, self._head_timed_out)

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_timers()
        if self.linger_timer is not None:
            self.linger_timer.cancel()
            self.linger_timer = None
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self.refused:
            return  # lingering before the close: read and drop
        if self.reading_head:
            self.head_bytes += len(data)
        self._unset_keepalive_if_required()
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as exc:
            refusal = exc.__context__  # what a callback of ours raised
            if not isinstance(refusal, Refusal):
                refusal = Refusal(400, f"invalid HTTP request: {exc}", "invalid")
            self._refuse(refusal)
            return
        except httptools.HttpParserUpgrade:
            self._cancel_timers()
            if self._should_upgrade():
                self.handle_websocket_upgrade()
            else:
                self._unsupported_upgrade_warning()
            return
        if self.reading_head and self.head_bytes > self.limits.max_header_bytes:
            # The head is still coming: refuse it now rather than buffer it.
            self._refuse(self._head_too_large())

    # Parser callbacks

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self.head_timer is None:
            self.head_timer = self.loop.call_later(self.limits.header_timeout, self._head_timed_out)

    def on_headers_complete(self) -> None:
        self.reading_head = False
        if self.head_timer is not None:
            self.head_timer.cancel()
            self.head_timer = None
        size = len(self.url) + sum(len(name) + len(value) + 4 for name, value in self.headers)
        if size > self.limits.max_header_bytes:
            raise self._head_too_large()  # stops the parser; data_received answers
        super().on_headers_complete()
        if self.parser.should_upgrade() and self._should_upgrade():
            return
        self.body_timer = self.loop.call_later(self.limits.body_timeout, self._body_timed_out)

    def on_message_complete(self) -> None:
        if self.body_timer is not None:
            self.body_timer.cancel()
            self.body_timer = None
        self.reading_head, self.head_bytes = True, 0
        super().on_message_complete()

    # Limits

    def _over_capacity(self) -> Refusal | None:
        limits = self.limits
        if limits.total and len(self.connections) > limits.total:
            return Refusal(
                503,
                f"the gateway has {limits.total} connections open, its limit; retry shortly",
                "unavailable",
                {"retry-after": "1"},
            )
        host = self.client[0] if self.client else None
        if not limits.per_client or host is None:
            return None
        # Scanned, not counted: a connection upgraded to a WebSocket changes protocol object,
        # and the server's set of connections is the one list that follows it.
        mine = sum(1 for c in self.connections if (getattr(c, "client", None) or ("",))[0] == host)
        if mine > limits.per_client:
            return Refusal(
                429,
                f"too many connections from {host}: at most {limits.per_client} at a time",
                "rate_limited",
                {"retry-after": "1"},
            )
        return None

    def _head_too_large(self) -> Refusal:
        limit = self.limits.max_header_bytes
        return Refusal(431, f"request headers over {limit} bytes", "too_large")

    def _head_timed_out(self) -> None:
        self.head_timer = None
        if self.refused or self.transport.is_closing():
            return
        if self.reading_head and self.head_bytes == 0:
            self.transport.close()  # an idle connection with no request on it
            return
        timeout = self.limits.header_timeout
        self._refuse(Refusal(408, f"the request head took over {timeout:g} s", "timeout"))

    def _body_timed_out(self) -> None:
        self.body_timer = None
        if self.refused or self.transport.is_closing():
            return
        if self.cycle is None or self.cycle.response_started:
            self.transport.close()  # the answer went already; stop reading the rest
            return
        timeout = self.limits.body_timeout
        self._refuse(Refusal(408, f"the request body took over {timeout:g} s", "timeout"))

    def _refuse(self, refusal: Refusal) -> None:
        self.refused = True
        self._cancel_timers()
        self._unset_keepalive_if_required()
        if self.cycle is not None and not self.cycle.response_complete:
            # The request being handled sees a disconnect, and its answer is not written.
            self.cycle.disconnected = True
            self.cycle.message_event.set()
        if self.transport.is_closing():
            return
        self.transport.write(refusal.response())
        if self.transport.can_write_eof():
            self.transport.write_eof()
        self.linger_timer = self.loop.call_later(LINGER_S, self.transport.close)

    def _cancel_timers(self) -> None:
        for timer in (self.head_timer, self.body_timer):
            if timer is not None:
                timer.cancel()
        self.head_timer = self.body_timer = None


def guarded_protocol(limits: ConnectionLimits) -> type[GuardedHttpProtocol]:
    """The protocol class to give uvicorn (`http=`), with these limits."""
    return type("GuardedHttpProtocol", (GuardedHttpProtocol,), {"limits": limits})
