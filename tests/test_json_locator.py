"""The JSON line locator (graphkit.io.documents._JsonLocator) against the
YAML node tree that located JSON problems before (JSON is YAML): both must
name the same line for every path, present or not, in JSON laid out three
ways, and a validation message must point at the right line."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from graphkit import Portfolio, PortfolioError, read_portfolio
from graphkit.io.documents import _JsonLocator
from graphkit.io.yaml_documents import LineLocator as _LineLocator

SMALL = Path(__file__).parent / "small.yaml"


def paths_of(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path into `value`, and one missing key or index below each container."""
    out = [prefix]
    if isinstance(value, dict):
        out.append((*prefix, "no-such-key"))
        for k, v in value.items():
            out += paths_of(v, (*prefix, k))
    elif isinstance(value, list):
        out.append((*prefix, len(value)))
        for i, v in enumerate(value):
            out += paths_of(v, (*prefix, i))
    return out


def document(portfolio: Portfolio) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for section, record in portfolio.records():
        out.setdefault(section, []).append(record)
    return out


def layouts(data: Any) -> dict[str, str]:
    return {
        "indented": json.dumps(data, indent=2, ensure_ascii=False),
        "compact": json.dumps(data, separators=(",", ":")),
        # awkward but valid: blank lines, tabs, CRLF, spaces before colons and commas
        "spaced": json.dumps(data, indent="\t", separators=(" ,", " : ")).replace("\n", "\r\n\r\n"),
    }


@pytest.mark.parametrize("layout", ["indented", "compact", "spaced"])
def test_every_path_of_small_yaml_is_located_as_the_node_tree_does(layout: str, tmp_path: Path) -> None:
    data = document(read_portfolio(SMALL)[0])
    text = layouts(data)[layout]
    where = tmp_path / "p.json"
    tree = _LineLocator(where, text)
    paths = paths_of(data) + [("providers", "x"), ("no-section", 0)]
    assert len(paths) > 200
    for top in ((), data):  # the top-level keys unknown, or known (the key written once is found without a parse)
        fast = _JsonLocator(where, text, top)
        assert [fast(p) for p in paths] == [tree(p) for p in paths]


def test_top_level_keys_written_otherwise_or_also_inside_records(tmp_path: Path) -> None:
    """A section's key is found where it is a key of the top level: not
    inside a record that has a key of the same name (liaisons' providers,
    feeds' products, written before the sections), and also where the file
    spells it with an escape, or a value spells it too."""
    data = document(read_portfolio(SMALL)[0])
    first = {key: data[key] for key in ("liaisons", "feeds", "requirements")}
    reordered = {**first, **{k: v for k, v in data.items() if k not in first}}
    where = tmp_path / "p.json"
    escaped = json.dumps(data, indent=2).replace('"providers":', '"\\u0070roviders":', 1)
    nested_first = json.dumps(reordered, indent=2)
    assert nested_first.find('"providers":') < nested_first.find('\n  "providers":')  # a liaison's, then the section
    data["feeds"][0]["material"] = "contracts"  # before the section, a value that is its name
    as_value = json.dumps(data, indent=2)
    for text in (nested_first, escaped, as_value):
        tree = _LineLocator(where, text)
        paths = paths_of(json.loads(text))
        for top in ((), json.loads(text)):
            fast = _JsonLocator(where, text, top)
            assert [fast(p) for p in paths] == [tree(p) for p in paths]


def test_a_problem_deep_in_an_indented_file_names_its_line(tmp_path: Path) -> None:
    data = document(read_portfolio(SMALL)[0])
    products = data["products"]
    k = random.Random(3).randrange(len(products))
    products[k]["supply"][0]["step"] = "fill-finish"  # not a step
    text = json.dumps(data, indent=2)
    (tmp_path / "p.json").write_text(text)
    with pytest.raises(PortfolioError) as err:
        read_portfolio(tmp_path / "p.json")
    lines = text.splitlines()
    expected = next(i for i, line in enumerate(lines, 1) if '"fill-finish"' in line)
    assert [p.location for p in err.value.problems] == [f"{tmp_path / 'p.json'}:{expected}"]
