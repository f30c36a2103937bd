"""Neo4j as graphkit's shared store: schema, loading a portfolio, reading it
back, writing analysis findings back, and analysts' queries.

The only module that imports the neo4j driver. `_Runner` owns the driver:
every call names the database and runs as a READ or WRITE (routed and
access-checked by the server); errors become `Neo4jStoreError` subclasses
with distinct exit codes. What is written and how it is read back (the
statements, the keys of relationships) is `graphkit.neo4j_mapping`.

Example
-------
>>> settings = Neo4jSettings("bolt://localhost:7687", "neo4j", "secret")
>>> settings
Neo4jSettings(uri='bolt://localhost:7687', user='neo4j', database='neo4j')
>>> with Neo4jStore(settings) as store:  # doctest: +SKIP
...     store.load(portfolio, replace=True)
...     back, warnings = store.read()
"""

from __future__ import annotations

import base64
import math
import re
import socket
import ssl
import sys
import threading
import time as _time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from enum import Enum
from functools import partial
from typing import TYPE_CHECKING, Any, Self, TypeVar
from urllib.parse import urlsplit

import neo4j
import neo4j.graph
import neo4j.spatial
import neo4j.time
from neo4j.exceptions import (
    AuthError,
    ClientError,
    ConfigurationError,
    DriverError,
    Neo4jError,
    ServiceUnavailable,
    SessionExpired,
)

from . import __version__, cypher_guard
from .defaults import BATCH_SIZE, LOCK_WAIT
from .fingerprint import FINGERPRINT_KEY, fingerprint
from .heap import collector_paused
from .model import LABELS, MODEL_LABELS, NodeKind, Portfolio, RelType
from .neo4j_mapping import (
    FINDING_TYPES,
    KEY_LABEL,
    LIVE_SOURCES,
    LOCK,
    META,
    NODE_FINDINGS,
    RELATIONSHIP_FINDINGS,
    RETIRED,
    SCORE_NODE_PROPERTIES,
    SCORE_PROPERTIES,
    SCORE_TYPES,
    STAGED,
    GraphRelationship,
    LoadPlan,
    Neo4jStoreError,
    Statement,
    finding_rows,
    graph_node_count,
    graph_to_portfolio,
    key_labels,
    merge_portfolios,
    model_labels,
    score_rows,
    section_labels,
    statement,
)
from .problems import ExitCode, Problem

if TYPE_CHECKING:
    from .analysis.relationships import RelationshipsResult

__all__ = [
    "BATCH_SIZE",
    "LOCK_WAIT",
    "MIN_VERSION",
    "SCHEMES",
    "AdministrationRefused",
    "FingerprintMismatch",
    "LoadResult",
    "Neo4jAuthError",
    "Neo4jDatabaseNotFound",
    "Neo4jSettings",
    "Neo4jSettingsError",
    "Neo4jStore",
    "Neo4jStoreError",
    "Neo4jUnavailable",
    "Neo4jVersionError",
    "QueryError",
    "ServerInfo",
    "WriteBackResult",
    "WriteRefused",
    "WriterBusy",
    "read",
    "to_plain",
]

SCHEMES = ("neo4j", "neo4j+s", "bolt", "bolt+s")
MIN_VERSION = (5, 26)
READ_TRIES = 3  # reads overtaken by a load's switch before giving up
READ_PAGE = 2_000  # nodes whose relationships one read statement returns
STAGE_SESSIONS = 2  # batches staged at once: the server works on one per core while the client packs the next
TIMEOUT = 10.0  # seconds: connecting, acquiring a connection, and a silent server
T = TypeVar("T")
Progress = Callable[[int, int], None]


# --------------------------------------------------------------------------
# settings and errors
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Neo4jSettings:
    """Where and as whom to connect. The driver reads no environment: the CLI
    fills these from options or NEO4J_URI, NEO4J_USERNAME, NEO4J_PASSWORD and
    NEO4J_DATABASE. The password is in no repr and no message."""

    uri: str
    user: str = "neo4j"
    password: str | None = field(default=None, repr=False)
    database: str = "neo4j"

    def __post_init__(self) -> None:
        parts = urlsplit(self.uri)
        if parts.scheme not in SCHEMES or not parts.hostname:
            raise Neo4jSettingsError(
                f"Neo4j URI '{_redact(self.uri)}' is not usable: give {', '.join(s + '://host:port' for s in SCHEMES)}"
            )
        if parts.username or parts.password:
            raise Neo4jSettingsError(
                f"Neo4j URI '{_redact(self.uri)}' holds a user name or password; "
                "give them as NEO4J_USERNAME / NEO4J_PASSWORD (or --user/--password)"
            )
        if not self.database:
            raise Neo4jSettingsError("the Neo4j database name is empty")
        if self.database.lower() == "system":
            raise Neo4jSettingsError(
                "database 'system' holds Neo4j's users, roles and databases, not a portfolio: "
                "give the database that holds the portfolio (--database or NEO4J_DATABASE; 'neo4j' by default)"
            )

    def describe(self) -> str:
        return f"database '{self.database}' at {self.uri}"


def _redact(uri: str) -> str:
    return re.sub(r"//[^/@]*@", "//***@", uri)


class Neo4jSettingsError(Neo4jStoreError):
    exit_code = ExitCode.USAGE


class Neo4jUnavailable(Neo4jStoreError):
    exit_code = ExitCode.NEO4J_UNREACHABLE


class Neo4jAuthError(Neo4jStoreError):
    exit_code = ExitCode.NEO4J_AUTH


class Neo4jDatabaseNotFound(Neo4jStoreError):
    exit_code = ExitCode.NEO4J_NO_DATABASE


class Neo4jVersionError(Neo4jStoreError):
    exit_code = ExitCode.NEO4J_TOO_OLD


class QueryError(Neo4jStoreError):
    """The server refused a query (syntax, missing parameter, constraint...)."""


class WriteRefused(QueryError):
    """A query run read-only tried to write."""


class AdministrationRefused(WriteRefused):
    """A read-only query that is an administration command, or reads a URL."""


class WriterBusy(Neo4jStoreError):
    """Another graphkit writer holds the lock (see `Neo4jStore.writer_lock`)."""

    exit_code = ExitCode.NEO4J_WRITER_BUSY


class FingerprintMismatch(Neo4jStoreError):
    """Write-back of results about a portfolio the database does not hold."""


@dataclass(frozen=True)
class ServerInfo:
    version: str
    edition: str


# --------------------------------------------------------------------------
# the query runner: the one owner of the driver
# --------------------------------------------------------------------------


class Mode(Enum):
    READ = neo4j.RoutingControl.READ
    WRITE = neo4j.RoutingControl.WRITE


def _driver(settings: Neo4jSettings, pool: int = 100) -> neo4j.Driver:
    """A driver whose every wait is bounded: a server that accepts the
    connection but never answers fails after `TIMEOUT` seconds."""
    try:
        return neo4j.GraphDatabase.driver(
            settings.uri,
            auth=(settings.user, settings.password or ""),
            user_agent=f"graphkit/{__version__}",
            connection_timeout=TIMEOUT,
            connection_acquisition_timeout=TIMEOUT,
            max_connection_pool_size=pool,
            max_transaction_retry_time=15.0,
            notifications_min_severity="OFF",
        )
    except (ConfigurationError, ValueError) as exc:
        raise Neo4jSettingsError(f"Neo4j URI '{_redact(settings.uri)}' is not usable: {exc}") from None


class _Runner:
    def __init__(self, settings: Neo4jSettings) -> None:
        self.settings = settings
        self.driver = _driver(settings)

    def close(self) -> None:
        self.driver.close()

    def autocommit(self, query: str, **params: Any) -> tuple[list[neo4j.Record], neo4j.ResultSummary]:
        """One auto-commit statement, not retried: for the connection check
        (fails fast) and schema changes (not allowed in transactions with writes)."""
        with self.errors(), self.driver.session(database=self.settings.database) as session:
            result = session.run(query, params)
            return list(result), result.consume()

    def query(self, query: str, mode: Mode, **params: Any) -> list[neo4j.Record]:
        """One statement in its own managed transaction (retried on transient errors)."""
        with self.errors():
            return self.driver.execute_query(
                query, params, database_=self.settings.database, routing_=mode.value
            ).records

    def transaction(
        self, work: Callable[[neo4j.ManagedTransaction], T], mode: Mode, *, notifications: bool = False
    ) -> T:
        """Several statements in one managed transaction (the driver retries
        `work` on transient errors, so it must not keep state across tries).
        The server's warnings about a query are on only with `notifications`."""
        access = neo4j.READ_ACCESS if mode is Mode.READ else neo4j.WRITE_ACCESS

        def guarded(tx: neo4j.ManagedTransaction) -> T:
            try:
                return work(tx)
            except Neo4jError as exc:  # out of memory is "transient", but trying again cannot help
                if "Memory" in (exc.code or ""):
                    raise _translate(exc, self.settings) from None
                raise

        with (
            self.errors(),
            self.driver.session(
                database=self.settings.database,
                default_access_mode=access,
                notifications_min_severity="WARNING" if notifications else "OFF",
            ) as session,
        ):
            return (session.execute_read if mode is Mode.READ else session.execute_write)(guarded)

    @contextmanager
    def errors(self) -> Iterator[None]:
        s = self.settings
        try:
            yield
        except AuthError as exc:
            raise Neo4jAuthError(
                f"Neo4j at {s.uri} rejected user '{s.user}': wrong user name or "
                f"password ({exc.code or 'unauthorized'}); check NEO4J_USERNAME and "
                "NEO4J_PASSWORD (or --user/--password)"
            ) from None
        except (ServiceUnavailable, SessionExpired, OSError) as exc:
            raise Neo4jUnavailable(
                f"cannot reach Neo4j at {s.uri} ({_reason(exc)}); "
                + (_tls_hint(s.uri) or "is the server running and NEO4J_URI right?")
            ) from None
        except Neo4jError as exc:
            raise _translate(exc, s) from None
        except ConfigurationError as exc:
            raise Neo4jSettingsError(f"Neo4j settings not usable: {exc}") from None
        except DriverError as exc:
            raise Neo4jStoreError(f"Neo4j driver error talking to {s.uri}: {exc}") from None


def _reason(exc: BaseException) -> str:
    """Why a connection failed, in a few words ("connection refused")."""
    text = str(getattr(exc, "message", None) or exc)
    found = re.findall(r"\(reason (.*?)\)\s*$", text, re.MULTILINE) or re.findall(r"\[Errno -?\d+\] ([^)\n]*)", text)
    reason = found[-1] if found else _first_line(text).rstrip(":")
    return re.sub(r"^\[Errno -?\d+\] ", "", reason).strip().rstrip(".") or "no answer"


PROBE_TIMEOUT = 2.0  # seconds for each probe of a server that could not be reached
# The Bolt handshake: magic, then four versions offered (5.0, 4.4, 4.0, 3.0).
_BOLT_HELLO = bytes.fromhex("6060b017 00000005 00000404 00000004 00000003")


def _tls_hint(uri: str) -> str:
    """When TLS is what failed, how to fix the URI ("" when the server does
    not answer either way): a +s URI at a server that answers plain Bolt,
    or a plain URI at a server that completes a TLS handshake."""
    parts = urlsplit(uri)
    where = (parts.hostname or "", parts.port or 7687)
    base = parts.scheme.removesuffix("+s")
    if parts.scheme.endswith("+s"):
        if _answers_plain_bolt(where):
            return (
                f"the server answers plain Bolt, without TLS, and {parts.scheme}:// asks for TLS: "
                f"use {base}:// (or turn TLS on in the server)"
            )
    elif _answers_tls(where):
        return f"the server asks for TLS (encrypted Bolt): use {base}+s://"
    return ""


def _answers_plain_bolt(where: tuple[str, int]) -> bool:
    """A server that answers the Bolt handshake with a version (4 bytes, 00 00 ...)."""
    try:
        with socket.create_connection(where, timeout=PROBE_TIMEOUT) as sock:
            sock.sendall(_BOLT_HELLO)
            reply = b""
            while len(reply) < 4:
                chunk = sock.recv(4 - len(reply))
                if not chunk:
                    break
                reply += chunk
    except OSError:
        return False
    return len(reply) == 4 and reply[:2] == b"\0\0"


def _answers_tls(where: tuple[str, int]) -> bool:
    """A server that completes a TLS handshake (its certificate unchecked:
    this only tells which protocol it speaks)."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        with (
            socket.create_connection(where, timeout=PROBE_TIMEOUT) as sock,
            context.wrap_socket(sock, server_hostname=where[0]),
        ):
            return True
    except (OSError, ssl.SSLError):
        return False


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else "no answer"


def _translate(exc: Neo4jError, s: Neo4jSettings) -> Neo4jStoreError:
    code = exc.code or ""
    message = _first_line(exc.message or str(exc))
    if code == "Neo.ClientError.Database.DatabaseNotFound":
        return Neo4jDatabaseNotFound(
            f"Neo4j at {s.uri} has no database '{s.database}' (Community Edition has only 'neo4j' "
            "and 'system'); set NEO4J_DATABASE or --database"
        )
    if code.startswith("Neo.ClientError.Security."):
        return Neo4jAuthError(f"Neo4j at {s.uri} refused user '{s.user}': {message} ({code})")
    if code == "Neo.ClientError.Statement.AccessMode":
        return WriteRefused("this query writes; run it with --write (queries are read-only by default)")
    if code == "Neo.ClientError.Statement.ParameterMissing":
        return QueryError(f"the query needs a parameter that was not given: {message}; pass it with --param NAME=VALUE")
    if isinstance(exc, ClientError):
        return QueryError(f"Neo4j refused the query: {message}")
    if "Memory" in code:
        return Neo4jStoreError(
            f"Neo4j ran out of transaction memory ({code}): {message}. A load with "
            "--replace and a write-back each run in one transaction: load without "
            "--replace, or raise the server's dbms.memory.transaction.total.max"
        )
    return Neo4jStoreError(f"Neo4j failed ({code or type(exc).__name__}): {message}")


# --------------------------------------------------------------------------
# results
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class LoadResult:
    nodes: int  # now stored (requirement topics included)
    relationships: int  # now stored
    changed: bool = True  # False: the database held this portfolio already; nothing was written
    nodes_before: int = 0
    relationships_before: int = 0
    fingerprint: str = ""
    seconds: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)  # seconds per phase: lock, check, stage, switch, cleanup
    warnings: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in self.__dict__.items()}


@dataclass(frozen=True)
class WriteBackResult:
    nodes: int
    relationships: int
    missing: tuple[str, ...]  # findings about nodes or relationships not in the database

    def as_dict(self) -> dict[str, Any]:
        return {"nodes": self.nodes, "relationships": self.relationships, "missing": list(self.missing)}


# --------------------------------------------------------------------------
# the store
# --------------------------------------------------------------------------


class Neo4jStore:
    """A connection to one database of one server; checks it on opening.

    Raises `Neo4jUnavailable` (exit 3), `Neo4jAuthError` (4),
    `Neo4jDatabaseNotFound` (5) or `Neo4jVersionError` (6) when the server
    cannot be used.
    """

    def __init__(self, settings: Neo4jSettings) -> None:
        self.settings = settings
        self.notices: list[str] = []
        self._runner = _Runner(settings)
        try:
            self.server = self._check_server()
        except BaseException:
            self._runner.close()
            raise

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        self._runner.close()

    def __repr__(self) -> str:
        return f"Neo4jStore({self.settings!r})"

    def _check_server(self) -> ServerInfo:
        records, _ = self._runner.autocommit(statement("store/server.cypher"))
        kernel = next((r for r in records if r["name"] == "Neo4j Kernel"), records[0])
        info = ServerInfo(kernel["version"], kernel["edition"])
        if _version_tuple(info.version) < MIN_VERSION:
            raise Neo4jVersionError(
                f"Neo4j at {self.settings.uri} is version {info.version}; graphkit "
                f"needs {'.'.join(map(str, MIN_VERSION))} or newer"
            )
        return info

    # -- schema ---------------------------------------------------------------

    def apply_schema(self) -> list[dict[str, Any]]:
        """Create graphkit's constraints and indexes where missing (idempotent);
        returns what each is and whether it was created now. When every one
        is there and online (every load after the first) this is one query."""
        wanted = []
        for label in key_labels():
            wanted.append((_schema_name(label, "id"), "constraint", "schema/constraints.cypher", label, "id"))
            if label != KEY_LABEL[NodeKind.REQUIREMENT]:
                wanted.append((_schema_name(label, "name"), "index", "schema/name_index.cypher", label, "name"))
        for label in (LOCK, META):  # the store's singleton nodes
            wanted.append((_schema_name(label, "name"), "constraint", "schema/lock_constraint.cypher", label, "name"))
        found = {r["name"]: r["state"] for r in self._runner.query(statement("store/indexes.cypher"), Mode.READ)}
        online = {name for name, state in found.items() if state == "ONLINE"}
        done = []
        for name, kind, path, label, prop in wanted:
            created = False
            if name not in online:
                _, summary = self._runner.autocommit(statement(path, name=name, label=label))
                created = summary.counters.constraints_added + summary.counters.indexes_added > 0
            done.append({"name": name, "type": kind, "label": label, "property": prop, "created": created})
        for name in _OBSOLETE_CONSTRAINTS & set(found):
            self._runner.autocommit(statement("schema/drop_constraint.cypher", name=name))
        if any(name not in online for name, *_ in wanted):
            self._runner.autocommit(statement("schema/await_indexes.cypher"), seconds=300)
        return done

    # -- the writer lock --------------------------------------------------------

    @contextmanager
    def writer_lock(self, wait: float = LOCK_WAIT) -> Iterator[None]:
        """Be the database's one graphkit writer while the block runs.

        The lock is a write lock on the one ``GraphkitLock`` node, held by a
        transaction of its own connection that stays open until the block
        ends and is then rolled back: nothing is ever committed, and when
        the process dies the server drops the connection and the lock with
        it. A second writer waits up to `wait` seconds, then gets
        `WriterBusy` (exit 7).
        """
        s = self.settings
        driver = _driver(s, pool=1)
        taken = threading.Event()
        failure: list[BaseException] = []
        session = driver.session(database=s.database)
        tx = session.begin_transaction()

        def take() -> None:
            try:
                tx.run(statement("store/lock.cypher")).consume()
            except BaseException as exc:  # reported by the waiting thread
                failure.append(exc)
            finally:
                taken.set()

        threading.Thread(target=take, name="graphkit-writer-lock", daemon=True).start()
        try:
            if not taken.wait(wait):
                raise WriterBusy(
                    f"another graphkit load or write-back is writing to {s.describe()}; waited {wait:g} s. "
                    "Try again when it has finished (a writer that died releases the lock at once)"
                )
            if failure:
                with self._runner.errors():
                    raise failure[0]
            yield
        finally:
            if taken.is_set():  # roll the lock's transaction back (nothing was committed)
                with suppress(DriverError, Neo4jError, OSError):
                    tx.close()
                    session.close()
            driver.close()  # also ends a wait still going on: the server drops its transaction
            if taken.wait(TIMEOUT):
                with suppress(DriverError, Neo4jError, OSError):
                    session.close()

    # -- load -----------------------------------------------------------------

    def meta(self) -> dict[str, Any] | None:
        """What the last load recorded (fingerprint, generation, nodes,
        relationships), or None for a database never loaded."""
        records = self._runner.query(statement("store/meta.cypher"), Mode.READ)
        return records[0].data() if records else None

    @collector_paused  # planning, the fingerprint and the driver make ~10 objects a row, none in a cycle
    def load(
        self,
        portfolio: Portfolio,
        *,
        replace: bool = False,
        progress: Progress | None = None,
        batch_size: int = BATCH_SIZE,
        lock_wait: float = LOCK_WAIT,
        source: str = "the file",
    ) -> LoadResult:
        """Write a portfolio into the database, all or nothing, at any size.

        With `replace` the database's graphkit graph becomes exactly the
        portfolio; without it, the portfolio is merged into what the
        database holds (`graphkit.neo4j_mapping.merge_portfolios`: each
        record replaces the stored record with its key, the rest is kept)
        and the merged graph is validated like a file first: a merge that
        would leave an invalid graph raises `PortfolioError` and writes
        nothing.

        How: the new graph is staged as a new generation, in batches of
        `batch_size` rows each committed on its own (memory stays bounded),
        `STAGE_SESSIONS` batches at a time, under staging labels no query of the model sees; then ONE
        transaction checks the staged counts and relabels, so the staged
        generation becomes live and the old one retired; then the retired
        generation is deleted in batches. Killed anywhere (client or
        server), the database is as before the switch or as after it, and
        the next load deletes what the dead one left. Readers see the old
        graph or the new one, never a mix.

        A portfolio whose fingerprint (`graphkit.fingerprint`) is the one
        stored, with the stored counts, changes nothing and writes nothing.
        Loads and write-backs take the writer lock (`writer_lock`).

        Nodes without a graphkit label and relationships between them are
        never touched; relationships of other types attached to graphkit
        nodes go with the generation those nodes belong to.

        `progress(done, total)` is called after each staged batch and after
        the switch (``done == total``). Raises
        `Neo4jStoreError` when two different file entries share one key.
        """
        clock = _Clock()
        with ThreadPoolExecutor(1, thread_name_prefix="graphkit-fingerprint") as background:
            stored = self.meta()
            # Is this the portfolio the database holds? Only if it makes as many
            # nodes: then the fingerprint tells, first. Otherwise it is needed only
            # at the switch and is worked out while the server stages the
            # relationships (beside the plan it would only share the interpreter with it).
            same_size = stored is not None and stored["nodes"] == graph_node_count(portfolio)
            target = portfolio
            fp = background.submit(fingerprint, target) if same_size else None

            def fingerprinted() -> Future[str]:
                """The target's fingerprint, worked out in the background from the first call."""
                nonlocal fp
                fp = fp or background.submit(fingerprint, target)
                return fp

            self.apply_schema()
            with self.writer_lock(lock_wait):
                clock.lap("lock")
                self._delete_dead_generations(batch_size)
                meta = self.meta()
                before = self._live_counts()
                problems: list[Problem] = []
                if not replace and any(before) and not (meta and meta["fingerprint"] == fingerprinted().result()):
                    stored_portfolio, _ = self.read()
                    target, problems = merge_portfolios(stored_portfolio, portfolio, source)
                    fp = None
                unchanged = (
                    meta is not None
                    and before == (meta["nodes"], meta["relationships"])
                    and meta["nodes"] == graph_node_count(target)  # else no need to wait for the fingerprint
                    and meta["fingerprint"] == fingerprinted().result()
                )
                clock.lap("check")
                plan = None
                if not unchanged:
                    plan = self._stage(target, batch_size, progress, fingerprinted)
                    clock.lap("stage")
                    self._switch(plan, fingerprinted().result())
                    clock.lap("switch")
                    if progress is not None:
                        total = len(plan.nodes) + len(plan.relationships) + 1
                        progress(total, total)
                    self._delete(RETIRED, batch_size)
                    clock.lap("cleanup")
        return LoadResult(
            plan.node_count if plan else before[0],
            plan.relationship_count if plan else before[1],
            changed=not unchanged,
            nodes_before=before[0],
            relationships_before=before[1],
            fingerprint=fingerprinted().result(),
            seconds=clock.total(),
            phases=clock.laps,
            warnings=(tuple(plan.warnings) if plan else ()) + tuple(p.message for p in problems),
        )

    def _live_counts(self) -> tuple[int, int]:
        """Live nodes of graphkit's key labels, and the model's relationships
        that start at them (from the count store: one query per label)."""
        types = "|".join(str(t) for t in RelType)
        sources = LIVE_SOURCES.split("|")

        def work(tx: neo4j.ManagedTransaction) -> tuple[int, int]:
            nodes = rels = 0
            for label in key_labels():
                query = statement("store/count_live.cypher", label=label, types=types)
                row = tx.run(query).single(strict=True)
                nodes += row["nodes"]
                rels += row["relationships"] if label in sources else 0
            return nodes, rels

        return self._runner.transaction(work, Mode.READ)

    def _stage(
        self,
        portfolio: Portfolio,
        batch_size: int,
        progress: Progress | None,
        planned: Callable[[], object],
        sessions: int = STAGE_SESSIONS,
    ) -> LoadPlan:
        """Plan the load and run its batches, each its own transaction,
        `sessions` at a time, each sent as soon as the plan makes it: nodes
        first, then the relationships between them, whose ends are sent as
        the element ids the node batches returned (a relationship batch
        waits for every node batch: all were sent before it); `planned` is
        called once the plan is made, for client work to do while the server
        stages. Batches touch only staged nodes, so their order does not
        matter; a deadlock between two of them is transient and the driver
        runs the loser again. A plan refused (`LoadPlan`) deletes what it staged."""
        eids: dict[str, str] = {}  # node id -> element id of its staged node, once every node batch is done
        nodes: list[Future[Any]] = []
        batches: list[Future[Any]] = []
        gathered = threading.Lock()

        def ends() -> dict[str, str]:
            with gathered:
                if not eids:
                    found: dict[str, str] = {}  # all or nothing: a failed node batch fails every relationship batch
                    for future in nodes:
                        ids, staged = future.result()
                        found.update(zip(ids, staged, strict=True))
                    eids.update(found)
            return eids

        def relationships(step: Statement) -> None:
            self._runner.transaction(partial(_execute, step=step, eids=ends()), Mode.WRITE)

        with ThreadPoolExecutor(sessions, thread_name_prefix="graphkit-stage") as pool:

            def send(step: Statement) -> None:
                if step.ends:
                    batches.append(pool.submit(relationships, step))
                else:
                    nodes.append(
                        pool.submit(self._runner.transaction, partial(_execute, step=step, eids=None), Mode.WRITE)
                    )
                    batches.append(nodes[-1])

            try:
                plan = LoadPlan(portfolio, batch_size, stage=send)
            except Neo4jStoreError:
                for future in batches:
                    future.cancel()
                wait(batches)
                with suppress(Neo4jStoreError):  # else the next load deletes them
                    self._delete("|".join(STAGED.values()), batch_size)
                raise
            planned()
            total = len(plan.nodes) + len(plan.relationships) + 1
            done = 0
            pending = set(batches)
            while pending:
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    error = future.exception()
                    if error is not None:  # the rest is not needed: nothing will be switched
                        for other in pending:
                            other.cancel()
                        raise error
                    done += 1
                    if progress is not None:
                        progress(done, total)
        return plan

    def _switch(self, plan: LoadPlan, fp: str) -> None:
        """The one transaction that makes the staged generation live."""

        def work(tx: neo4j.ManagedTransaction) -> None:
            wrong = []
            for label, staged in STAGED.items():
                found = tx.run(statement("load/count_staged_nodes.cypher", staged=staged)).single(strict=True)["count"]
                if found != plan.node_counts.get(label, 0):
                    wrong.append(f"{found} {staged} nodes, {plan.node_counts.get(label, 0)} planned")
            for (t, source), n in plan.relationship_counts.items():
                query = statement("load/count_staged_relationships.cypher", staged=STAGED[source], type=str(t))
                found = tx.run(query).single(strict=True)["count"]
                if found != n:
                    wrong.append(f"{found} {t} relationships from {STAGED[source]}, {n} planned")
            if wrong:
                raise Neo4jStoreError(
                    "the staged graph is not the planned one (" + "; ".join(wrong) + "); nothing was switched: "
                    "load again"
                )
            retire = statement("load/retire.cypher", label="|".join(key_labels()), labels=":".join(MODEL_LABELS))
            tx.run(retire).consume()
            for kind, labels in LABELS.items():
                provider = labels[0] == KEY_LABEL[NodeKind.CMO]
                query = statement("load/promote.cypher", staged=STAGED[labels[0]], labels=":".join(labels))
                tx.run(query, kind=str(kind) if provider else None).consume()
            tx.run(
                statement("load/set_meta.cypher"),
                fingerprint=fp,
                nodes=plan.node_count,
                relationships=plan.relationship_count,
            ).consume()

        self._runner.transaction(work, Mode.WRITE)

    def _delete(self, label: str, batch_size: int) -> None:
        self._runner.autocommit(statement("load/delete_label.cypher", label=label), batch=max(100, batch_size // 5))

    def _delete_dead_generations(self, batch_size: int) -> None:
        """Delete what a load that died left: staged nodes (never switched
        in) and a retired generation (switched out, not yet deleted)."""
        self._delete("|".join((*STAGED.values(), RETIRED)), batch_size)

    # -- read -----------------------------------------------------------------

    @collector_paused  # as a file's reading: millions of objects, no cycles
    def read(self) -> tuple[Portfolio, list[Problem]]:
        """The portfolio in the database, validated like a file.

        Records come sorted by id (nodes) or natural key (the rest): order is
        not kept in Neo4j. Locations in problems name the node or relationship,
        e.g. ``neo4j:Product{id: 'x'}``. Properties `write_back` set are
        ignored; any other unknown property is reported as a warning.
        Raises `PortfolioError` when the graph is not a valid portfolio.

        Neo4j reads committed data statement by statement: a read that a
        load's switch overtakes (the generation changed meanwhile) is made
        again, so it is all of one generation.
        """

        def work(
            tx: neo4j.ManagedTransaction,
        ) -> tuple[Any, dict[str, list[Any]], dict[RelType, list[GraphRelationship]], Any]:
            first = tx.run(statement("store/meta.cypher")).single()
            # A page of nodes, then of their relationships, per statement: a
            # record per node or relationship costs the driver more than the
            # rest of the read. Properties are made plain once, as they arrive.
            nodes: dict[str, list[Any]] = {}
            for label in section_labels().values():
                ids = tx.run(statement("store/read_node_ids.cypher", label=label)).single(strict=True)["eids"]
                nodes[label] = [
                    {"eid": eid, "labels": labels, "props": _shared(props)}
                    for page in _pages(ids)
                    for eid, labels, props in tx.run(statement("store/read_nodes.cypher"), eids=page).single(
                        strict=True
                    )["rows"]
                ]
            rels: dict[RelType, list[GraphRelationship]] = {t: [] for t in RelType}
            eids = list(dict.fromkeys(r["eid"] for records in nodes.values() for r in records))
            types = [str(t) for t in RelType]
            for page in _pages(eids):
                for r in tx.run(statement("store/read_relationships.cypher"), eids=page, types=types):
                    rels[RelType(r["type"])].extend(
                        GraphRelationship(_intern(s), _intern(t), topic, _shared(props))
                        for s, t, topic, props in r["rows"]
                    )
            last = tx.run(statement("store/meta.cypher")).single()
            return first and first["generation"], nodes, rels, last and last["generation"]

        for _ in range(READ_TRIES):
            first, nodes, rels, last = self._runner.transaction(work, Mode.READ)
            if first == last:
                return graph_to_portfolio(nodes, rels, self.settings.describe())
        raise Neo4jStoreError(f"{self.settings.describe()} changed during {READ_TRIES} reads in a row; try again")

    # -- write-back -----------------------------------------------------------

    def write_back(self, results: Mapping[str, Any], *, lock_wait: float = LOCK_WAIT) -> WriteBackResult:
        """Store analysis findings as properties, for Cypher use.

        `results` is the JSON of ``graphkit analyze --format json`` (any of
        its sections may be missing); its ``portfolio_fingerprint`` must be
        the stored portfolio's (`FingerprintMismatch` otherwise: findings
        about another portfolio are never written). Nodes get
        `NODE_FINDINGS` (``is_single_point_of_failure``, ``risk_severity``,
        ``revenue_at_risk``, ``loss``, ``risk_exposure``, ``shortage_weeks``,
        ``market_recovery_weeks``, ``products_lost``...; providers ``hhi``,
        ``top1_share``, ``concentration_class``...; products
        ``requirement_conflicts``...), the SUPPLIES (or, for the distribution
        step, DISTRIBUTES) relationship of a sole-source step
        ``sole_source: true``. Earlier findings are cleared and the new ones
        set in one transaction under the writer lock, so the old findings
        stay until the new ones are in, and writing the same results twice
        changes nothing.
        """
        node_rows, rel_rows = finding_rows(results)
        written = (NODE_FINDINGS, RELATIONSHIP_FINDINGS, FINDING_TYPES)
        again = "graphkit analyze --neo4j --write-back"
        return self._write_findings(node_rows, rel_rows, results.get(FINGERPRINT_KEY), written, again, lock_wait)

    def write_relationships(
        self, result: RelationshipsResult, portfolio_fingerprint: str, *, lock_wait: float = LOCK_WAIT
    ) -> WriteBackResult:
        """Store the relationship scorecard as properties, like `write_back`
        (same fingerprint check, lock and one transaction; earlier scores
        cleared first): on each CONTRACTS_WITH `SCORE_PROPERTIES`
        (``relationship_severity``, ``relationship_findings``,
        ``relationship_explanation``, ``liaison_count``, ``skills_missing``),
        on providers with a known utilisation `SCORE_NODE_PROPERTIES`."""
        node_rows, rel_rows = score_rows(result)
        written = (SCORE_NODE_PROPERTIES, SCORE_PROPERTIES, SCORE_TYPES)
        again = "graphkit relationships --neo4j --write-back"
        return self._write_findings(node_rows, rel_rows, portfolio_fingerprint, written, again, lock_wait)

    def _write_findings(
        self,
        node_rows: list[dict[str, Any]],
        rel_rows: Mapping[tuple[RelType, str, str], list[dict[str, Any]]],
        given: Any,
        written: tuple[tuple[str, ...], tuple[str, ...], tuple[RelType, ...]],
        again: str,
        lock_wait: float,
    ) -> WriteBackResult:
        """Clear the `written` (node properties, relationship properties, on
        relationships of these types) and set the rows', under the lock in one
        transaction, when `given` is the stored portfolio's fingerprint."""
        node_names, rel_names, types = written
        cleared_nodes = {name: None for name in node_names}
        cleared_rels = {name: None for name in rel_names}

        def work(tx: neo4j.ManagedTransaction) -> tuple[set[str], set[tuple[Any, ...]]]:
            meta = tx.run(statement("store/meta.cypher")).single()
            stored = meta["fingerprint"] if meta else None
            if not isinstance(given, str) or given != stored:
                raise FingerprintMismatch(
                    (
                        f"the results carry no {FINGERPRINT_KEY} (made by an older graphkit?)"
                        if not isinstance(given, str)
                        else f"the results are of portfolio {given[:12]}…, but {self.settings.describe()} holds "
                        + (f"portfolio {stored[:12]}…" if stored else "no portfolio loaded by graphkit")
                    )
                    + f"; nothing was written. Analyse what the database holds: {again}"
                )
            for label in key_labels():
                tx.run(
                    statement("store/clear_node_findings.cypher", label=label),
                    names=list(node_names),
                    cleared=cleared_nodes,
                ).consume()
            for t in types:
                tx.run(
                    statement("store/clear_relationship_findings.cypher", type=str(t)),
                    names=list(rel_names),
                    cleared=cleared_rels,
                ).consume()
            found: set[str] = set()
            for label in key_labels():
                query = statement("store/set_node_findings.cypher", label=label)
                found.update(r["id"] for r in tx.run(query, rows=node_rows))
            marked: set[tuple[Any, ...]] = set()
            for (t, source, target), rows in rel_rows.items():
                query = statement("store/set_relationship_findings.cypher", type=str(t), source=source, target=target)
                marked.update((r["source"], r["target"], r["step"]) for r in tx.run(query, rows=rows))
            return found, marked

        with self.writer_lock(lock_wait):
            found, marked = self._runner.transaction(work, Mode.WRITE)
        missing = [f"node '{row['id']}'" for row in node_rows if row["id"] not in found]
        missing += [
            f"{t} {r['source']} -> {r['target']}" + (f" ({r['step']})" if r["step"] else "")
            for (t, _, _), rows in rel_rows.items()
            for r in rows
            if (r["source"], r["target"], r["step"]) not in marked
        ]
        return WriteBackResult(len(found), len(marked), tuple(missing))

    # -- queries and status -----------------------------------------------------

    def run_query(
        self,
        text: str,
        params: Mapping[str, Any] | None = None,
        *,
        write: bool = False,
        admin: bool = False,
        load_csv: bool = False,
        library: bool = False,
    ) -> tuple[list[str], list[dict[str, Any]]]:
        """Run an analyst's Cypher; returns (columns, rows of JSON-able values).

        Read-only unless `write`: the server refuses a write in a read
        transaction (`WriteRefused`). Administration commands (users, roles,
        databases, SHOW/TERMINATE TRANSACTIONS, SHOW SETTINGS, DBMS
        procedures) unless `admin`, and LOAD CSV unless `load_csv`, raise
        `AdministrationRefused` before anything runs (`graphkit.cypher_guard`:
        the server plans the statement and the plan is read). Nodes become
        their properties plus ``_labels``, relationships their properties
        plus ``_type``, ``_start`` and ``_end`` (the ends' ids), paths
        ``{"nodes": [...], "relationships": [...]}``, temporal values ISO
        text. The server's warnings about the query (e.g. an unknown label)
        are left in `notices`, each once; for a `library` query (written
        against the model) those saying a label, type or property key does
        not exist are dropped: they only mean the database holds no such
        data (e.g. no per-market revenue).
        """

        def work(tx: neo4j.ManagedTransaction) -> tuple[list[str], list[dict[str, Any]], list[str]]:
            result = tx.run(text, dict(params or {}))
            keys = list(result.keys())
            rows = [dict(zip(keys, (to_plain(v) for v in record.values()), strict=True)) for record in result]
            notices = [
                re.sub(r"^warn: ", "", g.status_description)
                for g in result.consume().gql_status_objects
                if g.is_notification
                and g.severity == neo4j.NotificationSeverity.WARNING
                and not (library and g.gql_status in _ABSENT_NAME_STATUSES)
            ]
            return keys, rows, list(dict.fromkeys(notices))

        self._check_statement(text, params, admin=admin, load_csv=load_csv)
        keys, rows, self.notices = self._runner.transaction(
            work, Mode.WRITE if write else Mode.READ, notifications=True
        )
        return keys, rows

    def _check_statement(self, text: str, params: Mapping[str, Any] | None, *, admin: bool, load_csv: bool) -> None:
        """Refuse what `cypher_guard.refusal` names in the server's plan of
        `text`; a statement prefixed PROFILE is planned as EXPLAIN instead."""
        try:
            plan, kind = self._runner.transaction(partial(_plan, text=text, params=params, admin=admin), Mode.READ)
        except _ProfiledError:
            text = re.sub(r"\bPROFILE\b", "EXPLAIN", text, count=1, flags=re.IGNORECASE)
            try:
                plan, kind = self._runner.transaction(partial(_plan, text=text, params=params, admin=admin), Mode.READ)
            except _ProfiledError:
                raise AdministrationRefused("the statement could not be checked (EXPLAIN and PROFILE mixed)") from None
        why = cypher_guard.refusal(plan, kind, admin=admin, load_csv=load_csv)
        if why:
            raise AdministrationRefused(why)

    def status(self) -> dict[str, Any]:
        """Server version and edition, and how many nodes of each graphkit
        label and relationships of each type the database holds."""

        def work(tx: neo4j.ManagedTransaction) -> dict[str, Any]:
            nodes = {
                label: tx.run(statement("store/count_nodes.cypher", label=label)).single(strict=True)["count"]
                for label in model_labels()
            }
            rels = {
                str(t): sum(
                    tx.run(statement("store/count_relationships.cypher", type=str(t), label=label)).single(strict=True)[
                        "count"
                    ]
                    for label in LIVE_SOURCES.split("|")
                )
                for t in RelType
            }
            return {"nodes": nodes, "relationships": rels}

        counts = self._runner.transaction(work, Mode.READ)
        return {
            "uri": self.settings.uri,
            "database": self.settings.database,
            "version": self.server.version,
            "edition": self.server.edition,
            **counts,
        }


def read(settings: Neo4jSettings) -> tuple[Portfolio, list[Problem]]:
    """The portfolio stored in Neo4j and its warnings (see `Neo4jStore.read`)."""
    with Neo4jStore(settings) as store:
        return store.read()


# GQL statuses of "label / relationship type / property key does not exist".
_ABSENT_NAME_STATUSES = frozenset({"01N50", "01N51", "01N52"})


def _plan(
    tx: neo4j.ManagedTransaction, text: str, params: Mapping[str, Any] | None, *, admin: bool
) -> tuple[Mapping[str, Any], str]:
    """The server's plan of `text` and its query type (EXPLAIN runs nothing)."""
    try:
        summary = tx.run("EXPLAIN " + text, dict(params or {})).consume()
    except ClientError as exc:
        if exc.code in cypher_guard.ADMIN_ERROR_CODES and not admin:
            raise AdministrationRefused(
                f"this statement is an administration command ({_first_line(exc.message or '')}); "
                "it is refused unless asked for with --admin"
            ) from None
        if exc.code == "Neo.ClientError.Statement.ArgumentError" and "execution mode" in (exc.message or ""):
            raise _ProfiledError from None
        raise
    return summary.plan or {}, summary.query_type or ""


class _ProfiledError(Exception):
    """The statement is prefixed PROFILE, which EXPLAIN conflicts with."""


def _schema_name(label: str, prop: str) -> str:
    """The name of graphkit's constraint or index on `label`'s `prop`,
    e.g. graphkit_marketing_partner_id, graphkit_lock_name."""
    snake = re.sub(r"(?<!^)(?=[A-Z])", "_", label).lower()
    return f"{snake if snake.startswith('graphkit_') else 'graphkit_' + snake}_{prop}"


# Constraints of earlier graphkits, dropped where found: the staging labels'
# ids (staged nodes are now found by element id, so staging maintains no index).
_OBSOLETE_CONSTRAINTS = frozenset(_schema_name(label, "id") for label in STAGED.values())


def _version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(x) for x in re.findall(r"\d+", version)[:3])


class _Rows(list[Any]):
    """A batch's rows as a statement parameter. The driver formats every
    statement's parameters for its debug log whether that log is on or not
    (a tenth of a load's client CPU): a batch's text says only its length."""

    def __repr__(self) -> str:
        return f"<{len(self)} rows>"


def _execute(tx: neo4j.ManagedTransaction, step: Statement, eids: Mapping[str, str] | None) -> Any:
    """Run a staging batch. A node batch (no `eids`) returns its (ids,
    element ids); a relationship batch is sent with its ends' element ids
    (rows made here, one batch at a time) and must report every row done."""
    if eids is None:
        record = tx.run(step.query, rows=_Rows(step.params["rows"])).single(strict=True)
        return record["ids"], record["eids"]
    rows = _Rows([eids[r["source"]], eids[r["target"]], r["props"]] for r in step.params["rows"])
    done = tx.run(step.query, rows=rows).single(strict=True)["done"]
    if done != step.expect:
        raise Neo4jStoreError(
            f"{len(rows) - done} of {len(rows)} rows found no staged node to attach to "
            "(another writer meanwhile?); nothing was switched: load again"
        )
    return None


class _Clock:
    """Seconds spent in each phase of a load, for `LoadResult.phases`."""

    def __init__(self) -> None:
        self.started = self.last = _time.monotonic()
        self.laps: dict[str, float] = {}

    def lap(self, name: str) -> None:
        now = _time.monotonic()
        self.laps[name] = round(now - self.last, 3)
        self.last = now

    def total(self) -> float:
        return round(_time.monotonic() - self.started, 3)


# --------------------------------------------------------------------------
# result values -> JSON-able Python
# --------------------------------------------------------------------------


_PLAIN = frozenset({str, int, bool, type(None)})


def to_plain(value: Any) -> Any:
    """A value from the driver as plain JSON-able Python (see `run_query`)."""
    kind = type(value)  # the common types first: a read makes millions of these calls
    if kind in _PLAIN:
        return value
    if kind is list:
        return [to_plain(v) for v in value]
    if kind is dict:  # Cypher maps have no order: sort the keys
        return {str(k): to_plain(v) for k, v in sorted(value.items())}
    if isinstance(value, (bool, int, str)):  # their subclasses (None is in _PLAIN)
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, neo4j.graph.Node):
        return {**_properties(value), "_labels": sorted(value.labels)}
    if isinstance(value, neo4j.graph.Relationship):
        return {
            **_properties(value),
            "_type": value.type,
            "_start": _end_id(value.start_node),
            "_end": _end_id(value.end_node),
        }
    if isinstance(value, neo4j.graph.Path):
        return {
            "nodes": [to_plain(n) for n in value.nodes],
            "relationships": [to_plain(r) for r in value.relationships],
        }
    # Points and durations are tuples: before lists.
    if isinstance(value, neo4j.spatial.Point):
        return {"srid": value.srid, "coordinates": list(value)}
    if isinstance(value, (neo4j.time.Date, neo4j.time.DateTime, neo4j.time.Time, neo4j.time.Duration)):
        return value.iso_format()
    if isinstance(value, Mapping):  # Cypher maps have no order: sort the keys
        return {str(k): to_plain(v) for k, v in sorted(value.items())}
    if isinstance(value, (list, tuple)):
        return [to_plain(v) for v in value]
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode("ascii")
    return str(value)


def _properties(entity: neo4j.graph.Entity) -> dict[str, Any]:
    """Properties with id and name first, the rest by name."""
    order = sorted(entity.keys(), key=lambda k: (k != "id", k != "name", k))
    return {k: to_plain(entity[k]) for k in order}


def _intern(value: Any) -> Any:
    return sys.intern(value) if type(value) is str else value


def _shared(props: Mapping[str, Any]) -> dict[str, Any]:
    """`to_plain` of a property map whose names and text values are shared
    with every other record's (the driver makes a new string each time): a
    read holds each step, kind or id once, as a parsed file does."""
    return {sys.intern(k): sys.intern(v) if type(v) is str else to_plain(v) for k, v in sorted(props.items())}


def _pages(items: list[Any]) -> Iterator[list[Any]]:
    return (items[at : at + READ_PAGE] for at in range(0, len(items), READ_PAGE))


def _end_id(node: neo4j.graph.Node | None) -> Any:
    if node is None:
        return None
    return node.get("id", node.element_id)
