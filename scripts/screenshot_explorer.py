"""Screenshot the explorer: build the site for the real knowledge base, open it in headless
Chromium at 1400x900 with one disputed rule selected, and save ``diagrams/explorer.png``.

    uv run python scripts/screenshot_explorer.py [--rule RULE_ID] [--out PATH]

Needs Debian's chromium and chromium-driver (``/usr/bin/chromium``, ``/usr/bin/chromedriver``);
nothing is downloaded and the page fetches nothing.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from lumbar.engine.model import load as kb_module

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the browser tests' driver settings: one place for them
from tests.browser.conftest import CHROMEDRIVER, CHROMIUM, build_site, chrome  # noqa: E402

DEFAULT_RULE = "inability_to_brace_causes_squat_pain"
WIDTH, HEIGHT = 1400, 900


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rule", default=DEFAULT_RULE, help="the rule to select")
    parser.add_argument("--out", type=Path, default=ROOT / "diagrams" / "explorer.png")
    args = parser.parse_args(argv)

    for binary in (CHROMIUM, CHROMEDRIVER):
        if not binary.exists():
            print(f"error: {binary} is missing (apt-get install chromium chromium-driver)")
            return 2
    knowledge = kb_module.load()
    if args.rule not in knowledge.rules_by_id:
        print(f"error: no rule {args.rule!r} in the knowledge base")
        return 2

    with tempfile.TemporaryDirectory(prefix="lumbar-explorer-") as tmp:
        site = Path(tmp) / "site"
        build_site(site)
        driver = chrome(Path(tmp) / "profile", "--hide-scrollbars")
        try:
            # The window size includes the browser chrome even headless; size the viewport.
            driver.set_window_size(WIDTH, HEIGHT)
            inner = driver.execute_script("return [window.innerWidth, window.innerHeight]")
            driver.set_window_size(2 * WIDTH - inner[0], 2 * HEIGHT - inner[1])
            driver.get((site / "index.html").as_uri() + f"#rule-{args.rule}")
            WebDriverWait(driver, 10).until(
                lambda d: d.find_element(By.ID, "detail-quote").text.strip() != ""
            )
            # Centre the selected node once more after layout settles, as a click would leave it.
            driver.find_element(
                By.CSS_SELECTOR, f'#rule-list li[data-rule="{args.rule}"] a'
            ).click()
            args.out.parent.mkdir(parents=True, exist_ok=True)
            driver.save_screenshot(str(args.out))
        finally:
            driver.quit()
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
