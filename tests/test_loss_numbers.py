"""analyze's CSV and table carry the time-and-money numbers of critical
nodes and double failures (loss, risk exposure, recovery and shortage
weeks, revenue), worked by hand on small portfolios."""

from __future__ import annotations

import csv
import io

import pytest
from click.testing import CliRunner
from market_portfolios import timed_pairs_portfolio, timeline_portfolio

from graphkit.cli.main import main
from graphkit.io import write_portfolio

NUMBERS = ["revenue_at_risk", "loss", "risk_exposure", "recovery_weeks", "shortage_weeks"]


def analyze(path, *args: str) -> str:
    result = CliRunner().invoke(main, ["analyze", str(path), "--only", "spof", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def numbers(row: dict[str, str]) -> list[float | None]:
    return [float(row[k]) if row[k] else None for k in NUMBERS]


def test_csv_critical_nodes_carry_their_numbers(tmp_path) -> None:
    # lab-x: prod-b's EU (6 weeks of stock) and US (none), 1M a week each, no recovery time:
    #   52 weeks counted (recovery empty), short 46 + 52 weeks: 98M, the worst (exposure 1).
    # cmo-a: prod-a back at week 10 by the backup, 4 weeks of stock: 6 weeks short of 1M: 6M, 6/98 of the worst.
    path = write_portfolio(timeline_portfolio(), tmp_path / "t.yaml")
    rows = list(csv.DictReader(io.StringIO(analyze(path, "--format", "csv"))))
    assert list(rows[0]) == ["analysis", "finding", "subject", "severity", *NUMBERS, "explanation"]
    critical = {r["subject"]: numbers(r) for r in rows if r["finding"] == "critical_nodes"}
    assert critical == {
        "lab-x": [104e6, 98e6, 1.0, None, 52.0],
        "cmo-a": [52e6, 6e6, pytest.approx(6 / 98), 10.0, 6.0],
    }
    # findings without these numbers leave the cells empty
    sole = next(r for r in rows if r["finding"] == "sole_source_steps")
    assert [sole[k] for k in NUMBERS] == ["", "", "", "", ""]


def test_table_and_markdown_show_exposure_and_weeks(tmp_path) -> None:
    path = write_portfolio(timeline_portfolio(), tmp_path / "t.yaml")
    table = analyze(path).split("Critical nodes: what one failure takes down", 1)[1]  # after the top risks
    head = next(ln for ln in table.splitlines() if ln.startswith("severity  node"))
    assert head.split()[4:9] == ["loss", "risk_exposure", "shortage_weeks", "recovery_weeks", "revenue_at_risk"]
    lab = next(ln for ln in table.splitlines() if "  lab-x  " in ln).split()
    assert lab[4:11] == ["98,000,000", "100.0%", "52", "52", "(unknown)", "104,000,000", "no"]
    cmo = next(ln for ln in table.splitlines() if "  cmo-a  " in ln).split()
    assert cmo[4:9] == ["6,000,000", "6.1%", "6", "10", "52,000,000"]
    md = analyze(path, "--format", "markdown")
    assert "| 6,000,000 | 6.1% | 6 | 10 | 52,000,000 | no |" in md


def test_csv_double_failures_carry_added_revenue_and_loss(tmp_path) -> None:
    # api-1 back after 4 weeks, api-2 after 10, 1 week of stock: together short 3 weeks of 100M a year;
    # fill-1 + fill-2 (no recovery times) lose the US: 52 weeks less 1 of stock, of 50M a year
    path = write_portfolio(timed_pairs_portfolio(), tmp_path / "pairs.yaml")
    rows = list(csv.DictReader(io.StringIO(analyze(path, "--format", "csv"))))
    pairs = {r["subject"]: numbers(r) for r in rows if r["finding"] == "double_failures"}
    assert pairs == {
        "api-1+api-2": [100e6, pytest.approx(100e6 * 3 / 52), None, None, None],
        "fill-1+fill-2": [50e6, pytest.approx(50e6 * 51 / 52), None, None, None],
    }
