"""JetStream adapters: the `EventLog` port (the `execution.*` events: the last of a kind, and
appending) and the intake's `Outbox` (the work queue, and `execution.requested`)."""

from __future__ import annotations

from nats.errors import MaxPayloadError
from nats.js import JetStreamContext
from s3c_events import Event, ExecutionJob, streams
from s3c_events.subjects import event_subject
from s3c_runtime.bus import last_event, publish_event

from s3c_executor.ports import OverMessageLimit


class JetStreamEventLog:
    """Looks events up by subject (`get_last_msg`: no consumer, no read model); publishes with
    `Nats-Msg-Id = event_id`, so a repeated event is dropped."""

    def __init__(self, js: JetStreamContext) -> None:
        self.js = js

    async def last(self, execution_id: str, kind: str) -> Event | None:
        subject = event_subject("execution", execution_id, kind)
        found = await last_event(self.js, streams.EXECUTIONS.name, subject)
        return found[0] if found is not None else None

    async def publish(self, event: Event) -> None:
        try:
            await publish_event(self.js, event)
        except MaxPayloadError as exc:
            raise OverMessageLimit(f"{event.type} of {event.aggregate_id}") from exc


class JetStreamOutbox:
    def __init__(self, js: JetStreamContext) -> None:
        self.js = js

    async def queue(self, job: ExecutionJob) -> None:
        await self.js.publish(job.subject, job.to_json(), headers={"Nats-Msg-Id": job.execution_id})

    async def record(self, event: Event) -> None:
        await publish_event(self.js, event)
