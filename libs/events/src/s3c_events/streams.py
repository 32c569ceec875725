"""JetStream streams and durable consumers: names, subjects and retention, in one place."""

from __future__ import annotations

from dataclasses import dataclass, field

from s3c_events import subjects


@dataclass(frozen=True)
class StreamSpec:
    name: str
    subjects: tuple[str, ...]
    work_queue: bool = False
    # Window in which JetStream drops a re-published Nats-Msg-Id (seconds).
    duplicate_window: float = 120.0
    description: str = ""
    extra: dict[str, object] = field(default_factory=dict)


FUNCTIONS = StreamSpec(
    "S3C_FUNCTIONS", (subjects.FUNCTION_EVENTS,), description="function.* events (limits retention)"
)
EXECUTIONS = StreamSpec(
    "S3C_EXECUTIONS", (subjects.EXECUTION_EVENTS,), description="execution.* events"
)
SCALING = StreamSpec("S3C_SCALING", (subjects.SCALING_EVENTS,), description="scaling.* events")
BILLING = StreamSpec("S3C_BILLING", (subjects.BILLING_EVENTS,), description="billing.* events")
KEYS = StreamSpec(
    "S3C_KEYS", (subjects.KEY_EVENTS,), description="key.* events (hashes of API keys, no secrets)"
)
WORK = StreamSpec(
    "S3C_WORK",
    (f"{subjects.WORK}.execution.>",),
    work_queue=True,
    description="execution requests; WorkQueue retention, one shared durable pull consumer",
)

ALL: tuple[StreamSpec, ...] = (FUNCTIONS, EXECUTIONS, SCALING, BILLING, KEYS, WORK)

# The single durable consumer every executor process pulls from (competing consumers).
WORK_CONSUMER = "executors"
