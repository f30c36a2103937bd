"""Time reading a large portfolio and the single-point-of-failure analysis (run on demand).

Usage (from the project root)::

    .venv/bin/graphkit generate --scale 1000000 --seed 1 -o /tmp/big.json
    .venv/bin/python benchmarks/bench_analyses.py /tmp/big.json

Prints the portfolio's size, the wall time of :func:`graphkit.read_portfolio`
and of :func:`graphkit.analysis.spof.spof` (and, with ``--parts``, of each of its parts run
separately), wall and CPU time, the findings' counts and the process peak RSS.  Not collected
by pytest.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

if importlib.util.find_spec("graphkit") is None:  # not installed: run from a checkout
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from graphkit import read_portfolio

spof_mod = importlib.import_module("graphkit.analysis.spof")  # the package re-exports spof() itself


def timed(label: str, fn: Callable[[], Any]) -> Any:
    t0, c0 = time.perf_counter(), time.process_time()
    result = fn()
    print(f"{label:>26}: {time.perf_counter() - t0:7.2f} s wall, {time.process_time() - c0:7.2f} s CPU", flush=True)
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("portfolio", type=Path, help="portfolio file (e.g. from graphkit generate)")
    ap.add_argument("--parts", action="store_true", help="also time each analysis on its own")
    args = ap.parse_args()

    portfolio, _ = timed("read_portfolio", lambda: read_portfolio(args.portfolio))
    n_rel = sum(1 for _ in portfolio.relationships())
    print(
        f"portfolio: {len(portfolio.nodes):,} nodes ({len(portfolio.providers):,} providers, "
        f"{len(portfolio.products):,} products), {n_rel:,} relationships",
        flush=True,
    )
    result = timed("spof", lambda: spof_mod.spof(portfolio))
    if args.parts:
        timed("supply_inputs", lambda: spof_mod.supply_inputs(portfolio))
        timed("sole_source_steps", lambda: spof_mod.sole_source_steps(portfolio))
        timed("critical_nodes", lambda: spof_mod.critical_nodes(portfolio))
        timed("cut_points", lambda: spof_mod.cut_points(portfolio))
        timed("key_person_risks", lambda: spof_mod.key_person_risks(portfolio))
        top = [c.node for c in result.critical_nodes[:10]]
        timed(f"whatif ({len(top)} failed)", lambda: spof_mod.whatif(portfolio, top))
    hidden = sum(c.hidden for c in result.critical_nodes)
    print(
        f"findings: {len(result.sole_source_steps):,} sole-source steps, "
        f"{len(result.critical_nodes):,} critical nodes ({hidden:,} hidden), "
        f"{len(result.articulation_points):,} articulation points, {len(result.bridges):,} bridges, "
        f"{len(result.key_person_risks):,} key-person risks"
    )
    print(f"peak RSS (whole process): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
