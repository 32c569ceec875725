"""Benchmarks: our function URL and sync invoke vs. the seed's engine, on this machine, in one run.

    make bench            (or: uv run python bench/run.py [--duration 10])

Starts the embedded stack on free ports with a fresh data folder, registers `add`, and drives
closed-loop HTTP/1.1 keep-alive load with h2load (Debian nghttp2-client; installed if missing)
at concurrency 1 and 50. Latency percentiles are nearest-rank over every request (h2load's log).
Cold start: a new function's first call on a warm worker vs. its second call.
The seed baseline (bench/seed_engine.js: a new worker_threads Worker per execution, at most 10
at once) takes the same load. Prints figures and our/seed ratios. Traffic stays on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from helpers import Stack, poll  # noqa: E402
from s3c_cli.processes import free_port  # noqa: E402

BODY = b'{"a":1,"b":2}'


def ensure_h2load() -> str:
    found = shutil.which("h2load")
    if found:
        return found
    subprocess.run(["apt-get", "update", "-qq"], check=False)
    subprocess.run(["apt-get", "install", "-y", "-qq", "nghttp2-client"], check=True)
    return shutil.which("h2load") or "h2load"


def load(url: str, conc: int, duration: float, tmp: Path) -> dict[str, float]:
    body = tmp / "body.json"
    body.write_bytes(BODY)
    log = tmp / f"h2-{conc}.log"
    log.unlink(missing_ok=True)
    cmd = [ensure_h2load(), "--h1", "-t1", f"-c{conc}", "-D", str(int(duration)), "-d", str(body),
           "-H", "content-type:application/json", "--log-file", str(log), url]  # fmt: skip
    subprocess.run(cmd, check=True, capture_output=True, timeout=duration + 60)
    rows = [line.split("\t") for line in log.read_text().splitlines() if line.strip()]
    ok = [int(r[2]) / 1000 for r in rows if r[1] == "200"]  # duration column is in us
    bad = len(rows) - len(ok)
    ok.sort()

    def rank(p: float) -> float:
        return ok[max(0, int(len(ok) * p + 0.999999) - 1)] if ok else float("nan")

    return {
        "rps": len(ok) / duration,
        "p50": rank(0.50),
        "p99": rank(0.99),
        "n": len(ok),
        "bad": bad,
    }


def cold_start(stack: Stack, api: httpx.Client, n: int = 30) -> tuple[float, float]:
    firsts, seconds = [], []
    for i in range(n):
        name = f"cold-{i}-{int(time.time() * 1000)}"
        api.post(
            "/api/functions",
            json={"name": name, "code": f"function f{i}(a, b) {{ return a + b + {i}; }}"},
        )
        t = time.perf_counter()
        api.post(f"/fn/{name}", content=BODY)
        firsts.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        api.post(f"/fn/{name}", content=BODY)
        seconds.append((time.perf_counter() - t) * 1000)
    return statistics.median(firsts), statistics.median(seconds)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=int, default=10, help="seconds per load level")
    parser.add_argument("--warmup", type=int, default=3)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="s3c-bench-"))
    results: dict[tuple[str, int], dict[str, float]] = {}
    stack = Stack.create(tmp / "stack").start()
    seed = None
    try:
        with httpx.Client(base_url=stack.url, timeout=30) as api:
            fn = api.post(
                "/api/functions",
                json={"name": "add", "code": "function add(a, b) { return a + b; }"},
            ).json()["data"]
            assert api.post("/fn/add", content=BODY).json() == 3
            targets = {
                "ours /fn/add": f"{stack.url}/fn/add",
                "ours invoke": f"{stack.url}/api/functions/{fn['id']}/invoke",
            }
            load(targets["ours /fn/add"], 10, args.warmup, tmp)
            for label, url in targets.items():
                for conc in (1, 50):
                    results[(label, conc)] = load(url, conc, args.duration, tmp)
            cold, warm = cold_start(stack, api)
        port = free_port()
        seed = subprocess.Popen(["node", str(ROOT / "bench" / "seed_engine.js")], env={"PORT": str(port), "PATH": "/usr/bin:/bin:/usr/local/bin"},
                                stdout=subprocess.DEVNULL)  # fmt: skip
        seed_url = f"http://127.0.0.1:{port}/fn/add"
        poll(
            lambda: httpx.post(seed_url, content=BODY, timeout=5).json() == 3,
            20,
            what="the seed engine",
        )
        load(seed_url, 10, args.warmup, tmp)
        for conc in (1, 50):
            results[("seed engine", conc)] = load(seed_url, conc, args.duration, tmp)
    finally:
        if seed:
            seed.terminate()
        stack.stop()
        shutil.rmtree(tmp, ignore_errors=True)

    print(f"{'target':<16}{'conc':>5}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'n':>8}{'bad':>5}")
    for (label, conc), r in results.items():
        print(
            f"{label:<16}{conc:>5}{r['rps']:>10.0f}{r['p50']:>9.2f}{r['p99']:>9.2f}{r['n']:>8.0f}{r['bad']:>5.0f}"
        )
    print(
        f"\ncold start (new function on a warm worker): first call {cold:.2f} ms, second {warm:.2f} ms, cost {cold - warm:.2f} ms"
    )
    seed1, seed50 = results[("seed engine", 1)], results[("seed engine", 50)]
    ours1, ours50 = results[("ours /fn/add", 1)], results[("ours /fn/add", 50)]
    print("\nratios (ours /fn/add vs seed engine):")
    print(
        f"  throughput c=50: {ours50['rps'] / seed50['rps']:.1f}x   (target >= 2,000 req/s: {'met' if ours50['rps'] >= 2000 else 'missed'})"
    )
    print(
        f"  p50 latency c=1: {seed1['p50'] / ours1['p50']:.1f}x lower   (target <= 2 ms: {'met' if ours1['p50'] <= 2 else 'missed'})"
    )
    print(
        f"  cold start cost {cold - warm:.2f} ms   (target <= 5 ms over warm: {'met' if cold - warm <= 5 else 'missed'})"
    )
    print(json.dumps({f"{k[0]}@{k[1]}": v for k, v in results.items()}))


if __name__ == "__main__":
    main()
