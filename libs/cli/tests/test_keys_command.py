"""`s3c keys create|ls|revoke` (and `s3c audit`'s key) against a fake gateway that answers the
documented `/api/keys` contract in memory (httpx.MockTransport), and a closed port for an
unreachable one."""

from __future__ import annotations

import json
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from s3c_cli import keys
from s3c_cli.main import audit, build_parser
from s3c_cli.processes import free_port
from s3c_events.owners import SCOPES

URL = "http://gateway.test:5000"
ADMIN_KEY = "s3c_admin_" + "a" * 43


@dataclass
class Key:
    id: str
    owner: str
    scopes: list[str]
    name: str
    created_at: str
    revoked_at: str | None = None

    def view(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "owner": self.owner,
            "scopes": self.scopes,
            "name": self.name,
            "createdAt": self.created_at,
            "revoked": self.revoked_at is not None,
            "revokedAt": self.revoked_at,
        }


@dataclass
class FakeGateway:
    """The gateway's keys API as DESIGN.md section 12 documents it, in memory:
    Bearer keys, local mode while no key exists, admin-only creation, owners' own lists."""

    admin_key: str | None = ADMIN_KEY
    keys: dict[str, Key] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict)  # secret -> key id
    requests: list[httpx.Request] = field(default_factory=list)

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def issue(self, owner: str, scopes: list[str], name: str = "") -> str:
        key_id = uuid.uuid4().hex
        secret = f"s3c_{key_id}_{secrets.token_urlsafe(32)}"
        self.keys[key_id] = Key(key_id, owner, scopes, name, datetime.now(UTC).isoformat())
        self.secrets[secret] = key_id
        return secret

    def caller(self, request: httpx.Request) -> tuple[str, set[str]] | None:
        if not self.admin_key and not self.keys:
            return "local", set(SCOPES)
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme != "Bearer":
            return None
        if token == self.admin_key:
            return "admin", {"admin"}
        key = self.keys.get(self.secrets.get(token, ""))
        if key is None or key.revoked_at is not None:
            return None
        return key.owner, set(key.scopes)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        caller = self.caller(request)
        if caller is None:
            return refusal(401, "a valid API key is required", "unauthorized")
        owner, scopes = caller
        admin = "admin" in scopes
        path, method = request.url.path, request.method
        if path == "/api/costs/audit" and method == "GET":
            if not admin:
                return refusal(403, "this key cannot run an audit", "forbidden")
            return httpx.Response(200, json={"success": True, "data": {"ok": True, "checked": 3}})
        if path == "/api/keys" and method == "POST":
            if not admin:
                return refusal(403, "this key cannot manage keys", "forbidden")
            body = json.loads(request.content)
            if body.get("owner") == "not an owner!":
                return refusal(400, "owner: not a valid owner", "invalid", "owner")
            secret = self.issue(body.get("owner") or owner, body["scopes"], body.get("name", ""))
            view = self.keys[self.secrets[secret]].view()
            data = {k: view[k] for k in ("id", "owner", "scopes", "name", "createdAt")}
            return httpx.Response(201, json={"success": True, "data": {**data, "key": secret}})
        if path == "/api/keys" and method == "GET":
            asked = request.url.params.get("owner") if admin else owner
            listed = [k.view() for k in self.keys.values() if asked in (None, k.owner)]
            return httpx.Response(200, json={"success": True, "data": listed})
        if path.startswith("/api/keys/") and method == "DELETE":
            key = self.keys.get(path.rsplit("/", 1)[1])
            if key is None or not (admin or key.owner == owner):
                return refusal(404, "key not found", "not_found")
            key.revoked_at = datetime.now(UTC).isoformat()
            return httpx.Response(
                200, json={"success": True, "data": {"id": key.id, "revoked": True}}
            )
        return refusal(404, f"no route for {method} {path}", "not_found")


def refusal(status: int, error: str, code: str, field: str | None = None) -> httpx.Response:
    body: dict[str, Any] = {"success": False, "error": error, "code": code}
    if field:
        body["field"] = field
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else {}
    return httpx.Response(status, json=body, headers=headers)


@dataclass
class Ran:
    code: int
    out: str
    err: str


@pytest.fixture
def s3c(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Any:  # s3c(gateway or transport or None, *argv) -> Ran
    monkeypatch.delenv("S3C_URL", raising=False)
    monkeypatch.delenv("S3C_KEY", raising=False)

    def run(gateway: FakeGateway | httpx.BaseTransport | None, *argv: str) -> Ran:
        args = build_parser().parse_args(argv)
        transport = gateway.transport if isinstance(gateway, FakeGateway) else gateway
        command = audit if args.command == "audit" else keys.run
        code = command(args, transport)
        captured = capsys.readouterr()
        return Ran(code, captured.out, captured.err)

    return run


def test_create_prints_the_secret_once_with_a_warning(s3c: Any) -> None:
    gateway = FakeGateway()
    ran = s3c(
        gateway, "keys", "create", "--url", URL, "--key", ADMIN_KEY,
        "--scope", "read", "--scope", "invoke", "--owner", "team-b", "--name", "ci",
    )  # fmt: skip
    assert ran.code == 0
    (secret,) = gateway.secrets
    key = gateway.keys[gateway.secrets[secret]]
    assert (key.owner, key.scopes, key.name) == ("team-b", ["read", "invoke"], "ci")
    assert ran.out.count(secret) == 1
    assert f"Created key {key.id} (ci)" in ran.out
    assert "owner:  team-b" in ran.out
    assert "scopes: read, invoke" in ran.out
    assert "shown this once; it cannot be shown again" in ran.out


def test_create_sends_the_key_as_bearer_to_the_url(s3c: Any) -> None:
    gateway = FakeGateway()
    ran = s3c(gateway, "keys", "create", "--url", URL, "--key", ADMIN_KEY, "--scope", "deploy")
    assert ran.code == 0
    (request,) = gateway.requests
    assert request.url == httpx.URL(f"{URL}/api/keys")
    assert request.headers["authorization"] == f"Bearer {ADMIN_KEY}"


def test_create_without_owner_leaves_it_to_the_gateway(s3c: Any) -> None:
    gateway = FakeGateway()
    ran = s3c(gateway, "keys", "create", "--url", URL, "--key", ADMIN_KEY, "--scope", "read")
    assert ran.code == 0
    (request,) = gateway.requests
    assert json.loads(request.content) == {"scopes": ["read"], "name": ""}
    (key,) = gateway.keys.values()
    assert key.owner == "admin"


def test_create_json_prints_the_answer_for_scripts(s3c: Any) -> None:
    gateway = FakeGateway()
    ran = s3c(
        gateway, "keys", "create", "--url", URL, "--key", ADMIN_KEY, "--scope", "read", "--json"
    )
    assert ran.code == 0
    printed = json.loads(ran.out)
    assert gateway.secrets[printed["key"]] == printed["id"]
    assert printed["scopes"] == ["read"]


def test_create_in_local_mode_says_local_mode_ends(s3c: Any) -> None:
    gateway = FakeGateway(admin_key=None)
    ran = s3c(gateway, "keys", "create", "--url", URL, "--scope", "admin")
    assert ran.code == 0
    (request,) = gateway.requests
    assert "authorization" not in request.headers
    assert "local mode has ended" in ran.err


def test_create_refuses_an_unknown_scope_before_asking(s3c: Any) -> None:
    gateway = FakeGateway()
    with pytest.raises(SystemExit) as exit_:
        s3c(gateway, "keys", "create", "--url", URL, "--scope", "root")
    assert exit_.value.code == 2
    assert gateway.requests == []


def test_create_needs_a_scope(s3c: Any) -> None:
    with pytest.raises(SystemExit) as exit_:
        s3c(FakeGateway(), "keys", "create", "--url", URL)
    assert exit_.value.code == 2


def test_create_shows_the_gateways_invalid_field(s3c: Any) -> None:
    gateway = FakeGateway()
    ran = s3c(
        gateway, "keys", "create", "--url", URL, "--key", ADMIN_KEY,
        "--scope", "read", "--owner", "not an owner!",
    )  # fmt: skip
    assert ran.code == 1
    assert "owner: not a valid owner [owner] (HTTP 400)" in ran.err
    assert gateway.keys == {}


def test_ls_prints_a_table_of_keys(s3c: Any) -> None:
    gateway = FakeGateway()
    gateway.issue("team-a", ["read", "invoke"], "ci")
    revoked = gateway.issue("team-b", ["deploy"])
    gateway.keys[gateway.secrets[revoked]].revoked_at = "2026-02-03T04:05:06+00:00"
    ran = s3c(gateway, "keys", "ls", "--url", URL, "--key", ADMIN_KEY)
    assert ran.code == 0
    header, *rows = ran.out.strip().splitlines()
    assert header.split() == ["ID", "OWNER", "SCOPES", "NAME", "CREATED", "STATUS"]
    assert len(rows) == 2
    by_owner = {row.split()[1]: row for row in rows}
    assert by_owner["team-a"].split()[2:4] == ["read,invoke", "ci"]
    assert by_owner["team-a"].endswith("active")
    assert by_owner["team-b"].endswith("revoked 2026-02-03 04:05 UTC")


def test_ls_owner_asks_for_that_owners_keys(s3c: Any) -> None:
    gateway = FakeGateway()
    gateway.issue("team-a", ["read"])
    kept = gateway.keys[gateway.secrets[gateway.issue("team-b", ["read"])]]
    ran = s3c(gateway, "keys", "ls", "--url", URL, "--key", ADMIN_KEY, "--owner", "team-b")
    assert ran.code == 0
    (request,) = gateway.requests
    assert request.url.params["owner"] == "team-b"
    rows = ran.out.strip().splitlines()[1:]
    assert [row.split()[0] for row in rows] == [kept.id]


def test_ls_says_when_there_are_none(s3c: Any) -> None:
    ran = s3c(FakeGateway(), "keys", "ls", "--url", URL, "--key", ADMIN_KEY)
    assert (ran.code, ran.out) == (0, "no keys\n")


def test_ls_json_prints_the_list(s3c: Any) -> None:
    gateway = FakeGateway()
    gateway.issue("team-a", ["read"])
    ran = s3c(gateway, "keys", "ls", "--url", URL, "--key", ADMIN_KEY, "--json")
    assert ran.code == 0
    assert [k["owner"] for k in json.loads(ran.out)] == ["team-a"]


def test_revoke_revokes_the_key(s3c: Any) -> None:
    gateway = FakeGateway()
    secret = gateway.issue("team-a", ["read"])
    key_id = gateway.secrets[secret]
    ran = s3c(gateway, "keys", "revoke", key_id, "--url", URL, "--key", ADMIN_KEY)
    assert ran.code == 0
    assert gateway.keys[key_id].revoked_at is not None
    assert f"Revoked key {key_id}" in ran.out
    (request,) = gateway.requests
    assert (request.method, request.url.path) == ("DELETE", f"/api/keys/{key_id}")


def test_revoke_of_an_unknown_key_fails_clearly(s3c: Any) -> None:
    ran = s3c(FakeGateway(), "keys", "revoke", "nope", "--url", URL, "--key", ADMIN_KEY)
    assert ran.code == 1
    assert "no key nope that this key may revoke" in ran.err


def test_revoke_of_another_owners_key_fails_as_not_found(s3c: Any) -> None:
    gateway = FakeGateway()
    mine = gateway.issue("team-a", ["read"])
    theirs = gateway.secrets[gateway.issue("team-b", ["read"])]
    ran = s3c(gateway, "keys", "revoke", theirs, "--url", URL, "--key", mine)
    assert ran.code == 1
    assert f"no key {theirs}" in ran.err
    assert gateway.keys[theirs].revoked_at is None


def test_without_a_key_401_says_to_give_one(s3c: Any) -> None:
    ran = s3c(FakeGateway(), "keys", "ls", "--url", URL)
    assert ran.code == 1
    assert "unauthorized: this gateway needs an API key" in ran.err
    assert "--key or set S3C_KEY" in ran.err
    assert ran.out == ""


def test_a_revoked_key_401_says_it_was_not_accepted(s3c: Any) -> None:
    gateway = FakeGateway()
    secret = gateway.issue("team-a", ["read"])
    gateway.keys[gateway.secrets[secret]].revoked_at = datetime.now(UTC).isoformat()
    ran = s3c(gateway, "keys", "ls", "--url", URL, "--key", secret)
    assert ran.code == 1
    assert "unauthorized: the key was not accepted" in ran.err


def test_a_key_without_admin_403_says_forbidden(s3c: Any) -> None:
    gateway = FakeGateway()
    reader = gateway.issue("team-a", ["read"])
    ran = s3c(gateway, "keys", "create", "--url", URL, "--key", reader, "--scope", "read")
    assert ran.code == 1
    assert "forbidden: this key cannot manage keys" in ran.err
    assert len(gateway.keys) == 1


def test_an_unreachable_gateway_is_named(s3c: Any) -> None:
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    ran = s3c(None, "keys", "ls", "--url", url)
    assert ran.code == 1
    assert f"cannot reach the gateway at {url}" in ran.err
    assert "S3C_URL" in ran.err


def test_something_else_than_the_gateway_is_named(s3c: Any) -> None:
    def web_page(_: httpx.Request) -> httpx.Response:
        return httpx.Response(200, html="<html>hello</html>")

    ran = s3c(httpx.MockTransport(web_page), "keys", "ls", "--url", URL)
    assert ran.code == 1
    assert f"{URL} answered HTTP 200 without the gateway's JSON envelope" in ran.err


def test_url_and_key_come_from_the_environment(s3c: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    gateway = FakeGateway()
    monkeypatch.setenv("S3C_URL", "http://elsewhere.test:8080/")
    monkeypatch.setenv("S3C_KEY", ADMIN_KEY)
    ran = s3c(gateway, "keys", "ls")
    assert ran.code == 0
    (request,) = gateway.requests
    assert request.url == httpx.URL("http://elsewhere.test:8080/api/keys")
    assert request.headers["authorization"] == f"Bearer {ADMIN_KEY}"


def test_flags_win_over_the_environment(s3c: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    gateway = FakeGateway()
    monkeypatch.setenv("S3C_URL", "http://elsewhere.test:8080")
    monkeypatch.setenv("S3C_KEY", "s3c_not_this_one")
    ran = s3c(gateway, "keys", "ls", "--url", URL, "--key", ADMIN_KEY)
    assert ran.code == 0
    (request,) = gateway.requests
    assert request.url == httpx.URL(f"{URL}/api/keys")
    assert request.headers["authorization"] == f"Bearer {ADMIN_KEY}"


def test_audit_sends_the_key(s3c: Any) -> None:
    gateway = FakeGateway()
    ran = s3c(gateway, "audit", "--url", URL, "--key", ADMIN_KEY)
    assert ran.code == 0
    assert json.loads(ran.out) == {"ok": True, "checked": 3}
    (request,) = gateway.requests
    assert request.headers["authorization"] == f"Bearer {ADMIN_KEY}"
