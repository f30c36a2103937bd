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
import time as _time
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Self, TypeVar
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

from . import __version__
from .model import NodeKind, Portfolio, RelType
from .neo4j_mapping import (
    FINDING_TYPES,
    KEY_LABEL,
    NODE_FINDINGS,
    RELATIONSHIP_FINDINGS,
    LoadPlan,
    Neo4jStoreError,
    Statement,
    finding_rows,
    graph_to_portfolio,
    key_labels,
    model_labels,
    section_labels,
    statement,
)
from .problems import ExitCode, Problem

__all__ = [
    "BATCH_SIZE",
    "MIN_VERSION",
    "SCHEMES",
    "TX_ROWS",
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
    "read",
    "to_plain",
]

SCHEMES = ("neo4j", "neo4j+s", "bolt", "bolt+s")
MIN_VERSION = (5, 26)
BATCH_SIZE = 5_000  # rows per statement
TX_ROWS = 50_000  # rows per transaction of a load without replace
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


class _Runner:
    def __init__(self, settings: Neo4jSettings) -> None:
        self.settings = settings
        try:
            self.driver = neo4j.GraphDatabase.driver(
                settings.uri,
                auth=(settings.user, settings.password or ""),
                user_agent=f"graphkit/{__version__}",
                connection_timeout=5.0,
                max_transaction_retry_time=15.0,
                notifications_min_severity="OFF",
            )
        except (ConfigurationError, ValueError) as exc:
            raise Neo4jSettingsError(f"Neo4j URI '{_redact(settings.uri)}' is not usable: {exc}") from None

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
                f"cannot reach Neo4j at {s.uri} ({_reason(exc)}); is the server running and NEO4J_URI right?"
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
    nodes: int  # in the file (requirement topics included)
    relationships: int  # in the file
    nodes_created: int = 0
    relationships_created: int = 0
    nodes_deleted: int = 0
    relationships_deleted: int = 0
    seconds: float = 0.0
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
        returns what each is and whether it was created now."""
        done = []
        for label in key_labels():
            snake = re.sub(r"(?<!^)(?=[A-Z])", "_", label).lower()
            for kind, path, prop in (
                ("constraint", "schema/constraints.cypher", "id"),
                ("index", "schema/name_index.cypher", "name"),
            ):
                if kind == "index" and label == KEY_LABEL[NodeKind.REQUIREMENT]:
                    continue
                name = f"graphkit_{snake}_{prop}"
                _, summary = self._runner.autocommit(statement(path, name=name, label=label))
                created = summary.counters.constraints_added + summary.counters.indexes_added > 0
                done.append({"name": name, "type": kind, "label": label, "property": prop, "created": created})
        self._runner.autocommit(statement("schema/await_indexes.cypher"), seconds=300)
        return done

    # -- load -----------------------------------------------------------------

    def load(
        self,
        portfolio: Portfolio,
        *,
        replace: bool = False,
        progress: Progress | None = None,
        batch_size: int = BATCH_SIZE,
    ) -> LoadResult:
        """Write a portfolio into the database (applying the schema first).

        Every record is upserted: a node's properties, and the relationships
        its record lists, become exactly the file's; feeds, contracts and
        requirements are upserted by their keys (see `graphkit.neo4j_mapping`). Nodes and
        relationships the file does not have are kept, unless `replace`.
        Loading the same portfolio twice changes nothing.

        Without `replace`, statements of up to `batch_size` rows commit in
        transactions of up to `TX_ROWS` rows (a small portfolio loads in one):
        memory stays bounded at any size, and an interrupted load is completed
        by running it again. With `replace`, the database's graphkit nodes and
        relationships become exactly the file's in ONE write transaction, so
        readers see the old graph or the new one, never a mix. That holds
        everything in the server's transaction state: fine up to a few
        hundred thousand nodes and relationships (about 200,000
        relationships fit in the test server's 512 MiB
        `dbms.memory.transaction.total.max`; beyond it the error says so).

        Nodes without a graphkit label and relationships of other types are
        never touched (but `replace` detaches those attached to removed nodes).

        `progress(done, total)` is called after each batch. Raises
        `Neo4jStoreError` when two different file entries share one key.
        """
        started = _time.monotonic()
        plan = LoadPlan(portfolio, batch_size)
        self.apply_schema()
        steps = plan.upserts + (plan.prune_all() if replace else plan.prune_owned())
        transactions = [steps] if replace else _group(steps, TX_ROWS)
        counts: dict[str, int] = defaultdict(int)
        done = 0
        for group in transactions:

            def work(
                tx: neo4j.ManagedTransaction, group: list[Statement] = group, offset: int = done
            ) -> dict[str, int]:
                tally: dict[str, int] = defaultdict(int)
                for i, step in enumerate(group, 1):
                    _execute(tx, step, tally)
                    if progress is not None:
                        progress(offset + i, len(steps))
                return tally

            for k, v in self._runner.transaction(work, Mode.WRITE).items():
                counts[k] += v
            done += len(group)
        return LoadResult(
            plan.node_count,
            plan.relationship_count,
            counts["nodes_created"],
            counts["relationships_created"],
            counts["nodes_deleted"],
            counts["relationships_deleted"],
            round(_time.monotonic() - started, 3),
            tuple(plan.warnings),
        )

    # -- read -----------------------------------------------------------------

    def read(self) -> tuple[Portfolio, list[Problem]]:
        """The portfolio in the database, validated like a file.

        Records come sorted by id (nodes) or natural key (the rest): order is
        not kept in Neo4j. Locations in problems name the node or relationship,
        e.g. ``neo4j:Product{id: 'x'}``. Properties `write_back` set are
        ignored; any other unknown property is reported as a warning.
        Raises `PortfolioError` when the graph is not a valid portfolio.
        """

        def work(tx: neo4j.ManagedTransaction) -> tuple[dict[str, list[Any]], dict[RelType, list[Any]]]:
            nodes = {
                label: [
                    {**r.data(), "props": to_plain(r["props"])}
                    for r in tx.run(statement("store/read_nodes.cypher", label=label))
                ]
                for label in section_labels().values()
            }
            rels = {
                t: [
                    {**r.data(), "props": to_plain(r["props"])}
                    for r in tx.run(statement("store/read_relationships.cypher", type=str(t)))
                ]
                for t in RelType
            }
            return nodes, rels

        nodes, rels = self._runner.transaction(work, Mode.READ)
        return graph_to_portfolio(nodes, rels, self.settings.describe())

    # -- write-back -----------------------------------------------------------

    def write_back(self, results: Mapping[str, Any]) -> WriteBackResult:
        """Store analysis findings as properties, for Cypher use.

        `results` is the JSON of ``graphkit analyze --format json`` (any of
        its sections may be missing). Nodes get `NODE_FINDINGS`
        (``is_single_point_of_failure``, ``risk_severity``,
        ``revenue_at_risk``, ``products_lost``...; providers ``hhi``,
        ``top1_share``, ``concentration_class``...; products
        ``requirement_conflicts``...), the SUPPLIES (or, for the distribution
        step, DISTRIBUTES) relationship of a sole-source step
        ``sole_source: true``. Earlier findings are cleared first, all in one
        transaction, so writing the same results twice changes nothing.
        """
        node_rows, rel_rows = finding_rows(results)
        cleared_nodes = {name: None for name in NODE_FINDINGS}
        cleared_rels = {name: None for name in RELATIONSHIP_FINDINGS}

        def work(tx: neo4j.ManagedTransaction) -> tuple[set[str], set[tuple[Any, ...]]]:
            for label in key_labels():
                tx.run(
                    statement("store/clear_node_findings.cypher", label=label),
                    names=list(NODE_FINDINGS),
                    cleared=cleared_nodes,
                ).consume()
            for t in FINDING_TYPES:
                tx.run(
                    statement("store/clear_relationship_findings.cypher", type=str(t)),
                    names=list(RELATIONSHIP_FINDINGS),
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
        self, text: str, params: Mapping[str, Any] | None = None, *, write: bool = False
    ) -> tuple[list[str], list[dict[str, Any]]]:
        """Run an analyst's Cypher; returns (columns, rows of JSON-able values).

        Read-only unless `write`: the server refuses a write in a read
        transaction (`WriteRefused`). Nodes become their properties plus
        ``_labels``, relationships their properties plus ``_type``,
        ``_start`` and ``_end`` (the ends' ids), paths
        ``{"nodes": [...], "relationships": [...]}``, temporal values ISO
        text. The server's warnings about the query (e.g. an unknown label)
        are left in `notices`.
        """

        def work(tx: neo4j.ManagedTransaction) -> tuple[list[str], list[dict[str, Any]], list[str]]:
            result = tx.run(text, dict(params or {}))
            keys = list(result.keys())
            rows = [dict(zip(keys, (to_plain(v) for v in record.values()), strict=True)) for record in result]
            notices = [
                re.sub(r"^warn: ", "", g.status_description)
                for g in result.consume().gql_status_objects
                if g.is_notification and g.severity == neo4j.NotificationSeverity.WARNING
            ]
            return keys, rows, notices

        keys, rows, self.notices = self._runner.transaction(
            work, Mode.WRITE if write else Mode.READ, notifications=True
        )
        return keys, rows

    def status(self) -> dict[str, Any]:
        """Server version and edition, and how many nodes of each graphkit
        label and relationships of each type the database holds."""

        def work(tx: neo4j.ManagedTransaction) -> dict[str, Any]:
            nodes = {
                label: tx.run(statement("store/count_nodes.cypher", label=label)).single(strict=True)["count"]
                for label in model_labels()
            }
            rels = {
                str(t): tx.run(statement("store/count_relationships.cypher", type=str(t))).single(strict=True)["count"]
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


def _version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(x) for x in re.findall(r"\d+", version)[:3])


def _tally(summary: neo4j.ResultSummary, tally: dict[str, int]) -> None:
    c = summary.counters
    tally["nodes_created"] += c.nodes_created
    tally["nodes_deleted"] += c.nodes_deleted
    tally["relationships_created"] += c.relationships_created
    tally["relationships_deleted"] += c.relationships_deleted


def _execute(tx: neo4j.ManagedTransaction, step: Statement, tally: dict[str, int]) -> None:
    result = tx.run(step.query, step.params)
    if step.expect is not None:
        done = result.single(strict=True)["done"]
        if done != step.expect:
            raise Neo4jStoreError(
                f"{step.expect - done} of {step.expect} rows found no node to attach to "
                "(a node was removed meanwhile?); try again"
            )
    _tally(result.consume(), tally)


def _group(steps: list[Statement], limit: int) -> list[list[Statement]]:
    """Consecutive statements in groups of at most `limit` rows (a bigger one alone)."""
    groups: list[list[Statement]] = [[]]
    rows = 0
    for step in steps:
        if groups[-1] and rows + step.rows > limit:
            groups.append([])
            rows = 0
        groups[-1].append(step)
        rows += step.rows
    return groups


# --------------------------------------------------------------------------
# result values -> JSON-able Python
# --------------------------------------------------------------------------


def to_plain(value: Any) -> Any:
    """A value from the driver as plain JSON-able Python (see `run_query`)."""
    if value is None or isinstance(value, (bool, int, str)):
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


def _end_id(node: neo4j.graph.Node | None) -> Any:
    if node is None:
        return None
    return node.get("id", node.element_id)
