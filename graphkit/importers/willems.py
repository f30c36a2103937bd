"""Import one of Willems' (2008) real multi-echelon supply chains as a portfolio.

Source: Willems, S. P. (2008), "Data Set: Real-World Multiechelon Supply
Chains Used for Inventory Optimization", Manufacturing & Service Operations
Management 10(1):19-23, doi:10.1287/msom.1070.0176 -- cite it wherever the
data are shown. Chain NN is two files side by side: ``NN_SD.csv`` (one row per
stage: name, stageCost, classification Part/Manuf/Trans/Dist/Retail,
avgDemand, ...) and ``NN_LL.csv`` (arcs sourceStage -> destinationStage);
``Summary_Tables.csv`` in the same folder gives each chain's industry (SIC).
Chain 22 is a pharmaceutical-preparations company (SIC 2834, 253 stages).

Supply semantics
----------------
In these chains a stage needs **every** stage that feeds it (a bill of
materials: AND); no arc is an alternative to another. graphkit's ``feeds``
say "a provider needs every *material* it receives, each from any one of its
feeders", so the import gives every arc its own material -- the source
stage's name -- and a stage with several inputs needs all of them, exactly
as in the data. A product needs every one of its steps and a step any one of
its sources, so a demand point's direct suppliers are mapped to different
steps; where that is impossible (several feeders on one step) the demand
point gets a stocking stage that receives each of them as its own material
(below). The import therefore preserves the data's AND-only structure: every
stage is a single point of failure for every demand point downstream of it
(the chains record no alternatives); ``graphkit whatif --add-source`` shows
what a second source would save.

Mapping
-------
=====================  =====================================================
Willems                graphkit
=====================  =====================================================
Part stage             provider, kind ``cmo``, service ``api`` (a procured
                       input: API, excipient, component); "Parts" is
                       accepted as a spelling of Part (chain 19)
Manuf stage            provider, kind ``cmo``, service ``drug_product``
Dist, Trans stage      provider, kind ``distributor`` (service
                       ``distribution``): distribution and transport stages
arc between two non-   feed ``from`` source ``to`` destination, material =
Retail stages          the source stage's name (AND, see above)
Retail stage           product (id = slug of the stage name, stage
                       ``commercial``); its feeders supply it directly: Manuf
                       -> step ``drug_product``, Part -> step ``api``, Dist
                       and Trans -> ``distributors``. When two feeders would
                       share a step (some chains have a retail stage fed by
                       two Manuf or three Trans stages), the retail stage is
                       also kept as a ``distributor`` provider (id
                       ``<stage>-stage``) fed by each feeder, and the product
                       is distributed by it -- so all feeders stay required.
other demand point     a non-Retail stage with avgDemand, or with no
                       downstream arc (many chains have no Retail stages and
                       carry demand on Dist or Manuf stages): product
                       ``demand-<stage>`` supplied (by class, as above) by
                       the stage itself
the chain              one client ``willems-chain-NN`` owning every product,
                       named with the chain's industry; segment ``large``
                       (the data come from companies running multi-echelon
                       chains of up to 2,025 stages)
=====================  =====================================================

``annual_revenue`` of a product = 365 x avgDemand (the data set's demand is
per day) x the demand point's cumulative cost: its stageCost plus the
cumulative costs of all its inputs (one unit of each input per unit: the data
set gives no quantities). A cost-of-goods proxy for ranking products, not a
sales figure. Technology is not in the data: ``tablet`` by default (oral
solids are the bulk of pharmaceutical preparations), another may be chosen.
No contracts are written: with one client, every provider's customer
concentration is total by construction (graphkit then reports it on product
counts). Feeds are checked acyclic; a cycle is an error naming it.
"""

from __future__ import annotations

import csv
import math
import os
import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import networkx as nx

from ..model import DISTRIBUTION_STEP, STEP_SERVICES, Technology
from ..problems import GraphkitError
from . import ImportResult, readable_ids, slugify

__all__ = ["CLASSES", "chain_files", "import_willems", "read_chain", "read_industries"]

# Normalised stage classification -> (provider kind or None for Retail, step or None for distribution).
CLASSES: dict[str, tuple[str | None, str | None]] = {
    "Part": ("cmo", "api"),
    "Manuf": ("cmo", "drug_product"),
    "Dist": ("distributor", None),
    "Trans": ("distributor", None),
    "Retail": (None, None),
}
_SPELLINGS = {
    "part": "Part",
    "parts": "Part",
    "manuf": "Manuf",
    "manufacturing": "Manuf",
    "dist": "Dist",
    "distribution": "Dist",
    "trans": "Trans",
    "transportation": "Trans",
    "transport": "Trans",
    "retail": "Retail",
}
DAYS_PER_YEAR = 365
CLIENT_SEGMENT = "large"


class Stage:
    __slots__ = ("cls", "cost", "demand", "name", "row")

    def __init__(self, name: str, cls: str, cost: float, demand: float | None, row: int) -> None:
        self.name, self.cls, self.cost, self.demand, self.row = name, cls, cost, demand, row


def chain_files(
    chain: str | int | os.PathLike[str], data_dir: str | os.PathLike[str] | None = None
) -> tuple[Path, Path, int | None]:
    """The (SD, LL) files and chain number of a chain given by number (looked
    for in ``data_dir``, default the current folder) or by its SD file (the
    LL file is the one beside it)."""
    text = str(chain).strip()
    number: int | None
    if re.fullmatch(r"\d{1,3}", text):
        number = int(text)
        folder = Path(data_dir) if data_dir is not None else Path(".")
        sd = folder / f"{number:02d}_SD.csv"
        if not sd.is_file():
            raise GraphkitError(f"no chain {number} in {folder} (looked for {sd})")
    else:
        sd = Path(text)
        if not sd.is_file():
            raise GraphkitError(f"{sd}: no such file")
        if "_SD" not in sd.name:
            raise GraphkitError(f"{sd}: expected a Willems stage file named like 22_SD.csv")
        m = re.match(r"(\d+)_SD", sd.name)
        number = int(m.group(1)) if m else None
    ll = sd.with_name(sd.name.replace("_SD", "_LL", 1))
    if not ll.is_file():
        raise GraphkitError(f"{ll}: no such file (the arc file belongs beside {sd.name})")
    return sd, ll, number


def _rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number, row) of a CSV file; the header is row 1."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            if not reader.fieldnames:
                raise GraphkitError(f"{path}: empty file")
            reader.fieldnames = [h.strip() for h in reader.fieldnames]
            yield 1, dict.fromkeys(reader.fieldnames, "")
            for row in reader:
                yield reader.line_num, {k: (v or "").strip() for k, v in row.items() if k is not None}
    except UnicodeDecodeError as exc:
        raise GraphkitError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except csv.Error as exc:
        raise GraphkitError(f"{path}: malformed CSV: {exc}") from None
    except OSError as exc:
        raise GraphkitError(f"{path}: cannot read: {exc.strerror or exc}") from None


def _number(text: str, where: str, column: str, default: float | None) -> float | None:
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        raise GraphkitError(f"{where}: {column} '{text}' is not a number") from None
    if not math.isfinite(value) or value < 0:
        raise GraphkitError(f"{where}: {column} must be a non-negative number, got '{text}'")
    return value


def _require(header: dict[str, str], columns: tuple[str, ...], path: Path) -> None:
    missing = [c for c in columns if c not in header]
    if missing:
        raise GraphkitError(f"{path} row 1: missing column(s) {', '.join(repr(c) for c in missing)}")


def read_chain(sd: Path, ll: Path) -> tuple[dict[str, Stage], list[tuple[str, str]]]:
    """The stages (by name, file order) and arcs (deduplicated, file order) of a chain."""
    stages: dict[str, Stage] = {}
    rows = _rows(sd)
    _require(next(rows)[1], ("Stage Name", "stageCost", "stageClassification"), sd)
    for n, row in rows:
        where = f"{sd} row {n}"
        name = row.get("Stage Name", "")
        if not name:
            raise GraphkitError(f"{where}: Stage Name is empty")
        if name in stages:
            raise GraphkitError(f"{where}: stage '{name}' already defined at row {stages[name].row}")
        raw_cls = row.get("stageClassification", "")
        cls = _SPELLINGS.get(raw_cls.lower())
        if cls is None:
            raise GraphkitError(
                f"{where}: stage '{name}' has classification '{raw_cls}', expected Part, Manuf, Trans, Dist or Retail"
            )
        cost = _number(row.get("stageCost", ""), where, "stageCost", 0.0)
        demand = _number(row.get("avgDemand", ""), where, "avgDemand", None)
        stages[name] = Stage(name, cls, cost or 0.0, demand, n)
    if not stages:
        raise GraphkitError(f"{sd}: no stages")
    arcs: dict[tuple[str, str], int] = {}
    rows = _rows(ll)
    _require(next(rows)[1], ("sourceStage", "destinationStage"), ll)
    for n, row in rows:
        where = f"{ll} row {n}"
        src, dst = row.get("sourceStage", ""), row.get("destinationStage", "")
        for end, label in ((src, "sourceStage"), (dst, "destinationStage")):
            if not end:
                raise GraphkitError(f"{where}: {label} is empty")
            if end not in stages:
                raise GraphkitError(f"{where}: {label} '{end}' is not a stage of {sd.name}")
        if src == dst:
            raise GraphkitError(f"{where}: stage '{src}' feeds itself")
        if stages[src].cls == "Retail":
            raise GraphkitError(
                f"{where}: Retail stage '{src}' feeds '{dst}'; retail stages are demand points and feed nothing"
            )
        arcs.setdefault((src, dst), n)
    g: nx.DiGraph[str] = nx.DiGraph(list(arcs))
    if not nx.is_directed_acyclic_graph(g):  # fast; find_cycle only to name the cycle
        cycle = nx.find_cycle(g)
        names = " -> ".join([u for u, _ in cycle] + [cycle[0][0]])
        closing = max(arcs[(u, v)] for u, v, *_ in cycle)  # the arc that closes the cycle
        raise GraphkitError(f"{ll} row {closing}: arcs form a cycle: {names}")
    return stages, list(arcs)


def read_industries(path: Path) -> dict[int, tuple[str, str]]:
    """Chain number -> (SIC code, SIC description) from Summary_Tables.csv
    (empty when the file is missing or has no such table)."""
    out: dict[int, tuple[str, str]] = {}
    if not path.is_file():
        return out
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            for cells in csv.reader(handle):
                cells = [c.strip() for c in cells]
                if len(cells) >= 9 and cells[1].isdigit() and cells[6].isdigit() and cells[8]:
                    out.setdefault(int(cells[1]), (cells[6], cells[8]))
    except (OSError, UnicodeDecodeError, csv.Error):
        return {}
    return out


def import_willems(
    chain: str | int | os.PathLike[str], data_dir: str | os.PathLike[str] | None = None, technology: str = "tablet"
) -> ImportResult:
    """Import chain ``chain`` (a number looked for in ``data_dir``, or an
    ``NN_SD.csv`` path with its ``NN_LL.csv`` beside it) as portfolio records.

    Raises
    ------
    GraphkitError
        Missing files or columns, an unknown classification, a bad number, an
        arc naming an unknown stage, or a cycle (the message names the file
        and row; the header is row 1).
    """
    if technology not in Technology._value2member_map_:
        raise GraphkitError(f"unknown technology '{technology}'; use one of {', '.join(Technology)}")
    sd, ll, number = chain_files(chain, data_dir)
    stages, arcs = read_chain(sd, ll)
    industry = read_industries(sd.with_name("Summary_Tables.csv")).get(number) if number is not None else None
    client_id = f"willems-chain-{number:02d}" if number is not None else f"willems-{slugify(sd.stem)}"
    client_name = f"Willems (2008) chain {number}" if number is not None else f"Willems (2008) {sd.stem}"
    if industry:
        client_name += f": {industry[1]} (SIC {industry[0]})"
    records = _ChainRecords(stages, arcs, technology)
    sections = {
        "providers": records.providers(),
        "clients": [{"id": client_id, "name": client_name, "segment": CLIENT_SEGMENT}],
        "products": records.products(client_id),
        "feeds": records.feeds(),
    }
    by_class: dict[str, int] = defaultdict(int)
    for s in stages.values():
        by_class[s.cls] += 1
    counts = {
        "chain": number,
        "stages": len(stages),
        "arcs": len(arcs),
        "by_class": dict(by_class),
        **{name: len(sections[name]) for name in ("providers", "products", "feeds")},
        "stocking_stages": len(records.stocked),
        "industry": industry[1] if industry else None,
    }
    classes = ", ".join(f"{by_class[c]} {c}" for c in CLASSES if by_class.get(c))
    summary = (
        f"Willems (2008) chain {number if number is not None else sd.stem}"
        f"{f' ({industry[1]})' if industry else ''}: {len(stages)} stages ({classes}), "
        f"{len(arcs)} arcs -> {counts['providers']} providers, {counts['products']} products, {counts['feeds']} feeds"
    )
    return ImportResult(str(sd), sections, records.ids, counts, summary)


class _ChainRecords:
    """A chain's stages and arcs as provider, product and feed records, with
    the id given to each stage and product."""

    def __init__(self, stages: dict[str, Stage], arcs: list[tuple[str, str]], technology: str) -> None:
        self.stages, self.arcs, self.technology = stages, arcs, technology
        self.preds: dict[str, list[str]] = defaultdict(list)
        self.has_out: set[str] = set()
        for src, dst in arcs:
            self.preds[dst].append(src)
            self.has_out.add(src)
        graph: nx.DiGraph[str] = nx.DiGraph()
        graph.add_nodes_from(stages)
        graph.add_edges_from(arcs)
        # a stage's cost with everything upstream of it (the value of its demand)
        self.cumulative: dict[str, float] = {}
        for name in nx.topological_sort(graph):
            self.cumulative[name] = stages[name].cost + math.fsum(self.cumulative[p] for p in self.preds.get(name, ()))
        self.retail = [s for s in stages.values() if s.cls == "Retail"]
        # Retail stages that need a stocking stage: two of their feeders on one step.
        self.stocked = {
            s.name
            for s in self.retail
            if len({self.step_of(p) for p in self.preds.get(s.name, ())}) < len(self.preds.get(s.name, ()))
        }
        self.stage_ids = readable_ids(stages)
        self.ids: dict[str, dict[str, str]] = {"stage": {}, "product": {}}

    def step_of(self, name: str) -> str | None:
        return CLASSES[self.stages[name].cls][1]

    def providers(self) -> list[dict[str, Any]]:
        providers: list[dict[str, Any]] = []
        stage_ids = self.stage_ids
        for s in self.stages.values():
            kind, step = CLASSES[s.cls]
            if kind is None:
                continue
            self.ids["stage"][s.name] = stage_ids[s.name]
            record: dict[str, Any] = {
                "id": stage_ids[s.name],
                "name": s.name,
                "kind": kind,
                "services": [str(STEP_SERVICES[step or DISTRIBUTION_STEP])],
            }
            if kind == "cmo":
                record["technologies"] = [self.technology]
            providers.append(record)
        for name in self.stocked:
            self.ids["stage"][name] = f"{stage_ids[name]}-stage"
        return providers + [
            {
                "id": f"{stage_ids[s.name]}-stage",
                "name": f"{s.name} (stocking stage)",
                "kind": "distributor",
                "services": ["distribution"],
            }
            for s in self.retail
            if s.name in self.stocked
        ]

    def feeds(self) -> list[dict[str, Any]]:
        return [
            {"from": self.stage_ids[src], "to": self.ids["stage"][dst], "material": src}
            for src, dst in self.arcs
            if self.stages[dst].cls != "Retail" or dst in self.stocked
        ]

    def products(self, client_id: str) -> list[dict[str, Any]]:
        """A product per retail stage and per other stage with demand (or no outgoing arc)."""
        products = []
        for s in self.retail:
            sources = [s.name] if s.name in self.stocked else self.preds.get(s.name, [])
            products.append(self.product(self.stage_ids[s.name], s.name, s, sources, client_id))
        other_demand = [
            s
            for s in self.stages.values()
            if s.cls != "Retail" and (s.demand is not None or s.name not in self.has_out)
        ]
        demand_ids = readable_ids([s.name for s in other_demand], prefix="demand-")
        for s in other_demand:
            products.append(self.product(demand_ids[s.name], f"Demand at {s.name}", s, [s.name], client_id))
        return products

    def product(self, product_id: str, name: str, s: Stage, sources: list[str], client_id: str) -> dict[str, Any]:
        supply = [
            {"provider": self.ids["stage"][p], "step": self.step_of(p), "qualified": True}
            for p in sources
            if self.step_of(p) is not None
        ]
        distributors = [self.ids["stage"][p] for p in sources if self.step_of(p) is None]
        revenue = None if s.demand is None else round(DAYS_PER_YEAR * s.demand * self.cumulative[s.name], 2)
        self.ids["product"][s.name] = product_id
        record: dict[str, Any] = {
            "id": product_id,
            "name": name,
            "technology": self.technology,
            "stage": "commercial",
            "owner": client_id,
        }
        if revenue is not None:
            record["annual_revenue"] = revenue
        if supply:
            record["supply"] = supply
        if distributors:
            record["distributors"] = distributors
        return record
