"""What every browser test shares: Debian's Chromium, a phone viewport, a live server.

Playwright drives /usr/bin/chromium (Playwright's own browser download does not work here);
the tests are skipped with a clear reason where it is missing. The live server serves the
test's app from a thread and shares its database: commit after creating data.
"""

from __future__ import annotations

import os
import shutil
import threading

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
PHONE = {"width": 360, "height": 740}
#: Flags for a headless Chromium on a machine without a network beyond its own.
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# The suite shares two cores with Chromium and the live server: give each expectation room
# (it returns as soon as it holds, so this costs nothing when things are quick).
expect.set_options(timeout=15_000)

#: Put in a browser test module: ``pytestmark = BROWSER``.
BROWSER = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM),
        reason=f"Chromium not found at {CHROMIUM}: install Debian's chromium "
        "(apt-get install chromium) to run the browser tests",
    ),
]


@pytest.fixture()
def live_server(app):
    """Serve the test's app on 127.0.0.1 (a free port) for the length of the test."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture()
def browser():
    """Debian's Chromium for the length of the test, to open contexts (phones, PCs) on."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        yield browser
        browser.close()


@pytest.fixture()
def phone():
    """A phone's page (360×740, touch, zh-CN) that records any dialog in ``page.dialogs``
    (the pages must never open one: in-app browsers block them)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        context = phone_context(browser, accept_downloads=True)
        yield phone_page(context)
        context.close()
        browser.close()


def launch(playwright):
    """Start Debian's Chromium, headless."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)


def phone_context(browser, **options):
    """A new browser context the size and kind of a phone (360×740, touch, zh-CN)."""
    return browser.new_context(
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        **options,
    )


def phone_page(context):
    """A new page of ``context`` that records any dialog in ``page.dialogs`` and dismisses it
    (the pages must never open one: in-app browsers block them)."""
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.dialogs = dialogs
    return page


def log_in(page, live_server: str, login_id: str) -> None:
    """Log in through the login page (the shared test password) and wait for the home page."""
    from tests.conftest import PASSWORD

    page.goto(f"{live_server}/login")
    page.fill("#login_id", login_id)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/")


def fits_phone_width(page) -> bool:
    """Tell whether nothing on the page is wider than the phone."""
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


#: The least height and width of anything a thumb taps, in CSS pixels (the house styles give
#: 44 px of height; a short link such as ‹ 练习 needs padding to be as wide).
TAP_SIZE = 40


def short_tap_targets(page, selector: str) -> list[str]:
    """The visible elements matching ``selector`` lower or narrower than ``TAP_SIZE``, as
    "text WxH"; fail when none is visible (a selector that finds nothing checks nothing)."""
    found = page.locator(selector).evaluate_all(
        """(els) => els.filter((el) => el.getClientRects().length).map((el) => {
             const box = el.getBoundingClientRect();
             return [el.textContent.trim(), Math.round(box.width), Math.round(box.height)];
           })"""
    )
    assert found, f"nothing visible matches {selector}"
    return [
        f"{text} {width}x{height}"
        for text, width, height in found
        if width < TAP_SIZE or height < TAP_SIZE
    ]
