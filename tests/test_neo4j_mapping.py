"""The Neo4j mapping without a driver or server: the exact statements and
parameters a load sends, the portfolio rebuilt from graph records, and the
write-back rows. (Behaviour against the real server: test_neo4j_store.py.)"""

from __future__ import annotations

from typing import Any

import pytest
from result_records import record

from graphkit.analysis.concentration import ConcentrationResult, ProviderConcentration
from graphkit.analysis.spof import CriticalNode, SoleSourceStep, SpofResult
from graphkit.model import Client, Portfolio, Product, Provider, RelType, SupplyLink
from graphkit.neo4j_mapping import (
    GraphRelationship,
    LoadPlan,
    Neo4jStoreError,
    Statement,
    finding_rows,
    graph_to_portfolio,
    section_labels,
    statement,
)
from graphkit.problems import PortfolioError

# One client owning one product that one CMO makes: two node kinds, two relationships.
TINY = Portfolio(
    providers=(Provider(id="m", name="Maker", kind="cmo"),),
    clients=(Client(id="c", name="Client", segment="small"),),
    products=(
        Product(id="p", name="Pill", technology="tablet", owner="c", supply=(SupplyLink(provider="m", step="api"),)),
    ),
)


def by_query(statements: list[Statement]) -> dict[str, Statement]:
    return {s.query: s for s in statements}


def test_a_load_stages_one_statement_per_label_and_relationship_group() -> None:
    plan = LoadPlan(TINY, batch_size=10)
    nodes = {s.query: s for s in plan.nodes}
    rels = {s.query: s for s in plan.relationships}
    # staged under GraphkitStaged<key label>, which no model query names
    assert {q.split("CREATE (n:")[1].split(")")[0] for q in nodes} == {
        "GraphkitStagedProvider",
        "GraphkitStagedClient",
        "GraphkitStagedProduct",
    }
    product = next(s for q, s in nodes.items() if "GraphkitStagedProduct)" in q)
    # node properties are the file's fields minus those that are relationships (owner, supply)
    assert product.params == {
        "rows": [["p", {"id": "p", "name": "Pill", "technology": "tablet", "stage": "commercial"}]]
    }
    assert plan.node_rows["Product"] == [product.params["rows"][0][1]]
    supplies = next(s for q, s in rels.items() if "[r:SUPPLIES]" in q)
    # the ends are found by the element ids the node batches return, under the staging labels
    assert "MATCH (a:GraphkitStagedProvider) WHERE elementId(a) = row[0]" in supplies.query
    assert supplies.params == {"rows": [{"source": "m", "target": "p", "props": {"step": "api", "qualified": True}}]}
    owns = next(s for q, s in rels.items() if "[r:OWNS]" in q)
    assert owns.params == {"rows": [{"source": "c", "target": "p", "props": {}}]}
    assert all(s.rows == s.expect == len(s.params["rows"]) for s in plan.relationships)
    assert (plan.node_count, plan.relationship_count) == (3, 2)
    assert plan.node_counts == {"Provider": 1, "Client": 1, "Product": 1}


def test_batches_are_handed_over_as_they_are_planned() -> None:
    """With one row a batch, each relationship goes to the server the moment
    it is planned: in the order the records give them, not type by type."""
    two = Portfolio(
        providers=TINY.providers,
        clients=TINY.clients,
        products=tuple(
            Product(id=i, name=i, technology="tablet", owner="c", supply=(SupplyLink(provider="m", step="api"),))
            for i in ("p", "q")
        ),
    )
    handed: list[Statement] = []
    plan = LoadPlan(two, batch_size=1, stage=handed.append)
    assert handed == plan.nodes + plan.relationships
    assert [(s.query.split("[r:")[1].split("]")[0], s.params["rows"][0]["target"]) for s in plan.relationships] == [
        ("OWNS", "p"),
        ("SUPPLIES", "p"),
        ("OWNS", "q"),
        ("SUPPLIES", "q"),
    ]
    assert all(s.ends for s in plan.relationships) and not any(s.ends for s in plan.nodes)


def test_values_never_enter_statement_text() -> None:
    awkward = "x'}) DETACH DELETE n //"
    p = Portfolio(clients=(Client(id=awkward, name=awkward, segment="small"),))
    (only,) = LoadPlan(p, batch_size=10).nodes
    assert awkward not in only.query and only.params["rows"][0] == [
        awkward,
        {"id": awkward, "name": awkward, "segment": "small"},
    ]
    with pytest.raises(ValueError, match="not a model label"):
        statement("load/stage_nodes.cypher", staged="Client {id: 1}) DETACH DELETE (n")


def test_batches_split_rows_and_count_them() -> None:
    clients = tuple(Client(id=f"c{i}", name=f"C{i}", segment="small") for i in range(5))
    plan = LoadPlan(Portfolio(clients=clients), batch_size=2)
    assert [len(s.params["rows"]) for s in plan.nodes] == [2, 2, 1]
    assert [s.rows for s in plan.nodes] == [2, 2, 1]


def test_two_different_entries_with_one_key_are_refused_before_anything_is_sent() -> None:
    twice = Product(
        id="p",
        name="Pill",
        technology="tablet",
        owner="c",
        supply=(SupplyLink(provider="m", step="api"), SupplyLink(provider="m", step="api", qualified=False)),
    )
    with pytest.raises(Neo4jStoreError, match="1 relationship"):
        LoadPlan(Portfolio(providers=TINY.providers, clients=TINY.clients, products=(twice,)), batch_size=10)


def graph_records() -> tuple[dict[str, list[Any]], dict[RelType, list[Any]]]:
    """What store/read_nodes.cypher and read_relationships.cypher return for TINY."""
    nodes: dict[str, list[Any]] = {label: [] for label in section_labels().values()}
    nodes["Provider"] = [
        {"eid": "e1", "labels": ["Provider", "CMO"], "props": {"id": "m", "name": "Maker", "kind": "cmo"}}
    ]
    nodes["Client"] = [{"eid": "e2", "labels": ["Client"], "props": {"id": "c", "name": "Client", "segment": "small"}}]
    nodes["Product"] = [
        {"eid": "e3", "labels": ["Product"], "props": {"id": "p", "name": "Pill", "technology": "tablet"}}
    ]
    rels: dict[RelType, list[Any]] = {t: [] for t in RelType}
    rels[RelType.OWNS] = [GraphRelationship("c", "p", None, {})]
    rels[RelType.SUPPLIES] = [GraphRelationship("m", "p", None, {"step": "api", "qualified": True})]
    return nodes, rels


def test_the_graph_reads_back_as_the_portfolio() -> None:
    portfolio, warnings = graph_to_portfolio(*graph_records(), source="test")
    assert portfolio == TINY and warnings == []


def test_a_broken_graph_names_the_node() -> None:
    nodes, rels = graph_records()
    nodes["Product"][0]["props"]["technology"] = "vapour"
    with pytest.raises(PortfolioError) as err:
        graph_to_portfolio(nodes, rels, source="test")
    assert [p.location for p in err.value.problems] == ["neo4j:Product{id: 'p'}"]


def test_write_back_rows_from_analysis_json() -> None:
    results = {
        "spof": record(
            SpofResult,
            critical_nodes=[
                record(CriticalNode, node="m", severity="high", revenue_at_risk=10.0, products_lost=["p"], hidden=False)
            ],
            sole_source_steps=[record(SoleSourceStep, product="p", step="api", provider="m")],
        ),
        "concentration": record(
            ConcentrationResult,
            bands={"moderate": 1000, "high": 1800},
            providers=[
                record(
                    ProviderConcentration,
                    provider="m",
                    hhi=10000.0,
                    **{"class": "highly_concentrated"},
                    severity="high",
                )
            ],
        ),
    }
    nodes, rels = finding_rows(results)
    assert nodes == [
        {
            "id": "m",
            "props": {
                "is_single_point_of_failure": True,
                "risk_severity": "high",
                "revenue_at_risk": 10.0,
                "loss": 0.0,
                "risk_exposure": 0.0,
                "shortage_weeks": 0.0,
                "market_recovery_weeks": 0.0,
                "products_lost": ["p"],
                "clients_affected": [],
                "partners_affected": [],
                "hidden_common_mode": False,
                "hhi": 10000.0,
                "top1_share": 0.0,
                "top3_share": 0.0,
                "effective_customers": 0.0,
                "concentration_class": "highly_concentrated",
                "concentration_severity": "high",
                "top_customer": "",
            },
        }
    ]
    assert rels == {
        (RelType.SUPPLIES, "Provider", "Product"): [
            {"source": "m", "target": "p", "step": "api", "props": {"sole_source": True}}
        ]
    }
    nameless = {k: v for k, v in record(CriticalNode, severity="dire").items() if k != "node"}
    with pytest.raises(Neo4jStoreError, match=r"critical_nodes\[0\]: no node; .*\[0\]\.severity: 'dire' is not"):
        finding_rows({"spof": record(SpofResult, critical_nodes=[nameless])})
    with pytest.raises(Neo4jStoreError, match="analysis results must be a JSON object"):
        finding_rows([])  # type: ignore[arg-type]


def test_the_node_count_without_planning_is_the_plans() -> None:
    from graphkit import read_portfolio
    from graphkit.neo4j_mapping import graph_node_count

    for path in ("tests/small.yaml", "examples/portfolio.yaml"):
        portfolio = read_portfolio(path)[0]
        assert graph_node_count(portfolio) == LoadPlan(portfolio, batch_size=50).node_count
