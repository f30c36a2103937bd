"""Tests for the exact single-point-of-failure engine (graphkit.analysis.supply)."""

from __future__ import annotations

import random
from collections.abc import Collection, Mapping

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphkit.analysis import supply
from graphkit.analysis.supply import (
    WhatIfResult,
    explain_loss,
    kill_sets,
    operational,
    single_failure_impact,
    what_if,
)

Steps = Mapping[str, Mapping[str, Collection[str]]]
Feeds = Mapping[str, Mapping[str, Collection[str]]]

HYPOTHESIS = settings(
    max_examples=250,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


# ---------------------------------------------------------------------------
# independent brute-force oracle (naive least fixed point, no shared code)
# ---------------------------------------------------------------------------


def all_providers(steps: Steps, feeds: Feeds) -> set[str]:
    ids = set(feeds)
    for mats in feeds.values():
        for fs in mats.values():
            ids |= set(fs)
    for st_ in steps.values():
        for srcs in st_.values():
            ids |= set(srcs)
    return ids


def naive_operational(steps: Steps, feeds: Feeds, failed: Collection[str] = ()):
    failed = set(failed)
    providers = all_providers(steps, feeds)
    op: set[str] = set()
    changed = True
    while changed:  # grow from nothing: the least fixed point
        changed = False
        for p in providers - op - failed:
            if all(any(f in op for f in fs) for fs in feeds.get(p, {}).values()):
                op.add(p)
                changed = True
    avail = {
        prod
        for prod, st_ in steps.items()
        if prod not in failed and all(any(s in op for s in srcs) for srcs in st_.values())
    }
    return op, avail


def brute_impact(steps: Steps, feeds: Feeds) -> dict[str, frozenset[str]]:
    _, base = naive_operational(steps, feeds)
    out = {}
    for x in all_providers(steps, feeds):
        _, avail = naive_operational(steps, feeds, {x})
        lost = base - avail
        if lost:
            out[x] = frozenset(lost)
    return out


def uncovered_steps(steps: Steps, feeds: Feeds, failed: Collection[str], product: str) -> set[str]:
    op, _ = naive_operational(steps, feeds, failed)
    return {step for step, srcs in steps[product].items() if not any(s in op for s in srcs)}


# ---------------------------------------------------------------------------
# hand-built cases with hand-computed answers
# ---------------------------------------------------------------------------


def test_hidden_common_mode_two_cmos_one_api_maker():
    steps = {"pill": {"drug_product": ["cmo-a", "cmo-b"]}}
    feeds = {"cmo-a": {"api": ["api-1"]}, "cmo-b": {"api": ["api-1"]}}
    assert single_failure_impact(steps, feeds) == {"api-1": frozenset({"pill"})}
    assert kill_sets(steps, feeds) == {"pill": frozenset({"api-1"})}
    [loss] = explain_loss(steps, feeds, "api-1", "pill")
    assert loss.step == "drug_product"
    assert [s.source for s in loss.sources] == ["cmo-a", "cmo-b"]
    assert str(loss) == (
        "step drug_product: cmo-a needs 'api' only from api-1 (fails); cmo-b needs 'api' only from api-1 (fails)"
    )
    assert explain_loss(steps, feeds, "cmo-a", "pill") == []


def test_step_with_two_sources_has_no_critical_source():
    steps = {"pill": {"drug_product": ["cmo-a", "cmo-b"], "packaging": {"pk-1", "pk-2"}}}
    assert single_failure_impact(steps, {}) == {}
    assert kill_sets(steps, {}) == {"pill": frozenset()}


def test_three_tier_chain():
    steps = {"pill": {"drug_product": ["cmo-1"]}}
    feeds = {"cmo-1": {"api": ["api-1"]}, "api-1": {"cells": ["bank-1"]}}
    pill = frozenset({"pill"})
    assert single_failure_impact(steps, feeds) == {"cmo-1": pill, "api-1": pill, "bank-1": pill}
    [loss] = explain_loss(steps, feeds, "bank-1", "pill")
    assert str(loss) == (
        "step drug_product: only source cmo-1 needs 'api' only from api-1, which needs 'cells' only from bank-1 (fails)"
    )
    assert loss.sources[0].chain == (
        supply.Hop("api", ("api-1",)),
        supply.Hop("cells", ("bank-1",)),
    )
    # a second cell bank removes the top-tier single point only
    feeds2 = {"cmo-1": {"api": ["api-1"]}, "api-1": {"cells": ["bank-1", "bank-2"]}}
    assert single_failure_impact(steps, feeds2) == {"cmo-1": pill, "api-1": pill}


def test_baseline_unavailable_products_never_reported():
    steps = {
        "ok": {"api": ["a1"]},
        "no_source": {"api": ["a1"], "dp": []},  # a step with no qualified source
        "broken_chain": {"dp": ["c1"]},  # c1's feeder has an unfed material
        "empty_material": {"dp": ["c2"]},  # c2 gets 'api' from nobody
    }
    feeds = {"c1": {"api": ["a2"]}, "a2": {"cells": ["b1"]}, "b1": {"media": []}, "c2": {"api": []}}
    ops, avail = operational(steps, feeds)
    assert avail == {"ok"}
    assert ops == {"a1"}
    assert single_failure_impact(steps, feeds) == {"a1": frozenset({"ok"})}
    assert set(kill_sets(steps, feeds)) == {"ok"}
    assert explain_loss(steps, feeds, "a1", "no_source") == []
    r = what_if(steps, feeds, ["a1", "c1", "a2", "b1"])
    assert r.lost == {"ok"} and r.providers_lost == {"a1"}


def test_material_with_two_feeders():
    steps = {"pill": {"dp": ["cmo"]}}
    feeds = {"cmo": {"api": ["api-1", "api-2"]}}
    assert single_failure_impact(steps, feeds) == {"cmo": frozenset({"pill"})}
    # both feeders fail together: lost, and cmo is cut off upstream
    r = what_if(steps, feeds, ["api-1", "api-2"])
    assert r.lost == {"pill"} and r.providers_lost == {"api-1", "api-2", "cmo"}


def test_provider_with_two_materials_needs_both():
    steps = {"pill": {"dp": ["cmo"]}}
    feeds = {"cmo": {"api": ["api-1"], "excipient": ["exc-1", "exc-2"]}}
    pill = frozenset({"pill"})
    assert single_failure_impact(steps, feeds) == {"cmo": pill, "api-1": pill}


def test_provider_supplying_two_steps_of_one_product():
    # sole source of one step, one of two sources of another
    steps = {"pill": {"api": ["x"], "dp": ["x", "y"]}, "tab": {"api": ["x", "a"], "dp": ["x", "b"]}}
    assert single_failure_impact(steps, {}) == {"x": frozenset({"pill"})}
    losses = explain_loss(steps, {}, "x", "pill")
    assert [str(loss) for loss in losses] == ["step api: only source x fails"]
    # sole source of both steps: still one entry, both steps explained
    steps2 = {"pill": {"api": ["x"], "dp": ["x"]}}
    assert single_failure_impact(steps2, {}) == {"x": frozenset({"pill"})}
    assert [loss.step for loss in explain_loss(steps2, {}, "x", "pill")] == ["api", "dp"]


def test_shared_upstream_across_products():
    steps = {
        "p1": {"dp": ["cmo-a"]},
        "p2": {"dp": ["cmo-b"]},
        "p3": {"dp": ["cmo-a", "cmo-c"]},
    }
    feeds = {"cmo-a": {"api": ["api-1"]}, "cmo-b": {"api": ["api-1", "api-2"]}, "cmo-c": {"api": ["api-1"]}}
    assert single_failure_impact(steps, feeds) == {
        "api-1": frozenset({"p1", "p3"}),
        "cmo-a": frozenset({"p1"}),
        "cmo-b": frozenset({"p2"}),
    }


def test_failing_product_id_directly():
    steps = {"pill": {"dp": ["c"]}, "tab": {"dp": ["c"]}}
    ops, avail = operational(steps, {}, failed=["pill"])
    assert ops == {"c"} and avail == {"tab"}
    r = what_if(steps, {}, {"pill"})
    assert r.lost == {"pill"} and r.providers_lost == frozenset()


def test_product_id_that_is_also_a_provider():
    steps = {"p": {"dp": ["c"]}, "q": {"dp": ["p"]}}
    assert single_failure_impact(steps, {}) == {"c": frozenset({"p"}), "p": frozenset({"p", "q"})}
    assert single_failure_impact(steps, {}) == brute_impact(steps, {})


def test_cycles_least_fixed_point_and_exact_kills():
    # a pure cycle with no way in is not operational (least fixed point)
    steps = {"x": {"dp": ["p"]}, "y": {"dp": ["solo"]}}
    feeds = {"p": {"n": ["q"]}, "q": {"m": ["p"]}, "solo": {"s": ["solo"]}}
    assert operational(steps, feeds) == (frozenset(), frozenset())
    assert single_failure_impact(steps, feeds) == {}
    # a cycle with one way in: that way in kills the whole cycle
    feeds = {"p": {"n": ["q", "e1"]}, "q": {"m": ["p"]}}
    steps = {"x": {"dp": ["q"]}}
    ops, avail = operational(steps, feeds)
    assert ops == {"p", "q", "e1"} and avail == {"x"}
    x = frozenset({"x"})
    assert single_failure_impact(steps, feeds) == {"e1": x, "p": x, "q": x}
    [loss] = explain_loss(steps, feeds, "e1", "x")
    assert loss.sources[0].chain[0] == supply.Hop("m", ("p",))
    str(loss)  # must terminate on the cycle
    # two ways in: neither is critical
    feeds = {"p": {"n": ["q", "e1"]}, "q": {"m": ["p", "e2"]}}
    assert single_failure_impact(steps, feeds) == {"q": x}


def test_what_if_extra_sources_save_products():
    steps = {"pill": {"api": ["a1"], "dp": ["c1", "c2"]}, "tab": {"dp": ["c1"]}, "gel": {"dp": ["c9"]}}
    feeds = {"c1": {"api": ["a1"]}, "c2": {"api": ["a1"]}, "c9": {"api": []}}
    r = what_if(steps, feeds, ["c1", "c2"], {("pill", "dp"): ["c3"], ("gel", "dp"): ["c4"]})
    assert isinstance(r, WhatIfResult)
    assert r.failed == {"c1", "c2"}
    assert r.baseline == {"pill", "tab"}
    assert r.after == {"pill", "gel"}
    assert r.lost == {"tab"}
    assert r.saved == {"pill"}
    assert r.gained == {"gel"}
    assert r.providers_lost == {"c1", "c2"}
    # the extra source itself can fail
    r2 = what_if(steps, feeds, ["c1", "c2", "c3"], {("pill", "dp"): ["c3"]})
    assert r2.lost == {"pill", "tab"} and r2.saved == frozenset()
    # cut off upstream
    r3 = what_if(steps, feeds, ["a1"])
    assert r3.lost == {"pill", "tab"} and r3.providers_lost == {"a1", "c1", "c2"}


def test_input_validation():
    with pytest.raises(TypeError):
        operational({}, {}, failed="abc")
    with pytest.raises(TypeError):
        what_if({}, {}, "abc")
    with pytest.raises(ValueError):
        what_if({"p": {"dp": ["c"]}}, {}, [], {("p", "nope"): ["c2"]})
    with pytest.raises(ValueError):
        what_if({"p": {"dp": ["c"]}}, {}, [], {("nope", "dp"): ["c2"]})


def test_product_without_steps_is_vacuously_available():
    assert operational({"p": {}}, {}) == (frozenset(), frozenset({"p"}))
    assert kill_sets({"p": {}}, {}) == {"p": frozenset()}


# ---------------------------------------------------------------------------
# cross-checks against brute force
# ---------------------------------------------------------------------------


@st.composite
def portfolios(draw, cyclic: bool = False):
    n = draw(st.integers(1, 10))
    provs = [f"p{i}" for i in range(n)]
    feeds: dict[str, dict[str, list[str]]] = {}
    for i, p in enumerate(provs):
        upstream = provs if cyclic else provs[:i]
        if not upstream:
            continue
        k = draw(st.integers(0, 2))
        mats = {f"m{j}": draw(st.lists(st.sampled_from(upstream), max_size=3)) for j in range(k)}
        if mats or draw(st.booleans()):
            feeds[p] = mats
    steps: dict[str, dict[str, list[str]]] = {}
    for q in range(draw(st.integers(0, 5))):
        # occasionally a product id collides with a provider id
        name = draw(st.sampled_from([f"P{q}"] * 4 + provs))
        k = draw(st.integers(0, 3))
        steps[name] = {f"s{j}": draw(st.lists(st.sampled_from(provs), max_size=3)) for j in range(k)}
    return steps, feeds


def check_against_brute_force(steps: Steps, feeds: Feeds) -> None:
    nops, navail = naive_operational(steps, feeds)
    assert operational(steps, feeds) == (nops, navail)
    impact = single_failure_impact(steps, feeds)
    assert impact == brute_impact(steps, feeds)
    # kill_sets is the inverse of single_failure_impact
    ks = kill_sets(steps, feeds)
    assert set(ks) == navail
    inverted: dict[str, set[str]] = {}
    for prod, nodes in ks.items():
        for x in nodes:
            inverted.setdefault(x, set()).add(prod)
    assert inverted == impact
    # explanations name exactly the steps that become uncovered
    for x in all_providers(steps, feeds):
        for prod in navail:
            expl = explain_loss(steps, feeds, x, prod)
            if prod in impact.get(x, ()):
                assert {loss.step for loss in expl} == uncovered_steps(steps, feeds, {x}, prod)
                for loss in expl:
                    assert loss.sources and all(s.source in nops for s in loss.sources)
                    str(loss)
            else:
                assert expl == []


def check_what_if(steps: Steps, feeds: Feeds, failed, extra) -> None:
    r = what_if(steps, feeds, failed, extra)
    op0, base = naive_operational(steps, feeds)
    _, after_plain = naive_operational(steps, feeds, failed)
    merged = {p: {s: list(srcs) for s, srcs in st_.items()} for p, st_ in steps.items()}
    for (p, s), srcs in extra.items():
        merged[p][s] += list(srcs)
    op1, after = naive_operational(merged, feeds, failed)
    assert r.baseline == base
    assert r.after == after
    assert r.lost == base - after
    assert r.saved == (base - after_plain) & after
    assert r.providers_lost == op0 - op1
    assert r.gained == after - base


@HYPOTHESIS
@given(portfolios())
def test_single_failure_matches_brute_force_dag(portfolio):
    check_against_brute_force(*portfolio)


@HYPOTHESIS
@given(portfolios(cyclic=True))
def test_single_failure_matches_brute_force_with_cycles(portfolio):
    check_against_brute_force(*portfolio)


@HYPOTHESIS
@given(portfolios(cyclic=False), st.data())
def test_what_if_matches_brute_force(portfolio, data):
    steps, feeds = portfolio
    ids = sorted(all_providers(steps, feeds) | set(steps)) or ["nobody"]
    failed = data.draw(st.sets(st.sampled_from(ids), max_size=4))
    keys = [(p, s) for p, st_ in steps.items() for s in st_]
    extra = {}
    if keys:
        for key in data.draw(st.lists(st.sampled_from(keys), max_size=3, unique=True)):
            extra[key] = data.draw(st.lists(st.sampled_from(ids + ["new-1", "new-2"]), max_size=2))
    check_what_if(steps, feeds, failed, extra)


def random_portfolio(rng: random.Random, cyclic: bool = False):
    """Tiered random portfolio: shared upstream suppliers, empty steps/materials."""
    tiers = [[f"t{t}-{i}" for i in range(rng.randint(2, 7))] for t in range(rng.randint(2, 5))]
    provs = [p for tier in tiers for p in tier]
    feeds: dict[str, dict[str, list[str]]] = {}
    for t in range(1, len(tiers)):
        upstream = [p for tier in tiers[:t] for p in tier]
        hub = rng.choice(upstream)  # a popular supplier shared by many
        for p in tiers[t]:
            if rng.random() < 0.15:
                continue
            mats = {}
            for j in range(rng.choice([1, 1, 2, 3])):
                k = rng.choice([0, 1, 1, 1, 2, 2, 3]) if rng.random() < 0.95 else 0
                fs = rng.sample(upstream, min(k, len(upstream)))
                if fs and rng.random() < 0.4:
                    fs[0] = hub
                if cyclic and rng.random() < 0.2:
                    fs.append(rng.choice(provs))
                mats[f"mat{j}"] = fs
            feeds[p] = mats
    steps: dict[str, dict[str, list[str]]] = {}
    for q in range(rng.randint(1, 25)):
        names = rng.sample(["api", "dp", "fill", "pack", "dist"], rng.randint(1, 5))
        steps[f"prod{q}"] = {
            s: rng.sample(provs, rng.choice([0, 1, 1, 1, 2, 2, 3]) if rng.random() < 0.97 else 0) for s in names
        }
    return steps, feeds


def test_seeded_random_portfolios_against_brute_force():
    rng = random.Random(20240613)
    for i in range(300):
        steps, feeds = random_portfolio(rng, cyclic=(i % 5 == 4))
        nops, navail = naive_operational(steps, feeds)
        assert operational(steps, feeds) == (nops, navail)
        assert single_failure_impact(steps, feeds) == brute_impact(steps, feeds)
        ids = sorted(all_providers(steps, feeds))
        failed = rng.sample(ids, min(len(ids), rng.randint(1, 4)))
        keys = [(p, s) for p, st_ in steps.items() for s in st_]
        extra = {k: [rng.choice(ids + ["new"])] for k in rng.sample(keys, min(2, len(keys)))}
        check_what_if(steps, feeds, failed, extra)
