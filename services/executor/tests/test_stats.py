"""The execution roll-ups: exact under replays, crashes and any batching; the figures read from them."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from s3c_events import (
    AttemptRecord,
    Event,
    ExecutionAttemptFailed,
    ExecutionCompleted,
    ExecutionError,
    ExecutionFailed,
    ExecutionRequested,
    ExecutionStarted,
)
from s3c_executor.domain import figures, stats
from s3c_executor.domain.stats import Delta

T0 = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
Stream = list[tuple[int, Event]]


# A run's events, as the gateway and the executor publish them.


def attempt(eid: str, n: int, start: datetime, ms: float, ok: bool) -> AttemptRecord:
    error = None if ok else ExecutionError(kind="runtime", message="boom")
    return AttemptRecord(attempt=n, instance_id="i", cold_start=n == 1, duration_ms=ms,
                         started_at=start, ended_at=start + timedelta(milliseconds=ms), error=error)  # fmt: skip


def run_events(
    eid: str,
    fid: str,
    at: datetime,
    durations: Sequence[float],
    ok: bool,
    sync: bool = False,
    owner: str = "local",
) -> list[Event]:
    """A run of `len(durations)` attempts; only the last may succeed."""
    events: list[Event] = []
    if not sync:
        events.append(ExecutionRequested(event_id=f"{eid}-requested", execution_id=eid, function_id=fid,
                                         function_name="f", function_version=1, tier="basic",
                                         input=1, input_bytes=1, occurred_at=at, owner=owner))  # fmt: skip
    attempts: list[AttemptRecord] = []
    moment = at
    for n, ms in enumerate(durations, start=1):
        last = n == len(durations)
        events.append(ExecutionStarted(event_id=f"{eid}-started-{n}", execution_id=eid, function_id=fid,
                                       function_version=1, instance_id="i", attempt=n,
                                       cold_start=n == 1, occurred_at=moment, owner=owner))  # fmt: skip
        record = attempt(eid, n, moment, ms, ok and last)
        if not last:
            events.append(ExecutionAttemptFailed(event_id=f"{eid}-attempt-{n}-failed", execution_id=eid,
                                                 function_id=fid, record=record, retry_in_ms=2000,
                                                 history=attempts.copy(), owner=owner))  # fmt: skip
        attempts.append(record)
        moment += timedelta(seconds=2)
    fields: dict[str, Any] = dict(
        execution_id=eid, function_id=fid, function_name="f", function_version=1, tier="basic",
        input=1, attempts=attempts, start_time=at, end_time=attempts[-1].ended_at,
        duration_ms=round(sum(durations), 3), retry_count=len(durations) - 1,
        cold_starts=1, input_bytes=1, output_bytes=1, instance_id="i",
        mode="sync" if sync else "async", owner=owner,
    )  # fmt: skip
    if ok:
        events.append(ExecutionCompleted(event_id=f"{eid}-completed", output=2, **fields))
    else:
        error = ExecutionError(kind="runtime", message="boom")
        events.append(ExecutionFailed(event_id=f"{eid}-failed", error=error, **fields))
    return events


# An in-memory store with the projection's write rules: guarded upserts (a write applies only if
# the document has not seen its sequence), roll-ups written before records.


class Store:
    def __init__(self) -> None:
        self.records: dict[str, dict[str, Any]] = {}
        self.rollups: dict[str, dict[str, Any]] = {}

    @staticmethod
    def _guarded(docs: dict[str, dict[str, Any]], key: str, seq: int, fields: Any) -> None:
        doc = docs.get(key)
        if doc is None or doc["_seq"] < seq:
            docs[key] = {**(doc or {}), **fields, "_seq": seq}

    def apply(self, batch: Stream, crash_between: bool = False) -> None:
        by_id: dict[str, list[tuple[int, Event]]] = {}
        for seq, event in batch:
            by_id.setdefault(event.aggregate_id, []).append((seq, event))
        records: dict[str, tuple[int, Any]] = {}
        deltas: dict[str, list[tuple[int, Delta]]] = {}
        for eid, items in by_id.items():
            doc = self.records.get(eid)
            seen = doc["_seq"] if doc else 0
            fresh = [(s, e) for s, e in items if s > seen]
            if not fresh:
                continue
            before = {k: v for k, v in doc.items() if k != "_seq"} if doc else None
            record, changes = stats.fold_events(before, fresh)
            for seq, delta in changes:
                deltas.setdefault(delta.key, []).append((seq, delta))
            records[eid] = (fresh[-1][0], record)
        for key, (seq, fields) in stats.roll_up(self.rollups, deltas).items():
            self._guarded(self.rollups, key, seq, fields)
        if crash_between:
            return  # died before the records were written
        for eid, (seq, record) in records.items():
            self._guarded(self.records, eid, seq, record)

    def figures(self) -> dict[str, dict[str, Any]]:
        """The roll-ups without their bookkeeping (and without zero counts)."""
        return {
            key: {k: v for k, v in doc.items() if k not in ("_seq", *stats.labels(key)) and v}
            for key, doc in self.rollups.items()
        }  # fmt: skip


def recount(records: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The roll-ups computed from scratch from the final records."""
    out: dict[str, dict[str, Any]] = {}
    for record in records.values():
        for key, (counts, latest) in stats.contribution(record).items():
            doc = out.setdefault(key, {})
            for name, amount in counts.items():
                doc[name] = doc.get(name, 0) + amount
            for name, value in latest.items():
                doc[name] = max(doc.get(name, ""), value)
    return {k: {n: v for n, v in doc.items() if v} for k, doc in out.items()}


def batches(stream: Stream, cuts: Sequence[int]) -> list[Stream]:
    points = sorted({c % (len(stream) + 1) for c in cuts} | {0, len(stream)})
    return [stream[a:b] for a, b in itertools.pairwise(points) if b > a]


def replay(stream: Stream, cuts: Sequence[int], twice: bool = False) -> Store:
    store = Store()
    for batch in batches(stream, cuts):
        store.apply(batch)
        if twice:
            store.apply(batch)
    return store


# Streams of runs, interleaved as they would be in the stream.

RUN = st.tuples(
    st.sampled_from(["ok", "fail", "retry_ok", "retry_fail", "sync"]),
    st.sampled_from(["f1", "f2", "f3"]),
    st.integers(0, 180),  # seconds after T0: spreads runs over a few minutes
    st.lists(st.floats(0.1, 40000, allow_nan=False), min_size=2, max_size=2),
)
OWNER_OF = {"f1": "local", "f2": "acme", "f3": "zeta"}  # a function's owner never changes


@st.composite
def streams(draw: st.DrawFn) -> Stream:
    runs = draw(st.lists(RUN, min_size=1, max_size=12))
    queues = []
    for n, (kind, fid, offset, durations) in enumerate(runs):
        at = T0 + timedelta(seconds=offset)
        ms = [round(d, 3) for d in durations]
        owner = OWNER_OF[fid]
        if kind == "ok":
            events = run_events(f"e{n}", fid, at, ms[:1], True, owner=owner)
        elif kind == "fail":
            events = run_events(f"e{n}", fid, at, ms[:1], False, owner=owner)
        elif kind == "retry_ok":
            events = run_events(f"e{n}", fid, at, ms, True, owner=owner)
        elif kind == "retry_fail":
            events = run_events(f"e{n}", fid, at, ms, False, owner=owner)
        else:
            events = run_events(f"e{n}", fid, at, ms[:1], True, sync=True, owner=owner)
        if draw(st.booleans()):  # a redelivered attempt publishes `started` again, late
            events.append(events[1 if len(events) > 2 else 0])
        queues.append(events)
    merged: list[Event] = []
    while any(queues):
        live = [q for q in queues if q]
        merged.append(draw(st.sampled_from(live)).pop(0))
    return [(seq, event) for seq, event in enumerate(merged, start=1)]


CUTS = st.lists(st.integers(0, 200), max_size=8)


@settings(max_examples=150, deadline=None)
@given(streams(), CUTS)
def test_the_roll_ups_equal_a_recount_of_the_records(stream: Stream, cuts: list[int]) -> None:
    store = replay(stream, cuts)
    assert store.figures() == recount(store.records)
    total = store.rollups[stats.GLOBAL]
    runs = {e.aggregate_id for _, e in stream}
    assert sum(total.get(s, 0) for s in stats.STATUSES) == len(runs)
    assert total.get("pending", 0) == total.get("running", 0) == 0  # every run ended


@settings(max_examples=150, deadline=None)
@given(streams(), CUTS)
def test_the_owners_roll_ups_add_up_to_the_systems(stream: Stream, cuts: list[int]) -> None:
    figures = replay(stream, cuts).figures()
    owners = {
        k.removeprefix(stats.OWNER_PREFIX) for k in figures if k.startswith(stats.OWNER_PREFIX)
    }
    assert owners == {OWNER_OF[e.function_id] for _, e in stream}
    summed: dict[str, dict[str, int]] = {}
    for key, doc in ((k, d) for k, d in figures.items() if stats.is_owners(k)):
        # `owner|<o>` adds up to `global`, `omin|<o>|<minute>` to `min|<minute>`.
        minute = stats.labels(key).get("minute")
        into = summed.setdefault(stats.minute_key(minute) if minute else stats.GLOBAL, {})
        for name, amount in doc.items():
            into[name] = into.get(name, 0) + amount
    assert summed == {
        k: v for k, v in figures.items() if k == stats.GLOBAL or k.startswith(stats.MINUTE_PREFIX)
    }
    owners_of_functions = {
        k: d["owner"] for k, d in figures.items() if k.startswith(stats.FUNCTION_PREFIX)
    }
    assert owners_of_functions == {
        stats.function_key(e.function_id): OWNER_OF[e.function_id] for _, e in stream
    }


@settings(max_examples=100, deadline=None)
@given(streams(), CUTS, CUTS)
def test_batching_does_not_change_the_roll_ups(
    stream: Stream, cuts: list[int], other: list[int]
) -> None:
    assert replay(stream, cuts).rollups.keys() == replay(stream, other).rollups.keys()
    assert replay(stream, cuts).figures() == replay(stream, other).figures()


@settings(max_examples=100, deadline=None)
@given(streams(), CUTS)
def test_applying_every_batch_twice_changes_nothing(stream: Stream, cuts: list[int]) -> None:
    assert replay(stream, cuts, twice=True).figures() == replay(stream, cuts).figures()


@settings(max_examples=150, deadline=None)
@given(streams(), CUTS, CUTS, st.integers(0, 20))
def test_a_crash_between_the_writes_loses_and_doubles_nothing(
    stream: Stream, cuts: list[int], after: list[int], crash_at: int
) -> None:
    """Roll-ups written, records not, then the batches read again cut differently (a restart
    fetches whatever the stream holds after the checkpoint)."""
    parts = batches(stream, cuts)
    crash_at %= len(parts)
    store = Store()
    for batch in parts[:crash_at]:
        store.apply(batch)
    store.apply(parts[crash_at], crash_between=True)
    checkpoint = parts[crash_at][0][0] - 1
    for batch in batches([i for i in stream if i[0] > checkpoint], after):
        store.apply(batch)
    assert store.figures() == replay(stream, []).figures()
    assert store.figures() == recount(store.records)


def test_pending_running_retry_completed_counts_once() -> None:
    events = run_events("e1", "f1", T0, [5.0, 7.5], True)
    store = Store()
    kinds = []
    for seq, event in enumerate(events, start=1):
        store.apply([(seq, event)])
        total = store.rollups[stats.GLOBAL]
        kinds.append({s: total.get(s, 0) for s in stats.STATUSES if total.get(s, 0)})
    assert kinds == [
        {"pending": 1},  # requested
        {"running": 1},  # started
        {"pending": 1},  # attempt 1 failed: waiting for its retry
        {"running": 1},  # started again
        {"completed": 1},
    ]
    fn = store.rollups[stats.function_key("f1")]
    assert (fn["executions"], fn["completed"], fn.get("failed", 0)) == (1, 1, 0)
    assert fn["durationUs"] == 12_500 and fn["lastRunAt"].startswith("2026-01-01T12:00:00")
    minute = store.rollups[stats.minute_key("2026-01-01T12:00")]
    assert minute["created"] == 1 and minute["completed"] == 1
    assert minute[stats.HISTOGRAM[stats.bucket_of(12.5)]] == 1
    # The same events again, alone or with later ones, change nothing.
    before = store.figures()
    store.apply(list(enumerate(events, start=1)))
    store.apply([(len(events) + 1, events[1])])  # a late duplicate `started`
    assert store.figures() == before


def test_a_run_is_counted_in_the_minute_it_ended() -> None:
    events = run_events("e1", "f1", T0 + timedelta(seconds=59), [1500.0], False)
    store = replay(list(enumerate(events, start=1)), [])
    created, ended = stats.minute_key("2026-01-01T12:00"), stats.minute_key("2026-01-01T12:01")
    assert store.figures()[created] == {"created": 1}
    assert store.figures()[ended] == {"failed": 1, "durationUs": 1_500_000, "h9": 1}


@pytest.mark.parametrize(
    ("duration", "bucket"), [(0.0, 0), (1.0, 0), (1.001, 1), (30000, 12), (30000.5, 13)]
)
def test_buckets_hold_durations_at_or_under_their_bound(duration: float, bucket: int) -> None:
    assert stats.bucket_of(duration) == bucket


def test_quantiles_interpolate_inside_the_bucket() -> None:
    counts = [0] * len(stats.HISTOGRAM)
    assert stats.quantile(counts, 0.5) is None
    counts[1] = 10  # ten runs in (1, 5] ms
    assert stats.quantile(counts, 0.5) == 3.0  # halfway through the bucket
    assert stats.quantile(counts, 0.99) == pytest.approx(4.96)
    counts[13] = 1  # one beyond the last bound
    assert stats.quantile(counts, 1.0) == 30000.0


@given(st.lists(st.integers(0, 50), min_size=14, max_size=14).filter(any), st.floats(0.01, 1.0))
def test_quantiles_are_monotone_and_inside_the_bounds(counts: list[int], q: float) -> None:
    value = stats.quantile(counts, q)
    higher = stats.quantile(counts, min(1.0, q + 0.1))
    assert value is not None and higher is not None
    assert 0.0 <= value <= higher <= stats.BUCKETS_MS[-1]


def minute_doc(
    completed: int, failed: int, durations: Sequence[float], created: int = 0
) -> dict[str, Any]:
    doc: dict[str, Any] = {"completed": completed, "failed": failed, "created": created,
                           "durationUs": sum(stats.micros(d) for d in durations)}  # fmt: skip
    for d in durations:
        name = stats.HISTOGRAM[stats.bucket_of(d)]
        doc[name] = doc.get(name, 0) + 1
    return doc


def test_the_overview_from_the_roll_ups() -> None:
    now = datetime(2026, 1, 1, 12, 30, 15, tzinfo=UTC)  # a quarter into the minute
    total = {"pending": 1, "running": 2, "completed": 3, "failed": 1, "durationUs": 20_000,
             "h1": 3, "h2": 1}  # fmt: skip
    minutes = {
        "2026-01-01T12:30": minute_doc(1, 0, [2.0], created=2),
        "2026-01-01T12:29": minute_doc(2, 0, [2.0, 3.0], created=4),
        "2026-01-01T11:31": minute_doc(0, 1, [9.0], created=1),  # 59 minutes before: counted
        "2026-01-01T11:30": minute_doc(0, 0, [], created=8),  # 60 minutes before: not
    }
    data = figures.overview(total, minutes, now)
    assert data["totalExecutions"] == 7 and data["pendingExecutions"] == 1
    assert data["recentExecutions"] == 7
    assert data["successRate"] == 75.0 and data["averageExecutionTime"] == 5.0
    assert data["executionsPerSecond"] == round((1 + 2 * 0.75) / 60, 3)
    assert data["durationHistogram"]["cumulativeCounts"] == [
        0,
        3,
        4,
        4,
        4,
        4,
        4,
        4,
        4,
        4,
        4,
        4,
        4,
        4,
    ]
    assert data["durationHistogram"]["count"] == 4 and data["durationHistogram"]["sumMs"] == 20.0
    assert data["p50ExecutionTime"] == pytest.approx(1 + 4 * 2 / 3, abs=1e-3)
    assert data["p50ExecutionTime"] <= data["p99ExecutionTime"] <= 10
    empty = figures.overview(None, {}, now)
    assert empty["totalExecutions"] == 0 and empty["p50ExecutionTime"] is None
    assert empty["averageExecutionTime"] == 0.0 and empty["successRate"] == 0.0


def test_the_series_is_dense_ordered_and_ends_now() -> None:
    now = datetime(2026, 1, 1, 0, 1, 30, tzinfo=UTC)  # crosses midnight backwards
    minutes = {"2026-01-01T00:01": minute_doc(3, 0, [2.0, 2.0, 4.0]),
               "2025-12-31T23:58": minute_doc(0, 2, [100.0, 200.0])}  # fmt: skip
    points = figures.series(minutes, 5, now)
    assert [p["t"] for p in points] == ["2025-12-31T23:57:00Z", "2025-12-31T23:58:00Z",
                                        "2025-12-31T23:59:00Z", "2026-01-01T00:00:00Z",
                                        "2026-01-01T00:01:00Z"]  # fmt: skip
    assert [p["completed"] for p in points] == [0, 0, 0, 0, 3]
    assert points[1] == {"t": "2025-12-31T23:58:00Z", "completed": 0, "failed": 2,
                         "executionsPerSecond": round(2 / 60, 3), "avgMs": 150.0,
                         "p50Ms": 100.0, "p99Ms": 247.0}  # fmt: skip
    assert points[0] == {"t": "2025-12-31T23:57:00Z", "completed": 0, "failed": 0,
                         "executionsPerSecond": 0.0, "avgMs": None, "p50Ms": None, "p99Ms": None}  # fmt: skip
    assert points[-1]["executionsPerSecond"] == 0.1  # 3 runs in the 30 s of this minute so far


def test_function_figures() -> None:
    assert figures.function_stats("f", None) == {"functionId": "f", "executions": 0, "completed": 0,
                                                 "failed": 0, "lastRunAt": None, "avgDurationMs": None}  # fmt: skip
    doc = {"executions": 4, "completed": 2, "failed": 1, "durationUs": 7_500,
           "lastRunAt": "2026-01-01T12:00:00.000000Z"}  # fmt: skip
    assert figures.function_stats("f", doc)["avgDurationMs"] == 2.5
