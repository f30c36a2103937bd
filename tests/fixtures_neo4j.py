"""Pytest fixtures for tests that need a real Neo4j server.

Loaded as a plugin (`pytest_plugins = ["fixtures_neo4j"]` in tests/conftest.py).

Where the connection settings come from:
  * NEO4J_URI set in the environment: NEO4J_URI, NEO4J_USERNAME (default
    neo4j), NEO4J_PASSWORD and NEO4J_DATABASE (default neo4j) from the
    environment. When NEO4J_PASSWORD is unset and .neo4j/credentials names the
    same URI, its password is used (so `eval "$(scripts/neo4j env)"` works,
    which prints everything but the password).
  * otherwise .neo4j/credentials at the repo root (or $GRAPHKIT_NEO4J_HOME),
    written by `scripts/neo4j start`.

When the server is missing or unreachable, a test that needs it is skipped on
a developer's machine, but FAILS when the CI environment variable is set: a
test that needs Neo4j must never silently skip in CI.

`neo4j_clean` deletes every node and relationship of the configured database
before the test (indexes and constraints are kept). It refuses to do that to a
server that is not on this machine unless GRAPHKIT_NEO4J_ALLOW_WIPE=1.

Community Edition has one user database, so a test run holds the server for
the whole session: an exclusive flock on a file named after the server's host
and port in the temporary directory (`server_lock_path`), taken before the first
Neo4j test and released when the run ends (or dies). A second run against the
same server waits for it (GRAPHKIT_NEO4J_TEST_LOCK_WAIT seconds, 600 by
default), then fails saying who holds it, instead of wiping the first run's
data. The lock covers the runs of one machine.
"""

from __future__ import annotations

import fcntl
import ipaddress
import json
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn
from urllib.parse import urlsplit

import neo4j
import pytest
from neo4j.exceptions import AuthError, DriverError, Neo4jError

from graphkit.model import Portfolio
from graphkit.neo4j_store import Neo4jSettings as GraphkitSettings
from graphkit.neo4j_store import Neo4jStore

REPO_ROOT = Path(__file__).resolve().parent.parent
START_HINT = "start it with `scripts/neo4j start` (from the repo root)"


@dataclass(frozen=True)
class Neo4jSettings:
    uri: str
    username: str
    password: str = field(repr=False)  # never in reprs, test ids or failure output
    database: str = "neo4j"


def credentials_file() -> Path:
    home = os.environ.get("GRAPHKIT_NEO4J_HOME")
    return (Path(home) if home else REPO_ROOT / ".neo4j") / "credentials"


def read_credentials(path: Path) -> dict[str, str]:
    """KEY=VALUE lines, as written by scripts/neo4j; {} if the file is missing."""
    try:
        text = path.read_text()
    except FileNotFoundError:
        return {}
    values = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and not key.strip().startswith("#"):
            values[key.strip()] = value.strip()
    return values


def unavailable(reason: str) -> NoReturn:
    """Skip locally; fail under CI, where a skipped Neo4j test would hide a broken setup."""
    if os.environ.get("CI"):
        pytest.fail(
            f"Neo4j is needed but {reason} (CI is set, so this fails instead of skipping); {START_HINT}", pytrace=False
        )
    pytest.skip(f"Neo4j not available: {reason}; {START_HINT}")


def load_settings() -> Neo4jSettings:
    """Settings from the environment or the credentials file (see module doc)."""
    path = credentials_file()
    env = os.environ
    if env.get("NEO4J_URI"):
        password = env.get("NEO4J_PASSWORD")
        if password is None:
            stored = read_credentials(path)
            if stored.get("NEO4J_URI") == env["NEO4J_URI"]:
                password = stored.get("NEO4J_PASSWORD")
        if password is None:
            unavailable(
                f"NEO4J_URI={env['NEO4J_URI']} is set but NEO4J_PASSWORD is not (and {path} is for another URI)"
            )
        return Neo4jSettings(
            env["NEO4J_URI"], env.get("NEO4J_USERNAME") or "neo4j", password, env.get("NEO4J_DATABASE") or "neo4j"
        )
    stored = read_credentials(path)
    missing = [k for k in ("NEO4J_URI", "NEO4J_PASSWORD") if not stored.get(k)]
    if missing:
        unavailable(
            f"NEO4J_URI is not set and {path} " + ("does not exist" if not stored else f"lacks {', '.join(missing)}")
        )
    return Neo4jSettings(
        stored["NEO4J_URI"],
        stored.get("NEO4J_USERNAME") or "neo4j",
        stored["NEO4J_PASSWORD"],
        stored.get("NEO4J_DATABASE") or "neo4j",
    )


def is_local(uri: str) -> bool:
    host = urlsplit(uri).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def empty_database(driver: neo4j.Driver, database: str, batch_size: int = 1_000) -> int:
    """Delete all nodes (and so all relationships) in batches; keep schema. Returns the count.

    Batches keep each transaction small: dbms.memory.transaction.total.max is low
    on the local server.
    """
    deleted = 0
    while True:
        records, _, _ = driver.execute_query(
            "MATCH (n) WITH n LIMIT $batch DETACH DELETE n RETURN count(*) AS deleted",
            batch=batch_size,
            database_=database,
        )
        if records[0]["deleted"] == 0:
            return deleted
        deleted += records[0]["deleted"]


@pytest.fixture(scope="session")
def neo4j_settings() -> Neo4jSettings:
    return load_settings()


def server_lock_path(uri: str) -> Path:
    """The file whose flock a test run holds on the server at `uri`."""
    parts = urlsplit(uri)
    name = f"graphkit-neo4j-tests-{parts.hostname}-{parts.port or 7687}.lock"
    return Path(tempfile.gettempdir()) / name


@contextmanager
def hold_test_lock(uri: str, wait: float) -> Iterator[Path]:
    """Be the one test run using the server at `uri`; wait up to `wait`
    seconds for another run to end, then fail naming it."""
    path = server_lock_path(uri)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    except PermissionError:  # made by another user: a read-only descriptor locks as well
        fd = os.open(path, os.O_RDONLY)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = path.read_text(errors="replace").strip() or "unknown"
                    pytest.fail(
                        f"another test run ({holder}) is using the Neo4j server at {uri}; waited {wait:g} s "
                        f"for it (GRAPHKIT_NEO4J_TEST_LOCK_WAIT). Its lock is {path}",
                        pytrace=False,
                    )
                time.sleep(0.2)
        with suppress(OSError):  # a read-only descriptor: the holder stays unnamed
            os.ftruncate(fd, 0)
            os.write(fd, f"pid {os.getpid()}, since {time.strftime('%H:%M:%S')}\n".encode())
        yield path
    finally:
        os.close(fd)


@pytest.fixture(scope="session")
def neo4j_test_lock(neo4j_settings: Neo4jSettings) -> Iterator[Path]:
    wait = float(os.environ.get("GRAPHKIT_NEO4J_TEST_LOCK_WAIT") or 600)
    with hold_test_lock(neo4j_settings.uri, wait) as path:
        yield path


@pytest.fixture(scope="session")
def neo4j_driver(neo4j_settings: Neo4jSettings, neo4j_test_lock: Path) -> Iterator[neo4j.Driver]:
    s = neo4j_settings
    try:
        driver = neo4j.GraphDatabase.driver(s.uri, auth=(s.username, s.password), connection_timeout=5)
    except (DriverError, ValueError) as exc:  # e.g. a malformed NEO4J_URI
        pytest.fail(f"cannot make a Neo4j driver for {s.uri!r}: {exc}", pytrace=False)
    try:
        driver.verify_connectivity()
        driver.execute_query("RETURN 1", database_=s.database)
    except AuthError as exc:
        # The server answers but refuses these credentials: always an error.
        driver.close()
        pytest.fail(
            f"Neo4j at {s.uri} rejected user {s.username!r} ({exc.code}); the "
            f"credentials do not match the server (stale {credentials_file()}?)",
            pytrace=False,
        )
    except (DriverError, Neo4jError, OSError) as exc:
        driver.close()
        unavailable(f"{s.uri} does not answer ({type(exc).__name__}: {exc})")
    yield driver
    driver.close()


@pytest.fixture
def neo4j_clean(neo4j_driver: neo4j.Driver, neo4j_settings: Neo4jSettings) -> Iterator[neo4j.Driver]:
    if not is_local(neo4j_settings.uri) and os.environ.get("GRAPHKIT_NEO4J_ALLOW_WIPE") != "1":
        pytest.fail(
            f"refusing to empty database {neo4j_settings.database!r} on "
            f"{neo4j_settings.uri}, which is not on this machine; set "
            "GRAPHKIT_NEO4J_ALLOW_WIPE=1 if it is a throwaway test server",
            pytrace=False,
        )
    empty_database(neo4j_driver, neo4j_settings.database)
    yield neo4j_driver


# -- graphkit's store on the test server ----------------------------------------


@pytest.fixture
def settings(neo4j_settings: Neo4jSettings) -> GraphkitSettings:
    """The test server as graphkit's connection settings."""
    s = neo4j_settings
    return GraphkitSettings(s.uri, s.username, s.password, s.database)


@pytest.fixture
def store(neo4j_clean: neo4j.Driver, settings: GraphkitSettings) -> Iterator[Neo4jStore]:
    """graphkit's store on the emptied test database."""
    with Neo4jStore(settings) as opened:
        yield opened


def canonical(portfolio: Portfolio) -> dict[str, list[str]]:
    """Records as sorted JSON: Neo4j keeps no order of records, nor of the
    lists that are relationships (a product's supply..., a liaison's providers).
    List properties (services, territories, products...) keep their order."""
    out: dict[str, list[str]] = {}
    for section, record in portfolio.records():
        for name in ("supply", "distributors", "marketed_by", "providers"):
            if name in record:
                record[name] = sorted(record[name], key=lambda v: json.dumps(v, sort_keys=True))
        out.setdefault(section, []).append(json.dumps(record, sort_keys=True))
    return {k: sorted(v) for k, v in out.items()}
