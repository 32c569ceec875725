"""`s3c`: run the embedded stack (`s3c up`), write the AsyncAPI document (`s3c asyncapi`), print
the NATS users (`s3c nats-config`) and fresh secrets for compose (`s3c compose-env`), audit the
costs (`s3c audit`) and manage API keys (`s3c keys`)."""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import httpx
from s3c_events import subjects

from s3c_cli import busauth, keys
from s3c_cli.gateway import Gateway, GatewayError, add_connection_options
from s3c_cli.processes import (
    SERVICES,
    STORE_SERVICES,
    Child,
    Supervisor,
    nats_command,
    port_open,
    service_command,
    store_command,
    wait_for,
)


def _ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as res:
            return bool(res.status == 200)
    except Exception:
        return False


def up(args: argparse.Namespace) -> int:
    data = Path(args.data_dir).resolve()
    sup = Supervisor(run_dir=data / "run")
    env: dict[str, str] = {"S3C_PORT": str(args.port), "S3C_HOST": args.host}
    nats_url = os.environ.get("S3C_NATS_URL") or os.environ.get("NATS_URL")
    mongo_uri = os.environ.get("S3C_MONGODB_URI") or os.environ.get("MONGODB_URI")
    # Each service's NATS user and password, when we run nats-server with users (an outside
    # server's credentials come from our environment: S3C_NATS_USER, S3C_NATS_PASSWORD).
    bus_users: dict[str, dict[str, str]] = {}
    if not nats_url:
        (data / "nats").mkdir(parents=True, exist_ok=True)
        config = None
        if args.nats_auth:
            passwords = busauth.passwords(data)
            config = busauth.write_config(data, passwords)
            bus_users = {
                name: {"S3C_NATS_USER": name, "S3C_NATS_PASSWORD": passwords[name]}
                for name in SERVICES
            }
        sup.start(Child("nats", nats_command(args.nats_port, data / "nats", config), layer=0))
        nats_url = f"nats://127.0.0.1:{args.nats_port}"
        wait_for(lambda: port_open("127.0.0.1", args.nats_port), 30, "nats-server")
    if not mongo_uri:
        (data / "store").mkdir(parents=True, exist_ok=True)
        store = Child(
            "store",
            store_command(args.store_port, data / "store"),
            layer=0,
            log_file=data / "store" / "stdout.log",  # it logs every command
        )
        sup.start(store)
        mongo_uri = f"mongodb://127.0.0.1:{args.store_port}"
        wait_for(lambda: port_open("127.0.0.1", args.store_port), 30, "nx-27017")
    env |= {"S3C_NATS_URL": nats_url, "S3C_MONGODB_URI": mongo_uri}
    for name in SERVICES:
        sup.start(Child(name, service_command(name), env=env | bus_users.get(name, {})))

    stop = False

    def on_signal(signum: int, _: Any) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    url = f"http://localhost:{args.port}"
    announced = False
    try:
        while not stop:
            sup.check()
            if not announced and _ready(f"http://127.0.0.1:{args.port}/readyz"):
                announced = True
                sup.log(f"S3-for-Compute is up: {url}  (API {url}/api, docs {url}/docs)")
            time.sleep(0.2)
    finally:
        sup.log("stopping")
        sup.stop()
    return 0


def asyncapi(args: argparse.Namespace) -> int:
    """Merge every service's FastStream AsyncAPI document into one file."""
    merged: dict[str, Any] = {}
    for name in SERVICES:
        if name == "gateway":
            continue  # the gateway only requests and fans out; its subjects are the others'
        out = subprocess.run(
            [*service_command(name), "--asyncapi"], check=True, capture_output=True, text=True
        ).stdout
        spec = json.loads(out)
        if not merged:
            merged = spec
            merged["info"]["title"] = "S3-for-Compute events, commands and queries"
            continue
        for section in ("channels", "operations"):
            merged.setdefault(section, {}).update(spec.get(section, {}))
        for section, items in spec.get("components", {}).items():
            merged.setdefault("components", {}).setdefault(section, {}).update(items)
    as_cloudevents(merged)
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(json.dumps(merged, indent=2, sort_keys=True) + "\n")
    print(f"wrote {args.output}")
    return 0


ENVELOPE_FIELDS = ("event_id", "type", "schema_version", "occurred_at")


def as_cloudevents(spec: dict[str, Any]) -> None:
    """Describe each event as it travels: a CloudEvents 1.0 structured-mode message whose `data`
    is the event's payload (FastStream documents the model, whose envelope is flat)."""
    schemas = spec["components"]["schemas"]
    for channel in spec["channels"].values():
        if not channel["address"].startswith(f"{subjects.EVENTS}."):
            continue
        _, _, aggregate, _, kind = channel["address"].split(".")
        for ref in channel["messages"].values():
            message = spec["components"]["messages"][ref["$ref"].rsplit("/", 1)[1]]
            name = message["payload"]["$ref"].rsplit("/", 1)[1]
            if f"{name}Data" in schemas:
                continue
            data = dict(schemas[name])
            data["properties"] = {
                k: v for k, v in data["properties"].items() if k not in ENVELOPE_FIELDS
            }
            data["required"] = [r for r in data.get("required", []) if r not in ENVELOPE_FIELDS]
            data["title"] = f"{name} data"
            schemas[f"{name}Data"] = data
            schemas[name] = {
                "title": name,
                "description": f"CloudEvents 1.0 (structured mode) carrying {aggregate}.{kind}",
                "type": "object",
                "required": ["specversion", "id", "source", "type", "subject", "time", "data"],
                "properties": {
                    "specversion": {"const": "1.0"},
                    "id": {"type": "string", "description": "the event id; also Nats-Msg-Id"},
                    "source": {"type": "string", "description": "/s3c/<service>"},
                    "type": {"const": f"dev.s3c.{aggregate}.{kind}"},
                    "subject": {"type": "string", "description": "the aggregate id"},
                    "time": {"type": "string", "format": "date-time"},
                    "datacontenttype": {"const": "application/json"},
                    "dataschema": {
                        "type": "string",
                        "description": f"urn:s3c:event:{aggregate}.{kind}:v<schema version>",
                    },
                    "data": {"$ref": f"#/components/schemas/{name}Data"},
                },
            }


def nats_config(args: argparse.Namespace) -> int:
    """Print the nats-server users: passwords as `$NATS_<USER>_PASSWORD` references, which
    nats-server reads from its environment (deploy/nats.conf is this output)."""
    sys.stdout.write(busauth.render(busauth.env_passwords()))
    return 0


def compose_env(args: argparse.Namespace) -> int:
    """Print fresh secrets for compose.yaml, one `NAME=value` a line (a `.env` file)."""
    for name in compose_secrets():
        value = secrets.token_hex(24)
        if name == "S3C_ADMIN_KEY":
            value = f"s3c_admin_{secrets.token_urlsafe(32)}"
        print(f"{name}={value}")
    return 0


def compose_secrets() -> list[str]:
    """The secrets compose.yaml reads from its environment: bus users' and MongoDB users'
    passwords (hex: they go into URIs unescaped) and the gateway's admin key."""
    bus = [f"NATS_{user.upper()}_PASSWORD" for user in busauth.USERS]
    store = ["MONGO_ROOT_PASSWORD", *(f"MONGO_{s.upper()}_PASSWORD" for s in STORE_SERVICES)]
    return [*bus, *store, "S3C_ADMIN_KEY"]


def audit(args: argparse.Namespace, transport: httpx.BaseTransport | None = None) -> int:
    """Ask billing (through the gateway) to recompute every cost from the event log."""
    with Gateway.from_args(args, transport) as gateway:
        try:
            report = gateway.call("GET", "/api/costs/audit", timeout=300)
        except GatewayError as exc:
            print(f"s3c audit: {exc}", file=sys.stderr)
            return 1
    print(json.dumps(report, indent=2))
    return 0 if report["ok"] else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="s3c", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p_up = sub.add_parser("up", help="run NATS, the store and the five services; UI on --port")
    p_up.add_argument(
        "--port", type=int, default=int(os.environ.get("S3C_PORT", os.environ.get("PORT", 5000)))
    )
    p_up.add_argument("--host", default=os.environ.get("S3C_HOST", "127.0.0.1"))
    p_up.add_argument("--nats-port", type=int, default=4222)
    p_up.add_argument("--store-port", type=int, default=27017)
    p_up.add_argument("--data-dir", default=os.environ.get("S3C_DATA_DIR", ".s3c"))
    p_up.add_argument(
        "--nats-auth",
        action=argparse.BooleanOptionalAction,
        default=os.environ.get("S3C_NATS_AUTH", "on").lower() not in {"0", "false", "no", "off"},
        help="run nats-server with a user per service (passwords in <data-dir>/secrets/nats)",
    )
    p_up.set_defaults(func=up)
    p_conf = sub.add_parser("nats-config", help="print the NATS users and their permissions")
    p_conf.set_defaults(func=nats_config)
    p_env = sub.add_parser("compose-env", help="print fresh secrets for compose.yaml (.env)")
    p_env.set_defaults(func=compose_env)
    p_doc = sub.add_parser("asyncapi", help="write the merged AsyncAPI document")
    p_doc.add_argument("--output", default="docs/asyncapi.json")
    p_doc.set_defaults(func=asyncapi)
    p_audit = sub.add_parser(
        "audit", help="recompute every cost from the event log; exit 1 on differences"
    )
    add_connection_options(p_audit)
    p_audit.set_defaults(func=audit)
    keys.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
