"""`python -m s3c_runtime.health <service> [--live]`: a container health check for the services
that have no HTTP port, asking the service's health subject over NATS.

Every replica of a service answers its health subject (no queue group), so the check gathers the
answers and keeps the one from this host (a container's or pod's host name), so that a second
replica's answer cannot hide a stuck one. An answer that names no host counts as this host's.
Readiness (the default) needs the status "ok" (the service reaches its store). `--live` needs only
an answer, so a store outage does not restart every pod. Exit 0: healthy, 1: not.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import sys
from typing import Any

import nats
from nats.aio.msg import Msg
from s3c_events.subjects import health_subject

from s3c_runtime.settings import RuntimeSettings


def verdict(answer: dict[str, Any], host: str, live: bool) -> bool | None:
    """True or False for an answer from this host (healthy or not), None for another host's."""
    data = answer.get("data")
    if not isinstance(data, dict) or data.get("host", host) != host:
        return None
    return live or data.get("status") == "ok"


async def probe(
    settings: RuntimeSettings, service: str, host: str, live: bool, timeout: float
) -> tuple[bool, str]:
    """Ask every replica of `service` for its health; judge this host's answer. It connects as
    the service's own bus user (the container's environment), which may ask its own health."""
    try:
        nc = await nats.connect(
            settings.nats_servers,
            connect_timeout=timeout,
            max_reconnect_attempts=0,
            allow_reconnect=False,
            **settings.nats_options(),
        )
    except Exception as exc:
        return False, f"cannot reach NATS at {settings.nats_url}: {type(exc).__name__}"
    try:
        inbox = nc.new_inbox()
        answers: asyncio.Queue[Msg] = asyncio.Queue()

        async def collect(msg: Msg) -> None:
            await answers.put(msg)

        await nc.subscribe(inbox, cb=collect)
        await nc.publish(health_subject(service), b"{}", reply=inbox)
        await nc.flush(timeout=max(1, round(timeout)))  # nats-py takes whole seconds
        seen = 0
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while (left := deadline - loop.time()) > 0:
            try:
                msg = await asyncio.wait_for(answers.get(), left)
            except TimeoutError:
                break
            seen += 1
            try:
                answer = json.loads(msg.data)
            except ValueError:
                continue
            judged = verdict(answer, host, live)
            if judged is not None:
                return judged, json.dumps(answer.get("data"))
        return False, f"no answer from {service} on host {host} ({seen} from other hosts)"
    finally:
        await nc.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m s3c_runtime.health", description=__doc__)
    parser.add_argument("service", help="registry, executor, billing or scaler")
    parser.add_argument("--live", action="store_true", help="any answer will do (liveness)")
    parser.add_argument("--timeout", type=float, default=3.0, help="seconds to wait")
    parser.add_argument("--host", default=socket.gethostname(), help="whose answer counts")
    args = parser.parse_args(argv)
    healthy, detail = asyncio.run(
        probe(RuntimeSettings(), args.service, args.host, args.live, args.timeout)
    )
    print(detail)
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main())
