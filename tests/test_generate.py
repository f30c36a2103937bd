"""The synthetic portfolio generator: reproducible, to scale, referentially
sound, and holding the structures the analyses must find.

Integrity is checked here independently of graphkit's own validator.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from itertools import combinations

import networkx as nx
import pytest

from graphkit.generate import (
    SECTION_ORDER,
    GeneratorSpec,
    build_portfolio_dict,
    count_relationships,
    iter_records,
    relationships_of,
)
from graphkit.model import (
    NODE_SECTIONS,
    STEP_SERVICES,
    TECHNOLOGY_STEPS,
    BusinessModel,
    ProviderKind,
    Segment,
    Service,
    Stage,
    Step,
    Technology,
    kind_may_perform,
)

PROVIDER_KINDS = {str(k) for k in ProviderKind}
BUSINESS_MODELS = {str(m) for m in BusinessModel}
SERVICES = {str(s) for s in Service}
TECHNOLOGIES = {str(t) for t in Technology}
SEGMENTS = {str(s) for s in Segment}
STAGES = {str(s) for s in Stage}
STEPS = {str(s) for s in Step}


@pytest.fixture(scope="module")
def portfolio() -> dict[str, list[dict]]:
    return build_portfolio_dict(GeneratorSpec.from_scale(10_000, seed=3))


def dump(spec: GeneratorSpec) -> str:
    return "\n".join(f"{k}\t{json.dumps(r, sort_keys=False)}" for k, r in iter_records(spec))


# -- reproducibility and scale ------------------------------------------------------


def test_same_seed_gives_identical_output() -> None:
    spec = GeneratorSpec.from_scale(3_000, seed=11)
    assert dump(spec) == dump(GeneratorSpec.from_scale(3_000, seed=11))


def test_different_seed_gives_different_output() -> None:
    assert dump(GeneratorSpec.from_scale(3_000, seed=1)) != dump(GeneratorSpec.from_scale(3_000, seed=2))


@pytest.mark.parametrize("scale", [1_000, 10_000, 30_000])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_scale_is_roughly_honoured(scale: int, seed: int) -> None:
    total = count_relationships(iter_records(GeneratorSpec.from_scale(scale, seed)))["total"]
    assert 0.8 * scale <= total <= 1.2 * scale


def test_iter_records_streams() -> None:
    stream = iter_records(GeneratorSpec.from_scale(10_000_000, seed=0))
    key, record = next(stream)  # a 10M-relationship portfolio: only streaming makes this instant
    assert key == "providers" and record["id"].startswith(("cmo-", "cro-", "lab-", "dist-"))


def test_spec_rejects_impossible_values() -> None:
    with pytest.raises(ValueError):
        GeneratorSpec(providers=5)
    with pytest.raises(ValueError):
        GeneratorSpec(second_source_rate=1.5)
    with pytest.raises(ValueError):
        GeneratorSpec.from_scale(0)


# -- counting -------------------------------------------------------------------------


def test_counting_rule_on_hand_made_records() -> None:
    records = [
        ("providers", {"id": "cmo-1", "name": "A", "kind": "cmo"}),
        (
            "products",
            {
                "id": "p",
                "name": "P",
                "technology": "tablet",
                "owner": "c",
                "supply": [{"provider": "cmo-1", "step": "drug_product"}, {"provider": "cmo-2", "step": "testing"}],
                "distributors": ["d"],
                "marketed_by": [{"partner": "m", "territory": "EU"}],
            },
        ),
        ("feeds", {"from": "cmo-2", "to": "cmo-1", "material": "API"}),
        ("contracts", {"client": "c", "provider": "cmo-1", "annual_value": 5}),
        ("requirements", {"party": "m", "topic": "spec.assay", "value": "x"}),
        ("requirements", {"party": "m", "topic": "audit.frequency", "value": "y", "products": ["p", "q"]}),
        ("liaisons", {"id": "l", "name": "L", "client": "c", "providers": ["cmo-1", "cmo-2"]}),
    ]
    counts = count_relationships(records)
    assert counts == {
        "owns": 1,
        "supplies": 2,
        "distributes": 1,
        "markets": 1,
        "feeds": 1,
        "contracts": 1,
        "requires": 2,
        "liaises": 3,
        "total": 12,
    }
    assert sum(relationships_of(k, r) for k, r in records) == 12


def test_counting_accepts_a_loaded_portfolio(portfolio: dict[str, list[dict]]) -> None:
    as_stream = count_relationships((k, r) for k in SECTION_ORDER for r in portfolio[k])
    assert count_relationships(portfolio) == as_stream
    assert sum(relationships_of(k, r) for k in portfolio for r in portfolio[k]) == as_stream["total"]


# -- shape and integrity ------------------------------------------------------------------


def test_sections_come_in_file_order() -> None:
    keys = [k for k, _ in iter_records(GeneratorSpec.from_scale(2_000, seed=5))]
    blocks = [k for i, k in enumerate(keys) if i == 0 or keys[i - 1] != k]
    assert blocks == list(SECTION_ORDER)  # each section once, all present, in order


def test_referential_integrity(portfolio: dict[str, list[dict]]) -> None:
    p = portfolio
    kind: dict[str, str] = {}
    for section in NODE_SECTIONS:
        for r in p[section]:
            assert r["id"] not in kind, f"duplicate id {r['id']}"
            assert r["name"].strip(), r
            kind[r["id"]] = r["kind"] if section == "providers" else section
    providers = {r["id"]: r for r in p["providers"]}

    for r in p["providers"]:
        assert r["kind"] in PROVIDER_KINDS
        assert set(r.get("services", ())) <= SERVICES
        assert set(r.get("technologies", ())) <= TECHNOLOGIES
        assert set(r.get("own_technologies", ())) <= TECHNOLOGIES
        if r["kind"] == ProviderKind.CMO:
            assert r["business_model"] in BUSINESS_MODELS
            hybrid = r["business_model"] != BusinessModel.CMO_ONLY
            assert ("own_revenue" in r) == hybrid and ("own_technologies" in r) == hybrid
        else:
            assert "business_model" not in r and "own_revenue" not in r
    for r in p["clients"]:
        assert r["segment"] in SEGMENTS

    owner: dict[str, str] = {}
    partners_of: dict[str, set[str]] = {}
    for prod in p["products"]:
        assert kind[prod["owner"]] == "clients"
        assert prod["technology"] in TECHNOLOGIES and prod["stage"] in STAGES
        owner[prod["id"]] = prod["owner"]
        steps = {s["step"] for s in prod["supply"]}
        assert steps <= STEPS and 3 <= len(steps) <= len(STEPS)
        seen = set()
        for s in prod["supply"]:
            assert (s["provider"], s["step"]) not in seen
            seen.add((s["provider"], s["step"]))
            prov = providers[s["provider"]]
            # a kind that can do the step at all, offering the step's service
            assert kind_may_perform(ProviderKind(prov["kind"]), s["step"])
            assert STEP_SERVICES[s["step"]] in prov["services"]
            if s["step"] in TECHNOLOGY_STEPS:
                assert prod["technology"] in prov["technologies"]
        for d in prod.get("distributors", ()):
            assert kind[d["distributor"] if isinstance(d, dict) else d] == ProviderKind.DISTRIBUTOR
        marketers = [m["partner"] if isinstance(m, dict) else m for m in prod.get("marketed_by", ())]
        assert all(kind[m] == "marketing_partners" for m in marketers)
        assert len(marketers) == len(set(marketers)) <= 3
        partners_of[prod["id"]] = set(marketers)

    feeds = nx.DiGraph()
    for f in p["feeds"]:
        assert kind[f["from"]] in PROVIDER_KINDS and kind[f["to"]] in PROVIDER_KINDS and f["material"]
        assert not feeds.has_edge(f["from"], f["to"])
        feeds.add_edge(f["from"], f["to"])
    assert nx.is_directed_acyclic_graph(feeds)

    currency: dict[str, str] = {}
    pairs = set()
    for c in p["contracts"]:
        assert kind[c["client"]] == "clients" and kind[c["provider"]] in PROVIDER_KINDS
        assert c["annual_value"] >= 0
        assert currency.setdefault(c["provider"], c["currency"]) == c["currency"]
        assert (c["client"], c["provider"]) not in pairs
        pairs.add((c["client"], c["provider"]))

    reach: dict[str, set[str]] = defaultdict(set)  # party -> products it owns or markets
    for prod_id, client in owner.items():
        reach[client].add(prod_id)
        for m in partners_of[prod_id]:
            reach[m].add(prod_id)
    applied = set()
    for r in p["requirements"]:
        assert kind[r["party"]] in {"marketing_partners", "clients"} and r["topic"] and r["value"]
        targets = r.get("products") or reach[r["party"]]
        for prod_id in targets:
            assert prod_id in reach[r["party"]]  # the party owns or markets it
            key = (r["party"], r["topic"], prod_id)
            assert key not in applied, f"two values for {key}"
            applied.add(key)

    for li in p["liaisons"]:
        assert kind[li["client"]] == "clients" and li["providers"]
        for prov in li["providers"]:
            assert (li["client"], prov) in pairs  # liaisons cover existing relationships


# -- the structures analyses look for -------------------------------------------------------


def test_has_every_kind_model_segment_and_technology(portfolio: dict[str, list[dict]]) -> None:
    p = portfolio
    assert {r["kind"] for r in p["providers"]} == PROVIDER_KINDS
    assert {r.get("business_model") for r in p["providers"]} - {None} == BUSINESS_MODELS
    assert {r["segment"] for r in p["clients"]} == SEGMENTS
    assert {r["technology"] for r in p["products"]} == TECHNOLOGIES
    assert {r["stage"] for r in p["products"]} == STAGES
    assert {c["currency"] for c in p["contracts"]} == {"USD", "EUR"}
    assert any(r.get("own_revenue", 0) > 0 for r in p["providers"])


def test_has_second_sources_and_unqualified_backups(portfolio: dict[str, list[dict]]) -> None:
    second = backup = sole = 0
    for prod in portfolio["products"]:
        per_step = Counter(s["step"] for s in prod["supply"] if s["qualified"])
        second += any(n >= 2 for n in per_step.values())
        sole += all(n == 1 for n in per_step.values())
        backup += any(not s["qualified"] for s in prod["supply"])
    assert second and backup and sole > second  # mostly sole-sourced


def test_has_multi_tier_supply_with_shared_upstream(portfolio: dict[str, list[dict]]) -> None:
    g = nx.DiGraph((f["from"], f["to"]) for f in portfolio["feeds"])
    assert nx.dag_longest_path_length(g) >= 2  # cell bank -> API maker -> drug-product CMO
    assert any(g.out_degree(n) >= 2 for n in g)  # one supplier behind several providers

    # hidden common mode: a step with two qualified sources that share their only feeder
    sole_feeders: dict[str, set[str]] = defaultdict(set)
    by_material: dict[tuple[str, str], set[str]] = defaultdict(set)
    for f in portfolio["feeds"]:
        by_material[(f["to"], f["material"])].add(f["from"])
    for (to, _), sources in by_material.items():
        if len(sources) == 1:
            sole_feeders[to] |= sources
    hidden = 0
    for prod in portfolio["products"]:
        per_step: dict[str, list[str]] = defaultdict(list)
        for s in prod["supply"]:
            if s["qualified"]:
                per_step[s["step"]].append(s["provider"])
        for sources in per_step.values():
            if len(sources) >= 2 and set.intersection(*(sole_feeders[x] for x in sources)):
                hidden += 1
    assert hidden > 0


def test_partners_requirements_overlap_and_conflict(portfolio: dict[str, list[dict]]) -> None:
    p = portfolio
    markets: dict[str, set[str]] = defaultdict(set)
    partners = {r["id"] for r in p["marketing_partners"]}
    for prod in p["products"]:
        for m in prod.get("marketed_by", ()):
            markets[m["partner"] if isinstance(m, dict) else m].add(prod["id"])
    values: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)  # (product, topic) -> party -> value
    for r in p["requirements"]:
        if r["party"] in partners:
            for prod_id in r.get("products") or markets[r["party"]]:
                values[(prod_id, r["topic"])][r["party"]] = r["value"]
    overlap_products, conflict_products = set(), set()
    for (prod_id, _), by_party in values.items():
        for a, b in combinations(by_party.values(), 2):
            (overlap_products if a == b else conflict_products).add(prod_id)
    assert overlap_products & conflict_products  # some product has both


def test_customer_concentration_varies(portfolio: dict[str, list[dict]]) -> None:
    cmos = {r["id"] for r in portfolio["providers"] if r["kind"] == ProviderKind.CMO}
    by_provider: dict[str, list[float]] = defaultdict(list)
    for c in portfolio["contracts"]:
        if c["provider"] in cmos:
            by_provider[c["provider"]].append(c["annual_value"])
    hhi = [sum((100 * v / sum(vs)) ** 2 for v in vs) for vs in by_provider.values() if sum(vs)]
    assert any(h > 5000 for h in hhi) and any(h < 1500 for h in hhi)
    values = sorted(c["annual_value"] for c in portfolio["contracts"])
    assert values[-1] > 20 * values[len(values) // 2]  # heavy tail: a few huge contracts


def test_liaisons_cover_some_relationships(portfolio: dict[str, list[dict]]) -> None:
    per_pair = Counter((li["client"], prov) for li in portfolio["liaisons"] for prov in li["providers"])
    assert 0 < len(per_pair) < len(portfolio["contracts"])
    assert 1 in per_pair.values() and max(per_pair.values()) >= 2
