"""The REST door without servers: inputs that may not cross are a 400 naming the part (and never
reach a service), dates at the calendar's edge are a 400 naming the parameter, and one cost
audit runs at a time (another gets 429 with Retry-After)."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from s3c_events import CostAudit, CostTrends, FunctionDetail, InvokeFunction, SystemCosts
from s3c_gateway import errors
from s3c_gateway.auth import KeyRing
from s3c_gateway.catalog import FunctionCatalog
from s3c_gateway.deps import client
from s3c_gateway.routes import costs, executions

NOW = datetime(2026, 1, 1, tzinfo=UTC)
FUNCTION = {
    "id": "f1",
    "name": "echo",
    "code": "function handler(x) { return x }",
    "createdAt": NOW.isoformat(),
    "updatedAt": NOW.isoformat(),
}


class FakeServices:
    """Records every request; answers the few the routes under test send."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, Any]] = []
        self.audit_release = asyncio.Event()
        self.audit_release.set()

    async def call(self, subject: str, message: Any, timeout: float | None = None) -> Any:
        self.sent.append((subject, message))
        if subject == FunctionDetail.SUBJECT:
            return FUNCTION
        if subject == InvokeFunction.SUBJECT:
            output = json.dumps(message.input)  # an echo
            return {"executionId": "e1", "duration": 1, "status": "completed", "outputJson": output}
        if subject == CostAudit.SUBJECT:
            await self.audit_release.wait()
            return {"ok": True}
        return {}


def make_app(services: FakeServices) -> FastAPI:
    app = FastAPI()
    errors.install(app)
    app.include_router(executions.router)
    app.include_router(costs.router)
    app.dependency_overrides[client] = lambda: services
    app.state.catalog = FunctionCatalog(services)  # type: ignore[arg-type]
    app.state.audit_gate = asyncio.Lock()
    app.state.keys, app.state.loopback = KeyRing(), True  # local mode: no keys, loopback
    return app


def http(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1")


BAD_INPUTS = [
    (b"[" * 65 + b"]" * 65, "input", "input: nested deeper than 64 levels"),
    (b"[" * 100_000, "input", "input: nested deeper than 64 levels"),
    (b'{"k": "\\ud800"}', "input.k", "lone surrogate (\\ud800)"),
    (b'{"\\udc00": 1}', 'input["\\udc00"]', "lone surrogate (\\udc00)"),
    (b"[1, NaN]", "input[1]", "NaN is not a JSON number"),
    (b'{"x": Infinity}', "input.x", "Infinity is not a JSON number"),
    (b'{"x": -Infinity}', "input.x", "-Infinity is not a JSON number"),
    (b'{"a\\u0000b": 1}', 'input["a\\u0000b"]', 'the key "a\\u0000b" contains U+0000'),
    (b'{"q": {"$date": 5}}', 'input.q["$date"]', "the key \"$date\" starts with '$'"),
    (b"[18446744073709551616]", "input[0]", "does not fit in 64 bits"),
    (b'"\xff"', "input", "not UTF-8"),
    (b"{bad", "input", "malformed JSON"),
]


@pytest.mark.parametrize(("raw", "field", "problem"), BAD_INPUTS)
async def test_a_function_url_refuses_an_input_that_may_not_cross(
    raw: bytes, field: str, problem: str
) -> None:
    services = FakeServices()
    async with http(make_app(services)) as api:
        res = await api.post("/fn/echo", content=raw)
    assert res.status_code == 400
    body = res.json()
    assert body["code"] == "invalid" and body["field"] == field
    assert body["error"].startswith(f"{field}: ") and problem in body["error"]
    assert services.sent == []


# The same inputs inside `{"input": ...}` (text that is not JSON at all is the body's problem).
EMBEDDED = [case for case in BAD_INPUTS if case[0] != b"[" * 100_000][:-2]


@pytest.mark.parametrize(("raw", "field", "problem"), EMBEDDED)
@pytest.mark.parametrize("verb", ["execute", "invoke"])
async def test_execute_and_invoke_refuse_the_same_inputs(
    verb: str, raw: bytes, field: str, problem: str
) -> None:
    services = FakeServices()
    async with http(make_app(services)) as api:
        res = await api.post(f"/api/functions/f1/{verb}", content=b'{"input": ' + raw + b"}")
    assert res.status_code == 400
    body = res.json()
    assert body["field"] == field and body["error"].startswith(f"{field}: ")
    assert problem in body["error"]
    assert services.sent == []


async def test_a_body_too_deep_to_parse_is_refused_as_a_whole() -> None:
    services = FakeServices()
    async with http(make_app(services)) as api:
        res = await api.post("/api/functions/f1/execute", content=b'{"input": ' + b"[" * 100_000)
    assert res.status_code == 400
    assert res.json()["error"] == "body: nested deeper than 64 levels"
    assert services.sent == []


async def test_a_non_finite_number_beside_the_input_is_refused_by_name() -> None:
    services = FakeServices()
    async with http(make_app(services)) as api:
        res = await api.post("/api/functions/f1/execute", content=b'{"input": 1, "note": NaN}')
    assert res.status_code == 400
    assert res.json()["error"] == "note: NaN is not a JSON number (numbers must be finite)"


async def test_an_input_at_the_limits_crosses() -> None:
    services = FakeServices()
    # 62 arrays, an object and an array: 64 levels.
    value = b"[" * 62 + b'{"k": [1.5, -9223372036854775808, "\\u00e9\\ud83d\\ude00"]}' + b"]" * 62
    async with http(make_app(services)) as api:
        res = await api.post("/fn/echo", content=value)
    assert res.status_code == 200, res.text
    sent = [m for s, m in services.sent if s == InvokeFunction.SUBJECT]
    assert len(sent) == 1 and sent[0].input == res.json() == json.loads(value)


@pytest.mark.parametrize(
    ("path", "name", "value"),
    [
        ("/api/costs/system", "startDate", "0001-01-01T00:00:00+23:59"),
        ("/api/costs/system", "endDate", "9999-12-31T23:59:59-23:59"),
        ("/api/costs/trends", "from", "0001-01-01T00:30:00+01:00"),
        ("/api/costs/trends", "to", "9999-12-31T23:00:00-01:00"),
    ],
)
async def test_a_date_that_leaves_the_calendar_in_utc_is_a_400_naming_it(
    path: str, name: str, value: str
) -> None:
    services = FakeServices()
    async with http(make_app(services)) as api:
        res = await api.get(path, params={name: value})
    assert res.status_code == 400
    assert res.json() == {
        "success": False,
        "error": f"{name}: {value} is outside years 1-9999 once moved to UTC",
        "code": "invalid",
        "field": name,
    }
    assert services.sent == []


async def test_dates_reach_billing_in_utc() -> None:
    services = FakeServices()
    async with http(make_app(services)) as api:
        system = await api.get(
            "/api/costs/system",
            params={"startDate": "2026-01-01T02:00:00+02:00", "endDate": "2026-01-02T00:00:00"},
        )
        trends = await api.get("/api/costs/trends", params={"from": "0001-01-01T00:00:00Z"})
    assert system.status_code == trends.status_code == 200
    (_, query), (_, trend) = services.sent
    assert isinstance(query, SystemCosts) and isinstance(trend, CostTrends)
    assert query.start_date == NOW and query.start_date.utcoffset() == timedelta(0)
    assert query.end_date == datetime(2026, 1, 2, tzinfo=UTC)
    assert trend.from_ == datetime(1, 1, 1, tzinfo=UTC)


async def test_one_audit_at_a_time_another_gets_429_with_retry_after() -> None:
    services = FakeServices()
    services.audit_release.clear()
    async with http(make_app(services)) as api:
        first = asyncio.create_task(api.get("/api/costs/audit"))
        deadline = asyncio.get_running_loop().time() + 10
        while not any(s == CostAudit.SUBJECT for s, _ in services.sent):
            assert asyncio.get_running_loop().time() < deadline, "the first audit never started"
            await asyncio.sleep(0.01)
        second = await asyncio.wait_for(api.get("/api/costs/audit"), 10)
        assert second.status_code == 429
        assert second.headers["retry-after"] == "5"
        assert second.json() == {
            "success": False,
            "error": "a cost audit is running; one runs at a time, retry when it ends",
            "code": "busy",
        }
        services.audit_release.set()
        assert (await first).status_code == 200
        assert (await api.get("/api/costs/audit")).status_code == 200  # the gate is free again
    assert [s for s, _ in services.sent].count(CostAudit.SUBJECT) == 2
