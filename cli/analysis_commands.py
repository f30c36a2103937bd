"""Commands that analyse portfolios: analyze, whatif, diff."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import click

from graphkit.analysis import ANALYSES, Analysis, Severity, findings
from graphkit.heap import paused
from graphkit.problems import ExitCode
from graphkit.text import humanize, market_name

from .analysis_render import render_analysis, timeline_block, top_fields
from .common import (
    PORTFOLIO,
    WEEKS,
    PortfolioSource,
    bands_option,
    exit_with,
    limit_option,
    load,
    open_store,
    portfolio_source,
    recovery_option,
    run_analyses,
)
from .json_writer import write_json
from .output import format_option, render_rows, to_json
from .progress import Progress, progress_option

if TYPE_CHECKING:
    from graphkit.analysis import Bands
    from graphkit.model import Portfolio

SEVERITIES = [str(s) for s in Severity]


def parse_only(_ctx: click.Context, _param: click.Parameter, value: str | None) -> tuple[str, ...]:
    if not value:
        return ANALYSES
    chosen = tuple(v.strip() for v in value.split(",") if v.strip())
    unknown = [c for c in chosen if c not in ANALYSES]
    if unknown:
        raise click.BadParameter(f"unknown analysis {', '.join(unknown)}; choose from {', '.join(ANALYSES)}")
    return chosen


@click.command("analyze")
@portfolio_source
@click.option(
    "--only",
    callback=parse_only,
    metavar="LIST",
    help="Comma-separated analyses to run: spof, overlap, concentration (default: all).",
)
@format_option
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the output to this file (whole or not at all) instead of stdout.",
)
@click.option(
    "--fail-on",
    type=click.Choice(SEVERITIES),
    metavar="SEVERITY",
    help=f"Exit with code {int(ExitCode.FINDINGS)} when a finding at or above this severity exists "
    f"({', '.join(SEVERITIES)}).",
)
@bands_option
@recovery_option
@limit_option
@click.option(
    "--pairs",
    type=click.IntRange(min=0),
    metavar="N",
    help="List only the N double failures with the most added revenue at risk (all are computed and counted).",
)
@click.option(
    "--top-json",
    is_flag=True,
    help="Apply --top to JSON too: each list the table shows keeps the rows it shows, "
    "with <list>_total saying how many there are.",
)
@click.option(
    "--similar",
    type=click.IntRange(min=1),
    metavar="K",
    help="Partner similarity: keep each partner's K most similar partners (default: every pair sharing a requirement).",
)
@click.option("--write-back", is_flag=True, help="Store the findings in Neo4j as properties for Cypher (with --neo4j).")
@progress_option
def analyze_command(
    portfolio: PortfolioSource,
    only: tuple[str, ...],
    fmt: str,
    output: Path | None,
    fail_on: str | None,
    bands: Bands,
    recovery_weeks: float | None,
    limit: int,
    top_json: bool,
    pairs: int | None,
    similar: int | None,
    write_back: bool,
    progress: bool | None,
) -> None:
    """Find single points of failure, requirement overlaps and conflicts, and
    customer concentration.

    Every finding has a severity and a one-line explanation. JSON output is
    one object with keys spof, overlap and concentration (see the README),
    written section by section as each analysis finishes; CSV output is the
    flat list of findings. Each phase is reported on stderr when stderr is
    a terminal (or with --progress).

    \b
    Examples:
      graphkit analyze examples/portfolio.yaml
      graphkit analyze examples/portfolio.yaml --only spof --format json
      graphkit analyze examples/portfolio.yaml --pairs 10
      graphkit analyze big.json --format json -o results.json --progress
      graphkit analyze portfolio.xlsx --fail-on high --format csv > findings.csv
      graphkit analyze --neo4j --write-back
    """
    if write_back and portfolio.neo4j is None:
        raise click.UsageError("--write-back stores the findings in the Neo4j portfolio: use it with --neo4j")
    if top_json and fmt != "json":
        raise click.UsageError("--top-json cuts the JSON output: use it with --format json")
    tell = Progress(progress)
    p = portfolio.load(tell)
    done: dict[str, Any] = {}
    # JSON alone needs no result once written: each is let go before the next is built.
    keep = fmt != "json" or write_back or fail_on

    def sections() -> Iterator[tuple[str, Any]]:
        from graphkit.analysis import analyses
        from graphkit.fingerprint import FINGERPRINT_KEY, fingerprint

        streamed = not keep and not (top_json and limit)  # spof's lists each let go once written
        for name, result in analyses(p, only, bands, tell, pairs, recovery_weeks, similar, streamed):
            if keep:
                done[name] = result
            if fmt == "json":
                tell(f"writing {name}")
            yield name, top_fields(name, result, limit) if top_json and limit else result
            del result
        tell("fingerprint")
        done["fingerprint"] = fingerprint(p)
        yield FINGERPRINT_KEY, done["fingerprint"]

    def write(out: TextIO) -> None:
        if fmt == "json":  # each analysis written as soon as it is done
            write_json(out, sections())
        else:
            for _ in sections():
                pass
            tell("writing")
            out.write(render_analysis(Analysis(**done), fmt, limit))
        out.write("\n")

    # The collector stays paused until the last section is written, not only inside each
    # analysis: the analyses and the writing make millions of acyclic objects, and each
    # time it ran between them it walked them all (a tenth of the CPU at 1M, nothing freed).
    with paused():
        if output is None:
            write(sys.stdout)
            sys.stdout.flush()
        else:
            from graphkit.io import atomic_path

            with atomic_path(output) as tmp, open(tmp, "w", encoding="utf-8") as out:
                write(out)
    results = Analysis(**done)
    if write_back:
        assert portfolio.neo4j is not None
        tell("writing back to Neo4j")
        with open_store(portfolio.neo4j) as store:
            written = store.write_back(results.as_dict())
        click.echo(
            f"findings written back to {portfolio.name}: {written.nodes} node(s) and "
            f"{written.relationships} relationship(s) flagged",
            err=True,
        )
    tell("done")
    if fail_on:
        threshold = Severity.parse(fail_on)
        worst = [f for f in findings(results) if f.severity >= threshold]
        if worst:
            exit_with(ExitCode.FINDINGS, f"{len(worst)} finding(s) at or above {fail_on}")


def parse_source(_ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]) -> list[tuple[str, str, str]]:
    out = []
    for v in values:
        parts = [p.strip() for p in v.split(":")]
        if len(parts) != 3 or not all(parts):
            raise click.BadParameter(f"'{v}' is not PRODUCT:STEP:PROVIDER")
        out.append((parts[0], parts[1], parts[2]))
    return out


@click.command("whatif")
@portfolio_source
@click.option("--fail", "fail", multiple=True, metavar="ID", help="A node that fails (repeat for several).")
@click.option(
    "--fail-group",
    "fail_groups",
    multiple=True,
    metavar="KEY=VALUE",
    help="Fail every provider of a country or corporate parent at once: country=IN, parent=Acme (repeatable).",
)
@click.option(
    "--add-source",
    "add_sources",
    multiple=True,
    callback=parse_source,
    metavar="PRODUCT:STEP:PROVIDER",
    help="Add a qualified source for a product step (repeatable).",
)
@click.option(
    "--recovery-weeks",
    type=WEEKS,
    metavar="N",
    help="Every failed node is back after N weeks (instead of its own recovery_weeks).",
)
@click.option(
    "--inventory-weeks",
    type=WEEKS,
    metavar="N",
    help="Every lost market holds N weeks of stock (instead of its recorded inventory_weeks).",
)
@click.option("--merge-clients", metavar="A,B", help="Show each provider's HHI change if clients A and B merge.")
@format_option
def whatif_command(
    portfolio: PortfolioSource,
    fail: tuple[str, ...],
    fail_groups: tuple[str, ...],
    add_sources: list[tuple[str, str, str]],
    recovery_weeks: float | None,
    inventory_weeks: float | None,
    merge_clients: str | None,
    fmt: str,
) -> None:
    """Ask what a failure (or a merger) would do.

    Fail any set of nodes, optionally with added qualified second sources,
    and see the products lost or saved, the clients, partners and revenue
    affected, the timeline of each lost market (from which week it runs
    short, for how long, what brings it back, the revenue lost), how
    customer concentration changes, and which client-provider relationships
    are left without a contact when liaisons fail.

    \b
    Examples:
      graphkit whatif examples/portfolio.yaml --fail cmo-northbridge
      graphkit whatif examples/portfolio.yaml --fail cmo-northbridge --recovery-weeks 12 --inventory-weeks 8
      graphkit whatif examples/portfolio.yaml --fail-group country=DE
      graphkit whatif examples/portfolio.yaml --fail cmo-kestrel \\
          --add-source prod-sterisol:fill_finish:cmo-harborfill
      graphkit whatif examples/portfolio.yaml --merge-clients client-aurelia,client-helix
      graphkit whatif --neo4j --fail cmo-northbridge
    """
    if not fail and not fail_groups and not merge_clients:
        raise click.UsageError(
            "give --fail ID or --fail-group KEY=VALUE (and optionally --add-source) or --merge-clients A,B"
        )
    from graphkit.analysis.concentration import concentration_change
    from graphkit.analysis.joint import group_members
    from graphkit.analysis.relationships import contacts_lost
    from graphkit.analysis.spof import whatif as run_whatif

    if (recovery_weeks is not None or inventory_weeks is not None) and not (fail or fail_groups):
        raise click.UsageError("--recovery-weeks and --inventory-weeks time a failure: give --fail or --fail-group")
    p = portfolio.load()
    fail = tuple(dict.fromkeys((*fail, *group_members(p, fail_groups))))
    report = run_whatif(p, list(fail), add_sources, recovery_weeks, inventory_weeks) if fail else None
    change = concentration_change(p, set(fail)) if fail else []
    orphaned = [
        {"client": client, "provider": provider, "liaisons": list(people)}
        for client, provider, people in contacts_lost(p, set(fail))
    ]
    merged = None
    if merge_clients:
        names = [n.strip() for n in merge_clients.split(",")]
        if len(names) != 2:
            raise click.BadParameter("give two client ids, e.g. client-a,client-b", param_hint="--merge-clients")
        merged = merge_clients_rows(p, *names)
    if fmt == "json":
        out: dict[str, Any] = {}
        if report is not None:
            out["failure"] = report.as_dict()
            out["concentration_change"] = change
            out["contacts_lost"] = orphaned
        if merged is not None:
            out["merge"] = merged
        click.echo(to_json(out))
        return
    blocks = []
    if report is not None:
        facts = [{"": humanize(name), "value": _fact(getattr(report, name))} for name in _WHATIF_FACTS]
        why = [{"product": product, "why": reason} for product, reason in report.explanations]
        blocks += [render_rows(facts, fmt), render_rows(why, fmt) if why else "", "\n".join(report.notes)]
        if report.timeline:
            blocks.append(timeline_block(report, fmt))
        if change:
            blocks.append(render_rows(change, fmt))
        if orphaned:
            blocks.append(f"Relationships left without a contact ({len(orphaned)})\n" + render_rows(orphaned, fmt))
    if merged is not None:
        blocks.append(render_rows(merged, fmt))
    click.echo("\n\n".join(b for b in blocks if b))


# The what-if facts the text formats list, in order (fields of WhatIfReport).
_WHATIF_FACTS = (
    "failed",
    "markets_lost",
    "products_lost",
    "products_saved",
    "products_gained",
    "clients_affected",
    "partners_affected",
    "revenue_at_risk",
    "loss",
    "providers_down",
)


def _fact(value: Any) -> Any:
    """A fact's cell: (product, market) pairs as market names."""
    if isinstance(value, tuple) and value and isinstance(value[0], tuple):
        return ", ".join(market_name(product, market) for product, market in value)
    return value


def merge_clients_rows(p: Portfolio, a: str, b: str) -> list[dict[str, Any]]:
    from graphkit.analysis.concentration import merge_clients

    return [
        {
            k: r[k]
            for k in ("provider", "hhi_before", "hhi_after", "change", "class_before", "class_after", "explanation")
        }
        for r in merge_clients(p, a, b)
    ]


@click.command("diff")
@click.argument("old", type=PORTFOLIO)
@click.argument("new", type=PORTFOLIO)
@format_option
def diff_command(old: Path, new: Path, fmt: str) -> None:
    """Show how the findings changed between two portfolio snapshots.

    Each finding is added, removed, or changed in severity or explanation.

    \b
    Examples:
      graphkit diff portfolio-2025.yaml portfolio-2026.yaml
      graphkit diff old.xlsx new.xlsx --format csv > changes.csv
    """
    before = {(f.analysis, f.finding, f.subject): f for f in findings(run_analyses(load(old)))}
    after = {(f.analysis, f.finding, f.subject): f for f in findings(run_analyses(load(new)))}
    rows = []
    for key in sorted(before.keys() | after.keys()):
        b, a = before.get(key), after.get(key)
        if b and a and (b.severity, b.explanation) == (a.severity, a.explanation):
            continue
        latest = a or b
        assert latest is not None  # the key came from one of the two
        change = "added" if not b else "removed" if not a else "changed"
        rows.append(
            {
                "change": change,
                "analysis": key[0],
                "finding": key[1],
                "subject": key[2],
                "severity_before": str(b.severity) if b else None,
                "severity_after": str(a.severity) if a else None,
                "explanation": latest.explanation,
            }
        )
    if fmt == "table" and not rows:
        click.echo("no changes in findings")
        return
    click.echo(render_rows(rows, fmt))


COMMANDS = [analyze_command, whatif_command, diff_command]
