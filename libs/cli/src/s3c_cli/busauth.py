"""Who may do what on the bus: a NATS user per service allowed only the subjects that service
uses, a read-only integrator, an admin; the nats-server `authorization` block granting them; and
their passwords, kept in the data folder.

Each grant below is what the code does today (a service that starts using a new subject or
stream needs it added here; tests/test_bus_permissions.py runs a whole stack with these users):

- every service answers its own `s3c.cmd.<service>.>` and `s3c.qry.<service>.>` (replies go to
  the asker's inbox: `allow_responses`), may ask its own health (the container health check
  runs as the service), subscribes to its own inbox `_INBOX.<user>.>` (the runtime connects
  with that inbox prefix), and creates or updates every stream at start (`provision_streams`);
- it publishes the events of the aggregates it writes (`s3c_events.envelope.SOURCES`) and
  reads, through JetStream, the streams it projects or looks events up in (`READS`).
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from nats.js.api import DEFAULT_PREFIX as JS_API
from s3c_events import ExecutorLoad, FunctionDetail, streams, subjects
from s3c_events.envelope import SOURCES
from s3c_runtime.settings import RuntimeSettings

from s3c_cli.processes import SERVICES

INTEGRATOR = "integrator"
ADMIN = "admin"
USERS = (*SERVICES, INTEGRATOR, ADMIN)

# The registry's name reservations: a JetStream key-value bucket (services/registry names.py).
NAMES_BUCKET = "s3c_function_names"

# The aggregates whose stream each service reads through JetStream (projectors, `last_event`,
# the work queue, the gateway's replay of API keys).
READS: dict[str, tuple[str, ...]] = {
    "registry": ("function", "key"),
    "executor": ("execution", "scaling"),
    "billing": ("function", "execution", "scaling"),
    "scaler": ("scaling",),
    "gateway": ("key",),
}


@dataclass(frozen=True)
class Permissions:
    publish: tuple[str, ...]
    subscribe: tuple[str, ...]
    allow_responses: bool = False


def inbox(user: str) -> str:
    """The replies to `user`: the inbox prefix the runtime connects with, and everything below."""
    return f"{RuntimeSettings(nats_user=user).nats_inbox_prefix}.>"


def stream_of(aggregate: str) -> streams.StreamSpec | None:
    """The stream holding an aggregate's events (None: no such stream in this version)."""
    wanted = f"{subjects.EVENTS}.{aggregate}.>"
    return next((s for s in streams.ALL if wanted in s.subjects), None)


def provisioning() -> list[str]:
    """`provision_streams`: every service looks up, creates or updates every stream at start."""
    return [
        f"{JS_API}.STREAM.{op}.{s.name}" for s in streams.ALL for op in ("INFO", "CREATE", "UPDATE")
    ]


def reading(stream: str) -> list[str]:
    """Reading a stream: its info, stored messages by subject, consumers of its own (created,
    looked up, pulled from, deleted) and the flow control of a push consumer."""
    return [
        f"{JS_API}.STREAM.INFO.{stream}",
        f"{JS_API}.STREAM.MSG.GET.{stream}",
        f"{JS_API}.DIRECT.GET.{stream}",
        f"{JS_API}.DIRECT.GET.{stream}.>",
        f"{JS_API}.CONSUMER.CREATE.{stream}",
        f"{JS_API}.CONSUMER.CREATE.{stream}.>",
        f"{JS_API}.CONSUMER.DURABLE.CREATE.{stream}.>",
        f"{JS_API}.CONSUMER.INFO.{stream}.>",
        f"{JS_API}.CONSUMER.MSG.NEXT.{stream}.>",
        f"{JS_API}.CONSUMER.DELETE.{stream}.>",
        f"$JS.FC.{stream}.>",
    ]


def service_permissions(service: str) -> Permissions:
    publish = [
        subjects.health_subject(service),
        *provisioning(),
        *(f"{subjects.EVENTS}.{agg}.>" for agg, writer in SOURCES.items() if writer == service),
    ]
    subscribe = [
        f"{subjects.COMMANDS}.{service}.>",
        f"{subjects.QUERIES}.{service}.>",
        inbox(service),
    ]
    for aggregate in READS[service]:
        stream = stream_of(aggregate)
        if stream is not None:
            publish += reading(stream.name)
    if service == "registry":
        # Name reservations: the bucket's stream, and its keys (create, update, delete).
        bucket = f"KV_{NAMES_BUCKET}"
        publish += [f"{JS_API}.STREAM.CREATE.{bucket}", *reading(bucket), f"$KV.{NAMES_BUCKET}.>"]
    elif service == "executor":
        publish += [
            *streams.WORK.subjects,  # queueing a run
            *reading(streams.WORK.name),  # the shared durable consumer
            f"$JS.ACK.{streams.WORK.name}.{streams.WORK_CONSUMER}.>",  # ack, nak, in progress
            ExecutorLoad.SUBJECT,
            FunctionDetail.SUBJECT,  # the catalog asks the registry for a function it lacks
        ]
        subscribe += [subjects.FUNCTION_EVENTS, subjects.SCALING_EVENTS]  # live, core NATS
    elif service == "scaler":
        publish += [  # the work queue's depth
            f"{JS_API}.STREAM.INFO.{streams.WORK.name}",
            f"{JS_API}.CONSUMER.INFO.{streams.WORK.name}.{streams.WORK_CONSUMER}",
        ]
        subscribe.append(ExecutorLoad.SUBJECT)
    elif service == "gateway":
        # The REST API's commands and queries to every service; every event for the WebSocket.
        publish += [f"{subjects.COMMANDS}.>", f"{subjects.QUERIES}.>"]
        subscribe.append(subjects.ALL_EVENTS)
    return Permissions(_unique(publish), _unique(subscribe), allow_responses=True)


def permissions(user: str) -> Permissions | None:
    """What `user` may do; None: everything (the admin)."""
    if user == ADMIN:
        return None
    if user == INTEGRATOR:
        # Live events only: replaying a stream needs JetStream's API (docs/events.md).
        return Permissions(publish=(), subscribe=(subjects.ALL_EVENTS,))
    return service_permissions(user)


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def _list(key: str, values: Iterable[str], indent: str) -> list[str]:
    return [f"{indent}{key}: [", *(f"{indent}  {json.dumps(v)}" for v in values), f"{indent}]"]


def render(passwords: Mapping[str, str]) -> str:
    """The nats-server `authorization` block. A password is written as given: a literal, or a
    `$NAME` that nats-server reads from its environment (deploy/nats.conf)."""
    lines = [
        "# The NATS users of S3-for-Compute, written by `s3c nats-config` (s3c_cli/busauth.py):",
        "# one per service, allowed only what that service does; a read-only integrator; an admin.",
        "authorization {",
        "  users = [",
    ]
    for user in USERS:
        password = passwords[user]
        secret = password if password.startswith("$") else json.dumps(password)
        lines += ["    {", f"      user: {json.dumps(user)}", f"      password: {secret}"]
        granted = permissions(user)
        if granted is None:
            lines += ["      # no permissions: every subject", "    }"]
            continue
        lines.append("      permissions: {")
        if granted.publish:
            lines += ["        publish: {", *_list("allow", granted.publish, " " * 10), "        }"]
        else:  # an empty allow list would let everything through
            lines.append('        publish: { deny: [">"] }')
        lines += ["        subscribe: {", *_list("allow", granted.subscribe, " " * 10), "        }"]
        if granted.allow_responses:
            lines.append("        allow_responses: true  # replies to the requests it answers")
        lines += ["      }", "    }"]
    lines += ["  ]", "}", ""]
    return "\n".join(lines)


# --- the data folder -------------------------------------------------------------------------


def secrets_dir(data: Path) -> Path:
    return data / "secrets" / "nats"


def password_file(data: Path, user: str) -> Path:
    """`<data>/secrets/nats/<user>`: the user's password, readable by its owner only."""
    return secrets_dir(data) / user


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    path.chmod(0o600)  # an older file keeps its mode through O_CREAT


def passwords(data: Path) -> dict[str, str]:
    """Every user's password, made on first use and kept for the next `s3c up`."""
    folder = secrets_dir(data)
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    (data / "secrets").chmod(0o700)
    found: dict[str, str] = {}
    for user in USERS:
        path = password_file(data, user)
        if not path.exists() or not path.read_text().strip():
            _write_private(path, secrets.token_urlsafe(32))
        found[user] = path.read_text().strip()
    return found


def write_config(data: Path, passwords: Mapping[str, str]) -> Path:
    """`<data>/secrets/nats.conf` for the embedded nats-server (the passwords are in it too)."""
    path = data / "secrets" / "nats.conf"
    _write_private(path, render(passwords))
    return path


def env_passwords() -> dict[str, str]:
    """Passwords as `$NATS_<USER>_PASSWORD` references, for a config file whose server reads
    them from its environment (compose)."""
    return {user: f"$NATS_{user.upper()}_PASSWORD" for user in USERS}
