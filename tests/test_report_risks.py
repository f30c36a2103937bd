"""The report's top risks: first on the page, the nodes ranked by loss with
each one's share of the worst, and a shortage timeline per top risk drawn as
inline SVG. Worked by hand on a small portfolio (`timeline_portfolio`), then
the drawn bars read back in real headless Chromium and held to the JSON."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from fixtures_browser import BrowserPage, png_stats
from market_portfolios import timeline_portfolio
from test_report import open_report, parse

from graphkit.cli.main import main
from graphkit.io import write_portfolio
from graphkit.viz.report import render_report

WHEN = datetime(2025, 3, 4, 5, 6, tzinfo=UTC)
EXAMPLE = Path(__file__).parent.parent / "examples" / "portfolio.yaml"


@pytest.fixture(scope="module")
def page() -> str:
    return render_report(timeline_portfolio(), views=(), generated=WHEN)


def test_top_risks_come_first_ranked_by_loss(page: str) -> None:
    sections = [a["id"] for t, a in parse(page).tags if t == "section"]
    assert sections[0] == "top-risks" and sections[1] == "summary"
    body = re.search(r'id="gk-top-risks">.*?<tbody>(.*?)</tbody>', page, re.DOTALL).group(1)  # type: ignore[union-attr]
    rows = [re.findall(r"<td[^>]*>(.*?)</td>", r) for r in re.findall(r"<tr>(.*?)</tr>", body)]
    # lab-x: 46 + 52 weeks short of 1M a week, recovery unknown; cmo-a: back at 10 by the backup,
    # 4 weeks of stock: 6 weeks short of 1M, 6/98 of the worst
    assert [r[:5] for r in rows] == [
        ["lab-x", "98,000,000", "100.0%", "52", "52 (unknown)"],
        ["cmo-a", "6,000,000", "6.1%", "6", "10"],
    ]


def test_a_timeline_per_top_risk(page: str) -> None:
    charts = re.findall(r'<figure class="gk-chart gk-risk-chart" data-node="([^"]+)">(.*?)</figure>', page, re.DOTALL)
    assert [n for n, _ in charts] == ["lab-x", "cmo-a"]
    cmo = dict(charts)["cmo-a"]
    # weeks 0..10 over x 190..624: 43.4 units a week; stock 0-4, short 4-10, back at 10
    assert 'data-x0="190.00" data-x1="624.00" data-weeks="10"' in cmo
    assert '<rect class="gk-tl-stock" x="190.00" y="11.0" width="173.60"' in cmo
    assert '<rect class="gk-tl-short" x="363.60" y="4.0" width="260.40"' in cmo
    assert '<line class="gk-tl-back" x1="624.00"' in cmo and "stroke-dasharray" not in cmo
    lab = dict(charts)["lab-x"]
    assert lab.count('class="gk-tl-short"') == 2 and lab.count('stroke-dasharray="3 2"') == 2  # 52 weeks counted
    assert "prod-b (US): short from week 0 for 52 weeks, loss 52M" in lab
    assert "prod-b (EU): short from week 6 for 46 weeks, loss 46M" in lab


# ------------------------------------------------------------------ real headless Chromium

READ_BARS = """
const out = [];
for (const fig of document.querySelectorAll('figure.gk-risk-chart')) {
  const svg = fig.querySelector('svg.gk-timeline');
  const x0 = +svg.dataset.x0, x1 = +svg.dataset.x1, end = +svg.dataset.weeks;
  const weeks = x => (x - x0) / (x1 - x0) * end;
  const rows = {};
  for (const g of svg.querySelectorAll('g.gk-tl-market')) {
    const short = g.querySelector('rect.gk-tl-short'), stock = g.querySelector('rect.gk-tl-stock');
    const s = short && short.getBBox(), k = stock && stock.getBBox();
    const back = g.querySelector('line.gk-tl-back').getBBox();
    rows[g.dataset.market] = {
      from: s ? weeks(s.x) : null, weeks: s ? weeks(s.x + s.width) - weeks(s.x) : 0,
      stock: k ? weeks(k.x + k.width) : 0, back: weeks(back.x + back.width / 2),
      shown: svg.getBoundingClientRect().width > 300,
    };
  }
  out.push([fig.dataset.node, rows]);
}
return out;
"""


def check_bars(browser_page: BrowserPage, tmp_path: Path, portfolio: Path, *args: str) -> dict:
    out = tmp_path / "report.html"
    assert CliRunner().invoke(main, ["report", str(portfolio), "-o", str(out), "--no-network", *args]).exit_code == 0
    result = CliRunner().invoke(main, ["analyze", str(portfolio), "--only", "spof", "--format", "json", *args])
    critical = json.loads(result.stdout)["spof"]["critical_nodes"]
    open_report(browser_page, out)
    drawn = browser_page.js(READ_BARS)  # [[node, bars]] in page order
    assert [n for n, _ in drawn] == [c["node"] for c in critical[:5]]  # the top five by loss, in order
    drawn = dict(drawn)
    for c in critical[:5]:
        bars = drawn[c["node"]]
        assert len(bars) == min(24, len(c["markets_lost"]))
        for m in c["markets_lost"]:
            name = m["product"] + (f" ({m['market']})" if m["market"] else "")
            if name not in bars:
                continue  # beyond the 24 drawn
            got = bars[name]
            back = 52 if m["recovery_weeks"] is None else m["recovery_weeks"]
            assert got["shown"]
            assert got["from"] == (
                None if m["short_from_week"] is None else pytest.approx(m["short_from_week"], abs=0.01)
            )
            # drawn at 1/100 of an SVG unit: read back to a hundredth of a week
            assert got["weeks"] == pytest.approx(m["shortage_weeks"], abs=0.01), name
            assert got["stock"] == pytest.approx(m["inventory_weeks"], abs=0.01), name
            assert got["back"] == pytest.approx(back, abs=0.01), name
    assert browser_page.console_errors() == []
    assert browser_page.network_requests() == []
    return drawn


@pytest.mark.browser
def test_timeline_bars_read_back_as_the_json(browser_page: BrowserPage, tmp_path: Path) -> None:
    small = write_portfolio(timeline_portfolio(), tmp_path / "t.yaml")
    drawn = check_bars(browser_page, tmp_path, small)
    bar = drawn["cmo-a"]["prod-a"]
    assert (bar["from"], bar["weeks"], bar["stock"], bar["back"]) == pytest.approx((4, 6, 4, 10))
    png = browser_page.screenshot_png("#top-risks")
    assert not png_stats(png).blank
    check_bars(browser_page, tmp_path, EXAMPLE, "--recovery-weeks", "8")
