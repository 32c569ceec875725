"""The executor's contract: the work item, `execution.*` events, execute/invoke commands, queries."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, ClassVar, Literal

from pydantic import Field, model_validator

from s3c_events.envelope import Event, Message
from s3c_events.jsonvalue import MAX_JSON_DEPTH  # noqa: F401 - the limit for results too
from s3c_events.owners import LOCAL, OWNER_FILTER, Owner
from s3c_events.registry import Runtime
from s3c_events.subjects import command_subject, load_subject, query_subject, work_subject
from s3c_events.tiers import Tier

SERVICE = "executor"
MAX_INPUT_BYTES = 256 * 1024  # the input, output and logs of a run travel in one 1 MiB message
MAX_OUTPUT_BYTES = 256 * 1024  # a result as compact UTF-8 JSON
MAX_LOG_LINES = 1000  # per run, then "... (logs truncated)"
MAX_LOG_CHARS = 64 * 1024
MAX_ERROR_CHARS = 4096
Status = Literal["pending", "running", "completed", "failed"]
# compile: the code cannot be loaded (no retry); runtime: it threw; timeout: it ran too long;
# memory: it passed its tier's cap; crash: the worker died under it; unsupported: cannot run here.
ErrorKind = Literal["compile", "runtime", "timeout", "memory", "crash", "unsupported"]
RETRYABLE: frozenset[str] = frozenset({"runtime", "timeout", "crash"})


class FunctionSnapshot(Message):
    """What a run needs of a function, frozen at request time: the version it will run."""

    id: str
    name: str
    version: int
    code: str
    runtime: Runtime = "javascript"
    timeout: int
    retry_count: int
    tier: Tier
    owner: str = Field(LOCAL, description="the function's owner: the run is theirs")


class ExecutionJob(Message):
    """A request to run, on `s3c.work.execution.<tier>` (WorkQueue stream) or to `invoke`."""

    execution_id: str
    function: FunctionSnapshot
    input: Any = None
    input_bytes: int
    requested_at: datetime
    mode: Literal["async", "sync"] = "async"

    @property
    def subject(self) -> str:
        """Where the job is queued: `s3c.work.execution.<tier>`."""
        return work_subject(self.function.tier)


def input_bytes(value: Any) -> int:
    """`inputBytes`: the size of an input as compact UTF-8 JSON, the size `MAX_INPUT_BYTES` limits."""
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode())


class ExecutionError(Message):
    kind: ErrorKind
    message: str


class AttemptRecord(Message):
    attempt: int
    instance_id: str
    cold_start: bool
    duration_ms: float = Field(description="sandbox run time of this attempt")
    started_at: datetime
    ended_at: datetime
    error: ExecutionError | None = None


class _ExecutionEvent(Event):
    AGGREGATE: ClassVar[str] = "execution"
    execution_id: str
    function_id: str
    owner: str = Field(LOCAL, description="the owner of the function run: the run is theirs")

    @property
    def aggregate_id(self) -> str:
        return self.execution_id


class ExecutionRequested(_ExecutionEvent):
    TYPE: ClassVar[str] = "requested"
    function_name: str
    function_version: int
    tier: Tier
    input: Any = None
    input_bytes: int
    mode: Literal["async", "sync"] = "async"


class ExecutionStarted(_ExecutionEvent):
    TYPE: ClassVar[str] = "started"
    function_version: int
    instance_id: str
    attempt: int
    cold_start: bool
    history: list[AttemptRecord] = Field(
        default_factory=list,
        description="the attempts before this one (lost ones included): a redelivery after "
        "this attempt is lost too still knows them",
    )


class ExecutionAttemptFailed(_ExecutionEvent):
    """One attempt failed and another follows after `retryInMs` (durable backoff)."""

    TYPE: ClassVar[str] = "attempt_failed"
    record: AttemptRecord
    retry_in_ms: int
    history: list[AttemptRecord] = Field(
        default_factory=list, description="the attempts before this one, so a retry needs no lookup"
    )


class _Terminal(_ExecutionEvent):
    """Terminal events carry every fact billing and the read models need."""

    function_name: str
    function_version: int
    tier: Tier
    input: Any = None
    logs: list[str] = Field(default_factory=list)
    attempts: list[AttemptRecord]
    start_time: datetime
    end_time: datetime
    duration_ms: float = Field(description="sandbox run time, all attempts summed")
    retry_count: int = Field(description="retries done: attempts - 1")
    cold_starts: int
    input_bytes: int
    output_bytes: int
    instance_id: str
    mode: Literal["async", "sync"] = "async"


class ExecutionCompleted(_Terminal):
    TYPE: ClassVar[str] = "completed"
    output: Any = None


class ExecutionFailed(_Terminal):
    TYPE: ClassVar[str] = "failed"
    error: ExecutionError
    output: Any = None


EXECUTION_EVENTS: tuple[type[_ExecutionEvent], ...] = (
    ExecutionRequested,
    ExecutionStarted,
    ExecutionAttemptFailed,
    ExecutionCompleted,
    ExecutionFailed,
)


class _RunRequest(Message):
    """A request to run a function, named by id or by name (`functionId` wins if both are
    given), with its input. The executor checks the function and the input against its rules."""

    function_id: str | None = None
    name: str | None = None
    input: Any = None
    execution_id: str | None = Field(
        None,
        pattern=r"^[A-Za-z0-9_-]{1,64}$",
        description="the id to give the run; a request repeated with the same id runs once "
        "(within 2 minutes). The executor picks one when it is absent.",
    )
    owner: Owner | None = Field(
        None,
        description="the caller's owner: another owner's function is not_found, and a name is "
        "looked up within it (none: any function by id, a name within local mode's owner)",
    )

    @model_validator(mode="before")
    @classmethod
    def _from_snapshot(cls, data: Any) -> Any:
        # Tolerant reader: the earlier `invoke` request carried a whole function snapshot.
        # Only its id is read now; the executor runs the function as it knows it.
        if isinstance(data, dict) and isinstance(data.get("function"), dict):
            if data.get("functionId") is None and data.get("function_id") is None:
                return {**data, "functionId": data["function"].get("id")}
        return data


class ExecuteFunction(_RunRequest):
    """Queue a run (Lambda's Event invocation): the job goes to the work queue, then
    `execution.requested` is recorded; the answer is `{executionId, status: "pending"}`."""

    SUBJECT: ClassVar[str] = command_subject(SERVICE, "execute")


class InvokeFunction(_RunRequest):
    """Run now and answer with the outcome (Lambda's RequestResponse); one attempt."""

    SUBJECT: ClassVar[str] = command_subject(SERVICE, "invoke")


class ExecutorLoad(Message):
    """What one executor's worker pool is doing, published every second. Runs waiting for a
    free worker (sync invokes mostly: queued jobs wait in the work queue) are load the work
    queue's depth does not show; the scaler adds them to it."""

    SUBJECT: ClassVar[str] = load_subject(SERVICE)
    executor: str = Field(description="the executor process (host and pid)")
    instances: int = Field(ge=0, description="its sandbox worker processes")
    busy: int = Field(ge=0, description="workers running a call now")
    waiting: int = Field(ge=0, description="runs waiting for a free worker")


class ExecutionDetail(Message):
    SUBJECT: ClassVar[str] = query_subject(SERVICE, "execution")
    execution_id: str
    owner: Owner | None = Field(None, description=OWNER_FILTER)


class ExecutionList(Message):
    SUBJECT: ClassVar[str] = query_subject(SERVICE, "executions")
    function_id: str | None = None
    status: Status | None = None
    limit: int = Field(50, ge=1, le=1000)
    owner: Owner | None = Field(None, description=OWNER_FILTER)


class ExecutionMetrics(Message):
    """Counts by status, durations (average, p50, p99, histogram) and recent throughput."""

    SUBJECT: ClassVar[str] = query_subject(SERVICE, "metrics")
    owner: Owner | None = Field(None, description="one owner's figures; none: the system's")


class ExecutionTimeseries(Message):
    """Runs finished per minute (counts, rate, average, p50, p99), oldest first, one point a
    minute up to the current one."""

    SUBJECT: ClassVar[str] = query_subject(SERVICE, "timeseries")
    minutes: int = Field(15, ge=1, le=1440)
    owner: Owner | None = Field(None, description="one owner's runs; none: the system's")


class FunctionRunStats(Message):
    """Run figures per function: one function's (zeros if it never ran), or, without
    `functionId`, those of every function that ran."""

    SUBJECT: ClassVar[str] = query_subject(SERVICE, "function_stats")
    function_id: str | None = None
    owner: Owner | None = Field(
        None, description="only this owner's functions (another owner's reads as never run)"
    )
