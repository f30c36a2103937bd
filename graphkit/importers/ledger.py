"""``graphkit import ledger``: any order, purchasing or shipment export turned
into a portfolio through a mapping file (see :mod:`graphkit.importers.mapping`).

One row of the first file is one line (an order line, a shipment). Each
line names a client, a product and its source (a provider performing a
step, and/or a distributor), optionally a marketing partner, a territory, a
value and a date. Lines aggregate into nodes (by trimmed, case-folded name
and the mapping's merge rules), supply, distribution and marketing entries,
contracts per client and paid party, and product revenue (per market).

Nothing is guessed or dropped silently: rows left out by filters are counted
per filter, every merge of two spellings is listed, and bad cells (unmapped
values, non-numeric amounts, unknown join keys, empty names) are counted per
column with example rows -- an error unless the mapping says
``bad_rows: skip``, which skips those rows and reports them.

Every record keeps its provenance in ``source``: the file, the rows (as
ranges, or a count when there are many) and the first and last date.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from ..model import STEP_SERVICES
from ..problems import GraphkitError, PortfolioError, Problem, did_you_mean
from . import ImportResult, readable_ids
from .mapping import VOCABULARIES, FieldSpec, LedgerMapping, Names, SegmentByTotal, load_mapping
from .sources import Table, cell_text, parse_amount, parse_date, read_table

__all__ = ["LedgerResult", "import_ledger", "money"]

MAX_RANGES = 4  # provenance lists row ranges up to this many, else counts rows
_TEMPLATE = re.compile(r"\{([^{}]+)\}")


def money(value: Decimal) -> float | int:
    """A Decimal amount as written in a portfolio (cents at most)."""
    q = value.quantize(Decimal("0.01"))
    return int(q) if q == q.to_integral_value() else float(q)


class _Prov:
    """Where a record comes from: row ranges per file and the date span."""

    __slots__ = ("ranges", "first", "last")

    def __init__(self) -> None:
        self.ranges: dict[str, list[list[int]]] = {}
        self.first: Any = None
        self.last: Any = None

    def add(self, label: str, row: int, date: Any) -> None:
        ranges = self.ranges.setdefault(label, [])
        if ranges and ranges[-1][1] >= row - 1:
            ranges[-1][1] = max(ranges[-1][1], row)
        elif not ranges or ranges[-1][0] > row or ranges[-1][1] < row:
            ranges.append([row, row])
        if date is not None:
            self.first = date if self.first is None else min(self.first, date)
            self.last = date if self.last is None else max(self.last, date)

    def text(self) -> str:
        parts = []
        for label, ranges in self.ranges.items():
            count = sum(b - a + 1 for a, b in ranges)
            if len(ranges) <= MAX_RANGES:
                rows = ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in ranges)
                parts.append(f"{label} row{'s' if count > 1 else ''} {rows}")
            else:
                parts.append(f"{label}: {count:,} rows between {ranges[0][0]} and {ranges[-1][1]}")
        text = "; ".join(parts)
        if self.first is not None:
            text += f"; {self.first.isoformat()}" + ("" if self.last == self.first else f"..{self.last.isoformat()}")
        return text


class _Bad(Exception):
    """A bad cell: (what, column, value), grouped and counted by the run."""


@dataclass
class _Entity:
    spellings: Counter[str] = field(default_factory=Counter)
    aliased: set[str] = field(default_factory=set)
    attrs: dict[str, dict[str, tuple[str, int]]] = field(default_factory=dict)
    prov: _Prov = field(default_factory=_Prov)

    def name(self, canonical: str | None) -> str:
        if canonical:
            return canonical
        best = max(self.spellings.values())
        return next(s for s, n in self.spellings.items() if n == best)  # most frequent, first seen on ties

    def set(self, attr: str, value: str | None, where: tuple[str, int]) -> None:
        if value is not None:
            self.attrs.setdefault(attr, {}).setdefault(value, where)


@dataclass(frozen=True)
class LedgerResult(ImportResult):
    """An `ImportResult` with the run's report: rows read, filtered and
    skipped, the merges made, and the problems skipped past (warnings)."""

    report: list[str] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


class _Folder:
    """Turns a name into its matching key by a role's `Names` rules."""

    def __init__(self, names: Names) -> None:
        self.rules = names
        self.suffixes = [self._fold(s) for s in names.drop_suffixes]
        self.alias: dict[str, str] = {}
        for canonical, variants in names.merge.items():
            for v in (canonical, *variants):
                self.alias[self._basic(v)] = canonical

    def _fold(self, text: str) -> str:
        if "accents" in self.rules.fold:
            text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
        if "case" in self.rules.fold:
            text = text.casefold()
        if "punctuation" in self.rules.fold:
            text = re.sub(r"[^\w\s]", " ", text)
        return " ".join(text.split())

    def _basic(self, text: str) -> str:
        key = self._fold(text)
        changed = True
        while changed and self.suffixes:
            changed = False
            for s in self.suffixes:
                if key.endswith(" " + s):
                    key, changed = key[: -len(s) - 1].rstrip(" ,."), True
        return key

    def key(self, text: str) -> tuple[str, str | None]:
        """(matching key, canonical name when a merge rule applies)."""
        basic = self._basic(text)
        canonical = self.alias.get(basic)
        return (self._basic(canonical), canonical) if canonical else (basic, None)


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


@dataclass(frozen=True)
class _Line:
    """The values read from one good row (parties as (key, name, canonical name))."""

    date: Any
    value: Decimal
    currency: str
    territory: Any
    client: tuple[str, str, str | None]
    segment: Any
    provider: tuple[str, str, str | None] | None
    kind: Any
    step: Any
    distributor: tuple[str, str, str | None] | None
    partner: tuple[str, str, str | None] | None
    parts: list[Any]
    pname: Any
    technology: Any
    stage: Any
    countries: dict[str, Any]


class _Run:
    def __init__(self, mapping: LedgerMapping, tables: list[Table], locate: Any, mapping_label: str) -> None:
        self.m, self.tables, self.locate, self.mapping_label = mapping, tables, locate, mapping_label
        self.main = tables[0]
        self.masters: dict[str, tuple[Table, dict[str, tuple[int, dict[str, Any]]]]] = {}
        self.bad: dict[tuple[str, str, str], list[tuple[int, str]]] = defaultdict(list)
        self.bad_count: Counter[tuple[str, str, str]] = Counter()
        self.filtered: Counter[int] = Counter()
        self.entities: dict[str, dict[str, _Entity]] = defaultdict(dict)
        self.canonical: dict[str, dict[str, str]] = defaultdict(dict)
        self.folders = {
            role: _Folder(getattr(mapping, role).names)
            for role in ("provider", "distributor", "client", "partner", "product")
            if getattr(mapping, role) is not None
        }
        self.key_parts: list[dict[str, Counter[str]]] = []
        # the joined files each role takes a value from (their rows join its provenance)
        self.role_files = {
            role: {getattr(spec, "file", None) for _, spec in _columns_named(getattr(mapping, role))} - {None}
            for role in self.folders
        }
        self.supply: dict[tuple[str, str, str], _Prov] = defaultdict(_Prov)
        self.dist: dict[tuple[str, str, str | None], _Prov] = defaultdict(_Prov)
        self.marketed: dict[tuple[str, str, str | None], _Prov] = defaultdict(_Prov)
        self.revenue: dict[str, Decimal] = defaultdict(Decimal)
        self.market_revenue: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
        self.market_prov: dict[tuple[str, str], _Prov] = defaultdict(_Prov)
        self.currencies: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
        self.contracts: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
        self.contract_prov: dict[tuple[str, str, str], _Prov] = defaultdict(_Prov)
        self.client_total: dict[str, Decimal] = defaultdict(Decimal)
        self.counts: Counter[str] = Counter()
        self.first_date: Any = None
        self.last_date: Any = None

    # -- columns -------------------------------------------------------------

    def table_of(self, file: str | None) -> Table:
        if file is None:
            return self.main
        for spec, table in zip(self.m.files, self.tables):
            if spec.name == file:
                return table
        raise KeyError(file)

    def check_columns(self) -> None:
        """Every column the mapping names exists in its file (all problems at once)."""
        problems = []
        names = [f.name for f in self.m.files]

        def need(loc: tuple[Any, ...], column: str, file: str | None) -> None:
            if file is not None and file not in names:
                problems.append(
                    Problem(self.locate(loc), f"file '{file}' is not one of the mapping's files ({', '.join(names)})")
                )
                return
            table = self.table_of(file)
            if column not in table.header:
                problems.append(
                    Problem(
                        self.locate(loc),
                        f"column '{column}' is not in {table.label}{did_you_mean(column, table.header)} "
                        f"(its columns: {', '.join(h for h in table.header if h)})",
                    )
                )

        for loc, spec in _columns_named(self.m):
            if isinstance(spec, FieldSpec) and spec.template is not None:
                for column in _TEMPLATE.findall(spec.template):
                    need(loc + ("template",), column, None)
            elif getattr(spec, "column", None) is not None:
                need(loc + ("column",), spec.column, getattr(spec, "file", None))
        for i, f in enumerate(self.m.files[1:], start=1):
            need(("files", i, "key"), str(f.key), f.name)
            need(("files", i, "join"), str(f.join), None)
        if problems:
            raise PortfolioError(problems, self.mapping_label)

    def load_masters(self) -> None:
        problems = []
        for spec, table in zip(self.m.files[1:], self.tables[1:]):
            rows: dict[str, tuple[int, dict[str, Any]]] = {}
            for n, cells in table.rows:
                key = cell_text(cells.get(str(spec.key)))
                if key in rows:
                    problems.append(
                        Problem(f"{table.label} row {n}", f"key {spec.key} '{key}' repeats row {rows[key][0]}")
                    )
                    continue
                rows[key] = (n, cells)
            self.masters[spec.name] = (table, rows)
        if problems:
            raise PortfolioError(problems, self.tables[0].label)

    # -- cells -----------------------------------------------------------------

    def raw(self, column: str, file: str | None, cells: dict[str, Any], joined: dict[str, Any]) -> Any:
        if file is None:
            return cells.get(column)
        return joined[file][1].get(column)

    def text(self, spec: FieldSpec, cells: dict[str, Any], joined: dict[str, Any]) -> str:
        if spec.value is not None:
            return spec.value
        if spec.template is not None:
            return _TEMPLATE.sub(lambda m: cell_text(cells.get(m[1])), spec.template)
        return cell_text(self.raw(str(spec.column), spec.file, cells, joined))

    def value(
        self, spec: FieldSpec, what: str, cells: dict[str, Any], joined: dict[str, Any], vocabulary: str | None = None
    ) -> str | None:
        """A field's value on a row; None when the cell is one of `none`.
        Raises _Bad for an empty cell or a value no map entry covers."""
        text = self.text(spec, cells, joined)
        folded = _fold(text)
        column = spec.column or spec.template or what
        if spec.none and folded in {_fold(v) for v in spec.none}:
            return None
        if spec.map or spec.contains:
            mapped = {_fold(k): v for k, v in spec.map.items()}.get(folded)
            if mapped is None:
                mapped = next((v for k, v in spec.contains.items() if _fold(k) in folded), None)
            if mapped is None:
                mapped = spec.otherwise
            if mapped is None:
                raise _Bad(f"value(s) not in the {what} map", column, text)
            return mapped
        if not text:
            raise _Bad("empty cell(s)", column, "")
        if vocabulary:
            allowed = VOCABULARIES[vocabulary]
            if folded not in allowed:
                if spec.otherwise is not None:
                    return spec.otherwise
                raise _Bad(f"value(s) that are not a {vocabulary} ({', '.join(allowed)})", column, text)
            return folded
        return text

    def amount(self, column: str, file: str | None, cells: dict[str, Any], joined: dict[str, Any]) -> Decimal:
        raw = self.raw(column, file, cells, joined)
        number = parse_amount(raw, self._decimal(file))
        if number is None:
            raise _Bad("non-numeric amount(s)", column, cell_text(raw))
        if number < 0:
            raise _Bad("negative amount(s)", column, cell_text(raw))
        return number

    def _decimal(self, file: str | None) -> str:
        return next((f.decimal for f in self.m.files if f.name == file), self.m.files[0].decimal)

    # -- rows --------------------------------------------------------------

    def run(self) -> None:
        label = self.main.label
        for n, cells in self.main.rows:
            self.counts["rows"] += 1
            try:
                joined = self.join(cells)
                keep = self.passes(cells, joined)
                if not keep:
                    seg = self.m.client.segment
                    if isinstance(seg, SegmentByTotal) and seg.before_filters and self.m.value:
                        client = self.value(self.m.client.name, "client", cells, joined)
                        if client is not None:
                            key, _ = self.folders["client"].key(client)
                            v = self.line_value(cells, joined)[0]
                            self.client_total[key] += v
                    continue
                self.line(label, n, cells, joined)
            except _Bad as bad:
                what, column, text = bad.args
                group = (what, column, "")
                self.bad_count[group] += 1
                if len(self.bad[group]) < 3:
                    self.bad[group].append((n, text))
                self.counts["bad_rows"] += 1

    def join(self, cells: dict[str, Any]) -> dict[str, Any]:
        joined = {}
        for spec in self.m.files[1:]:
            table, rows = self.masters[spec.name]
            key = cell_text(cells.get(str(spec.join)))
            if key not in rows:
                raise _Bad(f"key(s) not in {table.label}", str(spec.join), key)
            joined[spec.name] = rows[key]
        return joined

    def passes(self, cells: dict[str, Any], joined: dict[str, Any]) -> bool:
        for i, f in enumerate(self.m.filters):
            raw = self.raw(f.column, f.file, cells, joined)
            text = _fold(cell_text(raw))
            ok = True
            if f.equals is not None:
                ok &= text == _fold(f.equals)
            if f.in_ is not None:
                ok &= text in {_fold(v) for v in f.in_}
            if f.not_in is not None:
                ok &= text not in {_fold(v) for v in f.not_in}
            if f.contains is not None:
                ok &= any(_fold(v) in text for v in f.contains)
            if f.not_contains is not None:
                ok &= not any(_fold(v) in text for v in f.not_contains)
            if f.from_ is not None or f.to is not None:
                fmt = f.format or (self.m.date.format if self.m.date and self.m.date.column == f.column else None)
                day = parse_date(raw, fmt)
                if day is None:
                    raise _Bad("date(s) that do not parse" + (f" as {fmt}" if fmt else " (YYYY-MM-DD)"), f.column, text)
                ok &= (f.from_ is None or day >= f.from_) and (f.to is None or day <= f.to)
            if f.at_least is not None or f.at_most is not None:
                number = parse_amount(raw, self._decimal(f.file))
                if number is None:
                    raise _Bad("non-numeric amount(s)", f.column, cell_text(raw))
                ok &= (f.at_least is None or number >= Decimal(str(f.at_least))) and (
                    f.at_most is None or number <= Decimal(str(f.at_most))
                )
            if not ok:
                self.filtered[i] += 1
                return False
        return True

    def line_value(self, cells: dict[str, Any], joined: dict[str, Any]) -> tuple[Decimal, str]:
        v = self.m.value
        assert v is not None
        amount = self.amount(v.column, v.file, cells, joined)
        currency = (self.value(v.currency, "currency", cells, joined) or "USD") if v.currency else "USD"
        currency = currency.upper()
        if v.to and currency != v.to.upper():
            rate = {k.upper(): r for k, r in v.rates.items()}.get(currency)
            if rate is None:
                column = v.currency.column if v.currency is not None else None
                raise _Bad(f"currencies without a rate to {v.to}", column or "currency", currency)
            amount, currency = amount * Decimal(str(rate)), v.to.upper()
        return amount, currency

    def party(self, role: str, cells: dict[str, Any], joined: dict[str, Any]) -> tuple[str, str, str | None] | None:
        """(matching key, name as found, canonical name of a merge rule) of a role on a row."""
        spec = getattr(self.m, role)
        if spec is None:
            return None
        name = self.value(spec.name, role, cells, joined)
        if name is None:
            return None
        key, canonical = self.folders[role].key(name)
        return key, name, canonical

    def line(self, label: str, n: int, cells: dict[str, Any], joined: dict[str, Any]) -> None:
        self.record(label, n, self.read_line(cells, joined), joined)

    def read_line(self, cells: dict[str, Any], joined: dict[str, Any]) -> _Line:
        """One row's values, or `_Bad` for the first cell that does not read."""
        m = self.m
        date = None
        if m.date:
            raw = self.raw(m.date.column, m.date.file, cells, joined)
            date = parse_date(raw, m.date.format)
            if date is None:
                fmt = m.date.format or "YYYY-MM-DD"
                raise _Bad(f"date(s) that do not parse as {fmt}", m.date.column, cell_text(raw))
        value, currency = self.line_value(cells, joined) if m.value else (Decimal(0), "")
        territory = self.value(m.territory, "territory", cells, joined) if m.territory else None
        client = self.party("client", cells, joined)
        if client is None:
            raise _Bad("empty cell(s)", m.client.name.column or "client", "")
        segment = None
        if isinstance(m.client.segment, FieldSpec):
            segment = self.value(m.client.segment, "segment", cells, joined, "segment")
        provider = self.party("provider", cells, joined)
        kind = step = None
        if provider is not None and m.provider is not None:
            kind = self.value(m.provider.kind, "kind", cells, joined, "kind")
            step = self.value(m.provider.step, "step", cells, joined, "step")
        distributor = self.party("distributor", cells, joined)
        if (
            distributor is not None
            and provider is not None
            and m.distributor is not None
            and m.distributor.direct_when_same
            and distributor[0] == self.folders["distributor"].key(provider[1])[0]
        ):
            distributor = None
            self.counts["direct_rows"] += 1  # counted even if the row turns out bad: it is rare
        partner = self.party("partner", cells, joined)
        product = m.product
        parts = [self.value(k, "product key", cells, joined) for k in (product.key or [product.name])]
        if any(p is None for p in parts):
            raise _Bad("empty cell(s)", "product key", "")
        pname = self.value(product.name, "product", cells, joined)
        technology = self.value(product.technology, "technology", cells, joined, "technology")
        stage = self.value(product.stage, "stage", cells, joined, "stage")
        countries = {
            role: self.value(getattr(m, role).country, "country", cells, joined)
            for role in ("provider", "distributor", "client", "partner")
            if getattr(m, role) is not None and getattr(m, role).country is not None
        }
        return _Line(
            date,
            value,
            currency,
            territory,
            client,
            segment,
            provider,
            kind,
            step,
            distributor,
            partner,
            parts,
            pname,
            technology,
            stage,
            countries,
        )

    def record(self, label: str, n: int, row: _Line, joined: dict[str, Any]) -> None:
        """Count a good row and file its values under the entities and links it names."""
        m = self.m
        date, value, currency, territory = row.date, row.value, row.currency, row.territory
        client, provider, distributor, partner = row.client, row.provider, row.distributor, row.partner
        parts, technology = row.parts, row.technology
        where = (label, n)
        self.counts["imported_rows"] += 1
        if provider is None and m.provider is not None:
            self.counts["rows_without_provider"] += 1
        if provider is None and distributor is None:
            self.counts["rows_without_source"] += 1
        if date is not None:
            self.first_date = date if self.first_date is None else min(self.first_date, date)
            self.last_date = date if self.last_date is None else max(self.last_date, date)
        folder = self.folders["product"]
        pkey = " | ".join(folder.key(str(p))[0] for p in parts)
        while len(self.key_parts) < len(parts):
            self.key_parts.append(defaultdict(Counter))
        for i, p in enumerate(parts):
            self.key_parts[i][folder.key(str(p))[0]][str(p)] += 1
        pent = self.entities["product"].setdefault(pkey, _Entity())
        pent.spellings[str(row.pname)] += 1
        pent.set("technology", technology, where)
        pent.set("stage", row.stage, where)
        ckey = client[0]
        pent.set("owner", ckey, where)
        found = self.record_parties(label, n, row, joined)
        pent.prov.add(label, n, date)
        if row.segment is not None:
            found["client"].set("segment", row.segment, where)
        self.client_total[ckey] += value
        if provider is not None:
            pkey_, provent = provider[0], found["provider"]
            provent.set("kind", row.kind, where)
            provent.attrs.setdefault("steps", {}).setdefault(str(row.step), where)
            provent.attrs.setdefault("technologies", {}).setdefault(str(technology), where)
            self.supply[(pkey, pkey_, str(row.step))].add(label, n, date)
        if distributor is not None:
            self.dist[(pkey, distributor[0], territory)].add(label, n, date)
        if partner is not None:
            self.marketed[(pkey, partner[0], territory)].add(label, n, date)
            found["partner"].set("territory:" + str(territory), territory, where)
        if m.value is not None:
            self.revenue[pkey] += value
            self.currencies[("product", pkey)].setdefault(currency, n)
            if territory is not None:
                self.market_revenue[(pkey, territory)] += value
                self.market_prov[(pkey, territory)].add(label, n, date)
        if m.contracts is not None:
            paid = provider if m.contracts.with_ == "provider" else (distributor or provider)
            role = "distributor" if m.contracts.with_ == "distributor" and distributor is not None else "provider"
            if paid is None:
                self.counts["rows_without_contract_party"] += 1
            else:
                ck = (ckey, role, paid[0])
                self.contracts[ck] += value
                self.contract_prov[ck].add(label, n, date)
                self.currencies[("contract", f"{ckey}\n{role}\n{paid[0]}")].setdefault(currency, n)
        self.counts["value"] += 0  # keeps the key present
        self.total = getattr(self, "total", Decimal(0)) + value

    def record_parties(self, label: str, n: int, row: _Line, joined: dict[str, Any]) -> dict[str, _Entity]:
        """The entities of the parties a good row names, with its spellings, sources and countries."""
        where, date, countries = (label, n), row.date, row.countries
        found: dict[str, _Entity] = {}
        for role, party in (
            ("client", row.client),
            ("provider", row.provider),
            ("distributor", row.distributor),
            ("partner", row.partner),
        ):
            if party is None:
                continue
            key, name, canonical = party
            entity = found[role] = self.entities[role].setdefault(key, _Entity())
            if canonical:
                self.canonical[role][key] = canonical
                if _fold(name) != _fold(canonical):
                    entity.aliased.add(name)
            entity.spellings[name] += 1
            entity.prov.add(label, n, date)
            for file, (master_row, _) in joined.items():
                if file in self.role_files[role]:
                    entity.prov.add(self.masters[file][0].label, master_row, None)
            if role in countries:
                entity.set("country", countries[role], where)
        return found

    # -- problems --------------------------------------------------------------

    def cell_problems(self) -> list[Problem]:
        out = []
        for group, examples in self.bad.items():
            what, column, _ = group
            count = self.bad_count[group]
            shown = ", ".join(f"row {n}" + (f" '{t}'" if t else "") for n, t in examples)
            out.append(
                Problem(
                    f"{self.main.label} row {examples[0][0]}",
                    f"column '{column}': {count:,} row(s) with {what}, e.g. {shown}",
                    "error" if self.m.bad_rows == "fail" else "warning",
                )
            )
        return out

    def conflicts(self) -> list[Problem]:
        """One value per attribute of a node: disagreeing rows are errors."""
        out = []
        for role, entities in self.entities.items():
            for key, e in entities.items():
                for attr, values in e.attrs.items():
                    if attr in ("steps", "technologies") or attr.startswith("territory:") or len(values) < 2:
                        continue
                    (a, (fa, ra)), (b, (_, rb)) = list(values.items())[:2]
                    name = e.name(self.canonical[role].get(key))
                    out.append(
                        Problem(
                            f"{fa} row {rb}",
                            f"{role} '{name}': {attr} '{b}' here, but '{a}' at row {ra}; one {attr} per {role}",
                        )
                    )
        for (what, key), currencies in self.currencies.items():
            if len(currencies) > 1:
                (a, ra), (b, rb) = list(currencies.items())[:2]
                label = key.replace("\n", " ")
                out.append(
                    Problem(
                        f"{self.main.label} row {rb}",
                        f"{what} {label}: currency {b} here, {a} at row {ra}; give value.rates and value.to to convert",
                    )
                )
        return out


def _columns_named(m: LedgerMapping) -> list[tuple[tuple[Any, ...], Any]]:
    """Every spec of the mapping that names a column, with its path."""
    out: list[tuple[tuple[Any, ...], Any]] = []

    def walk(obj: Any, loc: tuple[Any, ...]) -> None:
        if isinstance(obj, list):
            for i, x in enumerate(obj):
                walk(x, loc + (i,))
            return
        if not isinstance(obj, BaseModel):
            return
        if loc[:1] != ("files",) and (getattr(obj, "column", None) is not None or getattr(obj, "template", None)):
            out.append((loc, obj))
        for name, info in type(obj).model_fields.items():
            walk(getattr(obj, name), loc + (info.alias or name,))

    walk(m, ())
    return out


def import_ledger(
    files: Sequence[str | Path], mapping: str | Path | LedgerMapping, *, mapping_locate: Any = None
) -> LedgerResult:
    """Import ledger files through a mapping (a file, or a parsed mapping).

    Raises
    ------
    PortfolioError
        The mapping is invalid or names a missing column (located in the
        mapping file), or rows hold bad cells (counted per column with
        example rows; unless ``bad_rows: skip``), or nodes disagree about an
        attribute.
    GraphkitError
        A file cannot be read, or the number of files does not match.
    """
    if isinstance(mapping, LedgerMapping):
        spec, label = mapping, "mapping"
        locate = mapping_locate or (lambda loc: "mapping")
    else:
        path = Path(mapping)
        spec, locate = load_mapping(path)
        label = str(path)
    paths = [Path(f) for f in files]
    if len(paths) != len(spec.files):
        wanted = ", ".join(f.name for f in spec.files)
        raise GraphkitError(f"{label}: the mapping reads {len(spec.files)} file(s) ({wanted}); {len(paths)} given")
    tables = [
        read_table(p, sheet=f.sheet, delimiter=f.delimiter, encoding=f.encoding) for p, f in zip(paths, spec.files)
    ]
    run = _Run(spec, tables, locate, label)
    run.check_columns()
    run.load_masters()
    run.run()
    problems = run.cell_problems() + run.conflicts()
    if any(p.severity == "error" for p in problems):
        raise PortfolioError(problems, tables[0].label)
    if not run.entities.get("product"):
        raise GraphkitError(f"{tables[0].label}: no rows to import ({run.counts['rows']:,} read)")
    return _records(run, problems)


def _records(run: _Run, warnings: list[Problem]) -> LedgerResult:
    out = _Sections(run)
    sections = {"providers": out.providers(), "clients": out.clients(), "marketing_partners": out.partners()}
    sections |= {"products": out.products(), "contracts": out.contracts()}
    counts = _counts(run, sections)
    report = _report(run, counts)
    ids = out.ids_by_name(sections["products"])
    return LedgerResult(run.main.label, sections, ids, counts, report[0], report=report, warnings=warnings)


def _first(e: _Entity, attr: str) -> str | None:
    values = e.attrs.get(attr)
    return next(iter(values)) if values else None


def _ordered(entries: list[dict[str, Any]], ref: str) -> list[dict[str, Any]]:
    """A product's link records by the node they name, then territory and step, unset keys left out."""
    return [
        {k: v for k, v in e.items() if v is not None}
        for e in sorted(entries, key=lambda e: (e[ref], str(e.get("territory") or ""), str(e.get("step") or "")))
    ]


class _Sections:
    """The records of a finished run, section by section, with their node ids."""

    def __init__(self, run: _Run) -> None:
        self.run = run
        self.m = m = run.m
        self.names = {
            role: {key: e.name(run.canonical[role].get(key)) for key, e in entities.items()}
            for role, entities in run.entities.items()
            if role != "product"
        }
        self.ids = {role: readable_ids(self.names[role].values(), getattr(m, role).id_prefix) for role in self.names}
        self.node_id = {
            role: {key: self.ids[role][name] for key, name in self.names[role].items()} for role in self.names
        }
        self.years = 1
        if run.first_date is not None and run.last_date is not None:
            self.years = run.last_date.year - run.first_date.year + 1
        # products: id from the readable ids of each key part
        part_display = [{k: c.most_common(1)[0][0] for k, c in part.items()} for part in run.key_parts]
        self.part_ids = [readable_ids(d.values()) for d in part_display]
        self.pid: dict[str, str] = {}
        for pkey in run.entities["product"]:
            keys = pkey.split(" | ")
            self.pid[pkey] = m.product.id_prefix + "--".join(
                self.part_ids[i][part_display[i][k]] for i, k in enumerate(keys)
            )
        clash = _id_clashes(self.node_id, self.pid)
        if clash:
            raise PortfolioError(clash, run.main.label)

    def per(self, amount: Decimal, spec: Any) -> float | int:
        return money(amount / self.years if spec.per == "year" else amount)

    def providers(self) -> list[dict[str, Any]]:
        providers = []
        for role in ("provider", "distributor"):
            for key, e in self.run.entities.get(role, {}).items():
                rec: dict[str, Any] = {"id": self.node_id[role][key], "name": self.names[role][key]}
                if role == "provider":
                    rec["kind"] = _first(e, "kind")
                    rec["services"] = sorted({str(STEP_SERVICES[s]) for s in e.attrs.get("steps", {})})
                    rec["technologies"] = sorted(e.attrs.get("technologies", {}))
                else:
                    rec["kind"] = "distributor"
                    rec["services"] = ["distribution"]
                if _first(e, "country"):
                    rec["country"] = _first(e, "country")
                rec["source"] = e.prov.text()
                providers.append(rec)
        providers.sort(key=lambda r: (r["kind"] == "distributor", r["id"]))
        return providers

    def segment(self, key: str, e: _Entity) -> str | None:
        segments = self.m.client.segment
        if isinstance(segments, SegmentByTotal):
            total = self.run.client_total[key]
            reached = [(t, s) for s, t in segments.by_total.items() if total >= Decimal(str(t))]
            return str(max(reached)[1]) if reached else str(segments.otherwise)
        return _first(e, "segment")

    def clients(self) -> list[dict[str, Any]]:
        return sorted(
            (
                {"id": self.node_id["client"][k], "name": self.names["client"][k], "segment": self.segment(k, e)}
                | ({"country": _first(e, "country")} if _first(e, "country") else {})
                | {"source": e.prov.text()}
                for k, e in self.run.entities["client"].items()
            ),
            key=lambda r: str(r["id"]),
        )

    def partners(self) -> list[dict[str, Any]]:
        return sorted(
            (
                {
                    "id": self.node_id["partner"][k],
                    "name": self.names["partner"][k],
                    "territories": sorted({t for a, v in e.attrs.items() if a.startswith("territory:") for t in v}),
                    "source": e.prov.text(),
                }
                for k, e in self.run.entities.get("partner", {}).items()
            ),
            key=lambda r: str(r["id"]),
        )

    def links(self) -> dict[str, dict[str, list[dict[str, Any]]]]:
        """Per link field of a product (supply, distributors, marketed_by, markets): product key -> records."""
        run, node_id = self.run, self.node_id
        links: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
        for (pk, prov, step), prov_ in run.supply.items():
            links["supply"][pk].append(
                {"provider": node_id["provider"][prov], "step": step, "qualified": True, "source": prov_.text()}
            )
        for (pk, d, territory), prov_ in run.dist.items():
            links["distributors"][pk].append(
                {"distributor": node_id["distributor"][d], "territory": territory, "source": prov_.text()}
            )
        for (pk, p, territory), prov_ in run.marketed.items():
            links["marketed_by"][pk].append(
                {"partner": node_id["partner"][p], "territory": territory, "source": prov_.text()}
            )
        if self.m.revenue and self.m.revenue.markets:
            for (pk, territory), value in run.market_revenue.items():
                links["markets"][pk].append(
                    {
                        "territory": territory,
                        "annual_revenue": self.per(value, self.m.revenue),
                        "source": run.market_prov[(pk, territory)].text(),
                    }
                )
        return links

    def products(self) -> list[dict[str, Any]]:
        links = self.links()
        products = []
        for pk, e in self.run.entities["product"].items():
            rec: dict[str, Any] = {
                "id": self.pid[pk],
                "name": e.name(None),
                "technology": _first(e, "technology"),
                "stage": _first(e, "stage"),
                "owner": self.node_id["client"][str(_first(e, "owner"))],
            }
            if self.m.revenue:
                rec["annual_revenue"] = self.per(self.run.revenue[pk], self.m.revenue)
            for name, ref in _LINK_REFS:
                rec[name] = _ordered(links[name].get(pk, []), ref)
            rec["source"] = e.prov.text()
            products.append(rec)
        products.sort(key=lambda r: r["id"])
        return products

    def contracts(self) -> list[dict[str, Any]]:
        run, contracts = self.run, []
        if self.m.contracts:
            for (ck, role, party), value in run.contracts.items():
                currencies = run.currencies[("contract", f"{ck}\n{role}\n{party}")]
                contracts.append(
                    {
                        "client": self.node_id["client"][ck],
                        "provider": self.node_id[role][party],
                        "annual_value": self.per(value, self.m.contracts),
                        "currency": next(iter(currencies)),
                        "source": run.contract_prov[(ck, role, party)].text(),
                    }
                )
            contracts.sort(key=lambda r: (r["client"], r["provider"]))
        return contracts

    def ids_by_name(self, products: list[dict[str, Any]]) -> dict[str, dict[str, str]]:
        """Per role (and per product key part) the source name -> node id."""
        ids_out: dict[str, dict[str, str]] = {role: dict(self.ids[role]) for role in self.ids}
        ids_out["product"] = {r["name"]: r["id"] for r in products}
        for i, spec in enumerate(self.m.product.key or [self.m.product.name]):
            ids_out[f"product.{spec.column or spec.template or i}"] = dict(self.part_ids[i])
        return ids_out


# A product's link fields, each with the field naming the other end.
_LINK_REFS = (
    ("supply", "provider"),
    ("distributors", "distributor"),
    ("marketed_by", "partner"),
    ("markets", "territory"),
)


def _counts(run: _Run, sections: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    contracts = sections["contracts"]
    counts: dict[str, Any] = dict(run.counts)
    counts.update(
        filtered={_filter_label(f): run.filtered[i] for i, f in enumerate(run.m.filters)},
        providers=len(run.entities.get("provider", {})),
        distributors=len(run.entities.get("distributor", {})),
        clients=len(sections["clients"]),
        partners=len(sections["marketing_partners"]),
        products=len(sections["products"]),
        contracts=len(contracts),
        total_value=float(getattr(run, "total", 0)),
        currency=contracts[0]["currency"] if contracts else "",
        first_date=run.first_date,
        last_date=run.last_date,
    )
    return counts


def _id_clashes(node_id: dict[str, dict[str, str]], pid: dict[str, str]) -> list[Problem]:
    seen: dict[str, str] = {}
    out = []
    for role, ids in (*node_id.items(), ("product", pid)):
        for i in ids.values():
            if i in seen and seen[i] != role:
                out.append(
                    Problem(
                        "",
                        f"id '{i}' would be both a {seen[i]} and a {role}; give one an id_prefix",
                    )
                )
            seen.setdefault(i, role)
    return out


def _filter_label(f: Any) -> str:
    conds = []
    for name in f.conditions():
        value = getattr(f, name)
        conds.append(f"{name.rstrip('_')} {', '.join(map(str, value)) if isinstance(value, list) else value}")
    return f"{f.column} {' and '.join(conds)}"


def _report(run: _Run, counts: dict[str, Any]) -> list[str]:
    """Lines saying what was read, left out, merged and made."""
    lines = []
    filtered = sum(counts["filtered"].values())
    head = f"{run.main.label}: {counts['rows']:,} rows read, {counts.get('imported_rows', 0):,} imported"
    if filtered:
        head += f", {filtered:,} left out by filters"
    if counts.get("bad_rows"):
        head += f", {counts['bad_rows']:,} skipped as bad"
    dates = ""
    if counts["first_date"] is not None:
        dates = f" ({counts['first_date'].isoformat()}..{counts['last_date'].isoformat()})"
    made = (
        f"{counts['providers']} providers, {counts['distributors']} distributors, {counts['clients']} clients, "
        f"{counts['partners']} partners, {counts['products']} products, {counts['contracts']} contracts"
    )
    if counts["contracts"]:
        made += f" worth {counts['total_value']:,.2f} {counts['currency']}"
    lines.append(f"{head}: {made}{dates}")
    for label, n in counts["filtered"].items():
        lines.append(f"  filter {label}: {n:,} rows left out")
    if counts.get("rows_without_source"):
        lines.append(f"  {counts['rows_without_source']:,} rows name no provider or distributor (counted, no supply)")
    if counts.get("direct_rows"):
        lines.append(f"  {counts['direct_rows']:,} rows went direct (distributor = maker)")
    for role, entities in run.entities.items():
        for key, e in entities.items():
            spellings = list(e.spellings)
            if len(spellings) > 1 or e.aliased:
                name = e.name(run.canonical[role].get(key) if role != "product" else None)
                others = ", ".join(
                    f"'{s}' ({e.spellings[s]} row{'s' if e.spellings[s] > 1 else ''}"
                    + (", merge rule" if s in e.aliased else "")
                    + ")"
                    for s in spellings
                    if s != name
                )
                lines.append(f"  merged {role} '{name}' <- {others}")
    return lines
