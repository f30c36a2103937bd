"""JSON written as it is produced: byte for byte what `to_json` writes
(``json.dumps(indent=2, ensure_ascii=False)``), from the typed results
themselves, a piece at a time, so an industry-wide analysis (hundreds of MB
of JSON) is never held whole, as text or as a tree of dicts.

A result's rows are written by orjson (many times faster), each checked to
read as json.dumps writes it: orjson spells floats below 1e-4 otherwise
(flagged by their ``e-`` or ``0.0000``) and writes NaN and infinities as
null; a row with any of these (or a value orjson refuses: a huge integer, a
lone surrogate, a key that is not text) is written by the exact path."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import fields, is_dataclass
from enum import Enum
from functools import cache
from json.encoder import encode_basestring  # the string escaper of json.dumps(ensure_ascii=False)
from operator import attrgetter
from typing import Any, TextIO

import orjson

from .output import to_json

__all__ = ["write_json"]

_INFINITY = float("inf")
_CHUNK = 4096  # pieces gathered before a write
_BYTES = 1 << 20  # characters of rows gathered before a write
_BATCH = 256  # rows of a list written by one orjson call at most (most of a small row's cost is the call)
_FIRST_BATCH = 8  # rows in a list's first call: the next calls take as many as make about _BYTES of text
# orjson: indented as json.dumps(indent=2); what it would write otherwise
# (a dataclass, datetime, str/int/dict subclass) raises instead.
_ORJSON = orjson.OPT_INDENT_2 | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_DATETIME
_ORJSON |= orjson.OPT_PASSTHROUGH_SUBCLASS
# For `row_data`: the only dataclasses it leaves are rows orjson writes as encode does.
_ORJSON_ROWS = _ORJSON & ~orjson.OPT_PASSTHROUGH_DATACLASS


def write_json(out: TextIO, items: Iterable[tuple[str, Any]]) -> None:
    """Write the JSON object of `items` (key, value) exactly as `to_json`
    writes it, each item as it comes: a result (a dataclass) field by field
    (as `encoded_fields` gives them), its lists item by item.

    >>> import io
    >>> buf = io.StringIO()
    >>> write_json(buf, iter([("a", [1, {"b": (), "c": float("nan")}]), ("d", {})]))
    >>> buf.getvalue() == to_json({"a": [1, {"b": [], "c": float("nan")}], "d": {}})
    True
    """
    writer = _Writer(out)
    writer.object(items, "\n", whole=True)
    writer.flush()


class _Writer:
    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.parts: list[str] = []
        self.rows = 0  # characters of rows in parts

    def flush(self) -> None:
        self.out.write("".join(self.parts))
        self.parts.clear()
        self.rows = 0

    def object(self, items: Iterable[tuple[Any, Any]], nl: str, whole: bool = False) -> None:
        """`whole`: the document's own object, whose items go out as each is done."""
        parts, inner = self.parts, nl + "  "
        sep = "{" + inner
        for key, value in items:
            parts += (sep, _key(key), ": ")
            self.value(value, inner)
            del value  # not held while the next item is made
            sep = "," + inner
            if whole or len(parts) > _CHUNK:
                self.flush()
        parts.append("{}" if sep[0] == "{" else nl + "}")

    def array(self, values: Iterable[Any], nl: str) -> None:
        parts, inner = self.parts, nl + "  "
        sep = "[" + inner
        if type(values) is tuple or type(values) is list:
            at, n = 0, _FIRST_BATCH
            while at < len(values):
                batch = tuple(values[at : at + n])
                at += len(batch)
                written = self.rows_at_once(batch, sep[0], nl)
                if written:  # next, as many rows as make about _BYTES of text
                    n = max(1, min(_BATCH, _BYTES * len(batch) // written))
                    sep = "," + inner
                    continue
                for value in batch:
                    self.item(value, sep, inner)
                    sep = "," + inner
        else:
            for value in values:
                self.item(value, sep, inner)
                sep = "," + inner
        parts.append("[]" if sep[0] == "[" else nl + "]")

    def item(self, value: Any, sep: str, nl: str) -> None:
        """An array's item, after `sep`; a result's row by orjson where it writes it as json.dumps does."""
        self.parts.append(sep)
        if not (is_dataclass(value) and not isinstance(value, type) and self.row(value, nl)):
            self.value(value, nl)
        if len(self.parts) > _CHUNK or self.rows > _BYTES:
            self.flush()

    def rows_at_once(self, batch: tuple[Any, ...], lead: str, nl: str) -> int:
        """Write a batch of result rows of one type (`lead`: "[" or "," before
        the first) by one orjson call, as `row` would write each: the
        characters written; 0 (nothing written) where they are not all rows
        of one type or orjson would not write one of them as json.dumps does."""
        kind = type(batch[0])
        if not is_dataclass(kind) or any(type(v) is not kind for v in batch):
            return 0
        text = self.orjson(batch)
        if text is None:
            return 0
        # orjson's "[", rows a level deeper joined by ",", a newline and "]": with the newlines at this
        # array's depth, the rows and separators array writes
        rows = text.replace("\n", nl)
        del text
        self.parts += (lead, rows[1 : -len(nl) - 1])
        self.rows += len(rows)
        if self.rows > _BYTES:
            self.flush()
        return len(rows)

    def row(self, value: Any, nl: str) -> bool:
        """Write a result's row by orjson; False (nothing written) where
        orjson would not write it as json.dumps does."""
        text = self.orjson(value)
        if text is None:
            return False
        row = text.replace("\n", nl)
        self.parts.append(row)
        self.rows += len(row)
        return True

    @staticmethod
    def orjson(rows: Any) -> str | None:
        """orjson's text of a row or a tuple of rows, None where it is not
        what json.dumps writes."""
        from graphkit.analysis.results import row_data

        data = [row_data(v) for v in rows] if type(rows) is tuple else row_data(rows)
        try:
            text = orjson.dumps(data, option=_ORJSON_ROWS)
        except TypeError:
            return None
        if _spelled_otherwise(text):
            return None
        if b"null" in text and not _finite(data):
            return None
        return text.decode()

    def value(self, value: Any, nl: str) -> None:
        kind = type(value)
        if kind is str:
            self.parts.append(encode_basestring(value))
        elif kind is float:
            self.parts.append(_float(value))
        elif value is None or value is True or value is False:
            self.parts.append("null" if value is None else "true" if value else "false")
        elif kind is int:
            self.parts.append(int.__repr__(value))
        elif kind is dict:
            self.object(value.items(), nl)
        elif kind is list or kind is tuple:
            self.array(value, nl)
        elif isinstance(value, Enum):
            self.parts.append(encode_basestring(str(value)))
        elif is_dataclass(value) and not isinstance(value, type):
            from graphkit.analysis.results import encoded_fields

            self.object(encoded_fields(value), nl)
        else:  # a result made field by field (each written as it is made), or as encode and to_json make it
            from graphkit.analysis.results import Streamed, encode

            if isinstance(value, Streamed):
                self.object(value.encoded(), nl)
                return
            data = encode(value)
            if type(data) in (dict, list):
                self.value(data, nl)
            else:
                self.parts.append(to_json(data).replace("\n", nl))


def _spelled_otherwise(text: bytes) -> bool:
    """A float in orjson's `text` that repr spells otherwise: 1e-07 written
    1e-7 (repr's exponents have two digits at least), 1e-05 written 0.00001
    (a string holding one of these merely takes the exact path); not repr's
    own text (a fragment of `row_data`), nor the digits of a larger number
    (20209573250.000004)."""
    at = text.find(b"e-")
    while at != -1:
        if (
            at
            and text[at - 1] in _DIGITS
            and text[at + 2 : at + 3] in _ONE_DIGIT
            and text[at + 3 : at + 4] not in _ONE_DIGIT
        ):
            return True
        at = text.find(b"e-", at + 2)
    at = text.find(b"0.0000")
    while at != -1:
        if at == 0 or text[at - 1] not in _DIGITS:
            return True
        at = text.find(b"0.0000", at + 6)
    return False


_DIGITS = frozenset(b"0123456789")
_ONE_DIGIT = frozenset(bytes([d]) for d in b"0123456789")  # as a slice of one byte is


def _finite(data: Any) -> bool:
    """No NaN or infinity in `data` (orjson writes them as null)."""
    try:  # `row_data`'s rows: their values are what is written
        json.dumps(data, allow_nan=False, check_circular=False, default=_values)
    except ValueError:
        return False
    return True


def _values(row: Any) -> Any:
    """A dataclass's field values (what `_finite` checks of `row_data`'s
    rows); nothing for a fragment (a finite float's text)."""
    kind: type = type(row)
    return None if kind is orjson.Fragment else _getter(kind)(row)


@cache
def _getter(kind: type) -> Callable[[Any], Any]:
    return attrgetter(*[f.name for f in fields(kind)])


def _float(value: float) -> str:
    if value != value:
        return "NaN"
    if value == _INFINITY:
        return "Infinity"
    if value == -_INFINITY:
        return "-Infinity"
    return float.__repr__(value)


def _key(key: Any) -> str:
    """A key as json.dumps writes it: text escaped, a number, true, false or null quoted."""
    if isinstance(key, str):
        return encode_basestring(key)
    if key is None or key is True or key is False:
        return '"null"' if key is None else '"true"' if key else '"false"'
    if isinstance(key, float):
        return '"' + _float(key) + '"'
    if isinstance(key, int):
        return '"' + int.__repr__(key) + '"'
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")
