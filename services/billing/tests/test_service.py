"""Billing's query subscribers on FastStream's in-memory broker, over in-memory fakes: the
composition root binds the handlers to the `Deps` it is given."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from typing import Any

from billing_fakes import (
    T0,
    InMemoryEventLog,
    InMemoryStore,
    RecordingPublisher,
    started,
    terminal,
)
from faststream.nats import NatsBroker, TestNatsBroker
from pydantic import BaseModel
from s3c_billing.app import build
from s3c_billing.bootstrap import Deps
from s3c_billing.projections import bill_batch
from s3c_events import (
    CostAudit,
    CostTrends,
    ExecutionCost,
    ExecutionCostList,
    FunctionCosts,
    SystemCosts,
)

LATER = T0 + timedelta(hours=1)


async def ask(broker: NatsBroker, query: type[BaseModel], payload: dict[str, Any]) -> Any:
    msg = await broker.request(json.dumps(payload).encode(), query.SUBJECT, timeout=3)  # type: ignore[attr-defined]
    return json.loads(msg.body)


async def billed() -> Deps:
    store, log = InMemoryStore(), InMemoryEventLog()
    store.add_function("f1", name="add", code_bytes=2 * 1024 * 1024)
    store.add_function("f2", name="mul", tier="premium")
    store.add_charge("s1", T0 + timedelta(minutes=5))
    await bill_batch(
        store,
        log.append(
            started("e1"),
            terminal("e1", name="add", cold_starts=1),
            terminal("e2", "f2", name="mul", tier="premium", duration_ms=1000),
            terminal("e3", name="add", failed=True, retry_count=1, start_time=LATER),
        ),
    )
    return Deps(store=store, events=log, publisher=RecordingPublisher())


async def test_the_queries_answer_from_the_read_models() -> None:
    deps = await billed()
    records = {eid: await deps.store.cost_record(eid) for eid in ("e1", "e2", "e3")}
    ledger = sum((Decimal(r["totalCost"]) for r in records.values() if r), Decimal(0))
    async with TestNatsBroker(build(deps=deps).broker) as br:
        system = (await ask(br, SystemCosts, {}))["data"]
        assert system["totalExecutions"] == 3
        assert Decimal(system["totalExecutionCostExact"]) == ledger
        assert system["scalingEvents"] == 1 and system["scalingCostExact"] == "0.0001"
        assert Decimal(system["storageCostExact"]) > 0
        assert Decimal(system["totalSystemCostExact"]) == ledger + Decimal("0.0001") + Decimal(
            system["storageCostExact"]
        )
        assert [(f["functionId"], f["functionName"], f["executionCount"]) for f in
                system["functionCosts"]] == [("f2", "mul", 1), ("f1", "add", 2)]  # fmt: skip

        trends = await ask(br, CostTrends, {"from": T0.isoformat(), "to": LATER.isoformat()})
        hourly = trends["data"]["hourly"]
        assert [(h["hour"], h["executions"]) for h in hourly] == [
            ("2026-01-02T03:00:00Z", 2),
            ("2026-01-02T04:00:00Z", 1),
        ]
        assert sum(Decimal(h["costExact"]) for h in hourly) == ledger

        function = (await ask(br, FunctionCosts, {"functionId": "f1"}))["data"]
        assert (function["executionCount"], function["failedCount"], function["retries"]) == (
            2,
            1,
            1,
        )
        assert function["functionName"] == "add" and function["tier"] == "basic"

        execution = (await ask(br, ExecutionCost, {"executionId": "e2"}))["data"]
        assert execution["tier"] == "premium" and execution["billedDurationMs"] == 1000
        assert execution["totalCostExact"] == records["e2"]["totalCost"]  # type: ignore[index]

        many = (await ask(br, ExecutionCostList, {"executionIds": ["e1", "e3", "nope"]}))["data"]
        assert {eid: c["totalCostExact"] for eid, c in many["costs"].items()} == {
            "e1": records["e1"]["totalCost"],  # type: ignore[index]
            "e3": records["e3"]["totalCost"],  # type: ignore[index]
        }

        audit = (await ask(br, CostAudit, {}))["data"]
        assert audit["ok"] and audit["checkedExecutions"] == 3


async def billed_for_two_owners() -> Deps:
    """`local` owns f1 (e1, e3); `acme` owns f2 (e2) and f3 (e4, in the next hour)."""
    store, log = InMemoryStore(), InMemoryEventLog()
    store.add_function("f1", name="add")
    store.add_function("f2", name="mul", tier="premium", owner="acme")
    store.add_function("f3", name="idle", owner="acme")
    store.add_charge("s1", T0 + timedelta(minutes=5))
    await bill_batch(
        store,
        log.append(
            terminal("e1", name="add", cold_starts=1),
            terminal("e2", "f2", name="mul", tier="premium", duration_ms=1000, owner="acme"),
            terminal("e3", name="add", failed=True, retry_count=1, start_time=LATER),
            terminal("e4", "f3", name="idle", start_time=LATER, owner="acme"),
        ),
    )
    return Deps(store=store, events=log, publisher=RecordingPublisher())


def exact(reply: dict[str, Any], field: str) -> Decimal:
    return Decimal(reply[f"{field}Exact"])


async def test_an_owner_sees_only_its_own_costs() -> None:
    deps = await billed_for_two_owners()
    cost = {eid: Decimal((await deps.store.cost_record(eid) or {})["totalCost"])
            for eid in ("e1", "e2", "e3", "e4")}  # fmt: skip
    period = {"startDate": T0.isoformat(), "endDate": LATER.isoformat()}
    async with TestNatsBroker(build(deps=deps).broker) as br:
        acme = (await ask(br, SystemCosts, {**period, "owner": "acme"}))["data"]
        assert acme["owner"] == "acme" and acme["totalExecutions"] == 2
        assert exact(acme, "totalExecutionCost") == cost["e2"] + cost["e4"]
        assert {f["functionId"] for f in acme["functionCosts"]} == {"f2", "f3"}
        # Scaling and storage are the system's costs, in no owner's answer.
        assert (acme["scalingEvents"], acme["scalingCostExact"], acme["storageCostExact"]) == (
            0,
            "0",
            "0",
        )
        assert exact(acme, "totalSystemCost") == exact(acme, "totalExecutionCost")
        local = (await ask(br, SystemCosts, {**period, "owner": "local"}))["data"]
        assert [f["functionId"] for f in local["functionCosts"]] == ["f1"]
        assert exact(local, "totalExecutionCost") == cost["e1"] + cost["e3"]
        everyone = (await ask(br, SystemCosts, period))["data"]
        assert everyone["owner"] is None and everyone["totalExecutions"] == 4
        assert exact(everyone, "totalExecutionCost") == sum(cost.values())
        assert everyone["scalingEvents"] == 1 and exact(everyone, "storageCost") > 0

        window = {"from": T0.isoformat(), "to": LATER.isoformat()}
        trend = (await ask(br, CostTrends, {**window, "owner": "acme"}))["data"]["hourly"]
        assert [(h["hour"], h["executions"], Decimal(h["costExact"])) for h in trend] == [
            ("2026-01-02T03:00:00Z", 1, cost["e2"]),
            ("2026-01-02T04:00:00Z", 1, cost["e4"]),
        ]
        mine = await ask(br, CostTrends, {**window, "owner": "acme", "functionId": "f3"})
        assert [h["executions"] for h in mine["data"]["hourly"]] == [1]
        # Another owner's function shows no hours, as an unknown function shows none.
        theirs = await ask(br, CostTrends, {**window, "owner": "acme", "functionId": "f1"})
        unknown = await ask(br, CostTrends, {**window, "owner": "acme", "functionId": "nope"})
        assert theirs["data"]["hourly"] == unknown["data"]["hourly"] == []

        f2 = (await ask(br, FunctionCosts, {"functionId": "f2", "owner": "acme"}))["data"]
        assert f2["owner"] == "acme" and exact(f2, "totalCost") == cost["e2"]
        assert (await ask(br, FunctionCosts, {"functionId": "f2"}))["data"]["owner"] == "acme"

        e2 = (await ask(br, ExecutionCost, {"executionId": "e2", "owner": "acme"}))["data"]
        assert e2["owner"] == "acme" and exact(e2, "totalCost") == cost["e2"]
        many = await ask(
            br, ExecutionCostList, {"executionIds": ["e1", "e2", "e3", "e4"], "owner": "acme"}
        )
        assert sorted(many["data"]["costs"]) == ["e2", "e4"]
        every = await ask(br, ExecutionCostList, {"executionIds": ["e1", "e2", "e3", "e4"]})
        assert sorted(every["data"]["costs"]) == ["e1", "e2", "e3", "e4"]


async def test_another_owners_function_or_execution_is_not_found() -> None:
    async with TestNatsBroker(build(deps=await billed_for_two_owners()).broker) as br:
        for query, payload in [
            (FunctionCosts, {"functionId": "f1"}),  # costed, local's
            (FunctionCosts, {"functionId": "f3"}),  # acme's
            (ExecutionCost, {"executionId": "e1"}),
        ]:
            theirs = await ask(br, query, {**payload, "owner": "zeta"})
            unknown = await ask(br, query, {**{k: "nope" for k in payload}, "owner": "zeta"})
            assert theirs["error"]["code"] == unknown["error"]["code"] == "not_found"
            assert "data" in await ask(br, query, payload)  # admin: every owner's


async def test_costs_from_before_owners_are_locals() -> None:
    deps = await billed()
    store = deps.store
    assert isinstance(store, InMemoryStore)
    for doc in (*store.records.values(), *store.rollup_docs.values(), *store.versions.values()):
        if doc.get("kind") != "owner":
            doc.pop("owner", None)
    async with TestNatsBroker(build(deps=deps).broker) as br:
        e1 = (await ask(br, ExecutionCost, {"executionId": "e1", "owner": "local"}))["data"]
        assert e1["owner"] == "local"
        f1 = (await ask(br, FunctionCosts, {"functionId": "f1", "owner": "local"}))["data"]
        assert f1["owner"] == "local" and f1["executionCount"] == 2
        local = (await ask(br, SystemCosts, {"owner": "local"}))["data"]
        assert [f["functionId"] for f in local["functionCosts"]] == ["f2", "f1"]
        assert (await ask(br, ExecutionCost, {"executionId": "e1", "owner": "acme"}))["error"][
            "code"
        ] == "not_found"


async def test_refusals_are_clear() -> None:
    async with TestNatsBroker(build(deps=await billed()).broker) as br:
        missing = await ask(br, ExecutionCost, {"executionId": "nope"})
        assert missing["error"]["code"] == "not_found"
        unknown = await ask(br, FunctionCosts, {"functionId": "nope"})
        assert unknown["error"]["code"] == "not_found"
        backwards = await ask(
            br, SystemCosts, {"startDate": LATER.isoformat(), "endDate": T0.isoformat()}
        )
        assert backwards["error"] == {
            "code": "invalid",
            "message": "endDate is before startDate",
            "field": "endDate",
        }


async def test_before_start_up_a_query_is_refused_at_once() -> None:
    async with TestNatsBroker(build().broker) as br:  # nothing bound: no connections yet
        reply = await ask(br, SystemCosts, {})
        assert reply["error"]["code"] == "unavailable"
