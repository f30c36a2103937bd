"""One self-contained, shareable HTML report of a portfolio and its analyses.

The page holds the portfolio summary, every finding of the three analyses in
sortable tables (with their explanations), a customer-concentration chart per
provider (inline SVG drawn here, no chart library) and the interactive
networks of :mod:`graphkit.viz.views`, each in a sandboxed ``<iframe
srcdoc>``.

Safety, as in :mod:`graphkit.viz.network`: every string from data is
escaped for where it lands (``html.escape`` in markup and attributes,
``srcdoc`` included); the page's only script is a fixed table sorter; a
Content-Security-Policy (``default-src 'none'``, scripts allowed only by
SHA-256 hash) blocks anything else.  The embedded networks inherit that
policy, so their own scripts' hashes are added to it.  Nothing is loaded
from anywhere: no URL appears in the page.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import graphkit
from graphkit import summarize
from graphkit.analysis import analyze, findings
from graphkit.model import Portfolio

from . import style
from .views import DEFAULT_MAX_NODES, VIEW_TITLES, VIEWS, build_view

__all__ = ["DEFAULT_MAX_ROWS", "render_report"]

#: Rows per findings table (most severe first); the caption says when more exist.
DEFAULT_MAX_ROWS = 500
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


def _h(value: Any) -> str:
    text = str(value)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    return html.escape(text, quote=True)


def _hash(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii") + "'"


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
    key: str
    header: str
    kind: str = "text"  # text | num | sev | node | list
    fmt: Callable[[Any], str] | None = None


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
            return node_id, _h(node_id)
        return name, f'{_h(name)}<span class="gk-id">{_h(node_id)}</span>'


def _cell(col: _Col, row: Mapping[str, Any], names: _Names) -> str:
    value = row.get(col.key)
    if col.kind == "sev":
        sev = str(value) if str(value) in style.SEVERITY_ORDER else "info"
        return f'<td data-v="{style.SEVERITY_ORDER.index(sev)}"><span class="gk-sev gk-sev-{sev}">{sev}</span></td>'
    if col.kind == "num":
        shown = col.fmt(value) if col.fmt else _num(value)
        key = "" if value is None else repr(float(value))
        return f'<td class="gk-n" data-v="{_h(key)}">{_h(shown)}</td>'
    if col.kind == "node":
        key, inner = names.cell(value)
        return f'<td class="gk-node" data-v="{_h(key)}">{inner}</td>'
    if col.kind == "list":
        items = list(value or ())
        text = ", ".join(map(str, items))
        shown = f"{len(items)}: {_clip(text, 90)}" if len(items) > 1 else text
        return f'<td data-v="{len(items):08d} {_h(text)}" title="{_h(text)}">{_h(shown)}</td>'
    shown = col.fmt(value) if col.fmt else ("" if value is None else str(value))
    return f"<td>{_h(shown)}</td>"


def _kind(value: Any) -> str:
    return style.KIND_LABELS.get(value, str(value))


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def _table(
    table_id: str,
    caption: str,
    cols: Sequence[_Col],
    rows: Sequence[Mapping[str, Any]],
    names: _Names,
    max_rows: int,
    *,
    by_severity: bool = True,
) -> str:
    total = len(rows)
    if by_severity:
        rows = sorted(
            rows,
            key=lambda r: (
                -style.SEVERITY_ORDER.index(r["severity"] if r.get("severity") in style.SEVERITY_ORDER else "info")
            ),
        )
    shown = rows[:max_rows]
    note = f"{total:,} row(s)"
    if total > len(shown):
        note = (
            f"the {len(shown):,} most severe of {total:,} rows"
            if by_severity
            else f"the first {len(shown):,} of {total:,} rows"
        )
    if not rows:
        return f'<h3>{_h(caption)}</h3>\n<p class="gk-empty" id="{_h(table_id)}">None found.</p>\n'
    num_attr = ' data-type="num"'
    head = "".join(
        f'<th scope="col"{num_attr if c.kind in ("num", "sev") else ""}>'
        f'<button type="button">{_h(c.header)}</button></th>'
        for c in cols
    )
    body = "\n".join("<tr>" + "".join(_cell(c, r, names) for c in cols) + "</tr>" for r in shown)
    return (
        f'<h3>{_h(caption)} <span class="gk-count">({_h(note)}; click a header to sort)</span></h3>\n'
        f'<div class="gk-scroll"><table class="gk-sortable" id="{_h(table_id)}">\n'
        f"<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody></table></div>\n"
    )


# ------------------------------------------------------------------ charts


def _chart(row: Mapping[str, Any], names: _Names, portfolio: Portfolio) -> str:
    """A stacked bar of one provider's customer shares (and, for hybrids, of
    all its revenue with its own products as one more slice)."""
    provider = str(row["provider"])
    values: dict[str, float] = {str(k): float(v) for k, v in (row.get("values") or {}).items()}
    total = sum(values.values())
    basis = row.get("basis", "contract_value")
    currency = row.get("currency")
    ranked = sorted(values.items(), key=lambda kv: -kv[1])
    segments: list[tuple[str, str, float, str]] = []  # (key, label, value, colour)
    for i, (client, value) in enumerate(ranked[:_CHART_SEGMENTS]):
        segments.append((client, names.cell(client)[0], value, _PALETTE[i % len(_PALETTE)]))
    if len(ranked) > _CHART_SEGMENTS:
        rest = ranked[_CHART_SEGMENTS:]
        segments.append(("", f"{len(rest)} other client(s)", sum(v for _, v in rest), _OTHERS_COLOR))
    unit = (lambda v: _money(v, currency)) if basis == "contract_value" else (lambda v: f"{v:g} product(s)")
    own = float(row.get("own_revenue") or 0.0) if basis == "contract_value" else 0.0

    width, bar_h, label_w = 640.0, 26.0, 120.0
    bars = [("contract revenue" if basis == "contract_value" else "products handled", segments, total)]
    if own > 0:
        bars.append(("incl. own products", [*segments, ("\0own", "own products", own, _OWN_COLOR)], total + own))
    height = 8 + len(bars) * (bar_h + 10)
    parts = [
        (
            f'<svg class="gk-bars" viewBox="0 0 {width:.0f} {height:.0f}" role="img" '
            f'aria-label="{_h("customer shares of " + names.cell(provider)[0])}">'
        )
    ]
    for b, (label, segs, denom) in enumerate(bars):
        y = 4 + b * (bar_h + 10)
        parts.append(f'<text x="0" y="{y + bar_h * 0.68:.1f}" class="gk-bar-label">{_h(label)}</text>')
        x = label_w
        span = width - label_w - 2
        for key, name, value, color in segs:
            w = span * value / denom if denom > 0 else 0.0
            if w <= 0:
                continue
            share = value / denom
            shown_key = f" ({key})" if key and key != name and key != "\0own" else ""
            tip = f"{name}{shown_key}: {_pct(share)}{_DOT}{unit(value)}"
            data = "" if b else f' data-client="{_h(key)}" data-value="{value!r}" data-share="{share!r}"'
            parts.append(
                f'<g class="gk-seg"{data}><rect x="{x:.2f}" y="{y:.1f}" width="{w:.2f}" '
                f'height="{bar_h:.0f}" fill="{color}"><title>{_h(tip)}</title></rect>'
            )
            if w > 48:
                text = _clip(name, max(3, int(w / 7.2) - 5)) + f" {100 * share:.0f}%"
                fill = (
                    "#ffffff" if color not in (_OTHERS_COLOR, "#edc948", "#a0cbe8", "#86bcb6", "#ff9da7") else "#1d2330"
                )
                parts.append(
                    f'<text x="{x + 4:.2f}" y="{y + bar_h * 0.68:.1f}" class="gk-seg-text" '
                    f'fill="{fill}">{_h(text)}</text>'
                )
            parts.append("</g>")
            x += w
    parts.append("</svg>")

    record = portfolio.nodes.get(provider)
    kind = str(row.get("kind", ""))
    model = row.get("business_model")
    if kind == "cmo" and model in style.CMO_COLORS:
        sub = style.CMO_COLORS[model][1]
    else:
        sub = style.KIND_LABELS.get(kind, kind)  # type: ignore[call-overload]
    sev = str(row.get("severity", "info"))
    sev = sev if sev in style.SEVERITY_ORDER else "info"
    facts = [
        f"HHI {_num(row.get('hhi'))} ({str(row.get('class', '')).replace('_', ' ')})",
        f"top customer {_pct(row.get('top1_share'))}",
        f"top 3 {_pct(row.get('top3_share'))}",
        f"effective customers {_num(row.get('effective_customers'), 1)}",
    ]
    if basis == "contract_value":
        facts.append(f"contract value {_money(row.get('contract_value'), currency)}")
        if own:
            facts.append(
                f"own revenue {_money(own, currency)}; top customer = {_pct(row.get('top1_share_of_total'))} "
                f"of all revenue, HHI incl. own {_num(row.get('hhi_with_own'))}"
            )
    else:
        facts.append("no contract values: shares of products handled")
    legend = "".join(
        f'<li><span class="gk-swatch" style="background:{color}"></span>{_h(name)} '
        f'<span class="gk-muted">{_h(_pct(value / total if total else 0))} \u00b7 {_h(unit(value))}</span></li>'
        for _, name, value, color in segments
    )
    name = record.name if record is not None else provider  # type: ignore[attr-defined]
    return (
        f'<figure class="gk-chart" data-provider="{_h(provider)}">\n'
        f'<figcaption><strong>{_h(name)}</strong> <span class="gk-id">{_h(provider)}</span> '
        f'<span class="gk-muted">{_h(sub)}</span> <span class="gk-sev gk-sev-{sev}">{sev}</span>'
        f'<div class="gk-facts">{_h(_DOT.join(facts))}</div></figcaption>\n'
        + "".join(parts)
        + f'\n<ul class="gk-chart-legend">{legend}</ul>\n'
        f'<p class="gk-expl">{_h(row.get("explanation", ""))}</p>\n</figure>\n'
    )


# ------------------------------------------------------------------ page


_SORT_JS = r"""
(function () {
  "use strict";
  function key(row, col, num) {
    var cell = row.cells[col];
    var v = cell.hasAttribute("data-v") ? cell.getAttribute("data-v") : cell.textContent;
    if (num) { var n = parseFloat(v); return isNaN(n) ? -Infinity : n; }
    return v.toLocaleLowerCase();
  }
  Array.prototype.forEach.call(document.querySelectorAll("table.gk-sortable"), function (table) {
    var heads = table.tHead.rows[0].cells;
    var body = table.tBodies[0];
    Array.prototype.forEach.call(body.rows, function (r, i) { r.setAttribute("data-i", String(i)); });
    Array.prototype.forEach.call(heads, function (th, col) {
      th.querySelector("button").addEventListener("click", function () {
        var num = th.getAttribute("data-type") === "num";
        var current = th.getAttribute("aria-sort");
        var asc = current ? current === "descending" : !num;
        var rows = Array.prototype.slice.call(body.rows);
        var keys = new Map(rows.map(function (r) { return [r, key(r, col, num)]; }));
        rows.sort(function (a, b) {
          var x = keys.get(a), y = keys.get(b);
          var c = num ? (x < y ? -1 : x > y ? 1 : 0) : String(x).localeCompare(String(y));
          if (!asc) { c = -c; }
          return c || (+a.getAttribute("data-i") - +b.getAttribute("data-i"));
        });
        Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        var fragment = document.createDocumentFragment();
        rows.forEach(function (r) { fragment.appendChild(r); });
        body.appendChild(fragment);
      });
    });
  });
  document.documentElement.setAttribute("data-gk-report", "ready");
})();
"""

_CSS = """
*{box-sizing:border-box}
body{margin:0;font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,"Liberation Sans",sans-serif;color:#1d2330;background:#eef0f3}
header.gk-top{background:#1f2d45;color:#fff;padding:16px 28px}
header.gk-top h1{margin:0 0 4px;font-size:22px;font-weight:600;overflow-wrap:anywhere}
header.gk-top .gk-meta{color:#c9d3e3;font-size:13px;overflow-wrap:anywhere}
nav{background:#fff;border-bottom:1px solid #d9dde4;padding:8px 28px;position:sticky;top:0;z-index:2}
nav a{color:#1f4e89;margin-right:18px;text-decoration:none;font-weight:600}
main{max-width:1400px;margin:0 auto;padding:8px 28px 40px}
section.gk-sec{scroll-margin-top:44px;background:#fff;border:1px solid #d9dde4;border-radius:6px;padding:6px 20px 18px;margin:18px 0}
h2{font-size:19px;margin:14px 0 6px}
h3{font-size:15px;margin:18px 0 6px}
.gk-count,.gk-muted{color:#6b7385;font-weight:400;font-size:12.5px}
.gk-lead{color:#404859;margin:4px 0 10px;max-width:980px}
.gk-cards{display:flex;flex-wrap:wrap;gap:12px;margin:10px 0}
.gk-card{border:1px solid #dfe3ea;border-radius:6px;padding:8px 14px;min-width:130px;background:#f8f9fb}
.gk-card b{display:block;font-size:22px}
.gk-grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(230px,1fr));gap:12px}
.gk-scroll{overflow-x:auto;max-height:560px;overflow-y:auto;border:1px solid #e3e6eb;border-radius:4px}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{padding:5px 8px;border-bottom:1px solid #eceef2;text-align:left;vertical-align:top}
td{overflow-wrap:break-word}
td.gk-node{min-width:150px}
td.gk-n{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
thead th{position:sticky;top:0;background:#f1f3f6;z-index:1;white-space:nowrap}
th button{font:inherit;font-weight:600;background:none;border:0;padding:0;cursor:pointer;color:#1d2330}
th button::after{content:" \\2195";color:#a0a7b4}
th[aria-sort=ascending] button::after{content:" \\25B2";color:#1f4e89}
th[aria-sort=descending] button::after{content:" \\25BC";color:#1f4e89}
table.gk-small{width:auto;min-width:220px}
.gk-id{display:block;color:#7a8393;font-size:11.5px}
figcaption .gk-id{display:inline;margin:0 4px}
.gk-none{color:#9aa1ad}
.gk-sev{display:inline-block;padding:0 7px;border-radius:9px;font-size:12px;font-weight:600;color:#fff}
.gk-sev-info{background:#8a94a6}.gk-sev-low{background:#4e9a5b}.gk-sev-medium{background:#b88a00}
.gk-sev-high{background:#e8710a}.gk-sev-critical{background:#c5221f}
.gk-charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(560px,1fr));gap:14px}
figure.gk-chart{margin:0;border:1px solid #e3e6eb;border-radius:6px;padding:10px 12px;background:#fcfcfd}
.gk-facts{font-size:12.5px;color:#404859;margin-top:2px}
svg.gk-bars{width:100%;height:auto;display:block;margin-top:6px}
.gk-bar-label{font-size:11px;fill:#5b6577}
.gk-seg-text{font-size:11px;font-weight:600}
.gk-chart-legend{list-style:none;margin:6px 0 0;padding:0;font-size:12px;columns:2;column-gap:18px}
.gk-chart-legend li{overflow-wrap:anywhere}
.gk-swatch{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:5px;vertical-align:baseline}
.gk-expl{font-size:12.5px;color:#404859;margin:6px 0 0}
.gk-list{font-size:13px;overflow-wrap:anywhere}
iframe.gk-net{width:100%;height:760px;border:1px solid #d9dde4;border-radius:6px;background:#fff}
.gk-note{font-size:12.5px;color:#6b7385}
"""

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="@@CSP@@">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="graphkit">
<title>@@TITLE@@</title>
<link rel="icon" href="data:,">
<style>@@CSS@@</style>
</head>
<body>
<header class="gk-top"><h1>@@TITLE@@</h1><div class="gk-meta">@@META@@</div></header>
<nav>@@NAV@@</nav>
<main>
@@BODY@@
</main>
<script>@@JS@@</script>
</body>
</html>
"""

_SCRIPT_RE = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def _fill(template: str, parts: Mapping[str, str]) -> str:
    return re.sub(r"@@([A-Z]+)@@", lambda m: parts[m.group(1)], template)


def _counts_table(title: str, counts: Mapping[str, int]) -> str:
    rows = "".join(
        f'<tr><td>{_h(str(k).replace("_", " "))}</td><td class="gk-n">{v:,}</td></tr>'
        for k, v in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    )
    if not rows:
        rows = '<tr><td colspan="2" class="gk-none">none</td></tr>'
    return f'<div><h3>{_h(title)}</h3><table class="gk-small"><tbody>{rows}</tbody></table></div>'


def render_report(
    portfolio: Portfolio,
    *,
    analysis: Any = None,
    source: str = "",
    generated: datetime | None = None,
    views: Iterable[str] = ("supply",),
    max_nodes: int = DEFAULT_MAX_NODES,
    max_rows: int = DEFAULT_MAX_ROWS,
    max_charts: int = DEFAULT_MAX_CHARTS,
    title: str | None = None,
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
    """
    views = list(dict.fromkeys(views))
    for v in views:
        if v not in VIEWS:
            raise graphkit.GraphkitError(f"unknown view '{v}' (views: {', '.join(VIEWS)})")
    if analysis is None:
        results = analyze(portfolio).as_dict()
    else:
        results = analysis.as_dict() if hasattr(analysis, "as_dict") else dict(analysis)
    generated = generated or datetime.now(UTC)
    source_name = Path(source).name if source else "portfolio"
    page_title = title or f"graphkit report \u2014 {source_name}"
    names = _Names(portfolio)
    summary = summarize(portfolio).as_dict()
    sections: list[tuple[str, str, str]] = []  # (anchor, heading, html)

    # --- summary
    by_list: dict[str, dict[str, int]] = {}
    total_by_sev: dict[str, int] = dict.fromkeys(reversed(style.SEVERITY_ORDER), 0)
    for f in findings(results):
        key = f"{f.analysis}: {f.finding.replace('_', ' ')}"
        by_list.setdefault(key, dict.fromkeys(reversed(style.SEVERITY_ORDER), 0))[str(f.severity)] += 1
        total_by_sev[str(f.severity)] += 1
    cards = [("nodes", sum(summary["nodes"].values())), ("relationships", sum(summary["relationships"].values()))]
    cards += [(f"{sev} findings", n) for sev, n in total_by_sev.items() if sev in ("critical", "high", "medium")]
    cards_html = "".join(f'<div class="gk-card"><b>{n:,}</b>{_h(label)}</div>' for label, n in cards)
    sev_head = "".join(f'<th scope="col">{_h(s)}</th>' for s in reversed(style.SEVERITY_ORDER))
    sev_rows = "".join(
        f"<tr><td>{_h(k)}</td>" + "".join(f'<td class="gk-n">{n:,}</td>' for n in c.values()) + "</tr>"
        for k, c in by_list.items()
    )
    findings_html = (
        f'<h3>Findings by severity</h3><table class="gk-small" id="gk-findings-summary">'
        f'<thead><tr><th scope="col">finding</th>{sev_head}</tr></thead><tbody>{sev_rows}</tbody></table>'
        if sev_rows
        else "<p>No findings.</p>"
    )
    groups = "".join(
        _counts_table(t, summary[k])
        for k, t in (
            ("nodes", "Nodes by kind"),
            ("relationships", "Relationships by type"),
            ("business_models", "CMOs by business model"),
            ("segments", "Clients by segment"),
            ("technologies", "Products by technology"),
            ("stages", "Products by stage"),
        )
    )
    sections.append(
        (
            "summary",
            "Portfolio summary",
            f'<div class="gk-cards">{cards_html}</div>{findings_html}<div class="gk-grid">{groups}</div>',
        )
    )

    # --- single points of failure
    spof = results.get("spof")
    if spof is not None:
        sev = _Col("severity", "Severity", "sev")
        expl = _Col("explanation", "Explanation")
        money = _Col("revenue_at_risk", "Revenue at risk", "num", lambda v: _money(v))
        parts = [
            (
                '<p class="gk-lead">What one failure takes down: a product needs every step, a step any one '
                "qualified source, a provider every input material from any one feeder (upstream tiers "
                "included, so hidden common modes show).</p>"
            ),
            _table(
                "gk-critical-nodes",
                "Critical nodes",
                [
                    _Col("node", "Node", "node"),
                    _Col("kind", "Kind", fmt=_kind),
                    _Col("products_lost", "Products lost", "list"),
                    _Col("clients_affected", "Clients", "list"),
                    _Col("partners_affected", "Partners", "list"),
                    money,
                    _Col("hidden", "Hidden", fmt=lambda v: "yes" if v else "no"),
                    sev,
                    expl,
                ],
                spof.get("critical_nodes", []),
                names,
                max_rows,
            ),
            _table(
                "gk-sole-source",
                "Sole-source steps",
                [
                    _Col("product", "Product", "node"),
                    _Col("step", "Step"),
                    _Col("provider", "Provider", "node"),
                    _Col("backup", "Unqualified backup", "list"),
                    sev,
                    expl,
                ],
                spof.get("sole_source_steps", []),
                names,
                max_rows,
            ),
            _table(
                "gk-key-person",
                "Key-person risks",
                [
                    _Col("client", "Client", "node"),
                    _Col("provider", "Provider", "node"),
                    _Col("liaison", "Liaison", "node"),
                    sev,
                    expl,
                ],
                spof.get("key_person_risks", []),
                names,
                max_rows,
            ),
        ]
        points = list(spof.get("articulation_points", []))
        bridges = list(spof.get("bridges", []))
        shown_points = ", ".join(
            _h(names.cell(p)[0]) + f' <span class="gk-muted">({_h(p)})</span>' for p in points[:200]
        )

        def more(items: list[Any]) -> str:
            return " \u2026" if len(items) > 200 else ""

        shown_bridges = "; ".join(f"{_h(a)} \u2014 {_h(b)}" for a, b in bridges[:200])
        parts.append(
            f'<h3>Structural cut points</h3><p class="gk-list"><strong>Articulation points '
            f"({len(points):,}):</strong> {shown_points or 'none'}{more(points)}</p>"
            f'<p class="gk-list"><strong>Bridges ({len(bridges):,}):</strong> '
            f"{shown_bridges or 'none'}{more(bridges)}</p>"
        )
        sections.append(("spof", "Single points of failure", "".join(parts)))

    # --- requirement overlap
    overlap = results.get("overlap")
    if overlap is not None:
        products = [
            dict(
                r,
                n_overlaps=len(r.get("overlaps", [])),
                n_conflicts=len(r.get("conflicts", [])),
                conflict_topics=[c["topic"] for c in r.get("conflicts", [])],
            )
            for r in overlap.get("products", [])
        ]
        providers = [
            dict(
                r, n_conflicts=len(r.get("conflicts", [])), conflict_topics=[c["topic"] for c in r.get("conflicts", [])]
            )
            for r in overlap.get("providers", [])
        ]
        sev = _Col("severity", "Severity", "sev")
        expl = _Col("explanation", "Explanation")
        parts = [
            (
                '<p class="gk-lead">Where the parties behind a product (its owner and its marketing partners) '
                "require the same value (harmonise once) or different values (conflict).</p>"
            ),
            _table(
                "gk-overlap-products",
                "Products",
                [
                    _Col("product", "Product", "node"),
                    _Col("n_overlaps", "Overlaps", "num"),
                    _Col("n_conflicts", "Conflicts", "num"),
                    _Col("conflict_topics", "Conflicting topics", "list"),
                    sev,
                    expl,
                ],
                products,
                names,
                max_rows,
            ),
            _table(
                "gk-overlap-providers",
                "Providers facing conflicting requirements",
                [
                    _Col("provider", "Provider", "node"),
                    _Col("n_conflicts", "Topics", "num"),
                    _Col("conflict_topics", "Conflicting topics", "list"),
                    sev,
                    expl,
                ],
                providers,
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
                overlap.get("partner_similarity", []),
                names,
                max_rows,
                by_severity=False,
            ),
        ]
        sections.append(("overlap", "Requirement overlap and conflicts", "".join(parts)))

    # --- concentration
    conc = results.get("concentration")
    if conc is not None:
        rows = list(conc.get("providers", []))
        ranked = sorted(
            rows,
            key=lambda r: (
                r.get("kind") != "cmo",
                -style.SEVERITY_ORDER.index(r["severity"] if r.get("severity") in style.SEVERITY_ORDER else "info"),
                -float(r.get("hhi") or 0),
            ),
        )
        charted = ranked[:max_charts]
        cmo_charts = "".join(_chart(r, names, portfolio) for r in charted if r.get("kind") == "cmo")
        other_charts = "".join(_chart(r, names, portfolio) for r in charted if r.get("kind") != "cmo")
        bands = conc.get("bands", {})
        parts = [
            (
                f'<p class="gk-lead">How dependent each provider is on its largest customers, from contract '
                f"values: shares, Herfindahl\u2013Hirschman Index (0\u201310,000; moderately concentrated from "
                f"{_num(bands.get('moderate'))}, highly above {_num(bands.get('high'))}) and, for hybrids, "
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
        sev = _Col("severity", "Severity", "sev")
        expl = _Col("explanation", "Explanation")
        parts += [
            _table(
                "gk-conc-providers",
                "Providers",
                [
                    _Col("provider", "Provider", "node"),
                    _Col("business_model", "Business model"),
                    _Col("top_customer", "Top customer", "node"),
                    _Col("top1_share", "Top-1", "num", _pct),
                    _Col("top3_share", "Top-3", "num", _pct),
                    _Col("hhi", "HHI", "num"),
                    _Col("effective_customers", "Effective customers", "num", lambda v: _num(v, 1)),
                    _Col("class", "Class", fmt=lambda v: str(v).replace("_", " ")),
                    _Col("top1_share_of_total", "Top-1 of all revenue", "num", _pct),
                    _Col("revenue_lost_if_top_leaves", "Lost if top leaves", "num", lambda v: _money(v)),
                    sev,
                    expl,
                ],
                rows,
                names,
                max_rows,
            ),
            _table(
                "gk-conc-clients",
                "Clients' dependence on their providers",
                [
                    _Col("client", "Client", "node"),
                    _Col("top_provider", "Top provider", "node"),
                    _Col("top1_share", "Top-1", "num", _pct),
                    _Col("hhi", "HHI", "num"),
                    _Col("class", "Class", fmt=lambda v: str(v).replace("_", " ")),
                    _Col("providers", "Providers", "num"),
                    _Col("spend", "Spend", "num", lambda v: _money(v)),
                    sev,
                    expl,
                ],
                conc.get("clients", []),
                names,
                max_rows,
            ),
            _table(
                "gk-conflicts-of-interest",
                "Conflicts of interest (hybrids making a competing product)",
                [
                    _Col("provider", "Provider", "node"),
                    _Col("client", "Client", "node"),
                    _Col("product", "Product", "node"),
                    _Col("technology", "Technology"),
                    sev,
                    expl,
                ],
                conc.get("conflicts_of_interest", []),
                names,
                max_rows,
            ),
        ]
        sections.append(("concentration", "Customer concentration", "".join(parts)))

    # --- networks
    network_hashes: list[str] = []
    if views:
        parts = [
            (
                '<p class="gk-lead">Interactive: drag, zoom, hover for details, search and filter by kind. '
                "Node size grows with risk; a heavy border marks a single point of failure or a "
                "requirement conflict; red edges are sole sources or conflicting values.</p>"
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
            for script in _SCRIPT_RE.findall(doc):
                h = _hash(script)
                if h not in network_hashes:
                    network_hashes.append(h)
            parts.append(
                f'<h3>{_h(VIEW_TITLES[v].capitalize())} <span class="gk-count">'
                f"({len(net.nodes):,} nodes, {len(net.edges):,} edges"
                f"{'; trimmed, see the notes in the panel' if net.trimmed else ''})</span></h3>"
                f'<iframe class="gk-net" id="gk-net-{_h(v)}" title="{_h(net.title)}" '
                f'sandbox="allow-scripts" referrerpolicy="no-referrer" srcdoc="{_h(doc)}"></iframe>'
            )
        sections.append(("networks", "Networks", "".join(parts)))

    nav = "".join(f'<a href="#{a}">{_h(h)}</a>' for a, h, _ in sections)
    body = "\n".join(
        f'<section class="gk-sec" id="{a}"><h2>{_h(h)}</h2>\n{content}</section>' for a, h, content in sections
    )
    stamp = generated.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    meta = (
        f"Source: {_h(source_name)} \u00b7 Generated {_h(stamp)} \u00b7 graphkit {_h(graphkit.__version__)}"
        f" \u00b7 analyses: {_h(', '.join(results) or 'none')}"
    )
    csp = (
        "default-src 'none'; "
        f"script-src {' '.join([_hash(_SORT_JS), *network_hashes])}; "
        "style-src 'unsafe-inline'; img-src data:; font-src 'none'; connect-src 'none'; "
        "media-src 'none'; object-src 'none'; frame-src 'none'; worker-src 'none'; "
        "base-uri 'none'; form-action 'none'"
    )
    return _fill(
        _PAGE,
        {"CSP": csp, "TITLE": _h(page_title), "META": meta, "NAV": nav, "BODY": body, "CSS": _CSS, "JS": _SORT_JS},
    )
