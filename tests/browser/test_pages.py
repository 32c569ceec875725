"""Every page in a real browser: no console error, no sideways scroll on a phone, no serious a11y issue."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from browsing import AXE, Tab, create_function
from helpers import poll

PAGES = [
    ("dashboard", "/", "Dashboard"),
    ("functions", "/functions", "Functions"),
    ("new-function", "/functions/new", None),
    ("function", "/functions/{fid}", None),
    ("executions", "/executions", "Executions"),
    ("execution", "/executions/{eid}", None),
    ("monitoring", "/monitoring", "Monitoring"),
    ("costs", "/costs", "Costs"),
    ("load-test", "/load-test", "Load test"),
]


@pytest.fixture
def ids(ui_api: httpx.Client, unique: str) -> dict[str, str]:
    """A function with one finished run, so the detail pages have something to show."""
    fid = create_function(ui_api, unique)
    res = ui_api.post(f"/api/functions/{fid}/invoke", json={"input": [1, 2]})
    assert res.status_code == 200, res.text
    eid = res.json()["data"]["executionId"]
    poll(
        lambda: ui_api.get(f"/api/executions/{eid}").json()["data"].get("cost"),
        timeout=15,
        what="the run to be recorded and costed",
    )
    return {"fid": fid, "eid": eid}


def settle(tab: Tab) -> None:
    """Wait until the page has made its first requests and rendered them."""
    tab.page.wait_for_load_state("networkidle")
    tab.page.get_by_role("heading", level=1).first.wait_for()


@pytest.mark.parametrize(("name", "path", "_"), PAGES, ids=[p[0] for p in PAGES])
def test_page_renders_without_console_errors_at_1280x800(
    tab: Tab, ids: dict[str, str], shots: Path, name: str, path: str, _: str | None
) -> None:
    page = tab.open(path.format(**ids))
    settle(tab)
    page.screenshot(path=str(shots / f"{name}-1280.png"), full_page=True)
    assert page.locator("main").inner_text().strip(), "the page rendered nothing"
    assert tab.errors == []


@pytest.mark.parametrize(("name", "path", "_"), PAGES, ids=[p[0] for p in PAGES])
def test_page_has_no_sideways_scroll_at_390x844(
    tab: Tab, ids: dict[str, str], shots: Path, name: str, path: str, _: str | None
) -> None:
    tab.page.set_viewport_size({"width": 390, "height": 844})
    page = tab.open(path.format(**ids))
    settle(tab)
    page.screenshot(path=str(shots / f"{name}-390.png"), full_page=True)
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"content is {widths[0]} px wide in a {widths[1]} px window"
    assert tab.errors == []


@pytest.mark.parametrize(("name", "path", "_"), PAGES, ids=[p[0] for p in PAGES])
def test_page_has_no_serious_accessibility_violation(
    tab: Tab, ids: dict[str, str], name: str, path: str, _: str | None
) -> None:
    page = tab.open(path.format(**ids))
    settle(tab)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document)")
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes'][:3]]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert bad == []


@pytest.mark.parametrize(
    ("name", "path", "link"), [p for p in PAGES if p[2]], ids=[p[0] for p in PAGES if p[2]]
)
def test_navigation_links_and_live_status_on_every_page(
    tab: Tab, ids: dict[str, str], name: str, path: str, link: str
) -> None:
    page = tab.open(path.format(**ids))
    nav = page.get_by_role("navigation")
    for label in ("Dashboard", "Functions", "Executions", "Monitoring", "Costs", "Load test"):
        assert nav.get_by_role("link", name=label, exact=True).count() == 1
    page.get_by_text("Live", exact=True).wait_for()
    nav.get_by_role("link", name=link, exact=True).click()
    page.wait_for_url(tab.base + path.format(**ids))
