"""Benchmark the supply engine on a large random portfolio (run on demand).

Usage (from the project root)::

    .venv/bin/python benchmarks/bench_supply.py [--products 150000] [--providers 20000]
                                                [--seed 1] [--no-tracemalloc]

Builds a multi-tier instance (cell banks -> API makers -> drug-product CMOs ->
fill/finish and packagers -> distributors), with supplier popularity skewed so
upstream suppliers are shared, ~5 steps per product and 1-2 qualified sources
per step (~1M product-step-source relationships at the default size).  Prints
wall times of :func:`operational` and :func:`single_failure_impact` (and the
other entry points), the process peak RSS, and, unless ``--no-tracemalloc``,
each call's peak Python allocation measured in a second, traced run.
"""

from __future__ import annotations

import argparse
import itertools
import random
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

try:
    from graphkit.analysis import supply
except ImportError:  # not installed: run from a checkout
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from graphkit.analysis import supply


def _chooser(rng: random.Random, pool: list[str]) -> Callable[[int], list[str]]:
    """Skewed (Zipf-like) sampler of ``k`` distinct ids from ``pool``."""
    cum = list(itertools.accumulate(1.0 / (i + 1) ** 0.8 for i in range(len(pool))))
    order = pool[:]
    rng.shuffle(order)

    def choose(k: int) -> list[str]:
        out = set(rng.choices(order, cum_weights=cum, k=k))
        while len(out) < k:
            out.add(rng.choice(order))
        return list(out)

    return choose


def build(
    n_products: int, n_providers: int, seed: int
) -> tuple[dict[str, dict[str, list[str]]], dict[str, dict[str, list[str]]]]:
    rng = random.Random(seed)
    shares = {"bank": 0.08, "api": 0.17, "cmo": 0.30, "fill": 0.20, "pack": 0.15, "dist": 0.10}
    tiers = {t: [f"{t}-{i}" for i in range(max(1, int(n_providers * s)))] for t, s in shares.items()}
    pick = {t: _chooser(rng, ids) for t, ids in tiers.items()}

    def one_or_two() -> int:
        return 1 if rng.random() < 0.55 else 2

    feeds: dict[str, dict[str, list[str]]] = {}
    for p in tiers["api"]:
        feeds[p] = {"cells": pick["bank"](one_or_two())}
        if rng.random() < 0.3:
            feeds[p]["media"] = pick["bank"](one_or_two())
    for p in tiers["cmo"]:
        feeds[p] = {"api": pick["api"](one_or_two())}
        if rng.random() < 0.2:
            feeds[p]["excipient"] = pick["bank"](one_or_two())
    for p in tiers["fill"]:
        feeds[p] = {"bulk": pick["cmo"](one_or_two())}
    for p in tiers["pack"]:
        feeds[p] = {"filled": pick["fill"](one_or_two())} if rng.random() < 0.5 else {}
    for p in tiers["dist"]:
        if rng.random() < 0.3:
            feeds[p] = {"packs": pick["pack"](one_or_two())}
    # a few broken suppliers (a material nobody delivers)
    for p in rng.sample(tiers["api"], max(1, len(tiers["api"]) // 200)):
        feeds[p]["cells"] = []

    step_tier = {
        "api": "api",
        "drug_product": "cmo",
        "fill_finish": "fill",
        "packaging": "pack",
        "distribution": "dist",
    }
    steps: dict[str, dict[str, list[str]]] = {}
    for i in range(n_products):
        prod: dict[str, list[str]] = {}
        for step, tier in step_tier.items():
            if step == "fill_finish" and rng.random() < 0.2:
                continue  # oral solids: no fill/finish
            prod[step] = pick[tier](one_or_two()) if rng.random() > 0.001 else []
        steps[f"prod-{i}"] = prod
    return steps, feeds


def providers(steps: dict[str, dict[str, list[str]]], feeds: dict[str, dict[str, list[str]]]) -> set[str]:
    """Every provider id of the instance: receivers, feeders and step sources."""
    ids = set(feeds)
    ids.update(f for mats in feeds.values() for fs in mats.values() for f in fs)
    ids.update(s for st in steps.values() for sources in st.values() for s in sources)
    return ids


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--products", type=int, default=150_000)
    ap.add_argument("--providers", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-tracemalloc", action="store_true")
    args = ap.parse_args()

    t0 = time.perf_counter()
    steps, feeds = build(args.products, args.providers, args.seed)
    build_s = time.perf_counter() - t0
    n_src = sum(len(s) for st in steps.values() for s in st.values())
    n_feed = sum(len(f) for m in feeds.values() for f in m.values())
    n_steps = sum(len(st) for st in steps.values())
    print(
        f"instance: {len(steps):,} products, {n_steps:,} steps, {n_src:,} step sources, "
        f"{n_feed:,} feed entries, {len(providers(steps, feeds)):,} providers "
        f"({n_src + n_feed:,} relationships); built in {build_s:.1f} s"
    )

    failed = sorted(providers(steps, feeds))[:: max(1, args.providers // 20)]
    calls: list[tuple[str, Callable[[], object]]] = [
        ("operational", lambda: supply.operational(steps, feeds)),
        ("single_failure_impact", lambda: supply.single_failure_impact(steps, feeds)),
        ("kill_sets", lambda: supply.kill_sets(steps, feeds)),
        (f"what_if ({len(failed)} failed)", lambda: supply.what_if(steps, feeds, failed)),
    ]
    results: dict[str, Any] = {}
    for name, fn in calls:
        t0 = time.perf_counter()
        results[name] = fn()
        print(f"{name:>24}: {time.perf_counter() - t0:6.2f} s")
    ops, avail = results["operational"]
    impact = results["single_failure_impact"]
    sizes = [len(v) for v in results["kill_sets"].values()]
    print(
        f"  {len(ops):,} operational providers, {len(avail):,} available products; "
        f"{len(impact):,} single points of failure; kill-set size mean "
        f"{sum(sizes) / max(1, len(sizes)):.1f}, max {max(sizes, default=0)}"
    )
    del results, ops, avail, impact
    print(f"peak RSS (whole process): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")

    if not args.no_tracemalloc:
        print("peak Python allocation per call (tracemalloc, separate run):")
        for name, fn in calls:
            tracemalloc.start()
            res = fn()
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            del res
            print(f"{name:>24}: {peak / 2**20:7.1f} MiB")


if __name__ == "__main__":
    main()
