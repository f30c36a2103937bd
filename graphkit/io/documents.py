"""YAML and JSON portfolio files: reading with line numbers for messages,
streaming writes."""

from __future__ import annotations

import bisect
import contextlib
import json
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import orjson
import yaml

from ..model import SECTIONS
from ..problems import GraphkitError, PortfolioError, Problem, brief

__all__ = ["read_document", "write_document"]

_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

# Python refuses to turn longer digit strings into ints (a denial-of-service guard).
MAX_DIGITS = sys.get_int_max_str_digits() or 4300
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


def _too_long(digits: int) -> str:
    return f"a number with {digits} digits is longer than the {MAX_DIGITS:,} digits a number may have"


def read_text(path: Path) -> str:
    """The file as UTF-8 text; a located error at the first byte that is not."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise GraphkitError(not_utf8(path, data, exc)) from None


def not_utf8(where: Path | str, data: bytes, exc: UnicodeDecodeError) -> str:
    line = data.count(b"\n", 0, exc.start) + 1
    return f"{where}:{line}: not UTF-8 text (byte 0x{data[exc.start]:02x}); save the file as UTF-8"


def read_document(path: Path, fmt: str) -> tuple[Any, Any]:
    """Parse a YAML or JSON file; returns (data, locate)."""
    text = read_text(path)
    problems: list[Problem] = []
    try:
        if fmt == "json":
            data = _load_json(text, path, problems)
        else:
            _check_aliases(text, path)
            loader = _Loader(text)
            try:
                data = loader.get_single_data()
            finally:
                loader.dispose()
            problems += [Problem(f"{path}:{line}", message) for line, message in loader.problems]
    except json.JSONDecodeError as exc:
        raise PortfolioError([Problem(f"{path}:{exc.lineno}", f"not valid JSON: {exc.msg}")], str(path)) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        reason = getattr(exc, "problem", None) or str(exc)
        raise PortfolioError([Problem(where, f"not valid YAML: {brief(reason)}")], str(path)) from None
    if problems:
        raise PortfolioError(problems, str(path))
    return data, (_JsonLocator(path, text) if fmt == "json" else _LineLocator(path, text))


# JSON deeper than this is refused (a portfolio is five levels deep).
MAX_DEPTH = 100


def _load_json(text: str, path: Path, problems: list[Problem]) -> Any:
    """orjson decodes a well-formed file several times faster than the
    standard library with the hooks below; anything it refuses or cannot
    vouch for (`_plainly_read`) is read again by the exact path, which
    finds and locates every problem as before."""
    try:
        data = orjson.loads(text)
    except orjson.JSONDecodeError:  # invalid, NaN, huge integers, lone surrogates, too deep
        return _load_json_exactly(text, path, problems)
    if _plainly_read(text, data):
        return data
    return _load_json_exactly(text, path, problems)


def _plainly_read(text: str, data: Any) -> bool:
    """True when orjson read `text` as the standard library would: no
    integer that long, and no object repeating a key. A colon is either a key's
    separator or a character of a string, so writing `data` back out gives
    as many colons as the text has exactly when no key (with its value) was
    dropped as a repeat; an escaped colon (u003a) would break the count, so
    its presence answers False and leaves the question to the exact path."""
    if "u003a" in text or "u003A" in text or _LONG_RUN in text.encode().translate(_DIGITS_AS_ZERO):
        return False
    try:
        written = orjson.dumps(data)
    except orjson.JSONEncodeError:  # nested deeper than orjson writes (far below where the exact path refuses)
        return False
    return text.count(":") == written.count(b":")


# orjson reads an integer beyond 64 bits as a float: from 19 digits in a row on
# (found as a run of zeros once every digit is one, ten times quicker than a
# regular expression), the exact path reads the file.
_DIGITS_AS_ZERO = bytes.maketrans(b"123456789", b"000000000")
_LONG_RUN = b"0" * 19


def _load_json_exactly(text: str, path: Path, problems: list[Problem]) -> Any:
    duplicates: list[str] = []
    long_numbers: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out = dict(items)
        if len(out) < len(items):
            duplicates.append("")
        return out

    def integer(digits: str) -> int:
        if len(digits) > MAX_DIGITS:
            long_numbers.append(digits)
            return 0
        return int(digits)

    try:
        data = json.loads(text, object_pairs_hook=pairs, parse_int=integer)
    except RecursionError:
        line = _too_deep(text)
        raise PortfolioError([Problem(f"{path}:{line}", f"nested deeper than {MAX_DEPTH} levels")], str(path)) from None
    for digits in long_numbers:
        line = text.count("\n", 0, text.find(digits)) + 1
        problems.append(Problem(f"{path}:{line}", _too_long(len(digits.lstrip("-")))))
    if duplicates:
        problems += _json_duplicates(text, path)
    return data


def _too_deep(text: str) -> int:
    """The line where JSON first nests deeper than MAX_DEPTH (strings skipped)."""
    depth = 0
    for m in re.finditer(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', text):
        c = m.group()
        if c in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return text.count("\n", 0, m.start()) + 1
        elif c in "]}":
            depth -= 1
    return 1


def _json_duplicates(text: str, path: Path) -> list[Problem]:
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


class _JsonLocator:
    """Finds the line of a path in a JSON file without building a node tree
    (composing a large JSON file as YAML costs tens of times its parse). A
    top-level key is found when first asked for (`_top_entry`), a section's
    records are listed when one of them is first located; below a record,
    only that record's text is scanned."""

    _decoder = json.JSONDecoder()
    _space = re.compile(r"[ \t\n\r]*")

    def __init__(self, path: Path, text: str) -> None:
        self.path, self.text = path, text
        self._newlines: list[int] | None = None
        self._top: dict[str, tuple[int, int] | None] = {}
        self._items_of: dict[str, list[int]] = {}

    def __call__(self, path: tuple[Any, ...]) -> str:
        return f"{self.path}:{self._line(self._offset(path))}"

    def _offset(self, path: tuple[Any, ...]) -> int:
        """Where the deepest part of `path` found starts (a key's, or an item's)."""
        text, at = self.text, self._skip(0)
        found = 0
        if path and text.startswith("{", at):
            key = str(path[0])
            entry = self._top_entry(key)
            if entry is None:
                return found
            found, at = entry
            path = path[1:]
            items = self._section_items(key, at) if path and text.startswith("[", at) else None
            if path and items is not None:
                i = path[0]
                if not isinstance(i, int) or not 0 <= i < len(items):
                    return found
                found = at = items[i]
                path = path[1:]
        for part in path:
            child = self._child(at, part)
            if child is None:
                break
            found, at = child
        return found

    def _top_entry(self, key: str) -> tuple[int, int] | None:
        """(key offset, value offset) of a top-level key, None if there is none.

        Where the key is written as its plain JSON text, each place it is
        written is tried in turn: the one where the rest of the file, after
        an opening brace, reads as JSON is a key of the top level (inside a
        record the rest closes more than it opens), and orjson reads that rest
        several times faster than the C decoder walks the members before it
        (the whole file, for the last sections). A key spelt otherwise, or a
        rest orjson refuses, is found by walking the top level's members."""
        if key not in self._top:
            text, spelt = self.text, json.dumps(key, ensure_ascii=False)
            at = text.find(spelt)
            while at >= 0 and key not in self._top:
                colon = self._skip(at + len(spelt))
                if text.startswith(":", colon) and _reads_as_json("{" + text[at:]):
                    self._top[key] = (at, self._skip(colon + 1))
                at = text.find(spelt, at + 1)
            if key not in self._top:
                members = self._members(self._skip(0))
                self._top[key] = next(((k_at, v_at) for name, k_at, v_at in members if name == key), None)
        return self._top[key]

    def _section_items(self, key: str, at: int) -> list[int]:
        """Item offsets of the array at `at`, the value of top-level `key`:
        listed once, and only for sections that have a problem."""
        if key not in self._items_of:
            self._items_of[key] = list(self._items(at))
        return self._items_of[key]

    def _child(self, at: int, part: Any) -> tuple[int, int] | None:
        if self.text.startswith("{", at):
            for key, key_at, value_at in self._members(at):
                if key == str(part):
                    return key_at, value_at
        elif self.text.startswith("[", at) and isinstance(part, int):
            for i, item_at in enumerate(self._items(at)):
                if i == part:
                    return item_at, item_at
        return None

    def _members(self, at: int) -> Iterator[tuple[str, int, int]]:
        """(key, key offset, value offset) of the object starting at `at`."""
        text, pos = self.text, self._skip(at + 1)
        while not text.startswith("}", pos):
            key, end = self._decoder.raw_decode(text, pos)
            value_at = self._skip(self._skip(end) + 1)  # past the colon
            yield key, pos, value_at
            pos = self._skip(self._decoder.raw_decode(text, value_at)[1])
            if text.startswith(",", pos):
                pos = self._skip(pos + 1)

    def _items(self, at: int) -> Iterator[int]:
        """Offsets of the items of the array starting at `at`."""
        text, pos = self.text, self._skip(at + 1)
        while not text.startswith("]", pos):
            yield pos
            pos = self._skip(self._decoder.raw_decode(text, pos)[1])
            if text.startswith(",", pos):
                pos = self._skip(pos + 1)

    def _skip(self, pos: int) -> int:
        match = self._space.match(self.text, pos)
        return match.end() if match else pos

    def _line(self, offset: int) -> int:
        if self._newlines is None:
            self._newlines = [m.start() for m in re.finditer("\n", self.text)]
        return bisect.bisect_left(self._newlines, offset) + 1


def _reads_as_json(text: str) -> bool:
    try:
        orjson.loads(text)
    except orjson.JSONDecodeError:
        return False
    return True


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
