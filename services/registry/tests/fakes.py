"""In-memory fakes behind the registry's ports (no servers).

`InMemoryFunctions` and `InMemoryKeys` keep documents shaped as the projections store them
(they fold with the projection's own `fold`, tombstones included, and skip events a document has
seen). `InMemoryLog` keeps events as wire bytes, refuses an append whose expected sequence is
not the aggregate's last (as `Nats-Expected-Last-Subject-Sequence` does), and can hold events
another replica wrote that our read model has not applied yet. `InMemoryNames` is the key-value
bucket's rule without a clock: a claim held by another function is refused unless it is stale
and its holder does not have the name; it keys claims as the bucket does (`name_key`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from s3c_events import Event, FunctionState, KeyView, decode_event
from s3c_events.owners import owner_of
from s3c_events.registry import Runtime, Status
from s3c_registry.bootstrap import Deps
from s3c_registry.domain.functions import Rejected, name_key
from s3c_registry.handlers import KeyHandlers, RegistryHandlers
from s3c_registry.ports import Holds, Stored, StoredKey
from s3c_registry.projections import (
    FunctionsProjection,
    KeysProjection,
    from_doc,
    key_from_doc,
)
from s3c_runtime.bus import ConcurrencyConflict
from s3c_runtime.mongo import Doc
from s3c_runtime.projector import Applied

ADD = "function add(a, b) { return a + b; }"
BROKEN = "function add(a, b) { return a + ; }"


Fold = Callable[[Doc | None, list[Any]], dict[str, Any] | None]


class InMemoryDocs:
    """Documents folded from events with a projection's `fold`, guarded by `_seq`."""

    fold: Fold

    def __init__(self) -> None:
        self.docs: dict[str, Doc] = {}

    def apply(self, batch: Sequence[Applied]) -> None:
        by_id: dict[str, list[Applied]] = {}
        for item in batch:
            by_id.setdefault(item.event.aggregate_id, []).append(item)
        for aggregate_id, items in by_id.items():
            doc = self.docs.get(aggregate_id)
            fresh = [i for i in items if i.seq > int((doc or {}).get("_seq", 0))]
            if not fresh:
                continue
            update = self.fold(doc, [i.event for i in fresh]) or {}
            new = dict(doc or {"_id": aggregate_id})
            new.update(update.get("$set", {}), _seq=fresh[-1].seq)
            for field in update.get("$unset", {}):
                new.pop(field, None)
            self.docs[aggregate_id] = new


class InMemoryFunctions(InMemoryDocs):
    """The `FunctionStore` port over a dict of documents."""

    fold = staticmethod(FunctionsProjection.fold)

    def _find(self, **query: Any) -> Stored | None:
        for doc in self.docs.values():
            if not doc["deleted"] and all(doc.get(k) == v for k, v in query.items()):
                return Stored(from_doc(doc), int(doc["_seq"]))
        return None

    async def by_id(self, function_id: str) -> Stored | None:
        return self._find(_id=function_id)

    async def by_name(self, owner: str, name: str) -> Stored | None:
        for doc in self.docs.values():
            if not doc["deleted"] and doc["name"] == name and owner_of(doc.get("owner")) == owner:
                return Stored(from_doc(doc), int(doc["_seq"]))
        return None

    async def list(
        self, status: Status | None = None, owner: str | None = None
    ) -> list[FunctionState]:
        docs = [
            d
            for d in self.docs.values()
            if not d["deleted"]
            and status in (None, d["status"])
            and owner in (None, owner_of(d.get("owner")))
        ]
        return [from_doc(d) for d in sorted(docs, key=lambda d: d["createdAt"], reverse=True)]


class InMemoryKeys(InMemoryDocs):
    """The `KeyStore` port over a dict of documents."""

    fold = staticmethod(KeysProjection.fold)

    async def by_id(self, key_id: str) -> StoredKey | None:
        doc = self.docs.get(key_id)
        return StoredKey(key_from_doc(doc), int(doc["_seq"])) if doc else None

    async def list(self, owner: str | None = None) -> list[KeyView]:
        docs = [d for d in self.docs.values() if owner in (None, d["owner"])]
        return [key_from_doc(d) for d in sorted(docs, key=lambda d: d["createdAt"], reverse=True)]


class InMemoryLog:
    """The `EventLog` port: a stream of wire bytes, applied to a read model (`model`)."""

    def __init__(self, model: InMemoryDocs) -> None:
        self.model = model
        self.stored: list[tuple[int, str, bytes]] = []
        self.fail_next: Exception | None = None  # the next append raises this (e.g. NATS down)
        self.stuck = False  # catching up reads nothing (the stream is out of reach)

    def events(self) -> list[Event]:
        return [decode_event(subject, data) for _, subject, data in self.stored]

    def _last_seq(self, function_id: str) -> int:
        seqs = [a.seq for a in self._applied() if a.event.aggregate_id == function_id]
        return max(seqs, default=0)

    def _applied(self) -> list[Applied]:
        return [Applied(seq, decode_event(subject, data)) for seq, subject, data in self.stored]

    def _store(self, events: Sequence[Event], expected_seq: int) -> list[Applied]:
        out = []
        for event in events:
            if self._last_seq(event.aggregate_id) != expected_seq:
                raise ConcurrencyConflict(f"wrong last sequence for {event.aggregate_id}")
            seq = len(self.stored) + 1
            self.stored.append((seq, event.subject, event.to_wire()))
            out.append(Applied(seq, decode_event(event.subject, event.to_wire())))
            expected_seq = seq
        return out

    async def append(self, events: Sequence[Event], expected_seq: int) -> None:
        if self.fail_next is not None:
            failure, self.fail_next = self.fail_next, None
            raise failure
        self.model.apply(self._store(events, expected_seq))

    def write_elsewhere(self, *events: Event) -> None:
        """Another registry process appended these; our read model has not seen them yet."""
        for event in events:
            self._store([event], self._last_seq(event.aggregate_id))

    async def catch_up(self) -> None:
        if not self.stuck:
            self.model.apply(self._applied())


class InMemoryNames:
    """The `Names` port: reservation key (`name_key`) -> the function holding it."""

    def __init__(self) -> None:
        self.claims: dict[str, str] = {}
        self.stale: set[str] = set()  # keys whose claim is older than the takeover delay

    async def claim(self, owner: str, name: str, function_id: str, holds: Holds) -> None:
        key = name_key(owner, name)
        holder = self.claims.get(key)
        if holder is not None and holder != function_id:
            if key not in self.stale or await holds(holder, name):
                raise Rejected("conflict", f"a function named '{name}' already exists", "name")
        self.claims[key] = function_id
        self.stale.discard(key)

    async def release(self, owner: str, name: str, function_id: str) -> None:
        key = name_key(owner, name)
        if self.claims.get(key) == function_id:
            del self.claims[key]


class FakeCompiler:
    """The `CodeChecker` port: refuses the sources in `broken`; remembers what it checked."""

    def __init__(self, broken: Sequence[str] = (BROKEN,)) -> None:
        self.broken = set(broken)
        self.checked: list[tuple[Runtime, str]] = []

    async def error(self, runtime: Runtime, code: str) -> str | None:
        self.checked.append((runtime, code))
        return "SyntaxError: Unexpected token ';'" if code in self.broken else None


class Fakes:
    """One registry's worth of fakes, and the handlers or `Deps` over them."""

    def __init__(self) -> None:
        self.functions = InMemoryFunctions()
        self.log = InMemoryLog(self.functions)
        self.names = InMemoryNames()
        self.compiler = FakeCompiler()
        self.keys = InMemoryKeys()
        self.key_log = InMemoryLog(self.keys)

    def deps(self) -> Deps:
        return Deps(
            functions=self.functions,
            log=self.log,
            names=self.names,
            checker=self.compiler,
            keys=self.keys,
            key_log=self.key_log,
        )

    def handlers(self, max_timeout_ms: int = 900_000) -> RegistryHandlers:
        return RegistryHandlers(self.functions, self.log, self.names, self.compiler, max_timeout_ms)

    def key_handlers(self) -> KeyHandlers:
        return KeyHandlers(self.keys, self.key_log)
