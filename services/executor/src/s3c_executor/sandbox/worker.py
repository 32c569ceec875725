"""A sandbox worker process (one "instance"): loads functions into warm isolates and runs calls.

Protocol: one JSON object a line on stdin -> one JSON object a line on stdout, after a first
line {"ready": true} once the worker has loaded.
Request:  {"key", "code", "timeoutMs", "memoryMb", "input"}   (input: JSON text)
Reply:    a `RunResult` in its wire shape (`RunResult.to_wire`), plus "evicted": [keys] (isolates
          closed) and "warm" (the key's isolate is kept for the next call)
Request:  {"drop": [keys]} (versions replaced or deleted)  ->  Reply: {"evicted": [keys]}
The parent owns this process: it kills it on a deadline or when its RSS passes the tier's cap
during a call. Between calls the worker keeps its own account: the memory each warm isolate
holds (the process's RSS growth over its loads and calls, after a full GC once it looks over)
stays under that function's tier cap, and all of them under `S3C_WORKER_MEMORY_MB`; an isolate
over either is dropped, so its next call is a cold start.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections import OrderedDict
from dataclasses import replace
from typing import Any

from py_mini_racer import MiniRacer
from s3c_events.executor import MAX_ERROR_CHARS

from s3c_executor.domain.attempts import RunResult
from s3c_executor.sandbox.isolate import LoadedFunction, LoadError, blank_isolate

MAX_WARM = int(os.environ.get("S3C_WARM_ISOLATES", "32"))
WORKER_BUDGET = int(os.environ.get("S3C_WORKER_MEMORY_MB", "2048")) * 1024 * 1024
PAGE = os.sysconf("SC_PAGE_SIZE")


def own_rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE


class Worker:
    def __init__(self, max_warm: int = MAX_WARM) -> None:
        self.max_warm = max_warm
        self.warm: OrderedDict[str, LoadedFunction] = OrderedDict()
        self.held: dict[str, int] = {}  # bytes each warm isolate is accounted to hold
        self.blank: MiniRacer | None = None

    def prepare(self) -> None:
        """Between requests: have a blank isolate ready, so the next cold start skips its setup."""
        if self.blank is None:
            self.blank = blank_isolate()

    def _drop(self, key: str, evicted: list[str]) -> None:
        loaded = self.warm.pop(key, None)
        self.held.pop(key, None)
        if loaded is not None:
            loaded.close()
            evicted.append(key)

    def _account(self, key: str, grown: int, cap: int, evicted: list[str]) -> None:
        """Add a call's RSS growth to its isolate; drop the isolate if it holds over its cap
        after a full GC, then drop the least recently used ones while all hold over budget."""
        loaded = self.warm.get(key)
        if loaded is None:
            return
        held = max(0, self.held.get(key, 0) + grown)
        if held > cap:
            before = own_rss()
            loaded.ctx.low_memory_notification()  # garbage is not held: collect it, then count
            held = max(0, held - (before - own_rss()))
        self.held[key] = held
        if held > cap:
            self._drop(key, evicted)
        while self.warm and sum(self.held.values()) > WORKER_BUDGET:
            self._drop(next(iter(self.warm)), evicted)

    def drop(self, keys: list[str]) -> dict[str, Any]:
        evicted: list[str] = []
        for key in keys:
            self._drop(key, evicted)
        return {"evicted": evicted}

    def handle(self, req: dict[str, Any]) -> dict[str, Any]:
        key = req["key"]
        evicted: list[str] = []
        loaded = self.warm.get(key)
        cold = loaded is None
        load_ms = 0.0
        before = own_rss()
        if loaded is None:
            blank, self.blank = self.blank or blank_isolate(), None
            started = time.perf_counter()
            try:
                loaded = LoadedFunction(req["code"], req["timeoutMs"], req["memoryMb"], blank)
            except LoadError as exc:
                # The top-level code ran (and may have looped until the timeout): that is run time.
                spent = round((time.perf_counter() - started) * 1000, 3)
                failed = RunResult(False, "", True, spent, error_kind=exc.kind, error=exc.message,
                                   load_ms=spent)  # fmt: skip
                return {**failed.to_wire(), "evicted": evicted, "warm": False}
            load_ms = loaded.load_ms
            self.warm[key] = loaded
            while len(self.warm) > self.max_warm:
                self._drop(next(iter(self.warm)), evicted)
        else:
            self.warm.move_to_end(key)
        outcome = loaded.call(req["input"], req["timeoutMs"])
        if outcome.drop:
            self._drop(key, evicted)  # a timed-out or exhausted isolate is never reused
        else:
            self._account(key, own_rss() - before, req["memoryMb"] * 1024 * 1024, evicted)
        # Run time includes the top-level code of a cold load: the user's code ran then too.
        result = replace(
            outcome.result,
            duration_ms=round(outcome.result.duration_ms + load_ms, 3),
            cold_start=cold,
            load_ms=round(load_ms, 3),
        )
        return {**result.to_wire(), "evicted": evicted, "warm": key in self.warm}


def crashed(key: str, exc: Exception) -> dict[str, Any]:
    failed = RunResult(False, "", True, 0.0, error_kind="crash",
                       error=f"sandbox error: {exc}"[:MAX_ERROR_CHARS])  # fmt: skip
    return {**failed.to_wire(), "evicted": [key] if key else [], "warm": False}


def main() -> None:
    worker = Worker()
    worker.prepare()
    out = sys.stdout
    out.write('{"ready":true}\n')  # loaded: the parent measures memory from here on
    out.flush()
    for line in sys.stdin:
        if not line.strip():
            continue
        request: Any = None
        try:
            request = json.loads(line)
            reply = worker.drop(request["drop"]) if "drop" in request else worker.handle(request)
        except Exception as exc:  # never die with a run in hand: answer, and drop that isolate
            key = request.get("key", "") if isinstance(request, dict) else ""
            key = key if isinstance(key, str) else ""
            worker._drop(key, [])
            reply = crashed(key, exc)
        out.write(json.dumps(reply, separators=(",", ":")) + "\n")
        out.flush()
        worker.prepare()  # after the answer: the caller does not wait for it
    os._exit(0)  # skip interpreter teardown of V8 threads


if __name__ == "__main__":
    main()
