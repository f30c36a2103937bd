"""One test per validation rule: the message and where it points."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest

from graphkit import PortfolioError, read_portfolio, write_portfolio
from graphkit.model import Portfolio

BASE = """\
providers:
  - {id: cmo-1, name: Alpha CMO, kind: cmo}
  - {id: dist-1, name: Dist, kind: distributor}
clients:
  - {id: client-1, name: Client One, segment: large}
marketing_partners:
  - {id: mp-1, name: Partner}
products:
  - id: prod-1
    name: Product One
    technology: tablet
    owner: client-1
    supply: [{provider: cmo-1, step: drug_product}]
    marketed_by: [mp-1]
"""


def problems_of(path: Path) -> list[str]:
    with pytest.raises(PortfolioError) as info:
        read_portfolio(path)
    return [str(p) for p in info.value.problems]


def check(write, extra: str, *expected: str, base: str = BASE) -> None:
    path = write("p.yaml", base + extra)
    found = problems_of(path)
    for e in expected:
        assert any(f.startswith(f"{path}:{e}") for f in found), (e, found)


def test_base_is_valid(write) -> None:
    read_portfolio(write("p.yaml", BASE))


def test_unknown_id_suggests_the_closest(write) -> None:
    check(
        write,
        "contracts:\n  - {client: client-l, provider: cmo-1, annual_value: 1}\n",
        "16: contract client-l -> cmo-1: client 'client-l' is not defined",
    )


def test_duplicate_id_names_first_definition(write) -> None:
    path = write("p.yaml", BASE + "liaisons:\n  - {id: cmo-1, name: Person, client: client-1}\n")
    assert f"{path}:16: duplicate id 'cmo-1' (first defined at {path}:2)" in problems_of(path)


def test_reference_to_the_wrong_kind(write) -> None:
    check(
        write,
        "  - id: prod-2\n    name: P2\n    technology: capsule\n    owner: client-1\n    distributors: [client-1]\n",
        "19: product 'prod-2': distributor 'client-1' is a client, not a distributor",
    )


def test_distributor_as_supplier(write) -> None:
    check(
        write,
        "  - {id: prod-2, name: P2, technology: capsule, owner: client-1,"
        " supply: [{provider: dist-1, step: testing}]}\n",
        "15: product 'prod-2': supply provider 'dist-1' is a distributor, not a cmo or cro or test_lab "
        "(distributors belong under 'distributors')",
    )


def test_bad_enum_suggests_the_closest(write) -> None:
    check(
        write,
        "  - {id: prod-2, name: P2, technology: lyophilisation, owner: client-1}\n",
        "15: product 'prod-2': technology 'lyophilisation' is not one of aseptic_fill, lyophilization, "
        "terminal_sterilization, sterile_powder, sterile_cream, tablet, capsule, caplet, sachet "
        "(did you mean 'lyophilization'?)",
    )


def test_bad_nested_enum(write) -> None:
    check(
        write,
        "  - id: prod-2\n    name: P2\n    technology: tablet\n    owner: client-1\n"
        "    supply:\n      - {provider: cmo-1, step: fill-finish}\n",
        "20: product 'prod-2': supply #1 step 'fill-finish' is not one of cell_bank, api, drug_product, "
        "fill_finish, packaging_labeling, testing (did you mean 'fill_finish'?)",
    )


def test_negative_amount(write) -> None:
    check(
        write,
        "contracts:\n  - {client: client-1, provider: cmo-1, annual_value: -10}\n",
        "16: contract client-1 -> cmo-1: annual_value must not be negative, got -10",
    )


def test_non_numeric_amount(write) -> None:
    check(
        write,
        "contracts:\n  - {client: client-1, provider: cmo-1, annual_value: lots}\n",
        "16: contract client-1 -> cmo-1: annual_value must be a number, got 'lots'",
    )


def test_two_values_for_one_topic_and_product(write) -> None:
    check(
        write,
        "requirements:\n  - {party: mp-1, topic: labeling.language, value: de}\n"
        "  - {party: mp-1, topic: labeling.language, value: fr, products: [prod-1]}\n",
        "17: mp-1 requires labeling.language = 'fr' for prod-1, but also 'de' (at ",
    )


def test_mixed_currencies(write) -> None:
    check(
        write,
        "contracts:\n  - {client: client-1, provider: cmo-1, annual_value: 1, currency: USD}\n"
        "  - {client: client-1, provider: cmo-1, annual_value: 2, currency: EUR}\n",
        "17: contract client-1 -> cmo-1: currency EUR differs from USD used for the same provider at ",
    )


def test_feed_cycle(write) -> None:
    base = BASE.replace("  - {id: dist-1", "  - {id: cmo-2, name: Beta, kind: cmo}\n  - {id: dist-1")
    check(
        write,
        "feeds:\n  - {from: cmo-1, to: cmo-2, material: api}\n  - {from: cmo-2, to: cmo-1, material: intermediate}\n",
        "17: feeds form a cycle: ",
        base=base,
    )


def test_empty_name(write) -> None:
    check(
        write,
        "  - {id: prod-2, name: '  ', technology: tablet, owner: client-1}\n",
        "15: product 'prod-2': name is empty",
    )


def test_missing_field(write) -> None:
    check(write, "  - {id: prod-2, name: P2, technology: tablet}\n", "15: product 'prod-2': owner is missing")


def test_unknown_keys_are_warnings(write) -> None:
    path = write("p.yaml", BASE.replace("kind: cmo}", "kind: cmo, contry: DE}") + "extras: []\n")
    portfolio, warnings = read_portfolio(path)
    assert [str(w) for w in warnings] == [
        f"{path}:2: warning: provider 'cmo-1': unknown field 'contry' ignored (did you mean 'country'?)",
        f"{path}:15: warning: unknown section 'extras' ignored",
    ]
    assert portfolio.providers[0].country is None


def test_all_problems_reported_at_once_in_order(write) -> None:
    path = write(
        "p.yaml",
        BASE.replace("segment: large", "segment: huge").replace("owner: client-1", "owner: x")
        + "contracts:\n  - {client: client-1, provider: cmo-9, annual_value: -1}\n",
    )
    found = problems_of(path)
    assert [f.split(": ", 1)[0] for f in found] == [f"{path}:5", f"{path}:12", f"{path}:16", f"{path}:16"]


def test_json_locations(tmp_path) -> None:
    path = tmp_path / "p.json"
    path.write_text(
        json.dumps(
            {"clients": [{"id": "c1", "name": "C", "segment": "small"}, {"id": "c2", "name": "D", "segment": "smal"}]},
            indent=2,
        )
    )
    assert problems_of(path) == [
        f"{path}:11: client 'c2': segment 'smal' is not one of generics_only, large, "
        "mid_sized, small (did you mean 'small'?)"
    ]


def test_invalid_syntax(write) -> None:
    path = write("p.yaml", "providers:\n  - {id: x\n")
    assert problems_of(path)[0].startswith(f"{path}:3: not valid YAML")


def test_spreadsheet_locations(tmp_path, write) -> None:
    good, _ = read_portfolio(write("p.yaml", BASE))
    folder = write_portfolio(good, tmp_path / "csv")
    supply = folder / "product_supply.csv"
    supply.write_text(supply.read_text().replace("drug_product", "drug_prodct"))
    with (folder / "contracts.csv").open("a") as f:
        f.write("client-1,cmo-1,-3,USD\n")
    with (folder / "product_marketed_by.csv").open("a") as f:
        f.write("prod-9,mp-1,\n")
    assert problems_of(folder) == [
        f"{folder}/contracts.csv:2: contract client-1 -> cmo-1: annual_value must not be negative, got -3",
        f"{folder}/product_marketed_by.csv:3: marketed_by entry for product 'prod-9', which the products "
        "table does not have",
        f"{folder}/product_supply.csv:2: product 'prod-1': supply #1 step 'drug_prodct' is not one of "
        "cell_bank, api, drug_product, fill_finish, packaging_labeling, testing (did you mean 'drug_product'?)",
    ]


def test_xlsx_locations(tmp_path, write) -> None:
    from openpyxl import load_workbook

    good, _ = read_portfolio(write("p.yaml", BASE))
    book = write_portfolio(good, tmp_path / "p.xlsx")
    wb = load_workbook(book)
    wb["clients"]["C2"] = "big"
    wb.save(book)
    assert problems_of(book) == [
        f"{book}[clients] row 2: client 'client-1': segment 'big' is not one of generics_only, large, mid_sized, small"
    ]


def test_empty_portfolio_is_valid(write) -> None:
    assert read_portfolio(write("p.yaml", "{}\n"))[0] == Portfolio()


def test_weeks_must_be_finite_non_negative_numbers_all_reported_at_once(write) -> None:
    path = write("w.yaml", BAD_WEEKS)
    assert problems_of(path) == [
        f"{path}:2: provider 'a': parent is empty",
        f"{path}:2: provider 'a': recovery_weeks must not be negative, got -1",
        f"{path}:10: product 'p': inventory_weeks must be a number, got 'x'",
        f"{path}:11: product 'p': markets #1 inventory_weeks must be a number, got 'inf'",
        f"{path}:12: product 'p': supply #1 bring_up_weeks must not be negative, got -3",
    ]


BAD_WEEKS = """\
providers:
  - {id: a, name: A, kind: cmo, recovery_weeks: -1, parent: ""}
clients:
  - {id: c, name: C, segment: small}
products:
  - id: p
    name: P
    technology: tablet
    owner: c
    inventory_weeks: x
    markets: [{territory: US, inventory_weeks: .inf}]
    supply: [{provider: a, step: api, bring_up_weeks: -3}]
"""


BAD_TERMS = """\
providers:
  - {id: a, name: A, kind: cmo, capacity: -4}
clients:
  - {id: c, name: C, segment: small}
products:
  - {id: p, name: P, technology: tablet, owner: c, supply: [{provider: a, step: api, volume: -2}]}
contracts:
  - {client: c, provider: a, annual_value: 1, start: 2026-05-01, end: 2025-01-01}
  - {client: c, provider: a, annual_value: 1, currency: EUR, start: "31/12/2025", end: 2026-02-30}
  - {client: c, provider: a, annual_value: 1, currency: GBP, notice_months: -1, auto_renew: maybe, end: 20261231}
"""


def test_terms_capacity_and_volume_located_all_at_once(write) -> None:
    path = write("t.yaml", BAD_TERMS)
    problems = [p for p in problems_of(path) if "currency" not in p]  # three currencies: reported besides
    assert problems == [
        f"{path}:2: provider 'a': capacity must not be negative, got -4",
        f"{path}:6: product 'p': supply #1 volume must not be negative, got -2",
        f"{path}:8: contract c -> a: end 2025-01-01 is before start 2026-05-01",
        f"{path}:9: contract c -> a: end '2026-02-30' is not a date of the calendar",
        f"{path}:9: contract c -> a: start must be a date written YYYY-MM-DD, got '31/12/2025'",
        f"{path}:10: contract c -> a: auto_renew must be true or false, got 'maybe'",
        f"{path}:10: contract c -> a: end must be a date written YYYY-MM-DD, got '20261231'",
        f"{path}:10: contract c -> a: notice_months must not be negative, got -1",
    ]


def test_dates_in_spreadsheets_located(tmp_path, write) -> None:
    from openpyxl import load_workbook

    good, _ = read_portfolio(
        write("p.yaml", BASE + "contracts:\n  - {client: client-1, provider: cmo-1, annual_value: 1}\n")
    )
    folder = write_portfolio(good, tmp_path / "csv")
    contracts = folder / "contracts.csv"
    contracts.write_text(contracts.read_text().replace("1,USD,", "1,USD,2025-13-01,2025-01-01"))
    assert problems_of(folder) == [
        f"{folder}/contracts.csv:2: contract client-1 -> cmo-1: start '2025-13-01' is not a date of the calendar"
    ]
    book = write_portfolio(good, tmp_path / "p.xlsx")
    wb = load_workbook(book)
    wb["contracts"]["E2"], wb["contracts"]["F2"] = date(2026, 1, 1), datetime(2025, 6, 30)  # date cells
    wb.save(book)
    assert problems_of(book) == [
        f"{book}[contracts] row 2: contract client-1 -> cmo-1: end 2025-06-30 is before start 2026-01-01"
    ]
    wb["contracts"]["F2"] = datetime(2027, 6, 30)
    wb.save(book)
    assert read_portfolio(book)[0].contracts[0].end == date(2027, 6, 30)


def test_a_refused_record_among_thousands_is_located_and_the_rest_read(tmp_path) -> None:
    """Records are read by msgspec a batch at a time; a batch holding a
    refused record is read record by record, so its neighbours are read
    and the problem is located as alone."""
    liaisons = [{"id": f"li-{n}", "name": f"L {n}", "client": "client-1"} for n in range(2500)]
    liaisons[1500]["name"] = ""
    liaisons[1501]["client"] = "no-such-client"
    raw = {"clients": [{"id": "client-1", "name": "C", "segment": "large"}], "liaisons": liaisons}
    path = tmp_path / "p.json"
    path.write_text(json.dumps(raw, indent=1))
    lines = path.read_text().splitlines()
    named, client = lines.index('   "name": "",') + 1, lines.index('   "client": "no-such-client"') + 1
    assert problems_of(path) == [
        f"{path}:{named}: liaison 'li-1500': name is empty",
        f"{path}:{client}: liaison 'li-1501': client 'no-such-client' is not defined",
    ]
