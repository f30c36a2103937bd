"""The examples in every module's docstrings run, as the installed package
lays the modules out (graphkit.cli, graphkit.viz included)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# The packages as pyproject declares them (an editable install maps cli/ and
# viz/ with an import hook that pkgutil cannot walk from graphkit's __path__).
PACKAGES = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"]
# Running these would run the command line.
SKIP = {"graphkit.__main__", "graphkit.cli.__main__"}
MODULES = sorted(
    {
        name
        for package in PACKAGES
        for name in (
            package,
            *(f"{package}.{m.name}" for m in pkgutil.iter_modules(importlib.import_module(package).__path__)),
        )
        if name not in SKIP
    }
)


def test_every_folder_is_walked() -> None:
    assert {"graphkit.cli.main", "graphkit.viz.network", "graphkit.analysis.spof", "graphkit.io.tables"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # examples name files of the checkout, e.g. tests/small.yaml
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples in {name} failed (output above)"
