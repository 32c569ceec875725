"""Poison events end to end: whatever gets onto the streams, an event the store cannot take is
parked in its service's `_poison` collection, what follows it is projected, and the service stays
ready. Each shape is published as a real event onto the real stream, past the gateway's door."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import nats
import pytest
from helpers import Stack, poll
from pymongo import MongoClient
from s3c_events import (
    AttemptRecord,
    ExecuteFunction,
    ExecutionCompleted,
    ExecutionRequested,
    FunctionRegistered,
    FunctionState,
    PoolScaledUp,
)
from s3c_events.envelope import Event
from s3c_events.subjects import event_subject

pytestmark = [pytest.mark.slow, pytest.mark.timeout(400)]

SLOT = '"__POISON__"'  # a string a raw JSON shape replaces on the wire


@pytest.fixture(scope="module")
def poison_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """A stack of its own: the events published here are not any other test's business."""
    stack = Stack.create(tmp_path_factory.mktemp("poison")).start()
    yield stack
    stack.stop()


@pytest.fixture(scope="module")
def store(poison_stack: Stack) -> Iterator[MongoClient]:
    client: MongoClient = MongoClient(poison_stack.mongodb_uri, tz_aware=True)
    yield client
    client.close()


def publish(stack: Stack, subject: str, data: bytes) -> int:
    """Append raw bytes to the stream holding `subject`; returns the stream sequence."""

    async def send() -> int:
        nc = await nats.connect(stack.nats_url)
        try:
            ack = await nc.jetstream().publish(
                subject, data, headers={"Nats-Msg-Id": uuid.uuid4().hex}
            )
            return int(ack.seq)
        finally:
            await nc.close()

    return asyncio.run(send())


def with_shape(event: Event, raw: bytes) -> bytes:
    """The event on the wire, with the raw JSON `raw` where it holds `SLOT`."""
    wire = event.to_wire()
    assert wire.count(SLOT.encode()) == 1
    return wire.replace(SLOT.encode(), raw)


def requested(execution_id: str, value: Any = 1) -> ExecutionRequested:
    return ExecutionRequested(
        execution_id=execution_id,
        function_id="f-poison",
        function_name="poison",
        function_version=1,
        tier="basic",
        input=value,
        input_bytes=1,
    )


def completed(execution_id: str, duration_ms: float = 12.5) -> ExecutionCompleted:
    now = datetime.now(UTC)
    attempt = AttemptRecord(
        attempt=1,
        instance_id="w1",
        cold_start=False,
        duration_ms=duration_ms,
        started_at=now,
        ended_at=now,
    )
    return ExecutionCompleted(
        execution_id=execution_id,
        function_id="f-poison",
        function_name="poison",
        function_version=1,
        tier="basic",
        input=1,
        output=2,
        attempts=[attempt],
        start_time=now,
        end_time=now,
        duration_ms=duration_ms,
        retry_count=0,
        cold_starts=0,
        input_bytes=1,
        output_bytes=1,
        instance_id="w1",
    )


def registered(function_id: str, code: str) -> FunctionRegistered:
    now = datetime.now(UTC)
    state = FunctionState(
        id=function_id,
        name=f"poison-{function_id[:8]}",
        code=code,
        version=1,
        created_at=now,
        updated_at=now,
    )
    return FunctionRegistered(function_id=function_id, function=state)


def assert_ready(stack: Stack, service: str) -> dict[str, Any]:
    """The service answers "ok" (parked events are no problem) and so does `/readyz`."""
    health = stack.health(service)
    assert health["status"] == "ok", health
    assert httpx.get(f"{stack.url}/readyz", timeout=5).status_code == 200
    return health


def parked(store: MongoClient, service: str, seq: int, projection: str) -> dict[str, Any] | None:
    doc: dict[str, Any] | None = store[f"s3c_{service}"]["_poison"].find_one(
        {"projection": projection, "seq": seq}
    )
    return doc


# An execution's input in each shape the store would refuse as a value (the raw JSON on the
# wire): the executor keeps a run's input and output as JSON text, so the record is stored.
KEPT_AS_TEXT = {
    "a key with NUL": b'{"a\\u0000b":1}',
    "a string with a lone surrogate": b'["ok","\\udc00"]',
    "an int beyond int64": b"9223372036854775808",
    "an int below int64": b"-9223372036854775809",
    "nesting past MongoDB's 100 levels": b"[" * 150 + b"]" * 150,
}
# Inputs the event decoder refuses (a lone leading surrogate, nesting past its 200 levels, an
# int past Python's digit limit): no one can read the event, so it is parked.
UNREADABLE = {
    "a key with a lone surrogate": b'{"\\ud800":1}',
    "nesting past nx-27017's few hundred levels": b"[" * 600 + b"]" * 600,
    "nesting past what Python decodes": b"[" * 5000 + b"]" * 5000,
    "an int of 5000 digits": b"9" * 5000,
}


@pytest.mark.parametrize("shape", KEPT_AS_TEXT)
def test_an_execution_input_the_store_would_refuse_is_kept_as_json_text(
    poison_stack: Stack, store: MongoClient, shape: str
) -> None:
    eid = uuid.uuid4().hex
    event = requested(eid, "__POISON__")
    seq = publish(poison_stack, event.subject, with_shape(event, KEPT_AS_TEXT[shape]))

    records = store["s3c_executor"]["executions"]
    record = poll(lambda: records.find_one({"_id": eid}), 60, what="the record")
    assert json.loads(record["inputJson"]) == json.loads(KEPT_AS_TEXT[shape])
    assert "input" not in record
    assert parked(store, "executor", seq, "executor-executions") is None
    assert_ready(poison_stack, "executor")


@pytest.mark.parametrize("shape", UNREADABLE)
def test_an_execution_input_no_one_can_read_is_parked(
    poison_stack: Stack, store: MongoClient, shape: str
) -> None:
    bad, good = uuid.uuid4().hex, uuid.uuid4().hex
    event = requested(bad, "__POISON__")
    seq = publish(poison_stack, event.subject, with_shape(event, UNREADABLE[shape]))
    publish(poison_stack, requested(good).subject, requested(good).to_wire())

    records = store["s3c_executor"]["executions"]
    poll(lambda: records.find_one({"_id": good}), 60, what="the event after the poison")
    found = parked(store, "executor", seq, "executor-executions")
    assert found is not None
    assert found["subject"] == event.subject and found["stream"] == "S3C_EXECUTIONS"
    assert records.find_one({"_id": bad}) is None
    assert assert_ready(poison_stack, "executor")["parked"] >= 1


# Whole messages that are not an event of their subject.
MESSAGES = {
    "not UTF-8, not JSON": b"\xff\xfe{",
    "JSON that is no event": b'{"specversion":"1.0","data":[1]}',
}


@pytest.mark.parametrize("shape", MESSAGES)
def test_a_message_that_is_no_event_is_parked(
    poison_stack: Stack, store: MongoClient, shape: str
) -> None:
    good = uuid.uuid4().hex
    subject = event_subject("execution", uuid.uuid4().hex, "requested")
    seq = publish(poison_stack, subject, MESSAGES[shape])
    publish(poison_stack, requested(good).subject, requested(good).to_wire())

    poll(lambda: store["s3c_executor"]["executions"].find_one({"_id": good}), 60)
    found = parked(store, "executor", seq, "executor-executions")
    assert found is not None and found["size"] == len(MESSAGES[shape])
    assert parked(store, "billing", seq, "billing-costs") is not None  # billing reads it too
    assert_ready(poison_stack, "executor")
    assert_ready(poison_stack, "billing")


def test_keys_the_store_takes_are_stored_not_parked(
    poison_stack: Stack, store: MongoClient
) -> None:
    eid = uuid.uuid4().hex
    value = {"$where": 1, "a.b": 2, "": 3, "s": "a\x00b"}
    seq = publish(poison_stack, requested(eid).subject, requested(eid, value).to_wire())

    record = poll(lambda: store["s3c_executor"]["executions"].find_one({"_id": eid}), 60)
    assert json.loads(record["inputJson"]) == value
    assert parked(store, "executor", seq, "executor-executions") is None


@pytest.mark.parametrize("duration", [b"NaN", b"Infinity"])
def test_a_terminal_event_billing_cannot_cost_is_parked(
    poison_stack: Stack, store: MongoClient, duration: bytes
) -> None:
    bad, good = uuid.uuid4().hex, uuid.uuid4().hex
    wire = completed(bad).to_wire()
    assert wire.count(b'"durationMs":12.5') == 2  # the run's and its attempt's
    seq = publish(
        poison_stack,
        completed(bad).subject,
        wire.replace(b'"durationMs":12.5', b'"durationMs":' + duration),
    )
    publish(poison_stack, completed(good).subject, completed(good).to_wire())

    costs = store["s3c_billing"]["execution_costs"]
    poll(lambda: costs.find_one({"_id": good}), 60, what="the run after the poison, billed")
    assert parked(store, "billing", seq, "billing-costs") is not None
    assert costs.find_one({"_id": bad}) is None
    assert assert_ready(poison_stack, "billing")["parked"] >= 1


def test_a_function_event_the_store_refuses_is_parked(
    poison_stack: Stack, store: MongoClient
) -> None:
    bad, good = uuid.uuid4().hex, uuid.uuid4().hex
    event = registered(bad, "__POISON__")
    seq = publish(poison_stack, event.subject, with_shape(event, b'"\\ud800"'))
    publish(poison_stack, registered(good, "x").subject, registered(good, "x").to_wire())

    versions = store["s3c_billing"]["function_versions"]
    poll(lambda: versions.find_one({"_id": good}), 60, what="billing past the poison")
    poll(lambda: store["s3c_registry"]["functions"].find_one({"_id": good}), 60)
    assert parked(store, "billing", seq, "billing-functions") is not None
    assert store["s3c_registry"]["_poison"].find_one({"seq": seq}) is not None
    assert versions.find_one({"_id": bad}) is None
    assert_ready(poison_stack, "billing")
    assert_ready(poison_stack, "registry")


def test_a_scaling_event_the_store_refuses_is_parked(
    poison_stack: Stack, store: MongoClient
) -> None:
    def decision(reason: str) -> tuple[str, PoolScaledUp]:
        # Decision 0 on an aggregate of its own: no executor resizes, the scaler's numbering holds.
        event = PoolScaledUp(
            action="scale_up",
            instance_count=1,
            previous_count=1,
            queue_length=0,
            reason=reason,
            decision=0,
        )
        return event_subject("scaling", f"poison{uuid.uuid4().hex[:8]}", event.TYPE), event

    subject, bad = decision("__POISON__")
    seq = publish(poison_stack, subject, with_shape(bad, b'"Queue length: \\ud800"'))
    subject, good = decision("Queue length: 0")
    publish(poison_stack, subject, good.to_wire())

    history = store["s3c_scaler"]["scaling_history"]
    poll(lambda: history.find_one({"_id": good.event_id}), 60, what="the scaler past the poison")
    assert parked(store, "scaler", seq, "scaler-history") is not None
    assert history.find_one({"_id": bad.event_id}) is None
    assert_ready(poison_stack, "scaler")


def test_the_reported_attack_no_longer_freezes_executions(
    poison_stack: Stack, store: MongoClient
) -> None:
    """`function handler(x){ return x; }` run with `{"a\\u0000b": 1}`, asked of the executor
    directly (past any check at the gateway): later runs are recorded, listed and counted."""
    with httpx.Client(base_url=poison_stack.url, timeout=30) as api:
        res = api.post(
            "/api/functions",
            json={
                "name": f"echo-{uuid.uuid4().hex[:8]}",
                "code": "function handler(x){ return x; }",
            },
        )
        assert res.status_code == 201, res.text
        fid = res.json()["data"]["id"]
        before = api.get("/api/metrics").json()["data"]["completedExecutions"]

        async def attack() -> dict[str, Any]:
            nc = await nats.connect(poison_stack.nats_url)
            try:
                command = ExecuteFunction(function_id=fid, input={"a\x00b": 1})
                reply = await nc.request(command.SUBJECT, command.to_json(), 10)
                answer: dict[str, Any] = json.loads(reply.data)
                return answer
            finally:
                await nc.close()

        asyncio.run(attack())  # queued or refused: either way nothing may freeze
        res = api.post(f"/api/functions/{fid}/execute", json={"input": {"ok": 1}})
        assert res.status_code == 202, res.text
        eid = res.json()["data"]["executionId"]

        def done() -> dict[str, Any] | None:
            found = api.get(f"/api/executions/{eid}")
            record: dict[str, Any] = found.json().get("data") or {}
            return record if found.status_code == 200 and record["status"] == "completed" else None

        assert poll(done, 60, what="the later run recorded")["output"] == {"ok": 1}
        listed = api.get("/api/executions", params={"functionId": fid}).json()["data"]
        assert eid in {row["id"] for row in listed}
        after = api.get("/api/metrics").json()["data"]["completedExecutions"]
        assert after > before
    assert_ready(poison_stack, "executor")
