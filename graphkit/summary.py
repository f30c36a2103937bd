"""A one-screen summary of a portfolio: what is in it, counted by kind."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from .model import Portfolio, ProviderKind

__all__ = ["Summary", "summarize"]


@dataclass(frozen=True)
class Summary:
    nodes: dict[str, int]
    relationships: dict[str, int]
    business_models: dict[str, int]
    segments: dict[str, int]
    technologies: dict[str, int]
    stages: dict[str, int]

    def as_dict(self) -> dict[str, dict[str, int]]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


def summarize(portfolio: Portfolio) -> Summary:
    """Counts of nodes by kind, relationships by type, CMOs by business model,
    clients by segment and products by technology and stage."""
    nodes = Counter(str(portfolio.kind(i)) for i in portfolio.nodes)
    topics = {r.topic for r in portfolio.requirements}
    if topics:
        nodes["requirement"] = len(topics)
    return Summary(
        nodes=dict(nodes),
        relationships={str(t): n for t, n in portfolio.link_counts().items()},
        business_models=dict(Counter(str(p.business_model) for p in portfolio.providers if p.kind is ProviderKind.CMO)),
        segments=dict(Counter(str(c.segment) for c in portfolio.clients)),
        technologies=dict(Counter(str(p.technology) for p in portfolio.products)),
        stages=dict(Counter(str(p.stage) for p in portfolio.products)),
    )
