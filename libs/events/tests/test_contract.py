"""The event contract: envelope, subjects, wire names, decoding and tolerant reading."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError
from s3c_events import (
    EVENT_TYPES,
    FunctionDeleted,
    FunctionRegistered,
    FunctionState,
    RegisterFunction,
    UnknownEvent,
    decode_event,
    subjects,
)
from s3c_events.catalog import UPCASTERS
from s3c_events.envelope import SOURCES

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def registered() -> FunctionRegistered:
    state = FunctionState(
        id="f1", name="add", code="function add(a,b){return a+b}", created_at=NOW, updated_at=NOW
    )
    return FunctionRegistered(function_id="f1", function=state)


def test_envelope_and_subject() -> None:
    event = registered()
    assert event.type == "registered" and event.schema_version == 1
    assert event.subject == "s3c.evt.function.f1.registered"


def test_the_wire_is_a_cloudevent_in_structured_mode() -> None:
    event = registered()
    wire = json.loads(event.to_wire())
    assert {k: v for k, v in wire.items() if k != "data"} == {
        "specversion": "1.0",
        "id": event.event_id,
        "source": "/s3c/registry",
        "type": "dev.s3c.function.registered",
        "subject": "f1",
        "time": event.occurred_at.isoformat().replace("+00:00", "Z"),
        "datacontenttype": "application/json",
        "dataschema": "urn:s3c:event:function.registered:v1",
    }
    assert set(wire["data"]) == {"functionId", "owner", "function"}  # camelCase, no envelope
    assert wire["data"]["function"]["config"] == {"timeout": 30000, "retryCount": 3, "auth": "key"}
    assert wire["data"]["function"]["createdAt"].startswith("2026-01-02T03:04:05")


def test_round_trip_and_tolerant_reader() -> None:
    event = registered()
    wire = json.loads(event.to_wire())
    wire["data"]["somethingNew"] = {"added": "later"}
    wire["someextension"] = "ignored"
    decoded = decode_event(event.subject, json.dumps(wire).encode())
    assert decoded == event


def test_events_stored_in_the_old_flat_shape_still_decode() -> None:
    event = registered()
    old = {
        "event_id": event.event_id,
        "type": "registered",
        "schema_version": 1,
        "occurred_at": event.occurred_at.isoformat(),
        **json.loads(event.to_wire())["data"],
    }
    assert decode_event(event.subject, json.dumps(old).encode()) == event


def test_every_event_type_has_a_source_service() -> None:
    for (aggregate, kind), cls in EVENT_TYPES.items():
        assert cls.AGGREGATE == aggregate and cls.TYPE == kind
        assert SOURCES[aggregate] in {"registry", "executor", "billing", "scaler"}


def test_events_are_frozen() -> None:
    with pytest.raises(ValidationError):
        registered().function_id = "other"  # type: ignore[misc]


def test_unknown_subjects_are_refused() -> None:
    with pytest.raises(UnknownEvent):
        decode_event("s3c.evt.function.f1.exploded", b"{}")
    with pytest.raises(UnknownEvent):
        decode_event("s3c.cmd.registry.register", b"{}")


def test_upcasters_run_for_older_schema_versions() -> None:
    key = ("function", "deleted", 0)
    UPCASTERS[key] = lambda p: {**p, "name": p.pop("functionName")}
    try:
        old = {
            "event_id": "e",
            "type": "deleted",
            "schema_version": 0,
            "functionId": "f1",
            "functionName": "add",
        }
        event = decode_event("s3c.evt.function.f1.deleted", old)
        assert isinstance(event, FunctionDeleted) and event.name == "add"
    finally:
        del UPCASTERS[key]


def test_every_event_type_is_routable() -> None:
    for (aggregate, kind), cls in EVENT_TYPES.items():
        assert subjects.event_subject(aggregate, "x", kind).endswith(f".{kind}")
        assert cls.TYPE == kind


SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


def routes_as_one_token(token: str) -> bool:
    """Whether `token` is accepted; an accepted one must stay exactly one subject token."""
    try:
        subject = subjects.event_subject("function", token, "registered")
    except ValueError:
        return False
    return subject.split(".") == ["s3c", "evt", "function", token, "registered"]


@given(st.text(min_size=1, max_size=20))
def test_subject_tokens_cannot_change_routing(token: str) -> None:
    assert routes_as_one_token(token) == set(token).issubset(SAFE)


@pytest.mark.parametrize("token", ["abc\n", "a.b", "a*", ">", "a b", "a\tb", "\u00e9", ""])
def test_tokens_that_would_change_routing_are_refused(token: str) -> None:
    with pytest.raises(ValueError):
        subjects.event_subject("function", token, "registered")


@given(st.from_regex(r"[A-Za-z0-9_-]{1,64}", fullmatch=True))
def test_valid_names_are_accepted(name: str) -> None:
    assert RegisterFunction(name=name, code="x").name == name


@pytest.mark.parametrize("name", ["", "a b", "a.b", "x" * 65, "ünï", "a/b"])
def test_invalid_names_are_refused(name: str) -> None:
    with pytest.raises(ValidationError):
        RegisterFunction(name=name, code="x")
