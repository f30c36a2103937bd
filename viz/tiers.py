"""The columns of the supply view: material flowing left to right.

Cell bank and API makers first, then drug product, fill-finish, packaging and
labeling, the testing that releases the packed product beside it,
distribution, the products, and last who buys them.  A provider stands in
the column of the earliest step it performs, and a feeder at least one column
before anything it feeds (so a drug-substance maker feeding two fill sites
stands to their left even when it performs no step of its own).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping

from graphkit.model import DISTRIBUTION_STEP, NodeKind, Portfolio, Step

from .layout import label_width, tiered_layout
from .network import EMPHASIS_FONT_SIZE, LABEL_FONT_SIZE, VizNode

__all__ = ["TIERS", "supply_ranks", "tiered_nodes"]

#: (rank key, column heading), in the order material flows.
TIERS: tuple[tuple[str, str], ...] = (
    (Step.CELL_BANK, "Cell bank"),
    (Step.API, "API"),
    (Step.DRUG_PRODUCT, "Drug product"),
    (Step.FILL_FINISH, "Fill-finish"),
    (Step.PACKAGING_LABELING, "Packaging"),
    (Step.TESTING, "Release testing"),
    (DISTRIBUTION_STEP, "Distribution"),
    (NodeKind.PRODUCT, "Products"),
    (NodeKind.CLIENT, "Clients"),
)
_RANK = {key: r for r, (key, _) in enumerate(TIERS)}
# Feed chains deeper than this (or feed cycles) stop moving left: the columns
# stay few and the pass count bounded on any portfolio.
_FEED_PASSES = 12


def supply_ranks(portfolio: Portfolio, nodes: Mapping[str, NodeKind]) -> dict[str, int]:
    """Column rank (an index into :data:`TIERS`, possibly below 0 for long feed
    chains) of every node of `nodes`."""
    rank: dict[str, int] = {}
    for product in portfolio.products:
        for link in product.supply:
            r = _RANK[str(link.step)]
            rank[link.provider] = min(rank.get(link.provider, r), r)
        for d in product.distributors:
            rank.setdefault(d.distributor, _RANK[DISTRIBUTION_STEP])
    for u, kind in nodes.items():
        if kind in (NodeKind.PRODUCT, NodeKind.CLIENT):
            rank[u] = _RANK[kind]
        elif u not in rank:
            rank[u] = _RANK[DISTRIBUTION_STEP] if kind is NodeKind.DISTRIBUTOR else 0
    feeds = [(f.from_, f.to) for f in portfolio.feeds if f.from_ in nodes and f.to in nodes]
    for _ in range(_FEED_PASSES):  # a feeder one column before what it feeds
        changed = False
        for source, target in feeds:
            if source != target and rank[source] > rank[target] - 1:
                rank[source] = rank[target] - 1
                changed = True
        if not changed:
            break
    return {u: rank[u] for u in nodes}


def tiered_nodes(
    portfolio: Portfolio, nodes: list[VizNode], kinds: Mapping[str, NodeKind], edges: Iterable[tuple[str, str]]
) -> tuple[list[VizNode], list[tuple[float, str]]]:
    """`nodes` placed in the supply columns (:func:`.layout.tiered_layout`, sized
    by each node's label) and the columns' (x, heading)."""
    ranks = supply_ranks(portfolio, {n.id: kinds[n.id] for n in nodes})
    position = {n.id: i for i, n in enumerate(nodes)}
    adjacency: list[list[int]] = [[] for _ in nodes]
    for a, b in edges:
        if a != b:
            adjacency[position[a]].append(position[b])
            adjacency[position[b]].append(position[a])
    extents = []
    for n in nodes:
        font = n.font_size or (EMPHASIS_FONT_SIZE if n.highlight else LABEL_FONT_SIZE)
        extents.append((max(label_width(n.label, font), 2 * n.size), 2 * n.size + 1.25 * font + 8))
    xy, column_x = tiered_layout([ranks[n.id] for n in nodes], adjacency, extents)
    # the layout gives each box's centre; the node sits at the top of its box, its label below
    placed = [
        dataclasses.replace(n, x=x, y=round(y - height / 2 + n.size, 1))
        for n, (x, y), (_, height) in zip(nodes, xy, extents)
    ]
    headings = [(x, TIERS[r][1] if r >= 0 else "Feeders") for r, x in sorted(column_x.items())]
    return placed, headings
