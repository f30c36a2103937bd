"""YAML and JSON portfolio files: reading with line numbers for messages,
streaming writes."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

import yaml

from ..model import SECTIONS
from ..problems import PortfolioError, Problem

__all__ = ["read_document", "write_document"]

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def read_document(path: Path, fmt: str) -> tuple[Any, Any]:
    """Parse a YAML or JSON file; returns (data, locate)."""
    text = path.read_text(encoding="utf-8-sig")
    try:
        data = json.loads(text) if fmt == "json" else yaml.load(text, Loader=_Loader)
    except json.JSONDecodeError as exc:
        raise PortfolioError([Problem(f"{path}:{exc.lineno}", f"not valid JSON: {exc.msg}")], str(path)) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        reason = getattr(exc, "problem", None) or str(exc)
        raise PortfolioError([Problem(where, f"not valid YAML: {reason}")], str(path)) from None
    return data, _LineLocator(path, text)


class _LineLocator:
    """Finds the line of a path in the file. The node tree is composed only
    when the first problem needs a location, so valid files parse at full speed."""

    def __init__(self, path: Path, text: str) -> None:
        self.path, self.text = path, text
        self._root: yaml.Node | None | bool = False

    def __call__(self, path: tuple[Any, ...]) -> str:
        if self._root is False:
            try:
                self._root = yaml.compose(self.text, Loader=_Loader)
            except yaml.YAMLError:  # JSON that YAML cannot read: no line numbers
                self._root = None
        node = self._root
        line = 1
        for part in path:
            child = _child(node, part)
            if child is None:
                break
            node, line = child
        return f"{self.path}:{line}"


def _child(node: Any, part: Any) -> tuple[yaml.Node, int] | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == str(part):
                return value, key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
        child = node.value[part]
        return child, child.start_mark.line + 1
    return None


def write_document(records: Iterable[tuple[str, dict[str, Any]]], out: IO[str], fmt: str) -> None:
    """Stream (section, record) pairs, grouped by section, as YAML or JSON."""
    written: list[str] = []
    if fmt == "json":
        out.write("{")
        for key, record in records:
            if not written or written[-1] != key:
                out.write(("\n  ]," if written else "") + f"\n  {json.dumps(key)}: [\n    ")
                written.append(key)
            else:
                out.write(",\n    ")
            out.write(json.dumps(record, ensure_ascii=False))
        for key in (k for k in SECTIONS if k not in written):
            out.write(("\n  ]," if written else "") + f"\n  {json.dumps(key)}: [")
            written.append(key)
        out.write("\n  ]\n}\n")
        return
    out.write("# graphkit portfolio\n")
    for key, record in records:
        if not written or written[-1] != key:
            out.write(f"\n{key}:\n")
            written.append(key)
        out.write(
            yaml.dump([record], Dumper=_Dumper, sort_keys=False, allow_unicode=True, default_flow_style=None, width=100)
        )
    for key in (k for k in SECTIONS if k not in written):
        out.write(f"\n{key}: []\n")
