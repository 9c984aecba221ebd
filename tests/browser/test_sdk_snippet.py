"""The <head> snippet does what LoyaltyLion's published snippet does, in a real browser.

https://developers.loyaltylion.com/sdk/installation: one dated loader at once, one
per-site start script inside `init` (UTC day and hour), both in CORS mode; the SDK
starts only when both have arrived, and `init` runs once. Against the sandbox, which
serves both scripts at the published paths and starts its SDK stand-in only with both.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, Request, expect

from loyaltylion_sandbox.constants import SANDBOX_SITE_TOKEN
from storefront.seed import CUSTOMER_EMAIL, CUSTOMER_PASSWORD

from .conftest import Tab
from .support import Stack, log_in, wait_for_sdk

pytestmark = pytest.mark.browser


def _utc(fmt: str) -> str:
    return datetime.now(UTC).strftime(fmt)


def _record(page: Page, sandbox_url: str) -> list[Request]:
    """Every request the page makes to the SDK origin, in order."""
    seen: list[Request] = []
    page.on("request", lambda r: seen.append(r) if r.url.startswith(sandbox_url) else None)
    return seen


def _scripts(seen: list[Request], marker: str) -> list[Request]:
    return [r for r in seen if marker in r.url]


@pytest.mark.parametrize("who", ["guest", "customer"])
def test_one_loader_and_one_start_script_both_in_cors_mode(stack: Stack, tab: Tab, who: str):
    assert stack.sandbox is not None
    sdk = stack.sandbox.url
    page = tab.page
    if who == "customer":
        log_in(page, stack.shop_url, CUSTOMER_EMAIL, CUSTOMER_PASSWORD)
    seen = _record(page, sdk)
    days = {_utc("%Y%m%d")}
    hours = {_utc("%Y%m%dT%H")}
    page.goto(f"{stack.shop_url}/rewards")
    assert wait_for_sdk(page) == who
    days.add(_utc("%Y%m%d"))  # the page may have loaded across midnight or the hour
    hours.add(_utc("%Y%m%dT%H"))

    loaders = _scripts(seen, "/static/2/")
    starts = _scripts(seen, "/sdk/start/")
    assert [r.url for r in loaders] in ([f"{sdk}/static/2/{day}/loader.js"] for day in days)
    assert [r.url for r in starts] in (
        [f"{sdk}/sdk/start/{hour}/{SANDBOX_SITE_TOKEN}.js"] for hour in hours
    )
    for request in loaders + starts:
        assert request.resource_type == "script"
        assert request.all_headers()["sec-fetch-mode"] == "cors", request.url
        response = request.response()
        assert response is not None and response.status in (200, 304), request.url
        assert response.headers["access-control-allow-origin"] == stack.shop_url
    attributes = page.evaluate(
        '() => [...document.querySelectorAll(\'script[src*="/static/2/"],'
        " script[src*=\"/sdk/start/\"]')].map((s) => s.getAttribute('crossorigin'))"
    )
    assert attributes == ["", ""]

    # The SDK started, and the page's single init made a single session.
    assert page.evaluate("() => loyaltylion.sandbox.started") is True
    assert len(_scripts(seen, "/sdk/session")) == 1
    expect(page.locator("#loyaltylion .lion-loyalty-page")).to_be_visible()
    assert tab.console_errors == [] and tab.page_errors == []


def test_with_the_loader_alone_no_loyalty_ui_appears(stack: Stack, tab: Tab):
    assert stack.sandbox is not None
    page = tab.page
    log_in(page, stack.shop_url, CUSTOMER_EMAIL, CUSTOMER_PASSWORD)
    # The start script never arrives: the page has the loader only.
    page.route("**/sdk/start/**", lambda route: route.abort())
    seen = _record(page, stack.sandbox.url)
    page.goto(f"{stack.shop_url}/rewards")
    page.wait_for_selector("html[data-lion-state=waiting]", state="attached")
    page.wait_for_timeout(1500)  # ample time to start, had it been going to

    assert page.evaluate("() => loyaltylion.sandbox.started") is False
    assert page.evaluate("() => document.documentElement.dataset.lionState") == "waiting"
    expect(page.locator(".lion-loyalty-page")).to_have_count(0)
    expect(page.locator("#loyaltylion")).to_have_count(0)
    expect(page.get_by_test_id("header-points")).to_have_text("–")
    expect(page.get_by_text("Loading your rewards…")).to_be_visible()
    assert len(_scripts(seen, "/static/2/")) == 1
    assert _scripts(seen, "/sdk/session") == []


def test_a_loader_revision_from_the_query_string_sticks_for_the_visit(stack: Stack, tab: Tab):
    assert stack.sandbox is not None
    page = tab.page
    seen = _record(page, stack.sandbox.url)
    page.goto(f"{stack.shop_url}/?ll_loader_revision=7")
    wait_for_sdk(page)
    page.goto(f"{stack.shop_url}/cart/")  # no parameter: sessionStorage remembers it
    wait_for_sdk(page)
    loaders = [r.url.rsplit("/", 1)[1] for r in _scripts(seen, "/static/2/")]
    assert loaders == ["loader-7.js", "loader-7.js"]


def test_both_scripts_go_before_the_first_script_of_the_page(stack: Stack, tab: Tab):
    page = tab.page
    page.goto(f"{stack.shop_url}/")
    wait_for_sdk(page)
    first_two = page.evaluate(
        "() => [...document.scripts].slice(0, 2).map((s) => new URL(s.src || location).pathname)"
    )
    # insertBefore(first script): the start script (inserted second) comes first.
    assert first_two[0].startswith("/sdk/start/") and first_two[1].startswith("/static/2/")
