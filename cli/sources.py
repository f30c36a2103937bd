"""Where a command's portfolio comes from: a file, or Neo4j with --neo4j."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click

from graphkit.model import Portfolio
from graphkit.neo4j_store import Neo4jSettings

from .neo4j_commands import neo4j_options, open_store
from .portfolio_commands import PORTFOLIO, load

__all__ = ["PortfolioSource", "portfolio_source"]

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class PortfolioSource:
    """A portfolio file or a Neo4j database; `load()` reads and validates it.
    After a load from Neo4j, `neo4j` holds the settings actually used (with
    the password asked for, if it was), so a write-back does not ask again."""

    path: Path | None = None
    neo4j: Neo4jSettings | None = None

    @property
    def name(self) -> str:
        return str(self.path) if self.path else f"Neo4j {self.neo4j.describe()}"  # type: ignore[union-attr]

    def load(self) -> Portfolio:
        if self.path is not None:
            return load(self.path)
        from .main import report_problems

        with open_store(self.neo4j) as store:  # type: ignore[arg-type]
            portfolio, warnings = store.read()
            self.neo4j = store.settings
        report_problems(warnings)
        return portfolio


def portfolio_source(func: F) -> F:
    """A PORTFOLIO argument, or --neo4j (with the connection options) to read
    the portfolio from Neo4j; the command gets `portfolio: PortfolioSource`."""

    @click.argument("portfolio", type=PORTFOLIO, required=False)
    @click.option(
        "--neo4j", "from_neo4j", is_flag=True, help="Read the portfolio from Neo4j (see --uri etc.) instead of a file."
    )
    @neo4j_options
    @functools.wraps(func)
    def wrapper(*args: Any, portfolio: Path | None, from_neo4j: bool, neo4j: Neo4jSettings, **kwargs: Any) -> Any:
        if from_neo4j == (portfolio is not None):
            raise click.UsageError("give a PORTFOLIO file, or --neo4j to read the portfolio from Neo4j")
        source = PortfolioSource(neo4j=neo4j) if from_neo4j else PortfolioSource(path=portfolio)
        return func(*args, portfolio=source, **kwargs)

    return wrapper  # type: ignore[return-value]
