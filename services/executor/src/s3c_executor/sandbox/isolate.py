"""One function version loaded in its own V8 isolate, and one call of it under a deadline."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from py_mini_racer import JSEvalException, JSOOMException, JSTimeoutException, MiniRacer

from s3c_executor.domain.entrypoint import top_level_functions

HARNESS = resources.files("s3c_executor.sandbox").joinpath("harness.js").read_text()
# V8 aborts the whole process when a heap cap of 1.5 GB or more is hit: stay below it and let
# the host's RSS watchdog enforce larger tier caps.
MAX_HEAP_CAP = 1400 * 1024 * 1024
# The outcome travels in one NATS message (1 MiB at most) with the input and the logs.
MAX_OUTPUT_BYTES = 256 * 1024
MAX_ERROR_CHARS = 4096
FENCE_SECONDS = 0.05
# V8 reports some exhaustion as a RangeError the code could catch; when it escapes, it is memory.
OUT_OF_MEMORY = (
    "allocation failed",
    "Invalid string length",
    "Invalid typed array length",
    "Array buffer",
)


class DeadlinePassed(Exception):
    """The call's time ran out between two evaluations."""


class LoadError(Exception):
    """The code cannot become a callable function (syntax, top-level throw, no entry point)."""


@dataclass
class Outcome:
    ok: bool
    output: str | None = None  # JSON text
    error_kind: str | None = None
    error: str | None = None
    logs: list[str] = field(default_factory=list)
    duration_ms: float = 0.0
    poisoned: bool = False  # the isolate must be dropped (timeout, memory)


def loader_source(code: str) -> str:
    candidates = top_level_functions(code)
    found = ", ".join(f"typeof {n} === 'function' ? {n} : undefined" for n in candidates)
    body = (
        code
        + "\n;return { handler: typeof handler === 'function' ? handler : undefined,"
        + " main: typeof main === 'function' ? main : undefined,"
        + f" last: [{found}] }};"
    )
    # The code runs as a function body, exactly as the registry compiled it.
    return f"""__s3cSetEntry((function () {{
  const module = {{ exports: {{}} }};
  const found = (new Function('module', 'exports', {json.dumps(body)}))(module, module.exports) || {{}};
  const m = module.exports;
  if (typeof m === 'function') return m;
  if (m && typeof m.handler === 'function') return m.handler;
  if (m && typeof m.default === 'function') return m.default;
  if (found.handler) return found.handler;
  if (found.main) return found.main;
  for (let i = (found.last || []).length - 1; i >= 0; i--) {{
    if (typeof found.last[i] === 'function') return found.last[i];
  }}
  throw new Error('no entry point: set module.exports, or declare a function handler or main');
}})())"""


def _error_text(exc: Exception) -> str:
    text = str(exc).strip()
    line = text.splitlines()[0] if text else type(exc).__name__
    return line[:MAX_ERROR_CHARS]


def blank_isolate() -> MiniRacer:
    """A fresh isolate with the harness loaded and no user code yet (the costly part of a cold
    start, so a worker prepares one while idle)."""
    ctx = MiniRacer()
    ctx.eval(HARNESS)
    return ctx


class LoadedFunction:
    def __init__(
        self, code: str, timeout_ms: int, memory_mb: int, blank: MiniRacer | None = None
    ) -> None:
        self.ctx = blank or blank_isolate()
        self.ctx.set_hard_memory_limit(min(memory_mb * 1024 * 1024, MAX_HEAP_CAP))
        started = time.perf_counter()  # from here on, the user's top-level code runs
        try:
            self.params = json.loads(
                str(self.ctx.eval(loader_source(code), timeout_sec=max(timeout_ms, 1) / 1000))
            )
        except JSTimeoutException as exc:
            self.close()
            raise LoadError(f"timeout: loading the code took over {timeout_ms} ms") from exc
        except JSOOMException as exc:
            self.close()
            raise LoadError("memory: loading the code passed the memory cap") from exc
        except JSEvalException as exc:
            self.close()
            raise LoadError(_error_text(exc)) from exc
        self.load_ms = (time.perf_counter() - started) * 1000

    def close(self) -> None:
        ctx, self.ctx = self.ctx, None  # type: ignore[assignment]
        if ctx is not None:
            ctx.close()

    def _eval(self, source: str, deadline: float) -> dict[str, Any]:
        remaining = deadline - time.perf_counter()
        if remaining <= 0:
            raise DeadlinePassed
        result: dict[str, Any] = json.loads(str(self.ctx.eval(source, timeout_sec=remaining)))
        return result

    def call(self, input_json: str, timeout_ms: int) -> Outcome:
        started = time.perf_counter()
        deadline = started + timeout_ms / 1000
        try:
            reply = self._eval(f"__s3cStart({json.dumps(input_json)})", deadline)
            while reply["s"] == "pending":
                wait = reply.get("next", -1)
                # Timers due later: sleep until then (bounded), else let microtasks settle.
                time.sleep(min(max(wait, 0.2) / 1000, 0.005) if wait != 0 else 0)
                reply = self._eval(f"__s3cTake({reply['id']})", deadline)
            # A fence: leftover work (a loop after an await) shows up here, not in the next call.
            self.ctx.eval("0", timeout_sec=FENCE_SECONDS)
        except (JSTimeoutException, DeadlinePassed):
            return Outcome(False, error_kind="timeout", error=f"timed out after {timeout_ms} ms",
                           duration_ms=(time.perf_counter() - started) * 1000, poisoned=True)  # fmt: skip
        except JSOOMException:
            return Outcome(False, error_kind="memory", error="memory limit reached",
                           duration_ms=(time.perf_counter() - started) * 1000, poisoned=True)  # fmt: skip
        except JSEvalException as exc:
            return Outcome(False, error_kind="runtime", error=_error_text(exc),
                           duration_ms=(time.perf_counter() - started) * 1000, poisoned=True)  # fmt: skip
        duration = (time.perf_counter() - started) * 1000
        logs = reply.get("logs", [])
        if reply["s"] == "err":
            e = reply["e"]
            message = f"{e['name']}: {e['message']}"
            if e["name"] == "RangeError" and any(m in e["message"] for m in OUT_OF_MEMORY):
                return Outcome(False, error_kind="memory", error=f"memory limit reached ({message})",
                               logs=logs, duration_ms=duration, poisoned=True)  # fmt: skip
            return Outcome(
                False, error_kind="runtime", error=message, logs=logs, duration_ms=duration
            )
        output = reply["v"]
        if len(output.encode()) > MAX_OUTPUT_BYTES:
            return Outcome(False, error_kind="runtime", error="the result is over 256 KiB of JSON",
                           logs=logs, duration_ms=duration)  # fmt: skip
        return Outcome(True, output=output, logs=logs, duration_ms=duration)
