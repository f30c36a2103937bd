"""Rendering analysis results (the typed results of `graphkit.analysis`) as text, Markdown or CSV."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import fields
from typing import TYPE_CHECKING, Any

from graphkit import text
from graphkit.analysis import Analysis, Finding, findings
from graphkit.analysis.results import encode, encoded_fields, json_key, number
from graphkit.analysis.severity import top_risks

from .output import md, more_rows, render_rows, render_table, to_json

if TYPE_CHECKING:
    from graphkit.analysis.spof import WhatIfReport

__all__ = [
    "SECTIONS",
    "count",
    "joined",
    "money",
    "percent",
    "ranked_rows",
    "render_analysis",
    "timeline_block",
    "top_fields",
]


# Cells stay None (an empty cell) when there is no value.
def percent(value: Any) -> Any:
    return None if value is None else text.percent(value)


def money(value: Any) -> Any:
    return None if value is None else text.money(value)


def count(value: Any) -> Any:
    return len(value) if isinstance(value, (list, dict)) else value


def joined(value: Any) -> Any:
    return " + ".join(value) if isinstance(value, list) else value


def weeks(value: Any) -> Any:
    """Weeks as the timeline counts them; None (a recovery resting on the fallback) says so."""
    from graphkit.analysis.exposure import UNKNOWN_RECOVERY_WEEKS

    return f"{UNKNOWN_RECOVERY_WEEKS:g} (unknown)" if value is None else f"{value:g}"


# (title, analysis, list, columns): a list is a field of the analysis's result
# and a column a field of its rows (or (field, formatter)); a column is headed
# by the field's JSON key. A property of the rows is a column too, named as
# the property (its values are worked out from the row's fields).
Column = str | tuple[str, Callable[[Any], Any]]
SECTIONS: tuple[tuple[str, str, str, tuple[Column, ...]], ...] = (
    (
        "Critical nodes: what one failure takes down",
        "spof",
        "critical_nodes",
        (
            "severity",
            "node",
            "kind",
            ("products_lost", count),
            ("loss", money),
            ("risk_exposure", percent),
            ("shortage_weeks", weeks),
            ("recovery_weeks", weeks),
            ("revenue_at_risk", money),
            "hidden",
            "explanation",
        ),
    ),
    ("Sole-source steps", "spof", "sole_source_steps", ("severity", "product", "step", "provider", "explanation")),
    (
        "Double failures: what two failures take down that neither does alone",
        "spof",
        "double_failures",
        (
            "severity",
            ("nodes", joined),
            ("markets_lost", count),
            ("added_revenue_at_risk", money),
            ("added_loss", money),
            "explanation",
        ),
    ),
    (
        "Common causes: a country or parent failing at once",
        "spof",
        "common_causes",
        (
            "severity",
            "group",
            ("nodes", count),
            ("markets_lost", count),
            ("revenue_at_risk", money),
            ("loss", money),
            ("members_revenue_at_risk", money),
            ("members_loss", money),
            "hidden",
            "explanation",
        ),
    ),
    (
        "Relationships resting on one liaison",
        "spof",
        "key_person_risks",
        ("severity", "client", "provider", "liaison", "explanation"),
    ),
    (
        "Requirement overlaps and conflicts per product",
        "overlap",
        "products",
        ("severity", "product", ("overlaps", count), ("conflicts", count), "explanation"),
    ),
    (
        "Conflicting requirements per provider",
        "overlap",
        "providers",
        ("severity", "provider", ("conflicts", count), "explanation"),
    ),
    ("Partner similarity (Jaccard)", "overlap", "partner_similarity", ("a", "b", "jaccard")),
    (
        "Customer concentration per provider",
        "concentration",
        "providers",
        (
            "severity",
            "provider",
            "business_model",
            "top_customer",
            ("top1_share", percent),
            ("top3_share", percent),
            "hhi",
            "effective_customers",
            "concentration",
            ("top1_share_of_total", percent),
            "explanation",
        ),
    ),
    (
        "Client dependence on providers",
        "concentration",
        "clients",
        ("client", "top_provider", ("top1_share", percent), "hhi", "concentration"),
    ),
    (
        "Hybrids making a client's product in their own technology",
        "concentration",
        "conflicts_of_interest",
        ("severity", "provider", "client", "product", "technology"),
    ),
)


# The table and Markdown lead with the costliest single failures (critical nodes come
# ranked by loss): each with its loss and that loss as a share of the worst node's.
TOP_RISK_COLUMNS: tuple[Column, ...] = (
    "severity",
    "node",
    "kind",
    ("loss", money),
    ("risk_exposure", percent),
    ("revenue_at_risk", money),
)

# Lists the analysis ranks by money, kept in its order (the others go by severity).
RANKED = frozenset({"double_failures", "common_causes"})

# Terminal tables cut explanations to this width; other formats keep them whole.
EXPLANATION_WIDTH = 100


def short(text: Any) -> Any:
    if not isinstance(text, str) or len(text) <= EXPLANATION_WIDTH:
        return text
    return text[: EXPLANATION_WIDTH - 1].rstrip() + "…"


def ranked_rows(result: Any, attribute: str) -> list[Any]:
    """A section's rows in the order shown: most severe first (stable), or
    the analysis's own order for the lists it ranks by money."""
    rows = list(getattr(result, attribute))
    if rows and hasattr(rows[0], "severity") and attribute not in RANKED:
        rows.sort(key=lambda r: -r.severity)
    return rows


def top_fields(name: str, result: Any, top: int) -> dict[str, Any]:
    """(JSON key, value) of a result's fields with each list the table shows
    cut to its first `top` rows as shown, followed by ``<list>_total`` (unless
    the result has that field already) when it was cut: `--top-json`."""
    cut = {json_key(type(result), attribute): attribute for _, of, attribute, _ in SECTIONS if of == name}
    keys = {json_key(type(result), f.name) for f in fields(result)}
    out: dict[str, Any] = {}
    for key, value in encoded_fields(result):
        rows = ranked_rows(result, cut[key]) if key in cut else None
        if rows is None or len(rows) <= top:
            out[key] = value
            continue
        out[key] = tuple(rows[:top])
        if f"{key}_total" not in keys:
            out[f"{key}_total"] = len(rows)
    return out


def _rows(rows: Sequence[Any], columns: Sequence[Column], terminal: bool) -> tuple[list[str], list[dict[str, Any]]]:
    """(headers, cells) of typed rows: each cell the field's JSON value, formatted."""
    fields = [(c, None) if isinstance(c, str) else c for c in columns]
    if not rows:
        return [], []
    kind = type(rows[0])
    headers = [name if isinstance(getattr(kind, name, None), property) else json_key(kind, name) for name, _ in fields]
    out = []
    for row in rows:
        cells = {}
        for header, (name, fmt) in zip(headers, fields):
            value = encode(getattr(row, name))
            cells[header] = fmt(value) if fmt else value
            if terminal and name == "explanation":
                cells[header] = short(cells[header])
        out.append(cells)
    return headers, out


def render_analysis(analysis: Analysis, fmt: str, limit: int = 0) -> str:
    """The whole analysis in one format. JSON is the contract; CSV is the
    flat list of findings (one row each); table and Markdown show a section
    per finding list, `limit` rows each (0: all)."""
    if fmt == "json":
        return to_json(analysis.as_dict())
    if fmt == "csv":
        return render_rows([f.as_dict() for f in findings(analysis)], "csv", [f.name for f in fields(Finding)])
    blocks = []
    top = top_risks(analysis.spof.critical_nodes) if analysis.spof else []
    if top:
        title = f"Top risks: the {len(top)} costliest single failures (loss; risk_exposure: share of the worst)"
        headers, table = _rows(top, TOP_RISK_COLUMNS, terminal=fmt == "table")
        if fmt == "markdown":
            blocks.append(f"## {title}\n\n{render_rows(table, 'markdown', headers)}")
        else:
            blocks.append(f"{title}\n{render_table(table, headers)}")
    for title, name, attribute, columns in SECTIONS:
        result = getattr(analysis, name)
        if result is None:
            continue
        rows = ranked_rows(result, attribute)
        shown = rows[:limit] if limit else rows
        headers, table = _rows(shown, columns, terminal=fmt == "table")
        more = more_rows(len(shown), len(rows))
        total = getattr(result, f"{attribute}_total", len(rows))  # a list the analysis capped says its total
        if total > len(rows):
            more = (
                more + "; " if more else "... "
            ) + f"{total} in all ({attribute.replace('_', ' ')} listed: {len(rows)})"
        if fmt == "markdown":
            body = render_rows(table, "markdown", headers) if table else "_none_"
            blocks.append(f"## {title} ({len(rows)})\n\n{body}" + (f"\n\n{more}" if more else ""))
        else:
            body = render_table(table, headers)
            blocks.append(f"{title} ({len(rows)})\n{body}" + (f"\n{more}" if more else ""))
    if analysis.spof is not None:
        cut = ", ".join(analysis.spof.articulation_points) or "none"
        bridges = ", ".join(f"{a}–{b}" for a, b in analysis.spof.bridges) or "none"
        if fmt == "markdown":
            blocks.append(f"## Structural cut points\n\n- Articulation points: {md(cut)}\n- Bridges: {md(bridges)}")
        else:
            blocks.append(f"Structural cut points\nArticulation points: {cut}\nBridges: {bridges}")
    if analysis.concentration is not None:
        moderate, high = number(analysis.concentration.bands.moderate), number(analysis.concentration.bands.high)
        note = (
            f"Concentration classes: HHI above {high:,} highly concentrated, {moderate:,} to "
            f"{high:,} moderately (2023 US merger guideline bands unless changed with --bands)."
        )
        blocks.append(note)
    return "\n\n".join(blocks)


# A what-if's timeline, one row per lost market: (JSON key of WhatIfMarket, column).
_TIMELINE = (
    ("short_from_week", "short from week"),
    ("shortage_weeks", "weeks short"),
    ("recovery_weeks", "back at week"),
    ("restored_by", "brought back by"),
    ("inventory_weeks", "stock weeks"),
    ("loss", "loss"),
    ("remedy", "what would remove the shortage"),
)


def timeline_block(report: WhatIfReport, fmt: str) -> str:
    """The lost markets over time, all failed nodes failing at week 0. CSV
    keeps the numbers as numbers (an unknown recovery empty, as in JSON);
    table and Markdown say when the 52 weeks counted rest on no data."""
    terminal = fmt != "csv"
    rows = []
    for m in report.timeline:
        row: dict[str, Any] = {"market": text.market_name(m.product, m.market)}
        for key, column in _TIMELINE:
            row[column] = getattr(m, key)
        if terminal:
            row["loss"] = text.money(m.loss)
            row["back at week"] = weeks(m.recovery_weeks)
        rows.append(row)
    short = sum(1 for m in report.timeline if m.shortage_weeks)
    title = (
        f"Timeline, all failing at week 0: {short} of {len(rows)} market(s) run short, "
        f"loss {text.money_short(report.loss)}"
    )
    if report.assumed:
        title += f" ({'; '.join(report.assumed)})"
    table = render_rows(rows, fmt)
    return table if fmt == "csv" else (f"## {md(title)}\n\n{table}" if fmt == "markdown" else f"{title}\n{table}")
