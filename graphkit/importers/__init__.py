"""Importers: real public supply-chain data turned into graphkit portfolios.

* :func:`import_scms` -- the USAID Supply Chain Management System (SCMS)
  delivery history of HIV/AIDS medicines for PEPFAR programmes (see
  :mod:`graphkit.importers.scms`);
* :func:`import_willems` -- the real multi-echelon supply chains of Willems,
  S. P. (2008), M&SOM 10(1):19-23 (see :mod:`graphkit.importers.willems`).

Each returns an :class:`ImportResult`: the portfolio as plain records (the
``(section, dict)`` shape of :func:`graphkit.generate.iter_records` and of
:func:`graphkit.io.write_records`), how source names map to node ids, and
counts for a one-line summary. :meth:`ImportResult.portfolio` validates the
records with :func:`graphkit.validate.build_portfolio`, so what is written is
always a valid portfolio.

Node ids are readable and stable: a slug of the source name (lowercase ASCII,
runs of other characters turned into one ``-``), given a 6-hex-digit suffix
from the SHA-1 of the name only when the slug was cut to length or two
distinct names share it (decided over all names of one kind, so the order of
the input never changes an id).

Example
-------
>>> readable_ids(["Côte d'Ivoire", "Nigeria"], prefix="country-")
{"Côte d'Ivoire": 'country-cote-d-ivoire', 'Nigeria': 'country-nigeria'}
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..model import SECTIONS, Portfolio
from ..problems import Problem
from ..validate import build_portfolio

__all__ = ["ImportResult", "LedgerResult", "import_ledger", "import_scms", "import_willems", "readable_ids", "slugify"]

MAX_SLUG = 60


def slugify(text: str) -> str:
    """Lowercase ASCII with runs of anything else as one ``-`` (accents dropped).

    >>> slugify("Mylan,  H-12 & H-13, India")
    'mylan-h-12-h-13-india'
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def _suffix(name: str) -> str:
    return hashlib.sha1(name.encode("utf-8")).hexdigest()[:6]


def readable_ids(names: Iterable[str], prefix: str = "", max_len: int = MAX_SLUG) -> dict[str, str]:
    """A stable, readable, unique id for every distinct name (see the module docstring)."""
    slugs: dict[str, tuple[str, bool]] = {}
    users: dict[str, set[str]] = {}
    for name in names:
        if name in slugs:
            continue
        slug = slugify(name) or "x"
        cut = len(slug) > max_len
        if cut:
            slug = slug[:max_len].rstrip("-")
        slugs[name] = (slug, cut)
        users.setdefault(slug, set()).add(name)
    return {
        name: f"{prefix}{slug}-{_suffix(name)}" if cut or len(users[slug]) > 1 else f"{prefix}{slug}"
        for name, (slug, cut) in slugs.items()
    }


@dataclass(frozen=True)
class ImportResult:
    """A portfolio imported from public data, as plain records.

    ``sections`` maps each portfolio section to its records (plain dicts, as
    written in a portfolio file); ``ids`` maps, per kind of source name
    (e.g. ``"site"``, ``"stage"``), each source name to its node id;
    ``counts`` holds what the summary reports; ``source`` names the input.
    """

    source: str
    sections: Mapping[str, list[dict[str, Any]]]
    ids: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    counts: Mapping[str, Any] = field(default_factory=dict)
    summary: str = ""

    def records(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """``(section, record)`` pairs in portfolio file order."""
        for key in SECTIONS:
            for record in self.sections.get(key, ()):
                yield key, record

    def portfolio(self) -> Portfolio:
        """The validated portfolio (raises PortfolioError if any record is wrong)."""
        return self.validated()[0]

    def validated(self) -> tuple[Portfolio, list[Problem]]:
        raw = {key: list(self.sections.get(key, ())) for key in SECTIONS}

        def locate(path: tuple[Any, ...]) -> str:
            if len(path) >= 2 and isinstance(path[1], int):
                return f"{self.source} (imported {path[0]} #{path[1] + 1})"
            return f"{self.source} (imported)"

        return build_portfolio(raw, locate, self.source)


# Last: the importers use the helpers above.
from .ledger import LedgerResult, import_ledger
from .scms import import_scms
from .willems import import_willems
