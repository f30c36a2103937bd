"""Commands that import data as portfolios: import ledger (any export, through a
mapping file), import scms, import willems."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from graphkit.vocabulary import Technology

from .common import OUTPUT, TO, report_problems

if TYPE_CHECKING:
    from graphkit.importers import ImportResult


def finish(result: ImportResult, output: Path | None, fmt: str | None) -> None:
    """Validate the imported records, write them atomically (unless `output`
    is None: a dry run), report."""
    from graphkit import write_portfolio

    portfolio, warnings = result.validated()
    report_problems(list(getattr(result, "warnings", ())) + warnings)
    if output is None:
        click.echo("\n".join(getattr(result, "report", None) or [result.summary]))
        click.echo("dry run: nothing was written")
        return
    write_portfolio(portfolio, output, fmt)
    for line in getattr(result, "report", None) or [result.summary]:
        click.echo(line, err=True)
    click.echo(str(output))


@click.group("import")
def import_group() -> None:
    """Turn real public supply-chain data into portfolios.

    \b
    Examples:
      graphkit import ledger po_lines.csv suppliers.csv --map erp-mapping.yaml -o erp.yaml
      graphkit import scms SCMS_Delivery_History_Dataset.csv -o scms.yaml
      graphkit import willems 22 --data-dir willems2008/ -o chain22.yaml
    """


@import_group.command("ledger")
@click.argument("files", metavar="FILE...", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--map",
    "mapping",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The mapping file (YAML) saying what each column means.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="Where to write: .yaml, .json, .xlsx, or a folder for CSV files.",
)
@TO
@click.option("--dry-run", is_flag=True, help="Show what would be created, merged and skipped; write nothing.")
def ledger_command(files: tuple[Path, ...], mapping: Path, output: Path | None, fmt: str | None, dry_run: bool) -> None:
    """Import order, purchasing or shipment exports through a mapping file.

    FILE... are CSV files (any delimiter, with or without a byte-order mark)
    or .xlsx workbooks, in the order the mapping's `files` lists them: the
    lines first, then master tables joined to them (a supplier master...).
    Every record keeps its provenance (file, rows, dates) in `source`. Bad
    cells are counted per column with example rows; nothing is guessed.

    \b
    Examples:
      graphkit import ledger po_lines.csv suppliers.csv --map erp-mapping.yaml --dry-run
      graphkit import ledger po_lines.csv suppliers.csv --map erp-mapping.yaml -o erp.yaml
      graphkit import ledger SCMS_Delivery_History_Dataset.csv --map scms-mapping.yaml -o scms.yaml
    """
    if output is None and not dry_run:
        raise click.UsageError("give -o/--output, or --dry-run")
    from graphkit.importers import import_ledger

    finish(import_ledger(files, mapping), None if dry_run else output, fmt)


@import_group.command("scms")
@click.argument("csv_file", metavar="CSV", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@OUTPUT
@TO
@click.option(
    "--include-test-kits", is_flag=True, help="Also import the HIV and malaria rapid test kits (technology sachet)."
)
def scms_command(csv_file: Path, output: Path, fmt: str | None, include_test_kits: bool) -> None:
    """Import the USAID SCMS delivery history (PEPFAR HIV/AIDS medicines, 2006-2015).

    Manufacturing sites become CMOs (step drug_product), vendors distributors,
    destination countries clients owning one product per item they received,
    and summed line values per country and vendor contracts (2006-2015 totals,
    USD). Test kits are skipped unless asked for. Data: USAID/SCMS.

    \b
    Examples:
      graphkit import scms SCMS_Delivery_History_Dataset.csv -o scms.yaml
      graphkit import scms SCMS_Delivery_History_Dataset.csv -o scms.json --include-test-kits
      graphkit analyze scms.yaml --only spof
    """
    from graphkit.importers import import_scms

    finish(import_scms(csv_file, include_test_kits=include_test_kits), output, fmt)


@import_group.command("willems")
@click.argument("chain", metavar="CHAIN_NUMBER_OR_SD_FILE")
@OUTPUT
@TO
@click.option(
    "--data-dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Folder holding NN_SD.csv and NN_LL.csv when CHAIN is a number (default: the current folder).",
)
@click.option(
    "--technology",
    type=click.Choice([str(t) for t in Technology]),
    default="tablet",
    show_default=True,
    help="Technology of the products (the data set does not say).",
)
def willems_command(chain: str, output: Path, fmt: str | None, data_dir: Path | None, technology: str) -> None:
    """Import one of Willems' (2008) real multi-echelon supply chains.

    CHAIN is a chain number (its NN_SD.csv and NN_LL.csv are looked for in
    --data-dir) or an NN_SD.csv file (its NN_LL.csv beside it). Part and Manuf
    stages become CMOs, Dist and Trans stages distributors, every arc a feed
    of its own material (a stage needs all its inputs), Retail stages and
    other demand points products of one client. Chain 22 is a pharmaceutical
    company. Data: Willems, S. P. (2008), M&SOM 10(1):19-23.

    \b
    Examples:
      graphkit import willems 22 --data-dir willems2008/ -o chain22.yaml
      graphkit import willems willems2008/08_SD.csv -o chain08.json --technology aseptic_fill
      graphkit analyze chain22.yaml --only spof
    """
    from graphkit.importers import import_willems

    finish(import_willems(chain, data_dir, technology), output, fmt)


COMMANDS = [import_group]
