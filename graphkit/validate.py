"""Turn raw portfolio data (plain dicts and lists from any file format) into a
validated `Portfolio`, reporting every problem at once with its location."""

from __future__ import annotations

import functools
import graphlib
import itertools
import operator
import re
import typing
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from .model import (
    DISTRIBUTION_STEP,
    NODE_KIND_OF_PROVIDER,
    NODE_SECTIONS,
    SECTIONS,
    STEP_SERVICES,
    SUPPLIER_KINDS,
    TECHNOLOGY_STEPS,
    Contract,
    Feed,
    NodeKind,
    Portfolio,
    Product,
    Provider,
    ProviderKind,
    Record,
    Step,
    Technology,
    fields_of,
    kind_may_perform,
    references,
    requirement_node_id,
)
from .problems import PortfolioError, Problem, brief, did_you_mean, sort_problems
from .records import read_fields, read_typed, read_typed_all

__all__ = ["Locate", "build_portfolio"]

# Maps a path inside the raw data, e.g. ("products", 3, "supply", 0, "step"),
# to a human location such as "portfolio.yaml:42" or "supply.csv row 7".
Locate = Callable[[tuple[Any, ...]], str]

SINGULAR = {
    "providers": "provider",
    "clients": "client",
    "marketing_partners": "partner",
    "products": "product",
    "feeds": "feed",
    "contracts": "contract",
    "requirements": "requirement",
    "liaisons": "liaison",
}


def build_portfolio(raw: Any, locate: Locate, source: str = "") -> tuple[Portfolio, list[Problem]]:
    """Validate raw data and build the portfolio.

    Returns the portfolio and the warnings; raises `PortfolioError` listing
    every error (and warning) when anything is wrong.
    """
    v = _Validator(locate)
    portfolio = v.run(raw)
    problems = sort_problems(v.problems)
    if any(p.severity == "error" for p in problems):
        raise PortfolioError(problems, source)
    return portfolio, problems


# -- checks on the values as written ------------------------------------------
#
# These run on the raw data (what the file said, before the model reads it),
# so every format is judged alike: a CSV cell, an xlsx cell and a YAML scalar
# with the same text get the same verdict.


def id_text(value: Any) -> str | None:
    """An id as graphkit stores it: text as it is, a whole number as its
    digits (spreadsheet ids like 1001); None for anything else (a fraction,
    a boolean), which the model then reports.

    >>> id_text(1001), id_text("cmo-1"), id_text(1.5), id_text(True)
    ('1001', 'cmo-1', None, None)
    """
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


# Characters refused in text: controls (C0, DEL, C1) other than tab and line feed;
# files and spreadsheets cannot all hold them and terminals act on them.
_CONTROL = re.compile("[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f]")


def _types(annotation: Any) -> set[Any]:
    """The plain types an annotation is made of (Optional, tuple and Annotated unwrapped)."""
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) is typing.Annotated:
        return _types(args[0])
    if not args:
        return {annotation}
    return {t for a in args if a is not Ellipsis for t in _types(a)}


@functools.cache
def _field_specs(cls: type[Record]) -> tuple[tuple[str, type[Record] | None, frozenset[Any]], ...]:
    """(file key, nested record class or None, plain types) of each field, once per class."""
    return tuple((f.key, cls.NESTED.get(f.name), frozenset(_types(f.type))) for f in fields_of(cls))


_TEXT = frozenset({str})
# Records read by msgspec in one call: a batch with a record it refuses is read record by record.
_BATCH = 1000
_UNDEFINED = object()  # `kinds.get` of an id no section defines


@functools.cache
def _known_keys(cls: type[Record]) -> frozenset[str]:
    """The keys a record of `cls` may have (aliases as written in files)."""
    return frozenset(key for key, _, _ in _field_specs(cls))


def _fields(cls: type[Record], item: Mapping[str, Any], where: tuple[Any, ...] = ()) -> Iterable[tuple[Any, ...]]:
    """(field path inside the record, types, value) for every scalar value
    of a raw record, nested records and list items included."""
    for key, nested, types in _field_specs(cls):
        if key not in item:
            continue
        value = item[key]
        if nested is not None:
            for j, entry in enumerate(value if isinstance(value, list) else ()):
                if isinstance(entry, Mapping):
                    yield from _fields(nested, entry, (*where, key, j))
                else:  # the short form: a bare id
                    yield (*where, key, j), _TEXT, entry
        elif isinstance(value, list):
            for j, v in enumerate(value):
                yield (*where, key, j), types, v
        else:
            yield (*where, key), types, value


@functools.cache
def _value_kinds(cls: type[Record]) -> dict[str, tuple[type[Record] | None, bool, bool]]:
    """File key -> (nested record class or None, whether the field takes
    text, whether it takes a number), once per class."""
    return {key: (nested, str in types, float in types) for key, nested, types in _field_specs(cls)}


def _suspect(cls: type[Record], item: Mapping[str, Any]) -> bool:
    """Whether the checks of a raw record as written (`check_record_values`,
    `check_unknown_keys`) could find anything in it: their checks in one loop
    over the record's own keys, so that the clean records of a large file
    (nearly all) cost a few type tests each. A True only sends the record
    through the full checks."""
    kinds = _value_kinds(cls)
    for key, value in item.items():
        spec = kinds.get(key)
        if spec is None:
            return True  # a key the model lacks
        nested, text, number = spec
        if nested is not None:
            for entry in value if isinstance(value, list) else ():
                if isinstance(entry, str):  # a bare id, the short form
                    if entry and not (entry[0] > " " and entry[-1] > " " and entry.isprintable()):
                        return True
                elif isinstance(entry, (dict, Mapping)):  # dict first: the usual case, without the ABC check
                    if _suspect(nested, entry):
                        return True
                elif isinstance(entry, float):  # a bare id, read as text
                    return True
            continue
        for v in value if isinstance(value, list) else (value,):
            if isinstance(v, str):
                if v and not (v[0] > " " and v[-1] > " " and v.isprintable()):
                    return True
            elif (text and isinstance(v, float)) or (number and isinstance(v, bool)):
                return True
    return False


class _InputChecks:
    """Checks on values as written, on top of the model's own."""

    locate: Locate
    error: Callable[..., None]

    def check_record_values(self, key: str, i: int, item: Mapping[str, Any]) -> None:
        """Text is kept exactly: surrounding whitespace and control characters
        are refused rather than silently stripped; a fraction where text is
        expected (1.5 and 1.50 are one number) and a boolean where a number is
        expected (true is not 1) are refused too."""
        for where, types, value in _fields(SECTIONS[key], item):
            if isinstance(value, str):
                if not value or (value[0] > " " and value[-1] > " " and value.isprintable()):
                    continue  # the usual case, decided without a regular expression
                message = self._text_problem(value)
            elif isinstance(value, float) and str in types:
                message = f"{brief(value)} is a number that is not whole; write it in quotes"
            elif isinstance(value, bool) and float in types:
                message = f"must be a number, got '{value}'"
            else:
                continue
            if message:
                what, name = describe(key, item), field_name(where)
                self.error((key, i, *where), f"{what}: {name} {message}")

    @staticmethod
    def _text_problem(value: str) -> str:
        bad = _CONTROL.search(value)
        if bad:
            return f"contains the control character U+{ord(bad.group()):04X} (at character {bad.start() + 1})"
        if value != value.strip():
            return f"'{brief(value)}' has spaces around it; remove them"
        return ""

    def reserved(self, key: str, i: int, item: Mapping[str, Any]) -> None:
        """Requirement topics are nodes `topic:<topic>`: no other node may take such an id."""
        self.error(
            (key, i, "id"),
            f"{describe(key, item)}: ids starting '{requirement_node_id('')}' are reserved for requirement topics",
        )

    def check_look_alikes(self, raw: Mapping[str, Any]) -> None:
        """Ids that differ only by invisible or look-alike characters are
        almost certainly one node typed twice: warn."""
        seen: dict[str, tuple[str, tuple[Any, ...]]] = {}
        for key, i, item in _raw_records(raw, NODE_SECTIONS):
            node_id = id_text(item.get("id"))
            if node_id is None:
                continue
            skeleton, odd = _skeleton(node_id)
            other = seen.setdefault(skeleton, (node_id, (key, i, "id")))
            if other[0] != node_id and (odd or _skeleton(other[0])[1]):
                names = ", ".join(f"U+{ord(c):04X} {unicodedata.name(c, '?')}" for c in odd or _skeleton(other[0])[1])
                self.error(
                    (key, i, "id"),
                    f"id '{brief(node_id)}' looks like '{brief(other[0])}' (at {self.locate(other[1])}): "
                    f"it differs only in {names}",
                    "warning",
                )

    def check_duplicate_entries(self, sections: dict[str, list[tuple[int, Any]]], supply_repeats: bool) -> None:
        """One contract per client, provider and currency, one supply entry per
        product, provider and step (`supply_repeats`: whether any product names
        a provider for a step twice), one feed per pair and material: a second
        one would be summed by the analyses and refused by a Neo4j load. Paths
        are made only for a kind where some key repeats."""
        contracts, feeds = sections["contracts"], sections["feeds"]
        if _repeats((c.client, c.provider, c.currency) for _, c in contracts):
            self._duplicates(
                "contract",
                ((("contracts", i), (c.client, c.provider, c.currency)) for i, c in contracts),
                lambda k: f"duplicate contract {k[0]} -> {k[1]} in {k[2]}",
            )
        if _repeats((f.from_, f.to, f.material) for _, f in feeds):
            self._duplicates(
                "feed",
                ((("feeds", i), (f.from_, f.to, f.material)) for i, f in feeds),
                lambda k: f"duplicate feed {k[0]} -> {k[1]} of {k[2]}",
            )
        if supply_repeats:
            self._duplicates(
                "supply",
                (
                    (("products", i, "supply", j), (p.id, s.provider, s.step))
                    for i, p in sections["products"]
                    for j, s in enumerate(p.supply)
                ),
                lambda k: f"product '{k[0]}': duplicate supply entry {k[1]} {k[2]}",
            )

    def _duplicates(
        self,
        kind: str,
        entries: Iterable[tuple[tuple[Any, ...], tuple[Any, ...]]],
        message: Callable[[tuple[Any, ...]], str],
    ) -> None:
        first: dict[tuple[Any, ...], tuple[Any, ...]] = {}
        for path, key in entries:
            if key in first:
                self.error(path, f"{message(key)} (first at {self.locate(first[key])}){_HINT.get(kind, '')}")
            first.setdefault(key, path)


_HINT = {"contract": "; write one contract with the total"}


def _repeats(keys: Iterable[tuple[Any, ...]]) -> bool:
    """Whether a key comes twice."""
    listed = list(keys)
    return len(set(listed)) < len(listed)


def _skeleton(text: str) -> tuple[str, list[str]]:
    """`text` with invisible characters dropped and letters of other scripts
    replaced by the Latin letters they look like; and the characters changed."""
    if text.isascii():
        return text, []
    from confusable_homoglyphs import categories, confusables

    out, odd = [], []
    for c in unicodedata.normalize("NFC", text):
        if unicodedata.category(c) == "Cf":
            odd.append(c)
            continue
        if not c.isascii() and categories.alias(c) not in ("LATIN", "COMMON"):
            latin = [h["c"] for h in confusables.confusables_data.get(c, ()) if h["c"].isascii()]
            if latin:
                odd.append(c)
                c = latin[0]
        out.append(c)
    return "".join(out), list(dict.fromkeys(odd))


class _Validator(_InputChecks):
    def __init__(self, locate: Locate) -> None:
        self.locate = locate
        self.problems: list[Problem] = []
        self.kinds: dict[str, NodeKind | None] = {}  # id -> kind (None: record itself invalid)
        self.not_as_written: dict[str, list[int]] = {}  # section -> records msgspec did not read as written
        self._first: dict[str, tuple[str, int]] | None = None

    def error(self, path: tuple[Any, ...], message: str, severity: str = "error") -> None:
        self.problems.append(Problem(self.locate(path), message, severity))  # type: ignore[arg-type]

    def run(self, raw: Any) -> Portfolio:
        if not isinstance(raw, Mapping):
            self.error(
                (), f"a portfolio must be a mapping of sections ({', '.join(SECTIONS)}), found {type(raw).__name__}"
            )
            return Portfolio()
        for key in raw:
            if key not in SECTIONS:
                self.error((key,), f"unknown section '{key}' ignored{did_you_mean(key, SECTIONS)}", "warning")
        sections = {key: self.parse_section(key, raw.get(key)) for key in SECTIONS}
        self.check_ids(raw)
        self.check_references(raw, sections)
        portfolio = Portfolio(**{k: tuple(map(_RECORD, v)) for k, v in sections.items()})
        self.check_requirements(sections, portfolio)
        self.check_currencies(sections["contracts"])
        self.check_contract_terms(sections["contracts"])
        self.check_feed_cycles(sections["feeds"])
        scan = _ProductScan(sections["products"], portfolio.nodes, {f.to for f in portfolio.feeds if not f.products})
        self.check_duplicate_entries(sections, scan.supply_repeats)
        if not scan.capable:
            self.check_capabilities(sections["products"], portfolio)
        self.check_territories(sections, portfolio, scan)
        self.check_unscoped_feeds(sections["feeds"], scan.supplied)
        return portfolio

    # -- records -----------------------------------------------------------

    def parse_section(self, key: str, items: Any) -> list[tuple[int, Any]]:
        if items is None:
            return []
        if not isinstance(items, list):
            self.error((key,), f"section '{key}' must be a list of records")
            return []
        cls = SECTIONS[key]
        out: list[tuple[int, Any]] = []
        odd = self.not_as_written.setdefault(key, [])
        for start in range(0, len(items), _BATCH):
            batch = items[start : start + _BATCH]
            records = read_typed_all(cls, batch)  # clean text, no unknown key: nothing for the checks as written
            if records is not None:
                out += zip(range(start, start + len(batch)), records)
                continue
            for i, item in enumerate(batch, start):
                if not isinstance(item, (dict, Mapping)):
                    self.error((key, i), f"each entry of '{key}' must be a record with fields, found {brief(item)}")
                    continue
                record = read_typed(cls, item)
                if record is not None:
                    out.append((i, record))
                    continue
                odd.append(i)
                if _suspect(cls, item):  # the checks of the record as written, behind their quick gate
                    self.check_unknown_keys(cls, item, (key, i), (key, item))
                    self.check_record_values(key, i, item)
                record, problems = read_fields(cls, item)
                if record is not None:
                    out.append((i, record))
                for err in problems:
                    self.error((key, i) + err["loc"], f"{describe(key, item)}: {explain(err)}")
        return out

    def check_unknown_keys(
        self, cls: type[Record], item: Mapping[str, Any], path: tuple[Any, ...], record: tuple[str, Mapping[str, Any]]
    ) -> None:
        """Warn of keys the model lacks; `record` (section, raw record) names
        the record in the message, worked out only when there is one."""
        known = _known_keys(cls)
        if not known.issuperset(item):  # the usual case decided in one set operation
            for k in item:
                if k not in known:
                    what = describe(*record)
                    self.error(path + (k,), f"{what}: unknown field '{k}' ignored{did_you_mean(k, known)}", "warning")
        for name, nested in cls.NESTED.items():
            entries = item.get(name)
            if not isinstance(entries, list):
                continue
            nested_known = _known_keys(nested)
            for j, entry in enumerate(entries):
                if isinstance(entry, Mapping) and (nested.NESTED or not nested_known.issuperset(entry)):
                    self.check_unknown_keys(nested, entry, path + (name, j), record)

    def check_ids(self, raw: Mapping[str, Any]) -> None:
        """Ids are unique across all node sections; remember each one's kind
        (None when a provider's kind is itself invalid) for reference checks.
        The same walk refuses reserved ids (`reserved`) and learns whether any
        id is not ASCII, the only way to a look-alike (`check_look_alikes`)."""
        prefix = requirement_node_id("")
        kinds = self.kinds
        ascii_only = True
        for key in NODE_SECTIONS:
            items = raw.get(key)
            kind = KIND_OF_SECTION.get(key)  # None: a provider, whose kind is its own
            for i, item in enumerate(items if isinstance(items, list) else ()):
                if not isinstance(item, (dict, Mapping)):  # dict first: without the ABC check
                    continue
                node_id = item.get("id")
                if type(node_id) is not str:  # text, the usual case, without a call
                    node_id = id_text(node_id)
                    if node_id is None:
                        continue
                if node_id.startswith(prefix):
                    self.reserved(key, i, item)
                if ascii_only and not node_id.isascii():
                    ascii_only = False
                if node_id in kinds:
                    where = self.locate(self.first_defined(raw)[node_id])
                    self.error((key, i, "id"), f"duplicate id '{node_id}' (first defined at {where})")
                    continue
                if kind is None:
                    written = item.get("kind")
                    kinds[node_id] = NODE_KIND_OF_PROVIDER.get(written) if isinstance(written, str) else None
                else:
                    kinds[node_id] = kind
        if not ascii_only:
            self.check_look_alikes(raw)

    def first_defined(self, raw: Mapping[str, Any]) -> dict[str, tuple[str, int]]:
        """id -> (section, index) of its first definition, made at the first duplicate."""
        if self._first is None:
            self._first = {}
            for key, i, item in _raw_records(raw, NODE_SECTIONS):
                node_id = id_text(item.get("id"))
                if node_id is not None:
                    self._first.setdefault(node_id, (key, i))
        return self._first

    def check_references(self, raw: Mapping[str, Any], sections: dict[str, list[tuple[int, Any]]]) -> None:
        """Every reference names a defined node of the right kind. Runs on the
        raw records, so references in otherwise invalid records are checked too;
        the records msgspec read as written hold the very values written, so
        their references are judged together (a field's values against the
        ids of the kinds it may name, one set test), and their raw records are
        gone through only when one is wrong."""
        kinds = self.kinds
        of_kind: dict[NodeKind | None, set[str]] = {}
        for node, kind in kinds.items():
            of_kind.setdefault(kind, set()).add(node)
        named: dict[frozenset[NodeKind], set[str]] = {}  # kinds a field may name -> the ids it may name
        for key, refs in REFERENCES.items():
            items = raw.get(key)
            if not isinstance(items, list):
                continue
            odd = self.not_as_written.get(key, [])
            skip = set(odd)
            records = [r for i, r in sections[key] if i not in skip] if skip else [r for _, r in sections[key]]
            clean = True
            for values, allowed in _REFERENCE_VALUES[key]:
                if allowed not in named:
                    named[allowed] = set().union(*(of_kind.get(k, ()) for k in allowed))
                clean = clean and named[allowed].issuperset(values(records))
            for i in odd if clean else range(len(items)):
                item = items[i]
                if isinstance(item, (dict, Mapping)) and not _resolved(item, refs, kinds):
                    self.check_record_references(key, i, item)

    def check_record_references(self, key: str, i: int, item: Mapping[str, Any]) -> None:
        """`check_references` of one record, past the quick gate."""
        for pattern, label, allowed, hint in REFERENCES[key]:
            for path, value in _values_at(item, pattern, (key, i)):
                node = id_text(value)
                if node is not None and self.kinds.get(node, _UNDEFINED) not in allowed:
                    self.ref(path, describe(key, item), label, node, allowed, hint)

    def ref(
        self, path: tuple[Any, ...], what: str, field: str, value: str, allowed: frozenset[NodeKind], hint: str = ""
    ) -> None:
        if value not in self.kinds:
            candidates = [i for i, k in self.kinds.items() if k in allowed]
            self.error(path, f"{what}: {field} '{brief(value)}' is not defined{did_you_mean(value, candidates)}")
            return
        kind = self.kinds[value]
        if kind is not None and kind not in allowed:
            expected = " or ".join(sorted(k.value for k in allowed))
            self.error(path, f"{what}: {field} '{value}' is a {kind.value}, not a {expected}{hint}")

    def check_requirements(self, sections: dict[str, list[tuple[int, Any]]], portfolio: Portfolio) -> None:
        """A party has one value per topic and product; it should reach the product."""
        index_of = {id(r): i for i, r in sections["requirements"]}
        seen: dict[tuple[str, str, str], tuple[str, int]] = {}
        # Two values for one product need two values for one party and topic: only those are gone through.
        values: dict[tuple[str, str], set[str]] = {}
        for _, req in sections["requirements"]:
            values.setdefault((req.party, req.topic), set()).add(req.value)
        for req, prods in portfolio.requirement_products:
            i = index_of[id(req)]
            for prod in prods if len(values[(req.party, req.topic)]) > 1 else ():
                key = (req.party, req.topic, prod)
                if key in seen and seen[key][0] != req.value:
                    self.error(
                        ("requirements", i),
                        f"{req.party} requires {req.topic} = "
                        f"'{req.value}' for {prod}, but also '{seen[key][0]}' "
                        f"(at {self.locate(('requirements', seen[key][1]))})",
                    )
                seen.setdefault(key, (req.value, i))
            for prod in req.products:
                product = portfolio.nodes.get(prod)
                if isinstance(product, Product) and req.party not in product.parties:
                    self.error(
                        ("requirements", i),
                        f"{req.party} has a requirement for {prod}, which it neither markets nor owns",
                        "warning",
                    )

    def check_currencies(self, contracts: list[tuple[int, Contract]]) -> None:
        first: dict[str, tuple[str, int]] = {}
        for i, c in contracts:
            if c.provider in first and first[c.provider][0] != c.currency:
                cur, j = first[c.provider]
                self.error(
                    ("contracts", i, "currency"),
                    f"contract {c.client} -> {c.provider}: currency {c.currency} differs from "
                    f"{cur} used for the same provider at {self.locate(('contracts', j))}; "
                    "one provider's contracts must share a currency",
                )
            first.setdefault(c.provider, (c.currency, i))

    def check_contract_terms(self, contracts: list[tuple[int, Contract]]) -> None:
        for i, c in contracts:
            if c.start is not None and c.end is not None and c.end < c.start:
                self.error(
                    ("contracts", i, "end"),
                    f"contract {c.client} -> {c.provider}: end {c.end.isoformat()} is before start "
                    f"{c.start.isoformat()}",
                )

    def check_feed_cycles(self, feeds: list[tuple[int, Feed]]) -> None:
        inputs: dict[str, set[str]] = {}
        for _, f in feeds:
            inputs.setdefault(f.to, set()).add(f.from_)
        try:  # the standard library says whether there is a cycle; NetworkX, loaded only then, names each
            graphlib.TopologicalSorter(inputs).prepare()
            return
        except graphlib.CycleError:
            pass
        import networkx as nx

        g: nx.DiGraph[str] = nx.DiGraph()
        for i, f in feeds:
            g.add_edge(f.from_, f.to, index=i)
        for component in nx.strongly_connected_components(g):
            if len(component) == 1 and not any(g.has_edge(n, n) for n in component):
                continue
            cycle = nx.find_cycle(g.subgraph(component))
            names = " -> ".join([u for u, _ in cycle] + [cycle[0][0]])
            self.error(("feeds", g.edges[cycle[0]]["index"]), f"feeds form a cycle: {names}")

    def check_capabilities(self, products: list[tuple[int, Product]], portfolio: Portfolio) -> None:
        """A provider only on steps its kind can perform (`model.KIND_SERVICES`:
        an error otherwise) and, when it lists `services` or `technologies`,
        on steps and dosage forms among them (a warning otherwise)."""
        nodes = portfolio.nodes
        for i, p in products:
            for j, s in enumerate(p.supply):
                prov = nodes.get(s.provider)
                if not isinstance(prov, Provider) or prov.kind not in _SUPPLYING:
                    continue  # undefined, or the wrong kind altogether: reported as a reference
                path = ("products", i, "supply", j, "provider")
                if not kind_may_perform(prov.kind, s.step):
                    self.error(
                        path, f"product '{p.id}': a {prov.kind} cannot perform {s.step}: {prov.id} is a {prov.kind}"
                    )
                    continue
                self._offers(path, p, prov, str(s.step))
                if s.step in TECHNOLOGY_STEPS and prov.technologies and p.technology not in prov.technologies:
                    self.error(
                        path,
                        f"product '{p.id}': {prov.id} performs {s.step} for a {p.technology} product, but its "
                        f"technologies ({', '.join(prov.technologies)}) do not include {p.technology}",
                        "warning",
                    )
            for j, d in enumerate(p.distributors):
                prov = portfolio.nodes.get(d.distributor)
                if isinstance(prov, Provider):
                    self._offers(("products", i, "distributors", j), p, prov, DISTRIBUTION_STEP)

    def _offers(self, path: tuple[Any, ...], product: Product, prov: Provider, step: str) -> None:
        service = STEP_SERVICES[step]
        if prov.services and service not in prov.services:
            self.error(
                path,
                f"product '{product.id}': {prov.id} performs {step}, but its services "
                f"({', '.join(prov.services)}) do not include {service}",
                "warning",
            )

    def check_territories(
        self, sections: dict[str, list[tuple[int, Any]]], portfolio: Portfolio, scan: _ProductScan
    ) -> None:
        """Territories are compared exactly, so one written two ways (JP, jp)
        is an error; a `filed_in` territory must be named somewhere else (a
        market or a partner's territory: an error with did-you-mean) and
        should be a market of the products it files for (a warning)."""
        known = scan.known | {t for _, m in sections["marketing_partners"] for t in m.territories}
        spellings = known | scan.filed_in | {t for _, f in sections["feeds"] for t in f.filed_in}
        if len({t.casefold() for t in spellings}) < len(spellings):
            written: dict[str, tuple[str, tuple[Any, ...]]] = {}  # case-folded -> first spelling, where
            for path, territory in _territories(sections):
                first = written.setdefault(territory.casefold(), (territory, path))
                if first[0] != territory:
                    self.error(
                        path,
                        f"territory '{brief(territory)}' is written '{first[0]}' at {self.locate(first[1])}; "
                        "territories are compared exactly, write it one way",
                    )
        for i, p in scan.filing:
            for j, s in enumerate(p.supply):
                if s.filed_in:
                    self._filed_in(
                        ("products", i, "supply", j), f"product '{p.id}': supply #{j + 1}", s.filed_in, [p], known
                    )
        for i, f in sections["feeds"]:
            if not f.filed_in:
                continue
            into = [portfolio.nodes[pid] for pid in f.products if isinstance(portfolio.nodes.get(pid), Product)]
            feeds_into = typing.cast(list[Product], into) if f.products else scan.supplied.get(f.to, [])
            self._filed_in(("feeds", i), f"feed {f.from_} -> {f.to}", f.filed_in, feeds_into, known)

    def _filed_in(
        self, path: tuple[Any, ...], what: str, filed_in: tuple[str, ...], products: list[Product], known: set[str]
    ) -> None:
        if not filed_in:
            return
        markets = [t for p in products for t in p.market_territories if t is not None]
        for k, territory in enumerate(filed_in):
            where = (*path, "filed_in", k)
            if territory not in known:
                if territory.casefold() in {t.casefold() for t in known}:
                    continue  # written another way elsewhere: reported as such
                near = did_you_mean(territory, markets) or did_you_mean(territory, known)
                self.error(
                    where,
                    f"{what}: filed_in territory '{brief(territory)}' is not a market or a partner's territory{near}",
                )
            elif products and territory not in markets:
                names = ", ".join(dict.fromkeys(markets)) or "one global market"
                self.error(
                    where,
                    f"{what}: filed_in territory '{territory}' is not a market of "
                    f"{', '.join(p.id for p in products)} ({names}); the filing counts nowhere",
                    "warning",
                )

    def check_unscoped_feeds(self, feeds: list[tuple[int, Feed]], supplied: dict[str, list[Product]]) -> None:
        """A note for each feed without `products` into a provider that works on
        several products: it counts as an input of all of them."""
        for i, f in feeds:
            if f.products:
                continue
            products = [p.id for p in supplied.get(f.to, ())]
            if len(products) > 1:
                shown = ", ".join(products[:4]) + (f" and {len(products) - 4} more" if len(products) > 4 else "")
                self.error(
                    ("feeds", i),
                    f"feed {f.from_} -> {f.to} of {f.material} has no products, so it is an input of all "
                    f"{len(products)} products {f.to} works on ({shown}); list `products` if it goes into fewer",
                    "note",
                )


# The provider kinds that perform supply steps (SUPPLIER_KINDS, as the record's own kinds).
_SUPPLYING = frozenset(k for k in ProviderKind if NodeKind(k.value) in SUPPLIER_KINDS)


class _ProductScan:
    """What the checks of supply entries, distributors and territories need
    from the products, gathered in one walk over them: whether a product
    names a provider for a step twice (`supply_repeats`), whether
    `check_capabilities` has anything to say (`capable`: each entry looked
    up in a table of what each provider fits), the territories of the
    products' markets, distributors and partners (`known`) and of their
    filings (`filed_in`), the products with a filing (`filing`), and the
    products each target of a feed without `products` supplies (`supplied`,
    in portfolio order)."""

    def __init__(self, products: list[tuple[int, Product]], nodes: Mapping[str, Record], targets: set[str]) -> None:
        fits: dict[str, dict[str, frozenset[str]]] = {}
        unfit: set[str] = set()  # providers whose services leave out distribution
        for node_id, record in nodes.items():
            if isinstance(record, Provider):
                if record.kind in _SUPPLYING:
                    fits[node_id] = _fits(record.kind, record.services, record.technologies)
                if record.services and STEP_SERVICES[DISTRIBUTION_STEP] not in record.services:
                    unfit.add(node_id)
        self.supply_repeats = False
        self.capable = True
        self.filing: list[tuple[int, Product]] = []
        self.supplied: dict[str, list[Product]] = {}
        supplied = self.supplied
        for i, p in products:
            supply = p.supply
            if len(set(map(_PROVIDER_STEP, supply))) < len(supply):
                self.supply_repeats = True
            technology, filed = p.technology, False
            for s in supply:
                prov = s.provider
                fit = fits.get(prov)  # None: not a provider that supplies, reported as a reference
                if fit is not None and technology not in fit[s.step]:
                    self.capable = False
                if prov in targets:
                    got = supplied.get(prov)
                    if got is None:
                        supplied[prov] = [p]
                    elif got[-1] is not p:  # once for a product naming it twice
                        got.append(p)
                if s.filed_in:
                    filed = True
            if filed:
                self.filing.append((i, p))
        if not unfit.isdisjoint({d.distributor for _, p in products for d in p.distributors}):
            self.capable = False
        known: set[str | None] = {m.territory for _, p in products for m in p.markets}
        known.update({d.territory for _, p in products for d in p.distributors})
        known.update({m.territory for _, p in products for m in p.marketed_by})
        known.discard(None)
        self.known = typing.cast(set[str], known)
        self.filed_in = {t for _, p in self.filing for s in p.supply for t in s.filed_in}


_PROVIDER_STEP = operator.attrgetter("provider", "step")
_RECORD = operator.itemgetter(1)  # of an (index, record) pair
_EVERY_TECHNOLOGY = frozenset(Technology)


@functools.cache
def _fits(kind: ProviderKind, services: tuple[str, ...], technologies: tuple[str, ...]) -> dict[str, frozenset[str]]:
    """step -> the technologies of products a provider may perform it for
    without a word from `check_capabilities` (none: a step it may not
    perform, or a service it does not list), from what makes the provider."""
    fits: dict[str, frozenset[str]] = {}
    for step in Step:
        if not kind_may_perform(kind, step) or (services and STEP_SERVICES[step] not in services):
            fits[step] = frozenset()
        elif step in TECHNOLOGY_STEPS and technologies:
            fits[step] = frozenset(technologies)
        else:
            fits[step] = _EVERY_TECHNOLOGY
    return fits


def _territories(sections: dict[str, list[tuple[int, Any]]]) -> Iterable[tuple[tuple[Any, ...], str]]:
    """(path, territory) of every territory written, in file order."""
    for i, m in sections["marketing_partners"]:
        for k, t in enumerate(m.territories):
            yield ("marketing_partners", i, "territories", k), t
    for i, p in sections["products"]:
        for key, entries in (("markets", p.markets), ("distributors", p.distributors), ("marketed_by", p.marketed_by)):
            for j, e in enumerate(entries):
                if e.territory is not None:
                    yield ("products", i, key, j, "territory"), e.territory
        for j, s in enumerate(p.supply):
            for k, t in enumerate(s.filed_in):
                yield ("products", i, "supply", j, "filed_in", k), t
    for i, f in sections["feeds"]:
        for k, t in enumerate(f.filed_in):
            yield ("feeds", i, "filed_in", k), t


# section -> (path to the referencing value, how messages call it, kinds it may
# name, hint); "*" walks a list. Read from the model's `Ref` marks.
REFERENCES: dict[str, list[tuple[tuple[str, ...], str, frozenset[NodeKind], str]]] = {}
for _r in references():
    REFERENCES.setdefault(_r.section, []).append((_r.path, _r.ref.label, _r.ref.kinds, _r.ref.hint))


def _record_values(cls: type[Record], pattern: tuple[str, ...]) -> Callable[[list[Any]], Iterable[str]]:
    """The values at a `REFERENCES` pattern of records of `cls` as read (a
    field, a list field's items, a field of a list field's records)."""
    names = {f.key: f.name for f in fields_of(cls)}
    get = operator.attrgetter(names[pattern[0]])
    if len(pattern) == 1:
        return lambda records: map(get, records)
    if len(pattern) == 2:
        return lambda records: itertools.chain.from_iterable(map(get, records))
    nested = cls.NESTED[names[pattern[0]]]
    sub = operator.attrgetter({f.key: f.name for f in fields_of(nested)}[pattern[2]])
    return lambda records: map(sub, itertools.chain.from_iterable(map(get, records)))


# section -> (the values of one reference field of its records as read, kinds it may name)
_REFERENCE_VALUES = {
    section: [(_record_values(SECTIONS[section], pattern), allowed) for pattern, _, allowed, _ in refs]
    for section, refs in REFERENCES.items()
}


def _raw_records(raw: Mapping[str, Any], keys: Iterable[str]) -> Iterable[tuple[str, int, Mapping[str, Any]]]:
    for key in keys:
        items = raw.get(key)
        for i, item in enumerate(items if isinstance(items, list) else ()):
            if isinstance(item, (dict, Mapping)):  # dict first: without the ABC check
                yield key, i, item


def _values_at(node: Any, pattern: tuple[str, ...], path: tuple[Any, ...]) -> Iterable[tuple[tuple[Any, ...], Any]]:
    """Values at `pattern` below `node`; a bare value where a record is
    expected stands for the record's reference (the short form `[dist-1]`)."""
    if not pattern:
        yield path, node
    elif pattern[0] == "*":
        for j, child in enumerate(node if isinstance(node, list) else ()):
            yield from _values_at(child, pattern[1:], path + (j,))
    elif isinstance(node, Mapping):
        if pattern[0] in node:
            yield from _values_at(node[pattern[0]], pattern[1:], path + (pattern[0],))
    elif len(pattern) == 1:
        yield path, node


def _resolved(
    item: Mapping[str, Any],
    refs: list[tuple[tuple[str, ...], str, frozenset[NodeKind], str]],
    kinds: dict[str, NodeKind | None],
) -> bool:
    """Whether every reference of a raw record names a node of a kind it may:
    `_values_at` unrolled for the model's patterns (a key, a key's list, a
    field of a key's records), so that a large file's records cost a few
    lookups each; False sends the record through the full check."""
    for pattern, _, allowed, _ in refs:
        key = pattern[0]
        if key not in item:
            continue
        value = item[key]
        if len(pattern) == 1:
            values: Iterable[Any] = (value,)
        elif len(pattern) > 3 or pattern[1] != "*":
            values = [v for _, v in _values_at(item, pattern, ())]
        elif not isinstance(value, list):
            continue
        elif len(pattern) == 2:
            values = value
        else:
            sub = pattern[2]
            values = [e.get(sub) if isinstance(e, (dict, Mapping)) else e for e in value]
        for v in values:
            node = v if isinstance(v, str) else id_text(v)  # text, the usual case, without a call
            if node is not None and kinds.get(node, _UNDEFINED) not in allowed:
                return False
    return True


KIND_OF_SECTION = {
    "clients": NodeKind.CLIENT,
    "marketing_partners": NodeKind.MARKETING_PARTNER,
    "products": NodeKind.PRODUCT,
    "liaisons": NodeKind.LIAISON,
}


def describe(section: str, item: Mapping[str, Any]) -> str:
    """A short human name for a raw record, for messages."""
    noun = SINGULAR[section]
    if section in NODE_SECTIONS:
        return f"{noun} '{_field(item, 'id')}'"
    if section == "feeds":
        return f"feed {_field(item, 'from')} -> {_field(item, 'to')}"
    if section == "contracts":
        return f"contract {_field(item, 'client')} -> {_field(item, 'provider')}"
    return f"requirement {_field(item, 'party')} {_field(item, 'topic')}"


def _field(item: Mapping[str, Any], key: str) -> str:
    return brief(item.get(key, "?"))


def field_name(loc: tuple[Any, ...]) -> str:
    """("supply", 1, "step") -> "supply #2 step"."""
    return " ".join(f"#{p + 1}" if isinstance(p, int) else str(p) for p in loc)


def explain(err: Mapping[str, Any]) -> str:
    """A problem of a record as read (`graphkit.records`) in words an analyst understands."""
    name, kind, value = field_name(err["loc"]), err["type"], brief(err.get("input"))
    if kind == "missing":
        return f"{name} is missing"
    if kind == "enum":
        choices = err["ctx"]["choices"]
        return f"{name} '{value}' is not one of {', '.join(choices)}{did_you_mean(value, choices)}"
    if kind in ("float_parsing", "float_type", "finite_number"):
        return f"{name} must be a number, got '{value}'"
    if kind == "greater_than_equal":
        return f"{name} must not be negative, got {value}"
    if kind == "string_too_short":
        return f"{name} is empty"
    if kind == "string_pattern_mismatch":
        return f"{name} must be a three-letter currency code like USD, got '{value}'"
    if kind in ("bool_parsing", "bool_type"):
        return f"{name} must be true or false, got '{value}'"
    if kind in ("tuple_type", "list_type"):
        return f"{name} must be a list, got '{value}'"
    if kind == "string_type":
        return f"{name} must be text, got '{value}'"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"{name} must be a record with fields, got '{value}'"
    if kind == "value_error":  # the model's own validators say what is wrong
        return f"{name} {err['ctx']['error']}"
    return f"{name}: {err['msg']}"
