"""Tests for single points of failure (graphkit.analysis.spof): hand-computed
answers on small inline portfolios, tests/small.yaml by hand, and randomized
cross-checks against an independent brute force on generated portfolios."""

from __future__ import annotations

import dataclasses
import importlib
import json
import random
import textwrap
from pathlib import Path

import networkx as nx
import pytest
from msgspec import structs
from severity_oracle import Oracle
from supply_oracle import available, brute_single, counts_in, markets_of, providers_down, sources_of, unit_revenue

from graphkit import GraphkitError, Portfolio, read_portfolio, to_networkx
from graphkit.analysis.severity import Severity
from graphkit.analysis.spof import (
    critical_nodes,
    cut_points,
    key_person_risks,
    product_severity,
    sole_source_steps,
    spof,
    supply_inputs,
    whatif,
)
from graphkit.analysis.supply import FeedIn
from graphkit.generate import GeneratorSpec, build_portfolio_dict
from graphkit.model import Provider
from graphkit.validate import build_portfolio

spof_module = importlib.import_module("graphkit.analysis.spof")  # the package re-exports spof()
SMALL = Path(__file__).resolve().parent / "small.yaml"


@pytest.fixture
def load(tmp_path: Path):
    """Write inline YAML to a file and read it with read_portfolio."""

    def _load(text: str) -> Portfolio:
        path = tmp_path / "portfolio.yaml"
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        portfolio, _ = read_portfolio(path)
        return portfolio

    return _load


# One cell bank -> one API maker -> two "independent" fill-finish CMOs.
HIDDEN = """
providers:
  - {id: cb, name: Cell Bank, kind: cmo}
  - {id: api, name: API Maker, kind: cmo}
  - {id: ff-1, name: Fill One, kind: cmo}
  - {id: ff-2, name: Fill Two, kind: cmo}
clients:
  - {id: c, name: Client, segment: mid_sized}
products:
  - id: p
    name: P
    technology: aseptic_fill
    stage: commercial
    owner: c
    annual_revenue: 10000000
    supply:
      - {provider: ff-1, step: fill_finish}
      - {provider: ff-2, step: fill_finish}
feeds:
  - {from: cb, to: api, material: cells}
  - {from: api, to: ff-1, material: api}
  - {from: api, to: ff-2, material: api}
"""

# Three products, an unqualified backup, an only distributor, liaisons.
WORLD = """
providers:
  - {id: cmo-a, name: CMO A, kind: cmo}
  - {id: cmo-b, name: CMO B, kind: cmo}
  - {id: api-x, name: API X, kind: cmo}
  - {id: lab, name: Lab, kind: test_lab}
  - {id: dist-1, name: Dist One, kind: distributor}
  - {id: dist-2, name: Dist Two, kind: distributor}
clients:
  - {id: small-co, name: Small, segment: small}
  - {id: big-co, name: Big, segment: large}
  - {id: gen-co, name: Gen, segment: generics_only}
marketing_partners:
  - {id: mp-1, name: Partner One}
  - {id: mp-2, name: Partner Two}
products:
  - id: p-sterile
    name: Sterile
    technology: aseptic_fill
    stage: commercial
    owner: small-co
    annual_revenue: 60000000
    supply:
      - {provider: cmo-a, step: fill_finish}
      - {provider: cmo-b, step: fill_finish, qualified: false}
      - {provider: lab, step: testing}
    distributors: [dist-1]
    marketed_by: [mp-1, mp-2]
  - id: p-tab
    name: Tablet
    technology: tablet
    stage: clinical
    owner: big-co
    supply:
      - {provider: cmo-a, step: api}
    distributors: [dist-1, dist-2]
    marketed_by: [mp-2]
  - id: p-gen
    name: Generic
    technology: capsule
    stage: commercial
    owner: gen-co
    annual_revenue: 6000000
    supply:
      - {provider: cmo-a, step: drug_product}
      - {provider: cmo-b, step: drug_product}
    distributors: [dist-2]
contracts:
  - {client: big-co, provider: lab, annual_value: 1000}
liaisons:
  - {id: li-1, name: Ann, client: small-co, providers: [cmo-a, api-x]}
  - {id: li-2, name: Bob, client: big-co, providers: [cmo-a]}
  - {id: li-3, name: Cy, client: big-co, providers: [cmo-a, dist-1]}
  - {id: li-4, name: Di, client: gen-co, providers: [cmo-b]}
  - {id: li-5, name: Ed, client: small-co, providers: [cmo-b, lab]}
"""


def by_node(portfolio: Portfolio) -> dict[str, spof_module.CriticalNode]:
    return {c.node: c for c in critical_nodes(portfolio)}


# ---------------------------------------------------------------------------
# engine inputs
# ---------------------------------------------------------------------------


def test_supply_inputs_small() -> None:
    units, feeds = supply_inputs(read_portfolio(SMALL)[0])
    # prod-1 is sold in EU (its distributor's territory) and US (mp-2's); mp-1 has no
    # territory, so it markets both; no distributor serves the US. prod-2 names no
    # territory: one global market.
    assert units == {
        ("prod-1", "EU"): {
            "fill_finish": ("cmo-a",),
            "testing": (),
            "distribution": ("dist-1",),
            "marketing": ("mp-1",),
        },
        ("prod-1", "US"): {"fill_finish": ("cmo-a",), "testing": (), "distribution": (), "marketing": ("mp-1", "mp-2")},
        ("prod-2", None): {"api": ("api-1",), "distribution": ("dist-1",)},
    }
    assert feeds == {"api-1": [FeedIn("cell line", "cb-1")]}


# ---------------------------------------------------------------------------
# critical nodes
# ---------------------------------------------------------------------------


def test_hidden_common_mode(load) -> None:
    nodes = by_node(load(HIDDEN))
    assert set(nodes) == {"cb", "api"}  # neither fill-finish CMO is critical
    for node in ("cb", "api"):
        c = nodes[node]
        assert c.hidden and c.kind == "cmo" and c.products_lost == ("p",)
        assert c.revenue_at_risk == 10_000_000 and c.clients_affected == ("c",)
        assert c.severity is Severity.CRITICAL  # 10M +1, sterile +2, commercial +2, mid_sized +1 = 6
    assert nodes["api"].explanation == (
        "api failing takes down p (10M revenue): step fill_finish: "
        "ff-1 needs 'api' only from api (fails); ff-2 needs 'api' only from api (fails). "
        # no recovery time or stock recorded: 52 weeks short at 10M / 52 a week
        "Loss 10M: p short 52 weeks from week 0 until week 52 (api back); stock for 52 weeks, "
        "or a qualified backup, would remove the shortage "
        "(recovery time unknown: 52 weeks counted; no stock recorded: counted as none)"
    )
    assert nodes["cb"].explanation.startswith(
        "cb failing takes down p (10M revenue): step fill_finish: "
        "ff-1 needs 'api' only from api, which needs 'cells' only from cb (fails)"
    )
    assert sole_source_steps(load(HIDDEN)) == []  # two qualified fill-finish sources


def test_world_critical_nodes(load) -> None:
    result = critical_nodes(load(WORLD))
    # cmo-b is only an unqualified backup for p-sterile and one of two for p-gen
    assert [c.node for c in result] == ["cmo-a", "dist-1", "lab", "dist-2", "mp-2"]
    a, d1, lab, d2, mp2 = result
    # p-tab's only marketing partner: clinical tablet (+1) of a large client (+0) = low
    assert (mp2.products_lost, mp2.kind, mp2.severity) == (("p-tab",), "marketing_partner", Severity.LOW)
    assert mp2.units == (("p-tab", None),) and mp2.partners_affected == ("mp-2",)
    assert a.products_lost == ("p-sterile", "p-tab")
    assert a.clients_affected == ("big-co", "small-co")
    assert a.partners_affected == ("mp-1", "mp-2")
    assert a.revenue_at_risk == 60_000_000  # p-tab has no revenue: counts 0
    assert a.severity is Severity.CRITICAL and not a.hidden
    assert a.explanation == (
        "cmo-a failing takes down p-sterile, p-tab (60M revenue): p-sterile step fill_finish: only source cmo-a fails. "
        # p-sterile costs most (p-tab has no revenue): 52 weeks at 60M / 52
        "Loss 60M: p-sterile short 52 weeks from week 0 until week 52 (cmo-a back); stock for 52 weeks, "
        "or a qualified backup, would remove the shortage "
        "(recovery time unknown: 52 weeks counted; no stock recorded: counted as none)"
    )
    assert (a.loss, a.risk_exposure) == (60e6, 1.0)
    assert (d1.products_lost, d1.kind, d1.severity) == (("p-sterile",), "distributor", Severity.CRITICAL)
    assert lab.products_lost == ("p-sterile",) and lab.kind == "test_lab"
    # the only distributor of p-gen: capsule 6M (+1), commercial (+2), generics_only (+1) = 4
    assert (d2.products_lost, d2.kind, d2.severity) == (("p-gen",), "distributor", Severity.HIGH)
    assert d2.clients_affected == ("gen-co",) and d2.partners_affected == ()
    assert d2.revenue_at_risk == 6_000_000
    assert d2.explanation.startswith(
        "dist-2 failing takes down p-gen (6M revenue): step distribution: only source dist-2 fails. Loss 6M: "
    )
    assert (d2.loss, d2.risk_exposure) == (6e6, 0.1)  # 6M of cmo-a's 60M


def test_unqualified_backup_does_not_save(load) -> None:
    p = load(WORLD)
    assert "p-sterile" in by_node(p)["cmo-a"].products_lost
    assert "cmo-b" not in by_node(p)
    assert whatif(p, ["cmo-a"]).products_lost == ("p-sterile", "p-tab")


def test_points_rule_is_the_fallback_without_revenue(load) -> None:
    products = "\n".join(
        f"""
  - id: p{i}
    name: P{i}
    technology: tablet
    stage: clinical
    owner: c
    supply: [{{provider: m, step: api}}]"""
        for i in range(3)
    )
    p = load(f"""
providers: [{{id: m, name: M, kind: cmo}}]
clients: [{{id: c, name: C, segment: large}}]
products:{products}
""")
    assert {product_severity(p, f"p{i}") for i in range(3)} == {Severity.LOW}
    [node] = critical_nodes(p)
    assert node.severity is Severity.LOW  # its worst market's level, and it says why
    assert node.explanation.startswith("m failing takes down p0, p1, p2 (no revenue recorded): p0 step api")
    assert node.explanation.endswith("(severity by the points rule: no revenue recorded)")


# ---------------------------------------------------------------------------
# severity
# ---------------------------------------------------------------------------


PRODUCT = """
clients: [{{id: c, name: C, segment: {segment}}}]
products:
  - {{id: p, name: P, technology: {technology}, stage: {stage}, owner: c{revenue}}}
"""


@pytest.mark.parametrize(
    ("technology", "stage", "segment", "revenue", "expected"),
    [
        ("aseptic_fill", "commercial", "small", None, Severity.CRITICAL),  # 2+2+2 = 6
        ("tablet", "clinical", "large", None, Severity.LOW),  # 1
        ("tablet", "commercial", "large", None, Severity.MEDIUM),  # 2
        ("tablet", "commercial", "large", 50_000_000, Severity.HIGH),  # 2+2 = 4
        ("tablet", "commercial", "large", 49_999_999, Severity.MEDIUM),  # 2+1 = 3
        ("lyophilization", "clinical", "large", 5_000_000, Severity.HIGH),  # 2+1+1 = 4
        ("capsule", "clinical", "mid_sized", None, Severity.MEDIUM),  # 1+1 = 2
        ("sterile_cream", "clinical", "generics_only", 60e6, Severity.CRITICAL),  # 2+2+1+1 = 6
        ("sachet", "commercial", "small", 4_999_999, Severity.HIGH),  # 2+2 = 4
    ],
)
def test_product_severity_rule(load, technology, stage, segment, revenue, expected) -> None:
    p = load(
        PRODUCT.format(
            technology=technology,
            stage=stage,
            segment=segment,
            revenue="" if revenue is None else f", annual_revenue: {revenue}",
        )
    )
    assert product_severity(p, "p") is expected


# ---------------------------------------------------------------------------
# sole-source steps
# ---------------------------------------------------------------------------


def test_world_sole_source_steps(load) -> None:
    rows = [(s.product, s.step, s.provider, s.backup, s.severity) for s in sole_source_steps(load(WORLD))]
    # The money scale on 66M of portfolio revenue; no recovery or stock recorded, so
    # each loss is 52 weeks of the market's revenue: p-sterile 60M (91 %: critical),
    # p-gen 6M (9.1 %: high). cmo-b has no bring-up time: it does not shorten the loss.
    assert rows == [
        ("p-sterile", "fill_finish", "cmo-a", ("cmo-b",), Severity.CRITICAL),
        ("p-sterile", "testing", "lab", (), Severity.CRITICAL),
        ("p-sterile", "distribution", "dist-1", (), Severity.CRITICAL),
        ("p-gen", "distribution", "dist-2", (), Severity.HIGH),
        ("p-tab", "api", "cmo-a", (), Severity.LOW),  # no revenue: the points rule (clinical +1)
    ]
    texts = {(s.product, s.step): s.explanation for s in sole_source_steps(load(WORLD))}
    assert texts[("p-sterile", "fill_finish")] == (
        "p-sterile loses its only qualified fill_finish source if cmo-a fails; an unqualified backup cmo-b exists"
    )
    assert texts[("p-tab", "api")] == (
        "p-tab loses its only qualified api source if cmo-a fails (severity by the points rule: no revenue recorded)"
    )


# ---------------------------------------------------------------------------
# cut points
# ---------------------------------------------------------------------------


CUT = """
providers:
  - {id: m1, name: M1, kind: cmo}
  - {id: m2, name: M2, kind: cmo}
  - {id: m3, name: M3, kind: cmo}
  - {id: d1, name: D1, kind: distributor}
clients:
  - {id: c1, name: C1, segment: small}
  - {id: c2, name: C2, segment: large}
marketing_partners:
  - {id: mp, name: MP}
products:
  - {id: pa, name: PA, technology: tablet, owner: c1, supply: [{provider: m1, step: api}], distributors: [d1]}
  - id: pb
    name: PB
    technology: tablet
    owner: c1
    supply: [{provider: m1, step: api}, {provider: m2, step: testing, qualified: false}]
  - {id: pc, name: PC, technology: tablet, owner: c2, distributors: [d1], marketed_by: [mp]}
feeds:
  - {from: m3, to: m2, material: x}
contracts:
  - {client: c1, provider: m1, annual_value: 1}
  %s
requirements:
  - {party: mp, topic: labeling.language, value: de}
liaisons:
  - {id: li, name: Li, client: c2, providers: [m3]}
"""


def test_cut_points_hand_drawn(load) -> None:
    # c1, pa, pb, m1 form one block; the rest hangs off it in a tree:
    # pb - m2 - m3, pa - d1 - pc - {c2, mp}.  The requirement (mp - topic) and
    # the liaison (c2 - li - m3) are not part of the network.
    cuts = cut_points(load(CUT % ""))
    assert cuts.articulation_points == ("d1", "m2", "pa", "pb", "pc")
    assert cuts.bridges == (("c2", "pc"), ("d1", "pa"), ("d1", "pc"), ("m2", "m3"), ("m2", "pb"), ("mp", "pc"))
    # one more contract closes the ring c2 - m3 - m2 - pb ... pa - d1 - pc - c2
    cuts = cut_points(load(CUT % "- {client: c2, provider: m3, annual_value: 1}"))
    assert cuts.articulation_points == ("pc",)
    assert cuts.bridges == (("mp", "pc"),)
    assert cuts.as_dict() == {"articulation_points": ["pc"], "bridges": [["mp", "pc"]]}


def reference_cut_points(portfolio: Portfolio) -> tuple[list[str], list[tuple[str, str]]]:
    """networkx's own articulation_points and bridges on the graph of to_networkx."""
    g = to_networkx(portfolio)
    keep = {n for n, k in g.nodes(data="kind") if k not in ("requirement", "liaison")}
    types = {"OWNS", "SUPPLIES", "DISTRIBUTES", "MARKETS", "FEEDS", "CONTRACTS_WITH"}
    simple = nx.Graph()
    simple.add_nodes_from(keep)
    simple.add_edges_from((u, v) for u, v, t in g.edges(data="type") if t in types and u != v)
    return sorted(nx.articulation_points(simple)), sorted(tuple(sorted(e)) for e in nx.bridges(simple))


def test_cut_points_match_networkx_bridges(load) -> None:
    for text in (CUT % "", CUT % "- {client: c2, provider: m3, annual_value: 1}", WORLD, HIDDEN):
        p = load(text)
        points, bridges = reference_cut_points(p)
        assert cut_points(p).articulation_points == tuple(points)
        assert cut_points(p).bridges == tuple(bridges)


@pytest.mark.parametrize("seed", range(40))
def test_cut_search_matches_networkx_on_random_graphs(seed: int) -> None:
    # Sparse random graphs (trees with a few more edges, several components, lone nodes): many cut points and bridges.
    import random

    from graphkit.analysis.spof import _cuts

    rng = random.Random(seed)
    n = rng.randint(1, 60)
    g = nx.Graph()
    g.add_nodes_from(range(n))
    g.add_edges_from((i, rng.randrange(i)) for i in range(1, n) if rng.random() < 0.9)
    g.add_edges_from((rng.randrange(n), rng.randrange(n)) for _ in range(rng.randint(0, n // 3)))
    g.remove_edges_from(list(nx.selfloop_edges(g)))
    points, bridges = _cuts([set(g[i]) for i in range(n)])
    assert points == set(nx.articulation_points(g))
    assert sorted(tuple(sorted(e)) for e in bridges) == sorted(tuple(sorted(e)) for e in nx.bridges(g))


# ---------------------------------------------------------------------------
# key-person risks
# ---------------------------------------------------------------------------


def test_key_person_risks(load) -> None:
    rows = [(k.client, k.provider, k.liaison, k.severity) for k in key_person_risks(load(WORLD))]
    H, M, L = Severity.HIGH, Severity.MEDIUM, Severity.LOW
    # No liaison rates like one liaison: the loss the provider's failure costs the
    # client (share of 66M, 52 weeks counted), one level lower; low when it costs nothing.
    assert rows == [
        ("small-co", "cmo-a", "li-1", H),  # cmo-a loses p-sterile: 60M, critical, one lower
        ("small-co", "dist-1", None, H),  # dist-1 is p-sterile's only distributor
        ("small-co", "lab", "li-5", H),  # lab too
        ("gen-co", "dist-2", None, M),  # dist-2 is p-gen's only distributor: 6M, high, one lower
        ("big-co", "dist-1", "li-3", L),  # dist-1 is critical only for small-co's product
        ("big-co", "dist-2", None, L),  # p-tab has two distributors
        ("big-co", "lab", None, L),  # a contract without supply is a relationship
        ("gen-co", "cmo-a", None, L),  # p-gen's drug product has cmo-b too
        ("gen-co", "cmo-b", "li-4", L),
        ("small-co", "cmo-b", "li-5", L),  # an unqualified backup is still a relationship
    ]  # big-co/cmo-a has two liaisons; li-1's api-x is no relationship of small-co
    texts = {(k.client, k.provider): k.explanation for k in key_person_risks(load(WORLD))}
    assert texts[("small-co", "cmo-a")] == (
        "small-co's relationship with cmo-a rests on one liaison, "
        "li-1 (Ann); cmo-a is a single point of failure for p-sterile"
    )
    assert texts[("gen-co", "cmo-b")] == "gen-co's relationship with cmo-b rests on one liaison, li-4 (Di)"
    assert (
        texts[("gen-co", "dist-2")]
        == "gen-co has no liaison with dist-2; dist-2 is a single point of failure for p-gen"
    )


# ---------------------------------------------------------------------------
# what-if
# ---------------------------------------------------------------------------


def test_whatif_multiple_failures_and_added_source(load) -> None:
    p = load(WORLD)
    r = whatif(p, ["cmo-a", "cmo-b"])  # neither alone loses p-gen; together they do
    assert r.failed == ("cmo-a", "cmo-b")
    assert r.products_lost == ("p-gen", "p-sterile", "p-tab")
    assert r.products_saved == () and r.products_gained == ()
    assert r.clients_affected == ("big-co", "gen-co", "small-co")
    assert r.partners_affected == ("mp-1", "mp-2")
    assert r.revenue_at_risk == 66_000_000
    assert r.providers_down == ("cmo-a", "cmo-b")
    assert dict(r.explanations) == {
        "p-gen": "step drug_product: cmo-a fails; cmo-b fails",
        "p-sterile": "step fill_finish: only source cmo-a fails",
        "p-tab": "step api: only source cmo-a fails",
    }
    assert r.notes == ()

    r = whatif(p, ["cmo-a", "cmo-b"], [("p-gen", "drug_product", "api-x")])
    assert r.products_lost == ("p-sterile", "p-tab") and r.products_saved == ("p-gen",)
    assert r.revenue_at_risk == 60_000_000 and r.clients_affected == ("big-co", "small-co")


def test_whatif_upstream_cut_off(load) -> None:
    p = load(HIDDEN)
    r = whatif(p, ["cb", "ff-1"])
    assert r.products_lost == ("p",)
    assert r.providers_down == ("api", "cb", "ff-1", "ff-2")
    assert dict(r.explanations) == {
        "p": "step fill_finish: ff-1 fails; ff-2 needs 'api' only from api, which needs 'cells' only from cb (fails)"
    }
    # a second API maker, fed by its own cell bank, qualified at ff-2 ... is a feed, not a source:
    # adding ff-1 back as a source changes nothing; a new fill-finish source saves p
    extra = load(HIDDEN.replace("  - {id: ff-2,", "  - {id: ff-3, name: Fill Three, kind: cmo}\n  - {id: ff-2,"))
    r = whatif(extra, ["cb"], [("p", "fill_finish", "ff-3")])
    assert r.products_lost == () and r.products_saved == ("p",)
    assert r.providers_down == ("api", "cb", "ff-1", "ff-2")


def test_whatif_non_supply_failures_and_products(load) -> None:
    p = load(WORLD)
    r = whatif(p, ["small-co", "mp-1", "li-1", "api-x"])
    assert r.products_lost == () and r.providers_down == ("api-x",)
    assert r.notes == (
        "small-co is a client: its failure stops no supply",
        "li-1 is a liaison: its failure stops no supply",
        "api-x is no qualified source, distributor or feeder of anything: its failure stops no supply",
    )
    r = whatif(p, "p-tab")  # a bare string is one id; a failed product is just lost
    assert r.products_lost == ("p-tab",) and r.explanations == (("p-tab", "p-tab itself fails"),)
    assert r.notes == ("p-tab is a product: failing it takes only that product down",)


def test_whatif_errors(load) -> None:
    p = load(WORLD)
    with pytest.raises(GraphkitError, match=r"unknown node 'cmo-aa' \(did you mean 'cmo-a'\?\)"):
        whatif(p, ["cmo-b", "cmo-aa"])
    cases = [
        (("p-gne", "api", "cmo-a"), r"unknown product 'p-gne' \(did you mean 'p-gen'\?\)"),
        (("cmo-a", "api", "cmo-a"), r"'cmo-a' is a cmo, not a product"),
        (("p-gen", "fill_finsh", "cmo-a"), r"unknown step 'fill_finsh' \(did you mean 'fill_finish'\?\)"),
        (("p-tab", "fill_finish", "cmo-b"), r"p-tab has no fill_finish step"),
        (("p-gen", "drug_product", "api-y"), r"unknown provider 'api-y' \(did you mean 'api-x'\?\)"),
        (("p-gen", "drug_product", "gen-co"), r"'gen-co' is a client, not a provider"),
        (("p-gen", "drug_product", "dist-1"), r"dist-1 is a distributor: the drug_product step needs a CMO"),
        (("p-gen", "distribution", "cmo-b"), r"cmo-b is a cmo: the distribution step needs a distributor"),
    ]
    for triple, message in cases:
        with pytest.raises(GraphkitError, match=message):
            whatif(p, [], [triple])
    # an added distributor is fine
    assert whatif(p, ["dist-2"], [("p-gen", "distribution", "dist-1")]).products_saved == ("p-gen",)


# ---------------------------------------------------------------------------
# tests/small.yaml by hand
# ---------------------------------------------------------------------------


def test_small_yaml_by_hand() -> None:
    p, _ = read_portfolio(SMALL)
    result = spof(p).as_dict()
    assert list(result) == [
        "sole_source_steps",
        "critical_nodes",
        "articulation_points",
        "bridges",
        "key_person_risks",
        "double_failures",
        "double_failures_total",
        "common_causes",
    ]
    # prod-2 has one source per step and prod-1 is not available: no pair adds anything;
    # no country or parent has two providers.
    assert (result["double_failures"], result["double_failures_total"], result["common_causes"]) == ([], 0, [])
    json.dumps(result)
    # prod-1 has testing only from an unqualified lab, so it is not currently available:
    # its markets lose nothing (info). prod-2 (no revenue: the points rule, clinical
    # tablet of a large client: low) needs api-1 (fed by cb-1 alone) and dist-1.
    # prod-1 is sold in EU and US; the US has no distributor, so only EU has a sole
    # distribution source.
    assert [
        (s["product"], s["step"], s["market"], s["provider"], s["severity"]) for s in result["sole_source_steps"]
    ] == [
        ("prod-2", "api", None, "api-1", "low"),
        ("prod-2", "distribution", None, "dist-1", "low"),
        ("prod-1", "fill_finish", "EU", "cmo-a", "info"),
        ("prod-1", "fill_finish", "US", "cmo-a", "info"),
        ("prod-1", "distribution", "EU", "dist-1", "info"),
    ]
    assert result["sole_source_steps"][2]["explanation"] == (
        "prod-1 loses its only qualified fill_finish source in EU if cmo-a fails; "
        "prod-1 (EU) is not currently available"
    )
    assert result["critical_nodes"] == [
        {
            "node": "api-1",
            "loss": 0.0,
            "risk_exposure": 0.0,
            "markets_lost": [
                {
                    "product": "prod-2",
                    "market": None,
                    "recovery_weeks": 12.0,
                    "inventory_weeks": 0.0,
                    "shortage_weeks": 12.0,
                    "short_from_week": 0.0,
                    "loss": 0.0,
                }
            ],
            "revenue_basis": "share",
            "kind": "cmo",
            "products_lost": ["prod-2"],
            "clients_affected": ["client-2"],
            "partners_affected": [],
            "revenue_at_risk": 0.0,
            "hidden": False,
            "severity": "low",
            "explanation": "api-1 failing takes down prod-2 (no revenue recorded): step api: only source api-1 fails. "
            # api-1 records 12 weeks to recover; prod-2 records no stock and no revenue
            "Loss 0: prod-2 short 12 weeks from week 0 until week 12 (api-1 back); stock for 12 weeks, "
            "or a qualified backup, would remove the shortage (no stock recorded: counted as none) "
            "(severity by the points rule: no revenue recorded)",
        },
        {
            "node": "cb-1",
            "loss": 0.0,
            "risk_exposure": 0.0,
            "markets_lost": [
                {
                    "product": "prod-2",
                    "market": None,
                    "recovery_weeks": None,
                    "inventory_weeks": 0.0,
                    "shortage_weeks": 52.0,
                    "short_from_week": 0.0,
                    "loss": 0.0,
                }
            ],
            "revenue_basis": "share",
            "kind": "cmo",
            "products_lost": ["prod-2"],
            "clients_affected": ["client-2"],
            "partners_affected": [],
            "revenue_at_risk": 0.0,
            "hidden": True,
            "severity": "low",
            "explanation": "cb-1 failing takes down prod-2 (no revenue recorded): "
            "step api: only source api-1 needs 'cell line' only from cb-1 (fails). "
            "Loss 0: prod-2 short 52 weeks from week 0 until week 52 (cb-1 back); stock for 52 weeks, "
            "or a qualified backup, would remove the shortage "
            "(recovery time unknown: 52 weeks counted; no stock recorded: counted as none) "
            "(severity by the points rule: no revenue recorded)",
        },
        {
            "node": "dist-1",
            "loss": 0.0,
            "risk_exposure": 0.0,
            "markets_lost": [
                {
                    "product": "prod-2",
                    "market": None,
                    "recovery_weeks": None,
                    "inventory_weeks": 0.0,
                    "shortage_weeks": 52.0,
                    "short_from_week": 0.0,
                    "loss": 0.0,
                }
            ],
            "revenue_basis": "share",
            "kind": "distributor",
            "products_lost": ["prod-2"],
            "clients_affected": ["client-2"],
            "partners_affected": [],
            "revenue_at_risk": 0.0,
            "hidden": False,
            "severity": "low",
            "explanation": "dist-1 failing takes down prod-2 (no revenue recorded): "
            "step distribution: only source dist-1 fails. "
            "Loss 0: prod-2 short 52 weeks from week 0 until week 52 (dist-1 back); stock for 52 weeks, "
            "or a qualified backup, would remove the shortage "
            "(recovery time unknown: 52 weeks counted; no stock recorded: counted as none) "
            "(severity by the points rule: no revenue recorded)",
        },
    ]
    # prod-1 joins a ring with cmo-a, client-2, prod-2, dist-1 (client-1 closes a
    # triangle with prod-1 and cmo-a); lab-1, mp-1, mp-2 hang off prod-1, cb-1 off api-1.
    assert result["articulation_points"] == ["api-1", "prod-1"]
    assert result["bridges"] == [["api-1", "cb-1"], ["lab-1", "prod-1"], ["mp-1", "prod-1"], ["mp-2", "prod-1"]]
    assert [(k["client"], k["provider"], k["liaison"], k["severity"]) for k in result["key_person_risks"]] == [
        ("client-1", "cmo-a", "li-1", "low"),  # cmo-a is critical for nothing (prod-1 is unavailable)
        ("client-1", "dist-1", None, "low"),
        ("client-1", "lab-1", "li-1", "low"),
        # api-1 and dist-1 alone take down prod-2: no revenue, so the points rule (clinical
        # tablet of a large client: low), one level lower and at least low
        ("client-2", "api-1", None, "low"),
        ("client-2", "cmo-a", None, "low"),
        ("client-2", "dist-1", None, "low"),
    ]
    # qualifying the lab makes prod-1 available; then cb-1 failing still only loses prod-2
    r = whatif(p, [], [("prod-1", "testing", "lab-1")])
    assert r.products_gained == ("prod-1",) and r.products_lost == ()
    assert r.markets_gained == (("prod-1", "EU"),)  # the US still has no distributor
    r = whatif(p, ["cb-1"])
    assert r.products_lost == ("prod-2",) and r.providers_down == ("api-1", "cb-1")
    assert r.notes == ("2 market(s) not currently available are not counted as lost: prod-1 (EU), prod-1 (US)",)


def test_as_dict_shapes(load) -> None:
    p = load(WORLD)
    result = spof(p)
    data = json.loads(json.dumps(result.as_dict()))
    assert set(data["sole_source_steps"][0]) == {
        "product",
        "step",
        "market",
        "provider",
        "backup",
        "severity",
        "explanation",
    }
    assert set(data["critical_nodes"][0]) == {
        "node",
        "kind",
        "loss",
        "risk_exposure",
        "markets_lost",
        "revenue_basis",
        "products_lost",
        "clients_affected",
        "partners_affected",
        "revenue_at_risk",
        "hidden",
        "severity",
        "explanation",
    }
    assert set(data["key_person_risks"][0]) == {"client", "provider", "liaison", "severity", "explanation"}
    assert data["critical_nodes"] == [c.as_dict() for c in critical_nodes(p)]
    report = json.loads(json.dumps(whatif(p, ["cmo-a"]).as_dict()))
    assert set(report) == {
        "failed",
        "markets_lost",
        "products_lost",
        "markets_saved",
        "products_saved",
        "markets_gained",
        "products_gained",
        "revenue_basis",
        "clients_affected",
        "partners_affected",
        "revenue_at_risk",
        "loss",
        "providers_down",
        "explanations",
        "timeline",
        "assumed",
        "notes",
    }
    assert report["explanations"] == {
        "p-sterile": "step fill_finish: only source cmo-a fails",
        "p-tab": "step api: only source cmo-a fails",
    }


# ---------------------------------------------------------------------------
# randomized cross-check against an independent brute force
# ---------------------------------------------------------------------------


REDUNDANT = {"providers": 60, "second_source_rate": 0.7, "dual_feed_rate": 0.3, "explicit_upstream_rate": 0.0}


def generated(seed: int, **overrides: object) -> Portfolio:
    raw = build_portfolio_dict(GeneratorSpec.from_scale(2000, seed=seed, **overrides))
    return build_portfolio(raw, lambda path: "")[0]


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("overrides", [{}, REDUNDANT], ids=["default", "redundant"])
def test_critical_nodes_against_brute_force(seed: int, overrides: dict) -> None:
    p = generated(seed, **overrides)
    products = {x.id: x for x in p.products}
    oracle = Oracle(p)
    result = by_node(p)
    expected = brute_single(p)
    assert {n: set(c.units) for n, c in result.items()} == expected
    for node, c in result.items():
        lost = expected[node]
        assert c.clients_affected == tuple(sorted({products[x].owner for x, _ in lost}))
        assert c.partners_affected == tuple(
            sorted({m.partner for x, mk in lost for m in products[x].marketed_by if m.territory in (None, mk)})
        )
        assert c.revenue_at_risk == pytest.approx(sum(unit_revenue(products[x], mk) for x, mk in lost))
        assert c.hidden == all(node not in sources_of(products[x], mk) for x, mk in lost)
        whole = {x for x in {x for x, _ in lost} if {mk for y, mk in lost if y == x} == markets_available(p, x)}
        assert set(c.products_lost) == whole
        assert str(c.severity) == oracle.rated(c.loss, sorted(lost, key=lambda u: (u[0], u[1] or "")))
    if overrides:
        assert any(c.hidden for c in result.values())  # the hidden common mode is exercised
    keys = [(-c.loss, -c.severity, -c.revenue_at_risk, -len(c.markets_lost), c.node) for c in critical_nodes(p)]
    assert keys == sorted(keys)
    # whatif with one failure agrees
    for node in list(result)[:5]:
        r = whatif(p, [node])
        assert set(r.markets_lost) == expected[node]
        assert {x for x, _ in r.explanations} == {x for x, _ in expected[node]}


def markets_available(p: Portfolio, product: str) -> set[str | None]:
    return {mk for x, mk in available(p, set()) if x == product}


@pytest.mark.parametrize("seed", range(3))
def test_whatif_against_brute_force(seed: int) -> None:
    p = generated(seed + 10, **REDUNDANT)
    rng = random.Random(seed)
    ids = [x.id for x in p.providers] + [m.id for m in p.marketing_partners]
    base = available(p, set())
    for _ in range(15):
        failed = set(rng.sample(ids, rng.randint(1, 4)))
        r = whatif(p, sorted(failed))
        assert set(r.markets_lost) == base - available(p, failed)
        assert set(r.providers_down) == providers_down(p, failed)
        assert [x for x, _ in r.explanations] == list(dict.fromkeys(x for x, _ in r.markets_lost))
        assert all(text for _, text in r.explanations)
    # added qualified sources: a random step of each product with a lost market gets a random CMO
    cmos = [x.id for x in p.providers if x.kind == "cmo"]
    products = {x.id: x for x in p.products}
    for _ in range(10):
        failed = set(rng.sample(ids, 3))
        lost = sorted({x for x, _ in whatif(p, sorted(failed)).markets_lost})
        added = []
        for product in lost:
            steps = sorted({str(link.step) for link in products[product].supply})
            if steps:
                added.append((product, rng.choice(steps), rng.choice(cmos)))
        r = whatif(p, sorted(failed), added)
        patched = dict(products)
        for product, step, provider in added:
            x = patched[product]
            link = type(x.supply[0])(provider=provider, step=step)
            patched[product] = structs.replace(x, supply=(*x.supply, link))
        q = dataclasses.replace(p, products=tuple(patched.values()))
        after = available(q, failed)
        plain = available(p, failed)
        assert set(r.markets_lost) == base - after
        assert set(r.markets_saved) == (base - plain) & after
        assert set(r.markets_gained) == after - base


@pytest.mark.parametrize("seed", range(3))
def test_generated_sole_sources_and_cut_points(seed: int) -> None:
    p = generated(seed + 20)
    expected = set()
    for x in p.products:
        for mk in markets_of(x):
            qualified: dict[str, set[str]] = {}
            for s in x.supply:
                qualified.setdefault(str(s.step), set())
                if s.qualified and counts_in(s.filed_in, mk):
                    qualified[str(s.step)].add(s.provider)
            if x.distributors:
                qualified["distribution"] = {d.distributor for d in x.distributors if d.territory in (None, mk)}
            expected |= {(x.id, step, mk, next(iter(srcs))) for step, srcs in qualified.items() if len(srcs) == 1}
    assert {(s.product, s.step, s.market, s.provider) for s in sole_source_steps(p)} == expected
    points, bridges = reference_cut_points(p)
    cuts = cut_points(p)
    assert (list(cuts.articulation_points), list(cuts.bridges)) == (points, bridges)
    assert all(isinstance(p.nodes[k.provider], Provider) for k in key_person_risks(p))
