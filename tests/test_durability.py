"""What survives: a stack restart keeps every function; a killed registry is restarted and loses nothing."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import httpx
import pytest
from helpers import Stack, poll

ADD = "function add(a, b) { return a + b; }"


def names(url: str) -> set[str]:
    return {f["name"] for f in httpx.get(f"{url}/api/functions", timeout=10).json()["data"]}


@pytest.mark.slow
def test_functions_survive_a_stack_restart_and_a_killed_registry(tmp_path: Path) -> None:
    stack = Stack.create(tmp_path / "s").start()
    try:
        created = {f"keep-{i}" for i in range(5)}
        for name in created:
            assert (
                httpx.post(
                    f"{stack.url}/api/functions", json={"name": name, "code": ADD}
                ).status_code
                == 201
            )
        assert names(stack.url) == created

        # kill -9 the registry: the supervisor restarts it, and it answers with everything.
        old = stack.pid("registry")
        os.kill(old, signal.SIGKILL)
        poll(lambda: stack.pid("registry") != old, 20, what="the registry to be restarted")
        poll(lambda: names(stack.url) == created, 30, interval=0.2, what="the restarted registry")
        res = httpx.post(
            f"{stack.url}/api/functions", json={"name": "after-kill", "code": ADD}, timeout=10
        )
        assert res.status_code == 201
        assert (
            httpx.post(
                f"{stack.url}/api/functions", json={"name": "keep-1", "code": ADD}, timeout=10
            ).status_code
            == 409
        )
        created.add("after-kill")
    finally:
        stack.stop()

    # Stop everything and start again on the same data folder: every function is still there.
    again = Stack(stack.data, stack.port, stack.nats_port, stack.store_port).start()
    try:
        assert names(again.url) == created
    finally:
        again.stop()
