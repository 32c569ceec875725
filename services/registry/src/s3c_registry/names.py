"""Name reservations: a name is claimed in a JetStream key-value bucket before a function may
take it. `create` is atomic across processes, so two registry replicas can never both accept
one name; the read-model check alone only holds within one process. Names are unique per owner:
the key is the owner's name (`domain.functions.name_key`)."""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable

from nats.js import JetStreamContext
from nats.js.errors import (
    BucketNotFoundError,
    KeyNotFoundError,
    KeyWrongLastSequenceError,
    NotFoundError,
)
from nats.js.kv import KeyValue

from s3c_registry.domain.functions import Rejected, name_key

BUCKET = "s3c_function_names"
# A claim whose function never appeared (its registry died between claim and publish) may be
# taken over after this long.
STALE_AFTER_S = 30.0


class NameReservations:
    def __init__(self, js: JetStreamContext) -> None:
        self.js = js
        self.kv: KeyValue | None = None

    async def open(self) -> None:
        try:
            self.kv = await self.js.key_value(BUCKET)
        except (BucketNotFoundError, NotFoundError):
            self.kv = await self.js.create_key_value(bucket=BUCKET, history=1)

    async def claim(
        self,
        owner: str,
        name: str,
        function_id: str,
        holds: Callable[[str, str], Awaitable[bool]],
    ) -> None:
        """Claim `owner`'s `name` for `function_id`, or raise a conflict if another function
        holds it. `holds(function_id, name)` says whether that function really has it now."""
        assert self.kv is not None
        key = name_key(owner, name)
        claim = json.dumps({"functionId": function_id, "at": time.time()}).encode()
        entry = None
        for _ in range(5):  # create, or read the holder; a release in between means try again
            try:
                await self.kv.create(key, claim)
                return
            except KeyWrongLastSequenceError:
                pass
            try:
                entry = await self.kv.get(key)
                break
            except KeyNotFoundError:
                continue
        if entry is None:
            raise Rejected(
                "conflict", f"the name '{name}' is being taken and released; try again", "name"
            )
        holder = json.loads(entry.value or b"{}")
        if holder.get("functionId") == function_id:
            return
        fresh = time.time() - float(holder.get("at", 0)) < STALE_AFTER_S
        if fresh or await holds(str(holder.get("functionId")), name):
            raise Rejected("conflict", f"a function named '{name}' already exists", "name")
        try:
            await self.kv.update(key, claim, last=entry.revision)
        except KeyWrongLastSequenceError:
            raise Rejected(
                "conflict", f"a function named '{name}' already exists", "name"
            ) from None

    async def release(self, owner: str, name: str, function_id: str) -> None:
        """Give `owner`'s `name` up, if `function_id` holds it."""
        assert self.kv is not None
        key = name_key(owner, name)
        try:
            entry = await self.kv.get(key)
        except KeyNotFoundError:
            return
        if json.loads(entry.value or b"{}").get("functionId") == function_id:
            try:
                await self.kv.delete(key, last=entry.revision)
            except KeyWrongLastSequenceError:
                pass
