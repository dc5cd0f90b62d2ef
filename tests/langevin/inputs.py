"""Inputs and small helpers several langevin test files share."""

from __future__ import annotations

import numpy as np

#: A GaAs bilayer at 10 K, as keywords of :meth:`langevin.params.BilayerParameters.
#: from_physical`: n = 10¹¹ cm⁻², m = 0.067 mₑ, κ = 12, d = 200 nm, σ = 0.5 e²/ħ, η = 2 ħn.
GAAS_10K = {
    "density_cm2": 1e11,
    "mass_me": 0.067,
    "kappa": 12.0,
    "spacing_nm": 200.0,
    "temperature_k": 10.0,
    "sigma_e2_per_hbar": 0.5,
    "eta_hbar_n": 2.0,
}


def dag(a: np.ndarray) -> np.ndarray:
    """The conjugate transpose of each matrix of a stack (the last two axes)."""
    return np.conj(np.swapaxes(a, -1, -2))
