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
    "serving",
]

import heapq
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, NamedTuple

from ..model import Portfolio
from .cascade import Cascade
from .results import Result
from .supply import FeedIn, Network, Unit

WEEKS_PER_YEAR = 52
_new_tuple = tuple.__new__
UNKNOWN_RECOVERY_WEEKS = 52.0  # a failed node with no recovery time is counted back after a year


@dataclass(frozen=True)
class Backup:
    """An unqualified source of a step in a market, usable after ``bring_up_weeks``."""

    provider: str
    step: str
    bring_up_weeks: float


class MarketTimeline(NamedTuple):
    """One lost (product, market) over time (see the module rule); made by
    :meth:`of` (a tuple: a million of them at scale, made cheaply).

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
    loss: float  # worked out once by `of`: rankings read it often

    @classmethod
    def of(
        cls,
        unit: Unit,
        recovery_weeks: float,
        recovery_known: bool,
        restored_by: str,
        inventory_weeks: float,
        inventory_known: bool,
        annual_revenue: float,
    ) -> MarketTimeline:
        """The market's timeline: short for what the stock does not cover,
        losing weekly revenue × shortage weeks (:func:`_shortage`)."""
        short, loss = _shortage(recovery_weeks, inventory_weeks, annual_revenue)
        # the tuple made directly: the named tuple's own __new__ is one Python call more, millions of times at scale
        return _new_tuple(
            cls,
            (
                unit,
                recovery_weeks,
                recovery_known,
                restored_by,
                inventory_weeks,
                inventory_known,
                short,
                annual_revenue,
                loss,
            ),
        )

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


def _shortage(recovery_weeks: float, inventory_weeks: float, annual_revenue: float) -> tuple[float, float]:
    """(shortage weeks, loss) of a market back at ``recovery_weeks`` with
    that much stock: weekly revenue × shortage weeks, multiplied first (52
    weeks of 60M is 60M exactly)."""
    short = max(0.0, recovery_weeks - inventory_weeks)
    return short, annual_revenue * short / WEEKS_PER_YEAR


@dataclass(slots=True, unsafe_hash=True)  # made by the million: not frozen (see .results)
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
        The engine already built on ``units``/``feeds`` with the backups'
        nodes (``serving=`` :func:`serving`), reused.
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
        if network is None:
            network = Network(units, feeds, serving=serving(backups))
        self.network = network
        self.index = index = {u: i for i, u in enumerate(network.units)}
        # Per unit with backups: (position of the step among the unit's source
        # lists, the backup's node, the backup), each backup once, in order.
        self.backups: dict[int, tuple[tuple[int, int, Backup], ...]] = {}
        for unit, found in backups.items():
            ui = index[unit]
            position = {step: k for k, (step, _) in enumerate(network.unit_steps[ui])}
            once = sorted({(b.provider, b.step, b.bring_up_weeks): b for b in found}.items())
            self.backups[ui] = tuple((position[b.step], network.serving_node(b.provider, unit), b) for _, b in once)

    @cached_property
    def _market(self) -> list[tuple[float, bool, float]]:
        """Per unit: its weeks of stock, whether recorded, and its annual revenue."""
        return [(*self.inventory(u), self.unit_revenue(u)) for u in self.network.units]

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
        backup from its bring-up); for several, from what the failure takes
        down (:meth:`Cascade.weeks`), or where feeds cycle from one pass over
        the lost markets' upstream (:meth:`_up_weeks`).
        """
        return self._timeline(frozenset(failed), units)

    def single_timelines(self, lost: Mapping[str, Sequence[Unit]]) -> dict[str, Timeline]:
        """Each node's :meth:`timeline` failing alone, given ``lost``: node ->
        the markets its failure alone loses (:attr:`Network.single_failure_impact`,
        in unit order)."""
        return {node: self.lost_timeline((node,), units, lost) for node, units in lost.items()}

    def lost_timeline(
        self, failed: Collection[str], units: Iterable[Unit], alone: Mapping[str, Collection[Unit]]
    ) -> Timeline:
        """:meth:`timeline` of ``units``, markets that ``failed`` failing
        together loses at week 0 (by the engine: no backup up), given
        ``alone``: node -> the markets its failure alone loses.  The same
        answers, faster where one or two nodes fail: a market with no backup
        is then back when the last node it needs is, i.e. the last to be
        back, or the first when the other alone does not take it down."""
        return self._timeline(frozenset(failed), units, alone)

    def lost_loss(self, failed: Collection[str], units: Iterable[Unit], alone: Mapping[str, Collection[Unit]]) -> float:
        """The ``loss`` of :meth:`lost_timeline` alone (the same float), without
        the markets' records: pairs and groups are ranked by it and show no
        market's timeline, and what brings a market back (a name per node
        back that week, hundreds for a country) is most of a record's cost."""
        return sum(self._markets(frozenset(failed), units, alone, loss_only=True))  # type: ignore[arg-type]

    def _timeline(
        self,
        failed_set: frozenset[str],
        units: Iterable[Unit] | None,
        alone: Mapping[str, Collection[Unit]] | None = None,
        general: bool = False,
    ) -> Timeline:
        """:meth:`timeline`; with ``alone``, :meth:`lost_timeline`;
        ``general``: neither that rule nor the cascade (what they are held to)."""
        return Timeline(failed_set, self._markets(failed_set, units, alone, general))  # type: ignore[arg-type]

    def _markets(
        self,
        failed_set: frozenset[str],
        units: Iterable[Unit] | None,
        alone: Mapping[str, Collection[Unit]] | None = None,
        general: bool = False,
        loss_only: bool = False,
    ) -> tuple[MarketTimeline, ...] | list[float]:
        """The markets of :meth:`_timeline`, in order; ``loss_only``: each
        market's loss instead (what :class:`Timeline` sums)."""
        net = self.network
        down_at = {n: self.recovery(n) for n in failed_set}
        if units is None:
            at0 = self._available_at_once(failed_set)
            units = [u for u in net.units if u in net.baseline[1] and u not in at0]
        todo = list(dict.fromkeys(units))
        own = {n: w for n, (w, _) in down_at.items()}
        end = max(own.values(), default=0.0)
        index, backups = self.index, self.backups
        back = _BackAt(down_at)
        # Lost at week 0 with no backup, one or two nodes failed: the market
        # is down until `end` while the last node back (`last`) takes it down
        # alone, else back with the first node, since `last` alone leaves it.
        fast = alone is not None and not general and 0 < len(own) <= 2
        if fast:
            order = sorted(own, key=own.__getitem__)
            first, last = order[0], order[-1]
            early = own[first]
            kills = alone.get(last, ()) if early < end else ()  # type: ignore[union-attr]
            at = {t: (t, back.restored_by(t, [])) for t in {early, end}}
        single = len(own) == 1
        bare_weeks: dict[int, float] | None = None  # the weeks of the only lists that can wait, when known
        wait: dict[int, float] = {}  # then per market, the latest of its lists' weeks
        backup_up: Callable[[int, Backup], float]  # the first week a backup (its node, itself) works
        if single:
            node = next(iter(own))
            first_up = self._single_first_up(node, end)
            kill = net.node_kills
            # a backup works from its bring-up unless the node's failure takes it down until the node is back
            backup_up = lambda i, b: end if (k := kill[i]) is None or node in k else b.bring_up_weeks  # noqa: E731
        else:
            if fast:  # only the markets with backups need the weeks of the nodes
                todo_up = [u for u in todo if index[u] in backups]
            cascade = None if general or fast else self.cascade
            if cascade is None:
                up = self._up_weeks(todo_up if fast else todo, own, end)
            else:
                up, down = cascade.weeks(own, end)
            lists = net.lists
            first_up = lambda j: min([up(s) for s in lists[j]], default=end)  # noqa: E731
            backup_up = lambda i, b: max(b.bring_up_weeks, up(i))  # noqa: E731
            if cascade is not None and loss_only:
                # Only the lists the failure leaves bare wait: any other has a source it leaves
                # alone, up at week 0 (weeks are never below 0), so it never delays a market
                # (every market here was available today).  A week of 0 may lose its sign, which
                # no loss shows.
                bare_weeks = {j: first_up(j) for j in cascade.bare(down)}
                units_of = cascade.units_of
                for j, wj in bare_weeks.items():  # each market waits for its latest bare list
                    for ui in units_of.get(j, ()):
                        wait[ui] = max(wait.get(ui, 0.0), wj)
        weeks: dict[int, float] = {}
        found: dict[tuple[tuple[int, ...], float, int], tuple[float, tuple[str, bool]]] = {}
        unit_lists, market = net.unit_lists, self._market
        markets: list[Any] = []  # records, or losses alone
        for u in todo:
            ui = index[u]
            mine = backups.get(ui, ())
            if fast and not mine:
                if loss_only:
                    inv, _, revenue = market[ui]
                    t = end if u[0] == last or u in kills else early
                    markets.append(_shortage(t, inv, revenue)[1])
                    continue
                t, (by, sure) = at[end if u[0] == last or u in kills else early]
            elif bare_weeks is not None and not mine:
                inv, _, revenue = market[ui]
                t = min(max(own.get(u[0], 0.0), wait.get(ui, 0.0)), end)
                markets.append(_shortage(t, inv, revenue)[1])
                continue
            else:
                lists_of = unit_lists[ui]
                t0 = own.get(u[0], 0.0)  # a failed product id is back with its recovery
                # the markets of a product mostly share their lists (and their backups: the key's id)
                key = (lists_of, t0, id(mine))
                known = found.get(key)
                if known is None:
                    ups: list[float]
                    if bare_weeks is not None:
                        ups = [bare_weeks.get(j, 0.0) for j in lists_of]
                    else:
                        ups = []
                        for j in lists_of:
                            w = weeks.get(j)
                            if w is None:
                                w = weeks[j] = first_up(j)
                            ups.append(w)
                    for k, i, b in mine:
                        ups[k] = min(ups[k], backup_up(i, b))
                    t = min(max([t0, *ups]), end)
                    if loss_only:
                        known = found[key] = (t, ("", False))
                    else:
                        named = [b for _, _, b in mine if b.bring_up_weeks == t]
                        known = found[key] = (t, back.restored_by(t, named))
                t, (by, sure) = known
            inv, inv_known, revenue = market[ui]
            if loss_only:
                markets.append(_shortage(t, inv, revenue)[1])
            else:
                markets.append(MarketTimeline.of(u, t, sure, by, inv, inv_known, revenue))
        return markets if loss_only else tuple(markets)

    def _single_first_up(self, node: str, end: float) -> Callable[[int], float]:
        """With ``node`` alone failed until ``end``: the first week a source
        of list ``j`` works (``end`` if none before)."""
        kill, lists = self.network.node_kills, self.network.lists

        def first_up(j: int) -> float:
            for s in lists[j]:
                k = kill[s]
                if k is not None and node not in k:
                    return 0.0  # up at baseline, and the node's failure does not take it down
            return end

        return first_up

    @cached_property
    def cascade(self) -> Cascade | None:
        """The network's :class:`Cascade` (None where feeds cycle)."""
        return Cascade.of(self.network)

    def _up_weeks(self, todo: Iterable[Unit], own: Mapping[str, float], end: float) -> Callable[[int], float]:
        """Per node upstream of the ``todo`` markets and of their backups'
        nodes, the first week it is operational (``end`` when not before):
        ``max(its own week, max over its materials of the earliest feeder)``
        (own week: a failed node's recovery, else 0), a bottleneck path worked
        out Dijkstra-style from a heap of weeks (availability only grows).  A
        backup works from the later of its bring-up and its node's week."""
        net = self.network
        lists, index = net.lists, self.index
        rows = [index[u] for u in todo]
        starts = set().union(*(lists[j] for j in {j for r in rows for j in net.unit_lists[r]}))
        starts.update(i for r in rows for _, i, _ in self.backups.get(r, ()))  # the backups' nodes
        part = net.upstream(starts)
        members = set(part)
        owner, need0, consumers = net.slots
        base = net.base

        def own_week(i: int) -> float:
            return own.get(base[i], 0.0)

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
        return lambda i: week.get(i, end)

    def _available_at_once(self, failed: frozenset[str]) -> set[Unit]:
        """Units available at week 0 with ``failed`` down: by the engine, or
        by backups brought up in no time covering each step it leaves bare."""
        net = self.network
        op = net.operational(failed)
        out = net.available(op, failed)
        covered = net.covered(op)
        for ui, mine in self.backups.items():
            unit = net.units[ui]
            if unit in out or unit[0] in failed:
                continue
            bare = {k for k, j in enumerate(net.unit_lists[ui]) if not covered[j]}
            if bare <= {k for k, i, b in mine if not b.bring_up_weeks and op[i]}:
                out.add(unit)
        return out


def serving(backups: Mapping[Unit, Collection[Backup]]) -> list[tuple[str, Unit]]:
    """The ``serving`` pairs of :class:`Network` that give the backups their nodes."""
    return [(b.provider, unit) for unit, found in backups.items() for b in found]


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
