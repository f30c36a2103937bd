"""Screenshots of the example's pages in real headless Chromium (the README's pictures).

    .venv/bin/python tests/screenshots.py [OUT_DIR]      # default: docs/images

Writes one HTML page and one PNG per picture; the PNGs are committed and the
README shows them, so they are regenerated whenever the pages change.  The
browser is set up as in the browser tests (:mod:`fixtures_browser`).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from fixtures_browser import CHROMEDRIVER, CHROMIUM  # noqa: E402

from graphkit.cli.main import main  # noqa: E402

EXAMPLE = ROOT / "examples" / "portfolio.yaml"

#: (file stem, graphkit arguments, JS run once the page is ready, CSS selector to capture)
SHOTS: tuple[tuple[str, tuple[str, ...], str, str], ...] = (
    ("supply", ("viz", "--view", "supply"), "", "body"),
    ("supply-click", ("viz", "--view", "supply"), "window.graphkit.ask('cmo-northbridge');", "body"),
    ("whatif", ("viz", "--view", "supply", "--fail", "cmo-northbridge"), "", "body"),
)


def driver(width: int = 1400, height: int = 1000):  # type: ignore[no-untyped-def]
    """A headless Chromium WebDriver at the given window size."""
    from fixtures_browser import CHROME_ARGS
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = str(CHROMIUM)
    for arg in CHROME_ARGS:
        if not arg.startswith("--window-size"):
            options.add_argument(arg)
    options.add_argument(f"--window-size={width},{height}")
    return webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)


def shoot(out: Path, shots: tuple[tuple[str, tuple[str, ...], str, str], ...] = SHOTS) -> list[Path]:
    """Render and capture each shot into `out`; returns the PNG paths."""
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="graphkit-shots-"))
    browser = driver()
    written = []
    try:
        for stem, args, script, selector in shots:
            page = work / f"{stem}.html"
            result = CliRunner().invoke(main, [args[0], str(EXAMPLE), *args[1:], "-o", str(page)])
            if result.exit_code != 0:
                raise SystemExit(f"{stem}: graphkit {' '.join(args)} failed:\n{result.output}")
            browser.get(page.resolve().as_uri())
            deadline = time.monotonic() + 60
            while not browser.execute_script("return !!(window.graphkit && window.graphkit.ready);"):
                if time.monotonic() > deadline:
                    raise SystemExit(f"{stem}: the page never became ready")
                time.sleep(0.05)
            if script:
                browser.execute_script(script)
            time.sleep(0.4)
            png = out / f"{stem}.png"
            png.write_bytes(browser.find_element("css selector", selector).screenshot_as_png)
            written.append(png)
    finally:
        browser.quit()
        shutil.rmtree(work, ignore_errors=True)
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "images"
    for path in shoot(target):
        print(path)
