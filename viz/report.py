"""One self-contained, shareable HTML report of a portfolio and its analyses.

The page holds the top risks first (the nodes whose failure loses most,
each with a shortage timeline drawn in :mod:`graphkit.viz.timeline_chart`),
the portfolio summary, every finding of the three analyses in sortable tables
(with their explanations), a customer-concentration chart per provider
(inline SVG drawn here, no chart library) and the interactive networks of
:mod:`graphkit.viz.views`, each in a sandboxed ``<iframe srcdoc>``.

Safety, as in :mod:`graphkit.viz.network`: every string from data is
escaped for where it lands (``html.escape`` in markup and attributes,
``srcdoc`` included); the page's only script is a fixed table sorter; a
Content-Security-Policy (``default-src 'none'``, scripts allowed only by
SHA-256 hash) blocks anything else.  The embedded networks inherit that
policy, so their own scripts' hashes are added to it.  Nothing is loaded
from anywhere: no URL appears in the page.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import graphkit
from graphkit import summarize
from graphkit.analysis import ANALYSES, Analysis, Severity, analyze, findings, read_analysis
from graphkit.analysis.severity import top_risks
from graphkit.model import BusinessModel, Portfolio
from graphkit.text import market_name

from . import style
from .defaults import DEFAULT_MAX_NODES, DEFAULT_MAX_ROWS, VIEW_TITLES, VIEWS
from .page import asset, fill, h, head
from .timeline_chart import COLORS, MAX_MARKETS, shortage_chart
from .views import build_view

if TYPE_CHECKING:
    from graphkit.analysis.concentration import ConcentrationResult, ProviderConcentration
    from graphkit.analysis.overlap import OverlapResult
    from graphkit.analysis.relationships import RelationshipsResult
    from graphkit.analysis.spof import CommonCause, CriticalNode, DoubleFailure, SpofResult

__all__ = ["DEFAULT_MAX_ROWS", "render_report"]

#: Concentration charts drawn (most severe first).
DEFAULT_MAX_CHARTS = 80
_CHART_SEGMENTS = 12  # clients drawn per bar; the rest become one "others" segment
_PALETTE = (
    "#4e79a7",
    "#f28e2b",
    "#59a14f",
    "#e15759",
    "#76b7b2",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#86bcb6",
    "#d37295",
    "#a0cbe8",
)
_OTHERS_COLOR = "#c7ccd4"
_OWN_COLOR = "#6b7280"
_DOT = " \u00b7 "


def _num(value: float | None, digits: int = 0) -> str:
    if value is None:
        return ""
    return f"{value:,.{digits}f}"


def _pct(value: float | None) -> str:
    return "" if value is None else f"{100 * value:.1f}%"


def _money(value: float | None, currency: str | None = None) -> str:
    if value is None:
        return ""
    return f"{value:,.0f}" + (f" {currency}" if currency else "")


# ------------------------------------------------------------------ tables


@dataclass(frozen=True)
class _Col:
    """A column: a field of the typed rows (or what `get` works out of a row)."""

    field: str
    header: str
    kind: str = "text"  # text | num | sev | node | list
    fmt: Callable[[Any], str] | None = None
    get: Callable[[Any], Any] | None = None

    def value(self, row: Any) -> Any:
        return self.get(row) if self.get else getattr(row, self.field)


class _Names:
    def __init__(self, portfolio: Portfolio) -> None:
        self.nodes = portfolio.nodes

    def cell(self, node_id: Any) -> tuple[str, str]:
        """(sort key, inner HTML) for a node id: its name with the id below."""
        if node_id is None or node_id == "":
            return "", '<span class="gk-none">none</span>'
        node_id = str(node_id)
        record = self.nodes.get(node_id)
        name = record.name if record is not None else node_id.removeprefix("topic:")  # type: ignore[attr-defined]
        if name == node_id:
            return node_id, h(node_id)
        return name, f'{h(name)}<span class="gk-id">{h(node_id)}</span>'


def _cell(col: _Col, row: Any, names: _Names) -> str:
    value = col.value(row)
    if col.kind == "sev":
        return f'<td data-v="{int(value)}"><span class="gk-sev gk-sev-{value}">{value}</span></td>'
    if col.kind == "num":
        shown = col.fmt(value) if col.fmt else _num(value)
        key = "" if value is None else repr(float(value))
        return f'<td class="gk-n" data-v="{h(key)}">{h(shown)}</td>'
    if col.kind == "node":
        key, inner = names.cell(value)
        return f'<td class="gk-node" data-v="{h(key)}">{inner}</td>'
    if col.kind == "list":
        items = list(value or ())
        text = ", ".join(map(str, items))
        shown = f"{len(items)}: {_clip(text, 90)}" if len(items) > 1 else text
        return f'<td data-v="{len(items):08d} {h(text)}" title="{h(text)}">{h(shown)}</td>'
    shown = col.fmt(value) if col.fmt else ("" if value is None else str(value))
    return f"<td>{h(shown)}</td>"


def _kind(value: Any) -> str:
    return style.KIND_LABELS.get(value, str(value))


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def _table(
    table_id: str,
    caption: str,
    cols: Sequence[_Col],
    rows: Sequence[Any],
    names: _Names,
    max_rows: int,
    *,
    by_severity: bool = True,
) -> str:
    total = len(rows)
    if by_severity:
        rows = sorted(rows, key=lambda r: -r.severity)
    shown = rows[:max_rows]
    note = f"{total:,} row(s)"
    if total > len(shown):
        note = (
            f"the {len(shown):,} most severe of {total:,} rows"
            if by_severity
            else f"the first {len(shown):,} of {total:,} rows"
        )
    if not rows:
        return f'<h3>{h(caption)}</h3>\n<p class="gk-empty" id="{h(table_id)}">None found.</p>\n'
    num_attr = ' data-type="num"'
    head = "".join(
        f'<th scope="col"{num_attr if c.kind in ("num", "sev") else ""}>'
        f'<button type="button">{h(c.header)}</button></th>'
        for c in cols
    )
    body = "\n".join("<tr>" + "".join(_cell(c, r, names) for c in cols) + "</tr>" for r in shown)
    return (
        f'<h3>{h(caption)} <span class="gk-count">({h(note)}; click a header to sort)</span></h3>\n'
        f'<div class="gk-scroll"><table class="gk-sortable" id="{h(table_id)}">\n'
        f"<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody></table></div>\n"
    )


# ------------------------------------------------------------------ charts


_Segment = tuple[str, str, float, str]  # (client key, label, value, colour)


def _chart(row: ProviderConcentration, names: _Names, portfolio: Portfolio) -> str:
    """A stacked bar of one provider's customer shares (and, for hybrids, of
    all its revenue with its own products as one more slice)."""
    provider = row.provider
    values: dict[str, float] = {str(k): float(v) for k, v in row.values.items()}
    total = sum(values.values())
    basis = row.basis
    currency = row.currency
    ranked = sorted(values.items(), key=lambda kv: -kv[1])
    segments: list[_Segment] = []
    for i, (client, value) in enumerate(ranked[:_CHART_SEGMENTS]):
        segments.append((client, names.cell(client)[0], value, _PALETTE[i % len(_PALETTE)]))
    if len(ranked) > _CHART_SEGMENTS:
        rest = ranked[_CHART_SEGMENTS:]
        segments.append(("", f"{len(rest)} other client(s)", sum(v for _, v in rest), _OTHERS_COLOR))
    unit = (lambda v: _money(v, currency)) if basis == "contract_value" else (lambda v: f"{v:g} product(s)")
    own = float(row.own_revenue or 0.0) if basis == "contract_value" else 0.0

    svg = _chart_svg(names.cell(provider)[0], segments, total, own, unit, basis)

    record = portfolio.nodes.get(provider)
    kind = row.kind
    model = row.business_model
    if kind == "cmo" and model in style.CMO_COLORS:
        sub = style.CMO_COLORS[BusinessModel(model)][1]
    else:
        sub = style.KIND_LABELS.get(kind, kind)  # type: ignore[call-overload]
    sev = str(row.severity)
    facts = [
        f"HHI {_num(row.hhi)} ({str(row.concentration).replace('_', ' ')})",
        f"top customer {_pct(row.top1_share)}",
        f"top 3 {_pct(row.top3_share)}",
        f"effective customers {_num(row.effective_customers, 1)}",
    ]
    if basis == "contract_value":
        facts.append(f"contract value {_money(row.contract_value, currency)}")
        if own:
            facts.append(
                f"own revenue {_money(own, currency)}; top customer = {_pct(row.top1_share_of_total)} "
                f"of all revenue, HHI incl. own {_num(row.hhi_with_own)}"
            )
    else:
        facts.append("no contract values: shares of products handled")
    legend = "".join(
        f'<li><span class="gk-swatch" style="background:{color}"></span>{h(name)} '
        f'<span class="gk-muted">{h(_pct(value / total if total else 0))} \u00b7 {h(unit(value))}</span></li>'
        for _, name, value, color in segments
    )
    name = record.name if record is not None else provider  # type: ignore[attr-defined]
    return (
        f'<figure class="gk-chart" data-provider="{h(provider)}">\n'
        f'<figcaption><strong>{h(name)}</strong> <span class="gk-id">{h(provider)}</span> '
        f'<span class="gk-muted">{h(sub)}</span> <span class="gk-sev gk-sev-{sev}">{sev}</span>'
        f'<div class="gk-facts">{h(_DOT.join(facts))}</div></figcaption>\n'
        + svg
        + f'\n<ul class="gk-chart-legend">{legend}</ul>\n'
        f'<p class="gk-expl">{h(row.explanation)}</p>\n</figure>\n'
    )


def _chart_svg(
    name: str, segments: list[_Segment], total: float, own: float, unit: Callable[[float], str], basis: str
) -> str:
    """The stacked bars of :func:`_chart` as inline SVG: the contract revenue (or
    products handled), and for a hybrid a second bar with its own products."""
    width, bar_h, label_w = 640.0, 26.0, 120.0
    bars = [("contract revenue" if basis == "contract_value" else "products handled", segments, total)]
    if own > 0:
        bars.append(("incl. own products", [*segments, ("\0own", "own products", own, _OWN_COLOR)], total + own))
    height = 8 + len(bars) * (bar_h + 10)
    parts = [
        (
            f'<svg class="gk-bars" viewBox="0 0 {width:.0f} {height:.0f}" role="img" '
            f'aria-label="{h("customer shares of " + name)}">'
        )
    ]
    for b, (label, segs, denom) in enumerate(bars):
        y = 4 + b * (bar_h + 10)
        parts.append(f'<text x="0" y="{y + bar_h * 0.68:.1f}" class="gk-bar-label">{h(label)}</text>')
        x = label_w
        span = width - label_w - 2
        for key, name, value, color in segs:
            w = span * value / denom if denom > 0 else 0.0
            if w <= 0:
                continue
            share = value / denom
            shown_key = f" ({key})" if key and key != name and key != "\0own" else ""
            tip = f"{name}{shown_key}: {_pct(share)}{_DOT}{unit(value)}"
            data = "" if b else f' data-client="{h(key)}" data-value="{value!r}" data-share="{share!r}"'
            parts.append(
                f'<g class="gk-seg"{data}><rect x="{x:.2f}" y="{y:.1f}" width="{w:.2f}" '
                f'height="{bar_h:.0f}" fill="{color}"><title>{h(tip)}</title></rect>'
            )
            if w > 48:
                text = _clip(name, max(3, int(w / 7.2) - 5)) + f" {100 * share:.0f}%"
                fill = (
                    "#ffffff" if color not in (_OTHERS_COLOR, "#edc948", "#a0cbe8", "#86bcb6", "#ff9da7") else "#1d2330"
                )
                parts.append(
                    f'<text x="{x + 4:.2f}" y="{y + bar_h * 0.68:.1f}" class="gk-seg-text" '
                    f'fill="{fill}">{h(text)}</text>'
                )
            parts.append("</g>")
            x += w
    parts.append("</svg>")
    return "".join(parts)


# ------------------------------------------------------------------ page


# The page's template, style and table sorter (the sorter is hashed into the CSP).
_PAGE, _CSS, _SORT_JS = asset("report.html"), asset("report.css"), asset("report.js")
_SCRIPT_RE = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def _counts_table(title: str, counts: Mapping[str, int]) -> str:
    rows = "".join(
        f'<tr><td>{h(str(k).replace("_", " "))}</td><td class="gk-n">{v:,}</td></tr>'
        for k, v in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    )
    if not rows:
        rows = '<tr><td colspan="2" class="gk-none">none</td></tr>'
    return f'<div><h3>{h(title)}</h3><table class="gk-small"><tbody>{rows}</tbody></table></div>'


def render_report(
    portfolio: Portfolio,
    *,
    analysis: Analysis | Mapping[str, Any] | None = None,
    source: str = "",
    generated: datetime | None = None,
    views: Iterable[str] = ("supply",),
    max_nodes: int = DEFAULT_MAX_NODES,
    max_rows: int = DEFAULT_MAX_ROWS,
    max_charts: int = DEFAULT_MAX_CHARTS,
    title: str | None = None,
    relationships: RelationshipsResult | None = None,
) -> str:
    """The whole report as one self-contained HTML document.

    Parameters
    ----------
    portfolio : Portfolio
    analysis : Analysis, its ``as_dict()``, or None
        None runs all three analyses.
    source : str
        Where the portfolio came from; its file name is shown.
    generated : datetime, optional
        Generation time shown on the page (default: now, UTC).
    views : iterable of str
        Network views to embed (see :data:`graphkit.viz.views.VIEWS`).
    max_nodes, max_rows, max_charts : int
        Caps on nodes per embedded network, rows per table and concentration
        charts; the page says when a cap left something out.
    title : str, optional
        Page title (default: ``graphkit report — <file name>``).
    relationships : RelationshipsResult, optional
        The relationship scorecard (default: computed with the shipped skills
        and default thresholds).
    """
    views = list(dict.fromkeys(views))
    for v in views:
        if v not in VIEWS:
            raise graphkit.GraphkitError(f"unknown view '{v}' (views: {', '.join(VIEWS)})")
    if analysis is None:
        results = analyze(portfolio)
    else:
        results = analysis if isinstance(analysis, Analysis) else read_analysis(analysis)
    generated = generated or datetime.now(UTC)
    source_name = Path(source).name if source else "portfolio"
    page_title = title or f"graphkit report \u2014 {source_name}"
    names = _Names(portfolio)
    sections = [("summary", "Portfolio summary", _summary_section(portfolio, results))]
    if results.spof is not None:
        sections.insert(0, ("top-risks", "Top risks", _top_risks_section(results.spof, names)))
    if results.spof is not None:
        sections.append(("spof", "Single points of failure", _spof_section(results.spof, names, max_rows)))
    if results.overlap is not None:
        sections.append(
            ("overlap", "Requirement overlap and conflicts", _overlap_section(results.overlap, names, max_rows))
        )
    if results.concentration is not None:
        conc = _concentration_section(results.concentration, names, portfolio, max_rows, max_charts)
        sections.append(("concentration", "Customer concentration", conc))
    if relationships is None:
        from graphkit.analysis.relationships import relationships as score

        relationships = score(portfolio)
    sections.append(("relationships", "Relationships", _relationships_section(relationships, names, max_rows)))
    network_scripts: list[str] = []
    if views:
        nets = _networks_section(portfolio, results, views, source_name, max_nodes, network_scripts)
        sections.append(("networks", "Networks", nets))

    nav = "".join(f'<a href="#{a}">{h(heading)}</a>' for a, heading, _ in sections)
    body = "\n".join(
        f'<section class="gk-sec" id="{a}"><h2>{h(heading)}</h2>\n{content}</section>'
        for a, heading, content in sections
    )
    stamp = generated.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    meta = (
        f"Source: {h(source_name)} \u00b7 Generated {h(stamp)} \u00b7 graphkit {h(graphkit.__version__)}"
        f" \u00b7 analyses: {h(', '.join(a for a in ANALYSES if getattr(results, a) is not None) or 'none')}"
    )
    return fill(
        _PAGE,
        {
            "HEAD": head(title=page_title, scripts=(_SORT_JS, *network_scripts), styles=(_CSS,)),
            "TITLE": h(page_title),
            "META": meta,
            "NAV": nav,
            "BODY": body,
            "JS": _SORT_JS,
        },
    )


def _summary_section(portfolio: Portfolio, results: Analysis) -> str:
    summary = summarize(portfolio).as_dict()
    worst_first = sorted(Severity, reverse=True)
    by_list: dict[str, dict[Severity, int]] = {}
    total_by_sev = dict.fromkeys(worst_first, 0)
    for f in findings(results):
        key = f"{f.analysis}: {f.finding.replace('_', ' ')}"
        by_list.setdefault(key, dict.fromkeys(worst_first, 0))[f.severity] += 1
        total_by_sev[f.severity] += 1
    cards = [("nodes", sum(summary["nodes"].values())), ("relationships", sum(summary["relationships"].values()))]
    cards += [(f"{sev} findings", n) for sev, n in total_by_sev.items() if sev >= Severity.MEDIUM]
    cards_html = "".join(f'<div class="gk-card"><b>{n:,}</b>{h(label)}</div>' for label, n in cards)
    sev_head = "".join(f'<th scope="col">{h(str(s))}</th>' for s in worst_first)
    sev_rows = "".join(
        f"<tr><td>{h(k)}</td>" + "".join(f'<td class="gk-n">{n:,}</td>' for n in c.values()) + "</tr>"
        for k, c in by_list.items()
    )
    findings_html = (
        f'<h3>Findings by severity</h3><table class="gk-small" id="gk-findings-summary">'
        f'<thead><tr><th scope="col">finding</th>{sev_head}</tr></thead><tbody>{sev_rows}</tbody></table>'
        if sev_rows
        else "<p>No findings.</p>"
    )
    groups = "".join(_counts_table(t, summary[k]) for k, t in _SUMMARY_COUNTS)
    return f'<div class="gk-cards">{cards_html}</div>{findings_html}<div class="gk-grid">{groups}</div>'


_SUMMARY_COUNTS = (
    ("nodes", "Nodes by kind"),
    ("relationships", "Relationships by type"),
    ("business_models", "CMOs by business model"),
    ("segments", "Clients by segment"),
    ("technologies", "Products by technology"),
    ("stages", "Products by stage"),
)
_SEV = _Col("severity", "Severity", "sev")
_EXPL = _Col("explanation", "Explanation")
_MORE_AT = 200  # cut points listed by name


def _markets(row: CriticalNode | DoubleFailure | CommonCause) -> list[str]:
    units = row.units if hasattr(row, "units") else row.markets_lost  # a critical node's lost markets carry times
    return [market_name(product, market) for product, market in units]


def _recovery(weeks: float | None) -> str:
    from graphkit.analysis.exposure import UNKNOWN_RECOVERY_WEEKS

    return f"{UNKNOWN_RECOVERY_WEEKS:g} (unknown)" if weeks is None else f"{weeks:g}"


_LOSS = _Col("loss", "Loss", "num", lambda v: _money(v))
_EXPOSURE = _Col("risk_exposure", "Share of the worst", "num", _pct)
_SHORTAGE = _Col("shortage_weeks", "Longest shortage (weeks)", "num", lambda v: f"{v:g}")
_BACK = _Col("recovery_weeks", "Last market back (week)", "num", _recovery)
_TIMELINE_LEGEND = (
    ("short", "running short: revenue lost"),
    ("stock", "on stock"),
    ("back", "back (dashed: recovery time unknown, 52 weeks counted)"),
)


def _top_risks_section(spof: SpofResult, names: _Names) -> str:
    """The nodes whose failure alone loses most (the analysis ranks critical
    nodes by loss), each with its share of the worst and its shortage timeline."""
    top = top_risks(spof.critical_nodes)
    if not top:
        return '<p class="gk-empty" id="gk-top-risks">No node\'s failure alone loses revenue.</p>'
    cols = [
        _Col("node", "Node", "node"),
        _LOSS,
        _EXPOSURE,
        _SHORTAGE,
        _BACK,
        _Col("markets_lost", "Markets lost", "num", get=lambda r: len(r.markets_lost)),
        _Col("revenue_at_risk", "Revenue at risk", "num", lambda v: _money(v)),
        _SEV,
    ]
    legend = "".join(
        f'<li><span class="gk-swatch" style="background:{COLORS[key]}"></span>{h(text)}</li>'
        for key, text in _TIMELINE_LEGEND
    )
    charts = []
    for rank, c in enumerate(top, 1):
        name = names.cell(c.node)[0]
        more = len(c.markets_lost) - MAX_MARKETS
        facts = [
            f"loss {_money(c.loss)}",
            f"{_pct(c.risk_exposure)} of the worst",
            f"longest shortage {c.shortage_weeks:g} weeks",
            f"{len(c.markets_lost):,} market(s) lost" + (f", the {MAX_MARKETS} losing most drawn" if more > 0 else ""),
        ]
        charts.append(
            f'<figure class="gk-chart gk-risk-chart" data-node="{h(c.node)}">\n'
            f'<figcaption><strong>{rank}. {h(name)}</strong> <span class="gk-id">{h(c.node)}</span> '
            f'<span class="gk-sev gk-sev-{c.severity}">{c.severity}</span>'
            f'<div class="gk-facts">{h(_DOT.join(facts))}</div></figcaption>\n'
            + shortage_chart(c.node, c.markets_lost)
            + f'\n<ul class="gk-chart-legend">{legend}</ul>\n</figure>\n'
        )
    lead = (
        '<p class="gk-lead">The nodes whose failure alone loses the most money, largest first: the revenue '
        "lost while the markets they take down run short (each market is back when the node recovers or a "
        "backup is brought up, and runs short once its stock is used up). The share of the worst is each "
        f"loss against the largest. The top {len(top)} of {len(spof.critical_nodes):,} critical nodes; all are in the "
        "single points of failure below.</p>"
    )
    table = _table("gk-top-risks", "Largest losses", cols, top, names, len(top), by_severity=False)
    return lead + table + f'<h3>Shortage timelines</h3><div class="gk-charts" id="gk-timelines">{"".join(charts)}</div>'


def _spof_section(spof: SpofResult, names: _Names, max_rows: int) -> str:
    money = _Col("revenue_at_risk", "Revenue at risk", "num", lambda v: _money(v))
    critical = [
        _Col("node", "Node", "node"),
        _Col("kind", "Kind", fmt=_kind),
        _Col("markets_lost", "Markets lost", "list", get=_markets),
        _Col("products_lost", "Products lost (every market)", "list"),
        _Col("clients_affected", "Clients", "list"),
        _Col("partners_affected", "Partners", "list"),
        _LOSS,
        _EXPOSURE,
        _SHORTAGE,
        _BACK,
        money,
        _Col("revenue_basis", "Basis", fmt=lambda v: {"share": "even share per market"}.get(v, str(v or ""))),
        _Col("hidden", "Hidden", fmt=lambda v: "yes" if v else "no"),
        _SEV,
        _EXPL,
    ]
    sole = [
        _Col("product", "Product", "node"),
        _Col("market", "Market", fmt=lambda v: v or "its one market"),
        _Col("step", "Step"),
        _Col("provider", "Provider", "node"),
        _Col("backup", "Unqualified backup", "list"),
        _SEV,
        _EXPL,
    ]
    person = [
        _Col("client", "Client", "node"),
        _Col("provider", "Provider", "node"),
        _Col("liaison", "Liaison", "node"),
    ]
    parts = [
        (
            '<p class="gk-lead">What one failure takes down, per market: a product\'s market needs every '
            "step, a step any one qualified source filed there, a provider every input material from any "
            "one feeder (upstream tiers included, so hidden common modes show), distribution and marketing "
            "a distributor and a partner serving that market.</p>"
        ),
        _table("gk-critical-nodes", "Critical nodes", critical, spof.critical_nodes, names, max_rows),
        _table("gk-sole-source", "Sole-source steps", sole, spof.sole_source_steps, names, max_rows),
        _table(
            "gk-key-person",
            "Key-person risks",
            [*person, _SEV, _EXPL],
            spof.key_person_risks,
            names,
            max_rows,
        ),
        _joint_tables(spof, names, max_rows),
    ]
    points = list(spof.articulation_points)
    bridges = list(spof.bridges)
    shown_points = ", ".join(
        h(names.cell(p)[0]) + f' <span class="gk-muted">({h(p)})</span>' for p in points[:_MORE_AT]
    )

    def more(items: list[Any]) -> str:
        return " \u2026" if len(items) > _MORE_AT else ""

    shown_bridges = "; ".join(f"{h(a)} \u2014 {h(b)}" for a, b in bridges[:_MORE_AT])
    parts.append(
        f'<h3>Structural cut points</h3><p class="gk-list"><strong>Articulation points '
        f"({len(points):,}):</strong> {shown_points or 'none'}{more(points)}</p>"
        f'<p class="gk-list"><strong>Bridges ({len(bridges):,}):</strong> '
        f"{shown_bridges or 'none'}{more(bridges)}</p>"
    )
    return "".join(parts)


def _relationships_section(rel: RelationshipsResult, names: _Names, max_rows: int) -> str:
    pair = [_Col("client", "Client", "node"), _Col("provider", "Provider", "node")]
    scorecard = [
        *pair,
        _Col("liaisons", "Liaisons", "list"),
        _Col("skills_missing", "Skills missing", "list"),
        _Col("client_share_of_provider", "Client's share of provider revenue", "num", _pct),
        _Col("provider_share_of_client", "Provider's share of client spend", "num", _pct),
        _SEV,
        _EXPL,
    ]
    use = [
        _Col("provider", "Provider", "node"),
        _Col("capacity", "Capacity (batches a year)", "num"),
        _Col("volume", "Volume", "num"),
        _Col("utilisation", "Utilisation", "num", _pct),
        _Col("unknown_volume", "Entries without volume", "num"),
    ]
    renewals = [
        _Col("end", "Ends"),
        _Col("notice_by", "Notice by"),
        *pair,
        _Col("auto_renew", "Renews by itself", fmt=lambda v: "yes" if v else "no"),
        _Col("annual_value", "Annual value", "num", lambda v: _money(v)),
    ]
    cliffs = [_Col("quarter", "Quarter"), _SEV, _EXPL]
    return "".join(
        [
            (
                '<p class="gk-lead">Every client\u2013provider relationship with its contacts, the skills they '
                "lack, leverage both ways, capacity and contract terms; the explanation reads each finding "
                "aloud.</p>"
            ),
            _table("gk-relationships", "Relationship scorecard", scorecard, rel.scorecard, names, max_rows),
            _table("gk-utilisation", "Utilisation", use, rel.utilisation, names, max_rows, by_severity=False),
            _table("gk-renewals", "Renewal calendar", renewals, rel.renewals, names, max_rows, by_severity=False),
            _table("gk-cliffs", "Cliff quarters", cliffs, rel.cliffs, names, max_rows, by_severity=False),
        ]
    )


def _joint_tables(spof: SpofResult, names: _Names, max_rows: int) -> str:
    """Double failures and common causes, in the analysis' order (by money)."""
    pairs, total = spof.double_failures, spof.double_failures_total
    caption = "Double failures" + (f" (the first {len(pairs):,} of {total:,} listed)" if total > len(pairs) else "")
    markets = _Col("markets_lost", "Markets lost", "list", get=_markets)
    return _table(
        "gk-double-failures",
        caption,
        [
            _Col("nodes", "Nodes failing together", "list"),
            markets,
            _Col("added_revenue_at_risk", "Added revenue at risk", "num", lambda v: _money(v)),
            _Col("added_loss", "Added loss", "num", lambda v: _money(v)),
            _SEV,
            _EXPL,
        ],
        pairs,
        names,
        max_rows,
        by_severity=False,
    ) + _table(
        "gk-common-causes",
        "Common causes (a country or parent failing at once)",
        [
            _Col("group", "Group"),
            _Col("nodes", "Providers", "list"),
            markets,
            _Col("revenue_at_risk", "Revenue at risk", "num", lambda v: _money(v)),
            _Col("loss", "Loss", "num", lambda v: _money(v)),
            _Col("members_revenue_at_risk", "Members alone, summed", "num", lambda v: _money(v)),
            _Col("members_loss", "Members alone, loss summed", "num", lambda v: _money(v)),
            _Col("hidden", "Hidden", fmt=lambda v: "yes" if v else "no"),
            _SEV,
            _EXPL,
        ],
        spof.common_causes,
        names,
        max_rows,
        by_severity=False,
    )


def _overlap_section(overlap: OverlapResult, names: _Names, max_rows: int) -> str:
    topics = _Col("conflicts", "Conflicting topics", "list", get=lambda r: [c.topic for c in r.conflicts])
    conflicts = _Col("conflicts", "Conflicts", "num", get=lambda r: len(r.conflicts))
    return "".join(
        [
            (
                '<p class="gk-lead">Where the parties behind a product (its owner and its marketing partners) '
                "require the same value (harmonise once) or different values (conflict).</p>"
            ),
            _table(
                "gk-overlap-products",
                "Products",
                [
                    _Col("product", "Product", "node"),
                    _Col("overlaps", "Overlaps", "num", get=lambda r: len(r.overlaps)),
                    conflicts,
                    topics,
                    _SEV,
                    _EXPL,
                ],
                overlap.products,
                names,
                max_rows,
            ),
            _table(
                "gk-overlap-providers",
                "Providers facing conflicting requirements",
                [_Col("provider", "Provider", "node"), replace(conflicts, header="Topics"), topics, _SEV, _EXPL],
                overlap.providers,
                names,
                max_rows,
            ),
            _table(
                "gk-partner-similarity",
                "Partner similarity (Jaccard over topic = value pairs)",
                [
                    _Col("a", "Partner", "node"),
                    _Col("b", "Partner", "node"),
                    _Col("jaccard", "Jaccard", "num", lambda v: f"{v:.2f}"),
                ],
                overlap.partner_similarity,
                names,
                max_rows,
                by_severity=False,
            ),
        ]
    )


_CLASS = _Col("concentration", "Class", fmt=lambda v: str(v).replace("_", " "))
_CONC_PROVIDER_COLS = [
    _Col("provider", "Provider", "node"),
    _Col("business_model", "Business model"),
    _Col("top_customer", "Top customer", "node"),
    _Col("top1_share", "Top-1", "num", _pct),
    _Col("top3_share", "Top-3", "num", _pct),
    _Col("hhi", "HHI", "num"),
    _Col("effective_customers", "Effective customers", "num", lambda v: _num(v, 1)),
    _CLASS,
    _Col("top1_share_of_total", "Top-1 of all revenue", "num", _pct),
    _Col("revenue_lost_if_top_leaves", "Lost if top leaves", "num", lambda v: _money(v)),
    _SEV,
    _EXPL,
]
_CONC_CLIENT_COLS = [
    _Col("client", "Client", "node"),
    _Col("top_provider", "Top provider", "node"),
    _Col("top1_share", "Top-1", "num", _pct),
    _Col("hhi", "HHI", "num"),
    _CLASS,
    _Col("providers", "Providers", "num"),
    _Col("spend", "Spend", "num", lambda v: _money(v)),
    _SEV,
    _EXPL,
]
_INTEREST_COLS = [
    _Col("provider", "Provider", "node"),
    _Col("client", "Client", "node"),
    _Col("product", "Product", "node"),
    _Col("technology", "Technology"),
    _SEV,
    _EXPL,
]


def _concentration_section(
    conc: ConcentrationResult, names: _Names, portfolio: Portfolio, max_rows: int, max_charts: int
) -> str:
    rows = list(conc.providers)
    ranked = sorted(rows, key=lambda r: (r.kind != "cmo", -r.severity, -float(r.hhi or 0)))
    charted = ranked[:max_charts]
    cmo_charts = "".join(_chart(r, names, portfolio) for r in charted if r.kind == "cmo")
    other_charts = "".join(_chart(r, names, portfolio) for r in charted if r.kind != "cmo")
    bands = conc.bands
    parts = [
        (
            f'<p class="gk-lead">How dependent each provider is on its largest customers, from contract '
            f"values: shares, Herfindahl\u2013Hirschman Index (0\u201310,000; moderately concentrated from "
            f"{_num(bands.moderate)}, highly above {_num(bands.high)}) and, for hybrids, "
            f"the buffer of their own products.</p>"
        )
    ]
    if len(rows) > len(charted):
        parts.append(
            f'<p class="gk-note">Charts for the {len(charted):,} most severe of {len(rows):,} '
            f"providers; all are in the table below.</p>"
        )
    if cmo_charts:
        parts.append(f'<h3>CMOs</h3><div class="gk-charts" id="gk-charts-cmo">{cmo_charts}</div>')
    if other_charts:
        parts.append(f'<h3>Other providers</h3><div class="gk-charts" id="gk-charts-other">{other_charts}</div>')
    parts += [
        _table("gk-conc-providers", "Providers", _CONC_PROVIDER_COLS, rows, names, max_rows),
        _table(
            "gk-conc-clients",
            "Clients' dependence on their providers",
            _CONC_CLIENT_COLS,
            conc.clients,
            names,
            max_rows,
        ),
        _table(
            "gk-conflicts-of-interest",
            "Conflicts of interest (hybrids making a competing product)",
            _INTEREST_COLS,
            conc.conflicts_of_interest,
            names,
            max_rows,
        ),
    ]
    return "".join(parts)


def _networks_section(
    portfolio: Portfolio,
    results: Analysis,
    views: Sequence[str],
    source_name: str,
    max_nodes: int,
    scripts: list[str],
) -> str:
    """The embedded networks, each a sandboxed ``<iframe srcdoc>``; their inline
    scripts are appended to `scripts` (the iframes inherit the page's CSP)."""
    parts = [
        (
            '<p class="gk-lead">Interactive: drag, zoom, hover for details, search and filter by kind. '
            "Fill and shape say what a node is; the border's colour its most severe finding (light to "
            "dark red), the thickest border the top risks; size the money at risk; orange-red edges are "
            "sole sources or conflicting values.</p>"
        )
    ]
    for v in views:
        net = build_view(
            portfolio,
            v,
            analysis=results,
            max_nodes=max_nodes,
            title=f"{VIEW_TITLES[v].capitalize()} \u2014 {source_name}",
        )
        doc = net.render(height="680px")
        scripts.extend(_SCRIPT_RE.findall(doc))
        parts.append(
            f'<h3>{h(VIEW_TITLES[v].capitalize())} <span class="gk-count">'
            f"({len(net.nodes):,} nodes, {len(net.edges):,} edges"
            f"{'; trimmed, see the notes in the panel' if net.trimmed else ''})</span></h3>"
            f'<iframe class="gk-net" id="gk-net-{h(v)}" title="{h(net.title)}" '
            f'sandbox="allow-scripts" referrerpolicy="no-referrer" srcdoc="{h(doc)}"></iframe>'
        )
    return "".join(parts)
