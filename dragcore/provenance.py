"""Where a result came from: what every report and run file records beside its numbers.

:func:`provenance` returns a flat dict of strings and numbers — package version and git
commit (when the source is a git checkout), the versions of numpy, numba, scipy, h5py and
mpi4py, the CPU model and vector extensions (:func:`dragcore.machine.cpu_label`), the MPI
rank count and numba's thread count, the command line, and (given a start time) the wall
time — so that it can be written as HDF5 attributes, JSON or a Markdown list as it is.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import time
from functools import cache
from importlib import metadata
from pathlib import Path

from dragcore import __version__
from dragcore.machine import cpu_label, cpu_model, vector_extensions

__all__ = ["provenance", "git_commit", "dependency_versions", "provenance_markdown"]

#: The dependencies whose versions decide the numbers and the speed.
DEPENDENCIES = ("numpy", "numba", "scipy", "h5py", "mpi4py")


@cache
def git_commit() -> str:
    """The commit of the source tree this package is imported from (``+dirty`` if the
    tracked files differ from it), or ``"unknown"`` outside a git checkout."""
    root = Path(__file__).resolve().parents[1]
    try:
        rev = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"],
            capture_output=True, text=True, timeout=10, check=True,
        ).stdout.strip()  # fmt: skip
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True, text=True, timeout=10, check=True,
        ).stdout.strip()  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return rev + ("+dirty" if dirty else "") if rev else "unknown"


def dependency_versions() -> dict[str, str]:
    """``{name: version}`` of :data:`DEPENDENCIES` (``"not installed"`` for a missing one)."""
    out = {}
    for name in DEPENDENCIES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def _numba_threads() -> int:
    try:
        import numba

        return int(numba.get_num_threads())
    except Exception:  # noqa: BLE001 - a label, never a reason to fail
        return int(os.environ.get("NUMBA_NUM_THREADS", "0") or 0)


def _command_line(argv: list[str]) -> str:
    """``argv`` as typed: ``…/pkg/__main__.py`` is shown as ``python -m pkg``."""
    if not argv:
        return ""
    head = Path(argv[0])
    if head.name == "__main__.py":
        first = f"python -m {head.parent.name}"
    elif head.suffix == ".py":
        first = f"python {argv[0]}"
    else:
        first = argv[0]
    return " ".join([first, *argv[1:]])


def provenance(
    *, ranks: int = 1, started: float | None = None, argv: list[str] | None = None
) -> dict[str, str | int | float]:
    """The provenance record of a run (flat: every value a ``str``, ``int`` or ``float``).

    Parameters
    ----------
    ranks
        MPI ranks of the run.
    started
        ``time.perf_counter()`` at the start of the run: adds ``wall_time_s``.
    argv
        The command line (default ``sys.argv``).
    """
    argv = list(sys.argv if argv is None else argv)
    rec: dict[str, str | int | float] = {
        "package": "bilayer-drag",
        "version": __version__,
        "git_commit": git_commit(),
        "python": platform.python_version(),
    }
    for name, ver in dependency_versions().items():
        rec[f"{name}_version"] = ver
    rec.update(
        {
            "cpu": cpu_label(),
            "cpu_model": cpu_model(),
            "vector_extensions": " ".join(vector_extensions()),
            "cores_available": len(os.sched_getaffinity(0))
            if hasattr(os, "sched_getaffinity")
            else (os.cpu_count() or 0),
            "ranks": int(ranks),
            "numba_threads": _numba_threads(),
            "command_line": _command_line(argv),
            "host": platform.node(),
            "date_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
    )
    if started is not None:
        rec["wall_time_s"] = round(time.perf_counter() - started, 3)
    return rec


def provenance_markdown(rec: dict) -> str:
    """A Markdown bullet list of a :func:`provenance` record."""
    return "".join(f"- {k}: `{v}`\n" for k, v in rec.items())
