"""The corpus of malformed inputs (tests/corpus/inputs, written by
tests/corpus/make_corpus.py): every one is read with no traceback, within
30 s and 3 GB, with bounded output, each problem with its location."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from pathlib import Path

CORPUS = Path(__file__).with_name("corpus")
INPUTS = sorted(p for fmt in (CORPUS / "inputs").iterdir() for p in fmt.iterdir())
LIMIT = 3 * 2**30


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (LIMIT, LIMIT))


def _size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*")) if path.is_dir() else path.stat().st_size


def test_corpus_has_a_hundred_inputs_in_all_four_formats() -> None:
    assert len(INPUTS) >= 100
    assert {p.parent.name for p in INPUTS} == {"yaml", "json", "csv", "xlsx"}


def test_every_malformed_input_is_refused_cleanly_within_bounds() -> None:
    proc = subprocess.run(
        [sys.executable, str(CORPUS / "run_corpus.py"), *map(str, INPUTS)],
        capture_output=True,
        text=True,
        preexec_fn=_limit_memory,
        timeout=1200,
        check=False,
    )
    results = [json.loads(line) for line in proc.stdout.splitlines()]
    assert proc.returncode == 0 and len(results) == len(INPUTS), proc.stderr[-3000:]
    for r in results:
        name = Path(r["input"]).name
        assert not r["crash"] and "Traceback" not in r["output"], (name, r["crash"] or r["output"])
        assert r["code"] in (0, 1), (name, r["code"], r["output"])
        # output grows at most linearly with the input (the alias bomb and a 1 MB cell cannot flood it)
        assert r["output_size"] < 20 * _size(Path(r["input"])) + 50_000, (name, r["output_size"])
        for line in r["output"].splitlines():
            if line.startswith("Error:") or not line or line.startswith(" ") or ": valid," in line:
                continue
            location = line.split(": ", 1)[0]
            assert name in location or Path(r["input"]).name in line, (name, line)
    refused = [r for r in results if r["code"] == 1]
    assert len(refused) >= 0.8 * len(results)  # a few inputs are valid on purpose (int ids, merge keys, a BOM)
