"""The work consumer's answer to each delivery (ack, nak with the backoff, term), over the job
handlers and in-memory fakes: no JetStream."""

from __future__ import annotations

from executor_fakes import Dies, FakeMsg, InMemoryEventLog, ScriptedRunner, failure, job, ok
from s3c_events import ExecutionFailed
from s3c_executor.domain.attempts import RunResult
from s3c_executor.handlers import JobHandlers
from s3c_executor.work import GIVE_UP_AFTER, WorkConsumer


def consumer(*script: RunResult | Dies) -> tuple[WorkConsumer, InMemoryEventLog]:
    log = InMemoryEventLog()
    handlers = JobHandlers(log, ScriptedRunner(list(script)))
    return WorkConsumer(None, handlers, ack_wait=30.0), log  # type: ignore[arg-type]  # pulls nothing


async def test_a_done_job_is_acked_and_a_retry_is_a_nak_with_its_backoff() -> None:
    work, log = consumer(failure("timeout"), failure("timeout"), ok())
    answers = []
    for delivery in (1, 2, 3):
        msg = FakeMsg(job(retry_count=2).to_json(), delivery)
        await work.handle(msg)
        answers.extend(msg.answers)
    assert answers == [("nak", 2.0), ("nak", 4.0), ("ack", None)]
    assert log.types()[-1] == "completed" and work.in_flight == 0


async def test_a_malformed_job_is_dropped() -> None:
    work, log = consumer(ok())
    msg = FakeMsg(b'{"executionId": "e1"}')
    await work.handle(msg)
    assert msg.answers == [("term", None)] and log.stored == []


async def test_a_fault_of_the_executor_is_handed_out_again_then_given_up() -> None:
    work, log = consumer(Dies())  # every run dies under the handler (an executor fault)
    retries = 1
    last = retries + GIVE_UP_AFTER
    for delivery in range(1, last):
        msg = FakeMsg(job(retry_count=retries).to_json(), delivery)
        await work.handle(msg)
        assert msg.answers == [("nak", 1.0)]
    msg = FakeMsg(job(retry_count=retries).to_json(), last)
    await work.handle(msg)
    assert msg.answers == [("ack", None)]
    failed = log.events()[-1]
    assert isinstance(failed, ExecutionFailed) and failed.error.kind == "crash"
    assert "the executor died during the run" in failed.error.message
    assert failed.attempts[0].attempt == last
