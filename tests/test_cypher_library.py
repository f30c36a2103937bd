"""The analysts' query library (cypher/queries): headers, answers on
tests/small.yaml computed by hand, and agreement with graphkit's NetworkX /
Python analyses on a generated portfolio."""

from __future__ import annotations

import random
import re
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from market_portfolios import loadable, markets_portfolio, random_portfolio, scoped_feed_portfolio, timeline_portfolio

from graphkit import read_portfolio
from graphkit.analysis.concentration import customer_concentration
from graphkit.analysis.overlap import requirement_overlap
from graphkit.analysis.spof import critical_nodes, key_person_risks, sole_source_steps, supply_inputs
from graphkit.analysis.supply import Network
from graphkit.generate import GeneratorSpec, iter_records
from graphkit.model import Portfolio
from graphkit.neo4j_store import Neo4jSettings, Neo4jStore
from graphkit.problems import GraphkitError
from graphkit.queries import cypher_text, list_queries, query_info, query_text
from graphkit.validate import build_portfolio

SMALL = Path(__file__).with_name("small.yaml")
EXAMPLE = SMALL.parent.parent / "examples" / "portfolio.yaml"
NAMES = [
    "client_dependence",
    "cmo_customer_shares",
    "critical_nodes_by_loss",
    "dependencies_by_market",
    "find_nodes",
    "neighbors",
    "node_detail",
    "product_dependencies",
    "provider_failure_impact",
    "relationship_contacts",
    "relationship_scorecard",
    "requirement_conflicts",
    "shortest_paths",
    "single_liaison_providers",
    "sole_source_steps",
    "users_by_market",
]


# -- the files --------------------------------------------------------------------


def test_the_library_lists_every_query_with_summary_and_params() -> None:
    queries = list_queries()
    assert [q.name for q in queries] == NAMES
    for q in queries:
        assert q.summary and len(q.summary) < 90 and q.summary.endswith("."), q.name
        header = [line for line in q.text.splitlines() if line.startswith("//")]
        assert any(line.startswith("// params:") for line in header), q.name
        assert any(line.startswith("// columns:") for line in header), q.name
        body = "\n".join(line for line in q.text.splitlines() if not line.startswith("//"))
        used = set(re.findall(r"\$(\w+)", body))
        assert used == {p.name for p in q.params}, f"{q.name}: declared and used parameters differ"
    assert query_info("product_dependencies").params[0].description == "product id"


def test_a_query_header_states_what_it_answers() -> None:
    text = query_text("provider_failure_impact")
    assert text.startswith("// Markets a given provider's or marketing partner's failure reaches")
    assert "// params: $provider (provider or marketing partner id)" in text
    assert "feed cycles included" in query_info("provider_failure_impact").description


def test_unknown_query_names_suggest_the_nearest() -> None:
    with pytest.raises(GraphkitError, match="no query named 'sole_source_step' \\(did you mean 'sole_source_steps'"):
        query_info("sole_source_step")


def test_statements_are_package_data() -> None:
    assert "CREATE CONSTRAINT {{name}} IF NOT EXISTS" in cypher_text("schema/constraints.cypher")
    assert "UNWIND $rows AS row" in cypher_text("load/stage_relationships.cypher")


# -- answers on tests/small.yaml ---------------------------------------------------


@pytest.fixture(scope="module")
def small() -> Portfolio:
    return read_portfolio(SMALL)[0]


@pytest.fixture
def loaded(neo4j_clean: Any, neo4j_settings: Any, small: Portfolio):
    s = neo4j_settings
    with Neo4jStore(Neo4jSettings(s.uri, s.username, s.password, s.database)) as store:
        store.load(small)
        yield store


def run(store: Neo4jStore, name: str, **params: Any) -> list[dict[str, Any]]:
    columns, rows = store.run_query(query_text(name), params)
    header = next(line for line in query_text(name).splitlines() if line.startswith("// columns:"))
    assert columns == [c.strip() for c in header.removeprefix("// columns:").split(",")]
    return rows


def test_sole_source_steps_small(loaded: Neo4jStore) -> None:
    # prod-1: fill_finish only by cmo-a; testing only by an unqualified lab (no qualified
    # source: not "sole"); distribution only dist-1. prod-2: api only api-1, distribution dist-1.
    # prod-1's markets: EU (dist-1) and US (mp-2); no distributor serves the US, so US has
    # no distribution source at all (not "sole"). prod-2 names no territory: one global market.
    rows = run(loaded, "sole_source_steps")
    assert [(r["product"], r["step"], r["market"], r["provider"], r["unqualified_backups"]) for r in rows] == [
        ("prod-1", "distribution", "EU", "dist-1", []),
        ("prod-1", "fill_finish", "EU", "cmo-a", []),
        ("prod-1", "fill_finish", "US", "cmo-a", []),
        ("prod-2", "api", None, "api-1", []),
        ("prod-2", "distribution", None, "dist-1", []),
    ]
    assert rows[1]["provider_name"] == "Fill Alpha" and rows[1]["product_name"] == "Sterile One"


def test_product_dependencies_small(loaded: Neo4jStore) -> None:
    assert run(loaded, "product_dependencies", product="prod-2") == [
        {"provider": "api-1", "name": "API Works", "kind": "cmo", "tier": 1, "qualified": True, "roles": ["api"]},
        {
            "provider": "dist-1",
            "name": "Dist EU",
            "kind": "distributor",
            "tier": 1,
            "qualified": True,
            "roles": ["distribution"],
        },
        {
            "provider": "cb-1",
            "name": "Cell Bank One",
            "kind": "cmo",
            "tier": 2,
            "qualified": True,
            "roles": ["cell line to api-1"],
        },
    ]
    rows = run(loaded, "product_dependencies", product="prod-1")
    assert [(r["provider"], r["tier"], r["qualified"], r["roles"]) for r in rows] == [
        ("cmo-a", 1, True, ["fill_finish"]),
        ("dist-1", 1, True, ["distribution"]),
        ("lab-1", 1, False, ["testing"]),
    ]
    assert run(loaded, "product_dependencies", product="no-such") == []


def test_cmo_customer_shares_small(loaded: Neo4jStore) -> None:
    # cmo-a: client-1 300k, client-2 100k -> 75 % / 25 %, HHI 75² + 25² = 6250.
    # api-1 (hybrid): client-2 50k EUR only -> HHI 10,000, but 50k of 550k with own revenue.
    # cb-1 has no contracts; lab-1 and dist-1 are not CMOs.
    rows = run(loaded, "cmo_customer_shares")
    assert [r["provider"] for r in rows] == ["api-1", "cmo-a"]
    api, cmo = rows
    assert (api["hhi"], api["top1_share"], api["currency"], api["own_revenue"]) == (10000.0, 1.0, "EUR", 500000)
    assert api["top1_share_of_total"] == pytest.approx(50_000 / 550_000)
    assert api["business_model"] == "hybrid_generic" and api["effective_customers"] == 1.0
    assert (cmo["hhi"], cmo["top_customer"], cmo["top1_share"], cmo["customers"]) == (6250.0, "client-1", 0.75, 2)
    assert (cmo["contract_value"], cmo["effective_customers"], cmo["business_model"]) == (400000.0, 1.6, "cmo_only")
    assert cmo["shares"] == [
        {"client": "client-1", "share": 0.75, "value": 300000.0},
        {"client": "client-2", "share": 0.25, "value": 100000.0},
    ]


def test_client_dependence_small(loaded: Neo4jStore) -> None:
    # client-1: everything with cmo-a. client-2: 100k cmo-a + 50k api-1 -> 2/3, 1/3; HHI 5555.6.
    rows = run(loaded, "client_dependence")
    assert [(r["client"], r["top_provider"], r["providers"], r["currencies"]) for r in rows] == [
        ("client-1", "cmo-a", 1, ["USD"]),
        ("client-2", "cmo-a", 2, ["EUR", "USD"]),
    ]
    assert (rows[0]["hhi"], rows[0]["top1_share"], rows[0]["spend"]) == (10000.0, 1.0, 300000.0)
    assert rows[1]["hhi"] == pytest.approx((200 / 3) ** 2 + (100 / 3) ** 2)
    assert rows[1]["top1_share"] == pytest.approx(2 / 3) and rows[1]["spend"] == 150000.0


def test_requirement_conflicts_small(loaded: Neo4jStore) -> None:
    # prod-1's parties: client-1 (owner), mp-1, mp-2. mp-1 wants de (all its products),
    # mp-2 en (listed for prod-1): a conflict. client-1's own topic has one party only.
    assert run(loaded, "requirement_conflicts") == [
        {
            "product": "prod-1",
            "product_name": "Sterile One",
            "topic": "labeling.language",
            "conflict": True,
            "values": ["de", "en"],
            "shared_values": [],
            "requirements": [{"party": "mp-1", "value": "de"}, {"party": "mp-2", "value": "en"}],
        }
    ]


def test_requirement_overlap_and_scope(loaded: Neo4jStore) -> None:
    # mp-2 now also wants de for everything it markets, and the owner too: an overlap of three
    # parties; a requirement listing a product the party does not market does not count.
    loaded.run_query(
        "MATCH (m:MarketingPartner {id: 'mp-2'})-[r:REQUIRES]->() SET r.value = 'de' "
        "WITH 1 AS one MATCH (c:Client {id: 'client-1'}), (q:Requirement {topic: 'labeling.language'}) "
        "CREATE (c)-[:REQUIRES {value: 'de'}]->(q) "
        "WITH q MATCH (c2:Client {id: 'client-2'}) CREATE (c2)-[:REQUIRES {value: 'fr', products: ['prod-1']}]->(q)",
        write=True,
    )
    rows = run(loaded, "requirement_conflicts")
    assert [(r["product"], r["topic"], r["conflict"], r["values"], r["shared_values"]) for r in rows] == [
        ("prod-1", "labeling.language", False, ["de"], ["de"])
    ]
    assert [r["party"] for r in rows[0]["requirements"]] == ["client-1", "mp-1", "mp-2"]


def test_provider_failure_impact_small(loaded: Neo4jStore) -> None:
    # cb-1 feeds api-1 the cell line, api-1 is prod-2's only api source: lost at tier 2, via api-1.
    assert run(loaded, "provider_failure_impact", provider="cb-1") == [
        {
            "product": "prod-2",
            "product_name": "Tablet Two",
            "market": None,
            "owner": "client-2",
            "revenue": 0.0,
            "revenue_basis": "share",
            "tier": 2,
            "via": ["api-1"],
            "available": True,
            "lost": True,
        }
    ]
    # dist-1 distributes both; prod-1's testing has only an unqualified lab, so prod-1 is not
    # available today and cannot be lost: reached, not lost.
    # It serves prod-1 in the EU only (prod-1 in the US has no distributor: not reached).
    rows = run(loaded, "provider_failure_impact", provider="dist-1")
    assert [(r["product"], r["market"], r["tier"], r["available"], r["lost"]) for r in rows] == [
        ("prod-2", None, 1, True, True),
        ("prod-1", "EU", 1, False, False),
    ]
    assert (rows[1]["revenue"], rows[1]["revenue_basis"]) == (1200000.5 / 2, "share")  # half: two markets
    # An unqualified backup's failure reaches nothing; nor does an unknown id.
    assert run(loaded, "provider_failure_impact", provider="lab-1") == []
    assert run(loaded, "provider_failure_impact", provider="no-such") == []


def test_market_rules_hand_worked(neo4j_clean: Any, neo4j_settings: Any) -> None:
    """The issue's own cases through Neo4j: a JP distributor or partner loses (prod-a, JP)
    only, a site filed for the US is no backup in the EU, and a feed scoped to prod-a
    takes down prod-a only."""
    pf = loadable(markets_portfolio(), scoped_feed_portfolio())
    s = neo4j_settings
    with Neo4jStore(Neo4jSettings(s.uri, s.username, s.password, s.database)) as store:
        store.load(pf)
        for node in ("dist-jp", "partner-jp"):
            rows = run(store, "provider_failure_impact", provider=node)
            assert [(r["product"], r["market"], r["lost"], r["revenue"]) for r in rows] == [
                ("prod-a", "JP", True, 30e6)  # an even third of 90M
            ]
        rows = run(store, "provider_failure_impact", provider="cmo-eu")
        assert [(r["market"], r["available"], r["lost"]) for r in rows] == [("EU", True, True), ("JP", True, True)]
        # US has no distributor serving it: never available, so cmo-us reaches it but loses nothing.
        assert [(r["market"], r["lost"]) for r in run(store, "provider_failure_impact", provider="cmo-us")] == [
            ("US", False)
        ]
        rows = run(store, "provider_failure_impact", provider="cmo-ds-a")
        assert [(r["product"], r["tier"], r["via"], r["lost"]) for r in rows] == [("prod-x", 2, ["cmo-fill"], True)]
        # prod-x depends on cmo-ds-a through cmo-fill; prod-y, filled there too, does not
        deps = {p: [r["provider"] for r in run(store, "product_dependencies", product=p)] for p in ("prod-x", "prod-y")}
        assert deps == {"prod-x": ["cmo-fill", "cmo-ds-a"], "prod-y": ["cmo-fill"]}
        steps = {(r["product"], r["step"], r["market"]): r["provider"] for r in run(store, "sole_source_steps")}
        assert {k: v for k, v in steps.items() if k[0] == "prod-a"} == {
            ("prod-a", "distribution", "EU"): "dist-eu",
            ("prod-a", "distribution", "JP"): "dist-jp",
            ("prod-a", "fill_finish", "EU"): "cmo-eu",
            ("prod-a", "fill_finish", "JP"): "cmo-eu",
            ("prod-a", "fill_finish", "US"): "cmo-us",
        }


def test_single_liaison_providers_small(loaded: Neo4jStore) -> None:
    assert run(loaded, "single_liaison_providers") == [
        {
            "client": "client-1",
            "provider": "cmo-a",
            "liaison": "li-1",
            "liaison_name": "Ana Liaison",
            "annual_value": 300000.0,
            "products": ["prod-1"],
        },
        {
            "client": "client-1",
            "provider": "lab-1",
            "liaison": "li-1",
            "liaison_name": "Ana Liaison",
            "annual_value": None,
            "products": ["prod-1"],
        },
    ]


# -- agreement with the Python analyses on a generated portfolio ----------------------


@pytest.fixture(scope="module")
def generated() -> Portfolio:
    """A generated portfolio: distributors and partners per territory."""
    raw: dict[str, list[Any]] = {}
    for section, record in iter_records(GeneratorSpec.from_scale(3000, seed=1)):
        raw.setdefault(section, []).append(record)
    return build_portfolio(raw, lambda path: str(path))[0]


@pytest.fixture
def loaded_generated(neo4j_clean: Any, neo4j_settings: Any, generated: Portfolio):
    s = neo4j_settings
    with Neo4jStore(Neo4jSettings(s.uri, s.username, s.password, s.database)) as store:
        store.load(generated)
        yield store


def test_library_agrees_with_the_python_analyses(loaded_generated: Neo4jStore, generated: Portfolio) -> None:
    store, pf = loaded_generated, generated

    assert len(run(store, "sole_source_steps")) > 100  # held equal to the library in held_to_the_library

    conc = customer_concentration(pf)
    expected_cmo = {p.provider: p for p in conc.providers if p.kind == "cmo" and p.basis == "contract_value"}
    got_cmo = {r["provider"]: r for r in run(store, "cmo_customer_shares")}
    assert got_cmo.keys() == expected_cmo.keys() and len(got_cmo) > 10
    for pid, row in got_cmo.items():
        exp = expected_cmo[pid]
        assert row["hhi"] == pytest.approx(exp.hhi) and row["top1_share"] == pytest.approx(exp.top1_share)
        assert row["top_customer"] == exp.top_customer
        assert row["effective_customers"] == pytest.approx(exp.effective_customers)
        assert row["top1_share_of_total"] == pytest.approx(exp.top1_share_of_total)
        assert {s["client"]: s["share"] for s in row["shares"]} == pytest.approx(exp.shares)

    expected_clients = {c.client: c for c in conc.clients}
    got_clients = {r["client"]: r for r in run(store, "client_dependence")}
    assert got_clients.keys() == expected_clients.keys()
    for cid, row in got_clients.items():
        exp = expected_clients[cid]
        assert (row["top_provider"], row["providers"], row["currencies"]) == (
            exp.top_provider,
            exp.providers,
            sorted(exp.currencies),
        )
        assert row["hhi"] == pytest.approx(exp.hhi) and row["top1_share"] == pytest.approx(exp.top1_share)

    overlap = requirement_overlap(pf)
    expected_conflicts = {(p.product, c.topic): dict(c.values) for p in overlap.products for c in p.conflicts}
    expected_shared = {
        (p.product, o.topic, o.value, tuple(sorted(o.parties))) for p in overlap.products for o in p.overlaps
    }
    rows = run(store, "requirement_conflicts")
    assert {
        (r["product"], r["topic"]): {q["party"]: q["value"] for q in r["requirements"]} for r in rows if r["conflict"]
    } == expected_conflicts
    assert {
        (r["product"], r["topic"], v, tuple(q["party"] for q in r["requirements"] if q["value"] == v))
        for r in rows
        for v in r["shared_values"]
    } == expected_shared
    assert expected_conflicts and expected_shared

    expected_liaisons = {(k.client, k.provider, k.liaison) for k in key_person_risks(pf) if k.liaison}
    got_liaisons = {(r["client"], r["provider"], r["liaison"]) for r in run(store, "single_liaison_providers")}
    assert got_liaisons == expected_liaisons and len(got_liaisons) > 10


def held_to_the_library(store: Neo4jStore, pf: Portfolio, every: int = 1) -> tuple[int, int]:
    """`provider_failure_impact` against `critical_nodes` for every critical
    node and every `every`-th other provider and partner, and
    `sole_source_steps` against the library's; returns
    (markets lost, of them lost through feeds) so callers can require both occur."""
    critical = {c.node: c for c in critical_nodes(pf)}
    units, feeds = supply_inputs(pf)
    available = Network(units, feeds).baseline[1]
    lost_total = upstream = 0
    others = [n for n in [p.id for p in pf.providers] + [m.id for m in pf.marketing_partners] if n not in critical]
    for node in [*critical, *others[::every]]:
        rows = {(r["product"], r["market"]): r for r in run(store, "provider_failure_impact", provider=node)}
        lost = {u: r for u, r in rows.items() if r["lost"]}
        c = critical.get(node)
        assert set(lost) == (set(c.units) if c else set()), node
        assert all(r["available"] == (u in available) for u, r in rows.items()), node
        if c is not None:
            bases = {r["revenue_basis"] for r in lost.values()}
            assert sum(r["revenue"] for r in lost.values()) == pytest.approx(c.revenue_at_risk), node
            assert c.revenue_basis == (bases.pop() if len(bases) == 1 else "mixed"), node
            assert c.hidden == all(r["tier"] > 1 for r in lost.values()), node
            lost_total += len(lost)
            upstream += sum(r["tier"] > 1 for r in lost.values())
    expected = {(s.product, s.step, s.market, s.provider, tuple(sorted(s.backup))) for s in sole_source_steps(pf)}
    got = {
        (r["product"], r["step"], r["market"], r["provider"], tuple(sorted(r["unqualified_backups"])))
        for r in run(store, "sole_source_steps")
    }
    assert got == expected
    return lost_total, upstream


def test_failure_impact_is_the_exact_loss_generated(loaded_generated: Neo4jStore, generated: Portfolio) -> None:
    assert any(u[1] is not None for u in supply_inputs(generated)[0])  # markets are there
    lost, upstream = held_to_the_library(loaded_generated, generated, every=4)
    assert lost > 50 and upstream > 10  # losses through feed tiers, found exactly
    network = Network(*supply_inputs(generated))
    partners = {m.id for m in generated.marketing_partners}  # product_dependencies lists providers
    available = [(i, u[0]) for i, u in enumerate(network.units) if u in network.baseline[1]]
    for i, product in available[:40]:
        deps = {r["provider"] for r in run(loaded_generated, "product_dependencies", product=product)}
        assert network.unit_kill(i) - partners - {product} <= deps, product


def test_failure_impact_is_the_exact_loss_example_and_random(neo4j_clean: Any, neo4j_settings: Any) -> None:
    """The example, and seeded random portfolios with markets, filings, partners and
    product-scoped feeds, feed cycles included (joined into one load, ids apart)."""
    example = read_portfolio(EXAMPLE)[0]
    randoms = loadable(
        *(random_portfolio(random.Random(seed), cyclic=seed % 3 == 0, prefix=f"r{seed}-") for seed in range(24))
    )
    assert any(f.products for f in randoms.feeds) and any(f.filed_in for f in randoms.feeds)
    assert any(len(p.market_territories) > 1 for p in randoms.products)
    cycle = nx.find_cycle(nx.DiGraph([(f.from_, f.to) for f in randoms.feeds]))
    assert cycle  # the least-fixed-point rule is held on cycles too
    s = neo4j_settings
    with Neo4jStore(Neo4jSettings(s.uri, s.username, s.password, s.database)) as store:
        for pf in (example, randoms):
            store.load(pf, replace=True)
            lost, upstream = held_to_the_library(store, pf)
            assert lost > 10 and upstream > 0


def test_relationship_contacts_held_to_the_library(neo4j_clean: Any, neo4j_settings: Any) -> None:
    """Every relationship and its contacts as `graphkit relationships` finds them, on the
    hand-worked relationships portfolio and on the example (contracts, supply, distribution)."""
    from graphkit.analysis.relationships import relationships

    s = neo4j_settings
    with Neo4jStore(Neo4jSettings(s.uri, s.username, s.password, s.database)) as store:
        for path in (SMALL.with_name("relationships.yaml"), EXAMPLE):
            pf = read_portfolio(path)[0]
            store.load(pf, replace=True)
            ends: dict[tuple[str, str], str] = {}
            for c in pf.contracts:
                if c.end is not None:
                    ends[(c.client, c.provider)] = min(ends.get((c.client, c.provider), "9999"), c.end.isoformat())
            expected = sorted(
                (
                    r.client,
                    r.provider,
                    sorted(r.liaisons),
                    r.annual_value if r.currency else None,
                    ends.get((r.client, r.provider)),
                )
                for r in relationships(pf).scorecard
            )
            got = [
                (r["client"], r["provider"], r["liaisons"], r["annual_value"], r["contract_end"])
                for r in run(store, "relationship_contacts")
            ]
            assert got == expected and any(not r[2] for r in got) and any(r[4] for r in got), path


def test_relationship_scorecard_reads_the_write_back(neo4j_clean: Any, neo4j_settings: Any) -> None:
    """The scorecard written back onto the example's contracts reads back as the library rated it."""
    from graphkit.analysis.relationships import relationships
    from graphkit.fingerprint import fingerprint

    pf = read_portfolio(EXAMPLE)[0]
    result = relationships(pf)
    s = neo4j_settings
    with Neo4jStore(Neo4jSettings(s.uri, s.username, s.password, s.database)) as store:
        store.load(pf, replace=True)
        done = store.write_relationships(result, fingerprint(pf))
        use = {u.provider: u.utilisation for u in result.utilisation}
        expected = [
            (
                r.client,
                r.provider,
                str(r.severity),
                [str(f.rule) for f in r.findings],
                len(r.liaisons),
                list(r.skills_missing),
                use.get(r.provider),
                r.explanation,
            )
            for r in result.scorecard
            if r.currency is not None
        ]
        got = [tuple(r.values()) for r in run(store, "relationship_scorecard")]
        assert got == expected and done.relationships == len(expected) == 57 and done.nodes == 2
        warnings = [p for p in store.read()[1] if p.severity != "note"]
        assert warnings == []  # the scores are not read back as portfolio fields
        store.write_relationships(result, fingerprint(pf))  # twice: the same
        assert [tuple(r.values()) for r in run(store, "relationship_scorecard")] == expected


def test_critical_nodes_by_loss_reads_the_write_back(neo4j_clean: Any, neo4j_settings: Any) -> None:
    """The loss ranking written back reads back as worked by hand, and as the library ranks it."""
    from graphkit.analysis import analyze
    from graphkit.fingerprint import fingerprint

    def written(pf: Portfolio, recovery_weeks: float | None = None) -> tuple[list[tuple[Any, ...]], Any]:
        results = analyze(pf, only=["spof"], recovery_weeks=recovery_weeks)
        store.load(pf, replace=True)
        store.write_back({**results.as_dict(), "portfolio_fingerprint": fingerprint(pf)})
        return [tuple(r.values()) for r in run(store, "critical_nodes_by_loss")], results.spof

    s = neo4j_settings
    with Neo4jStore(Neo4jSettings(s.uri, s.username, s.password, s.database)) as store:
        # lab-x: 46 + 52 weeks short of 1M a week, recovery unknown (null); cmo-a: back at week 10 by
        # the backup, 4 weeks of stock, 6 weeks short of 1M: 6M, 6/98 of the worst
        got, spof = written(timeline_portfolio())
        sev = {c.node: str(c.severity) for c in spof.critical_nodes}
        assert got == [
            ("lab-x", 98e6, 1.0, 52.0, None, 104e6, sev["lab-x"], ["prod-b"]),
            ("cmo-a", 6e6, pytest.approx(6 / 98), 6.0, 10.0, 52e6, sev["cmo-a"], ["prod-a"]),
        ]
        # the example, with its own recovery times and partners back after 8 weeks: the library's
        # ranking, ties by id; Northbridge costs most (examples/README.md §2d), back at week 30
        got, spof = written(read_portfolio(EXAMPLE)[0], 8.0)
        expected = [
            (c.node, c.loss, c.risk_exposure, c.shortage_weeks, c.recovery_weeks, c.revenue_at_risk,
             str(c.severity), list(c.products_lost))
            for c in sorted(spof.critical_nodes, key=lambda c: (-c.loss, c.node))
        ]  # fmt: skip
        assert got == expected and len(got) == 21 and got[0][:1] + got[0][4:5] == ("cmo-northbridge", 30.0)
