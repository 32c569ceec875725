"""Billing's costs per owner in the real MongoDB-wire store: the projections write the owner of
every function, record and roll-up, and the queries filter by it in the database (documents
written before owners existed count as `local`'s)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from helpers import Servers
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase
from s3c_billing.projections import CostsProjection, FunctionVersionsProjection
from s3c_billing.queries import CostQueries
from s3c_billing.store import RECORDS, ROLLUPS, VERSIONS, MongoCostStore, ensure_indexes
from s3c_events import (
    AttemptRecord,
    CostTrends,
    ExecutionCompleted,
    ExecutionCost,
    ExecutionCostList,
    FunctionCosts,
    FunctionRegistered,
    SystemCosts,
)
from s3c_events.registry import FunctionState
from s3c_runtime.mongo import Doc
from s3c_runtime.projector import Applied
from s3c_runtime.rpc import RequestError

T0 = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
LATER = T0 + timedelta(hours=1)
# function -> its owner; `f-old` ran before owners existed (its documents carry none).
FUNCTIONS = {"f-acme": "acme", "f-local": "local", "f-idle": "acme", "f-old": "local"}
RUNS = [  # execution, function, start
    ("a1", "f-acme", T0),
    ("a2", "f-acme", LATER),
    ("l1", "f-local", T0),
    ("o1", "f-old", T0),
]


def registered(function_id: str, owner: str) -> FunctionRegistered:
    state = FunctionState(
        id=function_id,
        name=function_id,
        code="function f() { return 1; }",
        created_at=T0,
        updated_at=T0,
        owner=owner,
    )
    return FunctionRegistered(
        function_id=function_id, function=state, owner=owner, occurred_at=T0 - timedelta(hours=1)
    )


def completed(execution_id: str, function_id: str, start: datetime) -> ExecutionCompleted:
    ms = 150.0
    end = start + timedelta(milliseconds=ms)
    return ExecutionCompleted(
        event_id=f"{execution_id}-completed",
        execution_id=execution_id,
        function_id=function_id,
        owner=FUNCTIONS[function_id],
        function_name=function_id,
        function_version=1,
        tier="basic",
        attempts=[
            AttemptRecord(
                attempt=1,
                instance_id="i-1",
                cold_start=False,
                duration_ms=ms,
                started_at=start,
                ended_at=end,
            )
        ],
        start_time=start,
        end_time=end,
        duration_ms=ms,
        retry_count=0,
        cold_starts=0,
        input_bytes=2,
        output_bytes=1,
        instance_id="i-1",
        output=1,
    )


@pytest.fixture
async def db(servers: Servers) -> AsyncIterator[AsyncDatabase[Doc]]:
    client: AsyncMongoClient[Doc] = AsyncMongoClient(servers.mongodb_uri, tz_aware=True)
    database = client[f"billing_owners_{uuid.uuid4().hex[:8]}"]
    await ensure_indexes(database)
    functions = [Applied(i + 1, registered(f, o)) for i, (f, o) in enumerate(FUNCTIONS.items())]
    await FunctionVersionsProjection().apply(database[VERSIONS], functions)
    runs = [Applied(i + 1, completed(*run)) for i, run in enumerate(RUNS)]
    await CostsProjection().apply(database[RECORDS], runs)
    # What billing stored for `f-old` before owners existed: no owner anywhere (its owner's
    # hourly roll-up aside, which did not exist then).
    forget = {"$unset": {"owner": ""}}
    await database[VERSIONS].update_one({"_id": "f-old"}, forget)
    await database[RECORDS].update_one({"_id": "o1"}, forget)
    await database[ROLLUPS].update_many({"functionId": "f-old"}, forget)
    yield database
    await client.drop_database(database.name)
    await client.close()


async def test_each_owner_gets_only_its_costs_from_the_store(db: AsyncDatabase[Doc]) -> None:
    queries = CostQueries(MongoCostStore(db))
    cost = {d["_id"]: Decimal(d["totalCost"]) async for d in db[RECORDS].find({})}
    assert await db[RECORDS].count_documents({"owner": "acme"}) == 2
    period = {"start_date": T0, "end_date": LATER}

    acme = await queries.system(SystemCosts(**period, owner="acme"))
    assert acme["totalExecutions"] == 2
    assert Decimal(acme["totalExecutionCostExact"]) == cost["a1"] + cost["a2"]
    assert [f["functionId"] for f in acme["functionCosts"]] == ["f-acme"]
    assert (acme["scalingEvents"], acme["storageCostExact"]) == (0, "0")
    local = await queries.system(SystemCosts(**period, owner="local"))
    assert sorted(f["functionId"] for f in local["functionCosts"]) == ["f-local", "f-old"]
    everyone = await queries.system(SystemCosts(**period))
    assert everyone["totalExecutions"] == 4 and Decimal(everyone["storageCostExact"]) > 0

    hourly = (await queries.trends(CostTrends(from_=T0, to=LATER, owner="acme")))["hourly"]
    assert [(h["hour"], h["executions"]) for h in hourly] == [
        ("2026-03-04T05:00:00Z", 1),
        ("2026-03-04T06:00:00Z", 1),
    ]

    # A function that never ran is known by its owner from the function events.
    idle = await queries.function(FunctionCosts(function_id="f-idle", owner="acme"))
    assert idle["owner"] == "acme" and idle["executionCount"] == 0
    old = await queries.function(FunctionCosts(function_id="f-old", owner="local"))
    assert old["owner"] == "local" and old["executionCount"] == 1
    for theirs in (
        queries.function(FunctionCosts(function_id="f-idle", owner="local")),
        queries.function(FunctionCosts(function_id="f-old", owner="acme")),
        queries.execution(ExecutionCost(execution_id="a1", owner="local")),
    ):
        with pytest.raises(RequestError) as refused:
            await theirs
        assert refused.value.code == "not_found"

    ids = [run[0] for run in RUNS]
    mine = await queries.executions(ExecutionCostList(execution_ids=ids, owner="local"))
    assert {eid: c["owner"] for eid, c in mine["costs"].items()} == {"l1": "local", "o1": "local"}
