"""The local Neo4j server (scripts/neo4j) and the fixtures in fixtures_neo4j.py."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import fixtures_neo4j
import neo4j
import pytest
from fixtures_neo4j import Neo4jSettings
from neo4j.exceptions import AuthError, ClientError


@pytest.mark.neo4j
def test_server_is_neo4j_community_of_the_pinned_line(neo4j_driver, neo4j_settings):
    records, _, _ = neo4j_driver.execute_query(
        "CALL dbms.components() YIELD name, versions, edition RETURN name, versions, edition",
        database_=neo4j_settings.database,
    )
    [component] = records
    assert component["name"] == "Neo4j Kernel"
    assert component["edition"] == "community"
    wanted = os.environ.get("GRAPHKIT_NEO4J_VERSION")
    if wanted:
        assert component["versions"] == [wanted]
    else:
        assert component["versions"][0].startswith("5.26.")


@pytest.mark.neo4j
def test_write_and_read_back_with_parameters(neo4j_clean, neo4j_settings):
    db = neo4j_settings.database
    neo4j_clean.execute_query(
        """
        MERGE (c:Company {name: $cmo})
        MERGE (s:Company {name: $sponsor})
        MERGE (c)-[r:MANUFACTURES_FOR {products: $products, since: $since}]->(s)
        SET c.sites = $sites, c.share = $share, c.audited = $audited, c.note = $note
        """,
        cmo="Lonza Visp",
        sponsor="Société Pharma ÅB",
        products=["API", "fill-finish"],
        since=2019,
        sites=3,
        share=0.42,
        audited=True,
        note=None,
        database_=db,
    )
    records, _, _ = neo4j_clean.execute_query(
        """
        MATCH (c:Company)-[r:MANUFACTURES_FOR]->(s:Company {name: $sponsor})
        RETURN c.name AS cmo, r.products AS products, r.since AS since, c.sites AS sites,
               c.share AS share, c.audited AS audited, c.note AS note
        """,
        sponsor="Société Pharma ÅB",
        database_=db,
    )
    assert [r.data() for r in records] == [
        {
            "cmo": "Lonza Visp",
            "products": ["API", "fill-finish"],
            "since": 2019,
            "sites": 3,
            "share": 0.42,
            "audited": True,
            "note": None,
        }
    ]


@pytest.mark.neo4j
def test_clean_empties_data_in_batches_and_keeps_schema(neo4j_clean, neo4j_settings):
    db = neo4j_settings.database
    neo4j_clean.execute_query(
        "CREATE CONSTRAINT test_company_name IF NOT EXISTS FOR (c:Company) REQUIRE c.name IS UNIQUE", database_=db
    )
    try:
        neo4j_clean.execute_query(
            "UNWIND range(1, 25) AS i CREATE (:Company {name: 'c' + i})-[:SUPPLIES]->(:Site)", database_=db
        )
        assert fixtures_neo4j.empty_database(neo4j_clean, db, batch_size=10) == 50
        records, _, _ = neo4j_clean.execute_query("MATCH (n) RETURN count(n) AS n", database_=db)
        assert records[0]["n"] == 0
        records, _, _ = neo4j_clean.execute_query(
            "SHOW CONSTRAINTS YIELD name WHERE name = 'test_company_name' RETURN name", database_=db
        )
        assert len(records) == 1
    finally:
        neo4j_clean.execute_query("DROP CONSTRAINT test_company_name IF EXISTS", database_=db)


@pytest.mark.neo4j
def test_auth_is_on_and_a_wrong_password_is_rejected(neo4j_driver, neo4j_settings):
    s = neo4j_settings
    bad = neo4j.GraphDatabase.driver(s.uri, auth=(s.username, s.password + "-wrong"))
    with bad, pytest.raises(AuthError):
        bad.verify_connectivity()


@pytest.mark.neo4j
def test_server_refuses_a_write_in_a_read_session(neo4j_clean, neo4j_settings):
    db = neo4j_settings.database
    session = neo4j_clean.session(database=db, default_access_mode=neo4j.READ_ACCESS)
    with session, pytest.raises(ClientError) as excinfo:
        session.execute_read(lambda tx: tx.run("CREATE (:Company {name: 'x'})").consume())
    assert excinfo.value.code == "Neo.ClientError.Statement.AccessMode"
    records, _, _ = neo4j_clean.execute_query("MATCH (n) RETURN count(n) AS n", database_=db)
    assert records[0]["n"] == 0


# --- the settings and the skip/fail rule, without a server ---------------------


def test_unreachable_server_fails_under_ci_and_skips_otherwise(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="scripts/neo4j start"):
        fixtures_neo4j.unavailable("it is down")
    monkeypatch.setenv("CI", "")
    with pytest.raises(pytest.skip.Exception, match="scripts/neo4j start"):
        fixtures_neo4j.unavailable("it is down")


def test_settings_from_environment_take_the_password_from_a_matching_file(monkeypatch, tmp_path):
    (tmp_path / "credentials").write_text(
        "NEO4J_URI=bolt://127.0.0.1:1\nNEO4J_USERNAME=neo4j\nNEO4J_PASSWORD=from-file\nNEO4J_DATABASE=neo4j\n"
    )
    monkeypatch.setenv("GRAPHKIT_NEO4J_HOME", str(tmp_path))
    monkeypatch.delenv("NEO4J_PASSWORD", raising=False)
    monkeypatch.delenv("NEO4J_DATABASE", raising=False)
    monkeypatch.setenv("NEO4J_URI", "bolt://127.0.0.1:1")
    monkeypatch.setenv("NEO4J_USERNAME", "neo4j")
    assert fixtures_neo4j.load_settings() == Neo4jSettings("bolt://127.0.0.1:1", "neo4j", "from-file", "neo4j")
    monkeypatch.setenv("NEO4J_PASSWORD", "from-env")
    monkeypatch.setenv("NEO4J_DATABASE", "other")
    settings = fixtures_neo4j.load_settings()
    assert (settings.password, settings.database) == ("from-env", "other")
    assert "from-env" not in repr(settings)


def test_is_local_only_for_loopback():
    assert fixtures_neo4j.is_local("bolt://127.0.0.1:17687")
    assert fixtures_neo4j.is_local("neo4j://localhost:7687")
    assert fixtures_neo4j.is_local("bolt://[::1]:7687")
    assert not fixtures_neo4j.is_local("neo4j+s://db.example.com")
    assert not fixtures_neo4j.is_local("bolt://10.0.0.5:7687")


# --- scripts/neo4j start: one server per port ------------------------------------

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "neo4j"


def test_two_starts_on_one_port_at_the_same_moment_one_says_the_port_is_taken(tmp_path: Path) -> None:
    """Two checkouts (two server homes) start on one free port at once: the
    port's flock lets one through; the other fails at once, naming the home
    that holds the port, instead of talking to that one's server. The one
    let through is stopped before it finishes starting."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    homes = [(tmp_path / name).resolve() for name in ("first", "second")]

    def script(command: str, home: Path, **kwargs: object) -> subprocess.Popen[str]:
        env = {**os.environ, "GRAPHKIT_NEO4J_HOME": str(home), "GRAPHKIT_NEO4J_PORT": str(port)}
        return subprocess.Popen(
            [sys.executable, str(SCRIPT), command],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
            **kwargs,  # type: ignore[call-overload]
        )

    starts = [script("start", home) for home in homes]
    try:
        deadline = time.monotonic() + 60
        while all(p.poll() is None for p in starts) and time.monotonic() < deadline:
            time.sleep(0.05)
        [refused] = [i for i, p in enumerate(starts) if p.poll() is not None]
        winner = homes[1 - refused]
        _, err = starts[refused].communicate()
        assert starts[refused].returncode == 1, err
        assert re.fullmatch(
            f"scripts/neo4j: port {port} on 127.0.0.1 is taken by another graphkit Neo4j "
            f"\\(home {re.escape(str(winner))}, started by pid \\d+\\); "
            "set GRAPHKIT_NEO4J_PORT to a free port, or stop that server.",
            err.strip(),
        ), err
        assert starts[1 - refused].poll() is None  # the other is still on its way up
    finally:
        for start, home in zip(starts, homes, strict=True):
            if start.poll() is None:
                os.killpg(start.pid, signal.SIGKILL)
            start.communicate()
            script("stop", home).communicate(timeout=120)  # a server it may have launched
        (Path(tempfile.gettempdir()) / f"graphkit-neo4j-port-{port}.lock").unlink(missing_ok=True)
