"""graphkit: the relationships around pharmaceutical contract manufacturing as a
graph, and what in them endangers supply.

The names below are imported on first use, so that ``import graphkit`` (and
the command line's start) does not load the model, NetworkX or YAML until a
command needs them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

# public name -> the module that defines it
_HOME = {
    "to_networkx": ".graph",
    "read_portfolio": ".io",
    "write_portfolio": ".io",
    "write_records": ".io",
    "Portfolio": ".model",
    "GraphkitError": ".problems",
    "PortfolioError": ".problems",
    "Problem": ".problems",
    "summarize": ".summary",
}


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module 'graphkit' has no attribute {name!r}")
    value = getattr(importlib.import_module(_HOME[name], __name__), name)
    globals()[name] = value  # once found, an ordinary attribute
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
