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

from .results import Result, ResultsError, Streamed, decode, finding_lists
from .severity import Severity

if TYPE_CHECKING:
    from ..model import Portfolio
    from .concentration import Bands, ConcentrationResult
    from .overlap import OverlapResult
    from .spof import SpofResult

__all__ = ["ANALYSES", "Analysis", "Finding", "analyses", "analyze", "findings", "read_analysis", "Bands", "Severity"]

ANALYSES = ("spof", "overlap", "concentration")


@dataclass(frozen=True)
class Analysis:
    """The results of the analyses that were run (None for those left out),
    and the fingerprint of the portfolio analysed when it was taken."""

    spof: SpofResult | None = None
    overlap: OverlapResult | None = None
    concentration: ConcentrationResult | None = None
    fingerprint: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The JSON contract: one key per analysis run, then the fingerprint."""
        data = {name: getattr(self, name).as_dict() for name in ANALYSES if getattr(self, name) is not None}
        if self.fingerprint is not None:
            from ..fingerprint import FINGERPRINT_KEY

            data[FINGERPRINT_KEY] = self.fingerprint
        return data


@dataclass(frozen=True, order=True)
class Finding(Result):
    """One rated finding, flattened from any analysis, with its numbers
    where it has them (None otherwise): revenue at risk and loss (a double
    failure's added revenue and added loss), a critical node's
    ``risk_exposure``, the weeks until its last lost market is back
    (``recovery_weeks``, None when that rests on the 52-week fallback) and
    its longest shortage (``shortage_weeks``)."""

    analysis: str
    finding: str
    subject: str
    severity: Severity
    revenue_at_risk: float | None
    loss: float | None
    risk_exposure: float | None
    recovery_weeks: float | None
    shortage_weeks: float | None
    explanation: str


def analyze(
    portfolio: Portfolio,
    only: Iterable[str] = ANALYSES,
    bands: Bands | None = None,
    progress: Callable[[str], None] | None = None,
    pairs: int | None = None,
    recovery_weeks: float | None = None,
    similar: int | None = None,
) -> Analysis:
    """Run the chosen analyses on a portfolio; `progress` hears the name of
    each analysis (and of each step of spof, as ``spof: step``) as it starts;
    `pairs` caps the double failures listed; `recovery_weeks` is the recovery
    time of providers without their own; `similar` keeps each partner's most
    similar partners only.

    Examples
    --------
    >>> from graphkit.model import Portfolio
    >>> analyze(Portfolio(), only=["spof"]).as_dict()["spof"]["critical_nodes"]
    []
    """
    return Analysis(**dict(analyses(portfolio, only, bands, progress, pairs, recovery_weeks, similar)))


def analyses(
    portfolio: Portfolio,
    only: Iterable[str] = ANALYSES,
    bands: Bands | None = None,
    progress: Callable[[str], None] | None = None,
    pairs: int | None = None,
    recovery_weeks: float | None = None,
    similar: int | None = None,
    streamed: bool = False,
) -> Iterator[tuple[str, Any]]:
    """`analyze`, one (name, result) at a time in `ANALYSES` order, each
    yielded as soon as it is done (so its output can be written before the
    next one starts); `streamed`: spof's as a `Streamed` result, each of
    its lists made as the writer reaches it.

    Examples
    --------
    >>> from graphkit.model import Portfolio
    >>> [name for name, _ in analyses(Portfolio(), only=["concentration", "spof"])]
    ['spof', 'concentration']
    """
    chosen = set(only)
    unknown = chosen - set(ANALYSES)
    if unknown:
        raise ValueError(f"unknown analyses: {', '.join(sorted(unknown))}")
    from .concentration import Bands, customer_concentration
    from .overlap import requirement_overlap
    from .spof import SpofResult, spof, spof_fields

    tell = progress or (lambda _name: None)
    spof_args = (portfolio, pairs, recovery_weeks, lambda step: tell(f"spof: {step}"))
    runs: dict[str, Callable[[], Any]] = {
        "spof": (lambda: Streamed(SpofResult, spof_fields(*spof_args))) if streamed else lambda: spof(*spof_args),
        "overlap": lambda: requirement_overlap(portfolio, similar),
        "concentration": lambda: customer_concentration(portfolio, bands or Bands()),
    }
    for name in ANALYSES:
        if name in chosen:
            tell(name)
            yield name, runs[name]()


def __getattr__(name: str) -> Any:
    # The engines (and NetworkX behind them) load on first use: the command
    # line reads ANALYSES and Severity before it knows what it will run.
    if name == "Bands":
        return importlib.import_module(".concentration", __name__).Bands
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def findings(analysis: Analysis) -> Iterator[Finding]:
    """Every rated finding of an analysis, most severe first per list.

    Examples
    --------
    >>> from graphkit.model import Portfolio
    >>> list(findings(analyze(Portfolio())))
    []
    """
    for name in ANALYSES:
        result = getattr(analysis, name)
        if result is None:
            continue
        for key, rows in finding_lists(result):
            for row in sorted(rows, key=lambda r: -r.severity):
                yield Finding(
                    name,
                    key,
                    row.subject,
                    row.severity,
                    getattr(row, "revenue_at_risk", getattr(row, "added_revenue_at_risk", None)),
                    getattr(row, "loss", getattr(row, "added_loss", None)),
                    getattr(row, "risk_exposure", None),
                    getattr(row, "recovery_weeks", None),
                    getattr(row, "shortage_weeks", None),
                    row.explanation,
                )


def read_analysis(data: Any) -> Analysis:
    """Analysis results read back from their JSON (what `Analysis.as_dict`
    writes, e.g. a saved ``graphkit analyze --format json``), checked: a
    `ResultsError` names every problem.

    Examples
    --------
    >>> read_analysis({"overlap": {"products": [], "providers": [], "partner_similarity": []}}).overlap
    OverlapResult(products=(), providers=(), partner_similarity=())
    >>> read_analysis({"overlap": {"products": [], "providers": [], "partner_similarity": [{"a": "x", "b": 2}]}})
    Traceback (most recent call last):
    ...
    graphkit.analysis.results.ResultsError: analysis results: overlap.partner_similarity[0].b: 2 is not text; ...
    """
    from ..fingerprint import FINGERPRINT_KEY
    from .concentration import ConcentrationResult
    from .overlap import OverlapResult
    from .spof import SpofResult

    if not isinstance(data, Mapping):
        raise ResultsError("analysis results must be a JSON object (graphkit analyze --format json)")
    kinds: dict[str, type[Any]] = {"spof": SpofResult, "overlap": OverlapResult, "concentration": ConcentrationResult}
    parts: dict[str, Any] = {}
    problems = []
    for name in ANALYSES:
        if name in data:
            try:
                parts[name] = decode(kinds[name], data[name], name)
            except ResultsError as err:
                problems.append(str(err).removeprefix("analysis results: "))
    fingerprint = data.get(FINGERPRINT_KEY)
    if fingerprint is not None and not isinstance(fingerprint, str):
        problems.append(f"{FINGERPRINT_KEY}: not text")
    if problems:
        raise ResultsError("analysis results: " + "; ".join(problems))
    return Analysis(**parts, fingerprint=fingerprint)
