"""Two registry processes: a name is still taken once, whichever replica answers."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import nats
from helpers import Stack
from s3c_events import RegisterFunction
from s3c_events.subjects import health_subject


def test_two_registries_never_accept_one_name_twice(
    stack: Stack, unique: str, tmp_path: Path
) -> None:
    extra = subprocess.Popen(
        [sys.executable, "-m", "s3c_registry"], env=stack.service_env(),
        stdout=(tmp_path / "registry2.log").open("wb"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:

        async def race() -> tuple[list[dict], set[int]]:
            nc = await nats.connect(stack.nats_url)
            try:
                # Wait until both replicas answer health (each answers on its own).
                pids: set[int] = set()
                inbox = nc.new_inbox()
                sub = await nc.subscribe(inbox)
                for _ in range(50):
                    await nc.publish(health_subject("registry"), b"{}", reply=inbox)
                    try:
                        while True:
                            msg = await sub.next_msg(timeout=0.2)
                            pids.add(json.loads(msg.data)["data"]["pid"])
                    except nats.errors.TimeoutError:
                        pass
                    if len(pids) >= 2:
                        break
                body = json.dumps({"name": unique, "code": "function f() { return 1; }"}).encode()
                replies = await asyncio.gather(
                    *(nc.request(RegisterFunction.SUBJECT, body, timeout=10) for _ in range(20))
                )
                return [json.loads(r.data) for r in replies], pids
            finally:
                await nc.close()

        replies, pids = asyncio.run(race())
        assert len(pids) == 2, "the second registry never answered"
        accepted = [r for r in replies if r["ok"]]
        assert len(accepted) == 1, [r.get("error") for r in replies]
        assert all(r["error"]["code"] == "conflict" for r in replies if not r["ok"]), replies
    finally:
        extra.terminate()
        extra.wait(20)
