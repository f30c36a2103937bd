"""Capability and consistency checks of `validate`: who may perform which step,
services and technologies, territories in filings, unscoped feeds, --strict."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from graphkit import PortfolioError, read_portfolio
from graphkit.cli.main import main
from graphkit.model import KIND_SERVICES, STEP_SERVICES, ProviderKind, Service, Step, kind_may_perform

BASE = """\
providers:
  - {id: cmo-ds, name: Drug Substance, kind: cmo, services: [api]}
  - {id: cmo-fill, name: Fill, kind: cmo, services: [drug_product, finished_product], technologies: [aseptic_fill]}
  - {id: lab, name: Lab, kind: test_lab}
  - {id: cro, name: CRO, kind: cro, services: [clinical_research, testing]}
  - {id: dist-jp, name: Dist JP, kind: distributor, services: [distribution]}
  - {id: dist-eu, name: Dist EU, kind: distributor, services: [testing]}
clients:
  - {id: client-1, name: Client One, segment: large}
products:
  - id: prod-a
    name: A
    technology: aseptic_fill
    owner: client-1
    supply:
      - {provider: cmo-ds, step: api}
      - {provider: cmo-fill, step: fill_finish, filed_in: [EU]}
      - {provider: lab, step: testing}
    distributors: [{distributor: dist-jp, territory: JP}, {distributor: dist-eu, territory: EU}]
  - id: prod-b
    name: B
    technology: tablet
    owner: client-1
    supply:
      - {provider: cmo-fill, step: drug_product}
      - {provider: cmo-ds, step: packaging_labeling}
feeds:
  - {from: cmo-ds, to: cmo-fill, material: drug substance}
"""


def messages(path: Path) -> list[str]:
    return [f"{p.severity}: {p.message}" for p in read_portfolio(path)[1]]


def test_the_kind_table_is_the_one_declaration_of_who_may_perform_a_step() -> None:
    # Spelled out by hand: CMOs every supply step, CROs and test labs only testing.
    by_hand = {
        ProviderKind.CMO: set(Step),
        ProviderKind.CRO: {Step.TESTING},
        ProviderKind.TEST_LAB: {Step.TESTING},
        ProviderKind.DISTRIBUTOR: set(),
    }
    assert {k: {s for s in Step if kind_may_perform(k, s)} for k in ProviderKind} == by_hand
    # Every service some kind offers; every step (distribution too) is one service.
    assert {s for services in KIND_SERVICES.values() for s in services} == set(Service)
    assert set(STEP_SERVICES) == {*Step, "distribution"}


def test_services_and_technologies_outside_the_list_are_warnings_naming_both(write) -> None:
    found = messages(write("p.yaml", BASE))
    # cmo-ds lists only api but packs prod-b; cmo-fill lists aseptic_fill but makes a tablet;
    # dist-eu lists testing but distributes. The lab lists nothing, so nothing is checked.
    assert found == [
        "warning: product 'prod-a': dist-eu performs distribution, but its services (testing) do not include "
        "distribution",
        "warning: product 'prod-b': cmo-fill performs drug_product for a tablet product, but its technologies "
        "(aseptic_fill) do not include tablet",
        "warning: product 'prod-b': cmo-ds performs packaging_labeling, but its services (api) do not include "
        "packaging_labeling",
        "note: feed cmo-ds -> cmo-fill of drug substance has no products, so it is an input of all 2 products "
        "cmo-fill works on (prod-a, prod-b); list `products` if it goes into fewer",
    ]


@pytest.mark.parametrize(
    ("provider", "step", "kind"), [("lab", "drug_product", "test_lab"), ("cro", "fill_finish", "cro")]
)
def test_a_test_lab_on_manufacturing_or_a_cro_on_fill_finish_is_an_error(write, provider, step, kind) -> None:
    path = write("p.yaml", BASE.replace("{provider: lab, step: testing}", f"{{provider: {provider}, step: {step}}}"))
    with pytest.raises(PortfolioError) as info:
        read_portfolio(path)
    errors = [str(p) for p in info.value.problems if p.severity == "error"]
    assert errors == [f"{path}:18: product 'prod-a': a {kind} cannot perform {step}: {provider} is a {kind}"]


def test_filed_in_unknown_territory_is_an_error_with_did_you_mean(write) -> None:
    path = write("p.yaml", BASE.replace("filed_in: [EU]", "filed_in: [EUR, JP]"))
    with pytest.raises(PortfolioError) as info:
        read_portfolio(path)
    assert [str(p) for p in info.value.problems if p.severity == "error"] == [
        f"{path}:17: product 'prod-a': supply #2: filed_in territory 'EUR' is not a market or a partner's "
        "territory (did you mean 'EU'?)"
    ]


def test_filed_in_known_territory_that_is_not_a_market_of_the_product_warns(write) -> None:
    # prod-b has no territory of its own (one global market); EU is prod-a's market.
    text = BASE.replace(
        "{provider: cmo-fill, step: drug_product}", "{provider: cmo-fill, step: drug_product, filed_in: [EU]}"
    )
    text += "  - {from: cmo-ds, to: lab, material: reagent, products: [prod-a], filed_in: [JP, EU]}\n"
    found = messages(write("p.yaml", text))
    assert (
        "warning: product 'prod-b': supply #1: filed_in territory 'EU' is not a market of prod-b "
        "(one global market); the filing counts nowhere"
    ) in found
    assert not any("feed cmo-ds -> lab" in m for m in found)  # JP and EU are both prod-a's markets


def test_a_scoped_feed_filed_outside_its_products_markets_warns(write) -> None:
    text = BASE + "  - {from: cmo-ds, to: lab, material: reagent, products: [prod-b], filed_in: [JP]}\n"
    assert (
        "warning: feed cmo-ds -> lab: filed_in territory 'JP' is not a market of prod-b (one global market); "
        "the filing counts nowhere"
    ) in messages(write("p.yaml", text))


def test_a_scoped_feed_naming_an_unknown_product_is_an_error_with_did_you_mean(write) -> None:
    path = write("p.yaml", BASE + "  - {from: cmo-ds, to: lab, material: reagent, products: [prod-c]}\n")
    with pytest.raises(PortfolioError) as info:
        read_portfolio(path)
    assert [str(p) for p in info.value.problems if p.severity == "error"] == [
        f"{path}:29: feed cmo-ds -> lab: product 'prod-c' is not defined (did you mean 'prod-b'?)"
    ]


def test_a_territory_written_two_ways_is_an_error(write) -> None:
    text = BASE.replace("filed_in: [EU]", "filed_in: [eu]").replace(
        "owner: client-1\n    supply:\n      - {provider: cmo-fill, step: drug_product}",
        "owner: client-1\n    markets: [Eu]\n    supply:\n      - {provider: cmo-fill, step: drug_product}",
    )
    path = write("p.yaml", text)
    with pytest.raises(PortfolioError) as info:
        read_portfolio(path)
    # Written EU first (dist-eu's entry, line 19), then eu (line 17, a filing) and Eu (line 24, a market);
    # the filing's eu is not also reported as an unknown territory.
    assert sorted(str(p) for p in info.value.problems if p.severity == "error") == sorted(
        f"{path}:{line}: territory '{t}' is written 'EU' at {path}:19; territories are compared exactly, "
        "write it one way"
        for line, t in ((17, "eu"), (24, "Eu"))
    )


def test_strict_makes_warnings_errors_and_leaves_notes_alone(write) -> None:
    path = write("p.yaml", BASE)
    runner = CliRunner()
    plain = runner.invoke(main, ["validate", str(path)])
    assert plain.exit_code == 0 and "warning:" in plain.output and "note: feed" in plain.output
    strict = runner.invoke(main, ["validate", str(path), "--strict"])
    assert strict.exit_code == 1
    assert "dist-eu performs distribution" in strict.output and "warning:" not in strict.output
    assert "Error: " in strict.output and "3 problem(s) found" in strict.output
    analysed = runner.invoke(main, ["analyze", str(path), "--strict"])
    assert analysed.exit_code == 1 and "3 problem(s) found" in analysed.output
    # Notes only: --strict passes. Notes show in validate, not in the other commands.
    clean = write(
        "clean.yaml",
        BASE.replace(", services: [testing]", "")
        .replace("services: [api]", "services: [api, packaging_labeling]")
        .replace("technologies: [aseptic_fill]", "technologies: [aseptic_fill, tablet]"),
    )
    assert runner.invoke(main, ["validate", str(clean), "--strict"]).exit_code == 0
    quiet = runner.invoke(main, ["analyze", str(clean), "--strict", "--only", "concentration"])
    assert quiet.exit_code == 0 and "note:" not in quiet.output


def test_the_example_and_generated_portfolios_have_no_capability_warnings(tmp_path: Path) -> None:
    from graphkit import write_records
    from graphkit.generate import GeneratorSpec, iter_records

    example = Path(__file__).parents[1] / "examples" / "portfolio.yaml"
    assert [p.severity for p in read_portfolio(example)[1]] == ["note"] * 3
    write_records(iter_records(GeneratorSpec.from_scale(3000, seed=3)), tmp_path / "g.json")
    assert {p.severity for p in read_portfolio(tmp_path / "g.json")[1]} <= {"note"}
