"""The relationships command: the scorecard of every client–provider relationship."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from graphkit.analysis.relationships import Thresholds

from .common import PortfolioSource, limit_option, open_store, portfolio_source
from .output import format_option, more_rows, render_rows, to_json

if TYPE_CHECKING:
    from graphkit.analysis.relationships import RelationshipsResult

# Terminal tables cut explanations to this width; other formats keep them whole.
_WIDTH = 120


def _share(ctx: click.Context, param: click.Parameter, value: float | None) -> float | None:
    if value is not None and not 0 <= value <= 100:
        raise click.BadParameter(f"{value} is not a percentage between 0 and 100")
    return None if value is None else value / 100


def _threshold(name: str, what: str) -> Any:
    default = f"{100 * getattr(Thresholds(), name):g}"
    return click.option(
        f"--{name.replace('_', '-')}",
        name,
        type=float,
        callback=_share,
        metavar="PERCENT",
        help=f"{what} (default {default}).",
    )


@click.command("relationships")
@portfolio_source
@click.option(
    "--skills",
    "skills_file",
    type=click.Path(path_type=Path, dir_okay=False),
    metavar="FILE",
    help="A skills mapping (YAML, the layout of the shipped one) to use instead of graphkit's.",
)
@_threshold("spend_share", "Weak leverage: the provider's share of the client's spend, at least")
@_threshold("revenue_share", "Weak leverage: the client's share of the provider's revenue, below")
@_threshold("major_share", "Priority conflict: a client below this share of revenue weighs little")
@_threshold("high_utilisation", "Capacity is short at or above this utilisation")
@_threshold("cliff_share", "A contract carrying this share of the provider's revenue makes a cliff")
@format_option
@limit_option
@click.option(
    "--write-back", is_flag=True, help="Store the scorecard in Neo4j as properties for Cypher (with --neo4j)."
)
def relationships_command(
    portfolio: PortfolioSource,
    skills_file: Path | None,
    fmt: str,
    limit: int,
    write_back: bool,
    **shares: float | None,
) -> None:
    """Score every client–provider relationship: liaisons and their skills,
    leverage both ways, capacity and hybrid priority, contract terms.

    Each relationship gets its findings, one severity and one explanation.
    JSON output is the whole result (scorecard, one_liaison_backups,
    utilisation, renewals, cliffs); CSV output is the scorecard.

    \b
    Examples:
      graphkit relationships examples/portfolio.yaml
      graphkit relationships examples/portfolio.yaml --format json
      graphkit relationships portfolio.xlsx --skills our-skills.yaml --spend-share 40
      graphkit relationships --neo4j --format csv > scorecard.csv
      graphkit relationships --neo4j --write-back
    """
    from graphkit.analysis.relationships import relationships
    from graphkit.analysis.skills import load_skills

    skills = load_skills(skills_file) if skills_file else None
    thresholds = Thresholds(**{k: v for k, v in shares.items() if v is not None})
    if write_back and portfolio.neo4j is None:
        raise click.UsageError("--write-back stores the scorecard in the Neo4j portfolio: use it with --neo4j")
    loaded = portfolio.load()
    result = relationships(loaded, skills, thresholds)
    click.echo(render_relationships(result, fmt, limit))
    if write_back:
        from graphkit.fingerprint import fingerprint

        assert portfolio.neo4j is not None
        with open_store(portfolio.neo4j) as store:
            done = store.write_relationships(result, fingerprint(loaded))
        click.echo(
            f"scorecard written back to {portfolio.name}: {done.relationships} relationship(s) and "
            f"{done.nodes} provider(s)",
            err=True,
        )


def scorecard_rows(result: RelationshipsResult) -> list[dict[str, Any]]:
    return [
        {
            "severity": str(r.severity),
            "client": r.client,
            "provider": r.provider,
            "liaisons": list(r.liaisons),
            "client_share_of_provider": r.client_share_of_provider,
            "provider_share_of_client": r.provider_share_of_client,
            "skills_missing": list(r.skills_missing),
            "findings": [str(f.rule) for f in r.findings],
            "explanation": r.explanation,
        }
        for r in result.scorecard
    ]


def render_relationships(result: RelationshipsResult, fmt: str, limit: int = 0) -> str:
    """The result in one format: JSON whole, CSV the scorecard, table and
    Markdown a section per list (`limit` rows each, 0: all)."""
    from graphkit.text import percent

    if fmt == "json":
        return to_json(result.as_dict())
    rows = scorecard_rows(result)
    if fmt == "csv":
        return render_rows(rows, "csv")
    # Text formats: the findings' words are in the explanation; shares and skills stay in CSV and JSON.
    brief = [
        {
            "severity": r["severity"],
            "client": r["client"],
            "provider": r["provider"],
            "contacts": len(r["liaisons"]),
            "findings": r["findings"],
            "explanation": _cut(r["explanation"]) if fmt == "table" else r["explanation"],
        }
        for r in rows
    ]
    sections = [
        ("Relationship scorecard", brief),
        (
            "One liaison behind sources that back each other up",
            [
                {
                    "severity": str(b.severity),
                    "liaison": b.liaison,
                    "product": b.product,
                    "step": b.step,
                    "providers": list(b.providers),
                }
                for b in result.one_liaison_backups
            ],
        ),
        (
            "Utilisation (batches a year)",
            [
                {
                    "provider": u.provider,
                    "capacity": u.capacity,
                    "volume": u.volume,
                    "utilisation": u.utilisation and percent(u.utilisation),
                    "by_technology": u.by_technology,
                    "unknown_volume": u.unknown_volume,
                    "high": u.high,
                }
                for u in result.utilisation
            ],
        ),
        (
            "Renewal calendar",
            [
                {
                    "end": r.end,
                    "notice_by": r.notice_by,
                    "client": r.client,
                    "provider": r.provider,
                    "auto_renew": r.auto_renew,
                    "annual_value": r.annual_value,
                    "currency": r.currency,
                }
                for r in result.renewals
            ],
        ),
        (
            "Cliff quarters",
            [{"severity": str(c.severity), "explanation": c.explanation} for c in result.cliffs],
        ),
    ]
    blocks = []
    for title, table in sections:
        shown = table[:limit] if limit else table
        more = more_rows(len(shown), len(table))
        if fmt == "markdown":
            body = render_rows(shown, "markdown") if shown else "_none_"
            blocks.append(f"## {title} ({len(table)})\n\n{body}" + (f"\n\n{more}" if more else ""))
        else:
            body = render_rows(shown, "table") if shown else "(none)"
            blocks.append(f"{title} ({len(table)})\n{body}" + (f"\n{more}" if more else ""))
    return "\n\n".join(blocks)


def _cut(text: str) -> str:
    return text if len(text) <= _WIDTH else text[: _WIDTH - 1].rstrip() + "…"


COMMANDS = [relationships_command]
