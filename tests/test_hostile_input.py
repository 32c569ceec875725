"""Hostile input at the gateway's door, against a whole stack: each attack gets a 4xx in the
gateway's error shape naming the problem, never a 5xx or a hang, and the system keeps working
after it. The stack runs with short client deadlines and a small per-client connection cap, so
the slow-client attacks end in seconds."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest
from helpers import Stack, poll

ECHO = "function handler(x) { return x; }"
PER_CLIENT = 32
DEADLINE_S = 30.0


@pytest.fixture(scope="module")
def door(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    running = Stack.create(
        tmp_path_factory.mktemp("door"),
        S3C_HEADER_TIMEOUT="2",
        S3C_BODY_TIMEOUT="2",
        S3C_MAX_CONNECTIONS_PER_CLIENT=str(PER_CLIENT),
    ).start()
    yield running
    running.stop()


@pytest.fixture
def api(door: Stack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=door.url, timeout=30) as client:
        yield client


@pytest.fixture
def echo(api: httpx.Client, unique: str) -> dict[str, Any]:
    res = api.post("/api/functions", json={"name": unique, "code": ECHO})
    assert res.status_code == 201, res.text
    fn: dict[str, Any] = res.json()["data"]
    return fn


def finished(api: httpx.Client, execution_id: str) -> dict[str, Any]:
    def done() -> dict[str, Any] | None:
        res = api.get(f"/api/executions/{execution_id}")
        data: dict[str, Any] = res.json()["data"] if res.status_code == 200 else {}
        return data if data.get("status") in ("completed", "failed") else None

    return poll(done, DEADLINE_S, interval=0.1, what=f"execution {execution_id} to finish")


def connect(door: Stack, source: str = "127.0.0.1") -> socket.socket:
    return socket.create_connection(
        ("127.0.0.1", door.port), timeout=DEADLINE_S, source_address=(source, 0)
    )


def read_response(sock: socket.socket) -> tuple[int, dict[str, str], dict[str, Any]]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"closed before a response: {data!r}"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in lines[1:])
    while len(body) < int(headers["content-length"]):
        chunk = sock.recv(65536)
        assert chunk, "closed inside a response body"
        body += chunk
    return int(lines[0].split()[1]), headers, json.loads(body)


def closed_by_server(sock: socket.socket) -> bool:
    try:
        while sock.recv(65536):
            pass
        return True
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


# (raw input, the field named, words the message holds)
ATTACKS = [
    (b"[" * 300 + b"]" * 300, "input", "input: nested deeper than 64 levels"),
    (b'{"k": "\\ud800"}', "input.k", "lone surrogate (\\ud800)"),
    (b'{"\\ud800": 1}', 'input["\\ud800"]', "lone surrogate (\\ud800)"),
    (b"[NaN]", "input[0]", "NaN is not a JSON number"),
    (b'{"x": Infinity}', "input.x", "Infinity is not a JSON number"),
    (b'{"x": -Infinity}', "input.x", "-Infinity is not a JSON number"),
    (b'{"a\\u0000b": 1}', 'input["a\\u0000b"]', "contains U+0000"),
    (b'{"x": {"$date": 5}}', 'input.x["$date"]', "starts with '$'"),
    (b"[18446744073709551616]", "input[0]", "does not fit in 64 bits"),
]


@pytest.mark.parametrize(("raw", "field", "words"), ATTACKS)
def test_an_input_that_may_not_cross_is_a_400_naming_it_at_every_door(
    api: httpx.Client, echo: dict[str, Any], raw: bytes, field: str, words: str
) -> None:
    doors = [
        (f"/fn/{echo['name']}", raw),
        (f"/api/functions/{echo['id']}/execute", b'{"input": ' + raw + b"}"),
        (f"/api/functions/{echo['id']}/invoke", b'{"input": ' + raw + b"}"),
    ]
    for path, body in doors:
        res = api.post(path, content=body, headers={"content-type": "application/json"})
        assert res.status_code == 400, (path, res.text)
        answer = res.json()
        assert answer["success"] is False and answer["code"] == "invalid"
        assert answer["field"] == field and answer["error"].startswith(f"{field}: ")
        assert words in answer["error"]


def test_a_body_nested_past_any_parser_is_a_400_not_a_crash(
    api: httpx.Client, echo: dict[str, Any]
) -> None:
    res = api.post(f"/fn/{echo['name']}", content=b"[" * 200_000)
    assert res.status_code == 400
    assert res.json()["error"] == "input: nested deeper than 64 levels"


def test_after_the_attacks_runs_are_still_recorded_and_billed(
    api: httpx.Client, echo: dict[str, Any]
) -> None:
    for raw, _, _ in ATTACKS:
        api.post(f"/api/functions/{echo['id']}/execute", content=b'{"input": ' + raw + b"}")
    res = api.post(f"/api/functions/{echo['id']}/execute", json={"input": {"fine": [1, 2.5]}})
    assert res.status_code == 202, res.text
    record = finished(api, res.json()["data"]["executionId"])
    assert record["status"] == "completed" and record["output"] == {"fine": [1, 2.5]}

    def costed() -> Any:
        return api.get(f"/api/executions/{record['id']}").json()["data"]["cost"]

    assert poll(costed, DEADLINE_S, interval=0.1, what="the run's cost")["totalCost"] > 0


@pytest.mark.parametrize(
    ("path", "name", "value"),
    [
        ("/api/costs/system", "startDate", "0001-01-01T00:00:00+23:59"),
        ("/api/costs/system", "endDate", "9999-12-31T23:59:59-23:59"),
        ("/api/costs/system", "startDate", "99999-01-01T00:00:00Z"),
        ("/api/costs/system", "startDate", "garbage"),
        ("/api/costs/system", "endDate", "1" + "0" * 100),
        ("/api/costs/trends", "from", "0001-01-01T00:00:00+00:01"),
        ("/api/costs/trends", "to", "9999-12-31T23:59:59-00:01"),
        ("/api/costs/trends", "to", ""),
    ],
)
def test_a_date_at_or_past_the_calendar_edge_is_a_400_naming_the_parameter(
    api: httpx.Client, path: str, name: str, value: str
) -> None:
    res = api.get(path, params={name: value})
    assert res.status_code == 400, res.text
    answer = res.json()
    assert answer["success"] is False and answer["field"] == name
    assert answer["error"].startswith(f"{name}: ")


# Sent as they are (already percent-encoded): NUL, an emoji, a UTF-8-encoded surrogate, a byte
# that is not UTF-8, a path climbing out.
ABSURD = [
    "-1",
    "0",
    "99999999999999999999",
    "1" + "0" * 100,
    "",
    "%00",
    "%F0%9F%98%80",
    "%ED%A0%80",
    "%FF",
    "a" * 5000,
    "NaN",
    "..%2F..",
]
QUERIES = [
    ("/api/functions", "status"),
    ("/api/executions", "limit"),
    ("/api/executions", "status"),
    ("/api/executions", "functionId"),
    ("/api/metrics/timeseries", "minutes"),
    ("/api/metrics/scaling-history", "limit"),
    ("/api/costs/trends", "functionId"),
    ("/api/functions/{id}/executions", "limit"),
]
PATHS = [
    ("GET", "/api/functions/{}"),
    ("GET", "/api/functions/{}/stats"),
    ("GET", "/api/functions/{}/executions"),
    ("GET", "/api/executions/{}"),
    ("GET", "/api/costs/functions/{}"),
    ("DELETE", "/api/functions/{}"),
    ("PUT", "/api/functions/{}"),
    ("POST", "/api/functions/{}/execute"),
    ("POST", "/api/functions/{}/invoke"),
    ("POST", "/fn/{}"),
]


def test_absurd_query_and_path_values_never_get_a_5xx(
    api: httpx.Client, echo: dict[str, Any]
) -> None:
    seen: list[tuple[str, int]] = []
    for value in ABSURD:
        for path, name in QUERIES:
            url = f"{path.format(id=echo['id'])}?{name}={value}"
            seen.append((f"GET {url[:80]}", api.get(url).status_code))
        for method, path in PATHS:
            url = path.format(value or "%20")
            body = {"description": "x"} if method == "PUT" else {"input": 1}
            res = api.request(method, url, json=None if method in ("GET", "DELETE") else body)
            seen.append((f"{method} {url[:80]}", res.status_code))
    assert len(seen) == len(ABSURD) * (len(QUERIES) + len(PATHS))
    assert [s for s in seen if s[1] >= 500] == []


def test_an_oversized_header_is_431_and_not_held_in_memory(door: Stack) -> None:
    gateway = door.pid("gateway")
    before = rss_kib(gateway)
    with connect(door) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\nX-Big: ")
        try:
            for _ in range(16):
                sock.sendall(b"a" * (1 << 20))  # 16 MiB of one header, never finished
        except OSError:
            pass  # the gateway answered and closed while we were still sending
        status, headers, body = read_response(sock)
    assert status == 431 and headers["connection"] == "close"
    assert body == {
        "success": False,
        "error": "request headers over 65536 bytes",
        "code": "too_large",
    }
    assert rss_kib(gateway) - before < 8 * 1024  # well under the header's 16 MiB


def test_headers_just_under_the_limit_pass(door: Stack) -> None:
    with connect(door) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\nX-Pad: " + b"a" * 60_000 + b"\r\n\r\n")
        assert read_response(sock)[0] == 200


def test_a_stalled_head_and_a_stalled_body_get_408_and_are_closed(
    door: Stack, echo: dict[str, Any]
) -> None:
    with connect(door) as head, connect(door) as body:
        head.sendall(b"GET /api/functions HTTP/1.1\r\nHost: t\r\nX-Half: ")
        body.sendall(
            f"POST /fn/{echo['name']} HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n[1,".encode()
        )
        for sock, part in ((head, "head"), (body, "body")):
            status, _, answer = read_response(sock)
            assert status == 408
            assert answer["error"] == f"the request {part} took over 2 s"
            assert closed_by_server(sock)


def test_half_sent_requests_are_capped_per_client_and_all_closed(door: Stack) -> None:
    attacker = "127.0.0.5"  # an address of its own: no other test's connections count
    statuses: list[int] = []
    with ExitStack() as held:
        socks = []
        for _ in range(PER_CLIENT + 8):
            sock = held.enter_context(connect(door, attacker))
            sock.sendall(b"POST /fn/x HTTP/1.1\r\nHost: t\r\n")  # and no more
            socks.append(sock)
        for sock in socks:
            statuses.append(read_response(sock)[0])
            assert closed_by_server(sock)
    assert sorted(statuses) == [408] * PER_CLIENT + [429] * 8
    assert httpx.get(f"{door.url}/readyz", timeout=10).status_code == 200


def test_a_whole_oversized_body_written_before_reading_still_gets_413(
    door: Stack, echo: dict[str, Any]
) -> None:
    body = b'{"input": "' + b"x" * (4 * 1024 * 1024) + b'"}'
    with connect(door) as sock:
        head = f"POST /fn/{echo['name']} HTTP/1.1\r\nHost: t\r\nContent-Length: {len(body)}\r\n"
        sock.sendall(head.encode() + b"Content-Type: application/json\r\n\r\n" + body)
        status, _, answer = read_response(sock)
    assert status == 413
    assert answer == {
        "success": False,
        "error": "request body over 1048576 bytes",
        "code": "too_large",
    }


def test_ten_concurrent_audits_leave_billing_ready_and_projecting(
    door: Stack, api: httpx.Client, echo: dict[str, Any]
) -> None:
    for i in range(100):
        res = api.post(f"/api/functions/{echo['id']}/execute", json={"input": i})
        assert res.status_code == 202

    async def audits() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=door.url, timeout=150) as client:
            return list(await asyncio.gather(*(client.get("/api/costs/audit") for _ in range(10))))

    answers = asyncio.run(audits())
    assert {r.status_code for r in answers} <= {200, 429}
    assert any(r.status_code == 200 and r.json()["data"]["ok"] is True for r in answers)
    for refused in (r for r in answers if r.status_code == 429):
        assert refused.headers["retry-after"] == "5" and refused.json()["code"] == "busy"
    assert api.get("/readyz").status_code == 200
    res = api.post(f"/api/functions/{echo['id']}/execute", json={"input": "after"})
    record = finished(api, res.json()["data"]["executionId"])

    def costed() -> Any:
        return api.get(f"/api/executions/{record['id']}").json()["data"]["cost"]

    assert poll(costed, DEADLINE_S, interval=0.1, what="billing to cost a run after the audits")
