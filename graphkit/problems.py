"""Problems found in input, and the exception that carries them all at once."""

from __future__ import annotations

import re
import reprlib
from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum
from typing import Literal

__all__ = [
    "ExitCode",
    "GraphkitError",
    "PortfolioError",
    "Problem",
    "brief",
    "closest",
    "describe_exit_codes",
    "did_you_mean",
    "printable",
    "sort_problems",
    "strict",
]


class ExitCode(IntEnum):
    """Every exit status of the `graphkit` command, the one place they are
    written: errors carry theirs (`GraphkitError.exit_code`), and the help
    texts and the README's table are made from or checked against this.

    >>> ExitCode.NEO4J_UNREACHABLE.meaning
    'Neo4j unreachable'
    >>> describe_exit_codes(ExitCode.NEO4J_UNREACHABLE, ExitCode.NEO4J_AUTH)
    '3 Neo4j unreachable, 4 Neo4j authentication failed'
    """

    OK = 0
    ERROR = 1
    USAGE = 2  # click's own code for usage errors
    NEO4J_UNREACHABLE = 3
    NEO4J_AUTH = 4
    NEO4J_NO_DATABASE = 5
    NEO4J_TOO_OLD = 6
    NEO4J_WRITER_BUSY = 7
    FINDINGS = 9

    @property
    def meaning(self) -> str:
        return _MEANINGS[self]


_MEANINGS = {
    ExitCode.OK: "success",
    ExitCode.ERROR: "invalid input or other error",
    ExitCode.USAGE: "usage error",
    ExitCode.NEO4J_UNREACHABLE: "Neo4j unreachable",
    ExitCode.NEO4J_AUTH: "Neo4j authentication failed",
    ExitCode.NEO4J_NO_DATABASE: "Neo4j database missing",
    ExitCode.NEO4J_TOO_OLD: "Neo4j server too old",
    ExitCode.NEO4J_WRITER_BUSY: "another graphkit load or write-back holds the Neo4j database",
    ExitCode.FINDINGS: "`--fail-on` found a finding at or above the level",
}


def describe_exit_codes(*codes: ExitCode) -> str:
    """Codes and their meanings, for help texts."""
    return ", ".join(f"{int(c)} {c.meaning}" for c in codes)


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong (or suspicious) in the input, and where it is."""

    location: str
    message: str
    # A note points at something worth a look that is not wrong (never fails `--strict`).
    severity: Literal["error", "warning", "note"] = "error"

    def __str__(self) -> str:
        prefix = "" if self.severity == "error" else f"{self.severity}: "
        return f"{self.location}: {prefix}{self.message}" if self.location else prefix + self.message


class GraphkitError(Exception):
    """Base of the errors graphkit reports to users (no traceback needed)."""

    exit_code: ExitCode = ExitCode.ERROR


class PortfolioError(GraphkitError):
    """The input is not a valid portfolio; `problems` lists everything wrong."""

    def __init__(self, problems: Iterable[Problem], source: str = "") -> None:
        self.problems = list(problems)
        self.source = source
        errors = sum(p.severity == "error" for p in self.problems)
        super().__init__(f"{source or 'input'}: {errors} problem(s) found")


def closest(value: object, choices: Iterable[str]) -> str | None:
    """The valid choice nearest to a mistyped value, if any is near enough."""
    import difflib  # only when a name is wrong: kept out of every command's start

    found = difflib.get_close_matches(str(value), list(choices), n=1, cutoff=0.6)
    return found[0] if found else None


def did_you_mean(value: object, choices: Iterable[str]) -> str:
    guess = closest(value, choices)
    return f" (did you mean '{guess}'?)" if guess else ""


_RANK = {"error": 0, "warning": 1, "note": 2}


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    """Errors, then warnings, then notes, each by file and line (or sheet and row)."""
    return sorted(set(problems), key=lambda p: (_RANK[p.severity], _location_key(p.location), p.message))


def strict(problems: Iterable[Problem]) -> list[Problem]:
    """The problems with every warning made an error (`--strict`); notes stay notes.

    >>> [p.severity for p in strict([Problem("a", "x", "warning"), Problem("b", "y", "note")])]
    ['error', 'note']
    """
    return [Problem(p.location, p.message, "error") if p.severity == "warning" else p for p in problems]


def _location_key(location: str) -> tuple[str, int]:
    for sep in (" row ", ":"):
        head, found, tail = location.rpartition(sep)
        if found and tail.isdigit():
            return head, int(tail)
    return location, 0


# Values quoted in messages: at most this many characters, so a huge or
# deeply nested value (an alias bomb, a 1 MB cell) cannot flood the output.
BRIEF = 60
_repr = reprlib.Repr()
_repr.maxlevel, _repr.maxlist, _repr.maxtuple, _repr.maxdict = 3, 4, 4, 4
_repr.maxstring = _repr.maxother = _repr.maxlong = BRIEF


def brief(value: object) -> str:
    """A value as quoted in a message: text as it is, anything else as its
    repr, cut to a short prefix.

    >>> brief("x" * 100)
    'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx… (100 characters)'
    >>> brief([[[[1]]], 2, 3, 4, 5])
    '[[[[...]]], 2, 3, 4, ...]'
    """
    if isinstance(value, str):
        return value if len(value) <= BRIEF else f"{value[:BRIEF]}… ({len(value):,} characters)"
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 200:
        return "a very long number"  # str() of a huge int is slow, or refused
    return _repr.repr(value)


# Control characters (C0, DEL, C1) and the bidirectional overrides that can
# reorder what a terminal shows.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str, *, keep_newlines: bool = False) -> str:
    r"""Text safe to show on a terminal: control characters and escape
    sequences from data are shown escaped, never sent raw.

    >>> print(printable("red\x1b[31m\tx"))
    red\x1b[31m\tx
    """

    def escape(m: re.Match[str]) -> str:
        c = m.group()
        if keep_newlines and c == "\n":
            return c
        return c.encode("unicode_escape").decode("ascii")

    return _UNPRINTABLE.sub(escape, text)
