"""Intake: the `execute` and `invoke` commands. A request names a function; the executor admits
it against the function as it knows it, then queues the job (execute) or runs it (invoke).

The only writer of `execution.*` and of the work queue is this service.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from s3c_events import ExecuteFunction, ExecutionJob, InvokeFunction, new_id, utc_now
from s3c_runtime.rpc import RequestError

from s3c_executor.domain import admission
from s3c_executor.ports import Functions, Outbox

Run = Callable[[ExecutionJob], Awaitable[dict[str, Any]]]


class Intake:
    def __init__(self, functions: Functions, outbox: Outbox, run: Run) -> None:
        self.functions = functions
        self.outbox = outbox
        self.run = run

    async def _admit(
        self, request: ExecuteFunction | InvokeFunction, mode: admission.Mode
    ) -> ExecutionJob:
        state = await self.functions.find(request.function_id, request.name, request.owner)
        verdict = admission.admit(
            state, request.input, mode, request.execution_id or new_id(), utc_now(), request.owner
        )
        if isinstance(verdict, admission.Refusal):
            raise RequestError(verdict.code, verdict.message, verdict.field)
        return verdict

    async def execute(self, request: ExecuteFunction) -> dict[str, Any]:
        """Queue a run and answer at once: `{executionId, status: "pending"}`."""
        job = await self._admit(request, "async")
        # The job first: once it is queued the run happens, even if we die before the event.
        await self.outbox.queue(job)
        await self.outbox.record(admission.requested(job))
        return {"executionId": job.execution_id, "status": "pending"}

    async def invoke(self, request: InvokeFunction) -> dict[str, Any]:
        """Run now and answer with the outcome (one attempt)."""
        return await self.run(await self._admit(request, "sync"))
