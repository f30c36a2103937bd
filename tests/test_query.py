"""graphkit query: each question worked by hand on examples/portfolio.yaml,
and the NetworkX answers held equal to the Cypher library's on a real Neo4j
(the example, and a generated portfolio of about 10k relationships)."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import EXAMPLE
from fixtures_neo4j import empty_database

from graphkit import read_portfolio
from graphkit.cli.main import main
from graphkit.explore import CypherQueries, NetworkQueries
from graphkit.generate import GeneratorSpec, iter_records
from graphkit.model import Portfolio
from graphkit.neo4j_store import Neo4jSettings, Neo4jStore
from graphkit.problems import GraphkitError
from graphkit.queries import query_text
from graphkit.validate import build_portfolio


@pytest.fixture(scope="module")
def example() -> Portfolio:
    return read_portfolio(EXAMPLE)[0]


@pytest.fixture(scope="module")
def nx_q(example: Portfolio) -> NetworkQueries:
    return NetworkQueries(example)


# -- hand-worked on the example -----------------------------------------------------


def test_deps_of_a_clinical_mab_through_every_tier(nx_q: NetworkQueries) -> None:
    # prod-cx101 names no territory: one global market (None). Harbor does drug
    # product and fill-finish, Summit packaging, Lumen testing, each the only
    # source. Harbor takes 'mAb drug substance' only from Northbridge (tier 2),
    # which takes 'working cell bank' only from CellVault (tier 3): all certain.
    rows = [(d.market, d.tier, d.provider, d.role, d.qualified, d.certain) for d in nx_q.deps("prod-cx101")]
    assert rows == [
        (None, 1, "cmo-harborfill", "drug_product", True, True),
        (None, 1, "cmo-harborfill", "fill_finish", True, True),
        (None, 1, "cmo-summit-clinical", "packaging_labeling", True, True),
        (None, 1, "cro-lumen", "testing", True, True),
        (None, 2, "cmo-northbridge", "mAb drug substance to cmo-harborfill", True, True),
        (None, 3, "cmo-cellvault", "working cell bank to cmo-northbridge", True, True),
    ]


def test_deps_are_per_market_and_certain_only_without_an_alternative(nx_q: NetworkQueries) -> None:
    # prod-veltamab sells in US, EU, JP (one distributor and one partner each).
    # Harbor and Alpine are both qualified for drug product and fill-finish: neither
    # alone is certain. Both are fed only by Northbridge: the hidden common mode, so
    # Northbridge (and CellVault behind it) are certain in every market.
    rows = nx_q.deps("prod-veltamab")
    assert {d.market for d in rows} == {"US", "EU", "JP"}
    jp = {(d.provider, d.role): d.certain for d in rows if d.market == "JP"}
    assert jp[("cmo-harborfill", "drug_product")] is False and jp[("cmo-alpinefill", "fill_finish")] is False
    assert jp[("cmo-northbridge", "mAb drug substance to cmo-harborfill")] is True
    assert jp[("dist-fairhaven", "distribution")] is True and jp[("partner-sakura", "marketing")] is True
    assert "dist-westbrook" not in {p for p, _ in jp}  # it serves US only
    # prod-dermacort: Kestrel is an unqualified drug-product backup: listed, never certain.
    kestrel = [d for d in nx_q.deps("prod-dermacort") if d.provider == "cmo-kestrel"]
    assert {(d.market, d.qualified, d.certain) for d in kestrel} == {("GB", False, False), ("LATAM", False, False)}


def test_users_reach_through_feeds_per_market(nx_q: NetworkQueries) -> None:
    # CellVault: cell bank of lyozumab (US, EU) directly, and through Northbridge's
    # feeds every product Harbor or Alpine make: cx101 and wr12 (global), tessimab
    # (US, EU), veltamab (US, EU, JP). Its failure alone loses each of them.
    rows = nx_q.users("cmo-cellvault")
    assert sorted({(u.product, u.market) for u in rows}, key=str) == sorted(
        {
            ("prod-cx101", None),
            ("prod-wr12", None),
            ("prod-lyozumab", "US"),
            ("prod-lyozumab", "EU"),
            ("prod-tessimab", "US"),
            ("prod-tessimab", "EU"),
            ("prod-veltamab", "US"),
            ("prod-veltamab", "EU"),
            ("prod-veltamab", "JP"),
        },
        key=str,
    )
    assert all(u.certain for u in rows)
    assert {(u.tier, u.role) for u in rows if u.product == "prod-lyozumab"} == {
        (1, "cell_bank"),
        (2, "working cell bank to cmo-northbridge"),
    }
    # Harbor is one of two qualified sources for veltamab: needed, not certain.
    assert {u.certain for u in nx_q.users("cmo-harborfill") if u.product == "prod-veltamab"} == {False}


def test_neighbors_by_type_and_hops(nx_q: NetworkQueries) -> None:
    # Kestrel SUPPLIES sterisol, ceftavir, cefazolin and (unqualified) dermacort; no feeds.
    assert [(n.node, n.hops) for n in nx_q.neighbors("cmo-kestrel", 1, ["SUPPLIES", "FEEDS"])] == [
        ("prod-cefazolin-galen", 1),
        ("prod-ceftavir", 1),
        ("prod-dermacort", 1),
        ("prod-sterisol", 1),
    ]
    # Over FEEDS, two hops from CellVault: Northbridge, then Harbor and Alpine.
    assert [(n.node, n.hops) for n in nx_q.neighbors("cmo-cellvault", 2, ["FEEDS"])] == [
        ("cmo-northbridge", 1),
        ("cmo-alpinefill", 2),
        ("cmo-harborfill", 2),
    ]


def test_shortest_paths(nx_q: NetworkQueries) -> None:
    # Eastgate and Calyx share no neighbour (Eastgate: Helix, Tessera, Wren and the
    # products it tests; Calyx: its two products and five providers). Three hops:
    # Helix, Tessera or Wren contract Riverton, which Calyx contracts; Wren also
    # contracts Summit and Lumen; Eastgate tests hydrolyte, which Riverton makes.
    found = nx_q.paths("lab-eastgate", "client-calyx", limit=10)
    assert found.total == 6 and {p.hops for p in found.paths} == {3}
    assert {p.nodes[1:3] for p in found.paths} == {
        ("client-helix", "cmo-riverton"),
        ("client-tessera", "cmo-riverton"),
        ("client-wren", "cmo-riverton"),
        ("client-wren", "cmo-summit-clinical"),
        ("client-wren", "cro-lumen"),
        ("prod-hydrolyte", "cmo-riverton"),
    }
    hydrolyte = next(p for p in found.paths if p.nodes[1] == "prod-hydrolyte")
    assert hydrolyte.route == (
        "lab-eastgate -[SUPPLIES testing]-> prod-hydrolyte "
        "<-[SUPPLIES drug_product|SUPPLIES packaging_labeling]- cmo-riverton <-[CONTRACTS_WITH]- client-calyx"
    )
    assert len(nx_q.paths("lab-eastgate", "client-calyx", limit=2).paths) == 2


def test_find_by_kind_and_properties(nx_q: NetworkQueries) -> None:
    # Lyophilization CMOs: Harbor and Alpine of the 11 CMOs; Meridian is the only
    # Indian CMO, hybrid_generic but a tablet maker: none for the whole question.
    found = nx_q.find("cmo", {"technology": "lyophilization"})
    assert [f.node for f in found.nodes] == ["cmo-alpinefill", "cmo-harborfill"] and found.total == 11
    assert (
        nx_q.find("cmo", {"technology": "lyophilization", "country": "IN", "business_model": "hybrid_generic"}).nodes
        == ()
    )
    assert [f.node for f in nx_q.find("cmo", {"country": "IN", "business_model": "hybrid_generic"}).nodes] == [
        "cmo-meridian-api"
    ]
    # cmo_only is the default business model: 8 CMOs, whether written or not.
    assert len(nx_q.find("cmo", {"business_model": "cmo_only"}).nodes) == 8
    with pytest.raises(GraphkitError, match=r"'colour' is not a property of a cmo \(did you mean 'country'\?\)"):
        nx_q.find("cmo", {"colour": "red"})
    with pytest.raises(GraphkitError, match=r"did you mean 'lyophilization'"):
        nx_q.find("cmo", {"technology": "lyophilisation"})


def test_show_properties_relationships_findings(nx_q: NetworkQueries) -> None:
    rows = {(d.section, d.item): d.value for d in nx_q.show("cmo-northbridge")}
    assert rows[("property", "country")] == "IE" and rows[("property", "business_model")] == "cmo_only"
    assert rows[("relationship", "FEEDS -> cmo-harborfill")] == {"material": "mAb drug substance"}
    assert rows[("relationship", "FEEDS <- cmo-cellvault")] == {"material": "working cell bank"}
    assert rows[("relationship", "SUPPLIES -> prod-lyozumab")] == {"qualified": True, "step": "api"}
    assert rows[("finding", "spof.critical_nodes: cmo-northbridge")].startswith("[critical] cmo-northbridge failing")


def run_cli(*args: str) -> Any:
    return CliRunner().invoke(main, ["query", *args])


def test_cli_formats_and_errors() -> None:
    ok = run_cli("deps", str(EXAMPLE), "prod-cx101", "--format", "json")
    assert ok.exit_code == 0 and json.loads(ok.output)[-1]["provider"] == "cmo-cellvault"
    csv = run_cli("users", str(EXAMPLE), "cmo-cellvault", "-f", "csv")
    assert csv.output.splitlines()[0] == "product,product_name,market,tier,role,qualified,certain"
    typo = run_cli("show", str(EXAMPLE), "cmo-kestral")
    assert typo.exit_code == 1 and "did you mean 'cmo-kestrel'?" in typo.output
    bad = run_cli("find", str(EXAMPLE), "--kind", "cmo", "--colour", "red")
    assert bad.exit_code == 1 and "did you mean 'country'" in bad.output
    found = run_cli("find", str(EXAMPLE), "--kind", "cmo", "--technology", "lyophilization")
    assert found.exit_code == 0 and found.output.rstrip().endswith("2 of 11 cmo node(s)")
    assert run_cli("deps", str(EXAMPLE)).exit_code == 2


# -- NetworkX and Cypher hold the same answers ------------------------------------------


def _compare(pf: Portfolio, store: Neo4jStore, rng: random.Random, per: int, shows: int) -> None:
    n, c = NetworkQueries(pf), CypherQueries(store, lambda: store.read()[0])
    products = rng.sample([p.id for p in pf.products], min(per, len(pf.products)))
    needed = [p.id for p in pf.providers] + [m.id for m in pf.marketing_partners]
    nodes = list(pf.nodes)
    for pid in products:
        assert n.deps(pid) == c.deps(pid), pid
    for x in rng.sample(needed, min(per, len(needed))):
        assert n.users(x) == c.users(x), x
    for x in rng.sample(nodes, min(per, len(nodes))):
        assert n.neighbors(x, 2) == c.neighbors(x, 2), x
        assert n.neighbors(x, 2, ["SUPPLIES", "FEEDS"]) == c.neighbors(x, 2, ["SUPPLIES", "FEEDS"]), x
    for a, b in zip(rng.sample(nodes, per), rng.sample(nodes, per)):
        if a != b:
            assert n.paths(a, b, 50) == c.paths(a, b, 50), (a, b)
    for kind, where in (
        ("cmo", {"technology": "lyophilization"}),
        ("cmo", {"business_model": "cmo_only"}),
        (None, {"country": "US"}),
        ("product", {"stage": "clinical"}),
        (None, {}),
    ):
        assert n.find(kind, where) == c.find(kind, where), (kind, where)
    for x in rng.sample(nodes, shows):
        assert n.show(x) == c.show(x), x
    # The library's product_dependencies is the market-free projection of deps
    # (providers only; feeders of unqualified backups left out in both).
    for pid in products:
        rows = store.run_query(query_text("product_dependencies"), {"product": pid})[1]
        expected: dict[str, tuple[int, bool, set[str]]] = {}
        for d in n.deps(pid):
            if d.kind == "marketing_partner":
                continue
            tier, qualified, roles = expected.get(d.provider, (d.tier, False, set()))
            expected[d.provider] = (min(tier, d.tier), qualified or d.qualified, roles | {d.role})
        assert {r["provider"]: (r["tier"], r["qualified"], set(r["roles"])) for r in rows} == expected, pid


@pytest.fixture(scope="module")
def store(neo4j_driver: Any, neo4j_settings: Any) -> Iterator[Neo4jStore]:
    s = neo4j_settings
    empty_database(neo4j_driver, s.database)
    with Neo4jStore(Neo4jSettings(s.uri, s.username, s.password, s.database)) as st:
        yield st


def test_cypher_equals_networkx_on_the_example(store: Neo4jStore, example: Portfolio) -> None:
    store.load(example, replace=True)
    _compare(example, store, random.Random(1), per=12, shows=4)


def test_cypher_equals_networkx_on_a_generated_portfolio(store: Neo4jStore) -> None:
    raw: dict[str, list[Any]] = {}
    for section, record in iter_records(GeneratorSpec.from_scale(10_000, seed=5)):
        raw.setdefault(section, []).append(record)
    pf = build_portfolio(raw, lambda path: str(path))[0]
    assert 8_000 <= sum(1 for _ in pf.relationships()) <= 12_000
    store.load(pf, replace=True)
    _compare(pf, store, random.Random(2), per=10, shows=1)
