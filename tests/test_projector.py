"""The runtime's projector against real NATS JetStream and the real store."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime

import nats
import pytest
from helpers import Servers
from pymongo import AsyncMongoClient
from pymongo.asynchronous.collection import AsyncCollection
from s3c_events import FunctionRegistered, FunctionState, FunctionUpdated, streams
from s3c_events.subjects import event_subject
from s3c_registry.projections import FunctionsProjection
from s3c_runtime.bus import ConcurrencyConflict, provision_streams, publish_event
from s3c_runtime.projector import CHECKPOINTS, Applied, Projector


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
