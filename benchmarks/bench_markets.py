"""The whole single-point-of-failure analysis with markets, filings and
product-scoped feeds, against graphkit 0.1.0's one-market engine (run on demand).

Usage (from the project root)::

    git worktree add --detach ../graphkit-0.1.0 097e24a    # the last 0.1.0 commit, once
    .venv/bin/python benchmarks/bench_markets.py --base ../graphkit-0.1.0 [--scale 1000000]
                                                 [--seed 1] [--runs 5] [--work /tmp/bench-markets]
                                                 [--what spof|engine]

Builds a portfolio with :func:`graphkit.generate.build_portfolio_dict` at
``--scale`` relationships and dresses it as a real market-aware portfolio:
2-4 markets per product (distributors and marketing partners per territory,
per-market revenue for some products), some second sites filed in one market
only, most API and drug-substance feeds scoped to some of the products their
receiver makes, a few feeds filed in one market.  The yardstick is the same
supply network with territories, markets, filings and scopes stripped,
analysed by the 0.1.0 checkout at ``--base``.  Each portfolio is read once and
pickled; each run is a fresh process that unpickles it and times
:func:`graphkit.analysis.spof.spof` (what ``graphkit analyze`` runs for single
points of failure; on this engine without the joint failures 0.1.0 did not
compute), new and 0.1.0 interleaved.  Prints the medians of each,
wall and CPU time, their ratios and whether they meet the target (at most
2x).
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import importlib
import json
import pickle
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TARGET = 2.0
_TERRITORIES = ("US", "EU", "GB", "JP", "CN", "CA", "AU", "BR", "KR", "CH")


def dress(pf: dict[str, list[dict[str, Any]]], seed: int) -> None:
    """Give a generated portfolio markets, filings and scoped feeds (in place)."""
    rng = random.Random(seed)
    distributors = [p["id"] for p in pf["providers"] if p["kind"] == "distributor"]
    makes: dict[str, list[str]] = {}  # provider -> products it is a drug-product or API source of
    for prod in pf["products"]:
        territories = list(  # the generator's own markets first; an entry without territory serves them all
            dict.fromkeys(
                [
                    *(m["territory"] for m in prod.get("markets", ())),
                    *(
                        e["territory"]
                        for key in ("distributors", "marketed_by")
                        for e in prod.get(key, ())
                        if e.get("territory")
                    ),
                ]
            )
        )
        want = rng.choice((2, 3, 3, 4))
        while len(territories) < want:
            t = rng.choice(_TERRITORIES)
            if t in territories:
                continue
            territories.append(t)
            if prod.get("distributors"):  # a market needs a distributor that serves it
                prod["distributors"].append({"distributor": rng.choice(distributors), "territory": t})
        revenue = prod.get("annual_revenue")
        if revenue and rng.random() < 0.3:
            weights = [rng.random() + 0.2 for _ in territories]
            prod["markets"] = [
                {"territory": t, "annual_revenue": round(revenue * w / sum(weights), -3)}
                for t, w in zip(territories, weights)
            ]
        else:
            prod["markets"] = [{"territory": t} for t in territories]
        by_step: dict[str, list[dict[str, Any]]] = {}
        for link in prod["supply"]:
            by_step.setdefault(link["step"], []).append(link)
            if link["step"] in ("drug_product", "api"):
                makes.setdefault(link["provider"], []).append(prod["id"])
        for links in by_step.values():
            second = [x for x in links[1:] if x.get("qualified", True)]
            for link in second:
                if rng.random() < 0.5:
                    link["filed_in"] = [rng.choice(territories)]  # a backup site filed in one market only
            if len(links) == 1 and rng.random() < 0.02:
                links[0]["filed_in"] = territories[: len(territories) - 1]
    markets_of = {p["id"]: [m["territory"] for m in p["markets"]] for p in pf["products"]}
    for feed in pf.get("feeds", ()):
        products = makes.get(feed["to"])
        if not products or rng.random() >= 0.85:
            continue  # unscoped: an input of everything the receiver makes
        scope = rng.sample(products, max(1, min(len(products), rng.randint(1, 3))))
        feed["products"] = scope
        if rng.random() < 0.15:
            feed["filed_in"] = [rng.choice(markets_of[scope[0]])]


def strip(pf: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    """The same supply network without territories, markets, filings or scopes."""
    out = json.loads(json.dumps(pf))
    for prod in out["products"]:
        prod.pop("markets", None)
        for link in prod["supply"]:
            link.pop("filed_in", None)
        for key, ref in (("distributors", "distributor"), ("marketed_by", "partner")):
            if key in prod:
                prod[key] = list(dict.fromkeys(e[ref] for e in prod[key]))
    for feed in out.get("feeds", ()):
        feed.pop("products", None)
        feed.pop("filed_in", None)
    return out


def _single(spof: Any) -> Callable[[Any], Any]:
    """What 0.1.0's ``spof()`` computed, on this engine: everything but the
    joint failures added since (double failures, common causes), with the
    collector paused as ``spof()`` pauses it."""
    heap = importlib.import_module("graphkit.analysis.heap")

    @heap.collector_paused
    def run(portfolio: Any) -> Any:
        ctx = spof._Context(portfolio)
        spof.cut_points(portfolio)
        spof._sole_source_steps(ctx)
        spof._key_person_risks(ctx)
        return spof._critical_nodes(ctx)

    return run


def _child(engine: str, base: str | None, path: str, what: str) -> None:
    """One run: unpickle a portfolio and time the spof analysis (0.1.0's part
    of it), or (``what == "engine"``) the all-node failure analysis alone:
    which (product, market) pairs each node's failure takes down."""
    sys.path.insert(0, str(ROOT) if engine == "new" else str(base))
    import graphkit

    spof = importlib.import_module("graphkit.analysis.spof")  # the package re-exports spof() itself

    if engine == "old":
        assert Path(graphkit.__file__).resolve().is_relative_to(Path(base).resolve()), graphkit.__file__  # type: ignore[arg-type]
    with open(path, "rb") as fh:
        portfolio = pickle.load(fh)
    if what == "engine":
        gc.disable()  # on both sides, as the new engine's entry points pause the collector

        def analysis(pf: Any) -> Any:
            return spof._Context(pf).impact  # 0.1.0 and today: the one engine pass, by node
    else:
        analysis = (
            _single(spof) if engine == "new" and hasattr(spof, "_Context") else lambda pf: spof.spof(pf).critical_nodes
        )
    t0, c0 = time.perf_counter(), time.process_time()
    critical = analysis(portfolio)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(json.dumps({"seconds": seconds, "cpu": cpu, "critical_nodes": len(critical)}))


def _pickle(engine: str, base: str | None, source: Path, target: Path) -> None:
    code = (
        "import pickle, sys; sys.path.insert(0, sys.argv[1]); "
        "from graphkit import read_portfolio; "
        "pickle.dump(read_portfolio(sys.argv[2])[0], open(sys.argv[3], 'wb'), protocol=pickle.HIGHEST_PROTOCOL)"
    )
    subprocess.run(
        [sys.executable, "-c", code, str(ROOT) if engine == "new" else str(base), str(source), str(target)], check=True
    )


def prepare(scale: int, seed: int, base: str, work: Path) -> tuple[Path, Path]:
    """Build (or reuse) the two pickled portfolios for ``scale`` and ``seed``."""
    sys.path.insert(0, str(ROOT))
    from graphkit.generate import GeneratorSpec, build_portfolio_dict, count_relationships

    work.mkdir(parents=True, exist_ok=True)
    # A pickle holds model objects and a generator's output: keep one per version of both.
    version = hashlib.sha256(b"".join((ROOT / "graphkit" / f).read_bytes() for f in ("model.py", "generate.py")))
    tag = f"{scale}-{seed}-{version.hexdigest()[:12]}"
    full, stripped = work / f"markets-{tag}.pickle", work / f"stripped-{tag}.pickle"
    if full.exists() and stripped.exists():
        return full, stripped
    pf = build_portfolio_dict(GeneratorSpec.from_scale(scale, seed=seed))
    dress(pf, seed)
    records = [(k, r) for k, rs in pf.items() for r in rs]
    n_scoped = sum(1 for f in pf.get("feeds", ()) if "products" in f)
    n_filed = sum(1 for p in pf["products"] for x in p["supply"] if "filed_in" in x)
    print(
        f"portfolio: {len(pf['products']):,} products, {count_relationships(records)['total']:,} relationships, "
        f"{sum(len(p['markets']) for p in pf['products']):,} markets, {n_filed:,} filed supply entries, "
        f"{n_scoped:,} of {len(pf.get('feeds', ())):,} feeds scoped",
        flush=True,
    )
    for engine, data, target in (("new", pf, full), ("old", strip(pf), stripped)):
        source = work / f"{target.stem}.json"
        source.write_text(json.dumps(data))
        _pickle(engine, base, source, target)
        source.unlink()
    return full, stripped


def _run(engine: str, base: str, path: Path, what: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", engine, "--base", base, "--what", what, str(path)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--base", required=True, help="a checkout of graphkit 0.1.0 (commit 097e24a)")
    ap.add_argument("--scale", type=int, default=1_000_000, help="relationships to generate")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--work", type=Path, default=Path("/tmp/bench-markets"), help="where the portfolios are kept")
    ap.add_argument(
        "--what",
        choices=("spof", "engine"),
        default="spof",
        help="spof: what 0.1.0's spof() computed (critical nodes with their time and money, sole sources, cut "
        "points, key persons); engine: the all-node failure analysis alone (single_failure_losses)",
    )
    ap.add_argument("--child", choices=("new", "old"), help=argparse.SUPPRESS)
    ap.add_argument("portfolio", nargs="?", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        _child(args.child, args.base, args.portfolio, args.what)
        return

    full, stripped = prepare(args.scale, args.seed, args.base, args.work)
    new: dict[str, list[float]] = {"seconds": [], "cpu": []}
    old: dict[str, list[float]] = {"seconds": [], "cpu": []}
    for _ in range(args.runs):
        a, b = _run("new", args.base, full, args.what), _run("old", args.base, stripped, args.what)
        for key in new:
            new[key].append(a[key])
            old[key].append(b[key])
        print(
            f"  run: {a['seconds']:6.2f} s ({a['cpu']:6.2f} s CPU) with markets, "
            f"{b['seconds']:6.2f} s ({b['cpu']:6.2f} s CPU) 0.1.0 on the stripped copy",
            flush=True,
        )
    print(f"{args.what} with markets: {a['critical_nodes']:,} critical nodes; 0.1.0: {b['critical_nodes']:,}")
    # CPU time is the steadier figure on a shared machine: waiting for a core is not the analysis's cost.
    for key, label in (("seconds", "wall"), ("cpu", "CPU ")):
        figure, yardstick = statistics.median(new[key]), statistics.median(old[key])
        ratio = figure / yardstick
        verdict = "pass" if ratio <= TARGET else "falls short"
        print(
            f"{label} median of {args.runs}: {figure:.2f} s with markets, "
            f"{yardstick:.2f} s 0.1.0 on the stripped copy; ratio {ratio:.2f}x, target at most {TARGET:.0f}x: {verdict}"
        )


if __name__ == "__main__":
    main()
