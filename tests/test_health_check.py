"""`python -m s3c_runtime.health`, the containers' health check, against a real NATS server:
it passes on this host's "ok" answer and fails on silence, on another host's answer and, unless
`--live`, on a degraded one."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import sys
import uuid
from collections.abc import AsyncIterator
from typing import Any

import nats
import pytest
from helpers import Servers
from s3c_events.subjects import health_subject
from s3c_runtime.service import Service
from s3c_runtime.settings import RuntimeSettings


async def check(servers: Servers, service: str, *flags: str) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "s3c_runtime.health", service, "--timeout", "2", *flags,
        env={**os.environ, "S3C_NATS_URL": servers.nats_url},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    out, _ = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode is not None
    return proc.returncode, out.decode()


def name() -> str:
    return f"hc{uuid.uuid4().hex[:10]}"


@pytest.fixture
async def answering(servers: Servers) -> AsyncIterator[Any]:
    """Answer a service's health subject with a given body, as another process would."""
    nc = await nats.connect(servers.nats_url)

    async def answer(service: str, data: dict[str, Any]) -> None:
        async def reply(msg: Any) -> None:
            await msg.respond(json.dumps({"ok": True, "data": data}).encode())

        await nc.subscribe(health_subject(service), cb=reply)
        await nc.flush()

    yield answer
    await nc.close()


async def test_a_running_service_is_healthy(servers: Servers) -> None:
    service = Service(name(), RuntimeSettings(nats_url=servers.nats_url))
    await service.app.start()  # started: streams provisioned, hooks run (else it says "starting")
    try:
        code, out = await check(servers, service.name)
    finally:
        await service.app.stop()
    assert code == 0, out
    assert json.loads(out)["service"] == service.name


async def test_no_answer_is_unhealthy(servers: Servers) -> None:
    code, out = await check(servers, name())
    assert code == 1, out
    assert "no answer" in out


async def test_another_hosts_answer_does_not_count(servers: Servers, answering: Any) -> None:
    service = name()
    await answering(service, {"service": service, "status": "ok", "host": "another-pod"})
    code, out = await check(servers, service)
    assert code == 1, out
    assert "1 from other hosts" in out


async def test_this_hosts_answer_counts_beside_another(servers: Servers, answering: Any) -> None:
    service = name()
    await answering(service, {"service": service, "status": "ok", "host": "another-pod"})
    await answering(service, {"service": service, "status": "ok", "host": socket.gethostname()})
    code, out = await check(servers, service)
    assert code == 0, out


async def test_a_degraded_service_is_live_but_not_ready(servers: Servers, answering: Any) -> None:
    service = name()
    await answering(service, {"service": service, "status": "degraded", "store": "error: down"})
    ready, ready_out = await check(servers, service)
    live, live_out = await check(servers, service, "--live")
    assert (ready, live) == (1, 0), (ready_out, live_out)
