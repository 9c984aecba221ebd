"""Fixtures for the browser suite: Debian's Chromium through Playwright, and live servers.

A hand-written fixture around `sync_playwright()` (no pytest-playwright plugin): one
browser for the whole suite, a fresh context per test. Chromium is never downloaded
(`playwright install` is not used): it comes from CHROMIUM_PATH or /usr/bin/chromium,
and when it is missing the suite fails, with how to install it, rather than skip.

The pages run under the shop's real Content-Security-Policy: nothing here bypasses it
(Playwright's `wait_for_function` needs eval, which that CSP forbids, so the tests wait
with selectors and read state with `page.evaluate`, which CSP does not govern).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, sync_playwright

from scripts import chromium

from .support import Stack, start_stack

# Generous for a loaded 2-core machine, far below "the page hangs".
ACTION_TIMEOUT_MS = 10_000
NAVIGATION_TIMEOUT_MS = 15_000


def chromium_path() -> str:
    problem = chromium.find_problem()
    if problem:
        pytest.fail(problem, pytrace=False)
    return chromium.chromium_path()


# One browser for the whole browser suite. Package scope rather than session: Playwright's
# sync API runs an event loop while it is open, and other suites (tests/sandbox) start
# their own `sync_playwright()`, which refuses to run inside a live one.
@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    executable = chromium_path()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, args=chromium.CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Tab:
    """A page in its own browser context, with what its console said."""

    context: BrowserContext
    page: Page
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.console_errors.append(message.text)


@pytest.fixture
def new_tab(browser: Browser) -> Iterator[Callable[..., Tab]]:
    """Open a page in a fresh browser context (one context per call, closed after the test)."""
    contexts: list[BrowserContext] = []

    def open_tab(**context_options) -> Tab:
        context = browser.new_context(**context_options)
        contexts.append(context)
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
        page = context.new_page()
        tab = Tab(context, page)
        page.on("console", tab._on_console)
        page.on("pageerror", lambda error: tab.page_errors.append(str(error)))
        return tab

    yield open_tab
    for context in contexts:
        context.close()


@pytest.fixture
def tab(new_tab: Callable[..., Tab]) -> Tab:
    return new_tab()


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Shop + sandbox + delivery worker, shared by the tests of one module."""
    running = start_stack(tmp_path_factory.mktemp("browser-stack"))
    try:
        yield running
    finally:
        running.stop()
