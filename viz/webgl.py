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

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .defaults import WEBGL_ABOVE
from .page import asset, clean

if TYPE_CHECKING:
    from .network import VizEdge, VizNode

__all__ = ["TIPS_UP_TO", "WEBGL_ABOVE", "webgl_data", "webgl_libraries"]

#: Up to this many nodes the page carries each node's tooltip text for its details panel.
TIPS_UP_TO = 20_000

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
    data["palette"] = list(palette)
    data["groupNames"] = list(groups)
    if len(nodes) <= TIPS_UP_TO:
        data["tips"] = [clean(n.tooltip) for n in nodes]
    return data
