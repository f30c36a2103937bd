"""Double failures (N-2) on generated market portfolios, each figure beside
yardsticks measured in the same run (on demand).

Usage (from the project root)::

    .venv/bin/python benchmarks/bench_pairs.py [--scale 10000 100000] [--seed 1] [--runs 3] [--sample 200]

Per scale: a portfolio from :func:`graphkit.generate.build_portfolio_dict`
(what ``graphkit generate --scale N`` writes: markets, filings and scoped
feeds included), read back through the JSON reader.  Timed in this process, interleaved,
``--runs`` times, medians printed:

* ``double_failures``: the whole N-2 analysis from the portfolio;
* the yardstick ``critical_nodes``: the whole single-failure analysis of
  the same portfolio;
* at the smallest scale, the brute force: ``--sample`` random pairs each
  failed through ``Network.what_if`` (one recomputation of the portfolio per
  pair), its mean extrapolated to every pair; the sampled pairs' losses are
  checked against the analysis' answer on the way.

Target: N-2 at about 100k relationships in under a minute on a 2-core
machine.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from graphkit import read_portfolio  # noqa: E402
from graphkit.analysis.joint import _double_failures, _failable, double_failures  # noqa: E402
from graphkit.analysis.spof import _Context, critical_nodes  # noqa: E402
from graphkit.generate import GeneratorSpec, build_portfolio_dict, count_relationships  # noqa: E402
from graphkit.model import Portfolio  # noqa: E402

TARGET_SECONDS = 60.0


def build(scale: int, seed: int) -> Portfolio:
    pf = build_portfolio_dict(GeneratorSpec.from_scale(scale, seed=seed))
    records = [(k, r) for k, rs in pf.items() for r in rs]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "portfolio.json"
        path.write_text(json.dumps(pf))
        portfolio = read_portfolio(path)[0]
    print(
        f"scale {scale:,}: {count_relationships(records)['total']:,} relationships, {len(pf['products']):,} products, "
        f"{sum(len(p.market_territories) for p in portfolio.products):,} (product, market) pairs",
        flush=True,
    )
    return portfolio


def timed(fn, *args):  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - t0, out


def brute_sample(portfolio: Portfolio, sample: int, seed: int) -> tuple[float, int]:
    """Mean seconds to fail one pair and recompute, over ``sample`` random
    pairs, each checked against the analysis; and the number of pairs in all."""
    ctx = _Context(portfolio)
    nodes = sorted(_failable(ctx))
    found = {d.nodes: set(d.markets_lost) for d in _double_failures(ctx)}
    # Half the sample from the pairs found (so the check bites), half at random.
    rng = random.Random(seed)
    pairs = rng.sample(sorted(found), min(len(found), sample // 2))
    while len(pairs) < sample:
        a, b = sorted(rng.sample(nodes, 2))
        pairs.append((a, b))
    seconds = []
    for a, b in pairs:
        t, result = timed(ctx.network.what_if, [a, b])
        seconds.append(t)
        added = set(result.lost) - ctx.impact.get(a, set()) - ctx.impact.get(b, set())
        assert added == found.get((a, b), set()), (a, b)
    return statistics.mean(seconds), len(nodes) * (len(nodes) - 1) // 2


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--sample", type=int, default=200, help="pairs the brute force fails at the smallest scale")
    args = ap.parse_args()
    for i, scale in enumerate(sorted(args.scale)):
        portfolio = build(scale, args.seed)
        pairs_s: list[float] = []
        single_s: list[float] = []
        for _ in range(args.runs):
            t, found = timed(double_failures, portfolio)
            pairs_s.append(t)
            single_s.append(timed(critical_nodes, portfolio)[0])
        figure, yardstick = statistics.median(pairs_s), statistics.median(single_s)
        print(
            f"  N-2 (double_failures): {figure:7.2f} s median of {args.runs}, {len(found):,} pairs found; "
            f"single failures (critical_nodes): {yardstick:6.2f} s; ratio {figure / yardstick:.2f}x; "
            f"target under {TARGET_SECONDS:.0f} s: {'met' if figure < TARGET_SECONDS else 'NOT met'}",
            flush=True,
        )
        if i == 0 and args.sample:
            per_pair, all_pairs = brute_sample(portfolio, args.sample, args.seed)
            brute = per_pair * all_pairs
            print(
                f"  brute force: {per_pair * 1000:.2f} ms a pair ({args.sample} sampled, each agreeing) x "
                f"{all_pairs:,} pairs = {brute:,.0f} s estimated; N-2 is {brute / figure:,.0f}x faster",
                flush=True,
            )


if __name__ == "__main__":
    main()
