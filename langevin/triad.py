"""The stationary third cumulant of a linear drift on one mode triad: the triad Lyapunov solve.

On a triad ``k₁ + k₂ + k₃ = 0`` the first-order third cumulant ``T`` of
``dX = [M X + B(X, X)] dt + dW`` solves ``M(k₁) T + M(k₂) T + M(k₃) T + S = 0`` (M acting on
each leg; derivation, step 3, of :mod:`langevin.one_loop`). In the eigenbases of the three
drifts it is diagonal: ``T̂_{αβγ} = −Ŝ_{αβγ}/(λ_α(k₁) + λ_β(k₂) + λ_γ(k₃))``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["solve_triad"]


def _leg(t: np.ndarray, a: np.ndarray, leg: int) -> np.ndarray:
    """``A`` (n, d, d) applied to index ``leg`` (1, 2 or 3) of ``t`` (n, d, d, d)."""
    if leg == 1:
        return np.einsum("nij,njbc->nibc", a, t)
    if leg == 2:
        return np.einsum("nij,najc->naic", a, t)
    return np.einsum("nij,nabj->nabi", a, t)


def solve_triad(source: np.ndarray, eig1, eig2, eig3) -> np.ndarray:
    """Solve ``Σ_legs M_leg T + S = 0`` for a stack of triads (module docstring).

    Parameters
    ----------
    source
        ``S`` (n, d, d, d).
    eig1, eig2, eig3
        ``(λ, V, V⁻¹)`` of the drift on each leg: λ (n, d), V and V⁻¹ (n, d, d).

    Returns
    -------
    T (n, d, d, d): ``T̂ = −Ŝ/(λ₁ + λ₂ + λ₃)`` in the eigenbases, transformed back.
    """
    s = _leg(_leg(_leg(source, eig1[2], 1), eig2[2], 2), eig3[2], 3)
    den = eig1[0][:, :, None, None] + eig2[0][:, None, :, None] + eig3[0][:, None, None, :]
    t = -s / den
    return _leg(_leg(_leg(t, eig1[1], 1), eig2[1], 2), eig3[1], 3)


def _eig(m: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    lam, v = np.linalg.eig(m)
    return lam, v, np.linalg.inv(v)
