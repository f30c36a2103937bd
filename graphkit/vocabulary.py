"""The closed vocabularies of the domain: kinds, business models, services,
technologies, steps, relationship types and node kinds, and who may perform
which step. Plain enums, no validation library: the command line builds its
options from them before it loads anything heavy. `graphkit.model` uses them
in its records and exports them too.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "BIOLOGIC_TECHNOLOGIES",
    "BusinessModel",
    "DISTRIBUTION_STEP",
    "KIND_SERVICES",
    "MARKETING_STEP",
    "NodeKind",
    "PARENTERAL_TECHNOLOGIES",
    "NODE_KIND_OF_PROVIDER",
    "PROVIDER_KINDS",
    "ProviderKind",
    "QualityMaturity",
    "RelType",
    "STEP_SERVICES",
    "STERILE_TECHNOLOGIES",
    "SUPPLIER_KINDS",
    "Segment",
    "Service",
    "Stage",
    "Step",
    "TECHNOLOGY_STEPS",
    "Technology",
    "kind_may_perform",
]


class ProviderKind(StrEnum):
    CMO = "cmo"
    CRO = "cro"
    TEST_LAB = "test_lab"
    DISTRIBUTOR = "distributor"


class BusinessModel(StrEnum):
    CMO_ONLY = "cmo_only"
    HYBRID_BRANDED = "hybrid_branded"
    HYBRID_GENERIC = "hybrid_generic"


class Service(StrEnum):
    CELL_BANK = "cell_bank"
    API = "api"
    DRUG_PRODUCT = "drug_product"
    FINISHED_PRODUCT = "finished_product"
    PACKAGING_LABELING = "packaging_labeling"
    TESTING = "testing"
    CLINICAL_RESEARCH = "clinical_research"
    DISTRIBUTION = "distribution"


class Technology(StrEnum):
    ASEPTIC_FILL = "aseptic_fill"
    LYOPHILIZATION = "lyophilization"
    TERMINAL_STERILIZATION = "terminal_sterilization"
    STERILE_POWDER = "sterile_powder"
    STERILE_CREAM = "sterile_cream"
    TABLET = "tablet"
    CAPSULE = "capsule"
    CAPLET = "caplet"
    SACHET = "sachet"


# Parenterals, sterile powders and creams: hard to requalify at another site.
STERILE_TECHNOLOGIES = frozenset(
    {
        Technology.ASEPTIC_FILL,
        Technology.LYOPHILIZATION,
        Technology.TERMINAL_STERILIZATION,
        Technology.STERILE_POWDER,
        Technology.STERILE_CREAM,
    }
)
# Filled into vials, bags or syringes: the product has a fill-finish step.
PARENTERAL_TECHNOLOGIES = STERILE_TECHNOLOGIES - {Technology.STERILE_CREAM}
# Where biologics are made: a protein survives neither heat sterilisation nor
# the gut, so it is filled aseptically, as a solution or freeze-dried.
BIOLOGIC_TECHNOLOGIES = frozenset({Technology.ASEPTIC_FILL, Technology.LYOPHILIZATION})


class Stage(StrEnum):
    CLINICAL = "clinical"
    COMMERCIAL = "commercial"


class Segment(StrEnum):
    GENERICS_ONLY = "generics_only"
    LARGE = "large"
    MID_SIZED = "mid_sized"
    SMALL = "small"


class QualityMaturity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Step(StrEnum):
    CELL_BANK = "cell_bank"
    API = "api"
    DRUG_PRODUCT = "drug_product"
    FILL_FINISH = "fill_finish"
    PACKAGING_LABELING = "packaging_labeling"
    TESTING = "testing"


# A product with distributors also needs this step in each market (covered by
# any one distributor serving it), and a market with named partners this one.
DISTRIBUTION_STEP = "distribution"
MARKETING_STEP = "marketing"


class RelType(StrEnum):
    OWNS = "OWNS"
    SUPPLIES = "SUPPLIES"
    FEEDS = "FEEDS"
    DISTRIBUTES = "DISTRIBUTES"
    CONTRACTS_WITH = "CONTRACTS_WITH"
    MARKETS = "MARKETS"
    REQUIRES = "REQUIRES"
    LIAISES_WITH = "LIAISES_WITH"
    EMPLOYS = "EMPLOYS"


class NodeKind(StrEnum):
    """The kind of every node in the graph (providers by their `kind`)."""

    CMO = "cmo"
    CRO = "cro"
    TEST_LAB = "test_lab"
    DISTRIBUTOR = "distributor"
    CLIENT = "client"
    MARKETING_PARTNER = "marketing_partner"
    PRODUCT = "product"
    REQUIREMENT = "requirement"
    LIAISON = "liaison"


# What each kind of provider can offer at all (a test lab makes nothing, a CRO
# fills nothing), and which service each supply step is: together the one
# declaration of who may perform which step. Validation reads them through
# `kind_may_perform`; a provider's own `services` narrow its kind's further.
KIND_SERVICES: dict[ProviderKind, frozenset[Service]] = {
    ProviderKind.CMO: frozenset(Service) - {Service.CLINICAL_RESEARCH, Service.DISTRIBUTION},
    ProviderKind.CRO: frozenset({Service.CLINICAL_RESEARCH, Service.TESTING}),
    ProviderKind.TEST_LAB: frozenset({Service.TESTING}),
    ProviderKind.DISTRIBUTOR: frozenset({Service.DISTRIBUTION}),
}
STEP_SERVICES: dict[str, Service] = {
    Step.CELL_BANK: Service.CELL_BANK,
    Step.API: Service.API,
    Step.DRUG_PRODUCT: Service.DRUG_PRODUCT,
    Step.FILL_FINISH: Service.FINISHED_PRODUCT,
    Step.PACKAGING_LABELING: Service.PACKAGING_LABELING,
    Step.TESTING: Service.TESTING,
    DISTRIBUTION_STEP: Service.DISTRIBUTION,
}
# Steps done with the product's technology (a manufacturing process: aseptic
# fill, lyophilisation, compression), so a provider's `technologies` must
# include it; making the API, packing and testing do not use it.
TECHNOLOGY_STEPS = frozenset({Step.DRUG_PRODUCT, Step.FILL_FINISH})


def kind_may_perform(kind: ProviderKind, step: str) -> bool:
    """Whether a provider of this kind can perform the step at all.

    >>> kind_may_perform(ProviderKind.TEST_LAB, "fill_finish"), kind_may_perform(ProviderKind.CRO, "testing")
    (False, True)
    """
    return STEP_SERVICES[step] in KIND_SERVICES[kind]


# A provider's kind as the node kind it is (looked up by the kind or its text).
NODE_KIND_OF_PROVIDER: dict[str, NodeKind] = {k: NodeKind(k.value) for k in ProviderKind}
PROVIDER_KINDS = frozenset(NODE_KIND_OF_PROVIDER.values())
# Who can perform a supply step (distributors cover the distribution step instead).
SUPPLIER_KINDS = frozenset(NodeKind(k.value) for k in ProviderKind if any(kind_may_perform(k, s) for s in Step))
