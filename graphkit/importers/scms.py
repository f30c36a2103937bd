"""Import the USAID SCMS delivery history as a graphkit portfolio.

Source: USAID, Supply Chain Management System (SCMS), "Supply Chain Shipment
Pricing Data" (``SCMS_Delivery_History_Dataset.csv``): 10,324 shipment lines
(2006-2015) of HIV/AIDS medicines and test kits procured for PEPFAR
programmes. US government open data; cite USAID/SCMS.

Mapping (one shipment line = one row)
-------------------------------------
======================  =====================================================
SCMS                    graphkit
======================  =====================================================
Manufacturing Site      provider, kind ``cmo``, service ``drug_product``, its
                        technologies = those of the items it made. The data
                        do not say whether a site is a contract or an own
                        plant, so ``business_model`` is left unset (graphkit
                        reads it as ``cmo_only``). "Not Applicable" (12
                        test-kit rows) means no site: the row adds no source.
Vendor                  provider, kind ``distributor`` (service
                        ``distribution``): whoever sold and shipped the line,
                        wholesalers and SCMS's own regional distribution
                        centres ("SCMS from RDC") included.
Country                 client (the destination country's PEPFAR programme,
                        id ``country-<slug>``). Segment by the programme's
                        total line value in the whole file (test kits
                        included, so the segment does not depend on
                        ``include_test_kits``): >= 100M USD ``large``,
                        >= 10M ``mid_sized``, else ``small`` -- graphkit's
                        severity rule treats small clients as least able to
                        recover, which fits small programmes.
(Item, Country)         product ``<item-slug>--<country-slug>``, owned by the
                        country, named "<Item Description> — <Country>",
                        stage ``commercial``. One product per country and
                        item, so a site that is the only maker of an item
                        for a country is a single point of failure *for that
                        country's* supply, and the analyses report how many
                        countries each site or vendor can cut off.
                        Supply: step ``drug_product`` from every site that
                        ever made the item for the country (all qualified);
                        distributors: every vendor that ever delivered it
                        there (territory = the country).
                        ``annual_revenue`` = summed Line Item Value.
Dosage Form             technology: tablets (plain, FDC, chewable,
                        dispersible, blister) -> ``tablet``; capsules
                        (delayed-release too) -> ``capsule``; injections and
                        IV infusions -> ``aseptic_fill``; oral solutions,
                        suspensions and powders -> ``sachet`` (the
                        vocabulary has no oral liquid; ``sachet`` is the
                        nearest non-sterile oral form, and graphkit uses
                        technology only through its sterile flag).
Test kits               ("Test kit", "Test kit - Ancillary": HIV and malaria
                        rapid tests) are not medicines and have no technology
                        in graphkit's vocabulary: skipped by default; with
                        ``include_test_kits`` they are imported like the
                        medicines with technology ``sachet`` (rapid tests
                        come as individually foil-pouched devices;
                        non-sterile, so severity is unaffected).
(Country, Vendor)       contract, ``annual_value`` = summed Line Item Value
                        in USD.
======================  =====================================================

Caveats, stated so nobody over-reads the results:

* **Values are totals over the whole file (2006-2015), not per year**:
  contract ``annual_value`` and product ``annual_revenue`` hold the summed
  line values. Shares, HHI and rankings are unaffected; absolute amounts are
  about nine years' worth.
* Contracts are with vendors only (the party paid). Manufacturing sites get
  no contracts -- adding them would count every dollar twice in each
  country's spend -- so their customer concentration falls back to product
  counts (graphkit says so: basis ``product_count``).
* The model says a product needs (any one of its sites) AND (any one of its
  vendors); the data only show which site/vendor pairs actually shipped
  together. Any surviving site with any surviving vendor counts as supply,
  so the single points of failure reported are certain ones, never
  invented ones.
* Names are kept as found: near-duplicates ("Orasure Technologies, Inc" and
  "... Inc USA", mis-encoded "GrÃ¸nland") stay separate nodes, which can
  make an item look dual-sourced when one plant made it.

The mapping is ``graphkit/importers/presets/scms.yaml`` (shipped as
``examples/scms-mapping.yaml``): this module is a preset over the generic
ledger importer (:mod:`graphkit.importers.ledger`), which also records each
record's provenance (rows and delivery dates) in ``source``.

File quirks handled: UTF-8 with a byte-order mark, carriage-return-only line
endings (read with the csv module and ``newline=''``), text in numeric columns
("Freight Included in Commodity Cost", "See ASN-93 (ID#:1281)", "Weight
Captured Separately") -- only Line Item Value is read as a number (with
thousands separators allowed); the freight, weight and insurance columns are
not used. The file is streamed: only the per-pair sums are kept in memory.
"""

from __future__ import annotations

import os
from dataclasses import replace
from importlib import resources
from pathlib import Path

from ..problems import GraphkitError
from . import ImportResult
from .ledger import LedgerResult, import_ledger
from .mapping import LedgerMapping, load_mapping

__all__ = ["MAPPING", "import_scms", "scms_mapping"]

MAPPING = "presets/scms.yaml"


def scms_mapping(include_test_kits: bool = False) -> tuple[LedgerMapping, object]:
    """The preset mapping (and its locator); with `include_test_kits` without
    the filter that leaves the rapid test kits out."""
    with resources.as_file(resources.files(__package__) / MAPPING) as path:
        mapping, locate = load_mapping(Path(path))
    if include_test_kits:
        mapping = mapping.model_copy(update={"filters": []})
    return mapping, locate


def import_scms(path: str | os.PathLike[str], include_test_kits: bool = False) -> ImportResult:
    """Read the SCMS delivery history CSV and map it to portfolio records.

    Raises
    ------
    GraphkitError
        The file cannot be read, lacks a needed column (PortfolioError
        located in the mapping), or rows have empty needed fields, unknown
        dosage forms or Line Item Values that are not non-negative numbers
        (PortfolioError, counted per column with example rows; the header
        is row 1).
    """
    mapping, locate = scms_mapping(include_test_kits)
    result: LedgerResult = import_ledger([Path(path)], mapping, mapping_locate=locate)
    c = result.counts
    if not c.get("imported_rows"):
        raise GraphkitError(f"{result.source}: no shipment rows to import")
    kits = sum(c["filtered"].values())
    ids = dict(result.ids)
    ids.update(
        site=ids.pop("provider"),
        vendor=ids.pop("distributor"),
        country=ids.pop("client"),
        item=ids.pop("product.Item Description"),
    )
    counts = {
        "rows": c["rows"],
        "imported_rows": c["imported_rows"],
        "skipped_test_kit_rows": kits,
        "rows_without_site": c.get("rows_without_provider", 0),
        "sites": c["providers"],
        "vendors": c["distributors"],
        "countries": c["clients"],
        "items": len(ids["item"]),
        "products": c["products"],
        "contracts": c["contracts"],
        "total_value": c["total_value"],
    }
    skipped = f" ({kits:,} test-kit rows skipped)" if kits else ""
    summary = (
        f"SCMS (USAID): {c['rows']:,} rows read, {c['imported_rows']:,} imported{skipped}: "
        f"{c['providers']} manufacturing sites, {c['distributors']} vendors, {c['clients']} countries, "
        f"{counts['items']} items -> {c['products']} products, {c['contracts']} contracts "
        f"worth {c['total_value'] / 1e6:,.1f}M USD (2006-2015 total)"
    )
    return replace(result, ids=ids, counts=counts, summary=summary, report=[summary])
