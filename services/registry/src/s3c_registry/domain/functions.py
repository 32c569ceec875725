"""Function lifecycle rules: what each registry command decides, as plain functions."""

from __future__ import annotations

from datetime import datetime

from s3c_events import (
    Event,
    FunctionActivated,
    FunctionConfig,
    FunctionDeactivated,
    FunctionDeleted,
    FunctionRegistered,
    FunctionState,
    FunctionUpdated,
    RegisterFunction,
    UpdateFunction,
)
from s3c_events.owners import LOCAL, visible
from s3c_events.registry import Runtime

from s3c_registry.domain.errors import Rejected

__all__ = ["Rejected"]

# Changing any of these makes a new version: executions record the version they ran.
VERSIONED_FIELDS = ("code", "runtime", "config")


def not_found(function_id: str) -> Rejected:
    return Rejected("not_found", f"function '{function_id}' not found")


def check_owner(state: FunctionState, owner: str | None) -> None:
    """A command or query for one owner sees another owner's function as unknown: the same
    answer, so it does not learn that the function exists."""
    if not visible(state.owner, owner):
        raise not_found(state.id)


def name_key(owner: str, name: str) -> str:
    """The key a name is reserved under: names are unique per owner. Local mode's names keep
    the bare name they were reserved under before owners existed; another owner's has a dot
    (neither an owner nor a name can hold one), so the two never meet."""
    return name if owner == LOCAL else f"{owner}.{name}"


def check_code(compile_error: str | None) -> None:
    if compile_error is not None:
        raise Rejected("invalid", f"code does not compile: {compile_error}", "code")


def check_timeout(timeout_ms: int | None, limit_ms: int) -> None:
    """The platform's longest timeout (`S3C_MAX_TIMEOUT_MS`, at most Lambda's 15 minutes)."""
    if timeout_ms is not None and timeout_ms > limit_ms:
        raise Rejected(
            "invalid",
            f"config.timeout: {timeout_ms} ms is over this platform's limit of {limit_ms} ms",
            "config.timeout",
        )


def check_name(name: str, taken_by: str | None, function_id: str | None = None) -> None:
    if taken_by is not None and taken_by != function_id:
        raise Rejected("conflict", f"a function named '{name}' already exists", "name")


def register(
    cmd: RegisterFunction,
    function_id: str,
    now: datetime,
    name_taken_by: str | None,
    compile_error: str | None,
) -> FunctionRegistered:
    check_name(cmd.name, name_taken_by)
    check_code(compile_error)
    state = FunctionState(
        id=function_id,
        name=cmd.name,
        description=cmd.description,
        code=cmd.code,
        runtime=cmd.runtime,
        status=cmd.status,
        config=cmd.config,
        version=1,
        created_at=now,
        updated_at=now,
        owner=cmd.owner,
    )
    return FunctionRegistered(
        function_id=function_id, owner=cmd.owner, function=state, occurred_at=now
    )


def update(
    state: FunctionState,
    cmd: UpdateFunction,
    now: datetime,
    name_taken_by: str | None,
    compile_error: str | None,
) -> list[Event]:
    """Events for a partial update; none when nothing changes (a repeated PUT is a no-op)."""
    config = state.config
    if cmd.config is not None:
        patch = cmd.config.model_dump(exclude_none=True)
        config = FunctionConfig.model_validate({**state.config.model_dump(), **patch})
    name = cmd.name if cmd.name is not None else state.name
    proposed = {
        "name": name,
        "description": cmd.description if cmd.description is not None else state.description,
        "code": cmd.code if cmd.code is not None else state.code,
        "runtime": cmd.runtime or state.runtime,
        "config": config,
    }
    changed = [k for k, v in proposed.items() if getattr(state, k) != v]
    if "name" in changed:
        check_name(name, name_taken_by, state.id)
    if "code" in changed or "runtime" in changed:
        check_code(compile_error)
    events: list[Event] = []
    if changed:
        bump = any(field in changed for field in VERSIONED_FIELDS)
        new_state = state.model_copy(
            update={**proposed, "version": state.version + int(bump), "updated_at": now}
        )
        events.append(
            FunctionUpdated(
                function_id=state.id,
                owner=state.owner,
                function=new_state,
                changed=changed,
                occurred_at=now,
            )
        )
    if cmd.status is not None and cmd.status != state.status:
        version = state.version + (1 if any(f in changed for f in VERSIONED_FIELDS) else 0)
        events.append(set_status(state, cmd.status, version, now))
    return events


def code_to_check(state: FunctionState, cmd: UpdateFunction) -> tuple[Runtime, str] | None:
    """The runtime and code an update must compile with, when it changes either (else None):
    new code is checked, and so is old code moving to another runtime."""
    code_changed = cmd.code is not None and cmd.code != state.code
    runtime_changed = cmd.runtime is not None and cmd.runtime != state.runtime
    if not (code_changed or runtime_changed):
        return None
    return cmd.runtime or state.runtime, cmd.code if cmd.code is not None else state.code


def new_name(state: FunctionState, cmd: UpdateFunction) -> str | None:
    """The name an update renames the function to (None: it keeps its name)."""
    return cmd.name if cmd.name is not None and cmd.name != state.name else None


def set_status(state: FunctionState, status: str, version: int, now: datetime) -> Event:
    kind = FunctionActivated if status == "active" else FunctionDeactivated
    return kind(function_id=state.id, owner=state.owner, version=version, occurred_at=now)


def delete(state: FunctionState, now: datetime) -> FunctionDeleted:
    return FunctionDeleted(
        function_id=state.id, owner=state.owner, name=state.name, occurred_at=now
    )


def evolve(state: FunctionState | None, event: Event) -> FunctionState | None:
    """The state after an event (None once deleted): the read model and replays share this."""
    if isinstance(event, FunctionRegistered | FunctionUpdated):
        return event.function
    if state is None:
        return None
    if isinstance(event, FunctionActivated):
        return state.model_copy(update={"status": "active", "updated_at": event.occurred_at})
    if isinstance(event, FunctionDeactivated):
        return state.model_copy(update={"status": "inactive", "updated_at": event.occurred_at})
    if isinstance(event, FunctionDeleted):
        return None
    return state
