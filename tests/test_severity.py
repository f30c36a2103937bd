"""The money scale of severities: held to the README's table, and every finding's
severity worked out again from the JSON numbers (tests/severity_oracle.py) on the
example and on generated portfolios."""

from __future__ import annotations

import json

import pytest
from conftest import EXAMPLE
from severity_oracle import SCALE, expected, findings

from graphkit import read_portfolio
from graphkit.analysis import analyze
from graphkit.analysis.severity import MONEY_SCALE
from graphkit.generate import GeneratorSpec, build_portfolio_dict
from graphkit.validate import build_portfolio


def test_the_readme_table_is_the_scale() -> None:
    assert [(least, str(level)) for least, level in MONEY_SCALE] == SCALE


def _check(portfolio, result) -> int:
    rows = list(expected(portfolio, result))
    wrong = [(where, got, want) for where, got, want, _ in rows if got != want]
    assert wrong == []
    assert [where for where, *_, said in rows if not said] == []  # the points fallback says so, and only it
    return len(rows)


def test_example_severities_follow_from_the_numbers() -> None:
    p, _ = read_portfolio(EXAMPLE)
    assert _check(p, json.loads(json.dumps(analyze(p).as_dict()))) > 200


@pytest.mark.parametrize("seed", range(3))
def test_generated_severities_follow_from_the_numbers(seed: int) -> None:
    p = build_portfolio(build_portfolio_dict(GeneratorSpec.from_scale(1500, seed=seed)), lambda path: "")[0]
    result = json.loads(json.dumps(analyze(p).as_dict()))
    assert _check(p, result) > 50
    levels = {f["severity"] for f in findings(result)}
    assert {"critical", "high", "medium"} <= levels  # the scale is exercised, not one level


def test_critical_is_rare_on_the_example() -> None:
    p, _ = read_portfolio(EXAMPLE)
    rows = list(findings(json.loads(json.dumps(analyze(p).as_dict()))))
    critical = [r for r in rows if r["severity"] == "critical"]
    assert len(rows) == 258 and 10 * len(critical) <= len(rows)
