"""Autoscaling from the real queue depth, metrics that agree with the store, a killed scaler."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import signal
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from helpers import Stack, poll, submit_executions

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

BUSY = (
    "function busy(i) { const until = Date.now() + 200; while (Date.now() < until) {} return i; }"
)
SCALING_ENV = {
    "S3C_INSTANCES": "1",
    "S3C_SCALE_INTERVAL": "0.5",
    "S3C_SCALE_DOWN_TIME": "2",
    "S3C_MAX_INSTANCES": "10",
}


def worker_pids(stack: Stack) -> list[int]:
    """Sandbox worker processes of the executor, as the OS sees them."""
    executor = stack.pid("executor")
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
        if ppid == executor and "s3c_executor.sandbox.worker" in cmdline:
            found.append(int(entry.name))
    return found


def run_burst(stack: Stack, function_id: str, count: int) -> tuple[list[str], float, int]:
    """Queue `count` runs; return their ids, the seconds until all finished, the most workers seen."""
    peak = 0
    started = time.monotonic()

    ids = submit_executions(stack, [(function_id, [i]) for i in range(count)])
    with httpx.Client(base_url=stack.url, timeout=30) as api:

        def drained() -> bool:
            nonlocal peak
            peak = max(peak, len(worker_pids(stack)))
            rows = api.get(
                "/api/executions", params={"functionId": function_id, "limit": 1000}
            ).json()["data"]
            return sum(r["status"] in ("completed", "failed") for r in rows) >= count

        poll(drained, 300, interval=0.25, what=f"{count} runs to finish")
    return ids, time.monotonic() - started, peak


@pytest.fixture
def scaled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """A stack of its own per test: each one starts from one worker and an empty history."""
    stack = Stack.create(tmp_path_factory.mktemp("scaled"), **SCALING_ENV).start()
    yield stack
    stack.stop()


def history(stack: Stack) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = httpx.get(
        f"{stack.url}/api/metrics/scaling-history", params={"limit": 1000}
    ).json()["data"]
    return rows


def test_a_burst_scales_up_and_back_down(scaled: Stack) -> None:
    messages: list[dict[str, Any]] = []
    stop = threading.Event()

    def listen() -> None:
        async def run() -> None:
            async with websockets.connect(scaled.url.replace("http", "ws") + "/ws") as ws:
                while not stop.is_set():
                    try:
                        messages.append(json.loads(await asyncio.wait_for(ws.recv(), 0.5)))
                    except TimeoutError:
                        continue

        asyncio.run(run())

    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    fid = httpx.post(f"{scaled.url}/api/functions", json={"name": "busy", "code": BUSY}).json()[
        "data"
    ]["id"]
    assert len(worker_pids(scaled)) == 1
    _, with_scaling, peak = run_burst(scaled, fid, 300)

    ups = [h for h in history(scaled) if h["action"] == "scale_up"]
    assert ups, "no scale_up decision"
    for h in ups:
        assert h["reason"] == f"Queue length: {h['queueLength']}" and h["queueLength"] > 10
    assert peak >= 3, f"the OS never saw more than {peak} workers"

    # Back to one worker once the queue has been quiet for the scale-down time.
    poll(
        lambda: history(scaled)[0]["instanceCount"] == 1,
        60,
        interval=0.5,
        what="scale-down to one instance",
    )
    assert any(h["action"] == "scale_down" for h in history(scaled))
    poll(lambda: len(worker_pids(scaled)) == 1, 30, what="surplus workers to exit")
    stop.set()
    listener.join(5)
    kinds = Counter(m["type"] for m in messages)
    assert kinds["scaling_event"] >= 2
    seen = [m["data"] for m in messages if m["type"] == "scaling_event"]
    assert {"action", "instanceCount", "reason", "timestamp"} <= set(seen[0])

    print(f"burst of 300: {with_scaling:.1f} s scaling (peak {peak} workers)")
    # How much faster than one fixed worker: `bench/scaling.py` (a ratio is no test).


def test_metrics_agree_with_the_stored_executions(scaled: Stack) -> None:
    with httpx.Client(base_url=scaled.url, timeout=30) as api:
        thrower = api.post("/api/functions", json={"name": "thrower", "code": "function t() { throw new Error('x'); }",
                                                   "config": {"retryCount": 0}}).json()["data"]  # fmt: skip
        for _ in range(5):
            api.post(f"/api/functions/{thrower['id']}/execute", json={"input": None})
        poll(
            lambda: api.get("/api/metrics").json()["data"]["failedExecutions"] >= 5,
            30,
            what="failures to be recorded",
        )
        metrics = api.get("/api/metrics").json()["data"]
        rows = api.get("/api/executions", params={"limit": 1000}).json()["data"]
        by_status = Counter(r["status"] for r in rows)
        assert metrics["totalExecutions"] == len(rows)
        assert metrics["completedExecutions"] == by_status["completed"]
        assert metrics["failedExecutions"] == by_status["failed"]
        assert metrics["pendingExecutions"] == by_status["pending"]
        finished = by_status["completed"] + by_status["failed"]
        assert metrics["successRate"] == round(100 * by_status["completed"] / finished, 2)
        durations = [r["duration"] for r in rows if r["status"] in ("completed", "failed")]
        assert metrics["averageExecutionTime"] == pytest.approx(
            sum(durations) / len(durations),
            abs=1e-3,  # the figure is rounded to 0.001 ms
        )
        assert metrics["p50ExecutionTime"] <= metrics["p99ExecutionTime"]
        active = [f for f in api.get("/api/functions").json()["data"] if f["status"] == "active"]
        assert metrics["activeFunctions"] == len(active)
        assert metrics["currentInstances"] == scaled.health("executor")["instances"]
        text = api.get("/metrics/prometheus").text
        # prometheus-client writes every value as a float: `5.0`.
        assert f's3c_executions{{status="completed"}} {float(by_status["completed"])}\n' in text
        assert f's3c_execution_duration_ms_bucket{{le="+Inf"}} {float(finished)}\n' in text
        assert (
            "s3c_queue_depth " in text
            and "s3c_instances " in text
            and 's3c_cost_dollars{kind="total"}' in text
        )


def test_a_killed_scaler_repeats_no_decision_and_the_pool_keeps_its_size(scaled: Stack) -> None:
    busy = httpx.post(
        f"{scaled.url}/api/functions", json={"name": "busy-again", "code": BUSY}
    ).json()["data"]["id"]
    before = len(history(scaled))
    done = threading.Event()
    threading.Thread(target=lambda: (run_burst(scaled, busy, 200), done.set()), daemon=True).start()
    poll(lambda: len(history(scaled)) >= before + 2, 60, interval=0.2, what="scaling under load")
    seen = history(scaled)
    scaler = scaled.pid("scaler")
    os.kill(scaler, signal.SIGKILL)
    # While no scaler runs, the executor keeps the size of the last decision it applied.
    kept = scaled.health("executor")
    assert kept["instances"] > 1, (kept, seen)
    samples = [kept]
    deadline = time.monotonic() + 20
    while scaled.pid("scaler") == scaler:  # until the supervisor has started a new one
        assert time.monotonic() < deadline, "the scaler was not restarted"
        samples.append(scaled.health("executor"))
    sizes = {(s["decision"], s["instances"]) for s in samples}
    assert sizes == {(kept["decision"], kept["instances"])}, samples
    assert scaled.health("executor")["decision"] >= kept["decision"]
    poll(done.is_set, 300, interval=0.5, what="the burst to finish")
    poll(
        lambda: history(scaled)[0]["instanceCount"] == 1,
        60,
        interval=0.5,
        what="scale-down after the burst",
    )
    rows = list(reversed(history(scaled)))
    assert [r["decision"] for r in rows] == list(range(1, len(rows) + 1))  # gapless, none repeated
    for previous, current in itertools.pairwise(rows):
        assert current["previousCount"] == previous["instanceCount"]
    charges = httpx.get(f"{scaled.url}/api/costs/system").json()["data"]
    assert charges["scalingEvents"] == len(rows)


def test_sync_invokes_waiting_for_a_worker_scale_the_pool_up(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """One worker, held by a sync invoke that loops for its whole 60 s timeout: other functions'
    sync invokes wait inside the executor, not in the work queue. The executor reports them,
    the scaler counts them, adds a worker, and they finish long before the loop's timeout."""
    env = {**SCALING_ENV, "S3C_SCALING_THRESHOLD": "1", "S3C_SCALE_DOWN_TIME": "60"}
    stack = Stack.create(tmp_path_factory.mktemp("sync-load"), **env).start()
    try:
        with httpx.Client(base_url=stack.url, timeout=120) as api:
            spin = api.post(
                "/api/functions",
                json={"name": "spin", "code": "function spin() { while (true) {} }",
                      "config": {"timeout": 60000, "retryCount": 0}},
            ).json()["data"]  # fmt: skip
            add = api.post(
                "/api/functions",
                json={"name": "add", "code": "function add(a, b) { return a + b; }"},
            ).json()["data"]

        def invoke(function_id: str, value: Any) -> httpx.Response:
            with httpx.Client(base_url=stack.url, timeout=120) as client:
                return client.post(f"/api/functions/{function_id}/invoke", json={"input": value})

        threads = ThreadPoolExecutor(4)
        try:
            threads.submit(invoke, spin["id"], None)
            poll(
                lambda: stack.health("executor").get("busy") == 1 and len(worker_pids(stack)) == 1,
                30,
                what="the loop to hold the only worker",
            )
            started = time.monotonic()
            waiting = [threads.submit(invoke, add["id"], [i, 1]) for i in range(3)]
            answers = [w.result(timeout=55) for w in waiting]
            took = time.monotonic() - started
        finally:
            threads.shutdown(wait=False, cancel_futures=True)
        assert [a.json()["data"]["output"] for a in answers] == [1, 2, 3], [a.text for a in answers]
        assert took < 20, f"the waiting invokes took {took:.1f} s"
    finally:
        stack.stop()
