"""Scaling pays off: the same burst drains faster with the scaler on than with one fixed worker.

    uv run python bench/scaling.py [--runs 300]

Starts two stacks on free ports (scaling on, scaling off, both from one worker), queues the
same burst of 200 ms busy-loop runs on each, and prints how long each took to drain, the most
workers the OS saw, and the ratio. A timing ratio belongs here, not in a test: a busy machine
would make a timed test flaky without anything being wrong.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from helpers import Stack, poll, submit_executions  # noqa: E402

BUSY = (
    "function busy(i) { const until = Date.now() + 200; while (Date.now() < until) {} return i; }"
)
ENV = {
    "S3C_INSTANCES": "1",
    "S3C_SCALE_INTERVAL": "0.5",
    "S3C_SCALE_DOWN_TIME": "2",
    "S3C_MAX_INSTANCES": "10",
}


def drain_seconds(stack: Stack, count: int) -> float:
    with httpx.Client(base_url=stack.url, timeout=30) as api:
        fid = api.post("/api/functions", json={"name": "busy", "code": BUSY}).json()["data"]["id"]
        started = time.monotonic()
        submit_executions(stack, [(fid, [i]) for i in range(count)])

        def drained() -> bool:
            stats = api.get(f"/api/functions/{fid}/stats").json()["data"]
            return bool(stats["completed"] + stats["failed"] >= count)

        poll(drained, 600, interval=0.25, what=f"{count} runs to finish")
        return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=300)
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for label, extra in (("scaling", {}), ("fixed", {"S3C_SCALING_ENABLED": "false"})):
            stack = Stack.create(Path(tmp) / label, **ENV, **extra).start()
            try:
                results[label] = drain_seconds(stack, args.runs)
            finally:
                stack.stop()
            print(f"{label:8} burst of {args.runs}: drained in {results[label]:.1f} s")
    print(f"scaling / fixed = {results['scaling'] / results['fixed']:.2f}")


if __name__ == "__main__":
    main()
