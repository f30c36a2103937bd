"""Severity of findings: one scale for every analysis, so `--fail-on` can gate.

The money scale (the one place its thresholds are written down)
-------------------------------------------------------------
A finding that costs money is rated by that money as a share of the
portfolio's revenue (every product's annual revenue, or the sum of its
markets' when each market gives its own):

========  ===================
share     severity
========  ===================
>= 10 %   critical
>= 2 %    high
>= 0.5 %  medium
> 0       low
0         info (nothing lost)
========  ===================

Which money each finding kind reads (loss where the finding has a time
dimension, revenue at risk where it has none) and which kinds keep their own
rule is listed in the README's severity table; the points rule of
:mod:`graphkit.analysis.spof` is the fallback where no revenue is recorded.

>>> str(money_severity(160.0, 1000.0)), str(money_severity(19.9, 1000.0)), str(money_severity(0.0, 1000.0))
('critical', 'medium', 'info')
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum
from typing import TYPE_CHECKING, Final, Protocol, TypeVar

if TYPE_CHECKING:
    from ..model import Portfolio, Product

__all__ = [
    "MONEY_SCALE",
    "POINTS_FALLBACK",
    "TOP_RISKS",
    "Severity",
    "money_severity",
    "portfolio_revenue",
    "product_revenue",
    "shifted",
    "top_risks",
]


class Severity(IntEnum):
    """Ordered: a finding at or above the `--fail-on` level fails the check."""

    INFO = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    def __str__(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        return cls[text.strip().upper()]


MONEY_SCALE: Final = ((0.10, Severity.CRITICAL), (0.02, Severity.HIGH), (0.005, Severity.MEDIUM))
"""(least share of portfolio revenue, severity), highest first; any money below is low."""

POINTS_FALLBACK: Final = "severity by the points rule: no revenue recorded"
"""What a finding rated by the points rule says of it."""

TOP_RISKS: Final = 5
"""How many of the costliest risks the outputs lead with or emphasise (analyze's
top risks, the report's, the views' thickest borders)."""


class _Costed(Protocol):
    @property
    def loss(self) -> float: ...


_C = TypeVar("_C", bound=_Costed)


def top_risks(ranked: Sequence[_C]) -> list[_C]:
    """The first :data:`TOP_RISKS` of findings ranked by loss, leaving out
    those that lose nothing (what analyze and the report lead with).

    >>> from types import SimpleNamespace as N
    >>> [r.loss for r in top_risks([N(loss=9.0), N(loss=4.0), N(loss=0.0)])]
    [9.0, 4.0]
    """
    return [r for r in ranked if r.loss > 0][:TOP_RISKS]


def money_severity(amount: float, portfolio_revenue: float) -> Severity:
    """The money scale: ``amount`` as a share of ``portfolio_revenue`` (> 0)."""
    if amount <= 0:
        return Severity.INFO
    share = amount / portfolio_revenue
    for least, level in MONEY_SCALE:
        if share >= least:
            return level
    return Severity.LOW


def shifted(sev: Severity, by: int, floor: Severity = Severity.INFO) -> Severity:
    """``sev`` moved ``by`` levels, kept between ``floor`` and critical."""
    return Severity(min(Severity.CRITICAL, max(floor, sev + by)))


def product_revenue(product: Product) -> float:
    """A product's revenue a year: its markets' own summed when every market
    gives one (the revenue rule of critical nodes), else its annual revenue."""
    given = [m.annual_revenue for m in product.markets if m.annual_revenue is not None]
    if len(given) == len(product.markets) and {m.territory for m in product.markets} >= set(product.market_territories):
        return float(sum(given))
    return float(product.annual_revenue or 0.0)


def portfolio_revenue(portfolio: Portfolio) -> float:
    """What the money scale takes shares of: every product's revenue summed."""
    return sum(map(product_revenue, portfolio.products))
