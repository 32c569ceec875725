"""Faults under load: a killed service, a restarted nats-server, a store away for 10 s, a node of
a three-node NATS cluster lost and back. Through each, every execution accepted (202) ends
completed or failed, is recorded once and billed once, and the cost audit finds no difference."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import nats
import pytest
from helpers import Load, NatsCluster, ServerProcess, Stack, answering_pids, apoll, poll
from pymongo import MongoClient
from s3c_cli.processes import free_port
from s3c_events import streams
from s3c_events.subjects import events_of_type

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

# A small function that takes a little time, so a queue builds up behind the workers.
WORK = "function work(n) { const until = Date.now() + 10; while (Date.now() < until) {} return n * 2; }"
DURING = 450  # runs offered while the fault happens (with AFTER: 500 executions a fault)
AFTER = 50  # runs offered once the system has recovered
TERMINAL = ("completed", "failed")


@dataclass
class Outcome:
    """What the load got and what became of it."""

    accepted: list[str]
    records: dict[str, dict[str, Any]]  # every execution of the function, by id


def register(stack: Stack, name: str) -> str:
    res = httpx.post(f"{stack.url}/api/functions", json={"name": name, "code": WORK}, timeout=30)
    assert res.status_code == 201, res.text
    function_id: str = res.json()["data"]["id"]
    return function_id


async def offer(
    stack: Stack, function_id: str, fault: Callable[[], None]
) -> tuple[Load, Load, datetime]:
    """Queue runs, set off `fault` (it returns once the system has recovered) while they are
    being queued and run, then queue more runs. Returns both loads and when the fault began."""
    during = Load(stack.url)
    task = asyncio.create_task(during.run([(function_id, i) for i in range(DURING)]))

    async def under_way() -> bool:
        return len(during.accepted) >= DURING // 4

    await apoll(under_way, 60, what="the load to be under way")
    fault_at = datetime.now(UTC)
    await asyncio.to_thread(fault)
    await task
    after = await Load(stack.url).run([(function_id, DURING + i) for i in range(AFTER)])
    return during, after, fault_at


def records_of(stack: Stack, function_id: str) -> dict[str, dict[str, Any]]:
    with MongoClient(stack.mongodb_uri, serverSelectionTimeoutMS=2000) as client:
        docs = client["s3c_executor"]["executions"].find({"functionId": function_id})
        return {d["_id"]: d for d in docs}


def ledger_ids(stack: Stack, ids: list[str]) -> set[str]:
    with MongoClient(stack.mongodb_uri, serverSelectionTimeoutMS=2000) as client:
        docs = client["s3c_billing"]["execution_costs"].find({"_id": {"$in": ids}}, {"_id": 1})
        return {d["_id"] for d in docs}


def settle(stack: Stack, function_id: str, accepted: list[str]) -> dict[str, dict[str, Any]]:
    """Wait until every run of the function has ended and every accepted one is billed."""

    def settled() -> dict[str, dict[str, Any]]:
        records = records_of(stack, function_id)
        unrecorded = set(accepted) - set(records)
        open_runs = Counter(
            r.get("status") for r in records.values() if r.get("status") not in TERMINAL
        )
        unbilled = set(accepted) - ledger_ids(stack, accepted)
        if unrecorded or open_runs or unbilled:  # raised, so that a timeout says what is left
            raise AssertionError(
                f"{len(unrecorded)} accepted runs not recorded, still open: {dict(open_runs)}, "
                f"{len(unbilled)} not billed"
            )
        return records

    return poll(settled, 180, interval=1.0, what="every run to end and be billed")


def per_execution(servers: list[str], stream: str, subject_filter: str) -> Counter[str]:
    """How many messages the stream holds on `subject_filter`, per execution id."""

    async def count() -> Counter[str]:
        nc = await nats.connect(servers)
        try:
            info = await nc.jetstream().stream_info(stream, subjects_filter=subject_filter)
            counts: Counter[str] = Counter()
            for subject, n in (info.state.subjects or {}).items():
                counts[subject.split(".")[3]] += n
            return counts
        finally:
            await nc.close()

    return asyncio.run(count())


def terminal_events(servers: list[str]) -> Counter[str]:
    counts = Counter[str]()
    for kind in TERMINAL:
        counts += per_execution(servers, streams.EXECUTIONS.name, events_of_type("execution", kind))
    return counts


def costed_events(servers: list[str]) -> Counter[str]:
    return per_execution(
        servers, streams.BILLING.name, events_of_type("billing", "execution_costed")
    )


def run_through(
    stack: Stack, function_id: str, fault: Callable[[], None], also: Load | None = None
) -> Outcome:
    """Runs of `function_id` around `fault`, and once every run has ended and been billed,
    what became of them. `also`: runs the fault itself offered."""
    started = time.monotonic()
    during, after, fault_at = asyncio.run(offer(stack, function_id, fault))
    accepted = during.accepted + after.accepted + (also.accepted if also else [])
    records = settle(stack, function_id, accepted)
    statuses = Counter(records[e]["status"] for e in accepted)
    # The fault hit a load in progress: runs accepted before it ended only after it began.
    late = [e for e in during.accepted if datetime.fromisoformat(records[e]["endTime"]) > fault_at]
    print(
        f"accepted {len(accepted)}, refused {during.refused or {}}, {dict(statuses)}, "
        f"{len(late)} ended after the fault began, {time.monotonic() - started:.1f} s"
    )
    assert late
    # Once recovered, the system takes every run again.
    assert after.refused == {} and len(after.accepted) == AFTER
    return Outcome(accepted, records)


def assert_once(stack: Stack, outcome: Outcome) -> None:
    """Each accepted run ended, once in the stream and in the read model, billed once; the audit
    and the totals agree with the ledger."""
    accepted, records = outcome.accepted, outcome.records
    assert len(set(accepted)) == len(accepted)
    assert all(records[e]["status"] in TERMINAL for e in accepted)
    stuck = {e: r["status"] for e, r in records.items() if r["status"] not in TERMINAL}
    assert stuck == {}
    servers = stack.nats_servers
    terminal = terminal_events(servers)
    assert {e: terminal[e] for e in records if terminal[e] != 1} == {}
    costed = costed_events(servers)
    assert {e: costed[e] for e in records if costed[e] != 1} == {}
    assert ledger_ids(stack, accepted) == set(accepted)

    with httpx.Client(base_url=stack.url, timeout=300) as api:
        report = api.get("/api/costs/audit").json()["data"]
        system = api.get("/api/costs/system").json()["data"]
    assert report["ok"] and report["differences"] == [], report["differences"][:5]
    assert report["checkedExecutions"] == report["ledgerRecords"] == sum(terminal.values())
    assert report["ledgerTotalExact"] == report["recomputedTotalExact"]
    assert system["totalExecutions"] == report["ledgerRecords"]


def recovered(stack: Stack, name: str, pid: int) -> bool:
    """The restarted service answers as the new process, and the stack is ready again."""
    if name != "gateway" and stack.health(name)["pid"] != pid:
        return False
    return stack.ready()


def kill_service(stack: Stack, name: str) -> Callable[[], None]:
    def fault() -> None:
        old = stack.pid(name)
        os.kill(old, signal.SIGKILL)
        poll(lambda: stack.pid(name) != old, 30, what=f"{name} to be restarted")
        new = stack.pid(name)
        poll(lambda: recovered(stack, name, new), 120, 0.5, what=f"the restarted {name}")

    return fault


@pytest.fixture
def own_stack(tmp_path: Path) -> Iterator[Stack]:
    """A stack per test: the audit and the totals cover only this test's runs."""
    stack = Stack.create(tmp_path / "stack").start()
    yield stack
    stack.stop()


@pytest.mark.parametrize("service", ["registry", "executor", "billing", "scaler", "gateway"])
def test_a_service_killed_under_load_loses_and_doubles_nothing(
    own_stack: Stack, service: str
) -> None:
    function_id = register(own_stack, f"kill-{service}")
    outcome = run_through(own_stack, function_id, kill_service(own_stack, service))
    assert_once(own_stack, outcome)


@dataclass
class External:
    """A stack whose nats-server and store the test runs, to stop and start them itself."""

    stack: Stack
    nats: ServerProcess
    store: ServerProcess


@pytest.fixture
def external(tmp_path: Path) -> Iterator[External]:
    nats_server = ServerProcess.nats(tmp_path).start()
    store = ServerProcess.store(tmp_path).start()
    env = {"S3C_NATS_URL": nats_server.url, "S3C_MONGODB_URI": store.url}
    stack = Stack(tmp_path / "stack", free_port(), nats_server.port, store.port, env=env)
    try:
        yield External(stack.start(), nats_server, store)
    finally:
        stack.stop()
        store.stop()
        nats_server.stop()


def test_nats_server_restarted_under_load_loses_and_doubles_nothing(external: External) -> None:
    def fault() -> None:
        external.nats.kill()
        external.nats.start()  # same port, same data folder: JetStream is file-backed
        poll(external.stack.ready, 120, 0.5, what="the stack after nats-server came back")

    outcome = run_through(external.stack, register(external.stack, "restart-nats"), fault)
    assert_once(external.stack, outcome)


def test_the_store_away_for_ten_seconds_loses_and_doubles_nothing(external: External) -> None:
    def fault() -> None:
        external.store.stop()
        time.sleep(10)  # the outage itself lasts 10 s (a duration, not a wait for anything)
        external.store.start()  # same port, same data
        poll(external.stack.ready, 120, 0.5, what="the stack after the store came back")

    outcome = run_through(external.stack, register(external.stack, "store-away"), fault)
    assert_once(external.stack, outcome)


def stream_replicas(servers: list[str]) -> dict[str, tuple[int, str | None]]:
    """Each stream's replica count and its current leader (a node's server name)."""

    async def ask() -> dict[str, tuple[int, str | None]]:
        nc = await nats.connect(servers)
        try:
            js = nc.jetstream()
            out = {}
            for spec in streams.ALL:
                info = await js.stream_info(spec.name)
                leader = info.cluster.leader if info.cluster else None
                out[spec.name] = (info.config.num_replicas or 1, leader)
            return out
        finally:
            await nc.close()

    return asyncio.run(ask())


def caught_up(servers: list[str]) -> bool:
    """Every replica of every stream is current again (the restarted node caught up)."""

    async def ask() -> bool:
        nc = await nats.connect(servers)
        try:
            js = nc.jetstream()
            for spec in streams.ALL:
                cluster = (await js.stream_info(spec.name)).cluster
                replicas = (cluster.replicas or []) if cluster else []
                if cluster is None or cluster.leader is None or len(replicas) != 2:
                    return False
                if not all(r.current and not r.offline for r in replicas):
                    return False
            return True
        finally:
            await nc.close()

    return asyncio.run(ask())


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[NatsCluster]:
    nodes = NatsCluster.create(tmp_path / "cluster")
    try:
        yield nodes.start()
    finally:
        nodes.stop()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ServerProcess]:
    server = ServerProcess.store(tmp_path)
    try:
        yield server.start()
    finally:
        server.stop()


def test_a_three_node_cluster_loses_a_node_mid_run_and_nothing_else(
    cluster: NatsCluster, store: ServerProcess, tmp_path: Path
) -> None:
    env = {"S3C_NATS_URL": cluster.url, "S3C_MONGODB_URI": store.url, "S3C_STREAM_REPLICAS": "3"}
    stack = Stack(tmp_path / "stack", free_port(), cluster.nodes[0].port, store.port, env=env)
    second: subprocess.Popen[bytes] | None = None
    try:
        stack.start(120)
        second = subprocess.Popen(
            [sys.executable, "-m", "s3c_executor"], env=stack.service_env(),
            stdout=(tmp_path / "executor2.log").open("wb"), stderr=subprocess.STDOUT,
        )  # fmt: skip
        poll(
            lambda: second.pid in answering_pids(cluster.urls, "executor"),
            60,
            what="the second executor to answer",
        )
        replicas = stream_replicas(cluster.urls)
        assert {name: n for name, (n, _) in replicas.items()} == {s.name: 3 for s in streams.ALL}
        # Lose the node that leads the work queue: its stream and consumer elect a new leader.
        victim = cluster.node(str(replicas[streams.WORK.name][1]))
        function_id = register(stack, "cluster")
        on_two_nodes = Load(stack.url)

        def led_by_the_others() -> bool:
            leaders = {leader for _, leader in stream_replicas(cluster.urls).values()}
            return None not in leaders and victim.name not in leaders

        def fault() -> None:
            victim.kill()
            poll(led_by_the_others, 120, 0.5, what="new leaders on the two nodes left")
            poll(stack.ready, 120, 0.5, what="the stack on two nodes")
            asyncio.run(on_two_nodes.run([(function_id, -i) for i in range(1, 31)]))
            victim.start()  # same port, same store folder
            poll(lambda: caught_up(cluster.urls), 120, 0.5, what=f"{victim.name} to catch up")

        outcome = run_through(stack, function_id, fault, also=on_two_nodes)
        # Two nodes of three carry on: runs offered while one was down were all taken.
        assert on_two_nodes.refused == {} and len(on_two_nodes.accepted) == 30
        assert_once(stack, outcome)
        instances = {
            r["instanceId"].split("-")[1] for r in outcome.records.values() if r.get("instanceId")
        }
        assert second.pid is not None and str(second.pid) in instances  # both executors ran work
        assert len(instances) == 2, instances
    finally:
        if second is not None:
            second.terminate()
            second.wait(30)
        stack.stop()
