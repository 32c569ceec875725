"""Billing end to end: exact per-execution costs, exact totals, crash safety, rebuild and audit."""

from __future__ import annotations

import asyncio
import os
import signal
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any

import httpx
import nats
import pytest
from helpers import Stack, apoll, poll, queue_runs, submit_executions
from pymongo import AsyncMongoClient
from s3c_billing.domain.costs import canonical, execution_cost, hour_bucket
from s3c_billing.projections import CostsProjection
from s3c_events import streams
from s3c_events.subjects import events_of_type
from s3c_runtime.projector import Projector

pytestmark = [pytest.mark.slow, pytest.mark.timeout(400)]

PAD = "/*" + "x" * 120 + "*/"  # pushes code past 100 characters: standard tier
FUNCTIONS = {
    "b-add": ("function add(a, b) { return a + b; }", {}),  # basic
    "s-echo": (PAD + "function echo(x) { return {x, big: 'y'.repeat(2000)}; }", {}),  # standard
    "p-mul": ("function mul(a, b) { return a * b; }", {"timeout": 61000}),  # premium
    "e-sum": ("function sum(a, b) { return a + b + 1; }", {"timeout": 121000}),  # enterprise
    "flaky": (
        "function flaky() { throw new Error('no'); }",
        {"retryCount": 1},
    ),  # fails after a retry
}


@pytest.fixture
def billing_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """A stack of its own per test: totals are exact, so no other test's runs may be in them."""
    stack = Stack.create(tmp_path_factory.mktemp("billing")).start()
    yield stack
    stack.stop()


def register_functions(api: httpx.Client) -> dict[str, str]:
    ids = {}
    for name, (code, config) in FUNCTIONS.items():
        res = api.post("/api/functions", json={"name": name, "code": code, "config": config})
        assert res.status_code == 201, res.text
        ids[name] = res.json()["data"]["id"]
    return ids


def mixed_plan(ids_by_name: dict[str, str], count: int) -> list[tuple[str, Any]]:
    """Runs spread over every tier, by position and by name, with a failing function among them."""
    names = list(FUNCTIONS)
    return [
        (ids_by_name[names[i % len(names)]], [i, 2] if i % 3 else {"a": i, "b": 1})
        for i in range(count)
    ]


def wait_costed(
    api: httpx.Client, ids: list[str], timeout: float = 180
) -> dict[str, dict[str, Any]]:
    records: dict[str, dict[str, Any]] = {}

    def all_costed() -> bool:
        for eid in ids:
            if eid in records:
                continue
            data = api.get(f"/api/executions/{eid}").json().get("data")
            if not data or data.get("cost") is None:
                return False
            records[eid] = data
        return True

    poll(all_costed, timeout, interval=0.5, what="every execution to be costed")
    return records


def expected_total(record: dict[str, Any]) -> str:
    c = execution_cost(record["tier"], Decimal(str(record["duration"])), record["coldStarts"], record["retryCount"],
                       record["inputBytes"], record["outputBytes"])  # fmt: skip
    return canonical(c.total_cost)


def test_a_thousand_mixed_executions_add_up_exactly(billing_stack: Stack) -> None:
    with httpx.Client(base_url=billing_stack.url, timeout=30) as api:
        ids_by_name = register_functions(api)
        ids = submit_executions(billing_stack, mixed_plan(ids_by_name, 1000))
        records = wait_costed(api, ids)

        tiers = Counter(r["cost"]["tier"] for r in records.values())
        assert set(tiers) == {"basic", "standard", "premium", "enterprise"}
        failed = [r for r in records.values() if r["status"] == "failed"]
        assert failed and all(r["retryCount"] == 1 for r in failed)
        assert any(r["coldStarts"] for r in records.values()) and any(
            not r["coldStarts"] for r in records.values()
        )

        # Every record's cost is the formula applied to its facts, digit for digit.
        for r in records.values():
            assert r["cost"]["totalCostExact"] == expected_total(r), r
            parts = sum(
                Decimal(r["cost"][f"{p}Exact"])
                for p in ("baseCost", "coldStartCost", "retryCost", "dataTransferCost")
            )
            assert parts == Decimal(r["cost"]["totalCostExact"])

        system = api.get("/api/costs/system").json()["data"]
        ledger = sum((Decimal(r["cost"]["totalCostExact"]) for r in records.values()), Decimal(0))
        assert system["totalExecutions"] == 1000
        assert Decimal(system["totalExecutionCostExact"]) == ledger
        per_function = sum(
            (Decimal(f["totalCostExact"]) for f in system["functionCosts"]), Decimal(0)
        )
        assert per_function == ledger
        assert Decimal(system["totalSystemCostExact"]) == ledger + Decimal(
            system["scalingCostExact"]
        ) + Decimal(system["storageCostExact"])
        assert Decimal(system["storageCostExact"]) > 0
        assert {f["functionId"]: f["executionCount"] for f in system["functionCosts"]} == dict(
            Counter(r["functionId"] for r in records.values())
        )

        # One function's totals.
        add = api.get(f"/api/costs/functions/{ids_by_name['b-add']}").json()["data"]
        add_records = [r for r in records.values() if r["functionId"] == ids_by_name["b-add"]]
        assert add["executionCount"] == len(add_records) and add["tier"] == "basic"
        assert Decimal(add["totalCostExact"]) == sum(
            (Decimal(r["cost"]["totalCostExact"]) for r in add_records), Decimal(0)
        )

        # Trends bucket by the UTC hour of each execution's startTime.
        first = min(r["startTime"] for r in records.values())
        trends = api.get("/api/costs/trends", params={"from": first[:13] + ":00:00Z"}).json()[
            "data"
        ]["hourly"]
        by_hour = Counter(
            hour_bucket(datetime.fromisoformat(r["startTime"])) for r in records.values()
        )
        assert {h["hour"]: h["executions"] for h in trends} == dict(by_hour)
        assert sum((Decimal(h["costExact"]) for h in trends), Decimal(0)) == ledger
        parts = ("baseCost", "coldStartCost", "retryCost", "dataTransferCost")
        for h in trends:  # each hour carries its parts, for a chart stacked by kind of cost
            assert sum(Decimal(h[f"{p}Exact"]) for p in parts) == Decimal(h["costExact"])


def test_killing_billing_during_a_burst_costs_each_execution_once(billing_stack: Stack) -> None:
    with httpx.Client(base_url=billing_stack.url, timeout=30) as api:
        fid = api.post(
            "/api/functions", json={"name": "burst", "code": "function b(x) { return x; }"}
        ).json()["data"]["id"]

        async def burst_and_kill() -> list[str]:
            task = asyncio.create_task(
                queue_runs(billing_stack.url, [(fid, i) for i in range(500)])
            )
            await asyncio.sleep(0)  # let the burst start; the kill lands while it runs
            async with httpx.AsyncClient(base_url=billing_stack.url, timeout=30) as client:

                async def mid_burst() -> bool:
                    costed = (await client.get("/api/costs/system")).json()["data"]
                    return task.done() or costed["totalExecutions"] > 50

                await apoll(mid_burst, 120, what="billing to be mid-burst")
            os.kill(billing_stack.pid("billing"), signal.SIGKILL)
            return await task

        old = billing_stack.pid("billing")
        ids = asyncio.run(burst_and_kill())
        poll(lambda: billing_stack.pid("billing") != old, 20, what="billing to be restarted")
        records = wait_costed(api, ids)
        assert len(records) == 500

    async def costed_events() -> Counter[str]:
        nc = await nats.connect(billing_stack.nats_url)
        try:
            info = await nc.jetstream().stream_info(
                streams.BILLING.name, subjects_filter=events_of_type("billing", "execution_costed")
            )
            return Counter({s.split(".")[3]: n for s, n in (info.state.subjects or {}).items()})
        finally:
            await nc.close()

    counts = asyncio.run(costed_events())
    assert all(counts[eid] == 1 for eid in ids)
    assert billing_stack.health("billing")["status"] == "ok"


def test_rebuilt_read_models_and_the_audit_agree(billing_stack: Stack) -> None:
    with httpx.Client(base_url=billing_stack.url, timeout=300) as api:
        ids = submit_executions(billing_stack, mixed_plan(register_functions(api), 300))
        wait_costed(api, ids)
        report = api.get("/api/costs/audit").json()["data"]
        assert report["ok"] and report["differences"] == [], report["differences"][:5]
        assert report["checkedExecutions"] == report["ledgerRecords"] == 300
        assert report["ledgerTotalExact"] == report["recomputedTotalExact"]
        # Local mode: every run is owner `local`'s, and the per-owner roll-ups agree.
        assert report["ledgerTotalByOwnerExact"] == {"local": report["ledgerTotalExact"]}
        live_total = api.get("/api/costs/system").json()["data"]["totalExecutionCostExact"]

    async def rebuild() -> tuple[str, str, int, dict[str, str], dict[str, str]]:
        nc = await nats.connect(billing_stack.nats_url)
        client: AsyncMongoClient = AsyncMongoClient(billing_stack.mongodb_uri, tz_aware=True)
        try:
            db = client["s3c_billing"]
            await db["cost_rollups_rebuilt"].delete_many({})
            projection = CostsProjection(rollups="cost_rollups_rebuilt")
            await Projector(nc.jetstream(), db, projection).rebuild(into="execution_costs_rebuilt")
            rebuilt = [
                d
                async for d in db["cost_rollups_rebuilt"].find({"kind": "hour", "functionId": "*"})
            ]
            live = [d async for d in db["cost_rollups"].find({"kind": "hour", "functionId": "*"})]
            total = sum((Decimal(d["totalCost"]) for d in rebuilt), Decimal(0))
            live_sum = sum((Decimal(d["totalCost"]) for d in live), Decimal(0))
            per_owner = {"kind": "owner"}
            return (
                canonical(total),
                canonical(live_sum),
                await db["execution_costs_rebuilt"].count_documents({}),
                {
                    d["_id"]: d["totalCost"]
                    async for d in db["cost_rollups_rebuilt"].find(per_owner)
                },
                {d["_id"]: d["totalCost"] async for d in db["cost_rollups"].find(per_owner)},
            )
        finally:
            await client.close()
            await nc.close()

    rebuilt_total, live_sum, count, rebuilt_owners, live_owners = asyncio.run(rebuild())
    assert rebuilt_total == live_sum == live_total
    assert count == report["ledgerRecords"]
    # The owner roll-ups (hourly, all `local` here) rebuild digit for digit too.
    assert rebuilt_owners == live_owners and live_owners
    assert {key.rsplit("|", 1)[1] for key in live_owners} == {"local"}
