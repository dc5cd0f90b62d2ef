"""Fluctuating hydrodynamics of the electron bilayer (Zverevich & Levchenko, Eqs. 1–16).

After D. Zverevich and A. Levchenko, *Nonreciprocal Coulomb drag in electron bilayers*,
arXiv:2504.08679 (2025); equation numbers are those of arXiv:2504.08679v1.

The model (a drift matrix and a noise covariance per Fourier mode), its exact stationary
(Lyapunov) solution, and the Langevin time integration on a periodic 2D grid.

* :class:`BilayerParameters` — dimensionless (ς, β, χ, …) or ``from_physical(...)``;
* :class:`BilayerModel` — ``drift_matrix``, ``noise_covariance``, ``drag_kernel``,
  ``mode_matrices``, ``force_to_D``;
* :func:`exact_drag` — D = ρ_D/ρ₀ (and ρ_D) from the exact stationary solution;
* :func:`load` — a run file read back as the :class:`~langevin.run.LangevinRunResult` the
  run returned (:mod:`langevin.results_io`).
"""

from __future__ import annotations

from dragcore import __version__
from langevin.exact import DragResult, UnstableError, exact_drag
from langevin.model import BilayerModel
from langevin.params import BilayerParameters

__all__ = [
    "__version__",
    "BilayerParameters",
    "BilayerModel",
    "DragResult",
    "UnstableError",
    "exact_drag",
    "load",
]


def load(path):
    """A run file of ``python -m langevin run`` read back (:func:`langevin.results_io.load`)."""
    from langevin.results_io import load as _load

    return _load(path)
