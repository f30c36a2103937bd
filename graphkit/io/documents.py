"""YAML and JSON portfolio files: reading with line numbers for messages,
streaming writes (JSON here, YAML in `yaml_documents`, loaded only when used)."""

from __future__ import annotations

import bisect
import json
import re
import sys
from collections.abc import Collection, Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import orjson

from ..model import SECTIONS
from ..problems import GraphkitError, PortfolioError, Problem

__all__ = ["read_document", "write_document"]

# Python refuses to turn longer digit strings into ints (a denial-of-service guard).
MAX_DIGITS = sys.get_int_max_str_digits() or 4300


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
    """Parse a YAML or JSON file; returns (data, locate). YAML is loaded only
    for YAML files (and JSON repeating a key), sparing JSON its import."""
    text = read_text(path)
    problems: list[Problem] = []
    if fmt == "json":
        try:
            data = _load_json(text, path, problems)
        except json.JSONDecodeError as exc:
            raise PortfolioError([Problem(f"{path}:{exc.lineno}", f"not valid JSON: {exc.msg}")], str(path)) from None
        locate: Any = _JsonLocator(path, text, data if isinstance(data, dict) else ())
    else:
        from .yaml_documents import LineLocator, read_yaml

        data = read_yaml(text, path, problems)
        locate = LineLocator(path, text)
    if problems:
        raise PortfolioError(problems, str(path))
    return data, locate


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
    its presence answers False and leaves the question to the exact path
    (looked for only in a text with a backslash, found in one pass)."""
    escaped = "\\" in text and ("u003a" in text or "u003A" in text)
    if escaped or _LONG_RUN in text.encode().translate(_DIGITS_AS_ZERO):
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
        from .yaml_documents import json_duplicates

        problems += json_duplicates(text, path)
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


class _JsonLocator:
    """Finds the line of a path in a JSON file without building a node tree
    (composing a large JSON file as YAML costs tens of times its parse). A
    top-level key is found when first asked for (`_top_entry`), a section's
    records are listed when one of them is first located; below a record,
    only that record's text is scanned."""

    _decoder = json.JSONDecoder()
    _space = re.compile(r"[ \t\n\r]*")

    def __init__(self, path: Path, text: str, top: Collection[str] = ()) -> None:
        self.path, self.text = path, text
        self._keys = top  # the document's top-level keys, when the caller has read it
        self._plain: bool | None = None  # whether the text has no escape (no backslash) at all
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
            if at >= 0 and key in self._keys and self._unescaped() and text.find(spelt, at + 1) < 0:
                # Without escapes a key is written as its plain text, so the one place it is
                # written is the top level's key (a scan of the text, not a parse of its rest).
                self._top[key] = (at, self._skip(self._skip(at + len(spelt)) + 1))
            while at >= 0 and key not in self._top:
                colon = self._skip(at + len(spelt))
                if text.startswith(":", colon) and _reads_as_json("{" + text[at:]):
                    self._top[key] = (at, self._skip(colon + 1))
                at = text.find(spelt, at + 1)
            if key not in self._top:
                members = self._members(self._skip(0))
                self._top[key] = next(((k_at, v_at) for name, k_at, v_at in members if name == key), None)
        return self._top[key]

    def _unescaped(self) -> bool:
        if self._plain is None:
            self._plain = "\\" not in self.text
        return self._plain

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
    from .yaml_documents import yaml_item

    out.write("# graphkit portfolio\n")
    for key, record in records:
        if not written or written[-1] != key:
            out.write(f"\n{key}:\n")
            written.append(key)
        out.write(yaml_item(record))
    for key in (k for k in SECTIONS if k not in written):
        out.write(f"\n{key}: []\n")
