"""Where the tests' NATS and store come from: containers when a Docker engine answers (or
S3C_TEST_DOCKER=1), else the embedded nats-server and nx-27017; and how that is found out."""

from __future__ import annotations

import asyncio
import json
import socket
import socketserver
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import nats
import pytest
from helpers import (
    DOCKER_SWITCH,
    Servers,
    containers_in_use,
    docker_answers,
    docker_engine,
    want_containers,
)
from nats.errors import NoRespondersError
from nats.js.errors import ServiceUnavailableError
from pymongo import MongoClient
from s3c_cli.processes import port_open


def engine_never_asked() -> bool:
    raise AssertionError("the engine was asked although the switch was set")


@pytest.mark.unit
def test_the_switch_at_1_takes_containers_without_asking_the_engine() -> None:
    assert want_containers({DOCKER_SWITCH: "1"}, engine_never_asked) is True


@pytest.mark.unit
def test_the_switch_at_0_takes_the_embedded_servers_even_where_an_engine_answers() -> None:
    assert want_containers({DOCKER_SWITCH: "0"}, engine_never_asked) is False
    assert want_containers({DOCKER_SWITCH: "0"}, lambda: True) is False


@pytest.mark.unit
@pytest.mark.parametrize("answers", [True, False])
def test_without_the_switch_the_engine_decides(answers: bool) -> None:
    assert want_containers({}, lambda: answers) is answers
    assert want_containers({DOCKER_SWITCH: " "}, lambda: answers) is answers


@pytest.mark.unit
def test_any_other_switch_value_is_refused() -> None:
    with pytest.raises(ValueError, match=DOCKER_SWITCH):
        want_containers({DOCKER_SWITCH: "yes"}, lambda: True)


class FakeEngine(BaseHTTPRequestHandler):
    """The two calls a Docker client makes to ping an engine: its API version, then /_ping."""

    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        if self.path == "/version":
            self.reply("application/json", json.dumps({"ApiVersion": "1.44", "Version": "fake"}))
        elif self.path.endswith("/_ping"):
            self.reply("text/plain", "OK")
        else:
            self.send_error(404)

    def reply(self, kind: str, body: str) -> None:
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def address_string(self) -> str:  # a unix socket's peer has no address
        return "unix"

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def engine_socket(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A socket path that DOCKER_HOST points at (nothing listens there yet)."""
    path = tmp_path / "docker.sock"
    monkeypatch.setenv("DOCKER_HOST", f"unix://{path}")
    return path


@pytest.fixture
def answering_engine(engine_socket: Path) -> Iterator[Path]:
    server = socketserver.ThreadingUnixStreamServer(str(engine_socket), FakeEngine)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield engine_socket
    server.shutdown()
    server.server_close()


@pytest.fixture
def silent_engine(engine_socket: Path) -> Iterator[Path]:
    """A socket that takes connections and never says a word."""
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(engine_socket))
    listener.listen(8)
    yield engine_socket
    listener.close()


@pytest.mark.unit
def test_no_engine_behind_the_socket_means_no_containers(engine_socket: Path) -> None:
    assert docker_answers(timeout=1.0) is False


@pytest.mark.unit
def test_an_engine_that_answers_the_ping_is_found(answering_engine: Path) -> None:
    assert docker_answers(timeout=1.0) is True


@pytest.mark.unit
def test_an_engine_that_never_answers_is_given_up_within_the_timeout(silent_engine: Path) -> None:
    began = time.monotonic()
    assert docker_answers(timeout=0.5) is False
    # The bound is the probe's own (0.5 s, plus 1 s for the thread), with room for a busy machine.
    assert time.monotonic() - began < 5


@pytest.mark.integration
def test_without_containers_the_servers_are_embedded_processes(tmp_path: Path) -> None:
    started = Servers.choose(tmp_path, containers=False)
    try:
        assert started.containers == []
        assert [proc.poll() for proc in started.processes] == [None, None]
        for url in (started.nats_url, started.mongodb_uri):
            host, port = url.split("://")[1].rsplit(":", 1)
            assert port_open(host, int(port)), url
    finally:
        started.stop()
    assert all(proc.poll() is not None for proc in started.processes)


def test_the_sessions_servers_and_docker_marker_follow_the_choice(
    servers: Servers, request: pytest.FixtureRequest
) -> None:
    chosen = containers_in_use()
    assert bool(servers.containers) is chosen
    assert bool(servers.processes) is not chosen
    assert (request.node.get_closest_marker("docker") is not None) is chosen


@pytest.mark.integration
@pytest.mark.docker
@pytest.mark.timeout(600)  # the first run pulls nats:2.11 and mongo:7
def test_containers_serve_nats_with_jetstream_and_mongodb() -> None:
    if not docker_engine():
        pytest.skip("no Docker engine answers here: the container path needs one")
    from testcontainers.core.docker_client import DockerClient

    started = Servers.from_containers()
    try:
        ids = [container.get_container_id() for container in started.containers]

        async def jetstream_on() -> bool:
            nc = await nats.connect(started.nats_url)
            try:
                await nc.jetstream().account_info()  # only a JetStream server answers this
                return True
            except (NoRespondersError, ServiceUnavailableError):
                return False
            finally:
                await nc.close()

        assert asyncio.run(jetstream_on())
        client: MongoClient[dict[str, Any]] = MongoClient(
            started.mongodb_uri, serverSelectionTimeoutMS=10_000
        )
        with client:
            client["choice"]["probe"].insert_one({"_id": "a", "v": 1})
            assert client["choice"]["probe"].find_one({"_id": "a"}) == {"_id": "a", "v": 1}
    finally:
        started.stop()
    engine = DockerClient().client
    for container_id in ids:
        assert not engine.containers.list(all=True, filters={"id": container_id})
