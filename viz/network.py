"""Self-contained interactive HTML networks: graphkit's one door to vis-network.

pyvis 0.3.2 is unmaintained and unsafe to call directly: its "local" mode
still loads vis-network from a CDN, ``in_line`` links Bootstrap from one,
``write_html`` drops a ``lib/`` folder into the working directory, ``show()``
opens a browser, its template does not escape the heading or the ids in its
select menu, ``add_edge`` is quadratic and physics freezes on a few thousand
nodes.  This module therefore uses none of pyvis's Python code: it takes the
vis-network build that the installed pyvis package ships
(``pyvis/lib/vis-9.1.2``), inlines it into one HTML document, and emits the
node and edge data itself as JSON.

Safety rules kept here:

* every string that comes from data (title, labels, groups, tooltips, legend,
  notes) is escaped for the context it lands in: ``html.escape`` in markup,
  JSON with ``<``, ``>`` and ``&`` written as ``\\u003c`` ``\\u003e``
  ``\\u0026`` inside a non-executable ``<script type="application/json">``;
  the page script only ever assigns such strings to ``textContent`` or
  ``value``, and tooltips are DOM elements built from text, never HTML;
* colours, shapes and heights are validated, so nothing from data reaches a
  ``style`` attribute unchecked;
* the page makes no network request: no URL appears in it, and a
  Content-Security-Policy (``default-src 'none'``, scripts allowed only by
  their SHA-256 hashes) blocks anything that would slip through, including
  inline event handlers.
"""

from __future__ import annotations

import importlib.util
import math
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from graphkit.io import atomic_path

from .defaults import RENDERERS
from .layout import compute_layout
from .page import asset, clean, fill, h, head, json_for_script
from .webgl import WEBGL_ABOVE, webgl_data, webgl_libraries

__all__ = [
    "EMPHASIS_BORDER",
    "EMPHASIS_FONT_SIZE",
    "LABEL_FONT_SIZE",
    "LARGE_GRAPH_NODES",
    "NODE_SHAPES",
    "RENDERERS",
    "Filter",
    "LegendEntry",
    "ListPanel",
    "Questions",
    "choose_renderer",
    "VizEdge",
    "VizNode",
    "render_network",
    "write_html_atomic",
]


#: Above this many nodes the physics simulation is never used: positions are
#: taken from the nodes or computed in Python, and the page starts static.
LARGE_GRAPH_NODES = 1500

#: Label font size of an ordinary node and of an emphasised one, in canvas pixels.
LABEL_FONT_SIZE = 14.0
EMPHASIS_FONT_SIZE = 17.0
#: Border width of an emphasised node (the top risks, a what-if's outcome).
EMPHASIS_BORDER = 5.5

#: vis-network node shapes that draw without external resources (no images,
#: no icon fonts).
NODE_SHAPES = frozenset(
    {
        "dot",
        "circle",
        "ellipse",
        "box",
        "database",
        "text",
        "diamond",
        "star",
        "triangle",
        "triangleDown",
        "square",
        "hexagon",
    }
)

_VIS_DIR = "vis-9.1.2"
_FONT_STACK = (
    'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", '
    'Arial, "Liberation Sans", "DejaVu Sans", sans-serif'
)

_COLOR_RE = re.compile(
    r"#(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})"
    r"|[a-zA-Z]{3,30}"
    r"|rgba?\(\s*\d{1,3}\s*,\s*\d{1,3}\s*,\s*\d{1,3}\s*(?:,\s*(?:0|1|0?\.\d+|1\.0+)\s*)?\)"
)
_HEIGHT_RE = re.compile(r"\d{1,5}(?:\.\d{1,3})?(?:px|vh|em|rem|%)")
_KEY_RE = re.compile(r"[a-z][a-z0-9-]{0,40}")


# --------------------------------------------------------------------------- data


def _check_text(value: object, what: str) -> None:
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a str, not {type(value).__name__}")


def _check_color(value: object, what: str) -> None:
    _check_text(value, what)
    if not _COLOR_RE.fullmatch(str(value)):
        raise ValueError(f"{what} {value!r} is not a colour (#rgb, #rrggbb, rgb(), rgba() or a name)")


def _check_positive(value: object, what: str) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{what} must be a number, not {type(value).__name__}")
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{what} must be a positive finite number, not {value!r}")


@dataclass(frozen=True, slots=True)
class VizNode:
    """One node of a rendered network.

    Parameters
    ----------
    id : str
        Unique identifier within the network.
    label : str
        Text drawn next to the node and matched by the search box.
    group : str
        Kind of node (``"cmo"``, ``"client"`` ...); one filter checkbox per group.
    tooltip : str
        Plain text shown on hover; may span several lines.  Never parsed as HTML.
    color : str
        ``#rgb``, ``#rrggbb``, ``#rrggbbaa``, ``rgb()``, ``rgba()`` or a colour name.
    shape : str
        One of :data:`NODE_SHAPES`.
    size : float
        Node size in canvas pixels (> 0).
    x, y : float or None
        Fixed position; both or neither.  Used as-is by the ``"precomputed"``
        layout and as the starting point by the ``"physics"`` layout.
    highlight : bool
        Draw the node emphasised (thickest border, larger bold label).
    border : str or None
        Border colour (a risk's severity); None: the default dark grey.
    border_width : float or None
        Border width in canvas pixels (> 0); None: the default.
    font_size : float or None
        Label font size; None: :data:`LABEL_FONT_SIZE` (:data:`EMPHASIS_FONT_SIZE`
        when emphasised).  The page hides a label whose size on screen falls
        below 7 px, so smaller labels (minor nodes) appear as one zooms in.
    """

    id: str
    label: str
    group: str
    tooltip: str
    color: str
    shape: str
    size: float
    x: float | None = None
    y: float | None = None
    highlight: bool = False
    border: str | None = None
    border_width: float | None = None
    font_size: float | None = None

    def __post_init__(self) -> None:
        for name in ("id", "label", "group", "tooltip"):
            _check_text(getattr(self, name), f"VizNode.{name}")
        _check_color(self.color, "VizNode.color")
        if self.border is not None:
            _check_color(self.border, "VizNode.border")
        for name in ("border_width", "font_size"):
            if getattr(self, name) is not None:
                _check_positive(getattr(self, name), f"VizNode.{name}")
        if self.shape not in NODE_SHAPES:
            raise ValueError(f"VizNode.shape {self.shape!r} is not one of {sorted(NODE_SHAPES)}")
        _check_positive(self.size, "VizNode.size")
        if (self.x is None) != (self.y is None):
            raise ValueError(f"VizNode {self.id!r}: give both x and y, or neither")
        if self.x is not None:
            for name in ("x", "y"):
                v = getattr(self, name)
                if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
                    raise ValueError(f"VizNode.{name} must be a finite number, not {v!r}")


@dataclass(frozen=True, slots=True)
class VizEdge:
    """One directed edge of a rendered network.

    Parameters
    ----------
    source, target : str
        Ids of existing :class:`VizNode` objects.
    label : str
        Text drawn on the edge (may be empty).
    tooltip : str
        Plain text shown on hover (may be empty); never parsed as HTML.
    color : str
        Colour, as for :class:`VizNode`.
    dashes : bool
        Draw a dashed line.
    width : float
        Line width in canvas pixels (> 0).
    arrows : bool
        Draw an arrow head at the target.
    """

    source: str
    target: str
    label: str
    tooltip: str
    color: str
    dashes: bool = False
    width: float = 1.0
    arrows: bool = True

    def __post_init__(self) -> None:
        for name in ("source", "target", "label", "tooltip"):
            _check_text(getattr(self, name), f"VizEdge.{name}")
        _check_color(self.color, "VizEdge.color")
        _check_positive(self.width, "VizEdge.width")


@dataclass(frozen=True, slots=True)
class LegendEntry:
    """One line of the legend panel.

    Parameters
    ----------
    label : str
        Text of the entry.
    color : str
        Colour, as for :class:`VizNode`.
    shape : str
        For ``kind="node"`` one of :data:`NODE_SHAPES`; ignored for edges.
    kind : {"node", "edge"}
        Draw a node symbol or a line.
    dashes : bool
        For edges: draw the line dashed.
    border : str or None
        For nodes: the symbol's outline colour (a severity), drawn thick.
    size : float or None
        For nodes: draw the symbol at this size (canvas pixels at 100 % zoom),
        as a key to node sizes.
    """

    label: str
    color: str
    shape: str
    kind: Literal["node", "edge"] = "node"
    dashes: bool = False
    border: str | None = None
    size: float | None = None

    def __post_init__(self) -> None:
        _check_text(self.label, "LegendEntry.label")
        _check_text(self.shape, "LegendEntry.shape")
        _check_color(self.color, "LegendEntry.color")
        if self.kind not in ("node", "edge"):
            raise ValueError(f"LegendEntry.kind must be 'node' or 'edge', not {self.kind!r}")
        if self.kind == "node" and self.shape not in NODE_SHAPES:
            raise ValueError(f"LegendEntry.shape {self.shape!r} is not one of {sorted(NODE_SHAPES)}")
        if self.border is not None:
            _check_color(self.border, "LegendEntry.border")
        if self.size is not None:
            _check_positive(self.size, "LegendEntry.size")


def _check_key(value: object, what: str) -> None:
    _check_text(value, what)
    if not _KEY_RE.fullmatch(str(value)):
        raise ValueError(f"{what} {value!r} must be lower-case letters, digits and '-'")


@dataclass(frozen=True, slots=True)
class ListPanel:
    """A titled list in the side panel: plain-text rows, each with ``data-*`` attributes
    (what a what-if loses, per market), so scripts and tests read what is shown.

    ``key`` names the section (``id="gk-list-KEY"``); each row is ``(text, {name: value})``
    with names of lower-case letters, digits and ``-``.
    """

    key: str
    title: str
    rows: Sequence[tuple[str, Mapping[str, str]]]

    def __post_init__(self) -> None:
        _check_key(self.key, "ListPanel.key")
        _check_text(self.title, "ListPanel.title")
        for text, data in self.rows:
            _check_text(text, "ListPanel row text")
            for name, value in data.items():
                _check_key(name, "ListPanel data name")
                _check_text(value, "ListPanel data value")


@dataclass(frozen=True, slots=True)
class Filter:
    """One drop-down of the page's filters: an option's nodes stay lit, the rest are dimmed."""

    key: str
    title: str
    options: Mapping[str, Sequence[str]]  # option label -> node ids

    def __post_init__(self) -> None:
        _check_key(self.key, "Filter.key")
        _check_text(self.title, "Filter.title")


@dataclass(frozen=True, slots=True)
class Questions:
    """What the page answers on a click, computed by the library and embedded as data.

    ``impact``: node -> the nodes its failure takes down (lit when it is clicked),
    ``impact_text``: node -> one line saying so; ``closure``: product -> its supply
    closure through every tier (lit when the product is clicked); ``filters``.
    The page never recomputes these: it lights up what it is given.
    """

    impact: Mapping[str, Sequence[str]] = field(default_factory=dict)
    impact_text: Mapping[str, str] = field(default_factory=dict)
    closure: Mapping[str, Sequence[str]] = field(default_factory=dict)
    closure_text: Mapping[str, str] = field(default_factory=dict)
    filters: Sequence[Filter] = ()


# -------------------------------------------------------------------------- assets


def _pyvis_lib_dir() -> Path:
    """The ``lib`` folder of the installed pyvis package, found without importing pyvis."""
    spec = importlib.util.find_spec("pyvis")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("pyvis is not installed; graphkit uses the vis-network build it ships")
    for location in spec.submodule_search_locations:
        lib = Path(location) / "lib" / _VIS_DIR
        if lib.is_dir():
            return lib
    raise RuntimeError(f"the installed pyvis has no lib/{_VIS_DIR}; graphkit needs pyvis==0.3.2")


_SOURCE_MAP_RE = re.compile(r"^[ \t]*(?://[#@]|/\*[#@])\s*sourceMappingURL=[^\n]*$", re.MULTILINE)
_URL_SCHEME_RE = re.compile(r"\b(https?):/{2}", re.IGNORECASE)


@lru_cache(maxsize=1)
def _vis_assets() -> tuple[str, str]:
    """vis-network's JS and CSS, made safe to inline.

    The minified JS holds ``http(s)://`` only in its licence comment and in
    string literals (licence links, an error message, the SVG namespace).
    They are rewritten as ``http:\\/\\/``: in a string ``\\/`` is ``/``, so
    the program is unchanged, and the page then contains no URL at all.
    Anything that could end the inline element, or load something, is
    refused rather than patched.
    """
    lib = _pyvis_lib_dir()
    js = (lib / "vis-network.min.js").read_text(encoding="utf-8")
    css = (lib / "vis-network.css").read_text(encoding="utf-8")
    js = _SOURCE_MAP_RE.sub("", js)
    css = _SOURCE_MAP_RE.sub("", css)
    js = _URL_SCHEME_RE.sub(lambda m: m.group(1) + r":\/\/", js)
    if re.search(r"</script|<!--", js, re.IGNORECASE):
        raise RuntimeError("vis-network.min.js contains '</script' or '<!--'; cannot inline it safely")
    if re.search(r"</style|<!--|@import", css, re.IGNORECASE):
        raise RuntimeError("vis-network.css contains '</style', '<!--' or '@import'; cannot inline it")
    for match in re.finditer(r"url\(\s*['\"]?([^'\")\s]*)", css, re.IGNORECASE):
        if not match.group(1).lower().startswith("data:"):
            raise RuntimeError(f"vis-network.css refers to {match.group(1)!r}; only data: URLs may be inlined")
    if re.search(r"https?:/{2}", js + css, re.IGNORECASE):
        raise RuntimeError("a URL is left in the vis-network assets")
    return js, css


# -------------------------------------------------------------------------- styling

#: Shapes that draw their label inside the shape rather than below it.
_LABEL_INSIDE = frozenset({"box", "circle", "ellipse", "database"})


def _is_dark(color: str) -> bool:
    """Whether text on `color` should be white (hex and rgb() only; names count as light)."""
    value = color.strip().lower()
    if value.startswith("#"):
        digits = value[1:]
        if len(digits) in (3, 4):
            digits = "".join(ch * 2 for ch in digits[:3])
        r, g, b = (int(digits[i : i + 2], 16) for i in (0, 2, 4))
    elif value.startswith("rgb"):
        r, g, b = (min(int(v), 255) for v in re.findall(r"\d+", value)[:3])
    else:
        return False
    return 0.299 * r + 0.587 * g + 0.114 * b < 150


def _node_font(node: VizNode) -> dict[str, Any] | None:
    """Label font overrides: no halo and a contrasting colour for labels drawn inside a shape."""
    font: dict[str, Any] = {}
    if node.shape in _LABEL_INSIDE:
        font.update(strokeWidth=0, color="#ffffff" if _is_dark(node.color) else "#1d2330")
    if node.font_size is not None:
        font["size"] = node.font_size
    if node.highlight:
        font["size"] = max(node.font_size or 0.0, EMPHASIS_FONT_SIZE)
        font["color"] = "#000000"
    return font or None


# -------------------------------------------------------------------------- markup


def _shape_svg(shape: str, color: str, border: str | None = None, size: float | None = None) -> str:
    """A legend symbol: 18 px, or drawn at node `size` (radius 7 of 18 is the node's size)."""
    c = h(color)
    common = f'fill="{c}" stroke="{h(border or "#3c4454")}" stroke-width="{2.6 if border else 1}"'
    if shape in ("dot", "circle"):
        body = f'<circle cx="9" cy="9" r="7" {common}/>'
    elif shape == "ellipse":
        body = f'<ellipse cx="9" cy="9" rx="8" ry="5.5" {common}/>'
    elif shape in ("box", "square", "text"):
        body = f'<rect x="2" y="2" width="14" height="14" rx="{3 if shape == "box" else 0}" {common}/>'
    elif shape == "database":
        body = f'<rect x="3" y="1.5" width="12" height="15" rx="5" ry="3" {common}/>'
    elif shape == "diamond":
        body = f'<polygon points="9,1 17,9 9,17 1,9" {common}/>'
    elif shape == "triangle":
        body = f'<polygon points="9,1.5 16.5,16 1.5,16" {common}/>'
    elif shape == "triangleDown":
        body = f'<polygon points="1.5,2 16.5,2 9,16.5" {common}/>'
    elif shape == "hexagon":
        body = f'<polygon points="5,2 13,2 17,9 13,16 5,16 1,9" {common}/>'
    else:  # star
        pts = []
        for i in range(10):
            r = 8 if i % 2 == 0 else 3.4
            a = -math.pi / 2 + i * math.pi / 5
            pts.append(f"{9 + r * math.cos(a):.1f},{9.5 + r * math.sin(a):.1f}")
        body = f'<polygon points="{" ".join(pts)}" {common}/>'
    px = 18 if size is None else round(size * 18 / 7, 1)
    return f'<svg class="gk-sym" width="{px}" height="{px}" viewBox="0 0 18 18" aria-hidden="true">{body}</svg>'


def _line_svg(color: str, dashes: bool) -> str:
    dash = ' stroke-dasharray="5 3"' if dashes else ""
    return (
        '<svg class="gk-sym" width="28" height="18" viewBox="0 0 28 18" aria-hidden="true">'
        f'<line x1="1" y1="9" x2="22" y2="9" stroke="{h(color)}" stroke-width="2.5"{dash}/>'
        f'<polygon points="21,5 27,9 21,13" fill="{h(color)}"/></svg>'
    )


# The page around the network, and its style and script (hashed into the CSP).
# Each renderer's page script starts with the questions both share (one inline script each).
_PAGE, _PAGE_CSS = asset("network.html"), asset("network.css")
_PAGE_JS, _WEBGL_JS = (asset("questions.js") + asset(name) for name in ("network.js", "webgl.js"))


# -------------------------------------------------------------------------- render


def render_network(
    nodes: Iterable[VizNode],
    edges: Iterable[VizEdge],
    *,
    title: str,
    legend: Iterable[LegendEntry] = (),
    notes: Iterable[str] = (),
    height: str = "800px",
    layout: Literal["physics", "precomputed", "tiers"] = "physics",
    filter_groups: bool = True,
    lists: Iterable[ListPanel] = (),
    questions: Questions | None = None,
    columns: Sequence[tuple[float, str]] = (),
    renderer: str = "auto",
) -> str:
    """Render a network as one self-contained interactive HTML document.

    Parameters
    ----------
    nodes : iterable of VizNode
        The nodes; ids must be unique.
    edges : iterable of VizEdge
        The edges; both ends must be among `nodes`.  Parallel edges are kept.
    title : str
        Page title and heading.
    legend : iterable of LegendEntry, optional
        Legend panel entries.  When empty, one entry per node group is
        derived from the first node of that group.
    notes : iterable of str, optional
        Lines for the "Notes" panel (shown only when given): what a trimmed
        view left out, what a what-if takes down.
    height : str, optional
        CSS height of the network area: a number with ``px``, ``vh``,
        ``em``, ``rem`` or ``%``.
    layout : {"physics", "precomputed"}, optional
        ``"physics"`` lets vis-network place the nodes (starting from any
        given positions) and turns physics off once stabilised.  Networks of
        more than :data:`LARGE_GRAPH_NODES` nodes, and ``"precomputed"``,
        never run physics: given positions are kept and the others are
        computed in Python (a two-level force layout for big components, a
        radial tree for small ones; roughly linear time).  ``"tiers"`` is
        ``"precomputed"`` for positions in columns (:func:`.layout.tiered_layout`):
        edges are drawn as horizontal curves, material flowing left to right.
    filter_groups : bool, optional
        Show a checkbox per node group to hide and show that group.
    lists : iterable of ListPanel, optional
        Titled lists for the side panel (shown above the legend).
    questions : Questions, optional
        What a click lights up and the filters; the page shows what it is given.
    columns : sequence of (x, heading), optional
        Headings drawn above the columns of a ``"tiers"`` layout.
    renderer : {"auto", "vis", "webgl"}, optional
        See :func:`choose_renderer`.

    Returns
    -------
    str
        A complete HTML document with vis-network inlined and no reference
        to any external resource.

    Raises
    ------
    TypeError
        If an item is not a VizNode / VizEdge / LegendEntry / str.
    ValueError
        On duplicate node ids, edges to unknown nodes, a bad `height` or
        `layout`.
    """
    _check_text(title, "title")
    if not isinstance(height, str) or not _HEIGHT_RE.fullmatch(height):
        raise ValueError(f"height {height!r} must look like '800px', '90vh', '40em' or '100%'")
    if layout not in ("physics", "precomputed", "tiers"):
        raise ValueError(f"layout must be 'physics', 'precomputed' or 'tiers', not {layout!r}")
    node_list, edge_list, adjacency = _checked_graph(nodes, edges)
    legend_list = list(legend)
    for entry in legend_list:
        if not isinstance(entry, LegendEntry):
            raise TypeError(f"legend must hold LegendEntry objects, not {type(entry).__name__}")
    note_list = list(notes)
    for note in note_list:
        _check_text(note, "each note")
    list_panels = list(lists)
    for panel in list_panels:
        if not isinstance(panel, ListPanel):
            raise TypeError(f"lists must hold ListPanel objects, not {type(panel).__name__}")

    n = len(node_list)
    chosen = choose_renderer(n, renderer)
    large = n > LARGE_GRAPH_NODES
    physics = layout == "physics" and not large and chosen == "vis"
    layout_text = {True: "layout: physics, frozen once stable", False: "layout: precomputed, physics off"}[physics]
    if layout == "tiers":
        layout_text = "layout: supply tiers, material flowing left to right"
    if chosen == "webgl":
        layout_text += " \u00b7 WebGL"
    known = {clean(node.id) for node in node_list}
    positions = _positions(node_list, adjacency)
    data: dict[str, Any] = {
        "layout": "physics" if physics else layout if layout == "tiers" else "precomputed",
        "layoutText": layout_text,
        "renderer": chosen,
        "questions": _questions_data(questions or Questions(), known),
        "columns": [{"x": float(x), "label": clean(text)} for x, text in columns],
    }
    if chosen == "webgl":
        data["webgl"] = webgl_data(node_list, edge_list, positions)
        data["font"] = _FONT_STACK
        library_js, library_css, page_js = webgl_libraries(), "", _WEBGL_JS
    else:
        data["nodes"] = _vis_nodes(node_list, positions)
        data["edges"] = _vis_edges(edge_list)
        data["options"] = _vis_options(n, physics, large, flow=layout == "tiers")
        data["physicsInitially"] = physics
        library_js, library_css = _vis_assets()
        page_js = _PAGE_JS
    stats = f"{n} nodes \u00b7 {len(edge_list)} edges \u00b7 {layout_text}"
    return fill(
        _PAGE,
        {
            "HEAD": head(
                title=title,
                scripts=(library_js, page_js),
                styles=(library_css, fill(_PAGE_CSS, {"FONT": _FONT_STACK, "HEIGHT": height})),
            ),
            "TITLE": h(title),
            "STATS": h(stats),
            **_panels(node_list, legend_list, note_list, filter_groups),
            "LISTS": "\n".join(_list_html(p) for p in list_panels),
            "FILTERS": _filters_html(questions.filters if questions else ()),
            "DATA": json_for_script(data),
            "VIS_JS": library_js,
            "PAGE_JS": page_js,
        },
    )


def choose_renderer(node_count: int, requested: str = "auto") -> Literal["vis", "webgl"]:
    """The one place a page's renderer is chosen: `requested` (``"vis"`` or
    ``"webgl"``) when given, else vis-network (pyvis's bundle) up to
    :data:`.webgl.WEBGL_ABOVE` nodes and the WebGL renderer (sigma.js) above,
    where vis-network no longer pans smoothly.  Both take the same page data
    (positions precomputed in Python above :data:`LARGE_GRAPH_NODES`) and
    answer the same questions.

    >>> choose_renderer(35), choose_renderer(100_000), choose_renderer(35, "webgl")
    ('vis', 'webgl', 'webgl')
    """
    if requested not in RENDERERS:
        raise ValueError(f"renderer must be one of {', '.join(RENDERERS)}, not {requested!r}")
    if requested != "auto":
        return requested  # type: ignore[return-value]
    return "webgl" if node_count > WEBGL_ABOVE else "vis"


def _questions_data(q: Questions, known: set[str]) -> dict[str, Any]:
    """The embedded answers, restricted to the drawn nodes (a trimmed view draws fewer)."""

    def ids(items: Iterable[str]) -> list[str]:
        return [clean(i) for i in dict.fromkeys(items) if clean(i) in known]

    return {
        "impact": {clean(k): ids(v) for k, v in q.impact.items() if clean(k) in known},
        "impactText": {clean(k): clean(v) for k, v in q.impact_text.items() if clean(k) in known},
        "closure": {clean(k): ids(v) for k, v in q.closure.items() if clean(k) in known},
        "closureText": {clean(k): clean(v) for k, v in q.closure_text.items() if clean(k) in known},
        "filters": {f.key: [ids(members) for members in f.options.values()] for f in q.filters},
    }


def _list_html(panel: ListPanel) -> str:
    rows = "".join(
        "<li" + "".join(f' data-{name}="{h(value)}"' for name, value in data.items()) + f">{h(text)}</li>\n"
        for text, data in panel.rows
    )
    return (
        f'<section class="gk-list" id="gk-list-{panel.key}">\n<h2>{h(panel.title)} '
        f'<span class="gk-count">({len(panel.rows)})</span></h2>\n<ul>\n{rows}</ul>\n</section>'
    )


def _filters_html(filters: Sequence[Filter]) -> str:
    if not filters:
        return ""
    rows = "".join(
        f'<label class="gk-filter-row"><span>{h(f.title)}</span><select class="gk-filter" data-filter="{f.key}">'
        '<option value="">all</option>'
        + "".join(f'<option value="{i}">{h(label)}</option>' for i, label in enumerate(f.options))
        + "</select></label>\n"
        for f in filters
    )
    return f'<section class="gk-filters">\n<h2>Filter</h2>\n{rows}</section>'


def _checked_graph(
    nodes: Iterable[VizNode], edges: Iterable[VizEdge]
) -> tuple[list[VizNode], list[VizEdge], list[list[int]]]:
    """The nodes and edges as lists, checked (types, unique ids, known ends), and
    the undirected adjacency by node position."""
    node_list = list(nodes)
    index: dict[str, int] = {}
    for i, node in enumerate(node_list):
        if not isinstance(node, VizNode):
            raise TypeError(f"nodes must be VizNode objects, not {type(node).__name__}")
        key = clean(node.id)
        if key in index:
            raise ValueError(f"duplicate node id {node.id!r}")
        index[key] = i
    edge_list = list(edges)
    adjacency: list[list[int]] = [[] for _ in node_list]
    for edge in edge_list:
        if not isinstance(edge, VizEdge):
            raise TypeError(f"edges must be VizEdge objects, not {type(edge).__name__}")
        for end in (edge.source, edge.target):
            if clean(end) not in index:
                raise ValueError(f"edge {edge.source!r} -> {edge.target!r}: unknown node {end!r}")
        s, t = index[clean(edge.source)], index[clean(edge.target)]
        if s != t:
            adjacency[s].append(t)
            adjacency[t].append(s)
    return node_list, edge_list, adjacency


def _positions(node_list: list[VizNode], adjacency: list[list[int]]) -> list[tuple[float, float]]:
    """Given positions where the nodes have them, computed ones (:mod:`.layout`) elsewhere."""
    given: list[tuple[float, float] | None] = [
        None if node.x is None or node.y is None else (float(node.x), float(node.y)) for node in node_list
    ]
    if all(p is not None for p in given):
        return given  # type: ignore[return-value]
    computed = compute_layout(len(node_list), adjacency)
    return [p if p is not None else computed[i] for i, p in enumerate(given)]


def _vis_nodes(node_list: list[VizNode], positions: list[tuple[float, float]]) -> list[dict[str, Any]]:
    vis_nodes = []
    for node, xy in zip(node_list, positions):
        item: dict[str, Any] = {
            "id": clean(node.id),
            "label": clean(node.label),
            "group": clean(node.group),
            "shape": node.shape,
            "size": node.size,
            "color": {
                "background": node.color,
                "border": node.border or "#2b3343",
                "highlight": {"background": node.color, "border": "#000000"},
                "hover": {"background": node.color, "border": "#000000"},
            },
        }
        if node.tooltip:
            item["tip"] = clean(node.tooltip)
        item["x"], item["y"] = xy
        font = _node_font(node)
        if font:
            item["font"] = font
        if node.border_width is not None:
            item["borderWidth"] = node.border_width
        if node.highlight:
            item["borderWidth"] = EMPHASIS_BORDER
            item["color"]["border"] = node.border or "#111111"
        vis_nodes.append(item)
    return vis_nodes


def _vis_edges(edge_list: list[VizEdge]) -> list[dict[str, Any]]:
    vis_edges = []
    for i, edge in enumerate(edge_list):
        item: dict[str, Any] = {
            "id": f"e{i}",
            "from": clean(edge.source),
            "to": clean(edge.target),
            "color": {"color": edge.color, "highlight": edge.color, "hover": edge.color},
            "width": edge.width,
            "dashes": edge.dashes,
            "arrows": "to" if edge.arrows else "",
        }
        if edge.label:
            item["label"] = clean(edge.label)
        if edge.tooltip:
            item["tip"] = clean(edge.tooltip)
        vis_edges.append(item)
    return vis_edges


def _vis_options(n: int, physics: bool, large: bool, *, flow: bool = False) -> dict[str, Any]:
    """vis-network options: physics (for small networks, until stable), fonts, interaction;
    `flow`: edges as horizontal curves between the columns of a tiered layout."""
    physics_options: dict[str, Any] = {"enabled": False}
    if physics:
        physics_options = {
            "enabled": True,
            "solver": "forceAtlas2Based",
            "forceAtlas2Based": {
                "gravitationalConstant": -60,
                "centralGravity": 0.008,
                "springLength": 110,
                "springConstant": 0.06,
                "avoidOverlap": 0.4,
            },
            "stabilization": {
                "enabled": True,
                "iterations": max(150, min(1000, 150_000 // max(n, 1))),
                "updateInterval": 50,
                "fit": True,
            },
        }
    return {
        "autoResize": True,
        "layout": {"improvedLayout": False, "randomSeed": 7},
        "physics": physics_options,
        "nodes": {
            "borderWidth": 1.5,
            # labels smaller than 7 px on screen are not drawn: minor nodes' labels appear on zoom
            "scaling": {"label": {"drawThreshold": 8}},
            "font": {
                "size": LABEL_FONT_SIZE,
                "face": _FONT_STACK,
                "color": "#1d2330",
                "strokeWidth": 3,
                "strokeColor": "#ffffff",
            },
        },
        "edges": {
            "font": {
                "size": 11,
                "face": _FONT_STACK,
                "align": "middle",
                "color": "#3c4454",
                "strokeWidth": 3,
                "strokeColor": "#ffffff",
            },
            "smooth": (
                False
                if large
                else {"enabled": True, "type": "cubicBezier", "forceDirection": "horizontal", "roundness": 0.5}
                if flow
                else {"enabled": True, "type": "continuous", "roundness": 0.35}
            ),
            "selectionWidth": 1.5,
            "hoverWidth": 0.5,
            "arrows": {"to": {"scaleFactor": 0.6}},
        },
        "interaction": {
            "hover": True,
            "tooltipDelay": 120,
            "multiselect": True,
            "keyboard": False,
            "hideEdgesOnDrag": large,
            "hideEdgesOnZoom": large,
        },
    }


def _panels(
    node_list: list[VizNode], legend_list: list[LegendEntry], note_list: list[str], filter_groups: bool
) -> dict[str, str]:
    """The side panels' markup: group filter, legend (derived from the groups when
    none is given) and notes; an empty string for a panel that is not shown."""
    group_counts: dict[str, int] = {}
    first_of_group: dict[str, VizNode] = {}
    for node in node_list:
        group_counts[node.group] = group_counts.get(node.group, 0) + 1
        first_of_group.setdefault(node.group, node)
    groups_html = ""
    if filter_groups and group_counts:
        rows = "".join(
            f'<label><input type="checkbox" class="gk-group-toggle" data-group="{h(g)}" checked>'
            f"{_shape_svg(first_of_group[g].shape, first_of_group[g].color)}"
            f'<span>{h(g)}</span> <span class="gk-count">({c})</span></label>\n'
            for g, c in group_counts.items()
        )
        groups_html = f'<section class="gk-groups">\n<h2>Show groups</h2>\n{rows}</section>'
    if not legend_list:
        legend_list = [LegendEntry(label=g, color=node.color, shape=node.shape) for g, node in first_of_group.items()]
    legend_html = ""
    if legend_list:
        rows = "".join(
            "<li>"
            + (_shape_svg(e.shape, e.color, e.border, e.size) if e.kind == "node" else _line_svg(e.color, e.dashes))
            + f"<span>{h(e.label)}</span></li>\n"
            for e in legend_list
        )
        legend_html = f'<section class="gk-legend">\n<h2>Legend</h2>\n<ul>\n{rows}</ul>\n</section>'
    notes_html = ""
    if note_list:
        rows = "".join(f"<li>{h(note)}</li>\n" for note in note_list)
        notes_html = f'<section class="gk-notes">\n<h2>Notes</h2>\n<ul>\n{rows}</ul>\n</section>'
    return {"GROUPS": groups_html, "LEGEND": legend_html, "NOTES": notes_html}


# --------------------------------------------------------------------------- write


def write_html_atomic(html: str, path: str | os.PathLike[str]) -> Path:
    """Write `html` to `path` atomically.

    The text goes to a temporary file in the same directory, is flushed to
    disk, and then replaces `path` with :func:`os.replace`, so readers see
    either the old file or the complete new one.  Nothing else is created.

    Parameters
    ----------
    html : str
        The document, e.g. from :func:`render_network`.
    path : str or os.PathLike
        Destination file; its directory must exist.

    Returns
    -------
    pathlib.Path
        The absolute destination path.
    """
    _check_text(html, "html")
    target = Path(path).absolute()
    if target.is_dir():
        raise IsADirectoryError(f"{target} is a directory")
    with atomic_path(target) as tmp, open(tmp, "w", encoding="utf-8", newline="") as handle:
        handle.write(clean(html))
    return target
