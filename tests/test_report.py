"""graphkit.viz.report and ``graphkit report``: one self-contained page (fast checks),
then the page in real headless Chromium (``browser``)."""

from __future__ import annotations

import base64
import hashlib
import html
import re
from collections import defaultdict
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from fixtures_browser import BrowserPage, png_stats
from test_viz_views import EVIL_IMG, EVIL_SCRIPT, EXAMPLE, SMALL, expected_counts, hostile_portfolio

from graphkit import GraphkitError, Portfolio, read_portfolio
from graphkit.analysis import analyze
from graphkit.cli.main import main
from graphkit.viz.report import render_report

WHEN = datetime(2025, 3, 4, 5, 6, tzinfo=UTC)


class _Markup(HTMLParser):
    """Tags with attributes and the text of each script, as a browser parses them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._in_script = True
            self.scripts.append("")

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts[-1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False


def parse(page: str) -> _Markup:
    m = _Markup()
    m.feed(page)
    m.close()
    return m


def sha(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"


@pytest.fixture(scope="module")
def example() -> Portfolio:
    return read_portfolio(EXAMPLE)[0]


@pytest.fixture(scope="module")
def example_page(example: Portfolio) -> str:
    return render_report(example, source=str(EXAMPLE), generated=WHEN)


# ------------------------------------------------------------------ fast


def test_header_and_sections(example_page: str) -> None:
    assert "<title>graphkit report \u2014 portfolio.yaml</title>" in example_page
    assert "Source: portfolio.yaml \u00b7 Generated 2025-03-04 05:06 UTC" in example_page
    assert str(EXAMPLE.parent) not in example_page  # the file name only, not where it lives
    ids = {a.get("id") for _, a in parse(example_page).tags}
    assert {"summary", "spof", "overlap", "concentration", "networks"} <= ids
    assert {
        "gk-critical-nodes",
        "gk-sole-source",
        "gk-key-person",
        "gk-overlap-products",
        "gk-overlap-providers",
        "gk-partner-similarity",
        "gk-conc-providers",
        "gk-conc-clients",
        "gk-conflicts-of-interest",
        "gk-net-supply",
    } <= ids


def test_self_contained_with_a_strict_policy(example_page: str) -> None:
    markup = parse(example_page)
    (csp,) = [a["content"] for t, a in markup.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
    assert "default-src 'none'" in csp and "connect-src 'none'" in csp
    script_src = re.search(r"script-src ([^;]*);", csp).group(1).split()  # type: ignore[union-attr]
    assert "'unsafe-inline'" not in script_src
    # The page's own scripts and the embedded network's (which inherits this policy) are allowed by hash.
    (iframe,) = [a for t, a in markup.tags if t == "iframe"]
    inner = parse(iframe["srcdoc"])  # type: ignore[arg-type]
    inner_scripts = [
        s for s, (_, a) in zip(inner.scripts, [x for x in inner.tags if x[0] == "script"]) if a.get("type") is None
    ]
    assert sorted(script_src) == sorted({sha(s) for s in markup.scripts + inner_scripts})
    assert iframe["sandbox"] == "allow-scripts"
    assert not re.search(r"https?:/{2}|@import|sourceMappingURL", example_page, re.IGNORECASE)
    for tag, attrs in markup.tags:
        for name in ("src", "href", "action", "data", "poster", "srcset"):
            value = attrs.get(name)
            assert value is None or value.startswith(("data:", "#")), (tag, name, value)
        assert not [n for n in attrs if n.startswith("on")], (tag, attrs)
    assert [t for t, _ in markup.tags].count("script") == 1


def test_tables_hold_every_finding(example: Portfolio, example_page: str) -> None:
    results = analyze(example).as_dict()
    rows = {
        m.group(1): m.group(2).count("<tr>")
        for m in re.finditer(
            r'<table class="gk-sortable" id="([^"]+)">.*?<tbody>(.*?)</tbody>', example_page, re.DOTALL
        )
    }
    assert (
        rows["gk-critical-nodes"] == len(results["spof"]["critical_nodes"]) == 21
    )  # 16 providers, dist-saltmarsh and the four partners (examples/README.md)
    assert rows["gk-sole-source"] == len(results["spof"]["sole_source_steps"])
    assert rows["gk-key-person"] == len(results["spof"]["key_person_risks"])
    assert rows["gk-overlap-products"] == len(results["overlap"]["products"])
    assert rows["gk-conc-providers"] == len(results["concentration"]["providers"])
    assert rows["gk-conflicts-of-interest"] == len(results["concentration"]["conflicts_of_interest"]) == 5
    for c in results["spof"]["critical_nodes"]:
        assert html.escape(c["explanation"]) in example_page


def test_capped_tables_say_so(example: Portfolio) -> None:
    page = render_report(example, source="p.yaml", views=(), max_rows=10, generated=WHEN)
    assert "the 10 most severe of 126 rows" in page  # sole-source steps: 101 manufacturing + 25 distribution
    body = re.search(r'id="gk-sole-source">.*?<tbody>(.*?)</tbody>', page, re.DOTALL).group(1)  # type: ignore[union-attr]
    # the most severe first: no sole-source market costs 10 % of the portfolio's revenue
    assert body.count("<tr>") == 10 and body.count("gk-sev-high") == 10
    assert 'id="networks"' not in page


def test_a_concentration_chart_per_provider_with_contract_values(example: Portfolio, example_page: str) -> None:
    values: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for c in example.contracts:
        values[c.provider][c.client] += c.annual_value
    charts = re.findall(r'<figure class="gk-chart" data-provider="([^"]+)">(.*?)</figure>', example_page, re.DOTALL)
    assert {p for p, _ in charts} == {p for p, v in values.items() if sum(v.values()) > 0}
    assert len(charts) == 17
    for provider, body in charts:
        drawn = {html.unescape(c): float(v) for c, v in re.findall(r'data-client="([^"]*)" data-value="([^"]+)"', body)}
        assert drawn == dict(values[provider]), provider
        assert "HHI " in body
    valemont = dict(charts)["cmo-valemont"]
    assert "incl. own products" in valemont and "own products 83%" in valemont  # the hybrid's buffer


def test_hostile_strings_are_escaped(tmp_path: Path) -> None:
    pf = read_portfolio(hostile_portfolio(tmp_path))[0]
    page = render_report(pf, source=f"{EVIL_IMG}.yaml", generated=WHEN, views=("supply", "requirements", "all"))
    assert "<img" not in page and EVIL_SCRIPT not in page
    markup = parse(page)
    assert [t for t, _ in markup.tags].count("script") == 1 and not [t for t, _ in markup.tags if t == "img"]
    srcdocs = [a["srcdoc"] for t, a in markup.tags if t == "iframe"]
    assert len(srcdocs) == 3
    for doc in srcdocs:  # each embedded page is itself safe
        assert "<img" not in doc and EVIL_SCRIPT not in doc  # type: ignore[operator]
    assert html.escape(EVIL_SCRIPT) in page and html.escape(f"{EVIL_IMG}.yaml") in page


def test_unknown_view() -> None:
    with pytest.raises(GraphkitError, match="unknown view 'money'"):
        render_report(read_portfolio(SMALL)[0], views=("money",))


def test_cli_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[str] = []
    monkeypatch.setattr("click.launch", lambda url, **kw: opened.append(url))
    out = tmp_path / "report.html"
    result = CliRunner().invoke(main, ["report", str(SMALL), "-o", str(out), "--open"])
    assert result.exit_code == 0 and result.stdout == f"{out}\n"
    assert opened == [str(out)] and sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]
    page = out.read_text(encoding="utf-8")
    assert "graphkit report \u2014 small.yaml" in page and 'id="gk-net-supply"' in page
    result = CliRunner().invoke(main, ["report", str(SMALL), "-o", str(out), "--no-network", "--view", "all"])
    assert result.exit_code == 2 and "exclude each other" in result.output


# ------------------------------------------------------------------ real headless Chromium


def open_report(browser_page: BrowserPage, path: Path) -> None:
    browser_page.open(path, ready="document.documentElement.getAttribute('data-gk-report') === 'ready'")


def in_frame(browser_page: BrowserPage, frame_id: str, script: str) -> object:
    driver = browser_page.driver
    driver.switch_to.frame(driver.find_element("id", frame_id))
    try:
        return browser_page.wait_until(script, timeout=60)
    finally:
        driver.switch_to.default_content()


# Chromium's console and network logs do not see into a sandboxed srcdoc iframe (it runs in its own
# process), so the embedded networks are checked from inside: resource timing lists every fetch the
# frame made (failed ones included), and the DOM shows whether markup was injected.
_FRAME_RESOURCES = (
    "performance.getEntriesByType('resource').map(function (e) { return e.name; })"
    ".filter(function (n) { return n.indexOf('data:') !== 0; })"
)


def frame_state(browser_page: BrowserPage, frame_id: str) -> dict:
    return in_frame(
        browser_page,
        frame_id,  # type: ignore[return-value]
        "window.graphkit && window.graphkit.ready && {"
        " nodes: window.graphkit.nodes.length, edges: window.graphkit.edges.length,"
        " labels: window.graphkit.nodes.get().map(function (n) { return n.label; }),"
        " scripts: document.scripts.length,"
        " injected: document.querySelectorAll('img, iframe, object, embed').length,"
        f" resources: {_FRAME_RESOURCES}}}",
    )


def column(browser_page: BrowserPage, table: str, index: int) -> list[str]:
    return browser_page.js(
        "var col = arguments[1];"
        "return Array.prototype.map.call(document.querySelectorAll(arguments[0] + ' tbody tr'),"
        " function (r) { return r.cells[col].getAttribute('data-v') || r.cells[col].textContent; });",
        table,
        index,
    )


@pytest.mark.browser
def test_report_in_the_browser(browser_page: BrowserPage, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    out = tmp_path / "report.html"
    assert CliRunner().invoke(main, ["report", str(EXAMPLE), "-o", str(out)]).exit_code == 0
    open_report(browser_page, out)
    nodes, edges = expected_counts(read_portfolio(EXAMPLE)[0], "supply")
    frame = frame_state(browser_page, "gk-net-supply")
    assert (frame["nodes"], frame["edges"]) == (nodes, edges)  # its scripts ran under the inherited CSP
    assert frame["resources"] == [] and frame["scripts"] == 3 and frame["injected"] == 0

    # Sorting: revenue at risk (numbers: descending first, then ascending), node names (text).
    table = "#gk-critical-nodes"
    heads = browser_page.driver.find_elements(By.CSS_SELECTOR, f"{table} thead th button")
    headers = [h.text.rstrip(" \u2195") for h in heads]
    revenue, node = headers.index("Revenue at risk"), headers.index("Node")
    heads[revenue].click()
    values = [float(v) for v in column(browser_page, table, revenue)]
    assert values == sorted(values, reverse=True) and values[0] == 1_299_000_000
    heads[revenue].click()
    assert [float(v) for v in column(browser_page, table, revenue)] == sorted(values)
    heads[node].click()
    names = column(browser_page, table, node)
    assert names == sorted(names, key=str.lower) and len(names) == 21
    assert browser_page.js(f"return document.querySelectorAll('{table} th[aria-sort]').length;") == 1
    heads[node].click()
    assert column(browser_page, table, node) == sorted(names, key=str.lower, reverse=True)

    charts = browser_page.js("return document.querySelectorAll('figure.gk-chart svg g.gk-seg').length;")
    assert charts > 17
    assert browser_page.console_errors() == []
    assert browser_page.network_requests() == []
    assert browser_page.alerts() == []
    assert not png_stats(browser_page.screenshot_png()).blank


@pytest.mark.browser
def test_hostile_report_runs_nothing(browser_page: BrowserPage, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    out = tmp_path / "report.html"
    result = CliRunner().invoke(main, ["report", str(hostile_portfolio(tmp_path)), "-o", str(out), "--view", "all"])
    assert result.exit_code == 0
    open_report(browser_page, out)
    frame = frame_state(browser_page, "gk-net-all")
    assert EVIL_IMG in frame["labels"] and EVIL_SCRIPT in frame["labels"]
    assert frame["scripts"] == 3 and frame["injected"] == 0 and frame["resources"] == []
    body = browser_page.driver.find_element(By.TAG_NAME, "body").text
    assert EVIL_SCRIPT in body and EVIL_IMG in body
    assert browser_page.js("return document.querySelectorAll('img, object, embed').length;") == 0
    assert browser_page.js("return document.scripts.length;") == 1
    assert browser_page.alerts() == []
    assert browser_page.console_errors() == []
    assert browser_page.network_requests() == []


@pytest.mark.browser
def test_frame_checks_see_requests_and_injection(browser_page: BrowserPage, tmp_path: Path) -> None:
    """Positive control for the in-frame checks above."""
    inner = (
        '<img src="http://127.0.0.1:9/tracker.png"><script>window.graphkit = {ready: true, nodes: {length: 0,'
        " get: function () { return []; }}, edges: {length: 0}};</script>"
    )
    bad = tmp_path / "bad.html"
    bad.write_text(
        f'<!DOCTYPE html><iframe id="f" sandbox="allow-scripts" srcdoc="{html.escape(inner)}"></iframe>',
        encoding="utf-8",
    )
    browser_page.open(bad, ready="document.readyState === 'complete'")
    frame = frame_state(browser_page, "f")
    assert frame["resources"] == ["http://127.0.0.1:9/tracker.png"] and frame["injected"] == 1


def test_report_uses_the_bands_given(tmp_path) -> None:
    from click.testing import CliRunner

    from graphkit.cli.main import main

    example = Path(__file__).parent.parent / "examples" / "portfolio.yaml"
    out = tmp_path / "r.html"
    result = CliRunner().invoke(main, ["report", str(example), "-o", str(out), "--no-network", "--bands", "1500,2500"])
    assert result.exit_code == 0, result.output
    page = out.read_text()
    assert "highly above 2,500" in page and "highly above 1,800" not in page
