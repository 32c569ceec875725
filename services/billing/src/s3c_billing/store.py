"""Billing's read models in MongoDB: the `CostStore` and `LedgerStore` ports over pymongo.

- `function_versions`: tier inputs of every function version, and how long its code is stored.
- `execution_costs`: one cost record per execution (the first terminal event wins), with the
  stream sequence of that event (`seq`) and its `owner`.
- `cost_rollups`: per function totals (`fn|<id>`), hourly per function (`hour|<hour>|<id>`),
  hourly system-wide (`hour|<hour>|*`) and hourly per owner (`owner|<hour>|<owner>`, kind
  `owner`); a function's roll-ups carry its `owner`. Money is kept as decimal strings and summed
  in Python (`domain.ledger`), never in the database; each document remembers the last stream
  sequence it applied (`_seq`), and its write is guarded by it.

Documents written before owners existed have no `owner`: they are `local`'s (`owned_by`).
- `scaling_charges`: one charge per scaling event.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection, Sequence
from typing import cast

from pymongo import UpdateOne
from pymongo.asynchronous.database import AsyncDatabase
from s3c_events.owners import LOCAL
from s3c_events.tiers import Tier
from s3c_runtime.mongo import Doc, bulk_apply, guarded_upsert

from s3c_billing.domain.ledger import SYSTEM, Costed, Money, Rollup, RollupKey

VERSIONS = "function_versions"
RECORDS = "execution_costs"
ROLLUPS = "cost_rollups"
CHARGES = "scaling_charges"


async def ensure_indexes(db: AsyncDatabase[Doc]) -> None:
    await db[RECORDS].create_index("functionId")
    await db[ROLLUPS].create_index([("kind", 1), ("functionId", 1), ("hour", 1)])
    await db[ROLLUPS].create_index([("kind", 1), ("owner", 1), ("hour", 1)])
    await db[CHARGES].create_index("hour")


def record_doc(costed: Costed) -> Doc:
    """A ledger record as stored: the `billing.execution_costed` payload and its sequence."""
    return {**costed.record.to_dict(), "seq": costed.seq}


def rollup_from_doc(doc: Doc) -> Rollup:
    return Rollup(
        key=RollupKey.parse(doc["_id"]),
        money=Money.parse(doc),
        executions=int(doc.get("executions", 0)),
        failed=int(doc.get("failed", 0)),
        cold_starts=int(doc.get("coldStarts", 0)),
        retries=int(doc.get("retries", 0)),
        seq=int(doc.get("_seq", 0)),
        function_name=doc.get("functionName"),
        tier=cast("Tier | None", doc.get("tier")),
        owner=doc.get("owner"),
    )


def rollup_fields(rollup: Rollup) -> Doc:
    """The fields a roll-up write sets (its `_id` and `_seq` aside)."""
    fields: Doc = {
        **rollup.money.as_strings(),
        "executions": rollup.executions,
        "failed": rollup.failed,
        "coldStarts": rollup.cold_starts,
        "retries": rollup.retries,
    }
    key = rollup.key
    if key.kind == "function":
        fields |= {
            "kind": "function",
            "functionId": key.function_id,
            "functionName": rollup.function_name,
            "tier": rollup.tier,
        }
    else:
        fields |= {"kind": key.kind, "hour": key.hour, "functionId": key.function_id}
    if rollup.owner is not None:
        fields["owner"] = rollup.owner
    return fields


def hours(first_hour: str | None, last_hour: str | None) -> Doc:
    bounds = {"$gte": first_hour, "$lte": last_hour}
    return {op: hour for op, hour in bounds.items() if hour is not None}


def owned_by(owner: str) -> Doc:
    """The filter on `owner`: a document without one (written before owners) is `local`'s."""
    return {"owner": {"$in": [owner, None]}} if owner == LOCAL else {"owner": owner}


class MongoCostStore:
    """Both ports over one database. The collection names can differ (a rebuild writes beside
    the live read models)."""

    def __init__(
        self,
        db: AsyncDatabase[Doc],
        records: str = RECORDS,
        rollups: str = ROLLUPS,
        versions: str = VERSIONS,
        charges: str = CHARGES,
    ) -> None:
        self.records = db[records]
        self.rollup_docs = db[rollups]
        self.versions = db[versions]
        self.charges = db[charges]

    # Shared: the tier inputs billing recorded per function version.

    async def version_tiers(self, function_ids: Collection[str]) -> dict[str, dict[str, Tier]]:
        found = self.versions.find({"_id": {"$in": list(function_ids)}}, {"versions": 1})
        return {
            d["_id"]: {v: s["tier"] for v, s in (d.get("versions") or {}).items() if s}
            async for d in found
        }

    # CostStore: what the queries and the audit read.

    async def function_versions(self, function_id: str | None = None) -> AsyncIterator[Doc]:
        async for doc in self.versions.find({"_id": function_id} if function_id else {}):
            yield doc

    async def function_version(self, function_id: str) -> Doc | None:
        return await self.versions.find_one({"_id": function_id})

    async def scaling_charges(self, first_hour: str, last_hour: str) -> AsyncIterator[Doc]:
        async for doc in self.charges.find({"hour": hours(first_hour, last_hour)}):
            yield doc

    async def function_hours(
        self, first_hour: str, last_hour: str, owner: str | None = None
    ) -> AsyncIterator[Doc]:
        query: Doc = {
            "kind": "hour",
            "functionId": {"$ne": SYSTEM},
            "hour": hours(first_hour, last_hour),
        }
        if owner is not None:
            query |= owned_by(owner)
        async for doc in self.rollup_docs.find(query):
            yield doc

    async def hourly(
        self, function_id: str, first_hour: str | None = None, last_hour: str | None = None
    ) -> AsyncIterator[Doc]:
        query: Doc = {"kind": "hour", "functionId": function_id}
        if first_hour is not None or last_hour is not None:
            query["hour"] = hours(first_hour, last_hour)
        async for doc in self.rollup_docs.find(query).sort("hour", 1):
            yield doc

    async def owner_hourly(
        self, owner: str | None, first_hour: str | None = None, last_hour: str | None = None
    ) -> AsyncIterator[Doc]:
        query: Doc = {"kind": "owner"}
        if owner is not None:
            query["owner"] = owner
        if first_hour is not None or last_hour is not None:
            query["hour"] = hours(first_hour, last_hour)
        async for doc in self.rollup_docs.find(query).sort("hour", 1):
            yield doc

    async def function_rollups(
        self, function_ids: Collection[str] | None = None
    ) -> AsyncIterator[Doc]:
        query: Doc = {"kind": "function"}
        if function_ids is not None:
            query["functionId"] = {"$in": list(function_ids)}
        async for doc in self.rollup_docs.find(query):
            yield doc

    async def function_rollup(self, function_id: str) -> Doc | None:
        return await self.rollup_docs.find_one({"_id": RollupKey("function", function_id).id})

    async def cost_record(self, execution_id: str) -> Doc | None:
        return await self.records.find_one({"_id": execution_id})

    async def cost_records(self, execution_ids: Collection[str]) -> dict[str, Doc]:
        found = self.records.find({"_id": {"$in": list(execution_ids)}})
        return {d["_id"]: d async for d in found}

    async def all_cost_records(self) -> AsyncIterator[Doc]:
        async for doc in self.records.find({}):
            yield doc

    # LedgerStore: what the costs projection reads and writes.

    async def record_seqs(self, execution_ids: Collection[str]) -> dict[str, int]:
        found = self.records.find({"_id": {"$in": list(execution_ids)}}, {"seq": 1})
        return {d["_id"]: int(d.get("seq", 0)) async for d in found}

    async def rollups(self, ids: Collection[str]) -> dict[str, Rollup]:
        found = self.rollup_docs.find({"_id": {"$in": list(ids)}})
        return {d["_id"]: rollup_from_doc(d) async for d in found}

    async def insert_records(self, records: Sequence[Costed]) -> None:
        # $setOnInsert: a record already stored (by a crashed attempt at this batch) stays as is.
        ops = [
            UpdateOne({"_id": c.execution_id}, {"$setOnInsert": record_doc(c)}, upsert=True)
            for c in records
        ]
        await bulk_apply(self.records, ops)

    async def save_rollups(self, rollups: Sequence[Rollup]) -> None:
        ops = [guarded_upsert(r.key.id, r.seq, {"$set": rollup_fields(r)}) for r in rollups]
        await bulk_apply(self.rollup_docs, ops)
