"""The mapping file of ``graphkit import ledger``: its schema, and reading it
with every mistake located (``mapping.yaml:12: ...``).

A *field* says where one value of a row comes from: a column (a bare string
is a column of the first file; ``{column, file}`` one of a joined file), a
fixed ``{value}``, or a ``{template}`` such as ``"{Item} — {Country}"``;
then, optionally, a value map (``map``: exact; ``contains``: first keyword
found wins; both compare trimmed, case-folded text) with ``otherwise`` for
values neither names (without it an unmapped value is an error), and
``none``: cells meaning "no such party on this row".

The README's "Bring your own ledger" section shows a whole mapping; the
schema below is the reference.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Discriminator, Field, Tag, ValidationError, model_validator

from ..io.documents import read_document
from ..model import ProviderKind, Segment, Stage, Step, Technology
from ..problems import PortfolioError, Problem, did_you_mean
from ..validate import explain

__all__ = [
    "ClientRole",
    "ContractSpec",
    "DateSpec",
    "FieldSpec",
    "FileSpec",
    "Filter",
    "LedgerMapping",
    "PartyRole",
    "ProductRole",
    "ProviderRole",
    "ValueSpec",
    "load_mapping",
]


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True)


def _column_shorthand(v: Any) -> Any:
    """A bare string is a column of the first file."""
    return {"column": v} if isinstance(v, str) else v


class FieldSpec(_Spec):
    column: str | None = None
    file: str | None = None
    value: str | None = None
    template: str | None = None
    map: dict[str, str] = {}
    contains: dict[str, str] = {}
    otherwise: str | None = None
    none: list[str] = []

    @model_validator(mode="after")
    def _one_source(self) -> FieldSpec:
        given = [k for k in ("column", "value", "template") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one of column, value, template (found {', '.join(given) or 'none'})")
        if self.file is not None and self.column is None:
            raise ValueError("'file' goes with 'column'")
        return self


Field_ = Annotated[FieldSpec, BeforeValidator(_column_shorthand)]


class FileSpec(_Spec):
    """One input file, in command-line order. Every file after the first is a
    master table joined to the first: ``key`` is its unique column, ``join``
    the first file's column holding that key."""

    name: str
    sheet: str | None = None
    delimiter: Literal[",", ";", "\t", "|"] | None = None
    decimal: Literal[".", ","] = "."
    encoding: str = "utf-8"
    key: str | None = None
    join: str | None = None


class Filter(_Spec):
    """Keeps the rows whose cell passes every condition given (text compared
    trimmed and case-folded; ``from``/``to`` as dates, inclusive; ``at_least``
    and ``at_most`` as numbers)."""

    column: str
    file: str | None = None
    equals: str | None = None
    in_: list[str] | None = Field(None, alias="in")
    not_in: list[str] | None = None
    contains: list[str] | None = None
    not_contains: list[str] | None = None
    from_: dt.date | None = Field(None, alias="from")
    to: dt.date | None = None
    format: str | None = None
    at_least: float | None = None
    at_most: float | None = None

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, coerce_numbers_to_str=True)

    @model_validator(mode="after")
    def _some_condition(self) -> Filter:
        if not self.conditions():
            raise ValueError(
                "a filter needs a condition: equals, in, not_in, contains, not_contains, from, to, at_least or at_most"
            )
        return self

    def conditions(self) -> list[str]:
        names = ("equals", "in_", "not_in", "contains", "not_contains", "from_", "to", "at_least", "at_most")
        return [n for n in names if getattr(self, n) is not None]


class DateSpec(_Spec):
    column: str
    file: str | None = None
    format: str | None = None  # strptime; ISO YYYY-MM-DD when absent


class ValueSpec(_Spec):
    """The line value: a column of amounts and its currency (a field; USD
    when absent). ``rates`` converts other currencies into ``to``."""

    column: str
    file: str | None = None
    currency: Field_ | None = None
    rates: dict[str, float] = {}
    to: str | None = None

    @model_validator(mode="after")
    def _rates_need_to(self) -> ValueSpec:
        if self.rates and not self.to:
            raise ValueError("'rates' need 'to', the currency they convert into")
        return self


class Names(_Spec):
    """How names of one role are matched: ``fold`` (case always; optionally
    punctuation and accents), ``drop_suffixes`` (legal forms such as Inc,
    GmbH) and ``merge`` (canonical name: its variants)."""

    fold: list[Literal["case", "punctuation", "accents"]] = ["case"]
    drop_suffixes: list[str] = []
    merge: dict[str, list[str]] = {}


class PartyRole(_Spec):
    name: Field_
    id_prefix: str = ""
    names: Names = Names()
    country: Field_ | None = None


class ProviderRole(PartyRole):
    kind: Field_ = FieldSpec(value="cmo")
    step: Field_


class DistributorRole(PartyRole):
    # A line whose distributor is its maker (by name) went direct: no distributor.
    direct_when_same: bool = False


class SegmentByTotal(_Spec):
    """A client's segment by its total line value: the segment of the
    highest threshold it reaches, else ``otherwise``; ``before_filters``
    counts the rows the filters leave out too."""

    by_total: dict[Segment, float]
    otherwise: Segment
    before_filters: bool = False


def _segment_kind(v: Any) -> str:
    return (
        "total"
        if isinstance(v, (dict, SegmentByTotal)) and ("by_total" in v if isinstance(v, dict) else True)
        else "field"
    )


class ClientRole(PartyRole):
    segment: Annotated[
        Annotated[SegmentByTotal, Tag("total")] | Annotated[Field_, Tag("field")], Discriminator(_segment_kind)
    ]


class ProductRole(_Spec):
    """Products are identified by ``key`` (fields; default: the name), their
    id the readable ids of the key parts joined by ``--``."""

    name: Field_
    key: list[Field_] = []
    id_prefix: str = ""
    names: Names = Names()
    technology: Field_
    stage: Field_ = FieldSpec(value="commercial")


class ContractSpec(_Spec):
    """Contracts between each client and the party it paid: the distributor
    (or the maker, on a line without one) or the provider. ``per: total``
    sums every line; ``per: year`` divides by the calendar years from the
    first to the last date imported."""

    with_: Literal["distributor", "provider"] = Field("distributor", alias="with")
    per: Literal["total", "year"] = "total"

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class RevenueSpec(_Spec):
    """Product ``annual_revenue`` from the line values (``per`` as for
    contracts); ``markets`` also splits it per territory into the product's
    markets."""

    per: Literal["total", "year"] = "total"
    markets: bool = False


class LedgerMapping(_Spec):
    """A whole mapping file (see the module docstring)."""

    name: str = ""
    files: list[FileSpec] = Field(min_length=1)
    bad_rows: Literal["fail", "skip"] = "fail"
    filters: list[Filter] = []
    date: DateSpec | None = None
    value: ValueSpec | None = None
    territory: Field_ | None = None
    provider: ProviderRole | None = None
    distributor: DistributorRole | None = None
    client: ClientRole
    partner: PartyRole | None = None
    product: ProductRole
    contracts: ContractSpec | None = None
    revenue: RevenueSpec | None = None

    @model_validator(mode="after")
    def _consistent(self) -> LedgerMapping:
        names = [f.name for f in self.files]
        if len(set(names)) != len(names):
            raise ValueError(f"file names must differ: {', '.join(names)}")
        for f in self.files[1:]:
            if not (f.key and f.join):
                raise ValueError(f"file '{f.name}': a joined file needs 'key' (its column) and 'join'")
        if self.provider is None and self.distributor is None:
            raise ValueError("map a provider or a distributor (or both): products need a source")
        if (self.contracts or self.revenue) and self.value is None:
            raise ValueError("contracts and revenue need 'value', the line value column")
        per_year = (self.contracts and self.contracts.per == "year") or (self.revenue and self.revenue.per == "year")
        if per_year and self.date is None:
            raise ValueError("'per: year' needs 'date'")
        if self.revenue and self.revenue.markets and self.territory is None:
            raise ValueError("'revenue: {markets: true}' needs 'territory'")
        return self


# Vocabularies a field's final value must belong to.
VOCABULARIES: dict[str, tuple[str, ...]] = {
    "kind": tuple(k.value for k in ProviderKind if k is not ProviderKind.DISTRIBUTOR),
    "step": tuple(s.value for s in Step),
    "technology": tuple(t.value for t in Technology),
    "stage": tuple(s.value for s in Stage),
    "segment": tuple(s.value for s in Segment),
}


_SETTINGS = sorted(
    {
        info.alias or name
        for cls in (
            LedgerMapping,
            FileSpec,
            Filter,
            DateSpec,
            ValueSpec,
            FieldSpec,
            Names,
            ProviderRole,
            DistributorRole,
            ClientRole,
            SegmentByTotal,
            ProductRole,
            ContractSpec,
            RevenueSpec,
        )
        for name, info in cls.model_fields.items()
    }
)


def load_mapping(path: Path) -> tuple[LedgerMapping, Any]:
    """Read and validate a mapping file; returns it with a function locating
    a path of settings in it (``mapping.yaml:12``). Raises PortfolioError
    with every problem located by line."""
    if not path.is_file():
        raise PortfolioError([Problem(str(path), "no such mapping file")], str(path))
    fmt = "json" if path.suffix.lower() == ".json" else "yaml"
    data, locate = read_document(path, fmt)
    if not isinstance(data, dict):
        raise PortfolioError([Problem(locate(()), "a mapping must be a YAML mapping of settings")], str(path))
    try:
        mapping = LedgerMapping.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = tuple(p for p in err["loc"] if not str(p).startswith("function-") and p != "FieldSpec")
            problems.append(Problem(locate(loc), _explain(err, loc)))
        raise PortfolioError(problems, str(path)) from None
    problems = [Problem(locate(loc), message) for loc, message in _check_vocabularies(mapping)]
    if problems:
        raise PortfolioError(problems, str(path))
    return mapping, locate


def _explain(err: Any, loc: tuple[Any, ...]) -> str:
    where = ".".join(str(p) for p in loc if not isinstance(p, int)) or "mapping"
    kind = err["type"]
    if kind == "extra_forbidden":
        return (
            f"unknown setting '{loc[-1]}'"
            + (f" in {'.'.join(map(str, loc[:-1]))}" if loc[:-1] else "")
            + did_you_mean(loc[-1], _SETTINGS)
        )
    if kind == "missing":
        return f"{where} is missing"
    if kind == "literal_error":
        choices = re.findall(r"'([^']*)'", str(err["ctx"]["expected"]))
        return f"{where} '{err['input']}' is not one of {', '.join(choices)}{did_you_mean(err['input'], choices)}"
    if kind == "value_error":
        return f"{where}: {str(err['msg']).removeprefix('Value error, ')}"
    if kind == "enum":  # the choices as graphkit.records gives them to explain
        err = {**err, "ctx": {"choices": re.findall(r"'([^']*)'", str(err["ctx"]["expected"]))}}
    return f"{where}: {explain({**err, 'loc': ()}).lstrip(': ')}"


def _check_vocabularies(mapping: LedgerMapping) -> list[tuple[tuple[Any, ...], str]]:
    """Fixed values and map targets must be words of the model."""
    out = []
    fields: list[tuple[tuple[Any, ...], FieldSpec, str]] = [
        (("product", "technology"), mapping.product.technology, "technology"),
        (("product", "stage"), mapping.product.stage, "stage"),
    ]
    if mapping.provider:
        fields += [
            (("provider", "kind"), mapping.provider.kind, "kind"),
            (("provider", "step"), mapping.provider.step, "step"),
        ]
    if isinstance(mapping.client.segment, FieldSpec):
        fields.append((("client", "segment"), mapping.client.segment, "segment"))
    for loc, spec, vocabulary in fields:
        allowed = VOCABULARIES[vocabulary]
        targets: list[tuple[tuple[str, ...], str]] = [(("value",), spec.value)] if spec.value is not None else []
        targets += [(("map", k), v) for k, v in spec.map.items()]
        targets += [(("contains", k), v) for k, v in spec.contains.items()]
        if spec.otherwise is not None:
            targets.append((("otherwise",), spec.otherwise))
        for sub, value in targets:
            if value not in allowed:
                out.append((loc + sub, f"{vocabulary} '{value}' is not one of {', '.join(allowed)}"))
    return out
