"""Read every corpus input as `graphkit validate` would; print one JSON line
per input. Run by tests/test_corpus.py in a child process under a 3 GB
address-space limit, each input under a 30 s alarm."""

from __future__ import annotations

import json
import signal
import sys
import time
import traceback
from pathlib import Path

from click.testing import CliRunner

from graphkit.cli.main import main


def _timeout(signum: int, frame: object) -> None:
    raise TimeoutError("past 30 s")


def run(path: Path) -> dict[str, object]:
    signal.signal(signal.SIGALRM, _timeout)
    signal.alarm(30)
    started = time.perf_counter()
    try:
        result = CliRunner().invoke(main, ["validate", str(path)], catch_exceptions=True)
        crash = (
            "".join(traceback.format_exception(result.exc_info[1]))
            if result.exception and not isinstance(result.exception, SystemExit)
            else ""
        )
        return {
            "input": str(path),
            "code": result.exit_code,
            "output": "\n".join(result.output.splitlines()[:50]),
            "output_size": len(result.output),
            "crash": crash[-3000:],
            "seconds": round(time.perf_counter() - started, 2),
        }
    finally:
        signal.alarm(0)


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        print(json.dumps(run(Path(arg))), flush=True)
