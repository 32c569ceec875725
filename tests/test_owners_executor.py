"""Owners in the executor over the real store and a real nats-server: the records and per-owner
roll-ups the projection writes, the queries filtered by owner in the database (records kept
before owners count as local mode's), the owners' roll-ups seeded once on an upgrade, and a run
requested for one owner over NATS (a real registry and executor, no gateway)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import nats
import pytest
from helpers import Servers, apoll
from pymongo import AsyncMongoClient
from pymongo.asynchronous.collection import AsyncCollection
from s3c_events import (
    AttemptRecord,
    Event,
    ExecuteFunction,
    ExecutionCompleted,
    ExecutionDetail,
    ExecutionList,
    ExecutionMetrics,
    ExecutionRequested,
    FunctionRunStats,
    InvokeFunction,
    RegisterFunction,
)
from s3c_executor.domain import stats
from s3c_executor.projections import ExecutionsProjection, ensure_indexes, seed_rollups, stats_of
from s3c_executor.queries import ExecutionQueries
from s3c_executor.store import MongoExecutionStore
from s3c_registry.app import build as build_registry
from s3c_registry.settings import RegistrySettings
from s3c_runtime.projector import Applied
from s3c_runtime.rpc import RequestError

T0 = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
ADD = "function add(a, b) { return a + b; }"
# execution -> (function, owner, duration ms); `o1` is a run recorded before owners existed.
RUNS = {
    "a1": ("f-acme", "acme", 4.0),
    "a2": ("f-acme", "acme", 30.0),
    "l1": ("f-local", "local", 2.0),
    "o1": ("f-old", None, 8.0),
}


def run(execution_id: str) -> list[Event]:
    function_id, owner, ms = RUNS[execution_id]
    mine: dict[str, Any] = {"owner": owner} if owner else {}
    fields: dict[str, Any] = dict(
        execution_id=execution_id, function_id=function_id, function_name=function_id,
        function_version=1, tier="basic", input=1, input_bytes=1, **mine,
    )  # fmt: skip
    end = T0 + timedelta(milliseconds=ms)
    attempt = AttemptRecord(attempt=1, instance_id="i", cold_start=False, duration_ms=ms,
                            started_at=T0, ended_at=end)  # fmt: skip
    return [
        ExecutionRequested(event_id=f"{execution_id}-requested", occurred_at=T0, **fields),
        ExecutionCompleted(
            event_id=f"{execution_id}-completed",
            attempts=[attempt],
            start_time=T0,
            end_time=end,
            duration_ms=ms,
            retry_count=0,
            cold_starts=0,
            output_bytes=1,
            instance_id="i",
            output=2,
            **fields,
        ),
    ]


def folded() -> list[Applied]:
    events = [e for eid in RUNS for e in run(eid)]
    return [Applied(seq, event) for seq, event in enumerate(events, start=1)]


@pytest.fixture
async def records(servers: Servers) -> AsyncIterator[AsyncCollection]:
    """The executions read model in a database of its own, with the projection's indexes."""
    client: AsyncMongoClient = AsyncMongoClient(servers.mongodb_uri, tz_aware=True)
    db = client[f"owners_{uuid.uuid4().hex[:8]}"]
    await ensure_indexes(db["executions"])
    yield db["executions"]
    await client.drop_database(db.name)
    await client.close()


async def without_owner(target: AsyncCollection, execution_id: str) -> None:
    """Make a record look as one kept before owners existed."""
    await target.update_one({"_id": execution_id}, {"$unset": {"owner": ""}})


async def test_the_queries_of_one_owner_read_its_records_and_roll_ups(
    records: AsyncCollection,
) -> None:
    await ExecutionsProjection().apply(records, folded())
    await without_owner(records, "o1")  # the events had none: the record says local...
    assert (await records.find_one({"_id": "o1"}) or {}).get("owner") is None
    queries = ExecutionQueries(MongoExecutionStore(records))

    async def listed(**query: Any) -> set[str]:
        return {r["id"] for r in await queries.list(ExecutionList(**query))}

    assert await listed(owner="acme") == {"a1", "a2"}
    assert await listed(owner="local") == {"l1", "o1"}  # ...and so does the store's filter
    assert await listed() == set(RUNS)
    old = await queries.detail(ExecutionDetail(execution_id="o1", owner="local"))
    assert (old["id"], old["owner"]) == ("o1", "local")
    with pytest.raises(RequestError) as refused:
        await queries.detail(ExecutionDetail(execution_id="a1", owner="local"))
    assert (refused.value.code, refused.value.message) == ("not_found", "execution 'a1' not found")

    acme = await queries.metrics(ExecutionMetrics(owner="acme"))
    local = await queries.metrics(ExecutionMetrics(owner="local"))
    assert (acme["completedExecutions"], acme["averageExecutionTime"]) == (2, 17.0)
    assert (local["completedExecutions"], local["averageExecutionTime"]) == (2, 5.0)
    assert (await queries.metrics(ExecutionMetrics()))["completedExecutions"] == 4
    minute = stats.minute_of(T0)
    owner_minutes = await queries.store.minute_rollups([minute], "acme")
    assert owner_minutes[minute]["completed"] == 2

    rows = await queries.function_stats(FunctionRunStats(owner="local"))
    assert {r["functionId"]: r["completed"] for r in rows} == {"f-local": 1, "f-old": 1}
    (foreign,) = await queries.function_stats(FunctionRunStats(function_id="f-acme", owner="zeta"))
    assert foreign["executions"] == 0


async def test_an_upgrade_seeds_the_owners_roll_ups_once(records: AsyncCollection) -> None:
    """Records and system roll-ups kept by a version without owners: the owners' roll-ups are
    built from one scan of the records, equal to what the projection builds, and only once."""
    await ExecutionsProjection().apply(records, folded())
    rollups = stats_of(records)
    built = {d["_id"]: d async for d in rollups.find({})}
    for execution_id in RUNS:
        await without_owner(records, execution_id)  # as a version without owners kept them
    await rollups.delete_many({"_id": {"$regex": "^(owner|omin)\\|"}})
    await rollups.update_many({}, {"$unset": {"owner": ""}})

    written = await seed_rollups(records, checkpoint=8)
    after = {d["_id"]: d async for d in rollups.find({})}
    owners = {k for k in after if stats.is_owners(k)}
    assert owners == {"owner|local", "omin|local|2026-03-04T05:06"}  # unknown owners: local
    assert written == len(owners)
    local = after["owner|local"]
    assert (local["completed"], local["durationUs"]) == (4, 44_000)
    assert local["_seq"] == 8  # as if the batch that ended at the checkpoint wrote it
    assert {k: after[k] for k in after if not stats.is_owners(k)} == {
        k: {n: v for n, v in d.items() if n != "owner"} for k, d in built.items()
        if not stats.is_owners(k)
    }  # fmt: skip
    assert await seed_rollups(records, checkpoint=9) == 0  # once only


async def test_a_fresh_read_model_is_never_seeded(records: AsyncCollection) -> None:
    assert await seed_rollups(records, checkpoint=0) == 0  # nothing yet: the projector builds all
    await ExecutionsProjection().apply(records, folded())
    assert await seed_rollups(records, checkpoint=8) == 0
    assert await stats_of(records).find_one({"_id": "owner|acme"}) is not None


async def test_a_run_requested_for_an_owner_over_nats(servers: Servers, tmp_path: Path) -> None:
    prefix = f"o{uuid.uuid4().hex[:8]}"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("S3C_")},
        "S3C_NATS_URL": servers.nats_url,
        "S3C_MONGODB_URI": servers.mongodb_uri,
        "S3C_DB_PREFIX": prefix,
        "S3C_INSTANCES": "1",
    }
    registry = build_registry(
        RegistrySettings(
            nats_url=servers.nats_url, mongodb_uri=servers.mongodb_uri, db_prefix=prefix
        )
    )
    await registry.app.start()
    log = (tmp_path / "executor.log").open("wb")
    executor = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "s3c_executor", env=env, stdout=log, stderr=subprocess.STDOUT
    )
    nc = await nats.connect(servers.nats_url)

    async def ask(model: type, **payload: Any) -> dict[str, Any]:
        msg = await nc.request(model.SUBJECT, json.dumps(payload).encode(), timeout=15)  # type: ignore[attr-defined]
        reply: dict[str, Any] = json.loads(msg.data)
        return reply

    try:
        name, acme, zeta = f"add{prefix}", f"acme{prefix}", f"zeta{prefix}"
        mine = (await ask(RegisterFunction, name=name, code=ADD, owner=acme))["data"]
        assert mine["owner"] == acme

        async def executor_answers() -> bool:
            reply = await ask(ExecutionMetrics)
            return bool(reply["ok"])

        await apoll(executor_answers, 60, interval=0.5, what="the executor to answer")
        foreign = await ask(ExecuteFunction, functionId=mine["id"], owner=zeta, input=[1, 2])
        assert foreign["error"] == {"code": "not_found", "field": None,
                                    "message": f"function '{mine['id']}' not found"}  # fmt: skip
        queued = await ask(ExecuteFunction, name=name, owner=acme, input=[1, 2])
        assert queued["ok"], queued
        invoked = await ask(InvokeFunction, name=name, owner=acme, input=[2, 3])
        assert invoked["data"]["outputJson"] == "5"

        async def both_done() -> list[dict[str, Any]]:
            rows = (await ask(ExecutionList, owner=acme))["data"]
            return rows if [r["status"] for r in rows] == ["completed"] * 2 else []

        rows = await apoll(both_done, 60, interval=0.2, what="both runs to be recorded")
        assert {r["owner"] for r in rows} == {acme}
        assert (await ask(ExecutionList, owner=zeta))["data"] == []
        metrics = (await ask(ExecutionMetrics, owner=acme))["data"]
        assert (metrics["totalExecutions"], metrics["completedExecutions"]) == (2, 2)
        eid = queued["data"]["executionId"]
        hidden = await ask(ExecutionDetail, executionId=eid, owner=zeta)
        assert hidden["error"]["code"] == "not_found"
    finally:
        await nc.close()
        executor.terminate()
        await asyncio.wait_for(executor.wait(), 30)
        log.close()
        client: AsyncMongoClient = AsyncMongoClient(servers.mongodb_uri)
        for service in ("registry", "executor"):
            await client.drop_database(f"{prefix}_{service}")
        await client.close()
        await registry.app.stop()
