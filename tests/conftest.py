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


@pytest.hookimpl(tryfirst=True)  # before -m deselects
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test needs the Neo4j server exactly when it uses a server fixture
    (they all rest on `neo4j_settings`): those get the `neo4j` mark, so
    `-m "not neo4j"` runs every test that does not, whatever its file."""
    for item in items:
        if "neo4j_settings" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.neo4j)
