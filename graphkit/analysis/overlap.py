"""Marketing-partner requirement overlap: where the parties behind a product
ask for the same thing (harmonise once) or for different things (conflict).

A product's *parties* are its owner (the client) and the marketing partners
that market it.  Each party may require a value for a topic
(``labeling.language = de``); a requirement applies to the products its own
``products`` list names or, without a list, to every product the party
markets or owns (`Portfolio.requirement_products`).

Example
-------
>>> from graphkit import read_portfolio
>>> result = requirement_overlap(read_portfolio("tests/small.yaml")[0])  # doctest: +SKIP
>>> result.products[0].conflicts[0].values  # doctest: +SKIP
{'mp-1': 'de', 'mp-2': 'en'}
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import chain

from ..model import DISTRIBUTION_STEP, Portfolio, Product, Stage, Step
from .heap import collector_paused
from .results import Result, findings_at
from .severity import POINTS_FALLBACK, Severity, money_severity, portfolio_revenue, product_revenue, shifted

__all__ = [
    "OverlapResult",
    "PartnerSimilarity",
    "ProductOverlap",
    "ProviderConflicts",
    "RequirementConflict",
    "SharedRequirement",
    "TOPIC_STEPS",
    "TopicConflict",
    "requirement_overlap",
    "topic_reaches",
]

# Which steps a requirement topic reaches, by its family (the text before its
# first "."): a provider is told about a topic only on products it performs one
# of these steps for. A family not listed (audit, quality, …) reaches every step.
TOPIC_STEPS: dict[str, frozenset[str]] = {
    "labeling": frozenset({Step.PACKAGING_LABELING, DISTRIBUTION_STEP}),
    "serialization": frozenset({Step.PACKAGING_LABELING, DISTRIBUTION_STEP}),
    "packaging": frozenset({Step.PACKAGING_LABELING}),
    "spec": frozenset({Step.DRUG_PRODUCT, Step.FILL_FINISH, Step.TESTING}),
}


def topic_reaches(topic: str, step: str) -> bool:
    """Whether a provider performing `step` must meet requirements on `topic`.

    >>> topic_reaches("labeling.language", "api"), topic_reaches("labeling.language", "distribution")
    (False, True)
    >>> topic_reaches("audit.frequency", "api")
    True
    """
    steps = _steps_reached(topic)
    return steps is None or step in steps


def _steps_reached(topic: str) -> frozenset[str] | None:
    """The steps `topic` reaches; None for every step."""
    return TOPIC_STEPS.get(topic.partition(".")[0])


@dataclass(frozen=True)
class SharedRequirement(Result):
    """A (topic, value) that two or more parties of one product require."""

    topic: str
    value: str
    parties: tuple[str, ...]


@dataclass(frozen=True)
class RequirementConflict(Result):
    """A topic on which the parties of one product want different values."""

    topic: str
    values: dict[str, str]  # party id -> its value, sorted by party


@dataclass(frozen=True)
class ProductOverlap(Result):
    product: str
    overlaps: tuple[SharedRequirement, ...]
    conflicts: tuple[RequirementConflict, ...]
    severity: Severity
    explanation: str

    @property
    def subject(self) -> str:
        return self.product


@dataclass(frozen=True)
class TopicConflict(Result):
    """A topic whose required value differs across one provider's products."""

    topic: str
    values: dict[str, tuple[str, ...]]  # value -> product ids requiring it, sorted


@dataclass(frozen=True)
class ProviderConflicts(Result):
    provider: str
    conflicts: tuple[TopicConflict, ...]
    severity: Severity
    explanation: str

    @property
    def subject(self) -> str:
        return self.provider


@dataclass(slots=True, unsafe_hash=True)  # made by the million: not frozen (see .results)
class PartnerSimilarity(Result):
    a: str
    b: str
    jaccard: float


@dataclass(frozen=True)
class OverlapResult(Result):
    products: tuple[ProductOverlap, ...] = field(metadata=findings_at(0))
    providers: tuple[ProviderConflicts, ...] = field(metadata=findings_at(1))
    partner_similarity: tuple[PartnerSimilarity, ...]


@collector_paused
def requirement_overlap(portfolio: Portfolio, similar: int | None = None) -> OverlapResult:
    """Requirement overlaps and conflicts per product and per provider, and
    how alike the marketing partners' requirements are.

    Parameters
    ----------
    portfolio : Portfolio
    similar : int, optional
        Keep only each partner's `similar` most similar partners in
        ``partner_similarity`` (a pair stays when either side keeps it);
        None keeps every pair sharing a (topic, value).

    Returns
    -------
    OverlapResult
        ``products``: products with at least one overlap or conflict, in
        portfolio order; ``providers``: providers whose products carry
        different values for a topic, in portfolio order;
        ``partner_similarity``: partner pairs sharing at least one
        (topic, value), by Jaccard descending, then ids.

    Notes
    -----
    *Which requirements count.*  A requirement counts for a product only when
    its party is one of that product's parties; a product listed by a party
    that neither markets nor owns it (a validation warning) is ignored, as is
    a listed id that is not a product.  If a party (only possible when the
    portfolio is built without validation) has two values for one topic and
    product, the first wins.

    *Per product.*  An overlap is a (topic, value) required by two or more
    parties; a conflict is a topic with two or more distinct values among the
    parties, reported with every party's value (so a topic can be both: two
    parties agree and a third differs).

    *Per provider.*  A provider handles a product through each supply entry
    (any step, qualified or not) and each distributor entry (the
    ``distribution`` step).  Such an entry reaches a topic when
    `topic_reaches` (the `TOPIC_STEPS` table) says its step does, and a
    party's value when the party sells in a market the entry serves: the
    owner sells everywhere, a partner in the territories of its
    ``marketed_by`` entries for the product (everywhere for one without a
    territory); a distributor entry serves its territory, a supply entry its
    ``filed_in`` markets (everywhere without them, or when the product has
    one global market).  A topic conflicts when the values reaching the
    provider, over all its entries, are two or more (a product with an
    internal conflict appears under each of its values).  So an API maker
    is not told about label languages, and a Japanese distributor not about
    the EU partner's.

    *Partner similarity.*  A partner's set is every (topic, value) it requires
    on any product (as counted above); the Jaccard index
    ``|A ∩ B| / |A ∪ B|`` is reported for partner pairs with a non-empty
    intersection, ``a < b``.  This equals networkx's
    ``bipartite.overlap_weighted_projected_graph(B, partners, jaccard=True)``
    on the partner–(topic, value) graph.

    *Severity.*  A product with only overlaps is INFO.  A conflict puts the
    revenue of the products it involves (the product; a provider's: every
    product in its conflicts) at stake but stops no supply by itself: the
    money scale of :mod:`graphkit.analysis.severity` on that revenue, one
    level lower, at least LOW.  Where those products record no revenue, the
    points fallback (said in the explanation): LOW, one step up when one is
    commercial and one more when one is sterile.

    Cost is linear in (requirement, product) applications plus the
    partner-pair work of the similarity: only pairs sharing a (topic, value)
    are scored (never all pairs of partners), and with `similar` the list
    holds at most `similar` pairs per partner.
    """
    products = {p.id: p for p in portfolio.products}
    # product -> topic -> party -> value
    wants: dict[str, dict[str, dict[str, str]]] = defaultdict(lambda: defaultdict(dict))
    partner_pairs: dict[str, set[tuple[str, str]]] = defaultdict(set)
    partners = {m.id for m in portfolio.marketing_partners}
    parties = {pid: p.parties for pid, p in products.items()}
    for req, prods in portfolio.requirement_products:
        party, topic, value = req.party, req.topic, req.value
        counted = False
        for pid in prods:
            if party in parties.get(pid, ()):
                wants[pid][topic].setdefault(party, value)
                counted = True
        if counted and party in partners:
            partner_pairs[party].add((topic, value))

    rate = _Rating(portfolio_revenue(portfolio))
    product_rows = []
    for product in portfolio.products:
        topics = wants.get(product.id)
        if topics is None or all(len(by_party) < 2 for by_party in topics.values()):
            continue  # one party per topic: nothing shared, nothing in conflict
        row = _product_row(product, topics, rate)
        if row is not None:
            product_rows.append(row)

    # Each product's requirements as they reach providers, made once per product, not per provider entry.
    applied = {pid: _applied(products[pid], topics) for pid, topics in wants.items()}
    provider_rows = []
    for provider, handled in _handled(portfolio).items():
        found = _provider_row(provider, handled, products, applied, rate)
        if found is not None:
            provider_rows.append(found)

    return OverlapResult(tuple(product_rows), tuple(provider_rows), _similarity(partner_pairs, similar))


def _product_row(product: Product, topics: dict[str, dict[str, str]], rate: _Rating) -> ProductOverlap | None:
    overlaps: list[SharedRequirement] = []
    conflicts: list[RequirementConflict] = []
    for topic in sorted(topics):
        by_party = topics[topic]
        holders: dict[str, list[str]] = defaultdict(list)
        for party, value in by_party.items():
            holders[value].append(party)
        for value in sorted(holders):
            if len(holders[value]) >= 2:
                overlaps.append(SharedRequirement(topic, value, tuple(sorted(holders[value]))))
        if len(holders) >= 2:
            conflicts.append(RequirementConflict(topic, {p: by_party[p] for p in sorted(by_party)}))
    if not overlaps and not conflicts:
        return None
    severity, rule = rate((product,)) if conflicts else (Severity.INFO, "")
    return ProductOverlap(
        product.id,
        tuple(overlaps),
        tuple(conflicts),
        severity,
        _product_explanation(product, overlaps, conflicts) + rule,
    )


def _product_explanation(
    product: Product, overlaps: list[SharedRequirement], conflicts: list[RequirementConflict]
) -> str:
    kind = f"{product.stage}{', sterile' if product.sterile else ''}"
    parts = []
    if conflicts:
        first = conflicts[0]
        wanted = ", ".join(f"{p} {v}" for p, v in first.values.items())
        more = f" and {len(conflicts) - 1} more topic(s)" if len(conflicts) > 1 else ""
        parts.append(
            f"its parties want different values for {first.topic} ({wanted}){more}; "
            "agree one value or plan separate runs"
        )
    if overlaps:
        shared = ", ".join(f"{o.topic}={o.value}" for o in overlaps[:3])
        more = ", …" if len(overlaps) > 3 else ""
        parts.append(
            f"{len(overlaps)} requirement(s) shared by several parties can be harmonised once ({shared}{more})"
        )
    return f"{product.id} ({kind}): " + "; ".join(parts)


# (product, step, markets served: None for every market)
_Entry = tuple[str, str, frozenset[str] | None]


def _handled(portfolio: Portfolio) -> dict[str, list[_Entry]]:
    """provider id -> the entries through which it handles products, in portfolio order."""
    handled: dict[str, list[_Entry]] = {p.id: [] for p in portfolio.providers}
    for product in portfolio.products:
        one_market: bool | None = None  # whether the product has one global market, found when needed
        for s in product.supply:
            served = None
            if s.filed_in:
                if one_market is None:
                    one_market = None in product.market_territories
                if not one_market:
                    served = frozenset(s.filed_in)
            handled.setdefault(s.provider, []).append((product.id, str(s.step), served))
        for d in product.distributors:
            served = None if d.territory is None else frozenset({d.territory})
            handled.setdefault(d.distributor, []).append((product.id, DISTRIBUTION_STEP, served))
    return {prov: entries for prov, entries in handled.items() if entries}


# (topic, value) a party of a product requires, the territories the party sells
# the product in (None: everywhere) and the steps the topic reaches (None: every step)
_Applied = tuple[tuple[str, str], frozenset[str] | None, frozenset[str] | None]


def _applied(product: Product, topics: dict[str, dict[str, str]]) -> list[_Applied]:
    """Every (topic, value) a party of `product` requires, with where the
    party sells it and which steps hear of it (`topic_reaches`)."""
    sells = _sells_in(product)
    return [
        ((topic, value), sells.get(party), _steps_reached(topic))
        for topic, by_party in topics.items()
        for party, value in by_party.items()
    ]


def _sells_in(product: Product) -> dict[str, frozenset[str] | None]:
    """party -> the territories it sells the product in (None: everywhere)."""
    sells: dict[str, frozenset[str] | None] = {product.owner: None}
    for m in product.marketed_by:
        if m.partner in sells and sells[m.partner] is None:
            continue
        sells[m.partner] = None if m.territory is None else (sells.get(m.partner) or frozenset()) | {m.territory}
    return sells


def _provider_row(
    provider: str,
    handled: list[_Entry],
    products: dict[str, Product],
    applied: dict[str, list[_Applied]],
    rate: _Rating,
) -> ProviderConflicts | None:
    reached: dict[tuple[str, str], set[str]] = {}  # (topic, value) -> product ids
    for pid, step, served in handled:
        for key, where, steps in applied.get(pid, ()):
            if (steps is None or step in steps) and (served is None or where is None or not where.isdisjoint(served)):
                found = reached.get(key)
                if found is None:
                    reached[key] = {pid}
                else:
                    found.add(pid)
    by_topic: dict[str, list[str]] = defaultdict(list)  # topic -> values
    for topic, value in reached:
        by_topic[topic].append(value)
    conflicts = tuple(
        TopicConflict(topic, {v: tuple(sorted(reached[topic, v])) for v in sorted(by_topic[topic])})
        for topic in sorted(by_topic)
        if len(by_topic[topic]) >= 2
    )
    if not conflicts:
        return None
    involved = {pid: products[pid] for c in conflicts for pids in c.values.values() for pid in pids}
    severity, rule = rate(involved.values())
    listed = "; ".join(
        f"{c.topic} (" + ", ".join(f"{v} for {_count(pids)}" for v, pids in c.values.items()) + ")"
        for c in conflicts[:3]
    )
    more = f" and {len(conflicts) - 3} more" if len(conflicts) > 3 else ""
    explanation = (
        f"{provider} must meet different required values on {len(conflicts)} topic(s) "
        f"across the products it handles: {listed}{more}; plan separate line set-ups{rule}"
    )
    return ProviderConflicts(provider, conflicts, severity, explanation)


def _similarity(pairs_of: dict[str, set[tuple[str, str]]], top: int | None = None) -> tuple[PartnerSimilarity, ...]:
    """Jaccard of partner pairs sharing a (topic, value), found through an
    index from each (topic, value) to its partners, so a pair sharing nothing
    costs nothing; with `top`, a pair is kept when either side has the other
    among its `top` most similar (Jaccard descending, then id)."""
    holders: dict[tuple[str, str], list[str]] = defaultdict(list)
    for partner in sorted(pairs_of):
        for pair in pairs_of[partner]:
            holders[pair].append(partner)
    kept: dict[tuple[str, str], float] = {}
    for a in sorted(pairs_of):
        # partner -> how many of a's (topic, value)s it holds, counted in C (a itself included)
        shared = Counter(chain.from_iterable(holders[pair] for pair in pairs_of[a]))
        del shared[a]
        size = len(pairs_of[a])
        near = [
            (n / (size + len(pairs_of[b]) - n), b)
            for b, n in shared.items()
            if top is not None or b > a  # without a cut, each pair once (a < b)
        ]
        if top is not None:
            near = sorted(near, key=lambda jb: (-jb[0], jb[1]))[:top]
        for jaccard, b in near:
            kept[min(a, b), max(a, b)] = jaccard
    # Jaccard descending, then ids: sorted as plain tuples, without a key function
    ranked = sorted((-jaccard, a, b) for (a, b), jaccard in kept.items())
    return tuple(PartnerSimilarity(a, b, -negated) for negated, a, b in ranked)


def _count(pids: tuple[str, ...]) -> str:
    return pids[0] if len(pids) == 1 else f"{len(pids)} products"


class _Rating:
    """Severity of a conflict over some products (the docstring's rule) and
    what to add to its explanation."""

    def __init__(self, portfolio_revenue: float) -> None:
        self.portfolio_revenue = portfolio_revenue
        self.revenues: dict[str, float] = {}  # product id -> product_revenue, asked again per provider

    def revenue(self, product: Product) -> float:
        found = self.revenues.get(product.id)
        if found is None:
            found = self.revenues[product.id] = product_revenue(product)
        return found

    def __call__(self, involved: Iterable[Product]) -> tuple[Severity, str]:
        involved = list(involved)
        revenue = sum(map(self.revenue, involved))
        if revenue > 0:
            return shifted(money_severity(revenue, self.portfolio_revenue), -1, Severity.LOW), ""
        commercial = any(p.stage is Stage.COMMERCIAL for p in involved)
        sterile = any(p.sterile for p in involved)
        return shifted(Severity.LOW, commercial + sterile), f" ({POINTS_FALLBACK})"
