"""Reading ledger exports: CSV (any delimiter, with or without a byte-order
mark, any line ending) and .xlsx sheets as numbered rows of cells, and the
cell parsers for amounts (thousands separators) and dates.

Row numbers are what a spreadsheet shows: the header is row 1.

Example
-------
>>> parse_amount("1,234.50"), parse_amount("1.234,50", decimal=","), parse_amount("n/a")
(Decimal('1234.50'), Decimal('1234.50'), None)
>>> parse_date("2-Jun-06", "%d-%b-%y")
datetime.date(2006, 6, 2)
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from ..problems import GraphkitError

__all__ = ["DELIMITERS", "Table", "cell_text", "parse_amount", "parse_date", "read_table"]

DELIMITERS = (",", ";", "\t", "|")


@dataclass
class Table:
    """One input file, read whole: its label (the file name, or
    ``name[sheet]``), its header and its (row number, cells by column)."""

    label: str
    header: list[str]
    rows: Iterator[tuple[int, dict[str, Any]]]
    delimiter: str | None = None  # CSV only: the one used


def read_table(path: Path, *, sheet: str | None = None, delimiter: str | None = None, encoding: str = "utf-8") -> Table:
    """Open a CSV file or one sheet of an .xlsx workbook (the first when
    `sheet` is None). Raises GraphkitError naming the file when it cannot be
    read, has no header or repeats a column name."""
    if not path.exists():
        raise GraphkitError(f"{path.name}: no such file")
    if path.is_dir():
        raise GraphkitError(f"{path.name}: is a folder, expected a CSV or .xlsx file")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_xlsx(path, sheet)
    if sheet is not None:
        raise GraphkitError(f"{path.name}: the mapping names sheet '{sheet}', but this is not an .xlsx workbook")
    return _read_csv(path, delimiter, encoding)


def _check_header(label: str, header: list[str]) -> list[str]:
    header = [" ".join(str(h or "").split()) for h in header]
    if not any(header):
        raise GraphkitError(f"{label}: empty file or no header row")
    seen: set[str] = set()
    for h in header:
        if h and h in seen:
            raise GraphkitError(f"{label} row 1: column '{h}' appears twice")
        seen.add(h)
    return header


def _read_csv(path: Path, delimiter: str | None, encoding: str) -> Table:
    label = path.name
    codec = "utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding
    rows: list[tuple[int, dict[str, Any]]] = []
    start = 1
    try:
        with open(path, encoding=codec, newline="") as handle:
            sample = handle.read(65536)
            handle.seek(0)
            delimiter = delimiter or _sniff(sample)
            reader = csv.reader(handle, delimiter=delimiter)
            header = _check_header(label, next(reader, []))
            start = reader.line_num + 1
            for cells in reader:
                if any(c.strip() for c in cells):
                    rows.append((start, dict(zip(header, cells))))
                start = reader.line_num + 1
    except LookupError:
        raise GraphkitError(f"{label}: unknown encoding '{encoding}'") from None
    except UnicodeDecodeError as exc:
        raise GraphkitError(
            f"{label}: not {encoding.upper()} text ({exc.reason} at byte {exc.start}); "
            "set the file's encoding in the mapping"
        ) from None
    except csv.Error as exc:
        raise GraphkitError(f"{label} row {start}: malformed CSV: {exc}") from None
    return Table(label, header, iter(rows), delimiter)


def _sniff(sample: str) -> str:
    """The delimiter of the header line: the candidate found most often
    outside quotes (a comma when none is)."""
    line = re.split(r"\r\n|\r|\n", sample, maxsplit=1)[0]
    unquoted = re.sub(r'"[^"]*"', "", line)
    counts = {d: unquoted.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _read_xlsx(path: Path, sheet: str | None) -> Table:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken workbook
        raise GraphkitError(f"{path.name}: cannot read as an .xlsx workbook: {exc}") from None
    if sheet is not None and sheet not in wb.sheetnames:
        wb.close()
        raise GraphkitError(f"{path.name}: no sheet '{sheet}' (it has {', '.join(wb.sheetnames)})")
    ws = wb[sheet] if sheet is not None else wb.worksheets[0]
    label = f"{path.name}[{ws.title}]"
    try:
        it = ws.iter_rows(values_only=True)
        header = _check_header(label, [str(v) if v is not None else "" for v in next(it, ())])
        rows = [
            (n, dict(zip(header, cells)))
            for n, cells in enumerate(it, start=2)
            if any(c is not None and str(c).strip() for c in cells)
        ]
    finally:
        wb.close()
    return Table(label, header, iter(rows))


def cell_text(value: Any) -> str:
    """A cell as trimmed text, inner runs of spaces kept (xlsx numbers
    without a trailing .0)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    return str(value).strip()


def parse_amount(value: Any, decimal: str = ".") -> Decimal | None:
    """A cell as a finite number, thousands separators allowed (``,``, or
    ``.`` and spaces when `decimal` is ``,``); None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        number = Decimal(str(value))
        return number if number.is_finite() else None
    text = cell_text(value).replace("\u00a0", " ")
    if decimal == ",":
        if not re.fullmatch(r"[-+]?(\d{1,3}([. ]\d{3})+|\d+)(,\d+)?", text):
            return None
        text = re.sub(r"[. ]", "", text).replace(",", ".")
    elif re.fullmatch(r"[-+]?(\d{1,3}(,\d{3})+|\d*)(\.\d+)?", text) and re.search(r"\d", text):
        text = text.replace(",", "")
    else:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def parse_date(value: Any, fmt: str | None = None) -> dt.date | None:
    """A cell as a date: an xlsx date, or text in `fmt` (strptime; ISO
    YYYY-MM-DD when None); None when it is not one."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = cell_text(value)
    try:
        return dt.datetime.strptime(text, fmt).date() if fmt else dt.date.fromisoformat(text)
    except ValueError:
        return None
