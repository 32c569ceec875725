"""Executor's composition root: the adapters behind its ports, the handlers bound to them, and
the parts that run once it is connected (the worker pool, the work consumer, the projector, and
the subscriptions that follow the registry and the scaler)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
from dataclasses import dataclass
from typing import Any

from nats.aio.subscription import Subscription
from s3c_events import (
    ExecuteFunction,
    ExecutionDetail,
    ExecutionList,
    ExecutionMetrics,
    ExecutionTimeseries,
    ExecutorLoad,
    FunctionDeleted,
    FunctionRunStats,
    FunctionUpdated,
    InvokeFunction,
    PoolScaledDown,
    PoolScaledUp,
    UnknownEvent,
    decode_event,
    streams,
    subjects,
)
from s3c_runtime.bus import last_event
from s3c_runtime.projector import Projector
from s3c_runtime.service import Service

from s3c_executor import projections
from s3c_executor.catalog import FunctionCatalog, RegistryLookup
from s3c_executor.handlers import JobHandlers
from s3c_executor.intake import Intake
from s3c_executor.ports import EventLog, ExecutionStore, Functions, Outbox, Runner
from s3c_executor.queries import ExecutionQueries, Rows
from s3c_executor.sandbox.pool import Pool
from s3c_executor.settings import ExecutorSettings
from s3c_executor.store import MongoExecutionStore
from s3c_executor.stream import JetStreamEventLog, JetStreamOutbox
from s3c_executor.work import WorkConsumer

Decision = PoolScaledUp | PoolScaledDown
LOAD_INTERVAL_S = 1.0


@dataclass(frozen=True)
class Deps:
    """Everything the executor's handlers depend on (unit tests pass fakes)."""

    events: EventLog  # the execution.* events: looked up by a redelivery, and published
    runner: Runner  # the sandbox pool
    store: ExecutionStore  # the read models the queries answer from
    functions: Functions  # the function catalog requests are admitted against
    outbox: Outbox  # the work queue (and `execution.requested`)


class Handlers:
    """The job, command and query handlers, answering once bound to their dependencies (before
    that, a request fails at once and its caller gets "unavailable")."""

    def __init__(self, deps: Deps | None = None) -> None:
        self._jobs: JobHandlers | None = None
        self._intake: Intake | None = None
        self._queries: ExecutionQueries | None = None
        if deps is not None:
            self.bind(deps)

    def bind(self, deps: Deps) -> None:
        self._jobs = JobHandlers(deps.events, deps.runner)
        self._intake = Intake(deps.functions, deps.outbox, self._jobs.invoke)
        self._queries = ExecutionQueries(deps.store)

    @property
    def jobs(self) -> JobHandlers:
        if self._jobs is None:
            raise RuntimeError("the executor has not started")
        return self._jobs

    @property
    def intake(self) -> Intake:
        if self._intake is None:
            raise RuntimeError("the executor has not started")
        return self._intake

    @property
    def queries(self) -> ExecutionQueries:
        if self._queries is None:
            raise RuntimeError("the executor has not started")
        return self._queries

    async def execute(self, command: ExecuteFunction) -> dict[str, Any]:
        return await self.intake.execute(command)

    async def invoke(self, command: InvokeFunction) -> dict[str, Any]:
        return await self.intake.invoke(command)

    async def detail(self, query: ExecutionDetail) -> dict[str, Any]:
        return await self.queries.detail(query)

    async def list(self, query: ExecutionList) -> Rows:
        return await self.queries.list(query)

    async def metrics(self, query: ExecutionMetrics) -> dict[str, Any]:
        return await self.queries.metrics(query)

    async def timeseries(self, query: ExecutionTimeseries) -> dict[str, Any]:
        return await self.queries.timeseries(query)

    async def function_stats(self, query: FunctionRunStats) -> Rows:
        return await self.queries.function_stats(query)


@dataclass
class Running:
    """What start-up leaves running, and the scaling decision in force."""

    pool: Pool
    consumer: WorkConsumer
    projector: Projector
    subscriptions: list[Subscription]
    decision: int  # the number of the scaler's decision the pool is sized by (0: none yet)
    max_slots: int  # jobs in hand at most, whatever the pool's size

    async def resize(self, decision: Decision) -> None:
        """Each executor process runs `instanceCount` workers; an older decision changes nothing."""
        if decision.decision <= self.decision:
            return
        self.decision = decision.decision
        await self.pool.resize(decision.instance_count)
        self.consumer.resize(min(decision.instance_count, self.max_slots))

    def load(self, executor: str) -> ExecutorLoad:
        return ExecutorLoad(
            executor=executor,
            instances=self.pool.size,
            busy=self.pool.busy,
            waiting=self.pool.waiting,
        )

    def health(self) -> dict[str, Any]:
        return {
            "instances": self.pool.size,
            "workerPids": self.pool.pids(),
            "replacedWorkers": self.pool.replaced,
            "inFlight": self.consumer.in_flight,
            "busy": self.pool.busy,
            "waiting": self.pool.waiting,
            "decision": self.decision,
        }


class Executor:
    """The executor process: started once connected, resized by the scaler's decisions,
    stopped on shutdown."""

    def __init__(self, service: Service[ExecutorSettings], handlers: Handlers) -> None:
        self.service = service
        self.handlers = handlers
        self.running: Running | None = None
        self._resizing = asyncio.Lock()
        self._reporting: asyncio.Task[None] | None = None
        self.name = f"{socket.gethostname()}-{os.getpid()}"

    def health(self) -> dict[str, Any]:
        # Not ready (so the gateway's /readyz is not) until the pool runs: the health
        # subscriber is up long before it.
        return self.running.health() if self.running else {"status": "starting"}

    async def start(self) -> None:
        async with self._resizing:  # a decision that arrives meanwhile waits for the pool
            self.running = await self._set_up()
        self._reporting = asyncio.create_task(self._report_load())

    async def _report_load(self) -> None:
        """Every second, what the pool is doing: the scaler counts the runs waiting for a worker
        (sync invokes do not wait in the work queue, so its depth misses them)."""
        while True:
            if self.running is not None and self.service.nc.is_connected:
                load = self.running.load(self.name)
                with contextlib.suppress(Exception):
                    await self.service.nc.publish(ExecutorLoad.SUBJECT, load.to_json())
            await asyncio.sleep(LOAD_INTERVAL_S)

    async def _set_up(self) -> Running:
        service, cfg = self.service, self.service.settings
        # Follow the registry before answering any request (hot subscriptions start after us).
        functions = FunctionCatalog(RegistryLookup(service.nc, cfg.request_timeout))

        async def follow_functions(msg: Any) -> None:
            try:
                event = decode_event(msg.subject, msg.data)
            except (UnknownEvent, ValueError):
                return
            functions.apply(event)
            # A replaced or deleted version never runs again here: free its warm isolates.
            if self.running is not None and isinstance(event, FunctionUpdated | FunctionDeleted):
                keep = (
                    f"{event.function.id}:{event.function.version}"
                    if isinstance(event, FunctionUpdated)
                    else None
                )
                await self.running.pool.forget(event.function_id, keep)

        catalog = await service.nc.subscribe(subjects.FUNCTION_EVENTS, cb=follow_functions)
        # Follow the scaler: subscribe first, then read the last decision, so none is missed.
        scaling = await service.nc.subscribe(subjects.SCALING_EVENTS, cb=self.follow)
        found = await last_event(service.js, streams.SCALING.name, subjects.SCALING_EVENTS)
        last = found[0] if found is not None else None
        size = last.instance_count if isinstance(last, Decision) else cfg.instances
        pool = Pool(size)
        await pool.start()
        projector = Projector(service.js, service.db, projections.ExecutionsProjection())
        await projections.ensure_indexes(projector.target)
        await projections.seed_rollups(projector.target, await projector.checkpoint())
        projector.start()
        self.handlers.bind(
            Deps(
                events=JetStreamEventLog(service.js),
                runner=pool,
                store=MongoExecutionStore(projector.target),
                functions=functions,
                outbox=JetStreamOutbox(service.js),
            )
        )
        consumer = WorkConsumer(service.js, self.handlers.jobs, cfg.work_ack_wait)
        await consumer.start(min(size, cfg.max_concurrent_executions))
        return Running(
            pool=pool,
            consumer=consumer,
            projector=projector,
            subscriptions=[scaling, catalog],
            decision=last.decision if isinstance(last, Decision) else 0,
            max_slots=cfg.max_concurrent_executions,
        )

    async def follow(self, msg: Any) -> None:
        """A scaling decision: resize the pool to it."""
        event = decode_event(msg.subject, msg.data)
        if not isinstance(event, Decision):
            return
        async with self._resizing:
            if self.running is not None:
                await self.running.resize(event)

    async def stop(self) -> None:
        if self._reporting is not None:
            self._reporting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reporting
        running = self.running
        if running is None:
            return
        for subscription in running.subscriptions:
            await subscription.unsubscribe()
        await running.consumer.stop()
        await self.handlers.jobs.drain()
        await running.projector.stop()
        await running.pool.close()
