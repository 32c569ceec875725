"""The metrics as served, computed from a handful of roll-up documents (see `stats.py`).

Choices, all answered from the roll-ups in constant time whatever the number of executions:
- `p50ExecutionTime` / `p99ExecutionTime` are quantiles of the all-time duration histogram that
  the same reply carries (`durationHistogram`), interpolated linearly inside the bucket the rank
  falls in, as Prometheus's `histogram_quantile` does (the first bucket starts at 0 ms; a rank
  beyond the last bound answers that bound). So they are estimates, exact to the bucket, and a
  client can recompute them. The per-minute points of the time series do the same with each
  minute's histogram, for recent figures.
- `recentExecutions` counts executions by creation (`createdAt`), in the current minute and the
  59 before it: the last 59 to 60 minutes.
- `executionsPerSecond` counts runs by when they finished (`endTime`): the current minute's plus
  the previous minute's weighted by how much of it lies in the last 60 s (a sliding window),
  divided by 60.
- A time-series point counts the runs that finished in its minute; the current (last) point's
  rate is over the seconds elapsed in that minute so far.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from s3c_executor.domain.stats import (
    BUCKETS_MS,
    STATUSES,
    average_ms,
    cumulative,
    finished,
    histogram,
    minutes_back,
    quantile,
)

Doc = Mapping[str, Any]
RECENT_MINUTES = 60


def _count(doc: Doc | None, name: str) -> int:
    return int((doc or {}).get(name) or 0)


def _seconds_into_minute(now: datetime) -> float:
    moment = now.astimezone(UTC)
    return moment.second + moment.microsecond / 1e6


def overview(total: Doc | None, minutes: Mapping[str, Doc], now: datetime) -> dict[str, Any]:
    """The `ExecutionMetrics` reply from the `global` roll-up and the minute roll-ups (by minute,
    `YYYY-MM-DDTHH:MM`) of the last hour."""
    counts = {status: _count(total, status) for status in STATUSES}
    done = finished(total)
    recent = minutes_back(now, RECENT_MINUTES)
    current, previous = minutes.get(recent[-1]), minutes.get(recent[-2])
    weight = (60.0 - _seconds_into_minute(now)) / 60.0
    last_minute = finished(current) + finished(previous) * weight
    buckets = histogram(total)
    duration_us = _count(total, "durationUs")
    return {
        "totalExecutions": sum(counts.values()),
        "completedExecutions": counts["completed"],
        "failedExecutions": counts["failed"],
        "pendingExecutions": counts["pending"],
        "runningExecutions": counts["running"],
        "recentExecutions": sum(_count(minutes.get(m), "created") for m in recent),
        "successRate": round(100 * counts["completed"] / done, 2) if done else 0.0,
        "averageExecutionTime": average_ms(total) or 0.0,
        "p50ExecutionTime": quantile(buckets, 0.50),
        "p99ExecutionTime": quantile(buckets, 0.99),
        "executionsPerSecond": round(last_minute / 60, 3),
        "durationHistogram": {  # cumulative, as Prometheus buckets are
            "bucketsMs": list(BUCKETS_MS),
            "cumulativeCounts": cumulative(buckets),
            "sumMs": duration_us / 1000,
            "count": done,
        },
    }


def series(minutes: Mapping[str, Doc], count: int, now: datetime) -> list[dict[str, Any]]:
    """One point per minute, oldest first, the current minute last; zeros for idle minutes."""
    points = []
    wanted = minutes_back(now, count)
    for minute in wanted:
        doc = minutes.get(minute)
        buckets = histogram(doc)
        seconds = max(1.0, _seconds_into_minute(now)) if minute == wanted[-1] else 60.0
        points.append(
            {
                "t": f"{minute}:00Z",
                "completed": _count(doc, "completed"),
                "failed": _count(doc, "failed"),
                "executionsPerSecond": round(finished(doc) / seconds, 3),
                "avgMs": average_ms(doc),
                "p50Ms": quantile(buckets, 0.50),
                "p99Ms": quantile(buckets, 0.99),
            }
        )
    return points


def function_stats(function_id: str, doc: Doc | None) -> dict[str, Any]:
    """A function's run figures; zeros (and nulls) for one that never ran."""
    return {
        "functionId": function_id,
        "executions": _count(doc, "executions"),
        "completed": _count(doc, "completed"),
        "failed": _count(doc, "failed"),
        "lastRunAt": (doc or {}).get("lastRunAt") or None,
        "avgDurationMs": average_ms(doc),
    }
