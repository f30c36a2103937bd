"""Every speed target of graphkit, each figure beside its yardstick from the
same run (run by ``benchmarks/run``; not collected by pytest).

Usage (from the project root)::

    benchmarks/run [--quick] [--runs 3] [--sizes 10000,100000,1000000] [--work DIR] [--only startup,parsing]

Generates the portfolios it needs (``graphkit generate --seed 1``, kept in
``--work`` between runs), then times each command and its yardstick as whole
processes, interleaved (A B A B ...), and prints one line per target: the
figure's median, the yardstick's median, the median of the pairwise ratios,
the target and whether it is met. Peak memory is the largest resident set of
the figure's process. ``--quick`` stops at 100k relationships; the default
adds ~1M. A growth table closes the run: each figure at every size, so the
cost of growth is visible. Reported floors stand under some targets: what
the same result would cost with graphkit's own work taken away.

The engine lines time (CPU) the all-node single-failure analysis in a child
process after the portfolio is read (reading is not counted), against
brute forces with each node failed in turn: the tests' independent one
(availability grown from the records, the target line, its answer checked
equal to the analysis), and, reported, the engine's own evaluation re-run
per node from the portfolio (what `graphkit whatif --fail NODE` would do
for every node) or on one network built once (the cheapest brute force
there is). The growth line is printed beside the same figure per node of
the engine's network, since the generated portfolios' networks grow a
little faster than their relationships.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
GRAPHKIT = str(Path(PY).with_name("graphkit"))


@dataclass
class Run:
    wall: float
    cpu: float
    rss_mb: float


def run_once(argv: Sequence[str], env: dict[str, str] | None = None) -> Run:
    """One whole process: wall clock, CPU (user + system) and peak RSS from wait4."""
    started = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    if proc.returncode not in (0, 1):  # 1: a command that reports findings/problems but ran
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}): {err.decode(errors='replace')[-2000:]}")
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def child_json(argv: Sequence[str]) -> dict[str, Any]:
    out = subprocess.run(argv, cwd=ROOT, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])  # type: ignore[no-any-return]


@dataclass
class Line:
    what: str
    figure: str
    yardstick: str
    ratio: float
    target: str
    ok: bool | None  # None: reported, no target


LINES: list[Line] = []
GROWTH: dict[str, dict[str, str]] = {}  # figure -> size label -> median text


def paired(
    what: str, a: Sequence[str], b: Sequence[str], runs: int, target: float | None, unit: str = "cpu"
) -> tuple[list[Run], list[Run]]:
    """Times a and b interleaved after one warm-up each; records the line."""
    run_once(a)
    run_once(b)
    ra: list[Run] = []
    rb: list[Run] = []
    for _ in range(runs):
        ra.append(run_once(a))
        rb.append(run_once(b))
    pick: Callable[[Run], float] = (lambda r: r.wall) if unit == "wall" else (lambda r: r.cpu)
    ratio = statistics.median(pick(x) / pick(y) for x, y in zip(ra, rb, strict=True))
    fa, fb = statistics.median(map(pick, ra)), statistics.median(map(pick, rb))
    LINES.append(
        Line(
            what,
            f"{fa:.3f} s {unit}",
            f"{fb:.3f} s",
            ratio,
            f"<= {target:g}" if target is not None else "reported",
            None if target is None else ratio <= target,
        )
    )
    return ra, rb


def label(size: int) -> str:
    return f"{size // 1_000_000}M" if size >= 1_000_000 else f"{size // 1000}k"


def portfolio(work: Path, size: int, fmt: str) -> Path:
    """The generated portfolio of `size` relationships in `fmt` (made once)."""
    base = work / f"g{label(size)}.json"
    if not base.exists():
        print(f"generating {base.name} ...", file=sys.stderr)
        subprocess.run([GRAPHKIT, "generate", "--scale", str(size), "--seed", "1", "-o", str(base)], check=True)
    if fmt == "json":
        return base
    target = work / f"g{label(size)}" if fmt == "csv" else work / f"g{label(size)}.{fmt}"
    if not target.exists():
        print(f"converting to {target.name} ...", file=sys.stderr)
        subprocess.run([GRAPHKIT, "convert", str(base), "-o", str(target)], check=True, stdout=subprocess.DEVNULL)
    return target


def startup(runs: int) -> None:
    bare = [PY, "-c", "pass"]
    paired("start-up: graphkit --help vs python -c pass", [GRAPHKIT, "--help"], bare, runs * 3, 3)
    small = str(ROOT / "tests" / "small.yaml")
    paired("start-up: graphkit validate small.yaml vs python -c pass", [GRAPHKIT, "validate", small], bare, runs * 3, 3)
    # What validation cannot start without, the floor under the line above: the
    # libraries that parse its arguments, read YAML and read records; and the model.
    libraries = [PY, "-c", "import click, yaml, msgspec"]
    paired("start-up: import click, yaml, msgspec vs python -c pass", libraries, bare, runs * 3, None)
    model = [PY, "-c", "import graphkit.model"]
    paired("start-up: import graphkit.model vs python -c pass", model, bare, runs * 3, None)


# The floor under validate's line: importing the model, parsing the file and
# reading its records into the model's msgspec Structs, none of graphkit's own
# checks (the collector paused, as reading does).
FLOOR = """
import gc, sys
import orjson
from msgspec import convert
from graphkit.model import SECTIONS
gc.disable()
raw = orjson.loads(open(sys.argv[1], "rb").read())
for key, cls in SECTIONS.items():
    for item in raw.get(key) or ():
        convert(item, cls)
"""


def parsing(work: Path, size: int, runs: int) -> None:
    n = label(size)
    js = portfolio(work, size, "json")
    ra, _ = paired(
        f"validate JSON {n} vs orjson parse",
        [GRAPHKIT, "validate", str(js)],
        [PY, "-c", f"import orjson; orjson.loads(open({str(js)!r}, 'rb').read())"],
        runs,
        3,
    )
    GROWTH.setdefault("validate JSON (CPU s)", {})[n] = f"{statistics.median(r.cpu for r in ra):.2f}"
    paired(
        f"model floor {n}: orjson + msgspec reading the records vs orjson parse",
        [PY, "-c", FLOOR, str(js)],
        [PY, "-c", f"import orjson; orjson.loads(open({str(js)!r}, 'rb').read())"],
        runs,
        None,
    )
    if size <= 100_000:
        ym = portfolio(work, size, "yaml")
        paired(
            f"validate YAML {n} vs PyYAML C loader",
            [GRAPHKIT, "validate", str(ym)],
            [PY, "-c", f"import yaml; yaml.load(open({str(ym)!r}).read(), Loader=yaml.CSafeLoader)"],
            runs,
            3,
        )
        for fmt in ("csv", "xlsx"):
            path = portfolio(work, size, fmt)
            paired(
                f"validate {fmt.upper()} {n} vs validate JSON",
                [GRAPHKIT, "validate", str(path)],
                [GRAPHKIT, "validate", str(js)],
                max(1, runs - 1),
                None,
            )


# The floor under analyze's line: reading the portfolio (validate's work) plus
# making analyze's output as Python objects and encoding it, both at orjson's C
# speed and row by row as analyze streams it (its own output, one row a line,
# parsed and encoded again), with no analysis at all. Any analyze that builds
# the same output in Python costs more than this.
OUTPUT_FLOOR = """
import gc, sys
import orjson
from graphkit import read_portfolio
gc.disable()
read_portfolio(sys.argv[1])
with open(sys.argv[2], "rb") as rows:
    for row in rows:
        orjson.dumps(orjson.loads(row))
"""
AS_ROWS = """
import sys
import orjson
with open(sys.argv[2], "wb") as out:
    for section in orjson.loads(open(sys.argv[1], "rb").read()).values():
        for value in section.values() if isinstance(section, dict) else [section]:
            for row in value if isinstance(value, list) else [value]:
                out.write(orjson.dumps(row) + b"\\n")
"""


def analysis(work: Path, size: int, runs: int) -> None:
    n = label(size)
    js = str(portfolio(work, size, "json"))
    ra, _ = paired(
        f"analyze {n} vs validate",
        [GRAPHKIT, "analyze", js, "--format", "json"],
        [GRAPHKIT, "validate", js],
        runs,
        2,
    )
    out, rows = work / f"analyze-{n}.json", work / f"analyze-{n}.rows"
    run_once([GRAPHKIT, "analyze", js, "--format", "json", "-o", str(out)])
    subprocess.run([PY, "-c", AS_ROWS, str(out), str(rows)], check=True)
    paired(
        f"analyze {n} floor: reading + its output made and encoded by orjson vs validate",
        [PY, "-c", OUTPUT_FLOOR, js, str(rows)],
        [GRAPHKIT, "validate", js],
        runs,
        None,
    )
    peak = statistics.median(r.rss_mb for r in ra)
    GROWTH.setdefault("analyze (CPU s)", {})[n] = f"{statistics.median(r.cpu for r in ra):.2f}"
    GROWTH.setdefault("analyze peak memory (MB)", {})[n] = f"{peak:,.0f}"
    if size >= 1_000_000:
        LINES.append(Line(f"analyze {n} peak memory", f"{peak:,.0f} MB", "1,536 MB", peak / 1536, "<= 1", peak <= 1536))


def engine(work: Path, size: int, runs: int, brute: bool) -> float:
    """Median seconds of the all-node failure analysis at `size` (and the brute-force lines)."""
    js = str(portfolio(work, size, "json"))
    fast = [child_json([PY, __file__, "--child", "engine", js]) for _ in range(runs)]
    med = statistics.median(r["seconds"] for r in fast)
    GROWTH.setdefault("all-node failure analysis (s)", {})[label(size)] = f"{med:.3f}"
    GROWTH.setdefault("  its network's nodes", {})[label(size)] = f"{fast[0]['nodes']:,}"
    GROWTH.setdefault("  markets lost, summed over nodes", {})[label(size)] = f"{fast[0]['lost']:,}"
    WORK[size] = fast[0]["nodes"]
    for kind, what, target in BRUTE if brute else ():
        slow = child_json([PY, __file__, "--child", kind, js])
        ratio = med / slow["seconds"]
        LINES.append(
            Line(
                f"all-node failure analysis {label(size)} vs {what} ({slow['nodes']} failures)",
                f"{med:.3f} s",
                f"{slow['seconds']:.3f} s",
                ratio,
                "reported" if target is None else f"<= {target:g}",
                None if target is None else ratio <= target,
            )
        )
    return med


# The brute forces the all-node analysis is timed against at the smallest size:
# (child kind, what, target). The target line is the tests' independent brute
# force (`supply_oracle.brute_single`: availability grown from the records with
# each node failed in turn, checked equal to the analysis on the way); the
# others re-run the engine's own evaluation once per node, the cheapest brute
# forces there are.
BRUTE = (
    ("oracle", "the tests' brute force", 0.01),
    ("recompute", "the engine re-run from the portfolio per node", None),
    ("brute", "the engine's availability pass per node on one network", None),
)
WORK: dict[int, int] = {}  # size -> nodes of the engine's network


def child(kind: str, path: str) -> None:
    """In a child process: read the portfolio (not timed), then time the work."""
    from graphkit import read_portfolio
    from graphkit.analysis import spof
    from graphkit.heap import paused

    pf, _ = read_portfolio(Path(path))
    started = time.process_time()  # every side builds what it needs from the portfolio inside the timing
    if kind == "engine":
        with paused():  # as `single_failure_losses`, keeping the context to count its network
            ctx = spof._Context(pf)
            lost = dict(ctx.impact)
        seconds = time.process_time() - started
        print(json.dumps({"seconds": seconds, "nodes": len(ctx.network.base), "lost": sum(map(len, lost.values()))}))
        return
    if kind == "oracle":
        sys.path.insert(0, str(ROOT / "tests"))
        from supply_oracle import brute_single

        found = brute_single(pf)
        seconds = time.process_time() - started
        assert {n: set(u) for n, u in spof.single_failure_losses(pf).items()} == found, "the analysis disagrees"
        print(json.dumps({"seconds": seconds, "nodes": len(pf.providers) + len(pf.marketing_partners)}))
        return
    net = spof._Context(pf).network  # the same inputs, then one availability pass per failed node
    nodes = sorted(net.provider_ids)
    for node in nodes:
        if kind == "recompute":  # the inputs and network made again from the portfolio, as whatif would
            net = spof._Context(pf).network
        failed = frozenset((node,))
        net.baseline[1] - net.available(net.operational(failed), failed)  # baseline: once per network
    print(json.dumps({"seconds": time.process_time() - started, "nodes": len(nodes)}))


def report() -> None:
    width = max(len(line.what) for line in LINES)
    print()
    print(f"{'target':<{width}}  {'figure':>14}  {'yardstick':>12}  {'ratio':>8}  {'target':>9}  verdict")
    for line in LINES:
        verdict = "reported" if line.ok is None else "pass" if line.ok else "falls short"
        cells = f"{line.figure:>14}  {line.yardstick:>12}  {line.ratio:>8.3f}  {line.target:>9}"
        print(f"{line.what:<{width}}  {cells}  {verdict}")
    sizes = sorted(
        {s for row in GROWTH.values() for s in row}, key=lambda s: int(s[:-1]) * (10**6 if s[-1] == "M" else 10**3)
    )
    print()
    print("growth".ljust(34) + "".join(f"{s:>12}" for s in sizes))
    for figure, row in GROWTH.items():
        print(figure.ljust(34) + "".join(f"{row.get(s, '-'):>12}" for s in sizes))


# The groups of lines, for --only.
PARTS = ("startup", "parsing", "analysis", "engine")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="10k and 100k relationships only")
    ap.add_argument("--sizes", help="comma-separated relationship counts (overrides --quick)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--work", type=Path, default=Path("/tmp/graphkit-bench"))
    ap.add_argument(
        "--only",
        type=lambda text: set(text.split(",")),
        default=set(PARTS),
        help=f"comma-separated parts to run, of {', '.join(PARTS)} (default: all)",
    )
    ap.add_argument("--child", choices=("engine", "oracle", "recompute", "brute"), help=argparse.SUPPRESS)
    ap.add_argument("path", nargs="?", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child, args.path)
        return
    sizes = (
        [int(s) for s in args.sizes.split(",")]
        if args.sizes
        else [10_000, 100_000] + ([] if args.quick else [1_000_000])
    )
    args.work.mkdir(parents=True, exist_ok=True)
    print(f"machine: {os.cpu_count()} cores; sizes: {', '.join(map(label, sizes))}; runs: {args.runs}", flush=True)
    if "startup" in args.only:
        startup(args.runs)
    seconds: dict[int, float] = {}
    for size in sizes:
        if "parsing" in args.only:
            parsing(args.work, size, args.runs)
        if "analysis" in args.only:
            analysis(args.work, size, args.runs)
        if "engine" in args.only:
            seconds[size] = engine(args.work, size, args.runs, brute=size == min(sizes))
        print(f"{label(size)} done", file=sys.stderr, flush=True)
    if 100_000 in seconds and 1_000_000 in seconds:
        growth = seconds[1_000_000] / seconds[100_000]
        LINES.append(
            Line(
                "all-node failure analysis growth 100k -> 1M",
                f"{seconds[1_000_000]:.3f} s",
                f"{seconds[100_000]:.3f} s",
                growth,
                "<= 12",
                growth <= 12,
            )
        )
        work = WORK[1_000_000] / WORK[100_000]
        LINES.append(
            Line(
                f"  the same per node of its network (nodes grew {work:.1f}x)",
                f"{seconds[1_000_000] / WORK[1_000_000] * 1e6:.1f} us",
                f"{seconds[100_000] / WORK[100_000] * 1e6:.1f} us",
                growth / work,
                "reported",
                None,
            )
        )
    report()


if __name__ == "__main__":
    main()
