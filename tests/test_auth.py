"""Keys, scopes and owners through a whole stack with an admin key (not local mode): who may do
what, who sees what, on REST, function URLs and the WebSocket; CORS and the bind rule."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest
import websockets
from helpers import Stack, poll
from s3c_cli.processes import free_port

ADMIN_KEY = "s3c-test-admin-key-0123456789"
ADD = "function add(a, b) { return a + b; }"


@pytest.fixture(scope="module")
def keyed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    stack = Stack.create(
        tmp_path_factory.mktemp("keyed"),
        S3C_ADMIN_KEY=ADMIN_KEY,
        S3C_CORS_ORIGINS="https://app.example.com",
    ).start()
    yield stack
    stack.stop()


def client(stack: Stack, key: str | None = None) -> httpx.Client:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return httpx.Client(base_url=stack.url, headers=headers, timeout=30)


def make_key(stack: Stack, owner: str, *scopes: str) -> str:
    with client(stack, ADMIN_KEY) as admin:
        res = admin.post("/api/keys", json={"owner": owner, "scopes": list(scopes)})
    assert res.status_code == 201, res.text
    secret: str = res.json()["data"]["key"]
    # Every gateway learns the key from the stream: wait until this one accepts it.
    poll(lambda: client(stack, secret).get("/api/me").status_code == 200, 10, what="the new key")
    return secret


def register(api: httpx.Client, name: str, **config: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"name": name, "code": ADD}
    if config:
        body["config"] = config
    res = api.post("/api/functions", json=body)
    assert res.status_code == 201, res.text
    fn: dict[str, Any] = res.json()["data"]
    return fn


API_ROUTES = [
    ("GET", "/api/functions"),
    ("POST", "/api/functions"),
    ("GET", "/api/functions/stats"),
    ("GET", "/api/functions/f1"),
    ("PUT", "/api/functions/f1"),
    ("DELETE", "/api/functions/f1"),
    ("POST", "/api/functions/f1/execute"),
    ("POST", "/api/functions/f1/invoke"),
    ("GET", "/api/functions/f1/executions"),
    ("GET", "/api/functions/f1/stats"),
    ("GET", "/api/executions"),
    ("GET", "/api/executions/e1"),
    ("GET", "/api/metrics"),
    ("GET", "/api/metrics/timeseries"),
    ("GET", "/api/metrics/scaling-history"),
    ("GET", "/api/costs/system"),
    ("GET", "/api/costs/trends"),
    ("GET", "/api/costs/functions/f1"),
    ("GET", "/api/costs/audit"),
    ("GET", "/api/me"),
    ("GET", "/api/keys"),
    ("POST", "/api/keys"),
    ("DELETE", "/api/keys/k1"),
]


@pytest.mark.parametrize("key", [None, "s3c_nobody_" + "x" * 43, "Bearer-less"])
def test_no_valid_key_is_401_on_every_api_route(keyed: Stack, key: str | None) -> None:
    with client(keyed, key) as api:
        for method, path in API_ROUTES:
            res = api.request(method, path, json={})
            assert res.status_code == 401, (method, path, res.text)
            assert res.json()["code"] == "unauthorized"
            assert res.headers["www-authenticate"] == "Bearer"


def test_a_read_key_cannot_create_deploy_or_invoke(keyed: Stack) -> None:
    with client(keyed, ADMIN_KEY) as admin:
        fn = register(admin, "readonly-target")
    reader = make_key(keyed, "admin", "read")
    with client(keyed, reader) as api:
        assert api.get(f"/api/functions/{fn['id']}").status_code == 200
        refused = [
            api.post("/api/functions", json={"name": "nope", "code": ADD}),
            api.put(f"/api/functions/{fn['id']}", json={"description": "x"}),
            api.delete(f"/api/functions/{fn['id']}"),
            api.post(f"/api/functions/{fn['id']}/execute", json={"input": [1, 2]}),
            api.post(f"/api/functions/{fn['id']}/invoke", json={"input": [1, 2]}),
            api.post(f"/fn/{fn['name']}", json=[1, 2]),
            api.post("/api/keys", json={"scopes": ["read"]}),
        ]
    for res in refused:
        assert res.status_code == 403, res.text
        assert res.json()["code"] == "forbidden" and "This key cannot" in res.json()["error"]


def test_one_owners_things_do_not_exist_for_another(keyed: Stack) -> None:
    alice = make_key(keyed, "alice", "read", "deploy", "invoke")
    bob = make_key(keyed, "bob", "read", "deploy", "invoke")
    with client(keyed, alice) as a:
        fn = register(a, "secret-sauce")
        run = a.post(f"/api/functions/{fn['id']}/invoke", json={"input": [2, 3]}).json()["data"]
        assert run["output"] == 5
    fid, eid = fn["id"], run["executionId"]
    with client(keyed, bob) as b:
        hidden = [
            b.get(f"/api/functions/{fid}"),
            b.put(f"/api/functions/{fid}", json={"description": "mine now"}),
            b.delete(f"/api/functions/{fid}"),
            b.post(f"/api/functions/{fid}/execute", json={"input": [1, 1]}),
            b.post(f"/api/functions/{fid}/invoke", json={"input": [1, 1]}),
            b.get(f"/api/functions/{fid}/executions"),
            b.get(f"/api/functions/{fid}/stats"),
            b.get(f"/api/executions/{eid}"),
            b.get(f"/api/costs/functions/{fid}"),
            b.post("/fn/alice/secret-sauce", json=[1, 1]),
        ]
        for res in hidden:
            assert res.status_code == 404, res.text
        assert fid not in {f["id"] for f in b.get("/api/functions").json()["data"]}
        assert eid not in {e["id"] for e in b.get("/api/executions").json()["data"]}
        assert b.get("/api/metrics").json()["data"]["totalExecutions"] == 0
        # Names are unique per owner: bob may have his own secret-sauce.
        assert register(b, "secret-sauce")["id"] != fid
    with client(keyed, alice) as a:
        record = poll(
            lambda: (r := a.get(f"/api/executions/{eid}").json()["data"]).get("cost") and r,
            20,
            what="alice's run billed",
        )
        assert record["owner"] == "alice" and Decimal(record["cost"]["totalCostExact"]) > 0
        assert a.get(f"/api/functions/{fid}").json()["data"]["description"] == ""


def test_a_revoked_key_fails_within_a_second(keyed: Stack) -> None:
    secret = make_key(keyed, "carol", "read")
    with client(keyed, ADMIN_KEY) as admin:
        key_id = client(keyed, secret).get("/api/me").json()["data"]["keyId"]
        assert admin.delete(f"/api/keys/{key_id}").status_code == 200
    revoked_at = time.monotonic()
    poll(lambda: client(keyed, secret).get("/api/me").status_code == 401, 5, interval=0.05)
    assert time.monotonic() - revoked_at < 1.0


def test_function_urls_follow_config_auth(keyed: Stack) -> None:
    dave = make_key(keyed, "dave", "deploy", "invoke", "read")
    with client(keyed, dave) as d:
        register(d, "public-add", auth="none")
        register(d, "private-add")
        assert d.post("/fn/private-add", json=[1, 2]).json() == 3  # within the key's owner
    with client(keyed) as anyone:
        assert anyone.post("/fn/dave/public-add", json=[2, 2]).json() == 4
        private = anyone.post("/fn/dave/private-add", json=[2, 2])
        assert private.status_code == 401 and private.json()["code"] == "unauthorized"
        assert anyone.post("/fn/dave/no-such-function", json=[]).status_code == 401
    with client(keyed, dave) as d:
        assert d.post("/fn/dave/private-add", json=[2, 2]).json() == 4


def ws_url(stack: Stack, path: str = "/ws") -> str:
    return stack.url.replace("http", "ws") + path


async def ws_messages(
    url: str, first: dict[str, Any] | None, seconds: float, ready: asyncio.Event | None = None
) -> list[Any]:
    """What a socket receives for `seconds`; `ready` is set once it is greeted (authenticated)."""
    got: list[Any] = []
    async with websockets.connect(url) as ws:
        if first is not None:
            await ws.send(json.dumps(first))
        got.append(json.loads(await asyncio.wait_for(ws.recv(), 10)))  # the greeting
        if ready is not None:
            ready.set()
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                got.append(json.loads(await asyncio.wait_for(ws.recv(), 0.2)))
            except TimeoutError:
                continue
    return got


def test_the_websocket_needs_a_key_and_shows_only_the_owners_events(keyed: Stack) -> None:
    erin = make_key(keyed, "erin", "read", "deploy", "invoke")
    frank = make_key(keyed, "frank", "read")

    async def no_key() -> int | None:
        async with websockets.connect(ws_url(keyed)) as ws:
            with pytest.raises(websockets.ConnectionClosed) as closed:
                while True:
                    await ws.recv()
        return closed.value.rcvd.code if closed.value.rcvd else None

    assert asyncio.run(no_key()) == 4401

    async def watch() -> tuple[list[Any], list[Any]]:
        greeted = [asyncio.Event(), asyncio.Event()]

        async def act() -> None:
            await asyncio.wait_for(asyncio.gather(*(e.wait() for e in greeted)), 10)
            async with httpx.AsyncClient(
                base_url=keyed.url, headers={"Authorization": f"Bearer {erin}"}
            ) as e:
                fn = (await e.post("/api/functions", json={"name": "erin-fn", "code": ADD})).json()
                await e.post(f"/api/functions/{fn['data']['id']}/invoke", json={"input": [1, 1]})

        results = await asyncio.gather(
            ws_messages(ws_url(keyed) + f"?token={erin}", None, 4.0, greeted[0]),
            ws_messages(ws_url(keyed), {"type": "auth", "token": frank}, 4.0, greeted[1]),
            act(),
        )
        return results[0], results[1]

    erins, franks = asyncio.run(watch())
    kinds = [m["type"] for m in erins]
    assert "function_created" in kinds and "execution_completed" in kinds, kinds
    assert [m["type"] for m in franks] == ["connected"], franks


def test_cors_and_websocket_origins(keyed: Stack) -> None:
    preflight = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization",
    }
    with client(keyed) as api:
        allowed = api.options(
            "/api/functions", headers={"Origin": "https://app.example.com", **preflight}
        )
        foreign = api.options(
            "/api/functions", headers={"Origin": "https://evil.example", **preflight}
        )
    assert allowed.headers["access-control-allow-origin"] == "https://app.example.com"
    assert "access-control-allow-origin" not in foreign.headers

    async def upgrade(origin: str) -> int:
        try:
            async with websockets.connect(
                ws_url(keyed) + f"?token={ADMIN_KEY}",
                origin=origin,  # type: ignore[arg-type]
            ) as ws:
                await ws.recv()
                return 101
        except websockets.InvalidStatus as exc:
            return exc.response.status_code

    assert asyncio.run(upgrade("https://evil.example")) == 403
    assert asyncio.run(upgrade("https://app.example.com")) == 101


def test_a_gateway_on_a_public_address_without_keys_refuses_to_start(keyed: Stack) -> None:
    env = {
        **os.environ,
        "S3C_NATS_URL": keyed.nats_url,
        "S3C_HOST": "0.0.0.0",
        "S3C_PORT": str(free_port()),
        "S3C_ADMIN_KEY": "",
        "S3C_DB_PREFIX": "nokeys",
    }
    # A NATS with no key events at all: its own stream state is the stack's, which has keys,
    # so point it at a fresh server instead.
    from helpers import Servers

    servers = Servers.start(keyed.data / "bare")
    try:
        env["S3C_NATS_URL"] = servers.nats_url
        done = subprocess.run(
            [sys.executable, "-m", "s3c_gateway"], env=env, capture_output=True, timeout=60
        )
    finally:
        servers.stop()
    assert done.returncode != 0
    assert b"refusing to start" in done.stderr + done.stdout


def s3c(stack: Stack, *args: str, key: str = ADMIN_KEY) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "s3c_cli", *args, "--url", stack.url, "--key", key],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_cli_creates_lists_and_revokes_keys(keyed: Stack) -> None:
    made = s3c(keyed, "keys", "create", "--scope", "read", "--owner", "zed", "--json")
    assert made.returncode == 0, made.stderr
    key = json.loads(made.stdout)
    poll(lambda: client(keyed, key["key"]).get("/api/me").status_code == 200, 10)
    listed = s3c(keyed, "keys", "ls", "--owner", "zed")
    assert listed.returncode == 0 and key["id"] in listed.stdout
    assert s3c(keyed, "keys", "revoke", key["id"]).returncode == 0
    poll(lambda: client(keyed, key["key"]).get("/api/me").status_code == 401, 5)
    refused = s3c(keyed, "keys", "ls", key=key["key"])
    assert refused.returncode != 0 and "not accepted" in refused.stderr


def test_with_a_key_the_stack_binds_every_address_and_works(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    stack = Stack.create(
        tmp_path_factory.mktemp("public"), S3C_ADMIN_KEY=ADMIN_KEY, S3C_HOST="0.0.0.0"
    ).start()
    try:
        with client(stack) as anyone:
            assert anyone.get("/api/functions").status_code == 401
        with client(stack, ADMIN_KEY) as admin:
            fn = register(admin, "everywhere")
            run = admin.post(f"/api/functions/{fn['id']}/invoke", json={"input": [20, 22]})
            assert run.json()["data"]["output"] == 42
    finally:
        stack.stop()


def test_local_mode_answers_only_loopback_hosts_and_pages(stack: Stack) -> None:
    """The session's stack runs in local mode: a DNS-rebound name or a foreign page is refused,
    so no web page can act as the local owner."""
    with httpx.Client(base_url=stack.url, timeout=30) as api:
        assert api.get("/api/me").json()["data"]["local"] is True
        rebound = api.get("/api/me", headers={"Host": "attacker.example"})
        foreign = api.post(
            "/api/keys",
            json={"scopes": ["admin"]},
            headers={"Origin": "https://evil.example"},
        )
    assert rebound.status_code == 401 and foreign.status_code == 401
    with httpx.Client(base_url=stack.url, timeout=30) as api:
        assert api.get("/api/me").json()["data"]["local"] is True  # still local: no key made


def test_a_revoked_keys_open_websocket_is_closed(keyed: Stack) -> None:
    secret = make_key(keyed, "gina", "read")
    key_id = client(keyed, secret).get("/api/me").json()["data"]["keyId"]

    async def watch() -> int | None:
        async with websockets.connect(ws_url(keyed) + f"?token={secret}") as ws:
            assert json.loads(await ws.recv())["type"] == "connected"
            with client(keyed, ADMIN_KEY) as admin:
                assert admin.delete(f"/api/keys/{key_id}").status_code == 200
            with pytest.raises(websockets.ConnectionClosed) as closed:
                while True:
                    await asyncio.wait_for(ws.recv(), 5)
        return closed.value.rcvd.code if closed.value.rcvd else None

    assert asyncio.run(watch()) == 4401


def test_a_lesser_key_cannot_revoke_its_owners_stronger_keys(keyed: Stack) -> None:
    reader = make_key(keyed, "hank", "read")
    deployer = make_key(keyed, "hank", "read", "deploy")
    deployer_id = client(keyed, deployer).get("/api/me").json()["data"]["keyId"]
    with client(keyed, reader) as r:
        refused = r.delete(f"/api/keys/{deployer_id}")
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    assert client(keyed, deployer).get("/api/me").status_code == 200
