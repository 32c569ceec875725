"""One function version loaded in its own V8 isolate, and one call of it under a deadline."""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from importlib import resources

from py_mini_racer import JSEvalException, JSOOMException, JSTimeoutException, MiniRacer
from s3c_events.executor import MAX_ERROR_CHARS, ErrorKind

from s3c_executor.domain.attempts import RunResult
from s3c_executor.domain.entrypoint import top_level_functions
from s3c_executor.domain.results import Refused, Reply, read_reply

HARNESS = resources.files("s3c_executor.sandbox").joinpath("harness.js").read_text()
# V8 aborts the whole process when a heap cap of 1.5 GB or more is hit: stay below it and let
# the host's RSS watchdog enforce larger tier caps.
MAX_HEAP_CAP = 1400 * 1024 * 1024
FENCE_SECONDS = 0.05
FENCE_TRIES = 5
LOCATION = re.compile(r"^(?:undefined|<anonymous>):\d+: ")
# V8 reports some exhaustion as a RangeError the code could catch; when it escapes, it is memory.
OUT_OF_MEMORY = (
    "allocation failed",
    "Invalid string length",
    "Invalid typed array length",
    "Array buffer",
)


class DeadlinePassed(Exception):
    """The call's time ran out between two evaluations."""


class LeftoverWork(Exception):
    """The call answered, but code it left behind (a loop after an await) kept running."""


class LoadError(Exception):
    """The code cannot become a callable function: `kind` is `compile` (syntax, no entry point),
    `runtime` (its top-level code threw), `timeout` or `memory`."""

    def __init__(self, kind: ErrorKind, message: str) -> None:
        super().__init__(message)
        self.kind: ErrorKind = kind
        self.message = message[:MAX_ERROR_CHARS]


@dataclass
class Outcome:
    """One call in an isolate: its result, and whether the isolate must be dropped after it
    (a timeout or exhausted memory leave it unusable; a broken harness cannot be trusted)."""

    result: RunResult
    drop: bool = False


def _failed(kind: ErrorKind, message: str, started: float, logs: list[str] | None = None,
            drop: bool = True) -> Outcome:  # fmt: skip
    duration = (time.perf_counter() - started) * 1000
    result = RunResult(False, "", False, duration, error_kind=kind, error=message[:MAX_ERROR_CHARS],
                       logs=logs or [])  # fmt: skip
    return Outcome(result, drop)


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
    # V8 puts where it threw first (`undefined:3: Error: ...`): the script has no name, drop it.
    return LOCATION.sub("", line, count=1)[:MAX_ERROR_CHARS]


def _load_kind(message: str) -> ErrorKind:
    """A syntax error or a missing entry point is `compile`; anything the top-level code threw
    while it ran is `runtime`."""
    if message.startswith("SyntaxError") or "no entry point" in message:
        return "compile"
    return "runtime"


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
            loaded = self.ctx.eval(loader_source(code), timeout_sec=max(timeout_ms, 1) / 1000)
        except JSTimeoutException as exc:
            self.close()
            raise LoadError("timeout", f"loading the code took over {timeout_ms} ms") from exc
        except JSOOMException as exc:
            self.close()
            raise LoadError("memory", "loading the code passed the memory cap") from exc
        except JSEvalException as exc:
            self.close()
            text = _error_text(exc)
            raise LoadError(_load_kind(text), text) from exc
        if not isinstance(loaded, str):  # the top-level code replaced the harness
            self.close()
            raise LoadError("runtime", "the code changed the sandbox's harness while loading")
        self.load_ms = (time.perf_counter() - started) * 1000

    def close(self) -> None:
        ctx, self.ctx = self.ctx, None  # type: ignore[assignment]
        if ctx is not None:
            ctx.close()

    def _eval(self, source: str, deadline: float) -> Reply:
        remaining = deadline - time.perf_counter()
        if remaining <= 0:
            raise DeadlinePassed
        return read_reply(self.ctx.eval(source, timeout_sec=remaining))

    def _fence(self) -> None:
        """Leftover work (a loop in a promise) runs here and burns the fence's time. A fence that
        timed out having used little CPU was only starved (a busy host): it is tried again."""
        for _ in range(FENCE_TRIES):
            cpu = time.process_time()
            try:
                self.ctx.eval("0", timeout_sec=FENCE_SECONDS)
                return
            except JSTimeoutException as exc:
                if time.process_time() - cpu >= FENCE_SECONDS / 2:
                    raise LeftoverWork from exc
        raise LeftoverWork

    def call(self, input_json: str, timeout_ms: int) -> Outcome:
        """Run once under `timeout_ms`. The isolate's answer is checked (`read_reply`): an answer
        the host cannot accept is a runtime error of this run, billed for the time it took."""
        started = time.perf_counter()
        deadline = started + timeout_ms / 1000
        try:
            reply = self._eval(f"__s3cStart({json.dumps(input_json)})", deadline)
            while reply.state == "pending":
                wait = reply.next_timer_ms
                # Timers due later: sleep until then (bounded), else let microtasks settle.
                time.sleep(min(max(wait, 0.2) / 1000, 0.005) if wait != 0 else 0)
                reply = self._eval(f"__s3cTake({reply.call_id})", deadline)
            # A fence: leftover work (a loop after an await) shows up here, not in the next call.
            self._fence()
        except (JSTimeoutException, DeadlinePassed):
            return _failed("timeout", f"timed out after {timeout_ms} ms", started)
        except LeftoverWork:
            return _failed("timeout", "the function answered, but work it left running (a loop "
                           "in a promise or microtask) did not stop", started)  # fmt: skip
        except JSOOMException:
            return _failed("memory", "memory limit reached", started)
        except JSEvalException as exc:
            return _failed("runtime", _error_text(exc), started)
        except Refused as exc:
            return _failed("runtime", str(exc), started)
        duration = (time.perf_counter() - started) * 1000
        if reply.state == "err":
            name, text = reply.error_name, reply.error_message
            message = f"{name}: {text}"
            if name == "RangeError" and any(m in text for m in OUT_OF_MEMORY):
                return _failed("memory", f"memory limit reached ({message})", started, reply.logs)
            return Outcome(RunResult(False, "", False, duration, error_kind="runtime",
                                     error=message[:MAX_ERROR_CHARS], logs=reply.logs))  # fmt: skip
        return Outcome(RunResult(True, "", False, duration, output=reply.output, logs=reply.logs))
