"""Running functions end to end: execute (queued), invoke (sync), function URLs, records, WebSocket."""

from __future__ import annotations

import asyncio
import itertools
import json
from typing import Any

import httpx
import nats
import pytest
import websockets
from helpers import Stack, apoll, poll
from s3c_events import ExecuteFunction, new_id, streams
from s3c_events.subjects import aggregate_events, event_subject

ADD = "function add(a, b) { console.log('adding', a, b); return a + b; }"


def register(api: httpx.Client, name: str, code: str, **extra: Any) -> dict[str, Any]:
    res = api.post("/api/functions", json={"name": name, "code": code, **extra})
    assert res.status_code == 201, res.text
    fn: dict[str, Any] = res.json()["data"]
    return fn


def finished(api: httpx.Client, execution_id: str, timeout: float = 20) -> dict[str, Any]:
    def done() -> dict[str, Any] | None:
        res = api.get(f"/api/executions/{execution_id}")
        if res.status_code != 200:
            return None
        data: dict[str, Any] = res.json()["data"]
        return data if data["status"] in ("completed", "failed") else None

    return poll(done, timeout, interval=0.05, what=f"execution {execution_id} to finish")


def execute(api: httpx.Client, fid: str, value: Any) -> str:
    res = api.post(f"/api/functions/{fid}/execute", json={"input": value})
    assert res.status_code == 202, res.text
    body = res.json()["data"]
    assert body["status"] == "pending" and body["message"]
    execution_id: str = body["executionId"]
    return execution_id


def test_queued_execution_completes_with_the_seed_fields(api: httpx.Client, unique: str) -> None:
    fn = register(api, unique, ADD)
    eid = execute(api, fn["id"], {"a": 2, "b": 3})
    record = finished(api, eid)
    assert record["status"] == "completed" and record["output"] == 5
    for field in (
        "functionId",
        "input",
        "output",
        "status",
        "startTime",
        "endTime",
        "duration",
        "error",
        "retryCount",
        "instanceId",
    ):
        assert field in record, field
    assert record["functionId"] == fn["id"] and record["input"] == {"a": 2, "b": 3}
    assert record["functionVersion"] == 1 and record["retryCount"] == 0 and record["error"] is None
    assert record["logs"] == ["adding 2 3"]
    assert isinstance(record["coldStart"], bool)
    assert [a["attempt"] for a in record["attempts"]] == [1]
    assert record["endTime"] >= record["startTime"]
    listed = api.get("/api/executions", params={"functionId": fn["id"]}).json()["data"]
    assert [e["id"] for e in listed] == [eid]
    by_function = api.get(f"/api/functions/{fn['id']}/executions").json()["data"]
    assert [e["id"] for e in by_function] == [eid]
    assert (
        api.get("/api/executions", params={"functionId": fn["id"], "status": "failed"}).json()[
            "data"
        ]
        == []
    )


def test_execution_lists_carry_each_runs_cost(api: httpx.Client, unique: str) -> None:
    fn = register(api, unique, ADD)
    ids = {execute(api, fn["id"], [i, 1]) for i in range(3)}
    costs = {}
    for eid in ids:
        costs[eid] = poll(
            lambda eid=eid: api.get(f"/api/executions/{eid}").json()["data"]["cost"],
            20,
            what=f"execution {eid} to be costed",
        )["totalCostExact"]
    for path in ("/api/executions", f"/api/functions/{fn['id']}/executions"):
        rows = api.get(path, params={"functionId": fn["id"], "limit": 10}).json()["data"]
        assert {r["id"]: r["cost"]["totalCostExact"] for r in rows} == costs, path


@pytest.mark.parametrize(
    ("code", "value", "expected"),
    [
        (ADD, {"a": 2, "b": 3}, 5),
        (ADD, [2, 3], 5),
        (
            "async function handler(event) { await null; return {seen: event}; }",
            {"k": 1},
            {"seen": {"k": 1}},
        ),
        ("module.exports = (x) => x * 2;", 21, 42),
        ("function nothing() {}", None, None),
    ],
)
def test_invoke_returns_the_outcome(
    api: httpx.Client, unique: str, code: str, value: Any, expected: Any
) -> None:
    fn = register(api, unique, code)
    res = api.post(f"/api/functions/{fn['id']}/invoke", json={"input": value})
    assert res.status_code == 200, res.text
    data = res.json()["data"]
    assert data["status"] == "completed" and data["output"] == expected
    assert data["functionVersion"] == 1 and data["duration"] >= 0
    # The sync run is recorded too.
    record = finished(api, data["executionId"])
    assert record["output"] == expected and record["mode"] == "sync"


def test_function_url(api: httpx.Client, unique: str) -> None:
    register(api, unique, ADD)
    res = api.post(f"/fn/{unique}", content=b"[2, 3]")
    assert res.status_code == 200 and res.json() == 5
    assert res.headers["x-execution-id"]
    assert api.post(f"/fn/{unique}", json={"a": 1, "b": 2}).json() == 3
    assert api.post("/fn/no-such-function", json=[1, 2]).status_code == 404
    assert api.post(f"/fn/{unique}", content=b"{oops").status_code == 400
    thrower = register(
        api, f"{unique}-t", "function f() { throw new Error('kaput'); }", config={"retryCount": 0}
    )
    res = api.post(f"/fn/{thrower['name']}", json=None)
    assert (
        res.status_code == 500
        and res.json()["error"] == "Error: kaput"
        and res.json()["errorKind"] == "runtime"
    )


def test_unknown_and_inactive_functions_are_refused(api: httpx.Client, unique: str) -> None:
    assert api.post("/api/functions/nope/execute", json={"input": 1}).status_code == 404
    assert api.post("/api/functions/nope/invoke", json={"input": 1}).status_code == 404
    fn = register(api, unique, ADD, status="inactive")
    for path in (f"/api/functions/{fn['id']}/execute", f"/api/functions/{fn['id']}/invoke"):
        res = api.post(path, json={"input": [1, 2]})
        assert res.status_code == 409 and "inactive" in res.json()["error"]
    assert api.post(f"/fn/{unique}", json=[1, 2]).status_code == 409
    api.put(f"/api/functions/{fn['id']}", json={"status": "active"})
    assert api.post(f"/fn/{unique}", json=[1, 2]).json() == 3
    assert (
        api.post(
            f"/api/functions/{fn['id']}/execute",
            content=b"[1]",
            headers={"content-type": "application/json"},
        ).status_code
        == 400
    )
    assert api.get("/api/executions/unknown-id").status_code == 404
    assert api.get("/api/executions", params={"limit": 0}).status_code == 400


def test_a_new_version_runs_new_code(api: httpx.Client, unique: str) -> None:
    fn = register(api, unique, ADD)
    assert api.post(f"/fn/{unique}", json=[5, 3]).json() == 8
    api.put(f"/api/functions/{fn['id']}", json={"code": "function sub(a, b) { return a - b; }"})
    res = api.post(f"/api/functions/{fn['id']}/invoke", json={"input": [5, 3]}).json()["data"]
    assert res["output"] == 2 and res["functionVersion"] == 2


def test_runtime_errors_are_retried_then_failed(api: httpx.Client, unique: str) -> None:
    fn = register(
        api, unique, "function f() { throw new Error('always'); }", config={"retryCount": 1}
    )
    record = finished(api, execute(api, fn["id"], None), timeout=30)
    assert (
        record["status"] == "failed"
        and record["error"] == "Error: always"
        and record["errorKind"] == "runtime"
    )
    assert record["retryCount"] == 1 and [a["attempt"] for a in record["attempts"]] == [1, 2]
    gap = pytest.approx(2.0, abs=1.5)
    first, second = record["attempts"]
    from datetime import datetime

    delay = datetime.fromisoformat(second["startedAt"]) - datetime.fromisoformat(first["endedAt"])
    assert delay.total_seconds() == gap


def test_compile_time_failures_are_not_retried(api: httpx.Client, unique: str) -> None:
    fn = register(api, unique, "const notAFunction = 1;", config={"retryCount": 3})
    record = finished(api, execute(api, fn["id"], None))
    assert (
        record["status"] == "failed"
        and record["errorKind"] == "compile"
        and record["retryCount"] == 0
    )


def test_memory_bombs_fail_and_the_executor_stays_up(
    api: httpx.Client, stack: Stack, unique: str
) -> None:
    before = stack.health("executor")
    bombs = {
        "heap": "function f() { const a = []; while (true) a.push(new Array(1e5).fill(1.5)); }",
        "buffers": "function f() { const b = []; while (true) b.push(new Uint8Array(64 << 20).fill(1)); }",
    }
    for kind, code in bombs.items():
        fn = register(api, f"{unique}-{kind}", code, config={"retryCount": 2, "timeout": 20000})
        record = finished(api, execute(api, fn["id"], None), timeout=60)
        assert record["status"] == "failed" and record["errorKind"] == "memory", record
        assert record["retryCount"] == 0
    after = poll(
        lambda: (h := stack.health("executor")) and h["instances"] == before["instances"] and h, 20
    )
    assert after["replacedWorkers"] > before["replacedWorkers"]
    assert set(after["workerPids"]) != set(before["workerPids"])
    assert after["pid"] == before["pid"]  # the executor itself never went down
    add = register(api, f"{unique}-add", ADD)
    assert api.post(f"/fn/{add['name']}", json=[1, 2]).json() == 3


async def test_websocket_sees_execution_events(stack: Stack, unique: str) -> None:
    async with (
        websockets.connect(stack.url.replace("http", "ws") + "/ws") as ws,
        httpx.AsyncClient(base_url=stack.url) as api,
    ):
        await asyncio.wait_for(ws.recv(), 5)
        fn = (await api.post("/api/functions", json={"name": unique, "code": ADD})).json()["data"]
        eid = (await api.post(f"/api/functions/{fn['id']}/execute", json={"input": [4, 5]})).json()[
            "data"
        ]["executionId"]
        seen: dict[str, dict[str, Any]] = {}
        while "execution_completed" not in seen:
            message = json.loads(await asyncio.wait_for(ws.recv(), 10))
            if message.get("data", {}).get("executionId") == eid:
                seen[message["type"]] = message
        assert seen["execution_started"]["data"]["instanceId"]
        done = seen["execution_completed"]["data"]
        assert done["status"] == "completed" and done["output"] == 9 and done["duration"] >= 0
        costs = [m for m in seen.values() if m["type"] == "cost_update"]
        cost = done["cost"] or (costs and costs[0]["data"])
        while not cost:  # a cost_update follows when billing was slower than the completion
            message = json.loads(await asyncio.wait_for(ws.recv(), 10))
            if message["type"] == "cost_update" and message["data"]["executionId"] == eid:
                cost = message["data"]
        assert cost["tier"] == "basic" and cost["totalCostExact"]

        thrower = (
            await api.post(
                "/api/functions",
                json={"name": f"{unique}-t", "code": "function t() { throw new Error('no'); }",
                      "config": {"retryCount": 0}},
            )
        ).json()["data"]  # fmt: skip
        failing = (await api.post(f"/api/functions/{thrower['id']}/execute", json={})).json()
        while True:
            message = json.loads(await asyncio.wait_for(ws.recv(), 10))
            data = message.get("data", {})
            if (
                message["type"] == "execution_failed"
                and data.get("executionId") == failing["data"]["executionId"]
            ):
                break
        assert data["status"] == "failed" and data["error"] == "Error: no"


async def test_the_executor_queues_and_records_a_requested_run(stack: Stack, unique: str) -> None:
    """`execute` sent straight to NATS, as an integrator would: the executor answers, queues the
    job and records `requested` itself (source `/s3c/executor`). Sent twice with the same
    `executionId`, it runs once. Right after a deactivation, it is refused."""
    async with httpx.AsyncClient(base_url=stack.url, timeout=10) as api:
        fn = (await api.post("/api/functions", json={"name": unique, "code": ADD})).json()["data"]
        nc = await nats.connect(stack.nats_url)
        try:
            eid = new_id()
            command = ExecuteFunction(function_id=fn["id"], input=[2, 3], execution_id=eid)
            for _ in range(2):
                reply = json.loads((await nc.request(command.SUBJECT, command.to_json(), 5)).data)
                assert reply == {"ok": True, "data": {"executionId": eid, "status": "pending"}}

            async def completed() -> bool:
                record = (await api.get(f"/api/executions/{eid}")).json()["data"]
                return record["status"] == "completed" and record["output"] == 5

            await apoll(completed, timeout=20, what="the run to complete")
            js = nc.jetstream()
            info = await js.stream_info(
                streams.EXECUTIONS.name, subjects_filter=aggregate_events("execution", eid)
            )
            counts = {s.rsplit(".", 1)[1]: n for s, n in (info.state.subjects or {}).items()}
            # The repeated request queued no second job and recorded no second `requested`.
            assert counts == {"requested": 1, "started": 1, "completed": 1}
            msg = await js.get_last_msg(
                streams.EXECUTIONS.name, event_subject("execution", eid, "requested")
            )
            event = json.loads(msg.data)
            assert event["source"] == "/s3c/executor" and event["id"] == f"{eid}-requested"
            assert msg.headers is not None and msg.headers["Nats-Msg-Id"] == f"{eid}-requested"
            assert event["data"]["functionId"] == fn["id"] and event["data"]["tier"] == "basic"

            await api.put(f"/api/functions/{fn['id']}", json={"status": "inactive"})
            late = ExecuteFunction(name=unique, input=[2, 3])
            reply = json.loads((await nc.request(late.SUBJECT, late.to_json(), 5)).data)
            assert reply["ok"] is False and reply["error"]["code"] == "conflict"
        finally:
            await nc.close()


@pytest.mark.slow
def test_timeouts_are_retried_with_backoff_while_others_keep_answering(
    api: httpx.Client, unique: str
) -> None:
    loop = register(
        api,
        unique,
        "function spin() { while (true) {} }",
        config={"timeout": 1000, "retryCount": 3},
    )
    add = register(api, f"{unique}-add", ADD)
    eid = execute(api, loop["id"], None)
    answers = 0
    while True:
        assert api.post(f"/fn/{add['name']}", json=[1, 2], timeout=10).json() == 3
        answers += 1
        found = api.get(f"/api/executions/{eid}")  # 404 until the record is projected
        record = found.json()["data"] if found.status_code == 200 else {"status": "pending"}
        if record["status"] == "failed":
            break
        assert answers < 10000
    assert record["errorKind"] == "timeout" and "timed out" in record["error"]
    attempts = record["attempts"]
    assert [a["attempt"] for a in attempts] == [1, 2, 3, 4] and record["retryCount"] == 3
    for a in attempts:
        assert 900 <= a["durationMs"] <= 1500
    from datetime import datetime

    gaps = [
        (
            datetime.fromisoformat(b["startedAt"]) - datetime.fromisoformat(a["endedAt"])
        ).total_seconds()
        for a, b in itertools.pairwise(attempts)
    ]
    for gap, expected in zip(gaps, (2, 4, 8), strict=True):
        assert expected - 0.5 <= gap <= expected + 1.5, gaps
    assert answers > 5


def test_oversized_inputs_and_results_are_refused_cleanly(api: httpx.Client, unique: str) -> None:
    echo = register(api, unique, "function echo(x) { return x; }", config={"retryCount": 0})
    big = "x" * (300 * 1024)
    for path in (f"/api/functions/{echo['id']}/execute", f"/api/functions/{echo['id']}/invoke"):
        res = api.post(path, json={"input": big})
        assert res.status_code == 413 and res.json()["field"] == "input"
    assert api.post(f"/fn/{unique}", json=big).status_code == 413
    huge = register(
        api,
        f"{unique}-h",
        "function h() { return 'y'.repeat(300 * 1024); }",
        config={"retryCount": 0},
    )
    record = finished(api, execute(api, huge["id"], None))
    assert record["status"] == "failed" and "256 KiB" in record["error"]
    res = api.post(f"/fn/{huge['name']}", json=None)
    assert res.status_code == 500 and "256 KiB" in res.json()["error"]
