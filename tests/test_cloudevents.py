"""Events on the wire are CloudEvents 1.0 (structured mode), and events stored in the older flat
shape still decode and rebuild every read model to the same documents."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import nats
from cloudevents.core.formats.json import JSONFormat
from helpers import Servers, Stack, apoll
from pymongo import AsyncMongoClient
from s3c_billing.projections import CostsProjection, FunctionVersionsProjection
from s3c_events import decode_event, streams
from s3c_events.subjects import event_subject, events_of_type
from s3c_executor.projections import ExecutionsProjection
from s3c_registry.projections import FunctionsProjection
from s3c_runtime.bus import provision_streams
from s3c_runtime.projector import Projector

ADD = "function add(a, b) { return a + b; }"


async def run_one(api: httpx.AsyncClient, name: str) -> tuple[str, str]:
    res = await api.post("/api/functions", json={"name": name, "code": ADD})
    fid = res.json()["data"]["id"]
    res = await api.post(f"/api/functions/{fid}/execute", json={"input": [2, 3]})
    eid = res.json()["data"]["executionId"]

    async def costed() -> bool:
        record = (await api.get(f"/api/executions/{eid}")).json()["data"]
        return record["status"] == "completed" and record["cost"] is not None

    await apoll(costed, timeout=20, what="the run to complete and be costed")
    return fid, eid


async def test_a_live_execution_event_decodes_with_the_cloudevents_sdk(
    stack: Stack, unique: str
) -> None:
    nc = await nats.connect(stack.nats_url)
    try:
        sub = await nc.subscribe(events_of_type("execution", "completed"))
        async with httpx.AsyncClient(base_url=stack.url, timeout=10) as api:
            fid = (await api.post("/api/functions", json={"name": unique, "code": ADD})).json()[
                "data"
            ]["id"]
            res = await api.post(f"/api/functions/{fid}/invoke", json={"input": [2, 3]})
            eid = res.json()["data"]["executionId"]
        deadline = asyncio.get_running_loop().time() + 10
        while True:
            msg = await sub.next_msg(timeout=max(0.1, deadline - asyncio.get_running_loop().time()))
            if msg.subject == event_subject("execution", eid, "completed"):
                break
        event = JSONFormat().read(None, msg.data)
        attributes = event.get_attributes()
        assert attributes["specversion"] == "1.0"
        assert attributes["type"] == "dev.s3c.execution.completed"
        assert attributes["source"] == "/s3c/executor"
        assert attributes["subject"] == eid
        assert attributes["id"] == f"{eid}-completed"
        assert attributes["dataschema"] == "urn:s3c:event:execution.completed:v1"
        assert attributes["time"].tzinfo is not None
        data = event.get_data()
        assert data["executionId"] == eid and data["functionId"] == fid and data["output"] == 5
        assert msg.headers is not None
        assert msg.headers["Content-Type"] == "application/cloudevents+json"
        assert msg.headers["Nats-Msg-Id"] == attributes["id"]
    finally:
        await nc.close()


def comparable(doc: dict[str, Any] | None) -> dict[str, Any]:
    """A read-model document without the stream positions (they differ between streams)."""
    assert doc is not None
    return {k: v for k, v in doc.items() if k not in ("_seq", "seq")}


async def test_old_shape_events_rebuild_every_read_model_to_the_same_documents(
    stack: Stack, servers: Servers, unique: str
) -> None:
    async with httpx.AsyncClient(base_url=stack.url, timeout=10) as api:
        fid, eid = await run_one(api, unique)

    live_nc = await nats.connect(stack.nats_url)
    old_nc = await nats.connect(servers.nats_url)
    live_store: AsyncMongoClient = AsyncMongoClient(stack.mongodb_uri, tz_aware=True)
    old_store: AsyncMongoClient = AsyncMongoClient(servers.mongodb_uri, tz_aware=True)
    try:
        live_js, old_js = live_nc.jetstream(), old_nc.jetstream()
        await provision_streams(old_js)
        # The same facts the live stack stored as CloudEvents, re-stored in the flat shape of
        # before (snake_case envelope beside the camelCase payload), as an old stream holds them.
        wanted = [
            (streams.FUNCTIONS.name, event_subject("function", fid, "registered")),
            *(
                (streams.EXECUTIONS.name, event_subject("execution", eid, kind))
                for kind in ("requested", "started", "completed")
            ),
        ]
        found = [(await live_js.get_last_msg(stream, s), s) for stream, s in wanted]
        for stored, subject in sorted(found, key=lambda pair: pair[0].seq):  # the live order
            assert b'"specversion":"1.0"' in stored.data  # the live stream holds CloudEvents
            event = decode_event(subject, stored.data)
            flat = event.to_json()
            assert b"specversion" not in flat and b'"event_id"' in flat
            await old_js.publish(subject, flat, headers={"Nats-Msg-Id": event.event_id})

        prefix = f"old_{unique.replace('-', '_')}"
        rebuilt = {
            "registry": (FunctionsProjection(), fid, "s3c_registry"),
            "executor": (ExecutionsProjection(), eid, "s3c_executor"),
        }
        for service, (projection, doc_id, live_db) in rebuilt.items():
            db = old_store[f"{prefix}_{service}"]
            await Projector(old_js, db, projection).rebuild()
            mine = await db[projection.collection].find_one({"_id": doc_id})
            live = await live_store[live_db][projection.collection].find_one({"_id": doc_id})
            assert comparable(mine) == comparable(live), service

        billing = old_store[f"{prefix}_billing"]
        await Projector(old_js, billing, FunctionVersionsProjection()).rebuild()
        await Projector(old_js, billing, CostsProjection()).rebuild()
        mine = comparable(await billing["execution_costs"].find_one({"_id": eid}))
        live = comparable(await live_store["s3c_billing"]["execution_costs"].find_one({"_id": eid}))
        # The cost record's own timestamp says when billing costed the run: a replay is later.
        assert mine.pop("occurred_at") >= live.pop("occurred_at")
        assert mine == live
        assert mine["totalCost"] == live["totalCost"]
    finally:
        await live_store.close()
        await old_store.close()
        await live_nc.close()
        await old_nc.close()
