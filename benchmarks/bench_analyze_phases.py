"""Where `graphkit analyze` spends its time and memory, phase by phase, beside
reading the same portfolio in the same process (run on demand; not collected
by pytest).

Usage (from the project root)::

    .venv/bin/graphkit generate --scale 100000 --seed 1 -o /tmp/g100k.json
    .venv/bin/python benchmarks/bench_analyze_phases.py /tmp/g100k.json [--runs 3]

Does what ``graphkit analyze FILE --format json -o OUT`` does (read and
validate, every analysis and each step of spof as its progress names them,
the JSON streamed to a file), ``--runs`` times, and prints per phase the
median CPU seconds, its ratio to the median CPU of reading (the work of
``graphkit validate``, the issue's yardstick, measured in the same runs) and
the process's peak resident set when the phase ended. Peak memory only
grows, so the phase where it jumps is the one that holds it.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import os
import resource
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

if importlib.util.find_spec("graphkit") is None:  # not installed: run from a checkout
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from graphkit import read_portfolio
from graphkit.analysis import analyses
from graphkit.cli.json_writer import write_json
from graphkit.fingerprint import FINGERPRINT_KEY, fingerprint
from graphkit.heap import paused


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def one_run(path: Path, out: Path) -> tuple[list[str], dict[str, float], dict[str, float]]:
    """(phases in order, CPU seconds per phase, peak MB when each phase ended)."""
    order: list[str] = []
    cpu: dict[str, float] = {}
    peak: dict[str, float] = {}
    current = ["reading", time.process_time()]

    def phase(name: str) -> None:
        done, started = current
        cpu[str(done)] = cpu.get(str(done), 0.0) + time.process_time() - float(started)
        peak[str(done)] = peak_mb()
        if done not in order:
            order.append(str(done))
        current[:] = [name, time.process_time()]

    with paused():  # as the command line reads: the portfolio then out of the collector's sight
        portfolio, _ = read_portfolio(path)
        gc.freeze()
    phase("analysing")

    def sections():  # type: ignore[no-untyped-def]
        for name, result in analyses(portfolio, progress=phase, streamed=True):
            phase(f"writing {name}")
            yield name, result
            del result  # as analyze does: not held while the next analysis runs
        phase("fingerprint")
        yield FINGERPRINT_KEY, fingerprint(portfolio)
        phase("end")

    with open(out, "w", encoding="utf-8") as f:
        write_json(f, sections())
    gc.unfreeze()
    order.remove("analysing")  # the moment between reading and the first analysis
    return order, cpu, peak


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("portfolio", type=Path)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    cpu: dict[str, list[float]] = defaultdict(list)
    order: list[str] = []
    peak: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "analysis.json"
        for _ in range(args.runs):
            order, seconds, peak = one_run(args.portfolio, out)
            for name, s in seconds.items():
                cpu[name].append(s)
        size = os.path.getsize(out)
    reading = statistics.median(cpu["reading"])
    total = statistics.median(sum(cpu[name][i] for name in order) for i in range(args.runs))
    print(f"{args.portfolio} ({os.path.getsize(args.portfolio) / 1e6:,.1f} MB), JSON written {size / 1e6:,.1f} MB")
    print(f"medians of {args.runs} runs in one process; yardstick: reading {reading:.2f} s CPU")
    print(f"{'phase':<28}{'CPU s':>8}{'× reading':>11}{'peak MB':>10}")
    for name in order:
        s = statistics.median(cpu[name])
        print(f"{name:<28}{s:8.2f}{s / reading:11.2f}{peak[name]:10,.0f}")
    print(f"{'analyze after reading':<28}{total - reading:8.2f}{(total - reading) / reading:11.2f}")
    print(f"{'whole analyze':<28}{total:8.2f}{total / reading:11.2f}{max(peak.values()):10,.0f}")


if __name__ == "__main__":
    main()
