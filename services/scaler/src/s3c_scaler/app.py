"""Scaler composition root: the scaling loop, its history read model and queries."""

from __future__ import annotations

import contextlib
import time
from datetime import UTC, datetime
from typing import Any

from s3c_events import (
    ExecutorLoad,
    PoolScaledDown,
    PoolScaledUp,
    QueueHistory,
    ScalerStatus,
    ScalingHistory,
)
from s3c_events.scaler import SERVICE
from s3c_events.subjects import EVENTS
from s3c_runtime.projector import Projector
from s3c_runtime.service import Service

from s3c_scaler.domain.policy import Policy
from s3c_scaler.domain.waiting import WaitingRuns
from s3c_scaler.loop import ScalingLoop
from s3c_scaler.projections import HistoryProjection
from s3c_scaler.settings import ScalerSettings
from s3c_scaler.stream import JetStreamDecisionLog, JetStreamWorkQueue


def build(settings: ScalerSettings | None = None) -> Service[ScalerSettings]:
    cfg = settings or ScalerSettings()
    service = Service(SERVICE, cfg)
    policy = Policy(
        scale_up_above=cfg.scaling_threshold,
        scale_down_below=cfg.scale_down_threshold,
        scale_down_after=cfg.scale_down_time,
        max_instances=cfg.max_instances,
        step=cfg.scale_step,
        cooldown=cfg.scale_cooldown,
    )
    parts: dict[str, Any] = {}
    waiting = WaitingRuns()

    @service.broker.subscriber(ExecutorLoad.SUBJECT, title="executor load")
    async def executor_load(body: Any) -> None:
        """Each executor's runs waiting for a worker: part of the load the policy sees."""
        with contextlib.suppress(ValueError):
            load = (
                ExecutorLoad.model_validate(body)
                if isinstance(body, dict)
                else ExecutorLoad.model_validate_json(body)
            )
            waiting.report(load.executor, load.waiting, time.monotonic())

    @service.on_ready
    async def start() -> None:
        projector = Projector(service.js, service.db, HistoryProjection())
        await projector.target.create_index([("decision", -1)])
        projector.start()
        loop = ScalingLoop(
            JetStreamDecisionLog(service.js),
            JetStreamWorkQueue(service.js),
            policy,
            cfg.scale_interval,
            cfg.instances,
            cfg.scaling_enabled,
            waiting,
        )
        await loop.load()
        loop.start()
        parts.update(projector=projector, loop=loop)
        service.health_info = lambda: {
            "instances": loop.state.instances,
            "queueLength": loop.last_pending,
        }

    @service.on_stop
    async def stop() -> None:
        if "loop" in parts:
            await parts["loop"].stop()
            await parts["projector"].stop()

    async def history(query: ScalingHistory) -> list[dict[str, Any]]:
        cursor = (
            parts["projector"].target.find({}, {"_id": 0}).sort("decision", -1).limit(query.limit)
        )
        return [doc async for doc in cursor]

    async def status(_: ScalerStatus) -> dict[str, Any]:
        loop: ScalingLoop = parts["loop"]
        return {
            "instances": loop.state.instances,
            "queueLength": loop.last_pending,
            "decisions": loop.decisions,
            "enabled": loop.enabled,
            "policy": {
                "scalingThreshold": policy.scale_up_above,
                "scaleDownThreshold": policy.scale_down_below,
                "scaleDownTime": policy.scale_down_after,
                "maxInstances": policy.max_instances,
                "minInstances": policy.min_instances,
                "step": policy.step,
                "cooldown": policy.cooldown,
                "interval": cfg.scale_interval,
            },
        }

    async def queue_history(query: QueueHistory) -> list[dict[str, Any]]:
        loop: ScalingLoop = parts["loop"]
        return [
            {
                "t": datetime.fromtimestamp(s.at, UTC).isoformat().replace("+00:00", "Z"),
                "queueLength": s.queue_length,
                "instances": s.instances,
            }
            for s in loop.samples.since(time.time() - 60 * query.minutes)
        ]

    service.answer(ScalingHistory, history, "scaling decisions, newest first")
    service.answer(ScalerStatus, status, "current size, queue length and policy")
    service.answer(QueueHistory, queue_history, "recent queue depth readings, oldest first")
    service.document_events([PoolScaledUp, PoolScaledDown], f"{EVENTS}.scaling.pool.{{type}}")
    return service
