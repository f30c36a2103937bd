"""Positions for networks drawn without physics: pure Python, deterministic.

Used for networks that do not run physics (large ones, or layout="precomputed")
and as the starting point of the physics for small ones.  No numpy:
networkx's spring_layout needs numpy, which graphkit does not depend on.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence

__all__ = ["SPACING", "compute_layout", "label_width", "tiered_layout"]

SPACING = 70.0  # layout unit, in vis-network canvas pixels


_GOLDEN_ANGLE = math.pi * (3 - math.sqrt(5))
_SMALL_COMPONENT = 40  # components up to this size get a radial tree layout


def _components(n: int, adjacency: Sequence[Sequence[int]]) -> list[list[int]]:
    """Connected components, each in BFS order from its best-connected node."""
    seen = [False] * n
    components = []
    for root in sorted(range(n), key=lambda i: (-len(adjacency[i]), i)):
        if seen[root]:
            continue
        seen[root] = True
        order = [root]
        queue = deque([root])
        while queue:
            for v in adjacency[queue.popleft()]:
                if not seen[v]:
                    seen[v] = True
                    order.append(v)
                    queue.append(v)
        components.append(order)
    return components


def _radial_block(order: list[int], adjacency: Sequence[Sequence[int]]) -> dict[int, tuple[float, float]]:
    """Radial BFS tree of a small component, root at the origin.

    Each node gets an angular wedge proportional to the leaves below it and a
    ring by BFS depth; each ring is far enough out that its narrowest wedge
    holds ``SPACING`` of arc.
    """
    root = order[0]
    depth = {root: 0}
    children: dict[int, list[int]] = {u: [] for u in order}
    for u in order:  # BFS order: parents come first
        for v in adjacency[u]:
            if v not in depth:
                depth[v] = depth[u] + 1
                children[u].append(v)
    leaves = dict.fromkeys(order, 0)
    for u in reversed(order):
        leaves[u] = max(1, sum(leaves[c] for c in children[u]))
    wedge = {root: (0.0, 2 * math.pi)}
    narrowest: dict[int, float] = {}
    for u in order:
        start, span = wedge[u]
        narrowest[depth[u]] = min(span, narrowest.get(depth[u], span))
        for c in children[u]:
            share = span * leaves[c] / leaves[u]
            wedge[c] = (start, share)
            start += share
    radius = [0.0]
    for d in range(1, max(narrowest) + 1):
        radius.append(max(radius[-1] + SPACING * 1.5, SPACING / narrowest[d]))
    pos = {}
    for u in order:
        start, span = wedge[u]
        angle = start + span / 2
        pos[u] = (radius[depth[u]] * math.cos(angle), radius[depth[u]] * math.sin(angle))
    return pos


def _force_block(order: list[int], adjacency: Sequence[Sequence[int]]) -> dict[int, tuple[float, float]]:
    """Two-level force layout of a large component, in roughly linear time.

    1. The ~sqrt(n) best-connected nodes (hubs: the big CMOs, clients ...)
       are laid out by Fruchterman-Reingold on a weighted graph in which two
       hubs attract each other by the neighbours they share.
    2. Every other node, in BFS order from the hubs, goes to the mean of its
       already placed neighbours, on a small sunflower spiral so that nodes
       with the same anchors do not pile up.
    3. A few Fruchterman-Reingold sweeps over all nodes, with repulsion only
       between nodes in neighbouring grid cells, spread what is crowded.
    """
    size = len(order)
    hub_count = max(2, min(60, int(math.sqrt(size))))
    hubs = sorted(order, key=lambda i: (-len(adjacency[i]), i))[:hub_count]
    hx, hy = _hub_layout(order, adjacency, hubs)
    xs, ys = _grow_from_hubs(adjacency, hubs, hx, hy)
    _relax(order, adjacency, xs, ys)
    return {u: (xs[u], ys[u]) for u in order}


def _hub_springs(order: list[int], adjacency: Sequence[Sequence[int]], hub_index: dict[int, int]) -> list[tuple]:
    """(hub a, hub b, strength): hubs attract by the neighbours they share (and more when linked)."""
    weight: dict[tuple[int, int], float] = {}
    for u in order:
        near = [hub_index[v] for v in adjacency[u] if v in hub_index][:12]
        if u in hub_index:
            a = hub_index[u]
            pairs = [(a, b) for b in near]
            bonus = 3.0
        else:
            pairs = [(a, b) for i, a in enumerate(near) for b in near[i + 1 :]]
            bonus = 1.0
        for a, b in pairs:
            if a != b:
                key = (a, b) if a < b else (b, a)
                weight[key] = weight.get(key, 0.0) + bonus
    return [(a, b, 1.0 + math.log(w)) for (a, b), w in weight.items()]


def _hub_layout(
    order: list[int], adjacency: Sequence[Sequence[int]], hubs: list[int]
) -> tuple[list[float], list[float]]:
    """Step 1 of :func:`_force_block`: Fruchterman-Reingold over the hubs, then
    spread over the area the whole component needs (about SPACING² a node)."""
    size, hub_count = len(order), len(hubs)
    springs = _hub_springs(order, adjacency, {h: j for j, h in enumerate(hubs)})
    k_hub = SPACING * math.sqrt(size / hub_count)
    hx = [k_hub * math.sqrt(j + 0.5) * math.cos(j * _GOLDEN_ANGLE) for j in range(hub_count)]
    hy = [k_hub * math.sqrt(j + 0.5) * math.sin(j * _GOLDEN_ANGLE) for j in range(hub_count)]
    rounds = 120
    for it in range(rounds):
        hub_fx = [0.0] * hub_count
        hub_fy = [0.0] * hub_count
        for a in range(hub_count):
            xa, ya = hx[a], hy[a]
            for b in range(a + 1, hub_count):
                dx, dy = xa - hx[b], ya - hy[b]
                d2 = dx * dx + dy * dy or 0.01
                f = k_hub * k_hub / d2
                hub_fx[a] += dx * f
                hub_fy[a] += dy * f
                hub_fx[b] -= dx * f
                hub_fy[b] -= dy * f
            # weak gravity keeps unrelated hubs from drifting away
            hub_fx[a] -= xa * 0.02
            hub_fy[a] -= ya * 0.02
        for a, b, w in springs:
            dx, dy = hx[a] - hx[b], hy[a] - hy[b]
            f = w * math.sqrt(dx * dx + dy * dy) / k_hub
            hub_fx[a] -= dx * f
            hub_fy[a] -= dy * f
            hub_fx[b] += dx * f
            hub_fy[b] += dy * f
        step = k_hub * (1.0 - it / rounds) + k_hub * 0.02
        for a in range(hub_count):
            length = math.hypot(hub_fx[a], hub_fy[a])
            if length > 0:
                scale = min(length, step) / length
                hx[a] += hub_fx[a] * scale
                hy[a] += hub_fy[a] * scale
    mx, my = sum(hx) / hub_count, sum(hy) / hub_count
    rms = math.sqrt(sum((x - mx) ** 2 + (y - my) ** 2 for x, y in zip(hx, hy)) / hub_count) or 1.0
    scale = SPACING * math.sqrt(size) * 0.5 / rms
    return [(x - mx) * scale for x in hx], [(y - my) * scale for y in hy]


def _grow_from_hubs(
    adjacency: Sequence[Sequence[int]], hubs: list[int], hx: list[float], hy: list[float]
) -> tuple[dict[int, float], dict[int, float]]:
    """Step 2 of :func:`_force_block`: everything else, outwards from the hubs."""
    xs: dict[int, float] = {}
    ys: dict[int, float] = {}
    for j, hub in enumerate(hubs):
        xs[hub], ys[hub] = hx[j], hy[j]
    around: dict[tuple[int, int], int] = {}
    queue = deque(hubs)
    queued = set(hubs)
    while queue:
        u = queue.popleft()
        if u not in xs:
            anchors = [v for v in adjacency[u] if v in xs]
            cx = sum(xs[v] for v in anchors) / len(anchors)
            cy = sum(ys[v] for v in anchors) / len(anchors)
            key = (round(cx / SPACING), round(cy / SPACING))
            j = around.get(key, 0) + 1
            around[key] = j
            r = SPACING * 0.6 * math.sqrt(j)
            xs[u] = cx + r * math.cos(j * _GOLDEN_ANGLE)
            ys[u] = cy + r * math.sin(j * _GOLDEN_ANGLE)
        for v in adjacency[u]:
            if v not in queued:
                queued.add(v)
                queue.append(v)
    return xs, ys


def _relax(nodes: list[int], adjacency: Sequence[Sequence[int]], xs: dict[int, float], ys: dict[int, float]) -> None:
    """Step 3 of :func:`_force_block`: local Fruchterman-Reingold sweeps, in place."""
    size = len(nodes)
    edge_pairs = {(u, v) for u in nodes for v in adjacency[u] if u < v}
    k = SPACING
    cell = 2 * k
    sweeps = max(4, min(25, 1_500_000 // (size * 25 + len(edge_pairs) * 4)))
    for it in range(sweeps):
        grid: dict[tuple[int, int], list[int]] = {}
        for u in nodes:
            grid.setdefault((int(xs[u] // cell), int(ys[u] // cell)), []).append(u)
        dispx = dict.fromkeys(nodes, 0.0)
        dispy = dict.fromkeys(nodes, 0.0)
        for (gx, gy), members in grid.items():
            near = [v for ox in (-1, 0, 1) for oy in (-1, 0, 1) for v in grid.get((gx + ox, gy + oy), ())]
            weight_near = 1.0
            if len(near) > 48:  # crowded: a sample stands for the rest, keeping a sweep linear
                stride = len(near) // 48 + 1
                near = near[::stride]
                weight_near = float(stride)
            for u in members:
                xu, yu = xs[u], ys[u]
                fx = fy = 0.0
                for v in near:
                    if v == u:
                        continue
                    dx, dy = xu - xs[v], yu - ys[v]
                    d2 = dx * dx + dy * dy
                    if d2 < 0.01:
                        dx, dy, d2 = (0.1 if u < v else -0.1), 0.1, 0.02
                    if d2 < cell * cell:
                        f = weight_near * k * k / d2
                        fx += dx * f
                        fy += dy * f
                dispx[u] += fx
                dispy[u] += fy
        for u, v in edge_pairs:
            dx, dy = xs[u] - xs[v], ys[u] - ys[v]
            f = math.sqrt(dx * dx + dy * dy) / k
            dispx[u] -= dx * f
            dispy[u] -= dy * f
            dispx[v] += dx * f
            dispy[v] += dy * f
        step = k * 1.5 * (1.0 - it / sweeps) + k * 0.1
        for u in nodes:
            length = math.hypot(dispx[u], dispy[u])
            if length > 0:
                scale = min(length, step) / length
                xs[u] += dispx[u] * scale
                ys[u] += dispy[u] * scale


def compute_layout(n: int, adjacency: Sequence[Sequence[int]]) -> list[tuple[float, float]]:
    """Positions for all nodes: each component laid out on its own, then packed on shelves.

    Deterministic; the big components take a two-level force layout
    (:func:`_force_block`), the small ones a radial tree (:func:`_radial_block`).
    """
    blocks = []  # (width, height, positions relative to the block's centre)
    for order in _components(n, adjacency):
        pos = (_radial_block if len(order) <= _SMALL_COMPONENT else _force_block)(order, adjacency)
        xs = [p[0] for p in pos.values()]
        ys = [p[1] for p in pos.values()]
        mx, my = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
        width = max(xs) - min(xs) + SPACING
        height = max(ys) - min(ys) + SPACING
        blocks.append((width, height, {u: (x - mx, y - my) for u, (x, y) in pos.items()}))
    if not blocks:
        return []
    blocks.sort(key=lambda b: (-b[1], -b[0]))
    total_area = sum(w * h for w, h, _ in blocks)
    row_width = max(math.sqrt(total_area * 1.6) * 1.05, max(w for w, _, _ in blocks))
    x = y = row_height = 0.0
    result: list[tuple[float, float]] = [(0.0, 0.0)] * n
    placed = []
    right = 0.0
    for width, height, pos in blocks:
        if x > 0 and x + width > row_width:
            x, y, row_height = 0.0, y + row_height, 0.0
        placed.append((x + width / 2, y + height / 2, pos))
        x += width
        right = max(right, x)
        row_height = max(row_height, height)
    bottom = y + row_height
    for cx, cy, pos in placed:
        for u, (px, py) in pos.items():
            result[u] = (round(px + cx - right / 2, 1), round(py + cy - bottom / 2, 1))
    return result


# ------------------------------------------------------------------ tiers

_NARROW = frozenset("ijl.,;:'|!()[]ft r/")
_WIDE = frozenset("mwMW@%")


def label_width(text: str, font_size: float) -> float:
    """Width of a one-line label in canvas pixels, erring wide: per-character
    widths of common sans-serif faces (DejaVu, Liberation, Helvetica) rounded up.

    >>> label_width("Ill", 10) < label_width("MWM", 10)
    True
    """
    em = 0.0
    for ch in text:
        if ch in _NARROW:
            em += 0.36
        elif ch in _WIDE:
            em += 0.95
        elif ch.isupper() or ch.isdigit():
            em += 0.7
        else:
            em += 0.62
    return em * font_size


_COLUMN_GAP = 36.0  # canvas pixels between the widest labels of neighbouring columns
_ROW_GAP = 14.0  # canvas pixels between one node's label and the next node
_SWEEPS = 6  # barycenter sweeps ordering each column by its neighbours


def _barycenter_order(
    columns: list[list[int]], adjacency: Sequence[Sequence[int]], col_of: Sequence[int]
) -> list[list[int]]:
    """Each column ordered so that nodes sit level with their neighbours in other
    columns (alternating left-to-right and right-to-left sweeps; ties keep order)."""
    where = [0.0] * len(col_of)
    for members in columns:
        for j, u in enumerate(members):
            where[u] = (j + 0.5) / len(members)
    for sweep in range(_SWEEPS):
        sequence = range(len(columns)) if sweep % 2 == 0 else range(len(columns) - 1, -1, -1)
        for c in sequence:
            members = columns[c]
            keys = {}
            for u in members:
                near = [where[v] for v in adjacency[u] if col_of[v] != c]
                keys[u] = sum(near) / len(near) if near else where[u]
            members.sort(key=lambda u: keys[u])
            for j, u in enumerate(members):
                where[u] = (j + 0.5) / len(members)
    return columns


def tiered_layout(
    ranks: Sequence[int],
    adjacency: Sequence[Sequence[int]],
    extents: Sequence[tuple[float, float]],
) -> tuple[list[tuple[float, float]], dict[int, float]]:
    """Positions in columns, left to right by `ranks`, and the x of each rank's column.

    ``extents[i]`` is ``(width, height)`` of node i with its label (label drawn
    below the node): columns are spaced so that the widest members of two
    neighbouring columns stay `_COLUMN_GAP` apart, and rows so that no two
    nodes' boxes meet, so labels never overlap at any zoom.  The position is
    the centre of a node's box (the caller offsets for the label below it).  Nodes are
    given in the order to keep on ties; within a column they are ordered by
    the barycenter of their neighbours (fewer crossings).  A column taller
    than 20 rows or about 1.6·sqrt(n) wraps into side-by-side sub-columns, staggered
    by half a row so that edges pass between their nodes.

    >>> pos, xs = tiered_layout([0, 1, 1], [[1, 2], [0], [0]], [(40, 30)] * 3)
    >>> pos[0][0] < pos[1][0] == pos[2][0] and pos[1][1] < pos[2][1] and sorted(xs) == [0, 1]
    True
    """
    n = len(ranks)
    if n == 0:
        return [], {}
    order = sorted(set(ranks))
    index = {r: c for c, r in enumerate(order)}
    col_of = [index[r] for r in ranks]
    columns: list[list[int]] = [[] for _ in order]
    for u in range(n):
        columns[col_of[u]].append(u)
    columns = _barycenter_order(columns, adjacency, col_of)
    max_rows = max(20, math.ceil(1.6 * math.sqrt(n)))
    pos: list[tuple[float, float]] = [(0.0, 0.0)] * n
    column_x: dict[int, float] = {}
    x = 0.0
    previous_half = None
    for c, members in enumerate(columns):
        subs = math.ceil(len(members) / max_rows)
        xs = []
        for s in range(subs):
            part = members[s::subs]
            half = max(extents[u][0] for u in part) / 2
            x = 0.0 if previous_half is None else x + previous_half + half + _COLUMN_GAP
            previous_half = half
            xs.append(x)
            # each node takes its own height (node above, label below); the column is centred on 0
            tops = [0.0]
            for u in part:
                tops.append(tops[-1] + extents[u][1] + _ROW_GAP)
            stagger = (tops[-1] / len(part)) * s / subs
            for j, u in enumerate(part):
                centre = tops[j] + extents[u][1] / 2 - tops[-1] / 2 + stagger
                pos[u] = (round(x, 1), round(centre, 1))
        column_x[order[c]] = round((xs[0] + xs[-1]) / 2, 1)
    return pos, column_x
