"""Severities worked out again from an analysis's JSON numbers, the portfolio's
revenue and the scale as the README's table states it: nothing read from the
library's severity code but the points rule (the fallback, tested on its own).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from supply_oracle import markets_of, unit_revenue

from graphkit.analysis.spof import _level, severity_score
from graphkit.model import Client, Portfolio

LEVELS = ("info", "low", "medium", "high", "critical")
FALLBACK = "(severity by the points rule: no revenue recorded)"
README = Path(__file__).resolve().parents[1] / "README.md"


def readme_scale() -> list[tuple[float, str]]:
    """(least share, level) rows of the README's severity table, highest first."""
    text = README.read_text(encoding="utf-8")
    rows = re.findall(r"^\| ([\d.]+) % or more \| (\w+) \|", text, re.MULTILINE)
    assert rows, "the README's severity table"
    return [(float(share) / 100, level) for share, level in rows]


SCALE = readme_scale()


def money_level(amount: float, total: float) -> str:
    if amount <= 0:
        return "info"
    share = amount / total
    return next((level for least, level in SCALE if share >= least), "low")


def shift(level: str, by: int, floor: str = "info") -> str:
    return LEVELS[min(4, max(LEVELS.index(floor), LEVELS.index(level) + by))]


class Oracle:
    def __init__(self, pf: Portfolio) -> None:
        self.pf = pf
        self.products = {p.id: p for p in pf.products}
        self.segment = {c.id: c.segment for c in pf.clients if isinstance(c, Client)}
        self.total = sum(unit_revenue(p, m) for p in pf.products for m in markets_of(p))

    def revenue(self, unit: tuple[str, str | None]) -> float:
        return unit_revenue(self.products[unit[0]], unit[1])

    def points(self, units: Iterable[tuple[str, str | None]]) -> str:
        levels = [
            str(
                _level(severity_score(self.products[p], self.segment.get(self.products[p].owner), self.revenue((p, m))))
            )
            for p, m in units
        ]
        return max(levels, key=LEVELS.index, default="info")

    def rated(self, money: float, units: list[tuple[str, str | None]], by: int = 0, floor: str = "info") -> str:
        if any(self.revenue(u) for u in units):
            return shift(money_level(money, self.total), by, floor)
        return shift(self.points(units), by, floor)


def _units(rows: list[Any]) -> list[tuple[str, str | None]]:
    return [(r["product"], r["market"]) if isinstance(r, dict) else (r[0], r[1]) for r in rows]


def expected(pf: Portfolio, result: dict[str, Any]) -> Iterator[tuple[str, str, str, bool]]:
    """(where, severity, expected severity, fallback said where it applies) for every
    finding of the spof and overlap analyses in ``result`` (analyze's JSON)."""
    o = Oracle(pf)
    spof = result["spof"]
    loss = {
        (c["node"], m["product"], m["market"]): m["loss"] for c in spof["critical_nodes"] for m in c["markets_lost"]
    }
    for c in spof["critical_nodes"]:
        units = _units(c["markets_lost"])
        fallback = not any(o.revenue(u) for u in units)
        yield c["node"], c["severity"], o.rated(c["loss"], units), fallback == (FALLBACK in c["explanation"])
    for s in spof["sole_source_steps"]:
        unit = (s["product"], s["market"])
        money = loss.get((s["provider"], *unit), 0.0)
        fallback = not o.revenue(unit)
        where = f"{s['product']}/{s['step']}/{s['market']}"
        yield where, s["severity"], o.rated(money, [unit]), fallback == (FALLBACK in s["explanation"])
    for k in spof["key_person_risks"]:
        owned = [
            (key[1], key[2]) for key in loss if key[0] == k["provider"] and o.products[key[1]].owner == k["client"]
        ]
        money = sum(loss[(k["provider"], *u)] for u in owned)
        want = o.rated(money, owned, -1, "low") if owned else "low"
        fallback = bool(owned) and not any(o.revenue(u) for u in owned)
        yield f"{k['client']}/{k['provider']}", k["severity"], want, fallback == (FALLBACK in k["explanation"])
    for d in spof["double_failures"]:
        units = _units(d["markets_lost"])
        yield "+".join(d["nodes"]), d["severity"], o.rated(d["added_loss"], units, -1), True
    for g in spof["common_causes"]:
        units = _units(g["markets_lost"])
        yield g["group"], g["severity"], o.rated(g["loss"], units), True
    overlap = result["overlap"]
    for row in overlap["products"]:
        yield row["product"], row["severity"], _conflict_level(o, [row["product"]] if row["conflicts"] else []), True
    for row in overlap["providers"]:
        involved = sorted({p for c in row["conflicts"] for pids in c["values"].values() for p in pids})
        yield row["provider"], row["severity"], _conflict_level(o, involved), True


def _conflict_level(o: Oracle, involved: list[str]) -> str:
    if not involved:
        return "info"  # overlaps only
    products = [o.products[p] for p in involved]
    revenue = sum(unit_revenue(p, m) for p in products for m in markets_of(p))
    if revenue:
        return shift(money_level(revenue, o.total), -1, "low")
    commercial = any(str(p.stage) == "commercial" for p in products)
    return shift("low", commercial + any(p.sterile for p in products))


def findings(result: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every rated row anywhere in an analysis's JSON."""

    def walk(node: Any) -> Iterator[dict[str, Any]]:
        if isinstance(node, dict):
            if "severity" in node:
                yield node
            for v in node.values():
                yield from walk(v)
        elif isinstance(node, list):
            for v in node:
                yield from walk(v)

    return walk(result)
