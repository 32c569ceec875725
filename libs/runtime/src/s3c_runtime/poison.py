"""Poison events: telling a store that cannot be reached from an event it cannot take, and
parking such an event in the `_poison` collection so that what follows it is applied.

An outage (the store down, a timeout, NATS away) is retried: the batch is read again, nothing is
parked. Anything else is the data's fault, found on the store by trying (measured on nx-27017
through pymongo: a key with NUL, a lone surrogate in a key or a string, an int beyond int64,
NaN or an infinity, nesting a few hundred levels deep; MongoDB adds documents over 16 MiB and
other limits of its own), or in a projection's own code on an event it did not expect. Such an
event is applied alone, and parked if it still fails: its raw bytes, where it was and why.

A projection that writes more than one collection per event (records and their roll-ups) checks
its documents first (`ensure_storable`), so a refused record never leaves a roll-up counted.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from bson import Binary
from nats.errors import Error as NatsError
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import (
    BulkWriteError,
    ConnectionFailure,
    ExecutionTimeout,
    InvalidOperation,
    OperationFailure,
    PyMongoError,
    WriteConcernError,
)

from s3c_runtime.mongo import Doc

log = logging.getLogger("s3c.poison")
POISON = "_poison"
DATA_LIMIT = 1024 * 1024  # bytes of an event kept when parked (NATS's default message limit)
ERROR_LIMIT = 2000  # characters of the error kept
# Server error codes of a passing condition (MongoDB's retryable and interruption codes).
TRANSIENT_CODES = frozenset(
    {6, 7, 24, 46, 50, 89, 91, 112, 133, 189, 262, 9001, 10107, 11600, 11601, 11602, 13435, 13436}
)
TRANSIENT_LABELS = ("RetryableWriteError", "TransientTransactionError")
MAX_DEPTH = 100  # MongoDB's nesting limit; nx-27017 fails a few hundred levels deep
INT64 = (-(2**63), 2**63 - 1)

T = TypeVar("T")


def is_transient(exc: BaseException) -> bool:
    """True for an outage (retry the batch later), False for an error the data causes."""
    if isinstance(
        exc,
        ConnectionFailure  # the store down or unreachable, a network timeout, a failover
        | OSError  # sockets, and TimeoutError
        | NatsError  # a projection that publishes (billing) while NATS is away
        | ExecutionTimeout
        | WriteConcernError
        | InvalidOperation,  # a client closed under us (shutting down)
    ):
        return True
    if isinstance(exc, BulkWriteError):
        errors = exc.details.get("writeErrors", [])
        return all(e.get("code") in TRANSIENT_CODES for e in errors)  # none: a write concern error
    if isinstance(exc, PyMongoError):
        if any(exc.has_error_label(label) for label in TRANSIENT_LABELS):
            return True
        return isinstance(exc, OperationFailure) and exc.code in TRANSIENT_CODES
    return False


class Unstorable(ValueError):
    """A document holds a value a store we run on refuses."""


def _bad_text(text: str) -> bool:
    if text.isascii():
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True  # a lone surrogate (JSON's "\ud800" decodes to one)
    return False


def unstorable(doc: Any) -> str | None:
    """What in `doc` a store refuses (None: nothing): a key with NUL, a lone surrogate, an int
    beyond int64, NaN or an infinity, nesting deeper than `MAX_DEPTH`. Walks without recursion,
    so any depth is answered."""
    stack: list[tuple[Any, int]] = [(doc, 0)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list | tuple):
            if depth + 1 > MAX_DEPTH:
                return f"nesting deeper than {MAX_DEPTH} levels"
            if isinstance(value, dict):
                for key in value:
                    if not isinstance(key, str):
                        return f"a key that is not a string ({type(key).__name__})"
                    if "\x00" in key:
                        return "a key with a NUL character"
                    if _bad_text(key):
                        return "a key with a lone surrogate"
                items: Iterable[Any] = value.values()
            else:
                items = value
            stack.extend((item, depth + 1) for item in items)
        elif isinstance(value, str):
            if _bad_text(value):
                return "a string with a lone surrogate"
        elif isinstance(value, bool):
            continue
        elif isinstance(value, int):
            if not INT64[0] <= value <= INT64[1]:
                return "an integer beyond 64 bits"
        elif isinstance(value, float) and not math.isfinite(value):
            return "NaN or an infinity"
    return None


def ensure_storable(doc: Any, what: str) -> None:
    """Raise `Unstorable` (a data error: the event is parked) if a store refuses `doc`."""
    problem = unstorable(doc)
    if problem is not None:
        raise Unstorable(f"{what} holds {problem}")


def safe_text(text: str, limit: int) -> str:
    """`text` as the store takes it: lone surrogates escaped, at most `limit` characters."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")[:limit]


@dataclass(frozen=True)
class Poisoned:
    """An event that could not be stored, and where it sits in its stream."""

    projection: str
    stream: str
    seq: int
    subject: str
    data: bytes
    error: BaseException

    @property
    def id(self) -> str:
        return f"{self.projection}:{self.seq}"

    def doc(self, now: datetime) -> Doc:
        """The `_poison` document: only values any store takes (valid UTF-8, binary, small ints).
        The data is kept as text when it is UTF-8 (it is JSON), as binary otherwise."""
        kept = self.data[:DATA_LIMIT]
        try:
            data: str | Binary = kept.decode("utf-8")
        except UnicodeDecodeError:
            data = Binary(kept)
        return {
            "projection": self.projection,
            "stream": self.stream,
            "seq": self.seq,
            "subject": safe_text(self.subject, 1024),
            "data": data,
            "size": len(self.data),
            "truncated": len(self.data) > DATA_LIMIT,
            "errorType": type(self.error).__name__,
            "error": safe_text(str(self.error), ERROR_LIMIT),
            "parkedAt": now,
        }


async def park(db: AsyncDatabase[Doc], poisoned: Poisoned) -> bool:
    """Keep the event in `_poison` (once: parking it again changes nothing) and log it.
    Returns True if it was not parked before. A failure to write propagates: the store, not
    the event, is then at fault, and the caller retries."""
    result = await db[POISON].update_one(
        {"_id": poisoned.id}, {"$setOnInsert": poisoned.doc(datetime.now(UTC))}, upsert=True
    )
    fresh = result.upserted_id is not None
    log.warning(
        "parked an event the store cannot take",
        extra={
            "fields": {
                "projection": poisoned.projection,
                "stream": poisoned.stream,
                "seq": poisoned.seq,
                "subject": safe_text(poisoned.subject, 1024),
                "err": safe_text(f"{type(poisoned.error).__name__}: {poisoned.error}", 500),
                "first": fresh,
            }
        },
    )
    return fresh


async def parked_counts(db: AsyncDatabase[Doc]) -> dict[str, int]:
    """Events parked so far, per projection."""
    groups = await db[POISON].aggregate([{"$group": {"_id": "$projection", "n": {"$sum": 1}}}])
    return {str(d["_id"]): int(d["n"]) async for d in groups}


async def apply_or_park(
    apply: Callable[[Sequence[T]], Awaitable[None]],
    items: Sequence[T],
    park_one: Callable[[T, Exception], Awaitable[None]],
) -> int:
    """Apply `items` as one batch. If the batch fails on its data, apply them one at a time, in
    order, and hand each that still fails to `park_one`. An outage propagates at once (nothing
    is parked; the caller retries the batch). `apply` must be idempotent: events of the batch
    applied before it failed are applied again. Returns how many were parked."""
    if not items:
        return 0
    try:
        await apply(items)
        return 0
    except Exception as exc:
        if is_transient(exc):
            raise
        if len(items) > 1:
            log.warning(
                "a batch failed on its data; applying its events one at a time",
                extra={"fields": {"events": len(items), "err": safe_text(repr(exc), 500)}},
            )
        else:
            await park_one(items[0], exc)
            return 1
    parked = 0
    for item in items:
        try:
            await apply([item])
        except Exception as exc:
            if is_transient(exc):
                raise
            await park_one(item, exc)
            parked += 1
    return parked
