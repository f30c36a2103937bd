"""whatif's timeline: which markets run short, from which week, for how
long, what brings each back and the loss; the --recovery-weeks and
--inventory-weeks overrides. Hand-worked on small portfolios, and held to
the brute force of `supply_oracle.brute_timeline` on random portfolios."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import random

import pytest
from click.testing import CliRunner
from market_portfolios import random_portfolio, timeline_portfolio, with_times
from msgspec import structs
from supply_oracle import brute_timeline

from graphkit.analysis.spof import whatif
from graphkit.cli.main import main
from graphkit.io import write_portfolio
from graphkit.model import Portfolio
from graphkit.problems import GraphkitError


def rows(report) -> dict:
    return {
        (m.product, m.market): (m.short_from_week, m.shortage_weeks, m.recovery_weeks, m.restored_by, m.loss)
        for m in report.timeline
    }


def test_backup_brings_the_market_back_before_the_failed_site() -> None:
    # cmo-a back at 20, cmo-b up at 10: back at 10, short from week 4 (stock) for 6 weeks at 1M
    report = whatif(timeline_portfolio(), ["cmo-a"])
    assert rows(report) == {("prod-a", None): (4, 6, 10, "backup cmo-b (fill_finish)", 6e6)}
    assert report.loss == 6e6
    (m,) = report.timeline
    assert m.inventory_weeks == 4
    assert m.remedy == "stock for 10 weeks, or a backup brought up within 4 weeks, would remove the shortage"


def test_overrides_replace_recorded_recovery_and_stock() -> None:
    # every failed node back after 5 weeks: before cmo-b's 10, so cmo-a brings it back; 1 week short
    assert rows(whatif(timeline_portfolio(), ["cmo-a"], recovery_weeks=5)) == {
        ("prod-a", None): (4, 1, 5, "cmo-a back", 1e6)
    }
    # 12 weeks of stock outlast the backup's 10: no shortage, no loss, no week it runs short
    report = whatif(timeline_portfolio(), ["cmo-a"], inventory_weeks=12)
    assert rows(report) == {("prod-a", None): (None, 0, 10, "backup cmo-b (fill_finish)", 0)}
    assert report.timeline[0].remedy == "" and report.loss == 0


def test_markets_short_from_different_weeks_and_an_unknown_recovery() -> None:
    # lab-x records no recovery: 52 weeks counted (recovery None, said in the notes);
    # EU short from week 6 for 46 weeks, US (no stock) from week 0 for 52, 1M a week each
    report = whatif(timeline_portfolio(), ["lab-x"])
    assert rows(report) == {
        ("prod-b", "EU"): (6, 46, None, "lab-x back", 46e6),
        ("prod-b", "US"): (0, 52, None, "lab-x back", 52e6),
    }
    assert report.loss == 98e6
    assert report.assumed == ("recovery time unknown: 52 weeks counted", "no stock recorded: counted as none")
    # overriding both: back at 8, EU's 2 weeks of stock (overridden) leave 6 short, so does the US's
    assert rows(whatif(timeline_portfolio(), ["lab-x"], recovery_weeks=8, inventory_weeks=2)) == {
        ("prod-b", "EU"): (2, 6, 8, "lab-x back", 6e6),
        ("prod-b", "US"): (2, 6, 8, "lab-x back", 6e6),
    }


def test_added_sources_count_in_the_timeline() -> None:
    # with cmo-c added as a qualified filler, failing cmo-a loses nothing
    assert whatif(timeline_portfolio(), ["cmo-a"], [("prod-a", "fill_finish", "cmo-c")]).timeline == ()
    # failing both: cmo-c is back at 3 (its own recovery), before cmo-b's bring-up: stock covers it
    report = whatif(timeline_portfolio(), ["cmo-a", "cmo-c"], [("prod-a", "fill_finish", "cmo-c")])
    assert rows(report) == {("prod-a", None): (None, 0, 3, "cmo-c back", 0)}
    # without the added source, cmo-c is nothing to prod-a: the backup at 10 brings it back
    assert rows(whatif(timeline_portfolio(), ["cmo-a", "cmo-c"]))[("prod-a", None)][2:4] == (
        10,
        "backup cmo-b (fill_finish)",
    )


@pytest.mark.parametrize("weeks", [-1, float("nan"), float("inf")])
def test_an_override_that_is_not_weeks_is_refused(weeks: float) -> None:
    with pytest.raises(GraphkitError, match="inventory_weeks must be a finite number of weeks"):
        whatif(timeline_portfolio(), ["cmo-a"], inventory_weeks=weeks)


def overridden(pf: Portfolio, recovery: float, stock: float) -> Portfolio:
    """``pf`` with every provider's recovery and every product's and market's stock set."""
    return dataclasses.replace(
        pf,
        providers=tuple(structs.replace(p, recovery_weeks=recovery) for p in pf.providers),
        products=tuple(
            structs.replace(
                p, inventory_weeks=stock, markets=tuple(structs.replace(m, inventory_weeks=stock) for m in p.markets)
            )
            for p in pf.products
        ),
    )


def test_random_portfolios_against_brute_force() -> None:
    for seed in range(150):
        rng = random.Random(seed)
        pf = with_times(random_portfolio(rng, cyclic=seed % 3 == 0), rng)
        nodes = [p.id for p in pf.providers] + [m.id for m in pf.marketing_partners]
        failed = set(rng.sample(nodes, rng.randint(1, min(3, len(nodes)))))
        recovery, stock = rng.choice([None, 0.0, 4.0, 12.0]), rng.choice([None, 0.0, 6.0])
        report = whatif(pf, sorted(failed), recovery_weeks=recovery, inventory_weeks=stock)
        if recovery is not None and stock is not None:
            # brute force on a portfolio holding the overrides as data (a partner: the default)
            brute = brute_timeline(overridden(pf, recovery, stock), failed, recovery)
        elif recovery is None and stock is None:
            brute = brute_timeline(pf, failed)
        else:
            continue
        assert {(m.product, m.market) for m in report.timeline} == set(report.markets_lost)
        for m in report.timeline:
            week = 52 if m.recovery_weeks is None else m.recovery_weeks  # None: the 52-week fallback
            # a market a 0-week bring-up keeps is lost to the engine's what-if, back at once
            assert (week, m.shortage_weeks, m.loss) == pytest.approx(brute.get((m.product, m.market), (0, 0, 0)))
        assert report.loss == pytest.approx(sum(loss for _, _, loss in brute.values()))


# ---------------------------------------------------------------------------
# the command line
# ---------------------------------------------------------------------------


@pytest.fixture()
def path(tmp_path):
    out = tmp_path / "pf.yaml"
    write_portfolio(timeline_portfolio(), out)
    return out


def invoke(*args: object):
    return CliRunner().invoke(main, ["whatif", *map(str, args)])


def test_cli_json_carries_the_timeline(path) -> None:
    result = invoke(path, "--fail", "cmo-a", "--recovery-weeks", "5", "--format", "json")
    assert result.exit_code == 0, result.output
    failure = json.loads(result.stdout)["failure"]
    assert failure["loss"] == 1e6
    assert failure["timeline"] == [
        {
            "product": "prod-a",
            "market": None,
            "recovery_weeks": 5,
            "restored_by": "cmo-a back",
            "inventory_weeks": 4,
            "shortage_weeks": 1,
            "short_from_week": 4,
            "loss": 1e6,
            "remedy": "stock for 5 weeks, or a backup brought up within 4 weeks, would remove the shortage",
        }
    ]


def test_cli_table_csv_and_markdown_show_the_timeline(path) -> None:
    table = invoke(path, "--fail", "lab-x", "--inventory-weeks", "2")
    assert table.exit_code == 0, table.output
    assert (
        "Timeline, all failing at week 0: 2 of 2 market(s) run short, loss 100M "
        "(recovery time unknown: 52 weeks counted)\n" in table.stdout
    )
    line = next(ln for ln in table.stdout.splitlines() if ln.startswith("prod-b (EU)"))
    assert line.split()[2:6] == ["2", "50", "52", "(unknown)"]  # short from 2 for 50 weeks, back at 52 (unknown)
    assert "50,000,000" in line
    out = invoke(path, "--fail", "lab-x", "--inventory-weeks", "2", "--format", "csv").stdout
    block = out[out.index("market,") :]
    got = list(csv.DictReader(io.StringIO(block)))
    assert [(r["market"], r["short from week"], r["weeks short"], r["back at week"], r["loss"]) for r in got] == [
        ("prod-b (EU)", "2.0", "50.0", "", "50000000.0"),
        ("prod-b (US)", "2.0", "50.0", "", "50000000.0"),
    ]
    md = invoke(path, "--fail", "cmo-a", "--format", "markdown").stdout
    assert "## Timeline, all failing at week 0: 1 of 1 market\\(s\\) run short, loss 6M\n" in md
    assert "| prod-a | 4 | 6 | 10 | backup cmo-b \\(fill\\_finish\\) | 4 | 6,000,000 |" in md


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--inventory-weeks", "-2"], "Invalid value for '--inventory-weeks': '-2' is not a number of weeks"),
        (["--recovery-weeks", "soon"], "Invalid value for '--recovery-weeks': 'soon' is not a number of weeks"),
        (["--recovery-weeks", "nan"], "'nan' is not a number of weeks: give a finite number, 0 or more"),
        (["--inventory-weeks", "inf"], "'inf' is not a number of weeks: give a finite number, 0 or more"),
    ],
)
def test_cli_refuses_weeks_that_are_not_weeks(path, args, said) -> None:
    result = invoke(path, "--fail", "cmo-a", *args)
    assert result.exit_code == 2 and said in result.output
    assert "Traceback" not in result.output and result.exception is None or isinstance(result.exception, SystemExit)


def test_cli_overrides_need_a_failure(path) -> None:
    result = invoke(path, "--merge-clients", "client,client", "--inventory-weeks", "3")
    assert result.exit_code == 2 and "give --fail or --fail-group" in result.output
