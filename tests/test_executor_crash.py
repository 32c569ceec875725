"""Crash safety: a killed executor loses no execution; competing executors run each job once."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import nats
import pytest
from helpers import Stack, poll, submit_executions
from s3c_events import streams
from s3c_events.subjects import events_of_type

pytestmark = [pytest.mark.slow, pytest.mark.timeout(400)]

SLOW = "function slow() { const until = Date.now() + 2000; while (Date.now() < until) {} return 'done'; }"
ADD = "function add(a, b) { return a + b; }"


@pytest.fixture(scope="module")
def crash_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    stack = Stack.create(tmp_path_factory.mktemp("crash")).start()
    yield stack
    stack.stop()


def terminal_events(stack: Stack) -> Counter[str]:
    """How many completed/failed events the stream holds for each execution."""

    async def count() -> Counter[str]:
        nc = await nats.connect(stack.nats_url)
        try:
            js = nc.jetstream()
            counts: Counter[str] = Counter()
            for kind in ("completed", "failed"):
                info = await js.stream_info(
                    streams.EXECUTIONS.name, subjects_filter=events_of_type("execution", kind)
                )
                for subject, n in (info.state.subjects or {}).items():
                    counts[subject.split(".")[3]] += n
            return counts
        finally:
            await nc.close()

    return asyncio.run(count())


def record(api: httpx.Client, eid: str) -> dict[str, Any]:
    data: dict[str, Any] = api.get(f"/api/executions/{eid}").json()["data"]
    return data


def test_killing_the_executor_mid_run_loses_nothing(crash_stack: Stack) -> None:
    with httpx.Client(base_url=crash_stack.url, timeout=10) as api:
        fn = api.post(
            "/api/functions", json={"name": "slow", "code": SLOW, "config": {"timeout": 10000}}
        ).json()["data"]
        eid = api.post(f"/api/functions/{fn['id']}/execute", json={"input": None}).json()["data"][
            "executionId"
        ]
        poll(
            lambda: api.get(f"/api/executions/{eid}").json()["data"]["status"] == "running",
            20,
            what="the run to start",
        )
        executor = crash_stack.pid("executor")
        os.kill(executor, signal.SIGKILL)
        poll(
            lambda: crash_stack.pid("executor") != executor, 20, what="the executor to be restarted"
        )
        done = poll(
            lambda: (r := record(api, eid))["status"] in ("completed", "failed") and r,
            60,
            interval=0.2,
            what="the redelivered run",
        )
        assert done["status"] == "completed" and done["output"] == "done"
        # The first delivery died with its executor: it stays in the history, as a crash.
        assert [a["attempt"] for a in done["attempts"]] == [1, 2]
        assert (
            done["attempts"][0]["error"]["kind"] == "crash" and done["attempts"][1]["error"] is None
        )
        assert done["retryCount"] == 1
        assert terminal_events(crash_stack)[eid] == 1


def test_two_executors_run_a_thousand_jobs_each_exactly_once(
    crash_stack: Stack, tmp_path: Path
) -> None:
    extra = subprocess.Popen(
        [sys.executable, "-m", "s3c_executor"], env=crash_stack.service_env(),
        stdout=(tmp_path / "executor2.log").open("wb"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        with httpx.Client(base_url=crash_stack.url, timeout=30) as api:
            fn = api.post("/api/functions", json={"name": "add-many", "code": ADD}).json()["data"]
            poll(lambda: crash_stack.health("executor"), 30, what="the second executor")

            ids = submit_executions(crash_stack, [(fn["id"], [i, 1]) for i in range(1000)])
            assert len(set(ids)) == 1000

            def all_done() -> list[dict[str, Any]] | None:
                rows = api.get(
                    "/api/executions", params={"functionId": fn["id"], "limit": 1000}
                ).json()["data"]
                return (
                    rows
                    if len(rows) == 1000 and all(r["status"] == "completed" for r in rows)
                    else None
                )

            rows = poll(all_done, 240, interval=1.0, what="1,000 executions to complete")
            assert sorted(r["output"] for r in rows) == sorted(i + 1 for i in range(1000))
            counts = terminal_events(crash_stack)
            assert all(counts[eid] == 1 for eid in ids)
            executor_pids = {r["instanceId"].split("-")[1] for r in rows}
            assert len(executor_pids) == 2, executor_pids  # both processes took work
    finally:
        extra.terminate()
        extra.wait(20)
