"""What a page answers when asked, worked out by the library and embedded as data.

* Click a provider or marketing partner: everything its failure alone takes
  down -- itself, the providers cut off upstream, the products with a market
  lost, their clients and partners (:func:`graphkit.analysis.spof.single_failures`,
  field for field what ``graphkit viz --fail`` shows).
* Click a product: its whole supply closure through every tier, in every
  market (:meth:`graphkit.explore.NetworkQueries.deps`, what ``graphkit query
  deps`` lists); a client: its products and their closures.
* Filters: by client, product, market (the products sold there and what they
  need there) and severity (nodes whose most severe finding is at least that).

The page never recomputes any of this: it lights up the ids it is given.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from typing import TYPE_CHECKING

from graphkit.model import Portfolio
from graphkit.text import money_short

from .network import Filter, Questions

if TYPE_CHECKING:
    from graphkit.analysis.spof import SingleFailures

__all__ = ["MAX_FILTER_OPTIONS", "view_questions"]

#: A filter with more options than this is left out (the search box finds one node among many).
MAX_FILTER_OPTIONS = 400
_NO_MARKET = "no market named"  # products that name no territory sell in one market


def _names(ids: Sequence[str], name: Callable[[str], str], limit: int = 6) -> str:
    shown = ", ".join(name(i) for i in ids[:limit])
    return shown + (f" and {len(ids) - limit} more" if len(ids) > limit else "")


def view_questions(
    portfolio: Portfolio,
    drawn: Collection[str],
    failures: SingleFailures,
    severity: Mapping[str, int],
    severities: Sequence[str],
    money: Mapping[str, float],
    name: Callable[[str], str],
) -> Questions:
    """The :class:`~graphkit.viz.network.Questions` of a view drawing the nodes `drawn`.

    `severity`: node -> index into `severities` of its most severe finding
    (nodes without findings left out); `money`: node -> money at risk.
    """
    from graphkit.explore import NetworkQueries  # NetworkX: only when a page is built

    shown = set(drawn)
    impact: dict[str, list[str]] = {}
    impact_text: dict[str, str] = {}
    for node, lost in failures.markets_lost.items():
        if node not in shown:
            continue
        products = list(dict.fromkeys(p for p, _ in lost))
        down = [p for p in failures.providers_down[node] if p != node]
        impact[node] = [
            node,
            *down,
            *products,
            *failures.clients_affected[node],
            *failures.partners_affected[node],
        ]
        if lost:
            impact_text[node] = (
                f"If {name(node)} fails alone: {len(lost)} market(s) of {len(products)} product(s) lost "
                f"({_names(products, name)}), {money_short(money.get(node, 0.0))} at risk"
                + (f"; cut off upstream: {_names(down, name)}" if down else "")
                + "."
            )
        else:
            impact_text[node] = f"If {name(node)} fails alone, every market keeps its supply" + (
                f" (cut off upstream: {_names(down, name)}, each with a working alternative)." if down else "."
            )
    queries = NetworkQueries(portfolio)
    closure: dict[str, list[str]] = {}
    closure_text: dict[str, str] = {}
    by_market: dict[str, set[str]] = {}
    for product in portfolio.products:
        deps = queries.deps(product.id)
        closure[product.id] = [product.id, *dict.fromkeys(d.provider for d in deps)]
        tiers = max((d.tier for d in deps), default=0)
        closure_text[product.id] = (
            f"{name(product.id)} needs {len(closure[product.id]) - 1} provider(s) and partner(s) "
            f"over {tiers} tier(s), in every market."
        )
        for market in product.market_territories:
            members = by_market.setdefault(market or _NO_MARKET, set())
            members.add(product.id)
            members.update(d.provider for d in deps if d.market == market)
    owned: dict[str, list[str]] = {}
    for product in portfolio.products:
        owned.setdefault(product.owner, []).append(product.id)
    needs = {c: [c, *dict.fromkeys(x for p in products for x in closure[p])] for c, products in owned.items()}
    for client, products in owned.items():
        if client in shown:
            closure[client] = needs[client]
            closure_text[client] = f"{name(client)} owns {len(products)} product(s); lit: what they need."
    clients_option = {name(c): needs[c] for c in sorted(owned, key=name)}
    filters = [
        Filter("client", "Client", clients_option),
        Filter(
            "product",
            "Product",
            {name(p.id): closure[p.id] for p in sorted(portfolio.products, key=lambda p: name(p.id))},
        ),
        Filter(
            "market", "Market", {m: sorted(by_market[m]) for m in sorted(by_market, key=lambda m: (m == _NO_MARKET, m))}
        ),
        Filter(
            "severity",
            "Severity",
            {
                f"{sev} or worse": sorted(u for u, s in severity.items() if s >= level and u in shown)
                for level, sev in enumerate(severities)
                if level > 0
            },
        ),
    ]
    return Questions(
        impact=impact,
        impact_text=impact_text,
        closure=closure,
        closure_text=closure_text,
        filters=[f for f in filters if 0 < len(f.options) <= MAX_FILTER_OPTIONS],
    )
