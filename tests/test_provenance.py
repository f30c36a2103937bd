"""Provenance of imported records (`source`) where analysts meet it: in the
analysis explanations, in the network pages' tooltips and in Neo4j, on the
shipped ERP example (examples/erp, whose rows the expected texts name)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from msgspec import structs

from graphkit.analysis.spof import spof
from graphkit.importers import import_ledger
from graphkit.model import Portfolio
from graphkit.neo4j_store import Neo4jSettings, Neo4jStore
from graphkit.viz.views import build_view

ROOT = Path(__file__).resolve().parent.parent
ERP = ROOT / "examples" / "erp"


@pytest.fixture(scope="module")
def erp() -> Portfolio:
    return import_ledger(
        [ERP / "po_lines.csv", ERP / "suppliers.csv"], ROOT / "examples" / "erp-mapping.yaml"
    ).portfolio()


def test_sole_source_rows_name_the_ledger_rows_behind_them(erp: Portfolio) -> None:
    rows = {(s.product, s.step, s.market): s.explanation for s in spof(erp).sole_source_steps}
    # po_lines.csv row 9 (2024-06-02) is the only line of M-4: BetaLab tests it, MedLog ships it to Japan.
    assert rows[("prod-m-4", "testing", "JP")].endswith("[source: po_lines.csv row 9; 2024-06-02]")
    assert rows[("prod-m-4", "distribution", "JP")].endswith("[source: po_lines.csv row 9; 2024-06-02]")
    # M-2's fill-finish at Gamma: rows 5 and 6 (2024-03-03 and 2024-04-15).
    assert rows[("prod-m-2", "fill_finish", "DE")].endswith("[source: po_lines.csv rows 5-6; 2024-03-03..2024-04-15]")


def test_critical_nodes_name_the_source_of_the_failing_node(erp: Portfolio) -> None:
    nodes = {c.node: c.explanation for c in spof(erp).critical_nodes}
    # BetaLab is on rows 3 (Helix, 2024-01-05) and 9 (Calyx, 2024-06-02) and in the supplier master's row 4.
    assert nodes["sup-betalab-inc"].endswith(
        "[sup-betalab-inc source: po_lines.csv rows 3, 9; suppliers.csv row 4; 2024-01-05..2024-06-02]"
    )


def test_portfolios_without_sources_keep_their_explanations(erp: Portfolio) -> None:
    plain = Portfolio(
        providers=tuple(structs.replace(p, source=None) for p in erp.providers),
        clients=erp.clients,
        marketing_partners=tuple(structs.replace(m, source=None) for m in erp.marketing_partners),
        products=tuple(
            structs.replace(
                p,
                supply=tuple(structs.replace(s, source=None) for s in p.supply),
                distributors=tuple(structs.replace(d, source=None) for d in p.distributors),
                marketed_by=tuple(structs.replace(m, source=None) for m in p.marketed_by),
            )
            for p in erp.products
        ),
        contracts=erp.contracts,
    )
    result = spof(plain)
    assert not any("source:" in f.explanation for f in (*result.critical_nodes, *result.sole_source_steps))


def test_tooltips_carry_the_source_of_nodes_and_relationships(erp: Portfolio) -> None:
    view = build_view(erp, "all")
    nodes = {n.id: n.tooltip for n in view.nodes}
    assert (
        "source: po_lines.csv rows 2, 4; suppliers.csv rows 2-3; 2024-01-05..2024-02-12"
        in nodes["sup-alpha-pharma-gmbh"]
    )
    edges = {(e.source, e.target): e for e in view.edges}
    supply = edges[("sup-betalab-inc", "prod-m-1")]
    assert "source: po_lines.csv row 3; 2024-01-05" in supply.tooltip


def test_sources_round_trip_through_neo4j_and_are_queryable(
    erp: Portfolio, neo4j_clean: Any, neo4j_settings: Any
) -> None:
    s = neo4j_settings
    with Neo4jStore(Neo4jSettings(s.uri, s.username, s.password, s.database)) as store:
        store.load(erp)
        back, warnings = store.read()
        _, rows = store.run_query(
            "MATCH (p:Provider {id: $id})-[r:SUPPLIES {step: 'testing'}]->(:Product {id: 'prod-m-1'}) "
            "RETURN p.source AS node, r.source AS rel",
            {"id": "sup-betalab-inc"},
        )
    assert warnings == []
    assert {p.id: p.source for p in back.providers} == {p.id: p.source for p in erp.providers}
    assert sorted((p.id, s.provider, s.source) for p in back.products for s in p.supply) == sorted(
        (p.id, s.provider, s.source) for p in erp.products for s in p.supply
    )
    assert {(c.client, c.provider): c.source for c in back.contracts} == {
        (c.client, c.provider): c.source for c in erp.contracts
    }
    assert rows == [
        {
            "node": "po_lines.csv rows 3, 9; suppliers.csv row 4; 2024-01-05..2024-06-02",
            "rel": "po_lines.csv row 3; 2024-01-05",
        }
    ]
