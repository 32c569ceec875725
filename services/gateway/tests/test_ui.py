"""Serving the built UI: the app for every client route, long-cached hashed assets, real 404s."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from s3c_gateway.app import create_app
from s3c_gateway.settings import GatewaySettings

CLIENT_ROUTES = [
    "/",
    "/functions",
    "/functions/new",
    "/functions/0123456789abcdef0123456789abcdef",
    "/executions",
    "/executions/abc",
    "/monitoring",
    "/costs",
    "/load-test",
]


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><div id=root></div><!-- the app -->")
    (tmp_path / "assets" / "index-abc123.js").write_text("console.log('app')")
    (tmp_path / "favicon.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    return tmp_path


async def get(dist: Path, path: str) -> httpx.Response:
    # No lifespan: these routes need no NATS, so the app is exercised without servers.
    app = create_app(GatewaySettings(ui_dist=str(dist)))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        return await c.get(path)


@pytest.mark.parametrize("path", CLIENT_ROUTES)
async def test_every_client_route_returns_the_app(dist: Path, path: str) -> None:
    response = await get(dist, path)
    assert response.status_code == 200
    assert "<!-- the app -->" in response.text
    assert response.headers["cache-control"] == "no-cache"


async def test_hashed_assets_are_cached_for_a_year(dist: Path) -> None:
    response = await get(dist, "/assets/index-abc123.js")
    assert response.status_code == 200
    assert response.text == "console.log('app')"
    assert "immutable" in response.headers["cache-control"]
    assert "max-age=31536000" in response.headers["cache-control"]


async def test_a_missing_asset_is_a_404_not_the_app(dist: Path) -> None:
    response = await get(dist, "/assets/missing.js")
    assert response.status_code == 404


@pytest.mark.parametrize("path", ["/api/nope", "/fn", "/docs/x", "/healthz/x", "/metrics/nope"])
async def test_server_paths_keep_their_meaning(dist: Path, path: str) -> None:
    response = await get(dist, path)
    assert response.status_code == 404
    assert response.json()["success"] is False


async def test_favicon_is_served(dist: Path) -> None:
    response = await get(dist, "/favicon.ico")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")


async def test_without_a_build_the_page_says_how_to_build_it(tmp_path: Path) -> None:
    response = await get(tmp_path, "/functions")  # a configured dist with no index.html
    assert response.status_code == 200
    assert "make up" in response.text
