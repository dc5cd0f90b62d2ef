"""Fluctuating hydrodynamics of the electron bilayer (Zverevich & Levchenko, Eqs. 1–16).

The model (a drift matrix and a noise covariance per Fourier mode), its exact stationary
(Lyapunov) solution, and the Langevin time integration on a periodic 2D grid.
"""

from __future__ import annotations

from dragcore import __version__

__all__ = ["__version__"]
