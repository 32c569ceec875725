"""Test helpers shared by the cross-service tests: polling with a deadline, a running stack."""

from __future__ import annotations

import asyncio
import functools
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
from s3c_cli import busauth
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


# Where the integration tests' servers come from: S3C_TEST_DOCKER=1 asks for containers, 0 for
# the embedded processes; unset, containers whenever a Docker engine answers.
DOCKER_SWITCH = "S3C_TEST_DOCKER"
NATS_IMAGE = "nats:2.11"
MONGO_IMAGE = "mongo:7"


def docker_answers(timeout: float = 1.0) -> bool:
    """A Docker engine answers a ping where testcontainers looks for one (TC_HOST, DOCKER_HOST,
    the docker context, the local socket), within about `timeout` seconds, whatever the cause."""
    answered: list[bool] = []

    def ping() -> None:
        try:
            from testcontainers.core.docker_client import DockerClient

            answered.append(bool(DockerClient(timeout=timeout).client.ping()))
        except Exception:  # no engine, no socket, no permission, no package: no containers
            answered.append(False)

    # The client's own timeout covers each socket call; the thread bounds the whole look (an
    # ssh:// host or a stalled handshake) so a missing engine never slows a test session down.
    probe = threading.Thread(target=ping, name="docker-probe", daemon=True)
    probe.start()
    probe.join(timeout + 1.0)
    return bool(answered) and answered[0]


def want_containers(env: Mapping[str, str], engine_answers: Callable[[], bool]) -> bool:
    """Whether the servers come from containers: the switch decides when set, else the engine."""
    switch = env.get(DOCKER_SWITCH, "").strip()
    if switch in ("0", "1"):
        return switch == "1"
    if switch:
        raise ValueError(
            f"{DOCKER_SWITCH} is 0 (embedded servers) or 1 (containers), not {switch!r}"
        )
    return engine_answers()


@functools.cache
def docker_engine() -> bool:
    """Whether a Docker engine answers, asked once per test session."""
    return docker_answers()


@functools.cache
def containers_in_use() -> bool:
    """Whether this session's `servers` come from containers, decided once."""
    return want_containers(os.environ, docker_engine)


@dataclass
class Servers:
    """A real NATS server with JetStream and a real MongoDB-wire store: nats-server and nx-27017
    on free ports, or `nats:2.11` and `mongo:7` containers where a Docker engine answers."""

    nats_url: str
    mongodb_uri: str
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    containers: list[Any] = field(default_factory=list)  # testcontainers' DockerContainer

    @classmethod
    def choose(cls, data: Path, containers: bool) -> Servers:
        return cls.from_containers() if containers else cls.start(data)

    @classmethod
    def from_containers(cls) -> Servers:
        from testcontainers.core.container import DockerContainer
        from testcontainers.core.wait_strategies import LogMessageWaitStrategy

        nats = (
            DockerContainer(NATS_IMAGE)
            .with_command("-js")
            .with_exposed_ports(4222)
            .waiting_for(LogMessageWaitStrategy("Server is ready"))
        )
        mongo = (
            DockerContainer(MONGO_IMAGE)
            .with_exposed_ports(27017)
            .waiting_for(LogMessageWaitStrategy(re.compile("waiting for connections", re.I)))
        )
        started = cls("", "")
        try:
            for container in (nats, mongo):
                started.containers.append(container)  # stopped even when its start fails
                container.start()
        except BaseException:
            started.stop()
            raise
        started.nats_url = f"nats://{nats.get_container_host_ip()}:{nats.get_exposed_port(4222)}"
        started.mongodb_uri = (
            f"mongodb://{mongo.get_container_host_ip()}:{mongo.get_exposed_port(27017)}"
        )
        return started

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
        for container in self.containers:
            container.stop()


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
    def nats_servers(self) -> list[str]:
        """Every server the services were given (a cluster's nodes), else this stack's one."""
        return self.env.get("S3C_NATS_URL", self.nats_url).split(",")

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
            nc = await nats_client.connect(self.nats_servers)
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
        # Tests reach this stack's NATS without credentials; `Stack.create(data,
        # S3C_NATS_AUTH="on")` runs it with a user per service, as `s3c up` does by default.
        env["S3C_NATS_AUTH"] = "off"
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

    def nats_password(self, user: str) -> str:
        """A NATS user's password, as `s3c up` keeps it in the data folder (S3C_NATS_AUTH=on)."""
        return busauth.password_file(self.data, user).read_text().strip()

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


@dataclass
class ServerProcess:
    """One server a test stops and starts again on the same port and data: nats-server, nx-27017."""

    name: str
    command: list[str]
    port: int
    log: Path
    scheme: str = "nats"
    process: subprocess.Popen[bytes] | None = None

    @classmethod
    def nats(cls, data: Path, port: int | None = None) -> ServerProcess:
        port = port or free_port()
        (data / "nats").mkdir(parents=True, exist_ok=True)
        return cls("nats", nats_command(port, data / "nats"), port, data / "nats.log")

    @classmethod
    def store(cls, data: Path, port: int | None = None) -> ServerProcess:
        port = port or free_port()
        (data / "store").mkdir(parents=True, exist_ok=True)
        return cls(
            "store", store_command(port, data / "store"), port, data / "store.log", "mongodb"
        )

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> ServerProcess:
        self.process = subprocess.Popen(
            self.command, stdout=self.log.open("ab"), stderr=subprocess.STDOUT
        )
        wait_for(lambda: port_open("127.0.0.1", self.port), timeout, self.name)
        return self

    def kill(self) -> None:
        """kill -9, as a crash would."""
        if self.process is not None:
            self.process.kill()
            self.process.wait(30)
            self.process = None

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None


@dataclass
class NatsCluster:
    """Three nats-servers on loopback joined by routes, JetStream on each with its own store."""

    data: Path
    nodes: list[ServerProcess]

    @classmethod
    def create(cls, data: Path, size: int = 3) -> NatsCluster:
        client_ports = [free_port() for _ in range(size)]
        route_ports = [free_port() for _ in range(size)]
        routes = ", ".join(f'"nats-route://127.0.0.1:{p}"' for p in route_ports)
        nodes = []
        for i, (port, route) in enumerate(zip(client_ports, route_ports, strict=True), 1):
            store = data / f"n{i}"
            store.mkdir(parents=True, exist_ok=True)
            conf = data / f"n{i}.conf"
            conf.write_text(
                f'server_name: "n{i}"\n'
                f'listen: "127.0.0.1:{port}"\n'
                f'jetstream {{ store_dir: "{store}" }}\n'
                f'cluster {{ name: "s3c", listen: "127.0.0.1:{route}", routes: [{routes}] }}\n'
            )
            command = [nats_command(0, store)[0], "-c", str(conf)]
            nodes.append(ServerProcess(f"n{i}", command, port, data / f"n{i}.log"))
        return cls(data, nodes)

    @property
    def urls(self) -> list[str]:
        return [f"nats://127.0.0.1:{node.port}" for node in self.nodes]

    @property
    def url(self) -> str:
        """The form S3C_NATS_URL takes: every node, separated by commas."""
        return ",".join(self.urls)

    def node(self, server_name: str) -> ServerProcess:
        return next(n for n in self.nodes if n.name == server_name)

    def start(self, timeout: float = 60.0) -> NatsCluster:
        for node in self.nodes:
            node.start()
        poll(self.jetstream_ready, timeout, interval=0.5, what="the cluster's JetStream")
        return self

    def jetstream_ready(self) -> bool:
        """JetStream answers: the nodes found each other and elected a meta leader."""
        import nats as nats_client

        async def ask() -> bool:
            nc = await nats_client.connect(self.urls, max_reconnect_attempts=1)
            try:
                await nc.jetstream().account_info()
                return True
            finally:
                await nc.close()

        return asyncio.run(ask())

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()


class Load:
    """Execution requests sent through the REST API as a client would, refusals included:
    `accepted` holds the execution ids answered 202, `refused` counts every other answer."""

    def __init__(self, url: str, concurrency: int = 8) -> None:
        self.url = url
        self.concurrency = concurrency
        self.accepted: list[str] = []
        self.refused: dict[str, int] = {}

    async def run(self, plan: list[tuple[str, Any]]) -> Load:
        sem = asyncio.Semaphore(self.concurrency)
        async with httpx.AsyncClient(base_url=self.url, timeout=30) as api:

            async def one(function_id: str, value: Any) -> None:
                async with sem:
                    try:
                        res = await api.post(
                            f"/api/functions/{function_id}/execute", json={"input": value}
                        )
                    except httpx.HTTPError as exc:
                        outcome = type(exc).__name__
                    else:
                        if res.status_code == 202:
                            self.accepted.append(res.json()["data"]["executionId"])
                            return
                        outcome = str(res.status_code)
                    self.refused[outcome] = self.refused.get(outcome, 0) + 1

            await asyncio.gather(*(one(f, v) for f, v in plan))
        return self


def answering_pids(servers: list[str], service: str, window: float = 1.0) -> set[int]:
    """The pids of every process of `service` that answers a health request within `window` s
    (a plain request gets only the first answer)."""
    import json

    import nats as nats_client
    from nats.errors import TimeoutError as NatsTimeout

    async def ask() -> set[int]:
        nc = await nats_client.connect(servers)
        try:
            inbox = nc.new_inbox()
            sub = await nc.subscribe(inbox)
            await nc.publish(health_subject(service), b"{}", reply=inbox)
            pids: set[int] = set()
            deadline = time.monotonic() + window
            while (left := deadline - time.monotonic()) > 0:
                try:
                    msg = await sub.next_msg(timeout=left)
                except NatsTimeout:
                    break
                pids.add(int(json.loads(msg.data)["data"]["pid"]))
            return pids
        finally:
            await nc.close()

    return asyncio.run(ask())
