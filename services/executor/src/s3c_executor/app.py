"""The executor service: the execute/invoke intake (hot request paths), the execution queries
and the `execution.*` events it documents, wired at start-up by `bootstrap`."""

from __future__ import annotations

from s3c_events import (
    ExecuteFunction,
    ExecutionDetail,
    ExecutionList,
    ExecutionMetrics,
    ExecutionTimeseries,
    FunctionRunStats,
    InvokeFunction,
)
from s3c_events.executor import EXECUTION_EVENTS, SERVICE
from s3c_events.subjects import EVENTS
from s3c_runtime.service import Service

from s3c_executor.bootstrap import Deps, Executor, Handlers
from s3c_executor.settings import ExecutorSettings


def build(
    settings: ExecutorSettings | None = None, deps: Deps | None = None
) -> Service[ExecutorSettings]:
    """The executor service. With `deps` (unit tests) it answers from those and starts nothing;
    otherwise it starts its worker pool, work consumer and projector once connected."""
    service = Service(SERVICE, settings or ExecutorSettings())
    cfg = service.settings
    handlers = Handlers(deps)
    if deps is None:
        executor = Executor(service, handlers)
        service.health_info = executor.health
        service.on_ready(executor.start)
        service.on_stop(executor.stop)

    # Requests are handled concurrently; the pool bounds how many runs are in flight.
    concurrent = max(2, cfg.max_concurrent_executions * 4)
    service.answer(
        ExecuteFunction,
        handlers.execute,
        "queue a run: the job, then execution.requested; answers {executionId, status: pending}",
        hot=True,
        max_workers=concurrent,
    )
    service.answer(
        InvokeFunction,
        handlers.invoke,
        "run now and answer with the outcome",
        hot=True,
        max_workers=concurrent,
    )
    service.answer(ExecutionDetail, handlers.detail, "one execution", max_workers=concurrent)
    service.answer(ExecutionList, handlers.list, "executions, newest first", max_workers=concurrent)
    service.answer(
        ExecutionMetrics,
        handlers.metrics,
        "counts, durations and throughput, from the roll-ups",
        max_workers=concurrent,
    )
    service.answer(
        ExecutionTimeseries,
        handlers.timeseries,
        "finished runs per minute",
        max_workers=concurrent,
    )
    service.answer(
        FunctionRunStats,
        handlers.function_stats,
        "run figures per function",
        max_workers=concurrent,
    )
    service.document_events(EXECUTION_EVENTS, f"{EVENTS}.execution.{{{{executionId}}}}.{{type}}")
    return service
