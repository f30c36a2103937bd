"""graphkit.viz.style / views and ``graphkit viz``: what each view holds, focus, what-if,
trimming and escaping (fast), then the pages in real headless Chromium (``browser``)."""

from __future__ import annotations

import json
import re
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from fixtures_browser import BrowserPage, png_stats

from graphkit import GraphkitError, Portfolio, read_portfolio
from graphkit.cli.main import main
from graphkit.generate import GeneratorSpec, build_portfolio_dict
from graphkit.model import STERILE_TECHNOLOGIES, BusinessModel, NodeKind, RelType, Segment, Technology
from graphkit.validate import build_portfolio
from graphkit.viz import style
from graphkit.viz.network import EMPHASIS_BORDER
from graphkit.viz.views import VIEWS, build_view
from graphkit.viz.webgl import WEBGL_ABOVE

ROOT = Path(__file__).resolve().parent.parent
SMALL = ROOT / "tests" / "small.yaml"
EXAMPLE = ROOT / "examples" / "portfolio.yaml"
EVIL_IMG = "<img src=x onerror=alert(1)>"
EVIL_SCRIPT = "</script><script>alert(1)</script>"


def run(*args: object) -> object:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def expected_counts(pf: Portfolio, view: str) -> tuple[int, int]:
    """Nodes and edges a view must show, counted straight from the records.

    Edges: one per (type, source, target): parallel relationships of one type
    between the same two nodes are drawn as one edge.
    """
    providers, clients, partners = len(pf.providers), len(pf.clients), len(pf.marketing_partners)
    products, liaisons = len(pf.products), len(pf.liaisons)
    topics = len({r.topic for r in pf.requirements})
    supplies = len({(s.provider, p.id) for p in pf.products for s in p.supply})
    distributes = len({(d.distributor, p.id) for p in pf.products for d in p.distributors})
    feeds = len({(f.from_, f.to) for f in pf.feeds})
    contracts = len({(c.client, c.provider) for c in pf.contracts})
    owns = len({(p.owner, p.id) for p in pf.products})
    markets = len({(m.partner, p.id) for p in pf.products for m in p.marketed_by})
    requires = len({(r.party, r.topic) for r in pf.requirements})
    liaises = len({(li.id, x) for li in pf.liaisons for x in li.providers})
    employs = len({(li.client, li.id) for li in pf.liaisons})
    if view == "supply":
        return providers + products, supplies + distributes + feeds
    if view == "commercial":
        return providers + clients + products, contracts + owns
    if view == "requirements":
        return partners + clients + products + topics, requires + markets + owns
    if view == "people":
        return providers + clients + liaisons, contracts + liaises + employs
    return (
        providers + clients + partners + products + liaisons + topics,
        supplies + distributes + feeds + contracts + owns + markets + requires + liaises + employs,
    )


def page_data(page: str) -> dict:
    (text,) = re.findall(r'<script type="application/json" id="gk-data">(.*?)</script>', page, re.DOTALL)
    return json.loads(text)


def start_tags(page: str) -> list[str]:
    """Element names in document order (script and style content is raw text, as in a browser)."""
    tags: list[str] = []

    class Parser(HTMLParser):
        def handle_starttag(self, tag: str, attrs: object) -> None:
            tags.append(tag)

    Parser().feed(page)
    return tags


def hostile_portfolio(tmp_path: Path) -> Path:
    """small.yaml with a hostile CMO name, client name and requirement value."""
    text = SMALL.read_text(encoding="utf-8")
    text = text.replace("name: Fill Alpha", f'name: "{EVIL_IMG}"')
    text = text.replace('name: "Biotech = One"', f'name: "{EVIL_SCRIPT}"')
    text = text.replace("topic: labeling.language, value: de}", f'topic: labeling.language, value: "{EVIL_SCRIPT}"}}')
    assert text.count(EVIL_IMG) == 1 and text.count(EVIL_SCRIPT) == 2
    path = tmp_path / "hostile.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def generated(scale: int, seed: int = 5) -> Portfolio:
    return build_portfolio(build_portfolio_dict(GeneratorSpec.from_scale(scale, seed=seed)), lambda *a: "")[0]


@pytest.fixture(scope="module")
def small() -> Portfolio:
    return read_portfolio(SMALL)[0]


@pytest.fixture(scope="module")
def example() -> Portfolio:
    return read_portfolio(EXAMPLE)[0]


# ------------------------------------------------------------------ style


def test_style_covers_the_model() -> None:
    assert set(style.NODE_STYLES) == set(NodeKind) == set(style.KIND_LABELS)
    assert set(style.EDGE_STYLES) == set(RelType)
    assert set(style.CMO_COLORS) == set(BusinessModel) and set(style.CLIENT_COLORS) == set(Segment)
    assert {t for t in Technology if style.technology_family(t) == "sterile"} == STERILE_TECHNOLOGIES
    assert len({c for c, _ in style.CMO_COLORS.values()}) == 3  # distinct colour per business model
    assert len({c for c, _ in style.CLIENT_COLORS.values()}) == 4
    sterile, oral = style.PRODUCT_FAMILIES["sterile"], style.PRODUCT_FAMILIES["oral_solid"]
    assert (sterile.shape, sterile.color) != (oral.shape, oral.color) and sterile.shape != oral.shape
    assert style.contract_width(100, 100) == 9.0 and style.contract_width(25, 100) == 5.0
    low, high = style.SIZE_RANGE
    assert style.node_size(0, 100) == low and style.node_size(100, 100) == high
    assert style.node_size(100, 100) > style.node_size(50, 100) > style.node_size(1, 100) > low


def _hue_lightness(colour: str) -> tuple[float, float]:
    import colorsys

    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    hue, lightness, _ = colorsys.rgb_to_hls(r, g, b)
    return hue * 360, lightness


def test_colour_means_one_thing() -> None:
    # Red-orange hues (the severity scale's) belong to risk alone: no node fill uses them.
    fills = [s.color for s in style.NODE_STYLES.values()] + [c for c, _ in style.CMO_COLORS.values()]
    fills += [c for c, _ in style.CLIENT_COLORS.values()] + [s.color for s in style.PRODUCT_FAMILIES.values()]
    for colour in fills:
        hue, lightness = _hue_lightness(colour)
        assert not (hue < 40 or hue > 345) or lightness > 0.6 or colour == style.NODE_STYLES[NodeKind.DISTRIBUTOR].color
    # One sequential scale: each severity darker than the one below it, and all of one hue family.
    scale = [_hue_lightness(style.SEVERITY_COLORS[s]) for s in style.SEVERITY_ORDER[1:]]
    assert [lightness for _, lightness in scale] == sorted((lightness for _, lightness in scale), reverse=True)
    assert all(hue < 40 for hue, _ in scale)


# ------------------------------------------------------------------ view contents


def test_small_view_counts_by_hand(small: Portfolio) -> None:
    # supply: 5 providers + 2 products; cmo-a, lab-1 -> prod-1, api-1 -> prod-2, cb-1 -> api-1, dist-1 -> both
    # commercial: 5 providers + 2 clients + 2 products; 3 contracts + 2 owns
    # requirements: 2 partners + 2 clients + 2 products + 2 topics; 3 requires + 2 markets + 2 owns
    hand = {"supply": (7, 6), "commercial": (9, 5), "requirements": (8, 7), "all": (14, 19)}
    for view, counts in hand.items():
        v = build_view(small, view)
        assert (len(v.nodes), len(v.edges)) == counts == expected_counts(small, view), view
        assert not v.trimmed and (v.total_nodes, v.total_edges) == counts


@pytest.mark.parametrize("view", VIEWS)
def test_example_view_counts(example: Portfolio, view: str) -> None:
    v = build_view(example, view)
    assert (len(v.nodes), len(v.edges)) == expected_counts(example, view)
    kinds = {n.group for n in v.nodes}
    if view == "supply":
        assert kinds == {"CMO", "CRO", "Test lab", "Distributor", "Product"}
        (kestrel,) = [e for e in v.edges if e.source == "cmo-kestrel" and e.target == "prod-sterisol"]
        # three steps, one edge; in columns the step is the column, so the edge has no label
        steps = "drug product \u2014 sole source; fill finish \u2014 sole source; packaging labeling \u2014 sole source"
        assert kestrel.tooltip.endswith(f"supplies {steps}") and kestrel.label == ""


def test_styles_reach_the_page(small: Portfolio) -> None:
    v = build_view(small, "all")
    nodes = {n.id: n for n in v.nodes}
    assert nodes["api-1"].color == style.CMO_COLORS[BusinessModel.HYBRID_GENERIC][0]
    assert nodes["cmo-a"].color == style.CMO_COLORS[BusinessModel.CMO_ONLY][0]
    assert nodes["client-1"].color == style.CLIENT_COLORS[Segment.SMALL][0]
    assert nodes["prod-1"].shape == "diamond" and nodes["prod-2"].shape == "dot"
    assert nodes["topic:labeling.language"].label == "labeling.language"
    edges = {(e.source, e.target): e for e in v.edges}
    assert edges[("cmo-a", "prod-1")].color == style.MARK["sole_source"]  # only qualified fill_finish
    assert edges[("lab-1", "prod-1")].dashes  # unqualified testing
    assert not edges[("api-1", "prod-2")].dashes
    widths = {k: e.width for k, e in edges.items() if k[1] in ("cmo-a", "api-1") and k[0].startswith("client")}
    assert widths == {("client-1", "cmo-a"): 9.0, ("client-2", "cmo-a"): 5.62, ("client-2", "api-1"): 4.27}
    conflict = [e for e in v.edges if e.target == "topic:labeling.language"]
    assert {e.color for e in conflict} == {style.MARK["conflict"]} and {e.label for e in conflict} == {"de", "en"}
    # Border: the highest severity of the findings naming the node (small.yaml's analysis):
    # cmo-a 100% of its contract revenue from client-1 (critical); prod-1's requirement
    # conflict puts its 1.2M, all the portfolio's revenue, at stake (critical, one lower:
    # high); lab-1, dist-1 concentration (high); prod-1 is not available, so its sole-source
    # steps lose nothing, and prod-2 records no revenue (the points rule: low), so the key
    # persons, cb-1, api-1 and prod-2 are low; mp-1 and the topics: none.
    worst = {"cmo-a": "critical", "prod-1": "high", "lab-1": "high", "dist-1": "high", "client-2": "low"}
    worst |= {"client-1": "low", "li-1": "low", "cb-1": "low", "api-1": "low", "prod-2": "low"}
    for node_id, node in nodes.items():
        sev = worst.get(node_id)
        assert node.border == (style.SEVERITY_COLORS[sev] if sev else None), node_id
        assert node.border_width == (style.SEVERITY_BORDER[sev] if sev else None), node_id
    # The top 5: the critical, the three highs, then the first low by id (nothing at risk in money).
    assert {i for i, n in nodes.items() if n.highlight} == {"cmo-a", "prod-1", "lab-1", "dist-1", "api-1"}
    assert "hidden" not in nodes["cb-1"].tooltip and "cb-1 failing takes down prod-2" in nodes["cb-1"].tooltip
    assert {n.size for n in nodes.values()} == {style.SIZE_RANGE[0]}  # small.yaml gives no revenue: nothing at risk
    labels = [e.label for e in v.legend]
    assert "CMO, hybrid (own generics)" in labels and "contract (width: annual value)" in labels
    assert "CMO, hybrid (own branded)" not in labels and "Client, mid-sized" not in labels  # only what is drawn


def test_empty_portfolio() -> None:
    from graphkit.viz.report import render_report

    for view in VIEWS:
        v = build_view(Portfolio(), view)
        assert v.nodes == [] and v.edges == [] and page_data(v.render())["nodes"] == []
    assert "None found." in render_report(Portfolio(), views=VIEWS)


def test_risk_sizes_follow_the_findings(example: Portfolio) -> None:
    nodes = {n.id: n for n in build_view(example, "supply").nodes}
    # Pinecrest puts the most revenue at risk (1.087bn), Harbor only a clinical product.
    assert nodes["cmo-pinecrest-pack"].size > nodes["cmo-harborfill"].size
    assert nodes["cmo-northbridge"].highlight and "single point of failure" in nodes["cmo-northbridge"].tooltip


def test_focus_keeps_the_hand_computed_neighbourhood(small: Portfolio) -> None:
    one = {n.id for n in build_view(small, "all", focus="cmo-a", hops=1).nodes}
    assert one == {"cmo-a", "prod-1", "client-1", "client-2", "li-1"}
    two = {n.id for n in build_view(small, "all", focus="cmo-a", hops=2).nodes}
    assert two == one | {"lab-1", "dist-1", "mp-1", "mp-2", "prod-2", "api-1", "topic:=cmd|' /C calc'!A0"}
    supply = build_view(small, "supply", focus="api-1", hops=1)
    assert {n.id for n in supply.nodes} == {"api-1", "prod-2", "cb-1"}
    assert {(e.source, e.target) for e in supply.edges} == {("api-1", "prod-2"), ("cb-1", "api-1")}
    assert {n.id for n in build_view(small, "all", focus="cmo-a", hops=0).nodes} == {"cmo-a"}


def test_focus_errors(small: Portfolio) -> None:
    with pytest.raises(GraphkitError, match=r"unknown node 'cmo-b' \(did you mean 'cmo-a'\?\)"):
        build_view(small, "all", focus="cmo-b")
    with pytest.raises(GraphkitError, match="'client-1' is a client, which the supply view does not show"):
        build_view(small, "supply", focus="client-1")


def test_whatif_marks(small: Portfolio, example: Portfolio) -> None:
    v = build_view(small, "all", fail=["cb-1"])
    assert v.marks == {"failed": ["cb-1"], "down": ["api-1"], "lost": ["prod-2"], "affected": ["client-2"]}
    nodes = {n.id: n for n in v.nodes}
    assert nodes["cb-1"].color == style.MARK["failed"] and nodes["prod-2"].color == style.MARK["lost"]
    assert {i for i, n in nodes.items() if n.highlight} == {"cb-1", "api-1", "prod-2", "client-2"}
    assert nodes["cmo-a"].color == style.MARK["unaffected"]
    assert v.notes[0].startswith(
        "What-if: if Cell Bank One (cb-1) fails, 1 market(s) are lost: prod-2; "
        "1 product(s) lost in every market: prod-2"
    )
    impact = {(e.source, e.target) for e in v.edges if e.color == style.MARK["impact_edge"]}
    assert impact == {("cb-1", "api-1"), ("api-1", "prod-2"), ("client-2", "prod-2")}
    # The example's hidden common mode: Northbridge takes down five products it does not supply itself.
    w = build_view(example, "supply", fail=["cmo-northbridge"])
    assert sorted(w.marks["lost"]) == ["prod-cx101", "prod-lyozumab", "prod-tessimab", "prod-veltamab", "prod-wr12"]
    assert sorted(w.marks["down"]) == ["cmo-alpinefill", "cmo-harborfill"]
    with pytest.raises(GraphkitError, match="did you mean 'cmo-kestrel'"):
        build_view(example, "supply", fail=["cmo-kestrl"])


def test_trimmed_view_says_what_was_left_out() -> None:
    pf = generated(3000)
    total, total_edges = expected_counts(pf, "all")
    assert total > 300
    v = build_view(pf, "all", max_nodes=300)
    assert v.trimmed and len(v.nodes) == 300 and v.total_nodes == total
    assert len({n.group for n in v.nodes}) == len(NodeKind)  # a few of every kind stay
    assert v.notes[0].startswith(f"Trimmed to 300 of {total:,} nodes (cap: --max-nodes 300)")
    left = dict(re.findall(r"([A-Za-z ]+): ([\d,]+)", v.notes[1].split("\u2014")[1]))
    assert sum(int(n.replace(",", "")) for n in left.values()) == total - 300
    kept = {n.id for n in v.nodes}
    assert all(e.source in kept and e.target in kept for e in v.edges)
    dropped = int(re.search(r"and ([\d,]+) edge", v.notes[1]).group(1).replace(",", ""))  # type: ignore[union-attr]
    assert len(v.edges) + dropped == total_edges
    # The nodes of the most severe findings are kept.
    from graphkit.analysis import analyze

    critical = [c["node"] for c in analyze(pf).as_dict()["spof"]["critical_nodes"] if c["severity"] == "critical"]
    assert critical and set(critical[:50]) <= kept


def test_a_big_portfolio_stays_whole_in_webgl() -> None:
    pf = generated(32_000, seed=2)
    total, edges = expected_counts(pf, "all")
    assert total > WEBGL_ABOVE
    v = build_view(pf, "all")
    data = page_data(v.render())
    assert not v.trimmed and len(v.nodes) == total and len(data["webgl"]["ids"]) == total
    assert len(data["webgl"]["edges"]) == 3 * edges and data["renderer"] == "webgl"


def test_hostile_strings_are_data_only(tmp_path: Path) -> None:
    pf = read_portfolio(hostile_portfolio(tmp_path))[0]
    for view in VIEWS:
        page = build_view(pf, view).render()
        assert "<img" not in page and EVIL_SCRIPT not in page
        assert start_tags(page).count("script") == 3
    data = page_data(build_view(pf, "all").render())
    labels = {n["id"]: n["label"] for n in data["nodes"]}
    assert labels["cmo-a"] == EVIL_IMG and labels["client-1"] == EVIL_SCRIPT
    assert any(e.get("label") == EVIL_SCRIPT for e in data["edges"])


# ------------------------------------------------------------------ CLI


def test_cli_viz_writes_prints_and_opens(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[str] = []
    monkeypatch.setattr("click.launch", lambda url, **kw: opened.append(url))
    out = tmp_path / "net.html"
    result = run("viz", SMALL, "--view", "supply", "-o", out, "--open")
    assert result.exit_code == 0 and result.stdout == f"{out}\n"  # type: ignore[attr-defined]
    assert opened == [str(out)] and sorted(p.name for p in tmp_path.iterdir()) == ["net.html"]
    data = page_data(out.read_text(encoding="utf-8"))
    assert len(data["nodes"]) == 7


@pytest.mark.parametrize(
    "args, code, message",
    [
        (["--focus", "cmo-b"], 1, "Error: unknown node 'cmo-b' (did you mean 'cmo-a'?)"),
        (["--highlight", "whatif"], 2, "--highlight whatif needs at least one --fail ID"),
        (["--fail", "cb-1", "--highlight", "none"], 2, "--fail only works with --highlight whatif"),
        (["--fail", "nope"], 1, "Error: unknown node 'nope'"),
        (["--view", "money"], 2, "Invalid value for '--view'"),
    ],
)
def test_cli_viz_errors(tmp_path: Path, args: list[str], code: int, message: str) -> None:
    result = run("viz", SMALL, "-o", tmp_path / "x.html", *args)
    assert result.exit_code == code and message in result.output  # type: ignore[attr-defined]
    assert not list(tmp_path.iterdir())


def test_cli_viz_unwritable_output(tmp_path: Path) -> None:
    result = run("viz", SMALL, "-o", tmp_path / "missing" / "x.html")
    assert result.exit_code == 1 and "Error: cannot write" in result.output  # type: ignore[attr-defined]


def test_cli_viz_trim_message(tmp_path: Path) -> None:
    path = tmp_path / "gen.json"
    assert run("generate", "--scale", "3000", "--seed", "5", "-o", path).exit_code == 0  # type: ignore[attr-defined]
    result = CliRunner().invoke(main, ["viz", str(path), "-o", str(tmp_path / "g.html"), "--max-nodes", "200"])
    assert result.exit_code == 0
    assert result.stdout == f"{tmp_path / 'g.html'}\n"
    assert "200 of" in result.stderr and "the page lists what was left out" in result.stderr


# ------------------------------------------------------------------ real headless Chromium


def open_view(browser_page: BrowserPage, tmp_path: Path, portfolio: Path, *args: object) -> Path:
    out = tmp_path / "view.html"
    result = run("viz", portfolio, "-o", out, *args)
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    browser_page.open(out)
    return out


def dataset_nodes(browser_page: BrowserPage) -> list[dict]:
    return browser_page.js(
        "return window.graphkit.nodes.get().map(function (n) {"
        " return {id: n.id, group: n.group, border: n.borderWidth || 0,"
        " color: n.color.background}; });"
    )


@pytest.mark.browser
@pytest.mark.parametrize("source", [SMALL, EXAMPLE], ids=["small", "example"])
@pytest.mark.parametrize("view", VIEWS)
def test_views_load_clean_with_expected_counts(
    browser_page: BrowserPage, tmp_path: Path, source: Path, view: str
) -> None:
    open_view(browser_page, tmp_path, source, "--view", view)
    nodes, edges = expected_counts(read_portfolio(source)[0], view)
    counts = browser_page.vis_counts()
    assert (counts["nodes"], counts["edges"]) == (nodes, edges)
    assert (counts["drawn_nodes"], counts["drawn_edges"]) == (nodes, edges)
    assert browser_page.console_errors() == []
    assert browser_page.network_requests() == []
    assert browser_page.alerts() == []


@pytest.mark.browser
def test_screenshot_is_not_blank(browser_page: BrowserPage, tmp_path: Path) -> None:
    open_view(browser_page, tmp_path, EXAMPLE, "--view", "supply")
    time.sleep(0.3)
    png = browser_page.screenshot_png("#gk-network")
    stats = png_stats(png)
    assert not stats.blank and stats.saturated_share > 0.01, stats
    legend = browser_page.driver.find_element("css selector", "section.gk-legend").text
    assert "CMO, hybrid (own generics)" in legend and "Product, sterile" in legend


@pytest.mark.browser
def test_hostile_names_show_as_text(browser_page: BrowserPage, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    open_view(browser_page, tmp_path, hostile_portfolio(tmp_path), "--view", "all")
    driver = browser_page.driver
    driver.find_element(By.ID, "gk-search").send_keys(EVIL_IMG, Keys.ENTER)
    assert browser_page.js("return window.graphkit.network.getSelectedNodes();") == ["cmo-a"]
    assert driver.find_element(By.ID, "gk-details-label").text == EVIL_IMG
    search = driver.find_element(By.ID, "gk-search")
    search.clear()
    search.send_keys(EVIL_SCRIPT, Keys.ENTER)
    assert browser_page.js("return window.graphkit.network.getSelectedNodes();") == ["client-1"]
    assert EVIL_SCRIPT in driver.find_element(By.ID, "gk-details-tip").text
    assert browser_page.js("return document.querySelectorAll('img, iframe, object, embed').length;") == 0
    assert browser_page.js("return document.scripts.length;") == 3
    assert browser_page.alerts() == [] and browser_page.console_errors() == []


@pytest.mark.browser
def test_focus_and_whatif_in_the_page(browser_page: BrowserPage, tmp_path: Path) -> None:
    open_view(browser_page, tmp_path, SMALL, "--focus", "cmo-a", "--hops", "1")
    assert sorted(n["id"] for n in dataset_nodes(browser_page)) == sorted(
        ["cmo-a", "prod-1", "client-1", "client-2", "li-1"]
    )
    assert browser_page.console_errors() == []

    open_view(browser_page, tmp_path, SMALL, "--view", "all", "--fail", "cb-1")
    by_colour: dict[str, set[str]] = {}
    for n in dataset_nodes(browser_page):
        by_colour.setdefault(n["color"], set()).add(n["id"])
        assert (n["border"] == EMPHASIS_BORDER) == (n["id"] in {"cb-1", "api-1", "prod-2", "client-2"}), n
    assert by_colour[style.MARK["failed"]] == {"cb-1"}
    assert by_colour[style.MARK["down"]] == {"api-1"}
    assert by_colour[style.MARK["lost"]] == {"prod-2"}
    assert by_colour[style.MARK["affected"]] == {"client-2"}
    assert len(by_colour[style.MARK["unaffected"]]) == 10
    notes = browser_page.driver.find_element("css selector", "section.gk-notes").text
    assert (
        "What-if: if Cell Bank One (cb-1) fails, 1 market(s) are lost: prod-2; "
        "1 product(s) lost in every market: prod-2"
    ) in notes
    assert "cb-1" in browser_page.driver.title
    assert browser_page.console_errors() == [] and browser_page.network_requests() == []


@pytest.mark.browser
def test_trimmed_network_renders_with_note(browser_page: BrowserPage, tmp_path: Path) -> None:
    path = tmp_path / "gen.json"
    assert run("generate", "--scale", "3000", "--seed", "5", "-o", path).exit_code == 0  # type: ignore[attr-defined]
    total, _ = expected_counts(read_portfolio(path)[0], "all")
    open_view(browser_page, tmp_path, path, "--max-nodes", "250")
    assert browser_page.vis_counts()["nodes"] == 250
    notes = browser_page.driver.find_element("css selector", "section.gk-notes").text
    assert f"Trimmed to 250 of {total:,} nodes" in notes and "Left out" in notes
    assert browser_page.console_errors() == [] and browser_page.network_requests() == []
    assert not png_stats(browser_page.screenshot_png("#gk-network")).blank
