"""The `graphkit` command: assembles the commands of the *_commands modules
under one group (see `common.GraphkitGroup` for errors and exit codes)."""

from __future__ import annotations

import click

import graphkit

from . import (
    analysis_commands,
    import_commands,
    neo4j_commands,
    portfolio_commands,
    query_commands,
    relationship_commands,
    viz_commands,
)
from .common import CONTEXT, GraphkitGroup


@click.group(cls=GraphkitGroup, context_settings=CONTEXT)
@click.version_option(graphkit.__version__, "--version", "-V", prog_name="graphkit")
def main() -> None:
    """Map pharmaceutical contract-manufacturing relationships as a graph and
    find what endangers supply.

    \b
    Examples:
      graphkit validate examples/portfolio.yaml
      graphkit analyze examples/portfolio.yaml
      graphkit whatif examples/portfolio.yaml --fail cmo-northbridge
      graphkit relationships examples/portfolio.yaml
      graphkit query deps examples/portfolio.yaml prod-veltamab
      graphkit report examples/portfolio.yaml -o report.html
      graphkit neo4j load examples/portfolio.yaml
    """


for module in (
    portfolio_commands,
    analysis_commands,
    relationship_commands,
    query_commands,
    viz_commands,
    neo4j_commands,
    import_commands,
):
    for command in module.COMMANDS:
        main.add_command(command)
