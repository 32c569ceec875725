"""The gateway's door at the connection level: a real uvicorn server on 127.0.0.1 running the
guarded protocol with small limits, driven by raw sockets. Header cap (431), head and body
deadlines (408), connections per client address (429) and in all (503); a healthy keep-alive
connection, a slow handler and a WebSocket are left alone."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI, Request, WebSocket
from s3c_gateway import errors
from s3c_gateway.bodylimit import BodyLimit
from s3c_gateway.connections import ConnectionLimits, guarded_protocol
from starlette.types import ASGIApp, Receive, Scope, Send

DEADLINE_S = 10.0  # generous: the machine is shared; every wait below ends well before it
LIMITS = ConnectionLimits(
    max_header_bytes=4096, header_timeout=0.5, body_timeout=0.5, per_client=4, total=8
)


def make_app(bodies: list[bytes]) -> FastAPI:
    app = FastAPI()
    app.add_middleware(BodyLimit, max_bytes=1000)
    errors.install(app)

    @app.get("/ok")
    async def ok() -> dict[str, bool]:
        return {"ok": True}

    @app.post("/echo")
    async def echo(request: Request) -> dict[str, int]:
        body = await request.body()
        bodies.append(body)
        return {"bytes": len(body)}

    @app.get("/slow")
    async def slow() -> dict[str, bool]:
        await asyncio.sleep(1.5)  # longer than both deadlines: they are for the client's bytes
        return {"ok": True}

    @app.websocket("/ws")
    async def ws(socket: WebSocket) -> None:
        await socket.accept()
        while True:
            await socket.send_text(await socket.receive_text())

    return app


class Finished:
    """ASGI wrapper: the path of every HTTP request whose handling has ended."""

    def __init__(self, app: ASGIApp, paths: list[str]) -> None:
        self.app = app
        self.paths = paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.app(scope, receive, send)
        finally:
            if scope["type"] == "http":
                self.paths.append(scope["path"])


class Served:
    def __init__(self, port: int, bodies: list[bytes], finished: list[str]) -> None:
        self.port = port
        self.bodies = bodies
        self.finished = finished

    def wait_finished(self, path: str) -> None:
        deadline = time.monotonic() + DEADLINE_S
        while path not in self.finished:
            assert time.monotonic() < deadline, f"{path} still being handled"
            time.sleep(0.01)

    def connect(self, source: str = "127.0.0.1") -> socket.socket:
        sock = socket.create_connection(
            ("127.0.0.1", self.port), timeout=DEADLINE_S, source_address=(source, 0)
        )
        return sock


@contextmanager
def serving(limits: ConnectionLimits = LIMITS) -> Iterator[Served]:
    bodies: list[bytes] = []
    finished: list[str] = []
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    config = uvicorn.Config(
        Finished(make_app(bodies), finished),
        http=guarded_protocol(limits),
        lifespan="off",
        log_level="warning",
        timeout_graceful_shutdown=2,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + DEADLINE_S
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.01)
    try:
        yield Served(listener.getsockname()[1], bodies, finished)
    finally:
        server.should_exit = True
        thread.join(DEADLINE_S)
        listener.close()


@pytest.fixture
def served() -> Iterator[Served]:
    with serving() as running:
        yield running


def read_response(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """One response (status, headers, body) read up to its Content-Length."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"closed before a response: {data!r}"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in lines[1:])
    while len(body) < int(headers.get("content-length", 0)):
        chunk = sock.recv(65536)
        assert chunk, "closed inside a response body"
        body += chunk
    return int(lines[0].split()[1]), headers, body


def closed_by_server(sock: socket.socket) -> bool:
    """True when the server ended the connection (EOF or reset) within the deadline."""
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return True
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False


def envelope(body: bytes) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(body)
    assert data["success"] is False
    return data


def test_a_head_over_the_limit_is_431_and_one_under_it_passes(served: Served) -> None:
    with served.connect() as sock:
        sock.sendall(b"GET /ok HTTP/1.1\r\nHost: t\r\nX-Pad: " + b"a" * 3000 + b"\r\n\r\n")
        assert read_response(sock)[0] == 200
    # Arriving whole in one write, the head is measured once it is parsed.
    with served.connect() as sock:
        padding = b"".join(b"X-Pad-%d: %s\r\n" % (i, b"a" * 500) for i in range(10))
        sock.sendall(b"GET /ok HTTP/1.1\r\nHost: t\r\n" + padding + b"\r\n")
        status, headers, body = read_response(sock)
        assert status == 431 and headers["connection"] == "close"
        assert envelope(body) == {
            "success": False,
            "error": "request headers over 4096 bytes",
            "code": "too_large",
        }
        assert closed_by_server(sock)


def test_a_head_still_arriving_is_refused_once_past_the_limit(served: Served) -> None:
    """Not buffered to its end: the 431 comes while the head is unfinished."""
    with served.connect() as sock:
        sock.sendall(b"GET /ok HTTP/1.1\r\nHost: t\r\nX-Big: " + b"a" * 8192)  # no end of head
        status, _, body = read_response(sock)
        assert status == 431 and envelope(body)["code"] == "too_large"
        assert closed_by_server(sock)


def test_a_stalled_head_gets_408_and_the_connection_is_closed(served: Served) -> None:
    with served.connect() as sock:
        sock.sendall(b"GET /ok HTTP/1.1\r\nHost: t\r\nX-Half: ")
        status, _, body = read_response(sock)
        assert status == 408
        assert envelope(body)["error"] == "the request head took over 0.5 s"
        assert closed_by_server(sock)


def test_a_connection_that_sends_nothing_is_closed(served: Served) -> None:
    with served.connect() as sock:
        assert closed_by_server(sock)


def test_a_stalled_body_gets_408_and_the_handler_never_sees_part_of_it(served: Served) -> None:
    with served.connect() as sock:
        sock.sendall(b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n[1,2,")
        status, _, body = read_response(sock)
        assert status == 408
        assert envelope(body)["error"] == "the request body took over 0.5 s"
        assert closed_by_server(sock)
    served.wait_finished("/echo")
    assert served.bodies == []


def test_a_slow_handler_and_a_keep_alive_connection_are_left_alone(served: Served) -> None:
    with served.connect() as sock:
        sock.sendall(b"GET /slow HTTP/1.1\r\nHost: t\r\n\r\n")
        assert read_response(sock)[0] == 200
        sock.sendall(b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\n[1,2]")
        status, _, body = read_response(sock)
        assert (status, json.loads(body)) == (200, {"bytes": 5})
    assert served.bodies == [b"[1,2]"]


def test_a_whole_oversized_body_written_before_reading_still_gets_413(served: Served) -> None:
    with served.connect() as sock:
        body = b"x" * 4_000_000  # more than the socket buffers hold
        sock.sendall(b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: %d\r\n\r\n" % len(body))
        sock.sendall(body)
        status, _, answer = read_response(sock)
        assert status == 413 and envelope(answer)["code"] == "too_large"


def test_connections_per_client_address_are_capped(served: Served) -> None:
    with ExitStack() as held:
        for _ in range(LIMITS.per_client):
            sock = held.enter_context(served.connect())
            sock.sendall(b"GET /ok HTTP/1.1\r\n")  # half a request, held open
        with served.connect() as extra:
            status, headers, body = read_response(extra)
            assert status == 429 and headers["retry-after"] == "1"
            assert envelope(body) == {
                "success": False,
                "error": "too many connections from 127.0.0.1: at most 4 at a time",
                "code": "rate_limited",
            }
        # Another address is not held back by this one's connections.
        with served.connect("127.0.0.2") as other:
            other.sendall(b"GET /ok HTTP/1.1\r\nHost: t\r\n\r\n")
            assert read_response(other)[0] == 200


def test_connections_in_all_are_capped() -> None:
    limits = ConnectionLimits(header_timeout=5, per_client=0, total=3)
    with serving(limits) as served, ExitStack() as held:
        for i in range(limits.total):
            held.enter_context(served.connect(f"127.0.0.{i + 1}")).sendall(b"GET /ok HTTP/1.1\r\n")
        with served.connect("127.0.0.9") as extra:
            status, _, body = read_response(extra)
            assert status == 503 and envelope(body)["code"] == "unavailable"


async def test_a_websocket_outlives_the_head_deadline(served: Served) -> None:
    import websockets

    async with websockets.connect(f"ws://127.0.0.1:{served.port}/ws") as ws:
        await asyncio.sleep(LIMITS.header_timeout + LIMITS.body_timeout + 0.5)
        await ws.send("still here")
        assert await asyncio.wait_for(ws.recv(), DEADLINE_S) == "still here"
