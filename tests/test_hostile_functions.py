"""Every run is recorded and billed once, whatever its code does: the attacks that once escaped
the ledger (no record, a record stuck `running`, a 0 ms attempt at $0, a hung call) replayed
through the whole stack, sync and queued."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import pytest
from helpers import poll

HOSTILE = {
    "an array nested 1,000 deep": "function f() { let a = 1; for (let i = 0; i < 1000; i++) a = [a];"
    " const end = Date.now() + 30; while (Date.now() < end) {} return a; }",
    "an array nested 300 deep": "function f() { let a = 1; for (let i = 0; i < 300; i++) a = [a];"
    " return a; }",
    "JSON.stringify replaced": "JSON.stringify = () => undefined; function f() { return 1; }",
    "the harness replaced": "globalThis.__s3cStart = () => 42; function f() { return 1; }",
    "a NaN result through the harness": "globalThis.__s3cStart = () =>"
    ' \'{"s":"ok","v":"NaN","logs":[]}\'; function f() {}',
    "a 1e999 result": 'globalThis.__s3cStart = () => \'{"s":"ok","v":"1e999","logs":[]}\';'
    " function f() {}",
    "a 5,000 digit result": "globalThis.__s3cStart = () => JSON.stringify({s: 'ok',"
    " v: '9'.repeat(5000), logs: []}); function f() {}",
    "logs that are not strings": "globalThis.__s3cStart = () => JSON.stringify({s: 'ok', v: '1',"
    " logs: [1, {a: 2}]}); function f() {}",
    "a key with U+0000": "function f() { return {['a\\u0000b']: 1}; }",
    "a lone surrogate": "function f() { return '\\ud800'; }",
}


def register(api: httpx.Client, name: str, code: str) -> str:
    res = api.post("/api/functions", json={"name": name, "code": code, "config": {"retryCount": 0}})
    assert res.status_code == 201, res.text
    function_id: str = res.json()["data"]["id"]
    return function_id


def billed(api: httpx.Client, execution_id: str) -> dict[str, Any]:
    """The execution once it has ended and its cost is recorded."""

    def ready() -> dict[str, Any] | None:
        res = api.get(f"/api/executions/{execution_id}")
        if res.status_code != 200:
            return None
        data: dict[str, Any] = res.json()["data"]
        ended = data["status"] in ("completed", "failed")
        return data if ended and data.get("cost") is not None else None

    return poll(ready, 30, interval=0.1, what=f"execution {execution_id} recorded and billed")


@pytest.mark.parametrize("code", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_hostile_result_is_a_recorded_and_billed_runtime_error(
    api: httpx.Client, unique: str, code: str
) -> None:
    function_id = register(api, unique, code)
    sync = api.post(f"/api/functions/{function_id}/invoke", json={"input": None})
    assert sync.status_code == 200, sync.text
    answer = sync.json()["data"]
    assert answer["status"] == "failed" and answer["errorKind"] == "runtime", answer
    queued = api.post(f"/api/functions/{function_id}/execute", json={"input": None})
    assert queued.status_code == 202, queued.text
    for execution_id in (answer["executionId"], queued.json()["data"]["executionId"]):
        record = billed(api, execution_id)
        assert record["status"] == "failed" and record["errorKind"] == "runtime", record
        assert record["duration"] > 0 and Decimal(record["cost"]["totalCostExact"]) > 0, record


def test_three_megabytes_of_logs_are_capped_and_the_call_answers(
    api: httpx.Client, unique: str
) -> None:
    code = (
        "globalThis.__s3cStart = () => JSON.stringify({s: 'ok', v: '1',"
        " logs: Array(3000).fill('x'.repeat(1000))}); function f() {}"
    )
    function_id = register(api, unique, code)
    res = api.post(f"/api/functions/{function_id}/invoke", json={"input": None}, timeout=30)
    assert res.status_code == 200, res.text
    record = billed(api, res.json()["data"]["executionId"])
    assert record["status"] == "completed" and record["output"] == 1
    assert sum(map(len, record["logs"])) <= 64 * 1024 + 100
    assert record["logs"][-1] == "... (logs truncated)"


@pytest.mark.parametrize("value", [True, False, 0, 1.5, [True, None], {"t": True}])
def test_a_result_keeps_its_json_type_in_the_answer_and_the_record(
    api: httpx.Client, unique: str, value: Any
) -> None:
    function_id = register(api, unique, "function echo(x) { return x.value; }")
    res = api.post(f"/api/functions/{function_id}/invoke", json={"input": {"value": value}})
    answer = res.json()["data"]
    assert answer["output"] == value and type(answer["output"]) is type(value)
    record = billed(api, answer["executionId"])
    assert record["output"] == value and type(record["output"]) is type(value), record
