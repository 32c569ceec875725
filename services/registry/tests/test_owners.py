"""Owners in the registry: names unique per owner, and every command and query given an owner
treats another owner's function as one that does not exist. In-memory fakes, no servers."""

from __future__ import annotations

from typing import Any

import pytest
from registry_fakes import ADD, Fakes
from s3c_events import (
    ActivateFunction,
    DeactivateFunction,
    DeleteFunction,
    FunctionDetail,
    FunctionList,
    FunctionRegistered,
    FunctionState,
    RegisterFunction,
    UpdateFunction,
)
from s3c_registry.handlers import RegistryHandlers
from s3c_runtime.rpc import RequestError


async def register(handlers: RegistryHandlers, owner: str, name: str = "add") -> FunctionState:
    return await handlers.register(RegisterFunction(name=name, code=ADD, owner=owner))


async def test_a_function_belongs_to_the_owner_it_was_registered_for() -> None:
    fakes = Fakes()
    state = await register(fakes.handlers(), "acme")
    [event] = fakes.log.events()
    assert isinstance(event, FunctionRegistered)
    assert (state.owner, event.owner, event.function.owner) == ("acme", "acme", "acme")
    assert (await register(fakes.handlers(), "local", "other")).owner == "local"


async def test_names_are_unique_per_owner() -> None:
    fakes = Fakes()
    handlers = fakes.handlers()
    local, acme, zeta = [await register(handlers, owner) for owner in ("local", "acme", "zeta")]
    # Local mode's names keep the bare key they had before owners existed.
    assert fakes.names.claims == {"add": local.id, "acme.add": acme.id, "zeta.add": zeta.id}
    with pytest.raises(RequestError) as taken:
        await register(handlers, "acme")
    assert (taken.value.code, taken.value.message) == (
        "conflict",
        "a function named 'add' already exists",
    )
    assert len(fakes.log.events()) == 3


async def test_a_rename_is_checked_within_the_owner() -> None:
    fakes = Fakes()
    handlers = fakes.handlers()
    await register(handlers, "zeta", "plus")  # another owner's "plus" is no obstacle
    mine = await register(handlers, "acme")
    await register(handlers, "acme", "taken")
    renamed = await handlers.update(UpdateFunction(function_id=mine.id, name="plus"))
    assert (renamed.name, renamed.owner) == ("plus", "acme")
    assert fakes.names.claims["acme.plus"] == mine.id and "acme.add" not in fakes.names.claims
    with pytest.raises(RequestError) as taken:
        await handlers.update(UpdateFunction(function_id=mine.id, name="taken"))
    assert taken.value.code == "conflict"


async def test_detail_shows_another_owners_function_as_unknown() -> None:
    fakes = Fakes()
    handlers = fakes.handlers()
    acme = await register(handlers, "acme")
    unknown = await _refusal(handlers.detail(FunctionDetail(function_id="nope", owner="zeta")))
    foreign = await _refusal(handlers.detail(FunctionDetail(function_id=acme.id, owner="zeta")))
    assert foreign == ("not_found", f"function '{acme.id}' not found")
    assert unknown == ("not_found", "function 'nope' not found")
    mine = await handlers.detail(FunctionDetail(function_id=acme.id, owner="acme"))
    assert mine.to_dict() == acme.to_dict()
    anyones = await handlers.detail(FunctionDetail(function_id=acme.id))  # no owner: every owner
    assert anyones.to_dict() == acme.to_dict()


async def test_a_name_is_looked_up_within_the_owner_given_else_local_modes() -> None:
    fakes = Fakes()
    handlers = fakes.handlers()
    local, acme = await register(handlers, "local"), await register(handlers, "acme")
    assert (await handlers.detail(FunctionDetail(name="add", owner="acme"))).id == acme.id
    assert (await handlers.detail(FunctionDetail(name="add", owner="local"))).id == local.id
    assert (await handlers.detail(FunctionDetail(name="add"))).id == local.id
    refused = await _refusal(handlers.detail(FunctionDetail(name="add", owner="zeta")))
    assert refused == ("not_found", "function named 'add' not found")


async def test_the_list_is_one_owners_or_everyones() -> None:
    fakes = Fakes()
    handlers = fakes.handlers()
    local, acme = await register(handlers, "local"), await register(handlers, "acme")
    acme2 = await register(handlers, "acme", "sub")

    async def ids(**query: Any) -> list[str]:
        return [f["id"] for f in await handlers.list(FunctionList(**query))]

    assert await ids(owner="acme") == [acme2.id, acme.id]
    assert await ids(owner="local") == [local.id]
    assert await ids(owner="zeta") == []
    assert await ids() == [acme2.id, acme.id, local.id]
    assert [f["owner"] for f in await handlers.list(FunctionList(owner="acme"))] == ["acme"] * 2


@pytest.mark.parametrize(
    ("handler", "command"),
    [
        ("update", lambda fid, owner: UpdateFunction(function_id=fid, code="x", owner=owner)),
        ("activate", lambda fid, owner: ActivateFunction(function_id=fid, owner=owner)),
        ("deactivate", lambda fid, owner: DeactivateFunction(function_id=fid, owner=owner)),
        ("delete", lambda fid, owner: DeleteFunction(function_id=fid, owner=owner)),
    ],
)
async def test_a_command_for_another_owners_function_is_not_found_and_changes_nothing(
    handler: str, command: Any
) -> None:
    fakes = Fakes()
    handlers = fakes.handlers()
    acme = await register(handlers, "acme", "add")
    if handler == "activate":
        await handlers.deactivate(DeactivateFunction(function_id=acme.id))
    stored = len(fakes.log.events())
    foreign = await _refusal(getattr(handlers, handler)(command(acme.id, "zeta")))
    unknown = await _refusal(getattr(handlers, handler)(command("nope", "zeta")))
    assert foreign == ("not_found", f"function '{acme.id}' not found")
    assert unknown == ("not_found", "function 'nope' not found")  # the same answer
    assert len(fakes.log.events()) == stored and "acme.add" in fakes.names.claims
    await getattr(handlers, handler)(command(acme.id, "acme"))  # its owner may
    assert len(fakes.log.events()) == stored + 1


async def test_a_function_stored_before_owners_is_local_modes() -> None:
    fakes = Fakes()
    handlers = fakes.handlers()
    old = await register(handlers, "local")
    del fakes.functions.docs[old.id]["owner"]  # as a read model kept before owners holds it
    assert (await handlers.detail(FunctionDetail(function_id=old.id, owner="local"))).owner == (
        "local"
    )
    assert (await handlers.detail(FunctionDetail(name="add"))).id == old.id
    assert [f["id"] for f in await handlers.list(FunctionList(owner="local"))] == [old.id]
    assert (await _refusal(handlers.detail(FunctionDetail(function_id=old.id, owner="acme"))))[
        0
    ] == "not_found"


async def _refusal(call: Any) -> tuple[str, str]:
    with pytest.raises(RequestError) as refused:
        await call
    return refused.value.code, refused.value.message
