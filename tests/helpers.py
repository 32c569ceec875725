"""Test helpers shared by the cross-service tests: polling with a deadline, a running stack."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
from s3c_cli.processes import free_port, nats_command, port_open, store_command, wait_for
from s3c_events.subjects import health_subject

T = TypeVar("T")


def poll(
    check: Callable[[], T], timeout: float = 10.0, interval: float = 0.05, what: str = ""
) -> T:
    """Call `check` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            result = check()
            if result:
                return result
            last = result
        except Exception as exc:  # not ready yet
            last = exc
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what or check}: last={last!r}")


async def apoll(
    check: Callable[[], Awaitable[T]], timeout: float = 10.0, interval: float = 0.05, what: str = ""
) -> T:
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            result = await check()
            if result:
                return result
            last = result
        except Exception as exc:
            last = exc
        await asyncio.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what or check}: last={last!r}")


@dataclass
class Servers:
    """A real nats-server and a real nx-27017 on free ports."""

    nats_url: str
    mongodb_uri: str
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @classmethod
    def start(cls, data: Path) -> Servers:
        nats_port, store_port = free_port(), free_port()
        (data / "nats").mkdir(parents=True, exist_ok=True)
        (data / "store").mkdir(parents=True, exist_ok=True)
        procs = [
            subprocess.Popen(
                nats_command(nats_port, data / "nats"),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            ),
            subprocess.Popen(
                store_command(store_port, data / "store"),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            ),
        ]
        wait_for(lambda: port_open("127.0.0.1", nats_port), 30, "nats-server")
        wait_for(lambda: port_open("127.0.0.1", store_port), 30, "nx-27017")
        return cls(f"nats://127.0.0.1:{nats_port}", f"mongodb://127.0.0.1:{store_port}", procs)

    def stop(self) -> None:
        for proc in self.processes:
            proc.terminate()
        for proc in self.processes:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()


@dataclass
class Stack:
    """`s3c up` as a user runs it, on free ports, with its own data folder."""

    data: Path
    port: int
    nats_port: int
    store_port: int
    process: subprocess.Popen[bytes] | None = None
    log: Path | None = None
    env: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def nats_url(self) -> str:
        return f"nats://127.0.0.1:{self.nats_port}"

    @property
    def mongodb_uri(self) -> str:
        return f"mongodb://127.0.0.1:{self.store_port}"

    @classmethod
    def create(cls, data: Path, **env: str) -> Stack:
        return cls(data, free_port(), free_port(), free_port(), env=env)

    def service_env(self) -> dict[str, str]:
        """The environment `s3c up` gives its services, to start one more by hand."""
        return {
            **os.environ,
            "S3C_NATS_URL": self.nats_url,
            "S3C_MONGODB_URI": self.mongodb_uri,
            "S3C_WORK_ACK_WAIT": "5",
            **self.env,
        }

    def health(self, service: str) -> dict[str, Any]:
        import json

        import nats as nats_client

        async def ask() -> dict[str, Any]:
            nc = await nats_client.connect(self.nats_url)
            try:
                msg = await nc.request(health_subject(service), b"{}", timeout=2)
                data: dict[str, Any] = json.loads(msg.data)["data"]
                return data
            finally:
                await nc.close()

        return asyncio.run(ask())

    def start(self, timeout: float = 90.0) -> Stack:
        self.log = self.data / "up.log"
        self.data.mkdir(parents=True, exist_ok=True)
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("S3C_", "NATS_URL", "MONGODB_URI"))
        }
        env["S3C_SCALE_INTERVAL"] = "0.5"
        env["S3C_WORK_ACK_WAIT"] = "5"
        env.update(self.env)
        self.process = subprocess.Popen(
            [
                sys.executable, "-m", "s3c_cli", "up",
                "--port", str(self.port),
                "--nats-port", str(self.nats_port),
                "--store-port", str(self.store_port),
                "--data-dir", str(self.data),
            ],
            env=env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        poll(self.ready, timeout, interval=0.2, what=f"the stack to be ready (log: {self.log})")
        return self

    def ready(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            raise RuntimeError(f"s3c up exited with {self.process.returncode}; see {self.log}")
        try:
            return httpx.get(f"{self.url}/readyz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    def pid(self, name: str) -> int:
        return int((self.data / "run" / f"{name}.pid").read_text())

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None


async def queue_runs(url: str, plan: list[tuple[str, Any]], concurrency: int = 20) -> list[str]:
    """Queue one run per (function id, input) through the REST API; return the execution ids."""
    async with httpx.AsyncClient(base_url=url, timeout=30) as api:
        sem = asyncio.Semaphore(concurrency)

        async def one(function_id: str, value: Any) -> str:
            async with sem:
                res = await api.post(f"/api/functions/{function_id}/execute", json={"input": value})
                assert res.status_code == 202, res.text
                execution_id: str = res.json()["data"]["executionId"]
                return execution_id

        return list(await asyncio.gather(*(one(f, v) for f, v in plan)))


def submit_executions(stack: Stack, plan: list[tuple[str, Any]]) -> list[str]:
    return asyncio.run(queue_runs(stack.url, plan))
