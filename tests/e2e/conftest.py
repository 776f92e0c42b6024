"""Everything in this folder runs end to end (notebooks, benchmark commands, a browser, JupyterHub,
fresh processes): marked ``e2e``, which ``make unit`` leaves out."""

import os
from pathlib import Path

import pytest

from support import skip_or_fail

CHROMIUM = Path(os.environ.get("GAN_CHROMIUM", "/usr/bin/chromium"))
# Chromium on a machine without network: no background connections, no sandbox (containers run as
# root)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-sync", "--disable-background-networking",
                 "--disable-component-update"]


def pytest_collection_modifyitems(items):
    for item in items:
        if "/tests/e2e/" in item.path.as_posix():
            item.add_marker(pytest.mark.e2e)


def missing_browser() -> str | None:
    """Why the browser tests cannot run here, or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (`pip install -e '.[test]'` installs it)"
    if not CHROMIUM.is_file():
        return (f"no Chromium at {CHROMIUM}: on Debian or Ubuntu `sudo apt-get install chromium` "
                "(or set GAN_CHROMIUM to a Chromium binary)")
    return None


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium through Playwright (test_browser.py, test_site.py): skipped, saying why,
    where it is missing, a failure where CI set GAN_REQUIRE_BROWSER=1."""
    reason = missing_browser()
    if reason:
        skip_or_fail(reason, "GAN_REQUIRE_BROWSER")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()
