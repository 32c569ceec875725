"""`s3c keys create|ls|revoke`: API keys, through the gateway's `/api/keys`."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import httpx
from s3c_events.owners import SCOPES

from s3c_cli.gateway import Gateway, GatewayError, add_connection_options

PATH = "/api/keys"
COLUMNS = ("ID", "OWNER", "SCOPES", "NAME", "CREATED", "STATUS")


def add_parser(sub: Any) -> None:
    """`s3c keys ...` under the `s3c` command's subparsers."""
    p_keys = sub.add_parser("keys", help="create, list and revoke API keys (the gateway's)")
    actions = p_keys.add_subparsers(dest="action", required=True)

    p_create = actions.add_parser(
        "create", help="create a key and print its secret (shown this once)"
    )
    p_create.add_argument(
        "--scope",
        dest="scopes",
        action="append",
        required=True,
        choices=SCOPES,
        help="what the key may do; repeat for several (admin implies all)",
    )
    p_create.add_argument("--owner", help="the tenant it acts for (default: the caller's)")
    p_create.add_argument("--name", default="", help="a label to recognise it by")
    p_create.add_argument("--json", action="store_true", help="print the answer as JSON")
    add_connection_options(p_create)
    p_create.set_defaults(func=run, act=create)

    p_ls = actions.add_parser("ls", help="list keys (an admin sees every owner's)")
    p_ls.add_argument("--owner", help="only this owner's keys")
    p_ls.add_argument("--json", action="store_true", help="print the list as JSON")
    add_connection_options(p_ls)
    p_ls.set_defaults(func=run, act=ls)

    p_revoke = actions.add_parser("revoke", help="revoke a key: it stops working at once")
    p_revoke.add_argument("id", help="the key's id (`s3c keys ls`)")
    add_connection_options(p_revoke)
    p_revoke.set_defaults(func=run, act=revoke)


def run(args: argparse.Namespace, transport: httpx.BaseTransport | None = None) -> int:
    """Run one `s3c keys` action; a failure is one line on stderr and exit status 1."""
    act: Callable[[Gateway, argparse.Namespace], int] = args.act
    with Gateway.from_args(args, transport) as gateway:
        try:
            return act(gateway, args)
        except GatewayError as exc:
            print(f"s3c keys {args.action}: {exc}", file=sys.stderr)
            return 1


def create(gateway: Gateway, args: argparse.Namespace) -> int:
    body: dict[str, Any] = {"scopes": list(dict.fromkeys(args.scopes)), "name": args.name}
    if args.owner:
        body["owner"] = args.owner
    key = gateway.call("POST", PATH, body=body)
    if args.json:
        print(json.dumps(key, indent=2))
        return 0
    name = f" ({key['name']})" if key.get("name") else ""
    print(f"Created key {key['id']}{name}")
    print(f"  owner:  {key['owner']}")
    print(f"  scopes: {', '.join(key['scopes'])}")
    print()
    print("Secret, shown this once; it cannot be shown again, so store it now:")
    print()
    print(f"  {key['key']}")
    print()
    print("Use it with `--key <secret>` or `export S3C_KEY=<secret>`.")
    if gateway.key is None:
        print(
            "If this was the gateway's first key, local mode has ended: "
            "every request now needs a key.",
            file=sys.stderr,
        )
    return 0


def ls(gateway: Gateway, args: argparse.Namespace) -> int:
    keys = gateway.call("GET", PATH, params={"owner": args.owner} if args.owner else None)
    if args.json:
        print(json.dumps(keys, indent=2))
        return 0
    if not keys:
        print(f"no keys of owner {args.owner}" if args.owner else "no keys")
        return 0
    print(table([row(key) for key in keys]))
    return 0


def revoke(gateway: Gateway, args: argparse.Namespace) -> int:
    try:
        gateway.call("DELETE", f"{PATH}/{args.id}")
    except GatewayError as exc:
        if exc.status == 404:
            raise GatewayError(
                f"no key {args.id} that this key may revoke (`s3c keys ls` lists them)", 404
            ) from exc
        raise
    print(f"Revoked key {args.id}: it no longer authenticates.")
    return 0


def row(key: dict[str, Any]) -> tuple[str, ...]:
    status = "active"
    if key.get("revoked"):
        at = key.get("revokedAt")
        status = f"revoked {when(at)}" if at else "revoked"
    return (
        str(key["id"]),
        str(key["owner"]),
        ",".join(key.get("scopes") or ()),
        str(key.get("name") or "-"),
        when(key.get("createdAt")),
        status,
    )


def when(stamp: Any) -> str:
    """An ISO time as `YYYY-MM-DD HH:MM UTC` (anything else as it came)."""
    try:
        at = datetime.fromisoformat(str(stamp))
    except ValueError:
        return str(stamp)
    if at.tzinfo is not None:
        at = at.astimezone(UTC)
    return at.strftime("%Y-%m-%d %H:%M UTC")


def table(rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(r[i]) for r in (COLUMNS, *rows)) for i in range(len(COLUMNS))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in (COLUMNS, *rows)
    ]
    return "\n".join(line.rstrip() for line in lines)
