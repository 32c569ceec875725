"""The scaling loop's decisions over in-memory fakes of its ports: a conflict on append (another
scaler decided first, or this decision is stored already) makes it reload, and no decision
number is ever stored twice."""

from __future__ import annotations

import time

import pytest
from nats.js.api import PubAck
from nats.js.errors import APIError
from s3c_events import PoolScaledDown, PoolScaledUp
from s3c_runtime.bus import WRONG_LAST_SEQUENCE
from s3c_scaler.domain.policy import Policy
from s3c_scaler.domain.waiting import WaitingRuns
from s3c_scaler.loop import ScalingLoop
from s3c_scaler.ports import Decision, StoredDecision
from s3c_scaler.stream import JetStreamDecisionLog

BUSY = 50  # jobs waiting: above the threshold, every tick scales up


class LostAck(Exception):
    """The decision was stored, but its acknowledgement never came back."""


class InMemoryDecisionLog:
    """The pool's subject: appends checked like JetStream checks them, a duplicate id within the
    duplicate window first (`Nats-Msg-Id`), then the expected last sequence."""

    def __init__(self) -> None:
        self.stored: list[StoredDecision] = []
        self.window: set[str] = set()  # the ids stored within the duplicate window
        self.refused: list[tuple[str, Decision]] = []
        self.lose_next_ack = False

    async def last(self) -> StoredDecision | None:
        return self.stored[-1] if self.stored else None

    async def append(self, decision: Decision, after: int) -> int | None:
        if decision.event_id in self.window:
            self.refused.append(("duplicate", decision))
            return None
        if (self.stored[-1].seq if self.stored else 0) != after:
            self.refused.append(("wrong last sequence", decision))
            return None
        seq = len(self.stored) + 1
        self.stored.append(StoredDecision(decision, seq))
        self.window.add(decision.event_id)
        if self.lose_next_ack:
            self.lose_next_ack = False
            raise LostAck
        return seq

    def numbers(self) -> list[int]:
        return [s.event.decision for s in self.stored]


class Queue:
    def __init__(self, pending: int = BUSY) -> None:
        self.depth = pending

    async def pending(self) -> int:
        return self.depth


def scaler(log: InMemoryDecisionLog, queue: Queue | None = None) -> ScalingLoop:
    return ScalingLoop(log, queue or Queue(), Policy(max_instances=10), 1.0, initial=1)


@pytest.mark.parametrize(
    ("window_passed", "refusal"),
    [(False, "duplicate"), (True, "wrong last sequence")],
)
async def test_a_decision_another_scaler_made_first_is_taken_not_repeated(
    window_passed: bool, refusal: str
) -> None:
    log = InMemoryDecisionLog()
    a, b = scaler(log), scaler(log)
    await a.load()
    await b.load()
    assert isinstance(await b.tick(), PoolScaledUp)  # decision 1: 1 -> 2
    if window_passed:
        log.window.clear()  # b decided long ago: only the sequence check can refuse a now
    assert await a.tick() is None  # a's decision 1 is refused
    assert [kind for kind, _ in log.refused] == [refusal]
    # It took b's decision as the one in force...
    assert (a.decisions, a.seq, a.state.instances) == (1, 1, 2)
    # ...and decides on from there.
    event = await a.tick()
    assert isinstance(event, PoolScaledUp) and event.decision == 2 and event.instance_count == 3
    assert event.previous_count == 2
    assert log.numbers() == [1, 2]


async def test_a_decision_stored_already_is_not_stored_again() -> None:
    log = InMemoryDecisionLog()
    loop = scaler(log)
    await loop.load()
    log.lose_next_ack = True
    with pytest.raises(LostAck):
        await loop.tick()  # stored, but the loop never heard
    assert (loop.decisions, loop.state.instances) == (0, 1)
    assert await loop.tick() is None  # the same decision again: a duplicate
    assert [kind for kind, _ in log.refused] == ["duplicate"]
    assert (loop.decisions, loop.seq, loop.state.instances) == (1, 1, 2)
    event = await loop.tick()
    assert event is not None and event.decision == 2
    assert log.numbers() == [1, 2]


async def test_a_restarted_scaler_numbers_on_from_the_last_decision() -> None:
    log = InMemoryDecisionLog()
    first = scaler(log)
    await first.load()
    await first.tick()
    await first.tick()
    quiet = Queue(0)
    second = ScalingLoop(log, quiet, Policy(scale_down_after=0.0), 1.0, initial=1)
    await second.load()
    assert (second.decisions, second.state.instances) == (2, 3)
    event = await second.tick()
    assert isinstance(event, PoolScaledDown) and event.decision == 3
    assert log.numbers() == [1, 2, 3]


class FakeJetStream:
    """What the JetStream adapter's publish hears back."""

    def __init__(self, answer: PubAck | Exception) -> None:
        self.answer = answer
        self.headers: dict[str, str] = {}

    async def publish(self, subject: str, payload: bytes, headers: dict[str, str]) -> PubAck:
        self.headers = headers
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


def decision(number: int = 3) -> Decision:
    return PoolScaledUp(event_id=f"pool-decision-{number}", action="scale_up", instance_count=3,
                        previous_count=2, queue_length=BUSY, reason="Queue length: 50",
                        decision=number)  # fmt: skip


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (PubAck(stream="SCALING", seq=7), 7),
        (PubAck(stream="SCALING", seq=5, duplicate=True), None),
        (APIError(code=400, err_code=WRONG_LAST_SEQUENCE, description="wrong last sequence"), None),
    ],
)
async def test_the_jetstream_log_reports_a_duplicate_or_a_wrong_last_sequence_as_none(
    answer: PubAck | Exception, expected: int | None
) -> None:
    js = FakeJetStream(answer)
    log = JetStreamDecisionLog(js)  # type: ignore[arg-type]
    assert await log.append(decision(), after=6) == expected
    assert js.headers["Nats-Expected-Last-Subject-Sequence"] == "6"
    assert js.headers["Nats-Msg-Id"] == "pool-decision-3"


async def test_the_jetstream_log_lets_other_errors_through() -> None:
    log = JetStreamDecisionLog(FakeJetStream(APIError(code=503, err_code=10077)))  # type: ignore[arg-type]
    with pytest.raises(APIError):
        await log.append(decision(), after=6)


async def test_runs_waiting_inside_the_executors_scale_the_pool_up() -> None:
    waiting = WaitingRuns()
    loop = ScalingLoop(
        InMemoryDecisionLog(), Queue(0), Policy(scale_up_above=3), 1.0, initial=1, waiting=waiting
    )
    await loop.load()
    assert await loop.tick() is None  # an empty queue and nothing waiting: no decision
    waiting.report("executor-1", 5, at=time.monotonic())
    event = await loop.tick()
    assert isinstance(event, PoolScaledUp) and event.queue_length == 5
