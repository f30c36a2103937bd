"""Progress of a long command on stderr, one line per phase as it starts."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

__all__ = ["Progress", "progress_option"]


class Progress:
    """Call it with the name of each phase as it starts: when shown, it
    writes the phase with the time since the command started (wall clock),
    so the line before a slow phase says where the time goes. Shown on a
    terminal, or when asked; otherwise silent, so pipes and tests see
    nothing on stderr. Never writes to stdout."""

    def __init__(self, shown: bool | None = None) -> None:
        self.shown = sys.stderr.isatty() if shown is None else shown
        self.started = time.perf_counter()

    def __call__(self, phase: str) -> None:
        if self.shown:
            click.echo(f"[{time.perf_counter() - self.started:7.1f} s] {phase}", err=True)


def progress_option(func: F) -> F:
    """--progress/--no-progress, passed as `progress: bool | None` (None: when stderr is a terminal)."""
    return click.option(
        "--progress/--no-progress",
        default=None,
        help="Report each phase on stderr (default: when stderr is a terminal).",
    )(func)
