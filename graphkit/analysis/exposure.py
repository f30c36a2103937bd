"""What a failure costs in time and money: when each lost market is back,
how long it runs short, and the revenue lost meanwhile.

The rule (the one place it is written down), for a set of nodes failing
together at week 0:

* a failed provider is back after its ``recovery_weeks`` (unknown: the
  caller's default, else 52 weeks, and the answer says it rests on that);
* an unqualified source with ``bring_up_weeks`` counts as a qualified one
  from that week on (where it is filed; its own upstream must work too);
* a lost (product, market) is **recovered** at the first week at which it is
  available again by the supply rules of :mod:`graphkit.analysis.supply`;
  availability only grows with time, so the answer is exact by trying the
  weeks at which something comes back, in order, up to the last failed
  node's recovery (when everything is back);
* it survives on its stock for ``inventory_weeks`` (the market's, else the
  product's, else none): **shortage** = max(0, recovery − inventory) weeks,
  from the week the stock runs out;
* **loss** = the market's weekly revenue (annual / 52) × shortage weeks.

Written once as :meth:`Exposure.timeline` over any failed set, so single
failures, pairs and common causes cost the same way.
"""

from __future__ import annotations

__all__ = [
    "UNKNOWN_RECOVERY_WEEKS",
    "WEEKS_PER_YEAR",
    "Backup",
    "Exposure",
    "LostMarket",
    "MarketTimeline",
    "Timeline",
]

import heapq
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from ..model import Portfolio
from .results import Result
from .supply import FeedIn, Network, Unit

WEEKS_PER_YEAR = 52
UNKNOWN_RECOVERY_WEEKS = 52.0  # a failed node with no recovery time is counted back after a year


@dataclass(frozen=True)
class Backup:
    """An unqualified source of a step in a market, usable after ``bring_up_weeks``."""

    provider: str
    step: str
    bring_up_weeks: float


@dataclass(frozen=True, slots=True)
class MarketTimeline:
    """One lost (product, market) over time (see the module rule).

    ``recovery_known`` is False when the recovery rests on the 52-week
    fallback for a node without a recovery time; ``inventory_known`` False
    when no stock is recorded (counted as none). ``restored_by`` says what
    brings the market back (``cmo-x back``, ``backup cmo-y (fill_finish)``).
    """

    unit: Unit
    recovery_weeks: float
    recovery_known: bool
    restored_by: str
    inventory_weeks: float
    inventory_known: bool
    shortage_weeks: float
    annual_revenue: float
    loss: float = field(init=False)  # worked out once: rankings read it often

    def __post_init__(self) -> None:
        # Weekly revenue × shortage weeks (multiplied first: 52 weeks of 60M is 60M exactly).
        object.__setattr__(self, "loss", self.annual_revenue * self.shortage_weeks / WEEKS_PER_YEAR)

    @property
    def short_from(self) -> float | None:
        """The week the stock runs out, when the market runs short at all."""
        return self.inventory_weeks if self.shortage_weeks else None

    def record(self) -> LostMarket:
        """The result record (JSON) of this market's time and money."""
        return LostMarket(
            self.unit[0],
            self.unit[1],
            self.recovery_weeks if self.recovery_known else None,
            self.inventory_weeks,
            self.shortage_weeks,
            self.short_from,
            self.loss,
        )

    def remedy(self) -> str:
        """What would remove the shortage (empty when there is none)."""
        if not self.shortage_weeks:
            return ""
        backup = (
            f"a backup brought up within {_weeks(self.inventory_weeks)} weeks"
            if self.inventory_weeks
            else "a qualified backup"
        )
        return f"stock for {_weeks(self.recovery_weeks)} weeks, or {backup}, would remove the shortage"


@dataclass(frozen=True, slots=True)
class LostMarket(Result):
    """A lost (product, market) with its time and money, as results carry it:
    ``recovery_weeks`` None when it rests on the 52-week fallback,
    ``short_from_week`` None when the stock outlasts the recovery."""

    product: str
    market: str | None
    recovery_weeks: float | None
    inventory_weeks: float
    shortage_weeks: float
    short_from_week: float | None
    loss: float

    @property
    def unit(self) -> Unit:
        return (self.product, self.market)


@dataclass(frozen=True)
class Timeline:
    """The lost markets of one failed set, in unit order, each with its timeline."""

    failed: frozenset[str]
    markets: tuple[MarketTimeline, ...]
    loss: float = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "loss", sum(m.loss for m in self.markets))

    @property
    def assumed(self) -> tuple[str, ...]:
        """Sentences naming what the figures assume where data is missing."""
        out = []
        unknown = [m for m in self.markets if not m.recovery_known]
        if unknown:
            out.append(f"recovery time unknown: {_weeks(UNKNOWN_RECOVERY_WEEKS)} weeks counted")
        if any(not m.inventory_known for m in self.markets):
            out.append("no stock recorded: counted as none")
        return tuple(out)


def _weeks(w: float) -> str:
    return f"{w:g}"


class Exposure:
    """Time and money of failures over one portfolio's supply network.

    Parameters
    ----------
    portfolio : Portfolio
        For recovery and inventory weeks.
    units, feeds
        The supply engine's inputs (:func:`graphkit.analysis.spof.supply_inputs`).
    backups : Mapping[Unit, Collection[Backup]]
        Per unit, its unqualified sources with a bring-up time filed there.
    unit_revenue : Callable[[Unit], float]
        A market's annual revenue.
    network : Network, optional
        The engine already built on ``units``/``feeds`` (reused when no
        backup has a bring-up time).
    default_recovery : float, optional
        Recovery weeks of failed nodes without their own (``--recovery-weeks``).
    recovery_override, inventory_override : float, optional
        One recovery for every failed node / one stock for every market (what-if).

    Examples
    --------
    >>> from graphkit.model import Product
    >>> pf = Portfolio(products=(Product(id="p", name="P", technology="tablet", owner="c", inventory_weeks=2),))
    >>> units = {("p", None): {"fill": ("a",)}}
    >>> ex = Exposure(pf, units, {}, {("p", None): [Backup("b", "fill", 6.0)]}, lambda u: 52e6)
    >>> m = ex.timeline({"a"}).markets[0]  # a: no recovery time, so 52 weeks; b is up in 6
    >>> m.recovery_weeks, m.restored_by, m.shortage_weeks, m.loss
    (6.0, 'backup b (fill)', 4.0, 4000000.0)
    """

    def __init__(
        self,
        portfolio: Portfolio,
        units: Mapping[Unit, Mapping[str, Collection[str]]],
        feeds: Mapping[str, Collection[FeedIn]],
        backups: Mapping[Unit, Collection[Backup]],
        unit_revenue: Callable[[Unit], float],
        network: Network | None = None,
        default_recovery: float | None = None,
        recovery_override: float | None = None,
        inventory_override: float | None = None,
    ) -> None:
        self.portfolio = portfolio
        self.unit_revenue = unit_revenue
        self.default_recovery = default_recovery
        self.recovery_override = recovery_override
        self.inventory_override = inventory_override
        # A backup becomes a stand-in provider, fed by the real one and
        # failed until its bring-up week; ids cannot clash (a NUL inside).
        self.standins: dict[str, tuple[Backup, float]] = {}
        extended: dict[Unit, dict[str, tuple[str, ...]]] = {}
        stand_feeds: dict[str, list[FeedIn]] = {}
        for unit, found in backups.items():
            steps = extended.setdefault(unit, {s: tuple(src) for s, src in units[unit].items()})
            for b in found:
                sid = f"{b.provider}\0{b.step}\0{b.bring_up_weeks!r}"
                self.standins[sid] = (b, b.bring_up_weeks)
                stand_feeds[sid] = [FeedIn("\0stand-in", b.provider)]
                if sid not in steps[b.step]:
                    steps[b.step] = (*steps[b.step], sid)
        if extended or network is None:
            network = Network({**units, **extended}, {**feeds, **stand_feeds})
        self.network = network
        self.index = {u: i for i, u in enumerate(network.units)}
        self._inventory: dict[Unit, tuple[float, bool]] = {}  # filled by inventory
        self._backup_ids: dict[tuple[int, ...], tuple[str, ...]] = {}  # filled by _backups_in: lists -> stand-in ids

    @cached_property
    def _provider_recovery(self) -> dict[str, float]:
        return {p.id: p.recovery_weeks for p in self.portfolio.providers if p.recovery_weeks is not None}

    def recovery(self, node: str) -> tuple[float, bool]:
        """(weeks until ``node`` is back, known): the override, its own, the
        default, else 52 weeks (not known)."""
        if self.recovery_override is not None:
            return self.recovery_override, True
        own = self._provider_recovery.get(node)
        if own is not None:
            return own, True
        if self.default_recovery is not None:
            return self.default_recovery, True
        return UNKNOWN_RECOVERY_WEEKS, False

    @cached_property
    def _products(self) -> dict[str, Any]:
        return {p.id: p for p in self.portfolio.products}

    def inventory(self, unit: Unit) -> tuple[float, bool]:
        """(weeks of stock of a market, recorded): the override, the market's, the product's, else none."""
        found = self._inventory.get(unit)
        if found is None:
            found = self._inventory[unit] = self._inventory_of(unit)
        return found

    def _inventory_of(self, unit: Unit) -> tuple[float, bool]:
        if self.inventory_override is not None:
            return self.inventory_override, True
        product = self._products.get(unit[0])
        if product is None:
            return 0.0, False
        for m in product.markets:
            if m.territory == unit[1] and m.inventory_weeks is not None:
                return m.inventory_weeks, True
        if product.inventory_weeks is not None:
            return product.inventory_weeks, True
        return 0.0, False

    def timeline(self, failed: Collection[str], units: Iterable[Unit] | None = None) -> Timeline:
        """Each market lost when ``failed`` fail together at week 0, with its
        recovery, shortage and loss (see the module rule).

        ``units``: the markets to follow (default: those available today and
        not at week 0); one already available at week 0 is back at week 0.

        Notes
        -----
        Not week by week: each source list of the network gets the first
        week one of its sources works, and a market is back at the latest of
        its lists' weeks (capped at the last recovery, when everything is
        back).  For one failed node that week follows from the engine's kill
        sets (a source works at once unless the node is in its kill set; a
        backup from its bring-up); for several, from one pass over the lost
        markets' upstream (:meth:`_up_weeks`).
        """
        return self._timeline(frozenset(failed), units, False)

    def single_timelines(self, lost: Mapping[str, Sequence[Unit]]) -> dict[str, Timeline]:
        """Each node's :meth:`timeline` failing alone, given ``lost``: node ->
        the markets its failure alone loses (:attr:`Network.single_failure_impact`,
        in unit order).  The same answers, faster: a market lost with no
        backup among its sources is back exactly when the node is."""
        return {node: self._timeline(frozenset((node,)), units, True) for node, units in lost.items()}

    def _timeline(self, failed_set: frozenset[str], units: Iterable[Unit] | None, lost: bool) -> Timeline:
        """:meth:`timeline`; ``lost``: ``units`` are what the one failed node
        loses at week 0 with no backup up."""
        net = self.network
        down_at = {n: self.recovery(n) for n in failed_set}
        if units is None:
            off0 = failed_set | {s for s, (_, w) in self.standins.items() if w > 0}
            at0 = net.available(net.operational(off0), off0)
            units = [u for u in net.units if u in self._baseline and u not in at0]
        todo = list(dict.fromkeys(units))
        own = {n: w for n, (w, _) in down_at.items()}
        end = max(own.values(), default=0.0)
        if len(own) == 1:
            first_up = self._single_first_up(next(iter(own)), end)
        else:
            week = self._up_weeks(todo, own, end)
            lists = net.lists
            first_up = lambda j: min([week.get(s, end) for s in lists[j]], default=end)  # noqa: E731
        weeks: dict[int, float] = {}
        back = _BackAt(down_at)
        found: dict[tuple[tuple[int, ...], float], tuple[float, tuple[str, bool]]] = {}
        unit_lists, index = net.unit_lists, self.index
        # A lost market none of whose lists holds a backup has a list that
        # stays down until the one failed node is back: it is back at `end`.
        fast = lost and len(own) == 1
        plain = self._plain if fast else b""
        at_end = (end, back.restored_by(end, []))
        markets = []
        for u in todo:
            ui = index[u]
            if fast and plain[ui]:
                known = at_end
            else:
                lists_of = unit_lists[ui]
                t0 = own.get(u[0], 0.0)  # a failed product id is back with its recovery
                known = found.get((lists_of, t0))  # the markets of a product mostly share their lists
            if known is None:
                t = t0
                for j in lists_of:
                    w = weeks.get(j)
                    if w is None:
                        w = weeks[j] = first_up(j)
                    if w > t:
                        t = w
                t = min(t, end)
                known = found[lists_of, t0] = (t, back.restored_by(t, self._backups_in(lists_of, t)))
            t, (by, sure) = known
            inv, inv_known = self.inventory(u)
            short = max(0.0, t - inv)
            markets.append(MarketTimeline(u, t, sure, by, inv, inv_known, short, self.unit_revenue(u)))
        return Timeline(failed_set, tuple(markets))

    def _single_first_up(self, node: str, end: float) -> Callable[[int], float]:
        """With ``node`` alone failed until ``end``: the first week a source
        of list ``j`` works (``end`` if none before)."""
        net = self.network
        kill, base, lists, standins = net.node_kills, net.base, net.lists, self.standins

        def first_up(j: int) -> float:
            best = end
            for s in lists[j]:
                k = kill[s]
                if k is None or node in k:
                    continue  # down at baseline, or until the node is back
                found = standins.get(base[s])
                if found is None:
                    return 0.0
                best = min(best, found[1])
            return best

        return first_up

    def _up_weeks(self, todo: Iterable[Unit], own: Mapping[str, float], end: float) -> dict[int, float]:
        """Per node upstream of the ``todo`` markets, the first week it is
        operational, when before ``end``: ``max(its own week, max over its
        materials of the earliest feeder)`` (own week: a failed node's
        recovery, a backup's bring-up, else 0), a bottleneck path worked out
        Dijkstra-style from a heap of weeks (availability only grows)."""
        net = self.network
        lists = net.lists
        starts = set().union(*(lists[j] for j in {j for u in todo for j in net.unit_lists[self.index[u]]}))
        part = net.upstream(starts)
        members = set(part)
        owner, need0, consumers = net.slots
        base, standins = net.base, self.standins

        def own_week(i: int) -> float:
            b = base[i]
            w = own.get(b)
            if w is not None:
                return w
            found = standins.get(b)
            return found[1] if found is not None else 0.0

        heap = [(own_week(i), i) for i in part if not need0[i]]
        heapq.heapify(heap)
        need: dict[int, int] = {}
        ready: dict[int, float] = {}  # the latest material's earliest week so far
        done: set[int] = set()  # satisfied material slots
        week: dict[int, float] = {}
        while heap:
            t, i = heapq.heappop(heap)
            if t >= end:
                break
            if i in week:
                continue
            week[i] = t
            for slot in consumers[i]:
                j = owner[slot]
                if slot in done or j not in members:
                    continue
                done.add(slot)
                left = need.get(j, need0[j]) - 1
                need[j] = left
                r = ready[j] = max(ready.get(j, 0.0), t)
                if not left:
                    heapq.heappush(heap, (max(r, own_week(j)), j))
        return week

    def _backups_in(self, lists_of: tuple[int, ...], t: float) -> list[Backup]:
        """The backups among a market's sources that are up at week ``t`` exactly."""
        sids = self._backup_ids.get(lists_of)
        if sids is None:
            base, lists = self.network.base, self.network.lists
            found = {base[s] for j in lists_of for s in lists[j]}
            sids = self._backup_ids[lists_of] = tuple(sorted(b for b in found if b in self.standins))
        return [self.standins[sid][0] for sid in sids if self.standins[sid][1] == t] if sids else []

    @cached_property
    def _plain(self) -> bytearray:
        """A flag per unit: no backup (stand-in) among its sources."""
        net, standins = self.network, self.standins
        if not standins:
            return bytearray(b"\x01") * len(net.units)
        base = net.base
        plain_list = [not any(base[s] in standins for s in sources) for sources in net.lists]
        return bytearray(all(map(plain_list.__getitem__, idx)) for idx in net.unit_lists)

    @cached_property
    def _baseline(self) -> frozenset[Unit]:
        net = self.network
        return frozenset(net.available(net.operational(frozenset(self.standins))))


class _BackAt:
    """What comes back at a week, for one failed set."""

    def __init__(self, down_at: Mapping[str, tuple[float, bool]]) -> None:
        self.names: dict[float, list[str]] = {}
        self.known: dict[float, bool] = {}
        for n, (w, k) in sorted(down_at.items()):
            self.names.setdefault(w, []).append(f"{n} back")
            self.known[w] = self.known.get(w, False) or k

    def restored_by(self, t: float, backups: list[Backup]) -> tuple[str, bool]:
        """(what brings a market back at week ``t``, whether ``t`` rests on known data)."""
        if not t:
            return "available at once", True
        names = self.names.get(t, []) + [f"backup {b.provider} ({b.step})" for b in backups]
        known = self.known.get(t, False) or bool(backups)
        return ", ".join(names) or "everything back", known
