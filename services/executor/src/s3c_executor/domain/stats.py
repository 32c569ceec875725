"""Execution roll-ups: what each execution record adds to the counters the metrics are read from.

The roll-ups are a sum over execution records: `global` (counts by status, the duration sum and
histogram of finished runs), one document per minute (runs created in it; runs finished in it,
by their `endTime`: completed, failed, duration sum and histogram), one per function
(executions, completed, failed, duration sum, the latest `createdAt`, and its owner), and the
same as `global` and per minute again for each owner (`owner|<owner>`, `omin|<owner>|<minute>`),
so one owner's figures are as cheap as the system's. An event moves one record from one state to
the next, so its effect on the roll-ups is `contribution(after) - contribution(before)`: pending
-> running -> completed is counted once whatever the path, and an event that changes nothing
adds nothing. Durations are summed as integer microseconds, so sums
are exact and do not depend on how events were grouped into batches.

Every roll-up document remembers the last stream sequence it applied (`_seq`); `fold` adds only
the deltas of later events, which makes applying a batch twice a no-op.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from s3c_events import Event
from s3c_events.owners import owner_of

from s3c_executor.domain.executions import TERMINAL, Record, evolve

# Upper bounds (ms) of the duration histogram's buckets; a last bucket holds the rest.
BUCKETS_MS = (1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000)
STATUSES = ("pending", "running", "completed", "failed")
HISTOGRAM = tuple(f"h{i}" for i in range(len(BUCKETS_MS) + 1))  # per bucket, not cumulative

GLOBAL = "global"
MINUTE_PREFIX = "min|"
FUNCTION_PREFIX = "fn|"
OWNER_PREFIX = "owner|"
OWNER_MINUTE_PREFIX = "omin|"

Tally = dict[str, int]


def minute_key(minute: str) -> str:
    """`min|2026-01-02T03:04`: sorts by time, so a range of minutes is one `_id` range."""
    return f"{MINUTE_PREFIX}{minute}"


def function_key(function_id: str) -> str:
    return f"{FUNCTION_PREFIX}{function_id}"


def owner_key(owner: str | None) -> str:
    """One owner's `global` (None: the system's own). Owners hold no `|`, so keys never meet."""
    return GLOBAL if owner is None else f"{OWNER_PREFIX}{owner}"


def owner_minute_key(owner: str | None, minute: str) -> str:
    """One owner's minute (None: the system's), sorting by time within the owner."""
    return minute_key(minute) if owner is None else f"{OWNER_MINUTE_PREFIX}{owner}|{minute}"


def is_owners(key: str) -> bool:
    """Whether a roll-up is one owner's (the ones added with owners)."""
    return key.startswith((OWNER_PREFIX, OWNER_MINUTE_PREFIX))


def labels(key: str) -> dict[str, str]:
    """Fields that say what a roll-up document counts (for people reading the database)."""
    if key.startswith(MINUTE_PREFIX):
        return {"kind": "minute", "minute": key.removeprefix(MINUTE_PREFIX)}
    if key.startswith(FUNCTION_PREFIX):
        return {"kind": "function", "functionId": key.removeprefix(FUNCTION_PREFIX)}
    if key.startswith(OWNER_PREFIX):
        return {"kind": "owner", "owner": key.removeprefix(OWNER_PREFIX)}
    if key.startswith(OWNER_MINUTE_PREFIX):
        owner, minute = key.removeprefix(OWNER_MINUTE_PREFIX).split("|", 1)
        return {"kind": "ownerMinute", "owner": owner, "minute": minute}
    return {"kind": key}


def minute_of(stamp: str | datetime) -> str:
    """The minute (`YYYY-MM-DDTHH:MM`, UTC) of a stored time (fixed-width ISO text, or a datetime
    when a store hands one back)."""
    if isinstance(stamp, datetime):
        moment = stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M")
    return stamp[:16]


def bucket_of(duration_ms: float) -> int:
    """Index of the first bucket whose upper bound holds the duration (`le`, as Prometheus)."""
    for i, bound in enumerate(BUCKETS_MS):
        if duration_ms <= bound:
            return i
    return len(BUCKETS_MS)


def micros(duration_ms: float) -> int:
    return round(duration_ms * 1000)


@dataclass(frozen=True)
class Delta:
    """What one event changed in one roll-up document: amounts to add, and texts to keep the
    latest of (`lastRunAt`; a function's `owner`, set once)."""

    key: str
    counts: Mapping[str, int] = field(default_factory=dict)
    latest: Mapping[str, str] = field(default_factory=dict)


Contribution = dict[str, tuple[Tally, dict[str, str]]]


def contribution(record: Mapping[str, Any] | None) -> Contribution:
    """What one execution record adds to each roll-up document it touches."""
    if not record or record.get("status") not in STATUSES:
        return {}
    status = str(record["status"])
    owner = owner_of(record.get("owner"))
    scopes = (None, owner)  # the system's roll-ups and the owner's
    out: Contribution = {owner_key(s): ({status: 1}, {}) for s in scopes}
    created = record.get("createdAt")
    if created:
        for scope in scopes:
            out[owner_minute_key(scope, minute_of(created))] = ({"created": 1}, {})
    function_id = record.get("functionId")
    if function_id:
        latest = {"lastRunAt": str(created)} if isinstance(created, str) else {}
        # A function's owner never changes: kept like a latest time, it is set once.
        out[function_key(str(function_id))] = ({"executions": 1}, {**latest, "owner": owner})
    if status in TERMINAL:
        duration = float(record.get("duration") or 0.0)
        finished = {
            status: 1,
            "durationUs": micros(duration),
            HISTOGRAM[bucket_of(duration)]: 1,
        }
        end = record.get("endTime") or created
        for scope in scopes:
            _add(out[owner_key(scope)][0], {k: v for k, v in finished.items() if k != status})
            if end:
                minute = out.setdefault(owner_minute_key(scope, minute_of(end)), ({}, {}))[0]
                _add(minute, finished)
        if function_id:
            fn = out[function_key(str(function_id))][0]
            _add(fn, {status: 1, "durationUs": micros(duration)})
    return out


def _add(into: Tally, amounts: Mapping[str, int], sign: int = 1) -> None:
    for name, amount in amounts.items():
        into[name] = into.get(name, 0) + sign * amount


def difference(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> list[Delta]:
    """The roll-up deltas of a record moving from `before` to `after` (zero amounts left out)."""
    old, new = contribution(before), contribution(after)
    deltas = []
    for key in sorted(old.keys() | new.keys()):
        counts: Tally = {}
        _add(counts, new.get(key, ({}, {}))[0])
        _add(counts, old.get(key, ({}, {}))[0], -1)
        counts = {name: amount for name, amount in counts.items() if amount}
        old_latest, new_latest = old.get(key, ({}, {}))[1], new.get(key, ({}, {}))[1]
        latest = {n: v for n, v in new_latest.items() if old_latest.get(n) != v}
        if counts or latest:
            deltas.append(Delta(key, counts, latest))
    return deltas


def fold_events(
    record: Record | None, items: Iterable[tuple[int, Event]]
) -> tuple[Record | None, list[tuple[int, Delta]]]:
    """Fold events (with their stream sequences) into a record, and say what each one changed in
    the roll-ups."""
    deltas: list[tuple[int, Delta]] = []
    for seq, event in items:
        after = evolve(record, event)
        deltas.extend((seq, d) for d in difference(record, after))
        record = after
    return record, deltas


def fold(doc: Mapping[str, Any] | None, deltas: Sequence[tuple[int, Delta]]) -> Tally | None:
    """A roll-up document's counts after the deltas it has not applied yet (by sequence); None
    when it has seen them all. Returns only the fields the deltas touch, `lastRunAt` excepted."""
    stored = doc or {}
    seen = int(stored.get("_seq", 0))
    fresh = [d for seq, d in deltas if seq > seen]
    if not fresh:
        return None
    counts: Tally = {}
    for delta in fresh:
        for name, amount in delta.counts.items():
            counts[name] = counts.get(name, int(stored.get(name) or 0)) + amount
    return counts


def latest(doc: Mapping[str, Any] | None, deltas: Sequence[tuple[int, Delta]]) -> dict[str, str]:
    """The latest times (e.g. `lastRunAt`) after the deltas the document has not applied yet."""
    stored = doc or {}
    seen = int(stored.get("_seq", 0))
    out: dict[str, str] = {}
    for seq, delta in deltas:
        if seq <= seen:
            continue
        for name, value in delta.latest.items():
            current = out.get(name, str(stored.get(name) or ""))
            out[name] = max(current, value)
    return out


def roll_up(
    stored: Mapping[str, Mapping[str, Any]], deltas: Mapping[str, Sequence[tuple[int, Delta]]]
) -> dict[str, tuple[int, dict[str, Any]]]:
    """The writes a batch makes to the roll-ups: for each document it changes, the fields to set
    and the sequence to guard the write with (the document's last one). `stored` holds the
    documents as read (a missing key: not written yet)."""
    writes: dict[str, tuple[int, dict[str, Any]]] = {}
    for key, items in deltas.items():
        doc = stored.get(key)
        counts = fold(doc, items)
        if counts is None:
            continue  # applied before (a batch read again after a crash)
        fields: dict[str, Any] = {**counts, **latest(doc, items), **labels(key)}
        writes[key] = (max(seq for seq, _ in items), fields)
    return writes


def totals(records: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """The roll-up documents' fields computed from scratch from execution records: what the
    deltas add up to (used to build roll-ups for records kept before they existed)."""
    out: dict[str, dict[str, Any]] = {}
    for record in records:
        for key, (counts, times) in contribution(record).items():
            doc = out.setdefault(key, labels(key))
            for name, amount in counts.items():
                doc[name] = doc.get(name, 0) + amount
            for name, value in times.items():
                doc[name] = max(str(doc.get(name, "")), value)
    return out


# Reading the roll-ups.


def histogram(doc: Mapping[str, Any] | None) -> list[int]:
    """Per-bucket counts (not cumulative) of a roll-up document."""
    stored = doc or {}
    return [int(stored.get(name) or 0) for name in HISTOGRAM]


def cumulative(counts: Sequence[int]) -> list[int]:
    out, running = [], 0
    for n in counts:
        running += n
        out.append(running)
    return out


def quantile(counts: Sequence[int], q: float) -> float | None:
    """The q-quantile (0..1) of a histogram, interpolated linearly inside its bucket, as
    Prometheus's `histogram_quantile` does: the first bucket starts at 0 ms, and a rank in the
    last (unbounded) bucket answers the largest finite bound. None for an empty histogram."""
    total = sum(counts)
    if total == 0:
        return None
    rank = q * total
    below = 0
    for i, n in enumerate(counts):
        if n and below + n >= rank:
            if i == len(BUCKETS_MS):
                return float(BUCKETS_MS[-1])
            lower = 0.0 if i == 0 else float(BUCKETS_MS[i - 1])
            upper = float(BUCKETS_MS[i])
            return round(lower + (upper - lower) * max(0.0, rank - below) / n, 3)
        below += n
    return float(BUCKETS_MS[-1])


def finished(doc: Mapping[str, Any] | None) -> int:
    stored = doc or {}
    return int(stored.get("completed") or 0) + int(stored.get("failed") or 0)


def average_ms(doc: Mapping[str, Any] | None) -> float | None:
    done = finished(doc)
    return round(int((doc or {}).get("durationUs") or 0) / 1000 / done, 3) if done else None


def minutes_back(now: datetime, count: int) -> list[str]:
    """The `count` minutes ending with `now`'s, oldest first."""
    start = now.astimezone(UTC).replace(second=0, microsecond=0)
    return [
        (start - timedelta(minutes=back)).strftime("%Y-%m-%dT%H:%M")
        for back in range(count - 1, -1, -1)
    ]
