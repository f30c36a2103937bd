"""Analysis-result JSON records for tests that care about a few fields: the
fields given, every other field of the result type empty (its JSON key and
order from the type itself)."""

from __future__ import annotations

import types
from dataclasses import fields
from enum import Enum
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

from graphkit.analysis.results import json_key


def record(cls: type, **given: Any) -> dict[str, Any]:
    """`cls`'s JSON with the `given` values (by JSON key) and empty values elsewhere."""
    hints = get_type_hints(cls)
    out = {}
    for f in fields(cls):
        k = json_key(cls, f.name)
        out[k] = given.pop(k) if k in given else _empty(hints[f.name])
    assert not given, f"{cls.__name__} has no field for {sorted(given)}"
    return out


def _empty(hint: Any) -> Any:
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        return None
    if origin is Literal:
        return get_args(hint)[0]
    if origin is tuple:
        return []
    if origin is dict:
        return {}
    if isinstance(hint, type) and issubclass(hint, Enum):
        return str(next(iter(hint)))
    return {str: "", float: 0.0, int: 0, bool: False}[hint]
