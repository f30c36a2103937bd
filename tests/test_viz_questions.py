"""Ask the page: what a click lights up is the library's answer, embedded.

The answers come from one engine pass (``spof.single_failures``, kill sets)
and ``query deps``; the tests hold them to ``spof.whatif`` run node by node
and to the portfolio's records, then click in real headless Chromium."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from fixtures_browser import BrowserPage

from graphkit import Portfolio, read_portfolio
from graphkit.analysis.spof import single_failures, whatif
from graphkit.cli.main import main
from graphkit.viz.views import build_view

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "portfolio.yaml"
SMALL = ROOT / "tests" / "small.yaml"


@pytest.fixture(scope="module")
def example() -> Portfolio:
    return read_portfolio(EXAMPLE)[0]


def failure_answer(pf: Portfolio, node: str, drawn: set[str]) -> list[str]:
    """What ``whatif`` says one node's failure takes down, among the drawn nodes."""
    w = whatif(pf, [node])
    down = {*w.failed, *w.providers_down, *(p for p, _ in w.markets_lost), *w.clients_affected, *w.partners_affected}
    return sorted(down & drawn)


def page_data(page: str) -> dict:
    (text,) = re.findall(r'<script type="application/json" id="gk-data">(.*?)</script>', page, re.DOTALL)
    return json.loads(text)


def test_single_failures_equal_whatif_node_by_node(example: Portfolio) -> None:
    s = single_failures(example)
    assert set(s.markets_lost) == {p.id for p in example.providers} | {m.id for m in example.marketing_partners}
    for node in s.markets_lost:
        w = whatif(example, [node])
        assert s.markets_lost[node] == w.markets_lost, node
        assert s.providers_down[node] == w.providers_down, node
        assert (s.clients_affected[node], s.partners_affected[node]) == (w.clients_affected, w.partners_affected)
    # The trap of the example: Northbridge's drug substance behind both "redundant" fill sites.
    assert s.providers_down["cmo-northbridge"] == ("cmo-alpinefill", "cmo-harborfill", "cmo-northbridge")


@pytest.mark.parametrize("view", ["supply", "all"])
def test_embedded_answers_are_the_library_answers(example: Portfolio, view: str) -> None:
    v = build_view(example, view)
    drawn = {n.id for n in v.nodes}
    q = page_data(v.render())["questions"]
    for node in [p.id for p in example.providers] + [m.id for m in example.marketing_partners]:
        if node in drawn:
            assert sorted({node, *q["impact"][node]}) == failure_answer(example, node, drawn), node
    # A product lights its supply closure: by hand for prod-lyozumab (examples/portfolio.yaml):
    # cell bank Cellvault, API Northbridge, Alpine makes and fills, Pinecrest packs, Eastgate tests,
    # its distributors in EU and US, and the drug-substance feed Cellvault -> Northbridge.
    lyo = set(q["closure"]["prod-lyozumab"])
    hand = {"prod-lyozumab", "cmo-cellvault", "cmo-northbridge", "cmo-alpinefill", "cmo-pinecrest-pack", "lab-eastgate"}
    assert hand <= lyo
    assert lyo - hand <= {p.id for p in example.providers if p.kind == "distributor"} | {
        m.id for m in example.marketing_partners
    }


def test_filters_by_client_market_and_severity(example: Portfolio) -> None:
    v = build_view(example, "supply")
    page = v.render()
    data = page_data(page)
    titles = re.findall(r'<select class="gk-filter" data-filter="([a-z]+)"', page)
    assert titles == ["client", "product", "market", "severity"]
    markets = re.findall(r'data-filter="market">(.*?)</select>', page, re.DOTALL)[0]
    names = re.findall(r'<option value="\d+">([^<]*)</option>', markets)
    territories = sorted({t for p in example.products for t in p.market_territories if t})
    assert any(None in p.market_territories for p in example.products)
    assert names == [*territories, "no market named"]
    jp = data["questions"]["filters"]["market"][names.index("JP")]
    sold_in_jp = {p.id for p in example.products if "JP" in p.market_territories}
    assert sold_in_jp == {u for u in jp if u.startswith("prod-")}
    severity = data["questions"]["filters"]["severity"]
    critical = set(severity[-1])  # "critical or worse"
    assert "cmo-northbridge" in critical and set(severity[0]) >= critical


@pytest.mark.browser
def test_click_lights_the_failure_answer(browser_page: BrowserPage, tmp_path: Path, example: Portfolio) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    out = tmp_path / "supply.html"
    assert CliRunner().invoke(main, ["viz", str(EXAMPLE), "--view", "supply", "-o", str(out)]).exit_code == 0
    browser_page.open(out)
    drawn = set(browser_page.js("return window.graphkit.nodes.getIds();"))
    canvas = browser_page.driver.find_element(By.CSS_SELECTOR, "#gk-network canvas")
    # Real clicks on a sample: the trap, a packager, a lab, a distributor.
    for node in ["cmo-northbridge", "cmo-pinecrest-pack", "lab-clearwater", "dist-fairhaven"]:
        xy = browser_page.js(
            "var gk = window.graphkit, p = gk.network.getPositions([arguments[0]])[arguments[0]];"
            "var d = gk.network.canvasToDOM(p), r = arguments[1].getBoundingClientRect();"
            # offsets from the centre of the element's part in view, where WebDriver aims
            "var top = Math.max(r.top, 0), bottom = Math.min(r.bottom, window.innerHeight);"
            "var left = Math.max(r.left, 0), right = Math.min(r.right, window.innerWidth);"
            "return [r.left + d.x - (left + right) / 2, r.top + d.y - (top + bottom) / 2];",
            node,
            canvas,
        )
        ActionChains(browser_page.driver).move_to_element_with_offset(canvas, xy[0], xy[1]).click().perform()
        browser_page.wait_until(f"window.graphkit.lit() && window.graphkit.lit().indexOf({json.dumps(node)}) >= 0")
        assert browser_page.js("return window.graphkit.lit();") == failure_answer(example, node, drawn), node
        answer = browser_page.driver.find_element(By.ID, "gk-answer").text
        assert answer.startswith(f"If {example.nodes[node].name} fails alone"), answer
    # Every other provider through the page's own entry point.
    for p in example.providers:
        got = browser_page.js("window.graphkit.ask(arguments[0]); return window.graphkit.lit();", p.id)
        assert got == failure_answer(example, p.id, drawn), p.id
    # A filter: the JP market lights the products sold there and what they need there.
    select = browser_page.driver.find_element(By.CSS_SELECTOR, 'select.gk-filter[data-filter="market"]')
    from selenium.webdriver.support.ui import Select

    Select(select).select_by_visible_text("JP")
    lit = set(browser_page.js("return window.graphkit.lit();"))
    assert {u for u in lit if u.startswith("prod-")} == {p.id for p in example.products if "JP" in p.market_territories}
    assert browser_page.console_errors() == [] and browser_page.network_requests() == []
    assert browser_page.alerts() == []
