"""Where the CPU goes: CPU time per process per execution under closed-loop load on /fn/add.

    uv run --no-sync python bench/cpu_profile.py [--duration 10] [--concurrency 50] [--py-spy executor]

Starts the embedded stack on free ports with a fresh data folder (as bench/run.py does), registers
`add` and warms it up at the same concurrency: the scaler grows the pool then, and shrinks it only
after 30 s of calm, so the measured run sees a steady pool. Then h2load (HTTP/1.1 keep-alive, closed
loop) drives /fn/add, and around that load this reads utime+stime from /proc/<pid>/stat for every
process of the stack: nats-server, nx-27017, each service, the sandbox workers (the executor's
children, summed; exited ones count through the executor's cutime+cstime) and the `s3c up`
supervisor. The "after" reading waits until the stack has gone quiet again, so the projections'
backlog counts too; the idle rate measured before the load shows how little is background.
Prints per process: CPU seconds, CPU ms per execution (executions = runs recorded as completed or
failed on JetStream during the window, so those in flight when h2load stopped count too), share of
the stack's total and the kernel's part of it; then req/s and p50 as bench/run.py computes them,
the pool's size, and the JetStream messages each execution cost.

--py-spy NAME (repeatable: a service, `store`, or `worker` for the first sandbox worker; nats-server
is not Python) samples that process with py-spy during the load: non-blocking, --rate per second,
only the thread holding the GIL (the Python work, not threads parked in a wait). It prints the top
frames and packages and keeps the collapsed stacks in --out for a flame graph (speedscope.app or
flamegraph.pl read them). py-spy is not a project dependency: it runs from PATH, else through `uvx`
(PyPI); without either the flag is skipped with a message.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import nats
from nats.js.api import RetentionPolicy
from s3c_events.executor import ExecutionCompleted, ExecutionFailed

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from run import BODY, load  # noqa: E402

sys.path.insert(0, str(ROOT / "tests"))
from helpers import Stack, poll  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")
ROOTS = ("nats", "store", "registry", "executor", "billing", "scaler", "gateway")
QUIET_CPU = 0.15  # cores: below this for a second, the stack has drained what the load queued


@dataclass(frozen=True)
class Cpu:
    user: float = 0.0  # seconds
    sys: float = 0.0

    @property
    def total(self) -> float:
        return self.user + self.sys

    def __add__(self, other: Cpu) -> Cpu:
        return Cpu(self.user + other.user, self.sys + other.sys)

    def __sub__(self, other: Cpu) -> Cpu:
        return Cpu(self.user - other.user, self.sys - other.sys)


@dataclass(frozen=True)
class Stat:
    ppid: int
    own: Cpu  # utime, stime
    children: Cpu  # cutime, cstime: exited children this process waited for


def read_stat(pid: int) -> Stat | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # comm (field 2) may hold spaces and parentheses: the fields after it start after the last ')'
    rest = raw[raw.rfind(")") + 2 :].split()
    ticks = [int(t) / TICK for t in rest[11:15]]
    return Stat(int(rest[1]), Cpu(ticks[0], ticks[1]), Cpu(ticks[2], ticks[3]))


def all_stats() -> dict[int, Stat]:
    stats = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (stat := read_stat(int(entry))) is not None:
            stats[int(entry)] = stat
    return stats


def descendants(pid: int, stats: dict[int, Stat]) -> list[int]:
    kids: dict[int, list[int]] = collections.defaultdict(list)
    for child, stat in stats.items():
        kids[stat.ppid].append(child)
    found, todo = [], list(kids[pid])
    while todo:
        child = todo.pop()
        found.append(child)
        todo.extend(kids[child])
    return found


def stack_pids(stack: Stack) -> dict[str, int]:
    assert stack.process is not None
    pids = {"s3c up": stack.process.pid, **{name: stack.pid(name) for name in ROOTS}}
    stats = all_stats()
    children = {p for p, stat in stats.items() if stat.ppid == stack.process.pid}
    if unknown := children - set(pids.values()):  # a process the table would miss
        raise RuntimeError(f"`s3c up` runs processes this table does not know: {unknown}")
    return pids


def cpu_by_process(pids: dict[str, int]) -> dict[str, Cpu]:
    """CPU time so far per row of the table. The executor's descendants are the sandbox
    workers; any other process's descendants (none today) count as that process."""
    stats = all_stats()
    rows: dict[str, Cpu] = {}
    for name, pid in pids.items():
        stat = stats.get(pid)
        if stat is None:
            raise RuntimeError(f"{name} (pid {pid}) is gone: the stack restarted it mid-run")
        if name == "s3c up":  # its children are the rows below: only its own time
            rows[name] = stat.own
            continue
        below = sum(
            (stats[p].own + stats[p].children for p in descendants(pid, stats) if p in stats),
            Cpu(),
        )
        if name == "executor":
            rows["executor"] = stat.own
            rows["sandbox workers"] = below + stat.children
        else:
            rows[name] = stat.own + below + stat.children
    return rows


def worker_pids(pids: dict[str, int]) -> set[int]:
    return set(descendants(pids["executor"], all_stats()))


class WorkerWatch:
    """Every sandbox worker pid seen while it runs: the scaler grows the pool under load, and a
    new worker's start (Python and V8) costs CPU that the table counts as the workers'."""

    def __init__(self, pids: dict[str, int]) -> None:
        self.pids = pids
        self.at_start = worker_pids(pids)
        self.seen = set(self.at_start)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        while not self._stop.wait(0.1):
            self.seen |= worker_pids(self.pids)

    def stop(self) -> str:
        self._stop.set()
        self._thread.join()
        at_end = worker_pids(self.pids)
        self.seen |= at_end
        return (
            f"sandbox workers: {len(self.at_start)} at the start, {len(at_end)} at the end, "
            f"{len(self.seen - self.at_start)} started during the run"
        )


def total_cpu(pids: dict[str, int]) -> float:
    return sum(cpu.total for cpu in cpu_by_process(pids).values())


def wait_quiet(pids: dict[str, int], timeout: float = 60.0) -> float:
    """Seconds until the stack's CPU rate stays under QUIET_CPU cores for one second."""
    start = time.monotonic()

    def quiet() -> bool:
        before = total_cpu(pids)
        time.sleep(1.0)  # a measuring window, not a wait for a state
        return total_cpu(pids) - before < QUIET_CPU

    poll(quiet, timeout, interval=0, what="the stack to go quiet after the load")
    return time.monotonic() - start


def thread_cpu(pid: int) -> dict[str, Cpu]:
    """CPU so far per thread of one process, named `main`, or by comm and thread id."""
    threads: dict[str, Cpu] = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        with contextlib.suppress(OSError):
            comm = Path(f"/proc/{pid}/task/{tid}/comm").read_text().strip()
            rest = Path(f"/proc/{pid}/task/{tid}/stat").read_text()
            rest = rest[rest.rfind(")") + 2 :]
            fields = rest.split()
            name = "main" if int(tid) == pid else f"{comm}/{tid}"
            threads[name] = Cpu(int(fields[11]) / TICK, int(fields[12]) / TICK)
    return threads


def thread_split(before: dict[str, Cpu], after: dict[str, Cpu], top: int = 6) -> str:
    spent = {n: cpu - before.get(n, Cpu()) for n, cpu in after.items()}
    total = sum((c.total for c in spent.values()), 0.0) or 1e-9
    busiest = sorted(spent.items(), key=lambda kv: -kv[1].total)[:top]
    return "  CPU by thread: " + ", ".join(
        f"{name} {cpu.total:.2f} s ({100 * cpu.total / total:.0f}%)" for name, cpu in busiest
    )


@dataclass(frozen=True)
class Published:
    """Messages JetStream has taken so far: per stream, and per event type (`aggregate.event`)."""

    streams: dict[str, int]
    events: collections.Counter[str]

    @classmethod
    def read(cls, nats_url: str) -> Published:
        return asyncio.run(cls._read(nats_url))

    @classmethod
    async def _read(cls, nats_url: str) -> Published:
        nc = await nats.connect(nats_url)
        try:
            js = nc.jetstream()
            streams: dict[str, int] = {}
            events = collections.Counter[str]()
            for info in await js.streams_info():
                name = info.config.name or ""
                streams[name] = info.state.last_seq  # a work queue deletes on ack
                if info.config.retention == RetentionPolicy.WORK_QUEUE:
                    continue
                detail = await js.stream_info(name, subjects_filter=">")
                for subject, count in (detail.state.subjects or {}).items():
                    tokens = subject.split(".")  # <prefix>.evt.<aggregate>.<id>.<event>
                    events[f"{tokens[2]}.{tokens[-1]}" if len(tokens) >= 5 else subject] += count
            return cls(streams, events)
        finally:
            await nc.close()

    def since(self, before: Published) -> Published:
        streams = {name: seq - before.streams.get(name, 0) for name, seq in self.streams.items()}
        return Published({k: n for k, n in streams.items() if n}, self.events - before.events)

    @property
    def executions(self) -> int:
        """Runs that ended (completed or failed) and were recorded."""
        return sum(
            self.events[f"{e.AGGREGATE}.{e.TYPE}"] for e in (ExecutionCompleted, ExecutionFailed)
        )

    def per(self, executions: int) -> str:
        streams = ", ".join(f"{k} {n / executions:.2f}" for k, n in sorted(self.streams.items()))
        events = ", ".join(f"{k} {n / executions:.2f}" for k, n in self.events.most_common())
        return f"JetStream messages per execution: {streams}; by event: {events}"


def py_spy_command() -> list[str] | None:
    if found := shutil.which("py-spy"):
        return [found]
    if uvx := shutil.which("uvx"):
        with contextlib.suppress(OSError, subprocess.TimeoutExpired):
            probe = subprocess.run([uvx, "py-spy", "--version"], capture_output=True, timeout=300)
            if probe.returncode == 0:
                return [uvx, "py-spy"]
    return None


def spy_target(name: str, pids: dict[str, int]) -> int:
    if name != "worker":
        return pids[name]
    stats = all_stats()
    workers = sorted(descendants(pids["executor"], stats))
    if not workers:
        raise RuntimeError("the executor has no sandbox worker to sample")
    return workers[0]


FRAME = re.compile(r"^(?P<func>.*) \((?P<file>[^()]*?)(?::\d+)?\)$")


def package_of(path: str) -> str:
    """py-spy names files relative to sys.path: `fastapi/routing.py` is fastapi's, `threading.py`
    the stdlib's threading, `<frozen runpy>` an interpreter built-in."""
    first = path.split("/", 1)[0]
    return first.removesuffix(".py")


def summarize_spy(collapsed: Path, top: int = 15) -> str:
    """py-spy's raw output: one line per distinct stack, `frame;frame;...;leaf count`."""
    own: collections.Counter[str] = collections.Counter()
    inclusive: collections.Counter[str] = collections.Counter()
    packages: collections.Counter[str] = collections.Counter()
    total = 0
    for line in collapsed.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [f for f in stack.split(";") if FRAME.match(f)]  # drops the thread/process tags
        if not frames:
            continue
        total += count
        own[frames[-1]] += count
        for frame in {f for f in frames if f.rsplit(" (", 1)[-1].startswith("s3c_")}:
            inclusive[frame] += count  # where in our code the samples fall, callees included
        match = FRAME.match(frames[-1])
        assert match is not None
        packages[package_of(match["file"])] += count
    if not total:
        return "  (no samples: did the process run Python code during the load?)"
    # Samples of a thread holding the GIL: on CPU, or ready to run and waiting for a core (on a
    # loaded machine a socket write that wakes a peer is where a process is often preempted).
    out = [f"  {total} samples holding the GIL"]
    for title, counter in (
        ("self", own),
        ("inclusive, our code", inclusive),
        ("self by package", packages),
    ):
        out.append(f"  top {title}:")
        for key, count in counter.most_common(top):
            out.append(f"    {100 * count / total:5.1f}%  {key}")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=int, default=10, help="seconds of load")
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument(
        "--warmup", type=int, default=10, help="seconds of load first: the scaler grows the pool"
    )
    parser.add_argument(
        "--py-spy",
        action="append",
        default=[],
        choices=[*(r for r in ROOTS if r != "nats"), "worker"],
        help="sample this process with py-spy during the load (repeatable)",
    )
    parser.add_argument("--rate", type=int, default=200, help="py-spy samples per second")
    parser.add_argument(
        "--out", type=Path, default=None, help="folder for py-spy's collapsed stacks"
    )
    args = parser.parse_args()

    spy = py_spy_command() if args.py_spy else None
    if args.py_spy and spy is None:
        print("py-spy: not on PATH and uvx cannot fetch it; profiling without it", file=sys.stderr)
    tmp = Path(tempfile.mkdtemp(prefix="s3c-profile-"))
    out = args.out or tmp
    out.mkdir(parents=True, exist_ok=True)
    loadavg = Path("/proc/loadavg").read_text().split()[:3]
    stack = Stack.create(tmp / "stack").start()
    spies: list[tuple[str, Path, subprocess.Popen[bytes]]] = []
    threads_before: dict[str, dict[str, Cpu]] = {}
    threads_after: dict[str, dict[str, Cpu]] = {}
    try:
        with httpx.Client(base_url=stack.url, timeout=30) as api:
            api.post(
                "/api/functions",
                json={"name": "add", "code": "function add(a, b) { return a + b; }"},
            ).raise_for_status()
            assert api.post("/fn/add", content=BODY).json() == 3
        load(f"{stack.url}/fn/add", args.concurrency, args.warmup, tmp)
        pids = stack_pids(stack)
        wait_quiet(pids)
        idle_before = cpu_by_process(pids)
        time.sleep(2.0)  # a measuring window for the idle rate
        idle_after = cpu_by_process(pids)
        idle_rate = sum((idle_after[k] - idle_before[k]).total for k in idle_after) / 2.0

        targets = {name: spy_target(name, pids) for name in args.py_spy}
        if spy is not None:
            for name, pid in targets.items():
                collapsed = out / f"py-spy-{name}.txt"
                cmd = [*spy, "record", "--nonblocking", "--gil", "--format", "raw", "-r", str(args.rate),
                       "-d", str(args.duration), "-o", str(collapsed),
                       "-p", str(pid)]  # fmt: skip
                proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
                spies.append((name, collapsed, proc))
        children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        threads_before = {name: thread_cpu(pid) for name, pid in targets.items()}
        published = Published.read(stack.nats_url)
        before = cpu_by_process(pids)
        watch = WorkerWatch(pids)
        wall = time.monotonic()
        result = load(f"{stack.url}/fn/add", args.concurrency, args.duration, tmp)
        wall = time.monotonic() - wall
        log = tmp / f"h2-{args.concurrency}.log"  # bench/run.py's load() leaves h2load's log here
        answers = collections.Counter(line.split("\t")[1] for line in log.read_text().splitlines())
        at_end = cpu_by_process(pids)
        threads_after = {name: thread_cpu(pid) for name, pid in targets.items()}
        drain = wait_quiet(pids)
        after = cpu_by_process(pids)
        workers = watch.stop()
        published = Published.read(stack.nats_url).since(published)
        children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        for name, _, proc in spies:
            _, err = proc.communicate(timeout=60)
            if proc.returncode != 0:
                print(f"py-spy {name}: {err.decode(errors='replace').strip()}", file=sys.stderr)
    finally:
        for _, _, proc in spies:
            if proc.poll() is None:
                proc.kill()
        stack.stop()

    # Every run that ended is in the table's CPU (the after reading waits for the backlog),
    # also those h2load had in flight when it stopped, which its log leaves out.
    executions = published.executions or int(result["n"])
    others = {status: n for status, n in answers.items() if status != "200"}
    spent = {name: after[name] - before[name] for name in after}
    total = sum(spent.values(), Cpu())
    in_load = sum((at_end[k] - before[k]).total for k in at_end)
    h2load = (children_after.ru_utime + children_after.ru_stime) - (
        children_before.ru_utime + children_before.ru_stime
    )
    print(
        f"/fn/add at c={args.concurrency} for {args.duration} s on {os.cpu_count()} cores, "
        f"load average before the run {' '.join(loadavg)}"
    )
    print(f"{'process':<18}{'CPU s':>8}{'ms/exec':>9}{'share':>8}{'sys':>6}")
    for name, cpu in [*sorted(spent.items(), key=lambda kv: -kv[1].total), ("total", total)]:
        print(
            f"{name:<18}{cpu.total:>8.2f}{1000 * cpu.total / executions:>9.3f}"
            f"{100 * cpu.total / total.total:>7.1f}%{100 * cpu.sys / max(cpu.total, 1e-9):>6.0f}%"
        )
    print(
        f"\n{executions} executions recorded; {result['n']:.0f} answered 200 "
        f"(other answers: {others or 'none'}): "
        f"{result['rps']:.0f} req/s, p50 {result['p50']:.2f} ms, p99 {result['p99']:.2f} ms"
    )
    print(
        f"stack CPU during the load {in_load:.2f} s in {wall:.1f} s wall "
        f"({in_load / wall:.2f} of {os.cpu_count()} cores); {drain:.1f} s to go quiet after it "
        f"(its CPU is in the table); idle rate before it {idle_rate:.3f} cores; "
        f"h2load (not in the table) {h2load:.2f} s"
    )
    print(workers)
    print(published.per(executions))
    collapsed_files = {name: collapsed for name, collapsed, _ in spies}
    for name in threads_after:
        print(f"\n{name} (pid {targets[name]}), during the load:")
        print(thread_split(threads_before[name], threads_after[name]))
        if (collapsed := collapsed_files.get(name)) is not None:
            print(f"  py-spy, collapsed stacks in {collapsed}:")
            print(summarize_spy(collapsed) if collapsed.exists() else "  (no output)")
    shutil.rmtree(tmp / "stack", ignore_errors=True)
    if out != tmp or not spies:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
