"""Commands about portfolio files: validate, convert, generate."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from graphkit.problems import GraphkitError, printable
from graphkit.text import humanize

from .common import OUTPUT, PORTFOLIO, STRICT, TO, load
from .output import format_option, render_rows, to_json


@click.command()
@click.argument("portfolio", type=PORTFOLIO)
@format_option
@STRICT
def validate(portfolio: Path, fmt: str, strict: bool) -> None:
    """Check a portfolio and summarise what is in it.

    Every problem is reported at once with its file and line (or sheet and
    row); the exit code is 1 when any is an error (or, with --strict, a
    warning). Notes point at what may need a look and never fail.

    \b
    Examples:
      graphkit validate examples/portfolio.yaml
      graphkit validate portfolio.xlsx --format json
      graphkit validate examples/portfolio.yaml --strict
    """
    from graphkit import summarize

    summary = summarize(load(portfolio, strict, notes=True))
    if fmt == "json":
        click.echo(to_json(summary.as_dict()))
        return
    groups = summary.as_dict()
    if fmt == "table":
        click.echo(
            f"{printable(str(portfolio))}: valid, {sum(groups['nodes'].values())} nodes, "
            f"{sum(groups['relationships'].values())} relationships"
        )
        for group, counts in groups.items():
            line = ", ".join(f"{key} {n}" for key, n in sorted(counts.items()))
            click.echo(f"  {humanize(group) + ':':<17}{line}")
        return
    rows = [
        {"group": group, "value": key, "count": n}
        for group, counts in groups.items()
        for key, n in sorted(counts.items())
    ]
    click.echo(render_rows(rows, fmt))


@click.command()
@click.argument("portfolio", type=PORTFOLIO)
@OUTPUT
@TO
def convert(portfolio: Path, output: Path, fmt: str | None) -> None:
    """Convert a portfolio between YAML, JSON, a CSV folder and an .xlsx workbook.

    The input is validated first; nothing is written when it is invalid.

    \b
    Examples:
      graphkit convert examples/portfolio.yaml -o portfolio.xlsx
      graphkit convert portfolio.xlsx -o portfolio-csv/ --to csv
    """
    from graphkit import write_portfolio

    write_portfolio(load(portfolio), output, fmt)
    click.echo(str(output))


class _WithShares(click.Command):
    """`generate`'s help ends with the generator's own statement of its shares
    (read when the help is shown, so start-up does not load the generator)."""

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        from graphkit.generate import SHARES

        super().format_help_text(ctx, formatter)
        with formatter.section("Markets, filings, scoped feeds and time data (shares)"):
            for line in SHARES.splitlines():
                formatter.write_text(line)


@click.command(cls=_WithShares)
@click.option(
    "--scale", type=click.IntRange(min=1), help="About how many relationships to make (sets all node counts)."
)
@click.option("--providers", type=click.IntRange(min=1), help="Number of providers.")
@click.option("--clients", type=click.IntRange(min=1), help="Number of client companies.")
@click.option("--partners", type=click.IntRange(min=1), help="Number of marketing partners.")
@click.option("--products", type=click.IntRange(min=1), help="Number of products.")
@click.option("--seed", type=int, default=1, show_default=True, help="Random seed (same seed, same file).")
@OUTPUT
@TO
def generate(
    scale: int | None,
    providers: int | None,
    clients: int | None,
    partners: int | None,
    products: int | None,
    seed: int,
    output: Path,
    fmt: str | None,
) -> None:
    """Write a synthetic, reproducible portfolio of any size.

    It has realistic structure: heavy-tailed contract values, hybrids with own
    revenue, multi-tier feeds with shared upstream suppliers, unqualified
    backups, partners with overlapping and conflicting requirements, markets
    with their distributors and partners, filings and product-scoped feeds,
    recovery, bring-up and inventory weeks and corporate groups, in the
    shares listed below.

    \b
    Examples:
      graphkit generate --scale 10000 -o synthetic.yaml
      graphkit generate --scale 1000000 --seed 7 -o big.json
      graphkit generate --providers 50 --clients 10 --products 200 -o small.xlsx
    """
    from graphkit import write_records
    from graphkit.generate import GeneratorSpec, iter_records, relationships_of

    counts: dict[str, Any] = {
        k: v
        for k, v in dict(providers=providers, clients=clients, partners=partners, products=products).items()
        if v is not None
    }
    try:
        spec = GeneratorSpec.from_scale(scale, seed, **counts) if scale else GeneratorSpec(seed=seed, **counts)
    except ValueError as exc:
        raise GraphkitError(f"cannot generate: {exc}") from None
    expected = scale or spec.products * 12  # a product brings about a dozen relationships
    made = 0
    with click.progressbar(length=expected, label="generating relationships", file=sys.stderr, show_pos=True) as bar:

        def counted() -> Iterator[tuple[str, dict[str, Any]]]:
            nonlocal made
            for key, record in iter_records(spec):
                n = relationships_of(key, record)
                made += n
                bar.update(n)
                yield key, record

        write_records(counted(), output, fmt)
    click.echo(f"{made} relationships", err=True)
    click.echo(str(output))


COMMANDS = [validate, convert, generate]
