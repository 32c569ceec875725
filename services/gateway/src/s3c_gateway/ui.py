"""The built React UI (`ui/dist`): hashed assets with long caching, and the app for every client route."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from s3c_gateway.errors import error_body

# Paths the gateway answers itself: an unknown path under one of these is a 404, never the app.
SERVER_PREFIXES = (
    "/api",
    "/fn",
    "/ws",
    "/docs",
    "/redoc",
    "/openapi.json",
    "/healthz",
    "/readyz",
    "/metrics",
    "/assets",
)
IMMUTABLE = "public, max-age=31536000, immutable"
NO_CACHE = "no-cache"
PLACEHOLDER = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>S3-for-Compute</title></head>
<body><main><h1>S3-for-Compute</h1><p>The web UI is not built. Run <code>make up</code> (it builds
<code>ui/dist</code> when it is missing or stale), or <code>cd ui &amp;&amp; npm ci &amp;&amp; npm run build</code>.
The <a href="/docs">REST API</a> works meanwhile.</p></main></body></html>"""


def find_dist(configured: str = "") -> Path | None:
    """`S3C_UI_DIST` if set, else `ui/dist` in the checkout this package runs from, or the cwd's."""
    if configured:
        candidates = [Path(configured)]
    else:
        candidates = [parent / "ui" / "dist" for parent in Path(__file__).resolve().parents]
        candidates.append(Path.cwd() / "ui" / "dist")
    return next((c for c in candidates if (c / "index.html").is_file()), None)


class ImmutableAssets(StaticFiles):
    """Vite names assets by content hash, so a browser may keep them forever."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code == 200:
            response.headers["Cache-Control"] = IMMUTABLE
        return response


def install(app: FastAPI, configured_dist: str = "") -> None:
    """Serve the UI. Call after every other route: the history fallback catches what is left."""
    dist = find_dist(configured_dist)
    if dist is not None and (dist / "assets").is_dir():
        app.mount("/assets", ImmutableAssets(directory=dist / "assets"), name="assets")

    def app_page() -> Response:
        if dist is None:
            return HTMLResponse(PLACEHOLDER, headers={"Cache-Control": NO_CACHE})
        return FileResponse(dist / "index.html", headers={"Cache-Control": NO_CACHE})

    @app.get("/favicon.svg", include_in_schema=False)
    @app.get("/favicon.ico", include_in_schema=False)
    async def favicon() -> Response:
        icon = dist / "favicon.svg" if dist else None
        if icon is None or not icon.is_file():
            return Response(status_code=204)
        return FileResponse(
            icon, media_type="image/svg+xml", headers={"Cache-Control": "public, max-age=86400"}
        )

    @app.get("/", include_in_schema=False)
    async def index() -> Response:
        return app_page()

    @app.get("/{path:path}", include_in_schema=False)
    async def client_route(path: str, request: Request) -> Response:
        route = "/" + path
        if any(route == p or route.startswith(p + "/") for p in SERVER_PREFIXES):
            return JSONResponse(
                error_body(f"no route for {request.method} {route}", "not_found"), status_code=404
            )
        return app_page()
