"""Marketing-partner requirement overlap, checked by hand on tiny portfolios."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest
from networkx.algorithms import bipartite

from graphkit import read_portfolio, write_records
from graphkit.analysis.overlap import requirement_overlap, topic_reaches
from graphkit.analysis.severity import Severity
from graphkit.generate import GeneratorSpec, iter_records
from graphkit.model import Portfolio

SMALL = Path(__file__).with_name("small.yaml")

# vial: owner + mp-a + mp-b; tab: owner + mp-b + mp-c; cap: owner2 + mp-a + mp-d.
PORTFOLIO = """
providers:
  - {id: cmo-1, name: C1, kind: cmo}
  - {id: cmo-2, name: C2, kind: cmo}
  - {id: dist, name: D, kind: distributor}
  - {id: idle, name: Idle, kind: cmo}
clients:
  - {id: owner, name: Owner, segment: small}
  - {id: owner2, name: Owner Two, segment: large}
marketing_partners:
  - {id: mp-a, name: A}
  - {id: mp-b, name: B}
  - {id: mp-c, name: C}
  - {id: mp-d, name: D}
products:
  - {id: vial, name: Vial, technology: aseptic_fill, stage: commercial, owner: owner,
     supply: [{provider: cmo-1, step: fill_finish}], marketed_by: [mp-a, mp-b]}
  - {id: tab, name: Tab, technology: tablet, stage: clinical, owner: owner,
     supply: [{provider: cmo-1, step: packaging_labeling, qualified: false}, {provider: cmo-2, step: api}],
     distributors: [dist], marketed_by: [mp-b, mp-c]}
  - {id: cap, name: Cap, technology: capsule, stage: commercial, owner: owner2,
     supply: [{provider: cmo-2, step: drug_product}], marketed_by: [mp-a, mp-d]}
requirements:
  - {party: owner, topic: labeling.language, value: en}
  - {party: mp-a, topic: labeling.language, value: en}
  - {party: mp-b, topic: labeling.language, value: de}
  - {party: mp-a, topic: serialization.standard, value: gs1}
  - {party: mp-b, topic: serialization.standard, value: gs1, products: [vial]}
  - {party: mp-c, topic: serialization.standard, value: ifa}
  - {party: mp-c, topic: labeling.language, value: fr, products: [vial]}
  - {party: mp-d, topic: labeling.language, value: en}
  - {party: mp-d, topic: serialization.standard, value: gs1}
"""


@pytest.fixture
def portfolio(write) -> Portfolio:
    p, warnings = read_portfolio(write("p.yaml", PORTFOLIO))
    # mp-c lists vial, which it does not market: a warning, and ignored below.
    assert [w.message for w in warnings] == ["mp-c has a requirement for vial, which it neither markets nor owns"]
    return p


def test_overlaps_and_conflicts_per_product(portfolio: Portfolio) -> None:
    result = requirement_overlap(portfolio).as_dict()
    by_product = {row["product"]: row for row in result["products"]}
    assert list(by_product) == ["vial", "tab", "cap"]
    vial = by_product["vial"]
    # The owner's own requirement counts; mp-b's listed one reaches vial only;
    # mp-c's fr for vial is ignored (mp-c does not market it).
    assert vial["overlaps"] == [
        {"topic": "labeling.language", "value": "en", "parties": ["mp-a", "owner"]},
        {"topic": "serialization.standard", "value": "gs1", "parties": ["mp-a", "mp-b"]},
    ]
    assert vial["conflicts"] == [{"topic": "labeling.language", "values": {"mp-a": "en", "mp-b": "de", "owner": "en"}}]
    assert vial["severity"] == "high"  # conflict (low) + commercial + sterile
    assert "labeling.language" in vial["explanation"] and vial["explanation"].startswith("vial")

    tab = by_product["tab"]
    assert tab["overlaps"] == []  # mp-b's gs1 is listed for vial only; mp-c alone wants ifa
    assert tab["conflicts"] == [{"topic": "labeling.language", "values": {"mp-b": "de", "owner": "en"}}]
    assert tab["severity"] == "low"  # conflict, clinical, not sterile

    cap = by_product["cap"]
    assert cap["overlaps"] == [
        {"topic": "labeling.language", "value": "en", "parties": ["mp-a", "mp-d"]},
        {"topic": "serialization.standard", "value": "gs1", "parties": ["mp-a", "mp-d"]},
    ]
    assert cap["conflicts"] == []
    assert cap["severity"] == "info"  # overlaps only: nothing at stake
    # no product records revenue: conflicts are rated by the points fallback, and say so
    assert vial["explanation"].endswith("(severity by the points rule: no revenue recorded)")


def test_conflicts_per_provider(portfolio: Portfolio) -> None:
    rows = {r["provider"]: r for r in requirement_overlap(portfolio).as_dict()["providers"]}
    # Labeling and serialization reach packaging/labeling and distribution only (TOPIC_STEPS).
    # cmo-1 fills vial (reached by neither) and packs tab (unqualified): tab's parties want
    # en (owner) and de (mp-b) on labels, only ifa (mp-c) on serialization. cmo-2 makes tab's
    # API and cap's drug product: no topic reaches either, so no row; nor for idle.
    assert list(rows) == ["cmo-1", "dist"]
    assert rows["cmo-1"]["conflicts"] == [{"topic": "labeling.language", "values": {"de": ["tab"], "en": ["tab"]}}]
    assert rows["cmo-1"]["severity"] == "low"  # tab is clinical and not sterile
    # The distributor labels tab, whose parties disagree on the language.
    assert rows["dist"]["conflicts"] == [{"topic": "labeling.language", "values": {"de": ["tab"], "en": ["tab"]}}]
    assert rows["dist"]["severity"] == "low"
    assert rows["dist"]["explanation"].startswith("dist must meet different required values on 1 topic(s)")


# p1 sells in EU (mp-eu, dist-eu) and JP (mp-jp, dist-jp); p2 has one global market (mp-all).
MARKETS = """
providers:
  - {id: api, name: API, kind: cmo}
  - {id: pack-eu, name: Pack EU, kind: cmo}
  - {id: pack-all, name: Pack All, kind: cmo}
  - {id: lab, name: Lab, kind: test_lab}
  - {id: dist-eu, name: Dist EU, kind: distributor}
  - {id: dist-jp, name: Dist JP, kind: distributor}
  - {id: dist-any, name: Dist Any, kind: distributor}
clients:
  - {id: owner, name: Owner, segment: small}
marketing_partners:
  - {id: mp-eu, name: EU}
  - {id: mp-jp, name: JP}
  - {id: mp-all, name: All}
products:
  - id: p1
    name: P1
    technology: tablet
    owner: owner
    supply:
      - {provider: api, step: api}
      - {provider: pack-eu, step: packaging_labeling, filed_in: [EU]}
      - {provider: pack-all, step: packaging_labeling}
      - {provider: lab, step: testing}
    distributors: [{distributor: dist-eu, territory: EU}, {distributor: dist-jp, territory: JP}]
    marketed_by: [{partner: mp-eu, territory: EU}, {partner: mp-jp, territory: JP}]
  - id: p2
    name: P2
    technology: tablet
    owner: owner
    supply: [{provider: pack-eu, step: packaging_labeling}]
    distributors: [dist-any]
    marketed_by: [mp-all]
requirements:
  - {party: mp-eu, topic: labeling.language, value: de}
  - {party: mp-jp, topic: labeling.language, value: ja}
  - {party: mp-all, topic: labeling.language, value: en}
  - {party: mp-eu, topic: spec.assay, value: 95-105}
  - {party: mp-jp, topic: spec.assay, value: 98-102}
  - {party: mp-eu, topic: audit.frequency, value: annual}
  - {party: mp-jp, topic: audit.frequency, value: biennial}
"""


def test_provider_conflicts_count_only_the_steps_and_markets_it_serves(write) -> None:
    p, _ = read_portfolio(write("m.yaml", MARKETS))
    rows = {r["provider"]: r["conflicts"] for r in requirement_overlap(p).as_dict()["providers"]}
    assert rows == {
        # The API maker is audited (audit reaches every step) but told nothing about labels or specs.
        "api": [{"topic": "audit.frequency", "values": {"annual": ["p1"], "biennial": ["p1"]}}],
        # Filed for EU only on p1: mp-eu's de (and annual, alone: no conflict); p2's global en.
        "pack-eu": [{"topic": "labeling.language", "values": {"de": ["p1"], "en": ["p2"]}}],
        # Packs p1 for both markets: both partners' labels and audits; specs do not reach packing.
        "pack-all": [
            {"topic": "audit.frequency", "values": {"annual": ["p1"], "biennial": ["p1"]}},
            {"topic": "labeling.language", "values": {"de": ["p1"], "ja": ["p1"]}},
        ],
        # Testing: specs and audits, no labels.
        "lab": [
            {"topic": "audit.frequency", "values": {"annual": ["p1"], "biennial": ["p1"]}},
            {"topic": "spec.assay", "values": {"95-105": ["p1"], "98-102": ["p1"]}},
        ],
        # dist-eu sees only mp-eu's values, dist-jp only mp-jp's, dist-any only mp-all's: no conflict.
    }


def test_partner_similarity_by_hand(portfolio: Portfolio) -> None:
    # mp-a {lang en, ser gs1}; mp-b {lang de, ser gs1}; mp-c {ser ifa}; mp-d {lang en, ser gs1}.
    sims = requirement_overlap(portfolio).as_dict()["partner_similarity"]
    assert sims == [
        {"a": "mp-a", "b": "mp-d", "jaccard": 1.0},
        {"a": "mp-a", "b": "mp-b", "jaccard": pytest.approx(1 / 3)},
        {"a": "mp-b", "b": "mp-d", "jaccard": pytest.approx(1 / 3)},
    ]


def _networkx_jaccard(portfolio: Portfolio) -> dict[tuple[str, str], float]:
    """Jaccard by networkx's bipartite projection, from independently built partner sets."""
    partners = {m.id for m in portfolio.marketing_partners}
    parties = {p.id: {p.owner, *(m.partner for m in p.marketed_by)} for p in portfolio.products}
    B = nx.Graph()
    B.add_nodes_from(partners, bipartite=0)
    for req, prods in portfolio.requirement_products:
        if req.party in partners and any(req.party in parties.get(pid, ()) for pid in prods):
            B.add_edge(req.party, ("pair", req.topic, req.value))
    G = bipartite.overlap_weighted_projected_graph(B, [n for n in B if n in partners], jaccard=True)
    return {tuple(sorted((u, v))): w for u, v, w in G.edges(data="weight")}  # type: ignore[misc]


def test_partner_similarity_matches_networkx(portfolio: Portfolio) -> None:
    ours = {(s.a, s.b): s.jaccard for s in requirement_overlap(portfolio).partner_similarity}
    assert ours == pytest.approx(_networkx_jaccard(portfolio))


def test_partner_similarity_matches_networkx_on_a_generated_portfolio(tmp_path: Path) -> None:
    write_records(iter_records(GeneratorSpec.from_scale(400, seed=7)), tmp_path / "g.json")
    portfolio, _ = read_portfolio(tmp_path / "g.json")
    expected = _networkx_jaccard(portfolio)
    ours = {(s.a, s.b): s.jaccard for s in requirement_overlap(portfolio).partner_similarity}
    assert expected, "the generated portfolio should have similar partners"
    assert ours.keys() == expected.keys()
    assert ours == pytest.approx(expected)
    assert all(a < b for a, b in ours)


def test_small_portfolio() -> None:
    p, _ = read_portfolio(SMALL)
    result = requirement_overlap(p)
    assert [r.product for r in result.products] == ["prod-1"]
    prod1 = result.products[0]
    assert prod1.overlaps == ()
    assert prod1.conflicts[0].topic == "labeling.language"
    assert prod1.conflicts[0].values == {"mp-1": "de", "mp-2": "en"}
    assert prod1.severity is Severity.HIGH  # commercial, sterile
    # prod-1 is filled by cmo-a and tested by lab-1 (labels reach neither) and distributed in
    # EU by dist-1, where only mp-1 (everywhere) sells: mp-2 sells it in US. So no provider conflicts.
    assert result.providers == ()
    assert result.partner_similarity == ()  # de vs en: nothing shared


def test_nothing_to_report() -> None:
    assert requirement_overlap(Portfolio()).as_dict() == {"products": [], "providers": [], "partner_similarity": []}


# -- partner similarity: the sparse index against every pair of partners ----------------------


def _quadratic_similarity(portfolio: Portfolio, top: int | None = None) -> list[tuple[str, str, float]]:
    """The oracle: every pair of partners compared set against set (quadratic
    in partners), from partner sets built here; with `top`, each partner's
    `top` best by sorting all its pairs, a pair kept when either side keeps it."""
    from itertools import combinations

    partners = {m.id for m in portfolio.marketing_partners}
    parties = {p.id: {p.owner, *(m.partner for m in p.marketed_by)} for p in portfolio.products}
    sets: dict[str, set[tuple[str, str]]] = {}
    for req, prods in portfolio.requirement_products:
        if req.party in partners and any(req.party in parties.get(pid, ()) for pid in prods):
            sets.setdefault(req.party, set()).add((req.topic, req.value))
    scored = {
        (a, b): len(sets[a] & sets[b]) / len(sets[a] | sets[b])
        for a, b in combinations(sorted(sets), 2)
        if sets[a] & sets[b]
    }
    if top is not None:
        kept = set()
        for partner in sets:
            mine = [(j, b if a == partner else a, (a, b)) for (a, b), j in scored.items() if partner in (a, b)]
            kept |= {pair for _, _, pair in sorted(mine, key=lambda m: (-m[0], m[1]))[:top]}
        scored = {pair: j for pair, j in scored.items() if pair in kept}
    return sorted(((a, b, j) for (a, b), j in scored.items()), key=lambda r: (-r[2], r[0], r[1]))


def _similarity_rows(portfolio: Portfolio, top: int | None = None) -> list[tuple[str, str, float]]:
    return [(s.a, s.b, s.jaccard) for s in requirement_overlap(portfolio, top).partner_similarity]


@pytest.mark.parametrize("seed", [1, 5])
def test_sparse_similarity_equals_every_pair_compared(tmp_path: Path, seed: int) -> None:
    write_records(iter_records(GeneratorSpec.from_scale(10_000, seed=seed)), tmp_path / "g.json")
    portfolio, _ = read_portfolio(tmp_path / "g.json")
    expected = _quadratic_similarity(portfolio)
    assert len(expected) > 20
    assert _similarity_rows(portfolio) == expected  # the same pairs, floats and order, exactly
    for top in (1, 2, 5):
        cut = _quadratic_similarity(portfolio, top)
        assert _similarity_rows(portfolio, top) == cut
        assert len(cut) < len(expected)


def test_sparse_similarity_on_the_example() -> None:
    portfolio, _ = read_portfolio(Path(__file__).parent.parent / "examples" / "portfolio.yaml")
    assert _similarity_rows(portfolio) == _quadratic_similarity(portfolio)
    assert _similarity_rows(portfolio, 1) == _quadratic_similarity(portfolio, 1)


def test_similarity_top_by_hand(portfolio: Portfolio) -> None:
    # mp-a's best is mp-d (1.0), mp-d's mp-a, mp-b's: mp-a and mp-d tie at 1/3, the first id wins.
    assert [(s.a, s.b) for s in requirement_overlap(portfolio, 1).partner_similarity] == [
        ("mp-a", "mp-d"),
        ("mp-a", "mp-b"),
    ]


def _provider_conflicts_by_rule(portfolio: Portfolio) -> dict[str, list[dict[str, object]]]:
    """The documented rule applied literally, every provider entry against
    every (product, party, topic) value, sharing nothing with the analysis
    but the topic table."""
    parties = {p.id: {p.owner, *(m.partner for m in p.marketed_by)} for p in portfolio.products}
    value: dict[tuple[str, str, str], str] = {}  # (product, party, topic) -> the first value required
    for req, prods in portfolio.requirement_products:
        for pid in prods:
            if req.party in parties.get(pid, ()):
                value.setdefault((pid, req.party, req.topic), req.value)
    products = {p.id: p for p in portfolio.products}

    def sells_in(pid: str, party: str) -> set[str] | None:
        product = products[pid]
        if party == product.owner:
            return None
        territories = [m.territory for m in product.marketed_by if m.partner == party]
        return None if None in territories else set(territories)

    def entries(pid: str) -> list[tuple[str, str, set[str] | None]]:
        product = products[pid]
        one_global_market = None in product.market_territories
        supply = [
            (s.provider, str(s.step), set(s.filed_in) if s.filed_in and not one_global_market else None)
            for s in product.supply
        ]
        return supply + [
            (d.distributor, "distribution", None if d.territory is None else {d.territory})
            for d in product.distributors
        ]

    reached: dict[str, dict[str, dict[str, set[str]]]] = {}
    for (pid, party, topic), wanted in value.items():
        where = sells_in(pid, party)
        for provider, step, served in entries(pid):
            if topic_reaches(topic, step) and (served is None or where is None or bool(where & served)):
                reached.setdefault(provider, {}).setdefault(topic, {}).setdefault(wanted, set()).add(pid)
    rows = {}
    for provider, topics in reached.items():
        conflicts = [
            {"topic": topic, "values": {v: sorted(pids) for v, pids in sorted(values.items())}}
            for topic, values in sorted(topics.items())
            if len(values) >= 2
        ]
        if conflicts:
            rows[provider] = conflicts
    return rows


@pytest.mark.parametrize("seed", [3, 11])
def test_provider_conflicts_equal_the_rule_applied_entry_by_entry(tmp_path: Path, seed: int) -> None:
    write_records(iter_records(GeneratorSpec.from_scale(3000, seed=seed)), tmp_path / "g.json")
    portfolio, _ = read_portfolio(tmp_path / "g.json")
    expected = _provider_conflicts_by_rule(portfolio)
    ours = {r["provider"]: r["conflicts"] for r in requirement_overlap(portfolio).as_dict()["providers"]}
    assert len(expected) > 10, "the generated portfolio should have providers with conflicts"
    assert ours == expected
