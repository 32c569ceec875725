"""Executor composition root. For now it connects, provisions the shared work-queue consumer
and reports healthy; sandboxed execution lands with issue 02."""

from __future__ import annotations

from nats.js.api import AckPolicy, ConsumerConfig
from nats.js.errors import NotFoundError
from s3c_events import streams
from s3c_runtime.service import Service
from s3c_runtime.settings import Settings

SERVICE = "executor"


def build(settings: Settings | None = None) -> Service:
    service = Service(SERVICE, settings)

    @service.on_ready
    async def provision_work_consumer() -> None:
        # One durable pull consumer shared by every executor process: competing consumers.
        try:
            await service.js.consumer_info(streams.WORK.name, streams.WORK_CONSUMER)
        except NotFoundError:
            await service.js.add_consumer(
                streams.WORK.name,
                ConsumerConfig(
                    durable_name=streams.WORK_CONSUMER,
                    ack_policy=AckPolicy.EXPLICIT,
                    ack_wait=60,
                    max_ack_pending=-1,
                ),
            )
        await service.db["executions"].create_index("functionId")

    return service
