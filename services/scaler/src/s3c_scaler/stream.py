"""JetStream adapters: the `DecisionLog` port (the pool's `scaling.*` subject, appended with
`Nats-Expected-Last-Subject-Sequence`) and the `WorkQueue` port (the work consumer's backlog)."""

from __future__ import annotations

from nats.js import JetStreamContext
from nats.js.errors import NotFoundError
from s3c_events import streams
from s3c_events.scaler import POOL
from s3c_events.subjects import aggregate_events
from s3c_runtime.bus import ConcurrencyConflict, last_event, publish_event

from s3c_scaler.ports import Decision, StoredDecision


class JetStreamDecisionLog:
    def __init__(self, js: JetStreamContext) -> None:
        self.js = js

    async def last(self) -> StoredDecision | None:
        found = await last_event(self.js, streams.SCALING.name, aggregate_events("scaling", POOL))
        if found is None:
            return None
        event, seq = found
        assert isinstance(event, Decision)
        return StoredDecision(event, seq)

    async def append(self, decision: Decision, after: int) -> int | None:
        try:
            ack = await publish_event(self.js, decision, expected_aggregate_seq=after)
        except ConcurrencyConflict:
            return None  # another decision is the last one now
        if ack.duplicate:
            return None  # this decision's id is stored already (by us, or another scaler)
        return ack.seq


class JetStreamWorkQueue:
    def __init__(self, js: JetStreamContext) -> None:
        self.js = js

    async def pending(self) -> int:
        try:
            info = await self.js.consumer_info(streams.WORK.name, streams.WORK_CONSUMER)
            return int(info.num_pending)
        except NotFoundError:
            stream = await self.js.stream_info(streams.WORK.name)
            return int(stream.state.messages)
