"""How quickly the command line answers (run on demand).

Usage (from the project root)::

    .venv/bin/python benchmarks/bench_startup.py [--runs 15]

Times ``graphkit --help`` and ``graphkit validate tests/small.yaml`` beside
the yardstick ``python -c pass`` of the same interpreter, each the median of
``--runs`` alternating runs, and prints figure, yardstick and ratio (the
target is a ratio of at most 3), then the heavy modules each command loaded.
Not collected by pytest.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("neo4j", "networkx", "pydantic", "asyncio", "openpyxl", "yaml", "pyvis", "jinja2")
SHOW_LOADED = "import sys; sys.argv = ['graphkit', *sys.argv[1:]]; " + (
    "from graphkit.cli.main import main\n"
    "try:\n    main(standalone_mode=False)\n"
    "finally:\n"
    f"    print('loaded:', ' '.join(m for m in {HEAVY!r} if m in sys.modules) or 'none', file=sys.stderr)"
)


def command(*args: str) -> list[str]:
    script = Path(sys.executable).with_name("graphkit")
    return [str(script), *args] if script.exists() else [sys.executable, "-m", "graphkit", *args]


def wall(argv: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    yardstick = [sys.executable, "-c", "pass"]
    cases = {
        "graphkit --help": command("--help"),
        "graphkit validate tests/small.yaml": command("validate", "tests/small.yaml"),
    }
    times: dict[str, list[float]] = {name: [] for name in ("python -c pass", *cases)}
    for _ in range(runs):  # alternate, so a busy moment hits every case alike
        times["python -c pass"].append(wall(yardstick))
        for name, argv in cases.items():
            times[name].append(wall(argv))
    base = statistics.median(times["python -c pass"])
    print(f"{'command':<38}{'median':>10}{'yardstick':>12}{'ratio':>8}")
    for name in cases:
        figure = statistics.median(times[name])
        print(f"{name:<38}{figure * 1000:>8.0f} ms{base * 1000:>9.0f} ms{figure / base:>7.1f}x")
    for name, argv in cases.items():
        args = argv[1:] if argv[0].endswith("graphkit") else argv[3:]
        loaded = (
            subprocess.run([sys.executable, "-c", SHOW_LOADED, *args], cwd=ROOT, capture_output=True, text=True)
            .stderr.strip()
            .splitlines()[-1]
        )
        print(f"{name}: {loaded}")


if __name__ == "__main__":
    main()
