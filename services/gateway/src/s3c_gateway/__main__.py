"""`python -m s3c_gateway` serves the REST API, WebSocket and UI (default port 5000)."""

from __future__ import annotations

import uvicorn
from s3c_runtime.logs import setup_logging

from s3c_gateway.app import create_app
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
        ws_max_size=1024 * 1024,
    )


if __name__ == "__main__":
    main()
