"""Neo4j load speed against LOAD CSV, and what reloads and replaces cost (run
on demand, against a throwaway server; not collected by pytest).

Usage (from the project root, with a local server: scripts/neo4j start)::

    .venv/bin/python benchmarks/bench_neo4j_load.py --wipe [--sizes 10000,20000,40000,80000] [--runs 3]

EMPTIES the configured database (hence --wipe; a server on this machine only,
whose import folder this process can write). Settings from
NEO4J_URI/NEO4J_PASSWORD... or .neo4j/credentials, as the tests.

For each size, two generated portfolios of about that many relationships, A
and B (seeds 1 and 2). A first run at each size warms the server (the JVM's
compiler, query plans, the page cache) and the client for both sides alike and
is discarded (--warmup). Each run, in this order so a busy moment hits all
alike, except that LOAD CSV and the fresh load swap places from one run to the
next, so neither always comes first after a wipe:

* LOAD CSV (the yardstick): A's very nodes and relationships
  (`graphkit.neo4j_mapping.LoadPlan`'s rows, properties typed as loaded),
  written as CSV into the server's import folder beforehand, then read by
  ``LOAD CSV ... CALL { } IN TRANSACTIONS`` into an empty database with the
  same constraints: one statement per label and per relationship group,
  nothing checked, nothing all-or-nothing;
* fresh: ``Neo4jStore.load(A, replace=True)`` into an empty database (lock,
  plan, staged generation, the checked switch, cleanup);
* unchanged: ``load(A)`` again (nothing to write);
* replace: ``load(B, replace=True)`` over A;
* plain: ``load(B, replace=True)`` into an empty database, the replace's yardstick;
* then, once per run, the peak memory (largest resident set) of ``graphkit
  neo4j export`` of B beside ``graphkit convert`` of B's file to the same
  format: reading the graph back against reading the file; and beside
  convert's peak plus what importing the driver adds to a process (the one
  part of export's memory that does not depend on the portfolio), since a
  read that streams holds no more of the portfolio than a file's reading.

Wall-clock seconds (the server does most of the work, so CPU of this process
alone would flatter). Beside the load against LOAD CSV, the CPU seconds
each took, this process's and the server's (its JVM's ProcessCpuTime, read
through dbms.queryJmx) together: on a machine shared with other work, where
wall time swings with the neighbours', it tells what each side costs.
Prints one line per target and size: the figure's median, the yardstick's
median, the median of the runs' ratios, the target and whether it is met.
"""

from __future__ import annotations

import argparse
import csv
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from fixtures_neo4j import empty_database, is_local, load_settings  # noqa: E402

from graphkit import read_portfolio, write_records  # noqa: E402
from graphkit.generate import GeneratorSpec, iter_records  # noqa: E402
from graphkit.model import Portfolio  # noqa: E402
from graphkit.neo4j_mapping import LoadPlan  # noqa: E402
from graphkit.neo4j_store import BATCH_SIZE, Neo4jSettings, Neo4jStore  # noqa: E402

LIST_SEPARATOR = "\x1f"  # joins a list property's items in one CSV field


def generated(scale: int, seed: int, folder: Path) -> Portfolio:
    path = write_records(iter_records(GeneratorSpec.from_scale(scale, seed=seed)), folder / f"g{seed}.json")
    return read_portfolio(path)[0]


def timed(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


# -- the LOAD CSV yardstick ------------------------------------------------------


def _converter(values: Iterable[Any]) -> str:
    """The Cypher function that turns a CSV field back into the property's
    type ('' for text), from the Python values the load sends."""
    kinds = {type(v[0] if isinstance(v, list) and v else v) for v in values if v is not None}
    for kind, function in ((bool, "toBoolean"), (float, "toFloat"), (int, "toInteger")):
        if kind in kinds:
            return function
    return ""


def _field(value: Any) -> Any:
    if isinstance(value, list):
        return LIST_SEPARATOR.join("NaN" if isinstance(v, float) and math.isnan(v) else str(v) for v in value)
    return "" if value is None else ("true" if value is True else "false" if value is False else value)


def _assignments(variable: str, rows: list[dict[str, Any]]) -> tuple[list[str], str]:
    columns = list(dict.fromkeys(k for row in rows for k in row))
    sets = []
    for i, column in enumerate(columns):
        values = [row.get(column) for row in rows]
        function = _converter(values)
        field = f"row[{i}]"
        if any(isinstance(v, list) for v in values):
            item = f"{function}(x)" if function else "x"
            expression = f"[x IN split({field}, '{LIST_SEPARATOR}') | {item}]"
        else:
            expression = f"{function}({field})" if function else field
        sets.append(f"{variable}.`{column}` = {expression}")
    return columns, ", ".join(sets)


def csv_statements(plan: LoadPlan, folder: Path) -> list[str]:
    """Write `plan`'s rows as CSV files into `folder` (the server's import
    folder) and return the LOAD CSV statements that create the same graph
    under the live key labels. Yardstick text only: built here, with labels
    and types from the plan and every value read from the files."""
    statements = []
    groups: list[tuple[str, list[list[Any]]]] = []
    for label, rows in plan.node_rows.items():
        columns, sets = _assignments("n", rows)
        groups.append((f"CREATE (n:{label}) SET {sets}", [[_field(row.get(c)) for c in columns] for row in rows]))
    for (type_, source, target), rows in plan.relationship_rows.items():
        props = [row["props"] for row in rows]
        columns, sets = _assignments("r", props)
        sets = sets.replace("row[", "row[2+")  # the ends come first
        body = f"MATCH (a:{source} {{id: row[0]}}) MATCH (b:{target} {{id: row[1]}}) CREATE (a)-[r:{type_}]->(b)" + (
            f" SET {sets}" if sets else ""
        )
        groups.append(
            (body, [[row["source"], row["target"], *(_field(row["props"].get(c)) for c in columns)] for row in rows])
        )
    for n, (body, table) in enumerate(groups):
        name = f"graphkit-bench-{n}.csv"
        with (folder / name).open("w", newline="") as f:
            csv.writer(f).writerows(table)
        statements.append(
            f"LOAD CSV FROM 'file:///{name}' AS row CALL (row) {{ {body} }} IN TRANSACTIONS OF {BATCH_SIZE} ROWS"
        )
    return statements


# -- the runs ----------------------------------------------------------------------


def ratio_line(what: str, figure: list[float], yardstick: list[float], target: float | None) -> str:
    ratio = statistics.median(f / y for f, y in zip(figure, yardstick, strict=True))
    verdict = "reported" if target is None else "pass" if ratio <= target else "falls short"
    return (
        f"{what:<50}{statistics.median(figure):>9.2f}{statistics.median(yardstick):>11.2f}"
        f"{ratio:>8.2f}{'<= ' + format(target, 'g') if target else '':>9}  {verdict}"
    )


# Runs the command from a small interpreter: a child's peak resident set
# counts what it held before exec, so forking this large process would inflate it.
_PEAK = (
    "import os, subprocess, sys; p = subprocess.Popen(sys.argv[1:]); _, status, usage = os.wait4(p.pid, 0); "
    "print(usage.ru_maxrss, file=sys.stderr); sys.exit(os.waitstatus_to_exitcode(status))"
)


def peak_mb(argv: list[str], env: dict[str, str]) -> float:
    """The largest resident set of a whole process, in MB."""
    done = subprocess.run(
        [sys.executable, "-c", _PEAK, *argv], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env
    )
    if done.returncode != 0:
        sys.exit(f"{' '.join(argv)} failed: {done.stderr.decode(errors='replace')[-2000:]}")
    return int(done.stderr.split()[-1]) / 1024


class Bench:
    """The server, the store and the yardstick's import folder for one run."""

    def __init__(self, store: Neo4jStore, batch_size: int) -> None:
        self.store, self.batch_size = store, batch_size
        self.database = store.settings.database
        self.driver = store._runner.driver  # the yardstick goes through the same driver and server
        (setting,) = self.driver.execute_query(
            "SHOW SETTINGS YIELD name, value WHERE name = 'server.directories.import' RETURN value",
            database_=self.database,
        ).records
        self.imports = Path(setting["value"])

    def server_cpu(self) -> float:
        """The server's CPU seconds so far."""
        (record,) = self.driver.execute_query(
            "CALL dbms.queryJmx('java.lang:type=OperatingSystem') YIELD attributes "
            "RETURN attributes.ProcessCpuTime.value AS ns",
            database_=self.database,
        ).records
        return float(record["ns"]) / 1e9

    def costs(self, work: Callable[[], object], wall: list[float], cpu: list[float]) -> None:
        """Append `work`'s wall seconds to `wall`, and the CPU seconds it took
        (this process's and the server's) to `cpu`."""
        client, server = time.process_time(), self.server_cpu()
        wall.append(timed(work))
        cpu.append(time.process_time() - client + self.server_cpu() - server)

    def wipe(self) -> None:
        empty_database(self.driver, self.database, batch_size=max(100, self.batch_size // 5))

    def load_csv(self, statements: list[str], plan: LoadPlan) -> None:
        for text in statements:
            with self.driver.session(database=self.database) as session:
                session.run(text).consume()
        counts = self.driver.execute_query(
            "MATCH (n) OPTIONAL MATCH (n)-[r]->() RETURN count(DISTINCT n) AS n, count(r) AS r",
            database_=self.database,
        ).records[0]
        if (counts["n"], counts["r"]) != (plan.node_count, plan.relationship_count):
            sys.exit(f"LOAD CSV made {counts['n']} nodes, {counts['r']} relationships: not the plan's")

    def load(self, portfolio: Portfolio, *, replace: bool = False) -> None:
        self.store.load(portfolio, replace=replace, batch_size=self.batch_size)

    def size(self, size: int, runs: int, warmup: int, folder: Path) -> list[str]:
        """The target lines at one size."""
        a, b = generated(size, 1, folder), generated(size, 2, folder)
        settings = self.store.settings
        env = {
            **os.environ,
            "NEO4J_URI": settings.uri,
            "NEO4J_USERNAME": settings.user,
            "NEO4J_PASSWORD": settings.password or "",
            "NEO4J_DATABASE": settings.database,
        }
        graphkit = str(Path(sys.executable).with_name("graphkit"))
        plan = LoadPlan(a, self.batch_size)
        print(
            f"{size:,}: A {plan.node_count:,} nodes, {plan.relationship_count:,} relationships; "
            f"batches of {self.batch_size:,} rows",
            flush=True,
        )
        statements = csv_statements(plan, self.imports)
        times: dict[str, list[float]] = {
            k: []
            for k in (
                "csv",
                "fresh",
                "csv CPU",
                "fresh CPU",
                "unchanged",
                "replace",
                "plain",
                "export MB",
                "convert MB",
                "convert+driver MB",
            )
        }
        for run in range(-warmup, runs):  # negative: warming up, discarded
            first_csv = run % 2 == 0
            if first_csv:
                self.wipe()
                self.costs(lambda: self.load_csv(statements, plan), times["csv"], times["csv CPU"])
            self.wipe()
            self.costs(lambda: self.load(a, replace=True), times["fresh"], times["fresh CPU"])
            times["unchanged"].append(timed(lambda: self.load(a)))
            if not first_csv:
                self.wipe()
                self.costs(lambda: self.load_csv(statements, plan), times["csv"], times["csv CPU"])
            times["replace"].append(timed(lambda: self.load(b, replace=True)))
            self.wipe()
            times["plain"].append(timed(lambda: self.load(b, replace=True)))
            out = str(folder / "out.json")
            times["export MB"].append(peak_mb([graphkit, "neo4j", "export", "-o", out], env))
            times["convert MB"].append(peak_mb([graphkit, "convert", str(folder / "g2.json"), "-o", out], env))
            # what export holds beyond a file's reading that no reading can shed: the driver's code
            driver = peak_mb([sys.executable, "-c", "import graphkit.neo4j_store, graphkit.io"], env) - peak_mb(
                [sys.executable, "-c", "import graphkit.io"], env
            )
            times["convert+driver MB"].append(times["convert MB"][-1] + driver)
            print(
                ("  " if run >= 0 else "  (warm-up) ") + "  ".join(f"{k} {v[-1]:.2f}" for k, v in times.items()),
                flush=True,
            )
            if run < 0:
                for v in times.values():
                    v.pop()
        return [
            ratio_line(f"load {size:,} vs LOAD CSV", times["fresh"], times["csv"], 1.0),
            ratio_line(f"load {size:,} vs LOAD CSV (CPU)", times["fresh CPU"], times["csv CPU"], None),
            ratio_line(f"unchanged reload {size:,} vs load", times["unchanged"], times["fresh"], 0.3),
            ratio_line(f"--replace {size:,} vs plain load", times["replace"], times["plain"], 1.5),
            ratio_line(f"export {size:,} vs convert (MB)", times["export MB"], times["convert MB"], None),
            ratio_line(
                f"export {size:,} vs convert + the driver's code (MB)",
                times["export MB"],
                times["convert+driver MB"],
                1.1,
            ),
        ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,20000,40000,80000", help="relationships per portfolio (about)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=1, help="runs at each size made first and discarded")
    parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)
    parser.add_argument("--wipe", action="store_true", help="agree that the database is emptied")
    args = parser.parse_args()
    raw = load_settings()
    if not args.wipe or not is_local(raw.uri):
        sys.exit(f"this empties database '{raw.database}' at {raw.uri}: pass --wipe (local servers only)")
    settings = Neo4jSettings(raw.uri, raw.username, raw.password, raw.database)
    with Neo4jStore(settings) as store:
        store.apply_schema()
        bench = Bench(store, args.batch_size)
        try:
            with tempfile.TemporaryDirectory() as folder:
                lines = [
                    line
                    for size in args.sizes.split(",")
                    for line in bench.size(int(size), args.runs, args.warmup, Path(folder))
                ]
        finally:
            bench.wipe()
            for path in bench.imports.glob("graphkit-bench-*.csv"):
                path.unlink()
    header = f"{'target':<50}{'figure':>9}{'yardstick':>11}{'ratio':>8}{'target':>9}"
    print(f"\n{header}  (wall s, CPU s or peak MB, medians of {args.runs})")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
