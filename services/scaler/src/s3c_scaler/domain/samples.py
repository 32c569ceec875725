"""The recent work-queue depth readings, in memory and bounded (the dashboard's queue chart)."""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

KEEP_SECONDS = 15 * 60  # how far back the readings go
MAX_SAMPLES = 3600  # a bound whatever the interval


@dataclass(frozen=True)
class Sample:
    at: float  # seconds since the epoch
    queue_length: int
    instances: int


class QueueSamples:
    """The last readings, oldest first: enough for `KEEP_SECONDS` at the scaling interval, at
    most `MAX_SAMPLES`."""

    def __init__(self, interval: float, keep_seconds: float = KEEP_SECONDS) -> None:
        size = math.ceil(keep_seconds / interval) if interval > 0 else MAX_SAMPLES
        self._ring: deque[Sample] = deque(maxlen=max(1, min(MAX_SAMPLES, size)))

    def add(self, sample: Sample) -> None:
        self._ring.append(sample)

    def since(self, start: float) -> list[Sample]:
        """The readings taken at or after `start`, oldest first."""
        return [s for s in self._ring if s.at >= start]

    def __len__(self) -> int:
        return len(self._ring)
