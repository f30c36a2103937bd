"""The WebGL renderer (sigma.js over graphology): chosen above its threshold,
self-contained, and answering the same questions as the vis-network page,
in real headless Chromium."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from fixtures_browser import BrowserPage, png_stats
from test_viz_questions import failure_answer
from test_viz_views import EVIL_IMG, EVIL_SCRIPT, expected_counts, hostile_portfolio

from graphkit import Portfolio, read_portfolio
from graphkit.cli.main import main
from graphkit.viz.network import VizEdge, VizNode, choose_renderer, render_network, write_html_atomic
from graphkit.viz.webgl import AGGREGATE_ABOVE, CLUSTER_SIZE, WEBGL_ABOVE, webgl_data

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "portfolio.yaml"


@pytest.fixture(scope="module")
def example() -> Portfolio:
    return read_portfolio(EXAMPLE)[0]


def chain(n: int) -> tuple[list[VizNode], list[VizEdge]]:
    nodes = [VizNode(f"n{i}", f"node {i}", "G", "", "#4e79a7", "dot", 10, x=i * 10.0, y=0.0) for i in range(n)]
    return nodes, [VizEdge(f"n{i}", f"n{i + 1}", "", "", "#999999") for i in range(n - 1)]


def test_renderer_is_chosen_by_size() -> None:
    assert choose_renderer(WEBGL_ABOVE) == "vis" and choose_renderer(WEBGL_ABOVE + 1) == "webgl"
    nodes, edges = chain(WEBGL_ABOVE + 1)
    page = render_network(nodes, edges, title="big")
    assert "Sigma=" in page and "vis.Network" not in page
    assert not re.search(r"https?:/{2}", page)  # no URL at all: nothing to load
    with pytest.raises(ValueError, match="renderer"):
        render_network(nodes, edges, title="x", renderer="canvas")


def open_webgl(browser_page: BrowserPage, tmp_path: Path, source: Path, *args: str) -> None:
    out = tmp_path / "webgl.html"
    result = CliRunner().invoke(main, ["viz", str(source), "--renderer", "webgl", "-o", str(out), *args])
    assert result.exit_code == 0, result.output
    browser_page.open(out)


@pytest.mark.browser
def test_webgl_page_answers_like_the_library(browser_page: BrowserPage, tmp_path: Path, example: Portfolio) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    open_webgl(browser_page, tmp_path, EXAMPLE, "--view", "supply")
    nodes, edges = expected_counts(example, "supply")
    assert browser_page.js("return window.graphkit.counts();") == {"nodes": nodes, "edges": edges}
    drawn = set(browser_page.js("return window.graphkit.graph.nodes();"))
    for p in example.providers:
        got = browser_page.js("window.graphkit.ask(arguments[0]); return window.graphkit.lit();", p.id)
        assert got == failure_answer(example, p.id, drawn), p.id
    # A real click on the trap of the example.
    container = browser_page.driver.find_element(By.ID, "gk-network")
    xy = browser_page.js(
        "var r = window.graphkit.renderer, a = r.getGraph().getNodeAttributes('cmo-northbridge');"
        "var v = r.graphToViewport(a), box = arguments[0].getBoundingClientRect();"
        "var top = Math.max(box.top, 0), bottom = Math.min(box.bottom, window.innerHeight);"
        "return [v.x - box.width / 2, box.top + v.y - (top + bottom) / 2];",
        container,
    )
    browser_page.js("window.graphkit.ask();")
    ActionChains(browser_page.driver).move_to_element_with_offset(container, xy[0], xy[1]).click().perform()
    browser_page.wait_until("window.graphkit.lit()")
    assert browser_page.js("return window.graphkit.lit();") == failure_answer(example, "cmo-northbridge", drawn)
    assert not png_stats(browser_page.screenshot_png("#gk-network")).blank
    assert browser_page.console_errors() == [] and browser_page.network_requests() == []
    assert browser_page.alerts() == []


@pytest.mark.browser
def test_webgl_hostile_names_are_text(browser_page: BrowserPage, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    open_webgl(browser_page, tmp_path, hostile_portfolio(tmp_path), "--view", "all")
    driver = browser_page.driver
    driver.find_element(By.ID, "gk-search").send_keys(EVIL_IMG, Keys.ENTER)
    assert driver.find_element(By.ID, "gk-details-label").text == EVIL_IMG
    search = driver.find_element(By.ID, "gk-search")
    search.clear()
    search.send_keys(EVIL_SCRIPT, Keys.ENTER)
    assert EVIL_SCRIPT in driver.find_element(By.ID, "gk-details-tip").text
    assert browser_page.js("return document.querySelectorAll('img, iframe, object, embed').length;") == 0
    assert browser_page.js("return document.scripts.length;") == 3
    assert browser_page.alerts() == [] and browser_page.console_errors() == []
    assert json.loads(json.dumps(browser_page.network_requests())) == []


def _chain_clusters(n: int) -> list[int]:
    """The chain's clusters worked out by hand: x = 10 i, so ceil(sqrt(n / 50)) cells across
    the span 10 (n - 1), one row (y is 0 everywhere)."""
    side = math.ceil(math.sqrt(n / CLUSTER_SIZE))
    width = 10 * (n - 1) / side
    return [min(side - 1, int(10 * i / width)) for i in range(n)]


def test_large_networks_carry_clusters() -> None:
    n = AGGREGATE_ABOVE + 1
    nodes, edges = chain(n)
    data = webgl_data(nodes, edges, [(node.x, node.y) for node in nodes])
    expected = _chain_clusters(n)
    assert data["clusters"]["of"] == expected
    assert data["clusters"]["count"] == [expected.count(c) for c in range(21)]
    # the chain crosses from each cluster to the next once
    assert data["clusters"]["edges"][0::3] == list(range(20)) and data["clusters"]["edges"][1::3] == list(range(1, 21))
    assert "clusters" not in webgl_data(*chain(100), [(10.0 * i, 0.0) for i in range(100)])


@pytest.mark.browser
def test_clusters_open_on_search_and_keep_the_questions(browser_page: BrowserPage, tmp_path: Path) -> None:
    n = AGGREGATE_ABOVE + 1
    nodes, edges = chain(n)
    out = tmp_path / "clusters.html"
    write_html_atomic(render_network(nodes, edges, title="chain", renderer="webgl"), out)
    browser_page.open(out)
    browser_page.wait_until("window.graphkit.ready")
    gk = "window.graphkit"
    assert browser_page.js(f"return {gk}.counts();") == {"nodes": n, "edges": n - 1}
    assert browser_page.js(f"return [{gk}.graph.order, {gk}.graph.size];") == [21, 20]
    of = _chain_clusters(n)
    assert browser_page.js(f"return {gk}.find('node 5000');") == ["n5000"]
    # Open: cluster 5 (node 5000's) and any the zoom onto it opened.  Drawn: the open clusters'
    # members, the closed clusters, and one edge per distinct pair of drawn ends of a chain link.
    opened, order, size = browser_page.js(  # read at one moment: zooming in may open more
        f"var gr = {gk}.graph, open = Array.from({{length: 21}}, function (_, c) {{ return c; }})"
        f".filter(function (c) {{ return !gr.hasNode({gk}.clusterKey(c)); }});"
        "return [open, gr.order, gr.size];"
    )
    assert 5 in opened

    def end(i: int) -> str:
        return f"n{i}" if of[i] in opened else f"cluster {of[i]}"

    links = {(end(i), end(i + 1)) for i in range(n - 1) if end(i) != end(i + 1)}
    drawn = (21 - len(opened)) + sum(of.count(c) for c in opened)
    assert [order, size] == [drawn, len(links)]
    assert browser_page.js(f"return {gk}.lit();") == ["n5000"]
    # hiding the only group hides every cluster too
    browser_page.js(f"{gk}.setGroupVisible('G', false);")
    hidden = browser_page.js(
        f"var r = {gk}.renderer;"
        f"return {gk}.graph.nodes().every(function (k) {{ return r.getNodeDisplayData(k).hidden; }});"
    )
    assert hidden is True
    assert browser_page.console_errors() == [] and browser_page.network_requests() == []
    assert browser_page.alerts() == []
