"""A job's deliveries through the job handlers, over in-memory fakes (no servers): what each one
publishes, what a redelivery reads back, retries and their backoff, and the terminal event."""

from __future__ import annotations

import json

import pytest
from executor_fakes import (
    Crash,
    Dies,
    InMemoryEventLog,
    ScriptedRunner,
    failure,
    job,
    ok,
)
from s3c_events import (
    ExecutionAttemptFailed,
    ExecutionCompleted,
    ExecutionFailed,
    ExecutionStarted,
    tiers,
)
from s3c_executor.domain.attempts import TOO_LARGE, RunResult
from s3c_executor.domain.retry import should_retry
from s3c_executor.handlers import JobHandlers


def handlers(*script: RunResult | Dies, log: InMemoryEventLog | None = None) -> JobHandlers:
    return JobHandlers(log or InMemoryEventLog(), ScriptedRunner(list(script)))


def log_of(h: JobHandlers) -> InMemoryEventLog:
    assert isinstance(h.events, InMemoryEventLog)
    return h.events


def runner_of(h: JobHandlers) -> ScriptedRunner:
    assert isinstance(h.runner, ScriptedRunner)
    return h.runner


async def test_a_first_delivery_publishes_started_then_completed_and_reads_nothing() -> None:
    h = handlers(ok("3", ms=5.25, cold=True, instance="i-7", logs=["hi"]))
    the_job = job(tier="premium")
    assert await h.handle_job(the_job, 1) == ("ack", 0)
    log = log_of(h)
    assert log.lookups == []  # no stream lookup, no read model: the first delivery has no past
    started, completed = log.events()
    assert isinstance(started, ExecutionStarted) and isinstance(completed, ExecutionCompleted)
    assert started.event_id == "e1-started-1" and started.attempt == 1
    assert (started.instance_id, started.cold_start, started.function_version) == ("i-7", True, 2)
    assert completed.event_id == "e1-completed" and completed.output == 3
    assert (completed.retry_count, completed.cold_starts, completed.duration_ms) == (0, 1, 5.25)
    assert (completed.input, completed.input_bytes, completed.output_bytes) == ([1, 2], 5, 1)
    assert completed.logs == ["hi"] and completed.instance_id == "i-7"
    assert completed.tier == "premium" and completed.function_name == "add"
    (record,) = completed.attempts
    assert record.attempt == 1 and record.error is None and record.cold_start
    assert record.started_at == started.occurred_at == completed.start_time
    assert (record.ended_at - record.started_at).total_seconds() * 1000 == pytest.approx(5.25)
    (call,) = runner_of(h).calls
    assert call.key == "f1:2" and call.timeout_ms == 5000 and call.input_json == "[1,2]"
    assert call.memory_mb == tiers.TIERS["premium"].memory_mb


@pytest.mark.parametrize("outcome", [ok(), failure("compile")])
async def test_a_redelivery_after_the_outcome_was_stored_acks_without_running(
    outcome: RunResult,
) -> None:
    h = handlers(outcome)
    assert await h.handle_job(job(), 1) == ("ack", 0)
    stored = list(log_of(h).stored)
    # The executor died after recording the outcome, before its ack: the job comes back.
    assert await h.handle_job(job(), 2) == ("ack", 0)
    assert len(runner_of(h).calls) == 1 and log_of(h).stored == stored
    assert log_of(h).lookups  # this time the stream was asked


async def test_a_redelivery_after_a_crash_mid_attempt_keeps_the_lost_attempt() -> None:
    h = handlers(Dies("i-9", cold=True), ok(ms=4.0))
    with pytest.raises(Crash):
        await h.handle_job(job(retry_count=0), 1)
    assert log_of(h).types() == ["started"]
    # Even with no retries configured, the lost attempt does not count against the function.
    assert await h.handle_job(job(retry_count=0), 2) == ("ack", 0)
    completed = log_of(h).events()[-1]
    assert isinstance(completed, ExecutionCompleted)
    lost, second = completed.attempts
    assert lost.attempt == 1 and lost.error is not None and lost.error.kind == "crash"
    assert (lost.instance_id, lost.cold_start, lost.duration_ms) == ("i-9", True, 0.0)
    assert lost.started_at == lost.ended_at == log_of(h).events()[0].occurred_at
    assert second.attempt == 2 and second.error is None
    assert completed.retry_count == 1 and completed.cold_starts == 1
    assert completed.duration_ms == 4.0  # the lost run's time is unknown: not billed


async def test_a_crash_after_a_failed_attempt_extends_the_stored_history() -> None:
    h = handlers(failure(ms=3.0), Dies(), ok(ms=2.0))
    assert await h.handle_job(job(), 1) == ("retry", 2000)
    with pytest.raises(Crash):
        await h.handle_job(job(), 2)
    assert await h.handle_job(job(), 3) == ("ack", 0)
    completed = log_of(h).events()[-1]
    assert isinstance(completed, ExecutionCompleted)
    kinds = [a.error.kind if a.error else None for a in completed.attempts]
    assert [a.attempt for a in completed.attempts] == [1, 2, 3]
    assert kinds == ["runtime", "crash", None]
    assert completed.retry_count == 2 and completed.duration_ms == 5.0


async def test_runtime_errors_retry_with_doubling_backoff_then_fail_with_every_attempt() -> None:
    h = handlers(failure("runtime", "no", ms=10.0))
    verdicts = [await h.handle_job(job(retry_count=3), n) for n in (1, 2, 3, 4)]
    assert verdicts == [("retry", 2000), ("retry", 4000), ("retry", 8000), ("ack", 0)]
    events = log_of(h).events()
    assert [e.type for e in events] == ["started", "attempt_failed"] * 3 + ["started", "failed"]
    retries = [e for e in events if isinstance(e, ExecutionAttemptFailed)]
    assert [e.event_id for e in retries] == [f"e1-attempt-{n}-failed" for n in (1, 2, 3)]
    assert [e.retry_in_ms for e in retries] == [2000, 4000, 8000]
    assert [[a.attempt for a in e.history] for e in retries] == [[], [1], [1, 2]]
    assert [e.record.attempt for e in retries] == [1, 2, 3]
    failed = events[-1]
    assert isinstance(failed, ExecutionFailed) and failed.event_id == "e1-failed"
    assert [a.attempt for a in failed.attempts] == [1, 2, 3, 4]
    assert all(a.error is not None and a.error.message == "no" for a in failed.attempts)
    assert failed.retry_count == 3 and failed.duration_ms == 40.0
    assert (failed.error.kind, failed.error.message) == ("runtime", "no")
    assert failed.start_time == failed.attempts[0].started_at
    assert failed.end_time == failed.attempts[-1].ended_at
    assert failed.output is None and failed.output_bytes == 0 and failed.logs == ["before"]


@pytest.mark.parametrize(
    ("kind", "runtime", "retried"),
    [
        ("timeout", "javascript", True),
        ("crash", "javascript", True),
        ("compile", "javascript", False),
        ("memory", "javascript", False),
        ("unsupported", "python", False),
    ],
)
async def test_timeouts_are_retried_compile_errors_and_unsupported_runtimes_are_not(
    kind: str, runtime: str, retried: bool
) -> None:
    h = handlers(failure(kind))
    verdict = await h.handle_job(job(retry_count=2, runtime=runtime), 1)
    assert should_retry(kind, 1, 2) is retried
    assert verdict == (("retry", 2000) if retried else ("ack", 0))
    last = log_of(h).events()[-1]
    assert isinstance(last, ExecutionAttemptFailed if retried else ExecutionFailed)
    if runtime == "python":  # the sandbox is never asked
        assert runner_of(h).calls == []
        assert isinstance(last, ExecutionFailed) and last.error.kind == "unsupported"
        assert last.error.message == "the python runtime is not available yet"
        started = log_of(h).events()[0]
        assert isinstance(started, ExecutionStarted) and started.instance_id == "none"


async def test_an_outcome_over_the_message_limit_is_recorded_as_a_failure_without_it() -> None:
    output = json.dumps("y" * 250_000)
    big = ok(output, ms=12.0, logs=["z" * 200_000] * 3)
    h = handlers(big)
    the_job = job(input="x" * 250_000)
    assert await h.handle_job(the_job, 1) == ("ack", 0)
    log = log_of(h)
    (refused,) = log.refused
    assert isinstance(refused, ExecutionCompleted)  # tried first, refused by the limit
    started, failed = log.events()
    assert isinstance(started, ExecutionStarted)
    assert isinstance(failed, ExecutionFailed) and failed.event_id == "e1-failed"
    assert (failed.error.kind, failed.error.message) == ("runtime", TOO_LARGE)
    assert failed.input is None and failed.output is None and failed.logs == []
    # Its figures stay: the run is billed.
    assert failed.duration_ms == 12.0 and failed.retry_count == 0
    assert failed.input_bytes == the_job.input_bytes and failed.output_bytes == len(output)
    assert [a.attempt for a in failed.attempts] == [1]


async def test_invoke_runs_one_attempt_answers_at_once_and_records_after() -> None:
    h = handlers(failure("runtime", "bad", ms=3.0))
    reply = await h.invoke(job(retry_count=3, mode="sync"))
    assert reply == {
        "executionId": "e1",
        "status": "failed",
        "outputJson": None,
        "error": "bad",
        "errorKind": "runtime",
        "duration": 3.0,
        "coldStart": False,
        "instanceId": "i-1",
        "logs": ["before"],
        "functionVersion": 2,
    }
    await h.drain()
    started, failed = log_of(h).events()  # no retry: a sync invoke is one attempt
    assert isinstance(started, ExecutionStarted) and isinstance(failed, ExecutionFailed)
    assert failed.mode == "sync" and failed.retry_count == 0
    assert len(runner_of(h).calls) == 1


async def test_giving_up_ends_the_execution_as_failed_once() -> None:
    h = handlers(ok())
    await h.give_up(job(), 8, "RuntimeError('store down')")
    await h.give_up(job(), 9, "again")  # the same event id: dropped
    (failed,) = log_of(h).events()
    assert isinstance(failed, ExecutionFailed) and failed.error.kind == "crash"
    assert failed.error.message.endswith("RuntimeError('store down')")
    (record,) = failed.attempts
    assert record.attempt == 8 and record.instance_id == "none"
    assert runner_of(h).calls == []
