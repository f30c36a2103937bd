"""Small market portfolios for the tests: the constructors of the hand-worked
cases and seeded random portfolios with markets, filings, partners and
product-scoped feeds (feed cycles on request)."""

from __future__ import annotations

import dataclasses
import random

from msgspec import structs

from graphkit.model import (
    Client,
    DistributorRef,
    Feed,
    Market,
    MarketingPartner,
    MarketingRef,
    Portfolio,
    Product,
    Provider,
    SupplyLink,
)

CLIENT = Client(id="client", name="Client", segment="mid_sized")


def cmo(i: str) -> Provider:
    return Provider(id=i, name=i, kind="cmo")


def dist(i: str) -> Provider:
    return Provider(id=i, name=i, kind="distributor")


def product(i: str, supply, **kw) -> Product:
    return Product(id=i, name=i, technology="aseptic_fill", owner="client", supply=tuple(supply), **kw)


def markets_portfolio() -> Portfolio:
    """prod-a: EU by dist-eu and partner-eu, JP by dist-jp and partner-jp;
    fill at cmo-us (filed US only) and cmo-eu (filed EU, JP)."""
    return Portfolio(
        providers=(cmo("cmo-us"), cmo("cmo-eu"), dist("dist-eu"), dist("dist-jp")),
        clients=(CLIENT,),
        marketing_partners=(
            MarketingPartner(id="partner-eu", name="EU partner"),
            MarketingPartner(id="partner-jp", name="JP partner"),
        ),
        products=(
            product(
                "prod-a",
                [
                    SupplyLink(provider="cmo-us", step="fill_finish", filed_in=("US",)),
                    SupplyLink(provider="cmo-eu", step="fill_finish", filed_in=("EU", "JP")),
                ],
                annual_revenue=90e6,
                markets=(Market(territory="US"),),
                distributors=(
                    DistributorRef(distributor="dist-eu", territory="EU"),
                    DistributorRef(distributor="dist-jp", territory="JP"),
                ),
                marketed_by=(
                    MarketingRef(partner="partner-eu", territory="EU"),
                    MarketingRef(partner="partner-jp", territory="JP"),
                ),
            ),
        ),
    )


def scoped_feed_portfolio() -> Portfolio:
    """cmo-fill fills prod-x and prod-y; cmo-ds-a feeds it prod-x's drug substance only."""
    return Portfolio(
        providers=(cmo("cmo-ds-a"), cmo("cmo-fill")),
        clients=(CLIENT,),
        products=(
            product("prod-x", [SupplyLink(provider="cmo-fill", step="fill_finish")], annual_revenue=300e6),
            product("prod-y", [SupplyLink(provider="cmo-fill", step="fill_finish")], annual_revenue=500e6),
        ),
        feeds=(Feed(from_="cmo-ds-a", to="cmo-fill", material="X drug substance", products=("prod-x",)),),
    )


TERRITORIES = ["EU", "US", "JP"]
STEPS = ["api", "drug_product", "fill_finish", "testing"]


def random_portfolio(rng: random.Random, cyclic: bool, prefix: str = "") -> Portfolio:
    """Ids start with ``prefix`` (so several can be joined into one portfolio)."""
    n_cmo, n_dist, n_partner, n_prod = rng.randint(1, 6), rng.randint(0, 3), rng.randint(0, 3), rng.randint(1, 4)
    cmos = [f"{prefix}c{i}" for i in range(n_cmo)]
    dists = [f"{prefix}d{i}" for i in range(n_dist)]
    partners = [f"{prefix}m{i}" for i in range(n_partner)]
    products_ = [f"{prefix}p{i}" for i in range(n_prod)]

    def some(items, k_max):
        return tuple(rng.sample(items, rng.randint(0, min(k_max, len(items)))))

    def territory():
        return rng.choice([None, None, *TERRITORIES])

    products = []
    for pid in products_:
        supply = [
            SupplyLink(
                provider=rng.choice(cmos),
                step=rng.choice(STEPS),
                qualified=rng.random() < 0.85,
                filed_in=some(TERRITORIES, 2) if rng.random() < 0.4 else (),
            )
            for _ in range(rng.randint(0, 4))
        ]
        products.append(
            product(
                pid,
                supply,
                annual_revenue=float(rng.randint(0, 9)) * 1e6,
                markets=tuple(Market(territory=t) for t in some(TERRITORIES, 2)) if rng.random() < 0.3 else (),
                distributors=tuple(DistributorRef(distributor=d, territory=territory()) for d in some(dists, 3)),
                marketed_by=tuple(MarketingRef(partner=m, territory=territory()) for m in some(partners, 3)),
            )
        )
    feeds = []
    for _ in range(rng.randint(0, 8)):
        a, b = rng.sample(cmos, 2) if len(cmos) > 1 else (cmos[0], cmos[0])
        if not cyclic and a >= b:
            a, b = sorted((a, b))
            if a == b:
                continue
        feeds.append(
            Feed(
                from_=a,
                to=b,
                material=rng.choice(["api", "ds", "cells"]),
                products=some(products_, 2) if rng.random() < 0.5 else (),
                filed_in=some(TERRITORIES, 2) if rng.random() < 0.3 else (),
            )
        )
    return Portfolio(
        providers=tuple(cmo(c) for c in cmos) + tuple(dist(d) for d in dists),
        clients=(CLIENT,),
        marketing_partners=tuple(MarketingPartner(id=m, name=m) for m in partners),
        products=tuple(products),
        feeds=tuple(feeds),
    )


def tiered_portfolio(rng: random.Random, cyclic: bool) -> Portfolio:
    """CMOs in three or four tiers, each receiving one or two materials
    from one to three feeders of the tier above (some product-scoped or
    filed), products supplied from the lower tiers: deep chains where a
    failure upstream changes what a second failure downstream takes down.
    ``cyclic`` adds feeds back up the tiers."""
    tiers = [[f"t{k}c{i}" for i in range(rng.randint(1, 3))] for k in range(rng.randint(3, 4))]
    products_ = [f"p{i}" for i in range(rng.randint(1, 3))]
    feeds = []
    for upper, tier in zip(tiers, tiers[1:]):
        for c in tier:
            for material in rng.sample(["api", "ds", "cells"], rng.randint(1, 2)):
                for f in rng.sample(upper, rng.randint(1, len(upper))):
                    feeds.append(
                        Feed(
                            from_=f,
                            to=c,
                            material=material,
                            products=tuple(rng.sample(products_, 1)) if rng.random() < 0.2 else (),
                            filed_in=tuple(rng.sample(TERRITORIES, 2)) if rng.random() < 0.2 else (),
                        )
                    )
    if cyclic:
        for _ in range(rng.randint(1, 2)):
            k = rng.randrange(1, len(tiers))
            feeds.append(Feed(from_=rng.choice(tiers[k]), to=rng.choice(tiers[k - 1]), material="loop"))
    low = [c for tier in tiers[-2:] for c in tier]
    products = [
        product(
            pid,
            [SupplyLink(provider=rng.choice(low), step=rng.choice(STEPS[:2])) for _ in range(rng.randint(1, 4))],
            annual_revenue=float(rng.randint(1, 9)) * 1e6,
            markets=tuple(Market(territory=t) for t in rng.sample(TERRITORIES, 2)) if rng.random() < 0.5 else (),
        )
        for pid in products_
    ]
    return Portfolio(
        providers=tuple(cmo(c) for tier in tiers for c in tier),
        clients=(CLIENT,),
        products=tuple(products),
        feeds=tuple(feeds),
    )


def loadable(*portfolios: Portfolio) -> Portfolio:
    """The portfolios joined (ids apart, clients shared), with one supply
    entry per (provider, step) of a product and one feed per (from, to,
    material), the first of each: Neo4j keeps one relationship per key, so a
    load refuses differing duplicates."""
    products = []
    feeds: dict[tuple[str, str, str], Feed] = {}
    for pf in portfolios:
        for p in pf.products:
            seen: dict[tuple[str, str], SupplyLink] = {}
            for link in p.supply:
                seen.setdefault((link.provider, str(link.step)), link)
            products.append(structs.replace(p, supply=tuple(seen.values())))
        for f in pf.feeds:
            feeds.setdefault((f.from_, f.to, f.material), f)
    return Portfolio(
        providers=tuple(r for pf in portfolios for r in pf.providers),
        clients=tuple({c.id: c for pf in portfolios for c in pf.clients}.values()),
        marketing_partners=tuple(r for pf in portfolios for r in pf.marketing_partners),
        products=tuple(products),
        feeds=tuple(feeds.values()),
    )


def pairs_portfolio() -> Portfolio:
    """prod-a (100M, EU and US, even shares): api from api-1 or api-2 (both
    parent Acme); fill at fill-1 (everywhere) or fill-2 (filed US only; its
    drug substance from ds-1 or ds-2); d-eu and d-us distribute.  fill-1 and
    d-eu are in IN."""
    return Portfolio(
        providers=(
            structs.replace(cmo("api-1"), parent="Acme"),
            structs.replace(cmo("api-2"), parent="Acme"),
            structs.replace(cmo("fill-1"), country="IN"),
            cmo("fill-2"),
            cmo("ds-1"),
            cmo("ds-2"),
            structs.replace(dist("d-eu"), country="IN"),
            dist("d-us"),
        ),
        clients=(CLIENT,),
        products=(
            product(
                "prod-a",
                [
                    SupplyLink(provider="api-1", step="api"),
                    SupplyLink(provider="api-2", step="api"),
                    SupplyLink(provider="fill-1", step="fill_finish"),
                    SupplyLink(provider="fill-2", step="fill_finish", filed_in=("US",)),
                ],
                annual_revenue=100e6,
                distributors=(
                    DistributorRef(distributor="d-eu", territory="EU"),
                    DistributorRef(distributor="d-us", territory="US"),
                ),
            ),
        ),
        feeds=(
            Feed(from_="ds-1", to="fill-2", material="ds"),
            Feed(from_="ds-2", to="fill-2", material="ds"),
        ),
    )


def with_times(pf: Portfolio, rng: random.Random) -> Portfolio:
    """``pf`` with random recovery weeks on providers, bring-up weeks on
    supply entries and stock on products and markets (each sometimes unset),
    drawn from a few values so that times often tie."""

    def weeks(p_unset: float) -> float | None:
        return None if rng.random() < p_unset else float(rng.choice([0, 2, 4, 6, 8, 12, 26]))

    providers = tuple(structs.replace(p, recovery_weeks=weeks(0.25)) for p in pf.providers)
    products = tuple(
        structs.replace(
            p,
            inventory_weeks=weeks(0.3),
            supply=tuple(structs.replace(link, bring_up_weeks=weeks(0.3)) for link in p.supply),
            markets=tuple(structs.replace(m, inventory_weeks=weeks(0.5)) for m in p.markets),
        )
        for p in pf.products
    )
    return dataclasses.replace(pf, providers=providers, products=products)


def timeline_portfolio() -> Portfolio:
    """prod-a (52M a year: 1M a week, 4 weeks of stock) filled only by cmo-a
    (back after 20 weeks); cmo-b an unqualified backup up in 10 weeks; cmo-c
    (back after 3 weeks) a CMO that makes nothing yet. prod-b (104M: 1M a
    week in each of EU and US; EU 6 weeks of stock, US none) tested only
    at lab-x (no recovery time recorded)."""
    return Portfolio(
        providers=(
            structs.replace(cmo("cmo-a"), recovery_weeks=20),
            cmo("cmo-b"),
            structs.replace(cmo("cmo-c"), recovery_weeks=3),
            cmo("lab-x"),
        ),
        clients=(CLIENT,),
        products=(
            product(
                "prod-a",
                [
                    SupplyLink(provider="cmo-a", step="fill_finish"),
                    SupplyLink(provider="cmo-b", step="fill_finish", qualified=False, bring_up_weeks=10),
                ],
                annual_revenue=52e6,
                inventory_weeks=4,
            ),
            product(
                "prod-b",
                [SupplyLink(provider="lab-x", step="testing")],
                annual_revenue=104e6,
                markets=(Market(territory="EU", inventory_weeks=6), Market(territory="US")),
            ),
        ),
    )


def timed_pairs_portfolio() -> Portfolio:
    """`pairs_portfolio` with api-1 back after 4 weeks, api-2 after 10 (the
    others recording no recovery) and 1 week of stock of prod-a."""
    pf = pairs_portfolio()
    back = {"api-1": 4.0, "api-2": 10.0}
    return dataclasses.replace(
        pf,
        providers=tuple(structs.replace(p, recovery_weeks=back.get(p.id)) for p in pf.providers),
        products=tuple(structs.replace(p, inventory_weeks=1.0) for p in pf.products),
    )
