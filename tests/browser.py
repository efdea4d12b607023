"""Headless Chromium for the browser tests (the dashboard's, the weekly report's): Selenium
driving Debian's chromedriver, the check that both are there, and the screenshot folder.

Nothing is downloaded: the driver path is given explicitly, so Selenium Manager never runs.
Without Chromium, chromedriver or selenium the tests skip with the reason, except under
``CI=true``, where they fail (CI installs them: ``scripts/system-deps.sh --with-browser``).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO_ROOT

BROWSERS = ("chromium", "chromium-browser", "google-chrome")
# The browser runs in another time zone than Vietnam's on purpose: pages must still
# show Vietnam days.
BROWSER_TZ = "America/Los_Angeles"


def browser_missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[dev]')"
    if not any(shutil.which(name) for name in BROWSERS):
        return "Chromium is not installed (scripts/system-deps.sh --with-browser)"
    if not shutil.which("chromedriver"):
        return "chromedriver is not installed (scripts/system-deps.sh --with-browser)"
    return None


def require_browser() -> None:
    missing = browser_missing()
    if missing is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"browser tests cannot run: {missing}", pytrace=False)
    pytest.skip(f"browser tests skipped: {missing}")


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless Chromium driven by the system's chromedriver."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="vnopinion-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = next(p for p in map(shutil.which, BROWSERS) if p)
    for argument in (
        "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
        "--window-size=1400,1000", "--lang=vi-VN", "--no-first-run",
        "--disable-background-networking", "--disable-extensions", f"--user-data-dir={profile}",
    ):  # fmt: skip
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(
        executable_path=shutil.which("chromedriver"), env={**os.environ, "TZ": BROWSER_TZ}
    )
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def screenshot_dir() -> Path:
    """``VNOPINION_SCREENSHOTS`` or ``build/screenshots`` of the checkout (gitignored)."""
    folder = Path(os.environ.get("VNOPINION_SCREENSHOTS") or REPO_ROOT / "build" / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder.resolve()


def full_page_screenshot(driver: Any, path: Path) -> None:
    """The whole page, not just the window: the window is stretched to the page first."""
    size = driver.get_window_size()
    width, height = size["width"], size["height"]
    page = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(width, min(max(int(page) + 120, height), 8000))
    try:
        driver.save_screenshot(str(path))
    finally:
        driver.set_window_size(width, height)
