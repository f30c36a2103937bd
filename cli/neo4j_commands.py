"""Commands for the Neo4j store (`graphkit neo4j ...`) and the analysts'
Cypher library (`graphkit cypher ...`). Their connection options and exit
codes are `common.neo4j_options` and `graphkit.problems.ExitCode`."""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from graphkit.defaults import BATCH_SIZE, LOCK_WAIT
from graphkit.problems import ExitCode, GraphkitError, describe_exit_codes, did_you_mean
from graphkit.queries import list_queries, query_info

from . import common
from .common import OUTPUT, PORTFOLIO, TO, keep_read, neo4j_options, open_store, report_problems
from .output import format_option, render_rows, to_json

if TYPE_CHECKING:
    from graphkit.neo4j_store import Neo4jSettings

__all__ = ["COMMANDS", "parse_param"]

# The driver logs retries and server notices; graphkit reports errors itself.
logging.getLogger("neo4j").addHandler(logging.NullHandler())

LARGE = 5_000  # nodes + relationships from which a load shows a progress bar
LOCK_WAIT_OPTION = click.option(
    "--lock-wait",
    type=click.FloatRange(min=0),
    default=LOCK_WAIT,
    show_default=True,
    metavar="SECONDS",
    help="How long to wait while another graphkit load or write-back writes to the database (then exit 7).",
)
NEO4J_EXIT_CODES = describe_exit_codes(
    ExitCode.NEO4J_UNREACHABLE, ExitCode.NEO4J_AUTH, ExitCode.NEO4J_NO_DATABASE, ExitCode.NEO4J_TOO_OLD
)


_INT = re.compile(r"-?(0|[1-9]\d*)")
_FLOAT = re.compile(r"-?\d+\.\d*([eE][-+]?\d+)?|-?\d+[eE][-+]?\d+")


def parse_param(text: str, *, as_text: bool = False) -> tuple[str, Any]:
    """``NAME=VALUE`` -> (name, value). Values: true/false, null, integers
    (without leading zeros: 007 stays text), decimals, and JSON lists,
    objects or "quoted text" are parsed; anything else (or everything, with
    `as_text`) is text."""
    name, sep, raw = text.partition("=")
    if not sep or not re.fullmatch(r"[A-Za-z_]\w*", name):
        raise click.BadParameter(f"'{text}' is not NAME=VALUE", param_hint="--param")
    if as_text:
        return name, raw
    if raw in ("true", "false"):
        return name, raw == "true"
    if raw == "null":
        return name, None
    if _INT.fullmatch(raw):
        return name, int(raw)
    if _FLOAT.fullmatch(raw):
        return name, float(raw)
    if raw[:1] in ("[", "{", '"'):
        try:
            return name, json.loads(raw)
        except ValueError as exc:
            raise click.BadParameter(f"{name}: not valid JSON ({exc})", param_hint="--param") from None
    return name, raw


PARAM_HELP = (
    "Query parameter NAME=VALUE (repeatable). true/false, null, numbers and JSON "
    '([...], {...}, "text") are parsed; anything else is text (so is 007).'
)


def _print_rows(columns: list[str], rows: list[dict[str, Any]], fmt: str) -> None:
    click.echo(render_rows(rows, fmt, columns) if rows or fmt != "table" else "(no rows)")


# --------------------------------------------------------------------------
# graphkit neo4j ...
# --------------------------------------------------------------------------


@click.group("neo4j")
def neo4j_group() -> None:
    """Use a Neo4j server as the shared store: load, export, schema, status.

    Connection from --uri/--user/--password/--database or NEO4J_URI,
    NEO4J_USERNAME, NEO4J_PASSWORD, NEO4J_DATABASE. Exit codes: {exit_codes}.

    \b
    Examples:
      export NEO4J_URI=bolt://localhost:7687 NEO4J_PASSWORD=...
      graphkit neo4j load examples/portfolio.yaml --replace
      graphkit neo4j export -o from-neo4j.xlsx
      graphkit neo4j status
    """


assert neo4j_group.help is not None
neo4j_group.help = neo4j_group.help.replace("{exit_codes}", NEO4J_EXIT_CODES)


@neo4j_group.command("schema")
@neo4j_options
@format_option
def schema(neo4j: Neo4jSettings, fmt: str) -> None:
    """Create graphkit's constraints and indexes where missing.

    A named uniqueness constraint on `id` per node label, and name indexes
    for lookups in Neo4j Browser. Safe to run any number of times (`load`
    applies it too).

    \b
    Example:
      graphkit neo4j schema
    """
    with open_store(neo4j) as store:
        rows = store.apply_schema()
    _print_rows(["name", "type", "label", "property", "created"], rows, fmt)


@neo4j_group.command("load")
@click.argument("portfolio", type=PORTFOLIO)
@click.option(
    "--replace",
    is_flag=True,
    help="Make the database's graphkit data exactly the file's, removing what the file no longer has.",
)
@click.option(
    "--batch-size", type=click.IntRange(min=1), default=BATCH_SIZE, show_default=True, help="Rows per statement."
)
@click.option(
    "--progress/--no-progress",
    default=None,
    help=f"Show progress on stderr: a bar on a terminal, else one line per batch "
    f"[default: for {LARGE:,}+ nodes and relationships].",
)
@LOCK_WAIT_OPTION
@neo4j_options
def load(
    portfolio: Path,
    replace: bool,
    batch_size: int,
    progress: bool | None,
    lock_wait: float,
    neo4j: Neo4jSettings,
) -> None:
    """Load a portfolio into Neo4j, all or nothing (validated first; idempotent).

    Without --replace the file's records replace the stored ones with their
    keys and the rest is kept; the merged graph is validated before anything
    is written. With --replace the graph becomes exactly the file's. Either
    way the new graph is staged and switched in at once: readers and a load
    that is killed leave the old graph or the new one, never a mix. Loading
    the same file twice writes nothing. One writer at a time (exit 7 after
    waiting for another). A progress bar shows on stderr for large files.

    \b
    Examples:
      graphkit neo4j load examples/portfolio.yaml
      graphkit neo4j load portfolio.xlsx --replace
      NEO4J_DATABASE=staging graphkit neo4j load big.json
    """
    data = common.load(portfolio)
    if progress is None:
        progress = len(data.nodes) + sum(1 for _ in data.relationships()) >= LARGE
    with open_store(neo4j) as store, _progress(progress) as report:
        result = store.load(
            data,
            replace=replace,
            progress=report,
            batch_size=batch_size,
            lock_wait=lock_wait,
            source=str(portfolio),
        )
    for warning in result.warnings:
        click.secho(f"warning: {warning}", fg="yellow", err=True)
    what = (
        f"switched in (was {result.nodes_before} nodes, {result.relationships_before} relationships)"
        if result.changed
        else "unchanged: the database held this portfolio already"
    )
    click.echo(
        f"{portfolio}: {result.nodes} nodes, {result.relationships} relationships in "
        f"{neo4j.describe()}, {what}, in {result.seconds:.1f} s"
    )


@contextmanager
def _progress(show: bool) -> Iterator[Callable[[int, int], None] | None]:
    """A load's progress on stderr: a bar on a terminal, else a line per batch
    ("loading into Neo4j: batch 3 of 34"; the last is the switch), for logs."""
    if not show:
        yield None
    elif not sys.stderr.isatty():
        yield lambda done, total: click.echo(f"loading into Neo4j: batch {done} of {total}", err=True)
    else:
        with click.progressbar(length=1, label="loading into Neo4j", file=sys.stderr, show_pos=True) as bar:

            def update(done: int, total: int) -> None:
                bar.length = total
                bar.update(done - bar.pos)

            yield update


@neo4j_group.command("export")
@OUTPUT
@TO
@neo4j_options
def export(output: Path, fmt: str | None, neo4j: Neo4jSettings) -> None:
    """Write the portfolio stored in Neo4j to a file, in any portfolio format.

    The graph is validated like a file first (problems name the node or
    relationship, e.g. neo4j:Product{id: 'x'}); nothing is written when it is
    invalid. The file appears whole or not at all.

    \b
    Examples:
      graphkit neo4j export -o portfolio.yaml
      graphkit neo4j export -o portfolio-csv --to csv
    """
    from graphkit.io import write_portfolio

    with open_store(neo4j) as store:
        portfolio, warnings = keep_read(store.read)
    report_problems(warnings)
    write_portfolio(portfolio, output, fmt)
    click.echo(str(output))


@neo4j_group.command("status")
@neo4j_options
@format_option
def status(neo4j: Neo4jSettings, fmt: str) -> None:
    """Show the server's version and how many nodes and relationships of each
    graphkit label and type the database holds.

    \b
    Examples:
      graphkit neo4j status
      graphkit neo4j status --format json
    """
    with open_store(neo4j) as store:
        info = store.status()
    if fmt == "json":
        click.echo(to_json(info))
        return
    click.echo(f"Neo4j {info['version']} {info['edition']}, {neo4j.describe()}", err=fmt != "table")
    rows = [{"element": "node", "name": k, "count": v} for k, v in info["nodes"].items()]
    rows += [{"element": "relationship", "name": k, "count": v} for k, v in info["relationships"].items()]
    click.echo(render_rows(rows, fmt))


@neo4j_group.command("write-back")
@click.argument("results", type=click.File("r", encoding="utf-8"))
@LOCK_WAIT_OPTION
@neo4j_options
def write_back(results: Any, lock_wait: float, neo4j: Neo4jSettings) -> None:
    """Store analysis findings (the JSON of `graphkit analyze --format json`)
    as properties, for Cypher use. Earlier findings are cleared first.

    Nodes get is_single_point_of_failure, risk_severity, revenue_at_risk,
    products_lost...; providers hhi, top1_share, concentration_class...;
    products requirement_conflicts; the SUPPLIES (or DISTRIBUTES) of a
    sole-source step sole_source: true. RESULTS is a file or - for stdin.

    \b
    Examples:
      graphkit analyze examples/portfolio.yaml --format json > results.json
      graphkit neo4j write-back results.json
      graphkit cypher query "MATCH (n) WHERE n.is_single_point_of_failure RETURN n.id, n.risk_severity"
    """
    try:
        data = json.load(results)
    except ValueError as exc:
        raise GraphkitError(f"{results.name}: not JSON ({exc})") from None
    with open_store(neo4j) as store:
        outcome = store.write_back(data, lock_wait=lock_wait)
    for missing in outcome.missing:
        click.secho(f"warning: {missing} is not in the database; its finding was not stored", fg="yellow", err=True)
    click.echo(
        f"findings stored on {outcome.nodes} nodes and {outcome.relationships} relationships in {neo4j.describe()}"
    )


# --------------------------------------------------------------------------
# graphkit cypher ...
# --------------------------------------------------------------------------


@click.group("cypher")
def cypher_group() -> None:
    """Run the analysts' Cypher library, or any Cypher, against Neo4j.

    The library's .cypher files (each headed by what it answers and its
    parameters) also run as they are in Neo4j Browser or cypher-shell.
    Queries run read-only unless --write is given.

    \b
    Examples:
      graphkit cypher list
      graphkit cypher run sole_source_steps
      graphkit cypher run provider_failure_impact --param provider=api-1 --format json
      graphkit cypher query "MATCH (p:Product) RETURN p.id, p.name LIMIT 5"
    """


@cypher_group.command("list")
@format_option
def list_command(fmt: str) -> None:
    """List the library's queries: name, what each answers, its parameters.

    \b
    Examples:
      graphkit cypher list
      graphkit cypher list --format json
    """
    rows = [
        {
            "name": q.name,
            "summary": q.summary,
            "params": ", ".join(f"${p.name} ({p.description})" if p.description else f"${p.name}" for p in q.params),
        }
        for q in list_queries()
    ]
    click.echo(render_rows(rows, fmt))


@cypher_group.command("show")
@click.argument("name")
def show(name: str) -> None:
    """Print a library query's Cypher (to read it or paste it into Neo4j Browser).

    \b
    Example:
      graphkit cypher show cmo_customer_shares
    """
    click.echo(query_info(name).text, nl=False)


@cypher_group.command("run")
@click.argument("name")
@click.option("--param", "-p", "params", multiple=True, metavar="NAME=VALUE", help=PARAM_HELP)
@click.option("--write", is_flag=True, help="Allow the query to write.")
@neo4j_options
@format_option
def run(name: str, params: tuple[str, ...], write: bool, neo4j: Neo4jSettings, fmt: str) -> None:
    """Run a query of the library by name (see `graphkit cypher list`).

    Parameters the query documents as ids are passed as text as given
    (--param product=123 is the text '123').

    \b
    Examples:
      graphkit cypher run cmo_customer_shares
      graphkit cypher run product_dependencies --param product=prod-1
      graphkit cypher run provider_failure_impact -p provider=api-1 --format csv
    """
    info = query_info(name)
    declared = {p.name: p for p in info.params}
    values: dict[str, Any] = {}
    for text in params:
        key = text.partition("=")[0]
        if key not in declared:
            raise click.BadParameter(
                f"query '{name}' has no parameter '{key}'{did_you_mean(key, declared)}; it takes "
                + (", ".join(f"${p}" for p in declared) or "none"),
                param_hint="--param",
            )
        key, value = parse_param(text, as_text=bool(re.search(r"\bid\b", declared[key].description)))
        values[key] = value
    missing = [p.name for p in info.params if p.name not in values and not p.optional]
    if missing:
        raise click.UsageError(
            f"query '{name}' needs " + ", ".join(f"--param {p}=... ({declared[p].description})" for p in missing)
        )
    values.update({p.name: None for p in info.params if p.name not in values})
    _run_and_print(neo4j, info.text, values, fmt, write=write, library=True)


@cypher_group.command("query")
@click.argument("text")
@click.option("--param", "-p", "params", multiple=True, metavar="NAME=VALUE", help=PARAM_HELP)
@click.option("--write", is_flag=True, help="Allow the query to write (refused by the server otherwise).")
@click.option(
    "--admin",
    is_flag=True,
    help="Allow administration commands: users, roles, databases, SHOW/TERMINATE TRANSACTIONS, "
    "SHOW SETTINGS, DBMS procedures.",
)
@click.option("--load-csv", is_flag=True, help="Allow LOAD CSV (the server fetches the URL or reads the file).")
@neo4j_options
@format_option
def query(
    text: str, params: tuple[str, ...], write: bool, admin: bool, load_csv: bool, neo4j: Neo4jSettings, fmt: str
) -> None:
    """Run any Cypher statement (TEXT, or - to read it from stdin).

    Read-only unless --write: the server itself refuses writes.
    Administration commands (which read transactions do not stop: e.g.
    TERMINATE TRANSACTIONS of another user's load) are refused unless
    --admin, and LOAD CSV unless --load-csv; the server plans the statement
    first (nothing runs) and the plan is checked. Values go in as
    $parameters, never pasted into the text. Nodes print as their
    properties plus _labels, relationships plus _type, _start and _end.

    \b
    Examples:
      graphkit cypher query "MATCH (x:CMO) RETURN x.id, x.name ORDER BY x.id"
      graphkit cypher query "MATCH (p:Product {id: \\$id}) RETURN p" --param id=prod-1 -f json
      graphkit cypher query "MATCH (p:Product {id: \\$id}) SET p.note = \\$note" \\
          -p id=prod-1 -p note='"recheck"' --write
    """
    if text == "-":
        text = sys.stdin.read()
    _run_and_print(neo4j, text, dict(parse_param(p) for p in params), fmt, write=write, admin=admin, load_csv=load_csv)


def _run_and_print(settings: Neo4jSettings, text: str, params: dict[str, Any], fmt: str, **how: bool) -> None:
    with open_store(settings) as store:
        columns, rows = store.run_query(text, params, **how)
        notices = store.notices
    for notice in notices:
        click.secho(f"warning: {notice}", fg="yellow", err=True)
    _print_rows(columns, rows, fmt)


COMMANDS = [neo4j_group, cypher_group]
