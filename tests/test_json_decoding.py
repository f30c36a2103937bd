"""JSON files are decoded by orjson when it reads them as the standard
library does, and by the exact path (the standard library with hooks that
find repeated keys and over-long numbers) otherwise. The two must give the
same data and the same located problems for every document: held here on
documents made to sit on each edge of the fast path (repeated keys, escaped
colons, long integers, deep nesting, what orjson refuses) and on generated ones."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graphkit.io.documents import _load_json, _load_json_exactly, _plainly_read
from graphkit.problems import PortfolioError

WHERE = Path("p.json")


def outcome(load: Any, text: str) -> tuple[str, Any]:
    problems: list[Any] = []
    try:
        data = load(text, WHERE, problems)
    except PortfolioError as exc:
        return "refused", [(p.location, p.message) for p in exc.problems]
    except json.JSONDecodeError as exc:  # read_document reports it at its line
        return "not JSON", (exc.lineno, exc.msg)
    # repr keeps 1 and 1.0 (and True and 1) apart, which == would not
    return "read", (repr(data), [(p.location, p.message) for p in problems])


EDGES = {
    "plain": '{"clients": [{"id": "c", "name": "C: the client", "segment": "small"}]}',
    "repeated key": '{"clients": [{"id": "c", "id": "d", "segment": "small"}]}',
    "repeated section": '{"clients": [],\n"clients": [{"id": "c"}]}',
    "repeated key with a colon in its value": '{"a": {"k": "x:y", "k": "z"}}',
    "escaped colon, no repeat": '{"a": "x\\u003ay", "b": 1}',
    "escaped colon and a repeat": '{"a\\u003A": 1, "a:": 2, "b": "\\u003a"}',
    "colons in keys and values": '{"a:b": "c:d:e", "f": [":", {"::": ":"}]}',
    "18 digits": '{"n": 999999999999999999, "m": -999999999999999999}',
    "19 digits": '{"n": 9999999999999999999}',
    "20 digits, negative": '{"n": -18446744073709551616}',
    "19 digits in text": '{"id": "1234567890123456789012"}',
    "huge integer": '{"n": ' + "9" * 5000 + "}",
    "float out of range": '{"n": 1e400}',
    "NaN": '{"n": NaN}',
    "lone surrogate": '{"s": "\\ud800"}',
    "deep, within both": '{"a": ' + "[" * 200 + "]" * 200 + "}",
    "deep, past orjson's writer": '{"a": ' + "[" * 300 + "]" * 300 + "}",
    "deep, past orjson's reader": '{"a": ' + "[" * 1010 + "]" * 1010 + "}",
    "deep, past everything": '{"a":\n' + "[" * 100_000 + "]" * 100_000 + "}",
    "not JSON": '{"a": 1,,}',
    "not an object": "[1, 2.5, true, null]",
    "unicode": '{"name": "Müller — 東京", "x": "\\u00e9"}',
}


@pytest.mark.parametrize("name", EDGES)
def test_the_fast_path_reads_every_edge_as_the_exact_path(name: str) -> None:
    text = EDGES[name]
    assert outcome(_load_json, text) == outcome(_load_json_exactly, text)


def test_the_fast_path_is_taken_where_it_can_vouch_and_only_there() -> None:
    """A regression to the exact path for everything would pass the test
    above: here the verdict of `_plainly_read` is checked by hand."""
    import orjson

    def plain(name: str) -> bool:
        text = EDGES[name]
        return _plainly_read(text, orjson.loads(text))

    assert plain("plain") and plain("colons in keys and values") and plain("18 digits") and plain("unicode")
    assert plain("deep, within both")
    assert not plain("repeated key") and not plain("repeated section")
    assert not plain("repeated key with a colon in its value")
    assert not plain("escaped colon, no repeat") and not plain("19 digits") and not plain("19 digits in text")
    assert not plain("deep, past orjson's writer")


# Small JSON values whose keys collide often (one-letter keys, colons in them).
KEYS = st.text(alphabet="ab:", min_size=0, max_size=2)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(alphabet='ab:\\"é', max_size=4),
)
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3) | st.lists(st.tuples(KEYS, inner), max_size=4))


def write(value: Any) -> str:
    """JSON text of `value`, where a list of (key, value) pairs is an object
    written with every pair, repeats included."""
    if isinstance(value, list) and value and all(isinstance(v, tuple) for v in value):
        return "{" + ", ".join(f"{json.dumps(k)}: {write(v)}" for k, v in value) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(write(v) for v in value) + "]"
    return json.dumps(value)


@settings(max_examples=300, deadline=None)
@given(VALUES)
def test_generated_documents_read_alike(value: Any) -> None:
    text = write(value)
    assert outcome(_load_json, text) == outcome(_load_json_exactly, text)


def test_reading_json_leaves_yaml_unloaded(tmp_path: Path) -> None:
    """YAML's loader is imported for YAML files (and JSON repeating a key) only."""
    import subprocess
    import sys

    from graphkit import read_portfolio, write_portfolio

    small = Path(__file__).with_name("small.yaml")
    write_portfolio(read_portfolio(small)[0], tmp_path / "p.json")
    (tmp_path / "twice.json").write_text('{"providers": [], "providers": []}')
    code = (
        "import sys\nfrom graphkit import PortfolioError, read_portfolio\n"
        "read_portfolio(sys.argv[1])\nprint('yaml' in sys.modules)\n"
        "try:\n    read_portfolio(sys.argv[2])\nexcept PortfolioError as exc:\n    print(exc.problems[0].message)\n"
        "print('yaml' in sys.modules)"
    )
    args = [sys.executable, "-c", code, str(tmp_path / "p.json"), str(tmp_path / "twice.json")]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout.splitlines()
    assert out == ["False", "duplicate key 'providers' (first at line 1)", "True"]
