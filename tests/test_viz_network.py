"""graphkit.viz.network: escaping and self-containment (fast), then real headless Chromium (``browser``)."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fixtures_browser import BrowserPage, png_stats
from hypothesis import given, settings
from hypothesis import strategies as st

from graphkit.viz.network import (
    LARGE_GRAPH_NODES,
    LegendEntry,
    VizEdge,
    VizNode,
    render_network,
    write_html_atomic,
)

EVIL_LABEL = "<img src=x onerror=alert(1)>"
EVIL_SCRIPT = "</script><script>alert(1)</script>"
EVIL_TITLE = f"Supply map {EVIL_SCRIPT} & co"
EVIL_TOOLTIP = f"Fill-finish CMO\nsterile: yes\n{EVIL_SCRIPT}\n{EVIL_LABEL}"

COLOURS = {"cmo": "#e15759", "client": "#4e79a7", "product": "#59a14f", "lab": "#f28e2b"}
SHAPES = {"cmo": "box", "client": "dot", "product": "diamond", "lab": "triangle"}


def node(id_: str, label: str, group: str, tooltip: str = "", **kw: object) -> VizNode:
    return VizNode(id_, label, group, tooltip, COLOURS[group], SHAPES[group], 18, **kw)  # type: ignore[arg-type]


def small_network() -> tuple[list[VizNode], list[VizEdge]]:
    """7 nodes, 8 edges; one node with a hostile name, one with a hostile tooltip."""
    nodes = [
        node("cmo:lonza", "Lonza Visp", "cmo", EVIL_TOOLTIP, highlight=True),
        node("cmo:evil", EVIL_LABEL, "cmo", "plain text tooltip"),
        node("client:acme", "Acme Pharma", "client", "Client\nlarge"),
        node("client:beta", "Beta Bio", "client", "Client\nsmall"),
        node("product:x1", "Xylozumab 100 mg", "product", "commercial"),
        node("product:y2", "Ybrutinib caps", "product", "clinical"),
        node("lab:eurofins", "Eurofins QC", "lab", "release testing"),
    ]
    edges = [
        VizEdge("client:acme", "cmo:lonza", "contracts", "Acme \u2192 Lonza", "#4e79a7"),
        VizEdge("client:beta", "cmo:evil", "contracts", EVIL_SCRIPT, "#4e79a7"),
        VizEdge("cmo:lonza", "product:x1", "makes API", "", "#888888"),
        VizEdge("cmo:evil", "product:x1", "fill-finish", "", "#888888", dashes=True),
        VizEdge("cmo:evil", "product:y2", "makes", "", "#888888"),
        VizEdge("lab:eurofins", "product:x1", "tests", "", "#f28e2b", width=2.0),
        VizEdge("lab:eurofins", "product:y2", "tests", "", "#f28e2b", width=2.0),
        VizEdge("client:acme", "product:x1", "markets", "", "#4e79a7", arrows=False),
    ]
    return nodes, edges


def small_page(**kw: object) -> str:
    nodes, edges = small_network()
    legend = [
        LegendEntry("CMO", COLOURS["cmo"], "box"),
        LegendEntry("Client", COLOURS["client"], "dot"),
        LegendEntry("Product", COLOURS["product"], "diamond"),
        LegendEntry("Test lab", COLOURS["lab"], "triangle"),
        LegendEntry("second source", "#888888", "line", kind="edge", dashes=True),
        LegendEntry(EVIL_LABEL, "#000", "dot"),
    ]
    notes = ["12 products without a known site", EVIL_SCRIPT]
    return render_network(nodes, edges, title=EVIL_TITLE, legend=legend, notes=notes, **kw)  # type: ignore[arg-type]


def big_network(n: int = 3000, *, positions: bool = True) -> tuple[list[VizNode], list[VizEdge]]:
    """n nodes: 30 CMOs, clients and products in a tree-like supply web with cross links."""
    groups = ("cmo", "client", "product")
    nodes, edges = [], []
    side = int(n**0.5) + 1
    for i in range(n):
        group = "cmo" if i < 30 else groups[1 + i % 2]
        xy = {"x": float((i % side) * 40), "y": float((i // side) * 40)} if positions else {}
        nodes.append(node(f"n{i}", f"{group} {i}", group, f"node {i}", **xy))  # type: ignore[arg-type]
    for i in range(30, n):
        edges.append(VizEdge(f"n{i % 30}", f"n{i}", "", "", "#999999"))
        if i % 7 == 0:
            edges.append(VizEdge(f"n{i}", f"n{(i * 13) % n}", "", "", "#cccccc", dashes=True))
    return nodes, edges


class _Markup(HTMLParser):
    """Collects tags with attributes, the text of each <script> and all <style> text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.styles = ""
        self._open: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in ("script", "style"):
            self._open = tag
        if tag == "script":
            self.scripts.append((dict(attrs), ""))

    def handle_data(self, data: str) -> None:
        if self._open == "script":
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)
        elif self._open == "style":
            self.styles += data

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._open = None


def parse(page: str) -> _Markup:
    markup = _Markup()
    markup.feed(page)
    markup.close()
    return markup


def page_data(page: str) -> dict:
    (text,) = [t for attrs, t in parse(page).scripts if attrs.get("id") == "gk-data"]
    return json.loads(text)


# ------------------------------------------------------------------ fast, no browser


def test_data_strings_are_escaped_everywhere() -> None:
    page = small_page()
    assert not re.search(r"<img", page, re.IGNORECASE)
    assert page.count(EVIL_SCRIPT) == 0 and page.count("alert(1)</script>") == 0
    assert "<title>Supply map &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; co</title>" in page
    assert page.count("&lt;img src=x onerror=alert(1)&gt;") == 1  # the legend row; notes hold the script text
    assert "<li>&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;</li>" in page
    markup = parse(page)
    assert [attrs.get("type") for attrs, _ in markup.scripts] == ["application/json", None, None]
    assert not [tag for tag, _ in markup.tags if tag in ("img", "iframe", "object", "embed", "base")]
    for _, attrs in markup.tags:
        assert not [name for name in attrs if name.startswith("on")], attrs


def _tag_names(page: str) -> list[str]:
    return sorted(tag for tag, _ in parse(page).tags)


def _one_text_everywhere(text: str) -> str:
    nodes = [
        VizNode("a", text, text, text, "#123456", "dot", 10),
        VizNode(f"id:{text}", "b", f"other {text}", "", "#fff", "box", 10),  # a group never equal to `text`
    ]
    edges = [VizEdge("a", f"id:{text}", text, text, "#000")]
    return render_network(nodes, edges, title=text, legend=[LegendEntry(text, "red", "star")], notes=[text])


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("<>&\"'/=!- \n\t\u2028{}[]\\aZ")) | st.characters(), max_size=40))
def test_any_text_changes_no_markup_and_round_trips(text: str) -> None:
    """Whatever the strings hold, the page has the same elements as with plain ones."""
    page = _one_text_everywhere(text)
    assert _tag_names(page) == _tag_names(_one_text_everywhere("plain"))
    data = page_data(page)
    clean = text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    assert data["nodes"][0]["label"] == clean and data["nodes"][1]["id"] == f"id:{clean}"
    if text:
        assert data["nodes"][0]["tip"] == clean and data["edges"][0]["tip"] == clean


def test_data_json_is_lossless() -> None:
    data = page_data(small_page())
    labels = {n["id"]: n["label"] for n in data["nodes"]}
    assert labels["cmo:evil"] == EVIL_LABEL
    tips = {n["id"]: n.get("tip") for n in data["nodes"]}
    assert tips["cmo:lonza"] == EVIL_TOOLTIP
    assert [e["tip"] for e in data["edges"] if e.get("tip") == EVIL_SCRIPT]
    assert len(data["nodes"]) == 7 and len(data["edges"]) == 8


def test_page_is_self_contained() -> None:
    """No URL at all in the page, vis-network included (its licence links are rewritten
    as ``http:\\/\\/``, which a JS string reads as ``//``); only data: in src/href/url()."""
    page = small_page()
    assert not re.search(r"https?:/{2}|(?:^|[\"'(=\s])//[a-z0-9]", page, re.IGNORECASE)
    assert not re.search(r"@import|sourceMappingURL|\bcdn|bootstrap|googleapis|unpkg|jsdelivr", page, re.IGNORECASE)
    markup = parse(page)
    for tag, attrs in markup.tags:
        for name in ("src", "href", "srcset", "action", "poster", "data"):
            value = attrs.get(name)
            assert value is None or value.startswith("data:"), (tag, name, value)
        assert not (tag == "link" and attrs.get("rel") != "icon"), attrs
    assert "vis-network" in markup.styles and "gk-network" in markup.styles
    for target in re.findall(r"url\(\s*['\"]?([^'\")\s]*)", markup.styles, re.IGNORECASE):
        assert target.startswith("data:"), target
    assert "vis-network" in page and "9.1.2" in page  # the asset shipped with pyvis, inlined


def test_content_security_policy_allows_exactly_our_scripts() -> None:
    page = small_page()
    (csp,) = re.findall(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page)
    assert "default-src 'none'" in csp and "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    inline = [text for attrs, text in parse(page).scripts if attrs.get("type") is None]
    hashes = ["'sha256-" + base64.b64encode(hashlib.sha256(t.encode()).digest()).decode() + "'" for t in inline]
    assert re.search(r"script-src ([^;]*);", csp).group(1).split() == hashes  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "make",
    [
        lambda: VizNode("a", "A", "g", "", "red;background:url(x)", "dot", 10),
        lambda: VizNode("a", "A", "g", "", "#fff", "image", 10),
        lambda: VizNode("a", "A", "g", "", "#fff", "dot", 0),
        lambda: VizNode("a", "A", "g", "", "#fff", "dot", 10, x=1.0),
        lambda: VizNode("a", "A", "g", "", "#fff", "dot", 10, x=float("nan"), y=0.0),
        lambda: VizEdge("a", "b", "", "", "expression(alert(1))"),
        lambda: LegendEntry("x", "#fff", "dot", kind="other"),  # type: ignore[arg-type]
        lambda: render_network([], [], title="t", height="1px;background:red"),
        lambda: render_network([], [], title="t", layout="spring"),  # type: ignore[arg-type]
        lambda: render_network([VizNode("a", "A", "g", "", "#fff", "dot", 1)] * 2, [], title="t"),
        lambda: render_network([], [VizEdge("a", "b", "", "", "#fff")], title="t"),
    ],
)
def test_rejects_bad_input(make) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises((ValueError, TypeError)):
        make()


def test_large_network_gets_a_precomputed_layout() -> None:
    # How fast is a benchmark's question (benchmarks/), never a timed test's.
    nodes, edges = big_network(4000, positions=False)
    page = render_network(nodes, edges, title="big", renderer="vis")
    data = page_data(page)
    assert data["options"]["physics"] == {"enabled": False} and data["physicsInitially"] is False
    assert data["options"]["edges"]["smooth"] is False
    points = {(n["x"], n["y"]) for n in data["nodes"]}
    assert len(points) == len(nodes)  # every node placed, no two on the same spot


def test_empty_network_and_no_group_filter() -> None:
    page = render_network([], [], title="nothing", filter_groups=False)
    assert page_data(page)["nodes"] == [] and 'class="gk-group-toggle"' not in page
    assert 'class="gk-group-toggle"' not in small_page(filter_groups=False)
    assert small_page().count('class="gk-group-toggle"') == 4


def test_small_network_runs_physics_only_until_stable() -> None:
    data = page_data(small_page())
    assert data["physicsInitially"] is True and data["options"]["physics"]["stabilization"]["enabled"]
    assert page_data(small_page(layout="precomputed"))["options"]["physics"] == {"enabled": False}
    assert LARGE_GRAPH_NODES == 1500


def test_write_html_atomic_leaves_only_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    page = small_page()
    assert sorted(os.listdir(tmp_path)) == ["out"]  # rendering writes nothing
    written = write_html_atomic(page, out / "map.html")
    assert written == out / "map.html" and written.read_text(encoding="utf-8") == page
    assert oct(written.stat().st_mode & 0o777) != oct(0o600)  # not the temp file's private mode
    write_html_atomic("<!DOCTYPE html><p>second</p>", "out/map.html")  # relative path, replaces
    assert sorted(os.listdir(out)) == ["map.html"] and sorted(os.listdir(tmp_path)) == ["out"]

    def boom(src: object, dst: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        write_html_atomic(page, out / "map.html")
    assert (out / "map.html").read_text(encoding="utf-8") == "<!DOCTYPE html><p>second</p>"
    assert sorted(os.listdir(out)) == ["map.html"]
    assert not list(tmp_path.rglob("lib"))


# ----------------------------------------------------------- real headless Chromium


def open_page(browser_page: BrowserPage, tmp_path: Path, page: str, name: str = "map.html") -> Path:
    path = write_html_atomic(page, tmp_path / name)
    browser_page.open(path)
    return path


def node_viewport_point(browser_page: BrowserPage, node_id: str) -> tuple[int, int]:
    """Where a node is drawn, in viewport CSS pixels."""
    x, y = browser_page.js(
        """
        var net = window.graphkit.network, p = net.canvasToDOM(net.getPosition(arguments[0]));
        var box = document.querySelector("#gk-network canvas").getBoundingClientRect();
        return [box.left + p.x, box.top + p.y];""",
        node_id,
    )
    return round(x), round(y)


@pytest.mark.browser
def test_small_network_loads_clean(browser_page: BrowserPage, tmp_path: Path) -> None:
    open_page(browser_page, tmp_path, small_page())
    assert browser_page.vis_counts() == {
        "nodes": 7,
        "edges": 8,
        "visible_nodes": 7,
        "visible_edges": 8,
        "drawn_nodes": 7,
        "drawn_edges": 8,
    }
    assert browser_page.js("return window.graphkit.network.physics.options.enabled;") is False
    assert browser_page.console_errors() == []
    assert browser_page.network_requests() == []


@pytest.mark.browser
def test_hostile_strings_show_as_text_and_run_nothing(browser_page: BrowserPage, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    open_page(browser_page, tmp_path, small_page())
    driver = browser_page.driver
    assert driver.title == EVIL_TITLE
    assert driver.find_element(By.TAG_NAME, "h1").text == EVIL_TITLE
    search = driver.find_element(By.ID, "gk-search")
    search.send_keys(EVIL_LABEL, Keys.ENTER)
    assert browser_page.js("return window.graphkit.network.getSelectedNodes();") == ["cmo:evil"]
    assert driver.find_element(By.ID, "gk-details-label").text == EVIL_LABEL
    body = driver.find_element(By.TAG_NAME, "body").text
    assert EVIL_LABEL in body and EVIL_SCRIPT in body
    assert browser_page.js("return document.querySelectorAll('img, iframe, object, embed').length;") == 0
    assert browser_page.js("return document.scripts.length;") == 3
    assert browser_page.alerts() == []
    assert browser_page.console_errors() == []


@pytest.mark.browser
def test_tooltip_is_plain_multiline_text(browser_page: BrowserPage, tmp_path: Path) -> None:
    from selenium.webdriver.common.actions.action_builder import ActionBuilder

    open_page(browser_page, tmp_path, small_page(height="600px"))  # whole canvas in the viewport
    x, y = node_viewport_point(browser_page, "cmo:lonza")
    # Jump straight there (duration=0): a gliding pointer would pass over edges with tooltips.
    actions = ActionBuilder(browser_page.driver, duration=0)
    actions.pointer_action.move_to_location(x, y).pause(0.1).move_to_location(x + 1, y + 1)
    actions.perform()
    text = browser_page.wait_until(
        "(function(){var t=document.querySelector('div.vis-tooltip');"
        "return t && t.style.visibility !== 'hidden' && t.innerText.indexOf('Fill-finish') === 0 && t.innerText;})()",
        timeout=10,
    )
    assert text.splitlines() == EVIL_TOOLTIP.splitlines()
    assert browser_page.js("return document.querySelectorAll('div.vis-tooltip *').length;") == 1  # one text div
    assert browser_page.alerts() == [] and browser_page.console_errors() == []


@pytest.mark.browser
def test_search_box_selects_and_focuses_a_node(browser_page: BrowserPage, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    open_page(browser_page, tmp_path, small_page())
    driver = browser_page.driver
    driver.find_element(By.ID, "gk-search").send_keys("eurofins qc", Keys.ENTER)
    assert browser_page.js("return window.graphkit.network.getSelectedNodes();") == ["lab:eurofins"]
    assert driver.find_element(By.ID, "gk-search-status").text == "1 node found."
    search = driver.find_element(By.ID, "gk-search")
    search.clear()
    search.send_keys("nothing like this", Keys.ENTER)
    assert "No node matches" in driver.find_element(By.ID, "gk-search-status").text
    search.clear()
    search.send_keys("MA", Keys.ENTER)  # no exact match: every label containing it
    assert sorted(browser_page.js("return window.graphkit.network.getSelectedNodes();")) == [
        "client:acme",
        "product:x1",
    ]
    assert driver.find_element(By.ID, "gk-search-status").text.startswith("2 nodes found")


@pytest.mark.browser
def test_group_checkbox_hides_and_shows_that_group(browser_page: BrowserPage, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    open_page(browser_page, tmp_path, small_page())
    toggle = browser_page.driver.find_element(By.CSS_SELECTOR, 'input.gk-group-toggle[data-group="product"]')
    toggle.click()
    counts = browser_page.vis_counts()
    assert (counts["visible_nodes"], counts["drawn_nodes"]) == (5, 5)
    assert (counts["visible_edges"], counts["drawn_edges"]) == (2, 2)  # only client->cmo edges remain
    assert browser_page.js(
        "return window.graphkit.nodes.get({filter: function (n) { return n.hidden; }})"
        ".map(function (n) { return n.id; }).sort();"
    ) == ["product:x1", "product:y2"]
    assert "2 hidden by filter" in browser_page.driver.find_element(By.ID, "gk-stats").text
    toggle.click()
    assert browser_page.vis_counts()["drawn_nodes"] == 7
    assert browser_page.console_errors() == []


@pytest.mark.browser
def test_screenshot_shows_the_network(browser_page: BrowserPage, tmp_path: Path) -> None:
    open_page(browser_page, tmp_path, small_page())
    browser_page.wait_until("window.graphkit.ready")
    time.sleep(0.3)  # let the final fit() draw
    stats = png_stats(browser_page.screenshot_png("#gk-network"))
    assert not stats.blank, stats
    assert stats.saturated_share > 0.002, stats  # coloured node symbols are drawn
    whole = png_stats(browser_page.screenshot_png())
    assert not whole.blank and whole.width >= 1000, whole


@pytest.mark.browser
def test_empty_network_loads(browser_page: BrowserPage, tmp_path: Path) -> None:
    open_page(browser_page, tmp_path, render_network([], [], title="empty"))
    assert browser_page.vis_counts()["nodes"] == 0
    assert browser_page.console_errors() == [] and browser_page.network_requests() == []


@pytest.mark.browser
@pytest.mark.parametrize("given_positions", [True, False], ids=["given-positions", "computed-positions"])
def test_large_network_renders_static(browser_page: BrowserPage, tmp_path: Path, given_positions: bool) -> None:
    nodes, edges = big_network(3000, positions=given_positions)
    page = render_network(nodes, edges, title="3000 nodes", notes=["synthetic"], renderer="vis")
    expected = {n["id"]: (n["x"], n["y"]) for n in page_data(page)["nodes"]}
    open_page(browser_page, tmp_path, page)
    counts = browser_page.vis_counts()
    assert (counts["nodes"], counts["edges"]) == (3000, len(edges))
    assert browser_page.js("return window.graphkit.network.physics.options.enabled;") is False
    positions = browser_page.js("return window.graphkit.network.getPositions(['n0', 'n1234', 'n2999']);")
    for node_ in (nodes[0], nodes[1234], nodes[2999]):
        x, y = expected[node_.id]  # vis-network's getPositions() rounds to whole pixels
        assert abs(positions[node_.id]["x"] - x) <= 1 and abs(positions[node_.id]["y"] - y) <= 1
        if given_positions:
            assert expected[node_.id] == (node_.x, node_.y)
    time.sleep(0.5)  # still static: nothing moves
    assert browser_page.js("return window.graphkit.network.getPositions(['n1234']);") == {"n1234": positions["n1234"]}
    assert browser_page.console_errors() == []
    assert browser_page.network_requests() == []
    assert not png_stats(browser_page.screenshot_png("#gk-network")).blank


@pytest.mark.browser
def test_harness_sees_requests_errors_dialogs_and_blank_pages(browser_page: BrowserPage, tmp_path: Path) -> None:
    """Positive control: the checks above would catch a page that misbehaves."""
    bad = tmp_path / "bad.html"
    bad.write_text(
        '<!DOCTYPE html><body style="background:#fff">'
        '<img src="http://127.0.0.1:9/tracker.png">'  # discard port: refused at once, stays local
        '<script>alert("hi"); throw new Error("boom");</script></body>',
        encoding="utf-8",
    )
    browser_page.open(bad, ready="document.readyState === 'complete'")
    assert browser_page.network_requests() == ["http://127.0.0.1:9/tracker.png"]
    assert any("boom" in message for message in browser_page.console_errors())
    assert browser_page.alerts() == ["alert:hi"]
    blank = png_stats(browser_page.screenshot_png())
    assert blank.blank, blank  # white page (a broken-image icon is all that shows)
