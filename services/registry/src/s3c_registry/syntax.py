"""Compile-only checks of function source (the `CodeChecker` port): JavaScript in V8 (mini-racer),
Python with `compile`. They parse, never run user code."""

from __future__ import annotations

import asyncio
import json
import threading

from py_mini_racer import MiniRacer
from s3c_events.registry import Runtime

# `new Function(...)` compiles the body without calling it; the parameters mirror the scope
# the executor loads code in (CommonJS-style `module` and `exports`).
_CHECKER = """
function __check(src) {
  try { new Function('module', 'exports', src); return null; }
  catch (e) { return String((e && e.name ? e.name + ': ' : '') + (e && e.message || e)); }
}
"""


class JsSyntaxChecker:
    """One small isolate reused for every check; checks are serialised (mini-racer is not
    thread-safe) and bounded by a timeout, so a pathological source cannot stall the service."""

    def __init__(self, timeout_ms: int = 2000) -> None:
        self._ctx = MiniRacer()
        self._ctx.eval(_CHECKER)
        self._lock = threading.Lock()
        self._timeout = timeout_ms

    def error(self, code: str) -> str | None:
        """None when `code` compiles, else V8's message, e.g. "SyntaxError: Unexpected token ';'"."""
        with self._lock:
            try:
                result = self._ctx.eval(f"__check({json.dumps(code)})", timeout=self._timeout)
            except Exception as exc:  # a timeout or an engine error is a refusal, not a crash
                return f"could not be compiled: {exc}"
        return None if result is None else str(result)


def python_syntax_error(code: str) -> str | None:
    try:
        compile(code, "<function>", "exec")  # compiles only; nothing runs
    except SyntaxError as exc:
        return f"SyntaxError: {exc.msg} (line {exc.lineno})"
    return None


class CodeCompiler:
    """Both checks behind the port. The V8 isolate is made at the first JavaScript check (not at
    start-up), and checks run off the event loop."""

    def __init__(self) -> None:
        self._js: JsSyntaxChecker | None = None

    async def error(self, runtime: Runtime, code: str) -> str | None:
        if runtime == "python":
            return python_syntax_error(code)
        if self._js is None:
            self._js = JsSyntaxChecker()
        return await asyncio.to_thread(self._js.error, code)
