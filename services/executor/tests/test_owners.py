"""Owners in the executor: a request for one owner runs only that owner's functions (another's
is not found, as an unknown one is), a run carries its function's owner in its job, events and
record, and every query can be asked for one owner. In-memory fakes, no servers."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from executor_fakes import (
    InMemoryEventLog,
    InMemoryExecutionStore,
    ScriptedRunner,
    failure,
    job,
    ok,
)
from s3c_events import (
    Event,
    ExecuteFunction,
    ExecutionDetail,
    ExecutionJob,
    ExecutionList,
    ExecutionMetrics,
    ExecutionTimeseries,
    FunctionDetail,
    FunctionRunStats,
    FunctionState,
    InvokeFunction,
)
from s3c_events.owners import name_scope
from s3c_executor.catalog import FunctionCatalog
from s3c_executor.domain import stats
from s3c_executor.handlers import JobHandlers
from s3c_executor.intake import Intake
from s3c_executor.queries import ExecutionQueries
from s3c_runtime.rpc import RequestError, rpc

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
ADD = "function add(a, b) { return a + b; }"


def function(fid: str, owner: str, name: str = "add") -> FunctionState:
    return FunctionState(id=fid, name=name, code=ADD, created_at=NOW, updated_at=NOW, owner=owner)


class Registry:
    """The registry's `function` query: any function by id, a name within its owner."""

    def __init__(self, *states: FunctionState) -> None:
        self.states = {s.id: s for s in states}
        self.asked: list[FunctionDetail] = []

    async def __call__(self, query: FunctionDetail) -> FunctionState:
        self.asked.append(query)
        if query.function_id:
            if query.function_id in self.states:
                return self.states[query.function_id]
            raise RequestError("not_found", f"function '{query.function_id}' not found")
        for state in self.states.values():
            if (state.owner, state.name) == (name_scope(query.owner), query.name):
                return state
        raise RequestError("not_found", f"function named '{query.name}' not found")


class Recorder:
    """The outbox and the sync runner: what was queued, recorded and run."""

    def __init__(self) -> None:
        self.sent: list[ExecutionJob | Event] = []

    async def queue(self, job: ExecutionJob) -> None:
        self.sent.append(job)

    async def record(self, event: Event) -> None:
        self.sent.append(event)

    async def run(self, job: ExecutionJob) -> dict[str, Any]:
        self.sent.append(job)
        return {"executionId": job.execution_id, "status": "completed"}


def intake(*states: FunctionState) -> tuple[Intake, Recorder, Registry]:
    registry, recorder = Registry(*states), Recorder()
    return Intake(FunctionCatalog(registry), recorder, recorder.run), recorder, registry


async def ask(handler: Any, model: type, payload: dict[str, Any]) -> dict[str, Any]:
    reply: dict[str, Any] = json.loads(await rpc(model)(handler)(json.dumps(payload).encode()))
    return reply


PAIRS = [("execute", ExecuteFunction), ("invoke", InvokeFunction)]


@pytest.mark.parametrize(("handler", "model"), PAIRS)
async def test_another_owners_function_is_not_found_as_an_unknown_one_is(
    handler: str, model: type
) -> None:
    service, recorder, _ = intake(function("f1", "acme"))
    run = getattr(service, handler)
    foreign = await ask(run, model, {"functionId": "f1", "owner": "zeta"})
    unknown = await ask(run, model, {"functionId": "nope", "owner": "zeta"})
    assert foreign["error"] == {"code": "not_found", "message": "function 'f1' not found",
                                "field": None}  # fmt: skip
    assert unknown["error"] == {**foreign["error"], "message": "function 'nope' not found"}
    assert recorder.sent == []
    assert (await ask(run, model, {"functionId": "f1", "owner": "acme"}))["ok"] is True
    assert (await ask(run, model, {"functionId": "f1"}))["ok"] is True  # no owner: anyone's


@pytest.mark.parametrize(("handler", "model"), PAIRS)
async def test_a_name_runs_the_function_of_that_name_within_the_owner(
    handler: str, model: type
) -> None:
    service, recorder, _ = intake(function("fl", "local"), function("fa", "acme"))
    run = getattr(service, handler)
    assert (await ask(run, model, {"name": "add", "owner": "acme"}))["ok"] is True
    assert (await ask(run, model, {"name": "add"}))["ok"] is True  # local mode's
    jobs = [s for s in recorder.sent if isinstance(s, ExecutionJob)]
    assert [(j.function.id, j.function.owner) for j in jobs] == [("fa", "acme"), ("fl", "local")]
    refused = await ask(run, model, {"name": "add", "owner": "zeta"})
    assert refused["error"]["code"] == "not_found"
    assert refused["error"]["message"] == "function named 'add' not found"


async def test_the_catalog_keeps_names_per_owner() -> None:
    registry = Registry(function("fl", "local"), function("fa", "acme"))
    catalog = FunctionCatalog(registry)
    assert (await catalog.find(name="add", owner="acme")).id == "fa"
    assert (await catalog.find(name="add")).id == "fl"
    assert (await catalog.find(name="add", owner="acme")).id == "fa"
    assert (await catalog.find(name="add", owner="local")).id == "fl"
    assert [(q.name, q.owner) for q in registry.asked] == [("add", "acme"), ("add", "local")]


async def test_a_queued_run_carries_its_functions_owner() -> None:
    service, recorder, _ = intake(function("f1", "acme"))
    reply = await ask(service.execute, ExecuteFunction, {"functionId": "f1", "owner": "acme"})
    queued, requested = recorder.sent
    assert isinstance(queued, ExecutionJob) and queued.function.owner == "acme"
    assert requested.owner == "acme"  # type: ignore[union-attr]
    assert reply["data"]["executionId"] == queued.execution_id


async def test_every_event_of_a_run_and_its_record_carry_the_owner() -> None:
    log = InMemoryEventLog()
    handlers = JobHandlers(log, ScriptedRunner([failure(), ok()]))
    the_job = job(owner="acme", retry_count=1)
    for delivery in (1, 2):
        await handlers.handle_job(the_job, delivery)
    await handlers.invoke(job("e2", owner="acme", mode="sync"))
    await handlers.drain()
    events = log.events()
    assert log.types() == ["started", "attempt_failed", "started", "completed", "started",
                           "completed"]  # fmt: skip
    assert {e.owner for e in events} == {"acme"}  # type: ignore[attr-defined]
    store = InMemoryExecutionStore(events)
    assert {r["owner"] for r in store.records.values()} == {"acme"}


async def ran_for_owners() -> ExecutionQueries:
    """Runs of local's f1 (two: one completed, one failed) and acme's f2 (one completed)."""
    log = InMemoryEventLog()
    await JobHandlers(log, ScriptedRunner([ok(ms=4.0)])).handle_job(job("e1"), 1)
    await JobHandlers(log, ScriptedRunner([failure(ms=6.0)])).handle_job(
        job("e2", retry_count=0), 1
    )
    acme = job("e3", owner="acme", function_id="f2")
    await JobHandlers(log, ScriptedRunner([ok(ms=10.0)])).handle_job(acme, 1)
    return ExecutionQueries(InMemoryExecutionStore(log.events()))


async def test_one_execution_of_another_owner_is_not_found() -> None:
    queries = await ran_for_owners()
    assert (await queries.detail(ExecutionDetail(execution_id="e3", owner="acme")))["id"] == "e3"
    assert (await queries.detail(ExecutionDetail(execution_id="e3")))["owner"] == "acme"
    for asked in ("e3", "nope"):
        with pytest.raises(RequestError) as refused:
            await queries.detail(ExecutionDetail(execution_id=asked, owner="local"))
        assert (refused.value.code, refused.value.message) == (
            "not_found",
            f"execution '{asked}' not found",
        )


async def test_the_list_is_one_owners_or_everyones() -> None:
    queries = await ran_for_owners()

    async def ids(**query: Any) -> set[str]:
        return {r["id"] for r in await queries.list(ExecutionList(**query))}

    assert await ids(owner="acme") == {"e3"}
    assert await ids(owner="local") == {"e1", "e2"}
    assert await ids(owner="local", status="failed") == {"e2"}
    assert await ids(owner="zeta") == set()
    assert await ids() == {"e1", "e2", "e3"}


async def test_metrics_and_series_of_one_owner_come_from_its_roll_ups() -> None:
    queries = await ran_for_owners()
    acme = await queries.metrics(ExecutionMetrics(owner="acme"))
    local = await queries.metrics(ExecutionMetrics(owner="local"))
    system = await queries.metrics(ExecutionMetrics())
    assert (acme["totalExecutions"], acme["completedExecutions"], acme["failedExecutions"]) == (
        1,
        1,
        0,
    )
    assert (local["totalExecutions"], local["successRate"], local["averageExecutionTime"]) == (
        2,
        50.0,
        5.0,
    )
    assert system["totalExecutions"] == 3 and system["averageExecutionTime"] == 6.667
    assert (await queries.metrics(ExecutionMetrics(owner="zeta")))["totalExecutions"] == 0

    async def finished(owner: str | None) -> tuple[int, int]:
        # The runs ended a moment ago: within the current minute or the one before.
        points = (await queries.timeseries(ExecutionTimeseries(minutes=2, owner=owner)))["points"]
        return sum(p["completed"] for p in points), sum(p["failed"] for p in points)

    assert (await finished("acme"), await finished("local")) == ((1, 0), (1, 1))
    assert (await finished(None), await finished("zeta")) == ((2, 1), (0, 0))


async def test_metrics_of_an_owner_read_two_roll_ups_whatever_the_runs() -> None:
    queries = await ran_for_owners()
    store = queries.store
    assert isinstance(store, InMemoryExecutionStore)
    before = store.reads
    await queries.metrics(ExecutionMetrics(owner="acme"))
    assert store.reads - before == 2
    assert stats.owner_key("acme") in store.rollups and stats.owner_key(None) == stats.GLOBAL


async def test_run_figures_of_one_owners_functions() -> None:
    queries = await ran_for_owners()
    rows = await queries.function_stats(FunctionRunStats(owner="acme"))
    assert [(r["functionId"], r["executions"]) for r in rows] == [("f2", 1)]
    everyone = await queries.function_stats(FunctionRunStats())
    assert {r["functionId"] for r in everyone} == {"f1", "f2"}
    (foreign,) = await queries.function_stats(FunctionRunStats(function_id="f1", owner="acme"))
    assert foreign["executions"] == 0 and foreign["lastRunAt"] is None  # reads as never run
    (mine,) = await queries.function_stats(FunctionRunStats(function_id="f1", owner="local"))
    assert (mine["executions"], mine["completed"], mine["failed"]) == (2, 1, 1)


async def test_a_record_kept_before_owners_is_local_modes() -> None:
    queries = await ran_for_owners()
    store = queries.store
    assert isinstance(store, InMemoryExecutionStore)
    del store.records["e1"]["owner"]
    store.rollups = stats.totals(store.records.values())
    assert {r["id"] for r in await queries.list(ExecutionList(owner="local"))} == {"e1", "e2"}
    record = await queries.detail(ExecutionDetail(execution_id="e1", owner="local"))
    assert (record["id"], record["owner"]) == ("e1", "local")
    assert (await queries.metrics(ExecutionMetrics(owner="local")))["totalExecutions"] == 2
