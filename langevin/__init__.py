"""Fluctuating hydrodynamics of the electron bilayer (Zverevich & Levchenko, Eqs. 1–16).

The model (a drift matrix and a noise covariance per Fourier mode), its exact stationary
(Lyapunov) solution, and the Langevin time integration on a periodic 2D grid.

* :class:`BilayerParameters` — dimensionless (ς, β, χ, …) or ``from_physical(...)``;
* :class:`BilayerModel` — ``drift_matrix``, ``noise_covariance``, ``drag_kernel``,
  ``mode_matrices``, ``force_to_D``;
* :func:`exact_drag` — D = ρ_D/ρ₀ (and ρ_D) from the exact stationary solution.
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
]
