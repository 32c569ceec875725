"""The scaling policy without servers."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from s3c_scaler.domain.policy import Policy, PoolState, decide

SEED = Policy()


def test_scale_up_above_the_threshold_until_the_maximum() -> None:
    decision, _ = decide(SEED, PoolState(1), 15, 0.0)
    assert decision is not None and decision.action == "scale_up" and decision.instances == 2
    assert decision.reason == "Queue length: 15"
    assert decide(SEED, PoolState(10), 500, 1.0)[0] is None
    assert decide(SEED, PoolState(3), 10, 1.0)[0] is None  # not above 10


def test_scale_down_only_after_sustained_quiet() -> None:
    state = PoolState(3)
    decision, state = decide(SEED, state, 0, 100.0)
    assert decision is None and state.low_since == 100.0
    decision, state = decide(SEED, state, 2, 129.0)
    assert decision is None
    decision, state = decide(SEED, state, 1, 130.0)
    assert decision is not None and decision.action == "scale_down" and decision.instances == 2
    decision, state = decide(SEED, state, 0, 132.0)
    assert decision is not None and decision.instances == 1
    assert decide(SEED, state, 0, 200.0)[0] is None  # never below one


def test_a_busy_moment_resets_the_quiet_clock() -> None:
    _, state = decide(SEED, PoolState(3), 0, 0.0)
    _, state = decide(SEED, state, 5, 20.0)  # between the thresholds
    assert state.low_since is None
    decision, state = decide(SEED, state, 0, 31.0)
    assert decision is None and state.low_since == 31.0


def test_cooldown_spaces_decisions() -> None:
    policy = Policy(cooldown=5.0)
    decision, state = decide(policy, PoolState(1), 50, 0.0)
    assert decision is not None
    assert decide(policy, state, 50, 4.0)[0] is None
    assert decide(policy, state, 50, 5.0)[0] is not None


@given(
    st.lists(st.tuples(st.integers(0, 100), st.floats(0, 10, allow_nan=False)), max_size=60),
    st.integers(1, 10),
)
def test_instances_stay_within_bounds_and_move_one_step(
    ticks: list[tuple[int, float]], start: int
) -> None:
    state, now = PoolState(start), 0.0
    for pending, dt in ticks:
        now += dt
        decision, new_state = decide(SEED, state, pending, now)
        assert SEED.min_instances <= new_state.instances <= SEED.max_instances
        if decision:
            assert abs(decision.instances - decision.previous) == SEED.step
            assert (
                decision.previous == state.instances and decision.instances == new_state.instances
            )
            assert (decision.action == "scale_up") == (pending > SEED.scale_up_above)
        else:
            assert new_state.instances == state.instances
        state = new_state
