"""Metrics from the executor's roll-ups: equal to a recount of the records, rebuilt equal by a
replay, per minute, per function, and answering under load."""

from __future__ import annotations

import asyncio
import itertools
import math
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import nats
import pytest
from helpers import Stack, apoll, poll
from pymongo import AsyncMongoClient
from s3c_executor.projections import BUCKETS_MS, ExecutionsProjection, seed_rollups
from s3c_runtime.projector import Projector

ADD = "function add(a, b) { return a + b; }"
THROW = "function boom() { throw new Error('boom'); }"
TERMINAL = ("completed", "failed")


@pytest.fixture(scope="module")
def metered(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """A stack of its own: every execution in it is one these tests made, and each test waits
    for its runs to end, so a recount of all its records is exact."""
    stack = Stack.create(tmp_path_factory.mktemp("metered")).start()
    yield stack
    stack.stop()


@pytest.fixture
def client(metered: Stack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=metered.url, timeout=30) as api:
        yield api


def register(api: httpx.Client, name: str, code: str) -> str:
    res = api.post("/api/functions", json={"name": name, "code": code, "config": {"retryCount": 0}})
    assert res.status_code == 201, res.text
    fid: str = res.json()["data"]["id"]
    return fid


def run_all(api: httpx.Client, plan: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """Run each (function id, "execute" | "invoke") and return the finished records."""
    ids = []
    for fid, how in plan:
        res = api.post(f"/api/functions/{fid}/{how}", json={"input": [1, 2]})
        assert res.status_code in (200, 202), res.text
        ids.append(res.json()["data"]["executionId"])

    def finished() -> list[dict[str, Any]] | None:
        records = []
        for eid in ids:
            res = api.get(f"/api/executions/{eid}")
            if res.status_code != 200 or res.json()["data"]["status"] not in TERMINAL:
                return None
            records.append(res.json()["data"])
        return records

    return poll(finished, 60, interval=0.1, what=f"{len(ids)} runs to finish")


def all_records(api: httpx.Client) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = api.get("/api/executions", params={"limit": 1000}).json()["data"]
    assert len(rows) < 1000  # all of them, so the recount is complete
    return rows


def bucket_bounds(value: float) -> tuple[float, float]:
    """The histogram bucket a duration falls in, as (lower, upper) bounds in ms."""
    lower = 0.0
    for bound in BUCKETS_MS:
        if value <= bound:
            return lower, float(bound)
        lower = float(bound)
    return lower, lower


def nearest_rank(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(len(ordered) * q) - 1)]


def test_metrics_and_function_stats_equal_a_recount_of_the_records(
    client: httpx.Client, unique: str
) -> None:
    add, boom = register(client, f"{unique}-add", ADD), register(client, f"{unique}-boom", THROW)
    idle = register(client, f"{unique}-idle", ADD)
    plan = [(add, "execute")] * 6 + [(boom, "execute")] * 4 + [(add, "invoke"), (boom, "invoke")]
    mine = run_all(client, plan)
    assert Counter(r["status"] for r in mine) == {"completed": 7, "failed": 5}

    metrics = client.get("/api/metrics").json()["data"]
    rows = all_records(client)
    by_status = Counter(r["status"] for r in rows)
    durations = [r["duration"] for r in rows if r["status"] in TERMINAL]
    assert metrics["totalExecutions"] == len(rows)
    for status in ("pending", "running", "completed", "failed"):
        assert metrics[f"{status}Executions"] == by_status[status], status
    assert metrics["recentExecutions"] == len(rows)  # all created in the last minutes
    assert metrics["successRate"] == round(100 * by_status["completed"] / len(durations), 2)
    assert metrics["averageExecutionTime"] == pytest.approx(
        sum(durations) / len(durations), abs=1e-3
    )
    histogram = metrics["durationHistogram"]
    assert histogram["bucketsMs"] == list(BUCKETS_MS) and histogram["count"] == len(durations)
    assert histogram["sumMs"] == pytest.approx(sum(durations), abs=1e-6)
    assert histogram["cumulativeCounts"] == [
        *(sum(d <= b for d in durations) for b in BUCKETS_MS),
        len(durations),
    ]
    # Interpolated inside the bucket where the exact percentile lies.
    for field, q in (("p50ExecutionTime", 0.5), ("p99ExecutionTime", 0.99)):
        lower, upper = bucket_bounds(nearest_rank(durations, q))
        assert lower <= metrics[field] <= upper, (field, metrics[field], durations)
    assert metrics["p50ExecutionTime"] <= metrics["p99ExecutionTime"]

    every = {s["functionId"]: s for s in client.get("/api/functions/stats").json()["data"]}
    for fid in (add, boom):
        runs = [r for r in rows if r["functionId"] == fid]
        ended = [r for r in runs if r["status"] in TERMINAL]
        expected = {
            "functionId": fid,
            "executions": len(runs),
            "completed": sum(r["status"] == "completed" for r in runs),
            "failed": sum(r["status"] == "failed" for r in runs),
            "lastRunAt": max(r["createdAt"] for r in runs),
            "avgDurationMs": pytest.approx(
                sum(r["duration"] for r in ended) / len(ended), abs=1e-3
            ),
        }
        assert client.get(f"/api/functions/{fid}/stats").json()["data"] == expected
        assert every[fid] == expected
    assert sum(s["executions"] for s in every.values()) == len(rows)
    assert client.get(f"/api/functions/{idle}/stats").json()["data"] == {
        "functionId": idle, "executions": 0, "completed": 0, "failed": 0,
        "lastRunAt": None, "avgDurationMs": None,
    }  # fmt: skip
    assert idle not in every
    missing = client.get(f"/api/functions/{'0' * 32}/stats")
    assert missing.status_code == 404 and missing.json()["success"] is False


def test_the_series_counts_runs_in_the_minute_they_ended(client: httpx.Client, unique: str) -> None:
    add, boom = register(client, f"{unique}-add", ADD), register(client, f"{unique}-boom", THROW)

    def series(minutes: int = 5) -> dict[str, Any]:
        res = client.get("/api/metrics/timeseries", params={"minutes": minutes})
        assert res.status_code == 200, res.text
        data: dict[str, Any] = res.json()["data"]
        return data

    before = {p["t"]: p for p in series()["points"]}
    mine = run_all(client, [(add, "execute")] * 3 + [(boom, "execute")] * 2 + [(add, "invoke")])
    asked = datetime.now(UTC)
    data = series()
    answered = datetime.now(UTC)

    points = data["points"]
    assert data["bucketSeconds"] == 60 and len(points) == 5
    stamps = [datetime.fromisoformat(p["t"].replace("Z", "+00:00")) for p in points]
    assert all(b.timestamp() - a.timestamp() == 60 for a, b in itertools.pairwise(stamps))
    assert asked.replace(second=0, microsecond=0) <= stamps[-1] <= answered  # the current minute
    for status in TERMINAL:
        ended = Counter(f"{r['endTime'][:16]}:00Z" for r in mine if r["status"] == status)
        grew = {
            p["t"]: p[status] - before.get(p["t"], {}).get(status, 0)
            for p in points
            if p[status] != before.get(p["t"], {}).get(status, 0)
        }
        assert grew == dict(ended), status
    for point in points[:-1]:
        assert point["executionsPerSecond"] == round((point["completed"] + point["failed"]) / 60, 3)
    busy = [p for p in points if p["completed"]]
    assert busy and all(p["avgMs"] > 0 and p["p50Ms"] <= p["p99Ms"] for p in busy)
    idle = [p for p in points if not p["completed"] and not p["failed"]]
    assert all(p["avgMs"] is None and p["p50Ms"] is None for p in idle)

    queue = data["queue"]  # the scaler reads the queue every 0.5 s in test stacks
    assert queue and all(set(q) == {"t", "queueLength", "instances"} for q in queue)
    assert [q["t"] for q in queue] == sorted(q["t"] for q in queue)
    assert len(series(1)["points"]) == 1 and len(series(1440)["points"]) == 1440


@pytest.mark.parametrize("minutes", ["0", "1441", "-5", "many"])
def test_the_series_span_is_checked(client: httpx.Client, minutes: str) -> None:
    res = client.get("/api/metrics/timeseries", params={"minutes": minutes})
    assert res.status_code == 400 and res.json()["field"] == "minutes"


async def test_a_replay_rebuilds_the_same_roll_ups(metered: Stack, unique: str) -> None:
    with httpx.Client(base_url=metered.url, timeout=30) as api:
        add, boom = register(api, f"{unique}-add", ADD), register(api, f"{unique}-boom", THROW)
        run_all(api, [(add, "execute")] * 5 + [(boom, "execute")] * 3 + [(add, "invoke")])

    nc = await nats.connect(metered.nats_url)
    client: AsyncMongoClient = AsyncMongoClient(metered.mongodb_uri, tz_aware=True)
    try:
        db = client["s3c_executor"]
        projector = Projector(nc.jetstream(), db, ExecutionsProjection())

        async def same() -> bool:
            await projector.rebuild(into="executions_rebuilt")
            live = await db["executions_stats"].find().sort("_id").to_list()
            rebuilt = await db["executions_rebuilt_stats"].find().sort("_id").to_list()
            return bool(live) and rebuilt == live

        # The live model may still be folding the last events: replay until they agree.
        await apoll(same, 30, interval=0.2, what="the rebuilt roll-ups to equal the live ones")
        live = await db["executions_stats"].find().sort("_id").to_list()
        assert await db["executions_rebuilt_stats"].find().sort("_id").to_list() == live
        assert await db["executions_rebuilt"].find().sort("_id").to_list() == (
            await db["executions"].find().sort("_id").to_list()
        )
        by_id = {d["_id"]: d for d in live}
        assert by_id[f"fn|{add}"]["executions"] == 6 and by_id[f"fn|{boom}"]["failed"] == 3

        # Records kept before the roll-ups existed get theirs from one scan of the records.
        await db["executions_seeded"].delete_many({})
        await db["executions_seeded_stats"].delete_many({})
        await db["executions_seeded"].insert_many(await db["executions_rebuilt"].find().to_list())
        assert await seed_rollups(db["executions_seeded"], await projector.checkpoint()) == len(
            live
        )
        seeded = await db["executions_seeded_stats"].find().sort("_id").to_list()

        def counts(docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
            return [{k: v for k, v in d.items() if k != "_seq" and v != 0} for d in docs]

        assert counts(seeded) == counts(live)
        assert await seed_rollups(db["executions_seeded"], 0) == 0  # once only
    finally:
        for name in ("executions_rebuilt", "executions_rebuilt_stats", "executions_seeded",
                     "executions_seeded_stats"):  # fmt: skip
            await client["s3c_executor"].drop_collection(name)
        await client.close()
        await nc.close()


@pytest.fixture
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    # No per-client rate limit: the load and the dashboard come from one address here.
    stack = Stack.create(tmp_path_factory.mktemp("loaded"), S3C_RATE_LIMIT="0").start()
    yield stack
    stack.stop()


@pytest.mark.slow
@pytest.mark.timeout(300)
async def test_metrics_answer_while_fifty_clients_run_functions(loaded: Stack, unique: str) -> None:
    async with httpx.AsyncClient(base_url=loaded.url, timeout=30) as api:
        res = await api.post("/api/functions", json={"name": unique, "code": ADD})
        assert res.status_code == 201, res.text
        fid = res.json()["data"]["id"]
        stop = time.monotonic() + 10
        runs: Counter[int] = Counter()
        answers: Counter[tuple[str, int]] = Counter()

        async def client(n: int) -> None:
            while time.monotonic() < stop:
                if n % 5:  # most call the function URL; some queue runs
                    res = await api.post(f"/fn/{unique}", json=[n, 1])
                else:
                    res = await api.post(f"/api/functions/{fid}/execute", json={"input": [n, 1]})
                runs[res.status_code] += 1

        async def dashboard(board: httpx.AsyncClient) -> None:
            while time.monotonic() < stop:
                for path in ("/api/metrics", "/api/metrics/timeseries?minutes=15"):
                    res = await board.get(path)
                    answers[(path, res.status_code)] += 1

        async with httpx.AsyncClient(base_url=loaded.url, timeout=30) as board:
            await asyncio.gather(*(client(n) for n in range(50)), dashboard(board))

    assert runs[200] > 0 and runs[202] > 0 and set(runs) <= {200, 202}, runs
    assert answers[("/api/metrics", 200)] > 0, answers
    assert answers[("/api/metrics/timeseries?minutes=15", 200)] > 0, answers
    assert {status for _, status in answers} == {200}, answers
