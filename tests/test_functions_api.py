"""Functions over REST, end to end through gateway -> NATS -> registry -> store."""

from __future__ import annotations

import httpx
import pytest

ADD = "function add(a, b) { return a + b; }"


def create(api: httpx.Client, name: str, **extra: object) -> httpx.Response:
    return api.post("/api/functions", json={"name": name, "code": ADD, **extra})


def test_seed_example_is_created_with_defaults(api: httpx.Client, unique: str) -> None:
    res = api.post(
        "/api/functions",
        json={"name": unique, "description": "Adds two numbers", "code": ADD},
    )
    assert res.status_code == 201, res.text
    body = res.json()
    assert body["success"] is True
    fn = body["data"]
    assert fn["name"] == unique
    assert fn["description"] == "Adds two numbers"
    assert fn["code"] == ADD
    assert fn["status"] == "active"
    assert fn["config"] == {"timeout": 30000, "retryCount": 3, "auth": "key"}
    assert fn["version"] == 1
    assert fn["runtime"] == "javascript"
    assert fn["_id"] == fn["id"]
    fetched = api.get(f"/api/functions/{fn['id']}").json()["data"]
    assert fetched == fn
    listed = api.get("/api/functions").json()["data"]
    assert fn["id"] in [f["id"] for f in listed]


def test_same_name_conflicts(api: httpx.Client, unique: str) -> None:
    assert create(api, unique).status_code == 201
    res = create(api, unique)
    assert res.status_code == 409
    assert res.json() == {
        "success": False,
        "error": f"a function named '{unique}' already exists",
        "code": "conflict",
        "field": "name",
    }


def test_syntax_error_is_refused_with_the_compilers_message(api: httpx.Client, unique: str) -> None:
    res = api.post(
        "/api/functions", json={"name": unique, "code": "function add(a, b) { return a + ; }"}
    )
    assert res.status_code == 400
    body = res.json()
    assert body["success"] is False
    assert "SyntaxError" in body["error"] and "Unexpected token" in body["error"]
    assert body["field"] == "code"
    # Nothing was registered under that name.
    assert create(api, unique).status_code == 201


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"code": ADD}, "name"),
        ({"name": "ok-name"}, "code"),
        ({"name": "ok-name", "code": 5}, "code"),
        ({"name": 12, "code": ADD}, "name"),
        ({"name": "has space", "code": ADD}, "name"),
        ({"name": "x" * 65, "code": ADD}, "name"),
        ({"name": "ok-name", "code": ADD, "config": {"timeout": "soon"}}, "config.timeout"),
        ({"name": "ok-name", "code": ADD, "config": {"timeout": 0}}, "config.timeout"),
        ({"name": "ok-name", "code": ADD, "config": {"retryCount": -1}}, "config.retryCount"),
        ({"name": "ok-name", "code": ADD, "status": "paused"}, "status"),
        ({"name": "ok-name", "code": ADD, "runtime": "cobol"}, "runtime"),
        ({"name": "ok-name", "code": ""}, "code"),
    ],
)
def test_bad_fields_are_named(api: httpx.Client, body: dict[str, object], field: str) -> None:
    res = api.post("/api/functions", json=body)
    assert res.status_code in (400, 422), res.text
    payload = res.json()
    assert payload["success"] is False
    assert payload["field"] == field
    assert field in payload["error"]


def test_an_unknown_config_key_is_a_400_naming_it(api: httpx.Client, unique: str) -> None:
    res = api.post("/api/functions", json={"name": unique, "code": ADD, "config": {"retryCont": 1}})
    assert res.status_code == 400, res.text
    assert res.json()["field"] == "config.retryCont"
    assert res.json()["error"] == "config.retryCont: unknown key 'retryCont'"
    created = create(api, unique)
    assert created.status_code == 201
    fid = created.json()["data"]["id"]
    res = api.put(f"/api/functions/{fid}", json={"config": {"timeout": 5000, "tiemout": 1}})
    assert res.status_code == 400, res.text
    assert res.json()["field"] == "config.tiemout"
    assert api.get(f"/api/functions/{fid}").json()["data"]["config"]["timeout"] == 30000


@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2]", b"null", b'"text"', b""])
def test_malformed_bodies_are_4xx(api: httpx.Client, raw: bytes) -> None:
    res = api.post("/api/functions", content=raw, headers={"content-type": "application/json"})
    assert res.status_code == 400, res.text
    assert res.json()["success"] is False


def test_body_over_one_mebibyte_is_413(api: httpx.Client, unique: str) -> None:
    code = "// " + "x" * (1024 * 1024) + "\nfunction f() {}"
    res = api.post("/api/functions", json={"name": unique, "code": code})
    assert res.status_code == 413
    assert res.json()["success"] is False
    # Streamed without a Content-Length, it is refused too.
    chunks = (b"x" * 65536 for _ in range(20))
    res = api.post("/api/functions", content=chunks, headers={"content-type": "application/json"})
    assert res.status_code == 413


def test_unknown_id_is_404(api: httpx.Client) -> None:
    for method in ("GET", "DELETE"):
        res = api.request(method, "/api/functions/does-not-exist")
        assert res.status_code == 404
        assert res.json()["success"] is False
    res = api.put("/api/functions/does-not-exist", json={"description": "x"})
    assert res.status_code == 404


def test_update_bumps_version_only_for_code_runtime_or_config(
    api: httpx.Client, unique: str
) -> None:
    fn = create(api, unique).json()["data"]
    url = f"/api/functions/{fn['id']}"
    described = api.put(url, json={"description": "now documented"}).json()["data"]
    assert described["description"] == "now documented"
    assert described["version"] == 1
    recoded = api.put(url, json={"code": "function add(a, b) { return b + a; }"}).json()["data"]
    assert recoded["version"] == 2
    configured = api.put(url, json={"config": {"timeout": 5000}}).json()["data"]
    assert configured["version"] == 3
    assert configured["config"] == {"timeout": 5000, "retryCount": 3, "auth": "key"}
    same = api.put(url, json={"config": {"timeout": 5000}}).json()["data"]
    assert same["version"] == 3  # nothing changed, nothing bumped
    paused = api.put(url, json={"status": "inactive"}).json()["data"]
    assert paused["status"] == "inactive" and paused["version"] == 3
    bad = api.put(url, json={"code": "function ("})
    assert bad.status_code == 400 and "SyntaxError" in bad.json()["error"]
    assert api.get(url).json()["data"]["code"] == "function add(a, b) { return b + a; }"
    assert [
        f["status"]
        for f in api.get("/api/functions?status=inactive").json()["data"]
        if f["id"] == fn["id"]
    ] == ["inactive"]


def test_rename_checks_uniqueness(api: httpx.Client, unique: str) -> None:
    first = create(api, unique).json()["data"]
    create(api, f"{unique}-b")
    res = api.put(f"/api/functions/{first['id']}", json={"name": f"{unique}-b"})
    assert res.status_code == 409
    renamed = api.put(f"/api/functions/{first['id']}", json={"name": f"{unique}-c"})
    assert renamed.status_code == 200 and renamed.json()["data"]["name"] == f"{unique}-c"


def test_delete_frees_the_name(api: httpx.Client, unique: str) -> None:
    fn = create(api, unique).json()["data"]
    res = api.delete(f"/api/functions/{fn['id']}")
    assert res.status_code == 200 and res.json()["data"]["deleted"] is True
    assert api.get(f"/api/functions/{fn['id']}").status_code == 404
    assert fn["id"] not in [f["id"] for f in api.get("/api/functions").json()["data"]]
    assert create(api, unique).status_code == 201


def test_python_functions_are_syntax_checked_too(api: httpx.Client, unique: str) -> None:
    ok = api.post(
        "/api/functions",
        json={"name": unique, "runtime": "python", "code": "def handler(x):\n    return x\n"},
    )
    assert ok.status_code == 201
    bad = api.post(
        "/api/functions",
        json={"name": f"{unique}-b", "runtime": "python", "code": "def handler(x)\n"},
    )
    assert bad.status_code == 400 and "SyntaxError" in bad.json()["error"]


def test_ops_endpoints(api: httpx.Client) -> None:
    assert api.get("/healthz").json() == {"status": "ok"}
    ready = api.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["services"] == {
        s: "ok" for s in ("registry", "executor", "billing", "scaler")
    }
    assert api.get("/docs").status_code == 200
    spec = api.get("/openapi.json").json()
    assert "/api/functions" in spec["paths"] and "/api/functions/{function_id}" in spec["paths"]
    assert "S3-for-Compute" in api.get("/").text
