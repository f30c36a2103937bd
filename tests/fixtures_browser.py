"""pytest plugin: real headless Chromium for the browser tests.

Loaded from ``tests/conftest.py`` (``pytest_plugins = [..., "fixtures_browser"]``).

Fixtures
--------
browser
    Session-scoped selenium ``WebDriver`` for Debian's ``/usr/bin/chromium``
    driven by ``/usr/bin/chromedriver`` (override with ``GRAPHKIT_CHROMIUM``
    and ``GRAPHKIT_CHROMEDRIVER``): headless, fresh temporary profile,
    console and performance (network) logging on, and ``alert``/``confirm``/
    ``prompt`` replaced on every page by a recorder (see
    :meth:`BrowserPage.alerts`).
browser_page
    A :class:`BrowserPage` over that driver with helpers to open a local
    file, read console errors, list network requests, take and judge
    screenshots and read vis-network DataSet counts.

When Chromium or chromedriver is missing or does not start, the tests are
skipped -- except when the ``CI`` environment variable is set (non-empty),
where they fail: CI never silently skips the browser tests.
(``scripts/install-browser`` installs both.)
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import tempfile
import time
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import pytest

if TYPE_CHECKING:
    from selenium.webdriver.remote.webdriver import WebDriver

__all__ = [
    "CHROME_ARGS",
    "BrowserPage",
    "PngStats",
    "browser",
    "browser_page",
    "decode_png",
    "png_stats",
]

CHROMIUM = Path(os.environ.get("GRAPHKIT_CHROMIUM", "/usr/bin/chromium"))
CHROMEDRIVER = Path(os.environ.get("GRAPHKIT_CHROMEDRIVER", "/usr/bin/chromedriver"))
CHROME_ARGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1400,900",
    "--hide-scrollbars",
)
WINDOW_SIZE = (1400, 900)

# Runs before any page script: records alert/confirm/prompt instead of blocking on them.
_DIALOG_TRAP = """
(function () {
  var seen = [];
  Object.defineProperty(window, "__gkDialogs", {value: seen});
  ["alert", "confirm", "prompt"].forEach(function (name) {
    window[name] = function (message) { seen.push(name + ":" + String(message)); return null; };
  });
})();
"""


def _unavailable(message: str) -> NoReturn:
    """Skip locally, fail in CI."""
    if os.environ.get("CI"):
        pytest.fail(f"{message} (CI is set, so browser tests must run; see scripts/install-browser)", pytrace=False)
    pytest.skip(f"{message}; run scripts/install-browser")


@pytest.fixture(scope="session")
def browser() -> Iterator[WebDriver]:
    """A headless Chromium WebDriver shared by the whole session."""
    try:
        from selenium import webdriver
        from selenium.common.exceptions import WebDriverException
        from selenium.webdriver.chrome.options import Options
        from selenium.webdriver.chrome.service import Service
    except ImportError as exc:  # pragma: no cover - selenium is a test dependency
        _unavailable(f"selenium is not installed ({exc})")
    for binary in (CHROMIUM, CHROMEDRIVER):
        if not (binary.is_file() and os.access(binary, os.X_OK)):
            _unavailable(f"{binary} is missing or not executable")

    profile = tempfile.mkdtemp(prefix="graphkit-chromium-")
    options = Options()
    options.binary_location = str(CHROMIUM)
    for arg in CHROME_ARGS:
        options.add_argument(arg)
    options.add_argument(f"--user-data-dir={profile}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    # An explicit driver path keeps Selenium Manager (which downloads drivers) out of it.
    service = Service(executable_path=str(CHROMEDRIVER), log_output=os.path.join(profile, "chromedriver.log"))
    try:
        driver = webdriver.Chrome(service=service, options=options)
    except WebDriverException as exc:
        log = Path(profile, "chromedriver.log")
        tail = log.read_text(errors="replace")[-2000:] if log.is_file() else ""
        shutil.rmtree(profile, ignore_errors=True)
        _unavailable(f"Chromium did not start: {exc.msg}\n{tail}".rstrip())
    try:
        driver.set_page_load_timeout(60)
        driver.set_script_timeout(60)
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": _DIALOG_TRAP})
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def browser_page(browser: WebDriver) -> Iterator[BrowserPage]:
    """A :class:`BrowserPage` with empty log buffers; leaves the browser on about:blank."""
    from selenium.common.exceptions import UnexpectedAlertPresentException

    page = BrowserPage(browser)
    page.reset()
    yield page
    try:
        browser.get("about:blank")
    except UnexpectedAlertPresentException:  # a real dialog got past the trap; chromedriver dismissed it
        browser.get("about:blank")
    page.reset()


@dataclass
class BrowserPage:
    """Helpers over a WebDriver for one page at a time.

    Chrome hands out each log entry once, so the entries read since the last
    :meth:`open` are kept here; :meth:`console_errors` and
    :meth:`network_requests` can be called any number of times.
    """

    driver: WebDriver
    _console: list[dict[str, Any]] = field(default_factory=list)
    _performance: list[dict[str, Any]] = field(default_factory=list)

    # -- navigation
    def reset(self) -> None:
        """Drop all log entries collected so far (and those still queued in Chrome)."""
        self.driver.get_log("browser")
        self.driver.get_log("performance")
        self._console.clear()
        self._performance.clear()

    def open(
        self,
        path: str | os.PathLike[str],
        *,
        ready: str | None = "window.graphkit && window.graphkit.ready",
        timeout: float = 60.0,
    ) -> None:
        """Load a local file (``file://`` URL) and wait until the JS expression `ready` is truthy.

        Pass ``ready=None`` to wait for nothing beyond the load event.
        """
        self.reset()
        self.driver.get(Path(path).resolve().as_uri())
        if ready is not None:
            self.wait_until(ready, timeout=timeout)

    def wait_until(self, expression: str, *, timeout: float = 30.0, interval: float = 0.05) -> Any:
        """Poll the JS `expression` until it is truthy; return its value or fail the test."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.driver.execute_script(f"return ({expression});")
            if value:
                return value
            if time.monotonic() > deadline:
                errors = self.console_errors()
                pytest.fail(f"timed out after {timeout}s waiting for {expression!r}; console errors: {errors}")
            time.sleep(interval)

    def js(self, script: str, *args: Any) -> Any:
        """``execute_script`` shorthand (`script` needs its own ``return``)."""
        return self.driver.execute_script(script, *args)

    # -- logs
    def _collect(self) -> None:
        self._console.extend(self.driver.get_log("browser"))
        self._performance.extend(self.driver.get_log("performance"))

    def console_messages(self) -> list[dict[str, Any]]:
        """All console/log entries since :meth:`open` (dicts with level, message, source)."""
        self._collect()
        return list(self._console)

    def console_errors(self) -> list[str]:
        """Messages of the SEVERE console entries since :meth:`open` (JS errors, CSP violations, failed loads)."""
        return [entry["message"] for entry in self.console_messages() if entry.get("level") == "SEVERE"]

    def network_requests(self) -> list[str]:
        """URLs of all requests since :meth:`open` that are not ``file:`` or ``data:``."""
        self._collect()
        urls = []
        for entry in self._performance:
            message = json.loads(entry["message"])["message"]
            if message.get("method") != "Network.requestWillBeSent":
                continue
            url = message["params"]["request"]["url"]
            if not url.startswith(("file:", "data:")):
                urls.append(url)
        return urls

    def alerts(self) -> list[str]:
        """``"alert:<message>"`` (or confirm/prompt) for each dialog the current page tried to open."""
        return list(self.driver.execute_script("return window.__gkDialogs || [];"))

    # -- screenshots
    def screenshot_png(self, css_selector: str | None = None) -> bytes:
        """PNG of the viewport, or of the first element matching `css_selector`."""
        if css_selector is None:
            return self.driver.get_screenshot_as_png()
        from selenium.webdriver.common.by import By

        return self.driver.find_element(By.CSS_SELECTOR, css_selector).screenshot_as_png

    def save_screenshot(self, path: str | os.PathLike[str], css_selector: str | None = None) -> Path:
        """Write :meth:`screenshot_png` to `path` and return it."""
        target = Path(path)
        target.write_bytes(self.screenshot_png(css_selector))
        return target

    # -- vis-network
    def vis_counts(self) -> dict[str, int]:
        """Counts from the page's vis-network data (the page exposes ``window.graphkit``).

        Keys: ``nodes`` and ``edges`` (DataSet sizes), ``visible_nodes`` and
        ``visible_edges`` (items not marked hidden), ``drawn_nodes`` and
        ``drawn_edges`` (what vis-network currently draws).
        """
        return self.driver.execute_script("""
            var gk = window.graphkit;
            if (!gk) { throw new Error("the page has no window.graphkit"); }
            var visible = function (item) { return !item.hidden; };
            return {
              nodes: gk.nodes.length, edges: gk.edges.length,
              visible_nodes: gk.nodes.get({filter: visible}).length,
              visible_edges: gk.edges.get({filter: visible}).length,
              drawn_nodes: gk.network.body.nodeIndices.length,
              drawn_edges: gk.network.body.edgeIndices.length
            };""")


# ---------------------------------------------------------------------- PNG checks


@dataclass(frozen=True)
class PngStats:
    """Colour statistics of an image.

    ``distinct_colours`` counts RGB values; ``dominant_share`` is the
    fraction of pixels with the most common one; ``saturated_share`` the
    fraction of clearly coloured (not grey) pixels.
    """

    width: int
    height: int
    distinct_colours: int
    dominant_share: float
    saturated_share: float

    @property
    def blank(self) -> bool:
        """True when the image is (nearly) one flat colour."""
        return self.distinct_colours < 8 or self.dominant_share > 0.995


def decode_png(png: bytes) -> tuple[int, int, int, bytes]:
    """Decode an 8-bit, non-interlaced greyscale/RGB/RGBA PNG with zlib only.

    Returns
    -------
    (width, height, channels, pixels)
        `pixels` holds ``height`` rows of ``width * channels`` bytes.
    """
    if png[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, header = 8, [], None
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        kind = png[pos + 4 : pos + 8]
        chunk = png[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", chunk)
        elif kind == b"IDAT":
            idat.append(chunk)
        elif kind == b"IEND":
            break
    if header is None:
        raise ValueError("PNG without IHDR")
    width, height, depth, colour_type, _, _, interlace = header
    channels = {0: 1, 2: 3, 4: 2, 6: 4}.get(colour_type)
    if depth != 8 or channels is None or interlace:
        raise ValueError(f"unsupported PNG (depth {depth}, colour type {colour_type}, interlace {interlace})")
    raw = zlib.decompress(b"".join(idat))
    stride = width * channels
    out = bytearray(height * stride)
    prev = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind = raw[start]
        line = bytearray(raw[start + 1 : start + 1 + stride])
        if kind == 1:  # Sub
            for i in range(channels, stride):
                line[i] = (line[i] + line[i - channels]) & 0xFF
        elif kind == 2:  # Up
            line = bytearray((a + b) & 0xFF for a, b in zip(line, prev))
        elif kind == 3:  # Average
            for i in range(stride):
                left = line[i - channels] if i >= channels else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 0xFF
        elif kind == 4:  # Paeth
            for i in range(stride):
                a = line[i - channels] if i >= channels else 0
                b = prev[i]
                c = prev[i - channels] if i >= channels else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 0xFF
        elif kind != 0:
            raise ValueError(f"bad PNG filter type {kind}")
        out[y * stride : (y + 1) * stride] = line
        prev = line
    return width, height, channels, bytes(out)


def png_stats(png: bytes) -> PngStats:
    """Colour statistics of a PNG (see :class:`PngStats`); ``png_stats(p).blank`` is the blank test."""
    width, height, channels, pixels = decode_png(png)
    colours: Counter[tuple[int, ...]] = Counter()
    saturated = 0
    for offset in range(0, len(pixels), channels):
        rgb = (pixels[offset], pixels[offset + 1], pixels[offset + 2]) if channels >= 3 else (pixels[offset],) * 3
        colours[rgb] += 1
        if max(rgb) - min(rgb) > 40:
            saturated += 1
    total = max(width * height, 1)
    return PngStats(
        width, height, len(colours), colours.most_common(1)[0][1] / total if colours else 1.0, saturated / total
    )
