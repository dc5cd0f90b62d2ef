"""Observables of the simulated bilayer: drag force, structure factors, D(q, ω).

All in the model's dimensionless units (:mod:`langevin.params`). The state of one Fourier
mode is ``X = (δn₁, δn₂, δv₁ₓ, δv₁ᵧ, δv₂ₓ, δv₂ᵧ)`` (grid coefficients, :mod:`langevin.grid`).

* Drag force per area on layer 2, Eq. (11) in its equal-time form:
  ``F(t) = Σ_{all q} Re K(q) δn₁_q(t) δn₂_q(t)^* = Re Σ_{half} w_q K(q) δn₁ δn₂^*``
  (:func:`drag_coefficients` gives ``w_q K(q)`` on the stepped modes; the kernels evaluate
  the sum at every step).
* Equal-time structure factors ``S_ab(q) = ⟨X_a X_b^*⟩`` per mode (grid-coefficient
  covariance; × L² for the continuum spectral density).
* Dynamic structure factor of the densities (Eq. 12),
  ``D_ab(q, ω) = Σ_k ⟨X_a(t_k) X_b(0)^*⟩ e^{iωt_k} Δt`` for samples spaced Δt: estimated by
  averaged periodograms (:func:`dynamic_structure_factor`) and exactly, for the sampled
  process ``X_{k+1} = A X_k + noise``, by
  ``D(θ) = Δt[(1 − e^{iθ}A)⁻¹ C₀ + C₀ (1 − e^{−iθ}A†)⁻¹ − C₀]`` with ``θ = ωΔt``
  (:func:`exact_dynamic_structure_factor`). Its peaks sit at the plasmons
  ``ω_± = √(qd(1 ± e^{−qd}))`` (Eq. 14, in units of ω_p), of width the Maxwell rate
  ``γ_± = ς qd (1 ± e^{−qd})`` (Eq. 16).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "QuadraticObservable",
    "DragEstimator",
    "drag_coefficients",
    "plasmon_frequencies",
    "maxwell_rates",
    "dynamic_structure_factor",
    "exact_dynamic_structure_factor",
    "unpack_modes",
]


@dataclass(frozen=True)
class QuadraticObservable:
    """``f_k(t) = Re Σ_modes c_k,mode X_i X_j^*``: what the kernels record after every step.

    Attributes
    ----------
    name
        What it is (e.g. ``"drag_force"``).
    pair
        ``(i, j)``: the state components multiplied.
    coefficients
        ``c``, ``(n_obs, modes)`` complex, on the stepped modes.
    """

    name: str
    pair: tuple[int, int]
    coefficients: np.ndarray


@dataclass(frozen=True)
class DragEstimator:
    """The scalar a run averages, from the drag force ``F(t)`` (2-vector per system).

    ``scale · direction·F`` on one system; on a common-random-numbers pair (+v, −v)
    ``scale · direction·(F₊ − F₋)/2``.

    Attributes
    ----------
    name
        ``"D"`` (D = ρ_D/ρ₀ at a drift u > 0) or ``"force_x"`` (F·x̂ at u = 0).
    direction
        Unit 2-vector the force is projected on (v̂, or x̂ at u = 0).
    scale
        Factor from the projected force to the estimator (e.g. ``force_to_D(1, u)``).
    """

    name: str
    direction: np.ndarray
    scale: float

    def series(self, forces: np.ndarray) -> np.ndarray:
        """``(n_steps,)`` estimator from the force series ``(n_steps, n_sys, 2)``
        (``n_sys = 2``: the ±v pair)."""
        along = forces @ self.direction
        if along.shape[1] == 2:
            return self.scale * 0.5 * (along[:, 0] - along[:, 1])
        return self.scale * along[:, 0]

    def mode_coefficients(self, force: QuadraticObservable) -> np.ndarray:
        """``(modes,)`` coefficients of the estimator on one system: ``scale · direction·c``."""
        return self.scale * (self.direction @ force.coefficients)


def drag_coefficients(kernel: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Coefficients ``c_k = w K_k`` of ``F_k = Re Σ_modes c_k δn₁ δn₂^*`` (Eq. 11).

    Parameters
    ----------
    kernel
        ``K(q)`` on the stepped modes, ``(modes, 2)`` complex (model units: force per area
        per (density × density)).
    weights
        Half-plane weights ``w`` (1 or 2) of those modes.

    Returns
    -------
    ``(2, modes)`` complex.
    """
    return np.ascontiguousarray((np.asarray(kernel) * np.asarray(weights)[:, None]).T)


def plasmon_frequencies(q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``ω_± = √(qd (1 ± e^{−qd}))`` in units of ω_p (Eq. 14, ω_p² = 2πn²e²/(ϱκd))."""
    q = np.asarray(q, dtype=float)
    return np.sqrt(q * (1 + np.exp(-q))), np.sqrt(q * (1 - np.exp(-q)))


def maxwell_rates(q: np.ndarray, varsigma: float) -> tuple[np.ndarray, np.ndarray]:
    """``γ_± = ς qd (1 ± e^{−qd})`` in units of ω_p (Eq. 16 with ς of Eq. 24)."""
    q = np.asarray(q, dtype=float)
    return varsigma * q * (1 + np.exp(-q)), varsigma * q * (1 - np.exp(-q))


def dynamic_structure_factor(
    series: np.ndarray, dt: float, segment: int
) -> tuple[np.ndarray, np.ndarray, int]:
    """Averaged periodogram of a stationary complex vector series.

    Parameters
    ----------
    series
        ``(..., n_steps, k)`` complex samples spaced ``dt`` (leading axes: independent
        realisations, averaged over).
    dt
        Sampling interval (units 1/ω_p).
    segment
        Samples per segment (non-overlapping, rectangular window: the periodogram of a
        segment of length L estimates the spectrum convolved with Fejér's kernel; choose
        ``segment · dt`` ≫ the correlation time).

    Returns
    -------
    ``(omega, D, count)``: angular frequencies ``(segment,)`` in FFT order, the estimate
    ``D_ab(ω) = ⟨X_a(ω) X_b(ω)^*⟩ dt / segment`` of shape ``(segment, k, k)`` with
    ``X(ω) = Σ_t X_t e^{iωt dt}``, and the number of segments averaged.
    """
    x = np.asarray(series)
    n = x.shape[-2]
    n_seg = n // segment
    if n_seg < 1:
        raise ValueError(f"segment = {segment} is outside the allowed range [1, {n}]")
    x = x[..., : n_seg * segment, :].reshape(x.shape[:-2] + (n_seg, segment, x.shape[-1]))
    # e^{+iωt}: numpy's ifft sign, times the length.
    xw = np.fft.ifft(x, axis=-2) * segment
    per = xw[..., :, None] * np.conj(xw[..., None, :])
    count = int(np.prod(per.shape[:-3]))
    est = per.reshape((-1,) + per.shape[-3:]).mean(axis=0) * dt / segment
    omega = 2 * np.pi * np.fft.fftfreq(segment, d=dt)
    return omega, est, count


def exact_dynamic_structure_factor(
    step_matrix: np.ndarray, covariance: np.ndarray, dt: float, omega: np.ndarray
) -> np.ndarray:
    """Exact spectrum of the sampled process ``X_{k+1} = A X_k + noise`` (one mode).

    ``D(ω) = dt Σ_k C_k e^{iωk dt}`` with ``C_k = A^k C₀`` (k ≥ 0), ``C_{−k} = C_k†``:
    ``dt [(1 − e^{iθ}A)⁻¹C₀ + C₀(1 − e^{−iθ}A†)⁻¹ − C₀]``, ``θ = ω dt``. As ``dt → 0`` for
    exact-OU steps this is the continuum ``(−iω − M)⁻¹ Q (−iω − M)⁻†``.

    Parameters
    ----------
    step_matrix
        ``A`` (d, d); spectral radius < 1.
    covariance
        ``C₀`` (d, d).
    dt
        Sampling interval.
    omega
        Angular frequencies (any shape).

    Returns
    -------
    ``omega.shape + (d, d)`` complex.
    """
    d = step_matrix.shape[-1]
    phase = np.exp(1j * np.asarray(omega) * dt)[..., None, None]
    eye = np.eye(d)
    left = np.linalg.solve(
        eye - phase * step_matrix, np.broadcast_to(covariance, phase.shape[:-2] + (d, d))
    )
    right = np.conj(np.swapaxes(left, -1, -2))
    return dt * (left + right - covariance)


def unpack_modes(values: np.ndarray, index: tuple[np.ndarray, np.ndarray], shape, fill=0.0):
    """Scatter per-mode values ``(modes, ...)`` back onto the half plane ``shape + (...)``."""
    out = np.full(tuple(shape) + values.shape[1:], fill, dtype=values.dtype)
    out[index] = values
    return out
