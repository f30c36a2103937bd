"""Time and money of failures: hand-worked small portfolios, and the engine
held to the brute force of `supply_oracle.brute_timeline` (written from the
issue's rule, trying every week in order) on random portfolios."""

from __future__ import annotations

import random
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from market_portfolios import CLIENT, cmo, product, random_portfolio, with_times
from msgspec import structs
from supply_oracle import brute_timeline

from graphkit.analysis.joint import _group_loss, pair_impact
from graphkit.analysis.spof import _Context, _sorted_units, critical_nodes, single_failures, whatif
from graphkit.model import Feed, Market, Portfolio, Product, SupplyLink


def engine_timeline(pf: Portfolio, failed: set[str], default: float | None = None):
    t = _Context(pf, default).exposure.timeline(failed)
    return {m.unit: (m.recovery_weeks, m.shortage_weeks, m.loss) for m in t.markets}


# ---------------------------------------------------------------------------
# hand-worked
# ---------------------------------------------------------------------------


def backup_portfolio(bring_up: float | None, recovery: float | None = 20, stock: float | None = 4) -> Portfolio:
    """prod (52M a year: 1M a week) filled only by cmo-a; cmo-b is an
    unqualified backup; cmo-a recovers after ``recovery`` weeks."""
    return Portfolio(
        providers=(structs.replace(cmo("cmo-a"), recovery_weeks=recovery), cmo("cmo-b")),
        clients=(CLIENT,),
        products=(
            product(
                "prod",
                [
                    SupplyLink(provider="cmo-a", step="fill_finish"),
                    SupplyLink(provider="cmo-b", step="fill_finish", qualified=False, bring_up_weeks=bring_up),
                ],
                annual_revenue=52e6,
                inventory_weeks=stock,
            ),
        ),
    )


def test_recovery_without_backup_less_stock() -> None:
    # back in 20 weeks, 4 weeks of stock: 16 weeks short at 1M a week
    (node,) = critical_nodes(backup_portfolio(None))
    (m,) = node.markets_lost
    assert (m.recovery_weeks, m.shortage_weeks, m.loss, m.short_from_week) == (20, 16, 16e6, 4)
    assert node.loss == 16e6 and node.risk_exposure == 1.0
    assert "stock for 20 weeks, or a backup brought up within 4 weeks, would remove the shortage" in node.explanation


def test_a_backup_brought_up_sooner_ends_the_shortage_sooner() -> None:
    (node,) = critical_nodes(backup_portfolio(10))
    (m,) = node.markets_lost
    assert (m.recovery_weeks, m.shortage_weeks, m.loss) == (10, 6, 6e6)
    assert "(backup cmo-b (fill_finish))" in node.explanation
    # a backup slower than the recovery changes nothing
    assert critical_nodes(backup_portfolio(30))[0].loss == 16e6
    # stock outlasting the backup's bring-up: no shortage, no loss
    (m,) = critical_nodes(backup_portfolio(3))[0].markets_lost
    assert (m.recovery_weeks, m.shortage_weeks, m.loss) == (3, 0, 0)


def test_unknown_recovery_counts_a_year_and_says_so() -> None:
    (node,) = critical_nodes(backup_portfolio(None, recovery=None, stock=None))
    assert node.as_dict()["markets_lost"][0]["recovery_weeks"] is None
    assert node.markets_lost[0].shortage_weeks == 52 and node.loss == 52e6
    assert "recovery time unknown: 52 weeks counted" in node.explanation
    assert "no stock recorded: counted as none" in node.explanation
    # --recovery-weeks 8 sets the default for providers without one
    (m,) = _Context(backup_portfolio(None, recovery=None, stock=None), 8).exposure.timeline({"cmo-a"}).markets
    assert (m.recovery_weeks, m.recovery_known, m.loss) == (8, True, 8e6)


def fill_backed_up_in_5_weeks(**more: Any) -> Product:
    """prod (52M a year) filled by cmo-a, with cmo-b an unqualified backup up in 5 weeks."""
    return product(
        "prod",
        [
            SupplyLink(provider="cmo-a", step="fill_finish"),
            SupplyLink(provider="cmo-b", step="fill_finish", qualified=False, bring_up_weeks=5),
        ],
        annual_revenue=52e6,
        **more,
    )


def test_a_backup_fed_by_the_failed_node_waits_for_it() -> None:
    # cmo-api feeds both fill sites; the backup cannot start before cmo-api is back (12 weeks)
    pf = Portfolio(
        providers=(
            structs.replace(cmo("cmo-api"), recovery_weeks=12),
            structs.replace(cmo("cmo-a"), recovery_weeks=30),
            cmo("cmo-b"),
        ),
        clients=(CLIENT,),
        products=(
            fill_backed_up_in_5_weeks(markets=(Market(territory="EU", inventory_weeks=2), Market(territory="US"))),
        ),
        feeds=(
            Feed(from_="cmo-api", to="cmo-a", material="api"),
            Feed(from_="cmo-api", to="cmo-b", material="api"),
        ),
    )
    # 26M a year per market: 0.5M a week; the US has no stock recorded
    assert engine_timeline(pf, {"cmo-api", "cmo-a"}) == {
        ("prod", "EU"): (12, 10, 5e6),
        ("prod", "US"): (12, 12, 6e6),
    }
    assert engine_timeline(pf, {"cmo-a"}) == {("prod", "EU"): (5, 3, 1.5e6), ("prod", "US"): (5, 5, 2.5e6)}
    assert engine_timeline(pf, {"cmo-a"}) == brute_timeline(pf, {"cmo-a"})


def test_a_backup_is_followed_but_counts_for_nothing_else() -> None:
    # cmo-b, an unqualified backup fed only by cmo-api, has a node for the timelines to follow; it
    # is no provider of the product, so no failure result names it as down
    def portfolio(api_recovery: float | None) -> Portfolio:
        return Portfolio(
            providers=(structs.replace(cmo("cmo-api"), recovery_weeks=api_recovery), cmo("cmo-a"), cmo("cmo-b")),
            clients=(CLIENT,),
            products=(fill_backed_up_in_5_weeks(),),
            feeds=(Feed(from_="cmo-api", to="cmo-b", material="api"),),
        )

    pf = portfolio(None)
    assert whatif(pf, ["cmo-api"]).providers_down == ("cmo-api",)
    assert single_failures(pf).providers_down["cmo-api"] == ("cmo-api",)
    # failing both: the backup waits for its feeder, back after its recovery (12 weeks; cmo-a: a year)
    (m,) = whatif(pf, ["cmo-a", "cmo-api"]).timeline
    assert (m.recovery_weeks, m.restored_by) == (None, "cmo-a back, cmo-api back")
    (m,) = whatif(portfolio(12), ["cmo-a", "cmo-api"]).timeline
    assert (m.recovery_weeks, m.restored_by) == (12, "cmo-api back")
    assert engine_timeline(pf, {"cmo-a"}) == {("prod", None): (5, 5, 5e6)} == brute_timeline(pf, {"cmo-a"})


def test_risk_exposure_is_the_share_of_the_worst_loss() -> None:
    pf = Portfolio(
        providers=(
            structs.replace(cmo("a"), recovery_weeks=10),
            structs.replace(cmo("b"), recovery_weeks=5),
        ),
        clients=(CLIENT,),
        products=(
            product(
                "p",
                [SupplyLink(provider="a", step="api"), SupplyLink(provider="b", step="testing")],
                annual_revenue=52e6,
            ),
        ),
    )
    nodes = critical_nodes(pf)
    assert [(n.node, n.loss, n.risk_exposure) for n in nodes] == [("a", 10e6, 1.0), ("b", 5e6, 0.5)]


# ---------------------------------------------------------------------------
# random portfolios: engine == brute force
# ---------------------------------------------------------------------------


def check(pf: Portfolio, rng: random.Random) -> None:
    default = rng.choice([None, None, 3.0, 10.0])
    ctx = _Context(pf, default)
    nodes = [p.id for p in pf.providers] + [m.id for m in pf.marketing_partners]
    failed = set(rng.sample(nodes, rng.randint(1, min(3, len(nodes)))))
    assert engine_timeline(pf, failed, default) == brute_timeline(pf, failed, default)
    for node in critical_nodes(pf) if default is None else ():
        brute = brute_timeline(pf, {node.node})
        for m in node.markets_lost:
            week = 52 if m.recovery_weeks is None else m.recovery_weeks  # None: the 52-week fallback
            assert (week, m.shortage_weeks, m.loss) == pytest.approx(brute.get(m.unit, (0, 0, 0)))
    assert ctx.exposure.timeline(set()).markets == ()
    # The single-failure timelines share work across nodes; they must be the general method's, field for field.
    for node, timeline in ctx.timelines.items():
        assert timeline == ctx.exposure.timeline({node}, ctx.lost[node])
    # Several failed nodes: their weeks from what they take down (the cascade) must be the pass
    # over the lost markets' upstream's; one or two lost at week 0 go by who is back first.
    ex = ctx.exposure
    for pair, units in pair_impact(ctx.network, frozenset(nodes)).items():
        lost = _sorted_units(units)
        assert ex.lost_timeline(pair, lost, ctx.impact) == ex._timeline(frozenset(pair), lost, general=True)
        assert ex.lost_loss(pair, lost, ctx.impact) == ex.lost_timeline(pair, lost, ctx.impact).loss  # the same float
    group_loss = _group_loss(ctx.network, ex.cascade)
    for _ in range(5):
        group = frozenset(rng.sample(nodes, rng.randint(1, min(5, len(nodes)))))
        lost = _sorted_units(group_loss(group))
        general = ex._timeline(group, lost, general=True)
        assert ex.lost_timeline(group, lost, ctx.impact) == general == ex.timeline(group, lost)
        assert ex.lost_loss(group, lost, ctx.impact) == general.loss
        assert ex.timeline(group) == ex._timeline(group, None, general=True)
    # Two methods: one failed node goes by the kill sets, several by the pass over weeks; a
    # second node that exists nowhere, back at the same week, must change nothing.
    same = ctx.exposure_with(recovery_override=rng.choice([0.0, 2.0, 7.0]))
    for node in nodes:
        alone, paired = (same.timeline(f) for f in ({node}, {node, "\0nowhere"}))
        assert [(m.unit, m.recovery_weeks, m.shortage_weeks) for m in alone.markets] == [
            (m.unit, m.recovery_weeks, m.shortage_weeks) for m in paired.markets
        ]


def test_seeded_random_portfolios_against_brute_force() -> None:
    for seed in range(200):
        rng = random.Random(seed)
        check(with_times(random_portfolio(rng, cyclic=seed % 3 == 0), rng), rng)


@settings(max_examples=100, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), cyclic=st.booleans())
def test_hypothesis_portfolios_against_brute_force(seed: int, cyclic: bool) -> None:
    rng = random.Random(seed)
    check(with_times(random_portfolio(rng, cyclic), rng), rng)
