"""The ports the scaling loop depends on: the log of its decisions (appended with optimistic
concurrency) and the work queue whose depth it reads.

Production adapters: `stream.JetStreamDecisionLog` and `stream.JetStreamWorkQueue`; unit tests
pass in-memory fakes behind the same ports.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from s3c_events import PoolScaledDown, PoolScaledUp

Decision = PoolScaledUp | PoolScaledDown


@dataclass(frozen=True)
class StoredDecision:
    event: Decision
    seq: int  # its stream sequence


class DecisionLog(Protocol):
    async def last(self) -> StoredDecision | None:
        """The last decision stored (None: none yet)."""
        ...

    async def append(self, decision: Decision, after: int) -> int | None:
        """Store `decision` if the last one stored is at sequence `after` (0: none yet); returns
        its sequence. None: another decision came first (the last one stored is another, or
        this decision's id is stored already), so nothing was stored."""
        ...


class WorkQueue(Protocol):
    async def pending(self) -> int:
        """Jobs waiting in the work queue, not yet handed to an executor."""
        ...
