"""What the command line needs of the pages before it knows what it will
draw, in a module that imports nothing."""

from __future__ import annotations

__all__ = ["DEFAULT_MAX_NODES", "DEFAULT_MAX_ROWS", "VIEWS", "VIEW_TITLES"]

#: The network views (see `graphkit.viz.views.VIEW_KINDS`) and their titles.
VIEW_TITLES = {
    "all": "all relationships",
    "supply": "supply chain",
    "commercial": "contracts and ownership",
    "requirements": "partner requirements",
}
VIEWS: tuple[str, ...] = tuple(VIEW_TITLES)
#: Above this many nodes a view is trimmed (see `graphkit.viz.views.build_view`).
DEFAULT_MAX_NODES = 4000
#: Rows per findings table of the report (most severe first); the caption says when more exist.
DEFAULT_MAX_ROWS = 500
