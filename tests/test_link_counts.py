"""`Portfolio.link_counts` against counting the items `Portfolio.links`
gives: the same counts in the same order (the order `validate --format json`
prints them in), on portfolios whose products have each kind of list or not,
and on the generated and example portfolios."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from graphkit import read_portfolio
from graphkit.generate import GeneratorSpec, build_portfolio_dict
from graphkit.model import (
    Contract,
    DistributorRef,
    Feed,
    Liaison,
    MarketingRef,
    Portfolio,
    Product,
    Requirement,
    Step,
    SupplyLink,
)
from graphkit.validate import build_portfolio

EXAMPLES = [Path(__file__).parent / "small.yaml", Path(__file__).parents[1] / "examples" / "portfolio.yaml"]


def counted(portfolio: Portfolio) -> list[tuple[str, int]]:
    return list(Counter(link[0] for link in portfolio.links()).items())


@st.composite
def portfolios(draw: st.DrawFn) -> Portfolio:
    products = tuple(
        Product(
            id=f"p{n}",
            name="P",
            technology="tablet",
            owner="c",
            supply=(SupplyLink(provider="m", step=Step.API),) * draw(st.integers(0, 2)),
            distributors=(DistributorRef(distributor="d"),) * draw(st.integers(0, 2)),
            marketed_by=(MarketingRef(partner="mp"),) * draw(st.integers(0, 2)),
        )
        for n in range(draw(st.integers(0, 4)))
    )
    return Portfolio(
        products=products,
        feeds=(Feed(from_="m", to="n", material="x"),) * draw(st.integers(0, 2)),
        contracts=(Contract(client="c", provider="m", annual_value=1.0),) * draw(st.integers(0, 2)),
        requirements=(Requirement(party="c", topic="t", value="v"),) * draw(st.integers(0, 2)),
        liaisons=tuple(
            Liaison(id=f"l{n}", name="L", client="c", providers=("m",) * draw(st.integers(0, 2)))
            for n in range(draw(st.integers(0, 3)))
        ),
    )


@settings(max_examples=300, deadline=None)
@given(portfolios())
def test_link_counts_are_the_links_counted_in_their_order(portfolio: Portfolio) -> None:
    assert list(portfolio.link_counts().items()) == counted(portfolio)


def test_link_counts_of_the_example_and_generated_portfolios() -> None:
    generated = [
        build_portfolio(build_portfolio_dict(GeneratorSpec.from_scale(2000, seed)), lambda path: "")[0]
        for seed in range(3)
    ]
    for portfolio in [read_portfolio(path)[0] for path in EXAMPLES] + generated:
        assert list(portfolio.link_counts().items()) == counted(portfolio)
