"""The fingerprint's text is json.dumps' with sorted keys, whichever encoder makes it."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

from graphkit.fingerprint import _ITEM, _RECORD, fingerprint
from graphkit.model import SECTIONS, Client, Portfolio, Product, Provider, SupplyLink

AWKWARD: list[Any] = [
    'é "quoted" \\ \n ß',
    {"b": 1.5, "a": [float("nan"), float("inf"), 1e300, -0.0, None, True, "ü"]},
    3,
    2.0,
    ["x", "✓"],
    {"k": {"z": 1, "y": [1, {"q": "日本"}]}},
]


@pytest.mark.parametrize("value", AWKWARD)
def test_the_encoders_write_what_json_dumps_writes(value: Any) -> None:
    assert _ITEM(value) == json.dumps(value, sort_keys=True)
    assert _RECORD(value) == json.dumps(value, sort_keys=True, ensure_ascii=False)


def test_the_fingerprint_is_the_digest_of_the_sorted_canonical_records() -> None:
    portfolio = Portfolio(
        providers=(Provider(id="m", name="Mäker", kind="cmo"), Provider(id="l", name="Lab ✓", kind="test_lab")),
        clients=(Client(id="c", name="Client «C»", segment="small"),),
        products=(
            Product(
                id="p",
                name="Pill",
                technology="tablet",
                owner="c",
                supply=(
                    SupplyLink(provider="m", step="api"),
                    SupplyLink(provider="l", step="testing", qualified=False),
                ),
            ),
        ),
    )
    digest = hashlib.blake2b(digest_size=16)
    for section in SECTIONS:
        digest.update(f"\x00{section}\x00".encode())
        texts = set()
        for record in getattr(portfolio, section):
            raw = record.to_dict()
            for name in ("supply", "distributors", "marketed_by", "providers"):
                if isinstance(raw.get(name), list):
                    raw[name] = sorted({json.dumps(v, sort_keys=True) for v in raw[name]})
            texts.add(json.dumps(raw, sort_keys=True, ensure_ascii=False))
        for text in sorted(texts):
            digest.update(text.encode() + b"\x00")
    assert fingerprint(portfolio) == digest.hexdigest()
