"""Keys in a real browser, outside local mode: the first 401 asks for a key, the admin key opens the
dashboard, and on Keys an admin creates a `read` key for another owner, sees its secret once (and
it works), revokes it (and it stops working)."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from browsing import AXE, Tab, figure
from helpers import Stack, poll
from playwright.sync_api import Browser, Page, expect

ADMIN_KEY = f"s3c_admin_{secrets.token_urlsafe(32)}"
# What Chromium logs for every answer of 401: expected here, before and at a wrong sign-in.
UNAUTHORIZED_LOAD = "the server responded with a status of 401"


@pytest.fixture(scope="module")
def keyed_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """A stack with an admin key, so the gateway is not in local mode."""
    running = Stack.create(tmp_path_factory.mktemp("keyed"), S3C_ADMIN_KEY=ADMIN_KEY).start()
    yield running
    running.stop()


@pytest.fixture
def keyed_tab(browser: Browser, keyed_stack: Stack) -> Iterator[Tab]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=keyed_stack.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield Tab(page, keyed_stack.url)
    context.close()


def me(stack: Stack, key: str) -> httpx.Response:
    return httpx.get(f"{stack.url}/api/me", headers={"Authorization": f"Bearer {key}"}, timeout=10)


def serious_violations(page: Page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document)")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes'][:3]]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def sign_in(page: Page, key: str) -> None:
    dialog = page.get_by_role("dialog", name="Sign in")
    dialog.get_by_label("API key", exact=True).fill(key)
    dialog.get_by_role("button", name="Sign in", exact=True).click()


def test_sign_in_then_create_a_read_key_see_its_secret_once_and_revoke_it(
    keyed_tab: Tab, keyed_stack: Stack, shots: Path, unique: str
) -> None:
    page = keyed_tab.open("/")

    # The first 401 asks for a key; a wrong one gets the gateway's 401 message in the dialog.
    dialog = page.get_by_role("dialog", name="Sign in")
    expect(dialog).to_be_visible()
    assert dialog.get_by_label("API key", exact=True).get_attribute("type") == "password"
    assert serious_violations(page) == []
    sign_in(page, "s3c_wrong_key")
    expect(dialog.get_by_role("alert")).not_to_be_empty()
    expect(dialog).to_be_visible()

    # The admin key opens the dashboard.
    sign_in(page, ADMIN_KEY)
    expect(dialog).to_be_hidden()
    expect(page.get_by_text("Signed in as admin", exact=True)).to_be_visible()
    card = page.get_by_role("region", name="Executions", exact=True)
    poll(lambda: figure(card.inner_text(), "Executions") + 1, timeout=15, what="a first figure")
    expect(page.get_by_text("Live", exact=True)).to_be_visible(timeout=15_000)

    # Keys: create a read key for team-b.
    page.get_by_role("navigation").get_by_role("link", name="Keys", exact=True).click()
    page.wait_for_url(keyed_tab.base + "/keys")
    form = page.get_by_role("form", name="Create key")
    form.get_by_label("Name", exact=True).fill(unique)
    form.get_by_label("Owner", exact=True).fill("team-b")
    form.get_by_role("checkbox", name="read", exact=True).check()
    for scope in ("admin", "deploy", "invoke"):
        form.get_by_role("checkbox", name=scope, exact=True).uncheck()
    form.get_by_role("button", name="Create key", exact=True).click()

    # Its secret, once, with Copy and the warning; the key works as team-b with read only.
    shown = page.get_by_role("dialog", name="Key created")
    expect(shown).to_contain_text("will not be shown again")
    secret = shown.get_by_label("Secret", exact=True).input_value()
    assert re.fullmatch(r"s3c_.+_[A-Za-z0-9_-]{43}", secret), secret
    shown.get_by_role("button", name="Copy", exact=True).click()
    expect(shown.get_by_text("Copied to the clipboard.")).to_be_visible()
    assert page.evaluate("() => navigator.clipboard.readText()") == secret
    page.screenshot(path=str(shots / "keys-secret-1280.png"), full_page=True)
    shown.get_by_role("button", name="Done", exact=True).click()
    expect(shown).to_be_hidden()
    assert secret not in page.content()
    answer = me(keyed_stack, secret)
    assert answer.status_code == 200, answer.text
    assert answer.json()["data"]["owner"] == "team-b"
    assert answer.json()["data"]["scopes"] == ["read"]

    row = page.get_by_role("row").filter(has_text=unique)
    expect(row).to_contain_text("team-b")
    expect(row).to_contain_text("read")
    expect(row).to_contain_text("active")
    assert serious_violations(page) == []

    # Revoke it, after a confirmation: it shows revoked, and the gateway refuses it within 1 s.
    row.get_by_role("button", name="Revoke").click()
    confirm = page.get_by_role("dialog", name=f"Revoke {unique}?")
    confirm.get_by_role("button", name="Revoke", exact=True).click()
    expect(confirm).to_be_hidden()
    expect(row).to_contain_text("revoked")
    expect(row.get_by_role("button", name="Revoke")).to_have_count(0)
    poll(lambda: me(keyed_stack, secret).status_code == 401, timeout=5, what="the key to fail")

    # The list the gateway answers says so too, and the tab kept its key across the reload.
    page.reload()
    expect(page.get_by_role("row").filter(has_text=unique)).to_contain_text("revoked")
    expect(page.get_by_role("dialog", name="Sign in")).to_have_count(0)
    page.screenshot(path=str(shots / "keys-1280.png"), full_page=True)
    assert [e for e in keyed_tab.errors if UNAUTHORIZED_LOAD not in e] == []


def test_sign_out_forgets_the_key_and_asks_again(keyed_tab: Tab) -> None:
    page = keyed_tab.open("/")
    sign_in(page, ADMIN_KEY)
    expect(page.get_by_text("Signed in as admin", exact=True)).to_be_visible()
    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(page.get_by_role("dialog", name="Sign in")).to_be_visible()
    assert page.evaluate("() => sessionStorage.length") == 0
    assert [e for e in keyed_tab.errors if UNAUTHORIZED_LOAD not in e] == []
