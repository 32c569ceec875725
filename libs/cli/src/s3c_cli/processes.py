"""Child processes of the embedded stack: how to start each server, and a supervisor that keeps
them running, restarts a crashed one and stops them all cleanly."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

SERVICES = ("registry", "executor", "billing", "scaler", "gateway")
STORE_SERVICES = tuple(s for s in SERVICES if s != "gateway")  # the four with read models


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def port_open(host: str, port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex((host, port)) == 0


def wait_for(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.05)


def tool(name: str) -> str:
    """A console script installed beside this interpreter (the venv's bin), else on PATH."""
    local = Path(sys.executable).parent / name
    if local.exists():
        return str(local)
    found = shutil.which(name)
    if not found:
        raise FileNotFoundError(f"{name} is not installed: run `make up` (it runs `uv sync`)")
    return found


def nats_command(port: int, data_dir: Path, config: Path | None = None) -> list[str]:
    """nats-server on loopback with JetStream in `data_dir`; `config` adds its users."""
    options = ["-c", str(config)] if config is not None else []
    return [
        tool("nats-server"), *options,
        "-a", "127.0.0.1", "-p", str(port), "-js", "-sd", str(data_dir),
    ]  # fmt: skip


def store_command(port: int, data_dir: Path) -> list[str]:
    return [
        tool("nx-27017"),
        "--data-dir", str(data_dir),
        "--host", "127.0.0.1",
        "-p", str(port),
        "--log-file", str(data_dir / "nx-27017.log"),
        "--pid-file", str(data_dir / "nx-27017.pid"),
    ]  # fmt: skip


def service_command(name: str) -> list[str]:
    return [sys.executable, "-m", f"s3c_{name}"]


@dataclass
class Child:
    name: str
    command: list[str]
    env: dict[str, str] = field(default_factory=dict)
    restart: bool = True
    layer: int = 1  # 0: servers the services need; stopped after every layer-1 child
    log_file: Path | None = None  # a chatty child writes here instead of our output
    process: subprocess.Popen[bytes] | None = None
    restarts: int = 0
    started_at: float = 0.0

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None


class Supervisor:
    """Runs children, prefixes their output with their name, restarts any that dies."""

    def __init__(self, out: IO[str] | None = None, run_dir: Path | None = None) -> None:
        self.children: list[Child] = []
        self.run_dir = run_dir  # <run_dir>/<name>.pid holds each child's current pid
        self.out = out or sys.stdout
        self.stopping = False
        self._lock = threading.Lock()

    def _pump(self, child: Child, stream: IO[bytes]) -> None:
        width = max(len(c.name) for c in self.children) if self.children else 8
        for raw in iter(stream.readline, b""):
            line = raw.decode(errors="replace").rstrip()
            with self._lock:
                self.out.write(f"{child.name:>{width}} | {line}\n")
                self.out.flush()

    def start(self, child: Child) -> Child:
        env = {**os.environ, **child.env, "PYTHONUNBUFFERED": "1"}
        sink: IO[bytes] | int = subprocess.PIPE
        if child.log_file is not None:
            sink = child.log_file.open("ab")
        child.process = subprocess.Popen(
            child.command,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # Ctrl-C reaches us only; we stop children in order
        )
        child.started_at = time.monotonic()
        if self.run_dir is not None:
            self.run_dir.mkdir(parents=True, exist_ok=True)
            (self.run_dir / f"{child.name}.pid").write_text(str(child.process.pid))
        if child not in self.children:
            self.children.append(child)
        if child.process.stdout is not None:
            threading.Thread(
                target=self._pump, args=(child, child.process.stdout), daemon=True
            ).start()
        return child

    def check(self) -> None:
        """Restart children that exited (with a growing pause if they keep crashing)."""
        for child in self.children:
            proc = child.process
            if self.stopping or proc is None or proc.poll() is None or not child.restart:
                continue
            pause = min(5.0, 0.25 * 2 ** min(child.restarts, 5))
            if time.monotonic() - child.started_at < pause:
                continue
            child.restarts += 1
            self.log(f"{child.name} exited with {proc.returncode}; restarting (#{child.restarts})")
            self.start(child)

    def log(self, message: str) -> None:
        with self._lock:
            self.out.write(f"s3c | {message}\n")
            self.out.flush()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop services first (all at once), then the servers they use."""
        self.stopping = True
        for layer in sorted({c.layer for c in self.children}, reverse=True):
            running = [
                c.process
                for c in self.children
                if c.layer == layer and c.process is not None and c.process.poll() is None
            ]
            for proc in running:
                proc.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + timeout
            for proc in running:
                try:
                    proc.wait(max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
