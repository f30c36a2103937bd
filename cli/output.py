"""Rendering results for the terminal and for other programs, and the
options every listing command shares."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import click

from graphkit.problems import printable

__all__ = [
    "OUTPUT_FORMATS",
    "cell_text",
    "format_option",
    "md",
    "more_rows",
    "render_rows",
    "render_table",
    "to_json",
]

OUTPUT_FORMATS = ("table", "json", "csv", "markdown")
F = TypeVar("F", bound=Callable[..., Any])


def format_option(func: F) -> F:
    """The one --format option shared by every command that prints results."""
    return click.option(
        "--format",
        "-f",
        "fmt",
        type=click.Choice(OUTPUT_FORMATS),
        default="table",
        show_default=True,
        help="Output format.",
    )(func)


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.4f}".rstrip("0").rstrip(".") if abs(value) < 10 else f"{value:,.0f}"
    if isinstance(value, (list, tuple, set, frozenset)):
        return ", ".join(cell_text(v) for v in value)
    if isinstance(value, Mapping):
        return ", ".join(f"{k}: {cell_text(v)}" for k, v in value.items())
    return str(value)


def csv_text(value: Any) -> str:
    """A cell for programs and spreadsheets: numbers as they are (no thousands
    separators, negatives kept), text that a spreadsheet would run as a
    formula neutralised."""
    from graphkit.io.tables import safe_cell  # the readers and the model: only when CSV is written

    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return repr(value)
    return safe_cell(cell_text(value))


def csv_line(cells: Sequence[Any]) -> str:
    """One CSV row without its line end; a cell holding CR or LF is quoted
    (with a bare "\\n" line end the csv module would leave a lone CR bare,
    and spreadsheet readers would split the row there)."""
    import csv  # here, as html below: a command that prints no table starts without them

    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerow(cells)
    return buf.getvalue()[:-2]


_MARKDOWN = re.compile(r"([\\`*_\[\]()!|~])")  # what can act inside a table cell


def md(value: str) -> str:
    """Data text as Markdown that renders as the text itself: HTML characters
    as entities, Markdown punctuation escaped, one line.

    >>> md("<b>*x*</b> | 1.")
    '&lt;b&gt;\\\\*x\\\\*&lt;/b&gt; \\\\| 1.'
    """
    import html

    text = html.escape(value, quote=False)
    return _MARKDOWN.sub(r"\\\1", text).replace("\r", " ").replace("\n", " ")


def to_json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, default=_json_default)


def _json_default(value: Any) -> Any:
    if isinstance(value, (set, frozenset, tuple)):
        return sorted(value) if isinstance(value, (set, frozenset)) else list(value)
    if hasattr(value, "as_dict"):
        return value.as_dict()
    return str(value)


def more_rows(shown: int, total: int) -> str:
    """The line under a section cut by --top: how many rows it leaves out ("" when none).

    >>> more_rows(3, 21)
    '… and 18 more (--top 0 shows all)'
    """
    return f"… and {total - shown} more (--top 0 shows all)" if shown < total else ""


def render_table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None) -> str:
    """Aligned plain-text columns; numbers right-aligned."""
    if not rows:
        return "(none)"
    keys = list(columns or rows[0].keys())
    columns = [printable(str(c)) for c in keys]
    cells = [[printable(cell_text(r.get(c))) for c in keys] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(columns)]
    numeric = [
        all(isinstance(r.get(c), (int, float)) and not isinstance(r.get(c), bool) for r in rows if r.get(c) is not None)
        for c in columns
    ]

    def line(values: Sequence[str]) -> str:
        return "  ".join(v.rjust(w) if n else v.ljust(w) for v, w, n in zip(values, widths, numeric)).rstrip()

    return "\n".join([line(columns), line(["-" * w for w in widths]), *map(line, cells)])


def render_rows(rows: Sequence[Mapping[str, Any]], fmt: str, columns: Sequence[str] | None = None) -> str:
    """One list of records in the chosen format."""
    if fmt == "json":
        return to_json(list(rows))
    columns = list(columns or (rows[0].keys() if rows else []))
    if fmt == "csv":
        lines = [csv_line(columns), *(csv_line([csv_text(r.get(c)) for c in columns]) for r in rows)]
        return "\n".join(lines)
    if fmt == "markdown":
        head = "| " + " | ".join(map(md, columns)) + " |"
        rule = "|" + "|".join("---" for _ in columns) + "|"
        body = ["| " + " | ".join(md(cell_text(r.get(c))) for c in columns) + " |" for r in rows]
        return "\n".join([head, rule, *body])
    return render_table(rows, columns)
