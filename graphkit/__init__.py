"""graphkit: the relationships around pharmaceutical contract manufacturing as a
graph, and what in them endangers supply."""

from .graph import to_networkx
from .io import read_portfolio, write_portfolio, write_records
from .model import Portfolio
from .problems import GraphkitError, PortfolioError, Problem
from .summary import summarize

__all__ = [
    "GraphkitError",
    "Portfolio",
    "PortfolioError",
    "Problem",
    "__version__",
    "read_portfolio",
    "summarize",
    "to_networkx",
    "write_portfolio",
    "write_records",
]
__version__ = "0.1.0"
