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
from collections.abc import Callable
from json.encoder import c_make_encoder, encode_basestring, encode_basestring_ascii  # type: ignore[attr-defined]
from typing import Any

from .model import SECTIONS, Portfolio

__all__ = ["FINGERPRINT_KEY", "fingerprint"]

# The top-level key of the analysis JSON that names the portfolio analysed.
FINGERPRINT_KEY = "portfolio_fingerprint"

# List fields that are sets of relationships in the graph: their order and
# repeats carry no meaning (every other list, e.g. services, keeps its order).
_UNORDERED = ("supply", "distributors", "marketed_by", "providers")


def _encoder(*, ensure_ascii: bool) -> Callable[[Any], str]:
    """``json.JSONEncoder(sort_keys=True, ensure_ascii=...).encode``. Where
    CPython's C encoder is there it is made once and called directly: the
    same text, without making an encoder per call (most calls encode one
    small supply entry)."""
    encoder = json.JSONEncoder(sort_keys=True, ensure_ascii=ensure_ascii, check_circular=False)
    if c_make_encoder is None:
        return encoder.encode
    chunks = c_make_encoder(
        None,
        encoder.default,
        encode_basestring_ascii if ensure_ascii else encode_basestring,
        None,
        encoder.key_separator,
        encoder.item_separator,
        True,
        False,
        True,
    )
    return lambda value: "".join(chunks(value, 0))


_ITEM = _encoder(ensure_ascii=True)
_RECORD = _encoder(ensure_ascii=False)


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
