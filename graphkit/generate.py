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
* marketing partners (1-3 per commercial product, with territories) whose
  requirement sets overlap and conflict with each other and with the
  client's own;
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
_SMALL_MOLECULE_TECHS = _indices(frozenset(Technology) - BIOLOGIC_TECHNOLOGIES)
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
_TERRITORIES = ("US", "EU", "GB", "JP", "CN", "CA", "AU", "BR", "LATAM", "MENA", "KR", "IN", "CH")

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


# Relationships per product (all sections included) that the default spec
# yields at a given scale, measured over several seeds. It grows with scale:
# bigger portfolios have more providers per client, so more contracts and
# liaisons per product. Interpolated linearly in log(scale).
_MEASURED_RELATIONSHIPS_PER_PRODUCT = (
    (300, 13.7),
    (1_000, 11.0),
    (3_000, 10.9),
    (10_000, 12.2),
    (30_000, 12.9),
    (100_000, 13.4),
    (1_000_000, 13.6),
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
        self.partner_territories: list[tuple[str, ...]] = []
        self.partner_reqs: list[tuple[tuple[int, int], ...]] = []
        self.pairs: set[int] = set()  # client * providers + provider, in use
        self.specific: dict[tuple[int, int, int], list[int]] = {}  # (party, topic, value) -> products
        self.network: dict[int, list[int]] = {}  # client's preferred members, per pool

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
            yield rec
        self._build_pools()

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
        weights = []
        for p in range(spec.partners):
            pid = f"partner-{p + 1:0{width}d}"
            self.partner_ids.append(pid)
            territories = tuple(rng.sample(_TERRITORIES, rng.choice((1, 1, 2, 2, 3, 4))))
            self.partner_territories.append(territories)
            weights.append(rng.paretovariate(1.5))
            self.partner_reqs.append(self._requirement_set(rng.randint(2, 5)))
            yield {
                "id": pid,
                "name": f"{rng.choice(_PLACES)} {rng.choice(_PARTNER_SUFFIXES)}",
                "territories": list(territories),
            }
        self.partner_cum = list(accumulate(weights))

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
            used: list[int] = []  # providers it brings the owner to work with
            supply = self._supply(p, owner, self._steps(p, tech, bio, clinical), used)
            rec: dict[str, Any] = {
                "id": f"prod-{p + 1:0{width}d}",
                "name": self._product_name(tech, bio),
                "technology": _TECHS[tech].value,
                "stage": (Stage.CLINICAL if clinical else Stage.COMMERCIAL).value,
                "owner": self.client_ids[owner],
            }
            if not clinical:
                rec["annual_revenue"] = int(round(rng.lognormvariate(17.5, 1.3), -3))
            rec["supply"] = supply
            dists = self._distributors(owner, clinical, used)
            if dists:
                rec["distributors"] = dists
            marketers = self._marketers(p, clinical)
            if marketers:
                rec["marketed_by"] = [
                    {"partner": self.partner_ids[m], "territory": rng.choice(self.partner_territories[m])}
                    for m in marketers
                ]
            self._specific_requirement(p, owner, marketers)
            base = owner * nprov
            for u in used:
                pairs.add(base + u)
            yield rec
        self.network.clear()

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

    def _supply(self, p: int, owner: int, steps: list[tuple[Step, int]], used: list[int]) -> list[dict[str, Any]]:
        """Sources for each step: mostly one, some with a second qualified
        source or an unqualified backup (the 3rd and 4th products always)."""
        rng, ids, pools = self.rng, self.provider_ids, self.pool_list
        second, backup = self.spec.second_source_rate, self.spec.unqualified_backup_rate
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
            if qualified is not None:
                extra = self._other(pools[pool_no], sources)
                if extra is not None:
                    sources.append(extra)
                    supply.append({"provider": ids[extra], "step": step.value, "qualified": qualified})
            used.extend(sources)
        return supply

    def _distributors(self, owner: int, clinical: bool, used: list[int]) -> list[dict[str, Any]]:
        """One or two distributors for a commercial product, half the time one
        for a clinical one, each serving its home territory (or the EU)."""
        rng, ids = self.rng, self.provider_ids
        n_dist = (rng.random() < 0.5) if clinical else (1 if rng.random() < 0.6 else 2)
        dists: list[dict[str, Any]] = []
        taken: list[int] = []
        for j in range(n_dist):
            d = self._pick(owner, _DISTRIBUTOR_POOL) if j == 0 else self._other(self.distributor, taken)
            if d is None or d in taken:
                break
            taken.append(d)
            country = _COUNTRIES[self.country[d]]
            territory = "EU" if country in _EURO and rng.random() < 0.5 else country
            dists.append({"distributor": ids[d], "territory": territory})
        used.extend(taken)
        return dists

    def _marketers(self, p: int, clinical: bool) -> list[int]:
        """The partners marketing the p-th product (the first products have three)."""
        rng, n_partners, partner_cum = self.rng, self.spec.partners, self.partner_cum
        if clinical:
            n_mkt = 1 if rng.random() < 0.3 else 0
        else:
            r = rng.random()
            n_mkt = 1 if r < 0.4 else 2 if r < 0.75 else 3
            if p < len(_TECHS):
                n_mkt = 3
        n_mkt = min(n_mkt, n_partners)
        marketers: list[int] = []
        while len(marketers) < n_mkt:
            m = min(bisect_right(partner_cum, rng.random() * partner_cum[-1]), n_partners - 1)
            if m not in marketers:
                marketers.append(m)
        return marketers

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
        bio_mask = sum(1 << t for t in _BIO_TECHS)
        small_mask = sum(1 << t for t in _SMALL_MOLECULE_TECHS)
        first_bio_dp = first_bio_api = True
        for i in range(spec.providers):
            role = self.role[i]
            inputs: list[tuple[str, _Pool]] = []
            if role == _DRUG_PRODUCT:
                mask = self.techs[i]
                forced = first_bio_dp and mask & bio_mask
                if forced or rng.random() < spec.fed_rate:
                    if mask & bio_mask and (forced or rng.random() < 0.6):
                        inputs.append(("drug substance", self.bio_api))
                        first_bio_dp = False
                    if mask & small_mask:
                        inputs.append(("API", self.chem_api))
            elif (
                role == _API and self.flags[i] & 8 and not self.flags[i] & 4 and (first_bio_api or rng.random() < 0.85)
            ):
                inputs.append(("working cell bank", self.cell_bank_feeders))
                first_bio_api = False
            for material, pool in inputs:
                feeders = [pool.draw(rng)]
                if rng.random() < spec.dual_feed_rate:
                    extra = self._other(pool, feeders)
                    if extra is not None:
                        feeders.append(extra)
                for f in feeders:
                    yield {"from": ids[f], "to": ids[i], "material": material}

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
