"""The execute and invoke commands: admission against the catalog, the reply envelope, and what
gets published (the job first, then `execution.requested`). In-memory fakes, no servers."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from s3c_events import (
    Event,
    ExecuteFunction,
    ExecutionJob,
    ExecutionRequested,
    FunctionDeactivated,
    FunctionDeleted,
    FunctionDetail,
    FunctionRegistered,
    FunctionState,
    FunctionUpdated,
    InvokeFunction,
    subjects,
)
from s3c_events.executor import MAX_INPUT_BYTES
from s3c_events.subjects import work_subject
from s3c_executor.catalog import FunctionCatalog
from s3c_executor.intake import Intake
from s3c_executor.stream import JetStreamOutbox
from s3c_runtime.rpc import RequestError, rpc

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
ADD = "function add(a, b) { return a + b; }"


def function(fid: str = "f1", name: str = "add", **changes: Any) -> FunctionState:
    fields: dict[str, Any] = {"code": ADD, "created_at": NOW, "updated_at": NOW, **changes}
    return FunctionState(id=fid, name=name, **fields)


class Registry:
    """The registry's `function` query, answered from a dict; counts how often it is asked."""

    def __init__(self, *states: FunctionState) -> None:
        self.states = {s.id: s for s in states}
        self.asked = 0

    async def __call__(self, query: FunctionDetail) -> FunctionState:
        self.asked += 1
        for state in self.states.values():
            if state.id == query.function_id or (
                not query.function_id and state.name == query.name
            ):
                return state
        raise RequestError("not_found", f"function '{query.function_id or query.name}' not found")


class Outbox:
    def __init__(self) -> None:
        self.sent: list[tuple[str, Any]] = []

    async def queue(self, job: ExecutionJob) -> None:
        self.sent.append(("job", job))

    async def record(self, event: Event) -> None:
        self.sent.append(("event", event))


class Runs:
    def __init__(self) -> None:
        self.jobs: list[ExecutionJob] = []

    async def __call__(self, job: ExecutionJob) -> dict[str, Any]:
        self.jobs.append(job)
        return {"executionId": job.execution_id, "status": "completed", "outputJson": "3"}


def build(*states: FunctionState) -> tuple[Intake, Registry, Outbox, Runs, FunctionCatalog]:
    registry, outbox, runs = Registry(*states), Outbox(), Runs()
    catalog = FunctionCatalog(registry)
    return Intake(catalog, outbox, runs), registry, outbox, runs, catalog


async def ask(handler: Any, model: type, payload: dict[str, Any]) -> dict[str, Any]:
    """Through the RPC adapter the service uses, so the reply envelope is the real one."""
    reply: dict[str, Any] = json.loads(await rpc(model)(handler)(json.dumps(payload).encode()))
    return reply


async def test_a_good_request_queues_the_job_then_records_requested() -> None:
    intake, _, outbox, _, _ = build(function(config={"timeout": 90_000, "retryCount": 1}))
    reply = await ask(intake.execute, ExecuteFunction, {"functionId": "f1", "input": {"a": 2}})
    assert reply["ok"] is True
    eid = reply["data"]["executionId"]
    assert reply["data"] == {"executionId": eid, "status": "pending"}
    assert [kind for kind, _ in outbox.sent] == ["job", "event"]  # the job first
    job, event = outbox.sent[0][1], outbox.sent[1][1]
    assert job.execution_id == eid and job.mode == "async" and job.input == {"a": 2}
    assert job.function.tier == "premium"  # a 90 s timeout is over 60 s
    assert (job.function.timeout, job.function.retry_count, job.input_bytes) == (90_000, 1, 7)
    assert job.subject == work_subject("premium")
    assert isinstance(event, ExecutionRequested)
    assert event.event_id == f"{eid}-requested" and event.execution_id == eid
    assert (event.function_id, event.function_name, event.tier) == ("f1", "add", "premium")
    assert event.input == {"a": 2} and event.input_bytes == 7


async def test_an_unknown_function_is_not_found() -> None:
    intake, _, outbox, _, _ = build()
    reply = await ask(intake.execute, ExecuteFunction, {"functionId": "nope", "input": 1})
    assert reply["ok"] is False and reply["error"]["code"] == "not_found"
    assert "nope" in reply["error"]["message"]
    reply = await ask(intake.execute, ExecuteFunction, {"input": 1})
    assert reply["error"] == {
        "code": "invalid",
        "message": "give functionId or name",
        "field": "functionId",
    }
    assert outbox.sent == []


async def test_an_inactive_function_is_a_conflict() -> None:
    intake, _, outbox, runs, _ = build(function(status="inactive"))
    for handler, model in ((intake.execute, ExecuteFunction), (intake.invoke, InvokeFunction)):
        reply = await ask(handler, model, {"functionId": "f1", "input": [1, 2]})
        assert reply["error"] == {
            "code": "conflict",
            "message": "function 'add' is inactive: activate it to run it",
            "field": "status",
        }
    assert outbox.sent == [] and runs.jobs == []


async def test_an_input_over_256_kib_is_too_large() -> None:
    intake, _, outbox, runs, _ = build(function())
    big = "x" * MAX_INPUT_BYTES  # two quotes more than the limit as JSON
    for handler, model in ((intake.execute, ExecuteFunction), (intake.invoke, InvokeFunction)):
        reply = await ask(handler, model, {"functionId": "f1", "input": big})
        assert reply["error"] == {
            "code": "too_large",
            "message": f"the input is {MAX_INPUT_BYTES + 2} bytes of JSON; the limit is 262144",
            "field": "input",
        }
    assert outbox.sent == [] and runs.jobs == []
    reply = await ask(intake.execute, ExecuteFunction, {"functionId": "f1", "input": big[:-2]})
    assert reply["ok"] is True


@pytest.mark.parametrize(
    ("value", "field"),
    [
        ({"a\u0000b": 1}, 'input["a\\u0000b"]'),
        ({"ok": [1, 2**64]}, "input.ok[1]"),
        ({"$where": 1}, 'input["$where"]'),
    ],
)
async def test_an_input_that_may_not_cross_is_invalid_and_names_the_place(
    value: object, field: str
) -> None:
    # The gateway refuses these at the door; an integrator sending the command over NATS
    # meets the same rule here.
    intake, _, outbox, runs, _ = build(function())
    for handler, model in ((intake.execute, ExecuteFunction), (intake.invoke, InvokeFunction)):
        reply = await ask(handler, model, {"functionId": "f1", "input": value})
        assert reply["error"]["code"] == "invalid" and reply["error"]["field"] == field, reply
        assert reply["error"]["message"].startswith(field)
    assert outbox.sent == [] and runs.jobs == []


async def test_invoke_runs_an_admitted_sync_job_by_name() -> None:
    intake, _, outbox, runs, _ = build(function(code="x" * 101))
    reply = await ask(intake.invoke, InvokeFunction, {"name": "add", "input": [1, 2]})
    assert reply["data"]["status"] == "completed"
    (job,) = runs.jobs
    assert job.mode == "sync" and job.function.tier == "standard" and job.input == [1, 2]
    assert outbox.sent == []  # a sync run records its events after it ran, not here


async def test_a_caller_chosen_execution_id_is_kept_and_checked() -> None:
    intake, _, outbox, _, _ = build(function())
    payload = {"functionId": "f1", "executionId": "my-run-1"}
    assert (await ask(intake.execute, ExecuteFunction, payload))["data"][
        "executionId"
    ] == "my-run-1"
    assert outbox.sent[0][1].execution_id == "my-run-1"
    reply = await ask(intake.execute, ExecuteFunction, {**payload, "executionId": "a.b"})
    assert reply["error"]["code"] == "invalid" and reply["error"]["field"] == "executionId"


async def test_the_earlier_invoke_shape_with_a_snapshot_still_works() -> None:
    intake, _, _, runs, _ = build(function())
    legacy = {
        "executionId": "e1",
        "function": {"id": "f1", "name": "add", "version": 1, "code": ADD, "timeout": 5,
                     "retryCount": 0, "tier": "basic"},
        "input": [1, 2], "inputBytes": 5, "requestedAt": NOW.isoformat(), "mode": "sync",
    }  # fmt: skip
    assert (await ask(intake.invoke, InvokeFunction, legacy))["ok"] is True
    (job,) = runs.jobs
    # The function as the executor knows it, not the snapshot the caller sent.
    assert job.execution_id == "e1" and job.function.timeout == 30_000


async def test_the_catalog_follows_function_events() -> None:
    intake, registry, _, runs, catalog = build()

    async def invoke() -> dict[str, Any]:
        return await ask(intake.invoke, InvokeFunction, {"functionId": "f1", "input": [1, 2]})

    # Created a moment ago and not seen yet: the registry is asked (read-your-writes).
    registry.states["f1"] = function()
    assert (await invoke())["ok"] is True and registry.asked == 1
    assert (await invoke())["ok"] is True and registry.asked == 1  # then it is cached
    catalog.apply(FunctionUpdated(function_id="f1", function=function(code="x", version=2)))
    assert (await invoke())["ok"] is True and runs.jobs[-1].function.code == "x"
    catalog.apply(FunctionDeactivated(function_id="f1", version=2))
    assert (await invoke())["error"]["code"] == "conflict"
    # A status change for a version we never saw: forget the entry and ask the registry.
    registry.states["f1"] = function(version=3)
    catalog.apply(FunctionDeactivated(function_id="f1", version=3))
    assert (await invoke())["ok"] is True and registry.asked == 2
    catalog.apply(FunctionRegistered(function_id="f2", function=function("f2", "sub")))
    assert (await ask(intake.invoke, InvokeFunction, {"name": "sub"}))["ok"] is True
    assert registry.asked == 2  # known from its event
    del registry.states["f1"]
    catalog.apply(FunctionDeleted(function_id="f1", name="add"))
    assert (await invoke())["error"]["code"] == "not_found"


async def test_entries_older_than_the_ttl_are_asked_again() -> None:
    now = [0.0]
    registry = Registry(function())
    catalog = FunctionCatalog(registry, ttl=30.0, clock=lambda: now[0])
    await catalog.find("f1")
    now[0] = 29.0
    await catalog.find("f1")
    assert registry.asked == 1
    now[0] = 31.0
    await catalog.find(name="add")
    assert registry.asked == 2


class FakeJetStream:
    def __init__(self) -> None:
        self.published: list[tuple[str, bytes, dict[str, str]]] = []

    async def publish(self, subject: str, payload: bytes, headers: dict[str, str]) -> None:
        self.published.append((subject, payload, headers))


@pytest.mark.parametrize("tier", ["basic", "enterprise"])
async def test_the_outbox_dedups_the_job_by_execution_id_and_the_event_by_its_id(
    tier: str,
) -> None:
    js = FakeJetStream()
    catalog = FunctionCatalog(Registry())
    catalog.put(function(code=ADD if tier == "basic" else "x" * 10_001))
    intake = Intake(catalog, JetStreamOutbox(js), Runs())  # type: ignore[arg-type]
    reply = await intake.execute(ExecuteFunction(function_id="f1", input=[1, 2]))
    eid = reply["executionId"]
    (job_subject, job, job_headers), (event_subject, _, event_headers) = js.published
    assert job_subject == f"s3c.work.execution.{tier}" and job_headers == {"Nats-Msg-Id": eid}
    assert ExecutionJob.model_validate_json(job).execution_id == eid
    assert event_subject == subjects.event_subject("execution", eid, "requested")
    assert event_headers["Nats-Msg-Id"] == f"{eid}-requested"
