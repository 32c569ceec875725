"""API keys, the registry's second aggregate: the rules (domain/keys.py), the handlers over
in-memory fakes, and the subscribers on FastStream's in-memory broker. No servers."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from faststream.nats import TestNatsBroker
from registry_fakes import Fakes
from s3c_events import CreateKey, KeyCreated, KeyList, KeyRevoked, KeyView, RevokeKey
from s3c_registry.app import build
from s3c_registry.domain import keys
from s3c_registry.domain.errors import Rejected
from s3c_runtime.rpc import RequestError

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
HASH = "0123456789abcdef" * 4


def create(
    key_id: str = "k1", owner: str = "acme", scopes: Any = ("read",), **kw: Any
) -> CreateKey:
    return CreateKey(key_id=key_id, owner=owner, scopes=list(scopes), hash=HASH, **kw)


# The rules.


def test_a_new_key_is_created_with_its_scopes_in_order_and_repeats_dropped() -> None:
    event = keys.create(create(scopes=["read", "deploy", "read"], name="ci"), False, NOW)
    assert (event.key_id, event.owner, event.scopes, event.name) == (
        "k1",
        "acme",
        ["deploy", "read"],
        "ci",
    )
    assert (event.hash, event.created_at, event.event_id) == (HASH, NOW, "k1-created")


def test_a_taken_key_id_is_a_conflict() -> None:
    with pytest.raises(Rejected) as refused:
        keys.create(create(), True, NOW)
    assert (refused.value.code, refused.value.field) == ("conflict", "keyId")
    assert refused.value.message == "a key with id 'k1' already exists"


@pytest.mark.parametrize(
    ("scopes", "message"),
    [
        ([], "scopes: give at least one of admin, deploy, invoke, read"),
        (["read", "root"], "scopes: 'root' is not a scope (one of admin, deploy, invoke, read)"),
        (["READ"], "scopes: 'READ' is not a scope (one of admin, deploy, invoke, read)"),
    ],
)
def test_scopes_must_be_known_and_at_least_one(scopes: list[str], message: str) -> None:
    with pytest.raises(Rejected) as refused:
        keys.create(create(scopes=scopes), False, NOW)
    assert (refused.value.code, refused.value.field, refused.value.message) == (
        "invalid",
        "scopes",
        message,
    )


@pytest.mark.parametrize("owner", ["", "a.b", "a b", "x" * 65])
def test_an_owner_that_is_not_a_token_is_invalid(owner: str) -> None:
    # The command model refuses these too; the rule holds for a command built past it.
    cmd = CreateKey.model_construct(key_id="k1", owner=owner, scopes=["read"], name="", hash=HASH)
    with pytest.raises(Rejected) as refused:
        keys.create(cmd, False, NOW)
    assert (refused.value.code, refused.value.field) == ("invalid", "owner")


def key(owner: str = "acme", revoked: bool = False) -> KeyView:
    return KeyView(id="k1", owner=owner, scopes=["read"], created_at=NOW, revoked=revoked)


def test_revoking_a_key_and_a_revoked_key() -> None:
    event = keys.revoke(key(), RevokeKey(key_id="k1"), NOW)
    assert isinstance(event, KeyRevoked)
    assert (event.key_id, event.owner, event.revoked_at) == ("k1", "acme", NOW)
    assert keys.revoke(key(revoked=True), RevokeKey(key_id="k1"), NOW) is None


@pytest.mark.parametrize(("found", "owner"), [(None, None), (None, "acme"), (key("acme"), "zeta")])
def test_an_unknown_key_or_another_owners_is_not_found(
    found: KeyView | None, owner: str | None
) -> None:
    with pytest.raises(Rejected) as refused:
        keys.revoke(found, RevokeKey(key_id="k1", owner=owner), NOW)
    assert (refused.value.code, refused.value.message) == ("not_found", "key 'k1' not found")


def test_a_keys_state_folds_from_its_events() -> None:
    created = keys.create(create(name="ci"), False, NOW)
    state = keys.evolve(None, created)
    assert state == KeyView(id="k1", owner="acme", scopes=["read"], name="ci", created_at=NOW)
    later = datetime(2026, 1, 3, tzinfo=UTC)
    revoked = keys.evolve(state, KeyRevoked(key_id="k1", owner="acme", revoked_at=later))
    assert revoked is not None and (revoked.revoked, revoked.revoked_at) == (True, later)
    again = KeyRevoked(key_id="k1", owner="acme", revoked_at=datetime(2026, 2, 1, tzinfo=UTC))
    assert keys.evolve(revoked, again) == revoked  # the first revocation's time stays


# The handlers.


async def test_create_appends_key_created_and_the_read_model_never_holds_the_hash() -> None:
    fakes = Fakes()
    view = await fakes.key_handlers().create(create(scopes=["invoke"], name="ci"))
    assert (view.id, view.owner, view.scopes, view.name, view.revoked) == (
        "k1",
        "acme",
        ["invoke"],
        "ci",
        False,
    )
    [event] = fakes.key_log.events()
    assert isinstance(event, KeyCreated) and event.hash == HASH
    assert HASH not in json.dumps(fakes.keys.docs, default=str)
    listed = await fakes.key_handlers().list(KeyList())
    assert listed == [view.to_dict()] and "hash" not in listed[0]


async def test_a_duplicate_key_id_is_a_conflict_revoked_or_not() -> None:
    fakes = Fakes()
    handlers = fakes.key_handlers()
    await handlers.create(create())
    await handlers.revoke(RevokeKey(key_id="k1"))
    with pytest.raises(RequestError) as refused:
        await handlers.create(create(owner="zeta"))
    assert (refused.value.code, refused.value.field) == ("conflict", "keyId")
    assert len(fakes.key_log.events()) == 2


async def test_a_key_another_replica_created_is_a_conflict_after_catching_up() -> None:
    fakes = Fakes()
    theirs = keys.create(create(owner="zeta"), False, NOW)
    fakes.key_log.write_elsewhere(theirs)  # not in our read model yet
    with pytest.raises(RequestError) as refused:
        await fakes.key_handlers().create(create())
    assert (refused.value.code, refused.value.field) == ("conflict", "keyId")
    assert [e.event_id for e in fakes.key_log.events()] == [theirs.event_id]


async def test_revoke_once_then_again_changes_nothing() -> None:
    fakes = Fakes()
    handlers = fakes.key_handlers()
    await handlers.create(create())
    first = await handlers.revoke(RevokeKey(key_id="k1", owner="acme"))
    again = await handlers.revoke(RevokeKey(key_id="k1"))
    assert first.revoked and first.revoked_at is not None and again == first
    assert [type(e) for e in fakes.key_log.events()] == [KeyCreated, KeyRevoked]
    [listed] = await handlers.list(KeyList(owner="acme"))
    assert listed["revoked"] is True


async def test_revoking_an_unknown_key_or_another_owners_is_not_found() -> None:
    fakes = Fakes()
    handlers = fakes.key_handlers()
    await handlers.create(create())
    for command in (RevokeKey(key_id="nope"), RevokeKey(key_id="k1", owner="zeta")):
        with pytest.raises(RequestError) as refused:
            await handlers.revoke(command)
        assert refused.value.code == "not_found"
    assert len(fakes.key_log.events()) == 1


async def test_the_keys_of_one_owner_or_everyones_newest_first() -> None:
    fakes = Fakes()
    handlers = fakes.key_handlers()
    for key_id, owner in (("k1", "acme"), ("k2", "zeta"), ("k3", "acme")):
        await handlers.create(create(key_id, owner))
    assert [k["id"] for k in await handlers.list(KeyList(owner="acme"))] == ["k3", "k1"]
    assert [k["id"] for k in await handlers.list(KeyList())] == ["k3", "k2", "k1"]
    assert await handlers.list(KeyList(owner="nobody")) == []


# The subscribers.


async def ask(broker: Any, model: type, payload: dict[str, Any]) -> Any:
    msg = await broker.request(json.dumps(payload).encode(), model.SUBJECT, timeout=3)  # type: ignore[attr-defined]
    return json.loads(msg.body)


async def test_keys_through_the_subscribers() -> None:
    fakes = Fakes()
    async with TestNatsBroker(build(deps=fakes.deps()).broker) as br:
        payload = {"keyId": "k1", "owner": "acme", "scopes": ["deploy"], "name": "ci", "hash": HASH}
        created = await ask(br, CreateKey, payload)
        assert created["ok"], created
        assert set(created["data"]) == {
            "id", "owner", "scopes", "name", "createdAt", "revoked", "revokedAt"
        }  # fmt: skip
        assert (await ask(br, KeyList, {"owner": "acme"}))["data"] == [created["data"]]
        bad = await ask(br, CreateKey, {**payload, "keyId": "k2", "scopes": ["root"]})
        assert (bad["error"]["code"], bad["error"]["field"]) == ("invalid", "scopes")
        no_hash = await ask(br, CreateKey, {**payload, "keyId": "k2", "hash": "secret"})
        assert (no_hash["error"]["code"], no_hash["error"]["field"]) == ("invalid", "hash")
        revoked = await ask(br, RevokeKey, {"keyId": "k1"})
        assert revoked["data"]["revoked"] is True
        unknown = await ask(br, RevokeKey, {"keyId": "nope"})
        assert unknown["error"] == {"code": "not_found", "message": "key 'nope' not found",
                                    "field": None}  # fmt: skip
