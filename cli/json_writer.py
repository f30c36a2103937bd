"""JSON written as it is produced: byte for byte what `to_json` writes
(``json.dumps(indent=2, ensure_ascii=False)``), from the typed results
themselves, a piece at a time, so an industry-wide analysis (hundreds of MB
of JSON) is never held whole, as text or as a tree of dicts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import is_dataclass
from enum import Enum
from json.encoder import encode_basestring  # the string escaper of json.dumps(ensure_ascii=False)
from typing import Any, TextIO

from .output import to_json

__all__ = ["write_json"]

_INFINITY = float("inf")
_CHUNK = 4096  # pieces gathered before a write


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

    def flush(self) -> None:
        self.out.write("".join(self.parts))
        self.parts.clear()

    def object(self, items: Iterable[tuple[Any, Any]], nl: str, whole: bool = False) -> None:
        """`whole`: the document's own object, whose items go out as each is done."""
        parts, inner = self.parts, nl + "  "
        sep = "{" + inner
        for key, value in items:
            parts += (sep, _key(key), ": ")
            self.value(value, inner)
            sep = "," + inner
            if whole or len(parts) > _CHUNK:
                self.flush()
        parts.append("{}" if sep[0] == "{" else nl + "}")

    def array(self, values: Iterable[Any], nl: str) -> None:
        parts, inner = self.parts, nl + "  "
        sep = "[" + inner
        for value in values:
            parts.append(sep)
            self.value(value, inner)
            sep = "," + inner
            if len(parts) > _CHUNK:
                self.flush()
        parts.append("[]" if sep[0] == "[" else nl + "]")

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
        else:  # anything else as the results' encoder and to_json make it
            from graphkit.analysis.results import encode

            data = encode(value)
            if type(data) in (dict, list):
                self.value(data, nl)
            else:
                self.parts.append(to_json(data).replace("\n", nl))


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
