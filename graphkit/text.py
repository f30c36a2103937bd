"""How graphkit writes numbers and names in words: money, shares and the
snake_case names of the model. Explanations, terminal tables and reports use
these, so one figure reads the same everywhere.

Examples
--------
>>> money(1234567.8), money(1234567.8, "EUR"), money(None)
('1,234,568', '1,234,568 EUR', '')
>>> money_short(1_234_567), money_short(999_600_000), money_short(1.5e15)
('1.23M', '1B', '1,500T')
>>> percent(0.4567), percent(0.4567, 0), percent(None)
('45.7%', '46%', '')
>>> humanize("hybrid_branded")
'hybrid branded'
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["humanize", "listed", "market_name", "money", "money_short", "percent"]

# Suffixes of `money_short`, largest first.
_SCALES = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K"))


def money(value: float | None, currency: str | None = None) -> str:
    """An amount in whole units with thousands separators, and its currency
    when given; '' for None (no value recorded)."""
    if value is None:
        return ""
    text = f"{value:,.0f}"
    return f"{text} {currency}" if currency else text


def money_short(value: float) -> str:
    """An amount to three significant digits with a K, M, B or T suffix, for
    one-line explanations. Rounded before the suffix is chosen, so 999.6
    million is '1B'; beyond the largest suffix the digits are written out
    ('1,500T'), never in exponent notation."""
    rounded = float(f"{value:.3g}")
    for scale, suffix in _SCALES:
        if abs(rounded) >= scale:
            scaled = rounded / scale
            return (f"{scaled:,.0f}" if abs(scaled) >= 1000 else f"{scaled:.3g}") + suffix
    return f"{rounded:.3g}"


def percent(share: float | None, digits: int = 1) -> str:
    """A share (0.25) as a percentage ('25.0%'); '' for None."""
    return "" if share is None else f"{share:.{digits}%}"


def humanize(name: object) -> str:
    """A model name (an enum value, a field or a key) in words."""
    return str(name).replace("_", " ")


def market_name(product: str, market: str | None) -> str:
    """A (product, market) pair as every output spells it; the product alone for its one global market.

    >>> market_name("prod-a", "JP"), market_name("prod-a", None)
    ('prod-a (JP)', 'prod-a')
    """
    return markets_name(product, (market,))


def markets_name(product: str, markets: Iterable[str | None]) -> str:
    """Some markets of one product, spelt as :func:`market_name` spells one.

    >>> markets_name("prod-a", ["US", "EU"]), markets_name("prod-a", [None])
    ('prod-a (US, EU)', 'prod-a')
    """
    named = [m for m in markets if m is not None]
    return f"{product} ({', '.join(named)})" if named else product


def listed(items: Iterable[str]) -> str:
    """Names as a sentence lists them.

    >>> listed(["a"]), listed(["a", "b"]), listed(["a", "b", "c"]), listed([])
    ('a', 'a and b', 'a, b and c', '')
    """
    items = list(items)
    return ", ".join(items[:-1]) + " and " + items[-1] if len(items) > 1 else "".join(items)
