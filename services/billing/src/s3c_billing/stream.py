"""JetStream adapters: the `EventLog` port (a stream read in order, in batches) and the
`Publisher` port (`billing.execution_costed`)."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncGenerator, Sequence
from typing import Any

from nats.errors import TimeoutError as NatsTimeout
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from s3c_events import ExecutionCosted, decode_event
from s3c_events.streams import StreamSpec
from s3c_runtime.bus import publish_event
from s3c_runtime.projector import Applied

log = logging.getLogger("s3c.billing")


class JetStreamEventLog:
    """Reads a stream from its start to its end as of the call, in stream order, a batch at a
    time, with an ephemeral consumer (the same reading `Projector.rebuild` does). If a batch is
    lost on the way (a gap in the consumer's delivery count), it reads again right after the last
    event it handed out, so no event is skipped and none is handed out twice."""

    def __init__(self, js: JetStreamContext, idle_timeout: float = 0.5) -> None:
        self.js = js
        self.idle_timeout = idle_timeout

    async def _consumer(self, stream: StreamSpec, subjects: Sequence[str], start: int) -> Any:
        return await self.js.pull_subscribe(
            "",
            stream=stream.name,
            config=ConsumerConfig(
                ack_policy=AckPolicy.NONE,
                deliver_policy=DeliverPolicy.BY_START_SEQUENCE,
                opt_start_seq=start,
                filter_subjects=list(subjects),
                inactive_threshold=30,
                mem_storage=True,
            ),
        )

    async def batches(
        self, stream: StreamSpec, subjects: Sequence[str], batch_size: int = 256
    ) -> AsyncGenerator[Sequence[Applied], None]:
        last = (await self.js.stream_info(stream.name)).state.last_seq
        start = 1
        while start <= last:
            sub = await self._consumer(stream, subjects, start)
            delivered = 0
            try:
                while start <= last:
                    try:
                        msgs = await sub.fetch(batch_size, timeout=self.idle_timeout)
                    except (NatsTimeout, TimeoutError):
                        return  # nothing more on these subjects
                    if not msgs:
                        return
                    if any(
                        m.metadata.sequence.consumer != delivered + 1 + i
                        for i, m in enumerate(msgs)
                    ):
                        break  # a lost batch: read again from `start`
                    delivered += len(msgs)
                    items = []
                    for msg in msgs:
                        try:
                            event = decode_event(msg.subject, msg.data)
                        except Exception as exc:  # unknown, or unreadable (the projector parks it)
                            log.warning(
                                "skipping event",
                                extra={"fields": {"subject": msg.subject, "err": str(exc)}},
                            )
                            continue
                        items.append(Applied(msg.metadata.sequence.stream, event))
                    start = msgs[-1].metadata.sequence.stream + 1
                    if items:
                        yield items
            finally:
                with contextlib.suppress(Exception):
                    await sub.unsubscribe()


class JetStreamPublisher:
    """Publishes with `Nats-Msg-Id = event_id`: a record announced again is dropped."""

    def __init__(self, js: JetStreamContext) -> None:
        self.js = js

    async def __call__(self, record: ExecutionCosted) -> None:
        await publish_event(self.js, record)
