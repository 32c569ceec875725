"""The scaling policy (DESIGN section 6), pure: queue length and time in, a decision out."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal


@dataclass(frozen=True)
class Policy:
    scale_up_above: int = 10  # SCALING_THRESHOLD: pending > this -> scale up
    scale_down_below: int = 3  # SCALE_DOWN_THRESHOLD: pending < this, sustained -> scale down
    scale_down_after: float = 30.0  # SCALE_DOWN_TIME, seconds
    max_instances: int = 10  # MAX_INSTANCES
    min_instances: int = 1
    step: int = 1  # instances added or removed per decision
    cooldown: float = 0.0  # seconds between two decisions


@dataclass(frozen=True)
class PoolState:
    instances: int
    low_since: float | None = None  # when the queue last went (and stayed) below the threshold
    last_change: float | None = None


@dataclass(frozen=True)
class Decision:
    action: Literal["scale_up", "scale_down"]
    instances: int
    previous: int
    queue_length: int

    @property
    def reason(self) -> str:
        return f"Queue length: {self.queue_length}"


def decide(
    policy: Policy, state: PoolState, pending: int, now: float
) -> tuple[Decision | None, PoolState]:
    """One tick of the policy: maybe a decision, and the state to carry to the next tick."""
    cooling = state.last_change is not None and now - state.last_change < policy.cooldown
    if pending > policy.scale_up_above:
        state = replace(state, low_since=None)
        if state.instances < policy.max_instances and not cooling:
            target = min(policy.max_instances, state.instances + policy.step)
            decision = Decision("scale_up", target, state.instances, pending)
            return decision, PoolState(target, None, now)
        return None, state
    if pending < policy.scale_down_below:
        low_since = state.low_since if state.low_since is not None else now
        state = replace(state, low_since=low_since)
        sustained = now - low_since >= policy.scale_down_after
        if sustained and state.instances > policy.min_instances and not cooling:
            target = max(policy.min_instances, state.instances - policy.step)
            # Still idle: the next step down follows at the next tick (after any cooldown).
            return Decision("scale_down", target, state.instances, pending), PoolState(
                target, low_since, now
            )
        return None, state
    return None, replace(state, low_since=None)
