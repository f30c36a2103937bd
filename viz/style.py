"""How graphkit draws its model: colours, shapes and edge styles, in one place.

Every table here is keyed by the model's own enums (`NodeKind`,
`BusinessModel`, `Segment`, `Technology` through `STERILE_TECHNOLOGIES`,
`RelType`) and checked for completeness when the module is imported, so a
new kind or relationship type in the model cannot be drawn by accident with
a default style.

Each visual channel means one thing:

* fill colour and shape: what a node is -- its kind; CMOs by business model
  (no fill is red or orange: those hues belong to risk), clients by segment,
  products by technology family (sterile vs oral solid);
* border colour: the node's highest finding severity, on one sequential
  scale (:data:`SEVERITY_COLORS`, light to dark), shown in the legend; the
  thickest border and a larger label only for the top risks;
* size: money at risk (:func:`node_size`), with a size key in the legend;
* edge colour, dash and arrow per relationship type; sole-source supply and
  conflicting requirement values in the scale's red;
* the what-if outcome's colours (:data:`MARK`), which replace the above.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from graphkit.analysis.severity import TOP_RISKS, Severity
from graphkit.model import (
    STERILE_TECHNOLOGIES,
    BusinessModel,
    NodeKind,
    RelType,
    Segment,
    Technology,
)

from .network import LegendEntry

__all__ = [
    "EDGE_STYLES",
    "KIND_LABELS",
    "MARK",
    "NODE_STYLES",
    "NO_FINDING_BORDER",
    "SEVERITY_BORDER",
    "SEVERITY_COLORS",
    "SIZE_RANGE",
    "TOP_RISKS",
    "SEVERITY_ORDER",
    "EdgeStyle",
    "NodeStyle",
    "contract_width",
    "edge_legend",
    "node_legend",
    "node_size",
    "severity_legend",
    "size_key",
    "node_style",
    "technology_family",
]


@dataclass(frozen=True, slots=True)
class NodeStyle:
    color: str
    shape: str
    size: float
    label: str  # legend text


@dataclass(frozen=True, slots=True)
class EdgeStyle:
    color: str
    dashes: bool
    arrows: bool
    width: float
    label: str  # legend text


#: Human names of node kinds (legend, tooltips, report).
KIND_LABELS: dict[NodeKind, str] = {
    NodeKind.CMO: "CMO",
    NodeKind.CRO: "CRO",
    NodeKind.TEST_LAB: "Test lab",
    NodeKind.DISTRIBUTOR: "Distributor",
    NodeKind.CLIENT: "Client",
    NodeKind.MARKETING_PARTNER: "Marketing partner",
    NodeKind.PRODUCT: "Product",
    NodeKind.REQUIREMENT: "Requirement topic",
    NodeKind.LIAISON: "Liaison",
}

# Base style per kind; CMOs, clients and products are refined below.
NODE_STYLES: dict[NodeKind, NodeStyle] = {
    NodeKind.CMO: NodeStyle("#4e79a7", "square", 13, "CMO"),
    NodeKind.CRO: NodeStyle("#86bcb6", "hexagon", 13, "CRO"),
    NodeKind.TEST_LAB: NodeStyle("#bab0ac", "triangle", 13, "Test lab"),
    NodeKind.DISTRIBUTOR: NodeStyle("#9c755f", "triangleDown", 13, "Distributor"),
    NodeKind.CLIENT: NodeStyle("#3d5a80", "dot", 13, "Client"),
    NodeKind.MARKETING_PARTNER: NodeStyle("#c994c7", "star", 14, "Marketing partner"),
    NodeKind.PRODUCT: NodeStyle("#59a14f", "diamond", 11, "Product"),
    NodeKind.REQUIREMENT: NodeStyle("#dcdfe5", "box", 12, "Requirement topic"),
    NodeKind.LIAISON: NodeStyle("#a5acb8", "dot", 7, "Liaison"),
}

#: CMO colour by business model.
CMO_COLORS: dict[BusinessModel, tuple[str, str]] = {
    BusinessModel.CMO_ONLY: ("#4e79a7", "CMO, contract only"),
    BusinessModel.HYBRID_BRANDED: ("#8e6bbf", "CMO, hybrid (own branded)"),
    BusinessModel.HYBRID_GENERIC: ("#2a9d8f", "CMO, hybrid (own generics)"),
}

#: Client colour by segment (slate blues, darkest for the largest; clients are dots, CMOs squares).
CLIENT_COLORS: dict[Segment, tuple[str, str]] = {
    Segment.LARGE: ("#233b5d", "Client, large"),
    Segment.MID_SIZED: ("#4f6d94", "Client, mid-sized"),
    Segment.SMALL: ("#a7b9d3", "Client, small"),
    Segment.GENERICS_ONLY: ("#7d8ca3", "Client, generics only"),
}

#: Product style by technology family.
PRODUCT_FAMILIES: dict[str, NodeStyle] = {
    "sterile": NodeStyle("#2f8f4e", "diamond", 11, "Product, sterile (parenteral, powder, cream)"),
    "oral_solid": NodeStyle("#b5cf6b", "dot", 10, "Product, oral solid (tablet, capsule, caplet, sachet)"),
}

EDGE_STYLES: dict[RelType, EdgeStyle] = {
    RelType.OWNS: EdgeStyle("#7f9cc4", False, True, 1.2, "owns (client \u2192 product)"),
    RelType.SUPPLIES: EdgeStyle("#5b6577", False, True, 1.6, "supplies a step (dashed: unqualified backup)"),
    RelType.FEEDS: EdgeStyle("#8e5ab5", False, True, 2.6, "feeds material (upstream tier)"),
    RelType.DISTRIBUTES: EdgeStyle("#9c755f", False, True, 1.4, "distributes"),
    RelType.CONTRACTS_WITH: EdgeStyle("#c9a227", False, True, 1.5, "contract (width: annual value)"),
    RelType.MARKETS: EdgeStyle("#e58fa0", False, True, 1.2, "markets"),
    RelType.REQUIRES: EdgeStyle("#a0a7b4", False, True, 1.2, "requires (value on the edge)"),
    RelType.LIAISES_WITH: EdgeStyle("#76b7b2", True, False, 1.2, "liaises with"),
    RelType.EMPLOYS: EdgeStyle("#c4c9d2", False, True, 1.0, "employs"),
}

#: Colours that mark risks and what-if outcomes (one meaning each).
MARK: dict[str, str] = {
    "sole_source": "#ef8a62",  # a supply edge that is a product's only qualified source (the scale's hue, light)
    "conflict": "#ef8a62",  # a requirement value in conflict
    "failed": "#d62728",  # what-if: failed node
    "down": "#ff7f0e",  # what-if: provider cut off upstream
    "lost": "#8c1c13",  # what-if: product lost
    "market_lost": "#e377c2",  # what-if: product with some of its markets lost
    "affected": "#f2b705",  # what-if: client / partner affected
    "impact_edge": "#d62728",  # what-if: edge along which supply is lost
    "unaffected": "#dfe2e7",  # what-if: everything else
    "unaffected_edge": "#e3e6eb",
}

SEVERITY_ORDER = tuple(str(s) for s in Severity)  # "info" … "critical", least severe first
#: One sequential scale (light to dark orange-red) from the least to the most severe finding.
SEVERITY_COLORS: dict[str, str] = {
    "info": "#b7bcc6",
    "low": "#fdcc8a",
    "medium": "#fc8d59",
    "high": "#d7301f",
    "critical": "#7f0000",
}
#: Border width by severity: a little heavier as it darkens; nodes without findings keep the default.
SEVERITY_BORDER: dict[str, float] = {"info": 1.5, "low": 2.0, "medium": 2.5, "high": 2.5, "critical": 3.0}
NO_FINDING_BORDER = "#5b6577"
#: Node size (vis-network's radius, canvas pixels) with nothing at risk and with the most.
SIZE_RANGE = (10.0, 32.0)


def _check_complete() -> None:
    """Fail at import when the model grew a value that has no style."""
    for table, enum in (
        (NODE_STYLES, NodeKind),
        (KIND_LABELS, NodeKind),
        (CMO_COLORS, BusinessModel),
        (CLIENT_COLORS, Segment),
        (EDGE_STYLES, RelType),
    ):
        missing = set(enum) - set(table)
        if missing:
            raise RuntimeError(f"viz.style has no style for {sorted(map(str, missing))}")
    families = {technology_family(t) for t in Technology}
    if families != set(PRODUCT_FAMILIES):
        raise RuntimeError(f"viz.style product families {sorted(families)} != {sorted(PRODUCT_FAMILIES)}")


def technology_family(technology: Technology | str) -> str:
    """``"sterile"`` for the model's sterile technologies, else ``"oral_solid"``."""
    return "sterile" if Technology(technology) in STERILE_TECHNOLOGIES else "oral_solid"


def node_style(
    kind: NodeKind, *, business_model: str | None = None, segment: str | None = None, technology: str | None = None
) -> NodeStyle:
    """The style of one node from its kind and the property that refines it."""
    base = NODE_STYLES[kind]
    if kind is NodeKind.CMO:
        color, label = CMO_COLORS[BusinessModel(business_model or BusinessModel.CMO_ONLY)]
        return NodeStyle(color, base.shape, base.size, label)
    if kind is NodeKind.CLIENT and segment:
        color, label = CLIENT_COLORS[Segment(segment)]
        return NodeStyle(color, base.shape, base.size, label)
    if kind is NodeKind.PRODUCT and technology:
        return PRODUCT_FAMILIES[technology_family(technology)]
    return base


def node_size(money: float, largest: float) -> float:
    """Node size by money at risk: from :data:`SIZE_RANGE`'s least to its most
    by the square root of the share of the `largest` (area grows with money).

    >>> node_size(0, 100), node_size(100, 100), node_size(25, 100)
    (10.0, 32.0, 21.0)
    """
    low, high = SIZE_RANGE
    if largest <= 0 or money <= 0:
        return low
    return round(low + (high - low) * math.sqrt(min(1.0, money / largest)), 1)


def size_key(largest: float) -> list[tuple[float, float]]:
    """(money, node size) of the size legend: the largest amount, a quarter and a
    sixteenth of it (equal steps of size); empty when nothing is at risk.

    >>> size_key(1_000_000)
    [(1000000.0, 32.0), (250000.0, 21.0), (62500.0, 15.5)]
    """
    if largest <= 0:
        return []
    return [(largest / d, node_size(largest / d, largest)) for d in (1.0, 4.0, 16.0)]


def severity_legend() -> list[LegendEntry]:
    """The severity scale, least to most severe, as bordered legend symbols."""
    return [LegendEntry(f"{sev}", "#ffffff", "dot", border=SEVERITY_COLORS[sev]) for sev in SEVERITY_ORDER]


def contract_width(value: float, largest: float) -> float:
    """Edge width of a contract: 1 to 9 px by the square root of its share of the largest."""
    if largest <= 0 or value <= 0:
        return 1.0
    return round(1.0 + 8.0 * math.sqrt(min(1.0, value / largest)), 2)


def node_legend(kinds: set[NodeKind], used: set[str] | None = None) -> list[LegendEntry]:
    """Legend entries for the node kinds shown (CMO, client and product variants
    expanded); with `used`, only the entries whose label is in it."""
    out: list[LegendEntry] = []
    for kind in NodeKind:
        if kind not in kinds:
            continue
        if kind is NodeKind.CMO:
            out += [LegendEntry(label, color, NODE_STYLES[kind].shape) for color, label in CMO_COLORS.values()]
        elif kind is NodeKind.CLIENT:
            out += [LegendEntry(label, color, NODE_STYLES[kind].shape) for color, label in CLIENT_COLORS.values()]
        elif kind is NodeKind.PRODUCT:
            out += [LegendEntry(s.label, s.color, s.shape) for s in PRODUCT_FAMILIES.values()]
        else:
            s = NODE_STYLES[kind]
            out.append(LegendEntry(s.label, s.color, s.shape))
    return out if used is None else [e for e in out if e.label in used]


def edge_legend(types: set[RelType]) -> list[LegendEntry]:
    """Legend entries for the relationship types shown."""
    return [
        LegendEntry(EDGE_STYLES[t].label, EDGE_STYLES[t].color, "dot", kind="edge", dashes=EDGE_STYLES[t].dashes)
        for t in RelType
        if t in types
    ]


_check_complete()
