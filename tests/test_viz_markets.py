"""Markets in the pages: the what-if page lists the (product, market) pairs lost, the report
shows markets per critical node and sole-source rows per market -- checked against the library
and against the answers worked out by hand in examples/README.md §2b."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from fixtures_browser import BrowserPage
from test_report import open_report
from test_viz_views import EXAMPLE

from graphkit import Portfolio, read_portfolio
from graphkit.analysis.spof import spof, whatif
from graphkit.cli.main import main
from graphkit.viz import style
from graphkit.viz.views import build_view

# examples/README.md §2b: Fairhaven is the only distributor in Japan and Australia.
FAIRHAVEN_LOSES = {
    ("prod-veltamab", "JP"),
    ("prod-nefrostatin", "JP"),
    ("prod-orivir", "JP"),
    ("prod-aurevant", "JP"),
    ("prod-ceftavir", "AU"),
    ("prod-zelvatinib", "AU"),
}


@pytest.fixture(scope="module")
def example() -> Portfolio:
    return read_portfolio(EXAMPLE)[0]


def test_whatif_view_lists_the_markets_lost(example: Portfolio) -> None:
    view = build_view(example, "supply", fail=["dist-fairhaven"])
    (panel,) = view.lists
    shown = {(data["product"], data["market"]) for _, data in panel.rows}
    assert shown == set(whatif(example, ["dist-fairhaven"]).markets_lost) == FAIRHAVEN_LOSES
    # aurevant is sold in Japan alone: lost outright; the others keep their other markets.
    assert view.marks["lost"] == ["prod-aurevant"]
    assert set(view.marks["market_lost"]) == {p for p, _ in FAIRHAVEN_LOSES} - {"prod-aurevant"}
    assert "6 market(s), 1 product(s) lost" in view.title


def _run(*args: object) -> None:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == 0, result.output


@pytest.mark.browser
def test_whatif_page_shows_the_markets_lost(browser_page: BrowserPage, tmp_path: Path, example: Portfolio) -> None:
    out = tmp_path / "whatif.html"
    _run("viz", EXAMPLE, "--view", "supply", "--fail", "dist-fairhaven", "-o", out)
    browser_page.open(out)
    rows = browser_page.js(
        "return Array.prototype.map.call(document.querySelectorAll('#gk-list-markets-lost li'),"
        " function (li) { return [li.getAttribute('data-product'), li.getAttribute('data-market'),"
        " li.textContent]; });"
    )
    assert {(p, m) for p, m, _ in rows} == set(whatif(example, ["dist-fairhaven"]).markets_lost) == FAIRHAVEN_LOSES
    assert all(text.endswith(f"\u2014 {m}") for _, m, text in rows)
    colours = browser_page.js(
        "var out = {}; window.graphkit.nodes.get().forEach(function (n) { out[n.id] = n.color.background; });"
        " return out;"
    )
    assert colours["prod-aurevant"] == style.MARK["lost"]
    assert colours["prod-veltamab"] == style.MARK["market_lost"]
    assert colours["dist-fairhaven"] == style.MARK["failed"]
    assert browser_page.console_errors() == [] and browser_page.network_requests() == []


@pytest.mark.browser
def test_report_shows_markets(browser_page: BrowserPage, tmp_path: Path, example: Portfolio) -> None:
    out = tmp_path / "report.html"
    _run("report", EXAMPLE, "--no-network", "-o", out)
    open_report(browser_page, out)
    table = browser_page.js(
        "var t = arguments[0], heads = Array.prototype.map.call(t.tHead.rows[0].cells,"
        " function (c) { return c.textContent.replace(/\\s*\\u2195$/, ''); });"
        " return [heads, Array.prototype.map.call(t.tBodies[0].rows, function (r) {"
        " return Array.prototype.map.call(r.cells, function (c) {"
        " return c.getAttribute('title') || c.querySelector('.gk-id') && c.querySelector('.gk-id').textContent"
        " || c.textContent; }); })];",
        browser_page.driver.find_element("id", "gk-critical-nodes"),
    )
    heads, rows = table
    node, markets = heads.index("Node"), heads.index("Markets lost")
    shown = {r[node]: set(r[markets].split(", ")) for r in rows}
    library = spof(example)
    for c in library.critical_nodes:
        assert shown[c.node] == {p if m is None else f"{p} ({m})" for p, m in c.units}, c.node
    assert shown["dist-fairhaven"] == {f"{p} ({m})" for p, m in FAIRHAVEN_LOSES}

    heads, rows = browser_page.js(
        "var t = document.getElementById('gk-sole-source'), heads = Array.prototype.map.call(t.tHead.rows[0].cells,"
        " function (c) { return c.textContent.replace(/\\s*\\u2195$/, ''); });"
        " return [heads, Array.prototype.map.call(t.tBodies[0].rows, function (r) {"
        " return Array.prototype.map.call(r.cells, function (c) {"
        " var id = c.querySelector('.gk-id'); return id ? id.textContent : c.textContent; }); })];"
    )
    cols = [heads.index(h) for h in ("Product", "Market", "Step", "Provider")]
    sole = {tuple(r[i] for i in cols) for r in rows}
    assert len(sole) == len(rows) == len(library.sole_source_steps)
    assert sole == {(s.product, s.market or "its one market", s.step, s.provider) for s in library.sole_source_steps}
    # examples/README.md §2b: 101 manufacturing rows and 25 distribution rows, one per market.
    assert sum(1 for r in sole if r[2] == "distribution") == 25 and len(sole) == 126
    assert browser_page.console_errors() == [] and browser_page.network_requests() == []
