"""What each REST answer looks like, as the OpenAPI document promises it.

Handlers answer with the services' data as it comes (`JSONResponse`), so these models document
rather than filter; tests/test_fuzz.py holds the two together by checking every generated
request's answer against the document. Answers may grow: unknown keys are allowed everywhere.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel
from s3c_events import AttemptRecord, FunctionState
from s3c_events.executor import ErrorKind, ExecutionError
from s3c_events.executor import Status as ExecutionStatus
from s3c_events.tiers import Tier

T = TypeVar("T")
Money = Annotated[
    str,
    Field(
        pattern=r"^-?[0-9]+(\.[0-9]+)?$",
        description="exact decimal dollars (the number beside it is for charts)",
    ),
]


class Shape(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


class Ok(BaseModel, Generic[T]):
    """The seed's success envelope."""

    success: Literal[True]
    data: T


# Functions
class Function(FunctionState):
    """A function at its current version; `_id` repeats `id` (the seed's shape)."""

    id_: str = Field(alias="_id")


class FunctionRemoved(Shape):
    id_: str = Field(alias="_id")
    id: str
    name: str
    deleted: Literal[True]


class RunStats(Shape):
    function_id: str
    executions: int
    completed: int
    failed: int
    last_run_at: datetime | None = Field(description="the latest run's `createdAt`")
    avg_duration_ms: float | None = Field(description="over finished runs")


# Running
class Queued(Shape):
    execution_id: str
    status: Literal["pending"]
    message: str


class Outcome(Shape):
    """A sync run's outcome (one attempt)."""

    execution_id: str
    status: Literal["completed", "failed"]
    output: Any = Field(description="the function's result (null when it failed)")
    error: str | None
    error_kind: ErrorKind | None
    duration: float = Field(description="sandbox run time, ms")
    cold_start: bool
    instance_id: str
    logs: list[str]
    function_version: int


class FunctionFailure(Shape):
    """A function URL's answer when the function failed, with a 5xx that says how: 500 for a
    runtime, memory or compile failure, 501 unsupported, 502 crash, 504 timeout."""

    error: str
    error_kind: ErrorKind
    execution_id: str


# Costs
class ResourceUsage(Shape):
    memory_mb: int = Field(alias="memoryMB")
    cpu_cores: str


class CostParts(Shape):
    base_cost: float
    base_cost_exact: Money
    cold_start_cost: float
    cold_start_cost_exact: Money
    retry_cost: float
    retry_cost_exact: Money
    data_transfer_cost: float
    data_transfer_cost_exact: Money


class Costs(CostParts):
    total_cost: float
    total_cost_exact: Money


class ExecutionCost(Costs):
    execution_id: str
    function_id: str
    tier: Tier
    status: str | None = None
    resource_usage: ResourceUsage | None = None
    billed_duration_ms: int | None = Field(None, description="duration rounded up to 100 ms")
    duration_ms: float | None = None
    cold_starts: int | None = None
    retry_count: int | None = None
    input_bytes: int | None = None
    output_bytes: int | None = None
    start_time: datetime | None = None


class Period(Shape):
    start: datetime
    end: datetime


class FunctionTotal(Shape):
    function_id: str
    function_name: str | None
    tier: Tier | None
    execution_count: int
    total_cost: float
    total_cost_exact: Money


class SystemCosts(Shape):
    period: Period
    total_executions: int
    function_costs: list[FunctionTotal]
    scaling_events: int
    total_system_cost: float
    total_system_cost_exact: Money
    total_execution_cost: float
    total_execution_cost_exact: Money
    average_cost_per_execution: float
    average_cost_per_execution_exact: Money
    scaling_cost: float
    scaling_cost_exact: Money
    storage_cost: float
    storage_cost_exact: Money


class Hour(CostParts):
    hour: datetime
    executions: int
    cost: float
    cost_exact: Money


class Trends(Shape):
    from_: datetime = Field(alias="from")
    to: datetime
    function_id: str | None
    hourly: list[Hour]


class FunctionCosts(Costs):
    function_id: str
    function_name: str | None
    tier: Tier | None
    execution_count: int
    failed_count: int
    cold_starts: int
    retries: int
    average_cost: float
    average_cost_exact: Money
    storage_cost: float
    storage_cost_exact: Money


class Audit(Shape):
    checked_executions: int
    ledger_records: int
    differences: list[dict[str, Any]]
    ledger_total_exact: Money
    recomputed_total_exact: Money
    ok: bool


# Executions
class Execution(Shape):
    """An execution's record. A field appears once the run has reached the step that sets it:
    `startTime` when it started, `endTime`, `duration`, `errorKind` when it ended."""

    id_: str = Field(alias="_id")
    id: str
    status: ExecutionStatus
    attempts: list[AttemptRecord]
    logs: list[str]
    created_at: datetime | None = None
    function_id: str | None = None
    function_name: str | None = None
    function_version: int | None = None
    tier: Tier | None = None
    mode: Literal["async", "sync"] | None = None
    input: Any = None
    output: Any = None
    error: str | None = None
    error_kind: ErrorKind | None = None
    last_error: ExecutionError | None = Field(None, description="while a retry is waiting")
    next_retry_in_ms: int | None = None
    instance_id: str | None = None
    attempt: int | None = None
    cold_start: bool | None = None
    cold_starts: int | None = None
    start_time: datetime | None = None
    end_time: datetime | None = None
    duration: float | None = Field(None, description="sandbox run time of all attempts, ms")
    retry_count: int | None = None
    input_bytes: int | None = None
    output_bytes: int | None = None
    cost: ExecutionCost | None = Field(None, description="null until billing costed the run")


# Metrics
class Histogram(Shape):
    buckets_ms: list[float]
    cumulative_counts: list[int] = Field(description="per bucket, then +Inf last")
    sum_ms: float
    count: int


class Metrics(Shape):
    total_executions: int
    completed_executions: int
    failed_executions: int
    pending_executions: int
    running_executions: int
    recent_executions: int
    success_rate: float
    average_execution_time: float
    p50_execution_time: float | None
    p99_execution_time: float | None
    executions_per_second: float
    duration_histogram: Histogram
    active_functions: int | None = Field(description="null while the registry does not answer")
    current_instances: int | None = Field(description="null while the scaler does not answer")
    queue_length: int | None = Field(description="null while the scaler does not answer")


class Point(Shape):
    t: datetime
    completed: int
    failed: int
    executions_per_second: float
    avg_ms: float | None
    p50_ms: float | None
    p99_ms: float | None


class QueueReading(Shape):
    t: datetime
    queue_length: int
    instances: int


class Timeseries(Shape):
    bucket_seconds: int
    points: list[Point]
    queue: list[QueueReading]


class ScalingDecision(Shape):
    action: Literal["scale_up", "scale_down"]
    instance_count: int
    previous_count: int
    queue_length: int
    reason: str
    decision: int
    timestamp: datetime


# Ops
class Alive(Shape):
    status: Literal["ok"]


class Readiness(Shape):
    status: Literal["ready", "not ready"]
    nats: bool
    services: dict[str, str] = Field(description='each service\'s health: "ok" or why not')


class Me(Shape):
    owner: str = Field(description="the tenant this key acts for (`local` in local mode)")
    scopes: list[str]
    key_id: str | None = Field(None, description="null for local mode and the admin key")
    local: bool = Field(description="true in local mode: no keys exist, every request is `local`")


class Key(Shape):
    id: str
    owner: str
    scopes: list[str]
    name: str = ""
    created_at: datetime
    revoked: bool = False
    revoked_at: datetime | None = None


class NewKey(Key):
    key: str = Field(description="the secret: shown once, never stored (only its hash is)")


class KeyRevokedView(Shape):
    id: str
    revoked: bool
