"""The ports billing's handlers depend on: its read models, the event log, the publisher.

Production adapters: `store.MongoCostStore` and `stream.JetStreamEventLog` /
`stream.JetStreamPublisher`; unit tests pass in-memory fakes behind the same ports.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Collection, Sequence
from typing import Any, Protocol

from s3c_events import ExecutionCosted
from s3c_events.streams import StreamSpec
from s3c_events.tiers import Tier
from s3c_runtime.mongo import Doc
from s3c_runtime.projector import Applied

from s3c_billing.domain.ledger import Costed, Rollup


class TierSource(Protocol):
    async def version_tiers(self, function_ids: Collection[str]) -> dict[str, dict[str, Tier]]:
        """Function id -> version (as a string) -> tier, for the versions billing has seen."""
        ...


class CostStore(TierSource, Protocol):
    """Billing's read models, read (queries and the audit). Documents come back as stored."""

    def function_versions(self, function_id: str | None = None) -> AsyncIterator[Doc]:
        """`function_versions` documents: one function's, or every one."""
        ...

    async def function_version(self, function_id: str) -> Doc | None: ...

    def scaling_charges(self, first_hour: str, last_hour: str) -> AsyncIterator[Doc]:
        """Charges whose UTC hour bucket is within [first_hour, last_hour]."""
        ...

    def function_hours(
        self, first_hour: str, last_hour: str, owner: str | None = None
    ) -> AsyncIterator[Doc]:
        """Each function's hourly roll-ups (not the system's) within the hours; with an owner,
        only that owner's functions'."""
        ...

    def hourly(
        self, function_id: str, first_hour: str | None = None, last_hour: str | None = None
    ) -> AsyncIterator[Doc]:
        """One function's hourly roll-ups (`*`: the system's), by hour, within the hours given."""
        ...

    def owner_hourly(
        self, owner: str | None, first_hour: str | None = None, last_hour: str | None = None
    ) -> AsyncIterator[Doc]:
        """One owner's hourly roll-ups (None: every owner's), by hour, within the hours given."""
        ...

    def function_rollups(self, function_ids: Collection[str] | None = None) -> AsyncIterator[Doc]:
        """The all-time roll-ups of these functions (None: of every function)."""
        ...

    async def function_rollup(self, function_id: str) -> Doc | None: ...

    async def cost_record(self, execution_id: str) -> Doc | None: ...

    async def cost_records(self, execution_ids: Collection[str]) -> dict[str, Doc]:
        """The ledger's records of these executions, by execution id."""
        ...

    def all_cost_records(self) -> AsyncIterator[Doc]:
        """Every ledger record, streamed (never all held at once)."""
        ...


class LedgerStore(TierSource, Protocol):
    """What the costs projection reads and writes. Each write is one batch (one bulk write)."""

    async def record_seqs(self, execution_ids: Collection[str]) -> dict[str, int]:
        """Execution id -> stream sequence of the record the ledger holds for it."""
        ...

    async def rollups(self, ids: Collection[str]) -> dict[str, Rollup]:
        """The stored roll-ups among `ids` (by `RollupKey.id`)."""
        ...

    async def insert_records(self, records: Sequence[Costed]) -> None:
        """Store each record unless its execution has one already (the first stored wins)."""
        ...

    async def save_rollups(self, rollups: Sequence[Rollup]) -> None:
        """Store each roll-up unless the stored one has applied its sequence already."""
        ...


class Publisher(Protocol):
    """Announces a cost record (`billing.execution_costed`); publishing it again is a no-op."""

    async def __call__(self, record: ExecutionCosted, /) -> Any: ...


class EventLog(Protocol):
    def batches(
        self, stream: StreamSpec, subjects: Sequence[str], batch_size: int = 256
    ) -> AsyncGenerator[Sequence[Applied], None]:
        """The events stored on `subjects` of `stream` until now, in stream order, a batch at a
        time. Events this build does not know are skipped (tolerant reader)."""
        ...
