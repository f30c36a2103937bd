"""A portfolio's content fingerprint: equal exactly when two portfolios hold
the same records, whatever their order or the format they were read from.

The Neo4j store keeps the fingerprint of the portfolio it holds: a reload of
the same content is skipped, and write-back refuses results whose
``portfolio_fingerprint`` is another portfolio's.

Example
-------
>>> from graphkit.model import Client, Portfolio
>>> a = Portfolio(clients=(Client(id="a", name="A", segment="small"), Client(id="b", name="B", segment="large")))
>>> b = Portfolio(clients=tuple(reversed(a.clients)))
>>> fingerprint(a) == fingerprint(b) != fingerprint(Portfolio())
True
>>> len(fingerprint(a))
32
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from .model import SECTIONS, Portfolio

__all__ = ["FINGERPRINT_KEY", "fingerprint"]

# The top-level key of the analysis JSON that names the portfolio analysed.
FINGERPRINT_KEY = "portfolio_fingerprint"

# List fields that are sets of relationships in the graph: their order and
# repeats carry no meaning (every other list, e.g. services, keeps its order).
_UNORDERED = ("supply", "distributors", "marketed_by", "providers")
# One encoder each (json.dumps would make one per call): the same text, faster.
_ITEM = json.JSONEncoder(sort_keys=True).encode
_RECORD = json.JSONEncoder(sort_keys=True, ensure_ascii=False).encode


def _canonical(record: dict[str, Any]) -> str:
    for name in _UNORDERED:
        if isinstance(record.get(name), list):
            record[name] = sorted({_ITEM(v) for v in record[name]})
    return _RECORD(record)


def fingerprint(portfolio: Portfolio) -> str:
    """A 128-bit BLAKE2b digest (hex) of the portfolio's records, each section
    taken as a set of records (order and exact repeats do not count)."""
    digest = hashlib.blake2b(digest_size=16)
    for section in SECTIONS:
        digest.update(f"\x00{section}\x00".encode())
        for text in sorted({_canonical(r.to_dict()) for r in getattr(portfolio, section)}):
            digest.update(text.encode())
            digest.update(b"\x00")
    return digest.hexdigest()
