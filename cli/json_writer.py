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
import re
from collections.abc import Iterable
from dataclasses import is_dataclass
from enum import Enum
from json.encoder import encode_basestring  # the string escaper of json.dumps(ensure_ascii=False)
from typing import Any, TextIO

import orjson

from .output import to_json

__all__ = ["write_json"]

_INFINITY = float("inf")
_CHUNK = 4096  # pieces gathered before a write
_BYTES = 1 << 20  # characters of rows gathered before a write
# orjson: indented as json.dumps(indent=2); what it would write otherwise
# (a dataclass, datetime, str/int/dict subclass) raises instead.
_ORJSON = orjson.OPT_INDENT_2 | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_DATETIME
_ORJSON |= orjson.OPT_PASSTHROUGH_SUBCLASS
# A float orjson spells otherwise than repr: 1e-05 as 0.00001, 1e-07 as 1e-7
# (a string holding one of these merely takes the exact path).
_SPELLED_OTHERWISE = re.compile(rb"\de-|0\.0000")


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
        for value in values:
            parts.append(sep)
            if not (is_dataclass(value) and not isinstance(value, type) and self.row(value, inner)):
                self.value(value, inner)
            sep = "," + inner
            if len(parts) > _CHUNK or self.rows > _BYTES:
                self.flush()
        parts.append("[]" if sep[0] == "[" else nl + "]")

    def row(self, value: Any, nl: str) -> bool:
        """Write a result's row by orjson; False (nothing written) where
        orjson would not write it as json.dumps does."""
        from graphkit.analysis.results import encode

        data = encode(value)
        try:
            text = orjson.dumps(data, option=_ORJSON)
        except TypeError:
            return False
        if (b"e-" in text or b"0.0000" in text) and _SPELLED_OTHERWISE.search(text):
            return False
        if b"null" in text and not _finite(data):
            return False
        row = text.decode().replace("\n", nl)
        self.parts.append(row)
        self.rows += len(row)
        return True

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


def _finite(data: Any) -> bool:
    """No NaN or infinity in `data` (orjson writes them as null)."""
    try:
        json.dumps(data, allow_nan=False, check_circular=False)
    except ValueError:
        return False
    return True


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
