"""Structured logging: structlog renders one JSON object a line, tagged with the service name."""

from __future__ import annotations

import logging
import sys

import structlog
from structlog.typing import EventDict, Processor, WrappedLogger

# Every line starts with these, in this order; the caller's extras and `exc` follow.
FIRST_KEYS = ("ts", "level", "service", "logger", "msg")
# Libraries whose loggers bring a handler of their own on import (faststream: coloured text,
# no propagation): their lines go to the root handler like everyone else's.
# Libraries that may have put handlers of their own on their loggers (uvicorn's default config
# does, on `uvicorn`, `uvicorn.error` and `uvicorn.access`, without propagation): ours replace them.
OWN_HANDLERS = ("faststream", "uvicorn", "uvicorn.error", "uvicorn.access")


def _tag(service: str) -> Processor:
    def add_service(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
        event_dict["service"] = service
        return event_dict

    return add_service


def _lift_fields(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    # Stdlib callers pass their extras as `log.info(msg, extra={"fields": {...}})`.
    fields = getattr(event_dict.get("_record"), "fields", None)
    if isinstance(fields, dict):
        event_dict.update(fields)
    return event_dict


def _shape(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    # The keys and spellings of the lines before structlog: `INFO`, `exc`, the fixed keys first.
    if "level" in event_dict:
        event_dict["level"] = event_dict["level"].upper()
    if "exception" in event_dict:
        event_dict["exc"] = event_dict.pop("exception")
    first = {key: event_dict.pop(key) for key in FIRST_KEYS if key in event_dict}
    return {**first, **event_dict}


def setup_logging(
    service: str, level: str = "INFO", *, debug: bool = False
) -> structlog.stdlib.BoundLogger:
    """Send every log line, structlog's and stdlib's (uvicorn, faststream, nats), to stderr as
    JSON. `debug` (the seed's `DEBUG=true`) lowers the level to DEBUG whatever `level` says."""
    formatter = structlog.stdlib.ProcessorFormatter(
        processors=[
            structlog.stdlib.add_log_level,
            structlog.stdlib.add_logger_name,
            structlog.processors.TimeStamper(fmt="iso", utc=True, key="ts"),
            _tag(service),
            _lift_fields,
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            structlog.processors.EventRenamer("msg"),
            _shape,
            structlog.processors.JSONRenderer(default=str),
        ],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel("DEBUG" if debug else level.upper())
    for name in OWN_HANDLERS:
        library = logging.getLogger(name)
        library.handlers.clear()
        library.propagate = True
        library.setLevel(logging.NOTSET)
    # structlog's own loggers hand their event dicts to the same handler; the formatter above
    # does the rest, so both kinds of caller come out alike.
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.stdlib.filter_by_level,
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    return structlog.stdlib.get_logger(f"s3c.{service}")
