"""An execution's record, folded from its events: the executor's read model rules.

Status only moves forward (pending -> running -> completed | failed), so events that arrive late
or twice never undo a later state.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from s3c_events import (
    Event,
    ExecutionAttemptFailed,
    ExecutionCompleted,
    ExecutionFailed,
    ExecutionRequested,
    ExecutionStarted,
)

TERMINAL = ("completed", "failed")
EVENTS = (
    ExecutionRequested,
    ExecutionStarted,
    ExecutionAttemptFailed,
    ExecutionCompleted,
    ExecutionFailed,
)
RANK = {"pending": 0, "running": 1, "completed": 2, "failed": 2}

Record = dict[str, Any]


def iso(moment: datetime) -> str:
    """Times are stored as fixed-width UTC ISO text: they sort as text, and every store
    (the embedded one turns some updated datetimes into text) hands them back the same."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _merge_attempts(known: list[Record], new: list[Record]) -> list[Record]:
    by_number = {a["attempt"]: a for a in known}
    for attempt in new:
        by_number[attempt["attempt"]] = attempt
    return [by_number[n] for n in sorted(by_number)]


def evolve(record: Record | None, event: Event) -> Record:
    """The record after `event` (camelCase fields, as served over REST)."""
    r: Record = dict(record or {})
    status = r.get("status")
    r.setdefault("id", event.aggregate_id)
    if isinstance(event, EVENTS):
        r.setdefault("owner", event.owner)  # every event of a run names the same owner
    r.setdefault("attempts", [])
    r.setdefault("logs", [])
    if isinstance(event, ExecutionRequested):
        r.setdefault("createdAt", iso(event.occurred_at))
        for key in (
            "functionId",
            "functionName",
            "functionVersion",
            "tier",
            "input",
            "inputBytes",
            "mode",
        ):
            r.setdefault(key, event.to_dict()[key])
        r.setdefault("status", "pending")
        r.setdefault("retryCount", 0)
        r.setdefault("output", None)
        r.setdefault("error", None)
    elif isinstance(event, ExecutionStarted):
        r.setdefault("createdAt", iso(event.occurred_at))
        r.setdefault("functionId", event.function_id)
        r.setdefault("functionVersion", event.function_version)
        if status not in TERMINAL:
            r["status"] = "running"
            r["instanceId"] = event.instance_id
            r["attempt"] = max(event.attempt, r.get("attempt", 0))
        if event.attempt == 1 or "coldStart" not in r:
            r["coldStart"] = event.cold_start
        if r.get("startTime") is None or iso(event.occurred_at) < r["startTime"]:
            r["startTime"] = iso(event.occurred_at)
    elif isinstance(event, ExecutionAttemptFailed):
        data = event.to_dict()
        r["attempts"] = _merge_attempts(r["attempts"], [data["record"]])
        if status not in TERMINAL:
            r["status"] = "pending"  # waiting in the queue for its retry
            r["retryCount"] = len(r["attempts"])
            r["lastError"] = data["record"]["error"]
            r["nextRetryInMs"] = event.retry_in_ms
    elif isinstance(event, ExecutionCompleted | ExecutionFailed):
        if (
            status in TERMINAL
            and RANK.get(status, 0) >= 2
            and r.get("terminalEventId") not in (None, event.event_id)
        ):
            return r  # the first terminal event wins; a duplicate one changes nothing
        data = event.to_dict()
        r.update(
            {
                "status": "completed" if isinstance(event, ExecutionCompleted) else "failed",
                "terminalEventId": event.event_id,
                "functionId": event.function_id,
                "functionName": event.function_name,
                "functionVersion": event.function_version,
                "tier": event.tier,
                "input": data["input"],
                "output": data.get("output"),
                "error": event.error.message if isinstance(event, ExecutionFailed) else None,
                "errorKind": event.error.kind if isinstance(event, ExecutionFailed) else None,
                "logs": event.logs,
                "attempts": data["attempts"],
                "startTime": iso(event.start_time),
                "endTime": iso(event.end_time),
                "duration": event.duration_ms,
                "retryCount": event.retry_count,
                "coldStarts": event.cold_starts,
                "coldStart": bool(event.attempts and event.attempts[0].cold_start),
                "inputBytes": event.input_bytes,
                "outputBytes": event.output_bytes,
                "instanceId": event.instance_id,
                "mode": event.mode,
            }
        )
        r.setdefault("createdAt", iso(event.start_time))
        r.pop("nextRetryInMs", None)
    return r
