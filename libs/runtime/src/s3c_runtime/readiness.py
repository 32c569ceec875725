"""Whether a service's read models are current: each of its projectors is "ok", "stuck" (its
batches keep failing while the stream holds more) or "lagging" (the stream is ahead of it for too
long), with its position, its lag and the events parked. Parked events do not make a service
unready: they were dealt with."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

from nats.js import JetStreamContext
from nats.js.errors import NotFoundError
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from pymongo.asynchronous.database import AsyncDatabase

from s3c_runtime.mongo import Doc
from s3c_runtime.poison import parked_counts
from s3c_runtime.projector import Projector
from s3c_runtime.settings import env


class ProjectionLimits(BaseSettings):
    """When a projection stops being "ok"."""

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    # Seconds a projection may fail, or leave an event unapplied, before it is not ready.
    stuck_after: float = Field(30.0, validation_alias=env("PROJECTION_STUCK_AFTER"))
    # Events a projection may be behind its stream (for longer than `stuck_after`).
    lag_limit: int = Field(10_000, validation_alias=env("PROJECTION_LAG_LIMIT"))


async def _lag(js: JetStreamContext, stream: str, subject: str, checkpoint: int) -> int:
    """Stream sequences from the checkpoint to the newest event on `subject`, not counting
    those the stream no longer holds (purged, or past its limits)."""
    try:
        newest = (await js.get_last_msg(stream, subject)).seq or 0
    except NotFoundError:
        return 0
    if newest <= checkpoint:
        return 0
    first = (await js.stream_info(stream)).state.first_seq
    return newest - max(checkpoint, first - 1)


async def _oldest_unapplied(
    js: JetStreamContext, stream: str, subject: str, after: int, now: float
) -> float:
    """Seconds since the first event on `subject` after sequence `after` was stored."""
    try:
        msg = await js.get_msg(stream, seq=after + 1, subject=subject, next=True)
    except NotFoundError:
        return 0.0
    return now - msg.time.timestamp() if msg.time is not None else 0.0


@dataclass
class Readiness:
    """The projectors of one service process, and how long each has been over the lag limit."""

    limits: ProjectionLimits
    projectors: list[Projector] = field(default_factory=list)
    _over_limit_since: dict[str, float] = field(default_factory=dict)

    async def _one(
        self, projector: Projector, js: JetStreamContext, parked: int, now: float
    ) -> dict[str, Any]:
        spec = projector.projection
        checkpoint = await projector.checkpoint()
        lag = await _lag(js, spec.stream.name, spec.filter_subject, checkpoint)
        report: dict[str, Any] = {
            "status": "ok",
            "checkpoint": checkpoint,
            "lag": lag,
            "parked": parked,
        }
        if lag > self.limits.lag_limit:
            self._over_limit_since.setdefault(spec.name, now)
        else:
            self._over_limit_since.pop(spec.name, None)
        if lag == 0:
            return report
        limit = self.limits.stuck_after
        failing = projector.failing_since
        waiting = await _oldest_unapplied(
            js, spec.stream.name, spec.filter_subject, checkpoint, now
        )
        over = now - self._over_limit_since.get(spec.name, now)
        if failing is not None and now - failing > limit:
            report["status"] = "stuck"
            report["reason"] = (
                f"{lag} events behind; batches failing for {now - failing:.0f} s: "
                f"{projector.last_error}"
            )
        elif waiting > limit:
            report["status"] = "lagging"
            report["reason"] = f"{lag} events behind; the oldest waits for {waiting:.0f} s"
        elif over > limit:
            report["status"] = "lagging"
            report["reason"] = (
                f"{lag} events behind (over {self.limits.lag_limit}) for {over:.0f} s"
            )
        return report

    async def report(self, db: AsyncDatabase[Doc], js: JetStreamContext) -> dict[str, Any]:
        """`{projections: {name: {status, checkpoint, lag, parked[, reason]}}, parked, problems}`;
        `problems` names each projection that is not "ok"."""
        now = time.time()
        parked = await parked_counts(db)
        found = await asyncio.gather(
            *(self._one(p, js, parked.get(p.projection.name, 0), now) for p in self.projectors)
        )
        projections = {p.projection.name: r for p, r in zip(self.projectors, found, strict=True)}
        problems = [
            f"{name} {r['status']}: {r['reason']}"
            for name, r in projections.items()
            if r["status"] != "ok"
        ]
        return {
            "projections": projections,
            "parked": sum(parked.values()),
            "problems": problems,
        }
