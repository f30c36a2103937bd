"""Relationships and the people who hold them: one scorecard row per
client–provider relationship, gathering skills fit, contacts, leverage,
capacity and contract terms, plus the lists behind them.

Pure library code over a validated `Portfolio`; results are frozen
dataclasses whose ``as_dict()`` is the JSON contract.

Rules (the one place they are written down)
-------------------------------------------
A *relationship* is a client and a provider joined by a contract, a supply
entry of one of the client's products, or a distributor of one
(`Portfolio.client_provider_pairs`). Its *contacts* are the client's liaisons
who list the provider. Its findings:

* ``skills_gap`` (medium): its contacts lack a skill it needs
  (`graphkit.analysis.skills`: from the steps, the products' technologies,
  biologic products and the client's segment and quality maturity).
* ``no_contact`` / ``single_contact``: no liaison, or one. Medium; high when
  the provider alone takes down a product of the client (a spof critical
  node). No liaison is never below one liaison.
* ``one_person_behind_backups``: one liaison is the only contact for two or
  more qualified sources of one step of one product of the client, so the
  redundancy rests on one person. High (medium for a clinical product); one
  finding naming the person and every such source, on each of their rows.
* ``weak_leverage``: the provider takes at least ``spend_share`` of the
  client's contract spend while the client is less than ``revenue_share``
  of the provider's revenue (contracts plus own revenue): at the back of the
  queue when capacity is short. Medium; high when the provider's
  utilisation is at least ``high_utilisation``.
* ``provider_depends_on_client``: the mirror — a CMO-only provider whose top
  customer is this client, when the concentration analysis rates the
  provider high or critical (kept at its rating).
* ``priority_conflict``: a hybrid provider at or above ``high_utilisation``
  makes a product of the client in a technology of its own products. High
  when the client is below ``revenue_share`` of its revenue, medium below
  ``major_share``, low otherwise: the less the client weighs, the worse.
* ``contract_cliff``: a contract with an ``end`` that does not renew by
  itself, behind a sole source of one of the client's products (high) or
  at least ``cliff_share`` of the provider's revenue (medium).

A row's severity is its most severe finding's (info without findings); its
explanation joins the findings' sentences.

*Capacity* is in batches a year (`Provider.capacity`, over all products and
steps); a supply entry's ``volume`` is what it takes. Utilisation counts
qualified entries only, per provider and per product technology;
entries without ``volume`` are counted as unknown (the utilisation is then a
lower bound; None when no entry gives a volume). *Renewal calendar*: every
contract with an ``end``, soonest first, with the date notice must be given
by. *Cliff quarters*: the calendar quarters in which ``contract_cliff``
contracts end, with the products (and revenue) whose sole source they cover
and the providers' revenue they carry.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, fields
from datetime import date, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from ..text import listed, money_short, percent
from ..vocabulary import BusinessModel, Stage, Step
from .results import Result
from .severity import Severity
from .skills import SkillMap

if TYPE_CHECKING:  # the records load msgspec: the command line reads Thresholds before it runs
    from ..model import Client, Contract, Liaison, Portfolio, Product, Provider

__all__ = [
    "CliffQuarter",
    "Finding",
    "OneLiaisonBackups",
    "Relationship",
    "RelationshipsResult",
    "Renewal",
    "Rule",
    "Thresholds",
    "Utilisation",
    "contacts_lost",
    "relationships",
]

_HYBRIDS = frozenset({BusinessModel.HYBRID_BRANDED, BusinessModel.HYBRID_GENERIC})


class Rule(StrEnum):
    """The kinds of relationship finding, most pressing first in explanations."""

    NO_CONTACT = "no_contact"
    SINGLE_CONTACT = "single_contact"
    ONE_PERSON_BEHIND_BACKUPS = "one_person_behind_backups"
    SKILLS_GAP = "skills_gap"
    WEAK_LEVERAGE = "weak_leverage"
    PROVIDER_DEPENDS_ON_CLIENT = "provider_depends_on_client"
    PRIORITY_CONFLICT = "priority_conflict"
    CONTRACT_CLIFF = "contract_cliff"


@dataclass(frozen=True)
class Thresholds(Result):
    """The settable thresholds of the rules (fractions, not percentages)."""

    spend_share: float = 0.30  # weak leverage: the provider's share of the client's spend, at least
    revenue_share: float = 0.05  # weak leverage: the client's share of the provider's revenue, below
    major_share: float = 0.20  # priority conflict: a client below this weighs little
    high_utilisation: float = 0.85  # capacity is short at or above this utilisation
    cliff_share: float = 0.30  # a contract carrying this share of the provider's revenue makes a cliff

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not (0 <= value <= 1 or f.name == "high_utilisation" and 0 <= value < math.inf):
                raise ValueError(f"threshold {f.name} must be a fraction between 0 and 1, got {value}")


@dataclass(frozen=True, order=True)
class Finding(Result):
    rule: Rule
    severity: Severity
    text: str


@dataclass(frozen=True)
class Relationship(Result):
    """One client–provider relationship with everything found about it."""

    client: str
    provider: str
    liaisons: tuple[str, ...]
    annual_value: float
    currency: str | None
    client_share_of_provider: float | None  # of contracts plus own revenue
    provider_share_of_client: float | None  # of the client's contract spend
    skills_needed: tuple[str, ...]
    skills_missing: tuple[str, ...]
    findings: tuple[Finding, ...]
    severity: Severity
    explanation: str


@dataclass(frozen=True)
class OneLiaisonBackups(Result):
    """One liaison as the only contact for sources that back each other up."""

    liaison: str
    client: str
    product: str
    step: str
    providers: tuple[str, ...]
    severity: Severity
    explanation: str


@dataclass(frozen=True)
class Utilisation(Result):
    """A provider's capacity (batches a year) against its clients' volumes."""

    provider: str
    capacity: float | None
    volume: float  # batches a year of its qualified supply entries with a volume
    utilisation: float | None  # volume / capacity (None: no capacity, or no entry gives a volume)
    by_technology: dict[str, float]  # product technology -> batches a year
    unknown_volume: int  # qualified entries without a volume
    high: bool


@dataclass(frozen=True)
class Renewal(Result):
    """A contract's end in the renewal calendar."""

    client: str
    provider: str
    end: str  # ISO date
    notice_by: str | None  # ISO date: the last day to give notice
    auto_renew: bool
    annual_value: float
    currency: str


@dataclass(frozen=True)
class CliffQuarter(Result):
    """A quarter in which contracts behind sole sources or large revenue shares end."""

    quarter: str  # e.g. 2027-Q2
    contracts: tuple[tuple[str, str], ...]  # (client, provider)
    sole_source_products: tuple[str, ...]
    revenue_at_risk: float  # annual revenue of those products
    provider_shares: dict[str, float]  # provider -> share of its revenue the ending contracts carry
    severity: Severity
    explanation: str


@dataclass(frozen=True)
class RelationshipsResult(Result):
    thresholds: Thresholds
    skills_source: str
    scorecard: tuple[Relationship, ...]
    one_liaison_backups: tuple[OneLiaisonBackups, ...]
    utilisation: tuple[Utilisation, ...]
    renewals: tuple[Renewal, ...]
    cliffs: tuple[CliffQuarter, ...]


# --------------------------------------------------------------------------


def contacts_lost(portfolio: Portfolio, failed: Collection[str]) -> list[tuple[str, str, tuple[str, ...]]]:
    """The relationships every contact of which is among `failed`:
    (client, provider, the failed contacts), in relationship order."""
    contacts = _contacts(portfolio)
    out = []
    for pair in portfolio.client_provider_pairs:
        people = contacts.get(pair, ())
        if people and all(li in failed for li in people):
            out.append((*pair, people))
    return out


def relationships(
    portfolio: Portfolio, skills: SkillMap | None = None, thresholds: Thresholds = Thresholds()
) -> RelationshipsResult:
    """The relationship scorecard and the lists behind it (see the module's rules)."""
    from .concentration import customer_concentration
    from .spof import spof

    skills = skills or SkillMap.default()
    t = thresholds
    facts = _Facts(portfolio, spof(portfolio), customer_concentration(portfolio))
    use = tuple(_utilisation(portfolio, t))
    high_use = {u.provider for u in use if u.high}
    backups = tuple(_one_liaison_backups(portfolio, facts))
    renewals, cliffs = _terms(portfolio, facts, t)
    rows = []
    for client, provider in portfolio.client_provider_pairs:
        found = _pair_findings(portfolio, facts, skills, t, client, provider, high_use, backups)
        rows.append(found)
    rows.sort(key=lambda r: (-r.severity, r.client, r.provider))
    return RelationshipsResult(t, skills.source, tuple(rows), backups, use, renewals, cliffs)


# -- what is derived once ------------------------------------------------------


class _Facts:
    def __init__(self, portfolio: Portfolio, spof_result: Any, concentration: Any) -> None:
        self.products = {p.id: p for p in portfolio.products}
        self.providers: dict[str, Provider] = {p.id: p for p in portfolio.providers}
        self.clients: dict[str, Client] = {c.id: c for c in portfolio.clients}
        self.contacts = _contacts(portfolio)
        self.critical: dict[tuple[str, str], set[str]] = defaultdict(set)  # (client, provider) -> products lost
        for node in spof_result.critical_nodes:
            for pid, _ in node.units:
                self.critical[(self.products[pid].owner, node.node)].add(pid)
        self.sole: dict[tuple[str, str], set[str]] = defaultdict(set)  # (client, provider) -> sole-sourced products
        for s in spof_result.sole_source_steps:
            self.sole[(self.products[s.product].owner, s.provider)].add(s.product)
        self.concentration = {row.provider: row for row in concentration.providers}
        self.value: dict[tuple[str, str], float] = defaultdict(float)
        self.currency: dict[tuple[str, str], str] = {}
        provider_total: dict[str, float] = defaultdict(float)
        self.spend: dict[str, float] = defaultdict(float)
        self.contracts: dict[tuple[str, str], list[Contract]] = defaultdict(list)  # in portfolio order
        for c in portfolio.contracts:
            self.contracts[(c.client, c.provider)].append(c)
            self.value[(c.client, c.provider)] += c.annual_value
            self.currency.setdefault((c.client, c.provider), c.currency)
            provider_total[c.provider] += c.annual_value
            self.spend[c.client] += c.annual_value
        self.revenue = {p: provider_total[p] + (self.providers[p].own_revenue or 0.0) for p in self.providers}
        self.entries: dict[tuple[str, str], list[tuple[Product, str, bool]]] = defaultdict(list)
        for p in portfolio.products:
            for s in p.supply:
                self.entries[(p.owner, s.provider)].append((p, str(s.step), s.qualified))
        self.biologic = _biologic_products(portfolio)

    def revenue_share(self, client: str, provider: str) -> float | None:
        whole = self.revenue.get(provider, 0.0)
        return self.value[(client, provider)] / whole if whole else None

    def spend_share(self, client: str, provider: str) -> float | None:
        whole = self.spend.get(client, 0.0)
        return self.value[(client, provider)] / whole if whole else None


def _contacts(portfolio: Portfolio) -> dict[tuple[str, str], tuple[str, ...]]:
    """(client, provider) -> the client's liaisons who list the provider, by id."""
    out: dict[tuple[str, str], list[str]] = defaultdict(list)
    for li in portfolio.liaisons:
        for prov in dict.fromkeys(li.providers):
            out[(li.client, prov)].append(li.id)
    return {k: tuple(sorted(v)) for k, v in out.items()}  # by id: the same from a file and from Neo4j


def _biologic_products(portfolio: Portfolio) -> set[str]:
    """Products with a cell_bank step, in their own supply or upstream of a
    supplier through feeds (a feed scoped to other products does not count)."""
    cell_banks = {s.provider for p in portfolio.products for s in p.supply if s.step == Step.CELL_BANK}
    cell_banks |= {pr.id for pr in portfolio.providers if "cell_bank" in pr.services}
    inputs: dict[str, list[Any]] = defaultdict(list)
    for f in portfolio.feeds:
        inputs[f.to].append(f)
    out = set()
    for p in portfolio.products:
        seen: set[str] = set()
        todo = [s.provider for s in p.supply]
        while todo:
            prov = todo.pop()
            if prov in seen:
                continue
            seen.add(prov)
            todo += [f.from_ for f in inputs[prov] if not f.products or p.id in f.products]
        if any(s.step == Step.CELL_BANK for s in p.supply) or (seen - {s.provider for s in p.supply}) & cell_banks:
            out.add(p.id)
    return out


# -- the rules -----------------------------------------------------------------


def _pair_findings(
    portfolio: Portfolio,
    facts: _Facts,
    skills: SkillMap,
    t: Thresholds,
    client: str,
    provider: str,
    high_use: set[str],
    backups: tuple[OneLiaisonBackups, ...],
) -> Relationship:
    pair = (client, provider)
    people = facts.contacts.get(pair, ())
    liaisons: list[Liaison] = [portfolio.nodes[li] for li in people]  # type: ignore[misc]
    cl = facts.clients[client]
    needed = skills.for_client(str(cl.segment), cl.quality_maturity and str(cl.quality_maturity))
    for product, step, _ in facts.entries.get(pair, ()):
        needed |= skills.for_work(step, str(product.technology), product.id in facts.biologic)
    held = skills.held(w for li in liaisons for w in li.skills)
    missing = sorted(needed - held)
    rev_share, spend_share = facts.revenue_share(client, provider), facts.spend_share(client, provider)
    found = [
        *_contact_findings(facts, pair, liaisons, needed, missing, backups),
        *_leverage_findings(facts, t, pair, rev_share, spend_share, high_use),
        *_priority_findings(facts, t, pair, rev_share, high_use),
        *(f for c in facts.contracts.get(pair, ()) if (f := _cliff(c, facts, t)) is not None),
    ]
    found.sort(key=lambda f: (-f.severity, list(Rule).index(f.rule)))
    severity = max((f.severity for f in found), default=Severity.INFO)
    head = f"{client} with {provider}"
    explanation = f"{head}: " + "; ".join(f.text for f in found) if found else f"{head}: nothing found"
    return Relationship(
        client,
        provider,
        people,
        facts.value.get(pair, 0.0),
        facts.currency.get(pair),
        rev_share,
        spend_share,
        tuple(sorted(needed)),
        tuple(missing),
        tuple(found),
        severity,
        explanation,
    )


def _contact_findings(
    facts: _Facts,
    pair: tuple[str, str],
    people: list[Liaison],
    needed: set[str],
    missing: list[str],
    backups: tuple[OneLiaisonBackups, ...],
) -> list[Finding]:
    """No or one liaison, skills the liaisons lack, one person behind backup sources."""
    client, provider = pair
    found: list[Finding] = []
    lost = sorted(facts.critical.get(pair, ()))
    contact_level = Severity.HIGH if lost else Severity.MEDIUM
    stake = f"; {provider} alone takes down {listed(lost)}" if lost else ""
    if not people:
        need = f" (it needs {listed(sorted(needed))})" if needed else ""
        found.append(Finding(Rule.NO_CONTACT, contact_level, f"no liaison holds it{need}{stake}"))
    elif len(people) == 1:
        li = people[0]
        found.append(Finding(Rule.SINGLE_CONTACT, contact_level, f"{li.name} ({li.id}) alone holds it{stake}"))
    if people and missing:
        found.append(Finding(Rule.SKILLS_GAP, Severity.MEDIUM, f"its liaisons lack {listed(missing)}"))
    for b in backups:
        if b.client == client and provider in b.providers:
            found.append(Finding(Rule.ONE_PERSON_BEHIND_BACKUPS, b.severity, b.explanation))
    return found


def _leverage_findings(
    facts: _Facts,
    t: Thresholds,
    pair: tuple[str, str],
    rev_share: float | None,
    spend_share: float | None,
    high_use: set[str],
) -> list[Finding]:
    """The client at the back of the queue, and the mirror: a CMO-only provider depending on it."""
    client, provider = pair
    found: list[Finding] = []
    if (
        spend_share is not None
        and spend_share >= t.spend_share
        and rev_share is not None
        and rev_share < t.revenue_share
    ):
        short = provider in high_use
        found.append(
            Finding(
                Rule.WEAK_LEVERAGE,
                Severity.HIGH if short else Severity.MEDIUM,
                f"{provider} takes {percent(spend_share, 0)} of {client}'s spend but {client} is only "
                f"{percent(rev_share)} of {provider}'s revenue: at the back of the queue when capacity is short"
                + (f", and {provider} is short of capacity now" if short else ""),
            )
        )
    conc = facts.concentration.get(provider)
    if (
        conc is not None
        and facts.providers[provider].business_model is BusinessModel.CMO_ONLY
        and conc.top_customer == client
        and conc.severity >= Severity.HIGH
    ):
        found.append(
            Finding(
                Rule.PROVIDER_DEPENDS_ON_CLIENT,
                conc.severity,
                f"{client} is {percent(conc.top1_share)} of {provider}'s contract revenue; losing it puts "
                f"CMO-only {provider} in jeopardy",
            )
        )
    return found


def _priority_findings(
    facts: _Facts, t: Thresholds, pair: tuple[str, str], rev_share: float | None, high_use: set[str]
) -> list[Finding]:
    """A hybrid near capacity whose own products share a technology with the client's."""
    client, provider = pair
    prov = facts.providers[provider]
    if prov.business_model not in _HYBRIDS or provider not in high_use:
        return []
    shared = sorted(
        {str(p.technology) for p, _, q in facts.entries.get(pair, ()) if q and p.technology in prov.own_technologies}
    )
    if not shared:
        return []
    weight = rev_share or 0.0
    level = Severity.HIGH if weight < t.revenue_share else Severity.MEDIUM if weight < t.major_share else Severity.LOW
    return [
        Finding(
            Rule.PRIORITY_CONFLICT,
            level,
            f"hybrid {provider} is near capacity and makes its own {listed(shared)} products too; "
            f"{client} is {percent(weight)} of its revenue",
        )
    ]


def _cliff(c: Contract, facts: _Facts, t: Thresholds) -> Finding | None:
    """A contract that ends without renewing by itself, behind a sole source
    or a large share of the provider's revenue."""
    if c.end is None or c.auto_renew:
        return None
    sole = sorted(facts.sole.get((c.client, c.provider), ()))
    whole = facts.revenue.get(c.provider, 0.0)
    share = c.annual_value / whole if whole else 0.0
    if not sole and share < t.cliff_share:
        return None
    notice = _notice_by(c)
    when = f"the contract ends {c.end.isoformat()}" + (f" (notice by {notice.isoformat()})" if notice else "")
    what = (
        f"it covers the sole source of {listed(sole)}" if sole else f"it is {percent(share)} of {c.provider}'s revenue"
    )
    return Finding(
        Rule.CONTRACT_CLIFF, Severity.HIGH if sole else Severity.MEDIUM, f"{when} and does not renew by itself: {what}"
    )


def _one_liaison_backups(portfolio: Portfolio, facts: _Facts) -> Iterable[OneLiaisonBackups]:
    liaisons = {li.id: li for li in portfolio.liaisons}
    for p in portfolio.products:
        sources: dict[str, list[str]] = defaultdict(list)
        for s in p.supply:
            if s.qualified:
                sources[str(s.step)].append(s.provider)
        for step, provs in sources.items():
            if len(provs) < 2:
                continue
            by_person: dict[str, list[str]] = defaultdict(list)
            for prov in provs:
                people = facts.contacts.get((p.owner, prov), ())
                if len(people) == 1:
                    by_person[people[0]].append(prov)
            for person, alone in sorted(by_person.items()):
                alone = sorted(alone)
                if len(alone) < 2:
                    continue
                level = Severity.MEDIUM if p.stage is Stage.CLINICAL else Severity.HIGH
                li = liaisons[person]
                text = (
                    f"{li.name} ({person}) is the only contact for both {listed(alone)}, the sources of {step} "
                    f"for {p.id} that back each other up: one person behind redundant supply"
                )
                yield OneLiaisonBackups(person, p.owner, p.id, step, tuple(alone), level, text)


def _utilisation(portfolio: Portfolio, t: Thresholds) -> Iterable[Utilisation]:
    volume: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    unknown: dict[str, int] = defaultdict(int)
    for p in portfolio.products:
        for s in p.supply:
            if not s.qualified:
                continue
            if s.volume is None:
                unknown[s.provider] += 1
            else:
                volume[s.provider][str(p.technology)] += s.volume
    for prov in portfolio.providers:
        if prov.capacity is None and prov.id not in volume:
            continue
        used = math.fsum(volume[prov.id].values())
        known = bool(volume[prov.id])
        share = used / prov.capacity if prov.capacity and known else None
        high = share is not None and share >= t.high_utilisation
        yield Utilisation(prov.id, prov.capacity, used, share, dict(volume[prov.id]), unknown[prov.id], high)


def _terms(portfolio: Portfolio, facts: _Facts, t: Thresholds) -> tuple[tuple[Renewal, ...], tuple[CliffQuarter, ...]]:
    renewals = sorted(
        (
            Renewal(
                c.client,
                c.provider,
                c.end.isoformat(),
                _iso(_notice_by(c)),
                bool(c.auto_renew),
                c.annual_value,
                c.currency,
            )
            for c in portfolio.contracts
            if c.end is not None
        ),
        key=lambda r: (r.end, r.client, r.provider),
    )
    by_quarter: dict[str, list[tuple[Contract, Finding]]] = defaultdict(list)
    for c in portfolio.contracts:
        cliff = _cliff(c, facts, t)
        if cliff is not None and c.end is not None:
            by_quarter[_quarter(c.end)].append((c, cliff))
    cliffs = []
    for quarter in sorted(by_quarter):
        ending = by_quarter[quarter]
        products = sorted({pid for c, _ in ending for pid in facts.sole.get((c.client, c.provider), ())})
        revenue = math.fsum(facts.products[pid].annual_revenue or 0.0 for pid in products)
        shares: dict[str, float] = defaultdict(float)
        for c, _ in ending:
            whole = facts.revenue.get(c.provider, 0.0)
            shares[c.provider] += c.annual_value / whole if whole else 0.0
        level = max(f.severity for _, f in ending)
        pairs = ", ".join(f"{c.client} with {c.provider}" for c, _ in ending)
        parts = [f"{len(ending)} contract{'s end' if len(ending) > 1 else ' ends'} ({pairs})"]
        if products:
            worth = f" ({money_short(revenue)} a year)" if revenue else ""
            parts.append(f"the sole source{'s' if len(products) > 1 else ''} of {listed(products)}{worth}")
        parts += [f"{percent(s)} of {prov}'s revenue" for prov, s in shares.items() if s >= t.cliff_share]
        text = f"{quarter}: " + parts[0] + (": at risk " + ", ".join(parts[1:]) if len(parts) > 1 else "")
        cliffs.append(
            CliffQuarter(
                quarter,
                tuple((c.client, c.provider) for c, _ in ending),
                tuple(products),
                revenue,
                dict(shares),
                level,
                text,
            )
        )
    return tuple(renewals), tuple(cliffs)


def _notice_by(c: Contract) -> date | None:
    """The last day notice can be given: `notice_months` before the end
    (calendar months when whole, else 365.25/12 days a month)."""
    if c.end is None or c.notice_months is None:
        return None
    months = c.notice_months
    if months.is_integer():
        total = c.end.year * 12 + c.end.month - 1 - int(months)
        year, month = divmod(total, 12)
        return _clamped(year, month + 1, c.end.day)
    return c.end - timedelta(days=round(months * 365.25 / 12))


def _iso(d: date | None) -> str | None:
    return None if d is None else d.isoformat()


def _clamped(year: int, month: int, day: int) -> date:
    while True:
        try:
            return date(year, month, day)
        except ValueError:
            day -= 1


def _quarter(d: date) -> str:
    return f"{d.year}-Q{(d.month - 1) // 3 + 1}"
