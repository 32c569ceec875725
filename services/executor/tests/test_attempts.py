"""The attempt rules, pure: what a delivery does given what the event log holds."""

from __future__ import annotations

from datetime import timedelta

import pytest
from executor_fakes import T0, failure, job, ok
from s3c_events import ExecutionAttemptFailed, ExecutionStarted
from s3c_executor.domain import attempts
from s3c_executor.domain.attempts import Attempt, Ended, Finish, Logged, Retry, next_attempt


def started(n: int, instance: str = "i-1") -> ExecutionStarted:
    return ExecutionStarted(execution_id="e1", function_id="f1", function_version=2,
                            instance_id=instance, attempt=n, cold_start=False,
                            occurred_at=T0 + timedelta(seconds=n))  # fmt: skip


def failed_attempt(n: int) -> ExecutionAttemptFailed:
    history = [Attempt(job(), k).record(T0, failure()) for k in range(1, n)]
    event = Attempt(job(), n, history).outcome(T0, failure())
    assert isinstance(event, Retry)
    return event.event


def test_only_a_redelivery_reads_the_log() -> None:
    assert not attempts.reads_log(1)
    assert attempts.reads_log(2)


def test_a_stored_outcome_ends_the_delivery() -> None:
    done = Attempt(job(), 1).outcome(T0, ok())
    assert isinstance(done, Finish)
    logged = Logged.of([None, started(1), done.event])
    assert isinstance(next_attempt(job(), 2, logged), Ended)


def test_the_history_comes_from_the_last_failed_attempt() -> None:
    logged = Logged.of([failed_attempt(2), started(2)])
    step = next_attempt(job(), 3, logged)
    assert isinstance(step, Attempt) and step.number == 3
    assert [a.attempt for a in step.history] == [1, 2]
    assert all(a.error is not None and a.error.kind == "runtime" for a in step.history)


def test_a_started_attempt_that_never_ended_is_a_lost_crash() -> None:
    history = attempts.history(Logged.of([failed_attempt(1), started(2, "i-5")]), 3)
    assert [a.attempt for a in history] == [1, 2]
    lost = history[-1]
    assert lost.error is not None and lost.error.kind == "crash"
    assert lost.error.message == attempts.CRASHED
    assert (lost.instance_id, lost.duration_ms) == ("i-5", 0.0)
    assert lost.started_at == lost.ended_at == started(2).occurred_at


@pytest.mark.parametrize("delivery", [1, 2])
def test_no_lost_attempt_for_the_current_or_a_later_start(delivery: int) -> None:
    assert attempts.history(Logged.of([started(2)]), delivery) == []


def test_only_a_terminal_event_can_shed_its_payload() -> None:
    with pytest.raises(ValueError, match="started event over the message limit"):
        attempts.without_payload(started(1))


def test_two_crashes_in_a_row_keep_both_lost_attempts() -> None:
    # Attempt 1 started and its executor died; delivery 2 started attempt 2 knowing that, and
    # died too. Delivery 3 reads only the last `started` (attempt 2): it must carry attempt 1.
    first = Logged.of([started(1, "i-1")])
    second = next_attempt(job(), 2, first)
    assert isinstance(second, Attempt) and [a.attempt for a in second.history] == [1]
    started_2 = second.started("i-2", False, T0 + timedelta(seconds=2))
    third = next_attempt(job(), 3, Logged.of([started_2]))
    assert isinstance(third, Attempt)
    assert [(a.attempt, a.instance_id) for a in third.history] == [(1, "i-1"), (2, "i-2")]
    assert all(a.error is not None and a.error.kind == "crash" for a in third.history)
