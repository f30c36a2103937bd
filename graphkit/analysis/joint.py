"""Joint failures: pairs of nodes that fail together (N-2) and groups of
providers with one cause (a country, a corporate parent).

Both are exact over the supply engine's AND/OR structure
(:mod:`graphkit.analysis.supply`) and count losses as (product, market)
pairs available today, with the revenue rule of critical nodes.

Pairs are found without failing every pair of the portfolio.  A pair
{a, b} can only take down a unit (a market of a product) when both sit in
that unit's upstream; when neither takes it down alone, b takes it down once
a has failed, i.e. b is in the unit's single-failure kill set in the network
without a.  So per unit, and per node a of its upstream that does not kill
it alone, one kill-set computation over that upstream only: the cost is the
sum over units of their upstream size squared, not the number of pairs
times the portfolio.  Units with the same operational sources share it.

Severity (the money scale, see :mod:`graphkit.analysis.spof`): a pair's
from its added loss, one level lower, as it needs two independent failures;
a group's from its loss.
"""

from __future__ import annotations

__all__ = [
    "GROUP_KEYS",
    "common_causes",
    "double_failures",
    "group_members",
    "pair_impact",
]

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from typing import Final

from ..model import MarketingPartner, Portfolio, Provider
from ..problems import GraphkitError, did_you_mean
from .cascade import Cascade, feeders_first
from .spof import CommonCause, DoubleFailure, _Context, _names, _revenue_text, _sorted_units
from .supply import Network, Unit, _intersect, _union

GROUP_KEYS: Final = ("country", "parent")
"""Provider fields whose shared value is a common cause of failure."""

# A material no feed delivers: given to a provider, it never operates (the
# same as failing it), so a network can be asked "what if a had failed".
_NEVER: Final = "\x00failed"


# --------------------------------------------------------------------------
# the engine: pairs over each unit's upstream
# --------------------------------------------------------------------------


def _all_upstream(net: Network, sources: Iterable[str]) -> set[str]:
    """``sources`` and every provider feeding them through any feed (scope
    and filings ignored): the feeds a part of the network needs so that its
    providers tell products and markets apart exactly as in the whole."""
    seen = set(sources)
    stack = list(seen)
    while stack:
        for f in net.feeds.get(stack.pop(), ()):
            if f.feeder not in seen:
                seen.add(f.feeder)
                stack.append(f.feeder)
    return seen


def _unit_pairs(net: Network, u: int, ids: AbstractSet[str], rank: Mapping[int, int] | None) -> set[tuple[str, str]]:
    """The pairs of ``ids`` that take down available unit ``u`` together
    while neither does alone (:func:`_pairs` over its steps)."""
    alone = net.unit_kill(u)
    found = _pairs(net, [sources for _, sources in net.unit_steps[u]], alone, ids, rank)
    return _unit_pairs_cyclic(net, u, ids, alone) if found is None else found


def _pairs(
    net: Network,
    steps: Sequence[Sequence[int]],
    alone: AbstractSet[str],
    ids: AbstractSet[str],
    rank: Mapping[int, int] | None,
) -> set[tuple[str, str]] | None:
    """The pairs of ``ids``, neither in ``alone``, whose failing together
    leaves one of ``steps`` (source lists, each with an operational source
    today) with none; ``alone`` must hold every id that does so by itself.
    ``rank``: every baseline-operational node numbered feeders first (None
    where feeds cycle somewhere: then the steps' own part is numbered, and
    None is returned where that part cycles)."""
    op0 = net.baseline[0]
    part = net.upstream(s for sources in steps for s in sources)
    candidates = sorted({net.base[i] for i in part if op0[i]}.intersection(ids).difference(alone))
    if len(candidates) < 2:
        return set()
    live = [i for i in part if op0[i]]
    order = rank if rank is not None else feeders_first(net, live, op0)
    if order is None:
        return None
    out: set[tuple[str, str]] = set()
    receivers: dict[int, list[int]] = {}
    nodes_of: dict[str, list[int]] = {}
    for i in live:
        nodes_of.setdefault(net.base[i], []).append(i)
        for _, feeders in net.materials[i]:
            for f in feeders:
                if op0[f]:
                    receivers.setdefault(f, []).append(i)
    # b > a: each pair is met from both of its ids, so the last candidate adds none
    for a in candidates[:-1]:
        for kills in _kill_without(net, steps, a, nodes_of[a], receivers, order):
            for b in kills:
                if b > a and b in ids and b not in alone:
                    out.add((a, b))
    return out


def _kill_without(
    net: Network,
    steps: Sequence[Sequence[int]],
    a: str,
    seeds: list[int],
    receivers: Mapping[int, list[int]],
    order: Mapping[int, int],
) -> list[frozenset[str]]:
    """The kill sets of the ``steps`` (source lists) that ``a``'s failure
    touches, once ``a`` has failed (``a`` must leave each a source): the
    others keep the baseline's, which the callers' ``alone`` holds (no pair
    there).  Only nodes fed by ``a``'s nodes change: their operational flags
    and kill sets are worked out again in feeder order from the baseline's,
    the rest kept."""
    op0, kill0 = net.baseline[0], net.node_kills
    changed = set(seeds)
    stack = list(seeds)
    while stack:
        for q in receivers.get(stack.pop(), ()):
            if q not in changed:
                changed.add(q)
                stack.append(q)
    lost: set[int] = set(seeds)
    kill: dict[int, frozenset[str]] = {}
    for i in sorted(changed - lost, key=order.__getitem__):
        parts = []
        for _, feeders in net.materials[i]:
            sets = [kill.get(f) or kill0[f] for f in feeders if op0[f] and f not in lost]
            if not sets:
                lost.add(i)
                break
            parts.append(_intersect(sets))  # type: ignore[arg-type]
        else:
            kill[i] = _union(net.base[i], parts)
    out = []
    for sources in steps:
        if changed.isdisjoint(sources):
            continue
        sets = [kill.get(s) or kill0[s] for s in sources if op0[s] and s not in lost]
        if not sets:  # pragma: no cover - a is not in the step's kill set
            raise AssertionError(f"{a} alone leaves a step without a source")
        out.append(_intersect(sets))  # type: ignore[arg-type]
    return out


def _unit_pairs_cyclic(net: Network, u: int, ids: AbstractSet[str], alone: AbstractSet[str]) -> set[tuple[str, str]]:
    """`_unit_pairs` where the unit's upstream has a feed cycle: per
    candidate, the unit's part of the network built again with it failed
    (the engine's greatest-fixed-point kill sets decide the cycle)."""
    op0 = net.baseline[0]
    part = net.upstream(s for _, sources in net.unit_steps[u] for s in sources)
    candidates = sorted({net.base[i] for i in part if op0[i]}.intersection(ids).difference(alone))
    unit = net.units[u]
    steps = {unit: net.steps_of[unit]}
    feeds = {
        p: net.feeds[p] for p in _all_upstream(net, (s for ss in steps[unit].values() for s in ss)) if p in net.feeds
    }
    out: set[tuple[str, str]] = set()
    for a in candidates:
        without = Network(steps, feeds, unfed={**net.unfed, a: (*net.unfed.get(a, ()), _NEVER)})
        if unit not in without.baseline[1]:  # pragma: no cover - a is not in the kill set
            raise AssertionError(f"{a} alone takes down {unit}")
        for b in without.unit_kill(0):
            if b in ids and b not in alone and b != a:
                out.add((a, b) if a < b else (b, a))
    return out


def pair_impact(net: Network, ids: AbstractSet[str]) -> dict[tuple[str, str], frozenset[Unit]]:
    """``(a, b) -> units`` (``a < b``, both in ``ids``): the units available
    today that a and b failing together take down and neither takes down
    alone.  Exactly equal to failing every pair and re-evaluating.

    Examples
    --------
    >>> net = Network({("p", None): {"api": ["a1", "a2"], "dp": ["c"]}}, {})
    >>> pair_impact(net, {"a1", "a2", "c"})
    {('a1', 'a2'): frozenset({('p', None)})}
    """
    op0, avail = net.baseline
    rank = feeders_first(net, [i for i, up in enumerate(op0) if up], op0)  # one numbering for every unit
    found: dict[tuple[str, str], list[Unit]] = {}
    memo: dict[tuple[tuple[int, ...], ...], set[tuple[str, str]]] = {}
    # Acyclic: a unit is down when one of its steps is, so its pairs are its source lists'
    # pairs that no one of them takes down alone, and a list's pairs are worked out once
    # for every unit it serves (the testing lab's, the API maker's...) over its own upstream.
    kill0, lists = net.node_kills, net.lists
    by_list: dict[int, set[tuple[str, str]]] = {}
    for u, unit in enumerate(net.units):
        if unit not in avail:
            continue
        if rank is not None:
            pairs: set[tuple[str, str]] = set()
            alone: frozenset[str] | None = None
            for j in net.unit_lists[u]:
                of_list = by_list.get(j)
                if of_list is None:
                    steps = [lists[j]]
                    list_kill = _intersect([kill0[s] for s in lists[j] if op0[s]])  # type: ignore[misc]
                    of_list = by_list[j] = _pairs(net, steps, list_kill, ids, rank) or set()
                if of_list:
                    if alone is None:
                        alone = net.unit_kill(u)
                    pairs.update(p for p in of_list if p[0] not in alone and p[1] not in alone)
        elif unit[0] in net.provider_ids:  # its own id takes it down: not shareable
            pairs = _unit_pairs(net, u, ids, rank)
        else:
            sig = tuple(tuple(s for s in sources if op0[s]) for _, sources in net.unit_steps[u])
            shared = memo.get(sig)
            if shared is None:
                shared = memo[sig] = _unit_pairs(net, u, ids, rank)
            pairs = shared
        for pair in pairs:
            found.setdefault(pair, []).append(unit)
    return {pair: frozenset(units) for pair, units in found.items()}


# --------------------------------------------------------------------------
# results
# --------------------------------------------------------------------------


# --------------------------------------------------------------------------
# analyses
# --------------------------------------------------------------------------


def _failable(ctx: _Context) -> frozenset[str]:
    """The nodes critical nodes consider: providers and marketing partners."""
    return frozenset(n for n, r in ctx.portfolio.nodes.items() if isinstance(r, (Provider, MarketingPartner)))


def double_failures(portfolio: Portfolio) -> list[DoubleFailure]:
    """Every pair of providers or marketing partners whose joint failure
    loses a (product, market) available today that neither loses alone,
    ranked by added revenue at risk (highest first), then ids.

    Examples
    --------
    >>> from graphkit.model import Portfolio, Product, Provider, SupplyLink
    >>> p = Portfolio(
    ...     providers=tuple(Provider(id=i, name=i, kind="cmo") for i in ("a", "b")),
    ...     products=(Product(id="p", name="P", technology="tablet", owner="c", annual_revenue=8e6,
    ...         supply=(SupplyLink(provider="a", step="api"), SupplyLink(provider="b", step="api"))),))
    >>> [(d.nodes, d.added_revenue_at_risk) for d in double_failures(p)]
    [(('a', 'b'), 8000000.0)]
    """
    return _double_failures(_Context(portfolio))


def _double_failures(ctx: _Context) -> list[DoubleFailure]:
    out = []
    for (a, b), lost in pair_impact(ctx.network, _failable(ctx)).items():
        found = ctx.losses(lost)
        units = found.units
        text = (
            f"{a} and {b} failing together take down {found.described} ({_revenue_text(found.revenue)}), "
            f"which neither takes down alone"
        )
        loss = ctx.exposure.lost_loss((a, b), units, ctx.impact)
        sev, rule = ctx.rated(loss, units, -1)
        text += rule
        out.append(DoubleFailure((a, b), units, found.products_lost, found.revenue, loss, found.basis, sev, text))
    out.sort(key=lambda d: (-d.added_revenue_at_risk, d.nodes))
    return out


def _groups(portfolio: Portfolio) -> dict[str, dict[str, list[str]]]:
    """``key -> value -> provider ids`` for every group key."""
    out: dict[str, dict[str, list[str]]] = {key: {} for key in GROUP_KEYS}
    for p in portfolio.providers:
        for key in GROUP_KEYS:
            value = getattr(p, key)
            if value is not None:
                out[key].setdefault(value, []).append(p.id)
    return out


def group_members(portfolio: Portfolio, groups: Iterable[str]) -> tuple[str, ...]:
    """The providers of ``KEY=VALUE`` groups (``country=IN``, ``parent=Acme``),
    in file order without repeats.

    Raises
    ------
    GraphkitError
        Every malformed or unknown group at once, each with a did-you-mean.

    Examples
    --------
    >>> from graphkit.model import Portfolio, Provider
    >>> p = Portfolio(providers=(Provider(id="a", name="A", kind="cmo", country="IN"),))
    >>> group_members(p, ["country=IN"])
    ('a',)
    >>> try:
    ...     group_members(p, ["country=XX", "parnet=x"])
    ... except GraphkitError as e:
    ...     print(*str(e).split("; "), sep="\\n")
    unknown group country=XX (known: IN)
    unknown group key 'parnet' in parnet=x (did you mean 'parent'?)
    """
    known = _groups(portfolio)
    members: dict[str, None] = {}
    problems = []
    for group in groups:
        key, sep, value = (part.strip() for part in group.partition("="))
        if not sep or not value:
            problems.append(f"'{group}' is not KEY=VALUE (e.g. country=IN, parent=Acme)")
        elif key not in known:
            problems.append(
                f"unknown group key '{key}' in {group}{did_you_mean(key, GROUP_KEYS) or ' (use country or parent)'}"
            )
        elif value not in known[key]:
            values = known[key]
            have = did_you_mean(value, values) or (
                f" (known: {', '.join(sorted(values))})" if values else f" (no provider has a {key})"
            )
            problems.append(f"unknown group {key}={value}{have}")
        else:
            members.update(dict.fromkeys(known[key][value]))
    if problems:
        raise GraphkitError("; ".join(problems))
    return tuple(members)


def common_causes(portfolio: Portfolio) -> list[CommonCause]:
    """Each country and corporate parent with at least two providers whose
    joint failure loses a (product, market) available today: hidden ones
    (a market no member loses alone) first, then by how far the joint
    loss exceeds the members' single-failure losses summed (the hidden cost
    of one cause: stock runs out while every member is down at once), then
    by the same for revenue at risk, then group.

    Examples
    --------
    >>> from graphkit.model import Portfolio, Product, Provider, SupplyLink
    >>> p = Portfolio(
    ...     providers=tuple(Provider(id=i, name=i, kind="cmo", parent="Acme") for i in ("a", "b")),
    ...     products=(Product(id="p", name="P", technology="tablet", owner="c",
    ...         supply=(SupplyLink(provider="a", step="api"), SupplyLink(provider="b", step="api"))),))
    >>> [(c.group, c.nodes, c.hidden) for c in common_causes(p)]
    [('parent=Acme', ('a', 'b'), True)]
    """
    return _common_causes(_Context(portfolio))


def _common_causes(ctx: _Context) -> list[CommonCause]:
    out = []
    group_loss = _group_loss(ctx.network, ctx.exposure.cascade)
    for key, values in _groups(ctx.portfolio).items():
        for value, listed in values.items():
            if len(listed) < 2:
                continue
            members = sorted(listed)  # by id, as pairs are: the same rows from a file and from Neo4j
            lost = group_loss(members)
            if not lost:
                continue
            found = ctx.losses(lost)
            units = found.units
            alone = _single_losses(ctx.impact, members)
            singles = sum(map(ctx.single_revenue, members))
            single_losses = sum(ctx.timelines[m].loss for m in members if m in ctx.timelines)
            hidden = _sorted_units(set(units) - alone)
            text = (
                f"{key}={value} ({_names(members)}) failing at once takes down {found.described} "
                f"({_revenue_text(found.revenue)})"
            )
            if hidden:
                text += f"; no one of them alone takes down {ctx.losses(hidden).described}"
            loss = ctx.exposure.lost_loss(members, units, ctx.impact)
            sev, rule = ctx.rated(loss, units)
            text += rule
            out.append(
                CommonCause(
                    f"{key}={value}",
                    tuple(members),
                    units,
                    found.revenue,
                    loss,
                    found.basis,
                    singles,
                    single_losses,
                    bool(hidden),
                    sev,
                    text,
                )
            )
    out.sort(
        key=lambda c: (
            not c.hidden,
            -(c.loss - c.members_loss),
            -(c.revenue_at_risk - c.members_revenue_at_risk),
            c.group,
        )
    )
    return out


def _group_loss(net: Network, cascade: Cascade | None) -> Callable[[Collection[str]], frozenset[Unit]]:
    """The units available today that failing a set of ids together takes
    down (``net.what_if(ids).lost``): from what the ``cascade`` of ``net``
    takes down, so a group costs what it feeds (the engine's what-if where
    feeds cycle: ``cascade`` None)."""
    if cascade is None:
        return lambda failed: net.what_if(failed).lost
    avail = net.baseline[1]
    units, units_of = net.units, cascade.units_of
    by_product: dict[str, list[Unit]] = {}
    for unit in units:
        if unit in avail:
            by_product.setdefault(unit[0], []).append(unit)

    def lost(failed: Collection[str]) -> frozenset[Unit]:
        out = {u for p in failed for u in by_product.get(p, ())}  # a failed id that is a product
        for j in cascade.bare(cascade.down(failed)):
            out.update(map(units.__getitem__, units_of.get(j, ())))
        return frozenset(out)

    return lost


def _single_losses(impact: Mapping[str, Collection[Unit]], members: Iterable[str]) -> set[Unit]:
    return {u for m in members for u in impact.get(m, ())}
