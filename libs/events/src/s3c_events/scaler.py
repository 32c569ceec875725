"""The scaler's contract: `scaling.*` decisions about the executors' worker pool, and queries."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from s3c_events.envelope import Event, Message
from s3c_events.subjects import query_subject

SERVICE = "scaler"
POOL = "pool"  # the aggregate id: one pool of instances (per executor process, see docs)


class _PoolScaled(Event):
    """A scaling decision: executors resize their worker pools to `instanceCount`."""

    AGGREGATE: ClassVar[str] = "scaling"
    action: Literal["scale_up", "scale_down"]
    instance_count: int = Field(description="workers each executor process should run")
    previous_count: int
    queue_length: int = Field(description="undelivered jobs in the work queue when decided")
    reason: str = Field(description='e.g. "Queue length: 15"')
    decision: int = Field(description="1, 2, 3...: the decision's number, gapless")

    @property
    def aggregate_id(self) -> str:
        return POOL


class PoolScaledUp(_PoolScaled):
    TYPE: ClassVar[str] = "scaled_up"


class PoolScaledDown(_PoolScaled):
    TYPE: ClassVar[str] = "scaled_down"


SCALING_EVENTS: tuple[type[Event], ...] = (PoolScaledUp, PoolScaledDown)


class ScalingHistory(Message):
    SUBJECT: ClassVar[str] = query_subject(SERVICE, "history")
    limit: int = Field(100, ge=1, le=1000)


class ScalerStatus(Message):
    """The current decision, the last queue length read, and the policy in force."""

    SUBJECT: ClassVar[str] = query_subject(SERVICE, "status")


class QueueHistory(Message):
    """The scaler's recent reads of the work queue's depth, oldest first (kept in memory: a
    restarted scaler starts with none)."""

    SUBJECT: ClassVar[str] = query_subject(SERVICE, "queue_history")
    minutes: int = Field(15, ge=1, le=1440)
