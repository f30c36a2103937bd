"""The synthetic portfolio generator: reproducible, to scale, referentially
sound, and holding the structures the analyses must find.

Integrity is checked here independently of graphkit's own validator.
"""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from itertools import combinations

import networkx as nx
import pytest
from supply_oracle import brute_single

import graphkit.generate as generate_module
from graphkit.analysis.spof import critical_nodes
from graphkit.generate import (
    SECTION_ORDER,
    SHARES,
    GeneratorSpec,
    build_portfolio_dict,
    count_relationships,
    iter_records,
    relationships_of,
)
from graphkit.model import (
    BIOLOGIC_TECHNOLOGIES,
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
from graphkit.validate import build_portfolio

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
        territories = [m["territory"] for m in prod.get("marketed_by", ())]
        assert len(territories) == len(set(territories))  # one partner per market
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


# -- markets, filings, scoped feeds and time data in their stated shares -----------------------

SPEC = GeneratorSpec()  # the shares stated in the module and `generate --help`
API_MATERIALS = ("API", "drug substance")  # what the generator calls an API feed's material


@pytest.fixture(scope="module")
def shares_portfolio() -> dict[str, list[dict]]:
    return build_portfolio_dict(GeneratorSpec.from_scale(5_000, seed=8))


def near(hits: int, trials: int, share: float) -> bool:
    """Whether hits/trials is within four standard deviations of `share`."""
    assert trials >= 30, f"too few trials ({trials}) to measure a share"
    return abs(hits / trials - share) <= 4 * math.sqrt(share * (1 - share) / trials) + 1e-9


def territories_of(prod: dict) -> list[str]:
    return [m["territory"] for m in prod.get("markets", ())]


def test_markets_per_product_in_their_shares(shares_portfolio: dict[str, list[dict]]) -> None:
    products = shares_portfolio["products"]
    commercial = [p for p in products if p["stage"] == Stage.COMMERCIAL]
    clinical = [p for p in products if p["stage"] == Stage.CLINICAL]
    assert all(territories_of(p) for p in commercial)
    assert near(sum(bool(territories_of(p)) for p in clinical), len(clinical), 0.5)
    sold = [p for p in products if territories_of(p)]
    weights = SPEC.market_count_weights
    counts = Counter(len(territories_of(p)) for p in sold)
    assert set(counts) <= set(range(1, len(weights) + 1))
    for n, w in enumerate(weights, 1):
        assert near(counts[n], len(sold), w / sum(weights)), (n, counts)
    # the bigger markets come first: the most common territory is named on most products
    named = Counter(t for p in sold for t in territories_of(p))
    assert named.most_common(1)[0][1] > len(sold) / 2
    for p in sold:
        assert len(set(territories_of(p))) == len(territories_of(p))
    # every territory named anywhere is one of the product's markets, so markets list them all
    for p in products:
        for key in ("distributors", "marketed_by"):
            assert {e["territory"] for e in p.get(key, ()) if "territory" in e} <= set(territories_of(p))


def test_market_revenue_in_its_share_and_summing_to_the_product(shares_portfolio: dict[str, list[dict]]) -> None:
    commercial = [p for p in shares_portfolio["products"] if p["stage"] == Stage.COMMERCIAL]
    split = [p for p in commercial if any("annual_revenue" in m for m in p["markets"])]
    assert near(len(split), len(commercial), SPEC.market_revenue_rate)
    for p in split:
        revenues = [m["annual_revenue"] for m in p["markets"]]  # every market, or none
        assert abs(sum(revenues) - p["annual_revenue"]) <= 500 * len(revenues)  # rounded to thousands


def test_distributors_per_market(shares_portfolio: dict[str, list[dict]]) -> None:
    sold = [p for p in shares_portfolio["products"] if territories_of(p)]
    assert all(p.get("distributors") for p in sold)
    assert not any(p.get("distributors") for p in shares_portfolio["products"] if not territories_of(p))
    everywhere = [p for p in sold if any("territory" not in d for d in p["distributors"])]
    assert all(len(p["distributors"]) == 1 for p in everywhere)  # one distributor serving every market
    assert near(len(everywhere), len(sold), SPEC.global_distributor_rate)
    per_market = Counter((p["id"], d["territory"]) for p in sold if p not in everywhere for d in p["distributors"])
    markets = [(p["id"], t) for p in sold if p not in everywhere for t in territories_of(p)]
    assert set(per_market) == set(markets)  # each market served
    assert near(sum(per_market[m] == 2 for m in markets), len(markets), SPEC.second_distributor_rate)
    assert max(per_market.values()) <= 2


def test_partners_on_their_share_of_markets(shares_portfolio: dict[str, list[dict]]) -> None:
    covers = {m["id"]: set(m["territories"]) for m in shares_portfolio["marketing_partners"]}
    markets = partnered = 0
    for p in shares_portfolio["products"]:
        if p["stage"] == Stage.CLINICAL:
            assert "marketed_by" not in p
            continue
        markets += len(territories_of(p))
        partnered += len(p.get("marketed_by", ()))
        assert all(m["territory"] in covers[m["partner"]] for m in p.get("marketed_by", ()))
    assert near(partnered, markets, SPEC.partner_market_rate)


def test_second_sources_filed_in_one_market_in_their_share(shares_portfolio: dict[str, list[dict]]) -> None:
    second = filed = 0
    for p in shares_portfolio["products"]:
        seen: set[str] = set()
        for s in p["supply"]:
            if s["qualified"] and s["step"] in seen and territories_of(p):
                second += 1
                if "filed_in" in s:
                    filed += 1
                    assert len(s["filed_in"]) == 1 and s["filed_in"][0] in territories_of(p)
            elif "filed_in" in s:
                raise AssertionError(f"only second qualified sources of products with markets are filed: {s}")
            seen.add(s["step"])
    assert near(filed, second, SPEC.single_filing_rate)


def test_api_feeds_scoped_to_the_products_made_with_them(portfolio: dict[str, list[dict]]) -> None:
    shares_portfolio = portfolio  # feeds are per provider: a larger portfolio has enough of them to count
    made: dict[str, set[str]] = defaultdict(set)  # site -> products it makes on a technology step
    technology = {p["id"]: Technology(p["technology"]) for p in shares_portfolio["products"]}
    for p in shares_portfolio["products"]:
        for s in p["supply"]:
            if s["step"] in TECHNOLOGY_STEPS:
                made[s["provider"]].add(p["id"])
    api_feeds = [f for f in shares_portfolio["feeds"] if f["material"] in API_MATERIALS]
    scoped = [f for f in api_feeds if "products" in f]
    assert near(len(scoped), len(api_feeds), SPEC.scoped_feed_rate)
    assert not any("products" in f for f in shares_portfolio["feeds"] if f not in api_feeds)
    scopes: dict[tuple[str, str], set[str]] = {}
    for f in scoped:
        products = set(f["products"])
        assert products and products <= made[f["to"]] and len(products) == len(f["products"])
        if f["material"] == "drug substance":
            assert all(technology[x] in BIOLOGIC_TECHNOLOGIES for x in products)
        # the feeders of one material into one site feed the same products
        assert scopes.setdefault((f["to"], f["material"]), products) == products
    # a site's two materials go into different products, and between them into all it makes
    for (to, material), products in scopes.items():
        other = scopes.get((to, "API" if material == "drug substance" else "drug substance"))
        if other is not None:
            assert not products & other and products | other == made[to]


def test_time_data_in_its_shares(shares_portfolio: dict[str, list[dict]]) -> None:
    providers = shares_portfolio["providers"]
    recovery = [r["recovery_weeks"] for r in providers if "recovery_weeks" in r]
    assert near(len(recovery), len(providers), SPEC.recovery_known_rate)
    assert min(recovery) >= 1 and max(recovery) <= 52
    backups = [s for p in shares_portfolio["products"] for s in p["supply"] if not s["qualified"]]
    assert not any("bring_up_weeks" in s for p in shares_portfolio["products"] for s in p["supply"] if s["qualified"])
    bring_up = [s["bring_up_weeks"] for s in backups if "bring_up_weeks" in s]
    assert near(len(bring_up), len(backups), SPEC.bring_up_known_rate) and 8 <= min(bring_up) <= max(bring_up) <= 52
    commercial = [p for p in shares_portfolio["products"] if p["stage"] == Stage.COMMERCIAL]
    stocked = [p["inventory_weeks"] for p in commercial if "inventory_weeks" in p]
    assert near(len(stocked), len(commercial), SPEC.inventory_rate)
    markets = [m for p in shares_portfolio["products"] for m in p.get("markets", ())]
    market_stock = [m["inventory_weeks"] for m in markets if "inventory_weeks" in m]
    assert near(len(market_stock), len(markets), SPEC.market_inventory_rate)
    assert min(stocked + market_stock) >= 2 and max(stocked + market_stock) <= 26


def test_corporate_groups(portfolio: dict[str, list[dict]], shares_portfolio: dict[str, list[dict]]) -> None:
    for pf in (shares_portfolio, portfolio):
        groups: dict[str, list[dict]] = defaultdict(list)
        for r in pf["providers"]:
            if "parent" in r:
                groups[r["parent"]].append(r)
        assert groups and all(2 <= len(members) <= 5 for members in groups.values())
        grouped = sum(map(len, groups.values()))
        assert abs(grouped - SPEC.grouped_share * len(pf["providers"])) <= 1 + 1  # a left-over member, rounding
    # with several groups, some sit in one country and some span countries
    countries = [{r["country"] for r in members} for members in groups.values()]
    assert len(countries) >= 2
    assert any(len(c) == 1 for c in countries) and any(len(c) > 1 for c in countries)


def test_a_generated_portfolio_validates_without_warnings(shares_portfolio: dict[str, list[dict]]) -> None:
    _, problems = build_portfolio(shares_portfolio, lambda path: "")
    assert [p for p in problems if p.severity != "note"] == []
    notes = [p.message for p in problems if p.severity == "note"]
    assert notes and all("has no products" in n for n in notes)  # unscoped feeds are noted, nothing else


@pytest.mark.parametrize("seed", range(3))
def test_engine_agrees_with_brute_force_on_a_generated_portfolio_with_markets(seed: int) -> None:
    pf = build_portfolio(build_portfolio_dict(GeneratorSpec.from_scale(500, seed=seed)), lambda path: "")[0]
    assert any(len(p.market_territories) > 1 for p in pf.products)
    assert any(s.filed_in for p in pf.products for s in p.supply) or seed  # filings at least once
    assert any(f.products for f in pf.feeds)
    assert {c.node: set(c.units) for c in critical_nodes(pf)} == brute_single(pf)


def test_shares_are_stated_in_the_module_and_the_help() -> None:
    from click.testing import CliRunner

    from graphkit.cli.main import main

    assert SHARES in generate_module.__doc__
    help_text = " ".join(CliRunner().invoke(main, ["generate", "--help"]).output.split())
    for line in SHARES.splitlines():
        assert " ".join(line.split()) in help_text
