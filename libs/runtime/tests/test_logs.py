"""JSON log lines through structlog: a service's own lines, the DEBUG switch, library loggers."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import faststream  # noqa: F401  (its "faststream" logger gets a handler of its own on import)
import pytest
import structlog
from s3c_runtime.logs import FIRST_KEYS, OWN_HANDLERS, setup_logging
from s3c_runtime.settings import RuntimeSettings


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    level = root.level
    libraries = [logging.getLogger(name) for name in OWN_HANDLERS]
    saved = [(lib.handlers[:], lib.propagate, lib.level) for lib in libraries]
    yield
    for handler in root.handlers[:]:
        if isinstance(handler.formatter, structlog.stdlib.ProcessorFormatter):
            root.removeHandler(handler)
    root.setLevel(level)
    for lib, (handlers, propagate, lib_level) in zip(libraries, saved, strict=True):
        lib.handlers[:], lib.propagate = handlers, propagate
        lib.setLevel(lib_level)
    structlog.reset_defaults()


def lines(capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    return [json.loads(line) for line in capsys.readouterr().err.splitlines()]


def test_a_service_line_is_one_json_object_with_the_fixed_keys_and_the_extras(
    capsys: pytest.CaptureFixture[str],
) -> None:
    setup_logging("scaler")
    logging.getLogger("s3c.scaler").info(
        "scaled", extra={"fields": {"action": "up", "instances": 3, "pending": 12}}
    )
    [line] = lines(capsys)
    assert list(line)[: len(FIRST_KEYS)] == list(FIRST_KEYS)
    assert line == {
        "ts": line["ts"],
        "level": "INFO",
        "service": "scaler",
        "logger": "s3c.scaler",
        "msg": "scaled",
        "action": "up",
        "instances": 3,
        "pending": 12,
    }
    assert datetime.fromisoformat(line["ts"]).utcoffset() is not None  # UTC, zone written


def test_structlog_loggers_and_exceptions_come_out_alike(
    capsys: pytest.CaptureFixture[str],
) -> None:
    log = setup_logging("executor")
    log.info("pool resized", workers=4)
    try:
        raise KeyError("boom")
    except KeyError:
        logging.getLogger("s3c.rpc").exception("request failed: %s", "FunctionDetail")
    first, second = lines(capsys)
    assert first["logger"] == "s3c.executor" and first["service"] == "executor"
    assert first["msg"] == "pool resized" and first["workers"] == 4
    assert second["level"] == "ERROR" and second["msg"] == "request failed: FunctionDetail"
    assert "KeyError: 'boom'" in second["exc"]


@pytest.mark.parametrize("name", ["uvicorn.error", "faststream", "nats.aio.client"])
def test_library_loggers_come_out_as_json_too(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    setup_logging("gateway")
    logging.getLogger(name).warning("Started server process [%d]", 42)
    [line] = lines(capsys)
    assert line["logger"] == name and line["service"] == "gateway"
    assert line["level"] == "WARNING" and line["msg"] == "Started server process [42]"


@pytest.mark.parametrize(
    ("env", "debug_shown", "info_shown"),
    [
        ({}, False, True),
        ({"DEBUG": "true"}, True, True),
        ({"DEBUG": "true", "LOG_LEVEL": "WARNING"}, True, True),  # the switch wins
        ({"S3C_LOG_LEVEL": "warning"}, False, False),
        ({"LOG_LEVEL": "DEBUG"}, True, True),
        ({"DEBUG": "vite:*"}, False, True),  # node's DEBUG patterns neither switch nor crash
    ],
)
def test_debug_switch_and_log_level(
    env: dict[str, str],
    debug_shown: bool,
    info_shown: bool,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("DEBUG", "S3C_DEBUG", "LOG_LEVEL", "S3C_LOG_LEVEL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings = RuntimeSettings()
    log = setup_logging("billing", settings.log_level, debug=settings.debug)
    logging.getLogger("s3c.billing").debug("stdlib detail")
    log.debug("structlog detail")
    log.info("charged")
    shown = [line["msg"] for line in lines(capsys)]
    debug = ["stdlib detail", "structlog detail"] if debug_shown else []
    assert shown == debug + (["charged"] if info_shown else [])
