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

try:
    __version__: str = _metadata.version("bilayer-drag")
except _metadata.PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.1.0+source"

__all__ = ["__version__", "under_mpi_or_scheduler"]
