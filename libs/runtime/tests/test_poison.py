"""Poison events, without servers: which errors are outages, which values a store refuses, what
a parked document holds, and applying a batch one event at a time."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import bson
import pytest
from bson import Binary
from nats.errors import TimeoutError as NatsTimeout
from pymongo.errors import (
    AutoReconnect,
    BulkWriteError,
    ConnectionFailure,
    DocumentTooLarge,
    NetworkTimeout,
    NotPrimaryError,
    OperationFailure,
    ServerSelectionTimeoutError,
    WriteError,
)
from s3c_events.subjects import event_subject
from s3c_runtime.poison import (
    DATA_LIMIT,
    MAX_DEPTH,
    Poisoned,
    Unstorable,
    apply_or_park,
    ensure_storable,
    is_transient,
    unstorable,
)


def nested(depth: int) -> object:
    """A list `depth` levels deep."""
    value: object = 1
    for _ in range(depth):
        value = [value]
    return value


OUTAGES = {
    "store down": ServerSelectionTimeoutError("no servers"),
    "connection lost": AutoReconnect("connection closed"),
    "connection failure": ConnectionFailure("refused"),
    "network timeout": NetworkTimeout("timed out"),
    "not primary": NotPrimaryError("not primary"),
    "socket": ConnectionRefusedError(111, "refused"),
    "nats timeout": NatsTimeout(),
    "shutting down": OperationFailure("shutdown in progress", code=91),
    "write concern only": BulkWriteError(
        {"writeErrors": [], "writeConcernErrors": [{"code": 64, "errmsg": "waiting"}]}
    ),
}

DATA_ERRORS = {
    "NUL key": bson.errors.InvalidDocument("Key names must not contain the NULL byte"),
    "lone surrogate": UnicodeEncodeError("utf-8", "\ud800", 0, 1, "surrogates not allowed"),
    "int beyond int64": OverflowError("MongoDB can only handle up to 8-byte ints"),
    "too large": DocumentTooLarge("BSON document too large"),
    "NaN on nx-27017": WriteError("Invalid JSON document", code=8),
    "too deep on nx-27017": OperationFailure("maximum recursion depth exceeded"),
    "too deep for Python": RecursionError("maximum recursion depth exceeded"),
    "bulk refused": BulkWriteError(
        {"writeErrors": [{"index": 0, "code": 8, "errmsg": "Invalid JSON document"}]}
    ),
    "projection bug": KeyError("status"),
}


@pytest.mark.parametrize("name", OUTAGES)
def test_an_outage_is_transient(name: str) -> None:
    assert is_transient(OUTAGES[name])


@pytest.mark.parametrize("name", DATA_ERRORS)
def test_an_error_of_the_data_is_not_transient(name: str) -> None:
    assert not is_transient(DATA_ERRORS[name])


REFUSED = {
    "a key with a NUL character": {"input": {"a\x00b": 1}},
    "a key with a lone surrogate": {"input": [{"\ud800": 1}]},
    "a string with a lone surrogate": {"output": ["ok", "\udc00"]},
    "an integer beyond 64 bits": {"output": {"n": 2**63}},
    "an integer below 64 bits": {"output": -(2**63) - 1},
    "NaN": {"duration": float("nan")},
    "an infinity": {"output": [float("-inf")]},
    "nesting one level too deep": {"input": nested(MAX_DEPTH)},
    "nesting far too deep for recursion": {"input": nested(100_000)},
}

TAKEN = {
    "a key starting with $": {"input": {"$where": 1}},
    "a key with a dot": {"input": {"a.b": 1}},
    "an empty key": {"input": {"": 1}},
    "NUL inside a string": {"output": "a\x00b"},
    "an emoji": {"output": "\U0001f600"},
    "the int64 bounds": {"output": [2**63 - 1, -(2**63)], "flag": True},
    "nesting at the limit": {"input": nested(MAX_DEPTH - 1)},
    "a datetime": {"createdAt": datetime.now(UTC)},
}


@pytest.mark.parametrize("name", REFUSED)
def test_a_value_the_store_refuses_is_found(name: str) -> None:
    assert unstorable(REFUSED[name]) is not None
    with pytest.raises(Unstorable):
        ensure_storable(REFUSED[name], "the record")


@pytest.mark.parametrize("name", TAKEN)
def test_a_value_the_store_takes_passes(name: str) -> None:
    assert unstorable(TAKEN[name]) is None
    bson.encode(TAKEN[name])  # pymongo's encoder takes it too


def poisoned(data: bytes, error: BaseException) -> Poisoned:
    return Poisoned("p", "S", 7, event_subject("execution", "x", "requested"), data, error)


def test_a_parked_document_keeps_utf8_data_as_text_and_is_storable() -> None:
    error = UnicodeEncodeError("utf-8", "\ud800", 0, 1, "surrogates not allowed")
    doc = poisoned(b'{"input":{"\\ud800":1}}', error).doc(datetime.now(UTC))
    assert doc["data"] == '{"input":{"\\ud800":1}}'
    assert (doc["projection"], doc["stream"], doc["seq"], doc["size"]) == ("p", "S", 7, 22)
    assert doc["errorType"] == "UnicodeEncodeError"
    assert unstorable(doc) is None
    bson.encode(doc)


def test_a_parked_document_keeps_other_bytes_as_binary() -> None:
    doc = poisoned(b"\xff\xfe\x00not json", ValueError("bad")).doc(datetime.now(UTC))
    assert doc["data"] == Binary(b"\xff\xfe\x00not json")
    assert doc["truncated"] is False
    bson.encode(doc)


def test_a_parked_document_is_bounded_whatever_the_event_and_the_error() -> None:
    error = ValueError("\ud800" + "x" * 100_000)  # the error repeats the poison, at length
    doc = poisoned(b"x" * (DATA_LIMIT + 10), error).doc(datetime.now(UTC))
    assert len(doc["data"]) == DATA_LIMIT
    assert (doc["size"], doc["truncated"]) == (DATA_LIMIT + 10, True)
    assert doc["error"].startswith("\\ud800x") and len(doc["error"]) <= 2000
    bson.encode(doc)


class FakeStore:
    """A read model in memory that refuses some events, as a store refuses some documents."""

    def __init__(self, refuse: set[int], error: Exception) -> None:
        self.refuse = refuse
        self.error = error
        self.applied: list[int] = []
        self.batches: list[list[int]] = []

    async def apply(self, batch: Sequence[int]) -> None:
        self.batches.append(list(batch))
        if self.refuse & set(batch):
            raise self.error
        self.applied.extend(batch)


async def test_a_refused_event_is_parked_and_the_rest_of_its_batch_applied_in_order() -> None:
    store = FakeStore({3}, bson.errors.InvalidDocument("NUL"))
    parked: list[tuple[int, str]] = []

    async def park(item: int, error: Exception) -> None:
        parked.append((item, type(error).__name__))

    assert await apply_or_park(store.apply, [1, 2, 3, 4], park) == 1
    assert parked == [(3, "InvalidDocument")]
    assert store.applied == [1, 2, 4]
    assert store.batches == [[1, 2, 3, 4], [1], [2], [3], [4]]


async def test_an_outage_parks_nothing_and_propagates() -> None:
    store = FakeStore({3}, AutoReconnect("store down"))
    parked: list[int] = []

    async def park(item: int, error: Exception) -> None:
        parked.append(item)

    with pytest.raises(AutoReconnect):
        await apply_or_park(store.apply, [1, 2, 3, 4], park)
    assert parked == []
    assert store.batches == [[1, 2, 3, 4]]


async def test_a_store_failing_while_parking_propagates() -> None:
    store = FakeStore({2}, OverflowError("8-byte ints"))

    async def park(item: int, error: Exception) -> None:
        raise ServerSelectionTimeoutError("the store went away")

    with pytest.raises(ServerSelectionTimeoutError):
        await apply_or_park(store.apply, [1, 2, 3], park)
    assert store.applied == [1]  # 3 waits for the batch to be read again
