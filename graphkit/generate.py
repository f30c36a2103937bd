"""Seeded, reproducible synthetic portfolios of any size, streamed record by record.

The generator draws a plausible contract-manufacturing world with the
structures graphkit's analyses look for:

* providers in realistic proportions: most are CMOs (cell banks, API makers,
  drug-product/fill-finish sites, packagers), some CROs, contract test labs
  and distributors; sizes are Pareto-distributed, so a few big providers are
  chosen often and many small ones rarely;
* multi-tier supply through ``feeds``: cell banks feed biologics API makers,
  API makers feed drug-product CMOs. Feeders are drawn by size, so many
  CMOs share one upstream supplier -- hidden common modes behind products
  that look dual-sourced;
* CMO-only and hybrid CMOs (hybrids carry ``own_revenue`` and
  ``own_technologies``), clients of every segment, mostly USD with some EUR
  providers (one currency per provider);
* products with 3-6 steps, mostly one qualified source per step, some with
  a second qualified source, some with an unqualified backup;
* heavy-tailed (lognormal) contract values, so some CMOs live off one client
  and others are spread over many;
* products sold in markets (territories), each with its distributors and
  often its own marketing partner; second sources filed in some markets
  only; API feeds scoped to the products they go into (shares below);
* marketing partners whose requirement sets overlap and conflict with each
  other and with the client's own;
* recovery, bring-up and inventory weeks, and corporate groups (common
  causes of failure);
* liaisons covering part of the client-provider relationships.

Only ``random.Random(seed)`` is used: the same spec gives byte-identical
output. Records are produced one at a time; the generator keeps only compact
per-provider arrays, the client-provider pairs in use and the product-specific
requirements until their sections are due.

Example
-------
>>> spec = GeneratorSpec.from_scale(1_000, seed=7)
>>> records = list(iter_records(spec))
>>> records[0][0], records[-1][0]
('providers', 'liaisons')
>>> 800 <= count_relationships(records)["total"] <= 1200
True
"""

from __future__ import annotations

import math
import random
from array import array
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, fields
from itertools import accumulate, pairwise
from typing import Any

from .model import (
    BIOLOGIC_TECHNOLOGIES,
    PARENTERAL_TECHNOLOGIES,
    STERILE_TECHNOLOGIES,
    TECHNOLOGY_STEPS,
    BusinessModel,
    ProviderKind,
    QualityMaturity,
    Segment,
    Service,
    Stage,
    Step,
    Technology,
)

__all__ = [
    "RELATIONSHIP_KINDS",
    "SECTION_ORDER",
    "GeneratorSpec",
    "build_portfolio_dict",
    "count_relationships",
    "iter_records",
    "relationships_of",
    "relationships_per_product",
]

SECTION_ORDER = (
    "providers",
    "clients",
    "marketing_partners",
    "products",
    "feeds",
    "contracts",
    "requirements",
    "liaisons",
)

# -- vocabularies ---------------------------------------------------------------
# Every closed vocabulary comes from the model; the tables here only weight its
# members or give them example wording.

# Technologies by position: the bit numbers of the per-provider masks.
_TECHS = tuple(Technology)


def _indices(techs: Iterable[Technology]) -> tuple[int, ...]:
    """Positions of `techs` in `_TECHS`, in the model's order."""
    wanted = frozenset(techs)
    return tuple(i for i, t in enumerate(_TECHS) if t in wanted)


_TECH_WEIGHT = {
    Technology.ASEPTIC_FILL: 14,
    Technology.LYOPHILIZATION: 8,
    Technology.TERMINAL_STERILIZATION: 6,
    Technology.STERILE_POWDER: 4,
    Technology.STERILE_CREAM: 4,
    Technology.TABLET: 30,
    Technology.CAPSULE: 18,
    Technology.CAPLET: 7,
    Technology.SACHET: 4,
}
_TECH_WEIGHTS = tuple(_TECH_WEIGHT.get(t, 5) for t in _TECHS)
_BIO_TECHS = _indices(BIOLOGIC_TECHNOLOGIES)
_FILL_FINISH_TECHS = frozenset(_indices(PARENTERAL_TECHNOLOGIES))
_ORAL_TECHS = frozenset(Technology) - STERILE_TECHNOLOGIES
# What one drug-product site makes: biologics, sterile small molecules, oral
# solids, tablets and capsules only, parenterals including powders.
_TECH_FAMILIES = (
    _BIO_TECHS,
    _indices(STERILE_TECHNOLOGIES - BIOLOGIC_TECHNOLOGIES | {Technology.ASEPTIC_FILL}),
    _indices(_ORAL_TECHS),
    _indices((Technology.TABLET, Technology.CAPSULE)),
    _indices(BIOLOGIC_TECHNOLOGIES | {Technology.STERILE_POWDER}),
)
# What a hybrid without a technology list of its own sells: generics are oral
# solids, branded products an injectable.
_OWN_GENERIC_TECHS = list(_indices((Technology.TABLET, Technology.CAPSULE)))
_OWN_BRANDED_TECHS = list(_indices((Technology.ASEPTIC_FILL,)))
_DOSE_FORM = {
    Technology.ASEPTIC_FILL: "solution for injection",
    Technology.LYOPHILIZATION: "powder for injection (lyophilised)",
    Technology.TERMINAL_STERILIZATION: "infusion bag",
    Technology.STERILE_POWDER: "powder for injection",
    Technology.STERILE_CREAM: "cream",
    Technology.TABLET: "tablets",
    Technology.CAPSULE: "capsules",
    Technology.CAPLET: "caplets",
    Technology.SACHET: "oral sachets",
}
_STRENGTHS = ("5 mg", "10 mg", "20 mg", "25 mg", "50 mg", "100 mg", "150 mg", "250 mg", "500 mg")

# Provider roles (internal); the first four are CMOs.
_CELL_BANK, _API, _DRUG_PRODUCT, _PACKAGING, _CRO, _TEST_LAB, _DISTRIBUTOR = range(7)
_ROLE_KIND = (*(ProviderKind.CMO,) * 4, ProviderKind.CRO, ProviderKind.TEST_LAB, ProviderKind.DISTRIBUTOR)
_KIND_PREFIX = {
    ProviderKind.CMO: "cmo",
    ProviderKind.CRO: "cro",
    ProviderKind.TEST_LAB: "lab",
    ProviderKind.DISTRIBUTOR: "dist",
}
_ROLE_MINIMUM = (2, 4, 9, 2, 2, 3, 3)  # so every feature exists even in tiny portfolios
# Pools a client picks providers from: one per technology (drug-product sites
# making it, numbered by the technology's position), then these.
_BIO_API_POOL, _CHEM_API_POOL, _CELL_BANK_POOL, _PACKAGING_POOL, _TESTING_POOL, _CRO_POOL, _DISTRIBUTOR_POOL = range(
    len(_TECHS), len(_TECHS) + 7
)
_POOLS = len(_TECHS) + 7
_ROLE_SUFFIXES = (
    ("Cell Banking", "Cell Sciences", "Biorepository"),
    ("Biologics", "Fine Chemicals", "API Synthesis", "Bioprocessing", "Chemicals"),
    (
        "Pharma Services",
        "Sterile Solutions",
        "Contract Manufacturing",
        "Pharmaceuticals",
        "Formulation",
        "Parenterals",
        "Solid Dose",
    ),
    ("Packaging", "Pack Solutions", "Clinical Packaging"),
    ("Clinical Research", "Trials", "Research Partners"),
    ("Analytical Labs", "Testing Services", "Quality Labs"),
    ("Logistics", "Distribution", "Healthcare Supply"),
)
_PLACES = (
    "Northbridge",
    "Alder",
    "Bayside",
    "Cedar",
    "Clearwater",
    "Crestview",
    "Dunmore",
    "Eastgate",
    "Fairhaven",
    "Glenmoor",
    "Harbor",
    "Highfield",
    "Ironwood",
    "Juniper",
    "Kestrel",
    "Lakemont",
    "Larkspur",
    "Marlow",
    "Meridian",
    "Millbrook",
    "Northwind",
    "Oakridge",
    "Pinecrest",
    "Quarry",
    "Redfern",
    "Riverton",
    "Rowan",
    "Saltmarsh",
    "Silverlake",
    "Stonebridge",
    "Summit",
    "Thornbury",
    "Upland",
    "Valemont",
    "Westbrook",
    "Willowby",
    "Yarrow",
    "Zephyr",
    "Ashgrove",
    "Blackwater",
)
_COUNTRIES = (
    "US",
    "US",
    "US",
    "US",
    "IE",
    "DE",
    "IT",
    "FR",
    "CH",
    "GB",
    "IN",
    "IN",
    "CN",
    "KR",
    "SG",
    "BE",
    "NL",
    "ES",
    "PR",
    "JP",
    "AT",
    "DK",
)
_EURO = frozenset(("IE", "DE", "IT", "FR", "BE", "NL", "ES", "AT"))


@dataclass(frozen=True)
class _SegmentTraits:
    share: float  # of clients
    products: float  # how many products a client of the segment owns, relatively
    network: int  # preferred providers per pool a client keeps reusing
    contract_mu: float  # ln USD of a contract's median value
    maturity: int  # its lowest quality maturity (position in QualityMaturity); one more half the time
    suffixes: tuple[str, ...]  # of its company names


_SEGMENT = {
    Segment.GENERICS_ONLY: _SegmentTraits(0.2, 4.0, 4, 14.2, 0, ("Generics", "Generic Pharma", "Laboratories")),
    Segment.LARGE: _SegmentTraits(0.1, 20.0, 8, 15.8, 1, ("Pharma", "Pharmaceuticals", "Biopharma")),
    Segment.MID_SIZED: _SegmentTraits(0.3, 5.0, 4, 14.8, 2, ("Therapeutics", "Biosciences", "Medicines")),
    Segment.SMALL: _SegmentTraits(0.4, 1.0, 2, 13.6, 0, ("Bio", "Therapeutics", "Health")),
}  # contract medians ~1.5M, 7M, 2.7M, 0.8M USD
_SEGMENTS = tuple(Segment)
_TRAITS = tuple(_SEGMENT[s] for s in _SEGMENTS)
_MATURITY = tuple(QualityMaturity)
_CLIENT_WORDS = (
    "Aurelia",
    "Benthos",
    "Calyx",
    "Delphine",
    "Elara",
    "Fenix",
    "Galen",
    "Helix",
    "Isola",
    "Jovian",
    "Kairos",
    "Lumen",
    "Mirabel",
    "Nova",
    "Orion",
    "Pallas",
    "Quell",
    "Riva",
    "Sola",
    "Tessera",
    "Umbra",
    "Vesper",
    "Wren",
    "Xylo",
    "Yonder",
    "Zenith",
    "Arcadia",
    "Boreal",
    "Cygnet",
    "Dorian",
)
_PARTNER_SUFFIXES = (
    "Pharma Marketing",
    "Healthcare",
    "Commercial Partners",
    "Specialty Pharma",
    "Life Sciences",
    "Medical",
)
# Where products are sold, weighted by the size of the market: a product sold
# in few territories is sold in the big ones first.
_TERRITORY_WEIGHT = {
    "US": 30,
    "EU": 25,
    "JP": 9,
    "CN": 8,
    "GB": 6,
    "CA": 5,
    "AU": 3,
    "BR": 3,
    "KR": 3,
    "IN": 2,
    "CH": 2,
    "MENA": 2,
    "LATAM": 2,
}
_TERRITORIES = tuple(_TERRITORY_WEIGHT)
_TERRITORY_CUM = tuple(accumulate(_TERRITORY_WEIGHT.values()))
# Weeks to restore a provider of each role after it fails (requalifying a
# biologics or sterile site takes up to a year, a distributor reroutes in weeks).
_RECOVERY_WEEKS = ((26, 52), (12, 40), (8, 52), (4, 16), (2, 12), (2, 12), (1, 8))
_BRING_UP_WEEKS = (8, 52)  # an unqualified backup producing for the step
_INVENTORY_WEEKS = (2, 26)  # stock in the channel
_GROUP_SIZES = (2, 5)  # providers in one corporate group
_GROUP_SUFFIXES = ("Group", "Holdings", "Pharma Group", "Life Sciences Group")

# Requirement topics and their values; earlier values are more common, so
# partners often agree (overlap) and often do not (conflict).
_TOPICS = (
    ("labeling.language", ("en", "en+fr", "en+es", "de+fr+it", "ja", "zh")),
    (
        "serialization.standard",
        ("GS1 DataMatrix (EU FMD)", "GS1 EPCIS 1.2 (DSCSA)", "GS1 EPCIS 2.0", "NMPA drug traceability code"),
    ),
    ("packaging.format", ("tamper-evident carton", "unit-dose", "hospital pack", "multi-pack")),
    ("spec.assay", ("95.0-105.0%", "98.0-102.0%", "90.0-110.0%")),
    ("audit.frequency", ("annual", "every 2 years", "every 3 years")),
    ("stability.zone", ("II", "IVa", "IVb")),
    ("release.testing", ("EU QP release", "US release", "dual release")),
    ("artwork.approval", ("partner approves", "client approves")),
)
_TOPIC_VALUE_CUM = tuple(tuple(accumulate(1.0 / (k + 1) for k in range(len(v)))) for _, v in _TOPICS)
_FIRST_NAMES = (
    "Anna",
    "Ben",
    "Chloe",
    "David",
    "Elena",
    "Farid",
    "Grace",
    "Hiro",
    "Ines",
    "Jonas",
    "Kavya",
    "Liam",
    "Maya",
    "Noah",
    "Olga",
    "Pedro",
    "Quinn",
    "Rosa",
    "Sven",
    "Tara",
    "Umar",
    "Vera",
    "Wei",
    "Yara",
    "Zoe",
)
_LAST_NAMES = (
    "Adler",
    "Brennan",
    "Costa",
    "Dubois",
    "Eriksen",
    "Fischer",
    "Garcia",
    "Hughes",
    "Ito",
    "Jensen",
    "Kowalski",
    "Larsen",
    "Moreau",
    "Nakamura",
    "O'Neill",
    "Patel",
    "Rossi",
    "Schmidt",
    "Tanaka",
    "Novak",
    "Weber",
    "Yilmaz",
    "Zhang",
    "Murphy",
)
_SKILLS = (
    "sterile manufacturing",
    "tech transfer",
    "quality audits",
    "serialization",
    "supply planning",
    "biologics",
    "regulatory CMC",
    "packaging artwork",
)
_SYLLABLES = (
    "ze",
    "va",
    "lo",
    "ri",
    "ta",
    "mo",
    "ne",
    "ca",
    "du",
    "fi",
    "xe",
    "pra",
    "sol",
    "ben",
    "tor",
    "qui",
    "ma",
    "vel",
    "dor",
    "ni",
)
_BIO_STEMS = ("mab", "cept", "ase", "kinra")
_SMALL_STEMS = ("tinib", "pril", "sartan", "statin", "vir", "olol", "azole", "pam", "oxacin")

# Relationship categories reported by count_relationships (plus "total").
RELATIONSHIP_KINDS = ("owns", "supplies", "distributes", "markets", "feeds", "contracts", "requires", "liaises")


# -- the spec -----------------------------------------------------------------


@dataclass(frozen=True)
class GeneratorSpec:
    """What to generate. Counts are of nodes; the rest are shares and rates.

    Provider role shares are normalised over the seven roles, after each role
    got its small minimum (so every feature exists even in tiny portfolios).
    """

    providers: int = 40
    clients: int = 8
    partners: int = 4
    products: int = 60
    seed: int = 0
    # provider mix
    cell_bank_share: float = 0.04
    api_share: float = 0.14
    drug_product_share: float = 0.38
    packaging_share: float = 0.08
    cro_share: float = 0.08
    test_lab_share: float = 0.12
    distributor_share: float = 0.16
    hybrid_share: float = 0.3  # of drug-product and API CMOs
    euro_currency_share: float = 0.6  # of providers based in the euro area
    provider_size_alpha: float = 1.5  # Pareto shape of provider size (smaller: heavier tail)
    # products
    clinical_share: float = 0.2
    explicit_upstream_rate: float = 0.5  # products listing api / cell_bank steps themselves
    second_source_rate: float = 0.12  # per step: a second qualified source
    unqualified_backup_rate: float = 0.08  # per step: a backup not yet qualified
    # multi-tier supply
    fed_rate: float = 0.75  # drug-product CMOs sourcing their input from upstream CMOs
    dual_feed_rate: float = 0.15  # an input material with two feeders
    # money, requirements, people
    contract_sigma: float = 1.4  # lognormal sigma of contract values
    product_requirement_rate: float = 0.25  # products with a party-specific extra requirement
    liaison_coverage: float = 0.6  # share of client-provider pairs with a liaison
    # markets, filings and product-scoped feeds
    market_count_weights: tuple[float, ...] = (0.35, 0.35, 0.2, 0.1)  # of 1, 2, 3, 4 markets
    market_revenue_rate: float = 0.4  # commercial products giving each market's revenue
    global_distributor_rate: float = 0.1  # products whose one distributor serves every market
    second_distributor_rate: float = 0.15  # per market: a second distributor
    partner_market_rate: float = 0.6  # markets of commercial products with a marketing partner
    single_filing_rate: float = 0.2  # second qualified sources filed in one market only
    scoped_feed_rate: float = 0.8  # API and drug-substance feeds listing the products they go into
    # time to recover and to survive, common causes
    recovery_known_rate: float = 0.85  # providers with recovery_weeks
    grouped_share: float = 0.1  # providers in a corporate group (parent)
    one_country_group_rate: float = 0.5  # groups whose members are all in one country
    bring_up_known_rate: float = 0.8  # unqualified backups with bring_up_weeks
    inventory_rate: float = 0.6  # commercial products with inventory_weeks
    market_inventory_rate: float = 0.15  # markets with inventory_weeks of their own

    def __post_init__(self) -> None:
        minimum = sum(_ROLE_MINIMUM)
        if self.providers < minimum:
            raise ValueError(f"providers must be at least {minimum}, got {self.providers}")
        for name, low in (("clients", 4), ("partners", 3), ("products", 1)):
            if getattr(self, name) < low:
                raise ValueError(f"{name} must be at least {low}, got {getattr(self, name)}")
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name.endswith(("_share", "_rate", "_coverage")) and not 0 <= value <= 1:
                raise ValueError(f"{f.name} must be between 0 and 1, got {value}")
        if sum(self._role_shares()) <= 0:
            raise ValueError("at least one provider role share must be positive")
        weights = self.market_count_weights
        if not weights or len(weights) > len(_TERRITORIES) or min(weights) < 0 or sum(weights) <= 0:
            raise ValueError(
                f"market_count_weights must be 1 to {len(_TERRITORIES)} non-negative weights, "
                f"not all zero, got {weights}"
            )
        if self.provider_size_alpha <= 0 or self.contract_sigma < 0:
            raise ValueError("provider_size_alpha must be positive and contract_sigma >= 0")

    @classmethod
    def from_scale(cls, scale: int, seed: int = 0, **overrides: Any) -> GeneratorSpec:
        """A spec giving about `scale` relationships (as `count_relationships` counts them).

        Node counts keep industry-like ratios: one provider per 8 products,
        one client per 15, one marketing partner per 60 (with the minimums
        every feature needs). Other fields can be overridden by keyword.
        Measured within about ±5 % from scale 300 up (see
        `relationships_per_product`); below that the minimum node counts
        dominate and the portfolio comes out larger than asked.
        """
        if scale < 1:
            raise ValueError(f"scale must be positive, got {scale}")
        products = max(1, round(scale / relationships_per_product(scale)))
        counts: dict[str, Any] = {
            "products": products,
            "providers": max(sum(_ROLE_MINIMUM), products // 8),
            "clients": max(4, products // 15),
            "partners": max(3, products // 60),
        }
        counts.update(overrides)
        return cls(seed=seed, **counts)

    def _role_shares(self) -> tuple[float, ...]:
        return (
            self.cell_bank_share,
            self.api_share,
            self.drug_product_share,
            self.packaging_share,
            self.cro_share,
            self.test_lab_share,
            self.distributor_share,
        )

    def role_counts(self) -> tuple[int, ...]:
        """Providers per role (cell bank, API, drug product, packaging CMOs,
        CROs, test labs, distributors)."""
        shares = self._role_shares()
        total = sum(shares)
        rest = self.providers - sum(_ROLE_MINIMUM)
        exact = [rest * s / total for s in shares]
        counts = [m + math.floor(e) for m, e in zip(_ROLE_MINIMUM, exact)]
        by_remainder = sorted(range(7), key=lambda r: (math.floor(exact[r]) - exact[r], r))
        for r in by_remainder[: self.providers - sum(counts)]:
            counts[r] += 1
        return tuple(counts)


def _percent(share: float) -> str:
    return f"{round(100 * share)}%"


def describe_shares(spec: GeneratorSpec) -> str:
    """The markets, filings, scopes and time data a spec makes, in words (the
    module documentation and ``graphkit generate --help`` print the default's)."""
    counts = ", ".join(
        f"{n}: {_percent(w / sum(spec.market_count_weights))}" for n, w in enumerate(spec.market_count_weights, 1)
    )
    (r0, r1), (b0, b1), (i0, i1), (g0, g1) = (
        (min(w for w, _ in _RECOVERY_WEEKS), max(w for _, w in _RECOVERY_WEEKS)),
        _BRING_UP_WEEKS,
        _INVENTORY_WEEKS,
        _GROUP_SIZES,
    )
    lines = (
        f"markets: every commercial product, and each clinical one with a distributor, is sold in "
        f"1-{len(spec.market_count_weights)} territories ({counts}), drawn by market size from "
        f"{', '.join(_TERRITORIES)}; other clinical products have one global market",
        f"per-market annual_revenue (the product's split over its markets) on {_percent(spec.market_revenue_rate)} "
        "of commercial products",
        f"distributors: one per market and a second in {_percent(spec.second_distributor_rate)} of markets; "
        f"{_percent(spec.global_distributor_rate)} of products with distributors instead have one "
        "distributor without territory, serving every market",
        f"marketing partners on {_percent(spec.partner_market_rate)} of commercial products' markets, "
        "one each, a partner covering that territory; clinical products have none",
        f"filings: {_percent(spec.single_filing_rate)} of second qualified sources are filed in one market only",
        f"scoped feeds: {_percent(spec.scoped_feed_rate)} of API and drug-substance feeds list the products "
        "their receiver makes with that material; cell-bank feeds are unscoped",
        f"recovery_weeks ({r0}-{r1}, by role) on {_percent(spec.recovery_known_rate)} of providers",
        f"parent: {_percent(spec.grouped_share)} of providers in corporate groups of {g0}-{g1}, "
        f"{_percent(spec.one_country_group_rate)} of groups in one country, the others spanning countries",
        f"bring_up_weeks ({b0}-{b1}) on {_percent(spec.bring_up_known_rate)} of unqualified backups",
        f"inventory_weeks ({i0}-{i1}) on {_percent(spec.inventory_rate)} of commercial products and "
        f"{_percent(spec.market_inventory_rate)} of markets",
    )
    return "\n".join(f"* {line};" if k < len(lines) - 1 else f"* {line}." for k, line in enumerate(lines))


SHARES = describe_shares(GeneratorSpec())
__doc__ = f"{__doc__}\nMarkets, filings, scoped feeds and time data (the defaults)::\n\n{SHARES}\n"


# Relationships per product (all sections included) that the default spec
# yields at a given scale, measured over several seeds. It grows with scale:
# bigger portfolios have more providers per client, so more contracts and
# liaisons per product. Interpolated linearly in log(scale).
_MEASURED_RELATIONSHIPS_PER_PRODUCT = (
    (300, 14.0),
    (1_000, 10.8),
    (3_000, 11.1),
    (10_000, 12.3),
    (30_000, 12.9),
    (100_000, 13.2),
    (1_000_000, 13.5),
)


def relationships_per_product(scale: int) -> float:
    """How many relationships one product brings, with everything around it, at `scale`."""
    table = _MEASURED_RELATIONSHIPS_PER_PRODUCT
    if scale <= table[0][0]:
        return table[0][1]
    for (s0, r0), (s1, r1) in pairwise(table):
        if scale <= s1:
            t = (math.log(scale) - math.log(s0)) / (math.log(s1) - math.log(s0))
            return r0 + t * (r1 - r0)
    return table[-1][1]


# -- counting -------------------------------------------------------------------


def relationships_of(key: str, record: Mapping[str, Any]) -> int:
    """Relationships one record contributes (see `count_relationships`)."""
    if key == "products":
        return (
            1
            + len(record.get("supply") or ())
            + len(record.get("distributors") or ())
            + len(record.get("marketed_by") or ())
        )
    if key in ("feeds", "contracts"):
        return 1
    if key == "requirements":
        return 1
    if key == "liaisons":
        return 1 + len(record.get("providers") or ())
    return 0


def count_relationships(
    records: Iterable[tuple[str, Mapping[str, Any]]] | Mapping[str, Iterable[Mapping[str, Any]]],
) -> dict[str, int]:
    """Count a portfolio's relationships, by category and in total.

    The rule (one number per record, so it can be applied to a stream):

    * product: 1 ownership (client OWNS product) + 1 per ``supply`` entry
      + 1 per ``distributors`` entry + 1 per ``marketed_by`` entry;
    * feed: 1; contract: 1;
    * requirement: 1 (party REQUIRES topic, the products it names are a
      property of that relationship);
    * liaison: 1 (client EMPLOYS liaison) + 1 per provider it liaises with;
    * providers, clients and marketing partners are nodes and count 0.

    Parameters
    ----------
    records : iterable of (section, record) pairs, as `iter_records` yields,
        or a mapping of section -> list of records (a loaded portfolio file).

    Returns
    -------
    dict with the keys of `RELATIONSHIP_KINDS` and ``"total"``.
    """
    counts = dict.fromkeys(RELATIONSHIP_KINDS, 0)
    pairs: Iterable[tuple[str, Mapping[str, Any]]]
    if isinstance(records, Mapping):
        pairs = ((key, r) for key, items in records.items() for r in (items or ()))
    else:
        pairs = records
    for key, r in pairs:
        if key == "products":
            counts["owns"] += 1
            counts["supplies"] += len(r.get("supply") or ())
            counts["distributes"] += len(r.get("distributors") or ())
            counts["markets"] += len(r.get("marketed_by") or ())
        elif key == "feeds":
            counts["feeds"] += 1
        elif key == "contracts":
            counts["contracts"] += 1
        elif key == "requirements":
            counts["requires"] += 1
        elif key == "liaisons":
            counts["liaises"] += 1 + len(r.get("providers") or ())
    counts["total"] = sum(counts.values())
    return counts


# -- generation -------------------------------------------------------------------


def iter_records(spec: GeneratorSpec) -> Iterator[tuple[str, dict[str, Any]]]:
    """Yield ``(section, record)`` pairs of a synthetic portfolio, sections in
    file order, each record a plain dict in the portfolio file format."""
    return _Generator(spec).run()


def build_portfolio_dict(spec: GeneratorSpec) -> dict[str, list[dict[str, Any]]]:
    """The whole portfolio in memory, section -> records (for small specs and tests)."""
    out: dict[str, list[dict[str, Any]]] = {key: [] for key in SECTION_ORDER}
    for key, record in iter_records(spec):
        out[key].append(record)
    return out


class _Pool:
    """Providers eligible for something, drawn in proportion to their size."""

    __slots__ = ("cum", "members", "total")

    def __init__(self, members: list[int], size: array[float]) -> None:
        self.members = members
        self.cum = list(accumulate(size[m] for m in members))
        self.total = self.cum[-1] if self.cum else 0.0

    def draw(self, rng: random.Random) -> int:
        i = bisect_right(self.cum, rng.random() * self.total)
        return self.members[min(i, len(self.members) - 1)]


def _width(count: int, minimum: int) -> int:
    return max(minimum, len(str(count)))


class _Generator:
    def __init__(self, spec: GeneratorSpec) -> None:
        self.spec = spec
        self.rng = random.Random(spec.seed)
        n = spec.providers
        self.role = bytearray(n)
        self.euro = bytearray(n)  # 1: contracts in EUR
        self.techs = array("H", bytes(2 * n))  # bit mask over _TECHS (CMOs making products)
        self.flags = bytearray(n)  # services: 1 packaging, 2 testing, 4 own cell bank; 8 bio API
        self.country = bytearray(n)  # index into _COUNTRIES
        self.size = array("d", bytes(8 * n))
        self.provider_ids: list[str] = []
        self.client_ids: list[str] = []
        self.client_segment = bytearray(spec.clients)
        self.client_reqs: list[tuple[tuple[int, int], ...]] = []
        self.partner_ids: list[str] = []
        self.partner_reqs: list[tuple[tuple[int, int], ...]] = []
        self.pairs: set[int] = set()  # client * providers + provider, in use
        self.specific: dict[tuple[int, int, int], list[int]] = {}  # (party, topic, value) -> products
        self.network: dict[int, list[int]] = {}  # client's preferred members, per pool
        self.partner_pool: dict[str, _Pool] = {}  # territory -> partners covering it
        # drug-product and fill sites -> products they make: p for a small molecule, -1 - p for a biologic
        self.makes: dict[int, list[int]] = {}

    def run(self) -> Iterator[tuple[str, dict[str, Any]]]:
        for key, make in (
            ("providers", self.providers),
            ("clients", self.clients),
            ("marketing_partners", self.partners),
            ("products", self.products),
            ("feeds", self.feeds),
            ("contracts", self.contracts),
            ("requirements", self.requirements),
            ("liaisons", self.liaisons),
        ):
            for record in make():
                yield key, record

    # -- nodes ------------------------------------------------------------------

    def _company(self, suffixes: tuple[str, ...]) -> str:
        rng = self.rng
        return f"{rng.choice(_PLACES)} {rng.choice(suffixes)}"

    def providers(self) -> Iterator[dict[str, Any]]:
        spec, rng = self.spec, self.rng
        roles = [r for r, c in enumerate(spec.role_counts()) for _ in range(c)]
        rng.shuffle(roles)
        ordinal = dict.fromkeys(_KIND_PREFIX, 0)
        seen_role = [0] * len(_ROLE_KIND)
        width = _width(spec.providers, 5)
        groups = self._groups(len(roles))
        for i, role in enumerate(roles):
            kind = _ROLE_KIND[role]
            ordinal[kind] += 1
            k = seen_role[role]  # this provider is the k-th of its role
            seen_role[role] += 1
            pid = f"{_KIND_PREFIX[kind]}-{ordinal[kind]:0{width}d}"
            self.provider_ids.append(pid)
            self.role[i] = role
            size = rng.paretovariate(spec.provider_size_alpha)
            self.size[i] = size
            country = rng.randrange(len(_COUNTRIES))
            parent, leader = groups.get(i, ("", i))
            if leader != i:  # a group in one country
                country = self.country[leader]
            self.country[i] = country
            euro = _COUNTRIES[country] in _EURO and rng.random() < spec.euro_currency_share
            self.euro[i] = euro
            rec: dict[str, Any] = {"id": pid}
            bio = False
            if role == _API:
                bio = k == 0 or (k != 1 and rng.random() < 0.45)
                suffix = rng.choice(_ROLE_SUFFIXES[role][0::3] if bio else _ROLE_SUFFIXES[role][1:3])
                rec["name"] = f"{rng.choice(_PLACES)} {suffix}"
            else:
                rec["name"] = self._company(_ROLE_SUFFIXES[role])
            rec["kind"] = kind.value
            services, techs = self._capabilities(i, role, k, bio)
            if kind is ProviderKind.CMO:
                rec["business_model"] = self._business_model(role, k).value
            rec["services"] = [x.value for x in services]
            if techs:
                rec["technologies"] = [_TECHS[t].value for t in techs]
                mask = 0
                for t in techs:
                    mask |= 1 << t
                self.techs[i] = mask
            if kind is ProviderKind.CMO and rec["business_model"] != BusinessModel.CMO_ONLY:
                hybrid_generic = rec["business_model"] == BusinessModel.HYBRID_GENERIC
                own = techs or (_OWN_GENERIC_TECHS if hybrid_generic else _OWN_BRANDED_TECHS)
                rec["own_technologies"] = [_TECHS[t].value for t in sorted(rng.sample(own, rng.randint(1, len(own))))]
                rec["own_revenue"] = int(round(rng.lognormvariate(17.0, 1.2), -3))
            rec["country"] = _COUNTRIES[country]
            if kind is ProviderKind.CMO:
                rec["capacity"] = max(10, round(40 * size * rng.uniform(0.7, 1.3)))
            if rng.random() < spec.recovery_known_rate:
                rec["recovery_weeks"] = rng.randint(*_RECOVERY_WEEKS[role])
            if parent:
                rec["parent"] = parent
            yield rec
        self._build_pools()

    def _groups(self, n: int) -> dict[int, tuple[str, int]]:
        """Providers in corporate groups: member -> (group name, the member whose
        country it shares, itself when the group spans countries)."""
        rng, spec = self.rng, self.spec
        chosen = rng.sample(range(n), round(n * spec.grouped_share))
        out: dict[int, tuple[str, int]] = {}
        g = 0
        while len(chosen) >= _GROUP_SIZES[0]:
            members = sorted(chosen[-rng.randint(*_GROUP_SIZES) :])
            del chosen[-len(members) :]
            name = f"{_PLACES[g % len(_PLACES)]} {rng.choice(_GROUP_SUFFIXES)}"
            name += f" {g // len(_PLACES) + 1}" if g >= len(_PLACES) else ""
            # the first two groups show both kinds, so even a small portfolio has them
            rate = spec.one_country_group_rate
            one_country = g == 0 if g < 2 and 0 < rate < 1 else rng.random() < rate
            for m in members:
                out[m] = (name, members[0] if one_country else m)
            g += 1
        return out

    def _capabilities(self, i: int, role: int, k: int, bio: bool) -> tuple[list[Service], list[int]]:
        """The services of the k-th provider of a role and, for drug-product
        sites, its technologies (positions); sets its service flags."""
        rng, flags = self.rng, self.flags
        services: list[Service]
        techs: list[int] = []
        if role == _CELL_BANK:
            services = [Service.CELL_BANK] + ([Service.TESTING] if rng.random() < 0.3 else [])
            flags[i] |= 2 * (len(services) > 1)
        elif role == _API:
            services = [Service.API]
            flags[i] |= 8 * bio
            if bio and k != 0 and rng.random() < 0.3:
                services.insert(0, Service.CELL_BANK)
                flags[i] |= 4
        elif role == _DRUG_PRODUCT:
            services = [Service.DRUG_PRODUCT, Service.FINISHED_PRODUCT]
            if rng.random() < 0.5:
                services.append(Service.PACKAGING_LABELING)
                flags[i] |= 1
            if rng.random() < 0.4:
                services.append(Service.TESTING)
                flags[i] |= 2
            family = rng.choice(_TECH_FAMILIES)
            # the k-th site makes the k-th technology too, so every one is made somewhere
            techs = sorted({k % len(_TECHS), *rng.sample(family, rng.randint(1, len(family)))})
        elif role == _PACKAGING:
            services = [Service.PACKAGING_LABELING]
        elif role == _CRO:
            services = [Service.CLINICAL_RESEARCH]
            if k == 0 or rng.random() < 0.5:
                services.append(Service.TESTING)
                flags[i] |= 2
        elif role == _TEST_LAB:
            services = [Service.TESTING]
        else:
            services = [Service.DISTRIBUTION]
        return services, techs

    def _business_model(self, role: int, k: int) -> BusinessModel:
        """The k-th CMO of a role: the first drug-product sites take each model once."""
        if role not in (_DRUG_PRODUCT, _API):
            return BusinessModel.CMO_ONLY
        if role == _DRUG_PRODUCT and k < len(BusinessModel):
            return tuple(BusinessModel)[k]
        if self.rng.random() < self.spec.hybrid_share:
            return BusinessModel.HYBRID_BRANDED if self.rng.random() < 0.4 else BusinessModel.HYBRID_GENERIC
        return BusinessModel.CMO_ONLY

    def _build_pools(self) -> None:
        role, flags, techs, size = self.role, self.flags, self.techs, self.size
        n = len(role)
        dp = [i for i in range(n) if role[i] == _DRUG_PRODUCT]
        self.tech_pool = [_Pool([i for i in dp if techs[i] >> t & 1], size) for t in range(len(_TECHS))]
        self.bio_api = _Pool([i for i in range(n) if role[i] == _API and flags[i] & 8], size)
        self.chem_api = _Pool([i for i in range(n) if role[i] == _API and not flags[i] & 8], size)
        self.cell_bank_feeders = _Pool([i for i in range(n) if role[i] == _CELL_BANK], size)
        self.cell_bank = _Pool([i for i in range(n) if role[i] == _CELL_BANK or flags[i] & 4], size)
        self.packaging = _Pool(
            [i for i in range(n) if role[i] == _PACKAGING or (role[i] == _DRUG_PRODUCT and flags[i] & 1)], size
        )
        self.testing = _Pool([i for i in range(n) if role[i] == _TEST_LAB or (role[i] < _CRO and flags[i] & 2)], size)
        self.cro = _Pool([i for i in range(n) if role[i] == _CRO and flags[i] & 2], size)
        self.distributor = _Pool([i for i in range(n) if role[i] == _DISTRIBUTOR], size)
        # pool numbers for the clients' preferred networks: the technologies', then _BIO_API_POOL...
        self.pool_list = [
            *self.tech_pool,
            self.bio_api,
            self.chem_api,
            self.cell_bank,
            self.packaging,
            self.testing,
            self.cro,
            self.distributor,
        ]

    def clients(self) -> Iterator[dict[str, Any]]:
        spec, rng = self.spec, self.rng
        width = _width(spec.clients, 4)
        seg_cum = list(accumulate(t.share for t in _TRAITS))
        last = len(_SEGMENTS) - 1
        weights = []
        for c in range(spec.clients):
            # the first clients take each segment once
            seg = c if c <= last else min(bisect_right(seg_cum, rng.random() * seg_cum[-1]), last)
            traits = _TRAITS[seg]
            self.client_segment[c] = seg
            weights.append(traits.products * rng.uniform(0.5, 1.5))
            cid = f"client-{c + 1:0{width}d}"
            self.client_ids.append(cid)
            rec: dict[str, Any] = {
                "id": cid,
                "name": f"{rng.choice(_CLIENT_WORDS)} {rng.choice(traits.suffixes)}",
                "segment": _SEGMENTS[seg].value,
            }
            if rng.random() < 0.7:
                rec["quality_maturity"] = _MATURITY[min(len(_MATURITY) - 1, traits.maturity + rng.randrange(2))].value
            large = _SEGMENTS[seg] is Segment.LARGE  # large clients impose one requirement more
            n_reqs = rng.choice((0, 1, 1, 2, 3)) + large
            self.client_reqs.append(self._requirement_set(n_reqs))
            yield rec
        self.client_cum = list(accumulate(weights))

    def _requirement_set(self, n: int) -> tuple[tuple[int, int], ...]:
        rng = self.rng
        topics = sorted(rng.sample(range(len(_TOPICS)), min(n, len(_TOPICS))))
        return tuple((t, self._topic_value(t)) for t in topics)

    def _topic_value(self, topic: int) -> int:
        cum = _TOPIC_VALUE_CUM[topic]
        return min(bisect_right(cum, self.rng.random() * cum[-1]), len(cum) - 1)

    def partners(self) -> Iterator[dict[str, Any]]:
        spec, rng = self.spec, self.rng
        width = _width(spec.partners, 3)
        territories = [rng.sample(_TERRITORIES, rng.choice((1, 1, 2, 2, 3, 4))) for _ in range(spec.partners)]
        for t in _TERRITORIES:  # every territory has a partner, so any market can be given one
            if not any(t in ts for ts in territories):
                territories[rng.randrange(spec.partners)].append(t)
        weights = array("d")
        for p in range(spec.partners):
            pid = f"partner-{p + 1:0{width}d}"
            self.partner_ids.append(pid)
            weights.append(rng.paretovariate(1.5))
            self.partner_reqs.append(self._requirement_set(rng.randint(2, 5)))
            yield {
                "id": pid,
                "name": f"{rng.choice(_PLACES)} {rng.choice(_PARTNER_SUFFIXES)}",
                "territories": territories[p],
            }
        for t in _TERRITORIES:
            self.partner_pool[t] = _Pool([p for p in range(spec.partners) if t in territories[p]], weights)

    # -- products ------------------------------------------------------------------

    def _pick(self, client: int, pool_no: int) -> int:
        """A provider for the client: mostly one it already works with."""
        rng = self.rng
        key = client * _POOLS + pool_no
        known = self.network.get(key)
        if known is None:
            known = self.network[key] = []
        if known and (len(known) >= _TRAITS[self.client_segment[client]].network or rng.random() < 0.7):
            return known[rng.randrange(len(known))]
        chosen = self.pool_list[pool_no].draw(rng)
        if chosen not in known:
            known.append(chosen)
        return chosen

    def _other(self, pool: _Pool, taken: list[int]) -> int | None:
        if len(pool.members) <= len(taken):
            return None
        for _ in range(6):
            i = pool.draw(self.rng)
            if i not in taken:
                return i
        return None

    def products(self) -> Iterator[dict[str, Any]]:
        spec, rng = self.spec, self.rng
        nprov, pairs = spec.providers, self.pairs
        width = _width(spec.products, 6)
        tech_cum = list(accumulate(_TECH_WEIGHTS))
        client_cum, n_clients = self.client_cum, spec.clients
        for p in range(spec.products):
            owner = min(bisect_right(client_cum, rng.random() * client_cum[-1]), n_clients - 1)
            # the first products cover every technology
            tech = p if p < len(_TECHS) else bisect_right(tech_cum, rng.random() * tech_cum[-1])
            clinical = p > 0 and rng.random() < spec.clinical_share
            bio = tech in _BIO_TECHS and (p < 2 or rng.random() < 0.75)
            # commercial products are distributed in their markets, half the clinical ones too
            markets = self._territories() if not clinical or rng.random() < 0.5 else []
            used: list[int] = []  # providers it brings the owner to work with
            supply = self._supply(p, owner, self._steps(p, tech, bio, clinical), markets, bio, used)
            rec: dict[str, Any] = {
                "id": f"prod-{p + 1:0{width}d}",
                "name": self._product_name(tech, bio),
                "technology": _TECHS[tech].value,
                "stage": (Stage.CLINICAL if clinical else Stage.COMMERCIAL).value,
                "owner": self.client_ids[owner],
            }
            if not clinical:
                rec["annual_revenue"] = int(round(rng.lognormvariate(17.5, 1.3), -3))
                if rng.random() < spec.inventory_rate:
                    rec["inventory_weeks"] = rng.randint(*_INVENTORY_WEEKS)
            rec["supply"] = supply
            if markets:
                rec["markets"] = self._markets(markets, rec.get("annual_revenue"))
                rec["distributors"] = self._distributors(owner, markets, used)
            marketers = [] if clinical else self._marketers(markets)
            if marketers:
                rec["marketed_by"] = [
                    {"partner": self.partner_ids[m], "territory": t} for t, m in zip(markets, marketers) if m >= 0
                ]
            self._specific_requirement(p, owner, list(dict.fromkeys(m for m in marketers if m >= 0)))
            base = owner * nprov
            for u in used:
                pairs.add(base + u)
            yield rec
        self.network.clear()

    def _territories(self) -> list[str]:
        """1-4 distinct territories of a product, the bigger markets likelier."""
        rng, weights = self.rng, self.spec.market_count_weights
        n = 1 + bisect_right(list(accumulate(weights)), rng.random() * sum(weights))
        n = min(n, len(weights))
        out: list[str] = []
        while len(out) < n:
            t = _TERRITORIES[bisect_right(_TERRITORY_CUM, rng.random() * _TERRITORY_CUM[-1])]
            if t not in out:
                out.append(t)
        return out

    def _markets(self, territories: list[str], revenue: int | None) -> list[dict[str, Any]]:
        """The product's markets, some with their share of its revenue and their own stock."""
        rng, spec = self.rng, self.spec
        out: list[dict[str, Any]] = [{"territory": t} for t in territories]
        if revenue and rng.random() < spec.market_revenue_rate:
            weights = [_TERRITORY_WEIGHT[t] * rng.uniform(0.5, 1.5) for t in territories]
            for market, w in zip(out, weights):
                market["annual_revenue"] = int(round(revenue * w / sum(weights), -3))
        for market in out:
            if rng.random() < spec.market_inventory_rate:
                market["inventory_weeks"] = rng.randint(*_INVENTORY_WEEKS)
        return out

    def _steps(self, p: int, tech: int, bio: bool, clinical: bool) -> list[tuple[Step, int]]:
        """The supply steps of the p-th product, each with the pool its sources come from."""
        rng = self.rng
        explicit = p < 2 or rng.random() < self.spec.explicit_upstream_rate
        steps: list[tuple[Step, int]] = []
        if bio and explicit:
            steps.append((Step.CELL_BANK, _CELL_BANK_POOL))
        if explicit and (bio or rng.random() < 0.6):
            steps.append((Step.API, _BIO_API_POOL if bio else _CHEM_API_POOL))
        steps.append((Step.DRUG_PRODUCT, tech))
        if tech in _FILL_FINISH_TECHS:
            steps.append((Step.FILL_FINISH, tech))
        steps.append((Step.PACKAGING_LABELING, _PACKAGING_POOL))
        steps.append((Step.TESTING, _CRO_POOL if clinical and rng.random() < 0.4 else _TESTING_POOL))
        return steps

    def _supply(
        self, p: int, owner: int, steps: list[tuple[Step, int]], markets: list[str], bio: bool, used: list[int]
    ) -> list[dict[str, Any]]:
        """Sources for each step: mostly one, some with a second qualified
        source (some filed in one market only) or an unqualified backup (the
        3rd and 4th products always)."""
        rng, ids, pools, spec = self.rng, self.provider_ids, self.pool_list, self.spec
        second, backup = spec.second_source_rate, spec.unqualified_backup_rate
        supply: list[dict[str, Any]] = []
        dp_maker = -1
        for step, pool_no in steps:
            # the drug-product site often fills and packs its own product too
            same_site = (
                step is Step.FILL_FINISH
                and rng.random() < 0.5
                or step is Step.PACKAGING_LABELING
                and self.flags[dp_maker] & 1
                and rng.random() < 0.4
            )
            chosen = dp_maker if same_site else self._pick(owner, pool_no)
            if step is Step.DRUG_PRODUCT:
                dp_maker = chosen
            sources = [chosen]
            supply.append({"provider": ids[chosen], "step": step.value, "qualified": True})
            r = rng.random()
            if r < second or p == 2 and step is Step.DRUG_PRODUCT:
                qualified: bool | None = True
            elif r < second + backup or p == 3 and step is Step.DRUG_PRODUCT:
                qualified = False
            else:
                qualified = None
            extra = None if qualified is None else self._other(pools[pool_no], sources)
            if extra is not None:
                sources.append(extra)
                entry: dict[str, Any] = {"provider": ids[extra], "step": step.value, "qualified": qualified}
                if qualified and markets and rng.random() < spec.single_filing_rate:
                    entry["filed_in"] = [rng.choice(markets)]
                if not qualified and rng.random() < spec.bring_up_known_rate:
                    entry["bring_up_weeks"] = rng.randint(*_BRING_UP_WEEKS)
                supply.append(entry)
            if step in TECHNOLOGY_STEPS:  # the sites that take in its API or drug substance
                for x in sources:
                    self.makes.setdefault(x, []).append(-1 - p if bio else p)
            used.extend(sources)
        return supply

    def _distributors(self, owner: int, markets: list[str], used: list[int]) -> list[dict[str, Any]]:
        """One distributor per market (a second in some), or one without
        territory serving them all."""
        rng, ids, spec = self.rng, self.provider_ids, self.spec
        if rng.random() < spec.global_distributor_rate:
            d = self._pick(owner, _DISTRIBUTOR_POOL)
            used.append(d)
            return [{"distributor": ids[d]}]
        dists: list[dict[str, Any]] = []
        for territory in markets:
            taken = [self._pick(owner, _DISTRIBUTOR_POOL)]
            if rng.random() < spec.second_distributor_rate:
                extra = self._other(self.distributor, taken)
                if extra is not None:
                    taken.append(extra)
            dists.extend({"distributor": ids[d], "territory": territory} for d in taken)
            used.extend(taken)
        return dists

    def _marketers(self, markets: list[str]) -> list[int]:
        """The partner marketing the product in each market (-1: the owner sells it)."""
        rng, rate = self.rng, self.spec.partner_market_rate
        return [self.partner_pool[t].draw(rng) if rng.random() < rate else -1 for t in markets]

    def _specific_requirement(self, p: int, owner: int, marketers: list[int]) -> None:
        """Now and then a party-specific extra requirement for the p-th product."""
        rng = self.rng
        if rng.random() >= self.spec.product_requirement_rate:
            return
        if marketers and rng.random() < 0.7:
            party, general = marketers[0], self.partner_reqs[marketers[0]]
        else:
            party, general = -1 - owner, self.client_reqs[owner]
        free = [t for t in range(len(_TOPICS)) if all(t != g for g, _ in general)]
        if free:
            topic = rng.choice(free)
            key = (party, topic, self._topic_value(topic))
            self.specific.setdefault(key, []).append(p)

    def _product_name(self, tech: int, bio: bool) -> str:
        rng = self.rng
        stem = rng.choice(_BIO_STEMS if bio else _SMALL_STEMS)
        name = (rng.choice(_SYLLABLES) + rng.choice(_SYLLABLES)).capitalize() + stem
        return f"{name} {rng.choice(_STRENGTHS)} {_DOSE_FORM[_TECHS[tech]]}"

    # -- relationships between providers, money, requirements, people -------------

    def feeds(self) -> Iterator[dict[str, Any]]:
        spec, rng, ids = self.spec, self.rng, self.provider_ids
        width = _width(spec.products, 6)
        for i, material, pool, made in self._inputs():
            feeders = [pool.draw(rng)]
            if rng.random() < spec.dual_feed_rate:
                extra = self._other(pool, feeders)
                if extra is not None:
                    feeders.append(extra)
            for f in feeders:
                rec: dict[str, Any] = {"from": ids[f], "to": ids[i], "material": material}
                if made and rng.random() < spec.scoped_feed_rate:
                    rec["products"] = [f"prod-{p + 1:0{width}d}" for p in made]
                yield rec
        self.makes.clear()

    def _inputs(self) -> Iterator[tuple[int, str, _Pool, list[int]]]:
        """(receiver, material, its feeders' pool, the products it goes into:
        empty for a cell bank, which goes into everything the API maker makes).
        A drug-product site takes in drug substance for the biologics it makes
        and API for the small molecules; a biologics API maker, a cell bank."""
        spec, rng = self.spec, self.rng
        first_bio_dp = first_bio_api = True
        for i in range(spec.providers):
            role = self.role[i]
            if role == _DRUG_PRODUCT:
                made = self.makes.get(i, ())
                bio = sorted({-1 - p for p in made if p < 0})
                small = sorted({p for p in made if p >= 0})
                forced = first_bio_dp and bio
                if forced or rng.random() < spec.fed_rate:
                    if bio and (forced or rng.random() < 0.6):
                        first_bio_dp = False
                        yield i, "drug substance", self.bio_api, bio
                    if small:
                        yield i, "API", self.chem_api, small
            elif (
                role == _API and self.flags[i] & 8 and not self.flags[i] & 4 and (first_bio_api or rng.random() < 0.85)
            ):
                first_bio_api = False
                yield i, "working cell bank", self.cell_bank_feeders, []

    def contracts(self) -> Iterator[dict[str, Any]]:
        spec, rng, ids = self.spec, self.rng, self.provider_ids
        nprov, sigma = spec.providers, spec.contract_sigma
        self.sorted_pairs = sorted(self.pairs)
        self.pairs = set()
        for pair in self.sorted_pairs:
            client, prov = divmod(pair, nprov)
            mu = _TRAITS[self.client_segment[client]].contract_mu
            if self.role[prov] >= _CRO:  # services cost less than manufacturing
                mu -= 1.2
            value = max(1000.0, round(rng.lognormvariate(mu, sigma), -3))
            yield {
                "client": self.client_ids[client],
                "provider": ids[prov],
                "annual_value": int(value),
                "currency": "EUR" if self.euro[prov] else "USD",
            }

    def requirements(self) -> Iterator[dict[str, Any]]:
        for pid, reqs in zip(self.partner_ids, self.partner_reqs):
            for t, v in reqs:
                yield {"party": pid, "topic": _TOPICS[t][0], "value": _TOPICS[t][1][v]}
        for cid, reqs in zip(self.client_ids, self.client_reqs):
            for t, v in reqs:
                yield {"party": cid, "topic": _TOPICS[t][0], "value": _TOPICS[t][1][v]}
        width = _width(self.spec.products, 6)
        for (party, t, v), prods in self.specific.items():
            party_id = self.partner_ids[party] if party >= 0 else self.client_ids[-1 - party]
            yield {
                "party": party_id,
                "topic": _TOPICS[t][0],
                "value": _TOPICS[t][1][v],
                "products": [f"prod-{p + 1:0{width}d}" for p in prods],
            }
        self.specific.clear()

    def liaisons(self) -> Iterator[dict[str, Any]]:
        spec, rng, ids = self.spec, self.rng, self.provider_ids
        nprov = spec.providers
        width = _width(len(self.sorted_pairs), 4)
        pairs = self.sorted_pairs
        n = 0
        start = 0
        while start < len(pairs):
            client = pairs[start] // nprov
            end = start
            while end < len(pairs) and pairs[end] // nprov == client:
                end += 1
            provs = [x % nprov for x in pairs[start:end]]
            rng.shuffle(provs)
            j = 0
            while j < len(provs):
                take = rng.choice((1, 1, 2, 2, 3))
                chunk = provs[j : j + take]
                j += take
                if rng.random() >= spec.liaison_coverage:
                    continue
                if len(provs) > len(chunk) and rng.random() < 0.15:
                    extra = provs[rng.randrange(len(provs))]  # a second contact for someone
                    if extra not in chunk:
                        chunk.append(extra)
                n += 1
                rec: dict[str, Any] = {
                    "id": f"liaison-{n:0{width}d}",
                    "name": f"{rng.choice(_FIRST_NAMES)} {rng.choice(_LAST_NAMES)}",
                    "client": self.client_ids[client],
                    "providers": [ids[x] for x in chunk],
                }
                if rng.random() < 0.6:
                    rec["skills"] = sorted(rng.sample(_SKILLS, rng.randint(1, 3)))
                yield rec
            start = end
        self.sorted_pairs = []
