"""The WebGL renderer: sigma.js over graphology, for networks vis-network cannot draw smoothly.

vis-network draws every node, label and edge on a 2D canvas each frame and
its physics stalls at a few thousand nodes; sigma.js draws with WebGL and
keeps 100,000 nodes movable.  The built files are vendored in
``viz/assets/vendor`` (MIT, with their licences) and inlined into the page,
so the page stays one offline file under the same Content-Security-Policy.

The page data is compact for size: parallel arrays of ids, labels, groups,
positions (computed in Python), sizes and palette indices, and the edges as
one flat list of (source index, target index, colour index) triples.  The
page shows the same panel (search, group filter, filters, legend, notes)
and answers the same questions (:class:`.network.Questions`) as the
vis-network page.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .defaults import WEBGL_ABOVE
from .page import asset, clean

if TYPE_CHECKING:
    from .network import VizEdge, VizNode

__all__ = ["AGGREGATE_ABOVE", "CLUSTER_SIZE", "TIPS_UP_TO", "WEBGL_ABOVE", "clusters", "webgl_data", "webgl_libraries"]

#: Up to this many nodes the page carries each node's tooltip text for its details panel.
TIPS_UP_TO = 20_000
#: Above this many nodes the page first draws clusters, each one node with its count, and
#: draws a cluster's members when it is clicked or zoomed into.  On this project's reference
#: machine (software WebGL) sigma.js pans 10,000 nodes at about 1 frame a second and 2,000
#: at several: what a frame costs grows with what it draws.
AGGREGATE_ABOVE = 20_000
#: Members a cluster holds on average (cells of a square grid over the layout).
CLUSTER_SIZE = 50

_LIBRARIES = ("vendor/graphology-0.26.0.umd.min.js", "vendor/sigma-3.0.3.min.js")


@lru_cache(maxsize=1)
def webgl_libraries() -> str:
    """graphology and sigma.js as one inline script (refused if anything in them could
    end the element or name a URL)."""
    parts = [asset(name) for name in _LIBRARIES]
    for name, text in zip(_LIBRARIES, parts):
        if re.search(r"</script|<!--|https?:/{2}|sourceMappingURL", text, re.IGNORECASE):
            raise RuntimeError(f"{name} holds '</script', '<!--', a URL or a source map; cannot inline it")
    return "\n;\n".join(parts)


def clusters(positions: Sequence[tuple[float, float]], size: int = CLUSTER_SIZE) -> list[int]:
    """Each node's cluster: the cells of a square grid over the layout holding `size` nodes on
    average, numbered in the order of their first node (nodes near each other on the page
    share one).

    >>> clusters([(0, 0), (1, 1), (100, 100), (99, 100)], size=2)
    [0, 0, 1, 1]
    """
    if not positions:
        return []
    xs, ys = [x for x, _ in positions], [y for _, y in positions]
    side = max(1, math.ceil(math.sqrt(len(positions) / size)))
    x0, y0 = min(xs), min(ys)
    wx, wy = (max(xs) - x0) / side or 1.0, (max(ys) - y0) / side or 1.0
    number: dict[tuple[int, int], int] = {}
    return [
        number.setdefault((min(side - 1, int((x - x0) / wx)), min(side - 1, int((y - y0) / wy))), len(number))
        for x, y in positions
    ]


def _cluster_data(data: dict[str, Any], member_of: list[int]) -> dict[str, Any]:
    """Clusters drawn in place of their members: centre, count, the commonest colour, the label
    of the largest member, and one edge per pair of clusters their members link."""
    count = Counter(member_of)
    k = len(count)
    sx, sy = [0.0] * k, [0.0] * k
    colours: list[Counter[int]] = [Counter() for _ in range(k)]
    largest = [-1] * k
    for i, c in enumerate(member_of):
        sx[c] += data["x"][i]
        sy[c] += data["y"][i]
        colours[c][data["color"][i]] += 1
        if largest[c] < 0 or data["size"][i] > data["size"][largest[c]]:
            largest[c] = i
    edges: dict[tuple[int, int], int] = {}
    flat = data["edges"]
    for e in range(0, len(flat), 3):
        a, b = member_of[flat[e]], member_of[flat[e + 1]]
        if a != b:
            edges.setdefault((a, b), flat[e + 2])
    return {
        "of": member_of,
        "x": [round(sx[c] / count[c], 1) for c in range(k)],
        "y": [round(sy[c] / count[c], 1) for c in range(k)],
        "count": [count[c] for c in range(k)],
        "color": [colours[c].most_common(1)[0][0] for c in range(k)],
        "label": [f"{data['labels'][largest[c]]} and {count[c] - 1} more" for c in range(k)],
        "edges": [v for (a, b), col in edges.items() for v in (a, b, col)],
    }


def webgl_data(
    nodes: Sequence[VizNode], edges: Sequence[VizEdge], positions: Sequence[tuple[float, float]]
) -> dict[str, Any]:
    """The compact node and edge arrays of a WebGL page (see the module notes)."""
    palette: dict[str, int] = {}
    groups: dict[str, int] = {}

    def colour(value: str) -> int:
        return palette.setdefault(value, len(palette))

    index = {clean(n.id): i for i, n in enumerate(nodes)}
    # sigma sizes are screen pixels at the first zoom: a quarter of vis-network's canvas sizes
    # keeps a 100,000-node cloud from turning into one blot.
    shrink = 3.0 if len(nodes) <= 10_000 else 4.5
    data: dict[str, Any] = {
        "ids": [clean(n.id) for n in nodes],
        "labels": [clean(n.label) for n in nodes],
        "group": [groups.setdefault(clean(n.group), len(groups)) for n in nodes],
        "x": [round(x, 1) for x, _ in positions],
        "y": [round(y, 1) for _, y in positions],
        "size": [round(n.size / shrink, 2) for n in nodes],
        "color": [colour(n.color) for n in nodes],
        "top": [1 if n.highlight else 0 for n in nodes],
        "edges": [v for e in edges for v in (index[clean(e.source)], index[clean(e.target)], colour(e.color))],
    }
    pairs = data["edges"]
    data["multi"] = len({(pairs[i], pairs[i + 1]) for i in range(0, len(pairs), 3)}) < len(edges)
    if len(nodes) > AGGREGATE_ABOVE:
        data["clusters"] = _cluster_data(data, clusters(positions))
    data["palette"] = list(palette)
    data["groupNames"] = list(groups)
    if len(nodes) <= TIPS_UP_TO:
        data["tips"] = [clean(n.tooltip) for n in nodes]
    return data
