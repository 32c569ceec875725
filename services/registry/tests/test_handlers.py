"""The registry's command and query handlers over in-memory fakes of their ports: no servers."""

from __future__ import annotations

import pytest
from registry_fakes import ADD, BROKEN, Fakes
from s3c_events import (
    ActivateFunction,
    DeactivateFunction,
    DeleteFunction,
    FunctionActivated,
    FunctionConfigPatch,
    FunctionDeactivated,
    FunctionDeleted,
    FunctionDetail,
    FunctionList,
    FunctionRegistered,
    FunctionUpdated,
    RegisterFunction,
    UpdateFunction,
)
from s3c_runtime.rpc import RequestError


def register(name: str = "add", code: str = ADD, **kw: object) -> RegisterFunction:
    return RegisterFunction(name=name, code=code, **kw)


async def test_register_appends_registered_and_reads_it_back() -> None:
    fakes = Fakes()
    handlers = fakes.handlers()
    state = await handlers.register(register(description="adds"))
    assert (state.name, state.version, state.status, state.description) == (
        "add",
        1,
        "active",
        "adds",
    )
    [event] = fakes.log.events()
    assert isinstance(event, FunctionRegistered)
    assert event.function.to_dict() == state.to_dict()
    assert (
        await handlers.detail(FunctionDetail(function_id=state.id))
    ).to_dict() == state.to_dict()
    assert fakes.names.claims == {"add": state.id}
    assert fakes.compiler.checked == [("javascript", ADD)]


async def test_a_taken_name_is_a_conflict() -> None:
    fakes = Fakes()
    handlers = fakes.handlers()
    await handlers.register(register())
    with pytest.raises(RequestError) as refused:
        await handlers.register(register(code="function other() {}"))
    assert (refused.value.code, refused.value.field) == ("conflict", "name")
    assert refused.value.message == "a function named 'add' already exists"
    assert len(fakes.log.events()) == 1


async def test_a_name_claimed_by_another_replica_is_a_conflict() -> None:
    fakes = Fakes()
    fakes.names.claims["add"] = "f-elsewhere"  # claimed; its event not in our read model yet
    with pytest.raises(RequestError) as refused:
        await fakes.handlers().register(register())
    assert refused.value.code == "conflict"
    assert fakes.log.events() == []


async def test_a_stale_claim_whose_function_never_appeared_is_taken_over() -> None:
    fakes = Fakes()
    fakes.names.claims["add"] = "f-died"
    fakes.names.stale.add("add")
    state = await fakes.handlers().register(register())
    assert fakes.names.claims == {"add": state.id}


async def test_code_that_does_not_compile_is_invalid_and_takes_no_name() -> None:
    fakes = Fakes()
    handlers = fakes.handlers()
    with pytest.raises(RequestError) as refused:
        await handlers.register(register(code=BROKEN))
    assert (refused.value.code, refused.value.field) == ("invalid", "code")
    assert "SyntaxError: Unexpected token ';'" in refused.value.message
    assert fakes.log.events() == [] and fakes.names.claims == {}
    assert (await handlers.register(register())).name == "add"


async def test_a_failed_append_gives_the_name_back() -> None:
    fakes = Fakes()
    handlers = fakes.handlers()
    fakes.log.fail_next = ConnectionError("nats is down")
    with pytest.raises(ConnectionError):
        await handlers.register(register())
    assert fakes.names.claims == {}
    assert (await handlers.register(register())).name == "add"


async def test_update_bumps_the_version_only_for_code_runtime_or_config() -> None:
    fakes = Fakes()
    handlers = fakes.handlers()
    fid = (await handlers.register(register())).id
    code = "function add(a, b) { return b + a; }"
    assert (await handlers.update(UpdateFunction(function_id=fid, code=code))).version == 2
    described = await handlers.update(UpdateFunction(function_id=fid, description="docs"))
    assert (described.version, described.description, described.code) == (2, "docs", code)
    patch = FunctionConfigPatch(timeout=1000)
    configured = await handlers.update(UpdateFunction(function_id=fid, config=patch))
    assert (configured.version, configured.config.timeout) == (3, 1000)
    assert (await handlers.detail(FunctionDetail(function_id=fid))) == configured
    assert [type(e) for e in fakes.log.events()] == [FunctionRegistered] + [FunctionUpdated] * 3


async def test_an_update_that_changes_nothing_appends_and_compiles_nothing() -> None:
    fakes = Fakes()
    handlers = fakes.handlers()
    state = await handlers.register(register())
    same = await handlers.update(UpdateFunction(function_id=state.id, name="add", code=ADD))
    assert same.to_dict() == state.to_dict()
    assert len(fakes.log.events()) == 1 and len(fakes.compiler.checked) == 1


async def test_new_code_that_does_not_compile_is_refused_and_nothing_changes() -> None:
    fakes = Fakes()
    handlers = fakes.handlers()
    state = await handlers.register(register())
    with pytest.raises(RequestError) as refused:
        await handlers.update(UpdateFunction(function_id=state.id, code=BROKEN))
    assert (refused.value.code, refused.value.field) == ("invalid", "code")
    assert (
        await handlers.detail(FunctionDetail(function_id=state.id))
    ).to_dict() == state.to_dict()


async def test_deactivate_then_activate() -> None:
    fakes = Fakes()
    handlers = fakes.handlers()
    fid = (await handlers.register(register())).id
    off = await handlers.deactivate(DeactivateFunction(function_id=fid))
    assert (off.status, off.version) == ("inactive", 1)
    assert [f["id"] for f in await handlers.list(FunctionList(status="inactive"))] == [fid]
    assert await handlers.list(FunctionList(status="active")) == []
    on = await handlers.activate(ActivateFunction(function_id=fid))
    assert (on.status, on.version) == ("active", 1)
    assert [type(e) for e in fakes.log.events()[1:]] == [FunctionDeactivated, FunctionActivated]


async def test_delete_frees_the_name() -> None:
    fakes = Fakes()
    handlers = fakes.handlers()
    first = await handlers.register(register())
    reply = await handlers.delete(DeleteFunction(function_id=first.id))
    assert reply == {"id": first.id, "name": "add", "deleted": True}
    assert isinstance(fakes.log.events()[-1], FunctionDeleted)
    with pytest.raises(RequestError) as gone:
        await handlers.detail(FunctionDetail(function_id=first.id))
    assert gone.value.code == "not_found"
    second = await handlers.register(register())
    assert second.id != first.id
    assert (await handlers.detail(FunctionDetail(name="add"))).to_dict() == second.to_dict()


async def test_a_rename_frees_the_old_name_and_takes_the_new_one() -> None:
    fakes = Fakes()
    handlers = fakes.handlers()
    first = await handlers.register(register())
    renamed = await handlers.update(UpdateFunction(function_id=first.id, name="plus"))
    assert (renamed.name, renamed.version) == ("plus", 1)
    assert fakes.names.claims == {"plus": first.id}
    assert (await handlers.register(register("add"))).name == "add"
    with pytest.raises(RequestError) as taken:
        await handlers.register(register("plus"))
    assert taken.value.code == "conflict"


async def test_detail_by_id_or_by_name() -> None:
    fakes = Fakes()
    handlers = fakes.handlers()
    add = await handlers.register(register("add"))
    mul = await handlers.register(register("mul", "function mul(a, b) { return a * b; }"))
    assert (await handlers.detail(FunctionDetail(function_id=add.id))).to_dict() == add.to_dict()
    assert (await handlers.detail(FunctionDetail(name="mul"))).to_dict() == mul.to_dict()
    assert [f["id"] for f in await handlers.list(FunctionList())] == [mul.id, add.id]


@pytest.mark.parametrize(
    ("query", "code", "message"),
    [
        (FunctionDetail(function_id="nope"), "not_found", "function 'nope' not found"),
        (FunctionDetail(name="nope"), "not_found", "function named 'nope' not found"),
        (FunctionDetail(), "invalid", "give functionId or name"),
    ],
)
async def test_detail_refusals(query: FunctionDetail, code: str, message: str) -> None:
    with pytest.raises(RequestError) as refused:
        await Fakes().handlers().detail(query)
    assert (refused.value.code, refused.value.message) == (code, message)


@pytest.mark.parametrize(
    ("handler", "command"),
    [
        ("update", UpdateFunction(function_id="nope", description="x")),
        ("activate", ActivateFunction(function_id="nope")),
        ("deactivate", DeactivateFunction(function_id="nope")),
        ("delete", DeleteFunction(function_id="nope")),
    ],
)
async def test_commands_on_an_unknown_function_are_not_found(handler: str, command: object) -> None:
    with pytest.raises(RequestError) as refused:
        await getattr(Fakes().handlers(), handler)(command)
    assert (refused.value.code, refused.value.message) == ("not_found", "function 'nope' not found")


async def test_a_read_model_behind_the_stream_catches_up_and_decides_again() -> None:
    fakes = Fakes()
    handlers = fakes.handlers()
    state = await handlers.register(register())
    # Another replica changed the code (version 2); our read model has not seen it.
    theirs = state.model_copy(update={"code": "function add(a, b) { return 0; }", "version": 2})
    fakes.log.write_elsewhere(
        FunctionUpdated(function_id=state.id, function=theirs, changed=["code"])
    )
    ours = await handlers.update(UpdateFunction(function_id=state.id, config={"timeout": 500}))
    assert (ours.version, ours.code, ours.config.timeout) == (3, theirs.code, 500)


async def test_a_read_model_still_behind_after_catching_up_is_a_conflict() -> None:
    fakes = Fakes()
    handlers = fakes.handlers()
    state = await handlers.register(register())
    theirs = state.model_copy(update={"description": "theirs"})
    fakes.log.write_elsewhere(
        FunctionUpdated(function_id=state.id, function=theirs, changed=["description"])
    )
    fakes.log.stuck = True
    with pytest.raises(RequestError) as refused:
        await handlers.update(UpdateFunction(function_id=state.id, description="ours"))
    assert (refused.value.code, refused.value.message) == (
        "conflict",
        "the function changed concurrently; retry",
    )


async def test_a_timeout_over_the_platforms_limit_is_invalid_on_register_and_update() -> None:
    fakes = Fakes()
    handlers = fakes.handlers(max_timeout_ms=60_000)
    with pytest.raises(RequestError) as refused:
        await handlers.register(register(config={"timeout": 60_001}))
    assert (refused.value.code, refused.value.field) == ("invalid", "config.timeout")
    assert "60000 ms" in refused.value.message and fakes.log.events() == []
    state = await handlers.register(register(config={"timeout": 60_000}))
    with pytest.raises(RequestError) as again:
        await handlers.update(UpdateFunction(function_id=state.id, config={"timeout": 90_000}))
    assert again.value.field == "config.timeout" and len(fakes.log.events()) == 1
