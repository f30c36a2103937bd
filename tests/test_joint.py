"""Double failures (N-2) and common causes: a hand-worked portfolio, and
random portfolios held to the brute force of `supply_oracle` (every pair and
every group failed and recomputed from scratch)."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import random
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from market_portfolios import pairs_portfolio, random_portfolio, tiered_portfolio, timed_pairs_portfolio, with_times
from msgspec import structs
from supply_oracle import available, brute_groups, brute_pairs, brute_single, brute_timeline, unit_revenue

from graphkit.analysis.cascade import Cascade
from graphkit.analysis.joint import _group_loss, common_causes, double_failures, group_members
from graphkit.analysis.spof import _Context, spof, whatif
from graphkit.cli.main import main
from graphkit.io import write_portfolio
from graphkit.model import Portfolio
from graphkit.problems import GraphkitError

# ---------------------------------------------------------------------------
# hand-worked
# ---------------------------------------------------------------------------


def test_hand_worked_pairs() -> None:
    # Alone: fill-1 loses EU (fill-2 is filed in the US only), d-eu EU, d-us US; the rest nothing.
    # api-1 + api-2: no api anywhere, EU and US (100M). fill-1 + fill-2: US (EU is fill-1's alone), 50M.
    # fill-1 + ds-1 or ds-2: fill-2 still has the other drug substance. d-eu + d-us: nothing beyond the singles.
    pairs = double_failures(pairs_portfolio())
    assert [(d.nodes, d.markets_lost, d.added_revenue_at_risk) for d in pairs] == [
        (("api-1", "api-2"), (("prod-a", "EU"), ("prod-a", "US")), 100e6),
        (("fill-1", "fill-2"), (("prod-a", "US"),), 50e6),
    ]
    assert pairs[0].products_lost == ("prod-a",) and pairs[1].products_lost == ()
    assert pairs[1].explanation == (
        "fill-1 and fill-2 failing together take down prod-a (US) (50M revenue), which neither takes down alone"
    )


def test_hand_worked_pair_and_group_losses() -> None:
    # api-1 is back after 4 weeks, api-2 after 10; prod-a keeps 1 week of stock. Failing together
    # (the pair, and parent=Acme), EU and US are back when api-1 is: short 4 - 1 = 3 weeks of 100M a year.
    pf = timed_pairs_portfolio()
    api = next(d for d in double_failures(pf) if d.nodes == ("api-1", "api-2"))
    assert api.added_loss == pytest.approx(100e6 * 3 / 52)
    acme = next(c for c in common_causes(pf) if c.group == "parent=Acme")
    assert acme.loss == pytest.approx(100e6 * 3 / 52)
    assert acme.members_loss == 0  # neither loses a market alone
    # fill-1 + fill-2 lose US; neither has a recovery time: 52 weeks, less 1 of stock, of 50M a year.
    fill = next(d for d in double_failures(pf) if d.nodes == ("fill-1", "fill-2"))
    assert fill.added_loss == pytest.approx(50e6 * 51 / 52)


def test_hand_worked_common_causes() -> None:
    # parent=Acme (api-1, api-2): both markets, neither alone loses any: hidden, 100M against 0.
    # country=IN (fill-1, d-eu): EU, which each loses alone: 50M against 50M + 50M.
    causes = {c.group: c for c in common_causes(pairs_portfolio())}
    assert set(causes) == {"parent=Acme", "country=IN"}
    acme, india = causes["parent=Acme"], causes["country=IN"]
    assert (acme.nodes, acme.markets_lost, acme.revenue_at_risk, acme.members_revenue_at_risk, acme.hidden) == (
        ("api-1", "api-2"),
        (("prod-a", "EU"), ("prod-a", "US")),
        100e6,
        0.0,
        True,
    )
    assert (india.nodes, india.markets_lost, india.revenue_at_risk, india.members_revenue_at_risk, india.hidden) == (
        ("d-eu", "fill-1"),  # members by id
        (("prod-a", "EU"),),
        50e6,
        100e6,
        False,
    )
    # No recovery or stock recorded: each market is short 52 weeks, so every loss is its revenue.
    assert (acme.loss, acme.members_loss, india.loss, india.members_loss) == (100e6, 0.0, 50e6, 100e6)
    assert [c.group for c in common_causes(pairs_portfolio())] == ["parent=Acme", "country=IN"]  # hidden first


def test_group_members_and_their_errors() -> None:
    pf = pairs_portfolio()
    assert group_members(pf, ["country=IN", "parent=Acme"]) == ("fill-1", "d-eu", "api-1", "api-2")
    assert whatif(pf, group_members(pf, ["parent=Acme"])).markets_lost == (("prod-a", "EU"), ("prod-a", "US"))
    with pytest.raises(GraphkitError) as err:
        group_members(pf, ["country=IM", "parent=acme", "owner=x", "country"])
    assert str(err.value) == (
        "unknown group country=IM (known: IN); unknown group parent=acme (did you mean 'Acme'?); "
        "unknown group key 'owner' in owner=x (use country or parent); "
        "'country' is not KEY=VALUE (e.g. country=IN, parent=Acme)"
    )


def test_the_listing_cap_never_caps_the_computation() -> None:
    full = spof(pairs_portfolio()).as_dict()
    capped = spof(pairs_portfolio(), pairs=1).as_dict()
    assert full["double_failures_total"] == capped["double_failures_total"] == 2
    assert capped["double_failures"] == full["double_failures"][:1]
    assert spof(pairs_portfolio(), pairs=0).as_dict()["double_failures"] == []


# ---------------------------------------------------------------------------
# random portfolios: engine == brute force
# ---------------------------------------------------------------------------


def with_groups(pf: Portfolio, rng: random.Random) -> Portfolio:
    """Countries and parents drawn at random (some providers have neither)."""
    providers = tuple(
        structs.replace(p, country=rng.choice(["IN", "US", None]), parent=rng.choice(["Acme", "Beta", None]))
        for p in pf.providers
    )
    return dataclasses.replace(pf, providers=providers)


def brute_loss(pf: Portfolio, failed: set[str], units: tuple[tuple[str, str | None], ...]) -> float:
    """The loss over `units` by the brute-force timeline (a unit back at week 0 loses nothing)."""
    timeline = brute_timeline(pf, failed)
    return sum(timeline[u][2] for u in units if u in timeline)


def check(pf: Portfolio) -> None:
    pairs = double_failures(pf)
    assert {d.nodes: set(d.markets_lost) for d in pairs} == brute_pairs(pf)
    products = {p.id: p for p in pf.products}
    for d in pairs:
        assert d.added_revenue_at_risk == pytest.approx(sum(unit_revenue(products[p], m) for p, m in d.markets_lost))
        assert d.added_loss == pytest.approx(brute_loss(pf, set(d.nodes), d.markets_lost))
    assert [d.nodes for d in pairs] == sorted((d.nodes for d in pairs), key=lambda n: (-_revenue(pairs, n), n))
    causes = common_causes(pf)
    assert {c.group: set(c.markets_lost) for c in causes} == brute_groups(pf)
    single = brute_single(pf)
    for c in causes:
        assert c.hidden == bool(set(c.markets_lost) - set().union(*(single.get(m, set()) for m in c.nodes)))
        assert set(c.markets_lost) == available(pf, set()) - available(pf, set(c.nodes))
        assert c.loss == pytest.approx(brute_loss(pf, set(c.nodes), c.markets_lost))
        alone = [brute_loss(pf, {m}, tuple(single.get(m, ()))) for m in c.nodes]
        assert c.members_loss == pytest.approx(sum(alone))
    excess = [(not c.hidden, -(c.loss - c.members_loss)) for c in causes]
    assert excess == sorted(excess)


def _revenue(pairs, nodes) -> float:
    return next(d.added_revenue_at_risk for d in pairs if d.nodes == nodes)


@pytest.mark.parametrize("make", [random_portfolio, tiered_portfolio])  # tiered: deep chains, upstream narrowing
def test_seeded_random_portfolios_against_brute_force(make) -> None:
    found = 0
    for seed in range(200):
        rng = random.Random(seed)
        pf = with_times(with_groups(make(rng, cyclic=seed % 3 == 0), rng), rng)
        check(pf)
        found += bool(brute_pairs(pf))
    assert found > 50  # the portfolios do have double failures to find


@pytest.mark.parametrize("make", [random_portfolio, tiered_portfolio])
def test_group_loss_is_the_engines_what_if(make) -> None:
    # Any set of ids, products among them (failing a product's id takes its markets down).
    for seed in range(100):
        rng = random.Random(seed)
        net = _Context(make(rng, cyclic=seed % 3 == 0)).network
        ids = sorted({*net.provider_ids, *(unit[0] for unit in net.units)})
        lost = _group_loss(net, Cascade.of(net))
        for _ in range(5):
            failed = rng.sample(ids, rng.randint(0, min(4, len(ids))))
            assert lost(failed) == net.what_if(failed).lost


@settings(max_examples=100, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), cyclic=st.booleans())
def test_hypothesis_portfolios_against_brute_force(seed: int, cyclic: bool) -> None:
    rng = random.Random(seed)
    check(with_times(with_groups(random_portfolio(rng, cyclic), rng), rng))


# ---------------------------------------------------------------------------
# through the command line
# ---------------------------------------------------------------------------


def run(*args: object, code: int = 0) -> str:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    return result.output


def test_cli_pairs_cap_csv_numbers_and_fail_group(tmp_path: Path) -> None:
    path = write_portfolio(pairs_portfolio(), tmp_path / "pairs.yaml")
    spof_json = json.loads(run("analyze", path, "--only", "spof", "-f", "json", "--pairs", 1))["spof"]
    assert [d["nodes"] for d in spof_json["double_failures"]] == [["api-1", "api-2"]]
    assert spof_json["double_failures_total"] == 2
    table = run("analyze", path, "--only", "spof", "--pairs", 1)
    assert "... 2 in all (double failures listed: 1)" in table and "api-1 + api-2" in table
    rows = list(csv.DictReader(io.StringIO(run("analyze", path, "-f", "csv"))))
    pairs = {r["subject"]: r for r in rows if r["finding"] == "double_failures"}
    assert {s: float(r["revenue_at_risk"]) for s, r in pairs.items()} == {"api-1+api-2": 100e6, "fill-1+fill-2": 50e6}
    causes = {r["subject"]: float(r["revenue_at_risk"]) for r in rows if r["finding"] == "common_causes"}
    assert causes == {"parent=Acme": 100e6, "country=IN": 50e6}
    failure = json.loads(run("whatif", path, "--fail-group", "parent=Acme", "-f", "json"))["failure"]
    assert failure["failed"] == ["api-1", "api-2"] and failure["revenue_at_risk"] == 100e6
    out = run("whatif", path, "--fail-group", "country=XX", "--fail-group", "parent=acme", code=1)
    assert "unknown group country=XX (known: IN); unknown group parent=acme (did you mean 'Acme'?)" in out
