"""Executor composition root: the worker pool, the work consumer, the function catalog, the
execute/invoke intake and the read model."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from nats.js.errors import NotFoundError
from s3c_events import (
    ExecuteFunction,
    ExecutionDetail,
    ExecutionList,
    ExecutionMetrics,
    ExecutionTimeseries,
    FunctionRunStats,
    InvokeFunction,
    PoolScaledDown,
    PoolScaledUp,
    UnknownEvent,
    decode_event,
    streams,
    subjects,
)
from s3c_events.executor import EXECUTION_EVENTS, SERVICE
from s3c_events.subjects import EVENTS
from s3c_runtime.projector import Projector
from s3c_runtime.service import Service
from s3c_runtime.settings import Settings

from s3c_executor import projections
from s3c_executor.catalog import FunctionCatalog, RegistryLookup
from s3c_executor.handlers import ExecutorHandlers
from s3c_executor.intake import Intake, JetStreamOutbox
from s3c_executor.sandbox.pool import Pool
from s3c_executor.work import WorkConsumer


def build(settings: Settings | None = None) -> Service:
    service = Service(SERVICE, settings)
    cfg = service.settings
    parts: dict[str, Any] = {}
    resize_lock = asyncio.Lock()
    # Not ready (so the gateway's /readyz is not) until the pool runs and execute/invoke are
    # answered: the health subscriber is up long before them.
    service.health_info = lambda: {"status": "starting"}

    def handlers() -> ExecutorHandlers:
        return parts["handlers"]  # type: ignore[return-value]

    def intake() -> Intake:
        return parts["intake"]  # type: ignore[no-any-return]

    @service.on_ready
    async def start() -> None:
        async with resize_lock:  # a decision that arrives meanwhile waits for the pool
            await set_up()

    async def set_up() -> None:
        # Follow the registry before answering any request (hot subscriptions start after us).
        functions = FunctionCatalog(RegistryLookup(service.nc, cfg.request_timeout))

        async def follow_functions(msg: Any) -> None:
            with contextlib.suppress(UnknownEvent, ValueError):
                functions.apply(decode_event(msg.subject, msg.data))

        catalog_sub = await service.nc.subscribe(subjects.FUNCTION_EVENTS, cb=follow_functions)
        # Follow the scaler: subscribe first, then read the last decision, so none is missed.
        scaling = await service.nc.subscribe(subjects.SCALING_EVENTS, cb=follow)
        last = None
        with contextlib.suppress(NotFoundError):
            msg = await service.js.get_last_msg(streams.SCALING.name, subjects.SCALING_EVENTS)
            last = decode_event(msg.subject, msg.data)
        size = (
            last.instance_count
            if isinstance(last, PoolScaledUp | PoolScaledDown)
            else cfg.instances
        )
        parts["decision"] = last.decision if isinstance(last, PoolScaledUp | PoolScaledDown) else 0
        pool = Pool(size)
        await pool.start()
        projector = Projector(service.js, service.db, projections.ExecutionsProjection())
        await projections.ensure_indexes(projector.target)
        await projections.seed_rollups(projector.target, await projector.checkpoint())
        projector.start()
        parts["handlers"] = h = ExecutorHandlers(service.js, pool, projector)
        parts["intake"] = Intake(functions, JetStreamOutbox(service.js), h.invoke)
        consumer = WorkConsumer(service.js, h, cfg.work_ack_wait)
        await consumer.start(min(size, cfg.max_concurrent_executions))
        parts.update(
            pool=pool, projector=projector, consumer=consumer, scaling=scaling, catalog=catalog_sub
        )
        service.health_info = lambda: {
            "instances": pool.size,
            "workerPids": pool.pids(),
            "replacedWorkers": pool.replaced,
            "inFlight": consumer.in_flight,
            "decision": parts["decision"],
        }

    async def follow(msg: Any) -> None:
        """Resize to a scaling decision (each executor process runs `instanceCount` workers)."""
        event = decode_event(msg.subject, msg.data)
        if not isinstance(event, PoolScaledUp | PoolScaledDown):
            return
        async with resize_lock:
            if "pool" not in parts or event.decision <= parts["decision"]:
                return  # an older decision than the one in force
            parts["decision"] = event.decision
            await parts["pool"].resize(event.instance_count)
            parts["consumer"].resize(min(event.instance_count, cfg.max_concurrent_executions))

    @service.on_stop
    async def stop() -> None:
        if "consumer" in parts:
            await parts["scaling"].unsubscribe()
            await parts["catalog"].unsubscribe()
            await parts["consumer"].stop()
            await handlers().drain()
            await parts["projector"].stop()
            await parts["pool"].close()

    # Requests are handled concurrently; the pool bounds how many runs are in flight.
    concurrent = max(2, cfg.max_concurrent_executions * 4)
    service.answer(
        ExecuteFunction,
        lambda c: intake().execute(c),
        "queue a run: the job, then execution.requested; answers {executionId, status: pending}",
        hot=True,
        max_workers=concurrent,
    )
    service.answer(
        InvokeFunction,
        lambda c: intake().invoke(c),
        "run now and answer with the outcome",
        hot=True,
        max_workers=concurrent,
    )
    service.answer(
        ExecutionDetail, lambda q: handlers().detail(q), "one execution", max_workers=concurrent
    )
    service.answer(
        ExecutionList,
        lambda q: handlers().list(q),
        "executions, newest first",
        max_workers=concurrent,
    )
    service.answer(
        ExecutionMetrics,
        lambda q: handlers().metrics(q),
        "counts, durations and throughput, from the roll-ups",
        max_workers=concurrent,
    )
    service.answer(
        ExecutionTimeseries,
        lambda q: handlers().timeseries(q),
        "finished runs per minute",
        max_workers=concurrent,
    )
    service.answer(
        FunctionRunStats,
        lambda q: handlers().function_stats(q),
        "run figures per function",
        max_workers=concurrent,
    )
    service.document_events(EXECUTION_EVENTS, f"{EVENTS}.execution.{{{{executionId}}}}.{{type}}")
    return service
