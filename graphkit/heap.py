"""Reading a portfolio and running an analysis without Python's cyclic
garbage collector.

Reading builds millions of small objects, none in a cycle: on a
100k-relationship JSON file the collector's passes double orjson's decoding
time. An analysis allocates millions of small, short-lived, acyclic objects
(tuples, lists, sets, result records) while a large portfolio keeps
millions more alive. The cyclic collector is triggered by allocation
counts and, on its full passes, walks every live container object: on a
~1M-relationship portfolio it re-walks the whole portfolio several times
per analysis, the largest single cost of the analysis. Neither makes
reference cycles worth collecting (reference counting frees their
garbage), so reading and the analyses' entry points pause the collector and
restore it on the way out (nested pauses leave it to the outermost).
"""

from __future__ import annotations

import contextlib
import functools
import gc
from collections.abc import Callable, Iterator
from typing import ParamSpec, TypeVar

__all__ = ["collector_paused", "paused"]

P = ParamSpec("P")
R = TypeVar("R")


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """The cyclic garbage collector disabled inside the block, its previous
    state restored afterwards (even on an exception).

    >>> with paused():
    ...     gc.isenabled()
    False
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def collector_paused(fn: Callable[P, R]) -> Callable[P, R]:
    """Run ``fn`` with the collector `paused`.

    >>> @collector_paused
    ... def enabled() -> bool:
    ...     return gc.isenabled()
    >>> enabled(), gc.isenabled()
    (False, True)
    """

    @functools.wraps(fn)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with paused():
            return fn(*args, **kwargs)

    return run
