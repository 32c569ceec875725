"""Billing's contract: the `billing.execution_costed` event and the cost queries.

Money travels as canonical decimal strings (exact); REST adds numbers for convenience.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from pydantic import Field

from s3c_events.envelope import Event, Message
from s3c_events.owners import LOCAL, OWNER_FILTER, Owner
from s3c_events.subjects import query_subject
from s3c_events.tiers import Tier

SERVICE = "billing"


class ResourceUsage(Message):
    memory_mb: int = Field(alias="memoryMB")
    cpu_cores: str = Field(description="decimal string, e.g. '0.1'")


class ExecutionCosted(Event):
    """The cost of one finished execution (completed or failed): exactly one per execution."""

    TYPE: ClassVar[str] = "execution_costed"
    AGGREGATE: ClassVar[str] = "billing"
    execution_id: str
    function_id: str
    function_name: str
    function_version: int
    status: str
    tier: Tier
    base_cost: str
    cold_start_cost: str
    retry_cost: str
    data_transfer_cost: str
    total_cost: str
    resource_usage: ResourceUsage
    billed_duration_ms: int = Field(description="duration rounded up to whole 100 ms")
    duration_ms: float
    cold_starts: int
    retry_count: int
    input_bytes: int
    output_bytes: int
    start_time: datetime
    owner: str = Field(LOCAL, description="whose run it was (its terminal event's owner)")

    @property
    def aggregate_id(self) -> str:
        return self.execution_id


BILLING_EVENTS: tuple[type[Event], ...] = (ExecutionCosted,)


# The system's own costs (scaling, storage) are no owner's: only the every-owner answer has them.
OWNER_SCOPE = "only this owner's executions and costs; none: every owner's, and the system's"


class SystemCosts(Message):
    SUBJECT: ClassVar[str] = query_subject(SERVICE, "system_costs")
    start_date: datetime | None = None
    end_date: datetime | None = None
    owner: Owner | None = Field(None, description=OWNER_SCOPE)


class CostTrends(Message):
    SUBJECT: ClassVar[str] = query_subject(SERVICE, "cost_trends")
    from_: datetime | None = Field(None, alias="from")
    to: datetime | None = None
    function_id: str | None = None
    owner: Owner | None = Field(None, description=OWNER_SCOPE)


class FunctionCosts(Message):
    SUBJECT: ClassVar[str] = query_subject(SERVICE, "function_costs")
    function_id: str
    owner: Owner | None = Field(None, description=OWNER_FILTER)


class ExecutionCost(Message):
    SUBJECT: ClassVar[str] = query_subject(SERVICE, "execution_cost")
    execution_id: str
    owner: Owner | None = Field(None, description=OWNER_FILTER)


class ExecutionCostList(Message):
    """The costs of many executions at once (a page of a list): those not costed yet are absent."""

    SUBJECT: ClassVar[str] = query_subject(SERVICE, "execution_costs")
    execution_ids: list[str] = Field(max_length=1000)
    owner: Owner | None = Field(None, description=OWNER_FILTER)


class CostAudit(Message):
    """Recompute every cost from the execution events in the stream and compare."""

    SUBJECT: ClassVar[str] = query_subject(SERVICE, "audit")
