"""Browser test helpers: a page that records console errors, axe-core, test data via the API."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
from playwright.sync_api import ConsoleMessage, Page

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
REPO = Path(__file__).resolve().parents[1]
AXE = REPO / "ui" / "node_modules" / "axe-core" / "axe.min.js"


class Tab:
    """A page plus everything the console said, so a test can assert there were no errors."""

    def __init__(self, page: Page, base: str) -> None:
        self.page = page
        self.base = base
        self.errors: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(f"console: {message.text} at {message.location}")

    def open(self, path: str) -> Page:
        self.page.goto(self.base + path)
        # The shell is up once the nav is; every page has it.
        self.page.get_by_role("navigation").wait_for()
        return self.page


def create_function(
    api: httpx.Client, name: str, code: str = "function add(a, b) { return a + b; }"
) -> str:
    res = api.post("/api/functions", json={"name": name, "code": code})
    assert res.status_code == 201, res.text
    function_id: str = res.json()["data"]["id"]
    return function_id


def figure(card_text: str, heading: str) -> int:
    """A dashboard card's main figure: the first number after its heading."""
    rest = card_text.split(heading, 1)[1]
    match = re.search(r"\d[\d,]*", rest)
    assert match, f"no figure in {card_text!r}"
    return int(match.group().replace(",", ""))
