"""What the host accepts back from an isolate, pure.

The harness inside the isolate is the user's to break: code can replace `JSON.stringify`, the
harness' own `__s3cStart`, or `console`. So nothing an isolate returns is trusted: the reply must
be a JSON object of the expected shape, the result JSON the host can parse and write again within
the depth and size limits, and the logs a list of strings, capped here whatever the harness did.
A reply that breaks any rule is a runtime error of that run (recorded and billed like any other).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from s3c_events.executor import (
    MAX_ERROR_CHARS,
    MAX_LOG_CHARS,
    MAX_LOG_LINES,
    MAX_OUTPUT_BYTES,
)
from s3c_events.jsonvalue import INT64_MAX, INT64_MIN, JsonValueError, check

TRUNCATED = "... (logs truncated)"
TAMPERED = "the function changed the sandbox's harness: its answer cannot be read"


class Refused(ValueError):
    """The isolate's answer breaks a rule; the message says which, for the user."""


@dataclass(frozen=True)
class Reply:
    """One answer of the harness, checked."""

    state: str  # "ok" | "err" | "pending"
    output: str | None = None  # canonical JSON text, when ok
    error_name: str = ""
    error_message: str = ""
    logs: list[str] = field(default_factory=list)
    call_id: int = 0  # when pending
    next_timer_ms: float = -1.0  # when pending: the next timer is due in this many ms


def cap_logs(lines: list[str]) -> list[str]:
    """At most `MAX_LOG_LINES` lines and `MAX_LOG_CHARS` characters, then a marker."""
    kept: list[str] = []
    chars = 0
    for line in lines:
        if len(kept) >= MAX_LOG_LINES or chars + len(line) > MAX_LOG_CHARS:
            return [*kept, TRUNCATED]
        kept.append(line)
        chars += len(line)
    return kept


def _logs(value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(line, str) for line in value):
        raise Refused(TAMPERED + " (its logs are not a list of strings)")
    return cap_logs(value)


def _text(value: Any, limit: int = MAX_ERROR_CHARS) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text[:limit] + ("..." if len(text) > limit else "")


def canonical_output(text: Any) -> str:
    """The result as compact JSON the host wrote itself, or `Refused` saying why not."""
    if not isinstance(text, str):
        raise Refused(TAMPERED + " (its result is not JSON text)")
    if (
        len(text) > MAX_OUTPUT_BYTES
        or len(text.encode("utf-8", "surrogatepass")) > MAX_OUTPUT_BYTES
    ):
        raise Refused("the result is over 256 KiB of JSON")
    try:
        value = json.loads(text, parse_constant=_no_constant, parse_int=_number)
    except RecursionError:
        raise Refused("the result is nested too deeply") from None
    except ValueError as exc:  # JSONDecodeError, and ints over Python's digit limit
        raise Refused(f"the result is not valid JSON ({_text(str(exc), 200)})") from None
    try:
        check(value, "result")
    except JsonValueError as exc:
        raise Refused(f"the result cannot be stored: {exc}") from None
    written = json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    if len(written.encode()) > MAX_OUTPUT_BYTES:
        raise Refused("the result is over 256 KiB of JSON")
    return written


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _number(digits: str) -> int | float:
    """JSON integers beyond 64 bits are kept as the double they were in JavaScript (MongoDB
    stores no larger integer); beyond a double's range they are not finite, and refused."""
    value = int(digits) if len(digits) <= 20 else None
    if value is not None and INT64_MIN <= value <= INT64_MAX:
        return value
    return float(digits)


def read_reply(raw: Any) -> Reply:
    """Check one answer of `__s3cStart` / `__s3cTake` (the text the isolate returned)."""
    if not isinstance(raw, str):
        raise Refused(TAMPERED)
    try:
        reply = json.loads(raw)
    except (ValueError, RecursionError):
        raise Refused(TAMPERED) from None
    if not isinstance(reply, dict):
        raise Refused(TAMPERED)
    state = reply.get("s")
    if state == "pending":
        call_id, wait = reply.get("id"), reply.get("next", -1)
        if not isinstance(call_id, int) or isinstance(call_id, bool):
            raise Refused(TAMPERED)
        if not isinstance(wait, int | float) or isinstance(wait, bool) or wait != wait:
            raise Refused(TAMPERED)
        return Reply("pending", call_id=call_id, next_timer_ms=float(wait))
    logs = _logs(reply.get("logs"))
    if state == "ok":
        return Reply("ok", output=canonical_output(reply.get("v")), logs=logs)
    if state == "err":
        error = reply.get("e")
        if not isinstance(error, dict):
            raise Refused(TAMPERED)
        return Reply(
            "err",
            error_name=_text(error.get("name", "Error"), 200),
            error_message=_text(error.get("message", "")),
            logs=logs,
        )
    raise Refused(TAMPERED)
