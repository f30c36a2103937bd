"""Single points of failure in a portfolio: sole-source steps, critical
providers (hidden common modes included), structural cut points, key-person
risks and what-if scenarios.

Pure library code: every function takes a validated
:class:`~graphkit.model.Portfolio` and returns frozen dataclasses whose
``as_dict()`` is JSON-able.  The supply semantics are those of
:mod:`graphkit.analysis.supply` (reused, not restated), fed by
:func:`supply_inputs`:

* a product needs every step listed in its ``supply`` and, when it has
  distributors, the ``distribution`` step (covered by any one of them);
* a step is covered when at least one *qualified* source is operational
  (unqualified backups are left out: a step with only unqualified sources is
  uncovered, so its product is not currently available and is never "lost");
* a provider is operational when it has not failed and every material it
  receives through ``feeds`` has at least one operational feeder.

Clients, marketing partners and liaisons failing stop no supply.

Severity
--------
Findings that cost money are rated on the money scale of
:mod:`graphkit.analysis.severity` (a share of the portfolio's revenue):

* a **critical node** by its loss;
* a **sole-source step** by the loss of its market when its one source
  fails (an unqualified backup counts through its ``bring_up_weeks``; a
  market not available today loses nothing: info);
* a **key-person risk** by the loss its provider's failure costs the
  client's markets, one level lower (a missing contact stops no supply),
  at least low; a relationship with no liaison at all is listed with
  ``liaison: None`` at the same level (nobody to call is never less of a
  risk than one person to call);
* a **double failure** by its added loss, one level lower (it needs two
  independent failures); a **common cause** by its loss.

Where none of a finding's markets records revenue, the points rule below
rates it instead (the level of its worst market, shifted as above) and the
explanation says so.

Points rule (the fallback; the one place it is written down)
------------------------------------------------------------
A product that would be lost scores points:

=============================  ======
annual_revenue >= 50M          +2
annual_revenue >= 5M           +1
sterile technology             +2  (``Product.sterile``: hard to requalify)
stage commercial / clinical    +2 / +1
owner segment small            +2  (least able to recover)
owner mid_sized, generics_only +1
owner large                    +0
=============================  ======

and the score maps to a level: >= 6 critical, >= 4 high, >= 2 medium, else
low.

Examples
--------
>>> from graphkit.model import Client, Portfolio, Product, Provider, SupplyLink
>>> p = Portfolio(
...     providers=(Provider(id="cmo", name="CMO", kind="cmo"),),
...     clients=(Client(id="c", name="C", segment="small"),),
...     products=(Product(id="p", name="P", technology="aseptic_fill", owner="c",
...                       supply=(SupplyLink(provider="cmo", step="fill_finish"),)),))
>>> [n.node for n in critical_nodes(p)], str(critical_nodes(p)[0].severity)
(['cmo'], 'critical')
"""

from __future__ import annotations

__all__ = [
    "CommonCause",
    "CriticalNode",
    "CutPoints",
    "DoubleFailure",
    "KeyPersonRisk",
    "SoleSourceStep",
    "SpofResult",
    "WhatIfMarket",
    "WhatIfReport",
    "critical_nodes",
    "cut_points",
    "key_person_risks",
    "product_severity",
    "severity_score",
    "SingleFailures",
    "single_failure_losses",
    "single_failures",
    "sole_source_steps",
    "spof",
    "spof_fields",
    "supply_inputs",
    "whatif",
]

import math
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, NamedTuple, TypeVar

from ..model import (
    DISTRIBUTION_STEP,
    MARKETING_STEP,
    Client,
    DistributorRef,
    Liaison,
    MarketingPartner,
    MarketingRef,
    NodeKind,
    Portfolio,
    Product,
    Provider,
    ProviderKind,
    RelType,
    Segment,
    Stage,
    Step,
)
from ..problems import GraphkitError, did_you_mean
from ..text import humanize, market_name, markets_name, money_short
from .exposure import Backup, Exposure, LostMarket, MarketTimeline, Timeline, serving
from .heap import collector_paused, paused
from .results import PAIRS, UNITS, Result, findings_at
from .severity import POINTS_FALLBACK, Severity, money_severity, portfolio_revenue, shifted
from .supply import FeedIn, Network, Unit

# --------------------------------------------------------------------------
# severity rule (documented in the module docstring)
# --------------------------------------------------------------------------

_REVENUE_POINTS = ((50_000_000.0, 2), (5_000_000.0, 1))
_STERILE_POINTS = 2
_STAGE_POINTS = {Stage.COMMERCIAL: 2, Stage.CLINICAL: 1}
_SEGMENT_POINTS = {Segment.SMALL: 2, Segment.MID_SIZED: 1, Segment.GENERICS_ONLY: 1, Segment.LARGE: 0}
_LEVELS = ((6, Severity.CRITICAL), (4, Severity.HIGH), (2, Severity.MEDIUM))

T = TypeVar("T")

# Relationship types forming the structural network of cut_points.
_STRUCTURAL = frozenset(
    {RelType.OWNS, RelType.SUPPLIES, RelType.DISTRIBUTES, RelType.MARKETS, RelType.FEEDS, RelType.CONTRACTS_WITH}
)
_STEP_NAMES = tuple(s.value for s in Step) + (DISTRIBUTION_STEP,)
_STEP_NAME = {s: s.value for s in Step}  # one string per step (str() of a step makes a new one each time)
_LIST_AT_MOST = 5  # products named in one explanation line


def severity_score(product: Product, segment: Segment | None, revenue: float | None = None) -> int:
    """Points of the severity rule for losing ``product`` (owner in ``segment``),
    or one market of it earning ``revenue``."""
    revenue = (product.annual_revenue if revenue is None else revenue) or 0.0
    score = 0
    for threshold, points in _REVENUE_POINTS:
        if revenue >= threshold:
            score = points
            break
    if product.sterile:
        score += _STERILE_POINTS
    score += _STAGE_POINTS.get(product.stage, 0)
    if segment is not None:
        score += _SEGMENT_POINTS.get(segment, 0)
    return score


def _level(score: int) -> Severity:
    for threshold, sev in _LEVELS:
        if score >= threshold:
            return sev
    return Severity.LOW


def product_severity(portfolio: Portfolio, product_id: str) -> Severity:
    """Severity of losing one product, by the module's rule.

    Raises
    ------
    KeyError
        ``product_id`` is not a product of ``portfolio``.
    """
    product = portfolio.nodes[product_id]
    if not isinstance(product, Product):
        raise KeyError(product_id)
    return _level(severity_score(product, _segment(portfolio, product)))


def _segment(portfolio: Portfolio, product: Product) -> Segment | None:
    owner = portfolio.nodes.get(product.owner)
    return owner.segment if isinstance(owner, Client) else None


# --------------------------------------------------------------------------
# engine inputs
# --------------------------------------------------------------------------


def _filed(filed_in: tuple[str, ...], market: str | None) -> bool:
    """A source or feeder with these filings counts in ``market``: unfiled
    ones count everywhere, and the global market is never restricted."""
    return not filed_in or market is None or market in filed_in


def _served(entries: Sequence[DistributorRef | MarketingRef], ref: str) -> Callable[[str | None], tuple[str, ...]]:
    """``market -> ids`` of the entries (distributors, partners) serving a
    market, in file order: one tuple for every market when no entry names a
    territory."""
    if all(e.territory is None for e in entries):
        ids = tuple(dict.fromkeys(getattr(e, ref) for e in entries))
        return lambda market: ids
    return lambda market: tuple(dict.fromkeys(getattr(e, ref) for e in entries if e.territory in (None, market)))


def supply_inputs(portfolio: Portfolio) -> tuple[dict[Unit, dict[str, tuple[str, ...]]], dict[str, list[FeedIn]]]:
    """The supply engine's ``(units, feeds)`` for a portfolio.

    Returns
    -------
    units : dict[tuple[str, str | None], dict[str, tuple[str, ...]]]
        ``(product, market) -> step -> source ids`` for every market of every
        product (in file order, sources de-duplicated): each step named in
        the product's ``supply`` with its qualified sources filed in the
        market (``()`` when none); ``distribution`` with the distributors
        whose entry serves the market, when the product has distributors;
        ``marketing`` with the partners named for the market, when it has
        any (a market no partner is named for is sold by the owner).
    feeds : dict[str, list[FeedIn]]
        ``receiving provider -> its feeds`` with their product scope and
        filings.

    Examples
    --------
    >>> from graphkit.model import DistributorRef, Portfolio, Product, SupplyLink
    >>> p = Portfolio(products=(Product(id="p", name="P", technology="tablet", owner="c",
    ...     supply=(SupplyLink(provider="a", step="api", filed_in=("US",)),
    ...             SupplyLink(provider="b", step="testing", qualified=False)),
    ...     distributors=(DistributorRef(distributor="d", territory="US"),
    ...                   DistributorRef(distributor="e", territory="EU"))),))
    >>> for unit, steps in supply_inputs(p)[0].items():
    ...     print(unit, steps)
    ('p', 'US') {'api': ('a',), 'testing': (), 'distribution': ('d',)}
    ('p', 'EU') {'api': (), 'testing': (), 'distribution': ('e',)}
    """
    units: dict[Unit, dict[str, tuple[str, ...]]] = {}
    name = _STEP_NAME.get
    for product in portfolio.products:
        qualified: dict[str, list[tuple[str, tuple[str, ...]]]] = {}  # step -> (source, filed_in)
        for link in product.supply:
            sources = qualified.setdefault(name(link.step) or str(link.step), [])
            if link.qualified:
                sources.append((link.provider, link.filed_in))
        # A step without filings has the same sources in every market: one
        # tuple for all of them (the engine shares the work on shared tuples).
        plain: dict[str, tuple[str, ...]] = {}
        for step, sources in qualified.items():
            if len(sources) == 1:  # most: nothing to de-duplicate
                source, filed = sources[0]
                if not filed:
                    plain[step] = (source,)
            elif not any(filed for _, filed in sources):
                plain[step] = tuple(dict.fromkeys(s for s, _ in sources))
        everywhere = len(plain) == len(qualified)  # no filed source: every market has these steps
        distributors = _served(product.distributors, "distributor")
        partners = _served(product.marketed_by, "partner")
        for market in product.market_territories:
            steps = (
                dict(plain)
                if everywhere
                else {
                    step: plain[step]
                    if step in plain
                    else tuple(dict.fromkeys(s for s, filed in sources if _filed(filed, market)))
                    for step, sources in qualified.items()
                }
            )
            if product.distributors:
                steps[DISTRIBUTION_STEP] = distributors(market)
            if product.marketed_by and (serving := partners(market)):
                steps[MARKETING_STEP] = serving
            units[(product.id, market)] = steps
    feeds: dict[str, list[FeedIn]] = {}
    for f in portfolio.feeds:
        feeds.setdefault(f.to, []).append(
            FeedIn(
                f.material,
                f.from_,
                frozenset(f.products) if f.products else None,
                frozenset(f.filed_in) if f.filed_in else None,
            )
        )
    return units, feeds


def backup_inputs(portfolio: Portfolio) -> dict[Unit, list[Backup]]:
    """Per (product, market), its unqualified sources with a bring-up time
    filed there (what :class:`~graphkit.analysis.exposure.Exposure` may bring up).

    >>> from graphkit.model import Portfolio, Product, SupplyLink
    >>> p = Portfolio(products=(Product(id="p", name="P", technology="tablet", owner="c",
    ...     supply=(SupplyLink(provider="a", step="api"),
    ...             SupplyLink(provider="b", step="api", qualified=False, bring_up_weeks=8)),),))
    >>> backup_inputs(p)
    {('p', None): [Backup(provider='b', step='api', bring_up_weeks=8.0)]}
    """
    out: dict[Unit, list[Backup]] = {}
    for product in portfolio.products:
        links = [link for link in product.supply if not link.qualified and link.bring_up_weeks is not None]
        for market in product.market_territories if links else ():
            found = [
                Backup(link.provider, str(link.step), float(link.bring_up_weeks))  # type: ignore[arg-type]
                for link in links
                if _filed(link.filed_in, market)
            ]
            if found:
                out[(product.id, market)] = found
    return out


# --------------------------------------------------------------------------
# results
# --------------------------------------------------------------------------


@dataclass(slots=True, unsafe_hash=True)  # made by the million: not frozen (see .results)
class SoleSourceStep(Result):
    """A (product, step, market) with exactly one qualified source filed there.

    ``market`` is None for a product's one global market; ``backup`` holds
    the step's unqualified sources filed there (which do not count).
    """

    product: str
    step: str
    market: str | None
    provider: str
    backup: tuple[str, ...]
    severity: Severity
    explanation: str

    @property
    def subject(self) -> str:
        return f"{self.product}/{self.step}"


@dataclass(frozen=True)
class CriticalNode(Result):
    """A provider or marketing partner whose failure alone loses markets
    available today.

    ``markets_lost``: the (product, market) pairs lost (``units``); ``products_lost``:
    the products all of whose available markets are lost; ``hidden``: it is
    a source, distributor or partner of none of the lost markets and reaches
    them only through ``feeds`` (a hidden common mode).  Each lost market
    carries its recovery, shortage and loss (:mod:`.exposure`); ``loss`` is
    their sum, ``risk_exposure`` its share of the worst node's loss.
    """

    node: str
    kind: str
    loss: float
    risk_exposure: float
    markets_lost: tuple[LostMarket, ...]
    products_lost: tuple[str, ...]
    clients_affected: tuple[str, ...]
    partners_affected: tuple[str, ...]
    revenue_at_risk: float
    revenue_basis: str
    hidden: bool
    severity: Severity
    explanation: str

    @property
    def subject(self) -> str:
        return self.node

    @property
    def units(self) -> tuple[Unit, ...]:
        """The (product, market) pairs lost."""
        return tuple(m.unit for m in self.markets_lost)

    @property
    def recovery_weeks(self) -> float | None:
        """Weeks until the last lost market is back (None when one rests on the 52-week fallback)."""
        weeks = [m.recovery_weeks for m in self.markets_lost]
        return None if None in weeks else max(weeks, default=0.0)  # type: ignore[type-var]

    @property
    def shortage_weeks(self) -> float:
        """The longest shortage among the lost markets."""
        return max((m.shortage_weeks for m in self.markets_lost), default=0.0)


@dataclass(frozen=True)
class CutPoints(Result):
    """Articulation points and bridges of the undirected relationship network."""

    articulation_points: tuple[str, ...]
    bridges: tuple[tuple[str, str], ...]


@dataclass(slots=True, unsafe_hash=True)  # made by the million: not frozen (see .results)
class KeyPersonRisk(Result):
    """A client-provider relationship resting on one liaison (or on none: ``liaison`` None)."""

    client: str
    provider: str
    liaison: str | None
    severity: Severity
    explanation: str

    @property
    def subject(self) -> str:
        return f"{self.client}/{self.provider}"


@dataclass(frozen=True)
class DoubleFailure(Result):
    """Two nodes whose joint failure loses markets neither loses alone
    (see :mod:`graphkit.analysis.joint`).

    ``markets_lost`` holds only those markets; ``added_revenue_at_risk`` is
    their revenue (the critical-node rule); ``added_loss`` the revenue lost
    while they run short, both failing at week 0 (:mod:`.exposure`).
    """

    nodes: tuple[str, str]
    markets_lost: tuple[Unit, ...] = field(metadata=UNITS)
    products_lost: tuple[str, ...]
    added_revenue_at_risk: float
    added_loss: float
    revenue_basis: str
    severity: Severity
    explanation: str

    @property
    def subject(self) -> str:
        return "+".join(self.nodes)


@dataclass(frozen=True)
class CommonCause(Result):
    """A country or corporate parent whose providers, failing together, lose
    markets (see :mod:`graphkit.analysis.joint`).

    ``hidden``: it loses a market no member loses alone;
    ``members_revenue_at_risk``: the members' single-failure revenue at
    risk, summed, to hold the joint loss against; ``loss``: the revenue lost
    while the markets run short, every member failing at week 0
    (:mod:`.exposure`); ``members_loss``: the members' single-failure
    losses, summed.
    """

    group: str
    nodes: tuple[str, ...]
    markets_lost: tuple[Unit, ...] = field(metadata=UNITS)
    revenue_at_risk: float
    loss: float
    revenue_basis: str
    members_revenue_at_risk: float
    members_loss: float
    hidden: bool
    severity: Severity
    explanation: str

    @property
    def subject(self) -> str:
        return self.group


@dataclass(frozen=True)
class SpofResult(Result):
    """Every single-point-of-failure finding of a portfolio (see :func:`spof`).

    The finding lists, in the order findings are listed: critical nodes,
    sole-source steps, key-person risks, double failures, common causes.
    """

    sole_source_steps: tuple[SoleSourceStep, ...] = field(metadata=findings_at(1))
    critical_nodes: tuple[CriticalNode, ...] = field(metadata=findings_at(0))
    articulation_points: tuple[str, ...]
    bridges: tuple[tuple[str, str], ...]
    key_person_risks: tuple[KeyPersonRisk, ...] = field(metadata=findings_at(2))
    # Ranked by added revenue; `double_failures_total` counts them all when the listing is capped.
    double_failures: tuple[DoubleFailure, ...] = field(default=(), metadata=findings_at(3))
    double_failures_total: int = 0
    common_causes: tuple[CommonCause, ...] = field(default=(), metadata=findings_at(4))


@dataclass(frozen=True)
class WhatIfMarket(Result):
    """A market a what-if loses, over time (the rule of :mod:`.exposure`):
    back at ``recovery_weeks`` (None when that rests on the 52-week
    fallback) through ``restored_by``, short from ``short_from_week`` (None:
    the stock outlasts the recovery) for ``shortage_weeks``, ``loss`` the
    revenue lost meanwhile, ``remedy`` what would remove the shortage."""

    product: str
    market: str | None
    recovery_weeks: float | None
    restored_by: str
    inventory_weeks: float
    shortage_weeks: float
    short_from_week: float | None
    loss: float
    remedy: str

    @classmethod
    def of(cls, m: MarketTimeline) -> WhatIfMarket:
        r = m.record()
        return cls(
            r.product, r.market, r.recovery_weeks, m.restored_by, r.inventory_weeks,
            r.shortage_weeks, r.short_from_week, r.loss, m.remedy(),
        )  # fmt: skip


@dataclass(frozen=True)
class WhatIfReport(Result):
    """Outcome of failing a set of nodes, optionally with added qualified sources.

    ``markets_lost``: (product, market) pairs available today, not after;
    ``products_lost``: products all of whose available markets are lost.
    ``products_saved``/``markets_saved``: would be lost without the added
    sources, kept with them.  ``products_gained``/``markets_gained``: not
    available today, available with the added sources.  ``providers_down``:
    the failed providers and those cut off upstream (operational today for a
    market they serve, no longer).  ``explanations``: ``(product, reason)`` per product with a
    lost market.  ``timeline``: each lost market over time, all failed
    nodes failing at week 0 (recovery, shortage, loss; :mod:`.exposure`),
    ``loss`` their sum, ``assumed`` what the timeline assumes where data is
    missing.
    """

    failed: tuple[str, ...]
    markets_lost: tuple[Unit, ...] = field(metadata=UNITS)
    products_lost: tuple[str, ...]
    markets_saved: tuple[Unit, ...] = field(metadata=UNITS)
    products_saved: tuple[str, ...]
    markets_gained: tuple[Unit, ...] = field(metadata=UNITS)
    products_gained: tuple[str, ...]
    clients_affected: tuple[str, ...]
    partners_affected: tuple[str, ...]
    revenue_at_risk: float
    revenue_basis: str
    loss: float
    providers_down: tuple[str, ...]
    explanations: tuple[tuple[str, str], ...] = field(metadata=PAIRS)
    timeline: tuple[WhatIfMarket, ...]
    assumed: tuple[str, ...]
    notes: tuple[str, ...]


# --------------------------------------------------------------------------
# shared state of one analysis run
# --------------------------------------------------------------------------


def _sorted_units(units: Iterable[Unit]) -> tuple[Unit, ...]:
    """By product, then market.  A product's markets are either all named or
    its one global market (None), so plain tuple order is that order; the
    keyed sort is for a caller mixing the two."""
    units = list(units)
    try:
        units.sort()
    except TypeError:
        units.sort(key=lambda u: (u[0], u[1] or ""))
    return tuple(units)


class Losses(NamedTuple):
    """What losing a set of (product, market) pairs means (:meth:`_Context.losses`)."""

    units: tuple[Unit, ...]
    """The pairs, in unit order."""
    described: str
    """``prod-a, prod-b (JP)``: a product whose every available market is
    among them named alone, the others with their markets."""
    products_lost: tuple[str, ...]
    """Products all of whose available markets are among them."""
    clients: tuple[str, ...]
    """Owners of their products."""
    partners: tuple[str, ...]
    """Partners whose entries serve one of their markets."""
    revenue: float
    """Revenue at risk, summed in unit order (the same float whatever order
    the pairs came in)."""
    basis: str
    """``market`` (every product gives per-market revenue), ``share`` (even
    shares of product revenue) or ``mixed``."""


class _Context:
    """Everything derived once from a portfolio and shared by the analyses."""

    def __init__(self, portfolio: Portfolio, recovery_weeks: float | None = None) -> None:
        self.portfolio = portfolio
        self.recovery_weeks = recovery_weeks
        self.units, self.feeds = supply_inputs(portfolio)
        self.backups = backup_inputs(portfolio)
        self.network = Network(self.units, self.feeds, serving=serving(self.backups))  # the timelines' too
        self.products: dict[str, Product] = {p.id: p for p in portfolio.products}
        self.unit_index = {unit: i for i, unit in enumerate(self.network.units)}
        self._sources: dict[Unit, frozenset[str]] = {}  # filled by sources_of
        self._single_revenue: dict[str, float] = {}  # filled by single_revenue

    def exposure_with(
        self,
        recovery_override: float | None = None,
        inventory_override: float | None = None,
        extra: Mapping[tuple[Unit, str], Sequence[str]] | None = None,
    ) -> Exposure:
        """Time and money of failures, with optional what-if overrides and
        ``extra`` qualified sources per (unit, step)."""
        units: Mapping[Unit, Mapping[str, Collection[str]]] = self.units
        if extra:
            units = {
                u: {s: (*src, *extra.get((u, s), ())) for s, src in steps.items()} for u, steps in self.units.items()
            }
        return Exposure(
            self.portfolio,
            units,
            self.feeds,
            self.backups,
            self._unit_revenue.__getitem__,
            None if extra else self.network,
            self.recovery_weeks,
            recovery_override,
            inventory_override,
        )

    @cached_property
    def exposure(self) -> Exposure:
        """Time and money of any failed set (``exposure.timeline(failed)``)."""
        return self.exposure_with()

    @cached_property
    def timelines(self) -> dict[str, Timeline]:
        """Each single failure's time and money, by node (as :attr:`impact`)."""
        return self.exposure.single_timelines(self.lost)

    @cached_property
    def available(self) -> frozenset[Unit]:
        return self.network.baseline[1]

    @cached_property
    def market_revenue(self) -> dict[str, dict[str | None, float] | None]:
        """Per product, its markets' own revenue when it gives one for every
        market (None otherwise: an even share of the product's revenue)."""
        out: dict[str, dict[str | None, float] | None] = {}
        for pid, p in self.products.items():
            given = {m.territory: m.annual_revenue for m in p.markets if m.annual_revenue is not None}
            markets = p.market_territories
            out[pid] = {m: given[m] for m in markets} if all(m in given for m in markets) else None  # type: ignore[index]
        return out

    @cached_property
    def _unit_revenue(self) -> dict[Unit, float]:
        out: dict[Unit, float] = {}
        for pid, p in self.products.items():
            own = self.market_revenue[pid]
            markets = p.market_territories
            share = (p.annual_revenue or 0.0) / len(markets)
            for m in markets:
                out[(pid, m)] = share if own is None else float(own[m])
        return out

    def unit_revenue(self, unit: Unit) -> float:
        return self._unit_revenue[unit]

    @cached_property
    def severity(self) -> dict[Unit, Severity]:
        """Severity of losing each unit (the points rule on the market's
        revenue), worked out once per product and revenue."""
        pf = self.portfolio
        revenue = self._unit_revenue
        levels: dict[tuple[str, float], Severity] = {}
        out: dict[Unit, Severity] = {}
        for u in self.network.units:
            key = (u[0], revenue[u])
            sev = levels.get(key)
            if sev is None:
                product = self.products[u[0]]
                sev = levels[key] = _level(severity_score(product, _segment(pf, product), key[1]))
            out[u] = sev
        return out

    @cached_property
    def portfolio_revenue(self) -> float:
        return portfolio_revenue(self.portfolio)

    def rated(
        self, money: float, units: Iterable[Unit], shift: int = 0, floor: Severity = Severity.INFO
    ) -> tuple[Severity, str]:
        """Severity of a finding costing ``money`` over ``units`` (the money
        scale, shifted by ``shift`` levels, at least ``floor``) and what to add
        to its explanation: the points rule of its worst market instead, said
        so, when none of the units records revenue."""
        units = tuple(units)
        revenue = self._unit_revenue
        if any(revenue[u] for u in units):
            return shifted(money_severity(money, self.portfolio_revenue), shift, floor), ""
        worst = max((self.severity[u] for u in units), default=Severity.INFO)
        return shifted(worst, shift, floor), f" ({POINTS_FALLBACK})"

    def rated_market(self, money: float, unit: Unit) -> tuple[Severity, str]:
        """:meth:`rated` of a finding on one market, unshifted (sole-source
        rows: one per market, a million at scale)."""
        if self._unit_revenue[unit]:
            return money_severity(money, self.portfolio_revenue), ""
        return self.severity[unit], f" ({POINTS_FALLBACK})"

    @cached_property
    def market_loss(self) -> dict[tuple[str, Unit], float]:
        """``(node, unit) -> loss`` of each market a single failure loses."""
        return {(node, m.unit): m.loss for node, t in self.timelines.items() for m in t.markets}

    @cached_property
    def impact(self) -> dict[str, frozenset[Unit]]:
        """Provider or partner id -> available units its failure alone loses."""
        nodes = self.portfolio.nodes
        return {
            n: lost
            for n, lost in self.network.single_failure_impact().items()
            if isinstance(nodes.get(n), (Provider, MarketingPartner))
        }

    @cached_property
    def lost(self) -> dict[str, tuple[Unit, ...]]:
        """:attr:`impact` with each node's units in unit order."""
        return {node: _sorted_units(units) for node, units in self.impact.items()}

    @cached_property
    def _available_count(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for p, _ in self.available:
            out[p] = out.get(p, 0) + 1
        return out

    def markets_available(self, product: str) -> int:
        return self._available_count.get(product, 0)

    @cached_property
    def _partners(self) -> dict[Unit, tuple[str, ...]]:
        """Per market of a product with partners, the partners whose entries serve it."""
        return {
            (pid, market): tuple(m.partner for m in p.marketed_by if m.territory in (None, market))
            for pid, p in self.products.items()
            if p.marketed_by
            for market in p.market_territories
        }

    def losses(self, units: Iterable[Unit]) -> Losses:
        """What losing ``units`` (distinct) means, in one pass over them (see :class:`Losses`)."""
        units = _sorted_units(units)
        by_product: dict[str, list[str | None]] = {}
        for p, m in units:
            group = by_product.get(p)
            if group is None:
                by_product[p] = [m]
            else:
                group.append(m)
        available = self._available_count
        whole = {p: len(markets) == available.get(p, 0) for p, markets in by_product.items()}
        products, partners = self.products, self._partners
        return Losses(
            units,
            _names([p if whole[p] else markets_name(p, markets) for p, markets in by_product.items()]),
            tuple(sorted(p for p, w in whole.items() if w)),
            tuple(sorted({products[p].owner for p in by_product})),
            tuple(sorted({m for u in units for m in partners.get(u, ())})),
            *self._revenue(units),
        )

    def revenue_of(self, units: Iterable[Unit]) -> tuple[float, str]:
        """:attr:`Losses.revenue` and :attr:`Losses.basis` of ``units`` (all
        that revenue-only callers need)."""
        return self._revenue(_sorted_units(units))

    def single_revenue(self, node: str) -> float:
        """Revenue at risk of ``node`` failing alone (:meth:`revenue_of` its
        :attr:`impact`), worked out once per node: a provider is in a
        country's group and a parent's."""
        out = self._single_revenue.get(node)
        if out is None:
            out = self._single_revenue[node] = self._revenue_sum(self.lost.get(node, ()))
        return out

    def _revenue_sum(self, units: tuple[Unit, ...]) -> float:
        """The revenue of units in unit order, summed in that order (the same float every time)."""
        return float(sum(map(self._unit_revenue.__getitem__, units)))

    def _revenue(self, units: tuple[Unit, ...]) -> tuple[float, str]:
        """:meth:`revenue_of` of units already in unit order."""
        revenue = self.market_revenue
        bases = {revenue[p] is not None for p, _ in units}
        basis = "mixed" if len(bases) > 1 else "market" if bases == {True} else "share"
        return self._revenue_sum(units), basis

    def sources_of(self, unit: Unit) -> frozenset[str]:
        """Every source, distributor and partner named in the unit's steps."""
        out = self._sources.get(unit)
        if out is None:
            out = self._sources[unit] = frozenset(s for sources in self.units[unit].values() for s in sources)
        return out

    def explain(self, unit: Unit, failed: AbstractSet[str]) -> str:
        return "; ".join(map(str, self.network.explain(self.unit_index[unit], failed)))


# --------------------------------------------------------------------------
# analyses
# --------------------------------------------------------------------------


@collector_paused
def sole_source_steps(portfolio: Portfolio) -> list[SoleSourceStep]:
    """Every (product, step, market) with exactly one qualified source filed
    in that market, distribution included.

    Structural: markets not currently available are listed too (their
    explanation says so).  Sorted by severity (highest first), product,
    step, market.

    Examples
    --------
    >>> from graphkit.model import Portfolio, Product, SupplyLink
    >>> p = Portfolio(products=(Product(id="p", name="P", technology="tablet", owner="c", annual_revenue=5e6,
    ...     supply=(SupplyLink(provider="a", step="api"),
    ...             SupplyLink(provider="b", step="api", qualified=False))),))
    >>> print(sole_source_steps(p)[0].explanation)
    p loses its only qualified api source if a fails; an unqualified backup b exists
    """
    return _sole_source_steps(_Context(portfolio))


def _sole_source_steps(ctx: _Context) -> list[SoleSourceStep]:
    out: list[SoleSourceStep] = []
    unqualified: dict[str, dict[str, list[tuple[str, tuple[str, ...]]]]] = {}  # product -> step -> backups
    provenance: dict[tuple[str, str, str], dict[str, None]] = {}  # (product, step, provider) -> entries' sources
    for product in ctx.portfolio.products:
        backups = unqualified[product.id] = {}
        for link in product.supply:
            if not link.qualified:
                backups.setdefault(str(link.step), []).append((link.provider, link.filed_in))
            elif link.source:
                provenance.setdefault((product.id, str(link.step), link.provider), {})[link.source] = None
        for d in product.distributors:
            if d.source:
                provenance.setdefault((product.id, DISTRIBUTION_STEP, d.distributor), {})[d.source] = None
    order = {step: i for i, step in enumerate(_STEP_NAMES)}
    keys: list[tuple[int, str, int, str]] = []  # the sort key of each row, made with it
    available, market_loss, rated = ctx.available, ctx.market_loss, ctx.rated_market
    for unit, unit_steps in ctx.units.items():
        pid, market = unit
        backups = unqualified[pid]
        where = f" in {market}" if market is not None else ""
        gone = "" if unit in available else f"; {market_name(pid, market)} is not currently available"
        for step, sources in unit_steps.items():
            if len(sources) != 1 or step == MARKETING_STEP:
                continue
            provider = sources[0]
            links = backups.get(step)
            backup = (
                tuple(dict.fromkeys(b for b, filed in links if b != provider and _filed(filed, market)))
                if links
                else ()
            )
            sev, rule = rated(market_loss.get((provider, unit), 0.0), unit)
            text = f"{pid} loses its only qualified {step} source{where} if {provider} fails"
            if len(backup) == 1:
                text += f"; an unqualified backup {backup[0]} exists"
            elif backup:
                text += f"; unqualified backups {', '.join(backup)} exist"
            text += gone + rule
            evidence = provenance.get((pid, step, provider)) if provenance else None
            if evidence:
                text += f" [source: {' | '.join(evidence)}]"
            out.append(SoleSourceStep(pid, step, market, provider, backup, sev, text))
            keys.append((-sev, pid, order[step], market or ""))
    return [out[i] for i in sorted(range(len(out)), key=keys.__getitem__)]


@collector_paused
def critical_nodes(portfolio: Portfolio, recovery_weeks: float | None = None) -> list[CriticalNode]:
    """Every provider or marketing partner whose failure alone loses a
    (product, market) available today.

    Exact over the AND/OR supply structure (upstream tiers, product-scoped
    feeds and filings included), from
    :meth:`graphkit.analysis.supply.Network.single_failure_impact`.  Each lost
    market carries its time and money (:mod:`.exposure`; ``recovery_weeks``:
    recovery of providers without their own).  Sorted by loss (the
    risk-exposure ranking), then severity, revenue at risk and number of
    markets (all highest first), then id.

    Notes
    -----
    One engine pass for all nodes, plus one explanation per critical node
    on its first lost market's upstream part of the network only.
    """
    return _critical_nodes(_Context(portfolio, recovery_weeks))


def _critical_nodes(ctx: _Context) -> list[CriticalNode]:
    out: list[CriticalNode] = []
    timelines = ctx.timelines
    worst = max((t.loss for t in timelines.values()), default=0.0)
    for node, units in ctx.lost.items():
        timeline = timelines[node]
        direct = any(node in ctx.sources_of(u) for u in units)
        sev, rule = ctx.rated(timeline.loss, units)
        lost = ctx.losses(units)
        ctx._single_revenue[node] = lost.revenue  # common causes add these up
        first = units[0]
        reasons = ctx.explain(first, frozenset((node,)))
        text = f"{node} failing takes down {lost.described} ({_revenue_text(lost.revenue)}): "
        text += reasons if len(units) == 1 else f"{market_name(*first)} {reasons}"
        text += _loss_text(timeline) + rule
        source = getattr(ctx.portfolio.nodes.get(node), "source", None)
        if source:
            text += f" [{node} source: {source}]"
        out.append(
            CriticalNode(
                node=node,
                kind=str(ctx.portfolio.kind(node)),
                loss=timeline.loss,
                risk_exposure=timeline.loss / worst if worst else 0.0,
                markets_lost=tuple(m.record() for m in timeline.markets),
                products_lost=lost.products_lost,
                clients_affected=lost.clients,
                partners_affected=lost.partners,
                revenue_at_risk=lost.revenue,
                revenue_basis=lost.basis,
                hidden=not direct,
                severity=sev,
                explanation=text,
            )
        )
    out.sort(key=lambda c: (-c.loss, -c.severity, -c.revenue_at_risk, -len(c.markets_lost), c.node))
    return out


def _loss_text(timeline: Timeline) -> str:
    """``. Loss 12M: prod-a (EU) short 10 weeks (…)`` for the market that
    costs most, with what would remove its shortage and what was assumed."""
    if not timeline.markets:
        return ""
    top = max(timeline.markets, key=lambda m: (m.loss, m.shortage_weeks))
    if not top.shortage_weeks:
        text = f". No shortage: every market is back ({top.restored_by}) before its stock runs out"
    else:
        text = (
            f". Loss {money_short(timeline.loss)}: {market_name(*top.unit)} short {top.shortage_weeks:g} weeks "
            f"from week {top.inventory_weeks:g} until week {top.recovery_weeks:g} ({top.restored_by}); "
            f"{top.remedy()}"
        )
    assumed = timeline.assumed
    return text + (f" ({'; '.join(assumed)})" if assumed else "")


@collector_paused
def single_failure_losses(portfolio: Portfolio) -> dict[str, frozenset[Unit]]:
    """Provider or marketing-partner id -> the (product, market) pairs
    available today that its failure alone loses (every node's
    `CriticalNode.markets_lost`, from the same engine pass); nodes whose
    failure loses nothing are left out.

    >>> from graphkit.model import Portfolio, Product, Provider, SupplyLink
    >>> p = Portfolio(
    ...     providers=tuple(Provider(id=i, name=i, kind=k) for i, k in (("a", "cmo"), ("b", "cmo"), ("t", "test_lab"))),
    ...     products=(Product(id="p", name="P", technology="tablet", owner="c",
    ...         supply=(SupplyLink(provider="a", step="api"), SupplyLink(provider="b", step="api"),
    ...                 SupplyLink(provider="t", step="testing"))),))
    >>> single_failure_losses(p)  # a and b back each other up; the lab does not
    {'t': frozenset({('p', None)})}
    """
    return dict(_Context(portfolio).impact)


@dataclass(frozen=True)
class SingleFailures:
    """What each provider's or marketing partner's failure alone takes down,
    all from one engine pass (the kill sets), field for field what
    :func:`whatif` reports for that one node.

    ``markets_lost``, ``providers_down`` (the node itself included when it is
    a provider), ``clients_affected`` and ``partners_affected`` are keyed by
    every provider and partner; ``revenue_exposed``: product -> revenue of its
    available markets that some single failure loses (0 for none).
    """

    markets_lost: dict[str, tuple[Unit, ...]]
    providers_down: dict[str, tuple[str, ...]]
    clients_affected: dict[str, tuple[str, ...]]
    partners_affected: dict[str, tuple[str, ...]]
    revenue_exposed: dict[str, float]


def single_failures(portfolio: Portfolio) -> SingleFailures:
    """:class:`SingleFailures` of a portfolio.

    A provider is down when one of its contexts works today and no longer
    works: exactly when the failed node is in that context's kill set.

    >>> from graphkit.model import Feed, Portfolio, Product, Provider, SupplyLink
    >>> p = Portfolio(
    ...     providers=tuple(Provider(id=i, name=i, kind="cmo") for i in ("ds", "f1", "f2")),
    ...     feeds=tuple(Feed(from_="ds", to=f, material="x") for f in ("f1", "f2")),
    ...     products=(Product(id="p", name="P", technology="tablet", owner="c",
    ...         supply=tuple(SupplyLink(provider=f, step="fill_finish") for f in ("f1", "f2"))),))
    >>> s = single_failures(p)
    >>> s.providers_down["ds"], s.markets_lost["ds"], s.markets_lost["f1"]
    (('ds', 'f1', 'f2'), (('p', None),), ())
    """
    ctx = _Context(portfolio)
    net = ctx.network
    op = net.baseline[0]
    nodes = portfolio.nodes
    down: dict[str, set[str]] = {}
    for i, kill in enumerate(net.node_kills[: net.spare_from]):
        if op[i] and kill is not None:
            for x in kill:
                down.setdefault(x, set()).add(net.base[i])
    asked = [p.id for p in portfolio.providers] + [m.id for m in portfolio.marketing_partners]
    losses = {n: ctx.losses(ctx.impact.get(n, ())) for n in asked}
    lost = {n: found.units for n, found in losses.items()}
    exposed: dict[str, set[Unit]] = {}
    for units in lost.values():
        for u in units:
            exposed.setdefault(u[0], set()).add(u)
    return SingleFailures(
        markets_lost=lost,
        providers_down={
            n: tuple(sorted(x for x in down.get(n, set()) | {n} if isinstance(nodes.get(x), Provider))) for n in asked
        },
        clients_affected={n: losses[n].clients for n in asked},
        partners_affected={n: losses[n].partners for n in asked},
        revenue_exposed={p: ctx.revenue_of(exposed.get(p, ()))[0] for p in ctx.products},
    )


def cut_points(portfolio: Portfolio) -> CutPoints:
    """Articulation points and bridges of the relationship network.

    The network is undirected and simple, over providers, clients, marketing
    partners and products, with an edge wherever an ownership, supply
    (qualified or not), distribution, marketing, feed or contract relationship
    exists.  Requirements and liaisons are left out.

    Returns
    -------
    CutPoints
        ``articulation_points`` sorted; ``bridges`` as sorted ``(a, b)`` pairs
        with ``a < b``.

    Notes
    -----
    One iterative depth-first search (Hopcroft and Tarjan's low points) over
    the nodes numbered in order and their neighbour sets: an edge to a child
    whose subtree reaches no higher than the child is a bridge, a node with
    a child whose subtree reaches no higher than the node is a cut point
    (the root: with two children or more).  The same sets as
    :func:`networkx.articulation_points` and :func:`networkx.bridges` (the
    tests hold them to it), without building a networkx graph of a million
    edges.  Linear time.
    """
    pf = portfolio
    number: dict[str, int] = {}
    for key in ("providers", "clients", "marketing_partners", "products"):
        for r in getattr(pf, key):
            number.setdefault(r.id, len(number))
    near: list[set[int]] = [set() for _ in number]
    # links, not relationships: the edges need no properties (a dict per relationship, a million at scale)
    for kind, a, b, _ in pf.links():
        if kind in _STRUCTURAL and a != b:
            i, j = (number.setdefault(n, len(number)) for n in (a, b))
            near.extend(set() for _ in range(len(number) - len(near)))  # an end that is no node of the lists
            near[i].add(j)
            near[j].add(i)
    ids = list(number)
    points, bridges = _cuts(near)
    return CutPoints(
        tuple(sorted(ids[i] for i in points)),
        tuple(sorted((a, b) if a < b else (b, a) for a, b in ((ids[i], ids[j]) for i, j in bridges))),
    )


def _cuts(near: Sequence[Collection[int]]) -> tuple[set[int], list[tuple[int, int]]]:
    """(cut points, bridges) of the simple undirected graph of nodes
    ``0..n-1`` with neighbours ``near[i]``, by one iterative depth-first search."""
    n = len(near)
    seen = [-1] * n  # discovery time
    low = [0] * n  # the earliest discovery time reachable from the node's subtree by one back edge
    points: set[int] = set()
    bridges: list[tuple[int, int]] = []
    clock = 0
    for root in range(n):
        if seen[root] != -1:
            continue
        seen[root] = low[root] = clock
        clock += 1
        children = 0
        stack = [(root, -1, iter(near[root]))]
        while stack:
            v, parent, rest = stack[-1]
            for w in rest:
                if seen[w] == -1:
                    seen[w] = low[w] = clock
                    clock += 1
                    stack.append((w, v, iter(near[w])))
                    break
                if w != parent and seen[w] < low[v]:  # a back edge (the one edge to the parent is not)
                    low[v] = seen[w]
            else:
                stack.pop()
                if parent == -1:
                    continue
                if low[v] < low[parent]:
                    low[parent] = low[v]
                if low[v] > seen[parent]:
                    bridges.append((parent, v))
                if parent == root:
                    children += 1
                elif low[v] >= seen[parent]:
                    points.add(parent)
        if children > 1:
            points.add(root)
    return points, bridges


@collector_paused
def key_person_risks(portfolio: Portfolio) -> list[KeyPersonRisk]:
    """Client-provider relationships resting on one liaison, or on none.

    A client-provider relationship exists when the client has a contract
    with the provider or owns a product the provider supplies (any supply
    link, qualified or not) or distributes.  It is a key-person risk when
    exactly one liaison of that client lists the provider; its severity is
    the loss the provider's failure costs the client's markets, one level
    lower, at least low (the module's severity rule).  Relationships with no
    liaison at all are listed with ``liaison`` None at the same severity.
    Sorted by severity (highest first), client, provider.
    """
    return _key_person_risks(_Context(portfolio))


def _key_person_risks(ctx: _Context) -> list[KeyPersonRisk]:
    pf = ctx.portfolio
    liaisons: dict[tuple[str, str], list[Liaison]] = {}
    for li in pf.liaisons:
        for prov in dict.fromkeys(li.providers):
            liaisons.setdefault((li.client, prov), []).append(li)
    # (client, provider) -> the client's markets the provider's failure loses, in unit order
    at_risk: dict[tuple[str, str], list[MarketTimeline]] = {}
    owner = {pid: p.owner for pid, p in ctx.products.items()}
    for node, timeline in ctx.timelines.items():
        product = None
        for m in timeline.markets:  # in unit order: a product's markets one after another
            if m.unit[0] != product:
                product = m.unit[0]
                group = at_risk.setdefault((owner[product], node), [])
            group.append(m)

    out: list[KeyPersonRisk] = []
    for pair in pf.client_provider_pairs:
        client, provider = pair
        people = liaisons.get(pair, [])
        if len(people) > 1:
            continue
        markets = at_risk.get(pair, [])
        spof_products = list(dict.fromkeys(m.unit[0] for m in markets))
        spof_text = f"; {provider} is a single point of failure for {_names(spof_products)}" if spof_products else ""
        if markets:
            sev, rule = ctx.rated(sum(m.loss for m in markets), [m.unit for m in markets], -1, Severity.LOW)
            spof_text += rule
        else:
            sev = Severity.LOW
        if people:
            li = people[0]
            text = f"{client}'s relationship with {provider} rests on one liaison, {li.id} ({li.name})"
            out.append(KeyPersonRisk(client, provider, li.id, sev, text + spof_text))
        else:
            text = f"{client} has no liaison with {provider}"
            out.append(KeyPersonRisk(client, provider, None, sev, text + spof_text))
    out.sort(key=lambda k: (-k.severity, k.client, k.provider))
    return out


@collector_paused
def spof(
    portfolio: Portfolio,
    pairs: int | None = None,
    recovery_weeks: float | None = None,
    progress: Callable[[str], None] | None = None,
) -> SpofResult:
    """All single-point-of-failure findings, joint failures included, sharing
    one engine run (``recovery_weeks``: recovery of providers without their own;
    ``progress`` hears the name of each step as it starts).

    ``as_dict()`` gives ``{"sole_source_steps", "critical_nodes",
    "articulation_points", "bridges", "key_person_risks", "double_failures",
    "double_failures_total", "common_causes"}``; ``pairs`` caps the double
    failures listed (every one is computed and counted in the total).
    """
    return SpofResult(**dict(spof_fields(portfolio, pairs, recovery_weeks, progress)))


def spof_fields(
    portfolio: Portfolio,
    pairs: int | None = None,
    recovery_weeks: float | None = None,
    progress: Callable[[str], None] | None = None,
) -> Iterator[tuple[str, Any]]:
    """:func:`spof`'s fields, ``(name, value)`` in order, each worked out
    when asked for: a writer lets one list of rows go before the next is
    made (at scale they are millions of rows)."""
    from .joint import _common_causes, _double_failures  # joint builds on this module's context

    step = progress or (lambda _name: None)

    def made(name: str, make: Callable[[], T]) -> T:
        step(name)
        with paused():  # not across the yields: the caller's own work keeps its collector
            return make()

    cuts = made("cut points", lambda: cut_points(portfolio))  # first: its graph is gone before the timelines come
    ctx = made("supply engine", lambda: _Context(portfolio, recovery_weeks))
    yield "sole_source_steps", made("sole sources", lambda: tuple(_sole_source_steps(ctx)))
    yield "critical_nodes", made("critical nodes", lambda: tuple(_critical_nodes(ctx)))
    yield "articulation_points", cuts.articulation_points
    yield "bridges", cuts.bridges
    yield "key_person_risks", made("key people", lambda: tuple(_key_person_risks(ctx)))
    double = made("double failures", lambda: _double_failures(ctx))
    yield "double_failures", tuple(double[:pairs])
    yield "double_failures_total", len(double)
    del double
    yield "common_causes", made("common causes", lambda: tuple(_common_causes(ctx)))


# --------------------------------------------------------------------------
# what-if
# --------------------------------------------------------------------------


@collector_paused
def whatif(
    portfolio: Portfolio,
    fail: Collection[str],
    add_sources: Iterable[tuple[str, str, str]] = (),
    recovery_weeks: float | None = None,
    inventory_weeks: float | None = None,
) -> WhatIfReport:
    """Fail a set of nodes together, optionally adding qualified sources,
    and follow each lost market over time.

    Parameters
    ----------
    portfolio : Portfolio
    fail : Collection[str]
        Node ids that fail together (a bare string is one id).  Failing a
        client or liaison is allowed but stops no supply; failing a
        marketing partner loses the markets only it sells in; failing a
        product takes just that product down.
    add_sources : Iterable[tuple[str, str, str]]
        ``(product, step, provider)`` triples: ``provider`` becomes an extra
        qualified source of an existing ``step`` of ``product``, filed in
        every market (a distributor for ``distribution``, a CMO/CRO/test lab
        otherwise).
    recovery_weeks, inventory_weeks : float, optional
        What-if overrides for the timeline: every failed node is back after
        ``recovery_weeks``; every market holds ``inventory_weeks`` of stock
        (instead of what the portfolio records).

    Returns
    -------
    WhatIfReport

    Raises
    ------
    GraphkitError
        An unknown id (with a did-you-mean), a step name that does not exist
        or that the product does not have, a provider of the wrong kind, or
        an override that is not a finite number of weeks >= 0.

    Examples
    --------
    >>> from graphkit.model import Client, Portfolio, Product, Provider, SupplyLink
    >>> p = Portfolio(
    ...     providers=(Provider(id="a", name="A", kind="cmo"), Provider(id="b", name="B", kind="cmo")),
    ...     clients=(Client(id="c", name="C", segment="large"),),
    ...     products=(Product(id="p", name="P", technology="tablet", owner="c",
    ...                       supply=(SupplyLink(provider="a", step="api"),)),))
    >>> whatif(p, ["a"]).products_lost, whatif(p, ["a"], [("p", "api", "b")]).products_saved
    (('p',), ('p',))
    """
    for name, weeks in (("recovery_weeks", recovery_weeks), ("inventory_weeks", inventory_weeks)):
        if weeks is not None and not 0 <= weeks < math.inf:
            raise GraphkitError(f"{name} must be a finite number of weeks, 0 or more (got {weeks})")
    ctx = _Context(portfolio)
    nodes = portfolio.nodes
    failed = tuple(dict.fromkeys([fail] if isinstance(fail, str) else fail))
    for node in failed:
        if node not in nodes:
            raise GraphkitError(f"unknown node '{node}'{did_you_mean(node, nodes)}")
    extra = _validated_sources(ctx, add_sources)
    notes: list[str] = []
    for (product, step), added in extra.items():
        qualified = {
            link.provider for link in ctx.products[product].supply if link.qualified and str(link.step) == step
        }
        if step == DISTRIBUTION_STEP:
            qualified = {d.distributor for d in ctx.products[product].distributors}
        for prov in added:
            if prov in qualified:
                notes.append(f"{prov} is already a qualified {step} source of {product}")

    unit_extra = {
        (unit, step): tuple(added)
        for (product, step), added in extra.items()
        for unit in ctx.units
        if unit[0] == product
    }
    result = ctx.network.what_if(failed, unit_extra)
    lost = _sorted_units(result.lost)
    failed_set = frozenset(failed)
    explanations = _explanations(ctx, lost, failed_set, unit_extra)

    supplying = {s for ps in ctx.units.values() for sources in ps.values() for s in sources}
    supplying.update(ctx.feeds)
    supplying.update(f.feeder for into in ctx.feeds.values() for f in into)
    for node in failed:
        kind = portfolio.kind(node)
        if kind is NodeKind.PRODUCT:
            notes.append(f"{node} is a product: failing it takes only that product down")
        elif not isinstance(nodes[node], (Provider, MarketingPartner)):
            notes.append(f"{node} is a {humanize(kind)}: its failure stops no supply")
        elif node not in supplying:
            what = (
                "no partner named for a market"
                if kind is NodeKind.MARKETING_PARTNER
                else ("no qualified source, distributor or feeder of anything")
            )
            notes.append(f"{node} is {what}: its failure stops no supply")
    unavailable = _sorted_units(set(ctx.units) - result.baseline)
    if unavailable:
        notes.append(
            f"{len(unavailable)} market(s) not currently available are not counted as lost: "
            f"{_names([market_name(*u) for u in unavailable])}"
        )
    timeline = ctx.exposure_with(recovery_weeks, inventory_weeks, unit_extra).timeline(failed_set, lost)
    found = ctx.losses(lost)
    gained = _sorted_units(result.gained)
    saved = _sorted_units(result.saved)
    return WhatIfReport(
        failed=failed,
        markets_lost=lost,
        products_lost=found.products_lost,
        markets_saved=saved,
        products_saved=tuple(sorted({p for p, _ in saved})),
        markets_gained=gained,
        products_gained=tuple(sorted({p for p, _ in gained})),
        clients_affected=found.clients,
        partners_affected=found.partners,
        revenue_at_risk=found.revenue,
        revenue_basis=found.basis,
        loss=timeline.loss,
        providers_down=tuple(sorted(n for n in result.providers_lost.union(failed) if isinstance(nodes[n], Provider))),
        explanations=explanations,
        timeline=tuple(map(WhatIfMarket.of, timeline.markets)),
        assumed=timeline.assumed,
        notes=tuple(notes),
    )


def _explanations(
    ctx: _Context, lost: Sequence[Unit], failed: frozenset[str], extra: Mapping[tuple[Unit, str], Sequence[str]]
) -> tuple[tuple[str, str], ...]:
    """Per product with a lost market, why: one reason for a global market,
    else the markets sharing a reason grouped (``EU, JP: step …``)."""
    by_product: dict[str, dict[str, list[str | None]]] = {}
    for unit in lost:
        product, market = unit
        if product in failed:
            reason = f"{product} itself fails"
        elif any(u == unit for u, _ in extra):
            # explain with the added sources in place: they were lost too
            steps = {s: (*src, *extra.get((unit, s), ())) for s, src in ctx.units[unit].items()}
            reason = "; ".join(map(str, Network({unit: steps}, ctx.feeds).explain(0, failed)))
        else:
            reason = ctx.explain(unit, failed)
        by_product.setdefault(product, {}).setdefault(reason, []).append(market)
    out = []
    for product, reasons in by_product.items():
        # markets named only where the reason does not hold for every market the product has today
        whole = len(reasons) == 1 and len(next(iter(reasons.values()))) == ctx.markets_available(product)
        parts = [
            reason if whole or markets == [None] else f"{', '.join(str(m) for m in markets)}: {reason}"
            for reason, markets in reasons.items()
        ]
        out.append((product, "; ".join(parts) if len(parts) == 1 else " | ".join(parts)))
    return tuple(out)


def _validated_sources(ctx: _Context, add_sources: Iterable[tuple[str, str, str]]) -> dict[tuple[str, str], list[str]]:
    nodes = ctx.portfolio.nodes
    extra: dict[tuple[str, str], list[str]] = {}
    for triple in add_sources:
        product, step, provider = (str(x).strip() for x in triple)
        if product not in ctx.products:
            if product in nodes:
                raise GraphkitError(f"'{product}' is a {ctx.portfolio.kind(product)}, not a product")
            raise GraphkitError(f"unknown product '{product}'{did_you_mean(product, ctx.products)}")
        if step not in _STEP_NAMES:
            raise GraphkitError(
                f"unknown step '{step}'{did_you_mean(step, _STEP_NAMES)} (steps: {', '.join(_STEP_NAMES)})"
            )
        product_steps = next(s for u, s in ctx.units.items() if u[0] == product)
        if step not in product_steps:
            has = ", ".join(s for s in product_steps if s != MARKETING_STEP) or "none"
            raise GraphkitError(f"{product} has no {step} step to add a source to (its steps: {has})")
        record = nodes.get(provider)
        if not isinstance(record, Provider):
            if record is not None:
                raise GraphkitError(f"'{provider}' is a {ctx.portfolio.kind(provider)}, not a provider")
            providers = [p.id for p in ctx.portfolio.providers]
            raise GraphkitError(f"unknown provider '{provider}'{did_you_mean(provider, providers)}")
        is_distributor = record.kind is ProviderKind.DISTRIBUTOR
        if is_distributor != (step == DISTRIBUTION_STEP):
            need = "a distributor" if step == DISTRIBUTION_STEP else "a CMO, CRO or test lab"
            raise GraphkitError(f"{provider} is a {humanize(record.kind)}: the {step} step needs {need}")
        added = extra.setdefault((product, step), [])
        if provider not in added:
            added.append(provider)
    return extra


def _names(ids: Sequence[str]) -> str:
    if len(ids) <= _LIST_AT_MOST:
        return ", ".join(ids)
    return f"{', '.join(ids[:_LIST_AT_MOST])} and {len(ids) - _LIST_AT_MOST} more"


def _revenue_text(revenue: float) -> str:
    if not revenue:
        return "no revenue recorded"
    return f"{money_short(revenue)} revenue"
