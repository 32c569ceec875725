"""The registry's command and query subscribers on FastStream's in-memory broker, over in-memory
fakes: the composition root binds the handlers to the `Deps` it is given."""

from __future__ import annotations

import json
from typing import Any

from faststream.nats import NatsBroker, TestNatsBroker
from pydantic import BaseModel
from registry_fakes import ADD, BROKEN, Fakes
from s3c_events import (
    DeactivateFunction,
    DeleteFunction,
    FunctionDetail,
    FunctionList,
    RegisterFunction,
    UpdateFunction,
)
from s3c_registry.app import build


async def ask(broker: NatsBroker, model: type[BaseModel], payload: dict[str, Any]) -> Any:
    msg = await broker.request(json.dumps(payload).encode(), model.SUBJECT, timeout=3)  # type: ignore[attr-defined]
    return json.loads(msg.body)


async def test_a_function_s_life_through_the_subscribers() -> None:
    fakes = Fakes()
    async with TestNatsBroker(build(deps=fakes.deps()).broker) as br:
        created = await ask(br, RegisterFunction, {"name": "add", "code": ADD})
        assert created["ok"], created
        fn = created["data"]
        assert (fn["name"], fn["version"], fn["status"]) == ("add", 1, "active")
        assert fn["config"] == {"timeout": 30000, "retryCount": 3, "auth": "key"}

        again = await ask(br, RegisterFunction, {"name": "add", "code": ADD})
        assert again == {
            "ok": False,
            "data": None,
            "error": {
                "code": "conflict",
                "message": "a function named 'add' already exists",
                "field": "name",
            },
        }

        updated = await ask(
            br, UpdateFunction, {"functionId": fn["id"], "config": {"retryCount": 0}}
        )
        assert (updated["data"]["version"], updated["data"]["config"]["retryCount"]) == (2, 0)
        off = await ask(br, DeactivateFunction, {"functionId": fn["id"]})
        assert off["data"]["status"] == "inactive"
        by_name = await ask(br, FunctionDetail, {"name": "add"})
        assert by_name["data"] == off["data"]
        listed = await ask(br, FunctionList, {"status": "inactive"})
        assert [f["id"] for f in listed["data"]] == [fn["id"]]

        deleted = await ask(br, DeleteFunction, {"functionId": fn["id"]})
        assert deleted["data"] == {"id": fn["id"], "name": "add", "deleted": True}
        gone = await ask(br, FunctionDetail, {"functionId": fn["id"]})
        assert gone["error"]["code"] == "not_found"
        assert (await ask(br, RegisterFunction, {"name": "add", "code": ADD}))["ok"]


async def test_refusals_name_the_field() -> None:
    async with TestNatsBroker(build(deps=Fakes().deps()).broker) as br:
        broken = await ask(br, RegisterFunction, {"name": "add", "code": BROKEN})
        assert broken["error"]["code"] == "invalid" and broken["error"]["field"] == "code"
        assert "SyntaxError" in broken["error"]["message"]
        bad_name = await ask(br, RegisterFunction, {"name": "no spaces", "code": ADD})
        assert bad_name["error"]["code"] == "invalid" and bad_name["error"]["field"] == "name"
        neither = await ask(br, FunctionDetail, {})
        assert neither["error"] == {
            "code": "invalid",
            "message": "give functionId or name",
            "field": "functionId",
        }


async def test_before_start_up_a_command_is_refused_at_once() -> None:
    async with TestNatsBroker(build().broker) as br:  # nothing bound: no connections yet
        reply = await ask(br, RegisterFunction, {"name": "add", "code": ADD})
        assert reply["error"]["code"] == "unavailable"
