"""Shared fixtures. The Neo4j and browser fixtures live in their own plugin
modules; both fail (never skip) when CI is set and their component is missing."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["fixtures_neo4j", "fixtures_browser"]

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "portfolio.yaml"


@pytest.fixture
def write(tmp_path: Path):
    """Write text to a file under tmp_path and return its path."""

    def _write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return _write
