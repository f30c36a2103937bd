"""The analysis results as JSON and back, from the result types themselves.

Every result is a frozen dataclass (the rows made by the million at scale —
lost markets, sole-source steps, key-person risks, partner similarities —
are slotted dataclasses hashed by value instead: a frozen dataclass is made
five times slower, and nothing changes a result once made) whose fields are
the JSON contract: a field's key is its name (or its ``key`` metadata,
e.g. ``class``) and its order is the key order, so each key is written
once, on its field.
:func:`encode` writes a result as JSON-ready data (what ``as_dict()``
returns); :func:`decode` reads such data back as the same typed objects,
checked, with every problem located at once.  Renderers read the typed
objects (severities as :class:`Severity`), never the keys.

Examples
--------
>>> from dataclasses import dataclass, field
>>> @dataclass(frozen=True)
... class Row(Result):
...     node: str
...     level: Severity = field(metadata=key("severity"))
>>> Row("a", Severity.HIGH).as_dict()
{'node': 'a', 'severity': 'high'}
>>> decode(Row, {"node": "a", "severity": "high"}) == Row("a", Severity.HIGH)
True
>>> decode(Row, {"severity": "dire"}, "rows[3]")
Traceback (most recent call last):
...
graphkit.analysis.results.ResultsError: analysis results: rows[3]: no node; rows[3].severity: 'dire' is not ...
"""

from __future__ import annotations

import types
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import fields, is_dataclass
from enum import Enum
from functools import cache, partial
from operator import attrgetter
from typing import Any, Generic, Literal, Protocol, TypeVar, Union, get_args, get_origin, get_type_hints

import orjson

from ..problems import GraphkitError
from .severity import Severity

__all__ = [
    "NUMBER",
    "PAIRS",
    "UNITS",
    "Rated",
    "Result",
    "ResultsError",
    "Streamed",
    "decode",
    "encode",
    "encoded_fields",
    "finding_lists",
    "findings_at",
    "json_key",
    "key",
    "native",
    "number",
    "row_data",
]

T = TypeVar("T")

# Field metadata: how a field's value is written when not by its type alone.
UNITS = {"codec": "units"}  # (product, market) pairs as {"product": ..., "market": ...} objects
PAIRS = {"codec": "pairs"}  # (key, value) pairs as one object
NUMBER = {"codec": "number"}  # a whole float written as an integer


def findings_at(rank: int) -> dict[str, Any]:
    """Field metadata: a list of rated findings, listed `rank`-th among its result's."""
    return {"findings": rank}


def key(name: str, **more: Any) -> dict[str, Any]:
    """Field metadata: the field's JSON key is `name`, not its own name."""
    return {"key": name, **more}


class ResultsError(GraphkitError):
    """Analysis results that are not the JSON of ``graphkit analyze``."""


class Result:
    """The base of every result type: ``as_dict()`` is its JSON."""

    __slots__ = ()

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = encode(self)
        return data


@cache
def _plan(cls: type) -> tuple[tuple[str, str, str | None, Any], ...]:
    """(attribute, JSON key, codec, type) per field of a result type."""
    hints = get_type_hints(cls)
    return tuple((f.name, f.metadata.get("key", f.name), f.metadata.get("codec"), hints[f.name]) for f in fields(cls))


def json_key(cls: type, attribute: str) -> str:
    """The JSON key of a result type's field (which must exist).

    >>> from graphkit.analysis.concentration import ProviderConcentration
    >>> json_key(ProviderConcentration, "concentration")
    'class'
    """
    for name, k, _, _ in _plan(cls):
        if name == attribute:
            return k
    raise AttributeError(f"{cls.__name__} has no field {attribute!r}")


def finding_lists(result: Any) -> list[tuple[str, Sequence[Rated]]]:
    """(JSON key, rows) of each list of rated findings in a result, in rank order."""
    marked = [
        (f.metadata["findings"], json_key(type(result), f.name), f.name)
        for f in fields(result)
        if "findings" in f.metadata
    ]
    return [(k, getattr(result, name)) for _, k, name in sorted(marked)]


class Rated(Protocol):
    """A finding: what it is about, how severe, and why."""

    @property
    def subject(self) -> str: ...
    @property
    def severity(self) -> Severity: ...
    @property
    def explanation(self) -> str: ...


_PLAIN = frozenset({str, int, float, bool, type(None)})  # JSON as they are (not their subclasses: enums)


def encode(value: Any) -> Any:
    """A result (or any part of one) as JSON-ready data."""
    kind: type = type(value)
    if kind in _PLAIN:  # most values: first, before the slower checks
        return value
    if kind is tuple or kind is list:
        return [v if type(v) in _PLAIN else encode(v) for v in value]
    if isinstance(value, Enum):
        return str(value)
    made = _encoder(kind, False)
    if made is not None:
        return made(value)
    if isinstance(value, (tuple, list)):
        return [encode(v) for v in value]
    if isinstance(value, Mapping):
        return {k: encode(v) for k, v in value.items()}
    return value


def row_data(value: Any) -> Any:
    """`encode` of a result row for orjson, which writes tuples as lists and
    a result type's rows as `encode` would where every field is JSON as it
    is under its own name (:func:`native`): those are left as they are."""
    kind: type = type(value)
    if native(kind):  # a float orjson spells otherwise sends its row down the writer's exact path
        return value
    made = _encoder(kind, True)
    return encode(value) if made is None else made(value)


@cache
def native(kind: type) -> bool:
    """A result type whose every field is JSON as it is, under its own name:
    orjson writes its rows (dataclasses) as `encode` would.

    >>> from graphkit.analysis.exposure import LostMarket
    >>> from graphkit.analysis.spof import SoleSourceStep
    >>> native(LostMarket), native(SoleSourceStep)
    (True, False)
    """
    return is_dataclass(kind) and all(k == name and c is None and _as_is(hint) for name, k, c, hint in _plan(kind))


@cache
def _encoder(kind: type, for_orjson: bool = False) -> Callable[[Any], dict[str, Any]] | None:
    """`encode` of a result type (None for any other type), or with
    `for_orjson` :func:`row_data`: the fields' values zipped with their keys
    at once, and only the fields whose type is not JSON as it is (an enum, a
    row, a codec) encoded one by one; rows are encoded by the million at scale."""
    if not is_dataclass(kind):
        return None
    plan = _plan(kind)
    names = [name for name, _, _, _ in plan]
    get = attrgetter(*names) if len(names) > 1 else lambda value: (getattr(value, names[0]),)
    keys = tuple(k for _, k, _, _ in plan)
    fixes: list[tuple[str, Callable[[Any], Any]]] = []
    for _, k, codec, hint in plan:
        items = _items(hint)
        if codec is not None:
            fixes.append((k, partial(_encode_field, codec)))
        elif for_orjson and float in _kinds(hint):
            fixes.append((k, _orjson_float))
        elif _as_is(hint) or (for_orjson and _as_is(items)):
            continue
        elif for_orjson and isinstance(items, type) and native(items):
            fixes.append((k, partial(_rows_as_they_are, items)))
        else:
            fixes.append((k, list if _as_is(items) else encode))

    def made(value: Any) -> dict[str, Any]:
        data = dict(zip(keys, get(value)))
        for k, fix in fixes:
            data[k] = fix(data[k])
        return data

    return made


def _kinds(hint: Any) -> tuple[Any, ...]:
    """The types a union is of (the type itself for any other)."""
    return get_args(hint) if get_origin(hint) in (Union, types.UnionType) else (hint,)


def _orjson_float(value: Any) -> Any:
    """A float below 1e-4 as the text repr gives (orjson spells 1e-05 as
    0.00001), for orjson to write as it is; any other value as it is."""
    if type(value) is float and 0 < abs(value) < 1e-4:
        return orjson.Fragment(float.__repr__(value))
    return value


def _rows_as_they_are(kind: type, rows: Any) -> Any:
    """A tuple of `kind`'s rows as it is (`kind` is :func:`native`), encoded where it holds anything else."""
    return rows if type(rows) is tuple and all(type(r) is kind for r in rows) else encode(rows)


def _as_is(hint: Any) -> bool:
    """Values of this type are JSON-ready as they are (text, numbers, true, false, null)."""
    if hint in _PLAIN:
        return True
    args = get_args(hint)
    if get_origin(hint) in (Union, types.UnionType):
        return all(map(_as_is, args))
    return get_origin(hint) is Literal and all(type(a) in _PLAIN for a in args)


def _items(hint: Any) -> Any:
    """The item type of ``tuple[X, ...]`` (``object``, JSON-ready or not, for any other type)."""
    args = get_args(hint)
    return args[0] if get_origin(hint) is tuple and len(args) == 2 and args[1] is Ellipsis else object


def encoded_fields(result: Any) -> Iterator[tuple[str, Any]]:
    """(JSON key, value) of each field of a result, one at a time, as `encode`
    writes them; a list with no codec stays the tuple of its typed items, for
    a writer that encodes it item by item (what `encode` of each item gives).

    >>> from graphkit.analysis.overlap import OverlapResult, PartnerSimilarity
    >>> list(encoded_fields(OverlapResult((), (), (PartnerSimilarity("a", "b", 0.5),))))
    [('products', ()), ('providers', ()), ('partner_similarity', (PartnerSimilarity(a='a', b='b', jaccard=0.5),))]
    """
    for name, k, codec, _ in _plan(result.__class__):
        yield k, _field_data(codec, getattr(result, name))


class Streamed(Generic[T]):
    """A result of type ``kind`` made field by field: ``fields`` gives
    ``(name, value)`` of each of its fields in order, each made when asked
    for (e.g. :func:`graphkit.analysis.spof.spof_fields`), so a writer can
    write one and let it go before the next is made.  Read once.

    >>> from graphkit.analysis.overlap import OverlapResult
    >>> list(Streamed(OverlapResult, iter([("products", ()), ("providers", ()), ("partner_similarity", ())])).encoded())
    [('products', ()), ('providers', ()), ('partner_similarity', ())]
    """

    def __init__(self, kind: type[T], fields: Iterator[tuple[str, Any]]) -> None:
        self.kind = kind
        self.fields = fields

    def encoded(self) -> Iterator[tuple[str, Any]]:
        """(JSON key, value) of each field as made, as :func:`encoded_fields` gives them."""
        plan = {name: (k, codec) for name, k, codec, _ in _plan(self.kind)}  # type: ignore[arg-type]
        for name, value in self.fields:
            k, codec = plan[name]
            yield k, _field_data(codec, value)

    def result(self) -> T:
        """The whole result."""
        return self.kind(**dict(self.fields))


def _field_data(codec: str | None, value: Any) -> Any:
    """A field's value as :func:`encoded_fields` gives it."""
    return value if codec is None and isinstance(value, tuple) else _encode_field(codec, value)


def _encode_field(codec: str | None, value: Any) -> Any:
    if codec == "units":
        return [{"product": p, "market": m} for p, m in value]
    if codec == "pairs":
        return {k: encode(v) for k, v in value}
    if codec == "number":
        return number(value)
    return encode(value)


def number(value: float) -> float:
    """A whole number as an int (1000.0 reads 1000), any other as it is."""
    return int(value) if float(value).is_integer() else value


def decode(cls: type[T], data: Any, where: str = "") -> T:
    """`data` (as :func:`encode` writes it) read back as a `cls`; a
    :class:`ResultsError` names every problem, located by its path."""
    reader = _Reader()
    value = reader.read(cls, data, where)
    if reader.problems:
        raise ResultsError("analysis results: " + "; ".join(reader.problems))
    return value  # type: ignore[no-any-return]


_BAD = object()  # a value that could not be read (its problem is recorded)


class _Reader:
    def __init__(self) -> None:
        self.problems: list[str] = []

    def bad(self, where: str, text: str) -> Any:
        self.problems.append(f"{where or 'the results'}: {text}")
        return _BAD

    def read(self, hint: Any, value: Any, where: str) -> Any:
        origin, args = get_origin(hint), get_args(hint)
        if origin in (Union, types.UnionType):
            if value is None and type(None) in args:
                return None
            (inner,) = [a for a in args if a is not type(None)]
            return self.read(inner, value, where)
        if origin is Literal:
            return value if value in args else self.bad(where, f"{value!r} is not one of {', '.join(map(str, args))}")
        if origin is tuple:
            return self.sequence(args, value, where)
        if origin is dict:
            if not isinstance(value, Mapping):
                return self.bad(where, "not an object")
            items = {str(k): self.read(args[1], v, f"{where}.{k}") for k, v in value.items()}
            return _BAD if _BAD in items.values() else items
        if isinstance(hint, type) and is_dataclass(hint):
            return self.record(hint, value, where)
        return self.scalar(hint, value, where)

    def sequence(self, args: tuple[Any, ...], value: Any, where: str) -> Any:
        if not isinstance(value, list):
            return self.bad(where, "not a list")
        if len(args) == 2 and args[1] is Ellipsis:
            items = tuple(self.read(args[0], v, f"{where}[{i}]") for i, v in enumerate(value))
        elif len(value) != len(args):
            return self.bad(where, f"not a list of {len(args)}")
        else:
            items = tuple(self.read(a, v, f"{where}[{i}]") for i, (a, v) in enumerate(zip(args, value)))
        return _BAD if _BAD in items else items

    def record(self, cls: type, value: Any, where: str) -> Any:
        if not isinstance(value, Mapping):
            return self.bad(where, "not an object")
        kwargs = {}
        for name, k, codec, hint in _plan(cls):
            at = f"{where}.{k}" if where else k
            if k not in value:
                kwargs[name] = self.bad(where, f"no {k}")
            elif codec == "units":
                kwargs[name] = self.units(value[k], at)
            elif codec == "pairs":
                kwargs[name] = self.pairs(get_args(get_args(hint)[0])[1], value[k], at)
            else:
                kwargs[name] = self.read(hint, value[k], at)
        return _BAD if _BAD in kwargs.values() else cls(**kwargs)

    def pairs(self, hint: Any, value: Any, where: str) -> Any:
        if not isinstance(value, Mapping):
            return self.bad(where, "not an object")
        items = tuple((str(k), self.read(hint, v, f"{where}.{k}")) for k, v in value.items())
        return _BAD if any(v is _BAD for _, v in items) else items

    def units(self, value: Any, where: str) -> Any:
        rows = self.read(tuple[dict[str, Any], ...], value, where)
        if rows is _BAD:
            return _BAD
        out = tuple(
            (
                self.read(str, row.get("product"), f"{where}[{i}].product"),
                self.read(str | None, row.get("market"), f"{where}[{i}].market"),
            )
            for i, row in enumerate(rows)
        )
        return _BAD if any(_BAD in unit for unit in out) else out

    def scalar(self, hint: Any, value: Any, where: str) -> Any:
        if hint is Severity:
            if isinstance(value, str) and value.strip().upper() in Severity.__members__:
                return Severity.parse(value)
            return self.bad(where, f"{value!r} is not a severity ({', '.join(map(str, Severity))})")
        if isinstance(hint, type) and issubclass(hint, Enum):
            try:
                return hint(value)
            except ValueError:
                return self.bad(where, f"{value!r} is not one of {', '.join(map(str, hint))}")
        expected = {str: (str,), bool: (bool,), int: (int,), float: (int, float)}.get(hint)
        if expected is None:  # Any
            return value
        if not isinstance(value, expected) or (hint is not bool and isinstance(value, bool)):
            return self.bad(where, f"{value!r} is not {_NAMES[hint]}")
        return value


_NAMES = {str: "text", bool: "true or false", int: "a whole number", float: "a number"}
