"""`python -m s3c_gateway` serves the REST API, WebSocket and UI (default port 5000)."""

from __future__ import annotations

import uvicorn
from s3c_runtime.logs import setup_logging

from s3c_gateway.app import create_app
from s3c_gateway.connections import guarded_protocol
from s3c_gateway.settings import GatewaySettings


def main() -> None:
    settings = GatewaySettings()
    setup_logging("gateway", settings.log_level, debug=settings.debug)
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        # httptools (uvicorn's default when installed), with the header, deadline and
        # connection limits uvicorn lacks; h11's `h11_max_incomplete_event_size` would not apply.
        http=guarded_protocol(settings.connection_limits()),
        ws_max_size=1024 * 1024,
    )


if __name__ == "__main__":
    main()
