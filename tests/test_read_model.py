"""The registry's read model equals what replaying the function stream produces."""

from __future__ import annotations

import httpx
import nats
from helpers import Stack
from pymongo import AsyncMongoClient
from s3c_registry.projections import FunctionsProjection
from s3c_runtime.projector import Projector

ADD = "function add(a, b) { return a + b; }"


async def test_rebuilt_read_model_equals_the_live_one(stack: Stack, unique: str) -> None:
    async with httpx.AsyncClient(base_url=stack.url, timeout=10) as api:
        ids = []
        for i in range(6):
            res = await api.post("/api/functions", json={"name": f"{unique}-{i}", "code": ADD})
            ids.append(res.json()["data"]["id"])
        await api.put(
            f"/api/functions/{ids[0]}", json={"code": "function add(a, b) { return a - b; }"}
        )
        await api.put(f"/api/functions/{ids[1]}", json={"status": "inactive"})
        await api.put(
            f"/api/functions/{ids[1]}", json={"status": "active", "config": {"retryCount": 0}}
        )
        await api.delete(f"/api/functions/{ids[2]}")
        await api.put(f"/api/functions/{ids[3]}", json={"name": f"{unique}-renamed"})

    nc = await nats.connect(stack.nats_url)
    client: AsyncMongoClient = AsyncMongoClient(stack.mongodb_uri, tz_aware=True)
    try:
        db = client["s3c_registry"]
        projector = Projector(nc.jetstream(), db, FunctionsProjection())
        replayed = await projector.rebuild(into="functions_rebuilt")
        assert replayed >= 11
        live = await db["functions"].find().sort("_id").to_list()
        rebuilt = await db["functions_rebuilt"].find().sort("_id").to_list()
        assert rebuilt == live
        by_id = {d["_id"]: d for d in live}
        assert by_id[ids[0]]["version"] == 2
        assert by_id[ids[1]]["status"] == "active" and by_id[ids[1]]["version"] == 2
        assert by_id[ids[2]]["deleted"]  # nx-27017 returns a $set boolean as 1
        assert by_id[ids[3]]["name"] == f"{unique}-renamed"
    finally:
        await client.close()
        await nc.close()
