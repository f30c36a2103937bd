"""An independent brute force of the market-aware supply rules, for the tests.

It reads a portfolio's records directly (no `supply_inputs`, no `Network`):
for each (product, market) it grows the operational providers from nothing
until nothing changes (the least fixed point), then checks every step,
distribution and marketing, straight from the rules:

* a market of a product is available when every supply step has a qualified
  source filed in it (or unfiled) that is operational, a distributor serving
  it is operational (when the product has distributors), and a partner named
  for it has not failed (when any is named);
* a provider is operational for (product, market) when it has not failed and
  each material it receives for the product (feeds scoped to it, or
  unscoped) comes from an operational feeder filed in the market (or
  unfiled); the global market (None) ignores filings.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection

from msgspec import structs

from graphkit.model import Feed, Portfolio, Product

Unit = tuple[str, "str | None"]
_INTO: dict[int, tuple[Portfolio, dict[str, list[Feed]]]] = {}


def _into(pf: Portfolio) -> dict[str, list[Feed]]:
    """Feeds by receiver (memoised per portfolio object)."""
    hit = _INTO.get(id(pf))
    if hit is None or hit[0] is not pf:
        index: dict[str, list[Feed]] = {}
        for f in pf.feeds:
            index.setdefault(f.to, []).append(f)
        hit = _INTO[id(pf)] = (pf, index)
    return hit[1]


def markets_of(p: Product) -> list[str | None]:
    named = []
    for t in (
        [m.territory for m in p.markets] + [d.territory for d in p.distributors] + [m.territory for m in p.marketed_by]
    ):
        if t is not None and t not in named:
            named.append(t)
    return named or [None]


def counts_in(filed_in: Collection[str], market: str | None) -> bool:
    return market is None or not filed_in or market in filed_in


def operational_for(
    pf: Portfolio, product: str, market: str | None, failed: set[str], among: set[str] | None = None
) -> set[str]:
    """The least fixed point, over ``among`` (closed upstream; default every provider)."""
    providers = {p.id for p in pf.providers} if among is None else among
    op: set[str] = set()
    changed = True
    while changed:
        changed = False
        for p in sorted(providers - op - failed):
            into = [f for f in _into(pf).get(p, ()) if not f.products or product in f.products]
            materials = {f.material for f in into}
            if all(
                any(f.from_ in op and counts_in(f.filed_in, market) for f in into if f.material == m) for m in materials
            ):
                op.add(p)
                changed = True
    return op


def available(pf: Portfolio, failed: set[str]) -> set[tuple[str, str | None]]:
    out = set()
    for p in pf.products:
        if p.id in failed:
            continue
        for market in markets_of(p):
            op = operational_for(pf, p.id, market, failed, upstream_of(pf, p, market))
            steps = {str(link.step) for link in p.supply}
            ok = all(
                any(
                    link.qualified and str(link.step) == s and link.provider in op and counts_in(link.filed_in, market)
                    for link in p.supply
                )
                for s in steps
            )
            if p.distributors:
                ok = ok and any(d.distributor in op and d.territory in (None, market) for d in p.distributors)
            named = [m.partner for m in p.marketed_by if m.territory in (None, market)]
            if named:
                ok = ok and any(partner not in failed for partner in named)
            if ok:
                out.add((p.id, market))
    return out


def brute_single(pf: Portfolio) -> dict[str, set[tuple[str, str | None]]]:
    base = available(pf, set())
    out = {}
    for node in [p.id for p in pf.providers] + [m.id for m in pf.marketing_partners]:
        lost = base - available(pf, {node})
        if lost:
            out[node] = lost
    return out


def sources_of(p: Product, market: str | None) -> set[str]:
    """Who serves this market directly: qualified supply sources filed in it,
    distributors serving it, partners named for it."""
    return (
        {link.provider for link in p.supply if link.qualified and counts_in(link.filed_in, market)}
        | {d.distributor for d in p.distributors if d.territory in (None, market)}
        | {m.partner for m in p.marketed_by if m.territory in (None, market)}
    )


def upstream_of(pf: Portfolio, p: Product, market: str | None) -> set[str]:
    """Every provider a market of a product draws on: its qualified filed
    sources and distributors, and their feeders for this product filed in
    the market, at any depth."""
    seen = {s for s in sources_of(p, market) if s not in {m.partner for m in p.marketed_by}}
    stack = list(seen)
    while stack:
        for f in _into(pf).get(stack.pop(), ()):
            if (not f.products or p.id in f.products) and counts_in(f.filed_in, market) and f.from_ not in seen:
                seen.add(f.from_)
                stack.append(f.from_)
    return seen


def providers_down(pf: Portfolio, failed: set[str]) -> set[str]:
    """The failed providers, and those some market draws on that were
    operational for it today and are not after."""
    down = {p.id for p in pf.providers if p.id in failed}
    for p in pf.products:
        for market in markets_of(p):
            part = upstream_of(pf, p, market)
            before = operational_for(pf, p.id, market, set(), part)
            after = operational_for(pf, p.id, market, failed, part)
            down |= before - after
    return down


def unit_revenue(p: Product, market: str | None) -> float:
    """The market's own revenue when the product gives one for every market,
    else an even share of the product's."""
    own = {m.territory: m.annual_revenue for m in p.markets if m.annual_revenue is not None}
    markets = markets_of(p)
    if all(m in own for m in markets):
        return float(own[market])
    return (p.annual_revenue or 0.0) / len(markets)


def brute_pairs(pf: Portfolio) -> dict[tuple[str, str], set[Unit]]:
    """Every pair of providers or partners, failed together and recomputed
    from scratch: the markets lost that neither member loses alone."""
    base = available(pf, set())
    single = brute_single(pf)
    nodes = sorted([p.id for p in pf.providers] + [m.id for m in pf.marketing_partners])
    out = {}
    for i, a in enumerate(nodes):
        for b in nodes[i + 1 :]:
            lost = base - available(pf, {a, b}) - single.get(a, set()) - single.get(b, set())
            if lost:
                out[(a, b)] = lost
    return out


def brute_groups(pf: Portfolio) -> dict[str, set[Unit]]:
    """``country=X`` / ``parent=Y`` with at least two providers and a loss:
    the markets available today and not with every member failed."""
    groups: dict[str, set[str]] = {}
    for p in pf.providers:
        for key, value in (("country", p.country), ("parent", p.parent)):
            if value is not None:
                groups.setdefault(f"{key}={value}", set()).add(p.id)
    base = available(pf, set())
    out = {}
    for group, members in groups.items():
        lost = base - available(pf, members) if len(members) > 1 else set()
        if lost:
            out[group] = lost
    return out


# ---------------------------------------------------------------------------
# time and money, straight from the rules of issue 10
# ---------------------------------------------------------------------------

WEEKS_UNKNOWN = 52.0  # a failed node without a recovery time is back after a year


def with_bring_up(pf: Portfolio, t: float) -> Portfolio:
    """The portfolio at week ``t``: every unqualified source whose bring-up
    is at most ``t`` counts as qualified."""
    products = []
    for p in pf.products:
        supply = tuple(
            structs.replace(link, qualified=True)
            if not link.qualified and link.bring_up_weeks is not None and link.bring_up_weeks <= t
            else link
            for link in p.supply
        )
        products.append(structs.replace(p, supply=supply))
    return dataclasses.replace(pf, products=tuple(products))


def recovery_of(pf: Portfolio, node: str, default: float | None = None) -> float:
    for p in pf.providers:
        if p.id == node and p.recovery_weeks is not None:
            return p.recovery_weeks
    return WEEKS_UNKNOWN if default is None else default


def inventory_of(p: Product, market: str | None) -> float:
    for m in p.markets:
        if m.territory == market and m.inventory_weeks is not None:
            return m.inventory_weeks
    return p.inventory_weeks or 0.0


def brute_timeline(
    pf: Portfolio, failed: set[str], default: float | None = None
) -> dict[Unit, tuple[float, float, float]]:
    """Per (product, market) lost at week 0: (recovery week, shortage weeks,
    loss), trying every week at which anything changes, in order."""
    lost = available(pf, set()) - available(with_bring_up(pf, 0.0), failed)
    recovery = {n: recovery_of(pf, n, default) for n in failed}
    times = sorted(
        {0.0, *recovery.values()}
        | {link.bring_up_weeks for p in pf.products for link in p.supply if link.bring_up_weeks is not None}
    )
    out: dict[Unit, tuple[float, float, float]] = {}
    for t in times:
        now = available(with_bring_up(pf, t), {n for n in failed if recovery[n] > t})
        for unit in lost - set(out):
            if unit in now:
                p = next(q for q in pf.products if q.id == unit[0])
                short = max(0.0, t - inventory_of(p, unit[1]))
                out[unit] = (t, short, unit_revenue(p, unit[1]) * short / 52)
    assert set(out) == lost, "every failed node is back by its recovery"
    return out
