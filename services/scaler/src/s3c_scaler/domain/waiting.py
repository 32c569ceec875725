"""Runs waiting for a free worker inside the executors, from their load reports, pure.

A sync invoke does not go through the work queue: when every worker is busy it waits in its
executor's pool, and the queue's depth never shows it. Each executor reports its waiting runs
every second (`ExecutorLoad`); the scaler adds the fresh reports to the queue's depth. A report
older than `fresh_for` seconds is from an executor that stopped: it counts for nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class WaitingRuns:
    fresh_for: float = 3.0
    _reports: dict[str, tuple[float, int]] = field(default_factory=dict)

    def report(self, executor: str, waiting: int, at: float) -> None:
        last = self._reports.get(executor)
        if last is None or at >= last[0]:
            self._reports[executor] = (at, max(0, waiting))

    def total(self, now: float) -> int:
        for executor, (at, _) in list(self._reports.items()):
            if now - at > self.fresh_for:
                del self._reports[executor]
        return sum(waiting for _, waiting in self._reports.values())
