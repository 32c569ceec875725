"""In-memory fakes behind billing's ports (no servers), and builders of execution events.

`InMemoryStore` keeps documents shaped as the Mongo adapter stores them (it shares its document
mapping) and honours the same write rules: a ledger record is inserted only if its execution has
none; a roll-up write applies only above the roll-up's stored sequence. It can crash on purpose
part way through a write, like a process killed between two bulk writes.
"""

from __future__ import annotations

import re
from collections.abc import AsyncGenerator, AsyncIterator, Collection, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from s3c_billing.domain.ledger import SYSTEM, Costed, Rollup
from s3c_billing.store import record_doc, rollup_fields, rollup_from_doc
from s3c_events import (
    AttemptRecord,
    Event,
    ExecutionCompleted,
    ExecutionCosted,
    ExecutionFailed,
    UnknownEvent,
    decode_event,
)
from s3c_events.executor import ExecutionError, ExecutionStarted
from s3c_events.owners import owner_of
from s3c_events.streams import StreamSpec
from s3c_events.tiers import Tier
from s3c_runtime.mongo import Doc
from s3c_runtime.projector import Applied

T0 = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


class Crash(Exception):
    """The process died here (on purpose)."""


def within(hour: str, first: str | None, last: str | None) -> bool:
    return (first is None or hour >= first) and (last is None or hour <= last)


class InMemoryStore:
    """`CostStore` and `LedgerStore` over dicts of documents."""

    def __init__(self) -> None:
        self.versions: dict[str, Doc] = {}
        self.records: dict[str, Doc] = {}
        self.rollup_docs: dict[str, Doc] = {}
        self.charges: dict[str, Doc] = {}
        # write method -> how many of its documents to write before crashing (once)
        self.crash: dict[str, int] = {}
        self.largest_lookup = 0  # the most ledger records asked for at once

    def snapshot(self) -> tuple[dict[str, Doc], dict[str, Doc]]:
        return (
            {k: dict(v) for k, v in self.records.items()},
            {k: dict(v) for k, v in self.rollup_docs.items()},
        )

    def _writes(self, method: str, items: Sequence[Any]) -> Sequence[Any]:
        """The items to write before the planned crash, if `method` is to crash now."""
        if method not in self.crash:
            return items
        return items[: self.crash[method]]

    def _maybe_crash(self, method: str) -> None:
        if method in self.crash:
            del self.crash[method]
            raise Crash(method)

    # Test set-up: what the other projections would have stored.

    def add_function(
        self,
        function_id: str,
        name: str = "fn",
        tier: Tier = "basic",
        code_bytes: int = 1024 * 1024,
        version: int = 1,
        stored_from: datetime = T0,
        owner: str | None = "local",  # None: stored before functions had owners
    ) -> None:
        doc = self.versions.setdefault(function_id, {"_id": function_id, "storedFrom": stored_from})
        doc["name"] = name
        if owner is not None:
            doc["owner"] = owner
        doc.setdefault("versions", {})[str(version)] = {
            "codeBytes": code_bytes,
            "timeout": 30000,
            "tier": tier,
            "at": stored_from,
        }

    def add_charge(self, charge_id: str, at: datetime, cost: str = "0.0001") -> None:
        hour = at.astimezone(UTC).strftime("%Y-%m-%dT%H:00:00Z")
        self.charges[charge_id] = {
            "_id": charge_id,
            "cost": cost,
            "at": at,
            "hour": hour,
            "type": "scaled_up",
        }

    # Shared.

    async def version_tiers(self, function_ids: Collection[str]) -> dict[str, dict[str, Tier]]:
        return {
            fid: {v: s["tier"] for v, s in self.versions[fid].get("versions", {}).items()}
            for fid in function_ids
            if fid in self.versions
        }

    # CostStore.

    async def function_versions(self, function_id: str | None = None) -> AsyncIterator[Doc]:
        for fid, doc in list(self.versions.items()):
            if function_id is None or fid == function_id:
                yield doc

    async def function_version(self, function_id: str) -> Doc | None:
        return self.versions.get(function_id)

    async def scaling_charges(self, first_hour: str, last_hour: str) -> AsyncIterator[Doc]:
        for doc in list(self.charges.values()):
            if within(doc["hour"], first_hour, last_hour):
                yield doc

    async def function_hours(
        self, first_hour: str, last_hour: str, owner: str | None = None
    ) -> AsyncIterator[Doc]:
        for doc in list(self.rollup_docs.values()):
            if (
                doc.get("kind") == "hour"
                and doc["functionId"] != SYSTEM
                and within(doc["hour"], first_hour, last_hour)
                and (owner is None or owner_of(doc.get("owner")) == owner)
            ):
                yield doc

    async def hourly(
        self, function_id: str, first_hour: str | None = None, last_hour: str | None = None
    ) -> AsyncIterator[Doc]:
        docs = [
            d
            for d in self.rollup_docs.values()
            if d.get("kind") == "hour"
            and d["functionId"] == function_id
            and within(d["hour"], first_hour, last_hour)
        ]
        for doc in sorted(docs, key=lambda d: d["hour"]):
            yield doc

    async def owner_hourly(
        self, owner: str | None, first_hour: str | None = None, last_hour: str | None = None
    ) -> AsyncIterator[Doc]:
        docs = [
            d
            for d in self.rollup_docs.values()
            if d.get("kind") == "owner"
            and (owner is None or d["owner"] == owner)
            and within(d["hour"], first_hour, last_hour)
        ]
        for doc in sorted(docs, key=lambda d: d["hour"]):
            yield doc

    async def function_rollups(
        self, function_ids: Collection[str] | None = None
    ) -> AsyncIterator[Doc]:
        for doc in list(self.rollup_docs.values()):
            if doc.get("kind") == "function" and (
                function_ids is None or doc["functionId"] in function_ids
            ):
                yield doc

    async def function_rollup(self, function_id: str) -> Doc | None:
        return self.rollup_docs.get(f"fn|{function_id}")

    async def cost_record(self, execution_id: str) -> Doc | None:
        return self.records.get(execution_id)

    async def cost_records(self, execution_ids: Collection[str]) -> dict[str, Doc]:
        self.largest_lookup = max(self.largest_lookup, len(execution_ids))
        return {eid: self.records[eid] for eid in execution_ids if eid in self.records}

    async def all_cost_records(self) -> AsyncIterator[Doc]:
        for doc in list(self.records.values()):
            yield doc

    # LedgerStore.

    async def record_seqs(self, execution_ids: Collection[str]) -> dict[str, int]:
        return {
            eid: int(self.records[eid].get("seq", 0))
            for eid in execution_ids
            if eid in self.records
        }

    async def rollups(self, ids: Collection[str]) -> dict[str, Rollup]:
        return {i: rollup_from_doc(self.rollup_docs[i]) for i in ids if i in self.rollup_docs}

    async def insert_records(self, records: Sequence[Costed]) -> None:
        for costed in self._writes("insert_records", records):
            self.records.setdefault(
                costed.execution_id, {"_id": costed.execution_id, **record_doc(costed)}
            )
        self._maybe_crash("insert_records")

    async def save_rollups(self, rollups: Sequence[Rollup]) -> None:
        for rollup in self._writes("save_rollups", rollups):
            doc = self.rollup_docs.get(rollup.key.id)
            if doc is not None and int(doc.get("_seq", 0)) >= rollup.seq:
                continue  # the guard: applied already
            doc = doc if doc is not None else {"_id": rollup.key.id}
            doc.update(rollup_fields(rollup), _seq=rollup.seq)
            self.rollup_docs[rollup.key.id] = doc
        self._maybe_crash("save_rollups")


def matches(subject: str, pattern: str) -> bool:
    """NATS subject matching: `*` one token, `>` the rest."""
    regex = re.escape(pattern).replace(r"\*", r"[^.]+").replace(r"\>", r".+")
    return re.fullmatch(regex, subject) is not None


class InMemoryEventLog:
    """A stream of stored events, as wire bytes, read back in order in batches."""

    def __init__(self, events: Iterable[Event] = ()) -> None:
        self.stored: list[tuple[int, str, bytes]] = []
        self.batch_sizes: list[int] = []
        self.append(*events)

    def append(self, *events: Event) -> list[Applied]:
        out = []
        for event in events:
            seq = len(self.stored) + 1
            self.stored.append((seq, event.subject, event.to_wire()))
            out.append(Applied(seq, event))
        return out

    def applied(self) -> list[Applied]:
        return [Applied(seq, decode_event(subject, data)) for seq, subject, data in self.stored]

    async def batches(
        self, stream: StreamSpec, subjects: Sequence[str], batch_size: int = 256
    ) -> AsyncGenerator[Sequence[Applied], None]:
        batch: list[Applied] = []
        for seq, subject, data in list(self.stored):
            if not any(matches(subject, s) for s in subjects):
                continue
            try:
                batch.append(Applied(seq, decode_event(subject, data)))
            except UnknownEvent:
                continue
            if len(batch) == batch_size:
                self.batch_sizes.append(len(batch))
                yield batch
                batch = []
        if batch:
            self.batch_sizes.append(len(batch))
            yield batch


class RecordingPublisher:
    def __init__(self) -> None:
        self.published: list[ExecutionCosted] = []

    async def __call__(self, record: ExecutionCosted) -> None:
        self.published.append(record)


# Builders of the executor's events (what billing consumes).


def attempt(n: int = 1, cold: bool = False, ms: float = 10.0) -> AttemptRecord:
    return AttemptRecord(
        attempt=n,
        instance_id="i-1",
        cold_start=cold,
        duration_ms=ms,
        started_at=T0,
        ended_at=T0 + timedelta(milliseconds=ms),
    )


def terminal(
    execution_id: str,
    function_id: str = "f1",
    *,
    failed: bool = False,
    tier: Tier = "basic",
    duration_ms: float = 250.5,
    cold_starts: int = 0,
    retry_count: int = 0,
    input_bytes: int = 10,
    output_bytes: int = 20,
    start_time: datetime = T0,
    version: int = 1,
    name: str | None = None,
    owner: str = "local",
) -> ExecutionCompleted | ExecutionFailed:
    fields: dict[str, Any] = {
        "event_id": f"{execution_id}-{'failed' if failed else 'completed'}",
        "execution_id": execution_id,
        "function_id": function_id,
        "function_name": name or f"name-{function_id}",
        "function_version": version,
        "tier": tier,
        "attempts": [attempt(n + 1, n < cold_starts) for n in range(retry_count + 1)],
        "start_time": start_time,
        "end_time": start_time + timedelta(milliseconds=duration_ms),
        "duration_ms": duration_ms,
        "retry_count": retry_count,
        "cold_starts": cold_starts,
        "input_bytes": input_bytes,
        "output_bytes": output_bytes,
        "instance_id": "i-1",
        "owner": owner,
    }
    if failed:
        return ExecutionFailed(error=ExecutionError(kind="runtime", message="no"), **fields)
    return ExecutionCompleted(output=5, **fields)


def started(execution_id: str, function_id: str = "f1") -> ExecutionStarted:
    return ExecutionStarted(
        execution_id=execution_id,
        function_id=function_id,
        function_version=1,
        instance_id="i-1",
        attempt=1,
        cold_start=False,
    )
