"""The `EventLog` port over JetStream: a command's events are appended with optimistic
concurrency on their aggregate's subjects (a function's, a key's), then applied to the read
model by its projector."""

from __future__ import annotations

from collections.abc import Sequence

from nats.js import JetStreamContext
from s3c_events import Event
from s3c_runtime.bus import publish_event
from s3c_runtime.projector import Applied, Projector


class JetStreamLog:
    def __init__(self, js: JetStreamContext, projector: Projector) -> None:
        self.js = js
        self.projector = projector

    async def append(self, events: Sequence[Event], expected_seq: int) -> None:
        applied = []
        for event in events:
            ack = await publish_event(self.js, event, expected_aggregate_seq=expected_seq)
            expected_seq = ack.seq
            applied.append(Applied(ack.seq, event))
        # Read-your-writes: the projector's position does not move, its reader applies these
        # again in order (a no-op, guarded by the document's sequence).
        await self.projector.apply(applied)

    async def catch_up(self) -> None:
        await self.projector.catch_up()
