"""Fixtures for the explorer's browser tests: the site, built once, and one headless Chromium.

Debian's chromium and chromium-driver only, at fixed paths, so Selenium Manager never looks for
(or downloads) a driver. Without them the tests skip, unless ``LUMBAR_REQUIRE_BROWSER=1`` (CI),
where a missing browser is a failure.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait
from typer.testing import CliRunner

from lumbar.cli.main import app
from lumbar.engine.draw import explorer
from lumbar.engine.model.knowledge import KnowledgeBase

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
WAIT = 10  # seconds; every wait is for a condition, never a fixed sleep
ARGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1400,900",
)


def require_browser() -> None:
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if not missing:
        return
    reason = (
        f"browser tests need {' and '.join(missing)} "
        "(Debian: apt-get install chromium chromium-driver)"
    )
    if os.environ.get("LUMBAR_REQUIRE_BROWSER") == "1":
        pytest.fail(f"LUMBAR_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def chrome(profile: Path, *extra: str) -> WebDriver:
    """Headless Debian Chromium through its own chromedriver (also used by
    scripts/screenshot_explorer.py), with a fresh profile and the browser console recorded."""
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in (*ARGS, *extra, f"--user-data-dir={profile}"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)


@pytest.fixture(scope="session")
def driver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    require_browser()
    browser = chrome(tmp_path_factory.mktemp("chromium-profile"))
    try:
        yield browser
    finally:
        browser.quit()


def build_site(folder: Path, kb_root: Path | None = None) -> Path:
    """The explorer written by the real command, `lumbar diagrams --html FOLDER [--kb ROOT]`."""
    args = ["diagrams", "--html", str(folder)] + (["--kb", str(kb_root)] if kb_root else [])
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.stderr
    return folder


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The explorer for the real knowledge base, written once."""
    return build_site(tmp_path_factory.mktemp("site"))


@pytest.fixture(scope="session")
def data(kb: KnowledgeBase) -> dict[str, Any]:
    """What the pages were built from: ``explorer.site_data``."""
    return explorer.site_data(kb)


def wait_ready(browser: WebDriver) -> None:
    """Wait for the page script to finish building the page (it sets html[data-ready])."""
    WebDriverWait(browser, WAIT).until(
        lambda d: d.execute_script("return document.documentElement.dataset.ready") == "true"
    )


@pytest.fixture
def open_page(driver: WebDriver, site: Path) -> Callable[..., WebDriver]:
    """open_page("index.html", "#rule-x"): a fresh load (never a same-document hash change)."""

    def go(page: str = "index.html", fragment: str = "", folder: Path | None = None) -> WebDriver:
        driver.get("about:blank")
        driver.get_log("browser")  # drop what earlier pages logged
        driver.get((folder or site).joinpath(page).as_uri() + fragment)
        wait_ready(driver)
        return driver

    return go
