"""What every command shares: the group that turns graphkit's errors into
messages and exit codes, the options, and reading a portfolio (from a file or
from Neo4j) and analysing it.

Commands import from here and from `output`, never from each other or from
`main`, which only assembles them. The library is imported inside the
functions that use it, so `graphkit --help` and commands that need no
database, graph or spreadsheet do not load the Neo4j driver, NetworkX or
openpyxl.
"""

from __future__ import annotations

import functools
import gc
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from graphkit.defaults import FORMATS
from graphkit.heap import paused
from graphkit.problems import ExitCode, GraphkitError, PortfolioError, Problem, printable

if TYPE_CHECKING:
    from graphkit.analysis import Analysis, Bands
    from graphkit.model import Portfolio
    from graphkit.neo4j_store import Neo4jSettings, Neo4jStore

__all__ = [
    "CONTEXT",
    "OUTPUT",
    "PORTFOLIO",
    "TO",
    "WEEKS",
    "GraphkitGroup",
    "PortfolioSource",
    "bands_option",
    "recovery_option",
    "exit_with",
    "keep_read",
    "load",
    "neo4j_options",
    "open_store",
    "portfolio_source",
    "portfolio_then",
    "report_problems",
    "run_analyses",
]

F = TypeVar("F", bound=Callable[..., Any])
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
PORTFOLIO = click.Path(exists=True, path_type=Path)
OUTPUT = click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    required=True,
    help="Where to write: .yaml, .json, .xlsx, or a folder for CSV files.",
)
TO = click.option("--to", "fmt", type=click.Choice(FORMATS), help="Output format (default: from the name).")


# --------------------------------------------------------------------------
# errors and exit codes
# --------------------------------------------------------------------------


class GraphkitGroup(click.Group):
    """A click group that reports graphkit's errors without a traceback and
    exits with their `ExitCode` (errors in subcommands pass through it)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except PortfolioError as exc:
            report_problems(exc.problems)
            click.secho(printable(f"Error: {exc}; nothing was written."), fg="red", err=True)
            sys.exit(exc.exit_code)
        except GraphkitError as exc:
            click.secho(printable(f"Error: {exc}"), fg="red", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:  # writes are atomic: what was being written is gone
            click.secho("Error: interrupted; nothing was written.", fg="red", err=True)
            sys.exit(130)
        finally:
            gc.unfreeze()  # what `load` put out of the collector's sight is its again (tests run many commands)


def exit_with(code: ExitCode, message: str) -> None:
    """End the command with `code` after saying why on stderr."""
    click.echo(message, err=True)
    sys.exit(code)


_COLOUR = {"error": "red", "warning": "yellow", "note": None}


def report_problems(problems: list[Problem]) -> None:
    for p in problems:
        click.secho(printable(str(p)), fg=_COLOUR[p.severity], err=True)


STRICT = click.option(
    "--strict", is_flag=True, help="Treat warnings (e.g. a provider on a step outside its services) as errors."
)


def _checked(problems: list[Problem], strict: bool, source: str, notes: bool = False) -> list[Problem]:
    """The problems to show (notes only when asked: `validate` shows them);
    with `strict`, raises when any is a warning."""
    from graphkit.problems import strict as promoted

    if strict and any(p.severity == "warning" for p in problems):
        raise PortfolioError(promoted(problems), source)
    return [p for p in problems if notes or p.severity != "note"]


# --------------------------------------------------------------------------
# reading a portfolio
# --------------------------------------------------------------------------

# Files from this size on take seconds to read: say so on stderr.
LARGE_FILE = 5_000_000


def load(
    path: Path, strict: bool = False, notes: bool = False, progress: Callable[[str], None] | None = None
) -> Portfolio:
    """Read a portfolio, showing its warnings (with `notes`, its notes too; and,
    for large files, progress) on stderr; with `strict`, a warning fails the read.
    A `progress` hears the reading and what was read, whatever the size."""
    from graphkit import read_portfolio

    size = path.stat().st_size if path.is_file() else 0
    started = time.perf_counter()
    if progress is None and size >= LARGE_FILE:
        progress = functools.partial(click.echo, err=True)
    tell = progress or (lambda _text: None)
    tell(f"reading {path} ({size / 1e6:,.1f} MB)")
    portfolio, warnings = keep_read(lambda: read_portfolio(path))
    tell(f"read and validated {len(portfolio.nodes):,} nodes in {time.perf_counter() - started:.1f} s")
    report_problems(_checked(warnings, strict, str(path), notes))
    return portfolio


def keep_read(read: Callable[[], tuple[Portfolio, list[Problem]]]) -> tuple[Portfolio, list[Problem]]:
    """`read()` without the collector; the portfolio it returns lives as long as
    the command and holds no cycles: out of the collector's sight before it runs
    again, no collection walks its objects (the first one after reading would
    walk every one of them)."""
    with paused():
        result = read()
        gc.freeze()
    return result


def _connection_options(func: F) -> F:
    """--uri, --user, --password and --database, from NEO4J_URI, NEO4J_USERNAME,
    NEO4J_PASSWORD and NEO4J_DATABASE when not given."""
    for option in reversed(
        (
            click.option(
                "--uri",
                envvar="NEO4J_URI",
                default="neo4j://localhost:7687",
                show_default=True,
                show_envvar=True,
                help="Neo4j server: neo4j://, neo4j+s://, bolt:// or bolt+s://.",
            ),
            click.option(
                "--user",
                envvar="NEO4J_USERNAME",
                default="neo4j",
                show_default=True,
                show_envvar=True,
                help="Neo4j user name.",
            ),
            click.option(
                "--password",
                envvar="NEO4J_PASSWORD",
                show_envvar=True,
                help="Neo4j password (prefer the environment variable; asked for when missing).",
            ),
            click.option(
                "--database",
                envvar="NEO4J_DATABASE",
                default="neo4j",
                show_default=True,
                show_envvar=True,
                help="Neo4j database.",
            ),
        )
    ):
        func = option(func)
    return func


def _settings(uri: str, user: str, password: str | None, database: str) -> Neo4jSettings:
    from graphkit.neo4j_store import Neo4jSettings

    return Neo4jSettings(uri, user, password, database)


def neo4j_options(func: F) -> F:
    """The connection options, passed to the command as one
    `neo4j: Neo4jSettings` argument. A missing password is prompted for
    (never echoed) by `open_store`, only when a command connects."""

    @_connection_options
    @functools.wraps(func)
    def wrapper(*args: Any, uri: str, user: str, password: str | None, database: str, **kwargs: Any) -> Any:
        return func(*args, neo4j=_settings(uri, user, password, database), **kwargs)

    return wrapper  # type: ignore[return-value]


def open_store(settings: Neo4jSettings) -> Neo4jStore:
    """Connect, asking for the password on the terminal when none was given."""
    from graphkit.neo4j_store import Neo4jAuthError, Neo4jStore

    if settings.password is None:
        if not _interactive():
            raise Neo4jAuthError(f"no password for Neo4j user '{settings.user}': set NEO4J_PASSWORD or pass --password")
        password = click.prompt(f"Neo4j password for {settings.user} at {settings.uri}", hide_input=True, err=True)
        settings = replace(settings, password=password)
    return Neo4jStore(settings)


def _interactive() -> bool:
    return sys.stdin.isatty()


@dataclass
class PortfolioSource:
    """A portfolio file or a Neo4j database; `load()` reads and validates it.
    After a load from Neo4j, `neo4j` holds the settings actually used (with
    the password asked for, if it was), so a write-back does not ask again."""

    path: Path | None = None
    neo4j: Neo4jSettings | None = None
    strict: bool = False

    @property
    def name(self) -> str:
        if self.path is not None:
            return str(self.path)
        assert self.neo4j is not None
        return f"Neo4j {self.neo4j.describe()}"

    def load(self, progress: Callable[[str], None] | None = None) -> Portfolio:
        if self.path is not None:
            return load(self.path, self.strict, progress=progress)
        assert self.neo4j is not None
        if progress:
            progress(f"reading {self.name}")
        with open_store(self.neo4j) as store:
            portfolio, warnings = keep_read(store.read)
            self.neo4j = store.settings
        report_problems(_checked(warnings, self.strict, self.name))
        return portfolio


def portfolio_source(func: F) -> F:
    """A PORTFOLIO argument, or --neo4j (with the connection options) to read
    the portfolio from Neo4j; the command gets `portfolio: PortfolioSource`.
    The connection options are only looked at with --neo4j."""

    @click.argument("portfolio", type=PORTFOLIO, required=False)
    @click.option(
        "--neo4j", "from_neo4j", is_flag=True, help="Read the portfolio from Neo4j (see --uri etc.) instead of a file."
    )
    @STRICT
    @_connection_options
    @functools.wraps(func)
    def wrapper(
        *args: Any,
        portfolio: Path | None,
        from_neo4j: bool,
        strict: bool,
        uri: str,
        user: str,
        password: str | None,
        database: str,
        **kwargs: Any,
    ) -> Any:
        if from_neo4j == (portfolio is not None):
            raise click.UsageError("give a PORTFOLIO file, or --neo4j to read the portfolio from Neo4j")
        source = (
            PortfolioSource(neo4j=_settings(uri, user, password, database), strict=strict)
            if from_neo4j
            else PortfolioSource(path=portfolio, strict=strict)
        )
        return func(*args, portfolio=source, **kwargs)

    return wrapper  # type: ignore[return-value]


def portfolio_then(*names: str, options: bool = False) -> Callable[[F], F]:
    """A PORTFOLIO argument followed by the arguments `names`, or --neo4j
    (with the connection options) and `names` alone; the command gets
    `portfolio: PortfolioSource` and each name. With `options`, further
    ``--NAME VALUE`` (or ``--NAME=VALUE``) pairs the command does not declare
    are passed as `options: dict[str, str]` (dashes in NAME read as
    underscores), for commands whose option names come from the data model."""
    shown = " ".join(n.upper() for n in names)

    def decorate(func: F) -> F:
        @click.argument("words", nargs=-1, metavar=f"[PORTFOLIO] {shown}".rstrip())
        @click.option(
            "--neo4j", "from_neo4j", is_flag=True, help="Ask Neo4j (see --uri etc.) instead of a portfolio file."
        )
        @_connection_options
        @functools.wraps(func)
        def wrapper(
            *args: Any,
            words: tuple[str, ...],
            from_neo4j: bool,
            uri: str,
            user: str,
            password: str | None,
            database: str,
            **kwargs: Any,
        ) -> Any:
            positional, pairs = _split_options(words) if options else (list(words), {})
            wanted = len(names) + (0 if from_neo4j else 1)
            if len(positional) != wanted:
                usage = ("--neo4j " if from_neo4j else "PORTFOLIO ") + shown
                raise click.UsageError(f"give {usage.strip()} (got {' '.join(positional) or 'nothing'})")
            if from_neo4j:
                source = PortfolioSource(neo4j=_settings(uri, user, password, database))
            else:
                path = PORTFOLIO.convert(positional.pop(0), None, click.get_current_context())
                source = PortfolioSource(path=path)
            if options:
                kwargs["options"] = pairs
            return func(*args, portfolio=source, **dict(zip(names, positional, strict=True)), **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


def _split_options(words: tuple[str, ...]) -> tuple[list[str], dict[str, str]]:
    positional: list[str] = []
    pairs: dict[str, str] = {}
    rest = iter(words)
    for word in rest:
        if not word.startswith("--"):
            positional.append(word)
            continue
        name, eq, value = word[2:].partition("=")
        if not eq:
            value = next(rest, None)  # type: ignore[assignment]
            if value is None or value.startswith("--"):
                raise click.UsageError(f"option '--{name}' needs a value")
        key = name.replace("-", "_")
        if key in pairs:
            raise click.UsageError(f"option '--{name}' given twice")
        pairs[key] = value
    return positional, pairs


# --------------------------------------------------------------------------
# analysing it
# --------------------------------------------------------------------------


def _parse_bands(_ctx: click.Context, _param: click.Parameter, value: str | None) -> Bands:
    from graphkit.analysis import Bands

    if not value:
        return Bands()
    try:
        moderate, high = (float(v) for v in value.split(","))
        return Bands(moderate=moderate, high=high)
    except ValueError:
        raise click.BadParameter("give two HHI thresholds, e.g. 1500,2500 (0 <= moderate <= high <= 10000)") from None


def bands_option(func: F) -> F:
    """--bands MODERATE,HIGH, passed as `bands: Bands`."""
    return click.option(
        "--bands",
        callback=_parse_bands,
        metavar="MODERATE,HIGH",
        help="HHI class thresholds (default 1000,1800: the 2023 US merger guidelines).",
    )(func)


def limit_option(func: F) -> F:
    """--top N (or its first name, --limit N): rows per section in table and
    markdown output, passed as `limit`."""
    return click.option(
        "--top",
        "--limit",
        "limit",
        type=click.IntRange(min=0),
        default=20,
        show_default=True,
        metavar="N",
        help="The first N rows of each section in table and markdown output (0: all); JSON keeps every row.",
    )(func)


class Weeks(click.ParamType):
    """A number of weeks: finite and 0 or more (``nan`` and ``inf`` refused)."""

    name = "weeks"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> float:
        try:
            weeks = float(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a number of weeks", param, ctx)
        if not 0 <= weeks < float("inf"):
            self.fail(f"{value!r} is not a number of weeks: give a finite number, 0 or more", param, ctx)
        return weeks


WEEKS = Weeks()


def recovery_option(func: F) -> F:
    """--recovery-weeks N, passed as `recovery_weeks: float | None`."""
    return click.option(
        "--recovery-weeks",
        type=WEEKS,
        metavar="N",
        help="Weeks to restore a failed provider that records no recovery_weeks (default: 52, said so).",
    )(func)


# From this many nodes on, a run takes seconds: show which analysis is running.
LARGE = 10_000


def run_analyses(
    p: Portfolio,
    only: tuple[str, ...] | None = None,
    bands: Bands | None = None,
    pairs: int | None = None,
    recovery_weeks: float | None = None,
) -> Analysis:
    """The analyses' results, with progress on stderr for large portfolios,
    and the fingerprint of the portfolio analysed (write-back checks it);
    ``pairs`` caps the double failures listed."""
    from graphkit.analysis import ANALYSES
    from graphkit.fingerprint import fingerprint

    return replace(_analyses(p, only or ANALYSES, bands, pairs, recovery_weeks), fingerprint=fingerprint(p))


def _analyses(
    p: Portfolio, only: tuple[str, ...], bands: Bands | None, pairs: int | None, recovery_weeks: float | None
) -> Analysis:
    from graphkit.analysis import analyze

    if len(p.nodes) < LARGE:
        return analyze(p, only, bands, pairs=pairs, recovery_weeks=recovery_weeks)
    with click.progressbar(
        length=len(only), label="analysing", file=sys.stderr, item_show_func=lambda name: name
    ) as bar:
        started = 0

        def step(name: str) -> None:  # an analysis starts: the one before it is done
            nonlocal started
            if name not in only:  # a step within an analysis
                return
            bar.update(1 if started else 0, name)
            started += 1

        results = analyze(p, only, bands, progress=step, pairs=pairs, recovery_weeks=recovery_weeks)
        bar.update(1)
    return results
