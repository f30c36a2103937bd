"""Customer concentration, checked by hand on tiny portfolios."""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graphkit import GraphkitError, read_portfolio
from graphkit.analysis.concentration import Bands, _hhi, customer_concentration, merge_clients
from graphkit.analysis.severity import Severity
from graphkit.model import Client, Contract, Portfolio, Provider

SMALL = Path(__file__).with_name("small.yaml")

# p4: clients a/b/c/d at 40/30/20/10 (two contracts of one client and provider are refused); p-hybrid: like
# p-twin (60/40) but with own revenue equal to its contract value; lab: no
# contracts, supplies two of a's products and one of b's; p-zero: a zero contract.
PORTFOLIO = """
providers:
  - {id: p4, name: P4, kind: cmo}
  - {id: p-twin, name: Twin, kind: cmo, business_model: cmo_only}
  - {id: p-hybrid, name: Hybrid, kind: cmo, business_model: hybrid_branded, own_revenue: 100,
     own_technologies: [aseptic_fill, tablet]}
  - {id: lab, name: Lab, kind: test_lab}
  - {id: p-zero, name: Zero, kind: cmo}
  - {id: idle, name: Idle, kind: cmo}
  - {id: p-generic, name: Generic, kind: cmo, business_model: cmo_only, own_technologies: [tablet]}
clients:
  - {id: a, name: A, segment: large}
  - {id: b, name: B, segment: small}
  - {id: c, name: C, segment: mid_sized}
  - {id: d, name: D, segment: small}
  - {id: e, name: E, segment: small}
products:
  - {id: vial, name: Vial, technology: aseptic_fill, stage: commercial, owner: a,
     supply: [{provider: p-hybrid, step: fill_finish}, {provider: lab, step: testing},
              {provider: p-hybrid, step: packaging_labeling}]}
  - {id: tab, name: Tab, technology: tablet, stage: clinical, owner: a,
     supply: [{provider: lab, step: testing, qualified: false}, {provider: p-hybrid, step: drug_product},
              {provider: p-generic, step: drug_product}]}
  - {id: cap, name: Cap, technology: capsule, stage: commercial, owner: b,
     supply: [{provider: lab, step: testing}, {provider: p-hybrid, step: drug_product},
              {provider: p-zero, step: drug_product}]}
contracts:
  - {client: a, provider: p4, annual_value: 40}
  - {client: b, provider: p4, annual_value: 30}
  - {client: c, provider: p4, annual_value: 20}
  - {client: d, provider: p4, annual_value: 10}
  - {client: a, provider: p-twin, annual_value: 60}
  - {client: b, provider: p-twin, annual_value: 40}
  - {client: a, provider: p-hybrid, annual_value: 60, currency: eur}
  - {client: b, provider: p-hybrid, annual_value: 40, currency: eur}
  - {client: e, provider: p-zero, annual_value: 0}
"""


@pytest.fixture
def portfolio(write) -> Portfolio:
    p, warnings = read_portfolio(write("p.yaml", PORTFOLIO))
    assert warnings == []
    return p


def _providers(p: Portfolio, bands: Bands | None = None) -> dict[str, dict[str, Any]]:
    rows = customer_concentration(p, bands or Bands()).as_dict()["providers"]
    return {r["provider"]: r for r in rows}


def test_hhi_40_30_20_10(portfolio: Portfolio) -> None:
    p4 = _providers(portfolio)["p4"]
    assert p4["basis"] == "contract_value" and p4["currency"] == "USD"
    assert p4["values"] == {"a": 40, "b": 30, "c": 20, "d": 10}  # a's two contracts add up
    assert p4["shares"] == pytest.approx({"a": 0.4, "b": 0.3, "c": 0.2, "d": 0.1})
    assert p4["hhi"] == 3000  # 1600 + 900 + 400 + 100
    assert p4["effective_customers"] == pytest.approx(10 / 3)
    assert p4["class"] == "highly_concentrated"
    assert p4["top_customer"] == "a" and p4["top1_share"] == pytest.approx(0.4)
    assert p4["top3_share"] == pytest.approx(0.9)
    assert p4["major_customers"] == ["a", "b", "c", "d"]  # d at exactly 10 % counts
    assert p4["revenue_lost_if_top_leaves"] == 40 and p4["revenue_lost_share"] == pytest.approx(0.4)
    assert p4["top1_share_of_total"] == pytest.approx(0.4)
    assert p4["hhi_with_own"] == 3000 and p4["own_revenue"] == 0  # no own revenue: unchanged
    assert p4["contract_value"] == 100
    assert p4["severity"] == "high"  # highly concentrated, top client under half
    assert p4["explanation"].startswith("p4 earns 40% of its contract revenue from a")


def test_hybrid_own_revenue_halves_top1_share_of_total(portfolio: Portfolio) -> None:
    rows = _providers(portfolio)
    twin, hybrid = rows["p-twin"], rows["p-hybrid"]
    for row in (twin, hybrid):
        assert row["hhi"] == pytest.approx(5200)  # 3600 + 1600
        assert row["top1_share"] == pytest.approx(0.6) and row["top_customer"] == "a"
    assert twin["top1_share_of_total"] == pytest.approx(0.6)
    assert hybrid["top1_share_of_total"] == pytest.approx(0.3)  # 60 / (100 + 100)
    assert hybrid["revenue_lost_share"] == pytest.approx(0.3)
    assert hybrid["hhi_with_own"] == pytest.approx(3800)  # 30² + 20² + 50² (its own slice)
    assert hybrid["class_with_own"] == "highly_concentrated"
    assert hybrid["major_customers"] == ["a", "b"]  # 30 % and 20 % of total
    assert hybrid["currency"] == "EUR" and hybrid["business_model"] == "hybrid_branded"
    assert twin["severity"] == "critical"  # highly concentrated, top client >= 50 %
    assert hybrid["severity"] == "high"  # buffered: one step lower
    assert "30% of its total revenue" in hybrid["explanation"]


def test_hybrid_whose_own_revenue_dwarfs_contracts_is_low(portfolio: Portfolio) -> None:
    big = Provider(id="big", name="Big", kind="cmo", business_model="hybrid_generic", own_revenue=10_000)
    p = Portfolio(
        providers=(big,), clients=portfolio.clients, contracts=(Contract(client="a", provider="big", annual_value=500),)
    )
    row = customer_concentration(p).providers[0]
    assert row.hhi == 10_000 and row.top1_share_of_total == pytest.approx(500 / 10_500)
    assert row.major_customers == ()
    assert row.severity is Severity.LOW


def test_product_count_fallback(portfolio: Portfolio) -> None:
    rows = _providers(portfolio)
    lab = rows["lab"]
    assert lab["basis"] == "product_count"
    assert lab["values"] == {"a": 2, "b": 1}  # vial and tab of a (tab unqualified), cap of b
    assert lab["shares"] == pytest.approx({"a": 2 / 3, "b": 1 / 3})
    assert lab["hhi"] == pytest.approx(10_000 * 5 / 9)
    assert lab["currency"] is None and lab["contract_value"] is None
    assert lab["top1_share_of_total"] is None and lab["hhi_with_own"] is None
    assert lab["revenue_lost_if_top_leaves"] is None
    assert lab["major_customers"] == ["a", "b"]
    assert lab["severity"] == "high"  # critical by the rule, capped on product counts
    assert "no contract values" in lab["explanation"]
    # Contracts that add up to zero fall back too; a provider with neither is skipped.
    assert rows["p-zero"]["basis"] == "product_count" and rows["p-zero"]["values"] == {"b": 1}
    assert "idle" not in rows
    # p-hybrid supplies two steps of vial: still counted once, but it has contract values.
    assert rows["p-hybrid"]["basis"] == "contract_value"


def _contracts(values: Mapping[str, Mapping[str, float]]) -> Portfolio:
    clients = sorted({c for by in values.values() for c in by})
    return Portfolio(
        providers=tuple(Provider(id=p, name=p, kind="cmo") for p in values),
        clients=tuple(Client(id=c, name=c, segment="small") for c in clients),
        contracts=tuple(
            Contract(client=c, provider=p, annual_value=v) for p, by in values.items() for c, v in by.items()
        ),
    )


BOUNDARIES = _contracts(
    {
        "ten": {f"c{i:02}": 1 for i in range(10)},  # 1,000
        "eleven": {f"c{i:02}": 1 for i in range(11)},  # 909.09…
        "at-1800": {"c00": 30, "c01": 20, **{f"c{i:02}": 10 for i in range(2, 7)}},  # 900+400+500
        "over-1800": {"c00": 31, "c01": 19, **{f"c{i:02}": 10 for i in range(2, 7)}},  # 961+361+500
    }
)


def test_class_boundaries_are_exact() -> None:
    rows = _providers(BOUNDARIES)
    assert rows["ten"]["hhi"] == 1000 and rows["ten"]["class"] == "moderately_concentrated"
    assert rows["ten"]["effective_customers"] == 10
    assert rows["eleven"]["hhi"] == pytest.approx(10_000 / 11) and rows["eleven"]["class"] == "unconcentrated"
    assert rows["at-1800"]["hhi"] == 1800 and rows["at-1800"]["class"] == "moderately_concentrated"
    assert rows["at-1800"]["top3_share"] == pytest.approx(0.6)
    assert rows["over-1800"]["hhi"] == 1822 and rows["over-1800"]["class"] == "highly_concentrated"
    assert [rows[k]["severity"] for k in ("ten", "eleven", "at-1800", "over-1800")] == [
        "medium",
        "info",
        "medium",
        "high",
    ]
    assert customer_concentration(BOUNDARIES).as_dict()["bands"] == {"moderate": 1000, "high": 1800}


def test_custom_bands() -> None:
    bands = Bands(moderate=1000.5, high=1800)
    result = customer_concentration(BOUNDARIES, bands)
    assert result.as_dict()["bands"] == {"moderate": 1000.5, "high": 1800}
    rows = {r.provider: r.concentration for r in result.providers}
    assert rows == {
        "ten": "unconcentrated",
        "eleven": "unconcentrated",
        "at-1800": "moderately_concentrated",
        "over-1800": "highly_concentrated",
    }
    rows = {r.provider: r.concentration for r in customer_concentration(BOUNDARIES, Bands(900, 1000)).providers}
    assert rows == {
        "ten": "moderately_concentrated",
        "eleven": "moderately_concentrated",
        "at-1800": "highly_concentrated",
        "over-1800": "highly_concentrated",
    }
    with pytest.raises(ValueError):
        Bands(moderate=2000, high=1800)


def test_client_view_and_mutual_dependence(portfolio: Portfolio) -> None:
    result = customer_concentration(portfolio).as_dict()
    clients = {r["client"]: r for r in result["clients"]}
    assert list(clients) == ["a", "b", "c", "d"]  # e spends nothing
    # a: p4 40, p-twin 60, p-hybrid 60 (EUR) -> 160
    a = clients["a"]
    assert a["spend"] == 160 and a["providers"] == 3 and a["currencies"] == ["EUR", "USD"]
    assert a["top_provider"] == "p-hybrid"  # tie with p-twin at 60: the smaller id wins
    assert a["top1_share"] == pytest.approx(60 / 160)
    assert a["hhi"] == pytest.approx(10_000 * (40**2 + 60**2 + 60**2) / 160**2)  # 3,437.5
    assert a["class"] == "highly_concentrated" and a["severity"] == "low"
    d = clients["d"]
    assert (d["top_provider"], d["top1_share"], d["hhi"], d["providers"]) == ("p4", 1.0, 10_000, 1)

    mutual = {(m["client"], m["provider"]): m for m in result["mutual"]}
    assert len(mutual) == 10 - 1  # a-p4's two contracts are one pair
    assert mutual["a", "p4"]["value"] == 40
    assert mutual["a", "p4"]["client_share_of_provider"] == pytest.approx(0.4)
    assert mutual["a", "p4"]["provider_share_of_client"] == pytest.approx(40 / 160)
    assert mutual["b", "p-twin"]["client_share_of_provider"] == pytest.approx(0.4)
    assert mutual["b", "p-twin"]["provider_share_of_client"] == pytest.approx(40 / 110)  # 30+40+40
    assert mutual["d", "p4"]["provider_share_of_client"] == 1.0
    assert mutual["e", "p-zero"]["client_share_of_provider"] is None  # 0 of 0


def test_conflict_of_interest(portfolio: Portfolio) -> None:
    coi = customer_concentration(portfolio).as_dict()["conflicts_of_interest"]
    # p-hybrid sells its own aseptic_fill and tablet products and makes a's vial
    # (two steps: one row) and tab; cap is a capsule; p-generic is cmo_only.
    assert [(c["provider"], c["client"], c["product"], c["technology"], c["severity"]) for c in coi] == [
        ("p-hybrid", "a", "vial", "aseptic_fill", "medium"),
        ("p-hybrid", "a", "tab", "tablet", "low"),
    ]
    assert coi[0]["explanation"].startswith("p-hybrid sells its own aseptic_fill products")


def test_merge_clients(portfolio: Portfolio) -> None:
    rows = {r["provider"]: r for r in merge_clients(portfolio, "c", "d")}
    assert list(rows) == ["p4"]  # nobody else contracts with c or d
    p4 = rows["p4"]
    # 40/30/20/10 -> 40/30/30: 1600 + 900 + 900
    assert (p4["hhi_before"], p4["hhi_after"], p4["change"]) == (3000, 3400, 400)
    assert p4["merged_share"] == pytest.approx(0.3) and p4["top_customer_after"] == "a"
    assert p4["class_before"] == p4["class_after"] == "highly_concentrated"
    rows2 = merge_clients(portfolio, "a", "b")
    assert [r["provider"] for r in rows2] == ["p-hybrid", "p-twin", "p4"]  # changes 4800, 4800, 2400
    assert rows2[0]["hhi_after"] == 10_000 and rows2[0]["change"] == pytest.approx(4800)
    assert rows2[0]["severity"] == "high" and rows2[1]["severity"] == "critical"
    assert (rows2[2]["hhi_before"], rows2[2]["hhi_after"]) == (3000, 5400)  # 70/20/10: 4900+400+100
    with pytest.raises(GraphkitError, match="'x' is not a client"):
        merge_clients(portfolio, "a", "x")
    with pytest.raises(GraphkitError):
        merge_clients(portfolio, "a", "a")


def test_small_portfolio() -> None:
    p, _ = read_portfolio(SMALL)
    result = customer_concentration(p)
    rows = {r.provider: r for r in result.providers}
    assert list(rows) == ["api-1", "cmo-a", "lab-1", "dist-1"]  # cb-1 has neither
    cmo_a = rows["cmo-a"]  # client-1 300,000, client-2 100,000
    assert (cmo_a.hhi, cmo_a.top1_share, cmo_a.top_customer, cmo_a.severity) == (
        6250,
        0.75,
        "client-1",
        Severity.CRITICAL,
    )
    api = rows["api-1"]  # hybrid: 50,000 EUR of contracts, 500,000 own revenue
    assert api.hhi == 10_000 and api.top1_share_of_total == pytest.approx(50_000 / 550_000)
    assert api.major_customers == () and api.severity is Severity.LOW
    assert rows["lab-1"].basis == "product_count" and rows["lab-1"].values == {"client-1": 1}
    assert rows["dist-1"].basis == "product_count" and rows["dist-1"].hhi == 5000
    assert [(c.client, c.top_provider, c.providers) for c in result.clients] == [
        ("client-1", "cmo-a", 1),
        ("client-2", "cmo-a", 2),
    ]
    assert [(c.provider, c.product, c.technology) for c in result.conflicts_of_interest] == [
        ("api-1", "prod-2", "tablet")
    ]


def test_concentration_change_when_a_client_fails() -> None:
    from pathlib import Path

    from graphkit import read_portfolio
    from graphkit.analysis.concentration import concentration_change

    p, _ = read_portfolio(Path(__file__).with_name("small.yaml"))
    # cmo-a: client-1 300k + client-2 100k -> shares 75/25, HHI 6,250; without client-1 only client-2 is left
    assert concentration_change(p, {"client-1"}) == [
        {
            "node": "cmo-a",
            "role": "provider",
            "hhi_before": 6250,
            "hhi_after": 10000,
            "top1_share_before": 0.75,
            "top1_share_after": 1.0,
        }
    ]


def test_a_tie_for_the_top_customer_names_every_tied_client() -> None:
    # tie3: 40 + 40 + 20 of 100 -> b-corp and a-corp tie at 40 %, HHI 1,600 + 1,600 + 400 = 3,600.
    # tie2: 5 + 5 -> 50 % each, HHI 5,000. solo: 3 + 1 -> 75 %, no tie.
    p = _contracts(
        {"tie3": {"b-corp": 40, "c-corp": 20, "a-corp": 40}, "tie2": {"x": 5, "y": 5}, "solo": {"x": 3, "y": 1}}
    )
    rows = _providers(p)
    assert rows["tie3"]["top_customer"] == "a-corp" and rows["tie3"]["hhi"] == pytest.approx(3600)
    assert rows["tie3"]["explanation"] == (
        "tie3 earns 40% of its contract revenue from each of 2 clients tied for the top, a-corp and b-corp "
        "(HHI 3,600, highly concentrated, 3 client(s)); losing any one of them would cut 40 USD a year"
    )
    assert "each of 2 clients tied for the top, x and y" in rows["tie2"]["explanation"]
    assert rows["solo"]["explanation"].startswith("solo earns 75% of its contract revenue from x (")


@settings(max_examples=300, deadline=None, database=None)
@given(st.lists(st.one_of(st.floats(1e-300, 1e300), st.integers(1, 10**6)), min_size=1, max_size=8))
def test_hhi_is_the_exact_sum_of_squared_shares(values: list[float]) -> None:
    # Against the definition in exact fractions, term by term (boundaries such as 1800 exactly depend on it).
    exact = [Fraction(v) for v in values]
    assert _hhi({str(i): v for i, v in enumerate(values)}) == 10_000 * sum(x * x for x in exact) / sum(exact) ** 2
