"""The all-node timed failure analysis (every node's lost markets with their
recovery, shortage and loss) on generated market portfolios, each figure
beside yardsticks measured in the same run (on demand).

Usage (from the project root)::

    .venv/bin/python benchmarks/bench_timed.py [--scale 10000 100000 1000000] [--seed 1] [--runs 3] [--sample 20]

Per scale: a portfolio from :func:`graphkit.generate.build_portfolio_dict`
(what ``graphkit generate --scale N`` writes: markets, filings, scoped feeds,
recovery, bring-up and inventory weeks), read back through the JSON reader.
Timed in this process (CPU), interleaved, ``--runs`` times, medians printed:

* ``critical_nodes``: the whole timed single-failure analysis, from the
  portfolio;
* the yardstick: the engine's all-node impact alone (which markets each
  node's failure takes down, no time or money), from the portfolio;
* at the smallest scale, the brute force of the tests
  (``supply_oracle.brute_timeline``: availability recomputed at every week at
  which anything comes back) for ``--sample`` critical nodes, each checked
  against the analysis on the way, its mean extrapolated to every critical
  node.
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from bench_pairs import build  # noqa: E402
from supply_oracle import brute_timeline  # noqa: E402

from graphkit.analysis.spof import _Context, critical_nodes  # noqa: E402
from graphkit.heap import paused  # noqa: E402
from graphkit.model import Portfolio  # noqa: E402


def cpu(fn: Callable[[], Any]) -> tuple[float, Any]:
    """CPU seconds of ``fn()`` with the collector paused, as the command line
    runs the analyses (the portfolio is frozen out of its sight too)."""
    gc.collect()
    with paused():
        t0 = time.process_time()
        out = fn()
        return time.process_time() - t0, out


def impact(portfolio: Portfolio) -> dict[str, Any]:
    """The engine's all-node impact from the portfolio (inputs and network built inside)."""
    return dict(_Context(portfolio).impact)


def brute_sample(portfolio: Portfolio, nodes: list[Any], sample: int, seed: int) -> float:
    """Mean CPU seconds of the brute-force timeline of one critical node, over
    ``sample`` of them, each agreeing with the analysis."""
    seconds = []
    for node in random.Random(seed).sample(nodes, min(sample, len(nodes))):
        t, brute = cpu(partial(brute_timeline, portfolio, {node.node}))
        seconds.append(t)
        for m in node.markets_lost:
            week = 52 if m.recovery_weeks is None else m.recovery_weeks
            got = (week, m.shortage_weeks, m.loss)
            assert all(abs(a - b) <= 1e-6 * max(1.0, abs(b)) for a, b in zip(got, brute[m.unit])), (node.node, m)
    return statistics.mean(seconds)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--sample", type=int, default=20, help="critical nodes the brute force times at the smallest scale")
    args = ap.parse_args()
    for i, scale in enumerate(sorted(args.scale)):
        portfolio = build(scale, args.seed)
        gc.freeze()  # as `graphkit analyze` does after reading
        timed_s: list[float] = []
        engine_s: list[float] = []
        for _ in range(args.runs):
            t, nodes = cpu(partial(critical_nodes, portfolio))
            timed_s.append(t)
            engine_s.append(cpu(partial(impact, portfolio))[0])
        figure, yardstick = statistics.median(timed_s), statistics.median(engine_s)
        markets = sum(len(n.markets_lost) for n in nodes)
        print(
            f"  timed all-node analysis (critical_nodes): {figure:7.2f} s CPU median of {args.runs}, "
            f"{len(nodes):,} critical nodes, {markets:,} lost markets timed; "
            f"engine all-node impact alone: {yardstick:6.2f} s; ratio {figure / yardstick:.2f}x",
            flush=True,
        )
        if i == 0 and args.sample:
            per_node = brute_sample(portfolio, nodes, args.sample, args.seed)
            brute = per_node * len(nodes)
            print(
                f"  brute-force timeline: {per_node:.3f} s a node ({min(args.sample, len(nodes))} sampled, each "
                f"agreeing) x {len(nodes):,} nodes = {brute:,.0f} s estimated; the analysis is "
                f"{brute / figure:,.0f}x faster",
                flush=True,
            )


if __name__ == "__main__":
    main()
