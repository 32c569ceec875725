"""Executor composition root: the worker pool, the work consumer, invoke and the read model."""

from __future__ import annotations

from s3c_events import ExecutionDetail, ExecutionList, InvokeFunction
from s3c_events.executor import EXECUTION_EVENTS, SERVICE
from s3c_events.subjects import EVENTS
from s3c_runtime.projector import Projector
from s3c_runtime.service import Service, rpc
from s3c_runtime.settings import Settings

from s3c_executor import projections
from s3c_executor.handlers import ExecutorHandlers
from s3c_executor.sandbox.pool import Pool
from s3c_executor.work import WorkConsumer


def build(settings: Settings | None = None) -> Service:
    service = Service(SERVICE, settings)
    cfg = service.settings
    parts: dict[str, object] = {}

    def handlers() -> ExecutorHandlers:
        return parts["handlers"]  # type: ignore[return-value]

    @service.on_ready
    async def start() -> None:
        pool = Pool(cfg.instances)
        await pool.start()
        projector = Projector(service.js, service.db, projections.ExecutionsProjection())
        await projections.ensure_indexes(projector.target)
        projector.start()
        parts["handlers"] = h = ExecutorHandlers(service.js, pool, projector)
        consumer = WorkConsumer(service.js, h, cfg.work_ack_wait)
        await consumer.start(min(cfg.instances, cfg.max_concurrent_executions))
        parts.update(pool=pool, projector=projector, consumer=consumer)
        service.health_info = lambda: {
            "instances": pool.size,
            "workerPids": pool.pids(),
            "replacedWorkers": pool.replaced,
            "inFlight": consumer.in_flight,
        }

    @service.on_stop
    async def stop() -> None:
        if "consumer" in parts:
            await parts["consumer"].stop()  # type: ignore[attr-defined]
            await handlers().drain()
            await parts["projector"].stop()  # type: ignore[attr-defined]
            await parts["pool"].close()  # type: ignore[attr-defined]

    routes = [
        (InvokeFunction, lambda c: handlers().invoke(c), "run now and answer with the outcome"),
        (ExecutionDetail, lambda q: handlers().detail(q), "one execution"),
        (ExecutionList, lambda q: handlers().list(q), "executions, newest first"),
    ]
    for model, handler, title in routes:
        # Requests are handled concurrently; the pool bounds how many runs are in flight.
        service.broker.subscriber(
            model.SUBJECT,
            queue=SERVICE,
            title=model.SUBJECT,
            description=title,
            max_workers=max(2, cfg.max_concurrent_executions * 4),
        )(rpc(model)(handler))
    for event in EXECUTION_EVENTS:
        service.broker.publisher(
            f"{EVENTS}.execution.{{executionId}}.{event.TYPE}",
            schema=event,
            title=f"execution.{event.TYPE}",
            description=(event.__doc__ or event.__name__).strip(),
        )
    return service
