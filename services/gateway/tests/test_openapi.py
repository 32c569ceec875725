"""The OpenAPI document says what the gateway answers: every refusal with the error envelope,
no 422 (validation errors are 400s), a schema for every success; and docs/openapi.json is it.
What the running gateway really answers is checked against it in tests/test_fuzz.py."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from s3c_gateway.app import create_app
from s3c_gateway.errors import ANY_REQUEST

ROOT = Path(__file__).resolve().parents[3]
ENVELOPE = "#/components/schemas/ErrorBody"
ANY_JSON = {("post", "/fn/{name}"), ("post", "/fn/{owner}/{name}")}  # function URLs answer any JSON


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return create_app().openapi()


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    ]


def schema_of(response: dict[str, Any]) -> dict[str, Any] | None:
    schema: dict[str, Any] | None = (
        response.get("content", {}).get("application/json", {}).get("schema")
    )
    return schema


def test_every_operation_documents_the_refusals_any_request_may_get(
    document: dict[str, Any],
) -> None:
    for method, path, operation in operations(document):
        statuses = set(operation["responses"])
        assert {str(s) for s in ANY_REQUEST} <= statuses, f"{method} {path}: {statuses}"
        assert "422" not in statuses, f"{method} {path} documents a 422 it never sends"
    assert "HTTPValidationError" not in document["components"]["schemas"]


def test_every_4xx_is_the_error_envelope(document: dict[str, Any]) -> None:
    envelope = document["components"]["schemas"]["ErrorBody"]
    assert set(envelope["required"]) == {"success", "error", "code"}
    for method, path, operation in operations(document):
        for status, response in operation["responses"].items():
            if status.startswith("4"):
                assert schema_of(response) == {"$ref": ENVELOPE}, f"{method} {path} {status}"


def test_every_json_success_has_a_schema(document: dict[str, Any]) -> None:
    for method, path, operation in operations(document):
        for status, response in operation["responses"].items():
            json_body = "application/json" in response.get("content", {})
            if status.startswith("2") and json_body and (method, path) not in ANY_JSON:
                assert schema_of(response), f"{method} {path} {status} has no schema"


def test_the_published_document_is_current(document: dict[str, Any]) -> None:
    committed = json.loads((ROOT / "docs" / "openapi.json").read_text())
    assert committed == document, "docs/openapi.json is stale: run `make openapi`"
