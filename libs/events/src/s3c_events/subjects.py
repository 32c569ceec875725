"""Every NATS subject S3C uses: the public integration API. Nothing else spells a subject."""

from __future__ import annotations

import re

PREFIX = "s3c"
EVENTS = f"{PREFIX}.evt"
COMMANDS = f"{PREFIX}.cmd"
QUERIES = f"{PREFIX}.qry"
WORK = f"{PREFIX}.work"
SYSTEM = f"{PREFIX}.sys"

ALL_EVENTS = f"{EVENTS}.>"
FUNCTION_EVENTS = f"{EVENTS}.function.>"
EXECUTION_EVENTS = f"{EVENTS}.execution.>"
SCALING_EVENTS = f"{EVENTS}.scaling.>"
BILLING_EVENTS = f"{EVENTS}.billing.>"
KEY_EVENTS = f"{EVENTS}.key.>"

_TOKEN = re.compile(r"[A-Za-z0-9_-]+")


def _token(value: str) -> str:
    # A subject token must not contain '.', '*', '>' or whitespace, or it would change the routing.
    if not _TOKEN.fullmatch(value):
        raise ValueError(f"not a valid subject token: {value!r}")
    return value


def event_subject(aggregate: str, aggregate_id: str, event_type: str) -> str:
    """`s3c.evt.<aggregate>.<id>.<event>`, e.g. `s3c.evt.function.<fid>.registered`."""
    return f"{EVENTS}.{_token(aggregate)}.{_token(aggregate_id)}.{_token(event_type)}"


def aggregate_events(aggregate: str, aggregate_id: str) -> str:
    """All events of one aggregate instance: `s3c.evt.<aggregate>.<id>.>`."""
    return f"{EVENTS}.{_token(aggregate)}.{_token(aggregate_id)}.>"


def events_of_type(aggregate: str, event_type: str) -> str:
    """One event type of every instance: `s3c.evt.<aggregate>.*.<event>`."""
    return f"{EVENTS}.{_token(aggregate)}.*.{_token(event_type)}"


def command_subject(service: str, verb: str) -> str:
    """`s3c.cmd.<service>.<verb>`, answered by the owning service (request/reply)."""
    return f"{COMMANDS}.{_token(service)}.{_token(verb)}"


def query_subject(service: str, name: str) -> str:
    """`s3c.qry.<service>.<name>`, answered from the owner's read models (request/reply)."""
    return f"{QUERIES}.{_token(service)}.{_token(name)}"


def work_subject(tier: str) -> str:
    """`s3c.work.execution.<tier>`: the executors' shared work queue."""
    return f"{WORK}.execution.{_token(tier)}"


def load_subject(service: str) -> str:
    """`s3c.sys.<service>.load`: a service's load, published every second (core NATS)."""
    return f"{SYSTEM}.{_token(service)}.load"


def health_subject(service: str) -> str:
    return query_subject(service, "health")
