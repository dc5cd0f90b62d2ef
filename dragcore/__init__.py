"""Infrastructure shared by ``langevin``, ``montecarlo`` and ``validate``.

Nothing here is physics: the package version, input checks with uniform error messages,
the unit conversions at the boundary, the numba configuration and the CLI error wrapper.
"""

from __future__ import annotations

import os as _os
from importlib import metadata as _metadata

# Threads under MPI/a batch scheduler: numba reads NUMBA_NUM_THREADS once, when it is first
# imported, and any dragcore module may be the one that imports it first (dragcore.elementary
# does, for its intrinsics). So the setting is made here, before any submodule runs; see
# dragcore.jit for what it means.
_SCHEDULER_VARS = (
    "OMPI_COMM_WORLD_SIZE",
    "PMI_SIZE",
    "PMIX_RANK",
    "MPI_LOCALNRANKS",
    "SLURM_JOB_ID",
    "PBS_JOBID",
)


def under_mpi_or_scheduler() -> bool:
    """True if started by an MPI launcher or inside a Slurm/PBS job."""
    return any(v in _os.environ for v in _SCHEDULER_VARS)


if under_mpi_or_scheduler() and "NUMBA_NUM_THREADS" not in _os.environ:
    _os.environ["NUMBA_NUM_THREADS"] = "1"

def _find_version() -> str:
    """The package version: from git in a source checkout, else from the installed metadata.

    In a git checkout (``python -m …`` from the repository root imports the source tree, not
    an installed copy) the version is the one setuptools-scm derives from the commit, so a
    run records the code it ran; without setuptools-scm (a runtime install needs only the
    metadata) the installed distribution's version, then the file the build wrote
    (``dragcore/_version.py``), then ``"0+unknown"``. Never raises.
    """
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    if (root / ".git").exists() and (root / "pyproject.toml").exists():
        try:
            from setuptools_scm import get_version

            return get_version(root=str(root), fallback_version="0.1.0")
        except Exception:  # noqa: BLE001 - no setuptools-scm or no git: the next source
            pass
    try:
        return _metadata.version("bilayer-drag")
    except _metadata.PackageNotFoundError:
        pass
    try:
        from dragcore._version import version

        return str(version)
    except ImportError:
        return "0+unknown"


__version__: str = _find_version()

__all__ = ["__version__", "under_mpi_or_scheduler"]
