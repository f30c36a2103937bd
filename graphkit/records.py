"""Raw records (plain dicts from any file format) read into the model's
records: msgspec's typed conversion for a clean record (nearly all of a large
file, at about the cost of parsing it), and field by field otherwise, with
the leniency the model declares (`Text`, numbers written as text, dates as
`iso_date` reads them, the short forms `[dist-1]`) and every bad field of the
record reported, where msgspec stops at the first.

A problem is a dict ``{"loc": path in the record, "type": what is wrong,
"input": the value, "ctx": details}``; `graphkit.validate.explain` words it.
"""

from __future__ import annotations

import functools
import math
import re
import typing
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from enum import Enum
from types import NoneType, UnionType
from typing import Any, Union, get_args, get_origin

import msgspec

from .model import Record, ShortForm, Text, fields_of, iso_date

__all__ = ["read_fields", "read_typed", "read_typed_all"]

Problems = list[dict[str, Any]]
# A field's reader: (value, its path, the problems) -> the value read, or _BAD
# once it has added its problems.
Reader = Callable[[Any, tuple[Any, ...], Problems], Any]
_BAD = object()


def read_typed(cls: type[Record], item: Any) -> Record | None:
    """`item` read by msgspec as a `cls` record when it is written as the
    model's types say, clean text and no unknown key (nearly every record of
    a large file); None otherwise."""
    try:
        return msgspec.convert(item, cls)
    except msgspec.ValidationError:
        return None


def read_typed_all(cls: type[Record], items: list[Any]) -> list[Record] | None:
    """`read_typed` of every item of a list in one call (a record's Python
    call and error handling paid once for many); None when any is refused."""
    try:
        return typing.cast(list[Record], msgspec.convert(items, _list_of(cls)))
    except msgspec.ValidationError:
        return None


@functools.cache
def _list_of(cls: type[Record]) -> Any:
    return list[cls]  # type: ignore[valid-type]  # one type object, so msgspec's plan for it is made once


def read_fields(cls: type[Record], item: Mapping[str, Any]) -> tuple[Record | None, Problems]:
    """`item` read field by field as a `cls` record, and the problems (then no record)."""
    problems: Problems = []
    record = _record_reader(cls)(item, (), problems)
    return (None if record is _BAD else record), problems


def _problem(problems: Problems, loc: tuple[Any, ...], kind: str, value: Any, **ctx: Any) -> Any:
    problems.append({"loc": loc, "type": kind, "input": value, "ctx": ctx})
    return _BAD


@functools.cache
def _record_reader(cls: type[Record]) -> Reader:
    readers = [(f.name, f.key, _reader(f.type, f.marks), f.default is msgspec.NODEFAULT) for f in fields_of(cls)]

    def read(item: Any, loc: tuple[Any, ...], problems: Problems) -> Any:
        if isinstance(item, cls):
            return item
        if not isinstance(item, Mapping):
            return _problem(problems, loc, "model_type", item)
        values, before = {}, len(problems)
        for name, key, reader, required in readers:
            if key in item:
                value = item[key]
            elif name in item:  # the attribute's name where the file key differs (`from_`)
                value = item[name]
            else:
                if required:
                    _problem(problems, (*loc, key), "missing", item)
                continue
            values[name] = reader(value, (*loc, key), problems)
        return cls(**values) if len(problems) == before else _BAD

    return read


def _reader(annotation: Any, marks: tuple[Any, ...] = ()) -> Reader:
    """The reader of a field of type `annotation` (its `Annotated` marks apart)."""
    if get_origin(annotation) in (Union, UnionType):
        inner = _reader(next(a for a in get_args(annotation) if a is not NoneType), marks)
        return lambda v, loc, problems: None if v is None else inner(v, loc, problems)
    if hasattr(annotation, "__metadata__"):  # Annotated
        return _reader(get_args(annotation)[0], (*marks, *annotation.__metadata__))
    if get_origin(annotation) is tuple:
        return _items(_reader(get_args(annotation)[0]))
    meta = next((m for m in marks if isinstance(m, msgspec.Meta)), msgspec.Meta())
    if annotation is str:
        return _text(next((m for m in marks if isinstance(m, Text)), Text(strip=False)))
    if annotation is float:
        return _number(meta.ge)
    if annotation is bool:
        return _boolean
    if annotation is date:
        return _date
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return _choice(annotation)
    if isinstance(annotation, type) and issubclass(annotation, Record):
        short = next((m.key for m in marks if isinstance(m, ShortForm)), None)
        return _nested(_record_reader(annotation), short)
    raise TypeError(f"no reader for {annotation!r}")


def _items(item: Reader) -> Reader:
    def read(value: Any, loc: tuple[Any, ...], problems: Problems) -> Any:
        if not isinstance(value, (list, tuple)):
            return _problem(problems, loc, "tuple_type", value)
        out = tuple(item(v, (*loc, j), problems) for j, v in enumerate(value))
        return _BAD if _BAD in out else out

    return read


def _nested(record: Reader, short: str | None) -> Reader:
    def read(value: Any, loc: tuple[Any, ...], problems: Problems) -> Any:
        if short is not None and isinstance(value, (str, int)):
            value = {short: value}  # the short form: a bare id
        return record(value, loc, problems)

    return read


def _text(text: Text) -> Reader:
    pattern = re.compile(text.pattern) if text.pattern else None
    least = text.min_length

    def read(value: Any, loc: tuple[Any, ...], problems: Problems) -> Any:
        if isinstance(value, (str, bytes)):
            out = _str(value)
            if out is None:
                return _problem(problems, loc, "string_type", value)
        elif isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
            out = str(value)  # an id written as a number: its digits
        else:
            return _problem(problems, loc, "string_type", value)
        if text.strip:
            out = out.strip()
        if text.upper:
            out = out.upper()
        if len(out) < least:
            return _problem(problems, loc, "string_too_short", value)
        if pattern is not None and not pattern.search(out):
            return _problem(problems, loc, "string_pattern_mismatch", value)
        return out

    return read


def _number(least: float | None) -> Reader:
    def read(value: Any, loc: tuple[Any, ...], problems: Problems) -> Any:
        try:
            if isinstance(value, (int, float, Decimal)):  # a boolean too, as 1 or 0 (the checks as written refuse it)
                out = float(value)
            elif isinstance(value, (str, bytes)):
                text = _str(value)
                if text is None or not text.strip().isascii():
                    return _problem(problems, loc, "float_parsing", value)
                out = float(text.strip())
            else:
                return _problem(problems, loc, "float_type", value)
        except ValueError:
            return _problem(problems, loc, "float_parsing", value)
        except OverflowError:
            return _problem(problems, loc, "float_type", value)
        if not math.isfinite(out):
            return _problem(problems, loc, "finite_number", value)
        if least is not None and out < least:
            return _problem(problems, loc, "greater_than_equal", value)
        return out

    return read


_TRUE = frozenset({"1", "on", "t", "true", "y", "yes"})
_FALSE = frozenset({"0", "off", "f", "false", "n", "no"})


def _boolean(value: Any, loc: tuple[Any, ...], problems: Problems) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    text = _str(value) if isinstance(value, (str, bytes)) else None
    if text is not None and text.lower() in _TRUE | _FALSE:
        return text.lower() in _TRUE
    kind = "bool_parsing" if isinstance(value, (str, bytes, int)) else "bool_type"
    return _problem(problems, loc, kind, value)


def _str(value: str | bytes) -> str | None:
    """Text as it is; bytes (a YAML !!binary) as UTF-8, None when they are not."""
    if isinstance(value, str):
        return str(value)
    try:
        return value.decode()
    except UnicodeDecodeError:
        return None


def _date(value: Any, loc: tuple[Any, ...], problems: Problems) -> Any:
    try:
        return iso_date(value)
    except ValueError as exc:
        return _problem(problems, loc, "value_error", value, error=exc)


def _choice(enum: type[Enum]) -> Reader:
    choices = [str(m.value) for m in enum]

    def read(value: Any, loc: tuple[Any, ...], problems: Problems) -> Any:
        try:
            return enum(value)
        except (ValueError, TypeError):
            return _problem(problems, loc, "enum", value, choices=choices)

    return read
