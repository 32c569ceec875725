"""The RPC adapter on FastStream's in-memory broker: replies for good and bad requests."""

from __future__ import annotations

import json

from faststream.nats import NatsBroker, TestNatsBroker
from s3c_events import FunctionDetail
from s3c_runtime.rpc import RequestError, rpc


def build() -> NatsBroker:
    broker = NatsBroker(apply_types=False)

    async def handler(query: FunctionDetail) -> dict[str, str]:
        if query.function_id == "missing":
            raise RequestError("not_found", "function 'missing' not found")
        if query.function_id == "bug":
            raise KeyError("a fault of ours")
        return {"id": query.function_id or "", "name": query.name or ""}

    broker.subscriber(FunctionDetail.SUBJECT)(rpc(FunctionDetail)(handler))
    return broker


async def ask(broker: NatsBroker, payload: bytes) -> dict:
    msg = await broker.request(payload, FunctionDetail.SUBJECT, timeout=3)
    return json.loads(msg.body)


async def test_success_and_refusals() -> None:
    broker = build()
    async with TestNatsBroker(broker) as br:
        assert await ask(br, b'{"functionId": "f1"}') == {
            "ok": True,
            "data": {"id": "f1", "name": ""},
        }
        missing = await ask(br, b'{"functionId": "missing"}')
        assert missing["ok"] is False and missing["error"]["code"] == "not_found"
        bad_type = await ask(br, b'{"functionId": 5}')
        assert bad_type["error"] == {
            "code": "invalid",
            "message": "functionId: Input should be a valid string",
            "field": "functionId",
        }
        assert (await ask(br, b"{nope"))["error"]["code"] == "invalid"
        assert (await ask(br, b"[1]"))["error"][
            "message"
        ] == "the request body must be a JSON object"
        fault = await ask(br, b'{"functionId": "bug"}')  # answered at once, not left to time out
        assert fault["error"] == {
            "code": "unavailable",
            "message": "FunctionDetail failed: KeyError",
            "field": None,
        }
