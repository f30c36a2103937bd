"""Markets, filings and product-scoped feeds: hand-worked cases, and random
portfolios held to the brute force of `supply_oracle` (written from the rules,
independent of the engine)."""

from __future__ import annotations

import dataclasses
import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from market_portfolios import CLIENT, cmo, dist, markets_portfolio, product, random_portfolio
from msgspec import structs
from supply_oracle import available, brute_single, counts_in, markets_of, providers_down

from graphkit.analysis.spof import critical_nodes, sole_source_steps, whatif
from graphkit.model import (
    DistributorRef,
    Feed,
    Market,
    MarketingPartner,
    MarketingRef,
    Portfolio,
    SupplyLink,
)


def engine_single(pf: Portfolio) -> dict[str, set[tuple[str, str | None]]]:
    return {c.node: set(c.units) for c in critical_nodes(pf)}


# ---------------------------------------------------------------------------
# hand-worked cases (the issue's own)
# ---------------------------------------------------------------------------


def test_scoped_feed_takes_down_only_its_product() -> None:
    # cmo-fill fills prod-a and prod-b; cmo-ds-a makes prod-a's drug substance only.
    def portfolio(products: tuple[str, ...]) -> Portfolio:
        return Portfolio(
            providers=(cmo("cmo-ds-a"), cmo("cmo-fill")),
            clients=(CLIENT,),
            products=(
                product("prod-a", [SupplyLink(provider="cmo-fill", step="fill_finish")], annual_revenue=300e6),
                product("prod-b", [SupplyLink(provider="cmo-fill", step="fill_finish")], annual_revenue=500e6),
            ),
            feeds=(Feed(from_="cmo-ds-a", to="cmo-fill", material="A drug substance", products=products),),
        )

    unscoped = whatif(portfolio(()), ["cmo-ds-a"])
    assert unscoped.products_lost == ("prod-a", "prod-b")  # the old rule: an input of everything cmo-fill makes
    scoped = whatif(portfolio(("prod-a",)), ["cmo-ds-a"])
    assert scoped.products_lost == ("prod-a",)
    assert scoped.markets_lost == (("prod-a", None),)
    assert scoped.revenue_at_risk == 300e6
    assert "cmo-ds-a" not in scoped.explanations[0][1] or scoped.explanations[0][0] == "prod-a"
    by_node = {c.node: c for c in critical_nodes(portfolio(("prod-a",)))}
    assert by_node["cmo-ds-a"].products_lost == ("prod-a",) and by_node["cmo-ds-a"].revenue_at_risk == 300e6
    assert by_node["cmo-ds-a"].hidden
    assert by_node["cmo-fill"].products_lost == ("prod-a", "prod-b")


def test_japanese_distributor_or_partner_loses_japan_only() -> None:
    pf = markets_portfolio()
    for node in ("dist-jp", "partner-jp"):
        r = whatif(pf, [node])
        assert r.markets_lost == (("prod-a", "JP"),), node
        assert r.products_lost == (), node  # EU still sells
        assert r.revenue_at_risk == 30e6  # an even third of 90M: no per-market revenue given
        assert r.revenue_basis == "share"
    assert whatif(pf, ["partner-jp"]).partners_affected == ("partner-jp",)


def test_a_site_filed_for_the_us_is_no_backup_for_the_eu() -> None:
    pf = markets_portfolio()
    # US has no distributor serving it (the product has distributors): not available today, never lost.
    r = whatif(pf, ["cmo-eu"])
    assert r.markets_lost == (("prod-a", "EU"), ("prod-a", "JP"))
    assert r.products_lost == ("prod-a",)
    assert any("not currently available" in n and "prod-a (US)" in n for n in r.notes)
    crit = {c.node: c for c in critical_nodes(pf)}
    assert set(crit) == {"cmo-eu", "dist-eu", "dist-jp", "partner-eu", "partner-jp"}
    assert crit["cmo-eu"].units == (("prod-a", "EU"), ("prod-a", "JP"))
    steps = {(s.step, s.market): s.provider for s in sole_source_steps(pf)}
    assert steps == {
        ("fill_finish", "EU"): "cmo-eu",
        ("fill_finish", "JP"): "cmo-eu",
        ("fill_finish", "US"): "cmo-us",
        ("distribution", "EU"): "dist-eu",
        ("distribution", "JP"): "dist-jp",
    }


def test_market_revenue_when_every_market_gives_one() -> None:
    pf = markets_portfolio()
    p = pf.products[0]
    markets = (Market(territory="US", annual_revenue=50e6), Market(territory="EU", annual_revenue=25e6))
    partial = dataclasses.replace(pf, products=(structs.replace(p, markets=markets),))
    r = whatif(partial, ["dist-jp"])
    assert (r.revenue_at_risk, r.revenue_basis) == (30e6, "share")  # JP has no revenue of its own
    markets += (Market(territory="JP", annual_revenue=15e6),)
    full = dataclasses.replace(pf, products=(structs.replace(p, markets=markets),))
    r = whatif(full, ["dist-jp"])
    assert (r.revenue_at_risk, r.revenue_basis) == (15e6, "market")


def test_unterritoried_entries_serve_every_market() -> None:
    pf = Portfolio(
        providers=(cmo("cmo"), dist("dist-all"), dist("dist-jp")),
        clients=(CLIENT,),
        marketing_partners=(MarketingPartner(id="partner-all", name="P"),),
        products=(
            product(
                "p",
                [SupplyLink(provider="cmo", step="fill_finish")],
                distributors=(
                    DistributorRef(distributor="dist-all"),
                    DistributorRef(distributor="dist-jp", territory="JP"),
                ),
                marketed_by=(MarketingRef(partner="partner-all"),),
                markets=(Market(territory="EU"),),
            ),
        ),
    )
    crit = engine_single(pf)
    # dist-all is EU's only distributor, JP also has dist-jp; the one partner sells everywhere.
    assert crit == {
        "cmo": {("p", "EU"), ("p", "JP")},
        "dist-all": {("p", "EU")},
        "partner-all": {("p", "EU"), ("p", "JP")},
    }
    assert crit == brute_single(pf)


def test_filed_feed_counts_only_in_its_markets() -> None:
    # cmo-dp needs API for prod; api-1 is filed in EU only, api-2 everywhere.
    pf = Portfolio(
        providers=(cmo("api-1"), cmo("api-2"), cmo("cmo-dp"), dist("d-eu"), dist("d-us")),
        clients=(CLIENT,),
        products=(
            product(
                "prod",
                [SupplyLink(provider="cmo-dp", step="drug_product")],
                distributors=(
                    DistributorRef(distributor="d-eu", territory="EU"),
                    DistributorRef(distributor="d-us", territory="US"),
                ),
            ),
        ),
        feeds=(
            Feed(from_="api-1", to="cmo-dp", material="api", filed_in=("EU",)),
            Feed(from_="api-2", to="cmo-dp", material="api"),
        ),
    )
    crit = engine_single(pf)
    assert crit["api-2"] == {("prod", "US")}  # in the EU api-1 backs it up
    assert "api-1" not in crit
    assert crit == brute_single(pf)


# ---------------------------------------------------------------------------
# random portfolios: engine == brute force
# ---------------------------------------------------------------------------


def check(pf: Portfolio, rng: random.Random) -> None:
    assert engine_single(pf) == brute_single(pf)
    nodes = [p.id for p in pf.providers] + [m.id for m in pf.marketing_partners]
    failed = set(rng.sample(nodes, rng.randint(1, min(3, len(nodes)))))
    r = whatif(pf, sorted(failed))
    base = available(pf, set())
    assert set(r.markets_lost) == base - available(pf, failed)
    assert set(r.providers_down) == providers_down(pf, failed)
    sole = set()  # (product, step, market, provider) with exactly one qualified source filed there
    for p in pf.products:
        for market in markets_of(p):
            by_step = {str(link.step): set() for link in p.supply}
            for link in p.supply:
                if link.qualified and counts_in(link.filed_in, market):
                    by_step[str(link.step)].add(link.provider)
            if p.distributors:
                by_step["distribution"] = {d.distributor for d in p.distributors if d.territory in (None, market)}
            sole |= {(p.id, step, market, *srcs) for step, srcs in by_step.items() if len(srcs) == 1}
    assert {(s.product, s.step, s.market, s.provider) for s in sole_source_steps(pf)} == sole


def test_seeded_random_portfolios_against_brute_force() -> None:
    for seed in range(300):
        rng = random.Random(seed)
        check(random_portfolio(rng, cyclic=seed % 3 == 0), rng)


@settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), cyclic=st.booleans())
def test_hypothesis_portfolios_against_brute_force(seed: int, cyclic: bool) -> None:
    rng = random.Random(seed)
    check(random_portfolio(rng, cyclic), rng)
