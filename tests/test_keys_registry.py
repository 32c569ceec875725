"""Keys and owners in the registry service, over a real nats-server and the real store: the key
events in `S3C_KEYS` (what a gateway replays), the keys read model without hashes, a key id
taken once across two replicas, names unique per owner in the real key-value bucket, and read
models kept before owners read as local mode's."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import nats
import pytest
from helpers import Servers
from nats.aio.client import Client
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from pymongo import AsyncMongoClient
from s3c_events import (
    CreateKey,
    FunctionDetail,
    FunctionList,
    KeyCreated,
    KeyList,
    KeyRevoked,
    RegisterFunction,
    RevokeKey,
    decode_event,
    streams,
    subjects,
)
from s3c_registry.app import build
from s3c_registry.handlers import KeyHandlers
from s3c_registry.names import BUCKET
from s3c_registry.projections import KeysProjection
from s3c_registry.settings import RegistrySettings
from s3c_registry.store import MongoFunctionStore, MongoKeyStore
from s3c_registry.stream import JetStreamLog
from s3c_runtime.bus import provision_streams
from s3c_runtime.projector import Projector
from s3c_runtime.rpc import RequestError

ADD = "function add(a, b) { return a + b; }"
HASH = "0123456789abcdef" * 4


@asynccontextmanager
async def registry(servers: Servers) -> AsyncIterator[tuple[Client, str]]:
    """The registry service, run in this process over its own databases, and a client."""
    prefix = f"k{uuid.uuid4().hex[:8]}"
    settings = RegistrySettings(
        nats_url=servers.nats_url, mongodb_uri=servers.mongodb_uri, db_prefix=prefix
    )
    service = build(settings)
    await service.app.start()
    nc = await nats.connect(servers.nats_url)
    try:
        yield nc, f"{prefix}_registry"
    finally:
        await nc.close()
        await service.mongo.drop_database(service.db.name)
        await service.app.stop()


async def ask(nc: Client, model: type, payload: dict[str, Any]) -> dict[str, Any]:
    msg = await nc.request(model.SUBJECT, json.dumps(payload).encode(), timeout=10)  # type: ignore[attr-defined]
    reply: dict[str, Any] = json.loads(msg.data)
    return reply


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"


async def key_events(nc: Client, key_id: str) -> list[Any]:
    """A key's events as a gateway reads them: replayed from the start of `S3C_KEYS`."""
    sub = await nc.jetstream().pull_subscribe(
        subjects.aggregate_events("key", key_id),
        stream=streams.KEYS.name,
        config=ConsumerConfig(ack_policy=AckPolicy.NONE, deliver_policy=DeliverPolicy.ALL),
    )
    try:
        msgs = await sub.fetch(10, timeout=2)
    except nats.errors.TimeoutError:
        msgs = []
    finally:
        await sub.unsubscribe()
    return [decode_event(m.subject, m.data) for m in msgs]


async def test_a_keys_life_is_in_its_stream_and_its_read_model_holds_no_hash(
    servers: Servers,
) -> None:
    key_id, owner = unique("k"), unique("o")
    async with registry(servers) as (nc, db_name):
        payload = {"keyId": key_id, "owner": owner, "scopes": ["invoke", "read"], "hash": HASH}
        created = await ask(nc, CreateKey, {**payload, "name": "ci"})
        assert created["ok"], created
        assert (created["data"]["owner"], created["data"]["scopes"]) == (owner, ["invoke", "read"])
        again = await ask(nc, CreateKey, payload)
        assert (again["error"]["code"], again["error"]["field"]) == ("conflict", "keyId")

        listed = await ask(nc, KeyList, {"owner": owner})
        assert listed["data"] == [created["data"]]
        client: AsyncMongoClient = AsyncMongoClient(servers.mongodb_uri, tz_aware=True)
        try:
            doc = await client[db_name][KeysProjection.collection].find_one({"_id": key_id})
        finally:
            await client.close()
        assert doc is not None and HASH not in json.dumps(doc, default=str)

        revoked = await ask(nc, RevokeKey, {"keyId": key_id})
        assert revoked["data"]["revoked"] is True
        assert (await ask(nc, RevokeKey, {"keyId": key_id}))["data"] == revoked["data"]
        events = await key_events(nc, key_id)
        assert [type(e) for e in events] == [KeyCreated, KeyRevoked]  # revoked once
        assert events[0].hash == HASH and events[0].subject == f"s3c.evt.key.{key_id}.created"
        listed = await ask(nc, KeyList, {"owner": owner})
        assert [k["revoked"] for k in listed["data"]] == [True]
        health = await nc.request(subjects.health_subject("registry"), b"{}", timeout=5)
        projections = json.loads(health.data)["data"]["projections"]
        assert set(projections) == {"registry-functions", "registry-keys"}


async def test_two_replicas_never_create_one_key_id_twice(servers: Servers) -> None:
    """Each replica decides against its own read model; the stream's expected sequence makes
    the one that has not seen the other's key catch up and refuse."""
    nc = await nats.connect(servers.nats_url)
    client: AsyncMongoClient = AsyncMongoClient(servers.mongodb_uri, tz_aware=True)
    dbs = [client[unique("replica")] for _ in range(2)]
    try:
        await provision_streams(nc.jetstream())  # as a registry does at start
        replicas = []
        for db in dbs:
            projector = Projector(nc.jetstream(), db, KeysProjection())
            await projector.catch_up()
            replicas.append(
                KeyHandlers(
                    MongoKeyStore(projector.target), JetStreamLog(nc.jetstream(), projector)
                )
            )
        key_id = unique("k")
        command = CreateKey(key_id=key_id, owner="acme", scopes=["read"], hash=HASH)
        await replicas[0].create(command)
        with pytest.raises(RequestError) as refused:
            await replicas[1].create(command.model_copy(update={"owner": "zeta"}))
        assert (refused.value.code, refused.value.field) == ("conflict", "keyId")
        assert [type(e) for e in await key_events(nc, key_id)] == [KeyCreated]
        [seen] = [k for k in await replicas[1].keys.list() if k.id == key_id]
        assert seen.owner == "acme"  # it caught up with the first replica's key
    finally:
        for db in dbs:
            await client.drop_database(db.name)
        await client.close()
        await nc.close()


async def test_names_are_unique_per_owner_in_the_shared_bucket(servers: Servers) -> None:
    name, acme, zeta = unique("n"), unique("acme"), unique("zeta")
    async with registry(servers) as (nc, _):
        ids = {}
        for owner in (acme, zeta, "local"):
            reply = await ask(nc, RegisterFunction, {"name": name, "code": ADD, "owner": owner})
            assert reply["ok"], reply
            ids[owner] = reply["data"]["id"]
        taken = await ask(nc, RegisterFunction, {"name": name, "code": ADD, "owner": acme})
        assert taken["error"]["code"] == "conflict"
        kv = await nc.jetstream().key_value(BUCKET)
        holders = {
            key: json.loads((await kv.get(key)).value or b"{}")["functionId"]
            for key in (f"{acme}.{name}", f"{zeta}.{name}", name)
        }
        assert holders == {f"{acme}.{name}": ids[acme], f"{zeta}.{name}": ids[zeta],
                           name: ids["local"]}  # fmt: skip

        by_name = await ask(nc, FunctionDetail, {"name": name, "owner": zeta})
        assert by_name["data"]["id"] == ids[zeta]
        assert (await ask(nc, FunctionDetail, {"name": name}))["data"]["id"] == ids["local"]
        foreign = await ask(nc, FunctionDetail, {"functionId": ids[acme], "owner": zeta})
        assert foreign["error"] == {"code": "not_found", "field": None,
                                    "message": f"function '{ids[acme]}' not found"}  # fmt: skip
        mine = await ask(nc, FunctionList, {"owner": acme})
        assert [f["id"] for f in mine["data"]] == [ids[acme]]


async def test_a_functions_read_model_kept_before_owners_is_local_modes(servers: Servers) -> None:
    client: AsyncMongoClient = AsyncMongoClient(servers.mongodb_uri, tz_aware=True)
    functions = client[unique("before")]["functions"]
    try:
        old = {"_id": "f-old", "id": "f-old", "name": "add", "code": ADD, "status": "active",
               "createdAt": "2025-01-01T00:00:00Z", "updatedAt": "2025-01-01T00:00:00Z",
               "deleted": False, "_seq": 1}  # fmt: skip
        new = {**old, "_id": "f-acme", "id": "f-acme", "owner": "acme", "_seq": 2}
        await functions.insert_many([old, new])
        store = MongoFunctionStore(functions)
        found = await store.by_name("local", "add")
        assert found is not None and (found.state.id, found.state.owner) == ("f-old", "local")
        assert [s.id for s in await store.list(owner="local")] == ["f-old"]
        assert [s.id for s in await store.list(owner="acme")] == ["f-acme"]
        assert {s.id for s in await store.list()} == {"f-old", "f-acme"}
    finally:
        await client.drop_database(functions.database.name)
        await client.close()
