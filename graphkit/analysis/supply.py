"""Exact single-point-of-failure engine for contract-manufacturing supply.

Pure Python, no I/O.  The model is an AND/OR structure:

* a **product** needs EVERY one of its steps (AND);
* a **step** is covered when at least ONE of its qualified sources is
  operational (OR);
* a **provider** is operational when it has not failed and, for EVERY material
  it receives through ``feeds`` (AND), at least ONE feeder of that material is
  operational (OR).  Tiers chain upward to any depth.

Inputs are plain mappings:

``steps``
    ``product id -> step name -> ids of the qualified sources of that step``.
    A step with an empty collection is uncovered; a product with no steps is
    (vacuously) available.
``feeds``
    ``provider id -> material -> ids of the providers feeding that material``.
    A material with an empty collection of feeders can never be satisfied, so
    its receiver is not operational.

Every id mentioned as a key of ``feeds``, a feeder or a step source is a
provider.  Product ids and provider ids share one namespace: failing an id
fails both the provider and the product of that name (if any).

Choice on feed cycles: feeds are validated acyclic upstream, but this engine
never hangs or crashes on a cycle.  "Operational" is the *least* fixed point
of the rules above, i.e. a provider is operational only if it can be derived
from providers without feeds in finitely many steps.  Consequently providers
on a feed cycle with no external way in are NOT operational; a cycle that has
an external way in works as long as that way in works.

Products that are unavailable with nothing failed are "not currently
available"; they are never reported as lost.
"""

from __future__ import annotations

__all__ = [
    "Feeds",
    "Hop",
    "SourceLoss",
    "StepLoss",
    "Steps",
    "WhatIfResult",
    "explain_loss",
    "kill_sets",
    "operational",
    "single_failure_impact",
    "what_if",
]

from collections import deque
from collections.abc import Collection, Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Final, TypeAlias

Steps: TypeAlias = Mapping[str, Mapping[str, Collection[str]]]
"""``product id -> step name -> qualified source ids``."""

Feeds: TypeAlias = Mapping[str, Mapping[str, Collection[str]]]
"""``provider id -> material -> feeder provider ids``."""

_EMPTY: Final[frozenset[str]] = frozenset()


class _Top:
    """Sentinel for "every node" (the top of the kill-set lattice)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "TOP"


_TOP: Final = _Top()


# --------------------------------------------------------------------------
# internal building blocks
# --------------------------------------------------------------------------


def _as_id_set(ids: Collection[str], name: str) -> frozenset[str]:
    """Return ``ids`` as a frozenset, refusing a bare string (a common slip)."""
    if isinstance(ids, str):
        raise TypeError(f"{name} must be a collection of ids, not a single string {ids!r}")
    return frozenset(ids)


def _providers(steps: Steps, feeds: Feeds, extra: Iterable[str] = ()) -> set[str]:
    """Every provider id mentioned anywhere (feeds keys, feeders, step sources)."""
    providers: set[str] = set(feeds)
    for materials in feeds.values():
        for feeders in materials.values():
            providers.update(feeders)
    for product_steps in steps.values():
        for sources in product_steps.values():
            providers.update(sources)
    providers.update(extra)
    return providers


def _operational_providers(feeds: Feeds, providers: Iterable[str], failed: Collection[str]) -> set[str]:
    """Least fixed point of the provider rule (counting worklist, linear time).

    Each (provider, material) pair is a *slot*; ``need[p]`` counts p's
    unsatisfied slots.  A slot is satisfied by the first operational feeder
    that reaches it; a provider becomes operational when ``need`` hits zero.
    Every slot and every feed entry is touched O(1) times.
    """
    need: dict[str, int] = {}
    slot_owner: list[str] = []
    consumers: dict[str, list[int]] = {}
    for p, materials in feeds.items():
        need[p] = len(materials)
        for feeders in materials.values():
            slot = len(slot_owner)
            slot_owner.append(p)
            for f in feeders:
                lst = consumers.get(f)
                if lst is None:
                    consumers[f] = [slot]
                else:
                    lst.append(slot)
    satisfied = bytearray(len(slot_owner))
    stack = [p for p in providers if p not in failed and not need.get(p, 0)]
    op: set[str] = set(stack)
    while stack:
        f = stack.pop()
        for slot in consumers.get(f, ()):
            if not satisfied[slot]:
                satisfied[slot] = 1
                p = slot_owner[slot]
                left = need[p] - 1
                need[p] = left
                if not left and p not in failed:
                    op.add(p)
                    stack.append(p)
    return op


def _available(
    steps: Steps,
    op: AbstractSet[str],
    failed: Collection[str],
    override: Mapping[str, Mapping[str, Collection[str]]] | None = None,
) -> set[str]:
    """Products not failed whose every step has an operational source."""
    available: set[str] = set()
    for product, product_steps in steps.items():
        if product in failed:
            continue
        if override is not None:
            product_steps = override.get(product, product_steps)
        for sources in product_steps.values():
            if op.isdisjoint(sources):
                break
        else:
            available.add(product)
    return available


def _intersect(sets: list[frozenset[str]]) -> frozenset[str]:
    """Intersection of a non-empty list of frozensets, smallest first."""
    if len(sets) == 1:
        return sets[0]
    sets.sort(key=len)
    return sets[0].intersection(*sets[1:])


def _union(node: str | None, parts: list[frozenset[str]]) -> frozenset[str]:
    """``{node} ∪ ⋃ parts`` (``node`` may be None), sharing a set when possible."""
    parts = [p for p in parts if p]
    if node is None:
        if not parts:
            return _EMPTY
        if len(parts) == 1:
            return parts[0]
        return frozenset().union(*parts)
    return frozenset((node,)).union(*parts)


def _provider_kill_value(
    p: str,
    materials: Mapping[str, Collection[str]],
    op: Collection[str],
    kill: Mapping[str, frozenset[str] | _Top],
) -> frozenset[str] | _Top:
    """``{p} ∪ ⋃_m ⋂_{operational feeders f of m} kill(f)``, TOP-aware."""
    parts: list[frozenset[str]] = []
    for feeders in materials.values():
        finite: list[frozenset[str]] = []
        for f in feeders:
            if f in op:
                v = kill[f]
                if v is not _TOP:
                    finite.append(v)  # type: ignore[arg-type]
        if not finite:
            # Only reachable in the cycle phase: every operational feeder is
            # still TOP, and TOP ∩ ... ∩ TOP = TOP, so the union is TOP.
            return _TOP
        parts.append(_intersect(finite))
    return _union(p, parts)


def _provider_kills(feeds: Feeds, op: set[str]) -> dict[str, frozenset[str]]:
    """kill(p) for every baseline-operational provider p.

    Phase 1 (the whole instance when feeds are acyclic): Kahn's topological
    order over the feed edges among operational providers; each kill(p) is
    computed once from its feeders' memoised kill sets.

    Phase 2 (only providers on, or downstream of, a feed cycle): the equations
    have several solutions there; the true kill sets are the *greatest* one
    (dual of the least-fixed-point semantics of "operational"): the true
    kill sets solve the equations, and for any solution K and node X the set
    ``{p : X not in K(p)}`` is closed under the operational rule with X
    failed, so it contains that least fixed point, i.e. K is below the true
    kill sets.  It is computed by chaotic iteration from TOP with a worklist;
    every update strictly shrinks one set, so it terminates after at most
    ``O(|cyclic part| * |op|)`` updates.
    """
    succ: dict[str, list[str]] = {}
    indeg: dict[str, int] = dict.fromkeys(op, 0)
    for p, materials in feeds.items():
        if p not in op:
            continue
        n = 0
        for feeders in materials.values():
            for f in feeders:
                if f in op:
                    n += 1
                    lst = succ.get(f)
                    if lst is None:
                        succ[f] = [p]
                    else:
                        lst.append(p)
        indeg[p] = n

    kill: dict[str, frozenset[str] | _Top] = {}
    queue = [p for p, d in indeg.items() if not d]
    no_feeds: Mapping[str, Collection[str]] = {}
    i = 0
    while i < len(queue):
        p = queue[i]
        i += 1
        kill[p] = _provider_kill_value(p, feeds.get(p, no_feeds), op, kill)
        for q in succ.get(p, ()):
            d = indeg[q] - 1
            indeg[q] = d
            if not d:
                queue.append(q)

    if len(kill) < len(op):  # feed cycle(s) among operational providers
        rest = [p for p in op if p not in kill]
        for p in rest:
            kill[p] = _TOP
        work = deque(rest)
        queued = set(rest)
        while work:
            p = work.popleft()
            queued.discard(p)
            new = _provider_kill_value(p, feeds.get(p, no_feeds), op, kill)
            if new != kill[p]:
                kill[p] = new
                # Successors of a phase-2 provider are phase-2 providers too
                # (a phase-1 provider has all its operational feeders in
                # phase 1), so re-queue them all.
                for q in succ.get(p, ()):
                    if q not in queued:
                        queued.add(q)
                        work.append(q)
        assert all(v is not _TOP for v in kill.values()), "kill-set iteration left TOP"
    return kill  # type: ignore[return-value]


def _product_kill(
    product: str,
    product_steps: Mapping[str, Collection[str]],
    op: Collection[str],
    kill: Mapping[str, frozenset[str]],
    providers: Collection[str],
) -> frozenset[str]:
    """``⋃_steps ⋂_{operational sources s} kill(s)`` for an available product.

    The product's own id is included only when it is also a provider id
    (failing that id then takes the product down directly).
    """
    parts: list[frozenset[str]] = []
    for sources in product_steps.values():
        parts.append(_intersect([kill[s] for s in sources if s in op]))
    return _union(product if product in providers else None, parts)


def _baseline(steps: Steps, feeds: Feeds) -> tuple[set[str], set[str], set[str]]:
    """(providers, baseline operational providers, baseline available products)."""
    providers = _providers(steps, feeds)
    op = _operational_providers(feeds, providers, _EMPTY)
    return providers, op, _available(steps, op, _EMPTY)


# --------------------------------------------------------------------------
# public API
# --------------------------------------------------------------------------


def operational(steps: Steps, feeds: Feeds, failed: Collection[str] = ()) -> tuple[frozenset[str], frozenset[str]]:
    """Operational providers and available products when ``failed`` fail.

    Parameters
    ----------
    steps : Mapping[str, Mapping[str, Collection[str]]]
        ``product id -> step name -> qualified source ids``.
    feeds : Mapping[str, Mapping[str, Collection[str]]]
        ``provider id -> material -> feeder provider ids``.
    failed : Collection[str], optional
        Ids that fail (providers and/or products).  Unknown ids are ignored.
        A bare string is rejected with :class:`TypeError`.

    Returns
    -------
    tuple[frozenset[str], frozenset[str]]
        ``(operational providers, available products)``.

    Notes
    -----
    Least fixed point of the provider rule, computed with a counting
    worklist: every (provider, material) slot keeps a "satisfied" flag and
    every provider a count of unsatisfied slots; a provider that becomes
    operational satisfies the slots it feeds.  A product is available when
    it has not failed and every step has an operational source.  Providers
    on a feed cycle with no operational way in are not operational.

    Time and memory O(P + E + S): P providers, E feed entries
    ``(provider, material, feeder)``, S step-source entries.

    Examples
    --------
    >>> steps = {"pill": {"api": ["a1"], "dp": ["c1", "c2"]}}
    >>> feeds = {"c1": {"api": ["a1"]}, "c2": {"api": ["a1"]}}
    >>> ops, avail = operational(steps, feeds, failed=["c1"])
    >>> sorted(ops), sorted(avail)
    (['a1', 'c2'], ['pill'])
    >>> operational(steps, feeds, failed=["a1"])
    (frozenset(), frozenset())
    """
    failed_set = _as_id_set(failed, "failed")
    providers = _providers(steps, feeds)
    op = _operational_providers(feeds, providers, failed_set)
    return frozenset(op), frozenset(_available(steps, op, failed_set))


def kill_sets(steps: Steps, feeds: Feeds) -> dict[str, frozenset[str]]:
    """For each currently available product, the providers whose single failure takes it down.

    Parameters
    ----------
    steps : Mapping[str, Mapping[str, Collection[str]]]
        ``product id -> step name -> qualified source ids``.
    feeds : Mapping[str, Mapping[str, Collection[str]]]
        ``provider id -> material -> feeder provider ids``.

    Returns
    -------
    dict[str, frozenset[str]]
        ``product id -> kill set`` for every product available with nothing
        failed.  Products not currently available are absent.  The product's
        own id is in its kill set only if it is also a provider id.

    Notes
    -----
    Dominator-style set equations over the AND/OR structure, restricted to
    what is operational at baseline (a dead feeder or source never "kills"
    anything, and a material/step is covered only by its live ones):

    * provider: ``kill(p) = {p} ∪ ⋃_{materials m of p} ⋂_{operational feeders f of m} kill(f)``
    * step: ``kill(step) = ⋂_{operational sources s} kill(s)``
    * product: ``kill(P) = ⋃_{steps} kill(step)``

    Provider sets are memoised in topological order of the operational feed
    graph (Kahn), so each is computed once.  On a feed cycle the equations
    have several solutions; the exact kill sets are the greatest solution,
    computed by worklist iteration from "everything" (only providers on or
    downstream of a cycle pay for it; each update strictly shrinks a set, so
    it is polynomial, not linear, there).

    Cost: O(P + E + S) set operations.  An intersection costs the size of
    its smallest operand and a union the sum of its operands, so the total is
    O((E + S) * k) with k the largest kill set (the number of single points
    of failure upstream of a node: a handful in practice, bounded by the
    tier depth when qualification is redundant).  Pathological instances
    (long single-sourced chains) reach O((E + S) * P).

    Examples
    --------
    >>> steps = {"pill": {"api": ["a1"], "dp": ["c1", "c2"]}}
    >>> feeds = {"c1": {"api": ["a1"]}, "c2": {"api": ["a1"]}}
    >>> kill_sets(steps, feeds)
    {'pill': frozenset({'a1'})}
    """
    providers, op, avail = _baseline(steps, feeds)
    kill = _provider_kills(feeds, op)
    return {
        product: _product_kill(product, steps[product], op, kill, providers) for product in steps if product in avail
    }


def single_failure_impact(steps: Steps, feeds: Feeds) -> dict[str, frozenset[str]]:
    """Every single point of failure and the currently available products it takes down.

    Parameters
    ----------
    steps : Mapping[str, Mapping[str, Collection[str]]]
        ``product id -> step name -> qualified source ids``.
    feeds : Mapping[str, Mapping[str, Collection[str]]]
        ``provider id -> material -> feeder provider ids``.

    Returns
    -------
    dict[str, frozenset[str]]
        ``provider id -> products lost`` for every provider whose failure
        alone makes at least one currently available product unavailable.
        Exactly equal to removing each provider in turn and recomputing
        :func:`operational`, but computed for all providers together.
        (Failing a product id that is not a provider only loses that product
        itself; such trivial entries are not reported.)

    Notes
    -----
    Inverts :func:`kill_sets` without keeping the per-product sets: one pass
    computes kill(p) for every baseline-operational provider in topological
    order, then each available product's kill set is built and immediately
    scattered into the answer.  Cost as for :func:`kill_sets`, plus the
    output size ``Σ_P |kill(P)|``.

    Examples
    --------
    >>> steps = {"pill": {"api": ["a1"], "dp": ["c1", "c2"]}}
    >>> feeds = {"c1": {"api": ["a1"]}, "c2": {"api": ["a1"]}}
    >>> single_failure_impact(steps, feeds)
    {'a1': frozenset({'pill'})}
    """
    providers, op, avail = _baseline(steps, feeds)
    kill = _provider_kills(feeds, op)
    lost: dict[str, list[str]] = {}
    for product, product_steps in steps.items():
        if product not in avail:
            continue
        for node in _product_kill(product, product_steps, op, kill, providers):
            lst = lost.get(node)
            if lst is None:
                lost[node] = [product]
            else:
                lst.append(product)
    return {node: frozenset(products) for node, products in lost.items()}


@dataclass(frozen=True)
class Hop:
    """One link of a failure chain: a material whose live feeders are all lost.

    Attributes
    ----------
    material : str
        The material the downstream provider can no longer receive.
    feeders : tuple[str, ...]
        Its baseline-operational feeders, all lost after the failure.
    """

    material: str
    feeders: tuple[str, ...]


@dataclass(frozen=True)
class SourceLoss:
    """Why one baseline-operational source of a step is lost.

    Attributes
    ----------
    source : str
        The lost source.
    chain : tuple[Hop, ...]
        Empty when ``source`` is the failed node itself; otherwise the hops
        from ``source`` upward, each following the first lost feeder
        (preferring the failed node), ending at the failed node.
    failed_node : str
        The node whose failure is being explained.
    """

    source: str
    chain: tuple[Hop, ...]
    failed_node: str

    def __str__(self) -> str:
        if not self.chain:
            return f"{self.source} fails"
        text = self.source
        for i, hop in enumerate(self.chain):
            if i:
                prev = self.chain[i - 1]
                nxt = _next_in_chain(prev.feeders, self.failed_node)
                text += ", which" if len(prev.feeders) == 1 else f"; {nxt}"
            if len(hop.feeders) == 1:
                text += f" needs {hop.material!r} only from {hop.feeders[0]}"
            else:
                text += f" needs {hop.material!r} only from {', '.join(hop.feeders)}, all lost"
        if self.failed_node in self.chain[-1].feeders:
            text += f" ({self.failed_node} fails)" if len(self.chain[-1].feeders) > 1 else " (fails)"
        return text


@dataclass(frozen=True)
class StepLoss:
    """A step of a product that loses its last operational source.

    Attributes
    ----------
    product : str
        The product.
    step : str
        The step that becomes uncovered.
    sources : tuple[SourceLoss, ...]
        Its baseline-operational sources (all lost), with the reason for each.
    """

    product: str
    step: str
    sources: tuple[SourceLoss, ...]

    def __str__(self) -> str:
        if len(self.sources) == 1:
            return f"step {self.step}: only source {self.sources[0]}"
        return f"step {self.step}: " + "; ".join(map(str, self.sources))


def _next_in_chain(feeders: tuple[str, ...], failed_node: str) -> str:
    """The feeder a chain follows: the failed node if present, else the first."""
    return failed_node if failed_node in feeders else feeders[0]


def _dedupe(ids: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(ids))


def explain_loss(steps: Steps, feeds: Feeds, failed_node: str, product: str) -> list[StepLoss]:
    """Explain why ``product`` is lost when ``failed_node`` alone fails.

    Parameters
    ----------
    steps : Mapping[str, Mapping[str, Collection[str]]]
        ``product id -> step name -> qualified source ids``.
    feeds : Mapping[str, Mapping[str, Collection[str]]]
        ``provider id -> material -> feeder provider ids``.
    failed_node : str
        The id that fails.
    product : str
        The product to explain.

    Returns
    -------
    list[StepLoss]
        The steps of ``product`` (in mapping order) that become uncovered,
        each with its baseline-operational sources and, per source, a chain
        of lost materials up to ``failed_node``.  ``str()`` of an item is a
        one-line human explanation.  Empty when the product is not currently
        available, survives the failure, or is lost only because
        ``failed_node`` is the product itself.

    Notes
    -----
    Two runs of :func:`operational` (baseline and with ``failed_node``)
    plus a walk over the product's steps and, per lost source, up one lost
    material per tier: O(P + E + S).  The chain walk stops if it would
    revisit a provider (possible only on a feed cycle).

    Examples
    --------
    >>> steps = {"pill": {"api": ["a1"], "dp": ["c1", "c2"]}}
    >>> feeds = {"c1": {"api": ["a1"]}, "c2": {"api": ["a1"]}}
    >>> for loss in explain_loss(steps, feeds, "a1", "pill"):
    ...     print(loss)
    step api: only source a1 fails
    step dp: c1 needs 'api' only from a1 (fails); c2 needs 'api' only from a1 (fails)
    """
    providers, op0, avail0 = _baseline(steps, feeds)
    if product not in avail0:
        return []
    op1 = _operational_providers(feeds, providers, frozenset((failed_node,)))
    no_feeds: Mapping[str, Collection[str]] = {}
    result: list[StepLoss] = []
    for step, sources in steps[product].items():
        live = tuple(s for s in _dedupe(sources) if s in op0)
        if any(s in op1 for s in live):
            continue
        losses: list[SourceLoss] = []
        for s in live:
            chain: list[Hop] = []
            seen = {s}
            cur = s
            while cur != failed_node:
                for material, feeders in feeds.get(cur, no_feeds).items():  # noqa: B007 (the material that broke the loop is used after it)
                    base = tuple(f for f in _dedupe(feeders) if f in op0)
                    if not any(f in op1 for f in base):
                        break
                else:  # pragma: no cover - impossible by the fixed-point semantics
                    break
                chain.append(Hop(material, base))
                cur = _next_in_chain(base, failed_node)
                if cur in seen:
                    break
                seen.add(cur)
            losses.append(SourceLoss(s, tuple(chain), failed_node))
        result.append(StepLoss(product, step, tuple(losses)))
    return result


@dataclass(frozen=True)
class WhatIfResult:
    """Outcome of a multi-failure scenario (see :func:`what_if`).

    Attributes
    ----------
    failed : frozenset[str]
        The ids assumed to fail.
    baseline : frozenset[str]
        Products available today (nothing failed, no extra sources).
    after : frozenset[str]
        Products available with ``failed`` failed and the extra sources added.
    lost : frozenset[str]
        ``baseline - after``.
    saved : frozenset[str]
        Products the failures would take down without the extra sources but
        that stay available with them.
    providers_lost : frozenset[str]
        Providers operational at baseline and not after: the failed ones and
        those cut off upstream.
    """

    failed: frozenset[str]
    baseline: frozenset[str]
    after: frozenset[str]
    lost: frozenset[str]
    saved: frozenset[str]
    providers_lost: frozenset[str]

    @property
    def gained(self) -> frozenset[str]:
        """Products not available today that become available (extra sources)."""
        return self.after - self.baseline


def what_if(
    steps: Steps,
    feeds: Feeds,
    failed: Collection[str],
    extra_sources: Mapping[tuple[str, str], Collection[str]] | None = None,
) -> WhatIfResult:
    """Simulate several failures, optionally with extra qualified sources.

    Parameters
    ----------
    steps : Mapping[str, Mapping[str, Collection[str]]]
        ``product id -> step name -> qualified source ids``.
    feeds : Mapping[str, Mapping[str, Collection[str]]]
        ``provider id -> material -> feeder provider ids``.
    failed : Collection[str]
        Ids that fail together (a bare string is rejected).
    extra_sources : Mapping[tuple[str, str], Collection[str]], optional
        ``(product, step) -> additional qualified source ids`` (e.g. a second
        source being qualified).  New ids are providers without feeds.  The
        ``(product, step)`` pair must exist in ``steps``
        (:class:`ValueError` otherwise).

    Returns
    -------
    WhatIfResult
        Baseline and after availability, ``lost``, ``saved`` and
        ``providers_lost``.

    Notes
    -----
    Three availability evaluations over two :func:`operational`-style
    fixed points (extra sources only touch steps, so the provider fixed
    point with failures is shared): O(P + E + S).

    Examples
    --------
    >>> steps = {"pill": {"api": ["a1"], "dp": ["c1", "c2"]}}
    >>> feeds = {"c1": {"api": ["a1"]}, "c2": {"api": ["a1"]}}
    >>> r = what_if(steps, feeds, ["c1", "c2"], {("pill", "dp"): ["c3"]})
    >>> sorted(r.lost), sorted(r.saved), sorted(r.providers_lost)
    ([], ['pill'], ['c1', 'c2'])
    """
    failed_set = _as_id_set(failed, "failed")
    extra = extra_sources or {}
    override: dict[str, dict[str, Collection[str]]] = {}
    extra_ids: set[str] = set()
    for key, sources in extra.items():
        product, step = key
        if product not in steps or step not in steps[product]:
            raise ValueError(f"extra_sources: unknown (product, step) {key!r}")
        added = _as_id_set(sources, f"extra_sources[{key!r}]")
        extra_ids |= added
        merged = override.setdefault(product, dict(steps[product]))
        merged[step] = frozenset(merged[step]) | added

    providers, op0, base = _baseline(steps, feeds)
    op1 = _operational_providers(feeds, providers | extra_ids, failed_set)
    after = _available(steps, op1, failed_set, override)
    after_plain = after if not override else _available(steps, op1, failed_set)
    return WhatIfResult(
        failed=failed_set,
        baseline=frozenset(base),
        after=frozenset(after),
        lost=frozenset(base - after),
        saved=frozenset((base - after_plain) & after),
        providers_lost=frozenset(op0 - op1),
    )
