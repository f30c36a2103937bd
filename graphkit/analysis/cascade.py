"""Failures spreading downstream from the baseline, where feeds among the
operational nodes of a :class:`~graphkit.analysis.supply.Network` are
acyclic: a failed node takes one live feeder from each material it feeds,
and a node left with a material no live feeder delivers fails too.  So a
failed set costs what it feeds, not a re-evaluation of the whole network
(common causes' losses, the timelines of pairs and groups).  Feed cycles
take the engine's fixed point instead (:meth:`Cascade.of` gives None).
"""

from __future__ import annotations

__all__ = ["Cascade", "feeders_first"]

from collections.abc import Callable, Iterable, Mapping
from collections.abc import Set as AbstractSet
from functools import cached_property

from .supply import Network


def feeders_first(net: Network, live: list[int], op0: bytearray) -> dict[int, int] | None:
    """Each of ``live`` (baseline-operational, closed upstream) numbered so
    that a node's operational feeders come before it; None on a feed cycle."""
    indeg = dict.fromkeys(live, 0)
    succ: dict[int, list[int]] = {}
    for i in live:
        for _, feeders in net.materials[i]:
            for f in feeders:
                if op0[f]:
                    indeg[i] += 1
                    succ.setdefault(f, []).append(i)
    queue = [i for i in live if not indeg[i]]
    for i in queue:  # grows as nodes are freed
        for q in succ.get(i, ()):
            indeg[q] -= 1
            if not indeg[q]:
                queue.append(q)
    return {i: k for k, i in enumerate(queue)} if len(queue) == len(live) else None


class Cascade:
    """What a failed set takes down, and when each of it is back, counted
    from the baseline of an acyclic network (made by :meth:`of`)."""

    def __init__(self, net: Network, live: list[int], rank: dict[int, int]) -> None:
        self.net = net
        self.rank = rank
        owner, _, consumers = net.slots
        self.feeders = feeders = [0] * len(owner)  # live feeders per material slot
        self.nodes_of: dict[str, list[int]] = {}  # id -> its live nodes
        for i in live:
            self.nodes_of.setdefault(net.base[i], []).append(i)
            for slot in consumers[i]:
                feeders[slot] += 1
        # The last failed set asked about, what it takes down and the lists it leaves bare: a
        # group's losses and its timeline ask about the same set one after the other.
        self._last: tuple[frozenset[str], set[int], set[int] | None] | None = None

    @classmethod
    def of(cls, net: Network) -> Cascade | None:
        """The cascade of ``net``; None where feeds among its operational nodes cycle."""
        op0 = net.baseline[0]
        live = [i for i, up in enumerate(op0) if up]
        rank = feeders_first(net, live, op0)
        return None if rank is None else cls(net, live, rank)

    @cached_property
    def lists_of(self) -> dict[int, list[int]]:
        """Node -> the source lists it is a live source of."""
        op0 = self.net.baseline[0]
        out: dict[int, list[int]] = {}
        for j, sources in enumerate(self.net.lists):
            for s in sources:
                if op0[s]:
                    out.setdefault(s, []).append(j)
        return out

    @cached_property
    def units_of(self) -> dict[int, list[int]]:
        """Source list -> the units available today that need it (indices into the network's units)."""
        net = self.net
        avail = net.baseline[1]
        out: dict[int, list[int]] = {}
        for u, (unit, idx) in enumerate(zip(net.units, net.unit_lists)):
            if unit in avail:
                for j in idx:
                    out.setdefault(j, []).append(u)
        return out

    def bare(self, down: AbstractSet[int]) -> set[int]:
        """The source lists with a live source that ``down`` (a :meth:`down`
        set) leaves with none: only lists it touches are looked at."""
        last = self._last
        if last is not None and last[1] is down and last[2] is not None:
            return last[2]
        op0, lists, lists_of = self.net.baseline[0], self.net.lists, self.lists_of
        touched = {j for i in down for j in lists_of.get(i, ())}
        out = {j for j in touched if all(s in down for s in lists[j] if op0[s])}
        if last is not None and last[1] is down:
            self._last = (last[0], down, out)
        return out

    def down(self, failed: Iterable[str]) -> set[int]:
        """The baseline-operational nodes that are not with ``failed`` down
        (the last set asked about is remembered: not to be changed)."""
        key = frozenset(failed)
        last = self._last
        if last is not None and last[0] == key:
            return last[1]
        owner, _, consumers = self.net.slots
        op0, feeders = self.net.baseline[0], self.feeders
        down = {i for p in key for i in self.nodes_of.get(p, ())}
        left: dict[int, int] = {}
        stack = list(down)
        while stack:
            for slot in consumers[stack.pop()]:
                n = left[slot] = left.get(slot, feeders[slot]) - 1
                if not n and op0[owner[slot]] and owner[slot] not in down:
                    down.add(owner[slot])
                    stack.append(owner[slot])
        self._last = (key, down, None)
        return down

    def weeks(self, own: Mapping[str, float], end: float) -> tuple[Callable[[int], float], set[int]]:
        """With each id of ``own`` failed at week 0 and back at its week
        there (``end`` the last): node -> the first week it is operational
        (``end`` when not before), and the nodes the failure takes down.  A
        node the failure leaves alone works at once (a baseline-failed one
        never); a downed one from the later of its own week and, per
        material, its earliest live feeder's week, worked out in feeder
        order."""
        net = self.net
        op0, materials, base = net.baseline[0], net.materials, net.base
        down = self.down(own)
        week: dict[int, float] = {}
        for i in sorted(down, key=self.rank.__getitem__):
            w = own.get(base[i], 0.0)
            for _, feeders in materials[i]:
                w = max(w, min([week.get(f, 0.0) for f in feeders if op0[f]], default=end))
            week[i] = w
        return (lambda i: week.get(i, 0.0) if op0[i] else end), down
