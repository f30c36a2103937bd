"""Customer concentration: how dependent each provider is on its largest
clients (and each client on its providers), measured on contract value.

Example
-------
>>> from graphkit import read_portfolio
>>> result = customer_concentration(read_portfolio("tests/small.yaml")[0])  # doctest: +SKIP
>>> result.providers[0].hhi  # doctest: +SKIP
6250.0
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from fractions import Fraction
from typing import Any, Literal

from ..model import BusinessModel, Portfolio, Provider, Stage
from ..problems import GraphkitError, did_you_mean
from ..text import humanize, money, percent
from .heap import collector_paused
from .results import NUMBER, Result, findings_at, key
from .severity import Severity

__all__ = [
    "Bands",
    "ClientConcentration",
    "Concentration",
    "ConcentrationResult",
    "ConflictOfInterest",
    "MutualDependence",
    "ProviderConcentration",
    "concentration_change",
    "customer_concentration",
    "merge_clients",
]


class Concentration(StrEnum):
    """The class of an HHI, by `Bands`."""

    UNCONCENTRATED = "unconcentrated"
    MODERATELY_CONCENTRATED = "moderately_concentrated"
    HIGHLY_CONCENTRATED = "highly_concentrated"


# A highly concentrated provider whose top client holds at least this share is critical.
CRITICAL_TOP1_SHARE = 0.5
_HYBRIDS = frozenset({BusinessModel.HYBRID_BRANDED, BusinessModel.HYBRID_GENERIC})

Basis = Literal["contract_value", "product_count"]


@dataclass(frozen=True)
class Bands(Result):
    """HHI thresholds (on the 0–10,000 scale); defaults are the 2023 US
    merger guidelines: above `high` is highly concentrated, `moderate` to
    `high` inclusive moderately, below `moderate` unconcentrated."""

    moderate: float = field(default=1000, metadata=NUMBER)
    high: float = field(default=1800, metadata=NUMBER)

    def __post_init__(self) -> None:
        if not 0 <= self.moderate <= self.high <= 10_000:
            raise ValueError(f"bands need 0 <= moderate <= high <= 10000, got {self.moderate}, {self.high}")

    def classify(self, hhi: float | Fraction) -> Concentration:
        if hhi > Fraction(self.high):
            return Concentration.HIGHLY_CONCENTRATED
        if hhi >= Fraction(self.moderate):
            return Concentration.MODERATELY_CONCENTRATED
        return Concentration.UNCONCENTRATED


@dataclass(frozen=True)
class ProviderConcentration(Result):
    """How one provider's revenue is spread over its clients."""

    provider: str
    kind: str
    business_model: str | None
    basis: Basis
    currency: str | None  # None on the product-count basis
    top_customer: str
    top1_share: float
    top3_share: float
    hhi: float
    effective_customers: float
    concentration: Concentration = field(metadata=key("class"))
    contract_value: float | None  # sum of values; None on the product-count basis
    own_revenue: float
    top1_share_of_total: float | None
    hhi_with_own: float | None
    class_with_own: str | None
    major_customers: tuple[str, ...]
    revenue_lost_if_top_leaves: float | None
    revenue_lost_share: float | None
    severity: Severity
    explanation: str
    shares: dict[str, float]  # client -> share of `contract_value` (or of products)
    values: dict[str, float]  # client -> contract value (or product count), largest first

    @property
    def subject(self) -> str:
        return self.provider


@dataclass(frozen=True)
class ClientConcentration(Result):
    """How one client's contract spend is spread over its providers."""

    client: str
    top_provider: str
    top1_share: float
    hhi: float
    concentration: Concentration = field(metadata=key("class"))
    providers: int
    spend: float
    currencies: tuple[str, ...]
    shares: dict[str, float]  # provider -> share of spend, largest first
    severity: Severity
    explanation: str

    @property
    def subject(self) -> str:
        return self.client


@dataclass(slots=True, unsafe_hash=True)  # made by the hundred thousand: not frozen (see .results)
class MutualDependence(Result):
    """One contract pair seen from both sides."""

    client: str
    provider: str
    value: float
    client_share_of_provider: float | None  # the client's share of the provider's contract value
    provider_share_of_client: float | None  # the provider's share of the client's spend


@dataclass(frozen=True)
class ConflictOfInterest(Result):
    """A hybrid provider making a client's product in a technology it also sells itself."""

    provider: str
    client: str
    product: str
    technology: str
    severity: Severity
    explanation: str

    @property
    def subject(self) -> str:
        return f"{self.provider}/{self.product}"


@dataclass(frozen=True)
class ConcentrationResult(Result):
    """The three finding lists are providers, clients and conflicts of interest, in that order."""

    bands: Bands
    major_share: float
    providers: tuple[ProviderConcentration, ...] = field(metadata=findings_at(0))
    clients: tuple[ClientConcentration, ...] = field(metadata=findings_at(1))
    mutual: tuple[MutualDependence, ...]
    conflicts_of_interest: tuple[ConflictOfInterest, ...] = field(metadata=findings_at(2))


@collector_paused
def customer_concentration(
    portfolio: Portfolio, bands: Bands = Bands(), major_share: float = 0.10
) -> ConcentrationResult:
    """Customer concentration of every provider, spend concentration of every
    client, both sides of every contract pair, and hybrids' conflicts of interest.

    Parameters
    ----------
    portfolio : Portfolio
    bands : Bands
        HHI class thresholds (reported in the result).
    major_share : float
        A client at or above this share of the provider's revenue is a major customer.

    Returns
    -------
    ConcentrationResult
        Providers, clients, pairs and conflicts in portfolio order.

    Notes
    -----
    *Basis.*  A provider's value per client is the sum of the ``annual_value``
    of all its contracts with that client.  When its contracts add up to
    nothing (none, or all zero) but it supplies (any step, qualified or not)
    or distributes products, the value per client is the number of distinct
    products of that client it handles, and ``basis`` is ``"product_count"``;
    providers with neither are left out.

    *Measures.*  Shares are fractions of the provider's contract value (or
    product count).  ``hhi`` is the sum of squared percentage shares
    (0–10,000), computed exactly (the class boundaries are exact: 1,000 and
    1,800 are both moderately concentrated by default);
    ``effective_customers`` = 10,000 / ``hhi``; ``top3_share`` sums the three
    largest shares (all of them when fewer).  Ties go to the smaller id
    (``top_customer``); the explanation names every client tied for the top.

    *Own revenue* (hybrids' own products) is counted as one more customer,
    the provider itself: ``top1_share_of_total`` and ``revenue_lost_share``
    are the top client's value over contract value plus own revenue (the
    same number: the share of all revenue lost if it leaves), and
    ``hhi_with_own`` / ``class_with_own`` include the provider's own slice.
    Without own revenue they equal the contract-only figures. Major customers
    are clients at or above ``major_share`` of contract value plus own
    revenue, largest first.  On the product-count basis these revenue
    figures are None and major customers are judged on product shares.

    *Severity* (providers): highly concentrated is HIGH, CRITICAL when the top
    client also holds at least half (`CRITICAL_TOP1_SHARE`); moderately
    concentrated is MEDIUM; unconcentrated INFO.  A hybrid (hybrid_branded
    or hybrid_generic) with own revenue is buffered: one step lower.  When no
    client is a major customer (own revenue dwarfs every contract) it is at
    most LOW.  On the product-count basis it is at most HIGH (the money is
    unknown).  ``hhi_with_own`` is reported, not used for severity: a large
    own slice raises it, yet depending on oneself is no customer risk.

    *Clients.*  A client's spend is the sum of its contracts (whatever their
    currencies, which are listed); clients without spend are left out.
    Severity is LOW when highly concentrated, else INFO: a single provider is
    common and its supply risk is the single-point-of-failure analysis's job.
    ``mutual`` has one row per contracted (client, provider) pair; a share is
    None when its denominator is zero.

    *Conflicts of interest.*  A hybrid whose ``own_technologies`` include the
    technology of a client's product it supplies (any step): one row per
    (provider, product); MEDIUM for commercial products, LOW for clinical.

    Linear in the number of contracts and supply entries.
    """
    providers = {p.id: p for p in portfolio.providers}
    values = _contract_values(portfolio)
    counts = _product_counts(portfolio)
    currency: dict[str, str] = {}
    for c in portfolio.contracts:
        currency.setdefault(c.provider, c.currency)

    rows = []
    for prov in portfolio.providers:
        row = _provider_row(
            prov, values.get(prov.id, {}), counts.get(prov.id, {}), currency.get(prov.id), bands, major_share
        )
        if row is not None:
            rows.append(row)

    spend: dict[str, dict[str, float]] = defaultdict(dict)
    for prov_id, by_client in values.items():
        for client, value in by_client.items():
            spend[client][prov_id] = value
    currencies: dict[str, set[str]] = defaultdict(set)
    for c in portfolio.contracts:
        currencies[c.client].add(c.currency)
    clients = []
    for cl in portfolio.clients:
        if _total(spend.get(cl.id, {})):
            clients.append(_client_row(cl.id, spend[cl.id], currencies[cl.id], bands))

    provider_total = {prov: _total(by) for prov, by in values.items()}
    client_total = {client: _total(by) for client, by in spend.items()}
    mutual = []
    seen: set[tuple[str, str]] = set()
    for c in portfolio.contracts:
        if (c.client, c.provider) in seen:
            continue
        seen.add((c.client, c.provider))
        value = values[c.provider][c.client]
        mutual.append(
            MutualDependence(
                c.client,
                c.provider,
                value,
                _share(value, provider_total[c.provider]),
                _share(value, client_total[c.client]),
            )
        )

    return ConcentrationResult(
        bands, major_share, tuple(rows), tuple(clients), tuple(mutual), _conflicts_of_interest(portfolio, providers)
    )


def concentration_change(portfolio: Portfolio, failed: set[str]) -> list[dict[str, Any]]:
    """HHI and top share of each provider and client before and after the
    failed nodes' contracts disappear: only the rows that change, failed
    nodes left out (used by `graphkit whatif --fail`)."""
    after = replace(
        portfolio,
        contracts=tuple(c for c in portfolio.contracts if c.client not in failed and c.provider not in failed),
    )
    before, after_all = customer_concentration(portfolio), customer_concentration(after)
    rows = []
    sides: tuple[tuple[str, Sequence[ProviderConcentration | ClientConcentration], Sequence[Any]], ...] = (
        ("provider", before.providers, after_all.providers),
        ("client", before.clients, after_all.clients),
    )
    for who, before_rows, after_rows in sides:
        now = {r.subject: (r.hhi, r.top1_share) for r in after_rows}
        for b in before_rows:
            node = b.subject
            if node in failed:
                continue
            hhi_after, top1_after = now.get(node, (None, None))
            if (hhi_after, top1_after) != (b.hhi, b.top1_share):
                rows.append(
                    {
                        "node": node,
                        "role": who,
                        "hhi_before": b.hhi,
                        "hhi_after": hhi_after,
                        "top1_share_before": b.top1_share,
                        "top1_share_after": top1_after,
                    }
                )
    return rows


def merge_clients(
    portfolio: Portfolio, a: str, b: str, bands: Bands = Bands(), major_share: float = 0.10
) -> list[dict[str, Any]]:
    """Each provider's HHI before and after clients `a` and `b` merge.

    The merged customer (id ``"a+b"``) holds the sum of both clients' contract
    values.  Only providers with contract value that contract with `a` or
    `b` are listed, largest HHI change first (then by id).  Keys: provider,
    hhi_before, hhi_after, change, class_before, class_after, merged_share
    (the merged customer's share), top_customer_after, top1_share_after,
    severity (the provider severity rule after the merger) and explanation.

    Raises
    ------
    GraphkitError
        When `a` or `b` is not a client of the portfolio, or they are the same.
    """
    known = [c.id for c in portfolio.clients]
    for cid in (a, b):
        if cid not in known:
            raise GraphkitError(f"cannot merge: '{cid}' is not a client{did_you_mean(cid, known)}")
    if a == b:
        raise GraphkitError(f"cannot merge client '{a}' with itself")
    providers = {p.id: p for p in portfolio.providers}
    merged = f"{a}+{b}"
    out: list[dict[str, Any]] = []
    for prov_id, by_client in _contract_values(portfolio).items():
        provider = providers.get(prov_id)
        if provider is None or (a not in by_client and b not in by_client) or not _total(by_client):
            continue
        after = {k: v for k, v in by_client.items() if k not in (a, b)}
        after[merged] = by_client.get(a, 0.0) + by_client.get(b, 0.0)
        total = _total(after)
        before_hhi, after_hhi = _hhi(by_client), _hhi(after)
        top_after, top_value = _ranked(after)[0]
        cls_after = bands.classify(after_hhi)
        grand = total + (provider.own_revenue or 0.0)
        has_major = any(v / grand >= major_share for v in after.values())
        severity = _provider_severity(cls_after, top_value / total, _buffered(provider), has_major)
        out.append(
            {
                "provider": prov_id,
                "hhi_before": float(before_hhi),
                "hhi_after": float(after_hhi),
                "change": float(after_hhi - before_hhi),
                "class_before": bands.classify(before_hhi),
                "class_after": cls_after,
                "merged_share": after[merged] / total,
                "top_customer_after": top_after,
                "top1_share_after": top_value / total,
                "severity": str(severity),
                "explanation": (
                    f"if {a} and {b} merge, {prov_id}'s HHI goes from {float(before_hhi):,.0f} to "
                    f"{float(after_hhi):,.0f} ({humanize(cls_after)}); the merged client "
                    f"would hold {percent(after[merged] / total, 0)} of its contract revenue"
                ),
            }
        )
    out.sort(key=lambda r: (-r["change"], r["provider"]))
    return out


# -- building blocks ---------------------------------------------------------


def _contract_values(portfolio: Portfolio) -> dict[str, dict[str, float]]:
    """provider -> client -> summed annual value, in contract order."""
    values: dict[str, dict[str, float]] = defaultdict(dict)
    for c in portfolio.contracts:
        values[c.provider][c.client] = values[c.provider].get(c.client, 0.0) + c.annual_value
    return values


def _product_counts(portfolio: Portfolio) -> dict[str, dict[str, float]]:
    """provider -> owning client -> number of distinct products it supplies or distributes."""
    # (provider, owner) counted once per product (product ids are unique), in C, in first-seen order
    pairs = Counter(
        (prov, p.owner)
        for p in portfolio.products
        for prov in {s.provider for s in p.supply} | {d.distributor for d in p.distributors}
    )
    counts: dict[str, dict[str, float]] = {}
    for (prov, owner), n in pairs.items():
        by = counts.get(prov)
        if by is None:
            counts[prov] = {owner: n}
        else:
            by[owner] = n
    return counts


def _total(values: Mapping[str, float]) -> float:
    return math.fsum(values.values())


def _ranked(values: Mapping[str, float]) -> list[tuple[str, float]]:
    return sorted(values.items(), key=lambda kv: (-kv[1], kv[0]))


def _hhi(values: Mapping[str, float]) -> Fraction:
    """Sum of squared percentage shares, exactly: the values (binary
    fractions) as integers over one power-of-two denominator, which the
    shares cancel.

    >>> ratios = [Fraction(v) for v in (0.1, 0.2, 3)]
    >>> _hhi({"a": 0.1, "b": 0.2, "c": 3}) == 10_000 * sum(r * r for r in ratios) / sum(ratios) ** 2
    True
    """
    ratios = [v.as_integer_ratio() for v in values.values()]
    common = max(d for _, d in ratios)
    scaled = [n * (common // d) for n, d in ratios]
    return Fraction(10_000 * sum(n * n for n in scaled), sum(scaled) ** 2)


def _share(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def _buffered(provider: Provider) -> bool:
    return provider.business_model in _HYBRIDS and bool(provider.own_revenue)


def _provider_severity(concentration: Concentration, top1_share: float, buffered: bool, has_major: bool) -> Severity:
    if concentration == Concentration.HIGHLY_CONCENTRATED:
        severity = Severity.CRITICAL if top1_share >= CRITICAL_TOP1_SHARE else Severity.HIGH
    elif concentration == Concentration.MODERATELY_CONCENTRATED:
        severity = Severity.MEDIUM
    else:
        severity = Severity.INFO
    if buffered:
        severity = Severity(max(Severity.INFO, severity - 1))
    return severity if has_major else min(severity, Severity.LOW)


def _provider_row(
    prov: Provider,
    values: dict[str, float],
    counts: dict[str, float],
    currency: str | None,
    bands: Bands,
    major_share: float,
) -> ProviderConcentration | None:
    basis: Basis = "contract_value"
    if not _total(values):
        if not counts:
            return None
        basis, values, currency = "product_count", counts, None
    ranked = _ranked(values)
    total = _total(values)
    top, top_value = ranked[0]
    shares = {c: v / total for c, v in ranked}
    hhi = _hhi(values)
    concentration = bands.classify(hhi)
    own = prov.own_revenue or 0.0
    buffered = _buffered(prov)
    if basis == "contract_value":
        grand = total + own
        with_own = _hhi({**values, "\0own": own}) if own else hhi
        top_total: float | None = top_value / grand
        hhi_own: float | None = float(with_own)
        class_own: str | None = bands.classify(with_own)
        major = tuple(c for c, v in ranked if v / grand >= major_share)
        lost: float | None = top_value
    else:
        top_total = hhi_own = class_own = lost = None
        major = tuple(c for c, s in shares.items() if s >= major_share)
    severity = _provider_severity(concentration, shares[top], buffered, bool(major))
    if basis == "product_count":
        severity = min(severity, Severity.HIGH)
    return ProviderConcentration(
        provider=prov.id,
        kind=str(prov.kind),
        business_model=_str(prov.business_model),
        basis=basis,
        currency=currency,
        values=dict(ranked),
        shares=shares,
        contract_value=total if basis == "contract_value" else None,
        own_revenue=own,
        top_customer=top,
        top1_share=shares[top],
        top3_share=math.fsum(v for _, v in ranked[:3]) / total,
        hhi=float(hhi),
        effective_customers=float(10_000 / hhi),
        concentration=concentration,
        top1_share_of_total=top_total,
        hhi_with_own=hhi_own,
        class_with_own=class_own,
        major_customers=major,
        revenue_lost_if_top_leaves=lost,
        revenue_lost_share=top_total,
        severity=severity,
        explanation=_provider_explanation(
            prov.id,
            basis,
            tuple(c for c, v in ranked if v == top_value),
            shares[top],
            float(hhi),
            concentration,
            len(values),
            own,
            top_total,
            top_value,
            currency,
        ),
    )


def _provider_explanation(
    prov: str,
    basis: Basis,
    tied: tuple[str, ...],
    top1: float,
    hhi: float,
    concentration: Concentration,
    n: int,
    own: float,
    top_total: float | None,
    top_value: float,
    currency: str | None,
) -> str:
    spread = f"HHI {hhi:,.0f}, {humanize(concentration)}, {n} client(s)"
    # A tie for the top customer names every tied client (`top_customer` is the smallest id).
    top = tied[0] if len(tied) == 1 else f"{', '.join(tied[:-1])} and {tied[-1]}"
    each = "" if len(tied) == 1 else f"each of {len(tied)} clients tied for the top, "
    if basis == "product_count":
        return (
            f"{prov} has no contract values; by product count {each}{top} owns {percent(top1, 0)} of the "
            f"products it handles ({spread})"
        )
    text = (
        f"{prov} earns {percent(top1, 0)} of its contract revenue from {each}{top} ({spread}); "
        f"losing {top if len(tied) == 1 else 'any one of them'} would cut {money(top_value, currency)} a year"
    )
    if own and top_total is not None:
        text += f", {percent(top_total, 0)} of its total revenue with its own products"
    return text


def _client_row(client: str, spend: dict[str, float], currencies: set[str], bands: Bands) -> ClientConcentration:
    ranked = _ranked(spend)
    total = _total(spend)
    top, top_value = ranked[0]
    hhi = _hhi(spend)
    concentration = bands.classify(hhi)
    severity = Severity.LOW if concentration == Concentration.HIGHLY_CONCENTRATED else Severity.INFO
    return ClientConcentration(
        client=client,
        top_provider=top,
        top1_share=top_value / total,
        hhi=float(hhi),
        concentration=concentration,
        providers=len(spend),
        spend=total,
        currencies=tuple(sorted(currencies)),
        shares={p: v / total for p, v in ranked},
        severity=severity,
        explanation=(
            f"{client} spends {percent(top_value / total, 0)} of its contract spend with {top} "
            f"across {len(spend)} provider(s) (HHI {float(hhi):,.0f}, "
            f"{humanize(concentration)})"
        ),
    )


def _conflicts_of_interest(portfolio: Portfolio, providers: dict[str, Provider]) -> tuple[ConflictOfInterest, ...]:
    out = []
    own = {p.id: p.own_technologies for p in providers.values() if p.business_model in _HYBRIDS}
    for product in portfolio.products:
        for prov_id in dict.fromkeys(s.provider for s in product.supply):
            technologies = own.get(prov_id)
            if technologies is None or product.technology not in technologies:
                continue
            tech = str(product.technology)
            severity = Severity.MEDIUM if product.stage is Stage.COMMERCIAL else Severity.LOW
            out.append(
                ConflictOfInterest(
                    prov_id,
                    product.owner,
                    product.id,
                    tech,
                    severity,
                    f"{prov_id} sells its own {tech} products and also makes {product.owner}'s {tech} "
                    f"product {product.id}; check confidentiality and supply-priority terms",
                )
            )
    return tuple(out)


def _str(value: object) -> str | None:
    return None if value is None else str(value)
