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

Severity rule (the one place it is written down)
------------------------------------------------
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
low.  Then:

* a **critical node**'s severity is the highest of its lost products',
  one level higher (capped at critical) when it takes down 3 or more;
* a **sole-source step** has its product's severity, one level lower (down
  to info) when an unqualified backup of that step exists;
* a **key-person risk** is medium, high when the provider is a critical
  node for a product of that client; a relationship with no liaison at all
  is listed with ``liaison: None`` at low.

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
    "CriticalNode",
    "CutPoints",
    "KeyPersonRisk",
    "SoleSourceStep",
    "SpofResult",
    "WhatIfReport",
    "critical_nodes",
    "cut_points",
    "key_person_risks",
    "product_severity",
    "severity_score",
    "sole_source_steps",
    "spof",
    "supply_inputs",
    "whatif",
]

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import networkx as nx

from ..model import (
    DISTRIBUTION_STEP,
    Client,
    Liaison,
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
from ..text import humanize, money_short
from .severity import Severity
from .supply import Hop, SourceLoss, StepLoss, explain_loss, operational, single_failure_impact, what_if

# --------------------------------------------------------------------------
# severity rule (documented in the module docstring)
# --------------------------------------------------------------------------

_REVENUE_POINTS = ((50_000_000.0, 2), (5_000_000.0, 1))
_STERILE_POINTS = 2
_STAGE_POINTS = {Stage.COMMERCIAL: 2, Stage.CLINICAL: 1}
_SEGMENT_POINTS = {Segment.SMALL: 2, Segment.MID_SIZED: 1, Segment.GENERICS_ONLY: 1, Segment.LARGE: 0}
_LEVELS = ((6, Severity.CRITICAL), (4, Severity.HIGH), (2, Severity.MEDIUM))
_MANY_PRODUCTS = 3  # a node taking down this many products is one level worse

# Relationship types forming the structural network of cut_points.
_STRUCTURAL = frozenset(
    {RelType.OWNS, RelType.SUPPLIES, RelType.DISTRIBUTES, RelType.MARKETS, RelType.FEEDS, RelType.CONTRACTS_WITH}
)
_STEP_NAMES = tuple(s.value for s in Step) + (DISTRIBUTION_STEP,)
_LIST_AT_MOST = 5  # products named in one explanation line


def severity_score(product: Product, segment: Segment | None) -> int:
    """Points of the severity rule for losing ``product`` (owner in ``segment``)."""
    revenue = product.annual_revenue or 0.0
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


def _shift(sev: Severity, by: int) -> Severity:
    return Severity(min(Severity.CRITICAL, max(Severity.INFO, sev + by)))


# --------------------------------------------------------------------------
# engine inputs
# --------------------------------------------------------------------------


def supply_inputs(
    portfolio: Portfolio,
) -> tuple[dict[str, dict[str, tuple[str, ...]]], dict[str, dict[str, tuple[str, ...]]]]:
    """The supply engine's ``(steps, feeds)`` for a portfolio.

    Returns
    -------
    steps : dict[str, dict[str, tuple[str, ...]]]
        ``product id -> step -> qualified source ids`` for every product (in
        file order, sources de-duplicated).  Every step named in the product's
        ``supply`` is present, with ``()`` when all its sources are
        unqualified; ``distribution`` lists the distributors when the product
        has any.  A product with neither has no steps (always available).
    feeds : dict[str, dict[str, tuple[str, ...]]]
        ``receiving provider -> material -> feeder ids``.

    Examples
    --------
    >>> from graphkit.model import Portfolio, Product, SupplyLink
    >>> p = Portfolio(products=(Product(id="p", name="P", technology="tablet", owner="c",
    ...     supply=(SupplyLink(provider="a", step="api"),
    ...             SupplyLink(provider="b", step="testing", qualified=False)),
    ...     distributors=("d",)),))
    >>> supply_inputs(p)[0]
    {'p': {'api': ('a',), 'testing': (), 'distribution': ('d',)}}
    """
    steps: dict[str, dict[str, tuple[str, ...]]] = {}
    for product in portfolio.products:
        acc: dict[str, dict[str, None]] = {}
        for link in product.supply:
            sources = acc.setdefault(str(link.step), {})
            if link.qualified:
                sources[link.provider] = None
        if product.distributors:
            acc[DISTRIBUTION_STEP] = dict.fromkeys(d.distributor for d in product.distributors)
        steps[product.id] = {step: tuple(sources) for step, sources in acc.items()}
    fed: dict[str, dict[str, dict[str, None]]] = {}
    for f in portfolio.feeds:
        fed.setdefault(f.to, {}).setdefault(f.material, {})[f.from_] = None
    feeds = {p: {m: tuple(fs) for m, fs in mats.items()} for p, mats in fed.items()}
    return steps, feeds


# --------------------------------------------------------------------------
# results
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class SoleSourceStep:
    """A product step with exactly one qualified source.

    ``backup`` holds the step's unqualified sources (which do not count).
    """

    product: str
    step: str
    provider: str
    backup: tuple[str, ...]
    severity: Severity
    explanation: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "product": self.product,
            "step": self.step,
            "provider": self.provider,
            "backup": list(self.backup),
            "severity": str(self.severity),
            "explanation": self.explanation,
        }


@dataclass(frozen=True)
class CriticalNode:
    """A provider whose failure alone takes down currently available products.

    ``hidden`` is true when it is a qualified source or distributor of none of
    them: it reaches them only through ``feeds`` (a hidden common mode).
    """

    node: str
    kind: str
    products_lost: tuple[str, ...]
    clients_affected: tuple[str, ...]
    partners_affected: tuple[str, ...]
    revenue_at_risk: float
    hidden: bool
    severity: Severity
    explanation: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "node": self.node,
            "kind": self.kind,
            "products_lost": list(self.products_lost),
            "clients_affected": list(self.clients_affected),
            "partners_affected": list(self.partners_affected),
            "revenue_at_risk": self.revenue_at_risk,
            "hidden": self.hidden,
            "severity": str(self.severity),
            "explanation": self.explanation,
        }


@dataclass(frozen=True)
class CutPoints:
    """Articulation points and bridges of the undirected relationship network."""

    articulation_points: tuple[str, ...]
    bridges: tuple[tuple[str, str], ...]

    def as_dict(self) -> dict[str, Any]:
        return {"articulation_points": list(self.articulation_points), "bridges": [list(b) for b in self.bridges]}


@dataclass(frozen=True)
class KeyPersonRisk:
    """A client-provider relationship resting on one liaison (or on none: ``liaison`` None)."""

    client: str
    provider: str
    liaison: str | None
    severity: Severity
    explanation: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "client": self.client,
            "provider": self.provider,
            "liaison": self.liaison,
            "severity": str(self.severity),
            "explanation": self.explanation,
        }


@dataclass(frozen=True)
class SpofResult:
    """Every single-point-of-failure finding of a portfolio (see :func:`spof`)."""

    sole_source_steps: tuple[SoleSourceStep, ...]
    critical_nodes: tuple[CriticalNode, ...]
    articulation_points: tuple[str, ...]
    bridges: tuple[tuple[str, str], ...]
    key_person_risks: tuple[KeyPersonRisk, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "sole_source_steps": [s.as_dict() for s in self.sole_source_steps],
            "critical_nodes": [c.as_dict() for c in self.critical_nodes],
            "articulation_points": list(self.articulation_points),
            "bridges": [list(b) for b in self.bridges],
            "key_person_risks": [k.as_dict() for k in self.key_person_risks],
        }


@dataclass(frozen=True)
class WhatIfReport:
    """Outcome of failing a set of nodes, optionally with added qualified sources.

    ``products_lost``: available today, not after.  ``products_saved``: would
    be lost without the added sources, kept with them.  ``products_gained``:
    not available today, available with the added sources.
    ``providers_down``: operational today, not after (failed or cut off
    upstream).  ``explanations``: ``(product, reason)`` per lost product.
    """

    failed: tuple[str, ...]
    products_lost: tuple[str, ...]
    products_saved: tuple[str, ...]
    products_gained: tuple[str, ...]
    clients_affected: tuple[str, ...]
    partners_affected: tuple[str, ...]
    revenue_at_risk: float
    providers_down: tuple[str, ...]
    explanations: tuple[tuple[str, str], ...]
    notes: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "failed": list(self.failed),
            "products_lost": list(self.products_lost),
            "products_saved": list(self.products_saved),
            "products_gained": list(self.products_gained),
            "clients_affected": list(self.clients_affected),
            "partners_affected": list(self.partners_affected),
            "revenue_at_risk": self.revenue_at_risk,
            "providers_down": list(self.providers_down),
            "explanations": dict(self.explanations),
            "notes": list(self.notes),
        }


# --------------------------------------------------------------------------
# shared state of one analysis run
# --------------------------------------------------------------------------


class _Context:
    """Everything derived once from a portfolio and shared by the analyses."""

    def __init__(self, portfolio: Portfolio) -> None:
        self.portfolio = portfolio
        self.steps, self.feeds = supply_inputs(portfolio)
        self.products: dict[str, Product] = {p.id: p for p in portfolio.products}

    @cached_property
    def severity(self) -> dict[str, Severity]:
        """Severity of losing each product."""
        pf = self.portfolio
        return {pid: _level(severity_score(p, _segment(pf, p))) for pid, p in self.products.items()}

    @cached_property
    def impact(self) -> dict[str, frozenset[str]]:
        """Provider id -> currently available products its failure alone takes down."""
        nodes = self.portfolio.nodes
        return {
            n: lost
            for n, lost in single_failure_impact(self.steps, self.feeds).items()
            if isinstance(nodes.get(n), Provider)
        }

    def clients_of(self, products: Iterable[str]) -> tuple[str, ...]:
        return tuple(sorted({self.products[p].owner for p in products}))

    def partners_of(self, products: Iterable[str]) -> tuple[str, ...]:
        return tuple(sorted({m.partner for p in products for m in self.products[p].marketed_by}))

    def revenue_of(self, products: Iterable[str]) -> float:
        return float(sum(self.products[p].annual_revenue or 0.0 for p in products))

    def upstream_feeds(self, start: Iterable[str]) -> dict[str, Mapping[str, tuple[str, ...]]]:
        """The feeds of ``start`` and of everything upstream of them: the
        operational status of those providers is the same in this sub-instance."""
        seen: set[str] = set()
        stack = list(start)
        while stack:
            p = stack.pop()
            if p in seen:
                continue
            seen.add(p)
            for feeders in self.feeds.get(p, {}).values():
                stack.extend(f for f in feeders if f not in seen)
        return {p: self.feeds[p] for p in seen if p in self.feeds}


# --------------------------------------------------------------------------
# analyses
# --------------------------------------------------------------------------


def sole_source_steps(portfolio: Portfolio) -> list[SoleSourceStep]:
    """Every (product, step) with exactly one qualified source, distribution included.

    Structural: products not currently available are listed too (their
    explanation says so).  Sorted by severity (highest first), product, step.

    Examples
    --------
    >>> from graphkit.model import Portfolio, Product, SupplyLink
    >>> p = Portfolio(products=(Product(id="p", name="P", technology="tablet", owner="c",
    ...     supply=(SupplyLink(provider="a", step="api"),
    ...             SupplyLink(provider="b", step="api", qualified=False))),))
    >>> print(sole_source_steps(p)[0].explanation)
    p loses its only qualified api source if a fails; an unqualified backup b exists
    """
    return _sole_source_steps(_Context(portfolio))


def _sole_source_steps(ctx: _Context) -> list[SoleSourceStep]:
    available = operational(ctx.steps, ctx.feeds)[1]
    out: list[SoleSourceStep] = []
    for pid, product_steps in ctx.steps.items():
        unqualified = [link for link in ctx.products[pid].supply if not link.qualified]
        for step, sources in product_steps.items():
            if len(sources) != 1:
                continue
            provider = sources[0]
            backup = tuple(
                dict.fromkeys(link.provider for link in unqualified if link.step == step and link.provider != provider)
            )
            sev = _shift(ctx.severity[pid], -1) if backup else ctx.severity[pid]
            text = f"{pid} loses its only qualified {step} source if {provider} fails"
            if len(backup) == 1:
                text += f"; an unqualified backup {backup[0]} exists"
            elif backup:
                text += f"; unqualified backups {', '.join(backup)} exist"
            if pid not in available:
                text += f" ({pid} is not currently available)"
            out.append(SoleSourceStep(pid, step, provider, backup, sev, text))
    out.sort(key=lambda s: (-s.severity, s.product, _STEP_NAMES.index(s.step)))
    return out


def critical_nodes(portfolio: Portfolio) -> list[CriticalNode]:
    """Every provider whose failure alone makes a currently available product unavailable.

    Exact over the AND/OR supply structure (upstream tiers included), from
    :func:`graphkit.analysis.supply.single_failure_impact`.  Sorted by
    severity, then revenue at risk, then number of products (all highest
    first), then id.

    Notes
    -----
    One engine pass for all providers, plus one :func:`explain_loss` per
    critical node run on the first lost product's upstream sub-instance only
    (so the explanations cost the size of those sub-instances, not the
    portfolio's, per node).
    """
    return _critical_nodes(_Context(portfolio))


def _critical_nodes(ctx: _Context) -> list[CriticalNode]:
    out: list[CriticalNode] = []
    for node, lost in ctx.impact.items():
        products = tuple(sorted(lost))
        direct = any(node in sources for p in products for sources in ctx.steps[p].values())
        sev = max(ctx.severity[p] for p in products)
        if len(products) >= _MANY_PRODUCTS:
            sev = _shift(sev, 1)
        revenue = ctx.revenue_of(products)
        first = products[0]
        sub_feeds = ctx.upstream_feeds(s for sources in ctx.steps[first].values() for s in sources)
        reasons = "; ".join(map(str, explain_loss({first: ctx.steps[first]}, sub_feeds, node, first)))
        text = f"{node} failing takes down {_names(products)} ({_revenue_text(revenue)}): "
        text += reasons if len(products) == 1 else f"{first} {reasons}"
        out.append(
            CriticalNode(
                node=node,
                kind=str(ctx.portfolio.kind(node)),
                products_lost=products,
                clients_affected=ctx.clients_of(products),
                partners_affected=ctx.partners_of(products),
                revenue_at_risk=revenue,
                hidden=not direct,
                severity=sev,
                explanation=text,
            )
        )
    out.sort(key=lambda c: (-c.severity, -c.revenue_at_risk, -len(c.products_lost), c.node))
    return out


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
    :func:`networkx.articulation_points`, and the bridges as the
    single-edge components of :func:`networkx.biconnected_component_edges`
    (the same set as :func:`networkx.bridges`, whose chain decomposition is
    about four times slower on large networks).  Two depth-first searches:
    linear time.
    """
    g: nx.Graph[str] = nx.Graph()
    pf = portfolio
    g.add_nodes_from(
        r.id for key in ("providers", "clients", "marketing_partners", "products") for r in getattr(pf, key)
    )
    g.add_edges_from((r.source, r.target) for r in pf.relationships() if r.type in _STRUCTURAL and r.source != r.target)
    points = tuple(sorted(nx.articulation_points(g)))
    # In a simple graph an edge is a bridge iff it is a biconnected component
    # on its own; this equals nx.bridges (tested) at a quarter of its time.
    bridges = tuple(
        sorted(
            (a, b) if a < b else (b, a)
            for component in nx.biconnected_component_edges(g)
            if len(component) == 1
            for a, b in component
        )
    )
    return CutPoints(points, bridges)


def key_person_risks(portfolio: Portfolio) -> list[KeyPersonRisk]:
    """Client-provider relationships resting on one liaison, or on none.

    A client-provider relationship exists when the client has a contract
    with the provider or owns a product the provider supplies (any supply
    link, qualified or not) or distributes.  It is a key-person risk when
    exactly one liaison of that client lists the provider (medium; high when
    the provider is a critical node for one of the client's products).
    Relationships with no liaison at all are listed with ``liaison`` None at
    low severity.  Sorted by severity (highest first), client, provider.
    """
    return _key_person_risks(_Context(portfolio))


def _key_person_risks(ctx: _Context) -> list[KeyPersonRisk]:
    pf = ctx.portfolio
    pairs: dict[tuple[str, str], None] = {}
    for c in pf.contracts:
        pairs[(c.client, c.provider)] = None
    for product in pf.products:
        for link in product.supply:
            pairs[(product.owner, link.provider)] = None
        for d in product.distributors:
            pairs[(product.owner, d.distributor)] = None
    liaisons: dict[tuple[str, str], list[Liaison]] = {}
    for li in pf.liaisons:
        for prov in dict.fromkeys(li.providers):
            liaisons.setdefault((li.client, prov), []).append(li)
    at_risk: dict[tuple[str, str], list[str]] = {}  # (client, provider) -> its products lost
    for node, lost in ctx.impact.items():
        for pid in lost:
            at_risk.setdefault((ctx.products[pid].owner, node), []).append(pid)

    out: list[KeyPersonRisk] = []
    for pair in pairs:
        client, provider = pair
        people = liaisons.get(pair, [])
        if len(people) > 1:
            continue
        spof_products = sorted(at_risk.get(pair, ()))
        spof_text = f"; {provider} is a single point of failure for {_names(spof_products)}" if spof_products else ""
        if people:
            li = people[0]
            sev = Severity.HIGH if spof_products else Severity.MEDIUM
            text = f"{client}'s relationship with {provider} rests on one liaison, {li.id} ({li.name})"
            out.append(KeyPersonRisk(client, provider, li.id, sev, text + spof_text))
        else:
            text = f"{client} has no liaison with {provider}"
            out.append(KeyPersonRisk(client, provider, None, Severity.LOW, text + spof_text))
    out.sort(key=lambda k: (-k.severity, k.client, k.provider))
    return out


def spof(portfolio: Portfolio) -> SpofResult:
    """All single-point-of-failure findings, sharing one engine run.

    ``as_dict()`` gives ``{"sole_source_steps", "critical_nodes",
    "articulation_points", "bridges", "key_person_risks"}``.
    """
    ctx = _Context(portfolio)
    cuts = cut_points(portfolio)
    return SpofResult(
        sole_source_steps=tuple(_sole_source_steps(ctx)),
        critical_nodes=tuple(_critical_nodes(ctx)),
        articulation_points=cuts.articulation_points,
        bridges=cuts.bridges,
        key_person_risks=tuple(_key_person_risks(ctx)),
    )


# --------------------------------------------------------------------------
# what-if
# --------------------------------------------------------------------------


def whatif(
    portfolio: Portfolio,
    fail: Collection[str],
    add_sources: Iterable[tuple[str, str, str]] = (),
) -> WhatIfReport:
    """Fail a set of nodes together, optionally adding qualified sources.

    Parameters
    ----------
    portfolio : Portfolio
    fail : Collection[str]
        Node ids that fail together (a bare string is one id).  Failing a
        client, marketing partner or liaison is allowed but stops no supply;
        failing a product takes just that product down.
    add_sources : Iterable[tuple[str, str, str]]
        ``(product, step, provider)`` triples: ``provider`` becomes an extra
        qualified source of an existing ``step`` of ``product`` (a
        distributor for ``distribution``, a CMO/CRO/test lab otherwise).

    Returns
    -------
    WhatIfReport

    Raises
    ------
    GraphkitError
        An unknown id (with a did-you-mean), a step name that does not exist
        or that the product does not have, or a provider of the wrong kind.

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
    ctx = _Context(portfolio)
    nodes = portfolio.nodes
    failed = tuple(dict.fromkeys([fail] if isinstance(fail, str) else fail))
    for node in failed:
        if node not in nodes:
            raise GraphkitError(f"unknown node '{node}'{did_you_mean(node, nodes)}")
    extra = _validated_sources(ctx, add_sources)
    notes: list[str] = []
    for (product, step), added in extra.items():
        for prov in added:
            if prov in ctx.steps[product][step]:
                notes.append(f"{prov} is already a qualified {step} source of {product}")

    result = what_if(ctx.steps, ctx.feeds, failed, {k: tuple(v) for k, v in extra.items()})
    after_steps: dict[str, dict[str, tuple[str, ...]]] = {}
    for (product, step), added in extra.items():
        merged = after_steps.setdefault(product, dict(ctx.steps[product]))
        merged[step] = tuple(dict.fromkeys((*merged[step], *added)))
    lost = tuple(sorted(result.lost))
    failed_set = set(failed)
    explanations = tuple((p, _explain(ctx, p, failed_set, after_steps.get(p, ctx.steps[p]))) for p in lost)

    supplying = {s for ps in ctx.steps.values() for sources in ps.values() for s in sources}
    supplying.update(ctx.feeds)
    supplying.update(f for mats in ctx.feeds.values() for fs in mats.values() for f in fs)
    for node in failed:
        kind = portfolio.kind(node)
        if kind is NodeKind.PRODUCT:
            notes.append(f"{node} is a product: failing it takes only that product down")
        elif not isinstance(nodes[node], Provider):
            notes.append(f"{node} is a {humanize(kind)}: its failure stops no supply")
        elif node not in supplying:
            notes.append(
                f"{node} is no qualified source, distributor or feeder of anything: its failure stops no supply"
            )
    unavailable = sorted(set(ctx.steps) - result.baseline)
    if unavailable:
        notes.append(
            f"{len(unavailable)} product(s) not currently available are not counted as lost: {_names(unavailable)}"
        )
    return WhatIfReport(
        failed=failed,
        products_lost=lost,
        products_saved=tuple(sorted(result.saved)),
        products_gained=tuple(sorted(result.gained)),
        clients_affected=ctx.clients_of(lost),
        partners_affected=ctx.partners_of(lost),
        revenue_at_risk=ctx.revenue_of(lost),
        # a failed provider the engine never sees (no feeds, no sources) is down too
        providers_down=tuple(
            sorted(
                result.providers_lost.union(n for n in failed if isinstance(nodes[n], Provider) and n not in supplying)
            )
        ),
        explanations=explanations,
        notes=tuple(notes),
    )


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
        if step not in ctx.steps[product]:
            has = ", ".join(ctx.steps[product]) or "none"
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


def _explain(ctx: _Context, product: str, failed: set[str], product_steps: Mapping[str, Sequence[str]]) -> str:
    """Why ``product`` is lost when ``failed`` fail together (``product_steps``
    include any added sources): per uncovered step, each source's chain of lost
    materials up to a failed node, in the format of
    :func:`graphkit.analysis.supply.explain_loss`.  Runs on the product's
    upstream sub-instance, where its fate is the same as in the portfolio."""
    if product in failed:
        return f"{product} itself fails"
    steps_sub = {product: product_steps}
    feeds_sub = ctx.upstream_feeds(s for sources in product_steps.values() for s in sources)
    op0 = operational(steps_sub, feeds_sub)[0]
    op1 = operational(steps_sub, feeds_sub, failed)[0]
    losses: list[StepLoss] = []
    for step, sources in product_steps.items():
        live = tuple(s for s in dict.fromkeys(sources) if s in op0)
        if any(s in op1 for s in live):
            continue
        losses.append(StepLoss(product, step, tuple(_source_loss(s, feeds_sub, op0, op1, failed) for s in live)))
    return "; ".join(map(str, losses))


def _source_loss(
    source: str,
    feeds: Mapping[str, Mapping[str, Sequence[str]]],
    op0: Collection[str],
    op1: Collection[str],
    failed: Collection[str],
) -> SourceLoss:
    """A lost source's chain up to the first failed node, as explain_loss builds it
    (following a failed feeder when there is one, else the first lost one)."""
    chain: list[Hop] = []
    seen = {source}
    cur = source
    end = source
    while cur not in failed:
        for material, feeders in feeds.get(cur, {}).items():  # noqa: B007 (the material that broke the loop is used after it)
            base = tuple(f for f in dict.fromkeys(feeders) if f in op0)
            if not any(f in op1 for f in base):
                break
        else:  # pragma: no cover - an operational-before, lost-after source has a lost material
            break
        chain.append(Hop(material, base))
        if not base:  # pragma: no cover - a source live before had a live feeder of each material
            break
        cur = next((f for f in base if f in failed), base[0])
        end = cur
        if cur in seen:
            break
        seen.add(cur)
    return SourceLoss(source, tuple(chain), end)


def _names(ids: Sequence[str]) -> str:
    if len(ids) <= _LIST_AT_MOST:
        return ", ".join(ids)
    return f"{', '.join(ids[:_LIST_AT_MOST])} and {len(ids) - _LIST_AT_MOST} more"


def _revenue_text(revenue: float) -> str:
    if not revenue:
        return "no revenue recorded"
    return f"{money_short(revenue)} revenue"
