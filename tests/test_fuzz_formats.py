"""Property-based fuzzing of the readers and writers: mutate a valid
portfolio (its values, and the bytes of its file in each format) and check
that reading never raises anything but graphkit's located errors, that a
failed convert writes nothing, and that whatever is valid round-trips
exactly. Bounded in CI; GRAPHKIT_FUZZ_EXAMPLES=5000 runs it long."""

from __future__ import annotations

import functools
import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphkit import GraphkitError, PortfolioError, read_portfolio, write_portfolio
from graphkit.model import Portfolio

SMALL = Path(__file__).with_name("small.yaml")
ORIGINAL, _ = read_portfolio(SMALL)
RECORDS = list(ORIGINAL.records())
TARGETS = ["p.yaml", "p.json", "p-csv", "p.xlsx"]
FUZZ = settings(
    max_examples=int(os.environ.get("GRAPHKIT_FUZZ_EXAMPLES", "25")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12)
value = st.one_of(
    text, st.integers(-(10**30), 10**30), st.floats(), st.booleans(), st.none(), st.lists(text, max_size=3)
)


def _read(path: Path) -> Portfolio | None:
    """The portfolio, or None when refused with located problems; anything else fails the test."""
    try:
        return read_portfolio(path)[0]
    except PortfolioError as exc:
        assert exc.problems and all(p.location for p in exc.problems), exc.problems
        return None
    except GraphkitError as exc:
        assert str(path) in str(exc), str(exc)
        return None


@FUZZ
@given(
    index=st.integers(0, len(RECORDS) - 1),
    field=st.sampled_from(
        [
            "id",
            "name",
            "owner",
            "provider",
            "annual_value",
            "territories",
            "skills",
            "markets",
            "filed_in",
            "products",
            "supply",
            "client",
            "to",
            "from",
        ]
    ),
    new=value,
    target=st.sampled_from(TARGETS),
)
def test_a_changed_value_is_refused_located_or_round_trips(index: int, field: str, new: object, target: str) -> None:
    section, record = RECORDS[index]
    changed = [(s, dict(r, **{field: new}) if i == index else r) for i, (s, r) in enumerate(RECORDS)]
    with tempfile.TemporaryDirectory() as tmp:
        import json

        source = Path(tmp) / "in.json"
        by_section: dict[str, list[object]] = {}
        for s, r in changed:
            by_section.setdefault(s, []).append(r)
        try:
            source.write_text(json.dumps(by_section, allow_nan=True))
        except (TypeError, ValueError):
            return
        portfolio = _read(source)
        out = Path(tmp) / target
        if portfolio is None:
            return
        write_portfolio(portfolio, out)
        assert _read(out) == portfolio  # lossless in every format


@functools.cache
def written(target: str) -> dict[str, bytes]:
    """The files of ORIGINAL written as `target`, once: an xlsx written again
    differs by its timestamps, and hypothesis must see the same bytes when it
    replays an example."""
    with tempfile.TemporaryDirectory() as tmp:
        path = write_portfolio(ORIGINAL, Path(tmp) / target)
        files = sorted(path.iterdir()) if path.is_dir() else [path]
        return {str(f.relative_to(tmp)): f.read_bytes() for f in files}


@FUZZ
@given(target=st.sampled_from(TARGETS), data=st.data())
def test_damaged_bytes_never_raise_anything_else(target: str, data: st.DataObject) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / target
        for name, content in written(target).items():
            (Path(tmp) / name).parent.mkdir(exist_ok=True)
            (Path(tmp) / name).write_bytes(content)
        files = sorted(path.iterdir()) if path.is_dir() else [path]
        victim = data.draw(st.sampled_from(files))
        raw = bytearray(victim.read_bytes())
        for _ in range(data.draw(st.integers(1, 8))):
            at = data.draw(st.integers(0, max(len(raw) - 1, 0)))
            op = data.draw(st.sampled_from(["flip", "cut", "insert"]))
            if op == "flip" and raw:
                raw[at] ^= data.draw(st.integers(1, 255))
            elif op == "cut":
                del raw[at : at + data.draw(st.integers(1, 64))]
            else:
                raw[at:at] = data.draw(st.binary(min_size=1, max_size=16))
        victim.write_bytes(bytes(raw))
        before = sorted(p.name for p in Path(tmp).iterdir())
        portfolio = _read(path)
        if portfolio is not None:  # still valid: it must survive a convert
            out = write_portfolio(portfolio, Path(tmp) / ("again-" + target))
            assert _read(out) == portfolio
        else:
            assert sorted(p.name for p in Path(tmp).iterdir()) == before  # nothing written
