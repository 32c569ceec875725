"""`/metrics/prometheus` without servers: every family and value, parsed back by prometheus-client."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import FastAPI
from prometheus_client.parser import text_string_to_metric_families
from s3c_events import ExecutionMetrics, FunctionList, ScalerStatus, SystemCosts
from s3c_gateway.auth import KeyRing
from s3c_gateway.deps import client
from s3c_gateway.errors import ApiError
from s3c_gateway.routes import metrics

EXECUTIONS = {
    "pendingExecutions": 2,
    "runningExecutions": 1,
    "completedExecutions": 7,
    "failedExecutions": 5,
    "durationHistogram": {
        "bucketsMs": [1, 5, 25, 100],
        "cumulativeCounts": [3, 6, 10, 11, 12],
        "sumMs": 321.5,
        "count": 12,
    },
}
COSTS = {
    "totalExecutionCostExact": "0.0000125",
    "scalingCostExact": "0.25",
    "storageCostExact": "0",
    "totalSystemCostExact": "0.2500125",
}


class FakeServices:
    """Canned replies by subject; a subject in `down` answers as a service that is down."""

    def __init__(self, down: frozenset[str] = frozenset()) -> None:
        self.down = down
        self.replies: dict[str, Any] = {
            ExecutionMetrics.SUBJECT: EXECUTIONS,
            FunctionList.SUBJECT: [{"id": "f1"}, {"id": "f2"}, {"id": "f3"}],
            ScalerStatus.SUBJECT: {"instances": 4, "queueLength": 9},
            SystemCosts.SUBJECT: COSTS,
        }

    async def call(self, subject: str, message: object, timeout: float | None = None) -> Any:
        if subject in self.down:
            raise ApiError(503, f"{subject} did not answer", "unavailable")
        return self.replies[subject]


async def scrape(services: FakeServices) -> httpx.Response:
    app = FastAPI()
    app.include_router(metrics.router)
    app.dependency_overrides[client] = lambda: services
    app.state.keys, app.state.loopback = KeyRing(), True  # local mode
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as http:
        return await http.get("/metrics/prometheus")


def samples(text: str) -> dict[str, dict[tuple[tuple[str, str], ...], float]]:
    """Family name -> {sorted labels of a sample (its name folded in) -> value}."""
    out: dict[str, dict[tuple[tuple[str, str], ...], float]] = {}
    for family in text_string_to_metric_families(text):
        values = out.setdefault(family.name, {})
        for sample in family.samples:
            key = tuple(sorted({**sample.labels, "__name__": sample.name}.items()))
            values[key] = sample.value
    return out


def key(name: str, **labels: str) -> tuple[tuple[str, str], ...]:
    return tuple(sorted({**labels, "__name__": name}.items()))


async def test_every_family_and_value_parses_back() -> None:
    response = await scrape(FakeServices())
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    text = response.text
    types = {f.name: f.type for f in text_string_to_metric_families(text)}
    assert types == {
        "s3c_executions": "gauge",
        "s3c_execution_duration_ms": "histogram",
        "s3c_queue_depth": "gauge",
        "s3c_instances": "gauge",
        "s3c_active_functions": "gauge",
        "s3c_cost_dollars": "gauge",
    }
    bucket = "s3c_execution_duration_ms_bucket"
    assert samples(text) == {
        "s3c_executions": {
            key("s3c_executions", status="pending"): 2.0,
            key("s3c_executions", status="running"): 1.0,
            key("s3c_executions", status="completed"): 7.0,
            key("s3c_executions", status="failed"): 5.0,
        },
        "s3c_execution_duration_ms": {
            key(bucket, le="1.0"): 3.0,
            key(bucket, le="5.0"): 6.0,
            key(bucket, le="25.0"): 10.0,
            key(bucket, le="100.0"): 11.0,
            key(bucket, le="+Inf"): 12.0,
            key("s3c_execution_duration_ms_count"): 12.0,
            key("s3c_execution_duration_ms_sum"): 321.5,
        },
        "s3c_queue_depth": {key("s3c_queue_depth"): 9.0},
        "s3c_instances": {key("s3c_instances"): 4.0},
        "s3c_active_functions": {key("s3c_active_functions"): 3.0},
        "s3c_cost_dollars": {
            key("s3c_cost_dollars", kind="executions"): 0.0000125,
            key("s3c_cost_dollars", kind="scaling"): 0.25,
            key("s3c_cost_dollars", kind="storage"): 0.0,
            key("s3c_cost_dollars", kind="total"): 0.2500125,
        },
    }
    # The lines a scraper (and tests/test_scaling.py) reads, as prometheus-client writes them.
    assert 's3c_executions{status="completed"} 7.0\n' in text
    assert 's3c_execution_duration_ms_bucket{le="+Inf"} 12.0\n' in text
    assert text.startswith("# HELP s3c_executions Executions by status.\n")


async def test_a_service_that_is_down_leaves_its_families_out() -> None:
    down = frozenset({FunctionList.SUBJECT, ScalerStatus.SUBJECT, SystemCosts.SUBJECT})
    response = await scrape(FakeServices(down))
    assert response.status_code == 200
    names = {f.name for f in text_string_to_metric_families(response.text)}
    assert names == {"s3c_executions", "s3c_execution_duration_ms"}
