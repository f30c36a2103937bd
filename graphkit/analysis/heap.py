"""The analyses' pause of the cyclic collector (defined with the readers', in `graphkit.heap`)."""

from __future__ import annotations

from ..heap import collector_paused, paused

__all__ = ["collector_paused", "paused"]
