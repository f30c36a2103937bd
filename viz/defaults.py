"""What the command line needs of the pages before it knows what it will
draw, in a module that imports nothing."""

from __future__ import annotations

__all__ = ["DEFAULT_MAX_NODES", "DEFAULT_MAX_ROWS", "RENDERERS", "VIEWS", "VIEW_TITLES", "WEBGL_ABOVE"]

#: The network views (see `graphkit.viz.views.VIEW_KINDS`) and their titles.
VIEW_TITLES = {
    "all": "all relationships",
    "supply": "supply chain",
    "commercial": "contracts and ownership",
    "requirements": "partner requirements",
    "people": "people and relationships",
}
VIEWS: tuple[str, ...] = tuple(VIEW_TITLES)
#: Above this many nodes a view is trimmed (see `graphkit.viz.views.build_view`).  Up to it a
#: network stays whole: above `WEBGL_ABOVE` nodes the WebGL renderer draws it
#: (`graphkit.viz.network.choose_renderer`).
DEFAULT_MAX_NODES = 200_000
#: What `graphkit.viz.network.choose_renderer` may be asked for.
RENDERERS = ("auto", "vis", "webgl")
#: Networks of more nodes than this are drawn by the WebGL renderer (``--renderer auto``).
WEBGL_ABOVE = 2500
#: Rows per findings table of the report (most severe first); the caption says when more exist.
DEFAULT_MAX_ROWS = 500
