"""YAML portfolio files: the loader (duplicate keys and over-long integers
reported, alias bombs refused), line numbers for messages, and writing; also
where a JSON file repeats a key (JSON is YAML). Imported only when a YAML file
is read or written, so that JSON reading does not load YAML."""

from __future__ import annotations

import contextlib
import re
from pathlib import Path
from typing import Any

import yaml

from ..problems import PortfolioError, Problem, brief
from .documents import MAX_DIGITS, _too_long

__all__ = ["LineLocator", "json_duplicates", "read_yaml", "yaml_item"]

_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

# Aliases may add at most this many values beyond ten times those written.
ALIAS_BUDGET = 100_000


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The safe loader, reporting duplicate keys and over-long integers
    (with their lines) instead of silently keeping the last or failing."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.problems: list[tuple[int, str]] = []

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        first: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            if isinstance(key, (str, int, float, bool)) and key in first:
                self.problems.append((line, f"duplicate key '{brief(key)}' (first at line {first[key]})"))
            else:
                with contextlib.suppress(TypeError):
                    first.setdefault(key, line)
        return super().construct_mapping(node, deep=deep)  # type: ignore[no-any-return]

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        digits = sum(c.isdigit() for c in node.value)
        if digits > MAX_DIGITS:
            self.problems.append((node.start_mark.line + 1, _too_long(digits)))
            return 0
        return super().construct_yaml_int(node)  # type: ignore[no-any-return]

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:
        # A date that is not in the calendar (2026-02-30) stays text, for
        # validation to report at its field rather than fail the whole file.
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            return node.value


_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_yaml_int)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)


def read_yaml(text: str, path: Path, problems: list[Problem]) -> Any:
    """The document of a YAML file; what the loader reports is added to `problems`."""
    try:
        _check_aliases(text, path)
        loader = _Loader(text)
        try:
            data = loader.get_single_data()
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        reason = getattr(exc, "problem", None) or str(exc)
        raise PortfolioError([Problem(where, f"not valid YAML: {brief(reason)}")], str(path)) from None
    problems += [Problem(f"{path}:{line}", message) for line, message in loader.problems]
    return data


def yaml_item(record: dict[str, Any]) -> str:
    """One record as an item of a YAML list."""
    return yaml.dump([record], Dumper=_Dumper, sort_keys=False, allow_unicode=True, default_flow_style=None, width=100)


def json_duplicates(text: str, path: Path) -> list[Problem]:
    """Locate duplicate keys by reading the JSON as YAML (its superset) node by node."""
    try:
        root = yaml.compose(text, Loader=yaml.CSafeLoader if hasattr(yaml, "CSafeLoader") else yaml.SafeLoader)
    except yaml.YAMLError:
        return [Problem(str(path), "duplicate keys in an object")]
    found, stack = [], [root]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            first: dict[str, int] = {}
            for key, value in node.value:
                line = key.start_mark.line + 1
                if key.value in first:
                    found.append(
                        Problem(
                            f"{path}:{line}", f"duplicate key '{brief(key.value)}' (first at line {first[key.value]})"
                        )
                    )
                first.setdefault(key.value, line)
                stack.append(value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return found or [Problem(str(path), "duplicate keys in an object")]


_ANCHOR = re.compile(r"(?:^|[\s\[{,])&[^\s,\[\]{}]")
_ALIAS = re.compile(r"(?:^|[\s\[{,])\*[^\s,\[\]{}]")


def _check_aliases(text: str, path: Path) -> None:
    """Refuse a document whose aliases expand far beyond what is written (a
    'billion laughs' bomb) before anything is built from it. Costs one extra
    parse, and only for files that use both anchors and aliases."""
    if not (_ANCHOR.search(text) and _ALIAS.search(text)):
        return
    sizes: dict[str, int] = {}
    stack: list[list[Any]] = [[None, 0]]
    written = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.AliasEvent):
            stack[-1][1] += sizes.get(event.anchor or "", 1)
        elif isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            written += 1
            stack.append([event.anchor, 1])
        elif isinstance(event, yaml.ScalarEvent):
            written += 1
            if event.anchor:
                sizes[event.anchor] = 1
            stack[-1][1] += 1
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            anchor, size = stack.pop()
            if anchor:
                sizes[anchor] = size
            stack[-1][1] += size
        if stack[-1][1] > ALIAS_BUDGET + 10 * written:
            line = getattr(event.start_mark, "line", 0) + 1
            raise PortfolioError(
                [
                    Problem(
                        f"{path}:{line}", f"aliases expand to more than {ALIAS_BUDGET + 10 * written:,} values: refused"
                    )
                ],
                str(path),
            )


class LineLocator:
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
