"""NATS users against a real nats-server: `s3c up` runs it with a user per service (the config
s3c_cli.busauth generates), every service does its whole job with its own user, and a user
cannot publish or subscribe outside its grants (the integrator only reads events)."""

from __future__ import annotations

import asyncio
import os
import re
import stat
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import nats
import pytest
import yaml
from helpers import Stack, poll
from nats.aio.client import Client
from nats.aio.msg import Msg
from s3c_cli import busauth
from s3c_cli.processes import SERVICES, STORE_SERVICES, tool
from s3c_events import new_id, subjects
from s3c_events.subjects import event_subject
from s3c_runtime.settings import RuntimeSettings

ROOT = Path(__file__).resolve().parent.parent
ADD = "function add(a, b) { return a + b; }"
DEADLINE = 10.0
TEST_CLIENT = "bus-test-"  # the connection name of this module's clients


@pytest.fixture(scope="module")
def bus_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    stack = Stack.create(tmp_path_factory.mktemp("bus-auth"), S3C_NATS_AUTH="on").start()
    yield stack
    stack.stop()


class Session:
    """One NATS connection as a user, keeping the errors the server sends it."""

    def __init__(self) -> None:
        self.errors: asyncio.Queue[Exception] = asyncio.Queue()
        self.nc = Client()

    async def connect(self, stack: Stack, user: str) -> Session:
        async def on_error(exc: Exception) -> None:
            await self.errors.put(exc)

        await self.nc.connect(
            stack.nats_url,
            name=f"{TEST_CLIENT}{user}",
            user=user,
            password=stack.nats_password(user),
            inbox_prefix=RuntimeSettings(nats_user=user).nats_inbox_prefix,
            error_cb=on_error,
            max_reconnect_attempts=0,
        )
        return self

    async def refusal(self) -> str:
        """The next permissions violation the server reports (fails after the deadline)."""
        await self.nc.flush()
        return str(await asyncio.wait_for(self.errors.get(), DEADLINE))


@pytest.fixture
async def connect(bus_stack: Stack) -> AsyncIterator[Any]:
    sessions: list[Session] = []

    async def as_user(user: str) -> Session:
        session = await Session().connect(bus_stack, user)
        sessions.append(session)
        return session

    yield as_user
    for session in sessions:
        await session.nc.close()


def refused(action: str, subject: str) -> str:
    """The error nats-py reports for a refused publish or subscription (it lowercases it)."""
    return f'nats: permissions violation for {action} to "{subject}"'.lower()


def register(api: httpx.Client, name: str) -> dict[str, Any]:
    res = api.post("/api/functions", json={"name": name, "code": ADD})
    assert res.status_code == 201, res.text
    data: dict[str, Any] = res.json()["data"]
    return data


def violations(stack: Stack) -> list[str]:
    """The permission violations nats-server logged (its output is in `s3c up`'s log), but
    those of this module's own clients, which try forbidden things on purpose."""
    assert stack.log is not None
    lines = stack.log.read_text().splitlines()
    return [line for line in lines if "Violation" in line and f":{TEST_CLIENT}" not in line]


def test_every_service_does_its_job_with_its_own_user(bus_stack: Stack, unique: str) -> None:
    with httpx.Client(base_url=bus_stack.url, timeout=30) as api:
        fn = register(api, unique)
        queued = api.post(f"/api/functions/{fn['id']}/execute", json={"input": [2, 3]})
        assert queued.status_code == 202, queued.text
        execution_id = queued.json()["data"]["executionId"]
        invoked = api.post(f"/api/functions/{fn['id']}/invoke", json={"input": [4, 5]})
        assert invoked.json()["data"]["output"] == 9

        def billed() -> dict[str, Any] | None:
            data: dict[str, Any] | None = api.get(f"/api/executions/{execution_id}").json()["data"]
            return data if data and data["status"] == "completed" and data["cost"] else None

        record = poll(billed, 60, interval=0.2, what="the queued run to be completed and billed")
        assert record["output"] == 5
        assert record["cost"]["totalCostExact"]
        assert api.get("/api/costs/audit", timeout=120).json()["data"]["differences"] == []
        assert api.get("/readyz").status_code == 200  # the gateway asks each service's health
    assert violations(bus_stack) == []


@pytest.mark.parametrize("service", [s for s in SERVICES if s != "gateway"])
def test_a_services_health_check_runs_as_the_service(bus_stack: Stack, service: str) -> None:
    env = {
        **os.environ,
        "S3C_NATS_URL": bus_stack.nats_url,
        "S3C_NATS_USER": service,
        "S3C_NATS_PASSWORD": bus_stack.nats_password(service),
    }
    check = subprocess.run(
        [sys.executable, "-m", "s3c_runtime.health", service, "--live", "--timeout", "10"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert check.returncode == 0, check.stdout + check.stderr


async def test_the_integrator_receives_events(bus_stack: Stack, connect: Any, unique: str) -> None:
    integrator: Session = await connect("integrator")
    seen: asyncio.Queue[Msg] = asyncio.Queue()
    await integrator.nc.subscribe(subjects.ALL_EVENTS, cb=seen.put)
    await integrator.nc.flush()
    async with httpx.AsyncClient(base_url=bus_stack.url, timeout=30) as api:
        res = await api.post("/api/functions", json={"name": unique, "code": ADD})
        assert res.status_code == 201, res.text
        function_id = res.json()["data"]["id"]
    wanted = event_subject("function", function_id, "registered")

    async def registered() -> Msg:
        while (msg := await seen.get()).subject != wanted:
            pass
        return msg

    msg = await asyncio.wait_for(registered(), DEADLINE)
    assert unique.encode() in msg.data
    assert integrator.errors.empty()


@pytest.mark.parametrize(
    "subject",
    [
        event_subject("function", new_id(), "registered"),
        subjects.command_subject("registry", "register"),
        subjects.query_subject("registry", "functions"),
        "$JS.API.STREAM.INFO.S3C_FUNCTIONS",
        "_INBOX.integrator.x",
    ],
)
async def test_the_integrator_may_publish_nothing(connect: Any, subject: str) -> None:
    integrator: Session = await connect("integrator")
    await integrator.nc.publish(subject, b"{}")
    assert await integrator.refusal() == refused("publish", subject)


@pytest.mark.parametrize("subject", ["s3c.cmd.>", "s3c.qry.>", "_INBOX.>", "$JS.>"])
async def test_the_integrator_subscribes_to_nothing_but_events(connect: Any, subject: str) -> None:
    integrator: Session = await connect("integrator")
    await integrator.nc.subscribe(subject)
    assert await integrator.refusal() == refused("subscription", subject)


@pytest.mark.parametrize(
    ("user", "subject"),
    [
        ("executor", event_subject("function", new_id(), "registered")),
        ("registry", event_subject("execution", new_id(), "completed")),
        ("gateway", event_subject("execution", new_id(), "completed")),
        ("billing", event_subject("scaling", new_id(), "pool_scaled_up")),
        ("scaler", subjects.work_subject("basic")),
        ("gateway", subjects.work_subject("basic")),
    ],
)
async def test_a_service_cannot_publish_another_services_subjects(
    connect: Any, user: str, subject: str
) -> None:
    session: Session = await connect(user)
    await session.nc.publish(subject, b"{}")
    assert await session.refusal() == refused("publish", subject)


async def test_a_service_cannot_read_another_users_replies(connect: Any) -> None:
    executor: Session = await connect("executor")
    await executor.nc.subscribe("_INBOX.gateway.>")
    assert await executor.refusal() == refused("subscription", "_INBOX.gateway.>")


async def test_a_client_without_a_password_is_refused(bus_stack: Stack) -> None:
    with pytest.raises(nats.errors.Error, match="Authorization Violation"):
        await nats.connect(bus_stack.nats_url, allow_reconnect=False, max_reconnect_attempts=0)


def test_the_passwords_are_readable_by_their_owner_only(bus_stack: Stack) -> None:
    private = [busauth.password_file(bus_stack.data, user) for user in busauth.USERS]
    private.append(bus_stack.data / "secrets" / "nats.conf")
    assert {stat.S_IMODE(path.stat().st_mode) for path in private} == {0o600}
    assert stat.S_IMODE(busauth.secrets_dir(bus_stack.data).stat().st_mode) == 0o700


def test_passwords_are_made_once_per_data_folder(tmp_path: Path) -> None:
    first = busauth.passwords(tmp_path)
    assert busauth.passwords(tmp_path) == first
    assert len(set(first.values())) == len(busauth.USERS)
    assert busauth.passwords(tmp_path / "other").keys() == first.keys()
    assert set(busauth.passwords(tmp_path / "other").values()).isdisjoint(first.values())


def test_compose_runs_nats_with_the_generated_users() -> None:
    deployed = (ROOT / "deploy" / "nats.conf").read_text()
    assert deployed == busauth.render(busauth.env_passwords()), "run `s3c nats-config`"


def compose_services() -> dict[str, Any]:
    services: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text())["services"]
    return services


def test_the_deployed_nats_config_is_one_nats_server_accepts(tmp_path: Path) -> None:
    env = {ref.lstrip("$"): new_id() for ref in busauth.env_passwords().values()}
    check = subprocess.run(
        [tool("nats-server"), "-c", str(ROOT / "deploy" / "nats.conf"), "-t"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert check.returncode == 0, check.stdout + check.stderr


def test_compose_gives_each_service_its_own_bus_and_store_user() -> None:
    services = compose_services()
    nats_env = services["nats"]["environment"]
    mongo_env = services["mongo"]["environment"]
    for name in SERVICES:
        env = services[name]["environment"]
        variable = f"NATS_{name.upper()}_PASSWORD"
        assert env["S3C_NATS_USER"] == name
        assert env["S3C_NATS_PASSWORD"].startswith(f"${{{variable}:?")
        assert nats_env[variable] == env["S3C_NATS_PASSWORD"]
    for name in STORE_SERVICES:
        uri = services[name]["environment"]["S3C_MONGODB_URI"]
        variable = f"MONGO_{name.upper()}_PASSWORD"
        assert uri.startswith(f"mongodb://{name}:${{{variable}:?")
        assert uri.endswith(f"@mongo:27017/?authSource=s3c_{name}")
        assert variable in mongo_env
    init = (ROOT / "deploy" / "mongo" / "init-users.js").read_text()
    assert re.findall(r'"(\w+)"', init.split("for (const service of", 1)[1].split("]")[0]) == list(
        STORE_SERVICES
    )
    assert "S3C_ADMIN_KEY" in services["gateway"]["environment"]


def test_compose_env_prints_every_secret_compose_reads() -> None:
    wanted = set(re.findall(r"\$\{(\w+):\?", (ROOT / "compose.yaml").read_text()))
    out = subprocess.run(
        [sys.executable, "-m", "s3c_cli", "compose-env"],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    printed = dict(line.split("=", 1) for line in out.splitlines())
    assert set(printed) == wanted
    # They go into URIs and a config file unescaped: letters, digits, '-' and '_' only.
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{32,}", value) for value in printed.values())
