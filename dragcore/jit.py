"""One numba configuration for the whole package.

``jit`` is ``numba.njit`` with caching and numpy's error model, and without fastmath: no
``nnan``/``ninf`` (NaN guards keep working), no FMA contraction and no reassociation, so that a
kernel gives the same bits as its numpy twin up to the order of summation we choose, and the
same bits whether LLVM vectorises a loop or not.
Under MPI or a batch scheduler numba's threading is limited to one thread per rank unless
the user sets ``NUMBA_NUM_THREADS`` explicitly, so ranks do not oversubscribe the cores
(set in ``dragcore/__init__``, before any module of the package can import numba).
"""

from __future__ import annotations

import numba

# the thread count is pinned in dragcore/__init__, which runs before any dragcore module
from dragcore import under_mpi_or_scheduler

__all__ = ["jit", "numba", "under_mpi_or_scheduler"]


def jit(func=None, **kwargs):
    """``numba.njit(cache=True, error_model='numpy')``; usable as ``@jit`` or ``@jit(...)``."""
    opts = {"cache": True, "error_model": "numpy", **kwargs}
    if func is None:
        return lambda f: numba.njit(**opts)(f)
    return numba.njit(**opts)(func)
