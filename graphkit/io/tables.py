"""Portfolios as flat tables: a folder of CSV files or an .xlsx workbook.

One table per top-level section, plus one per nested product list
(`product_supply`, `product_distributors`, `product_marketed_by`, each with a
`product` column), because that is how analysts keep them. List cells hold
values separated by `;`. Columns derive from the model.
"""

from __future__ import annotations

import contextlib
import csv
import typing
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from ..model import SECTIONS, Product, Record
from ..problems import Problem

__all__ = ["TABLES", "columns", "read_tables", "safe_cell", "write_csv_folder", "write_xlsx"]

# table name -> (section, nested field or None)
TABLES: dict[str, tuple[str, str | None]] = {}
for _key in SECTIONS:
    TABLES[_key] = (_key, None)
    if _key == "products":
        TABLES.update({f"product_{n}": (_key, n) for n in Product.NESTED})

FORMULA_START = ("=", "+", "-", "@")


def _record_class(table: str) -> type[Record]:
    section, nested = TABLES[table]
    cls = SECTIONS[section]
    return cls.NESTED[nested] if nested else cls


def columns(table: str) -> list[str]:
    cls = _record_class(table)
    names = [info.alias or name for name, info in cls.model_fields.items() if name not in cls.NESTED]
    return (["product"] + names) if TABLES[table][1] else names


def _list_columns(table: str) -> set[str]:
    cls = _record_class(table)
    return {
        info.alias or name
        for name, info in cls.model_fields.items()
        if typing.get_origin(info.annotation) is tuple and name not in cls.NESTED
    }


def safe_cell(value: Any) -> Any:
    """Neutralise text a spreadsheet would run as a formula (leading ' )."""
    if isinstance(value, str) and value.startswith(FORMULA_START + ("'",)):
        return "'" + value
    return value


def _unsafe_cell(value: str) -> str:
    return value[1:] if value.startswith("'") and value[1:2] in FORMULA_START + ("'",) else value


def _cell_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return "" if value is None else str(value)


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
    return next(iter(Product.NESTED[nested].model_fields))


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
        return c

    for table, row in _rows(records):
        ws = sheets[table]
        ws.append([cell(ws, v) for v in row])
    wb.save(path)


def read_tables(path: Path) -> tuple[dict[str, list[dict[str, Any]]], Any, list[Problem]]:
    """Read a CSV folder or an .xlsx workbook into raw portfolio data."""
    raw: dict[str, list[dict[str, Any]]] = {}
    where: dict[tuple[Any, ...], str] = {}
    problems: list[Problem] = []
    children: list[tuple[str, str, dict[str, Any], str]] = []
    for table, header, rows in _read_sheets(path):
        if table not in TABLES:
            problems.append(Problem(_sheet_loc(path, table, None), f"unknown table '{table}' ignored", "warning"))
            continue
        section, nested = TABLES[table]
        lists = _list_columns(table)
        for loc, cells in rows:
            record: dict[str, Any] = {}
            for name, value in zip(header, cells):
                if value is None or value == "" or name is None or name == "":
                    continue
                if isinstance(value, str):
                    value = _unsafe_cell(value.strip())
                if name in lists:
                    value = [v.strip() for v in str(value).split(";") if v.strip()]
                record[str(name)] = value
            if not record:
                continue
            if nested:
                children.append((nested, str(record.pop("product", "")).strip(), record, loc))
            else:
                items = raw.setdefault(section, [])
                where[(section, len(items))] = loc
                items.append(record)
    index = {str(p.get("id", "")).strip(): i for i, p in enumerate(raw.get("products", []))}
    for nested, product, record, loc in children:
        if product not in index:
            problems.append(
                Problem(loc, f"{nested} entry for product '{product}', which the products table does not have")
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


def _read_sheets(path: Path) -> Iterator[Sheet]:
    if path.is_dir():
        for f in sorted(path.glob("*.csv")):
            with open(f, newline="", encoding="utf-8-sig") as fh:
                reader = csv.reader(fh)
                header: list[str | None] = [h.strip() for h in next(reader, [])]
                rows: list[tuple[str, list[Any]]] = [(_sheet_loc(path, f.stem, reader.line_num), row) for row in reader]
            yield f.stem, header, iter(rows)
        return
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        for ws in wb.worksheets:
            it = ws.iter_rows(values_only=True)
            header = [str(h).strip() if h is not None else None for h in next(it, ())]
            rows = [(_sheet_loc(path, ws.title, n), list(r)) for n, r in enumerate(it, start=2)]
            yield ws.title, header, iter(rows)
    finally:
        wb.close()
