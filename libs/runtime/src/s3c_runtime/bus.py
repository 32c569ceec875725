"""NATS JetStream plumbing: stream provisioning, appending events, reading a subject's last event."""

from __future__ import annotations

from nats.js import JetStreamContext
from nats.js.api import PubAck, RetentionPolicy, StorageType, StreamConfig
from nats.js.errors import APIError, BadRequestError, NotFoundError
from s3c_events import Event, decode_event, streams
from s3c_events.envelope import CLOUDEVENTS_CONTENT_TYPE
from s3c_events.subjects import aggregate_events

from s3c_runtime.settings import RuntimeSettings

# JetStream's API error code for a failed Nats-Expected-Last-Subject-Sequence check.
WRONG_LAST_SEQUENCE = 10071


class ConcurrencyConflict(Exception):
    """Another writer appended to this aggregate first (optimistic concurrency)."""


def stream_config(spec: streams.StreamSpec, replicas: int = 1) -> StreamConfig:
    return StreamConfig(
        name=spec.name,
        subjects=list(spec.subjects),
        description=spec.description,
        retention=RetentionPolicy.WORK_QUEUE if spec.work_queue else RetentionPolicy.LIMITS,
        storage=StorageType.FILE,
        duplicate_window=spec.duplicate_window,
        num_replicas=replicas,
    )


async def provision_streams(
    js: JetStreamContext,
    specs: tuple[streams.StreamSpec, ...] = streams.ALL,
    replicas: int | None = None,
) -> None:
    """Create or update the streams; safe to run from every service at every start.

    `replicas` (default: the `S3C_STREAM_REPLICAS` setting) is how many servers of a cluster
    keep each stream; an update to an existing stream changes it too (JetStream moves the data).
    """
    if replicas is None:
        replicas = RuntimeSettings().stream_replicas
    for spec in specs:
        config = stream_config(spec, replicas)
        try:
            await js.stream_info(spec.name)
        except NotFoundError:
            try:
                await js.add_stream(config)
            except BadRequestError as exc:
                # Another service may have created it between our check and our add: fine.
                # Anything else (e.g. subjects overlapping a foreign stream) is a real error.
                try:
                    await js.stream_info(spec.name)
                except NotFoundError:
                    raise exc from None
        else:
            await js.update_stream(config)


async def publish_event(
    js: JetStreamContext, event: Event, expected_aggregate_seq: int | None = None
) -> PubAck:
    """Append an event. `Nats-Msg-Id = event_id` makes a retried publish a no-op.

    With `expected_aggregate_seq`, JetStream refuses the append unless the last event of this
    aggregate instance (any event type) is at that stream sequence (0: none yet).
    """
    headers = {
        "Nats-Msg-Id": event.event_id,
        "S3C-Event-Type": event.type,
        "Content-Type": CLOUDEVENTS_CONTENT_TYPE,
    }
    if expected_aggregate_seq is not None:
        headers["Nats-Expected-Last-Subject-Sequence"] = str(expected_aggregate_seq)
        headers["Nats-Expected-Last-Subject-Sequence-Subject"] = aggregate_events(
            event.AGGREGATE, event.aggregate_id
        )
    try:
        return await js.publish(event.subject, event.to_wire(), headers=headers)
    except APIError as exc:
        if exc.err_code == WRONG_LAST_SEQUENCE:
            raise ConcurrencyConflict(str(exc)) from exc
        raise


async def last_event(js: JetStreamContext, stream: str, subject: str) -> tuple[Event, int] | None:
    """The last event stored on `subject` (wildcards allowed) and its stream sequence, if any."""
    try:
        msg = await js.get_last_msg(stream, subject)
    except NotFoundError:
        return None
    # nats.py types every field of a stored message as optional; a stored one has all three.
    if msg.subject is None or msg.data is None or msg.seq is None:
        raise ValueError(f"incomplete stored message on {subject} in {stream}")
    return decode_event(msg.subject, msg.data), msg.seq
