"""What our read models rely on from the store, checked against the real MongoDB-wire server.

Run the same body against real MongoDB wherever one is reachable (S3C_CONFORMANCE_MONGODB_URI).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator

import pytest
from helpers import Servers
from pymongo import AsyncMongoClient, UpdateOne
from pymongo.asynchronous.collection import AsyncCollection
from s3c_runtime.mongo import bulk_apply, guarded_upsert

BACKENDS = ["embedded"] + (["mongodb"] if os.environ.get("S3C_CONFORMANCE_MONGODB_URI") else [])


@pytest.fixture(params=BACKENDS)
async def collection(
    request: pytest.FixtureRequest, servers: Servers
) -> AsyncIterator[AsyncCollection]:
    uri = (
        servers.mongodb_uri
        if request.param == "embedded"
        else os.environ["S3C_CONFORMANCE_MONGODB_URI"]
    )
    client: AsyncMongoClient = AsyncMongoClient(uri, tz_aware=True)
    col = client["conformance"][f"c{uuid.uuid4().hex[:8]}"]
    yield col
    await col.drop()
    await client.close()


async def test_guarded_upserts_apply_once_and_in_order(collection: AsyncCollection) -> None:
    ops = [guarded_upsert("a", 5, {"$set": {"v": 5}}), guarded_upsert("b", 2, {"$inc": {"n": 1}})]
    await bulk_apply(collection, ops)
    # The same batch again, and an older event: nothing changes.
    await bulk_apply(collection, ops)
    await bulk_apply(collection, [guarded_upsert("a", 3, {"$set": {"v": 3}})])
    docs = {d["_id"]: d for d in await collection.find().to_list()}
    assert docs["a"]["v"] == 5 and docs["a"]["_seq"] == 5
    assert docs["b"]["n"] == 1
    await bulk_apply(
        collection, [guarded_upsert("a", 6, {"$set": {"v": 6}, "$unset": {"gone": ""}})]
    )
    assert (await collection.find_one({"_id": "a"}))["v"] == 6


async def test_max_set_on_insert_and_queries(collection: AsyncCollection) -> None:
    await collection.bulk_write(
        [
            UpdateOne({"_id": "cp"}, {"$max": {"seq": 7}}, upsert=True),
            UpdateOne({"_id": "cp"}, {"$max": {"seq": 4}}, upsert=True),
            UpdateOne(
                {"_id": "x"}, {"$setOnInsert": {"first": 1}, "$set": {"flag": False}}, upsert=True
            ),
            UpdateOne(
                {"_id": "x"}, {"$setOnInsert": {"first": 2}, "$set": {"flag": True}}, upsert=True
            ),
        ]
    )
    assert (await collection.find_one({"_id": "cp"}))["seq"] == 7
    x = await collection.find_one({"_id": "x"})
    assert x["first"] == 1
    assert x["flag"]  # the embedded store hands a $set boolean back as 1: compare by truth
    assert await collection.count_documents({"flag": True}) == 1
    assert await collection.count_documents({"_id": {"$in": ["cp", "x", "nope"]}}) == 2
