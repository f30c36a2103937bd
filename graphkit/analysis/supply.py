"""Exact single-point-of-failure engine for contract-manufacturing supply.

Pure Python, no I/O.  The model is an AND/OR structure over *units*, one per
(product, market) a product is sold in:

* a **unit** needs EVERY one of its steps (AND): the product's supply steps,
  its distribution and its marketing in that market, as the caller lists them;
* a **step** is covered when at least ONE of its sources is operational (OR);
* a **provider** is operational *for a unit* when it has not failed and, for
  EVERY material it receives for that unit's product (AND), at least ONE
  feeder of that material filed in the unit's market is operational for the
  unit (OR).  Tiers chain upward to any depth.

A feed (:class:`FeedIn`) may be scoped to ``products`` (its material goes
into those only) and carry ``filed_in`` (the markets whose registration names
the feeder); ``None`` means every product / every market, and a unit of the
global market (``None``) is never restricted by ``filed_in``.

Inputs are plain mappings:

``units``
    ``(product id, market or None) -> step name -> source ids``.  A step
    with an empty collection is uncovered; a unit with no steps is
    (vacuously) available.  The caller has already kept only the qualified
    sources filed in the unit's market.
``feeds``
    ``provider id -> feeds into it`` (:class:`FeedIn`).

Evaluation runs on the *expanded* network: a node per (provider, product,
market) that the provider's upstream can tell apart.  A provider with no
scoped feed anywhere upstream is one node for every product, one with no
``filed_in`` upstream one node for every market, so a portfolio without
scopes or filings expands to exactly one node per provider.

Every id mentioned as a feeder, a receiver or a step source is a provider.
Product ids and provider ids share one namespace: failing an id fails both
the provider and every unit of the product of that name (if any).

Choice on feed cycles: feeds are validated acyclic upstream, but this engine
never hangs or crashes on a cycle.  "Operational" is the *least* fixed point
of the rules above, i.e. a provider is operational only if it can be derived
from providers without feeds in finitely many steps.  Consequently providers
on a feed cycle with no external way in are NOT operational; a cycle that has
an external way in works as long as that way in works.

Units that are unavailable with nothing failed are "not currently
available"; they are never reported as lost.
"""

from __future__ import annotations

__all__ = [
    "FeedIn",
    "Feeds",
    "Hop",
    "Network",
    "SourceLoss",
    "StepLoss",
    "Steps",
    "Unit",
    "Units",
    "WhatIfResult",
    "explain_loss",
    "kill_sets",
    "operational",
    "single_failure_impact",
    "what_if",
]

from collections import deque
from collections.abc import Collection, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import cached_property
from itertools import compress
from typing import Final, Generic, TypeAlias, TypeVar

Steps: TypeAlias = Mapping[str, Mapping[str, Collection[str]]]
"""``product id -> step name -> qualified source ids`` (one global market)."""

Feeds: TypeAlias = Mapping[str, Mapping[str, Collection[str]]]
"""``provider id -> material -> feeder provider ids`` (unscoped, unfiled)."""

Unit: TypeAlias = tuple[str, "str | None"]
"""``(product id, market)``; market ``None`` is a product's one global market."""

Units: TypeAlias = Mapping[Unit, Mapping[str, Collection[str]]]
"""``unit -> step name -> source ids``."""

_EMPTY: Final[frozenset[str]] = frozenset()
_NONE: Final[tuple[()]] = ()  # the entry of every node without materials (most): one object, no list each
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class FeedIn:
    """One feed into a provider: ``feeder`` delivers ``material``.

    ``products``: the products the material goes into (``None``: everything
    the receiver makes).  ``filed_in``: the markets whose registration names
    this feeder (``None``: every market).
    """

    material: str
    feeder: str
    products: frozenset[str] | None = None
    filed_in: frozenset[str] | None = None


class _Top:
    """Sentinel for "every node" (the top of the kill-set lattice)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "TOP"


_TOP: Final = _Top()
_Kill: TypeAlias = "frozenset[str] | _Top"


def _as_id_set(ids: Collection[str], name: str) -> frozenset[str]:
    """Return ``ids`` as a frozenset, refusing a bare string (a common slip)."""
    if isinstance(ids, str):
        raise TypeError(f"{name} must be a collection of ids, not a single string {ids!r}")
    return frozenset(ids)


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


def _context(by_product: bool, by_market: bool, product: str | None, market: str | None) -> object:
    """The part of ``(product, market)`` that nodes or sources telling
    products (markets) apart key on: no tuple unless both."""
    if by_product:
        return (product, market) if by_market else product
    return market if by_market else None


def _downstream_closure(seeds: Iterable[str], receivers: Mapping[str, list[str]]) -> set[str]:
    """``seeds`` and every provider they feed, at any depth."""
    out = set(seeds)
    stack = list(out)
    while stack:
        for q in receivers.get(stack.pop(), ()):
            if q not in out:
                out.add(q)
                stack.append(q)
    return out


class Network:
    """The expanded AND/OR network of a set of units, built once and queried
    for any failure set.

    Parameters
    ----------
    units : Mapping[tuple[str, str | None], Mapping[str, Collection[str]]]
        ``(product, market) -> step -> source ids`` (see the module notes).
    feeds : Mapping[str, Collection[FeedIn]]
        ``provider id -> feeds into it``.
    providers : Iterable[str], optional
        Further provider ids to give a node of their own (for callers that
        ask about providers no unit reaches).
    unfed : Mapping[str, Collection[str]], optional
        ``provider id -> materials`` it needs that no feed delivers (never
        satisfied, so the provider is never operational).
    serving : Iterable[tuple[str, Unit]], optional
        ``(provider id, unit)`` pairs: give the provider a node serving the
        unit without making it a source of it (a backup not yet qualified,
        whose upstream the timelines follow: :meth:`serving_node`).  Nodes
        only these need are *spare*: no unit or other node depends on them,
        so they change no answer, and failure results leave them out.

    Notes
    -----
    A node is a provider in a *context*: the (product, market) of the unit
    it serves, cut down to what its upstream can tell apart.  ``sens_p``
    holds the providers with a product-scoped feed at or above them,
    ``sens_m`` those with a ``filed_in`` feed; only they keep the product
    (market) in their context.  Each node lists, per material it needs in
    its context, the feeder nodes filed in its market.  Building costs the
    size of the expanded network: the sum over units of their upstream
    nodes, shared wherever contexts coincide.

    Examples
    --------
    >>> feeds = {"fill": [FeedIn("ds-a", "api-1", frozenset({"a"})), FeedIn("ds-b", "api-2", frozenset({"b"}))]}
    >>> net = Network({("a", None): {"fill": ["fill"]}, ("b", None): {"fill": ["fill"]}}, feeds)
    >>> {node: sorted(units) for node, units in sorted(net.single_failure_impact().items())}
    {'api-1': [('a', None)], 'api-2': [('b', None)], 'fill': [('a', None), ('b', None)]}
    """

    def __init__(
        self,
        units: Mapping[Unit, Mapping[str, Collection[str]]],
        feeds: Mapping[str, Collection[FeedIn]],
        providers: Iterable[str] = (),
        unfed: Mapping[str, Collection[str]] | None = None,
        serving: Iterable[tuple[str, Unit]] = (),
    ) -> None:
        self.feeds = feeds
        self.unfed = unfed or {}
        self.steps_of = units
        receivers: dict[str, list[str]] = {}
        scoped: list[str] = []
        filed: list[str] = []
        for p, into in feeds.items():
            for f in into:
                receivers.setdefault(f.feeder, []).append(p)
                if f.products is not None:
                    scoped.append(p)
                if f.filed_in is not None:
                    filed.append(p)
        sens_p = _downstream_closure(scoped, receivers)
        sens_m = _downstream_closure(filed, receivers)
        # provider -> (its nodes tell products apart, markets apart, context
        # -> node), for those with a scoped or filed feed upstream
        self._telling: dict[str, tuple[bool, bool, dict[object, int]]] = {
            p: (p in sens_p, p in sens_m, {}) for p in sens_p | sens_m
        }
        self._index: dict[str, int] = {}  # provider id -> its one node, for the others

        self.base: list[str] = []  # node -> provider id
        self.materials: list[Sequence[tuple[str, list[int]]]] = []  # node -> [(material, feeder nodes)]
        self._pending: list[tuple[int, str | None, str | None]] = []  # fed nodes to expand, in their context
        self._kills: dict[tuple[str | frozenset[str], ...], frozenset[str]] = {}  # see _node_kill

        self.units: list[Unit] = list(units)
        # One node list per distinct (sources, context they tell apart): the
        # markets of a product mostly share their supply steps' lists, and
        # the evaluation below works once per list, not once per unit.
        self.lists: list[list[int]] = []  # distinct source-node lists
        self.unit_lists: list[tuple[int, ...]] = []  # unit -> indices into lists, one per step
        unit_lists = self.unit_lists
        # Build-time only: sources -> their list when no context tells them
        # apart, else (they tell products apart, markets apart, context -> list).
        made: dict[tuple[str, ...], int | tuple[bool, bool, dict[object, int]]] = {}
        for (product, market), unit in units.items():
            idx = []
            for sources in unit.values():
                key = sources if type(sources) is tuple else tuple(sources)
                entry = made.get(key)
                if entry is None:
                    by_product, by_market = not sens_p.isdisjoint(key), not sens_m.isdisjoint(key)
                    entry = made[key] = (
                        (by_product, by_market, {}) if by_product or by_market else self._list(key, None, None)
                    )
                if isinstance(entry, int):
                    idx.append(entry)
                    continue
                by_product, by_market, contexts = entry
                ctx = _context(by_product, by_market, product, market)
                j = contexts.get(ctx)
                if j is None:
                    j = contexts[ctx] = self._list(key, product if by_product else None, market if by_market else None)
                idx.append(j)
            unit_lists.append(tuple(idx))
        for p in providers:
            self.node(p, None, None)
        self._expand()
        self.provider_ids: frozenset[str] = frozenset(self.base)
        self.spare_from = len(self.base)  # nodes from here on serve only `serving`
        for p, (product, market) in serving:
            self.node(p, product, market)
        self._expand()

    # -- building -----------------------------------------------------------

    def _list(self, key: tuple[str, ...], product: str | None, market: str | None) -> int:
        """A new node list of sources ``key`` serving ``(product, market)``
        (None where the sources do not tell them apart): its index."""
        if len(key) == 1:  # most: no repeats to drop
            self.lists.append([self.node(key[0], product, market)])
        else:
            self.lists.append(list(dict.fromkeys(self.node(s, product, market) for s in key)))
        return len(self.lists) - 1

    def serving_node(self, provider: str, unit: Unit) -> int:
        """The node of ``provider`` serving ``unit`` (a source of it, or given by ``serving``)."""
        telling = self._telling.get(provider)
        if telling is None:
            return self._index[provider]
        by_product, by_market, nodes = telling
        return nodes[_context(by_product, by_market, *unit)]

    def node(self, provider: str, product: str | None, market: str | None) -> int:
        """The node of ``provider`` serving ``(product, market)`` (created on first use)."""
        telling = self._telling.get(provider)
        if telling is None:
            i = self._index.get(provider)
            if i is None:
                i = self._index[provider] = self._new(provider, None, None)
            return i
        by_product, by_market, nodes = telling
        ctx = _context(by_product, by_market, product, market)
        i = nodes.get(ctx)
        if i is None:
            i = nodes[ctx] = self._new(provider, product if by_product else None, market if by_market else None)
        return i

    def _new(self, provider: str, product: str | None, market: str | None) -> int:
        """A new node of ``provider`` serving ``(product, market)`` (None where it does not tell them apart)."""
        i = len(self.base)
        self.base.append(provider)
        self.materials.append(_NONE)
        if provider in self.feeds or provider in self.unfed:  # else fed by nothing (most providers)
            self._pending.append((i, product, market))
        return i

    def _expand(self) -> None:
        while self._pending:
            i, product, market = self._pending.pop()
            provider = self.base[i]
            groups: dict[str, list[int]] = {m: [] for m in self.unfed.get(provider, ())}
            for f in self.feeds.get(provider, ()):
                if f.products is not None and product not in f.products:
                    continue  # this material does not go into the product
                feeders = groups.setdefault(f.material, [])
                if market is not None and f.filed_in is not None and market not in f.filed_in:
                    continue  # received, but this feeder is not filed in the market
                feeders.append(self.node(f.feeder, product, market))
            if groups:
                self.materials[i] = [(m, list(dict.fromkeys(fs))) for m, fs in groups.items()]

    @cached_property
    def unit_steps(self) -> list[list[tuple[str, list[int]]]]:
        """unit -> [(step, its source nodes)], in the unit's step order."""
        lists = self.lists
        return [
            [(step, lists[j]) for step, j in zip(self.steps_of[unit], idx)]
            for unit, idx in zip(self.units, self.unit_lists)
        ]

    @cached_property
    def slots(self) -> tuple[list[int], list[int], list[Sequence[int]]]:
        """(node of each material slot, slots per node, slots each node feeds)."""
        owner: list[int] = []
        need = [0] * len(self.base)
        fed: dict[int, list[int]] = {}
        for i, mats in enumerate(self.materials):
            if mats:
                need[i] = len(mats)
                for _, feeders in mats:
                    slot = len(owner)
                    owner.append(i)
                    for f in feeders:
                        group = fed.get(f)
                        if group is None:
                            fed[f] = [slot]
                        else:
                            group.append(slot)
        consumers: list[Sequence[int]] = [_NONE] * len(self.base)  # most nodes feed nothing
        for f, group in fed.items():
            consumers[f] = group
        return owner, need, consumers

    @cached_property
    def _feeding(self) -> list[int]:
        """The nodes that feed some material slot."""
        return [i for i, c in enumerate(self.slots[2]) if c]

    # -- evaluation ---------------------------------------------------------

    def failed_nodes(self, failed: AbstractSet[str]) -> bytearray:
        """A flag per node: its provider is in ``failed``."""
        return bytearray(b in failed for b in self.base)

    def operational(self, failed: AbstractSet[str] = _EMPTY) -> bytearray:
        """A flag per node: operational with ``failed`` failed.

        Least fixed point by a counting worklist: each (node, material) slot
        is satisfied by the first operational feeder reaching it; a node
        becomes operational when its count of unsatisfied slots hits zero.
        Linear in the expanded network.
        """
        owner, need0, consumers = self.slots
        down = self.failed_nodes(failed) if failed else bytearray(len(self.base))
        need = list(need0)
        satisfied = bytearray(len(owner))
        # Nodes needing nothing are operational unless failed; only those
        # feeding a slot go on the worklist.
        op = bytearray(not n and not d for n, d in zip(need0, down))
        stack = [i for i in self._feeding if op[i]]
        while stack:
            f = stack.pop()
            for slot in consumers[f]:
                if not satisfied[slot]:
                    satisfied[slot] = 1
                    p = owner[slot]
                    need[p] -= 1
                    if not need[p] and not down[p]:
                        op[p] = 1
                        stack.append(p)
        return op

    def available(self, op: bytearray, failed: AbstractSet[str] = _EMPTY) -> set[Unit]:
        """Units not failed whose every step has an operational source."""
        return {unit for unit, up in zip(self.units, self._up(op)) if up and unit[0] not in failed}

    def _up(self, op: bytearray) -> list[bool]:
        """A flag per unit: its every step has an operational source."""
        get = self.covered(op).__getitem__
        return [all(map(get, idx)) for idx in self.unit_lists]

    def covered(self, op: bytearray) -> bytearray:
        """A flag per distinct source list: one of its nodes is operational."""
        return bytearray(any(map(op.__getitem__, sources)) for sources in self.lists)

    @cached_property
    def baseline(self) -> tuple[bytearray, frozenset[Unit]]:
        """(operational nodes, available units) with nothing failed."""
        op, up = self._baseline
        return op, frozenset(compress(self.units, up))

    @cached_property
    def _baseline(self) -> tuple[bytearray, list[bool]]:
        """(operational nodes, a flag per unit: available) with nothing failed."""
        op = self.operational()
        return op, self._up(op)

    # -- kill sets ----------------------------------------------------------

    def _node_kill(self, i: int, op: bytearray, kill: Sequence[_Kill | None]) -> _Kill:
        """``{base(i)} ∪ ⋃_materials ⋂_{operational feeders f} kill(f)``, TOP-aware."""
        parts: list[frozenset[str]] = []
        for _, feeders in self.materials[i]:
            finite: list[frozenset[str]] = []
            for f in feeders:
                if op[f]:
                    v = kill[f]
                    if isinstance(v, frozenset):
                        finite.append(v)
            if not finite:
                # Only reachable in the cycle phase: every operational feeder
                # is still TOP, and TOP ∩ ... ∩ TOP = TOP, so the union is TOP.
                return _TOP
            part = _intersect(finite)
            if part:
                parts.append(part)
        # One set per distinct value, shared by the nodes (mostly a provider's
        # nodes for many products) that have it.
        key: tuple[str | frozenset[str], ...] = (self.base[i], *parts)
        made = self._kills.get(key)
        if made is None:
            made = self._kills[key] = _union(self.base[i], parts)
        return made

    @cached_property
    def node_kills(self) -> list[frozenset[str] | None]:
        """kill(i) for every baseline-operational node (None for the others):
        the providers whose single failure makes node i non-operational.

        Phase 1 (everything when feeds are acyclic): Kahn's topological order
        over the feed edges among operational nodes; each kill set is
        computed once from its feeders' memoised sets.

        Phase 2 (only nodes on, or downstream of, a feed cycle): the
        equations have several solutions there; the true kill sets are the
        *greatest* one (dual of the least-fixed-point semantics of
        "operational": for any solution K and provider X, the nodes whose K
        lacks X are closed under the operational rule with X failed, so they
        contain that least fixed point, i.e. K is below the true kill sets).
        Computed by chaotic iteration from TOP with a worklist; every update
        strictly shrinks one set, so it terminates.
        """
        op = self.baseline[0]
        materials, kills = self.materials, self._kills
        kill: list[_Kill | None] = [None] * len(self.base)
        fed: list[int] = []  # operational nodes with materials; the others' kill set is themselves
        for i, (provider, mats, up) in enumerate(zip(self.base, materials, op)):
            if up:
                if mats:
                    fed.append(i)
                else:
                    key = (provider,)
                    k = kills.get(key)
                    kill[i] = k if k is not None else kills.setdefault(key, frozenset(key))
        succ: dict[int, list[int]] = {}  # feed edges among fed nodes
        indeg: dict[int, int] = {}
        queue: list[int] = []
        for i in fed:
            d = 0
            for _, feeders in materials[i]:
                for f in feeders:
                    if op[f] and kill[f] is None:
                        d += 1
                        group = succ.get(f)
                        if group is None:
                            succ[f] = [i]
                        else:
                            group.append(i)
            if d:
                indeg[i] = d
            else:
                queue.append(i)
        head = 0
        while head < len(queue):
            i = queue[head]
            head += 1
            kill[i] = self._node_kill(i, op, kill)
            for q in succ.get(i, ()):
                indeg[q] -= 1
                if not indeg[q]:
                    queue.append(q)
        if len(queue) < len(fed):  # feed cycle(s) among operational nodes
            rest = [i for i in fed if kill[i] is None]
            for i in rest:
                kill[i] = _TOP
            work = deque(rest)
            queued = set(rest)
            while work:
                i = work.popleft()
                queued.discard(i)
                new = self._node_kill(i, op, kill)
                if new != kill[i]:
                    kill[i] = new
                    # Successors of a phase-2 node are phase-2 nodes too.
                    for q in succ.get(i, ()):
                        if q not in queued:
                            queued.add(q)
                            work.append(q)
            assert not any(v is _TOP for v in kill), "kill-set iteration left TOP"
        return kill  # type: ignore[return-value]

    def unit_kill(self, u: int) -> frozenset[str]:
        """The ids whose single failure makes baseline-available unit ``u``
        (an index into :attr:`units`) unavailable: ``⋃_steps ⋂_{operational
        sources} kill(s)``, plus the product id when it is also a provider id."""
        op = self.baseline[0]
        kill = self.node_kills
        parts = [_intersect([kill[s] for s in sources if op[s]]) for _, sources in self.unit_steps[u]]  # type: ignore[misc]
        product = self.units[u][0]
        return _union(product if product in self.provider_ids else None, parts)

    def single_failure_impact(self) -> dict[str, frozenset[Unit]]:
        """``id -> units lost`` for every id whose failure alone makes a
        baseline-available unit unavailable (a product id that is not a
        provider id only loses its own units; those trivial entries are left
        out).  Exactly equal to failing each id in turn and re-evaluating, but
        computed for all ids together: each distinct source list's kill set
        (``⋂_{operational sources} kill(s)``) is worked out once and its
        units handed to every id in it."""
        op, up = self._baseline
        kill, lists, providers = self.node_kills, self.lists, self.provider_ids
        lost: dict[str, list[Unit]] = {}
        for unit in compress(self.units, up):
            if unit[0] in providers:  # failing the product's own id
                lost.setdefault(unit[0], []).append(unit)
        kills: list[frozenset[str] | None] = [None] * len(lists)  # per list, made on first use
        for unit, idx, ok in zip(self.units, self.unit_lists, up):
            if ok:
                for j in idx:
                    nodes = kills[j]
                    if nodes is None:
                        nodes = kills[j] = _intersect([kill[s] for s in lists[j] if op[s]])  # type: ignore[misc]
                    for node in nodes:
                        group = lost.get(node)
                        if group is None:
                            lost[node] = [unit]
                        else:
                            group.append(unit)  # a unit met twice (two of its lists) is one in the set below
        return {node: frozenset(units) for node, units in lost.items()}

    # -- explanations ---------------------------------------------------------

    def upstream(self, starts: Iterable[int]) -> list[int]:
        """``starts`` and every node feeding them, at any depth."""
        seen = set(starts)
        stack = list(seen)
        while stack:
            for _, feeders in self.materials[stack.pop()]:
                for f in feeders:
                    if f not in seen:
                        seen.add(f)
                        stack.append(f)
        return sorted(seen)

    def operational_among(self, nodes: Sequence[int], failed: AbstractSet[str]) -> set[int]:
        """The operational nodes among ``nodes`` (closed upstream) with ``failed``
        failed: the same least fixed point as :meth:`operational`, on the part
        of the network that decides them."""
        members = set(nodes)
        need = {i: len(self.materials[i]) for i in nodes}
        fed: dict[int, list[tuple[int, int]]] = {}
        for i in nodes:
            for k, (_, feeders) in enumerate(self.materials[i]):
                for f in feeders:
                    fed.setdefault(f, []).append((i, k))
        assert all(f in members for f in fed), "nodes must be closed upstream"
        satisfied: set[tuple[int, int]] = set()
        stack = [i for i in nodes if not need[i] and self.base[i] not in failed]
        op = set(stack)
        while stack:
            f = stack.pop()
            for slot in fed.get(f, ()):
                if slot not in satisfied:
                    satisfied.add(slot)
                    need[slot[0]] -= 1
                    if not need[slot[0]] and self.base[slot[0]] not in failed:
                        op.add(slot[0])
                        stack.append(slot[0])
        return op

    def explain(
        self, u: int, failed: AbstractSet[str], steps: Sequence[tuple[str, list[int]]] | None = None
    ) -> list[StepLoss]:
        """Why unit ``u`` is lost when ``failed`` fail together: per uncovered
        step, each baseline-operational source with its chain of lost
        materials up to a failed provider (following a failed feeder where
        there is one, else the first lost one).  ``steps`` overrides the
        unit's steps (e.g. with added sources).  Costs the unit's upstream
        part of the network, not the whole."""
        steps = self.unit_steps[u] if steps is None else steps
        op0 = self.baseline[0]
        part = self.upstream(s for _, sources in steps for s in sources)
        op1 = self.operational_among(part, failed)
        product = self.units[u][0]
        result: list[StepLoss] = []
        for step, sources in steps:
            live = [s for s in sources if op0[s]]
            if any(s in op1 for s in live):
                continue
            losses = tuple(self._source_loss(s, op0, op1, failed) for s in live)
            result.append(StepLoss(product, step, losses))
        return result

    def _source_loss(self, source: int, op0: bytearray, op1: AbstractSet[int], failed: AbstractSet[str]) -> SourceLoss:
        chain: list[Hop] = []
        seen = {source}
        cur = source
        end = self.base[source]
        while self.base[cur] not in failed:
            for material, feeders in self.materials[cur]:  # noqa: B007 (the lost material is used below)
                live = [f for f in feeders if op0[f]]
                if not any(f in op1 for f in live):
                    break
            else:  # pragma: no cover - a node live before and lost after has a lost material
                break
            chain.append(Hop(material, tuple(dict.fromkeys(self.base[f] for f in live))))
            if not live:  # pragma: no cover - a node live before had a live feeder of each material
                break
            cur = next((f for f in live if self.base[f] in failed), live[0])
            end = self.base[cur]
            if cur in seen:
                break
            seen.add(cur)
        return SourceLoss(self.base[source], tuple(chain), end)

    # -- what-if --------------------------------------------------------------

    def what_if(
        self, failed: Collection[str], extra_sources: Mapping[tuple[Unit, str], Collection[str]] | None = None
    ) -> WhatIfResult[Unit]:
        """Fail ``failed`` together, optionally with extra sources per
        ``(unit, step)`` (the step must exist: :class:`ValueError`
        otherwise); see :class:`WhatIfResult`."""
        failed_set = _as_id_set(failed, "failed")
        op0, base = self.baseline
        op1 = self.operational(failed_set)
        plain = frozenset(self.available(op1, failed_set))
        after = plain
        if extra_sources:
            merged: dict[Unit, dict[str, Collection[str]]] = {}
            for (unit, step), sources in extra_sources.items():
                if unit not in self.steps_of or step not in self.steps_of[unit]:
                    raise ValueError(f"extra_sources: unknown (unit, step) {(unit, step)!r}")
                added = _as_id_set(sources, f"extra_sources[{(unit, step)!r}]")
                steps = merged.setdefault(unit, dict(self.steps_of[unit]))
                steps[step] = tuple(dict.fromkeys((*steps[step], *added)))
            other = Network({**self.steps_of, **merged}, self.feeds, unfed=self.unfed)
            after = frozenset(other.available(other.operational(failed_set), failed_set))
        down = {b for b, was, now in zip(self.base[: self.spare_from], op0, op1) if was and not now}
        return WhatIfResult(
            failed=failed_set,
            baseline=base,
            after=after,
            lost=base - after,
            saved=(base - plain) & after,
            providers_lost=frozenset(down),
        )


@dataclass(frozen=True)
class WhatIfResult(Generic[T]):
    """Outcome of a multi-failure scenario (see :meth:`Network.what_if`,
    :func:`what_if`): sets of units (products for :func:`what_if`).

    Attributes
    ----------
    failed : frozenset[str]
        The ids assumed to fail.
    baseline : frozenset
        Available today (nothing failed, no extra sources).
    after : frozenset
        Available with ``failed`` failed and the extra sources added.
    lost : frozenset
        ``baseline - after``.
    saved : frozenset
        Lost to the failures without the extra sources, kept with them.
    providers_lost : frozenset[str]
        Providers operational today (for some unit) and no longer (for
        one of those): the failed ones and those cut off upstream.
    """

    failed: frozenset[str]
    baseline: frozenset[T]
    after: frozenset[T]
    lost: frozenset[T]
    saved: frozenset[T]
    providers_lost: frozenset[str]

    @property
    def gained(self) -> frozenset[T]:
        """Not available today, available after (extra sources)."""
        return self.after - self.baseline


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


_CHAIN_AT_MOST = 6  # hops spelled out in one explanation; longer chains keep both ends


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

    ``str()`` spells out at most six hops: a longer chain keeps its first and
    last tiers and says how many it leaves out, so an explanation stays short
    however deep the supply chain is.
    """

    source: str
    chain: tuple[Hop, ...]
    failed_node: str

    def __str__(self) -> str:
        if not self.chain:
            return f"{self.source} fails"
        pieces = []
        for i, hop in enumerate(self.chain):
            text = ""
            if i:
                prev = self.chain[i - 1]
                nxt = _next_in_chain(prev.feeders, self.failed_node)
                text += ", which" if len(prev.feeders) == 1 else f"; {nxt}"
            if len(hop.feeders) == 1:
                text += f" needs {hop.material!r} only from {hop.feeders[0]}"
            else:
                text += f" needs {hop.material!r} only from {', '.join(hop.feeders)}, all lost"
            pieces.append(text)
        if len(pieces) > _CHAIN_AT_MOST:
            keep = _CHAIN_AT_MOST // 2
            tail = len(pieces) - keep
            resume = _next_in_chain(self.chain[tail - 1].feeders, self.failed_node)
            skipped = tail - keep
            needs = pieces[tail][pieces[tail].index(" needs ") :]  # its connector names the previous hop
            marker = f", … {skipped} more tier{'s' if skipped > 1 else ''} …, {resume}"
            pieces = [*pieces[:keep], marker + needs, *pieces[tail + 1 :]]
        text = self.source + "".join(pieces)
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


# --------------------------------------------------------------------------
# the one-market API: products with plain step and feed mappings
# --------------------------------------------------------------------------


def _network(steps: Steps, feeds: Feeds) -> Network:
    """``steps``/``feeds`` as a network of one global-market unit per product,
    every provider mentioned given a node."""
    return Network(
        {(product, None): product_steps for product, product_steps in steps.items()},
        {p: [FeedIn(m, f) for m, fs in mats.items() for f in fs] for p, mats in feeds.items()},
        providers=[*feeds, *(f for mats in feeds.values() for fs in mats.values() for f in fs)],
        unfed={p: [m for m, fs in mats.items() if not fs] for p, mats in feeds.items()},
    )


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
    :meth:`Network.operational` on one global-market unit per product:
    time and memory O(P + E + S), P providers, E feed entries, S step-source
    entries.

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
    net = _network(steps, feeds)
    op = net.operational(failed_set)
    return frozenset(b for b, on in zip(net.base, op) if on), frozenset(p for p, _ in net.available(op, failed_set))


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
        failed.  The product's own id is in its kill set only if it is also a
        provider id.

    Notes
    -----
    Dominator-style set equations over the AND/OR structure, restricted to
    what is operational at baseline:

    * provider: ``kill(p) = {p} ∪ ⋃_{materials m of p} ⋂_{operational feeders f of m} kill(f)``
    * step: ``kill(step) = ⋂_{operational sources s} kill(s)``
    * product: ``kill(P) = ⋃_{steps} kill(step)``

    Memoised in topological order (Kahn); on a feed cycle the greatest
    solution by worklist iteration (see :attr:`Network.node_kills`).  Cost
    O((E + S) * k) with k the largest kill set; pathological instances (long
    single-sourced chains) reach O((E + S) * P).

    Examples
    --------
    >>> steps = {"pill": {"api": ["a1"], "dp": ["c1", "c2"]}}
    >>> feeds = {"c1": {"api": ["a1"]}, "c2": {"api": ["a1"]}}
    >>> kill_sets(steps, feeds)
    {'pill': frozenset({'a1'})}
    """
    net = _network(steps, feeds)
    avail = net.baseline[1]
    return {unit[0]: net.unit_kill(u) for u, unit in enumerate(net.units) if unit in avail}


def single_failure_impact(steps: Steps, feeds: Feeds) -> dict[str, frozenset[str]]:
    """Every single point of failure and the currently available products it takes down.

    ``provider id -> products lost`` for every provider whose failure alone
    makes at least one currently available product unavailable: exactly
    equal to removing each provider in turn and recomputing
    :func:`operational`, but computed for all providers together (see
    :meth:`Network.single_failure_impact`).

    Examples
    --------
    >>> steps = {"pill": {"api": ["a1"], "dp": ["c1", "c2"]}}
    >>> feeds = {"c1": {"api": ["a1"]}, "c2": {"api": ["a1"]}}
    >>> single_failure_impact(steps, feeds)
    {'a1': frozenset({'pill'})}
    """
    impact = _network(steps, feeds).single_failure_impact()
    return {node: frozenset(p for p, _ in units) for node, units in impact.items()}


def explain_loss(steps: Steps, feeds: Feeds, failed_node: str, product: str) -> list[StepLoss]:
    """Explain why ``product`` is lost when ``failed_node`` alone fails.

    Returns
    -------
    list[StepLoss]
        The steps of ``product`` (in mapping order) that become uncovered,
        each with its baseline-operational sources and, per source, a chain
        of lost materials up to ``failed_node``.  ``str()`` of an item is a
        one-line human explanation.  Empty when the product is not currently
        available, survives the failure, or is lost only because
        ``failed_node`` is the product itself.

    Examples
    --------
    >>> steps = {"pill": {"api": ["a1"], "dp": ["c1", "c2"]}}
    >>> feeds = {"c1": {"api": ["a1"]}, "c2": {"api": ["a1"]}}
    >>> for loss in explain_loss(steps, feeds, "a1", "pill"):
    ...     print(loss)
    step api: only source a1 fails
    step dp: c1 needs 'api' only from a1 (fails); c2 needs 'api' only from a1 (fails)
    """
    net = _network({product: steps[product]} if product in steps else {}, feeds)
    if (product, None) not in net.baseline[1]:
        return []
    return net.explain(0, frozenset((failed_node,)))


def what_if(
    steps: Steps,
    feeds: Feeds,
    failed: Collection[str],
    extra_sources: Mapping[tuple[str, str], Collection[str]] | None = None,
) -> WhatIfResult[str]:
    """Simulate several failures, optionally with extra qualified sources.

    Parameters
    ----------
    steps, feeds
        As for :func:`operational`.
    failed : Collection[str]
        Ids that fail together (a bare string is rejected).
    extra_sources : Mapping[tuple[str, str], Collection[str]], optional
        ``(product, step) -> additional qualified source ids``.  The
        ``(product, step)`` pair must exist in ``steps`` (:class:`ValueError`
        otherwise).

    Returns
    -------
    WhatIfResult[str]
        Baseline and after availability of products, ``lost``, ``saved`` and
        ``providers_lost``.

    Examples
    --------
    >>> steps = {"pill": {"api": ["a1"], "dp": ["c1", "c2"]}}
    >>> feeds = {"c1": {"api": ["a1"]}, "c2": {"api": ["a1"]}}
    >>> r = what_if(steps, feeds, ["c1", "c2"], {("pill", "dp"): ["c3"]})
    >>> sorted(r.lost), sorted(r.saved), sorted(r.providers_lost)
    ([], ['pill'], ['c1', 'c2'])
    """
    for product, step in extra_sources or {}:
        if product not in steps or step not in steps[product]:
            raise ValueError(f"extra_sources: unknown (product, step) {(product, step)!r}")
    r = _network(steps, feeds).what_if(
        failed, {((p, None), s): sources for (p, s), sources in (extra_sources or {}).items()}
    )

    def products(units: frozenset[Unit]) -> frozenset[str]:
        return frozenset(p for p, _ in units)

    return WhatIfResult(
        r.failed, products(r.baseline), products(r.after), products(r.lost), products(r.saved), r.providers_lost
    )
