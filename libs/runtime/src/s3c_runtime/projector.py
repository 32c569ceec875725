"""Projector: keeps a read model from a stream, in stream order, with its position stored
beside the read model.

It reads from the stream sequence after its checkpoint, applies each batch with idempotent
upserts, and only then moves the checkpoint (in the same database as the read model). After a
crash it resumes from the checkpoint; the batch in flight is applied again and the per-document
sequence guards make that a no-op. Order matters: roll-ups guarded by "last sequence applied"
are only exact if events arrive in stream order, which a redelivering durable consumer cannot
promise, so the position lives here rather than in JetStream's ack state. It can also rebuild a
read model by replaying the stream from the start.

No event can hold it up: one the store cannot take (or that cannot be read) is parked in
`_poison` and the position moves past it (`poison`); only an outage makes it read a batch again.
Its state (failing since when, events parked) is what the service's health answer reports on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Protocol

from nats.errors import TimeoutError as NatsTimeout
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from s3c_events import Event, UnknownEvent, decode_event
from s3c_events.streams import StreamSpec

from s3c_runtime.mongo import Doc
from s3c_runtime.poison import Poisoned, apply_or_park, is_transient, park, safe_text

log = logging.getLogger("s3c.projector")
CHECKPOINTS = "_projections"
# Where a projector being built is registered: the list of the service starting it (`collecting`).
_collector: ContextVar[list[Projector] | None] = ContextVar("s3c_projectors", default=None)


@contextlib.contextmanager
def collecting(into: list[Projector]) -> Iterator[None]:
    """Every projector built inside this block (in this task) is added to `into`: a service
    collects those its start-up hooks build, to report on them in its health answer."""
    token = _collector.set(into)
    try:
        yield
    finally:
        _collector.reset(token)


@dataclass(frozen=True)
class Applied:
    """One event with the stream sequence it was stored at."""

    seq: int
    event: Event


class Projection(Protocol):
    name: str  # the checkpoint id in `_projections`
    stream: StreamSpec
    filter_subject: str
    collection: str  # the read model's collection

    async def apply(self, target: AsyncCollection[Doc], batch: Sequence[Applied]) -> None:
        """Write the effect of the batch idempotently (a replayed event changes nothing)."""


class Projector:
    def __init__(
        self,
        js: JetStreamContext,
        db: AsyncDatabase[Doc],
        projection: Projection,
        batch_size: int = 256,
    ) -> None:
        self.js = js
        self.db = db
        self.projection = projection
        self.batch_size = batch_size
        self._task: asyncio.Task[None] | None = None
        self._sub: Any = None
        self._next_delivery = 1
        self.failing_since: float | None = None  # epoch seconds of the first failed batch in a row
        self.last_error: str | None = None
        self.parked = 0  # events this process parked
        collector = _collector.get()
        if collector is not None:
            collector.append(self)

    @property
    def target(self) -> AsyncCollection[Doc]:
        return self.db[self.projection.collection]

    async def checkpoint(self) -> int:
        doc = await self.db[CHECKPOINTS].find_one({"_id": self.projection.name})
        return int(doc["seq"]) if doc else 0

    async def apply(self, items: Sequence[Applied]) -> None:
        """Apply events now, e.g. a command's own (read-your-writes). The position does not move:
        only the in-order reader moves it, so nothing before these events can be skipped."""
        if items:
            await self.projection.apply(self.target, items)

    async def _advance(self, seq: int) -> None:
        await self.db[CHECKPOINTS].update_one(
            {"_id": self.projection.name}, {"$max": {"seq": seq}}, upsert=True
        )

    async def _park(self, msg: Any, error: BaseException) -> None:
        poisoned = Poisoned(
            self.projection.name,
            self.projection.stream.name,
            msg.metadata.sequence.stream,
            msg.subject,
            msg.data,
            error,
        )
        if await park(self.db, poisoned):
            self.parked += 1

    async def _store(self, msgs: Sequence[Any], target: AsyncCollection[Doc]) -> None:
        """Apply a batch of messages to `target`: an event the store cannot take, or that cannot
        be read, is parked; an outage propagates (nothing parked, the batch is read again)."""
        items: list[Applied] = []
        by_seq: dict[int, Any] = {}
        unreadable: list[tuple[Any, Exception]] = []
        for msg in msgs:
            seq = msg.metadata.sequence.stream
            try:
                items.append(Applied(seq, decode_event(msg.subject, msg.data)))
                by_seq[seq] = msg
            except UnknownEvent as exc:
                # Tolerant reader: an event we do not know (newer producer) is skipped, not retried.
                log.warning(
                    "skipping event", extra={"fields": {"subject": msg.subject, "err": str(exc)}}
                )
            except Exception as exc:  # not JSON, not the event's shape, nested too deep...
                unreadable.append((msg, exc))

        async def apply(batch: Sequence[Applied]) -> None:
            await self.projection.apply(target, batch)

        async def park_one(item: Applied, error: Exception) -> None:
            await self._park(by_seq[item.seq], error)

        await apply_or_park(apply, items, park_one)
        for msg, error in unreadable:
            await self._park(msg, error)

    def _failed(self, exc: BaseException) -> None:
        if self.failing_since is None:
            self.failing_since = time.time()
        self.last_error = safe_text(f"{type(exc).__name__}: {exc}", 500)

    async def _subscribe(self) -> Any:
        if self._sub is None:
            start = await self.checkpoint() + 1
            self._sub = await self.js.pull_subscribe(
                self.projection.filter_subject,
                stream=self.projection.stream.name,
                config=ConsumerConfig(
                    ack_policy=AckPolicy.NONE,
                    deliver_policy=DeliverPolicy.BY_START_SEQUENCE,
                    opt_start_seq=start,
                    inactive_threshold=60,
                    mem_storage=True,
                ),
            )
            self._next_delivery = 1
        return self._sub

    async def _reset(self) -> None:
        """Forget the reader: the next poll starts again right after the checkpoint."""
        sub, self._sub = self._sub, None
        if sub is not None:
            with contextlib.suppress(Exception):
                await sub.unsubscribe()

    async def poll(self, timeout: float = 1.0) -> int:
        """Read one batch, apply it, then store the position. Returns how many were read."""
        try:
            sub = await self._subscribe()
        except Exception as exc:  # the checkpoint cannot be read, or NATS is away
            self._failed(exc)
            raise
        try:
            msgs = await sub.fetch(self.batch_size, timeout=timeout)
        except (NatsTimeout, TimeoutError):
            self.failing_since = None  # nothing left to read
            return 0
        except Exception as exc:
            # E.g. NATS restarted and our (in-memory) reader is gone: read again from the checkpoint.
            self._failed(exc)
            await self._reset()
            raise
        for i, msg in enumerate(msgs):
            if msg.metadata.sequence.consumer != self._next_delivery + i:
                # A gap in delivery (a lost batch): read again from the stored position.
                await self._reset()
                return 0
        self._next_delivery += len(msgs)
        try:
            await self._store(msgs, self.target)
            if msgs:
                await self._advance(msgs[-1].metadata.sequence.stream)
        except Exception as exc:
            self._failed(exc)
            await self._reset()  # not stored: this batch is read again
            raise
        self.failing_since = None
        return len(msgs)

    async def catch_up(self) -> None:
        """Apply everything the stream holds for this projection right now."""
        while await self.poll(timeout=0.2):
            pass

    async def _run(self) -> None:
        while True:
            try:
                await self.poll()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                # Nothing was stored for this batch: it is read again. Back off a little and go on.
                log.exception(
                    "projection batch failed",
                    extra={
                        "fields": {"name": self.projection.name, "transient": is_transient(exc)}
                    },
                )
                await asyncio.sleep(1)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"projector:{self.projection.name}")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._sub is not None:
            with contextlib.suppress(Exception):
                await self._sub.unsubscribe()
            self._sub = None

    async def rebuild(self, into: str | None = None) -> int:
        """Replay the whole stream into a collection (a fresh one by default: `<collection>`).

        Returns the number of events replayed. Rebuilding into another collection lets a caller
        compare the result with the live read model, or swap it in. A projection may define
        `async reset(target)`: it is called first, to clear what it keeps beside `target` (the
        executor's roll-ups), so those are rebuilt from zero too.
        """
        target = self.db[into or self.projection.collection]
        await target.delete_many({})
        reset = getattr(self.projection, "reset", None)
        if reset is not None:
            await reset(target)
        info = await self.js.stream_info(self.projection.stream.name)
        last = info.state.last_seq
        if last == 0:
            return 0
        sub = await self.js.pull_subscribe(
            self.projection.filter_subject,
            stream=self.projection.stream.name,
            config=ConsumerConfig(
                ack_policy=AckPolicy.NONE,
                deliver_policy=DeliverPolicy.ALL,
                inactive_threshold=30,
            ),
        )
        count = 0
        try:
            while True:
                try:
                    msgs = await sub.fetch(self.batch_size, timeout=0.5)
                except (NatsTimeout, TimeoutError):
                    break
                await self._store(msgs, target)
                count += len(msgs)
                if msgs and msgs[-1].metadata.sequence.stream >= last:
                    break
        finally:
            await sub.unsubscribe()
        return count
