"""What the all-or-nothing load costs (run on demand, against a throwaway server).

Usage (from the project root, with a local server: scripts/neo4j start)::

    .venv/bin/python benchmarks/bench_neo4j_load.py --wipe [--scale 20000] [--runs 3] [--batch-size 10000]

EMPTIES the configured database (hence --wipe; a server on this machine only).
Settings from NEO4J_URI/NEO4J_PASSWORD... or .neo4j/credentials, as the tests.

Two generated portfolios of about --scale relationships, A and B (seeds 1
and 2). Each run, alternating so a busy moment hits both alike:

* staged, fresh: ``Neo4jStore.load(A, replace=True)`` into an empty database
  (writer lock, plan, staged batches, the checked switch, cleanup);
* staged, replace: ``load(B, replace=True)`` over A (the same, and deleting A);
* yardstick, fresh: the very same node and relationship batches
  (`graphkit.neo4j_mapping.LoadPlan`) written plainly, one transaction per
  batch, into an empty database: no lock, no switch, no checks;
* yardstick, replace: deleting A in batches, then B's batches written plainly
  (what a replace that is not all-or-nothing would do).

Prints the medians of --runs and each staged figure as a ratio to its
yardstick: the price of the guarantee. Not collected by pytest.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from fixtures_neo4j import empty_database, is_local, load_settings  # noqa: E402

from graphkit import read_portfolio, write_records  # noqa: E402
from graphkit.generate import GeneratorSpec, iter_records  # noqa: E402
from graphkit.model import Portfolio  # noqa: E402
from graphkit.neo4j_mapping import LoadPlan  # noqa: E402
from graphkit.neo4j_store import BATCH_SIZE, Neo4jSettings, Neo4jStore  # noqa: E402


def generated(scale: int, seed: int, folder: Path) -> Portfolio:
    path = write_records(iter_records(GeneratorSpec.from_scale(scale, seed=seed)), folder / f"g{seed}.json")
    return read_portfolio(path)[0]


def timed(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=20_000, help="relationships per portfolio (about)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)
    parser.add_argument("--wipe", action="store_true", help="agree that the database is emptied")
    args = parser.parse_args()
    raw = load_settings()
    if not args.wipe or not is_local(raw.uri):
        sys.exit(f"this empties database '{raw.database}' at {raw.uri}: pass --wipe (local servers only)")
    settings = Neo4jSettings(raw.uri, raw.username, raw.password, raw.database)
    with tempfile.TemporaryDirectory() as folder:
        a, b = generated(args.scale, 1, Path(folder)), generated(args.scale, 2, Path(folder))
    plan_a, plan_b = LoadPlan(a, args.batch_size), LoadPlan(b, args.batch_size)
    print(
        f"A: {plan_a.node_count:,} nodes, {plan_a.relationship_count:,} relationships; "
        f"B: {plan_b.node_count:,} nodes, {plan_b.relationship_count:,} relationships; "
        f"batches of {args.batch_size:,} rows"
    )
    times: dict[str, list[float]] = {k: [] for k in ("staged fresh", "staged replace", "plain fresh", "plain replace")}
    with Neo4jStore(settings) as store:
        store.apply_schema()
        driver = store._runner.driver  # the plain writes go through the same driver and server

        def plain(plan: LoadPlan) -> None:
            for step in plan.nodes + plan.relationships:
                driver.execute_query(step.query, step.params, database_=settings.database)

        def wipe() -> None:
            empty_database(driver, settings.database, batch_size=max(100, args.batch_size // 5))

        for _ in range(args.runs):
            wipe()
            times["staged fresh"].append(timed(lambda: store.load(a, replace=True, batch_size=args.batch_size)))
            times["staged replace"].append(timed(lambda: store.load(b, replace=True, batch_size=args.batch_size)))
            wipe()
            times["plain fresh"].append(timed(lambda: plain(plan_a)))
            times["plain replace"].append(timed(lambda: (wipe(), plain(plan_b))))
        wipe()
    median = {k: statistics.median(v) for k, v in times.items()}
    print(f"{'load':<16}{'staged':>10}{'yardstick':>12}{'ratio':>8}   (medians of {args.runs}, seconds)")
    for case in ("fresh", "replace"):
        staged, yardstick = median[f"staged {case}"], median[f"plain {case}"]
        print(f"{case:<16}{staged:>10.2f}{yardstick:>12.2f}{staged / yardstick:>8.2f}")


if __name__ == "__main__":
    main()
