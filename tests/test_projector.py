"""The runtime's projector against real NATS JetStream and the real store."""

from __future__ import annotations

import json
import subprocess
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import nats
import pytest
from helpers import Servers, apoll
from pymongo import AsyncMongoClient
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import AutoReconnect, ConnectionFailure
from s3c_cli.processes import free_port, port_open, store_command, wait_for
from s3c_events import (
    ExecutionRequested,
    FunctionRegistered,
    FunctionState,
    FunctionUpdated,
    streams,
)
from s3c_events.subjects import event_subject, health_subject
from s3c_executor.projections import ExecutionsProjection
from s3c_registry.projections import FunctionsProjection
from s3c_runtime.bus import ConcurrencyConflict, provision_streams, publish_event
from s3c_runtime.poison import POISON
from s3c_runtime.projector import CHECKPOINTS, Applied, Projector
from s3c_runtime.service import Service
from s3c_runtime.settings import StoreSettings


def state(fid: str, version: int = 1, code: str = "function f() {}") -> FunctionState:
    now = datetime.now(UTC)
    return FunctionState(
        id=fid, name=f"n{fid}", code=code, version=version, created_at=now, updated_at=now
    )


class FailsOnce(FunctionsProjection):
    """The registry projection, whose first write fails (a store outage)."""

    def __init__(self) -> None:
        self.failed = False

    async def apply(self, target: AsyncCollection, batch: Sequence[Applied]) -> None:
        if not self.failed:
            self.failed = True
            raise ConnectionError("store unavailable")
        await super().apply(target, batch)


@pytest.fixture
async def env(servers: Servers) -> AsyncIterator[tuple]:
    nc = await nats.connect(servers.nats_url)
    js = nc.jetstream()
    await provision_streams(js)
    await js.purge_stream(streams.FUNCTIONS.name)
    client: AsyncMongoClient = AsyncMongoClient(servers.mongodb_uri, tz_aware=True)
    db = client[f"proj_{uuid.uuid4().hex[:8]}"]
    yield js, db
    await client.drop_database(db.name)
    await client.close()
    await nc.close()


async def test_applies_in_order_and_remembers_the_position(env: tuple) -> None:
    js, db = env
    fids = [uuid.uuid4().hex for _ in range(30)]
    for fid in fids:
        await publish_event(js, FunctionRegistered(function_id=fid, function=state(fid)))
    event = FunctionUpdated(function_id=fids[0], function=state(fids[0], 2, "function g() {}"))
    await publish_event(js, event)
    await publish_event(js, event)  # same event_id: JetStream drops the duplicate

    projector = Projector(js, db, FunctionsProjection(), batch_size=8)
    await projector.catch_up()
    await projector.stop()
    assert await db["functions"].count_documents({}) == 30
    assert (await db["functions"].find_one({"_id": fids[0]}))["version"] == 2
    info = await js.stream_info(streams.FUNCTIONS.name)
    assert info.state.messages == 31
    assert (await db[CHECKPOINTS].find_one({"_id": FunctionsProjection.name}))[
        "seq"
    ] == info.state.last_seq
    # A new projector (a restart) resumes after the checkpoint: nothing is left to read.
    again = Projector(js, db, FunctionsProjection())
    assert await again.poll(timeout=0.3) == 0
    await again.stop()


async def test_a_failed_write_keeps_the_position_and_is_read_again(env: tuple) -> None:
    js, db = env
    fid = uuid.uuid4().hex
    await publish_event(js, FunctionRegistered(function_id=fid, function=state(fid)))
    projector = Projector(js, db, FailsOnce())
    with pytest.raises(ConnectionError):
        await projector.poll()
    assert await db["functions"].count_documents({}) == 0
    assert await projector.checkpoint() == 0
    deadline_polls = 0
    while await db["functions"].count_documents({}) == 0 and deadline_polls < 50:
        await projector.poll(timeout=0.5)
        deadline_polls += 1
    await projector.stop()
    assert await db["functions"].count_documents({"_id": fid}) == 1


async def test_unknown_event_types_are_skipped(env: tuple) -> None:
    js, db = env
    await js.publish(event_subject("function", "abc", "exploded"), b'{"functionId": "abc"}')
    fid = uuid.uuid4().hex
    await publish_event(js, FunctionRegistered(function_id=fid, function=state(fid)))
    projector = Projector(js, db, FunctionsProjection())
    await projector.catch_up()
    await projector.stop()
    assert [d["_id"] for d in await db["functions"].find().to_list()] == [fid]


async def test_optimistic_concurrency_per_aggregate(env: tuple) -> None:
    js, _ = env
    fid = uuid.uuid4().hex
    first = await publish_event(js, FunctionRegistered(function_id=fid, function=state(fid)), 0)
    with pytest.raises(ConcurrencyConflict):
        await publish_event(js, FunctionRegistered(function_id=fid, function=state(fid)), 0)
    update = FunctionUpdated(function_id=fid, function=state(fid, 2))
    assert (await publish_event(js, update, first.seq)).seq > first.seq


# Poison-proof: an event the store cannot take is parked; an outage parks nothing.


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


async def publish_unstorable(js: Any, execution_id: str) -> Any:
    """`execution.requested` whose function name holds a lone surrogate: the decoder takes it,
    the store cannot encode it (a run's input is kept as JSON text, so it cannot be the poison)."""
    event = requested(execution_id)
    wire = event.to_wire()
    bad = wire.replace(b'"functionName":"poison"', b'"functionName":"\\udc00"')
    assert bad != wire
    return await js.publish(event.subject, bad)


@pytest.fixture
async def executions(servers: Servers) -> AsyncIterator[tuple]:
    nc = await nats.connect(servers.nats_url)
    js = nc.jetstream()
    await provision_streams(js)
    await js.purge_stream(streams.EXECUTIONS.name)
    client: AsyncMongoClient = AsyncMongoClient(servers.mongodb_uri, tz_aware=True)
    db = client[f"proj_{uuid.uuid4().hex[:8]}"]
    yield js, db
    await client.drop_database(db.name)
    await client.close()
    await nc.close()


async def test_an_event_the_store_refuses_is_parked_and_the_rest_is_applied(
    executions: tuple,
) -> None:
    js, db = executions
    good, bad, later = (uuid.uuid4().hex for _ in range(3))
    await publish_event(js, requested(good))
    poison = await publish_unstorable(js, bad)
    last = await publish_event(js, requested(later))
    projector = Projector(js, db, ExecutionsProjection())
    await projector.catch_up()
    await projector.stop()

    assert {d["_id"] for d in await db["executions"].find().to_list()} == {good, later}
    # The roll-ups count what the records hold: the parked run is not counted.
    assert (await db["executions_stats"].find_one({"_id": "global"}))["pending"] == 2
    parked = await db[POISON].find().to_list()
    assert [(d["projection"], d["seq"], d["subject"]) for d in parked] == [
        (ExecutionsProjection.name, poison.seq, requested(bad).subject)
    ]
    assert "udc00" in parked[0]["data"]
    assert await projector.checkpoint() == last.seq


async def test_an_unreadable_event_is_parked(executions: tuple) -> None:
    js, db = executions
    eid = uuid.uuid4().hex
    subject = requested(eid).subject
    junk = await js.publish(subject, b"\xff\xfenot json")
    last = await publish_event(js, requested(uuid.uuid4().hex))
    projector = Projector(js, db, ExecutionsProjection())
    await projector.catch_up()
    await projector.stop()

    parked = await db[POISON].find_one({"seq": junk.seq})
    assert parked["data"] == b"\xff\xfenot json"
    assert parked["subject"] == subject
    assert await projector.checkpoint() == last.seq
    assert await db["executions"].count_documents({}) == 1


async def test_a_rebuild_parks_what_the_store_refuses_and_replays_the_rest(
    executions: tuple,
) -> None:
    js, db = executions
    good = uuid.uuid4().hex
    await publish_event(js, requested(good))
    poison = await publish_unstorable(js, uuid.uuid4().hex)
    projector = Projector(js, db, ExecutionsProjection())
    assert await projector.rebuild(into="executions_rebuilt") == 2
    assert [d["_id"] for d in await db["executions_rebuilt"].find().to_list()] == [good]
    assert [d["seq"] for d in await db[POISON].find().to_list()] == [poison.seq]


async def test_a_store_outage_parks_nothing_and_the_batch_applies_once_the_store_is_back(
    servers: Servers, tmp_path: Path
) -> None:
    port = free_port()

    def start_store() -> subprocess.Popen[bytes]:
        proc = subprocess.Popen(store_command(port, tmp_path), stdout=subprocess.DEVNULL)
        wait_for(lambda: port_open("127.0.0.1", port), 30, "nx-27017")
        return proc

    store = start_store()
    nc = await nats.connect(servers.nats_url)
    js = nc.jetstream()
    await provision_streams(js)
    await js.purge_stream(streams.EXECUTIONS.name)
    client: AsyncMongoClient = AsyncMongoClient(
        f"mongodb://127.0.0.1:{port}", tz_aware=True, serverSelectionTimeoutMS=500
    )
    db = client["outage"]
    projector = Projector(js, db, ExecutionsProjection())
    try:
        await projector.catch_up()  # the reader exists: the outage hits the write
        eid = uuid.uuid4().hex
        await publish_event(js, requested(eid))
        store.terminate()
        store.wait(10)
        with pytest.raises(ConnectionFailure):
            await projector.poll()
        assert projector.failing_since is not None
        store = start_store()  # same data folder: what was stored before is still there
        await apoll(lambda: projector.poll(timeout=0.3), 30, what="the batch read again")
        assert await db["executions"].count_documents({"_id": eid}) == 1
        assert await db[POISON].count_documents({}) == 0
        assert projector.failing_since is None
    finally:
        await projector.stop()
        await client.close()
        await nc.close()
        store.terminate()
        store.wait(10)


class DownTwice(ExecutionsProjection):
    """The executor's projection, whose first two writes meet an outage."""

    def __init__(self) -> None:
        self.outages = 2

    async def apply(self, target: AsyncCollection, batch: Sequence[Applied]) -> None:
        if self.outages:
            self.outages -= 1
            raise AutoReconnect("connection closed")
        await super().apply(target, batch)


async def test_an_outage_while_parking_would_work_still_parks_nothing(executions: tuple) -> None:
    js, db = executions
    eid = uuid.uuid4().hex
    last = await publish_event(js, requested(eid))
    projector = Projector(js, db, DownTwice())
    for _ in range(2):
        with pytest.raises(AutoReconnect):
            await projector.poll(timeout=0.5)
    assert await projector.checkpoint() == 0
    await projector.catch_up()
    await projector.stop()
    assert await db["executions"].count_documents({"_id": eid}) == 1
    assert await db[POISON].count_documents({}) == 0
    assert await projector.checkpoint() == last.seq


# Readiness: a service reports each projection it runs.


class AlwaysDown(ExecutionsProjection):
    """The executor's projection over a store that never answers (an outage: never parked)."""

    async def apply(self, target: AsyncCollection, batch: Sequence[Applied]) -> None:
        raise AutoReconnect("the store is away")


@asynccontextmanager
async def running_service(
    servers: Servers, projection: Any, start: bool = True
) -> AsyncIterator[tuple[Service, Any]]:
    """A service process of our own (in this one), whose start-up builds a projector."""
    name = f"pt{uuid.uuid4().hex[:8]}"
    settings = StoreSettings(
        nats_url=servers.nats_url, mongodb_uri=servers.mongodb_uri, db_prefix="poison"
    )
    service = Service(name, settings)

    @service.on_ready
    async def build() -> None:
        projector = Projector(service.js, service.db, projection)
        if start:
            projector.start()

    @service.on_stop
    async def stop() -> None:
        for projector in service.projectors:
            await projector.stop()

    await service.app.start()
    nc = await nats.connect(servers.nats_url)

    async def health() -> dict[str, Any]:
        msg = await nc.request(health_subject(name), b"{}", timeout=5)
        data: dict[str, Any] = json.loads(msg.data)["data"]
        return data

    try:
        yield service, health
    finally:
        await nc.close()
        await service.mongo.drop_database(service.db.name)
        await service.app.stop()


async def test_a_stuck_projection_makes_the_service_not_ready(
    executions: tuple, servers: Servers, monkeypatch: pytest.MonkeyPatch
) -> None:
    js, _ = executions
    monkeypatch.setenv("S3C_PROJECTION_STUCK_AFTER", "1")
    async with running_service(servers, AlwaysDown()) as (_, health):
        assert (await health())["status"] == "ok"
        await publish_event(js, requested(uuid.uuid4().hex))
        name = AlwaysDown.name
        found = await apoll(
            lambda: health_where(health, lambda h: h["projections"][name]["status"] == "stuck"),
            30,
            what="the projection reported stuck",
        )
        assert found["status"] == "degraded"
        assert found["projections"][name]["lag"] == 1
        assert found["problems"] == [f"{name} stuck: {found['projections'][name]['reason']}"]
        assert "AutoReconnect" in found["projections"][name]["reason"]
        assert found["parked"] == 0


async def test_a_projection_that_falls_behind_makes_the_service_not_ready(
    executions: tuple, servers: Servers, monkeypatch: pytest.MonkeyPatch
) -> None:
    js, _ = executions
    monkeypatch.setenv("S3C_PROJECTION_STUCK_AFTER", "1")
    async with running_service(servers, ExecutionsProjection(), start=False) as (_, health):
        await publish_event(js, requested(uuid.uuid4().hex))
        await publish_event(js, requested(uuid.uuid4().hex))
        name = ExecutionsProjection.name
        found = await apoll(
            lambda: health_where(health, lambda h: h["status"] != "ok"),
            30,
            what="the service not ready",
        )
        assert found["projections"][name]["status"] == "lagging"
        assert found["projections"][name]["lag"] == 2


async def test_parked_events_leave_the_service_ready(executions: tuple, servers: Servers) -> None:
    js, _ = executions
    async with running_service(servers, ExecutionsProjection()) as (service, health):
        await publish_unstorable(js, uuid.uuid4().hex)
        last = await publish_event(js, requested(uuid.uuid4().hex))
        name = ExecutionsProjection.name
        found = await apoll(
            lambda: health_where(
                health, lambda h: h["projections"][name]["checkpoint"] == last.seq
            ),
            30,
            what="the projection past both events",
        )
        assert found["status"] == "ok"
        assert found["projections"][name] == {
            "status": "ok",
            "checkpoint": last.seq,
            "lag": 0,
            "parked": 1,
        }
        assert found["parked"] == 1
        assert service.projectors[0].parked == 1


async def health_where(health: Any, check: Any) -> dict[str, Any] | None:
    found: dict[str, Any] = await health()
    return found if check(found) else None
