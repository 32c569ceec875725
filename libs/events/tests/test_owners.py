"""Owners and keys in the contract: new fields read old events as local mode's, key events and
commands keep the secret off the bus, and an owner a request gives must be a token."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError
from s3c_events import (
    CreateKey,
    ExecuteFunction,
    ExecutionCompleted,
    ExecutionDetail,
    ExecutionJob,
    ExecutionRequested,
    FunctionList,
    FunctionRegistered,
    KeyCreated,
    KeyList,
    KeyRevoked,
    RegisterFunction,
    UpdateFunction,
    decode_event,
    streams,
    subjects,
)
from s3c_events.owners import LOCAL, name_scope, owner_of, visible

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
HASH = "0123456789abcdef" * 4


def flat(data: dict[str, Any], kind: str) -> bytes:
    """An event as the first releases stored it: the flat shape, no owner anywhere."""
    return json.dumps(
        {"event_id": "e", "type": kind, "schema_version": 1, "occurred_at": NOW.isoformat(), **data}
    ).encode()


def test_a_function_event_stored_before_owners_reads_as_local() -> None:
    function = {"id": "f1", "name": "add", "code": "x", "createdAt": NOW.isoformat(),
                "updatedAt": NOW.isoformat()}  # fmt: skip
    subject = subjects.event_subject("function", "f1", "registered")
    event = decode_event(subject, flat({"functionId": "f1", "function": function}, "registered"))
    assert isinstance(event, FunctionRegistered)
    assert (event.owner, event.function.owner) == (LOCAL, LOCAL)


def test_execution_events_and_jobs_stored_before_owners_read_as_local() -> None:
    requested = {"executionId": "e1", "functionId": "f1", "functionName": "add",
                 "functionVersion": 1, "tier": "basic", "input": 1, "inputBytes": 1}  # fmt: skip
    subject = subjects.event_subject("execution", "e1", "requested")
    event = decode_event(subject, flat(requested, "requested"))
    assert isinstance(event, ExecutionRequested) and event.owner == LOCAL
    job = {"executionId": "e1", "input": 1, "inputBytes": 1, "requestedAt": NOW.isoformat(),
           "function": {"id": "f1", "name": "add", "version": 1, "code": "x", "timeout": 5,
                        "retryCount": 0, "tier": "basic"}}  # fmt: skip
    assert ExecutionJob.model_validate(job).function.owner == LOCAL


def test_an_owner_given_travels_in_the_events() -> None:
    fields: dict[str, Any] = dict(
        execution_id="e1", function_id="f1", function_name="add", function_version=1,
        tier="basic", attempts=[], start_time=NOW, end_time=NOW, duration_ms=1.0, retry_count=0,
        cold_starts=0, input_bytes=1, output_bytes=1, instance_id="i", owner="acme",
    )  # fmt: skip
    event = ExecutionCompleted(output=2, **fields)
    wire = json.loads(event.to_wire())
    assert wire["data"]["owner"] == "acme"
    assert decode_event(event.subject, event.to_wire()) == event


def test_key_events_are_routed_stored_and_sourced_as_the_registrys() -> None:
    created = KeyCreated(key_id="k1", owner="acme", scopes=["read"], hash=HASH, created_at=NOW)
    revoked = KeyRevoked(key_id="k1", owner="acme", revoked_at=NOW)
    assert created.subject == "s3c.evt.key.k1.created"
    assert revoked.subject == "s3c.evt.key.k1.revoked"
    assert streams.KEYS.subjects == ("s3c.evt.key.>",) and streams.KEYS in streams.ALL
    wire = json.loads(created.to_wire())
    assert (wire["source"], wire["type"]) == ("/s3c/registry", "dev.s3c.key.created")
    assert set(wire["data"]) == {"keyId", "owner", "scopes", "name", "hash", "createdAt"}
    assert decode_event(created.subject, created.to_wire()) == created
    assert decode_event(revoked.subject, revoked.to_wire()) == revoked


@pytest.mark.parametrize(
    ("field", "value"),
    [("keyId", "a.b"), ("owner", "a b"), ("hash", "ABC"), ("hash", "0" * 63), ("name", "x" * 201)],
)
def test_a_create_key_command_with_a_bad_field_is_refused(field: str, value: str) -> None:
    command = {"keyId": "k1", "owner": "acme", "scopes": ["read"], "hash": HASH, field: value}
    with pytest.raises(ValidationError) as refused:
        CreateKey.model_validate(command)
    assert [e["loc"] for e in refused.value.errors()] == [(field,)]


@pytest.mark.parametrize(
    "build",
    [
        lambda owner: RegisterFunction(name="add", code="x", owner=owner),
        lambda owner: UpdateFunction(function_id="f1", owner=owner),
        lambda owner: FunctionList(owner=owner),
        lambda owner: ExecuteFunction(function_id="f1", owner=owner),
        lambda owner: ExecutionDetail(execution_id="e1", owner=owner),
        lambda owner: KeyList(owner=owner),
    ],
)
@pytest.mark.parametrize("owner", ["", "a.b", "a*", "x" * 65, "\u00e9"])
def test_an_owner_a_request_gives_must_be_a_token(build: Any, owner: str) -> None:
    with pytest.raises(ValidationError):
        build(owner)


def test_owner_defaults() -> None:
    assert RegisterFunction(name="add", code="x").owner == LOCAL
    assert FunctionList().owner is None and ExecuteFunction(function_id="f").owner is None


def test_names_are_looked_up_within_an_owner_and_stored_owners_default_to_local() -> None:
    assert (name_scope("acme"), name_scope(None)) == ("acme", LOCAL)
    assert (owner_of("acme"), owner_of(None), owner_of("")) == ("acme", LOCAL, LOCAL)
    assert visible("acme", None) and visible("acme", "acme") and not visible("acme", "zeta")
