"""Portfolios as flat tables: a folder of CSV files or an .xlsx workbook.

One table per top-level section, plus one per nested product list
(`product_supply`, `product_distributors`, `product_marketed_by`,
`product_markets`, each with a `product` column), because that is how
analysts keep them. List cells hold values separated by `;` (a `;` or `\\`
inside a value is written `\\;` or `\\\\`). Columns derive from the model.

Hostile text: a CSV cell starting with `=`, `+`, `-`, `@`, tab, carriage
return, NUL (or `'`) gets a leading `'` that reading removes again; an xlsx
cell holding such text is a string cell marked "quote prefix", which is how
spreadsheet programs keep typed text from being run as a formula. Reading
an xlsx file walks only the cells present (a cell at XFD1048576 costs one
cell), refuses sheets past a workbook's limits and formulas without a value.
"""

from __future__ import annotations

import contextlib
import csv
import re
import typing
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from ..model import SECTIONS, Product, Record, fields_of
from ..problems import GraphkitError, Problem, brief
from .documents import not_utf8

__all__ = ["TABLES", "columns", "read_tables", "safe_cell", "write_csv_folder", "write_xlsx"]

# table name -> (section, nested field or None)
TABLES: dict[str, tuple[str, str | None]] = {}
for _key in SECTIONS:
    TABLES[_key] = (_key, None)
    if _key == "products":
        TABLES.update({f"product_{n}": (_key, n) for n in Product.NESTED})

# Text a spreadsheet may run as a formula or use to split a row (OWASP ASVS 1.2.10).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\0")
# A workbook's largest sheet.
MAX_ROWS, MAX_COLUMNS = 1_048_576, 16_384


def _record_class(table: str) -> type[Record]:
    section, nested = TABLES[table]
    cls = SECTIONS[section]
    return cls.NESTED[nested] if nested else cls


def columns(table: str) -> list[str]:
    cls = _record_class(table)
    names = [f.key for f in fields_of(cls) if f.name not in cls.NESTED]
    return (["product"] + names) if TABLES[table][1] else names


def _list_columns(table: str) -> set[str]:
    cls = _record_class(table)
    return {f.key for f in fields_of(cls) if typing.get_origin(f.type) is tuple and f.name not in cls.NESTED}


def safe_cell(value: Any) -> Any:
    """Neutralise text a spreadsheet would run as a formula (leading ' ).

    >>> safe_cell("=1+1"), safe_cell("@SUM(1)"), safe_cell("a=b"), safe_cell(-3)
    ("'=1+1", "'@SUM(1)", 'a=b', -3)
    """
    if isinstance(value, str) and value.startswith(FORMULA_START + ("'",)):
        return "'" + value
    return value


def _unsafe_cell(value: str) -> str:
    return value[1:] if value.startswith("'") and value[1:2] in FORMULA_START + ("'",) else value


def _cell_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "; ".join(str(v).replace("\\", "\\\\").replace(";", "\\;") for v in value)
    return "" if value is None else str(value)


_LIST_ITEM = re.compile(r"((?:[^;\\]|\\.)*)(?:;|$)")
_UNESCAPE = re.compile(r"\\(.)")


def split_list(cell: str) -> list[str]:
    """A list cell's values: split at each `;` not escaped by a backslash.

    >>> split_list(r"EU; E\\;U; a\\\\b; ")
    ['EU', 'E;U', 'a\\\\b']
    """
    items = (m.group(1).strip() for m in _LIST_ITEM.finditer(cell) if m.group(1))
    return [_UNESCAPE.sub(r"\1", item) for item in items if item]


def _rows(records: Iterable[tuple[str, dict[str, Any]]]) -> Iterator[tuple[str, list[Any]]]:
    """(table, row) pairs for a stream of (section, record) pairs."""
    for key, record in records:
        yield key, [_cell(record.get(c)) for c in columns(key)]
        if key == "products":
            for nested in Product.NESTED:
                table = f"product_{nested}"
                for entry in record.get(nested, ()):
                    entry = entry if isinstance(entry, dict) else {_short_key(nested): entry}
                    yield table, [_cell(record["id"] if c == "product" else entry.get(c)) for c in columns(table)]


def _short_key(nested: str) -> str:
    """The field a bare id stands for in a nested list (`distributors: [d-1]`):
    the nested record's first field."""
    return fields_of(Product.NESTED[nested])[0].key


def _cell(value: Any) -> Any:
    if isinstance(value, (list, bool)) or value is None:
        return _cell_text(value)
    return value


def write_csv_folder(records: Iterable[tuple[str, dict[str, Any]]], folder: Path) -> None:
    with contextlib.ExitStack() as stack:
        files = {t: stack.enter_context(open(folder / f"{t}.csv", "w", newline="", encoding="utf-8")) for t in TABLES}
        writers = {t: csv.writer(f) for t, f in files.items()}
        for t, w in writers.items():
            w.writerow(columns(t))
        for table, row in _rows(records):
            writers[table].writerow([safe_cell(_cell_text(v)) for v in row])


def write_xlsx(records: Iterable[tuple[str, dict[str, Any]]], path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    wb = Workbook(write_only=True)
    sheets = {t: wb.create_sheet(t) for t in TABLES}
    for t, ws in sheets.items():
        ws.append(columns(t))

    def cell(ws: Any, value: Any) -> Any:
        c = WriteOnlyCell(ws, value=None if value == "" else value)
        if isinstance(value, str) and value:
            c.data_type = "s"  # text stays text: never stored as a formula
            if value.startswith(FORMULA_START):
                c.quotePrefix = True  # and stays text when edited in a spreadsheet program
        return c

    try:
        for table, row in _rows(records):
            ws = sheets[table]
            ws.append([cell(ws, v) for v in row])
        wb.save(path)
    except BaseException:
        _discard(sheets.values())
        raise


def _discard(sheets: Iterable[Any]) -> None:
    """Finish and delete the temporary files of write-only sheets after a
    failed or interrupted write; left open, openpyxl would complain about
    them when they are collected, and leave them in the temporary folder."""
    for ws in sheets:
        with contextlib.suppress(Exception):
            ws.close()
        out = getattr(getattr(ws, "_writer", None), "out", None)
        if isinstance(out, str):
            with contextlib.suppress(OSError):
                Path(out).unlink()


def read_tables(path: Path) -> tuple[dict[str, list[dict[str, Any]]], Any, list[Problem]]:
    """Read a CSV folder or an .xlsx workbook into raw portfolio data."""
    raw: dict[str, list[dict[str, Any]]] = {}
    where: dict[tuple[Any, ...], str] = {}
    problems: list[Problem] = []
    children: list[tuple[str, str, dict[str, Any], str]] = []
    is_csv = path.is_dir()
    for table, header, rows in _read_sheets(path, problems):
        if table not in TABLES:
            problems.append(
                Problem(_sheet_loc(path, table, None), f"unknown table '{brief(table)}' ignored", "warning")
            )
            continue
        section, nested = TABLES[table]
        lists = _list_columns(table)
        for loc, cells in rows:
            record: dict[str, Any] = {}
            for name, value in zip(header, cells):
                if value is None or value == "" or name is None or name == "":
                    continue
                if isinstance(value, str) and is_csv:
                    value = _unsafe_cell(value)
                if name in lists:
                    value = split_list(str(value))
                record[str(name)] = value
            if not record:
                continue
            if nested:
                children.append((nested, str(record.pop("product", "")), record, loc))
            else:
                items = raw.setdefault(section, [])
                where[(section, len(items))] = loc
                items.append(record)
    index = {str(p.get("id", "")): i for i, p in enumerate(raw.get("products", []))}
    for nested, product, record, loc in children:
        if product not in index:
            problems.append(
                Problem(loc, f"{nested} entry for product '{brief(product)}', which the products table does not have")
            )
            continue
        entries = raw["products"][index[product]].setdefault(nested, [])
        where[("products", index[product], nested, len(entries))] = loc
        entries.append(record)

    def locate(p: tuple[Any, ...]) -> str:
        for n in range(len(p), 0, -1):
            if p[:n] in where:
                return where[p[:n]]
        return str(path)

    return raw, locate, problems


def _sheet_loc(path: Path, table: str, row: int | None) -> str:
    base = f"{path / (table + '.csv')}" if path.is_dir() else f"{path}[{table}]"
    if row is None:
        return base
    return f"{base}:{row}" if path.is_dir() else f"{base} row {row}"


Sheet = tuple[str, list[str | None], Iterator[tuple[str, list[Any]]]]  # name, header, (location, cells)


def _read_sheets(path: Path, problems: list[Problem]) -> Iterator[Sheet]:
    if path.is_dir():
        for f in sorted(path.glob("*.csv")):
            yield f.stem, *_read_csv(path, f, problems)
        return
    yield from _read_workbook(path, problems)


def _read_csv(folder: Path, f: Path, problems: list[Problem]) -> tuple[list[Any], Iterator[tuple[str, list[Any]]]]:
    """Header and rows of one CSV file; a cell over the csv module's limit is a
    located error (the rest of the file is not read)."""
    rows: list[tuple[str, list[Any]]] = []
    header: list[Any] = []
    try:
        with open(f, newline="", encoding="utf-8-sig") as fh:
            reader = csv.reader(fh)
            try:
                header = [h.strip() for h in next(reader, [])]
                for row in reader:
                    rows.append((_sheet_loc(folder, f.stem, reader.line_num), row))
            except csv.Error as exc:
                reason = f"not valid CSV: {brief(str(exc))}"
                if "field larger than field limit" in reason:
                    reason = f"a cell is longer than {csv.field_size_limit():,} characters"
                problems.append(Problem(_sheet_loc(folder, f.stem, reader.line_num + 1), reason))
    except UnicodeDecodeError as first:
        data = f.read_bytes()  # only now: find the exact line
        err = first
        try:
            data.decode("utf-8-sig")
        except UnicodeDecodeError as exact:
            err = exact
        raise GraphkitError(not_utf8(f, data, err)) from None
    return header, iter(rows)


def _read_workbook(path: Path, problems: list[Problem]) -> Iterator[Sheet]:
    """Every sheet of a workbook, reading only the cells present, values not formulas."""
    from openpyxl import load_workbook

    try:
        _check_zip(path)
        wb = load_workbook(path, read_only=True, data_only=True)
    except GraphkitError:
        raise
    except Exception as exc:  # a damaged or foreign file: openpyxl raises anything
        raise GraphkitError(
            f"{path}: not a readable .xlsx workbook ({type(exc).__name__}: {brief(str(exc))})"
        ) from None
    try:
        for ws in wb.worksheets:
            try:
                header, rows = _read_sheet(path, ws, problems)
            except GraphkitError:
                raise
            except Exception as exc:
                raise GraphkitError(
                    f"{path}: not a readable .xlsx workbook (sheet {brief(ws.title)}: {type(exc).__name__})"
                ) from None
            yield ws.title, header, iter(rows)
    finally:
        wb.close()


def _check_zip(path: Path) -> None:
    """Refuse a workbook that expands far beyond its size (a zip bomb) before reading it."""
    with zipfile.ZipFile(path) as z:
        for info in z.infolist():
            if info.file_size > 200_000_000 and info.file_size > 100 * max(info.compress_size, 1):
                raise GraphkitError(f"{path}: {brief(info.filename)} expands to {info.file_size:,} bytes: refused")


def _cells(ws: Any, data_only: bool) -> Iterator[tuple[int, list[dict[str, Any]]]]:
    """(row number, cells present) of a read-only sheet, without the empty
    rows and columns openpyxl would fill in."""
    from openpyxl.worksheet._reader import WorkSheetParser

    wb = ws.parent
    with ws._get_source() as src:
        parser = WorkSheetParser(
            src,
            ws._shared_strings,
            data_only=data_only,
            epoch=wb.epoch,
            date_formats=wb._date_formats,
            timedelta_formats=wb._timedelta_formats,
        )
        yield from parser.parse()


def _read_sheet(path: Path, ws: Any, problems: list[Problem]) -> tuple[list[Any], list[tuple[str, list[Any]]]]:
    from openpyxl.utils import get_column_letter

    declared = ws.max_row or 0, ws.max_column or 0
    if declared[0] > MAX_ROWS or declared[1] > MAX_COLUMNS:
        raise GraphkitError(
            f"{_sheet_loc(path, ws.title, None)}: declares {declared[0]:,} rows and {declared[1]:,} columns, "
            "past a workbook's limits"
        )
    header: list[Any] = []
    rows: list[tuple[str, list[Any]]] = []
    outside: list[str] = []
    formulas: dict[tuple[int, int], str] = {}
    for n, cells in _cells(ws, data_only=False):
        if n > MAX_ROWS:
            raise GraphkitError(f"{_sheet_loc(path, ws.title, None)}: row {n} is past the last row a workbook can have")
        width = len(header) if header else MAX_COLUMNS
        values: list[Any] = [None] * min(width, max((c["column"] for c in cells), default=0))
        for c in cells:
            col, value = c["column"], c["value"]
            if col > width or col > MAX_COLUMNS:
                if value not in (None, ""):
                    outside.append(f"{get_column_letter(min(col, MAX_COLUMNS))}{n}")
                continue
            if c["data_type"] == "f":
                formulas[(n, col)] = value
            values[col - 1] = value
        if not header:
            header = [str(h).strip() if h is not None else None for h in values]
            continue
        rows.append((_sheet_loc(path, ws.title, n), values))
    if formulas:  # a formula counts by the value it last computed, when the file holds one
        cached = {
            (n, c["column"]): c["value"]
            for n, cells in _cells(ws, data_only=True)
            for c in cells
            if (n, c["column"]) in formulas
        }
        by_row = {int(loc.rsplit(" ", 1)[1]): cells for loc, cells in rows}
        for (n, col), formula in formulas.items():
            value = cached.get((n, col))
            if n in by_row:
                by_row[n][col - 1] = value
            if value is None:
                problems.append(
                    Problem(
                        _sheet_loc(path, ws.title, n),
                        f"cell {get_column_letter(col)}{n} holds the formula '{brief(formula)}' and no value; graphkit "
                        "reads values: enter the value, or open and save the workbook in a spreadsheet program so it "
                        "stores one",
                    )
                )
    if outside:
        more = f" (and {len(outside) - 1:,} more)" if len(outside) > 1 else ""
        row = int(re.sub(r"^[A-Z]+", "", outside[0]))
        problems.append(
            Problem(
                _sheet_loc(path, ws.title, row),
                f"cell {outside[0]}{more} is outside the table's columns: ignored",
                "warning",
            )
        )
    return header, rows
