"""Per-mode linear algebra of the linear bilayer's Ornstein–Uhlenbeck modes.

The Lyapunov solve ``M C + C M† + Q = 0`` for stacks of modes, the rotation to the
longitudinal/transverse basis, and the regularisation of the decoupled marginal components
(:mod:`langevin.exact`, "Marginal modes"): the pieces :mod:`langevin.exact` builds the
stationary covariance and the stability checks from.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "ZERO_TOL",
    "STABILITY_TOL",
    "UnstableError",
    "lyapunov_covariance",
    "lt_rotation",
    "growth_rates",
]

#: Relative size below which a matrix element counts as zero (decoupling, marginality).
ZERO_TOL = 1e-13
#: Relative growth rate above which a mode counts as unstable (Re λ > tol · ‖M‖).
STABILITY_TOL = 1e-10


class UnstableError(ValueError):
    """The linearised model has a growing mode: no stationary state exists."""

    def __init__(self, message: str, q: tuple[float, float], rate: float, threshold=None):
        super().__init__(message)
        self.q = q
        self.rate = rate
        self.threshold = threshold


# --- per-mode linear algebra ----------------------------------------------------------------
def lyapunov_covariance(m: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Solve ``M C + C M† + Q = 0`` for a stack of matrices (..., n, n).

    Parameters
    ----------
    m
        Drift matrices, every eigenvalue with Re λ < 0 (not checked here).
    q
        Noise covariances (or any right-hand side).

    Returns
    -------
    C (..., n, n) complex: ``(M ⊗ 1 + 1 ⊗ M*) vec C = −vec Q`` (row-major vec).
    """
    n = m.shape[-1]
    eye = np.eye(n)
    # big[..., i, j, k, l] = M_ik δ_jl + δ_ik M*_jl, by broadcasting (the same products and sums
    # as the two einsums it replaced, twice as fast on the engine's stacks of 6 × 6 matrices).
    big = (
        m[..., :, None, :, None] * eye[None, :, None, :]
        + eye[:, None, :, None] * m.conj()[..., None, :, None, :]
    )
    big = big.reshape(m.shape[:-2] + (n * n, n * n))
    rhs = -q.reshape(q.shape[:-2] + (n * n, 1)).astype(complex)
    return np.linalg.solve(big, rhs).reshape(q.shape)


def lt_rotation(qx, qy) -> np.ndarray:
    """Real orthogonal (..., 6, 6): (δn₁, δn₂, δv₁ₓ, δv₁ᵧ, δv₂ₓ, δv₂ᵧ) → (δn₁, δn₂, L₁, T₁, L₂, T₂),
    L = q̂·δv, T = q̂ × δv (q̂ = x̂ at q = 0)."""
    qx, qy = np.broadcast_arrays(np.asarray(qx, dtype=float), np.asarray(qy, dtype=float))
    q = np.hypot(qx, qy)
    c = np.where(q > 0, qx / np.where(q > 0, q, 1.0), 1.0)
    s = np.where(q > 0, qy / np.where(q > 0, q, 1.0), 0.0)
    r = np.zeros(q.shape + (6, 6))
    r[..., 0, 0] = r[..., 1, 1] = 1.0
    for k in (2, 4):
        r[..., k, k] = c
        r[..., k, k + 1] = s
        r[..., k + 1, k] = -s
        r[..., k + 1, k + 1] = c
    return r


def _decoupled_marginal(m_lt: np.ndarray, q_lt: np.ndarray) -> np.ndarray:
    """Mask (..., 6) of components that are uncoupled, unforced and not damped (Re M_ii = 0)."""
    scale = np.maximum(np.max(np.abs(m_lt), axis=(-2, -1)), 1e-300)[..., None]
    off = m_lt.copy()
    idx = np.arange(6)
    off[..., idx, idx] = 0.0
    coupled = (np.max(np.abs(off), axis=-1) > ZERO_TOL * scale) | (
        np.max(np.abs(off), axis=-2) > ZERO_TOL * scale
    )
    forced = np.max(np.abs(q_lt), axis=-1) > 0.0
    diag = m_lt[..., idx, idx]
    undamped = np.abs(diag.real) <= ZERO_TOL * scale
    return ~coupled & ~forced & undamped


@dataclass
class _Prepared:
    """Drift and noise in the L/T basis with decoupled marginal components regularised."""

    m: np.ndarray
    q: np.ndarray
    rot: np.ndarray
    frozen: np.ndarray


def _prepare(m: np.ndarray, q: np.ndarray, qx, qy, equilibrium: np.ndarray) -> _Prepared:
    rot = lt_rotation(qx, qy)
    rt = np.swapaxes(rot, -1, -2)
    m_lt = rot @ m @ rt
    q_lt = rot @ q @ rt
    frozen = _decoupled_marginal(m_lt, q_lt)
    eq_lt = (rot @ equilibrium @ rt).real
    idx = np.arange(6)
    diag_m = m_lt[..., idx, idx]
    diag_q = q_lt[..., idx, idx]
    eq_diag = eq_lt[..., idx, idx]
    m_lt[..., idx, idx] = np.where(frozen, diag_m - 1.0, diag_m)
    q_lt[..., idx, idx] = np.where(frozen, 2.0 * eq_diag, diag_q)
    return _Prepared(m_lt, q_lt, rot, frozen)


def growth_rates(m: np.ndarray, q: np.ndarray, qx, qy) -> np.ndarray:
    """max Re λ (...) of M per mode, after removing decoupled marginal components (which
    neither grow nor decay); relative to ‖M‖ this is what :data:`STABILITY_TOL` tests."""
    eq = np.zeros(m.shape)
    prep = _prepare(m, q, qx, qy, eq)
    lam = np.linalg.eigvals(prep.m)
    return lam.real.max(axis=-1)
