"""The `graphkit` command: a click group that turns graphkit's errors into
clean messages and exit codes (0 ok, 1 error, 2 usage; see GraphkitError)."""

from __future__ import annotations

import sys
from typing import Any

import click

import graphkit
from graphkit.problems import GraphkitError, PortfolioError, printable

from . import analysis_commands, import_commands, neo4j_commands, portfolio_commands, viz_commands

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class GraphkitGroup(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except PortfolioError as exc:
            report_problems(exc.problems)
            click.secho(printable(f"Error: {exc}; nothing was written."), fg="red", err=True)
            sys.exit(exc.exit_code)
        except GraphkitError as exc:
            click.secho(printable(f"Error: {exc}"), fg="red", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:  # writes are atomic: what was being written is gone
            click.secho("Error: interrupted; nothing was written.", fg="red", err=True)
            sys.exit(130)


def report_problems(problems: list[graphkit.Problem]) -> None:
    for p in problems:
        click.secho(printable(str(p)), fg="red" if p.severity == "error" else "yellow", err=True)


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
      graphkit report examples/portfolio.yaml -o report.html
      graphkit neo4j load examples/portfolio.yaml
    """


for module in (portfolio_commands, analysis_commands, viz_commands, neo4j_commands, import_commands):
    for command in module.COMMANDS:
        main.add_command(command)
