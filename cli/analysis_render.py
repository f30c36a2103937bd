"""Rendering analysis results (the JSON contract) as text, Markdown or CSV."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from graphkit import text
from graphkit.analysis import Severity, findings

from .output import md, render_rows, render_table, to_json

__all__ = ["SECTIONS", "count", "money", "percent", "render_analysis"]


# Cells stay None (an empty cell) when there is no value.
def percent(value: Any) -> Any:
    return None if value is None else text.percent(value)


def money(value: Any) -> Any:
    return None if value is None else text.money(value)


def count(value: Any) -> Any:
    return len(value) if isinstance(value, (list, dict)) else value


# (title, analysis, list key, columns; a column is a key or (key, formatter)).
Column = str | tuple[str, Callable[[Any], Any]]
SECTIONS: tuple[tuple[str, str, str, tuple[Column, ...]], ...] = (
    (
        "Critical nodes: what one failure takes down",
        "spof",
        "critical_nodes",
        ("severity", "node", "kind", ("products_lost", count), ("revenue_at_risk", money), "hidden", "explanation"),
    ),
    ("Sole-source steps", "spof", "sole_source_steps", ("severity", "product", "step", "provider", "explanation")),
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
            "class",
            ("top1_share_of_total", percent),
            "explanation",
        ),
    ),
    (
        "Client dependence on providers",
        "concentration",
        "clients",
        ("client", "top_provider", ("top1_share", percent), "hhi", "class"),
    ),
    (
        "Hybrids making a client's product in their own technology",
        "concentration",
        "conflicts_of_interest",
        ("severity", "provider", "client", "product", "technology"),
    ),
)


# Terminal tables cut explanations to this width; other formats keep them whole.
EXPLANATION_WIDTH = 100


def short(text: Any) -> Any:
    if not isinstance(text, str) or len(text) <= EXPLANATION_WIDTH:
        return text
    return text[: EXPLANATION_WIDTH - 1].rstrip() + "…"


def _rows(rows: Sequence[Mapping[str, Any]], columns: Sequence[Column], terminal: bool) -> list[dict[str, Any]]:
    out = []
    for row in rows:
        cells = {}
        for col in columns:
            key, fmt = (col, None) if isinstance(col, str) else col
            cells[key] = fmt(row.get(key)) if fmt else row.get(key)
            if terminal and key == "explanation":
                cells[key] = short(cells[key])
        out.append(cells)
    return out


def render_analysis(results: dict[str, Any], fmt: str, limit: int = 0) -> str:
    """The whole analysis in one format. JSON is the contract; CSV is the
    flat list of findings (one row each); table and Markdown show a section
    per finding list, `limit` rows each (0: all)."""
    if fmt == "json":
        return to_json(results)
    if fmt == "csv":
        return render_rows(
            [f.as_dict() for f in findings(results)],
            "csv",
            ["analysis", "finding", "subject", "severity", "explanation"],
        )
    blocks = []
    for title, analysis, key, columns in SECTIONS:
        if analysis not in results:
            continue
        rows = results[analysis].get(key, [])
        if "severity" in (rows[0] if rows else {}):
            rows = sorted(rows, key=lambda r: -Severity.parse(r["severity"]))
        shown = rows[:limit] if limit else rows
        table = _rows(shown, columns, terminal=fmt == "table")
        more = f"... {len(rows) - len(shown)} more (--limit 0 shows all)" if len(shown) < len(rows) else ""
        if fmt == "markdown":
            body = (
                render_rows(table, "markdown", [c if isinstance(c, str) else c[0] for c in columns])
                if table
                else "_none_"
            )
            blocks.append(f"## {title} ({len(rows)})\n\n{body}" + (f"\n\n{more}" if more else ""))
        else:
            body = render_table(table, [c if isinstance(c, str) else c[0] for c in columns])
            blocks.append(f"{title} ({len(rows)})\n{body}" + (f"\n{more}" if more else ""))
    if "spof" in results:
        s = results["spof"]
        cut = ", ".join(s["articulation_points"]) or "none"
        bridges = ", ".join(f"{a}–{b}" for a, b in s["bridges"]) or "none"
        if fmt == "markdown":
            blocks.append(f"## Structural cut points\n\n- Articulation points: {md(cut)}\n- Bridges: {md(bridges)}")
        else:
            blocks.append(f"Structural cut points\nArticulation points: {cut}\nBridges: {bridges}")
    if "concentration" in results:
        b = results["concentration"]["bands"]
        note = (
            f"Concentration classes: HHI above {b['high']:,} highly concentrated, {b['moderate']:,} to "
            f"{b['high']:,} moderately (2023 US merger guideline bands unless changed with --bands)."
        )
        blocks.append(note)
    return "\n\n".join(blocks)
