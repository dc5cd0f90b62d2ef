"""One numba configuration for the whole package.

``jit`` is ``numba.njit`` with caching and numpy's error model, and without fastmath: no
``nnan``/``ninf`` (NaN guards keep working), no FMA contraction and no reassociation, so that a
kernel gives the same bits as its numpy twin up to the order of summation we choose, and the
same bits whether LLVM vectorises a loop or not.
Under MPI or a batch scheduler numba's threading is limited to one thread per rank unless
the user sets ``NUMBA_NUM_THREADS`` explicitly, so ranks do not oversubscribe the cores.
"""

from __future__ import annotations

import os

from dragcore import _SCHEDULER_VARS  # the setting itself is made in dragcore/__init__


def under_mpi_or_scheduler() -> bool:
    """True if started by an MPI launcher or inside a Slurm/PBS job."""
    return any(v in os.environ for v in _SCHEDULER_VARS)


if under_mpi_or_scheduler() and "NUMBA_NUM_THREADS" not in os.environ:
    os.environ["NUMBA_NUM_THREADS"] = "1"

import numba  # noqa: E402  (must follow the thread configuration)

__all__ = ["jit", "numba", "under_mpi_or_scheduler"]


def jit(func=None, **kwargs):
    """``numba.njit(cache=True, error_model='numpy')``; usable as ``@jit`` or ``@jit(...)``."""
    opts = {"cache": True, "error_model": "numpy", **kwargs}
    if func is None:
        return lambda f: numba.njit(**opts)(f)
    return numba.njit(**opts)(func)
