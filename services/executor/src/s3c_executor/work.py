"""The work-queue consumer: pulls jobs from the shared durable consumer, one task per slot.

Each job is acked only after its outcome is stored; a retry is a `nak(delay)`, so the backoff
lives in JetStream and survives a crash. Long runs keep their claim with `in_progress()`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from nats.errors import TimeoutError as NatsTimeout
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig
from nats.js.errors import NotFoundError
from pydantic import ValidationError
from s3c_events import ExecutionJob, streams

from s3c_executor.handlers import JobHandlers

log = logging.getLogger("s3c.executor.work")
GIVE_UP_AFTER = 5  # deliveries beyond the function's own retries


async def ensure_consumer(js: JetStreamContext, ack_wait: float) -> None:
    config = ConsumerConfig(
        durable_name=streams.WORK_CONSUMER,
        ack_policy=AckPolicy.EXPLICIT,
        ack_wait=ack_wait,
        max_ack_pending=-1,
        max_deliver=-1,
    )
    try:
        info = await js.consumer_info(streams.WORK.name, streams.WORK_CONSUMER)
        if info.config.ack_wait != ack_wait:
            await js.add_consumer(streams.WORK.name, config)  # updates the editable fields
    except NotFoundError:
        await js.add_consumer(streams.WORK.name, config)


class WorkConsumer:
    def __init__(self, js: JetStreamContext, handlers: JobHandlers, ack_wait: float) -> None:
        self.js = js
        self.handlers = handlers
        self.ack_wait = ack_wait
        self.tasks: dict[int, asyncio.Task[None]] = {}
        self.slots = 0
        self.in_flight = 0

    async def start(self, slots: int) -> None:
        await ensure_consumer(self.js, self.ack_wait)
        self.resize(slots)

    def resize(self, slots: int) -> None:
        """One pulling task per slot. A task whose slot is gone leaves after the job in hand."""
        self.slots = max(1, slots)
        for slot in range(self.slots):
            task = self.tasks.get(slot)
            if task is None or task.done():
                self.tasks[slot] = asyncio.create_task(self._loop(slot))

    async def _loop(self, slot: int) -> None:
        sub = await self.js.pull_subscribe_bind(streams.WORK_CONSUMER, stream=streams.WORK.name)
        try:
            while slot < self.slots:
                try:
                    msgs = await sub.fetch(1, timeout=1.0)
                except (NatsTimeout, TimeoutError):
                    continue
                except Exception:
                    log.exception("fetching work failed")
                    await asyncio.sleep(0.5)
                    continue
                for msg in msgs:
                    await self.handle(msg)
        finally:
            with contextlib.suppress(Exception):
                await sub.unsubscribe()

    async def _keep_claim(self, msg: Any) -> None:
        while True:
            await asyncio.sleep(self.ack_wait / 3)
            with contextlib.suppress(Exception):
                await msg.in_progress()

    async def handle(self, msg: Any) -> None:
        """One delivery of a job: ack once its outcome is stored, nak(delay) for a retry."""
        try:
            job = ExecutionJob.model_validate_json(msg.data)
        except ValidationError:
            log.error("dropping a malformed job", extra={"fields": {"subject": msg.subject}})
            await msg.term()
            return
        self.in_flight += 1
        keeper = asyncio.create_task(self._keep_claim(msg))
        try:
            verdict, delay_ms = await self.handlers.handle_job(job, msg.metadata.num_delivered)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.exception(
                "job failed in the executor", extra={"fields": {"executionId": job.execution_id}}
            )
            if msg.metadata.num_delivered >= job.function.retry_count + GIVE_UP_AFTER:
                # Our own fault, again and again: end the execution as failed, once.
                with contextlib.suppress(Exception):
                    await self.handlers.give_up(job, msg.metadata.num_delivered, repr(exc))
                    await msg.ack()
                    return
            await msg.nak(delay=1.0)  # nothing stored: hand the job out again shortly
            return
        finally:
            keeper.cancel()
            self.in_flight -= 1
        if verdict == "retry":
            await msg.nak(delay=delay_ms / 1000)
        else:
            await msg.ack()

    async def stop(self) -> None:
        for task in self.tasks.values():
            task.cancel()
        for task in self.tasks.values():
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self.tasks.clear()
