"""Faults and concurrency against the real Neo4j server: `graphkit neo4j load`
killed (SIGKILL) at a random batch, two loads at once, two test runs at once.

The loads run as real child processes (`python -m graphkit.cli`) with small
batches and `--progress`, which prints a line to stderr after each committed
batch ("batch K of N", the last one after the switch), so a test knows where
a child is without guessing with sleeps."""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import IO, Any

import pytest
from fixtures_neo4j import canonical

from graphkit import read_portfolio, write_records
from graphkit.generate import GeneratorSpec, iter_records
from graphkit.model import Portfolio
from graphkit.neo4j_mapping import RETIRED, STAGED, LoadPlan
from graphkit.neo4j_store import Neo4jSettings, Neo4jStore
from graphkit.problems import ExitCode

SMALL = Path(__file__).with_name("small.yaml")
ROOT = Path(__file__).resolve().parent.parent
BATCH = 4  # rows per batch: a few dozen batches, each its own transaction


@pytest.fixture
def env(settings: Neo4jSettings) -> dict[str, str]:
    return {
        **os.environ,
        "NEO4J_URI": settings.uri,
        "NEO4J_USERNAME": settings.user,
        "NEO4J_PASSWORD": settings.password or "",
        "NEO4J_DATABASE": settings.database,
    }


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A portfolio of ~150 relationships that shares no id with small.yaml."""
    path = write_records(iter_records(GeneratorSpec.from_scale(150, seed=5)), tmp_path_factory.mktemp("gen") / "g.json")
    small_ids = set(read_portfolio(SMALL)[0].nodes)
    assert not small_ids & set(read_portfolio(path)[0].nodes)
    return path


def graphkit(*args: Any) -> list[str]:
    return [sys.executable, "-m", "graphkit.cli", *map(str, args)]


def start_load(env: dict[str, str], path: Path, *args: Any) -> subprocess.Popen[str]:
    return subprocess.Popen(
        graphkit("neo4j", "load", path, "--progress", "--batch-size", BATCH, *args),
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def read_until_batch(stream: IO[str], batch: int) -> int:
    """Read progress lines until "batch `batch` of N"; returns N."""
    for line in stream:
        found = re.fullmatch(r"loading into Neo4j: batch (\d+) of (\d+)", line.strip())
        if found and int(found[1]) == batch:
            return int(found[2])
    raise AssertionError(f"the load ended before batch {batch}")


def dead_nodes(driver: Any, database: str) -> int:
    """Nodes of a staged or retired generation (what a killed load leaves)."""
    labels = [*STAGED.values(), RETIRED]
    records, _, _ = driver.execute_query(
        "MATCH (n) WHERE any(l IN labels(n) WHERE l IN $labels) RETURN count(n) AS n", labels=labels, database_=database
    )
    return int(records[0]["n"])


@pytest.mark.parametrize("replace", [False, True], ids=["into-empty", "replace-existing"])
def test_a_load_killed_at_a_random_batch_leaves_the_old_graph_and_a_rerun_converges(
    replace: bool, store: Neo4jStore, env: dict[str, str], generated: Path, neo4j_driver: Any
) -> None:
    seed = random.randrange(2**32)
    old = read_portfolio(SMALL)[0] if replace else Portfolio()
    if replace:
        store.load(old)
    new = read_portfolio(generated)[0]
    plan = LoadPlan(new, BATCH)
    batches = len(plan.nodes) + len(plan.relationships)
    kill_after = random.Random(seed).randint(1, batches - 1)  # a staged batch: the switch is batch `batches + 1`
    why = f"seed {seed}: killed after batch {kill_after} of {batches} staged"

    child = start_load(env, generated, *(["--replace"] if replace else []))
    assert child.stderr is not None
    total = read_until_batch(child.stderr, kill_after)
    os.killpg(child.pid, signal.SIGKILL)
    rest = child.communicate(timeout=30)[1]
    assert child.returncode == -signal.SIGKILL, why
    assert total == batches + 1 and f"batch {total} of" not in rest, why  # killed before the switch

    assert dead_nodes(neo4j_driver, store.settings.database) > 0, why  # the kill left a staged generation
    assert canonical(store.read()[0]) == canonical(old), why  # ...which no reader sees
    assert store.status()["nodes"]["Product"] == len(old.products), why

    # The rerun, with a reader reading the whole graph over and over meanwhile:
    # every read is all of the old graph or all of the new one.
    rerun = start_load(env, generated, *(["--replace"] if replace else []))
    seen = []
    while rerun.poll() is None:
        seen.append(canonical(store.read()[0]))
    _, err = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, f"{why}\n{err}"
    either = (canonical(old), canonical(new))
    assert seen and all(read in either for read in seen), why
    assert canonical(store.read()[0]) == canonical(new), why
    assert dead_nodes(neo4j_driver, store.settings.database) == 0, why


def test_two_loads_at_once_serialise_or_the_second_exits_7(
    store: Neo4jStore, env: dict[str, str], generated: Path, neo4j_driver: Any, settings: Neo4jSettings
) -> None:
    """Load A is held in its switch (the test's open transaction creates a
    live node with the id of a node A's switch is about to make live, so A's
    waits on the unique constraint) while it holds the writer lock: a second
    load that will not wait exits 7 having written nothing; one that waits
    runs after A, on A's whole result, never between A's batches or before
    A's switch."""
    plan = LoadPlan(read_portfolio(generated)[0], BATCH)
    label, rows = next(iter(plan.node_rows.items()))
    assert len(plan.nodes) >= 2
    with neo4j_driver.session(database=settings.database) as session:
        gate = session.begin_transaction()
        gate.run(f"CREATE (:{label} {{id: $id}})", id=rows[0]["id"]).consume()
        first = start_load(env, generated, "--replace")
        assert first.stderr is not None
        read_until_batch(first.stderr, len(plan.nodes) + len(plan.relationships))  # A staged all, holds the lock

        impatient = subprocess.run(
            graphkit("neo4j", "load", SMALL, "--replace", "--lock-wait", "0.5"),
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert impatient.returncode == ExitCode.NEO4J_WRITER_BUSY, impatient.stderr
        assert impatient.stderr.startswith("Error: another graphkit load or write-back is writing to database")
        assert "Traceback" not in impatient.stderr

        patient = start_load(env, SMALL, "--replace")
        waiting_for_the_lock(neo4j_driver, settings.database)
        gate.rollback()
        out_first, err_first = first.communicate(timeout=120)
        out_patient, err_patient = patient.communicate(timeout=120)

    assert first.returncode == 0, err_first
    assert patient.returncode == 0, err_patient
    stored = re.search(r": (\d+) nodes, (\d+) relationships in", out_first)
    seen = re.search(r"was (\d+) nodes, (\d+) relationships", out_patient)
    assert stored and seen and stored.groups() == seen.groups()  # the second load began on A's whole graph
    assert canonical(store.read()[0]) == canonical(read_portfolio(SMALL)[0])
    assert dead_nodes(neo4j_driver, settings.database) == 0


def waiting_for_the_lock(driver: Any, database: str, timeout: float = 60) -> None:
    """Return once a transaction is blocked taking the writer lock."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        records, _, _ = driver.execute_query(
            "SHOW TRANSACTIONS YIELD currentQuery, status "
            "WHERE currentQuery CONTAINS 'GraphkitLock' AND status STARTS WITH 'Blocked' RETURN count(*) AS n",
            database_=database,
        )
        if records[0]["n"]:
            return
        time.sleep(0.1)
    raise AssertionError("no second load came to wait for the writer lock")


def test_a_second_test_run_on_the_same_server_fails_clearly_and_wipes_nothing(
    neo4j_clean: Any, settings: Neo4jSettings, neo4j_test_lock: Path
) -> None:
    """This run holds the server's test lock (neo4j_test_lock); a second
    pytest run of a test that empties the database gives up after its wait
    with a clear failure, and this run's data is still there."""
    neo4j_clean.execute_query("CREATE (:Marker {run: 'first'})", database_=settings.database)
    second = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/test_neo4j_server.py::test_clean_empties_data_in_batches_and_keeps_schema",
        ],
        env={
            **os.environ,
            "NEO4J_URI": settings.uri,
            "NEO4J_PASSWORD": settings.password or "",
            "GRAPHKIT_NEO4J_TEST_LOCK_WAIT": "1",
        },
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert second.returncode == 1, second.stdout
    assert f"another test run (pid {os.getpid()}, since " in second.stdout
    assert f"is using the Neo4j server at {settings.uri}; waited 1 s" in second.stdout
    records, _, _ = neo4j_clean.execute_query("MATCH (m:Marker) RETURN m.run AS run", database_=settings.database)
    assert [r["run"] for r in records] == ["first"]
