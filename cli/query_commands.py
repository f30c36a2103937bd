"""`graphkit query ...`: questions about the graph itself, over a portfolio
file (NetworkX) or Neo4j (the Cypher library), answered by
`graphkit.explore` with the same columns either way."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import click

from .common import PortfolioSource, keep_read, open_store, portfolio_then, report_problems
from .output import format_option, render_rows

if TYPE_CHECKING:
    from graphkit.explore import Queries

__all__ = ["COMMANDS"]

# The driver logs the server's notices (e.g. a property no node has yet); the answers stand.
logging.getLogger("neo4j").addHandler(logging.NullHandler())


@contextmanager
def _queries(source: PortfolioSource) -> Iterator[Queries]:
    """The questions over the file's graph, or over Neo4j's Cypher library."""
    from graphkit.explore import CypherQueries, NetworkQueries

    if source.neo4j is None:
        yield NetworkQueries(source.load())
        return
    with open_store(source.neo4j) as store:

        def stored() -> Any:
            portfolio, warnings = keep_read(store.read)
            report_problems(warnings)
            return portfolio

        yield CypherQueries(store, stored)


def _print(rows: Sequence[Any], columns: Sequence[str], fmt: str, footer: str = "") -> None:
    click.echo(render_rows([r.as_dict() for r in rows], fmt, columns))
    if footer and fmt in ("table", "markdown"):
        click.echo(("\n" if fmt == "markdown" else "") + footer)


def _answer(
    source: PortfolioSource, fmt: str, ask: Callable[[Queries], tuple[Sequence[Any], Sequence[str], str]]
) -> None:
    with _queries(source) as q:
        rows, columns, footer = ask(q)
    _print(rows, columns, fmt, footer)


@click.group("query")
def query_group() -> None:
    """Ask the graph: dependencies, users, neighbourhoods, paths, nodes.

    Over a portfolio file, or over Neo4j with --neo4j (the Cypher library's
    queries, `graphkit cypher list`); the answers have the same columns either
    way, in --format table, json, csv or markdown.

    \b
    Examples:
      graphkit query deps examples/portfolio.yaml prod-veltamab
      graphkit query users examples/portfolio.yaml cmo-northbridge
      graphkit query neighbors examples/portfolio.yaml cmo-kestrel --hops 2 --type SUPPLIES,FEEDS
      graphkit query path examples/portfolio.yaml lab-eastgate client-calyx
      graphkit query find examples/portfolio.yaml --kind cmo --technologies lyophilization
      graphkit query show --neo4j cmo-northbridge
    """


@query_group.command("deps")
@portfolio_then("product")
@format_option
def deps(portfolio: PortfolioSource, product: str, fmt: str) -> None:
    """Everything PRODUCT needs, per market, tier by tier.

    Each row: a provider (or marketing partner) and its role (the step,
    distribution, marketing, or the material it feeds and to whom); tier 1 is
    direct. `certain`: its failure alone loses that market (the supply
    analysis' answer, upstream tiers and alternatives included).

    \b
    Example:
      graphkit query deps examples/portfolio.yaml prod-veltamab
    """
    from graphkit.explore import Dependency

    _answer(portfolio, fmt, lambda q: (q.deps(product), Dependency.columns(), ""))


@query_group.command("users")
@portfolio_then("node")
@format_option
def users(portfolio: PortfolioSource, node: str, fmt: str) -> None:
    """Every product and market that needs NODE (a provider or marketing
    partner), directly or through feeds; `certain`: NODE failing alone loses it.

    \b
    Example:
      graphkit query users examples/portfolio.yaml cmo-cellvault
    """
    from graphkit.explore import Use

    _answer(portfolio, fmt, lambda q: (q.users(node), Use.columns(), ""))


def _types(_ctx: click.Context, _param: click.Parameter, value: str | None) -> list[str] | None:
    return [t.strip() for t in value.split(",") if t.strip()] if value else None


@query_group.command("neighbors")
@portfolio_then("node")
@click.option(
    "--hops", type=int, default=1, show_default=True, help="How many relationships away, in either direction."
)
@click.option(
    "--type", "types", callback=_types, metavar="TYPES", help="Only these relationship types, e.g. SUPPLIES,FEEDS."
)
@format_option
def neighbors(portfolio: PortfolioSource, node: str, hops: int, types: list[str] | None, fmt: str) -> None:
    """The nodes within --hops relationships of NODE (the nodes `graphkit viz --focus` keeps).

    \b
    Example:
      graphkit query neighbors examples/portfolio.yaml cmo-kestrel --hops 2 --type SUPPLIES,FEEDS
    """
    from graphkit.explore import Neighbor

    _answer(portfolio, fmt, lambda q: (q.neighbors(node, hops, types), Neighbor.columns(), ""))


@query_group.command("path")
@portfolio_then("a", "b")
@click.option("--limit", type=int, default=10, show_default=True, help="Paths to list (the first, by node ids).")
@format_option
def path(portfolio: PortfolioSource, a: str, b: str, limit: int, fmt: str) -> None:
    """The shortest paths between A and B over any relationships, each hop
    with every relationship between its two nodes.

    \b
    Example:
      graphkit query path examples/portfolio.yaml lab-eastgate client-calyx
    """

    def ask(q: Queries) -> tuple[Sequence[Any], Sequence[str], str]:
        found = q.paths(a, b, limit)
        return found.paths, ["path", "hops", "route"], f"{len(found.paths)} of {found.total} shortest path(s)"

    _answer(portfolio, fmt, ask)


@query_group.command("find", context_settings={"ignore_unknown_options": True})
@portfolio_then(options=True)
@click.option("--kind", metavar="KIND", help="Node kind: cmo, cro, test_lab, distributor, client, product...")
@format_option
def find(portfolio: PortfolioSource, options: dict[str, str], kind: str | None, fmt: str) -> None:
    """Nodes by kind and properties: every other --PROPERTY VALUE is a
    property of the model (a list property matches when it holds VALUE),
    e.g. --kind cmo --technologies lyophilization --country IN.

    \b
    Example:
      graphkit query find examples/portfolio.yaml --kind cmo --technology lyophilization
    """

    def ask(q: Queries) -> tuple[Sequence[Any], Sequence[str], str]:
        found = q.find(kind, options)
        return found.nodes, found.columns, f"{len(found.nodes)} of {found.total} {kind or 'node'} node(s)"

    _answer(portfolio, fmt, ask)


@query_group.command("show")
@portfolio_then("node")
@format_option
def show(portfolio: PortfolioSource, node: str, fmt: str) -> None:
    """NODE's properties, its relationships and the findings that name it.

    \b
    Example:
      graphkit query show examples/portfolio.yaml cmo-northbridge
    """
    from graphkit.explore import Detail

    _answer(portfolio, fmt, lambda q: (q.show(node), Detail.columns(), ""))


COMMANDS = [query_group]
