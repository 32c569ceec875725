"""What a person does in the UI, end to end against a real stack, found by accessible names only."""

from __future__ import annotations

import re

import httpx
from browsing import Tab, create_function, figure
from helpers import poll
from playwright.sync_api import expect


def fill_code(tab: Tab, code: str) -> None:
    editor = tab.page.get_by_role("textbox", name="Code")
    editor.click()
    tab.page.keyboard.press("Control+A")
    tab.page.keyboard.press("Delete")
    editor.press_sequentially(code)


def test_create_a_function_in_the_form_and_see_it_listed(tab: Tab, unique: str) -> None:
    page = tab.open("/functions/new")
    page.get_by_label("Name", exact=True).fill(unique)
    page.get_by_label("Description", exact=True).fill("adds two numbers")
    fill_code(tab, "function add(a, b) { return a + b; }")
    page.get_by_label("Timeout (ms)", exact=True).fill("5000")
    page.get_by_label("Retries", exact=True).fill("1")
    page.get_by_role("button", name="Create", exact=True).click()
    page.wait_for_url(re.compile(r"/functions/[0-9a-f]{32}$"))
    tab.open("/functions")
    expect(page.get_by_role("link", name=unique, exact=True)).to_be_visible()
    assert tab.errors == []


def test_a_syntax_error_is_shown_in_the_form(tab: Tab, unique: str) -> None:
    page = tab.open("/functions/new")
    page.get_by_label("Name", exact=True).fill(unique)
    fill_code(tab, "function broken( { return 1")
    page.get_by_role("button", name="Create", exact=True).click()
    expect(page.get_by_text(re.compile(r"SyntaxError"))).to_be_visible()
    assert page.url.endswith("/functions/new"), "a rejected function must keep the form open"


def test_run_a_function_with_json_input_and_see_output_and_cost(
    tab: Tab, ui_api: httpx.Client, unique: str
) -> None:
    fid = create_function(ui_api, unique)
    page = tab.open(f"/functions/{fid}")
    page.get_by_label("Input", exact=True).fill("[20, 22]")
    page.get_by_role("button", name="Run", exact=True).click()
    result = page.get_by_role("region", name="Result")
    expect(result).to_contain_text("42")
    expect(result).to_contain_text("completed")
    expect(result).to_contain_text(re.compile(r"cold|warm", re.IGNORECASE))
    # The cost arrives once billing has costed the run: dollars and its parts.
    expect(result).to_contain_text(re.compile(r"\$\d+\.\d+"), timeout=15_000)
    for part in ("Base", "Cold start", "Retry", "Transfer"):
        expect(result).to_contain_text(part)
    assert tab.errors == []


def test_dashboard_cards_follow_runs_without_a_reload(
    tab: Tab, ui_api: httpx.Client, unique: str
) -> None:
    fid = create_function(ui_api, unique)
    page = tab.open("/")
    for heading in ("Executions", "Success rate", "Instances", "Cost today"):
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    card = page.get_by_role("region", name="Executions", exact=True)
    before = poll(lambda: figure(card.inner_text(), "Executions") + 1, what="a first figure") - 1
    for _ in range(5):
        assert (
            ui_api.post(f"/api/functions/{fid}/execute", json={"input": [1, 1]}).status_code == 202
        )
    poll(
        lambda: figure(card.inner_text(), "Executions") >= before + 5,
        timeout=10,
        what="the Executions card to count the new runs",
    )
    assert tab.errors == []


def test_load_test_runs_50_at_concurrency_5_to_completion(
    tab: Tab, ui_api: httpx.Client, unique: str
) -> None:
    create_function(ui_api, unique)
    page = tab.open("/load-test")
    page.get_by_label("Function", exact=True).select_option(label=unique)
    page.get_by_label("Executions", exact=True).fill("50")
    page.get_by_label("Concurrency", exact=True).fill("5")
    page.get_by_label("Input", exact=True).fill("[1, 2]")
    page.get_by_role("button", name="Start", exact=True).click()
    progress = page.get_by_role("progressbar")
    expect(progress).to_have_attribute("aria-valuenow", "100", timeout=60_000)
    for label in ("p50", "p95", "p99", "Throughput"):
        expect(page.get_by_text(label, exact=True).first).to_be_visible()
    main = page.locator("main").inner_text()
    assert re.search(r"p50\s*\n?\s*[\d.]+\s*m?s\b", main), main
    assert re.search(r"p99\s*\n?\s*[\d.]+\s*ms", main), main
    assert tab.errors == []


def test_costs_page_shows_the_hourly_chart(tab: Tab, ui_api: httpx.Client, unique: str) -> None:
    fid = create_function(ui_api, unique)
    assert ui_api.post(f"/api/functions/{fid}/invoke", json={"input": [1, 2]}).status_code == 200
    page = tab.open("/costs")
    expect(page.get_by_role("heading", name="Hourly cost", exact=True)).to_be_visible()
    chart = page.get_by_role("region", name="Hourly cost")
    expect(chart.locator("svg").first).to_be_visible()
    assert tab.errors == []
