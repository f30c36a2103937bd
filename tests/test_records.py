"""Reading raw records into the model (graphkit.records): msgspec's typed
conversion of a record the checks as written pass agrees with the readers
field by field (the same record, or both refuse it), and a record with
several bad fields has each of them reported."""

from __future__ import annotations

from typing import Any

import msgspec
from hypothesis import given, settings
from test_validation_gates import RECORDS, damaged

from graphkit.model import SECTIONS, Contract, Product
from graphkit.records import read_fields, read_typed
from graphkit.validate import _suspect, explain


def both_ways(section: str, record: dict[str, Any]) -> tuple[Any, Any]:
    cls = SECTIONS[section]
    typed = read_typed(cls, record)
    by_field, problems = read_fields(cls, record)
    assert (by_field is None) == bool(problems)
    return typed, by_field


def test_clean_records_read_alike_both_ways() -> None:
    for section, record in RECORDS:
        typed, by_field = both_ways(section, record)
        assert typed is not None and typed == by_field and typed.to_dict() == record


@settings(max_examples=600, deadline=None)
@given(damaged())
def test_what_typed_reading_takes_the_field_readers_read_alike_and_the_checks_pass(
    case: tuple[str, dict[str, Any]],
) -> None:
    section, record = case
    typed, by_field = both_ways(section, record)
    if typed is not None:  # what msgspec accepts, the readers read the same way, and the gate passes
        assert not _suspect(SECTIONS[section], record)
        assert typed == by_field
        assert [type(v) for v in msgspec.structs.astuple(typed)] == [type(v) for v in msgspec.structs.astuple(by_field)]


def test_every_bad_field_of_a_record_is_reported() -> None:
    raw = {"client": 1.5, "provider": None, "annual_value": -3, "currency": "dollars", "start": "2026-13-01"}
    assert read_typed(Contract, raw) is None
    record, problems = read_fields(Contract, raw)
    assert record is None
    assert sorted(explain(p) for p in problems) == [
        "annual_value must not be negative, got -3",
        "currency must be a three-letter currency code like USD, got 'dollars'",
        "provider must be text, got 'None'",
        "start '2026-13-01' is not a date of the calendar",
    ]
    product = {"id": 7, "name": " P ", "technology": "pill", "owner": "c", "markets": ["EU", 2.5, {"territory": ""}]}
    record, problems = read_fields(Product, product)
    assert sorted(explain(p) for p in problems) == [
        "markets #2 must be a record with fields, got '2.5'",
        "markets #3 territory is empty",
        "technology 'pill' is not one of aseptic_fill, lyophilization, terminal_sterilization, sterile_powder, "
        "sterile_cream, tablet, capsule, caplet, sachet",
    ]
    fixed = {**product, "technology": "tablet", "markets": ["EU", 3, {"territory": " JP "}]}
    record, problems = read_fields(Product, fixed)
    assert problems == [] and isinstance(record, Product)
    assert (record.id, record.name, [m.territory for m in record.markets]) == ("7", "P", ["EU", "3", "JP"])
