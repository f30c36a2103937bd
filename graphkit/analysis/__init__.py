"""Supply-risk analyses over the contract-manufacturing graph.

`analyze` runs the three analyses (single points of failure, requirement
overlap, customer concentration) and bundles their results; `findings`
flattens them into one list of rated, explained findings, which is what
`--fail-on`, CSV output and `graphkit diff` work on.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .severity import Severity

if TYPE_CHECKING:
    from ..model import Portfolio
    from .concentration import Bands, ConcentrationResult
    from .overlap import OverlapResult
    from .spof import SpofResult

__all__ = ["ANALYSES", "Analysis", "Finding", "analyze", "findings", "Bands", "Severity"]

ANALYSES = ("spof", "overlap", "concentration")

# Where findings sit in the JSON contract: (analysis, list key, subject fields).
FINDING_LISTS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("spof", "critical_nodes", ("node",)),
    ("spof", "sole_source_steps", ("product", "step")),
    ("spof", "key_person_risks", ("client", "provider")),
    ("overlap", "products", ("product",)),
    ("overlap", "providers", ("provider",)),
    ("concentration", "providers", ("provider",)),
    ("concentration", "clients", ("client",)),
    ("concentration", "conflicts_of_interest", ("provider", "product")),
)


@dataclass(frozen=True)
class Analysis:
    """The results of the analyses that were run (None for those left out)."""

    spof: SpofResult | None = None
    overlap: OverlapResult | None = None
    concentration: ConcentrationResult | None = None

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name).as_dict() for name in ANALYSES if getattr(self, name) is not None}


@dataclass(frozen=True, order=True)
class Finding:
    """One rated finding, flattened from any analysis."""

    analysis: str
    finding: str
    subject: str
    severity: Severity
    explanation: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "analysis": self.analysis,
            "finding": self.finding,
            "subject": self.subject,
            "severity": str(self.severity),
            "explanation": self.explanation,
        }


def analyze(
    portfolio: Portfolio,
    only: Iterable[str] = ANALYSES,
    bands: Bands | None = None,
    progress: Callable[[str], None] | None = None,
) -> Analysis:
    """Run the chosen analyses on a portfolio; `progress` hears the name of
    each analysis as it starts.

    Examples
    --------
    >>> from graphkit.model import Portfolio
    >>> analyze(Portfolio(), only=["spof"]).as_dict()["spof"]["critical_nodes"]
    []
    """
    chosen = set(only)
    unknown = chosen - set(ANALYSES)
    if unknown:
        raise ValueError(f"unknown analyses: {', '.join(sorted(unknown))}")
    from .concentration import Bands, customer_concentration
    from .overlap import requirement_overlap
    from .spof import spof

    runs: dict[str, Callable[[], Any]] = {
        "spof": lambda: spof(portfolio),
        "overlap": lambda: requirement_overlap(portfolio),
        "concentration": lambda: customer_concentration(portfolio, bands or Bands()),
    }
    results = {}
    for name in ANALYSES:
        if name in chosen:
            if progress:
                progress(name)
            results[name] = runs[name]()
    return Analysis(**results)


def __getattr__(name: str) -> Any:
    # The engines (and NetworkX behind them) load on first use: the command
    # line reads ANALYSES and Severity before it knows what it will run.
    if name == "Bands":
        return importlib.import_module(".concentration", __name__).Bands
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def findings(results: Mapping[str, Any]) -> Iterator[Finding]:
    """Every rated finding in analysis results (the `Analysis.as_dict()` shape,
    so results read back from JSON work too), most severe first per list."""
    for analysis, key, fields in FINDING_LISTS:
        rows = results.get(analysis, {}).get(key, [])
        ranked = sorted(rows, key=lambda r: -Severity.parse(r["severity"]))
        for row in ranked:
            yield Finding(
                analysis,
                key,
                "/".join(str(row[f]) for f in fields),
                Severity.parse(row["severity"]),
                row["explanation"],
            )
