"""The worker pool: sandbox worker processes ("instances"), warm affinity, deadlines, RSS watchdog.

A run goes to a free worker that has the function warm if there is one, else to any free worker
(a cold start there). The parent enforces what the sandbox cannot: a hard deadline past the
function's timeout, and the tier's memory cap on the worker's RSS (V8's heap cap does not count
ArrayBuffer memory). A worker that breaks either is killed and replaced; the others go on.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import itertools
import json
import logging
import os
import sys
from collections.abc import Awaitable, Callable

from s3c_executor.domain.attempts import RunResult

log = logging.getLogger("s3c.executor.pool")
PAGE = os.sysconf("SC_PAGE_SIZE")
GRACE_S = 1.5  # beyond the function's timeout before the worker is killed from outside
WATCH_INTERVAL_S = 0.02
SPAWN_TIMEOUT_S = 30.0
_ids = itertools.count(1)


def rss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0


class WorkerProcess:
    def __init__(self, instance_id: str, proc: asyncio.subprocess.Process) -> None:
        self.instance_id = instance_id
        self.proc = proc
        self.warm: set[str] = set()
        self.stale: set[str] = set()  # warm keys of versions replaced or deleted: to drop
        self._loaded: asyncio.Future[None] | None = None
        self.busy = False
        self.function = ""  # whose run it has in hand, while busy
        self.retiring = False
        self.killed = False

    @classmethod
    async def spawn(cls) -> WorkerProcess:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "s3c_executor.sandbox.worker",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            limit=16 * 1024 * 1024,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )  # fmt: skip
        worker = cls(f"instance-{os.getpid()}-{next(_ids)}", proc)
        worker._loaded = asyncio.ensure_future(worker._load())
        return worker

    async def _load(self) -> None:
        """Its first line says it has loaded (V8 included): its RSS is its own from here."""
        assert self.proc.stdout is not None
        try:
            await asyncio.wait_for(self.proc.stdout.readline(), SPAWN_TIMEOUT_S)
        except (TimeoutError, ValueError, OSError):
            self.kill()  # the run in hand fails as a crash; the worker is replaced

    async def loaded(self) -> None:
        """Wait until the worker has loaded (the first run on a new worker waits here)."""
        if self._loaded is not None:
            await asyncio.shield(self._loaded)

    @property
    def pid(self) -> int:
        return self.proc.pid

    @property
    def alive(self) -> bool:
        return not self.killed and self.proc.returncode is None

    def gone(self) -> bool:
        """Dead, even if not reaped yet (a zombie, or no process at all)."""
        if self.proc.returncode is not None:
            return True
        try:
            with open(f"/proc/{self.pid}/stat") as f:
                stat = f.read()
        except OSError:
            return True
        return stat[stat.rindex(")") + 2] in "ZX"

    def kill(self) -> None:
        self.killed = True
        with contextlib.suppress(ProcessLookupError):
            self.proc.kill()

    async def close(self) -> None:
        if self.alive and self.proc.stdin:
            self.proc.stdin.close()
            try:
                await asyncio.wait_for(self.proc.wait(), 2)
            except TimeoutError:
                self.kill()
        await self.proc.wait()

    async def run(
        self, key: str, code: str, timeout_ms: int, memory_mb: int, input_json: str
    ) -> RunResult:
        await self.loaded()
        if not self.alive:
            return self._died(key, asyncio.get_running_loop().time(), "crash",
                              "the sandbox worker did not start")  # fmt: skip
        assert self.proc.stdin and self.proc.stdout
        request = {
            "key": key,
            "code": code,
            "timeoutMs": timeout_ms,
            "memoryMb": memory_mb,
            "input": input_json,
        }
        baseline = rss_bytes(self.pid)
        cap = memory_mb * 1024 * 1024
        self.proc.stdin.write(json.dumps(request, separators=(",", ":")).encode() + b"\n")
        await self.proc.stdin.drain()
        reader = asyncio.ensure_future(self.proc.stdout.readline())
        loop = asyncio.get_running_loop()
        started = loop.time()
        deadline = started + timeout_ms / 1000 + GRACE_S + (0.5 if key not in self.warm else 0)
        peak = 0
        while not reader.done():
            await asyncio.wait({reader}, timeout=WATCH_INTERVAL_S)
            if reader.done():
                break
            grown = rss_bytes(self.pid) - baseline
            peak = max(peak, grown)
            if grown > cap:
                self.kill()
                reader.cancel()
                return self._died(
                    key, started, "memory", f"memory limit reached: the run passed {memory_mb} MB"
                )
            if loop.time() > deadline:
                self.kill()
                reader.cancel()
                return self._died(key, started, "timeout", f"timed out after {timeout_ms} ms")
        try:
            line = reader.result()
            reply = json.loads(line) if line else None
        except (ValueError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            # An answer we cannot read leaves the pipe out of step: this worker must go.
            self.kill()
            return self._died(key, started, "crash", "the sandbox worker sent an unreadable answer")
        if not line:
            self.killed = True
            # The worker died under the run: V8 aborts a process on some out-of-memory paths.
            kind = "memory" if peak > cap * 0.5 else "crash"
            return self._died(
                key,
                started,
                kind,
                "the sandbox worker died during the run"
                + (" (out of memory)" if kind == "memory" else ""),
            )
        assert reply is not None
        evicted = set(reply.get("evicted", ()))
        self.warm -= evicted
        if reply.get("warm"):
            self.warm.add(key)
        return RunResult.from_wire(reply, self.instance_id)

    async def drop_stale(self) -> None:
        """Close the isolates of versions that will not run again (the caller holds this worker)."""
        keys, self.stale = sorted(self.stale), set()
        if not keys or not self.alive:
            return
        assert self.proc.stdin and self.proc.stdout
        try:
            self.proc.stdin.write(json.dumps({"drop": keys}).encode() + b"\n")
            await self.proc.stdin.drain()
            line = await asyncio.wait_for(self.proc.stdout.readline(), 5)
            self.warm -= set(json.loads(line)["evicted"])
        except (OSError, ValueError, KeyError, TypeError, TimeoutError):
            self.kill()  # out of step or stuck: replaced on release

    def _died(self, key: str, started: float, kind: str, message: str) -> RunResult:
        elapsed = (asyncio.get_running_loop().time() - started) * 1000
        return RunResult(
            False,
            self.instance_id,
            key not in self.warm,
            round(elapsed, 3),
            error_kind=kind,
            error=message,
        )


class Pool:
    """A resizable set of worker processes; `run` waits for a free one."""

    def __init__(self, size: int) -> None:
        self.target = max(1, size)
        self.workers: list[WorkerProcess] = []
        self._changed = asyncio.Condition()
        self._closed = False
        self.replaced = 0
        self._waiting: dict[
            int, str
        ] = {}  # run waiting for a worker (in arrival order) -> function
        self._tickets = itertools.count()

    @property
    def busy(self) -> int:
        return sum(1 for w in self.workers if w.busy)

    @property
    def waiting(self) -> int:
        """Runs waiting for a free worker (the load the work queue's depth does not show)."""
        return len(self._waiting)

    def _next_in_line(self) -> int:
        """Who gets the next free worker: the run whose function holds the fewest workers now,
        the earliest among equals. One function's burst cannot keep others waiting behind it."""
        held = collections.Counter(w.function for w in self.workers if w.busy)
        return min(self._waiting, key=lambda t: (held[self._waiting[t]], t))

    async def start(self) -> None:
        await self.resize(self.target)
        await asyncio.gather(*(w.loaded() for w in self.workers))  # warm before the first run

    @property
    def size(self) -> int:
        return len([w for w in self.workers if not w.retiring])

    def pids(self) -> list[int]:
        return [w.pid for w in self.workers if w.alive]

    async def resize(self, size: int) -> None:
        """Grow by spawning; shrink by retiring idle workers first (busy ones finish their run)."""
        self.target = max(1, size)
        async with self._changed:
            active = [w for w in self.workers if not w.retiring]
            for _ in range(self.target - len(active)):
                self.workers.append(await WorkerProcess.spawn())
            surplus = len(active) - self.target
            for worker in sorted(active, key=lambda w: w.busy)[: max(0, surplus)]:
                worker.retiring = True
            self._changed.notify_all()
        await self._reap()

    async def _reap(self) -> None:
        for worker in [w for w in self.workers if w.retiring and not w.busy]:
            self.workers.remove(worker)
            await worker.close()

    async def _acquire(self, key: str) -> WorkerProcess:
        ticket = next(self._tickets)
        function = key.split(":", 1)[0]
        self._waiting[ticket] = function
        try:
            return await self._wait_turn(ticket, key, function)
        except BaseException:
            if self._waiting.pop(ticket, None) is not None:  # cancelled in line: let others on
                async with self._changed:
                    self._changed.notify_all()
            raise

    async def _wait_turn(self, ticket: int, key: str, function: str) -> WorkerProcess:
        async with self._changed:
            while True:
                idle = [w for w in self.workers if not w.busy and not w.retiring]
                for worker in [w for w in idle if w.gone()]:
                    # It died while idle (the OOM killer, a kill -9): replace it before use.
                    self.replaced += 1
                    worker.killed = True
                    self.workers[self.workers.index(worker)] = await WorkerProcess.spawn()
                free = [w for w in self.workers if not w.busy and not w.retiring]
                if free and self._next_in_line() == ticket:
                    warm = [w for w in free if key in w.warm]
                    worker = (warm or free)[0]
                    worker.busy, worker.function = True, function
                    del self._waiting[ticket]
                    self._changed.notify_all()  # another free worker may be the next one's
                    return worker
                if free:
                    self._changed.notify_all()  # a free worker, and someone else's turn
                if self._closed:
                    raise RuntimeError("the pool is closed")
                await self._changed.wait()

    async def forget(self, function_id: str, keep: str | None = None) -> None:
        """Free the warm isolates of a function's versions other than `keep` (None: all of them,
        the function is deleted). Idle workers drop them now, busy ones when their run ends."""
        prefix = f"{function_id}:"
        idle: list[WorkerProcess] = []
        async with self._changed:
            for worker in self.workers:
                worker.stale |= {k for k in worker.warm if k.startswith(prefix) and k != keep}
                worker.warm -= worker.stale
                if worker.stale and not worker.busy and worker.alive:
                    worker.busy = True
                    idle.append(worker)
        for worker in idle:
            await worker.drop_stale()
            await self._release(worker)

    async def _release(self, worker: WorkerProcess) -> None:
        if worker.stale and worker.alive:
            await worker.drop_stale()
        replacement = None
        if not worker.alive:
            self.replaced += 1
            log.warning("replacing worker", extra={"fields": {"instance": worker.instance_id}})
            with contextlib.suppress(Exception):
                await worker.proc.wait()
            if not worker.retiring and not self._closed:
                replacement = await WorkerProcess.spawn()
        async with self._changed:
            worker.busy = False
            if replacement is not None:
                self.workers[self.workers.index(worker)] = replacement
            elif not worker.alive and worker in self.workers:
                self.workers.remove(worker)
            self._changed.notify_all()
        await self._reap()

    async def run(
        self,
        key: str,
        code: str,
        timeout_ms: int,
        memory_mb: int,
        input_json: str,
        on_start: Callable[[str, bool], Awaitable[None]] | None = None,
    ) -> RunResult:
        """Run on a free worker; `on_start(instance_id, cold)` is awaited once one is chosen."""
        worker = await self._acquire(key)
        try:
            if on_start is not None:
                await on_start(worker.instance_id, key not in worker.warm)
            return await worker.run(key, code, timeout_ms, memory_mb, input_json)
        except (BrokenPipeError, ConnectionResetError):
            worker.kill()
            return RunResult(
                False,
                worker.instance_id,
                True,
                0.0,
                error_kind="crash",
                error="the sandbox worker died",
            )
        finally:
            await self._release(worker)

    async def close(self) -> None:
        self._closed = True
        async with self._changed:
            self._changed.notify_all()
        for worker in self.workers:
            await worker.close()
        self.workers.clear()
