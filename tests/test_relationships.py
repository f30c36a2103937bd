"""The relationship rules, each held to an answer worked out by hand on
tests/relationships.yaml (the working is in the comments)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from graphkit import PortfolioError, read_portfolio
from graphkit.analysis.relationships import Thresholds, contacts_lost, relationships
from graphkit.analysis.skills import SkillMap, load_skills
from graphkit.model import Liaison

SMALL = Path(__file__).with_name("relationships.yaml")


@pytest.fixture(scope="module")
def portfolio():
    return read_portfolio(SMALL)[0]


@pytest.fixture(scope="module")
def result(portfolio):
    return relationships(portfolio)


def row(result, client: str, provider: str):
    return next(r for r in result.scorecard if (r.client, r.provider) == (client, provider))


def rules(r) -> dict[str, str]:
    return {str(f.rule): str(f.severity) for f in r.findings}


def test_every_relationship_once_most_severe_first(result) -> None:
    # Pairs: five contracts, then big-lab from ster's testing entry (the rest repeat).
    # Critical: big-cb, big-fill-a, big-fill-b; high: big-lab, tiny-hyb; medium: tiny-lab.
    assert [(r.client, r.provider, str(r.severity)) for r in result.scorecard] == [
        ("big", "cb", "critical"),
        ("big", "fill-a", "critical"),
        ("big", "fill-b", "critical"),
        ("big", "lab", "high"),
        ("tiny", "hyb", "high"),
        ("tiny", "lab", "medium"),
    ]


def test_leverage_shares(result) -> None:
    # Provider revenue: contracts + own revenue; hyb 400,000 + 9,000,000 = 9,400,000.
    # Client spend: big 1,000,000 + 500,000 + 300,000 = 1,800,000; tiny 400,000 + 100,000.
    hyb = row(result, "tiny", "hyb")
    assert hyb.client_share_of_provider == pytest.approx(400_000 / 9_400_000)
    assert hyb.provider_share_of_client == pytest.approx(0.8)
    fill_a = row(result, "big", "fill-a")
    assert (fill_a.client_share_of_provider, fill_a.provider_share_of_client) == pytest.approx((1.0, 1 / 1.8))
    assert row(result, "big", "lab").annual_value == 0.0  # no contract: a supply entry alone


def test_skills_fit(result) -> None:
    # fill-a: sterile fill of ster and drug product of lyophilised bio -> sterile manufacturing;
    # Ann's "Aseptic-Processing" is a synonym (case, hyphen aside). cb: bio's cell bank -> biologics.
    # lab: testing -> analytical. tiny (small, low maturity): quality systems on both its rows;
    # Tom's "tablets" names no skill.
    assert row(result, "big", "fill-a").skills_needed == ("sterile manufacturing",)
    assert row(result, "big", "fill-a").skills_missing == ()
    assert row(result, "big", "cb").skills_needed == ("biologics",)
    assert row(result, "big", "lab").skills_needed == ("analytical",)
    hyb = row(result, "tiny", "hyb")
    assert (hyb.skills_needed, hyb.skills_missing) == (("quality systems",), ("quality systems",))
    assert rules(hyb)["skills_gap"] == "medium"
    assert "its liaisons lack quality systems" in hyb.explanation


def test_contacts_no_liaison_never_below_one(result) -> None:
    # big-cb and big-lab: no liaison, provider critical for bio / ster -> high.
    # big-fill-a: one liaison, fill-a critical for bio (sole drug product) -> high.
    # big-fill-b: one liaison, not critical -> medium; tiny-lab: none, not critical -> medium.
    assert rules(row(result, "big", "cb"))["no_contact"] == "high"
    assert rules(row(result, "big", "lab"))["no_contact"] == "high"
    assert rules(row(result, "big", "fill-a"))["single_contact"] == "high"
    assert rules(row(result, "big", "fill-b"))["single_contact"] == "medium"
    assert rules(row(result, "tiny", "lab"))["no_contact"] == "medium"
    assert "no liaison holds it (it needs quality systems)" in row(result, "tiny", "lab").explanation


def test_no_liaison_at_least_as_severe_as_one(portfolio) -> None:
    # The same portfolio with Tom gone: tiny-hyb loses its one contact and must not rank lower.
    without = replace(portfolio, liaisons=portfolio.liaisons[:1])
    before = row(relationships(portfolio), "tiny", "hyb").findings
    after = row(relationships(without), "tiny", "hyb").findings
    one = next(f for f in before if str(f.rule) == "single_contact")
    none = next(f for f in after if str(f.rule) == "no_contact")
    assert none.severity >= one.severity


def test_one_person_behind_backups(result) -> None:
    # ster's fill_finish has two qualified sources, fill-a and fill-b, and Ann is the only contact
    # of both: one finding naming her and both, high (ster is commercial), on both rows.
    (b,) = result.one_liaison_backups
    assert (b.liaison, b.product, b.step, b.providers, str(b.severity)) == (
        "ann",
        "ster",
        "fill_finish",
        ("fill-a", "fill-b"),
        "high",
    )
    for provider in ("fill-a", "fill-b"):
        assert rules(row(result, "big", provider))["one_person_behind_backups"] == "high"


def test_a_second_contact_for_one_source_ends_it(portfolio) -> None:
    extra = Liaison(id="bo", name="Bo", client="big", providers=("fill-b",))
    more = replace(portfolio, liaisons=(*portfolio.liaisons, extra))
    assert relationships(more).one_liaison_backups == ()


def test_weak_leverage_and_priority_conflict(result) -> None:
    # tiny-hyb: 80 % of tiny's spend, 4.3 % of hyb's revenue (< 5 %): weak leverage, high because
    # hyb runs at 90/100 = 90 % >= 85 %. hyb is hybrid_generic with its own tablets and makes tiny's
    # tablet: priority conflict, high (tiny below 5 %).
    r = rules(row(result, "tiny", "hyb"))
    assert (r["weak_leverage"], r["priority_conflict"]) == ("high", "high")
    # big-fill-a: 55.6 % of big's spend, but big is all of fill-a's revenue: no weak leverage.
    assert "weak_leverage" not in rules(row(result, "big", "fill-a"))


def test_thresholds_are_settable(portfolio) -> None:
    # At 95 % hyb (90 %) is no longer short: leverage only medium, no priority conflict.
    r = rules(row(relationships(portfolio, thresholds=Thresholds(high_utilisation=0.95)), "tiny", "hyb"))
    assert r["weak_leverage"] == "medium" and "priority_conflict" not in r
    # With 4 % as "little", tiny (4.26 %) weighs enough: no weak leverage.
    assert "weak_leverage" not in rules(
        row(relationships(portfolio, thresholds=Thresholds(revenue_share=0.04)), "tiny", "hyb")
    )
    with pytest.raises(ValueError, match="spend_share"):
        Thresholds(spend_share=1.5)


def test_provider_depends_on_client_is_concentrations_rating(result) -> None:
    # fill-a, fill-b and cb (CMO-only) each have one client: HHI 10,000, top share 100 % -> critical.
    # hyb is hybrid, lab a test lab: no mirror finding.
    for provider in ("fill-a", "fill-b", "cb"):
        assert rules(row(result, "big", provider))["provider_depends_on_client"] == "critical"
    assert "provider_depends_on_client" not in rules(row(result, "tiny", "lab"))


def test_utilisation_per_provider_and_technology(result) -> None:
    # fill-a: ster 40 (aseptic_fill) + bio 20 (lyophilization) = 60 of 100; fill-b 45 of 50;
    # hyb 90 of 100; lab and cb have neither capacity nor volume: not listed.
    assert [(u.provider, u.volume, u.utilisation, u.by_technology, u.high) for u in result.utilisation] == [
        ("fill-a", 60.0, 0.6, {"aseptic_fill": 40.0, "lyophilization": 20.0}, False),
        ("fill-b", 45.0, 0.9, {"aseptic_fill": 45.0}, True),
        ("hyb", 90.0, 0.9, {"tablet": 90.0}, True),
    ]


def test_renewal_calendar_and_cliff_quarters(result) -> None:
    # Ends, soonest first; fill-a's notice: 6 months before 2027-06-30.
    assert [(r.client, r.provider, r.end, r.notice_by, r.auto_renew) for r in result.renewals] == [
        ("tiny", "hyb", "2026-12-31", None, False),
        ("big", "cb", "2027-04-01", None, False),
        ("big", "fill-b", "2027-05-15", None, True),
        ("big", "fill-a", "2027-06-30", "2026-12-30", False),
    ]
    # Cliffs: contracts that do not renew by themselves behind a sole source (hyb for tab, cb and
    # fill-a for bio); fill-b renews itself. 2026-Q4: tab, 10M; 2027-Q2: bio (no revenue given).
    assert [
        (c.quarter, c.contracts, c.sole_source_products, c.revenue_at_risk, str(c.severity)) for c in result.cliffs
    ] == [
        ("2026-Q4", (("tiny", "hyb"),), ("tab",), 10_000_000.0, "high"),
        ("2027-Q2", (("big", "fill-a"), ("big", "cb")), ("bio",), 0.0, "high"),
    ]
    assert result.cliffs[1].provider_shares == {"fill-a": 1.0, "cb": 1.0}
    assert rules(row(result, "big", "fill-a"))["contract_cliff"] == "high"
    assert "the contract ends 2027-06-30 (notice by 2026-12-30)" in row(result, "big", "fill-a").explanation
    assert "contract_cliff" not in rules(row(result, "big", "fill-b"))


def test_whatif_on_a_liaison_lists_relationships_left_without_contact(portfolio) -> None:
    assert contacts_lost(portfolio, {"ann"}) == [("big", "fill-a", ("ann",)), ("big", "fill-b", ("ann",))]
    assert contacts_lost(portfolio, {"tom", "fill-a"}) == [("tiny", "hyb", ("tom",))]


def test_as_dict_is_json(result) -> None:
    import json

    data = json.loads(json.dumps(result.as_dict()))
    assert data["thresholds"]["spend_share"] == 0.3
    assert data["renewals"][3]["notice_by"] == "2026-12-30"


def test_skills_file_replaces_the_default(tmp_path) -> None:
    path = tmp_path / "skills.yaml"
    path.write_text("skills:\n  quality systems: [tablets]\nneeds:\n  segments: {small: quality systems}\n")
    custom = load_skills(path)
    assert custom.canonical("TABLETS") == "quality systems"
    assert SkillMap.default().canonical("tablets") is None


def test_skills_file_errors_are_located_all_at_once(tmp_path) -> None:
    with pytest.raises(PortfolioError) as info:
        load_skills(tmp_path / "nope.yaml")
    assert [str(p) for p in info.value.problems] == [f"{tmp_path / 'nope.yaml'}: no such skills file"]
    path = tmp_path / "bad.yaml"
    path.write_text(
        "skills:\n  biologics: [bio]\n  sterile: [bio]\nneeds:\n  steps: {testng: biologics}\n"
        "  segments: {small: quality}\n  colours: {}\n"
    )
    with pytest.raises(PortfolioError) as info:
        load_skills(path)
    assert [str(p) for p in info.value.problems] == [
        f"{path}:3: 'bio' names both 'biologics' and 'sterile'",
        f"{path}:5: needs steps: 'testng' is not one of api, cell_bank, drug_product, fill_finish, "
        "packaging_labeling, testing (did you mean 'testing'?)",
        f"{path}:6: needs segments small: 'quality' is not a skill listed under skills",
        f"{path}:7: unknown needs section 'colours'",
    ]


# -- the example portfolio (examples/README.md section 5 works these out) ------------------

EXAMPLE = SMALL.parent.parent / "examples" / "portfolio.yaml"


@pytest.fixture(scope="module")
def example():
    return relationships(read_portfolio(EXAMPLE)[0])


def test_example_skills_of_a_small_immature_client(example) -> None:
    # Calyx is small with low quality maturity: quality systems everywhere; Sven Larsen knows tech transfer.
    # Harbor fills CX-101 (aseptic): sterile manufacturing; Lumen tests: analytical.
    assert row(example, "client-calyx", "cmo-harborfill").skills_missing == ("quality systems", "sterile manufacturing")
    assert row(example, "client-calyx", "cro-lumen").skills_missing == ("analytical", "quality systems")
    assert row(example, "client-calyx", "cmo-summit-clinical").skills_missing == ("quality systems",)


def test_example_one_person_behind_zelvatinibs_two_sites(example) -> None:
    # Zelvatinib's drug product: Riverton and Oakridge, each held for Helix by Pedro Costa alone.
    # Veltamab's Harbor has two Aurelia contacts (Brennan, Fischer): no finding there.
    assert [(b.liaison, b.product, b.step, b.providers) for b in example.one_liaison_backups] == [
        ("liaison-helix-costa", "prod-zelvatinib", "drug_product", ("cmo-oakridge", "cmo-riverton"))
    ]


def test_example_no_contact_ranks_with_one_contact(example) -> None:
    # Aurelia-Clearwater: nobody; Aurelia-Pinecrest: Maya Brennan alone; each provider alone takes down Veltamab.
    assert rules(row(example, "client-aurelia", "lab-clearwater"))["no_contact"] == "high"
    assert rules(row(example, "client-aurelia", "cmo-pinecrest-pack"))["single_contact"] == "high"


def test_example_capacity_and_hybrid_priority(example) -> None:
    # Valemont: Dermacort 300 + 180 (sterile_cream), Nefrostatin 40 + 20 (tablet): 540 of 600 = 90 %.
    # Oakridge: 400 + 500 of 1,200 = 75 %. Riverton gives no volume: unknown, no utilisation.
    use = {u.provider: u for u in example.utilisation}
    assert (use["cmo-valemont"].utilisation, use["cmo-valemont"].by_technology) == (
        0.9,
        {"sterile_cream": 480.0, "tablet": 60.0},
    )
    assert use["cmo-oakridge"].utilisation == 0.75 and not use["cmo-oakridge"].high
    assert use["cmo-riverton"].utilisation is None and use["cmo-riverton"].unknown_volume == 12
    # Wren's Dermacort is a cream like Valemont's own; Wren is EUR 1.5M of 4.5M + 1.5M + 30M own
    # = 4.17 %: high.
    wren = row(example, "client-wren", "cmo-valemont")
    assert wren.client_share_of_provider == pytest.approx(1.5 / 36)
    assert rules(wren)["priority_conflict"] == "high"
    assert "priority_conflict" not in rules(row(example, "client-tessera", "cmo-valemont"))  # a tablet


def test_example_weak_leverage_at_the_default_lines(example) -> None:
    # Wren spends 0.5 + 1.2 + 0.4 + 1.5 + 0.2 + 0.25 + 0.15 + 0.15 + 0.1 = 4.45M in all, 1.5M
    # (33.7 %) at Valemont: over the 30 % line, while it is 4.17 % (under 5 %) of Valemont's revenue.
    wren = row(example, "client-wren", "cmo-valemont")
    assert wren.provider_share_of_client == pytest.approx(1.5 / 4.45)
    flagged = [(r.client, r.provider) for r in example.scorecard if "weak_leverage" in rules(r)]
    assert flagged == [("client-wren", "cmo-valemont")]
    assert rules(wren)["weak_leverage"] == "high"  # Valemont is short of capacity
    # a spend line above 33.7 % flags nobody
    higher = relationships(read_portfolio(EXAMPLE)[0], thresholds=Thresholds(spend_share=0.34))
    assert not any("weak_leverage" in rules(r) for r in higher.scorecard)


def test_example_cliff_quarters(example) -> None:
    # Wren-Valemont ends 2026-12-31 (Dermacort, 18M), Helix-Northbridge 2027-03-31 (Lyozumab, 180M; all of
    # Northbridge's revenue), Tessera-Kestrel 2027-06-30 (Sterisol 65M + Ceftavir 90M; 90 % of Kestrel's).
    # Aurelia-Harbor and Galen-Riverton renew by themselves: in the calendar, not in a cliff.
    assert [(c.quarter, c.sole_source_products, c.revenue_at_risk) for c in example.cliffs] == [
        ("2026-Q4", ("prod-dermacort",), 18_000_000.0),
        ("2027-Q1", ("prod-lyozumab",), 180_000_000.0),
        ("2027-Q2", ("prod-ceftavir", "prod-sterisol"), 155_000_000.0),
    ]
    assert example.cliffs[2].provider_shares == {"cmo-kestrel": pytest.approx(0.9)}
    assert [(r.provider, r.end, r.notice_by) for r in example.renewals] == [
        ("cmo-valemont", "2026-12-31", "2026-09-30"),
        ("cmo-northbridge", "2027-03-31", "2026-03-31"),
        ("cmo-harborfill", "2027-06-30", "2026-06-30"),
        ("cmo-kestrel", "2027-06-30", "2026-12-30"),
        ("cmo-riverton", "2028-03-31", None),
    ]


# -- through the command line ---------------------------------------------------------------


def cli(*args: object, code: int = 0) -> str:
    from click.testing import CliRunner

    from graphkit.cli.main import main

    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == code, result.output
    return result.output


def test_cli_formats_hold_the_library_answers() -> None:
    import csv
    import io
    import json

    data = json.loads(cli("relationships", SMALL, "--format", "json"))
    assert data == json.loads(json.dumps(relationships(read_portfolio(SMALL)[0]).as_dict()))
    rows = list(csv.DictReader(io.StringIO(cli("relationships", SMALL, "--format", "csv"))))
    assert [(r["client"], r["provider"], r["severity"]) for r in rows][:2] == [
        ("big", "cb", "critical"),
        ("big", "fill-a", "critical"),
    ]
    table = cli("relationships", SMALL)
    assert "Relationship scorecard (6)" in table and "Cliff quarters (2)" in table
    assert "## One liaison behind sources that back each other up (1)" in cli("relationships", SMALL, "-f", "markdown")


def test_cli_thresholds_are_percentages() -> None:
    import json

    data = json.loads(cli("relationships", SMALL, "--format", "json", "--high-utilisation", "95"))
    assert data["thresholds"]["high_utilisation"] == 0.95
    hyb = next(r for r in data["scorecard"] if r["provider"] == "hyb")
    assert "priority_conflict" not in {f["rule"] for f in hyb["findings"]}
    assert "not a percentage" in cli("relationships", SMALL, "--spend-share", "130", code=2)


def test_cli_unknown_or_bad_skills_file_is_a_located_error(tmp_path) -> None:
    out = cli("relationships", SMALL, "--skills", tmp_path / "nope.yaml", code=1)
    assert f"{tmp_path / 'nope.yaml'}: no such skills file" in out and "Traceback" not in out
    bad = tmp_path / "s.yaml"
    bad.write_text("skills:\n  analytical: [qc]\nneeds:\n  steps: {testing: analytics}\n")
    assert f"{bad}:4: needs steps testing: 'analytics' is not a skill listed under skills" in cli(
        "relationships", SMALL, "--skills", bad, code=1
    )


def test_cli_whatif_on_a_liaison() -> None:
    import json

    out = json.loads(cli("whatif", SMALL, "--fail", "ann", "--format", "json"))
    assert out["contacts_lost"] == [
        {"client": "big", "provider": "fill-a", "liaisons": ["ann"]},
        {"client": "big", "provider": "fill-b", "liaisons": ["ann"]},
    ]
    assert "Relationships left without a contact (2)" in cli("whatif", SMALL, "--fail", "ann")


def test_report_has_the_scorecard_section() -> None:
    import re

    from graphkit.viz.report import render_report

    portfolio = read_portfolio(SMALL)[0]
    page = render_report(portfolio, views=())
    assert '<section class="gk-sec" id="relationships">' in page
    for table_id, rows in (("gk-relationships", 6), ("gk-renewals", 4), ("gk-cliffs", 2), ("gk-utilisation", 3)):
        body = re.search(f'id="{table_id}">.*?<tbody>(.*?)</tbody>', page, re.S)
        assert body is not None and body.group(1).count("<tr>") == rows, table_id
    assert "no liaison holds it (it needs quality systems)" in page


def test_people_view_shows_liaisons_and_gaps_in_red() -> None:
    from graphkit.viz import style
    from graphkit.viz.views import build_view

    portfolio = read_portfolio(SMALL)[0]
    view = build_view(portfolio, "people")
    kinds = {n.id for n in view.nodes}
    assert {"ann", "tom", "big", "tiny", "fill-a", "hyb"} <= kinds and "ster" not in kinds  # no products
    red = sorted((e.source, e.target) for e in view.edges if e.color == style.MARK["sole_source"])
    # Contracts nobody holds: big-cb and tiny-lab (big-lab has no contract edge).
    assert red == [("big", "cb"), ("tiny", "lab")]
    assert any("no liaison holds this relationship" in e.tooltip for e in view.edges)
