"""Views of a portfolio as interactive networks: what is drawn, how, and why.

A *view* picks node kinds and relationship types from the model
(:data:`VIEWS`); :func:`build_view` turns a portfolio and its analysis
results into :class:`~graphkit.viz.network.VizNode` /
:class:`~graphkit.viz.network.VizEdge` objects styled by
:mod:`graphkit.viz.style`, and :func:`render_view` renders them through the
safe renderer :func:`~graphkit.viz.network.render_network`.

* Parallel relationships of one type between the same two nodes (a CMO doing
  three steps for one product) are drawn as one edge listing them all.
* Node size grows with risk (highest finding severity, revenue at risk);
  critical nodes, products with requirement conflicts and conflicting topics
  get a heavy border; sole-source supply edges and conflicting requirement
  values are red; unqualified supply is dashed.
* ``focus``/``hops`` keep one node's undirected neighbourhood; ``fail`` runs
  :func:`graphkit.analysis.spof.whatif` and colours what the failure takes
  down (everything else greyed).
* Above ``max_nodes`` the view is trimmed: the nodes of the most severe
  findings first, then their neighbours, up to the cap; the page's notes
  say what was left out, with counts.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from graphkit.analysis import Analysis, Severity, analyze, read_analysis
from graphkit.explore import within_hops
from graphkit.model import (
    Client,
    Liaison,
    MarketingPartner,
    NodeKind,
    Portfolio,
    Product,
    Provider,
    RelType,
    requirement_node_id,
)
from graphkit.problems import GraphkitError, did_you_mean
from graphkit.text import market_name

from . import style
from .defaults import DEFAULT_MAX_NODES, VIEW_TITLES, VIEWS
from .network import LegendEntry, ListPanel, Questions, VizEdge, VizNode, render_network
from .questions import view_questions
from .tiers import tiered_nodes

if TYPE_CHECKING:
    from graphkit.analysis.overlap import OverlapResult
    from graphkit.analysis.spof import SpofResult

__all__ = [
    "DEFAULT_MAX_NODES",
    "VIEWS",
    "VIEW_KINDS",
    "VIEW_RELATIONSHIPS",
    "VIEW_TITLES",
    "NetworkView",
    "build_view",
    "render_view",
]

View = Literal["all", "supply", "commercial", "requirements", "people"]

_PROVIDERS = frozenset({NodeKind.CMO, NodeKind.CRO, NodeKind.TEST_LAB, NodeKind.DISTRIBUTOR})

#: Node kinds of each view.
VIEW_KINDS: dict[str, frozenset[NodeKind]] = {
    "all": frozenset(NodeKind),
    "supply": _PROVIDERS | {NodeKind.PRODUCT},
    "commercial": _PROVIDERS | {NodeKind.CLIENT, NodeKind.PRODUCT},
    "requirements": frozenset({NodeKind.MARKETING_PARTNER, NodeKind.CLIENT, NodeKind.PRODUCT, NodeKind.REQUIREMENT}),
    "people": _PROVIDERS | {NodeKind.CLIENT, NodeKind.LIAISON},
}
#: Relationship types of each view.
VIEW_RELATIONSHIPS: dict[str, frozenset[RelType]] = {
    "all": frozenset(RelType),
    "supply": frozenset({RelType.SUPPLIES, RelType.FEEDS, RelType.DISTRIBUTES}),
    "commercial": frozenset({RelType.CONTRACTS_WITH, RelType.OWNS}),
    "requirements": frozenset({RelType.REQUIRES, RelType.MARKETS, RelType.OWNS}),
    "people": frozenset({RelType.EMPLOYS, RelType.LIAISES_WITH, RelType.CONTRACTS_WITH}),
}

_EDGE_LABELS_UP_TO = 160  # edges; above this, edge text is in tooltips only
_FINDINGS_IN_TOOLTIP = 6
_LABEL_CHARS = 42
_TIER_LABEL_CHARS = 30  # labels in columns are shorter: the column's width is its widest label


@dataclass
class NetworkView:
    """A view ready to render: styled nodes and edges, legend, notes and counts.

    ``total_nodes``/``total_edges`` are the view's size before focus and
    trimming; ``trimmed`` says whether the cap removed anything; ``marks``
    maps what-if statuses (``failed``, ``down``, ``lost``, ``affected``) to
    the node ids shown with that status.
    """

    title: str
    view: str
    nodes: list[VizNode]
    edges: list[VizEdge]
    legend: list[LegendEntry]
    notes: list[str]
    total_nodes: int
    total_edges: int
    trimmed: bool = False
    marks: dict[str, list[str]] = field(default_factory=dict)
    lists: list[ListPanel] = field(default_factory=list)
    questions: Questions | None = None
    layout: Literal["physics", "precomputed", "tiers"] = "physics"
    columns: list[tuple[float, str]] = field(default_factory=list)

    def render(self, height: str = "800px", renderer: str = "auto") -> str:
        """The view as one self-contained HTML document (`renderer`: see
        :func:`graphkit.viz.network.choose_renderer`)."""
        return render_network(
            self.nodes,
            self.edges,
            title=self.title,
            legend=self.legend,
            notes=self.notes,
            height=height,
            layout=self.layout,
            lists=self.lists,
            questions=self.questions,
            columns=self.columns,
            renderer=renderer,
        )


# ------------------------------------------------------------------ helpers


def _money(value: float | None, currency: str | None = None) -> str:
    if value is None:
        return "n/a"
    v = float(value)
    for div, suffix in ((1e9, "bn"), (1e6, "M"), (1e3, "k")):
        if abs(v) >= div:
            text = f"{v / div:,.1f}".rstrip("0").rstrip(".") + suffix
            break
    else:
        text = f"{v:,.0f}"
    return f"{text} {currency}" if currency else text


def _short(text: str, limit: int = _LABEL_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def _words(value: str) -> str:
    return str(value).replace("_", " ")


def _results(portfolio: Portfolio, analysis: Analysis | Mapping[str, Any] | None) -> Analysis:
    """The typed results: run when not given, read back when given as JSON."""
    if analysis is None:
        return analyze(portfolio)
    if isinstance(analysis, Analysis):
        return analysis
    return read_analysis(analysis)


@dataclass
class _Edge:
    type: RelType
    source: str
    target: str
    props: list[dict[str, Any]]


@dataclass
class _Risk:
    """What the analyses say about one node."""

    severity: Severity = Severity.INFO
    revenue: float = 0.0
    findings: list[tuple[Severity, str]] = field(default_factory=list)
    critical: bool = False
    conflict: bool = False
    cut_point: bool = False

    def add(self, severity: Severity, explanation: str) -> None:
        self.severity = max(self.severity, severity)
        self.findings.append((severity, f"[{severity}] {explanation}"))


class _Index:
    """Findings of an analysis, indexed by node and by relationship."""

    def __init__(self, results: Analysis) -> None:
        self.risk: dict[str, _Risk] = defaultdict(_Risk)
        self.sole_source: set[tuple[str, str, str]] = set()  # (provider, product, step)
        self.conflict_values: set[tuple[str, str, str]] = set()  # (party, topic, value)
        self.conflict_topics: set[str] = set()
        self.no_contact: set[tuple[str, str]] = set()  # (client, provider) that no liaison holds
        if results.spof is not None:
            self._spof(results.spof)
        if results.overlap is not None:
            self._overlap(results.overlap)
        conc = results.concentration
        if conc is not None:
            for p in conc.providers:
                self.risk[p.provider].add(p.severity, p.explanation)
            for c in conc.clients:
                self.risk[c.client].add(c.severity, c.explanation)
            for i in conc.conflicts_of_interest:
                for node in (i.provider, i.product):
                    self.risk[node].add(i.severity, i.explanation)
        for topic in self.conflict_topics:
            self.risk[topic].conflict = True

    def _spof(self, spof: SpofResult) -> None:
        for c in spof.critical_nodes:
            r = self.risk[c.node]
            r.add(c.severity, c.explanation)
            r.critical = True
            r.revenue = max(r.revenue, float(c.revenue_at_risk or 0.0))
        for s in spof.sole_source_steps:
            self.risk[s.product].add(s.severity, s.explanation)
            self.sole_source.add((s.provider, s.product, s.step))
        for k in spof.key_person_risks:
            if k.liaison is None:
                self.no_contact.add((k.client, k.provider))
            for node in (k.liaison, k.client):
                if node:
                    self.risk[node].add(k.severity, k.explanation)
        for node in spof.articulation_points:
            self.risk[node].cut_point = True

    def _overlap(self, overlap: OverlapResult) -> None:
        for p in overlap.products:
            r = self.risk[p.product]
            r.add(p.severity, p.explanation)
            for conflict in p.conflicts:
                r.conflict = True
                topic = requirement_node_id(conflict.topic)
                self.conflict_topics.add(topic)
                for party, value in conflict.values.items():
                    self.conflict_values.add((party, topic, str(value)))
        for q in overlap.providers:
            self.risk[q.provider].add(q.severity, q.explanation)

    def get(self, node: str) -> _Risk:
        return self.risk[node] if node in self.risk else _Risk()


# ------------------------------------------------------------------ the view graph


def _view_graph(portfolio: Portfolio, view: str) -> tuple[dict[str, NodeKind], list[_Edge]]:
    kinds = VIEW_KINDS[view]
    nodes: dict[str, NodeKind] = {}
    for node_id in portfolio.nodes:
        kind = portfolio.kind(node_id)
        if kind in kinds:
            nodes[node_id] = kind
    if NodeKind.REQUIREMENT in kinds:
        for r in portfolio.requirements:
            nodes.setdefault(requirement_node_id(r.topic), NodeKind.REQUIREMENT)
    types = VIEW_RELATIONSHIPS[view]
    merged: dict[tuple[RelType, str, str], _Edge] = {}
    for rel in portfolio.relationships():
        if rel.type not in types or rel.source not in nodes or rel.target not in nodes:
            continue
        key = (rel.type, rel.source, rel.target)
        edge = merged.get(key)
        if edge is None:
            merged[key] = _Edge(rel.type, rel.source, rel.target, [rel.properties])
        else:
            edge.props.append(rel.properties)
    return nodes, list(merged.values())


def _adjacency(nodes: Iterable[str], edges: Iterable[_Edge]) -> dict[str, list[str]]:
    adj: dict[str, list[str]] = {n: [] for n in nodes}
    for e in edges:
        if e.source != e.target:
            adj[e.source].append(e.target)
            adj[e.target].append(e.source)
    return adj


def _trim(
    order: list[str],
    adj: Mapping[str, list[str]],
    priority: Mapping[str, tuple],
    seeds: list[str],
    kinds: Mapping[str, NodeKind],
    cap: int,
) -> list[str]:
    """Up to `cap` nodes: the seeds (most important first, at most half the
    cap), a few of every kind (so no kind vanishes: up to 1 % of the cap
    each, most important first), then the kept nodes' neighbours in rounds
    (a few per kept node per round, most important first), then the rest."""
    kept: dict[str, None] = dict.fromkeys(seeds[: max(cap // 2, 1)])
    per_kind: dict[NodeKind, list[str]] = defaultdict(list)
    for u in sorted(order, key=lambda v: priority[v]):
        per_kind[kinds[u]].append(u)
    quota = max(1, cap // 100)
    for members in per_kind.values():
        for u in members[:quota]:
            if len(kept) >= cap:
                break
            kept.setdefault(u, None)
    per_round = 4
    progress = True
    cursor: dict[str, int] = {}
    sorted_adj: dict[str, list[str]] = {}
    while len(kept) < cap and progress:
        progress = False
        for u in list(kept):
            if u not in sorted_adj:
                sorted_adj[u] = sorted(set(adj[u]), key=lambda v: priority[v])
            nbrs = sorted_adj[u]
            i = cursor.get(u, 0)
            added = 0
            while i < len(nbrs) and added < per_round and len(kept) < cap:
                v = nbrs[i]
                i += 1
                if v not in kept:
                    kept[v] = None
                    added += 1
            cursor[u] = i
            progress = progress or added > 0
            if len(kept) >= cap:
                break
    if len(kept) < cap:
        for u in sorted(order, key=lambda v: priority[v]):
            if len(kept) >= cap:
                break
            kept.setdefault(u, None)
    return list(kept)


# ------------------------------------------------------------------ tooltips


def _name(portfolio: Portfolio, node_id: str) -> str:
    record = portfolio.nodes.get(node_id)
    if record is not None:
        return record.name  # type: ignore[attr-defined]
    return node_id.removeprefix("topic:")


def _facts(portfolio: Portfolio, node_id: str, kind: NodeKind, degree: Mapping[str, Counter]) -> list[str]:
    record = portfolio.nodes.get(node_id)
    lines: list[str] = []
    if isinstance(record, Provider):
        head = style.KIND_LABELS[kind]
        if record.business_model is not None:
            head += f", {_words(record.business_model)}"
        lines.append(head)
        if record.services:
            lines.append("services: " + ", ".join(_words(s) for s in record.services))
        if record.technologies:
            lines.append("technologies: " + ", ".join(_words(t) for t in record.technologies))
        if record.own_technologies:
            lines.append("own products: " + ", ".join(_words(t) for t in record.own_technologies))
        if record.own_revenue:
            lines.append(f"own revenue: {_money(record.own_revenue)}")
        if record.country:
            lines.append(f"country: {record.country}")
        if record.capacity is not None:
            lines.append(f"capacity: {record.capacity:g}")
    elif isinstance(record, Client):
        lines.append(f"Client, {_words(record.segment)}")
        if record.quality_maturity:
            lines.append(f"quality maturity: {record.quality_maturity}")
    elif isinstance(record, MarketingPartner):
        lines.append("Marketing partner")
        if record.territories:
            lines.append("territories: " + ", ".join(record.territories))
    elif isinstance(record, Product):
        family = "sterile" if record.sterile else "oral solid"
        lines.append(f"Product, {_words(record.technology)} ({family}), {record.stage}")
        lines.append(f"owner: {_name(portfolio, record.owner)} ({record.owner})")
        if record.annual_revenue is not None:
            lines.append(f"annual revenue: {_money(record.annual_revenue)}")
        steps: dict[str, list[str]] = {}
        for link in record.supply:
            steps.setdefault(_words(link.step), []).append(link.provider + ("" if link.qualified else " (unqualified)"))
        for step, sources in steps.items():
            lines.append(f"{step}: {', '.join(sources)}")
        if record.distributors:
            lines.append("distribution: " + ", ".join(d.distributor for d in record.distributors))
        if record.marketed_by:
            lines.append("marketed by: " + ", ".join(m.partner for m in record.marketed_by))
    elif isinstance(record, Liaison):
        lines.append(f"Liaison of {_name(portfolio, record.client)} ({record.client})")
        if record.providers:
            lines.append("with: " + ", ".join(record.providers))
        if record.skills:
            lines.append("skills: " + ", ".join(record.skills))
    else:  # requirement topic
        lines.append("Requirement topic")
        values = [
            f"{r.party}: {r.value}" + (f" (for {', '.join(r.products)})" if r.products else "")
            for r in portfolio.requirements
            if requirement_node_id(r.topic) == node_id
        ]
        lines += values[:12]
        if len(values) > 12:
            lines.append(f"\u2026 and {len(values) - 12} more")
    source = getattr(record, "source", None)
    if source:
        lines.append(f"source: {source}")
    links = degree.get(node_id)
    if links:
        lines.append("links: " + ", ".join(f"{t.lower().replace('_', ' ')} {n}" for t, n in sorted(links.items())))
    return lines


def _tooltip(
    portfolio: Portfolio,
    node_id: str,
    kind: NodeKind,
    risk: _Risk,
    degree: Mapping[str, Counter],
    extra: Iterable[str] = (),
) -> str:
    lines = [f"{_name(portfolio, node_id)}  [{node_id}]", *_facts(portfolio, node_id, kind, degree)]
    lines += list(extra)
    if risk.cut_point:
        lines.append("structural cut point: removing it splits the network")
    findings = sorted(risk.findings, key=lambda f: -f[0])
    if findings:
        lines.append("Findings:")
        lines += [text for _, text in findings[:_FINDINGS_IN_TOOLTIP]]
        if len(findings) > _FINDINGS_IN_TOOLTIP:
            lines.append(f"\u2026 and {len(findings) - _FINDINGS_IN_TOOLTIP} more finding(s)")
    return "\n".join(lines)


# ------------------------------------------------------------------ edges


def _edge_text(edge: _Edge, index: _Index) -> tuple[str, list[str], bool, bool, float]:
    """(label, tooltip lines, dashed, risky, contract value) of a merged edge."""
    t, props = edge.type, edge.props
    lines: list[str] = []
    dashed = risky = False
    value = 0.0
    label = ""
    if t is RelType.SUPPLIES:
        parts = []
        for p in props:
            step = p["step"]
            part = step if p.get("qualified", True) else f"{step} (unqualified)"
            if (edge.source, edge.target, step) in index.sole_source and p.get("qualified", True):
                risky = True
                part += " \u2014 sole source"
            parts.append(part)
        label = ", ".join(_words(p["step"]) for p in props)
        dashed = not any(p.get("qualified", True) for p in props)
        lines.append("supplies " + "; ".join(_words(x) for x in parts))
    elif t is RelType.DISTRIBUTES:
        territories = [p["territory"] for p in props if p.get("territory")]
        label = ", ".join(territories)
        risky = (edge.source, edge.target, "distribution") in index.sole_source
        lines.append("distributes" + (f" in {label}" if label else "") + (" \u2014 sole distributor" if risky else ""))
    elif t is RelType.FEEDS:
        label = ", ".join(p["material"] for p in props)
        lines.append(f"feeds {label}")
    elif t is RelType.CONTRACTS_WITH:
        by_currency: dict[str, float] = defaultdict(float)
        for p in props:
            by_currency[p.get("currency") or ""] += float(p.get("annual_value") or 0.0)
        value = sum(by_currency.values())
        label = " + ".join(_money(v, c or None) for c, v in by_currency.items())
        lines.append(f"contract, {label} a year")
        risky = (edge.source, edge.target) in index.no_contact
        if risky:
            lines.append("no liaison holds this relationship")
    elif t is RelType.MARKETS:
        territories = [p["territory"] for p in props if p.get("territory")]
        label = ", ".join(territories)
        lines.append("markets" + (f" in {label}" if label else ""))
    elif t is RelType.REQUIRES:
        values = list(dict.fromkeys(str(p["value"]) for p in props))
        label = " / ".join(values)
        risky = any((edge.source, edge.target, v) in index.conflict_values for v in values)
        for p in props:
            scope = f" for {', '.join(p['products'])}" if p.get("products") else ""
            lines.append(f"requires {edge.target.removeprefix('topic:')} = {p['value']}{scope}")
        if risky:
            lines.append("in conflict with another party of the same product")
    elif t is RelType.OWNS:
        lines.append("owns")
    elif t is RelType.EMPLOYS:
        lines.append("employs")
    elif t is RelType.LIAISES_WITH:
        lines.append("liaises with")
    lines += [f"source: {s}" for s in dict.fromkeys(p["source"] for p in props if p.get("source"))]
    return label, lines, dashed, risky, value


# ------------------------------------------------------------------ build


def build_view(
    portfolio: Portfolio,
    view: str = "all",
    *,
    analysis: Analysis | Mapping[str, Any] | None = None,
    focus: str | None = None,
    hops: int = 1,
    fail: Collection[str] = (),
    max_nodes: int = DEFAULT_MAX_NODES,
    title: str | None = None,
) -> NetworkView:
    """Build one view of a portfolio, styled and annotated with the analyses.

    Parameters
    ----------
    portfolio : Portfolio
    view : {"all", "supply", "commercial", "requirements"}
        Which node kinds and relationship types to draw (:data:`VIEW_KINDS`,
        :data:`VIEW_RELATIONSHIPS`).
    analysis : Analysis, its ``as_dict()``, or None
        Results to annotate with; None runs :func:`graphkit.analysis.analyze`.
    focus : str, optional
        Keep only this node and the nodes within `hops` undirected hops of it
        (in this view).
    hops : int
        Radius of the focus neighbourhood (>= 0).
    fail : collection of str
        Node ids to fail together: what-if highlighting (failed, cut off
        upstream, lost, affected) replaces the risk highlighting.
    max_nodes : int
        Cap on drawn nodes; above it the view is trimmed and the notes say
        what was left out.
    title : str, optional
        Page title (default from the view).

    Raises
    ------
    GraphkitError
        Unknown view, unknown focus id (with a did-you-mean), focus on a node
        the view does not show, unknown failed id, bad `hops`/`max_nodes`.
    """
    if view not in VIEW_KINDS:
        raise GraphkitError(f"unknown view '{view}'{did_you_mean(view, VIEWS)} (views: {', '.join(VIEWS)})")
    if hops < 0:
        raise GraphkitError(f"hops must be 0 or more, not {hops}")
    if max_nodes < 1:
        raise GraphkitError(f"max_nodes must be at least 1, not {max_nodes}")
    index = _Index(_results(portfolio, analysis))
    nodes, edges = _view_graph(portfolio, view)
    adj = _adjacency(nodes, edges)
    notes: list[str] = []
    page_title = title or f"graphkit \u2014 {VIEW_TITLES[view]}"
    keep: list[str] = list(nodes)
    if focus is not None:
        keep = _focus(portfolio, view, nodes, adj, focus, hops)
        page_title = title or f"{page_title} \u2014 {_name(portfolio, focus)} and {hops} hop(s) around it"
    status: dict[str, str] = {}
    lists: list[ListPanel] = []
    if fail:
        status, whatif_notes, headline, markets_panel = _whatif(portfolio, view, nodes, fail)
        notes += whatif_notes
        lists.append(markets_panel)
        page_title = title or f"{page_title} \u2014 {headline}"
    trimmed = len(keep) > max_nodes
    if trimmed:
        keep, trim_notes = _trim_view(keep, nodes, edges, adj, index, status, focus, max_nodes)
        notes[:0] = trim_notes
    keep_set = set(keep)
    shown_edges = [e for e in edges if e.source in keep_set and e.target in keep_set]
    from graphkit.analysis.spof import single_failures  # NetworkX: only when a view is built

    failures = single_failures(portfolio)
    money = _money_at_risk(portfolio, keep, index, failures.revenue_exposed)
    tiered = view == "supply"
    viz_nodes, used_styles = _styled_nodes(
        portfolio, keep, nodes, edges, index, status, bool(fail), money, _TIER_LABEL_CHARS if tiered else _LABEL_CHARS
    )
    # The supply view reads as a flow, so it gets columns in material-flow order
    # (the step is the column: its edges need no label).  Contracts, ownership
    # and requirements have no direction to read along: there a force layout
    # puts a client beside its providers and products, and clusters show
    # concentration, which columns would hide.
    columns: list[tuple[float, str]] = []
    if tiered:
        viz_nodes, columns = tiered_nodes(portfolio, viz_nodes, nodes, ((e.source, e.target) for e in shown_edges))
    show_labels = not tiered and len(shown_edges) <= _EDGE_LABELS_UP_TO
    viz_edges = _styled_edges(portfolio, shown_edges, index, status, bool(fail), show_labels)
    legend = _legend(
        {nodes[u] for u in keep},
        {e.type for e in shown_edges},
        used_styles,
        bool(fail),
        max(money.values(), default=0.0),
    )
    if not show_labels and shown_edges and not tiered:
        notes.append(f"Edge labels are hidden above {_EDGE_LABELS_UP_TO} edges; hover an edge for its details.")
    marks: dict[str, list[str]] = {}
    for u in keep:
        if u in status:
            marks.setdefault(status[u], []).append(u)
    questions = view_questions(
        portfolio,
        keep,
        failures,
        {u: index.get(u).severity for u in keep if index.get(u).findings},
        style.SEVERITY_ORDER,
        money,
        lambda u: _name(portfolio, u),
    )
    return NetworkView(
        title=page_title,
        view=view,
        nodes=viz_nodes,
        edges=viz_edges,
        legend=legend,
        notes=notes,
        total_nodes=len(nodes),
        total_edges=len(edges),
        trimmed=trimmed,
        marks=marks,
        lists=lists,
        layout="tiers" if tiered else "physics",
        columns=columns,
        questions=questions,
    )


def _focus(
    portfolio: Portfolio,
    view: str,
    nodes: Mapping[str, NodeKind],
    adj: Mapping[str, list[str]],
    focus: str,
    hops: int,
) -> list[str]:
    """The view's nodes within `hops` of `focus`, in view order."""
    if focus not in nodes:
        known = set(portfolio.nodes) | {requirement_node_id(r.topic) for r in portfolio.requirements}
        if focus in known:
            kind = NodeKind.REQUIREMENT if focus.startswith("topic:") else portfolio.kind(focus)
            raise GraphkitError(f"'{focus}' is a {_words(kind)}, which the {view} view does not show; use --view all")
        raise GraphkitError(f"unknown node '{focus}'{did_you_mean(focus, known)}")
    dist = within_hops(adj, focus, hops)  # the same search as `graphkit query neighbors`
    return [n for n in nodes if n in dist]


def _whatif(
    portfolio: Portfolio, view: str, nodes: Mapping[str, NodeKind], fail: Collection[str]
) -> tuple[dict[str, str], list[str], str, ListPanel]:
    """(what-if status per node, notes, title headline, the markets-lost list) of failing `fail` together."""
    from graphkit.analysis.spof import whatif as run_whatif  # NetworkX: only when asked

    report = run_whatif(portfolio, list(fail))
    status: dict[str, str] = {}
    groups = (
        ("failed", report.failed),
        ("down", [p for p in report.providers_down if p not in set(report.failed)]),
        ("lost", report.products_lost),
        ("market_lost", [p for p, _ in report.markets_lost]),
        ("affected", [*report.clients_affected, *report.partners_affected]),
    )
    for name, ids in groups:
        for node in ids:
            status.setdefault(node, name)
    failed_names = ", ".join(f"{_name(portfolio, f)} ({f})" for f in report.failed)
    lost = report.products_lost
    markets = [market_name(p, m) for p, m in report.markets_lost]
    verb = "fails" if len(report.failed) == 1 else "fail"
    notes = [
        f"What-if: if {failed_names} {verb}, {len(markets)} market(s) are lost"
        + (f": {', '.join(markets[:12])}" + (" \u2026" if len(markets) > 12 else "") if markets else "")
        + f"; {len(lost)} product(s) lost in every market"
        + (f": {', '.join(lost[:12])}" + (" \u2026" if len(lost) > 12 else "") if lost else "")
        + f"; revenue at risk {_money(report.revenue_at_risk)} ({_BASIS_TEXT[report.revenue_basis]})"
    ]
    if report.clients_affected:
        notes.append(f"What-if: clients affected: {', '.join(report.clients_affected)}")
    if report.partners_affected:
        notes.append(f"What-if: marketing partners affected: {', '.join(report.partners_affected)}")
    down = groups[1][1]
    if down:
        notes.append(f"What-if: providers cut off upstream: {', '.join(down)}")
    for product, reason in report.explanations[:10]:
        notes.append(f"What-if: {product}: {reason}")
    notes += [f"What-if: {n}" for n in report.notes]
    absent = [f for f in report.failed if f not in nodes]
    if absent:
        notes.append(f"What-if: failed node(s) not drawn in the {view} view: {', '.join(absent)}")
    panel = ListPanel(
        "markets-lost",
        "Markets lost",
        [
            (f"{_name(portfolio, p)} \u2014 {m or 'its one market'}", {"product": p, "market": m or ""})
            for p, m in report.markets_lost
        ],
    )
    headline = f"what if {', '.join(report.failed)} {verb}: {len(markets)} market(s), {len(lost)} product(s) lost"
    return status, notes, headline, panel


_BASIS_TEXT = {
    "market": "each market's own revenue",
    "share": "an even share of the product's revenue per market",
    "mixed": "markets' own revenue where given, even shares elsewhere",
}


_STATUS_RANK = {"failed": 0, "lost": 1, "market_lost": 2, "down": 3, "affected": 4}


def _trim_view(
    keep: list[str],
    nodes: Mapping[str, NodeKind],
    edges: list[_Edge],
    adj: Mapping[str, list[str]],
    index: _Index,
    status: Mapping[str, str],
    focus: str | None,
    max_nodes: int,
) -> tuple[list[str], list[str]]:
    """The `max_nodes` of `keep` to draw (see :func:`_trim`), in view order, and
    the notes saying what was left out."""
    keep_set = set(keep)
    sub_adj = {u: [v for v in adj[u] if v in keep_set] for u in keep}

    def priority(u: str) -> tuple:
        r = index.get(u)
        return (
            _STATUS_RANK.get(status[u], 9) if u in status else 9,
            u != focus,
            -r.severity,
            -r.revenue,
            -len(sub_adj[u]),
            u,
        )

    def seed(u: str) -> bool:
        r = index.get(u)
        return u in status or u == focus or r.severity >= Severity.MEDIUM or r.critical or r.conflict

    prio = {u: priority(u) for u in keep}
    seeds = sorted((u for u in keep if seed(u)), key=lambda u: prio[u])
    kept_set = set(_trim(keep, sub_adj, prio, seeds, nodes, max_nodes))
    left = Counter(nodes[u] for u in keep if u not in kept_set)
    left_edges = sum(
        1
        for e in edges
        if e.source in keep_set and e.target in keep_set and not (e.source in kept_set and e.target in kept_set)
    )
    seed_count = min(len(seeds), max(max_nodes // 2, 1))
    notes = [
        f"Trimmed to {len(kept_set):,} of {len(keep):,} nodes (cap: --max-nodes {max_nodes:,}). "
        f"Kept first: {seed_count:,} node(s) named in findings of medium severity or worse, "
        f"single points of failure and conflicts{', the what-if outcome' if status else ''} "
        "(most severe first), a few of every kind, then their neighbours.",
        f"Left out {sum(left.values()):,} nodes \u2014 "
        + ", ".join(f"{style.KIND_LABELS[k]}: {n:,}" for k, n in sorted(left.items(), key=lambda kv: -kv[1]))
        + f" \u2014 and {left_edges:,} edge(s) to or among them.",
        "See any part in full with --focus ID --hops N, or raise --max-nodes.",
    ]
    return [u for u in keep if u in kept_set], notes


def _money_at_risk(
    portfolio: Portfolio, nodes: Iterable[str], index: _Index, exposed: Mapping[str, float]
) -> dict[str, float]:
    """Money at risk per node: a provider's or partner's revenue at risk if it
    fails alone, a product's revenue in markets some single failure loses, a
    client's over its products; 0 for the rest."""
    owned: dict[str, float] = defaultdict(float)
    for p in portfolio.products:
        owned[p.owner] += exposed.get(p.id, 0.0)
    out = {}
    for u in nodes:
        record = portfolio.nodes.get(u)
        if isinstance(record, Product):
            out[u] = exposed.get(u, 0.0)
        elif isinstance(record, Client):
            out[u] = owned.get(u, 0.0)
        else:
            out[u] = index.get(u).revenue
    return out


def _top_risks(keep: Iterable[str], index: _Index, money: Mapping[str, float]) -> set[str]:
    """The :data:`style.TOP_RISKS` nodes with findings, most severe first, then most money at risk."""
    ranked = sorted((u for u in keep if index.get(u).findings), key=lambda u: (-index.get(u).severity, -money[u], u))
    return set(ranked[: style.TOP_RISKS])


_MINOR_FONT = 12.0  # labels of nodes without a finding above low: drawn once zoomed in a little


def _styled_nodes(
    portfolio: Portfolio,
    keep: list[str],
    nodes: Mapping[str, NodeKind],
    edges: list[_Edge],
    index: _Index,
    status: Mapping[str, str],
    whatif: bool,
    money: Mapping[str, float],
    label_chars: int,
) -> tuple[list[VizNode], set[str]]:
    """The drawn nodes: kind by fill and shape, severity by border, money at risk
    by size, the top risks emphasised (or, in a what-if, its outcome by fill);
    and the legend labels of the styles used."""
    degree: dict[str, Counter] = defaultdict(Counter)
    for e in edges:
        degree[e.source][e.type.value] += 1
        degree[e.target][e.type.value] += 1
    largest = max((money[u] for u in keep), default=0.0)
    top = set() if whatif else _top_risks(keep, index, money)
    viz_nodes: list[VizNode] = []
    used_styles: set[str] = set()
    for u in keep:
        kind = nodes[u]
        record = portfolio.nodes.get(u)
        s = style.node_style(
            kind,
            business_model=_business_model(record),
            segment=str(record.segment) if isinstance(record, Client) else None,
            technology=str(record.technology) if isinstance(record, Product) else None,
        )
        used_styles.add(s.label)
        risk = index.get(u)
        sev = str(risk.severity) if risk.findings else None
        extra: list[str] = []
        if money[u]:
            extra.append(f"money at risk: {_money(money[u])}")
        border: str | None = None
        width: float | None = None
        if whatif:
            st = status.get(u)
            color, highlight = (style.MARK[st], True) if st else (style.MARK["unaffected"], False)
            if st:
                extra.append(f"What-if: {_STATUS_TEXT[st]}")
        else:
            color, highlight = s.color, u in top
            if sev is not None:
                border, width = style.SEVERITY_COLORS[sev], style.SEVERITY_BORDER[sev]
            if risk.critical:
                extra.append("single point of failure")
            if risk.conflict:
                extra.append("requirement conflict")
        minor = not highlight and risk.severity < Severity.MEDIUM and u not in status
        viz_nodes.append(
            VizNode(
                id=u,
                label=_short(_name(portfolio, u), label_chars),
                group=style.KIND_LABELS[kind],
                tooltip=_tooltip(portfolio, u, kind, risk, degree, extra),
                color=color,
                shape=s.shape,
                size=style.node_size(money[u], largest),
                highlight=highlight,
                border=border,
                border_width=width,
                font_size=_MINOR_FONT if minor else None,
            )
        )
    return viz_nodes, used_styles


def _business_model(record: object) -> str | None:
    return str(record.business_model) if isinstance(record, Provider) and record.business_model else None


def _styled_edges(
    portfolio: Portfolio,
    shown_edges: list[_Edge],
    index: _Index,
    status: Mapping[str, str],
    whatif: bool,
    show_labels: bool,
) -> list[VizEdge]:
    """The drawn edges, styled by type, risk (sole source, conflict) or what-if impact."""
    largest_contract = 0.0
    texts = []
    for e in shown_edges:
        texts.append(_edge_text(e, index))
        if e.type is RelType.CONTRACTS_WITH:
            largest_contract = max(largest_contract, texts[-1][4])
    viz_edges: list[VizEdge] = []
    for e, (label, lines, dashed, risky, value) in zip(shown_edges, texts):
        es = style.EDGE_STYLES[e.type]
        width = style.contract_width(value, largest_contract) if e.type is RelType.CONTRACTS_WITH else es.width
        color = es.color
        if whatif:
            impact = _impact_edge(e, status)
            color = style.MARK["impact_edge"] if impact else style.MARK["unaffected_edge"]
            width = max(width, 3.0) if impact else width
        elif risky:
            color = style.MARK["sole_source"] if e.type is not RelType.REQUIRES else style.MARK["conflict"]
            width = max(width, 2.2)
        tip = "\n".join([f"{_name(portfolio, e.source)} \u2192 {_name(portfolio, e.target)}", *lines])
        viz_edges.append(
            VizEdge(
                source=e.source,
                target=e.target,
                label=_short(label, 48) if show_labels else "",
                tooltip=tip,
                color=color,
                dashes=dashed or es.dashes,
                width=width,
                arrows=es.arrows,
            )
        )
    return viz_edges


def _legend(
    shown_kinds: set[NodeKind], shown_types: set[RelType], used_styles: set[str], whatif: bool, largest_money: float
) -> list[LegendEntry]:
    if whatif:
        legend = [LegendEntry(_STATUS_LEGEND[name], style.MARK[name], "dot") for name in _STATUS_TEXT]
        legend.append(LegendEntry("not affected", style.MARK["unaffected"], "dot"))
        legend += [
            LegendEntry(style.KIND_LABELS[k] + " (shape)", "#8a94a6", style.NODE_STYLES[k].shape)
            for k in NodeKind
            if k in shown_kinds and k is not NodeKind.PRODUCT
        ]
        if NodeKind.PRODUCT in shown_kinds:
            legend += [
                LegendEntry(s.label.split(" (")[0] + " (shape)", "#8a94a6", s.shape)
                for s in style.PRODUCT_FAMILIES.values()
            ]
        legend.append(LegendEntry("supply lost along this edge", style.MARK["impact_edge"], "dot", kind="edge"))
        return legend + _size_legend(largest_money)
    legend = style.node_legend(shown_kinds, used_styles) + style.edge_legend(shown_types)
    red = "sole source / requirement conflict"
    if RelType.CONTRACTS_WITH in shown_types:
        red += " / contract no liaison holds"
    legend.append(LegendEntry(red, style.MARK["sole_source"], "dot", kind="edge"))
    legend += [
        LegendEntry(f"border: {e.label} (highest finding)", e.color, e.shape, border=e.border)
        for e in style.severity_legend()
    ]
    legend.append(LegendEntry(f"thickest border: the top {style.TOP_RISKS} risks", "#ffffff", "dot", border="#7f0000"))
    return legend + _size_legend(largest_money)


def _size_legend(largest: float) -> list[LegendEntry]:
    return [
        LegendEntry(f"size: {_money(amount)} at risk", "#dfe3ea", "dot", size=size)
        for amount, size in style.size_key(largest)
    ]


_STATUS_TEXT = {
    "failed": "fails",
    "down": "cut off upstream (an input has no working feeder)",
    "lost": "product lost (every market)",
    "market_lost": "some markets lost (see the Markets lost list)",
    "affected": "affected (owns or markets a lost market)",
}
_STATUS_LEGEND = {
    "failed": "failed",
    "down": "provider cut off upstream",
    "lost": "product lost in every market",
    "market_lost": "product with a market lost",
    "affected": "client / partner affected",
}


def _impact_edge(e: _Edge, status: Mapping[str, str]) -> bool:
    s, t = status.get(e.source), status.get(e.target)
    if e.type in (RelType.SUPPLIES, RelType.DISTRIBUTES):
        return s in ("failed", "down") and t in ("lost", "market_lost")
    if e.type is RelType.FEEDS:
        return s in ("failed", "down") and t in ("failed", "down")
    if e.type in (RelType.OWNS, RelType.MARKETS):
        return t in ("lost", "market_lost") and s in ("failed", "affected")
    return False


def render_view(
    portfolio: Portfolio, view: str = "all", *, height: str = "800px", renderer: str = "auto", **kwargs: Any
) -> str:
    """:func:`build_view` rendered as one self-contained HTML document."""
    return build_view(portfolio, view, **kwargs).render(height=height, renderer=renderer)
