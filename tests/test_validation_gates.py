"""The quick gates in front of the record-by-record checks of validation
(`_suspect` before the checks of values as written and of unknown keys,
`_resolved` before the reference check) may send a clean record through the full check, never let
a faulty one past it. Held on the records of small.yaml with values swapped
for the awkward ones each check is about, at every field and list item.
The walk over the products (`_ProductScan`) says exactly when the checks of
capabilities and of repeated supply entries have something to say, held on
small.yaml's products with providers, steps and technologies drawn at random."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from graphkit import read_portfolio
from graphkit.model import SECTIONS, NodeKind, Portfolio, ProviderKind, Service, Step, Technology
from graphkit.validate import REFERENCES, _known_keys, _ProductScan, _resolved, _suspect, _Validator

SMALL = read_portfolio(Path(__file__).parent / "small.yaml")[0]
RECORDS = [(section, record) for section, record in SMALL.records()]
IDS = [r["id"] for _, r in RECORDS if "id" in r]

AWKWARD = st.one_of(
    st.sampled_from(["", " x", "x ", "a\tb", "a\x07b", "x\u00a0", "\u200bx", "ok", "x\u2028y", "\x85"]),
    st.text(max_size=3),
    st.floats(allow_nan=False),
    st.booleans(),
    st.integers(-3, 3),
    st.none(),
    st.sampled_from(IDS + ["no-such-id"]),
    st.sampled_from(IDS),
    st.just([]),
    st.just({}),
)


def places(value: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key or list index below a record, nested ones included."""
    out = []
    if isinstance(value, dict):
        for k, v in value.items():
            out += [(*at, k), *places(v, (*at, k))]
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += [(*at, i), *places(v, (*at, i))]
    return out


def swap(record: dict[str, Any], place: tuple[Any, ...], new: Any) -> dict[str, Any]:
    out = copy.deepcopy(record)
    node = out
    for part in place[:-1]:
        node = node[part]
    node[place[-1]] = new
    return out


def field_places(section: str, record: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Every field of the record's class (set or not) and of its nested records."""
    cls = SECTIONS[section]
    out = [(key,) for key in _known_keys(cls)]
    for name, nested in cls.NESTED.items():
        entries = record.get(name)
        for j, entry in enumerate(entries if isinstance(entries, list) else ()):
            if isinstance(entry, dict):
                out += [(name, j, key) for key in _known_keys(nested)]
    return out


@st.composite
def damaged(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    section = draw(st.sampled_from(sorted({s for s, _ in RECORDS})))
    record = draw(st.sampled_from([r for s, r in RECORDS if s == section]))
    for _ in range(draw(st.integers(1, 3))):
        extra = [(*place[:-1], "extra") for place in field_places(section, record)]  # keys the model lacks
        spots = field_places(section, record) + places(record) + extra
        record = swap(record, draw(st.sampled_from(spots)), draw(AWKWARD))
    return section, record


def full_check(method: str, section: str, record: dict[str, Any]) -> list[str]:
    """What the check behind the gate finds in the record (the gate skipped)."""
    v = _Validator(lambda path: "here")
    v.kinds = {r.id: SMALL.kind(r.id) for r in SMALL.nodes.values()}
    if method == "check_unknown_keys":
        v.check_unknown_keys(SECTIONS[section], record, (section, 0), (section, record))
    else:
        getattr(v, method)(section, 0, record)
    return [p.message for p in v.problems]


def as_written(section: str, record: dict[str, Any]) -> list[str]:
    """What the checks behind `_suspect` find in the record."""
    return full_check("check_record_values", section, record) + full_check("check_unknown_keys", section, record)


@settings(max_examples=400, deadline=None)
@given(damaged())
def test_a_record_the_checks_as_written_fault_is_always_suspect(case: tuple[str, dict[str, Any]]) -> None:
    section, record = case
    if as_written(section, record):
        assert _suspect(SECTIONS[section], record)


@settings(max_examples=400, deadline=None)
@given(damaged())
def test_a_record_is_resolved_exactly_when_the_reference_check_finds_nothing(case: tuple[str, dict[str, Any]]) -> None:
    section, record = case
    if section not in REFERENCES:
        return
    kinds: dict[str, NodeKind | None] = {r.id: SMALL.kind(r.id) for r in SMALL.nodes.values()}
    assert _resolved(record, REFERENCES[section], kinds) == (not full_check("check_record_references", section, record))


FIXED = ["", " x", "x ", "a\x07b", "x\u00a0", "ok", 1.5, 2.0, True, False, 3, None, [], {}, "no-such-id", *IDS]


def test_every_single_swap_of_a_fixed_value_at_every_place() -> None:
    """Each awkward value at each field of each record of small.yaml (what
    the generated cases above reach only by chance)."""
    kinds: dict[str, NodeKind | None] = {r.id: SMALL.kind(r.id) for r in SMALL.nodes.values()}
    checked = 0
    for section, original in RECORDS:
        for place in field_places(section, original) + places(original):
            for new in FIXED:
                record = swap(original, place, new)
                if as_written(section, record):
                    assert _suspect(SECTIONS[section], record), (section, place, new)
                    checked += 1
                if section in REFERENCES:
                    found = full_check("check_record_references", section, record)
                    assert _resolved(record, REFERENCES[section], kinds) == (not found), (section, place, new)
    assert checked > 100


def test_the_gates_pass_clean_records_and_stop_the_plain_faults() -> None:
    """A gate that always sends records to the full check passes the two
    tests above: here clean records pass and the plain faults are stopped."""
    kinds: dict[str, NodeKind | None] = {r.id: SMALL.kind(r.id) for r in SMALL.nodes.values()}
    for section, record in RECORDS:
        assert not _suspect(SECTIONS[section], record)
        if section in REFERENCES:
            assert _resolved(record, REFERENCES[section], kinds)
    product = next(r for s, r in RECORDS if s == "products")
    assert _suspect(SECTIONS["products"], swap(product, ("supply", 0, "provider"), " cmo"))
    assert _suspect(SECTIONS["products"], swap(product, ("name",), "a\x07b"))
    assert _suspect(SECTIONS["products"], {**product, "nmae": "x"})
    assert _suspect(SECTIONS["products"], swap(product, ("supply", 0), {**product["supply"][0], "stpe": "api"}))
    assert not _resolved(swap(product, ("supply", 0, "provider"), "no-such-id"), REFERENCES["products"], kinds)
    assert not _resolved(swap(product, ("owner",), product["supply"][0]["provider"]), REFERENCES["products"], kinds)


@st.composite
def supply_webs(draw: st.DrawFn) -> Portfolio:
    """small.yaml with every provider's kind, services and technologies and
    every product's technology, supply entries and distributors drawn anew."""
    raw: dict[str, list[dict[str, Any]]] = {}
    for section, record in RECORDS:
        raw.setdefault(section, []).append(copy.deepcopy(record))
    for provider in raw["providers"]:
        provider["kind"] = draw(st.sampled_from([k.value for k in ProviderKind]))
        provider["services"] = draw(st.lists(st.sampled_from(list(Service)), unique=True, max_size=3))
        provider["technologies"] = draw(st.lists(st.sampled_from(list(Technology)), unique=True, max_size=2))
    names = st.sampled_from(IDS + ["no-such-id"])
    for product in raw["products"]:
        product["technology"] = draw(st.sampled_from([t.value for t in Technology]))
        entry = st.fixed_dictionaries({"provider": names, "step": st.sampled_from([s.value for s in Step])})
        product["supply"] = draw(st.lists(entry, max_size=6))
        product["distributors"] = draw(st.lists(st.fixed_dictionaries({"distributor": names}), max_size=3))
    return _Validator(lambda path: "here").run(raw)


@settings(max_examples=300, deadline=None)
@given(supply_webs())
def test_the_product_scan_says_exactly_when_capabilities_and_repeated_supply_have_something_to_say(
    portfolio: Portfolio,
) -> None:
    products = list(enumerate(portfolio.products))
    targets = {r.id for r in portfolio.providers}
    scan = _ProductScan(products, portfolio.nodes, targets)
    capabilities = _Validator(lambda path: "here")
    capabilities.check_capabilities(products, portfolio)
    assert scan.capable == (not capabilities.problems)
    duplicates = _Validator(lambda path: "here")
    duplicates.check_duplicate_entries({"products": products, "contracts": [], "feeds": []}, True)
    assert scan.supply_repeats == bool(duplicates.problems)
    # each provider's products, once each, in portfolio order
    assert scan.supplied == {
        t: by for t in targets if (by := [p for p in portfolio.products if any(s.provider == t for s in p.supply)])
    }
