"""Severity of findings: one scale for every analysis, so `--fail-on` can gate."""

from __future__ import annotations

from enum import IntEnum

__all__ = ["Severity"]


class Severity(IntEnum):
    """Ordered: a finding at or above the `--fail-on` level fails the check."""

    INFO = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    def __str__(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        return cls[text.strip().upper()]
