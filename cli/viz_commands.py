"""Commands that draw: viz (an interactive network) and report (one shareable page)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from graphkit.problems import GraphkitError
from graphkit.viz.defaults import DEFAULT_MAX_NODES, DEFAULT_MAX_ROWS, RENDERERS, VIEWS, WEBGL_ABOVE

from .common import PortfolioSource, bands_option, portfolio_source, recovery_option, run_analyses

if TYPE_CHECKING:
    from graphkit.analysis import Bands

HIGHLIGHTS = ("risks", "whatif", "none")
F = TypeVar("F", bound=Callable[..., Any])


def _write(page: str, output: Path, open_it: bool) -> None:
    from graphkit.viz.network import write_html_atomic

    try:
        written = write_html_atomic(page, output)
    except OSError as exc:
        raise GraphkitError(f"cannot write {output}: {exc.strerror or exc}") from None
    click.echo(str(output))
    if open_it:
        click.launch(str(written))


def _max_nodes_option(func: F) -> F:
    return click.option(
        "--max-nodes",
        type=click.IntRange(min=1),
        default=DEFAULT_MAX_NODES,
        show_default=True,
        help="Above this many nodes a network is trimmed to the nodes of the most severe "
        "findings and their neighbours; the page says what was left out.",
    )(func)


def _open_option(func: F) -> F:
    return click.option("--open", "open_it", is_flag=True, help="Open the page in the default browser.")(func)


@click.command()
@portfolio_source
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="HTML file to write (one self-contained file).",
)
@click.option(
    "--view",
    type=click.Choice(VIEWS),
    default="all",
    show_default=True,
    help="supply: providers, products, supply/feed/distribution; commercial: clients, providers, "
    "products, contracts and ownership; requirements: partners, clients, products, "
    "requirement topics; all: everything.",
)
@click.option("--focus", metavar="ID", help="Show only this node and its neighbourhood (see --hops).")
@click.option(
    "--hops",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="Radius of the --focus neighbourhood, in undirected hops.",
)
@click.option(
    "--highlight",
    type=click.Choice(HIGHLIGHTS),
    help="risks: single points of failure and conflicts (default); whatif: what the --fail "
    "nodes take down (default when --fail is given); none: plain styling.",
)
@click.option("--fail", "fail", multiple=True, metavar="ID", help="Node failing in the what-if (repeatable).")
@_max_nodes_option
@click.option(
    "--renderer",
    type=click.Choice(RENDERERS),
    default="auto",
    show_default=True,
    help=f"vis: vis-network (pyvis's bundle); webgl: sigma.js, for large networks; auto: webgl above "
    f"{WEBGL_ABOVE:,} nodes.",
)
@click.option("--title", help="Page title.")
@_open_option
def viz(
    portfolio: PortfolioSource,
    output: Path,
    view: str,
    focus: str | None,
    hops: int,
    highlight: str | None,
    fail: tuple[str, ...],
    max_nodes: int,
    renderer: str,
    title: str | None,
    open_it: bool,
) -> None:
    """Draw a portfolio as an interactive network in one HTML file.

    Fill and shape show the kind of node (CMOs by business model, clients
    by segment, products by technology family); the border's colour its most
    severe finding, the thickest border the top 5 risks; size the money at
    risk. The supply view stands in columns of material flow. Click a
    provider to light what its failure takes down, a product to light its
    supply through every tier; filter by client, product, market or
    severity; search by name. The file works offline and loads nothing from
    the network; above a few thousand nodes it draws with WebGL.

    \b
    Examples:
      graphkit viz examples/portfolio.yaml -o network.html --open
      graphkit viz examples/portfolio.yaml --view supply -o supply.html
      graphkit viz examples/portfolio.yaml --focus cmo-kestrel --hops 2 -o kestrel.html
      graphkit viz examples/portfolio.yaml --view supply --fail cmo-northbridge -o whatif.html
    """
    highlight = highlight or ("whatif" if fail else "risks")
    if highlight == "whatif" and not fail:
        raise click.UsageError("--highlight whatif needs at least one --fail ID")
    if fail and highlight != "whatif":
        raise click.UsageError(f"--fail only works with --highlight whatif, not {highlight}")
    from graphkit.analysis import Analysis
    from graphkit.viz.views import build_view

    loaded = portfolio.load()
    analysis = Analysis() if highlight == "none" else run_analyses(loaded)
    net = build_view(
        loaded,
        view,
        analysis=analysis,
        focus=focus,
        hops=hops,
        fail=fail if highlight == "whatif" else (),
        max_nodes=max_nodes,
        title=title,
    )
    if net.trimmed:
        click.echo(
            f"{len(net.nodes):,} of {net.total_nodes:,} nodes drawn (--max-nodes {max_nodes:,}); "
            "the page lists what was left out",
            err=True,
        )
    _write(net.render(renderer=renderer), output, open_it)


@click.command()
@portfolio_source
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="HTML file to write (one self-contained file).",
)
@click.option(
    "--view",
    "views",
    type=click.Choice(VIEWS),
    multiple=True,
    help="Network view to embed (repeatable; default: supply).",
)
@click.option("--no-network", is_flag=True, help="Embed no network (a smaller page).")
@_max_nodes_option
@click.option(
    "--max-rows",
    type=click.IntRange(min=1),
    default=DEFAULT_MAX_ROWS,
    show_default=True,
    help="Rows per findings table, most severe first.",
)
@bands_option
@recovery_option
@click.option("--title", help="Page title.")
@_open_option
def report(
    portfolio: PortfolioSource,
    output: Path,
    views: tuple[str, ...],
    no_network: bool,
    max_nodes: int,
    max_rows: int,
    bands: Bands,
    recovery_weeks: float | None,
    title: str | None,
    open_it: bool,
) -> None:
    """Write one shareable HTML report of a portfolio and its analyses.

    It holds the portfolio summary, every finding of the three analyses
    (single points of failure, requirement overlap, customer concentration)
    in sortable tables with their explanations, a customer-concentration chart
    per provider, and the interactive supply network. One file, nothing
    loaded from anywhere: mail it or open it offline.

    \b
    Examples:
      graphkit report examples/portfolio.yaml -o report.html --open
      graphkit report examples/portfolio.yaml -o report.html --view supply --view requirements
      graphkit report big.json -o big-report.html --max-rows 200 --no-network
    """
    if no_network and views:
        raise click.UsageError("--no-network and --view exclude each other")
    from graphkit.viz.report import render_report

    loaded = portfolio.load()
    chosen = () if no_network else (views or ("supply",))
    page = render_report(
        loaded,
        analysis=run_analyses(loaded, bands=bands, recovery_weeks=recovery_weeks),
        source=portfolio.name,
        views=chosen,
        max_nodes=max_nodes,
        max_rows=max_rows,
        title=title,
    )
    _write(page, output, open_it)


COMMANDS = [viz, report]
