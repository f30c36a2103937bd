"""The domain model: the one place where graphkit's entities, their fields,
Neo4j labels and references are written down (the closed vocabularies, kinds
and relationship types are in `graphkit.vocabulary` and exported here too).

File formats, validation, the NetworkX graph, the Neo4j store and the
visual styling all derive from the declarations here.
"""

# No `from __future__ import annotations` here: msgspec reads each record
# class's annotations on first use, and evaluating them from strings is a
# noticeable share of a small command's start-up (two names ahead of their
# class are quoted instead).
import functools
import operator
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from functools import cached_property
from types import NoneType, UnionType
from typing import Annotated, Any, ClassVar, NamedTuple, Union, get_args, get_origin

import msgspec
from msgspec import Meta

from .vocabulary import (
    BIOLOGIC_TECHNOLOGIES,
    DISTRIBUTION_STEP,
    KIND_SERVICES,
    MARKETING_STEP,
    NODE_KIND_OF_PROVIDER,
    PARENTERAL_TECHNOLOGIES,
    PROVIDER_KINDS,
    STEP_SERVICES,
    STERILE_TECHNOLOGIES,
    SUPPLIER_KINDS,
    TECHNOLOGY_STEPS,
    BusinessModel,
    NodeKind,
    ProviderKind,
    QualityMaturity,
    RelType,
    Segment,
    Service,
    Stage,
    Step,
    Technology,
    kind_may_perform,
)

__all__ = [
    "DISTRIBUTION_STEP",
    "MARKETING_STEP",
    "LABELS",
    "MODEL_LABELS",
    "NODE_KIND_OF_PROVIDER",
    "NODE_SECTIONS",
    "PROVIDER_KINDS",
    "SUPPLIER_KINDS",
    "KIND_SERVICES",
    "STEP_SERVICES",
    "TECHNOLOGY_STEPS",
    "SECTIONS",
    "STERILE_TECHNOLOGIES",
    "PARENTERAL_TECHNOLOGIES",
    "BIOLOGIC_TECHNOLOGIES",
    "BusinessModel",
    "Client",
    "Contract",
    "DistributorRef",
    "Feed",
    "Field",
    "Liaison",
    "MarketingPartner",
    "Market",
    "MarketingRef",
    "NodeKind",
    "Portfolio",
    "Product",
    "Provider",
    "ProviderKind",
    "QualityMaturity",
    "Record",
    "Ref",
    "Reference",
    "RelType",
    "Relationship",
    "Requirement",
    "Segment",
    "Service",
    "ShortForm",
    "Stage",
    "Step",
    "SupplyLink",
    "Technology",
    "Text",
    "fields_of",
    "iso_date",
    "plain_type",
    "kind_may_perform",
    "references",
    "requirement_node_id",
]


@dataclass(frozen=True)
class Ref:
    """Marks a field (in its ``Annotated`` metadata) as naming a node: the
    kinds it may name, how messages call it, and, when the graph keeps the
    field as a relationship of the record's own node, that relationship's
    type and whether the record's node is its target (`incoming`).
    Validation and the Neo4j mapping read these through `references()`."""

    kinds: frozenset[NodeKind]
    label: str
    hint: str = ""
    rel: RelType | None = None
    incoming: bool = True


@dataclass(frozen=True)
class Reference:
    """One referencing field: its section, its path in a record (``*`` walks
    a list, e.g. ``("supply", "*", "provider")``) and its `Ref`."""

    section: str
    path: tuple[str, ...]
    ref: Ref


@dataclass(frozen=True)
class Text:
    """How a text field reads what a file wrote: surrounding whitespace
    stripped (`strip`), upper-cased (`upper`), then held to `min_length` and
    `pattern`; ids written as numbers are read as their digits. The `Meta`
    beside it is what msgspec's typed reading accepts as written (`CLEAN`):
    anything else is read through these rules (graphkit.records)."""

    strip: bool = True
    upper: bool = False
    min_length: int = 0
    pattern: str | None = None


# Text msgspec's typed reading takes as written: printable ASCII, no surrounding
# whitespace (so the checks of text as written, graphkit.validate, have nothing to say).
CLEAN = Meta(pattern=r"^[!-~](?:[ -~]*[!-~])?\Z")
CURRENCY = "^[A-Z]{3}$"


@dataclass(frozen=True)
class ShortForm:
    """Marks a nested record that may be written as a bare id: the field that id fills."""

    key: str


Name = Annotated[str, CLEAN, Text(min_length=1)]
Id = Annotated[str, CLEAN, Text(min_length=1)]
# Text kept as written (no stripping).
Plain = Annotated[str, CLEAN, Text(strip=False)]
# Every number of the model is finite and >= 0 (the upper bound refuses infinity, `ge` NaN).
Amount = Annotated[float, Meta(ge=0, le=sys.float_info.max)]
# A duration in weeks (recovery, bring-up, stock on hand): a finite number >= 0.
Weeks = Amount
# Batches a year: a provider's `capacity` (every batch it can make or test in a
# year, whatever the product or step) and a supply entry's `volume` (what that
# step of that product takes of it).
Batches = Amount
# Months of notice a contract needs before it ends.
Months = Amount


def iso_date(value: Any) -> date:
    """A calendar date written YYYY-MM-DD (text, a YAML date, or a
    spreadsheet date cell at midnight); anything else is refused rather than
    read as a timestamp or a day count.

    >>> iso_date("2027-03-31"), iso_date(datetime(2027, 3, 31))
    (datetime.date(2027, 3, 31), datetime.date(2027, 3, 31))
    """
    if isinstance(value, datetime):
        if value.time() != datetime.min.time():
            raise ValueError(f"must be a date without a time of day, got '{value.isoformat()}'")
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"'{value}' is not a date of the calendar") from None
    raise ValueError(f"must be a date written YYYY-MM-DD, got '{value}'")


# A date field: what msgspec reads is a date written exactly YYYY-MM-DD; the
# rest of `iso_date`'s spellings go through it (graphkit.records).
IsoDate = date
# Provenance of an imported record, e.g. "orders.csv rows 2-4, 9; 2024-01-05..2024-03-02"
# (graphkit import ledger writes it; analyses ignore it).
Source = Annotated[str, CLEAN, Text()] | None


class Field(NamedTuple):
    """A field of a record class: its attribute name, its key in files, its
    type (without its marks) and its marks (`Ref`, `Text`, `Meta`, `ShortForm`)."""

    name: str
    key: str
    type: Any
    marks: tuple[Any, ...]
    default: Any


@functools.cache
def fields_of(cls: "type[Record]") -> tuple[Field, ...]:
    """The fields of a record class, in declaration order."""
    out = []
    for f in msgspec.structs.fields(cls):
        annotation, marks = f.type, ()
        if get_origin(annotation) is Annotated:
            annotation, *extra = get_args(annotation)
            marks = tuple(extra)
        out.append(Field(f.name, f.encode_name, annotation, marks, f.default))
    return tuple(out)


def plain_type(annotation: Any) -> Any:
    """A field's type without its Optional and its marks (`float | None` -> float)."""
    if get_origin(annotation) in (Union, UnionType):
        annotation = next(a for a in get_args(annotation) if a is not NoneType)
    return get_args(annotation)[0] if get_origin(annotation) is Annotated else annotation


def _written(nested: bool, annotation: Any) -> Callable[[Any], Any] | None:
    """How `to_dict` writes a value of a field, from its type (None: as it is)."""
    base = plain_type(annotation)
    if nested:
        return lambda items: [item.to_dict() for item in items]
    if get_origin(base) is tuple:
        return lambda items: [str(v) for v in items]
    if base is date:
        return date.isoformat
    if isinstance(base, type) and issubclass(base, StrEnum):
        return str
    if base is float:
        return lambda v: int(v) if type(v) is float and v.is_integer() else v
    return None


class Record(msgspec.Struct, frozen=True, gc=False, forbid_unknown_fields=True):
    """Base of every record in a portfolio file: immutable, lenient about
    number/string spelling (spreadsheets), strict about everything else
    (graphkit.records reads raw records into them; a key the model lacks
    sends a record to the field-by-field reading, which ignores it). Not
    tracked by the cyclic collector: records hold only text, numbers and
    other records."""

    # Nested list fields holding records of another class (for files and sheets).
    NESTED: "ClassVar[dict[str, type[Record]]]" = {}
    # to_dict's plan: the fields' values at once, and each one's key and writer.
    _VALUES: ClassVar[Callable[[Any], tuple[Any, ...]]]
    _KEYS: ClassVar[tuple[tuple[str, Callable[[Any], Any] | None], ...]]

    def to_dict(self, omit: frozenset[str] = frozenset()) -> dict[str, Any]:
        """The record as it is written in a portfolio file (unset fields left
        out; so a bool, `qualified` among them, is always written), without
        the keys in `omit` (never written out, so nested records there cost nothing)."""
        cls = type(self)
        try:
            plan = cls.__dict__["_KEYS"]
        except KeyError:
            plan = _plan(cls)
        out: dict[str, Any] = {}
        for (key, write), value in zip(plan, cls._VALUES(self)):
            if not value and (value is None or value == () or value == ""):  # unset (0 and False are values)
                continue
            if omit and key in omit:
                continue
            out[key] = value if write is None else write(value)
        return out


def _plan(cls: type[Record]) -> tuple[tuple[str, Callable[[Any], Any] | None], ...]:
    """`to_dict`'s plan of a class, worked out at its first use."""
    cls._VALUES = operator.attrgetter(*(f.name for f in fields_of(cls)))  # every record has several fields
    cls._KEYS = tuple((f.key, _written(f.name in cls.NESTED, f.type)) for f in fields_of(cls))
    return cls._KEYS


class Provider(Record, frozen=True):
    id: Id
    name: Name
    kind: ProviderKind
    business_model: BusinessModel | None = None
    services: tuple[Service, ...] = ()
    technologies: tuple[Technology, ...] = ()
    own_technologies: tuple[Technology, ...] = ()
    own_revenue: Amount | None = None
    country: Plain | None = None
    # Batches a year it can make (or test, or pack) over all its products and steps.
    capacity: Batches | None = None
    # Weeks to restore this provider after it fails (unknown: the analyses' default).
    recovery_weeks: Weeks | None = None
    # The corporate group it belongs to (a common cause of failure with its siblings).
    parent: Name | None = None
    source: Source = None

    def __post_init__(self) -> None:
        # A CMO's business model is cmo_only unless the file says otherwise: set
        # here, so that every reader sees one value under one name (files that
        # leave it out still read; files written since say it).
        if self.business_model is None and self.kind == ProviderKind.CMO:
            msgspec.structs.force_setattr(self, "business_model", BusinessModel.CMO_ONLY)


class Client(Record, frozen=True):
    id: Id
    name: Name
    segment: Segment
    quality_maturity: QualityMaturity | None = None
    source: Source = None


class MarketingPartner(Record, frozen=True):
    id: Id
    name: Name
    territories: tuple[Plain, ...] = ()
    source: Source = None


Territory = Annotated[str, CLEAN, Text(min_length=1)]


class SupplyLink(Record, frozen=True):
    provider: Annotated[
        Id,
        Ref(
            SUPPLIER_KINDS,
            "supply provider",
            " (distributors belong under 'distributors')",
            rel=RelType.SUPPLIES,
        ),
    ]
    step: Step
    qualified: bool = True
    # The markets whose registration (dossier) names this source; empty: every market.
    filed_in: tuple[Territory, ...] = ()
    # Weeks to make this source produce for the step when it is not qualified yet.
    bring_up_weeks: Weeks | None = None
    # Batches a year this step of this product takes of the provider's capacity.
    volume: Batches | None = None
    source: Source = None


class DistributorRef(Record, frozen=True):
    distributor: Annotated[Id, Ref(frozenset({NodeKind.DISTRIBUTOR}), "distributor", rel=RelType.DISTRIBUTES)]
    territory: Territory | None = None
    source: Source = None


class MarketingRef(Record, frozen=True):
    partner: Annotated[Id, Ref(frozenset({NodeKind.MARKETING_PARTNER}), "marketing partner", rel=RelType.MARKETS)]
    territory: Territory | None = None
    source: Source = None


class Market(Record, frozen=True):
    """A territory a product is sold in, with its share of the revenue."""

    territory: Territory
    annual_revenue: Amount | None = None
    # Weeks of stock in this market's channel (unset: the product's).
    inventory_weeks: Weeks | None = None
    source: Source = None


# kw_only: `owner`, required, follows `stage`; dict: room for its cached market_territories.
class Product(Record, frozen=True, kw_only=True, dict=True, gc=True):
    id: Id
    name: Name
    technology: Technology
    stage: Stage = Stage.COMMERCIAL
    owner: Annotated[Id, Ref(frozenset({NodeKind.CLIENT}), "owner", rel=RelType.OWNS)]
    annual_revenue: Amount | None = None
    # Weeks of stock in the channel: how long its markets survive a supply stop.
    inventory_weeks: Weeks | None = None
    supply: tuple[SupplyLink, ...] = ()
    distributors: tuple[Annotated[DistributorRef, ShortForm("distributor")], ...] = ()
    marketed_by: tuple[Annotated[MarketingRef, ShortForm("partner")], ...] = ()
    markets: tuple[Annotated[Market, ShortForm("territory")], ...] = ()
    source: Source = None

    NESTED: ClassVar[dict[str, type[Record]]] = {
        "supply": SupplyLink,
        "distributors": DistributorRef,
        "marketed_by": MarketingRef,
        "markets": Market,
    }

    @property
    def sterile(self) -> bool:
        return self.technology in STERILE_TECHNOLOGIES

    @cached_property
    def market_territories(self) -> tuple[str | None, ...]:
        """Its markets: the territories named by `markets`, `distributors` and
        `marketed_by` (in that order), or ``(None,)``, one global market, when
        none names one."""
        named = dict.fromkeys(
            t
            for t in (
                *(m.territory for m in self.markets),
                *(d.territory for d in self.distributors),
                *(m.territory for m in self.marketed_by),
            )
            if t is not None
        )
        return tuple(named) or (None,)

    @property
    def parties(self) -> frozenset[str]:
        """Who may impose requirements on it: its owner and its marketing partners."""
        return frozenset({self.owner, *(m.partner for m in self.marketed_by)})


class Feed(Record, frozen=True):
    from_: Annotated[Id, Ref(PROVIDER_KINDS, "from")] = msgspec.field(name="from")
    to: Annotated[Id, Ref(PROVIDER_KINDS, "to")]
    material: Name
    # The products the material goes into; empty: everything `to` makes.
    products: Annotated[tuple[Id, ...], Ref(frozenset({NodeKind.PRODUCT}), "product")] = ()
    # The markets whose registration names this feeder; empty: every market.
    filed_in: tuple[Territory, ...] = ()


class Contract(Record, frozen=True):
    client: Annotated[Id, Ref(frozenset({NodeKind.CLIENT}), "client")]
    provider: Annotated[Id, Ref(PROVIDER_KINDS, "provider")]
    annual_value: Amount
    currency: Annotated[str, Meta(pattern=CURRENCY), Text(upper=True, pattern=CURRENCY)] = "USD"
    # Terms: the first and last day it runs, the notice it needs, and whether it
    # renews by itself at its end (then `end` is the next renewal date).
    start: IsoDate | None = None
    end: IsoDate | None = None
    notice_months: Months | None = None
    auto_renew: bool | None = None
    source: Source = None


class Requirement(Record, frozen=True):
    party: Annotated[Id, Ref(frozenset({NodeKind.MARKETING_PARTNER, NodeKind.CLIENT}), "party")]
    topic: Name
    value: Annotated[str, CLEAN, Text()]
    products: Annotated[tuple[Id, ...], Ref(frozenset({NodeKind.PRODUCT}), "product")] = ()


class Liaison(Record, frozen=True):
    id: Id
    name: Name
    client: Annotated[Id, Ref(frozenset({NodeKind.CLIENT}), "client", rel=RelType.EMPLOYS)]
    providers: Annotated[tuple[Id, ...], Ref(PROVIDER_KINDS, "provider", rel=RelType.LIAISES_WITH, incoming=False)] = ()
    skills: tuple[Plain, ...] = ()


# Top-level keys of a portfolio, in file order, and the record each holds.
SECTIONS: dict[str, type[Record]] = {
    "providers": Provider,
    "clients": Client,
    "marketing_partners": MarketingPartner,
    "products": Product,
    "feeds": Feed,
    "contracts": Contract,
    "requirements": Requirement,
    "liaisons": Liaison,
}
# Sections whose records are nodes with a portfolio-unique id.
NODE_SECTIONS = ("providers", "clients", "marketing_partners", "products", "liaisons")


def references() -> Iterator[Reference]:
    """Every field that names a node, in section and field order, read from
    the `Ref` marks on the records (nested records' fields included).

    >>> [r.path for r in references() if r.section == "products"]
    [('owner',), ('supply', '*', 'provider'), ('distributors', '*', 'distributor'), ('marketed_by', '*', 'partner')]
    """
    for section, cls in SECTIONS.items():
        for f in fields_of(cls):
            nested = cls.NESTED.get(f.name)
            for sub in fields_of(nested) if nested else ():
                for ref in _refs(sub):
                    yield Reference(section, (f.key, "*", sub.key), ref)
            many = get_origin(f.type) is tuple
            for ref in _refs(f):
                yield Reference(section, (f.key, "*") if many else (f.key,), ref)


def _refs(f: Field) -> list[Ref]:
    return [m for m in f.marks if isinstance(m, Ref)]


# Neo4j labels of each node kind; the first is the label its id is unique in.
LABELS: dict[NodeKind, tuple[str, ...]] = {
    NodeKind.CMO: ("Provider", "CMO"),
    NodeKind.CRO: ("Provider", "CRO"),
    NodeKind.TEST_LAB: ("Provider", "TestLab"),
    NodeKind.DISTRIBUTOR: ("Provider", "Distributor"),
    NodeKind.CLIENT: ("Client",),
    NodeKind.MARKETING_PARTNER: ("MarketingPartner",),
    NodeKind.PRODUCT: ("Product",),
    NodeKind.REQUIREMENT: ("Requirement",),
    NodeKind.LIAISON: ("Liaison",),
}
# Every label of the model once, in the order above (Provider, CMO, ..., Liaison).
MODEL_LABELS = tuple(dict.fromkeys(label for labels in LABELS.values() for label in labels))


def requirement_node_id(topic: str) -> str:
    """Requirements are nodes keyed by topic; parties' values sit on the edges."""
    return f"topic:{topic}"


@dataclass(frozen=True, slots=True)
class Relationship:
    type: RelType
    source: str
    target: str
    properties: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Portfolio:
    """A validated portfolio: the records of every section, in file order."""

    providers: tuple[Provider, ...] = ()
    clients: tuple[Client, ...] = ()
    marketing_partners: tuple[MarketingPartner, ...] = ()
    products: tuple[Product, ...] = ()
    feeds: tuple[Feed, ...] = ()
    contracts: tuple[Contract, ...] = ()
    requirements: tuple[Requirement, ...] = ()
    liaisons: tuple[Liaison, ...] = ()

    @cached_property
    def nodes(self) -> dict[str, Record]:
        """Every node record by id."""
        return {r.id: r for key in NODE_SECTIONS for r in getattr(self, key)}

    def kind(self, node_id: str) -> NodeKind:
        record = self.nodes[node_id]
        if isinstance(record, Provider):
            return NODE_KIND_OF_PROVIDER[record.kind]
        return _KIND_OF_RECORD[type(record)]

    def records(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """(section, record as written in a file) pairs, in file order."""
        for key in SECTIONS:
            for record in getattr(self, key):
                yield key, record.to_dict()

    @cached_property
    def requirement_products(self) -> tuple[tuple[Requirement, tuple[str, ...]], ...]:
        """Each requirement with the products it applies to: its own list, or
        every product the party markets (partner) or owns (client)."""
        reach: dict[str, list[str]] = {}
        for p in self.products:
            for party in p.parties if p.marketed_by else (p.owner,):  # the owner alone: no set to make
                reach.setdefault(party, []).append(p.id)
        return tuple((r, r.products or tuple(reach.get(r.party, ()))) for r in self.requirements)

    @cached_property
    def client_provider_pairs(self) -> tuple[tuple[str, str], ...]:
        """Every (client, provider) joined by a contract, a supply entry of
        one of the client's products or a distributor of one, in that order."""
        pairs: dict[tuple[str, str], None] = {}
        for c in self.contracts:
            pairs[(c.client, c.provider)] = None
        for p in self.products:
            for s in p.supply:
                pairs[(p.owner, s.provider)] = None
            for d in p.distributors:
                pairs[(p.owner, d.distributor)] = None
        return tuple(pairs)

    def relationships(self) -> Iterator[Relationship]:
        """Every relationship of the graph, derived from the records."""
        for fields in self.relationship_fields():
            yield Relationship(*fields)

    def relationship_fields(self) -> Iterator[tuple[RelType, str, str, dict[str, Any]]]:
        """`relationships` as plain (type, source, target, properties) tuples,
        without an object each (a Neo4j load plans every one)."""
        for rel_type, source, target, record in self.links():
            yield rel_type, source, target, _PROPERTIES[rel_type](record)

    def link_counts(self) -> dict[RelType, int]:
        """How many of `links` there are of each type, in the order `links`
        first gives each type (as counting its items would), without making
        them: a product's own types come in the order of the first product
        that has each."""
        counts: dict[RelType, int] = {}
        if self.products:
            counts[RelType.OWNS] = len(self.products)
        found = []
        for rank, (rel_type, field_name) in enumerate(_PRODUCT_LINKS):
            get = operator.attrgetter(field_name)
            if n := sum(map(len, map(get, self.products))):
                first = next(i for i, p in enumerate(self.products) if get(p))
                found.append((first, rank, rel_type, n))
        counts.update((rel_type, n) for _, _, rel_type, n in sorted(found))
        for rel_type, n in (
            (RelType.FEEDS, len(self.feeds)),
            (RelType.CONTRACTS_WITH, len(self.contracts)),
            (RelType.REQUIRES, len(self.requirements)),
            (RelType.EMPLOYS, len(self.liaisons)),
            (RelType.LIAISES_WITH, sum(len(li.providers) for li in self.liaisons)),
        ):
            if n:
                counts[rel_type] = n
        return counts

    def links(self) -> Iterator[tuple[RelType, str, str, Any]]:
        """(type, source, target, the record holding its properties) of every
        relationship, in `relationships` order, without building the
        properties (counting them costs a tenth as much)."""
        for p in self.products:
            yield RelType.OWNS, p.owner, p.id, p
            for s in p.supply:
                yield RelType.SUPPLIES, s.provider, p.id, s
            for d in p.distributors:
                yield RelType.DISTRIBUTES, d.distributor, p.id, d
            for m in p.marketed_by:
                yield RelType.MARKETS, m.partner, p.id, m
        for f in self.feeds:
            yield RelType.FEEDS, f.from_, f.to, f
        for c in self.contracts:
            yield RelType.CONTRACTS_WITH, c.client, c.provider, c
        for r in self.requirements:
            yield RelType.REQUIRES, r.party, requirement_node_id(r.topic), r
        for li in self.liaisons:
            yield RelType.EMPLOYS, li.client, li.id, li
            for prov in li.providers:
                yield RelType.LIAISES_WITH, li.id, prov, li


# The relationships a product's list fields make, in the order `Portfolio.links` gives them.
_PRODUCT_LINKS = ((RelType.SUPPLIES, "supply"), (RelType.DISTRIBUTES, "distributors"), (RelType.MARKETS, "marketed_by"))


def _opt(**kwargs: Any) -> dict[str, Any]:
    return {k: v for k, v in kwargs.items() if v is not None}


_KIND_OF_RECORD: dict[type[Record], NodeKind] = {
    Client: NodeKind.CLIENT,
    MarketingPartner: NodeKind.MARKETING_PARTNER,
    Product: NodeKind.PRODUCT,
    Liaison: NodeKind.LIAISON,
}


# The most numerous relationships' properties, spelled out: as _opt would make
# them (the same keys in the same order), without a keyword dict each.
def _owns(p: Product) -> dict[str, Any]:
    return {} if p.source is None else {"source": p.source}


def _supplies(s: SupplyLink) -> dict[str, Any]:
    props: dict[str, Any] = {"step": str(s.step), "qualified": s.qualified}
    if s.filed_in:
        props["filed_in"] = list(s.filed_in)
    if s.bring_up_weeks is not None:
        props["bring_up_weeks"] = s.bring_up_weeks
    if s.volume is not None:
        props["volume"] = s.volume
    if s.source is not None:
        props["source"] = s.source
    return props


def _in_territory(link: DistributorRef | MarketingRef) -> dict[str, Any]:
    props = {}
    if link.territory is not None:
        props["territory"] = link.territory
    if link.source is not None:
        props["source"] = link.source
    return props


# The properties of each type of relationship, from the record `Portfolio.links` gives with it.
_PROPERTIES: dict[RelType, Callable[[Any], dict[str, Any]]] = {
    RelType.OWNS: _owns,
    RelType.SUPPLIES: _supplies,
    RelType.DISTRIBUTES: _in_territory,
    RelType.MARKETS: _in_territory,
    RelType.FEEDS: lambda f: {
        "material": f.material,
        **_opt(products=list(f.products) or None, filed_in=list(f.filed_in) or None),
    },
    RelType.CONTRACTS_WITH: lambda c: {
        "annual_value": c.annual_value,
        "currency": c.currency,
        **_opt(
            start=c.start and c.start.isoformat(),
            end=c.end and c.end.isoformat(),
            notice_months=c.notice_months,
            auto_renew=c.auto_renew,
            source=c.source,
        ),
    },
    RelType.REQUIRES: lambda r: {"value": r.value, **_opt(products=list(r.products) or None)},
    RelType.EMPLOYS: lambda _: {},
    RelType.LIAISES_WITH: lambda _: {},
}
