"""Reading and writing portfolios in every supported format.

Formats: ``yaml``, ``json``, ``csv`` (a folder of CSV files) and ``xlsx``.
Writes are atomic: the output appears whole or not at all.
"""

from __future__ import annotations

import contextlib
import glob
import os
import signal
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..defaults import FORMATS
from ..heap import collector_paused
from ..model import Portfolio
from ..problems import GraphkitError, PortfolioError, Problem, sort_problems
from ..validate import build_portfolio
from .documents import read_document, write_document

__all__ = [
    "FORMATS",
    "atomic_path",
    "detect_format",
    "read_portfolio",
    "write_portfolio",
    "write_records",
]

_SUFFIXES = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".xlsx": "xlsx"}


def detect_format(path: Path, fmt: str | None = None, *, for_writing: bool = False) -> str:
    """The format named, or the one the path implies (a folder or no suffix: csv)."""
    if fmt:
        if fmt not in FORMATS:
            raise GraphkitError(f"unknown format '{fmt}'; use one of {', '.join(FORMATS)}")
        return fmt
    if path.suffix.lower() in _SUFFIXES:
        return _SUFFIXES[path.suffix.lower()]
    if path.is_dir() or (for_writing and not path.suffix):
        return "csv"
    raise GraphkitError(
        f"{path}: cannot tell the format from the name; use a .yaml, .json or .xlsx file or a folder of CSV files"
    )


@collector_paused
def read_portfolio(path: str | os.PathLike[str], fmt: str | None = None) -> tuple[Portfolio, list[Problem]]:
    """Read and validate a portfolio; returns it with its warnings.

    Raises `PortfolioError` with every problem found, `GraphkitError` when
    the file cannot be read at all.
    """
    path = Path(path)
    if not path.exists():
        raise GraphkitError(f"{path}: no such file or folder")
    fmt = detect_format(path, fmt)
    problems: list[Problem] = []
    try:
        if fmt in ("yaml", "json"):
            raw, locate = read_document(path, fmt)
        else:
            # tables, the atomic write's tempfile and shutil are imported where
            # used: a small command's start-up is mostly imports
            from .tables import read_tables

            raw, locate, problems = read_tables(path)
    except (OSError, UnicodeDecodeError, ValueError, KeyError) as exc:
        raise GraphkitError(f"{path}: cannot read as {fmt}: {exc}") from None
    try:
        portfolio, warnings = build_portfolio(raw, locate, str(path))
    except PortfolioError as exc:
        raise PortfolioError(sort_problems(problems + exc.problems), str(path)) from None
    if any(p.severity == "error" for p in problems):
        raise PortfolioError(sort_problems(problems + warnings), str(path))
    return portfolio, sort_problems(problems + warnings)


def write_records(
    records: Iterable[tuple[str, dict[str, Any]]], path: str | os.PathLike[str], fmt: str | None = None
) -> Path:
    """Write a stream of (section, record) pairs, grouped by section, atomically."""
    path = Path(path)
    fmt = detect_format(path, fmt, for_writing=True)
    from .tables import write_csv_folder, write_xlsx

    with atomic_path(path, directory=fmt == "csv") as tmp:
        if fmt == "csv":
            write_csv_folder(records, tmp)
        elif fmt == "xlsx":
            write_xlsx(records, tmp)
        else:
            with open(tmp, "w", encoding="utf-8") as out:
                write_document(records, out, fmt)
    return path


def write_portfolio(portfolio: Portfolio, path: str | os.PathLike[str], fmt: str | None = None) -> Path:
    return write_records(portfolio.records(), path, fmt)


class atomic_path:
    """Context manager giving a temporary path beside `target`; on success
    it replaces `target` (the file durably on disk, with the target's mode or
    the umask's), on failure it is removed and `target` is untouched.

    SIGTERM while it is open ends the program through the same clean-up. The
    temporary is named ``.<target>.<pid>.<random>.tmp``: one left by a process
    killed outright (SIGKILL, power loss) is removed by the next write to the
    same target, once its process is gone."""

    def __init__(self, target: Path, *, directory: bool = False) -> None:
        self.target, self.directory = Path(target), directory

    def __enter__(self) -> Path:
        parent = self.target.parent
        if not parent.is_dir():
            raise GraphkitError(f"cannot write {self.target}: folder {parent} does not exist")
        _sweep(self.target)
        prefix = f".{self.target.name}.{os.getpid()}."
        import tempfile

        if self.directory:
            self.tmp = Path(tempfile.mkdtemp(prefix=prefix, suffix=".tmp", dir=parent))
        else:
            fd, name = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=parent)
            os.close(fd)
            self.tmp = Path(name)
        self._term = _exit_on_sigterm()
        return self.tmp

    def __exit__(self, exc_type: Any, *_: object) -> None:
        _restore_sigterm(self._term)
        if exc_type is not None:
            _remove(self.tmp)
            return
        try:
            self._commit()
        except BaseException:
            _remove(self.tmp)
            raise

    def _commit(self) -> None:
        # mkstemp/mkdtemp create private (0600/0700) entries: give the result
        # the mode the target had, or what the umask allows for a new one.
        try:
            mode = self.target.stat().st_mode & 0o7777
        except FileNotFoundError:
            mode = (0o777 if self.directory else 0o666) & ~_current_umask()
        os.chmod(self.tmp, mode)
        if not self.directory:
            _fsync(self.tmp)
        if self.directory and self.target.is_dir():
            old = self.target.with_name(f".{self.target.name}.{os.getpid()}.old.tmp")
            _remove(old)
            os.replace(self.target, old)
            try:
                os.replace(self.tmp, self.target)
            except BaseException:
                os.replace(old, self.target)
                raise
            _remove(old)
        else:
            os.replace(self.tmp, self.target)
        with contextlib.suppress(OSError):  # make the rename durable; not possible on every platform
            _fsync(self.target.parent)


def _sweep(target: Path) -> None:
    """Remove temporaries of `target` left by writers that no longer run."""
    for stale in target.parent.glob(f".{glob.escape(target.name)}.*.tmp"):
        pid = stale.name[len(target.name) + 2 :].split(".", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            _remove(stale)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def _on_sigterm(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)


def _exit_on_sigterm() -> Any:
    """While a write is open, SIGTERM exits through the clean-up (only where
    nobody else handles it: the default handler, the main thread)."""
    if threading.current_thread() is not threading.main_thread():
        return None
    if signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        return None
    signal.signal(signal.SIGTERM, _on_sigterm)
    return signal.SIG_DFL


def _restore_sigterm(previous: Any) -> None:
    if previous is not None and signal.getsignal(signal.SIGTERM) is _on_sigterm:
        signal.signal(signal.SIGTERM, previous)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _current_umask() -> int:
    """The process umask, read without changing it (os.umask would race other threads)."""
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    return 0o022


def _remove(p: Path) -> None:
    if p.is_dir():
        import shutil

        shutil.rmtree(p, ignore_errors=True)
    elif p.exists():
        p.unlink()
