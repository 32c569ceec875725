"""The ledger's rules, pure: the cost record of a run, which record counts for an execution (the
first terminal event wins), and how counted records add into the roll-ups (per function, per
owner and system-wide), exactly once.

Every record and roll-up carries the stream sequence it came from. A record counts when it is
the execution's first terminal event; a roll-up takes a record only if its sequence is above the
last one the roll-up applied (the sequence guard), so a batch applied again, whole or after a
crash halfway through its writes, changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Literal

from s3c_events.billing import ExecutionCosted, ResourceUsage
from s3c_events.executor import ExecutionCompleted, ExecutionFailed
from s3c_events.tiers import TIERS, Tier

from s3c_billing.domain.costs import EXACT, canonical, execution_cost, hour_bucket

# The money fields of a cost record and of a roll-up, as they are named on the wire and stored.
MONEY = ("baseCost", "coldStartCost", "retryCost", "dataTransferCost", "totalCost")
SYSTEM = "*"  # the function id of the system-wide and of the per-owner hourly roll-ups

Terminal = ExecutionCompleted | ExecutionFailed


def pick_tier(event: Terminal, known: Mapping[str, Mapping[str, Tier]]) -> Tier:
    """The run's tier from its function version's own inputs (`known`: function id -> version ->
    tier, as billing recorded them); the executor's tier (same rule, same inputs) if billing has
    not seen that version."""
    return known.get(event.function_id, {}).get(str(event.function_version), event.tier)


def cost_record(event: Terminal, tier: Tier) -> ExecutionCosted:
    """The cost of one finished run. Its id is deterministic, so a replay publishes no duplicate."""
    c = execution_cost(
        tier,
        event.duration_ms,
        event.cold_starts,
        event.retry_count,
        event.input_bytes,
        event.output_bytes,
    )
    spec = TIERS[tier]
    return ExecutionCosted(
        event_id=f"{event.execution_id}-costed",
        execution_id=event.execution_id,
        function_id=event.function_id,
        function_name=event.function_name,
        function_version=event.function_version,
        status="completed" if isinstance(event, ExecutionCompleted) else "failed",
        tier=tier,
        base_cost=canonical(c.base_cost),
        cold_start_cost=canonical(c.cold_start_cost),
        retry_cost=canonical(c.retry_cost),
        data_transfer_cost=canonical(c.data_transfer_cost),
        total_cost=canonical(c.total_cost),
        resource_usage=ResourceUsage(memory_mb=spec.memory_mb, cpu_cores=str(spec.cpu_cores)),
        billed_duration_ms=c.billed_duration_ms,
        duration_ms=event.duration_ms,
        cold_starts=event.cold_starts,
        retry_count=event.retry_count,
        input_bytes=event.input_bytes,
        output_bytes=event.output_bytes,
        start_time=event.start_time,
        owner=event.owner,
    )


@dataclass(frozen=True)
class Costed:
    """A cost record and the stream sequence of the terminal event it prices."""

    seq: int
    record: ExecutionCosted

    @property
    def execution_id(self) -> str:
        return self.record.execution_id


def first_terminal_wins(
    candidates: Sequence[Costed], stored: Mapping[str, int]
) -> tuple[list[Costed], list[Costed]]:
    """Which records of a batch count, given `stored` (execution id -> sequence of the record the
    ledger already holds). Returns `(new, counted)`, both in batch order:

    - new: the first terminal event of each execution the ledger does not hold yet (to insert);
    - counted: `new`, plus the records the ledger holds from these very events (a batch applied
      again after a crash): the roll-ups' sequence guard decides whether those are in already.

    A later terminal event of an execution already recorded (a duplicate `failed` after a
    `completed`) is neither: it is not billed twice.
    """
    first: dict[str, int] = {}
    for c in candidates:
        if c.execution_id not in stored:
            first[c.execution_id] = min(c.seq, first.get(c.execution_id, c.seq))
    new: list[Costed] = []
    counted: list[Costed] = []
    taken: set[int] = set()
    for c in candidates:
        if c.seq in taken:
            continue
        if first.get(c.execution_id) == c.seq:
            new.append(c)
        elif stored.get(c.execution_id) != c.seq:
            continue
        taken.add(c.seq)
        counted.append(c)
    return new, counted


@dataclass(frozen=True)
class Money:
    """The five money figures of a record or a roll-up, each summed on its own, exactly."""

    base_cost: Decimal = Decimal(0)
    cold_start_cost: Decimal = Decimal(0)
    retry_cost: Decimal = Decimal(0)
    data_transfer_cost: Decimal = Decimal(0)
    total_cost: Decimal = Decimal(0)

    @classmethod
    def of(cls, record: ExecutionCosted) -> Money:
        return cls(
            Decimal(record.base_cost),
            Decimal(record.cold_start_cost),
            Decimal(record.retry_cost),
            Decimal(record.data_transfer_cost),
            Decimal(record.total_cost),
        )

    @classmethod
    def parse(cls, fields: Mapping[str, object]) -> Money:
        """From money strings named as in `MONEY` (a missing one is zero)."""
        return cls(*(Decimal(str(fields.get(name, "0"))) for name in MONEY))

    def __add__(self, other: Money) -> Money:
        return Money(
            EXACT.add(self.base_cost, other.base_cost),
            EXACT.add(self.cold_start_cost, other.cold_start_cost),
            EXACT.add(self.retry_cost, other.retry_cost),
            EXACT.add(self.data_transfer_cost, other.data_transfer_cost),
            EXACT.add(self.total_cost, other.total_cost),
        )

    def as_strings(self) -> dict[str, str]:
        """Canonical decimal strings, named as in `MONEY` (how money is stored)."""
        amounts = (
            self.base_cost,
            self.cold_start_cost,
            self.retry_cost,
            self.data_transfer_cost,
            self.total_cost,
        )
        return {name: canonical(amount) for name, amount in zip(MONEY, amounts, strict=True)}


@dataclass(frozen=True)
class RollupKey:
    """One roll-up: a function's all-time totals (`function`), one UTC hour of a function or of
    the whole system (`hour`; the system's has `function_id == SYSTEM`), or one UTC hour of one
    owner's executions (`owner`)."""

    kind: Literal["function", "hour", "owner"]
    function_id: str
    hour: str | None = None
    owner: str | None = None  # an `owner` roll-up's owner

    @classmethod
    def of_owner(cls, owner: str, hour: str) -> RollupKey:
        return cls("owner", SYSTEM, hour, owner)

    @property
    def id(self) -> str:
        if self.kind == "function":
            return f"fn|{self.function_id}"
        if self.kind == "owner":
            return f"owner|{self.hour}|{self.owner}"
        return f"hour|{self.hour}|{self.function_id}"

    @property
    def per_function(self) -> bool:
        """A function's roll-up (all-time or hourly): it belongs to the function's owner."""
        return self.function_id != SYSTEM

    @classmethod
    def parse(cls, rollup_id: str) -> RollupKey:
        """The key of an id: `fn|<function>`, `hour|<hour>|<function or *>` or
        `owner|<hour>|<owner>` (neither ids nor owners contain `|`)."""
        parts = rollup_id.split("|")
        if parts[0] == "fn" and len(parts) == 2:
            return cls("function", parts[1])
        if parts[0] == "hour" and len(parts) == 3:
            return cls("hour", parts[2], parts[1])
        if parts[0] == "owner" and len(parts) == 3:
            return cls.of_owner(parts[2], parts[1])
        raise ValueError(f"not a roll-up id: {rollup_id!r}")


def rollup_keys(record: ExecutionCosted) -> tuple[RollupKey, ...]:
    """Every roll-up a record adds into."""
    hour = hour_bucket(record.start_time)
    return (
        RollupKey("function", record.function_id),
        RollupKey("hour", record.function_id, hour),
        RollupKey("hour", SYSTEM, hour),
        RollupKey.of_owner(record.owner, hour),
    )


@dataclass(frozen=True)
class Rollup:
    """The totals of one roll-up and the last stream sequence folded into them."""

    key: RollupKey
    money: Money = field(default_factory=Money)
    executions: int = 0
    failed: int = 0
    cold_starts: int = 0
    retries: int = 0
    seq: int = 0
    # Function roll-ups name the function as its latest record does.
    function_name: str | None = None
    tier: Tier | None = None
    # A function's roll-ups (all-time and hourly) carry its owner, as its latest record names it.
    owner: str | None = None

    def add(self, costed: Costed) -> Rollup:
        """These totals with one more record; a record at or below `seq` is in them already."""
        if costed.seq <= self.seq:
            return self
        r = costed.record
        named = self.key.kind == "function"
        return replace(
            self,
            money=self.money + Money.of(r),
            executions=self.executions + 1,
            failed=self.failed + int(r.status == "failed"),
            cold_starts=self.cold_starts + r.cold_starts,
            retries=self.retries + r.retry_count,
            seq=costed.seq,
            function_name=r.function_name if named else self.function_name,
            tier=r.tier if named else self.tier,
            owner=r.owner if self.key.per_function else self.key.owner,
        )


def roll_up(stored: Mapping[str, Rollup], counted: Sequence[Costed]) -> list[Rollup]:
    """The roll-ups `counted` changes (in the order first touched), from the `stored` ones (by
    `RollupKey.id`; absent: zero). Records a roll-up has applied already are skipped."""
    changed: dict[str, Rollup] = {}
    for costed in sorted(counted, key=lambda c: c.seq):
        for key in rollup_keys(costed.record):
            current = changed.get(key.id) or stored.get(key.id) or Rollup(key)
            changed[key.id] = current.add(costed)
    return [r for r in changed.values() if r.seq > applied(stored.get(r.key.id))]


def applied(rollup: Rollup | None) -> int:
    """The last sequence a stored roll-up applied (0: none stored)."""
    return rollup.seq if rollup is not None else 0


@dataclass(frozen=True)
class LedgerPlan:
    """What one batch does to the ledger: records to insert, the records it bills (to roll up
    and to announce) and the roll-ups it changes."""

    new: list[Costed]
    counted: list[Costed]
    rollups: list[Rollup]


def rollup_ids(candidates: Sequence[Costed]) -> list[str]:
    """The roll-ups a batch may touch: load these before `plan_batch`."""
    return list(dict.fromkeys(k.id for c in candidates for k in rollup_keys(c.record)))


def plan_batch(
    candidates: Sequence[Costed],
    stored_records: Mapping[str, int],
    stored_rollups: Mapping[str, Rollup],
) -> LedgerPlan:
    """The ledger's decision for a batch of priced terminal events, from what it stores now:
    `stored_records` (execution id -> sequence of its record), `stored_rollups` (by id)."""
    new, counted = first_terminal_wins(candidates, stored_records)
    return LedgerPlan(new, counted, roll_up(stored_rollups, counted))
