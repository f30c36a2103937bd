"""Problems found in input, and the exception that carries them all at once."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

__all__ = ["GraphkitError", "PortfolioError", "Problem", "closest", "did_you_mean", "sort_problems"]


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong (or suspicious) in the input, and where it is."""

    location: str
    message: str
    severity: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        prefix = "" if self.severity == "error" else "warning: "
        return f"{self.location}: {prefix}{self.message}" if self.location else prefix + self.message


class GraphkitError(Exception):
    """Base of the errors graphkit reports to users (no traceback needed)."""

    exit_code = 1


class PortfolioError(GraphkitError):
    """The input is not a valid portfolio; `problems` lists everything wrong."""

    def __init__(self, problems: Iterable[Problem], source: str = "") -> None:
        self.problems = list(problems)
        self.source = source
        errors = sum(p.severity == "error" for p in self.problems)
        super().__init__(f"{source or 'input'}: {errors} problem(s) found")


def closest(value: object, choices: Iterable[str]) -> str | None:
    """The valid choice nearest to a mistyped value, if any is near enough."""
    found = difflib.get_close_matches(str(value), list(choices), n=1, cutoff=0.6)
    return found[0] if found else None


def did_you_mean(value: object, choices: Iterable[str]) -> str:
    guess = closest(value, choices)
    return f" (did you mean '{guess}'?)" if guess else ""


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    """Errors before warnings, each by file and line (or sheet and row)."""
    return sorted(set(problems), key=lambda p: (p.severity != "error", _location_key(p.location), p.message))


def _location_key(location: str) -> tuple[str, int]:
    for sep in (" row ", ":"):
        head, found, tail = location.rpartition(sep)
        if found and tail.isdigit():
            return head, int(tail)
    return location, 0
