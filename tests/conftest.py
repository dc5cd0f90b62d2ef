"""Settings for the whole test session, made before any test module imports numpy.

One OpenBLAS thread per process: the tests' linear algebra is on stacks of small matrices
(the 12 × 12 matrix exponentials of the exact Ornstein–Uhlenbeck step, the 36 × 36 Lyapunov
solves), where further BLAS threads only synchronise, and with one pytest-xdist worker per
core they compete with the other worker for the same cores. At these sizes the results are
the same bits with one thread or several. Subprocesses (the MPI ranks, the command lines)
inherit the setting; a value the user set is kept.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
