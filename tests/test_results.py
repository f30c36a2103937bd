"""The typed analysis results and their JSON: each key comes from one field,
the JSON reads back as the same objects, and a damaged results file is
refused with every problem located."""

from __future__ import annotations

import json
from dataclasses import fields, is_dataclass
from pathlib import Path

import pytest

from graphkit import read_portfolio
from graphkit.analysis import Analysis, analyze, findings, read_analysis
from graphkit.analysis.concentration import ClientConcentration, ProviderConcentration
from graphkit.analysis.exposure import LostMarket
from graphkit.analysis.results import ResultsError, json_key
from graphkit.analysis.severity import Severity
from graphkit.analysis.spof import CriticalNode, SoleSourceStep, SpofResult

EXAMPLE = Path(__file__).parent.parent / "examples" / "portfolio.yaml"


@pytest.fixture(scope="module")
def example() -> Analysis:
    return analyze(read_portfolio(EXAMPLE)[0])


def test_the_json_reads_back_as_the_same_results(example: Analysis) -> None:
    text = json.dumps(example.as_dict())
    again = read_analysis(json.loads(text))
    assert again == example
    assert json.dumps(again.as_dict()) == text


def test_a_json_object_has_the_keys_of_its_fields_in_field_order(example: Analysis) -> None:
    assert example.spof is not None and example.concentration is not None
    node = example.spof.critical_nodes[0]
    assert list(node.as_dict()) == [f.name for f in fields(CriticalNode)]
    provider = example.concentration.providers[0].as_dict()
    # the one renamed field: `concentration` is written as "class"
    assert list(provider) == ["class" if f.name == "concentration" else f.name for f in fields(ProviderConcentration)]
    assert json_key(ClientConcentration, "concentration") == "class"
    lost = node.as_dict()["markets_lost"]
    assert [(m["product"], m["market"]) for m in lost] == list(node.units)
    assert list(lost[0]) == [f.name for f in fields(LostMarket)]


def test_severities_are_the_enum_everywhere(example: Analysis) -> None:
    def walk(value: object) -> None:
        if is_dataclass(value):
            for f in fields(value):
                if f.name == "severity":
                    assert type(getattr(value, f.name)) is Severity
                walk(getattr(value, f.name))
        elif isinstance(value, tuple):
            for v in value:
                walk(v)

    walk(read_analysis(example.as_dict()))


def test_findings_list_critical_nodes_first_most_severe_first(example: Analysis) -> None:
    assert example.spof is not None
    spof_findings = [f for f in findings(example) if f.analysis == "spof"]
    lists = [f.finding for f in spof_findings]
    order = ["critical_nodes", "sole_source_steps", "key_person_risks", "double_failures", "common_causes"]
    assert lists == sorted(lists, key=order.index)
    critical = [f for f in spof_findings if f.finding == "critical_nodes"]
    assert [f.severity for f in critical] == sorted((c.severity for c in example.spof.critical_nodes), reverse=True)
    assert {f.subject for f in critical} == {c.node for c in example.spof.critical_nodes}
    sole = next(f for f in spof_findings if f.finding == "sole_source_steps")
    assert sole.subject.count("/") == 1
    (pair,) = [f for f in spof_findings if f.finding == "double_failures"]
    assert (pair.subject, pair.revenue_at_risk) == ("cmo-alpinefill+cmo-harborfill", 420e6)


def test_only_the_analyses_run_are_written_and_read() -> None:
    spof_only = analyze(read_portfolio(EXAMPLE)[0], only=["spof"])
    data = spof_only.as_dict()
    assert list(data) == ["spof"]
    assert read_analysis(data) == spof_only
    assert read_analysis({}) == Analysis()
    assert read_analysis({"portfolio_fingerprint": "ab"}).fingerprint == "ab"


def test_damaged_results_name_every_problem() -> None:
    step = SoleSourceStep("prod-1", "api", None, "cmo-a", (), Severity.HIGH, "only cmo-a").as_dict()
    bad = {
        "spof": {
            **SpofResult((), (), (), (), ()).as_dict(),
            "sole_source_steps": [step, {**step, "severity": "dire", "backup": "cmo-b"}, "x"],
            "bridges": [["a", "b", "c"]],
        },
        "portfolio_fingerprint": 7,
    }
    with pytest.raises(ResultsError) as err:
        read_analysis(bad)
    assert str(err.value) == (
        "analysis results: spof.sole_source_steps[1].backup: not a list; "
        "spof.sole_source_steps[1].severity: 'dire' is not a severity (info, low, medium, high, critical); "
        "spof.sole_source_steps[2]: not an object; spof.bridges[0]: not a list of 2; "
        "portfolio_fingerprint: not text"
    )
    with pytest.raises(ResultsError, match="spof.critical_nodes\\[0\\]: no node; spof.critical_nodes\\[0\\]: no kind"):
        read_analysis({"spof": {**SpofResult((), (), (), (), ()).as_dict(), "critical_nodes": [{}]}})
    with pytest.raises(ResultsError, match="must be a JSON object"):
        read_analysis([])
