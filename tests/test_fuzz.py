"""Schemathesis against the gateway's own OpenAPI document, on a whole stack: every operation gets
generated requests, valid and invalid ones, some aimed at a function and an execution that
exist. No answer may be a 5xx, and every answer must be one the document promises: its status,
its content type and its body's schema."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import requests
import schemathesis
from helpers import Stack, poll
from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

ECHO = "function handler(x) { return x; }"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# A function URL answers its function's own failure with a documented 5xx whose body is the
# failure (`errorKind`): the function's outcome, not a fault of the platform. Another fuzzed
# operation may register a function under a name the fuzzer also tries here ("0").
FUNCTION_URL = "/fn/{name}"
FUNCTION_FAILED = [c for c in CHECKS if c is not not_a_server_error]
MIN_REQUESTS = 1000
# Examples per operation: generated values, then invalid ones, then valid ones aimed at ids
# that exist. An operation with nothing to vary (no parameters) is asked once.
GENERATED = 50
INVALID = 30
AIMED = 20
MAX_REPORT = 3000  # characters of one failure's report: a generated body can be megabytes


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    # Its own stack: the fuzzer leaves odd functions behind, and sends from one address as fast
    # as the gateway answers (no rate limit).
    running = Stack.create(tmp_path_factory.mktemp("fuzz"), S3C_RATE_LIMIT="0").start()
    yield running
    running.stop()


@dataclass
class Targets:
    """Ids that exist, for the path parameters of the operations they fit."""

    echo: dict[str, Any]  # runs (execute, invoke, function URL) and reads go here
    victim: dict[str, Any]  # PUT may change anything about it, so it never runs
    doomed: dict[str, Any]  # DELETE takes it
    execution_id: str

    def path_parameters(self, method: str, names: set[str]) -> dict[str, str] | None:
        if "function_id" in names:
            target = {"PUT": self.victim, "DELETE": self.doomed}.get(method, self.echo)
            return {"function_id": target["id"]}
        if "name" in names:
            return {"name": self.echo["name"]}
        if "execution_id" in names:
            return {"execution_id": self.execution_id}
        return None


def register(api: httpx.Client, name: str) -> dict[str, Any]:
    res = api.post("/api/functions", json={"name": name, "code": ECHO})
    assert res.status_code == 201, res.text
    fn: dict[str, Any] = res.json()["data"]
    return fn


def make_targets(url: str, prefix: str = "fuzz") -> Targets:
    with httpx.Client(base_url=url, timeout=30) as api:
        echo, victim, doomed = (
            register(api, f"{prefix}-{r}") for r in ("echo", "victim", "doomed")
        )
        res = api.post(f"/api/functions/{echo['id']}/invoke", json={"input": [1, 2]})
        assert res.status_code == 200, res.text
        execution_id = res.json()["data"]["executionId"]
        poll(
            lambda: api.get(f"/api/executions/{execution_id}").json()["data"]["cost"],
            60,
            what="the first run to be costed",
        )
    return Targets(echo, victim, doomed, execution_id)


@dataclass
class Tally:
    sent: int = 0
    by_operation: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)  # one per distinct problem, with a repro
    seen: set[str] = field(default_factory=set)

    def fail(self, label: str, status: int, group: FailureGroup) -> None:
        key = f"{label} -> {status}: " + ", ".join(sorted({f.title for f in group.exceptions}))
        if key not in self.seen:
            self.seen.add(key)
            self.failures.append(f"{key}\n{str(group)[:MAX_REPORT]}")


def function_failed(response: Any) -> bool:
    """Whether a 5xx's body is a function's own failure (a function URL's answer)."""
    if response.status_code < 500:
        return False
    try:
        body = response.json()
    except ValueError:
        return False
    return isinstance(body, dict) and "errorKind" in body


def fuzz_operation(
    strategy: st.SearchStrategy[Any], examples: int, session: requests.Session, tally: Tally
) -> None:
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        phases=[Phase.generate],  # each failure is recorded, not raised: nothing to shrink
        suppress_health_check=list(HealthCheck),
        verbosity=Verbosity.quiet,  # failures are reported by the tally
    )
    @given(case=strategy)
    def send(case: Any) -> None:
        label = case.operation.label
        tally.sent += 1
        tally.by_operation[label] = tally.by_operation.get(label, 0) + 1
        response = case.call(session=session, timeout=60)
        checks = CHECKS
        if case.operation.path == FUNCTION_URL and function_failed(response):
            checks = FUNCTION_FAILED
        try:
            case.validate_response(response, checks=checks)
        except FailureGroup as exc:
            tally.fail(label, response.status_code, exc)

    send()


def fuzz(url: str, targets: Targets) -> Tally:
    schema = schemathesis.openapi.from_url(f"{url}/openapi.json")
    tally = Tally()
    with requests.Session() as session:
        for result in schema.get_all_operations():
            operation = result.ok()
            fuzz_operation(operation.as_strategy(), GENERATED, session, tally)
            try:
                invalid = operation.as_strategy(GenerationMode.NEGATIVE)
                fuzz_operation(invalid, INVALID, session, tally)
            except Unsatisfiable:
                pass  # nothing it takes can be made invalid: a path parameter any text fits
            names = {p.name for p in operation.path_parameters}
            aimed = targets.path_parameters(operation.method.upper(), names)
            if aimed:
                fuzz_operation(operation.as_strategy(path_parameters=aimed), AIMED, session, tally)
    return tally


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_generated_requests_get_no_5xx_and_only_documented_answers(fuzzed: Stack) -> None:
    tally = fuzz(fuzzed.url, make_targets(fuzzed.url))
    print(f"sent {tally.sent} requests: {tally.by_operation}")
    assert tally.failures == []
    assert tally.sent >= MIN_REQUESTS
