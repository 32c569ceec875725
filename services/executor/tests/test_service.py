"""The executor's query subscribers on FastStream's in-memory broker, over in-memory fakes: the
composition root binds the handlers to the `Deps` it is given."""

from __future__ import annotations

import json
from typing import Any

from executor_fakes import (
    InMemoryEventLog,
    InMemoryExecutionStore,
    NoFunctions,
    NoOutbox,
    ScriptedRunner,
    failure,
    job,
    ok,
)
from faststream.nats import NatsBroker, TestNatsBroker
from pydantic import BaseModel
from s3c_events import (
    ExecutionDetail,
    ExecutionList,
    ExecutionMetrics,
    ExecutionTimeseries,
    FunctionRunStats,
)
from s3c_executor.app import build
from s3c_executor.bootstrap import Deps
from s3c_executor.handlers import JobHandlers


async def ask(broker: NatsBroker, query: type[BaseModel], payload: dict[str, Any]) -> Any:
    msg = await broker.request(json.dumps(payload).encode(), query.SUBJECT, timeout=3)  # type: ignore[attr-defined]
    return json.loads(msg.body)


async def ran() -> Deps:
    """Three executions run through the job handlers: one completed, one failed after a retry,
    one waiting for its retry; the read models folded from their events."""
    log = InMemoryEventLog()
    await JobHandlers(log, ScriptedRunner([ok(ms=4.0)])).handle_job(job("e1"), 1)
    flaky = JobHandlers(log, ScriptedRunner([failure(ms=6.0)]))
    for delivery in (1, 2):
        await flaky.handle_job(job("e2", retry_count=1), delivery)
    await flaky.handle_job(job("e3"), 1)
    store = InMemoryExecutionStore(log.events())
    return Deps(
        events=log,
        runner=ScriptedRunner([ok()]),
        store=store,
        functions=NoFunctions(),
        outbox=NoOutbox(),
    )


async def test_the_queries_answer_from_the_read_models() -> None:
    deps = await ran()
    async with TestNatsBroker(build(deps=deps).broker) as br:
        e2 = (await ask(br, ExecutionDetail, {"executionId": "e2"}))["data"]
        assert e2["status"] == "failed" and e2["retryCount"] == 1 and e2["_id"] == "e2"
        assert [a["attempt"] for a in e2["attempts"]] == [1, 2]
        listed = (await ask(br, ExecutionList, {"status": "failed"}))["data"]
        assert [r["id"] for r in listed] == ["e2"]
        everything = (await ask(br, ExecutionList, {"functionId": "f1", "limit": 2}))["data"]
        assert len(everything) == 2
        metrics = (await ask(br, ExecutionMetrics, {}))["data"]
        assert (metrics["completedExecutions"], metrics["failedExecutions"]) == (1, 1)
        assert metrics["pendingExecutions"] == 1 and metrics["successRate"] == 50.0
        series = (await ask(br, ExecutionTimeseries, {"minutes": 5}))["data"]
        assert series["bucketSeconds"] == 60 and len(series["points"]) == 5
        assert sum(p["completed"] + p["failed"] for p in series["points"]) == 2
        (f1,) = (await ask(br, FunctionRunStats, {}))["data"]
        assert (f1["functionId"], f1["completed"], f1["failed"]) == ("f1", 1, 1)
        assert f1["avgDurationMs"] == 8.0  # (4 + 6 + 6) / 2 finished runs
        (unknown,) = (await ask(br, FunctionRunStats, {"functionId": "nope"}))["data"]
        assert unknown["executions"] == 0 and unknown["lastRunAt"] is None


async def test_an_unknown_execution_is_not_found() -> None:
    async with TestNatsBroker(build(deps=await ran()).broker) as br:
        reply = await ask(br, ExecutionDetail, {"executionId": "nope"})
        assert reply["error"]["code"] == "not_found"


async def test_before_start_up_a_query_is_refused_at_once() -> None:
    async with TestNatsBroker(build().broker) as br:  # nothing bound: no connections yet
        reply = await ask(br, ExecutionMetrics, {})
        assert reply["error"]["code"] == "unavailable"
