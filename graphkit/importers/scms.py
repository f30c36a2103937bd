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

File quirks handled: UTF-8 with a byte-order mark, carriage-return-only line
endings (read with the csv module and ``newline=''``), text in numeric columns
("Freight Included in Commodity Cost", "See ASN-93 (ID#:1281)", "Weight
Captured Separately") -- only Line Item Value is read as a number (with
thousands separators allowed); the freight, weight and insurance columns are
not used. The file is streamed: only the per-pair sums are kept in memory.
"""

from __future__ import annotations

import csv
import os
from collections import defaultdict
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from ..problems import GraphkitError
from . import ImportResult, readable_ids

__all__ = ["COLUMNS", "LARGE_PROGRAMME", "MID_PROGRAMME", "TEST_KIT", "import_scms", "segment_of", "technology_of"]

COLUMNS = ("Country", "Vendor", "Item Description", "Dosage Form", "Manufacturing Site", "Line Item Value")
NO_SITE = frozenset({"", "not applicable", "n/a", "na", "unknown"})
LARGE_PROGRAMME = Decimal(100_000_000)
MID_PROGRAMME = Decimal(10_000_000)
TEST_KIT = "test_kit"  # technology_of's answer for diagnostic test kits
KIT_TECHNOLOGY = "sachet"
STEP = "drug_product"

# (keyword in the lowercased dosage form, technology), first match wins.
_FORMS = (
    ("test kit", TEST_KIT),
    ("inject", "aseptic_fill"),
    ("infusion", "aseptic_fill"),
    ("capsule", "capsule"),
    ("caplet", "caplet"),
    ("tablet", "tablet"),
    ("powder", "sachet"),
    ("solution", "sachet"),
    ("suspension", "sachet"),
    ("syrup", "sachet"),
    ("sachet", "sachet"),
)


def technology_of(dosage_form: str) -> str | None:
    """graphkit technology of an SCMS dosage form; ``TEST_KIT`` for test kits,
    None when unknown.

    >>> technology_of("Chewable/dispersible tablet - FDC"), technology_of("Oral suspension")
    ('tablet', 'sachet')
    >>> technology_of("Test kit - Ancillary") == TEST_KIT
    True
    """
    form = dosage_form.lower()
    for keyword, technology in _FORMS:
        if keyword in form:
            return technology
    return None


def segment_of(programme_value: Decimal) -> str:
    """Client segment of a country programme by its total line value (USD)."""
    if programme_value >= LARGE_PROGRAMME:
        return "large"
    if programme_value >= MID_PROGRAMME:
        return "mid_sized"
    return "small"


def _amount(text: str) -> Decimal | None:
    try:
        value = Decimal(text.strip().replace(",", ""))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _money(value: Decimal) -> float | int:
    """A Decimal amount as written in a portfolio (cents at most)."""
    q = value.quantize(Decimal("0.01"))
    return int(q) if q == q.to_integral_value() else float(q)


def import_scms(path: str | os.PathLike[str], include_test_kits: bool = False) -> ImportResult:
    """Read the SCMS delivery history CSV and map it to portfolio records.

    Raises
    ------
    GraphkitError
        The file cannot be read, lacks a needed column, or a row has an empty
        needed field, an unknown dosage form or a Line Item Value that is not
        a non-negative number (the message names the file and row; the header
        is row 1).
    """
    path = Path(path)
    source = str(path)
    # (country, item) -> sites, vendors, value; (country, vendor) -> value
    product_sites: dict[tuple[str, str], dict[str, None]] = defaultdict(dict)
    product_vendors: dict[tuple[str, str], dict[str, None]] = defaultdict(dict)
    product_value: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    contract_value: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    programme_value: dict[str, Decimal] = defaultdict(Decimal)
    item_technology: dict[str, str] = {}
    site_technologies: dict[str, set[str]] = defaultdict(set)
    rows = skipped_kits = no_site = 0
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            header = reader.fieldnames
            if not header:
                raise GraphkitError(f"{source}: empty file, expected the SCMS delivery history CSV")
            header = [h.strip() for h in header]
            reader.fieldnames = header
            missing = [c for c in COLUMNS if c not in header]
            if missing:
                raise GraphkitError(
                    f"{source} row 1: missing column(s) {', '.join(repr(c) for c in missing)}; "
                    "is this the SCMS delivery history CSV?"
                )
            for row in reader:
                rows += 1
                where = f"{source} row {reader.line_num}"
                fields = {c: (row.get(c) or "").strip() for c in COLUMNS}
                for c in ("Country", "Vendor", "Item Description", "Dosage Form", "Line Item Value"):
                    if not fields[c]:
                        raise GraphkitError(f"{where}: '{c}' is empty")
                value = _amount(fields["Line Item Value"])
                if value is None or value < 0:
                    raise GraphkitError(
                        f"{where}: Line Item Value '{fields['Line Item Value']}' is not a non-negative number"
                    )
                country, vendor, item = fields["Country"], fields["Vendor"], fields["Item Description"]
                programme_value[country] += value
                technology = technology_of(fields["Dosage Form"])
                if technology is None:
                    raise GraphkitError(
                        f"{where}: unknown Dosage Form '{fields['Dosage Form']}' "
                        "(expected tablets, capsules, oral liquids or powders, "
                        "injections or test kits)"
                    )
                if technology == TEST_KIT:
                    if not include_test_kits:
                        skipped_kits += 1
                        continue
                    technology = KIT_TECHNOLOGY
                item_technology.setdefault(item, technology)
                key = (country, item)
                site = fields["Manufacturing Site"]
                if site.lower() in NO_SITE:
                    no_site += 1
                else:
                    product_sites[key][site] = None
                    site_technologies[site].add(item_technology[item])
                product_vendors[key][vendor] = None
                product_value[key] += value
                contract_value[(country, vendor)] += value
    except FileNotFoundError:
        raise GraphkitError(f"{source}: no such file") from None
    except IsADirectoryError:
        raise GraphkitError(f"{source}: is a folder, expected the SCMS delivery history CSV") from None
    except UnicodeDecodeError as exc:
        raise GraphkitError(f"{source}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except csv.Error as exc:
        raise GraphkitError(f"{source}: malformed CSV: {exc}") from None
    if not product_value:
        raise GraphkitError(
            f"{source}: no shipment rows to import"
            + (
                ""
                if include_test_kits or not skipped_kits
                else f" ({skipped_kits} test-kit rows skipped; use include_test_kits)"
            )
        )

    countries = sorted({c for c, _ in product_value})
    sites = sorted({s for ss in product_sites.values() for s in ss})
    vendors = sorted({v for vs in product_vendors.values() for v in vs})
    items = sorted({i for _, i in product_value})
    ids = {
        "country": readable_ids(countries, "country-"),
        "site": readable_ids(sites, "site-"),
        "vendor": readable_ids(vendors, "vendor-"),
        "item": readable_ids(items),
    }
    cid, sid, vid, iid = ids["country"], ids["site"], ids["vendor"], ids["item"]
    product_ids = {key: f"{iid[key[1]]}--{cid[key[0]].removeprefix('country-')}" for key in product_value}
    ids["product"] = {f"{item} — {country}": pid for (country, item), pid in product_ids.items()}

    providers: list[dict[str, Any]] = [
        {"id": sid[s], "name": s, "kind": "cmo", "services": [STEP], "technologies": sorted(site_technologies[s])}
        for s in sorted(sites, key=sid.__getitem__)
    ]
    providers += [
        {"id": vid[v], "name": v, "kind": "distributor", "services": ["distribution"]}
        for v in sorted(vendors, key=vid.__getitem__)
    ]
    clients = [
        {"id": cid[c], "name": c, "segment": segment_of(programme_value[c])}
        for c in sorted(countries, key=cid.__getitem__)
    ]
    products = []
    for key in sorted(product_value, key=product_ids.__getitem__):
        country, item = key
        products.append(
            {
                "id": product_ids[key],
                "name": f"{item} — {country}",
                "technology": item_technology[item],
                "stage": "commercial",
                "owner": cid[country],
                "annual_revenue": _money(product_value[key]),
                "supply": [
                    {"provider": sid[s], "step": STEP, "qualified": True}
                    for s in sorted(product_sites.get(key, ()), key=sid.__getitem__)
                ],
                "distributors": [
                    {"distributor": vid[v], "territory": country}
                    for v in sorted(product_vendors[key], key=vid.__getitem__)
                ],
            }
        )
    contracts = [
        {"client": cid[c], "provider": vid[v], "annual_value": _money(value), "currency": "USD"}
        for (c, v), value in sorted(contract_value.items(), key=lambda kv: (cid[kv[0][0]], vid[kv[0][1]]))
    ]

    total = sum(contract_value.values(), Decimal(0))
    counts = {
        "rows": rows,
        "imported_rows": rows - skipped_kits,
        "skipped_test_kit_rows": skipped_kits,
        "rows_without_site": no_site,
        "sites": len(sites),
        "vendors": len(vendors),
        "countries": len(countries),
        "items": len(items),
        "products": len(products),
        "contracts": len(contracts),
        "total_value": float(total),
    }
    skipped = f" ({skipped_kits:,} test-kit rows skipped)" if skipped_kits else ""
    summary = (
        f"SCMS (USAID): {rows:,} rows read, {rows - skipped_kits:,} imported{skipped}: "
        f"{len(sites)} manufacturing sites, {len(vendors)} vendors, {len(countries)} countries, "
        f"{len(items)} items -> {len(products)} products, {len(contracts)} contracts "
        f"worth {float(total) / 1e6:,.1f}M USD (2006-2015 total)"
    )
    return ImportResult(
        source,
        {"providers": providers, "clients": clients, "products": products, "contracts": contracts},
        ids,
        counts,
        summary,
    )
