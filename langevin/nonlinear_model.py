"""The bilayer's full nonlinear fluctuating hydrodynamics (beyond Eqs. 1–10 of the paper).

D. Zverevich and A. Levchenko, *Nonreciprocal Coulomb drag in electron bilayers*, linearise
their Eqs. (1)–(10) about the uniform state. This module keeps the full fields. Per layer
``a`` the state is the density ``n_a = 1 + ρ_a`` (units of the mean density n) and the
momentum density ``p_a = n_a w_a`` (units of n ω_p d, per unit mass: p is the mass current
divided by ϱ), where ``w_a`` is the velocity relative to the layer's imposed drift ``V_a``
(``V₁ = v``, ``V₂ = 0``). Dimensionless units of :mod:`langevin.params` throughout.

Why momentum density
--------------------
The model's energy (Hamiltonian) in the frame of each layer is

    H = Σ_a ∫ [ |p_a|²/(2 n_a) + s² n_a²/2 ] + ½ Σ_ab ∫ ρ_a Ũ_ab ρ_b,          (H)

kinetic energy, the 2D degenerate-gas pressure ``P(n) = s² n²/2`` (``μ = s² n``, linear in n
for ``T ≪ E_F``: its linearisation is the linear model's ``sound`` term) and the Coulomb energy
(Eq. 2). In the variables ``(n, p)`` the Liouville measure is flat and every dissipative
coefficient (σ, η, ζ_b) multiplies a *constant* operator acting on the conjugate forces
``δH/δn_a = φ_a + s² n_a − |w_a|²/2`` and ``δH/δp_a = w_a = p_a/n_a``
(``φ_a = Ũ_ab ρ_b``). The noise is then *additive* (state independent): exactly the noise of
the linear model (Eqs. 3, 10), with no Itô–Stratonovich drift. In velocity variables the
same model would need multiplicative noise ``∝ 1/√n`` and a spurious-drift correction.

The equations (layer 1 in the lab frame: the drift's advection ``−v·∇`` is linear)
--------------------------------------------------------------------------------------
::

    ∂t ρ_a = −V_a·∇ρ_a − ∇·p_a + ς ∇²(φ_a + s² ρ_a − |w_a|²/2) − ∇·δI_a              (C)
    ∂t p_a = −V_a·∇p_a − ∇·(p_a ⊗ p_a / n_a) − n_a ∇(φ_a + s² ρ_a)
             + ∇·[σᵉ(w_a) + σᵒ(w_a) + σⁿ_a(w_a)] + ∇·δΞ_a                               (M)

with the stresses of Eqs. (7)–(9) evaluated on ``w_a = p_a/n_a`` (the even one in its traceless
2D form, see :mod:`langevin.model`), the nonreciprocal one in layer 1 (``η A_ijlm V_lm(w₁)``
with ``A = N·v``), and the Langevin fluxes of Eqs. (3), (10). ``n∇(s²ρ) = ∇P``. The linear
parts of (C) and (M) are exactly the linear model's drift ``M(q)`` (with ``δv ↔ p``): the
linear model is this one at first order in the fields. What is *new* is

==============================  ====================================================  =====
term                            nonlinear remainder ``N`` (Fourier, on the state)     from
==============================  ====================================================  =====
Maxwell, kinetic part           ``+ς q² FT(|w|²/2)`` on ρ                             (C)
advection                       ``−i q_j FT(p_i p_j / n)`` on p                       (M)
Coulomb + pressure force        ``−FT(ρ ∇(φ + s²ρ))`` on p                            (M)
even/odd/nonreciprocal stress   ``−V(q)·(FT(w) − p_q)`` on p (the stress of w − p)    (M)
nonreciprocal, full velocity    ``+ i q_j FT(η (χ/u)(w·v̂) V_ij(w))``, both layers     (switch)
==============================  ====================================================  =====

The nonreciprocal stress with the full velocity. The paper's ``η N_ijklm v_k δV_lm`` uses the
drift ``v`` alone (it is linear in the fluctuations). With the paper's contraction
``N = α δ_il δ_jm B_k`` and the full velocity ``u_a = V_a + w_a`` it reads
``η α (u_a·B) V_ij(w_a)`` = ``η χ (1 + w_a·v̂/u) V_ij(w_a)`` in layer 1 and
``η χ (w₂·v̂/u) V_ij(w₂)`` in layer 2 (``B ∥ v``, χ = α v·B at the drift u): the term adds a
quadratic stress in *both* layers. ``nonreciprocal_full_velocity=True`` switches it on (it
needs u > 0 and the paper's contraction); the default keeps the drift only, as the linear
model does.

The Maxwell current is driven by the gradient of ``δH/δn``; the linear model's
``eδΦ + δμ`` is its linear part, the ``−|w|²/2`` is the kinetic-energy part at fixed momentum,
kept so that (H) is stationary (below).

The equation of state is a method of the model: :meth:`NonlinearBilayerModel.chemical_potential`
``μ(n)`` (``P' = n μ'``) with its linearisation at n = 1, the linear model's ``s²``. For the
degenerate gas ``μ = s² n`` the whole pressure term is the ``s²ρ`` folded into the Coulomb +
pressure force above. Another equation of state is a subclass that overrides
``chemical_potential`` and sets ``linear_chemical_potential = False``: its excess
``μ_x = μ(n) − μ(1) − s²(n − 1)`` then adds ``ς∇²μ_x`` to (C) and ``−n∇μ_x`` to (M)
(:func:`nonlinear_rhs`); one entry of :mod:`langevin.run_models` (``model_class``) makes it a
``model = …`` of the configuration.

What is exact and what is O(Θ)
------------------------------
The fluctuation strength is Θ = T/(ϱω_p²d⁴) = T/(2π (e²/κd) (nd²)²) (``params.theta``, from
physical inputs by :meth:`BilayerParameters.from_physical`): the squared relative density
fluctuation in a d × d patch and the squared thermal velocity of its ``nd²`` electrons in
units of (ω_p d)². With fields of size √Θ, the nonlinear terms are O(√Θ) relative to the
linear ones, and the drag changes at O(Θ): ``D(Θ)/D_linear = 1 + a Θ + O(Θ²)``, with ``a``
depending on the grid's cutoff (the fluctuations per cell grow as the cell shrinks — the known
UV sensitivity of fluctuating hydrodynamics). At v = 0:

* continuum: the Gibbs density ``exp(−H/Θ)`` on flat ``(n, p)`` measure is exactly stationary:
  the reversible part of (C, M) conserves H and phase-space volume, each dissipative part is a
  constant symmetric operator acting on ``δH/δ(n, p)`` with its fluctuation–dissipation noise;
* on the grid: the 2/3-dealiased pseudo-spectral truncation keeps phase-space volume (the
  projected derivative has zero diagonal) and the number of each layer (the q = 0 density is
  never changed: every term of (C) is a divergence), but not H exactly (products of
  band-limited fields leave the band; the ``1/n`` in ``p/n`` is not a polynomial and aliases at
  O(Θ²)): the stationary state deviates from ``exp(−H/Θ)`` at O(Θ)·(truncation), measured by
  the structure factors (``tests/validate/test_nonlinear.py``);
* ``⟨|p_q|²⟩ = Θ/L²`` per component under ``exp(−H/Θ)`` at every Θ (the kinetic energy is
  Gaussian in p with variance ``Θ n(r)``, and the mean of n is 1); ``⟨|ρ_q|²⟩`` is the linear
  Gibbs value ``Θ (Ũ + s²)⁻¹/L²`` up to O(Θ²).

The drive holds the q = 0 momentum of each layer (``Σ_r p_a = 0``: layer 1 moves at v, layer
2 is at rest): the q = 0 components are never stepped. What the constraint removes from layer
2 per unit time is the total force on it, the q = 0 of (M): the drag force (Eq. 11 on the
nonlinear fields, the interlayer part of ``−ρ₂∇φ₂``) plus terms that vanish identically (the
divergences and the intralayer ``−ρ₂∇(Ũ₂₂ρ₂ + s²ρ₂)``, zero by symmetry); the engine records it
as a second estimator.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import scipy.fft

from langevin.grid import PeriodicGrid
from langevin.model import (
    BilayerModel,
    coulomb_matrix,
    even_viscosity_drift,
    nonreciprocal_drift,
    odd_viscosity_drift,
)
from langevin.model_interface import NonlinearDrift
from langevin.observables import DragEstimator, QuadraticObservable
from langevin.params import BilayerParameters

__all__ = [
    "STATE_NAMES",
    "BlowUpError",
    "NonlinearBilayerModel",
    "dealias_mask",
    "stress_operator",
    "nonlinear_rhs",
]

#: Components of a mode's state: density and momentum-density fluctuations.
STATE_NAMES = ("dn1", "dn2", "p1x", "p1y", "p2x", "p2y")


class BlowUpError(FloatingPointError, ValueError):
    """A nonlinear run left the physical domain (NaN/inf, or a density ≤ 0).

    Also a ``ValueError``: the parameters (Θ for the grid's cell size, a drift or χ past where
    the model saturates) are outside the range the model can run, so the command line ends
    with its one-line message and exit code 2, as for other bad input."""


def dealias_mask(grid: PeriodicGrid) -> np.ndarray:
    """Half-plane modes kept by the 2/3 rule: ``|m_x|, |m_y| ≤ k`` with ``k = ⌊(N−1)/3⌋``.

    Products of two kept fields then alias only onto dropped modes (``2k − N < −k``); the
    kept set excludes the Nyquist modes, so every kept mode but q = 0 is a generic (complex)
    one.
    """
    n = grid.n
    k = (n - 1) // 3
    mx = np.fft.fftfreq(n, d=1.0 / n)
    my = np.fft.rfftfreq(n, d=1.0 / n)
    return (np.abs(mx)[:, None] <= k) & (np.abs(my)[None, :] <= k)


def stress_operator(qx, qy, params: BilayerParameters, layer: int) -> np.ndarray:
    """``V(q)`` (..., 2, 2): the force of the viscous stresses on a velocity field ``w`` is
    ``−V(q) w_q`` (Eqs. 7–9): even (if on), odd, and in layer 1 the nonreciprocal stress with
    the drift's tensor ``A = N·v``. The linear model's velocity block (minus advection) is
    exactly ``−V``; here it acts on ``w = p/n``."""
    p = params
    m = np.zeros(np.broadcast(np.asarray(qx), np.asarray(qy)).shape + (6, 6), dtype=complex)
    if p.even_viscosity:
        m = m + even_viscosity_drift(qx, qy, p.shear, p.bulk)
    if p.odd:
        m = m + odd_viscosity_drift(qx, qy, p.odd)
    if layer == 0:
        m = m + nonreciprocal_drift(qx, qy, p.shear, p.stress_tensor)
    blk = slice(2, 4) if layer == 0 else slice(4, 6)
    return -m[..., blk, blk]


@dataclass(frozen=True)
class _Spectral:
    """Wave vectors and operators of the kept modes, built once per grid."""

    grid: PeriodicGrid
    mask: np.ndarray
    qx: np.ndarray  # (N, N//2+1)
    qy: np.ndarray
    ik: tuple[np.ndarray, np.ndarray]  # i q_x, i q_y on the half plane (masked)
    coulomb: np.ndarray  # (N, N//2+1, 2, 2): Ũ + s² (masked, 0 at q = 0)
    stress: tuple[np.ndarray, np.ndarray]  # per layer (N, N//2+1, 2, 2)
    q2: np.ndarray

    @property
    def coulomb_parts(self) -> tuple[np.ndarray, ...]:
        """``(U₀₀, U₀₁, U₁₀, U₁₁)`` as contiguous (N, N//2+1) arrays (cached)."""
        cached = self.__dict__.get("_coulomb_parts")
        if cached is None:
            u = self.coulomb
            cached = tuple(np.ascontiguousarray(u[..., i, j]) for i in (0, 1) for j in (0, 1))
            object.__setattr__(self, "_coulomb_parts", cached)
        return cached

    @property
    def stress_parts(self) -> tuple[tuple[np.ndarray, ...], ...]:
        """Per layer ``(V_xx, V_xy, V_yx, V_yy)`` as contiguous arrays (cached)."""
        cached = self.__dict__.get("_stress_parts")
        if cached is None:
            cached = tuple(
                tuple(np.ascontiguousarray(v[..., i, j]) for i in (0, 1) for j in (0, 1))
                for v in self.stress
            )
            object.__setattr__(self, "_stress_parts", cached)
        return cached


def _spectral(grid: PeriodicGrid, params: BilayerParameters) -> _Spectral:
    mask = dealias_mask(grid)
    qx, qy = grid.half_wavevectors()
    # the Nyquist column m_y = N/2 is dropped by the mask, so the sign of q_y there is moot
    u = coulomb_matrix(qx, qy, params.sound)
    u[0, 0] = 0.0
    u = np.where(mask[..., None, None], u, 0.0)
    stress = tuple(
        np.where(mask[..., None, None], stress_operator(qx, qy, params, a), 0.0) for a in (0, 1)
    )
    ik = (np.where(mask, 1j * qx, 0.0), np.where(mask, 1j * qy, 0.0))
    return _Spectral(grid, mask, qx, qy, ik, u, stress, np.where(mask, qx**2 + qy**2, 0.0))


def nonlinear_rhs(
    state: np.ndarray,
    spec: _Spectral,
    params: BilayerParameters,
    *,
    full_velocity: bool = False,
    workers: int = 1,
    excess_chemical_potential: Callable[[np.ndarray], np.ndarray] | None = None,
) -> np.ndarray:
    """The nonlinear remainder ``N(X)`` of Eqs. (C), (M) (module docstring), plain numpy.

    Parameters
    ----------
    state
        Half-plane coefficients ``(6, N, N//2+1)`` of (ρ₁, ρ₂, p₁ₓ, p₁ᵧ, p₂ₓ, p₂ᵧ), zero
        outside the kept (dealiased) modes and at q = 0.
    spec
        The grid's operators (:func:`_spectral`).
    params
        The model parameters.
    full_velocity
        Add the nonreciprocal stress's full-velocity term.
    workers
        Threads for the FFTs (scipy.fft).
    excess_chemical_potential
        ``μ_x(n) = μ(n) − μ(1) − μ'(1)(n − 1)`` of an equation of state whose chemical
        potential is not linear in n (:meth:`NonlinearBilayerModel.excess_chemical_potential`);
        ``None``: ``μ = s² n``, whose pressure term is the ``ρ∇(s²ρ)`` of the Coulomb +
        pressure force. It adds ``ς∇²μ_x`` to (C) and ``−n∇μ_x`` to (M).

    Returns
    -------
    ``(6, N, N//2+1)`` complex: the contribution to ``dX/dt``, on the kept modes (zero
    elsewhere); its q = 0 entries are the total force on each layer's momentum (the drive's
    constraint removes it) and zero on the densities.

    Raises
    ------
    BlowUpError
        If a density ``n_a = 1 + ρ_a`` is ≤ 0 somewhere or a field is not finite.
    """
    n = spec.grid.n
    norm = n * n
    real = _real_fields(state, spec, workers)
    rho_r, p_r = real[0:2], real[2:6].reshape(2, 2, n, n)
    grad_phi = np.stack([real[6:8], real[8:10]], axis=1)  # (layer, component, N, N)
    dens = 1.0 + rho_r
    _require_physical(real, dens)
    w = p_r / dens[:, None]  # (layer, component, N, N)
    kinetic = 0.5 * (w[:, 0] ** 2 + w[:, 1] ** 2)
    flux = np.stack(
        [p_r[:, 0] * w[:, 0], p_r[:, 0] * w[:, 1], p_r[:, 1] * w[:, 1]], axis=1
    )  # p_i p_j / n: xx, xy, yy
    force = rho_r[:, None] * grad_phi  # ρ ∇(φ + s²ρ)
    real_out = np.concatenate(
        [w.reshape(4, n, n), kinetic, flux.reshape(6, n, n), force.reshape(4, n, n)], axis=0
    )
    if full_velocity:
        extra = _full_velocity_stress(w, params, spec, workers)
        real_out = np.concatenate([real_out, extra.reshape(6, n, n)], axis=0)
    f = scipy.fft.rfft2(real_out, axes=(-2, -1), workers=workers) / norm
    out = np.zeros_like(state)
    out[0:2] = params.varsigma * spec.q2 * f[4:6]  # ς q² FT(|w|²/2)
    eos_force_q = None
    if excess_chemical_potential is not None:
        eos_force_q = _excess_pressure_force(out, dens, excess_chemical_potential, spec, params,
                                             workers)  # fmt: skip
    force_q = f[12:16].reshape(2, 2, n, n // 2 + 1)
    mom = _momentum_rhs(state, f, spec, full_velocity)
    if eos_force_q is not None:
        mom -= eos_force_q
    out[2:6] = mom.reshape(4, n, n // 2 + 1)
    # the kept modes only (q = 0 of the momentum: the total force, kept for the constraint)
    out *= spec.mask
    out[0:2, 0, 0] = 0.0
    q0 = -force_q[:, :, 0, 0]
    if eos_force_q is not None:
        q0 = q0 - eos_force_q[:, :, 0, 0]
    out[2:6, 0, 0] = q0.reshape(4)
    return out


def _real_fields(state: np.ndarray, spec: _Spectral, workers: int) -> np.ndarray:
    """``(10, N, N)`` real-space fields: ρ₁, ρ₂, p₁, p₂ and ``∇(φ + s²ρ)`` per layer (x of
    both layers, then y), with ``φ_a = (Ũ + s²)_ab ρ_b``."""
    n = spec.grid.n
    ikx, iky = spec.ik
    rho = state[0:2]
    cu = spec.coulomb_parts
    phi = np.stack([cu[0] * rho[0] + cu[1] * rho[1], cu[2] * rho[0] + cu[3] * rho[1]])
    spectral_in = np.concatenate([state, ikx * phi, iky * phi], axis=0)  # 10 fields
    return scipy.fft.irfft2(spectral_in * (n * n), s=(n, n), axes=(-2, -1), workers=workers)


def _require_physical(real: np.ndarray, dens: np.ndarray) -> None:
    """:class:`BlowUpError` if a field is not finite or a density ``n_a`` is ≤ 0."""
    if not np.all(np.isfinite(real)):
        bad = int(np.argmax(~np.all(np.isfinite(real.reshape(10, -1)), axis=1)))
        raise BlowUpError(f"field {('dn1', 'dn2', 'p1x', 'p1y', 'p2x', 'p2y')[min(bad, 5)]} "
                          "is not finite")  # fmt: skip
    low = float(dens.min())
    if low <= 0.0:
        layer = int(np.argmin(dens.reshape(2, -1).min(axis=1)))
        raise BlowUpError(f"density of layer {layer + 1} reached {low:.3g} n (≤ 0)")


def _momentum_rhs(state: np.ndarray, f: np.ndarray, spec: _Spectral,
                  full_velocity: bool) -> np.ndarray:  # fmt: skip
    """The momenta's ``N`` (Eq. M, layer, component): advection ``−∂_j(p_i p_j/n)``, the
    Coulomb + pressure force ``−ρ∇(φ + s²ρ)``, the viscous and nonreciprocal stress of
    ``w − p`` and, with ``full_velocity``, the full-velocity stress; ``f`` the transformed
    products of :func:`nonlinear_rhs`."""
    n = spec.grid.n
    ikx, iky = spec.ik
    w_q = f[0:4].reshape(2, 2, n, n // 2 + 1)
    flux_q = f[6:12].reshape(2, 3, n, n // 2 + 1)
    force_q = f[12:16].reshape(2, 2, n, n // 2 + 1)
    p = state[2:6].reshape(2, 2, n, n // 2 + 1)
    adv_x = ikx * flux_q[:, 0] + iky * flux_q[:, 1]
    adv_y = ikx * flux_q[:, 1] + iky * flux_q[:, 2]
    mom = -np.stack([adv_x, adv_y], axis=1) - force_q
    for a in (0, 1):
        dw = w_q[a] - p[a]
        sxx, sxy, syx, syy = spec.stress_parts[a]
        mom[a, 0] -= sxx * dw[0] + sxy * dw[1]
        mom[a, 1] -= syx * dw[0] + syy * dw[1]
    if full_velocity:
        s_q = f[16:22].reshape(2, 3, n, n // 2 + 1)
        mom[:, 0] += ikx * s_q[:, 0] + iky * s_q[:, 1]
        mom[:, 1] += ikx * s_q[:, 1] + iky * s_q[:, 2]
    return mom


def _excess_pressure_force(out: np.ndarray, dens: np.ndarray, excess, spec: _Spectral,
                           params: BilayerParameters, workers: int) -> np.ndarray:  # fmt: skip
    """An equation of state's part beyond ``μ = s² n``: adds ``ς∇²μ_x(n)`` to the densities
    of ``out`` (Eq. C, in place) and returns ``FT(n∇μ_x(n))`` (layer, component), the force
    (Eq. M, ``n∇μ = ∇P``) to subtract from the momenta."""
    n = spec.grid.n
    norm = n * n
    ikx, iky = spec.ik
    mu_q = scipy.fft.rfft2(excess(dens), axes=(-2, -1), workers=workers) / norm
    out[0:2] -= params.varsigma * spec.q2 * mu_q
    grad = scipy.fft.irfft2(np.stack([ikx * mu_q, iky * mu_q], axis=1) * norm, s=(n, n),
                            axes=(-2, -1), workers=workers)  # fmt: skip
    return scipy.fft.rfft2(dens[:, None] * grad, axes=(-2, -1), workers=workers) / norm


def _full_velocity_stress(
    w: np.ndarray, params: BilayerParameters, spec: _Spectral, workers: int
) -> np.ndarray:
    """``η χ (w_a·v̂/u) V_ij(w_a)`` per layer, (layer, xx/xy/yy, N, N) real (module doc)."""
    grid = spec.grid
    n = grid.n
    w_q = scipy.fft.rfft2(w, axes=(-2, -1), workers=workers) / (n * n)
    ikx, iky = spec.ik
    grads = np.stack([ikx * w_q, iky * w_q], axis=1)  # (layer, ∂_j, w_i)
    g = scipy.fft.irfft2(grads * (n * n), s=(n, n), axes=(-2, -1), workers=workers)
    # g[a, j, i] = ∂_j w_i
    vhat = np.array([math.cos(params.drift_angle), math.sin(params.drift_angle)])
    coef = params.shear * params.chi / params.drift * (vhat[0] * w[:, 0] + vhat[1] * w[:, 1])
    vxx = g[:, 0, 0]
    vyy = g[:, 1, 1]
    vxy = 0.5 * (g[:, 0, 1] + g[:, 1, 0])
    return coef[:, None] * np.stack([vxx, vxy, vyy], axis=1)


class NonlinearBilayerModel:
    """The bilayer with its full nonlinear hydrodynamics (module docstring).

    A model of the engine's interface (:class:`langevin.model_interface.LangevinModel`): its
    linear drift and noise are the linear model's (:class:`langevin.model.BilayerModel`) on
    the kept (2/3-dealiased) modes and zero on the dropped ones (which stay zero), its
    :meth:`nonlinear_drift` is :func:`nonlinear_rhs`.

    Parameters
    ----------
    params
        :class:`~langevin.params.BilayerParameters`; ``theta`` is the fluctuation strength
        Θ (unlike in the linear model, it does not scale out).
    nonreciprocal_full_velocity
        Evaluate the nonreciprocal stress with the full velocity (module docstring); needs
        ``drift > 0`` and the paper's contraction.
    workers
        FFT threads.
    """

    state_names = STATE_NAMES
    #: The ``model`` a run of this class records in its identity.
    model_name: ClassVar[str] = "nonlinear"
    #: ``μ(n)`` is linear in n (the degenerate 2D gas, ``μ = s² n``): its whole nonlinear
    #: part is the ``ρ∇(s²ρ)`` of the Coulomb + pressure force. A subclass with another
    #: equation of state sets ``False`` and overrides :meth:`chemical_potential`.
    linear_chemical_potential: ClassVar[bool] = True

    def chemical_potential(self, n: np.ndarray) -> np.ndarray:
        """The equation of state: ``μ(n) = s² n`` (``P = s² n²/2``, Eq. H), density ``n`` in
        units of the mean density, μ in the units of the Coulomb energy (``ϱ ω_p² d⁴/n²``
        per density)."""
        return self.params.sound * n

    def chemical_potential_slope(self) -> float:
        """Its linearisation ``dμ/dn`` at the mean density, the linear model's ``s²``
        (``params.sound``), by a central difference of :meth:`chemical_potential` (step
        1e-4: error O(1e-8) relative for a smooth μ)."""
        h = 1e-4
        return float((self.chemical_potential(1.0 + h) - self.chemical_potential(1.0 - h))
                     / (2 * h))  # fmt: skip

    def excess_chemical_potential(self, n: np.ndarray) -> np.ndarray:
        """``μ(n) − μ(1) − s²(n − 1)``: the equation of state beyond its linearisation."""
        mu = self.chemical_potential
        return mu(n) - mu(1.0) - self.params.sound * (n - 1.0)

    def __init__(
        self,
        params: BilayerParameters,
        *,
        nonreciprocal_full_velocity: bool = False,
        workers: int = 1,
    ) -> None:
        if nonreciprocal_full_velocity:
            if params.drift <= 0:
                raise ValueError(
                    f"drift = {params.drift!r} is outside the allowed range (0, inf) for "
                    "nonreciprocal_full_velocity (the stress is α (u·B) V with χ = α v·B)"
                )
            if params.nonreciprocal_tensor is not None:
                raise ValueError(
                    "nonreciprocal_tensor = given is outside the allowed range for "
                    "nonreciprocal_full_velocity (the paper's contraction only)"
                )
        self.params = params
        if not self.linear_chemical_potential:
            slope = self.chemical_potential_slope()
            if not abs(slope - params.sound) <= 1e-6 * max(abs(params.sound), 1.0):
                raise ValueError(
                    f"dmu/dn = {slope:.6g} is outside the allowed range [{params.sound:.6g}, "
                    f"{params.sound:.6g}] for {type(self).__name__} (the equation of state's "
                    "linearisation at n = 1 is the linear model's sound = s^2)"
                )
        self.full_velocity = bool(nonreciprocal_full_velocity)
        self.workers = int(workers)
        self.linear = BilayerModel(params)
        self._reversed: NonlinearBilayerModel | None = None
        self._spec: _Spectral | None = None

    @property
    def options(self) -> dict:
        """The model's settings beyond ``params`` (part of a run's identity)."""
        return {"model": self.model_name, "nonreciprocal_full_velocity": self.full_velocity}

    def reversed_drive(self) -> NonlinearBilayerModel:
        """The same model with v → −v at fixed χ (see :meth:`BilayerModel.reversed_drive`)."""
        if self._reversed is None:
            lin = self.linear.reversed_drive()
            self._reversed = type(self)(
                lin.params, nonreciprocal_full_velocity=self.full_velocity, workers=self.workers
            )
        return self._reversed

    def spectral(self, grid: PeriodicGrid) -> _Spectral:
        """The grid's operators (built once per grid)."""
        if self._spec is None or self._spec.grid != grid:
            self._spec = _spectral(grid, self.params)
        return self._spec

    def active_modes(self, grid: PeriodicGrid) -> np.ndarray:
        """Half-plane mask of the modes the model evolves (dealiased, without q = 0)."""
        mask = dealias_mask(grid).copy()
        mask[0, 0] = False
        return mask

    def drift_operator(self, grid: PeriodicGrid) -> np.ndarray:
        """The linear model's ``M`` on the kept modes (the linear part of (C), (M)), 0 elsewhere."""
        m = self.linear.drift_operator(grid)
        return np.where(self.active_modes(grid)[..., None, None], m, 0.0)

    def noise_matrix(self, grid: PeriodicGrid) -> np.ndarray:
        """The linear model's ``Q`` (Eqs. 3, 10; additive) on the kept modes, 0 elsewhere."""
        q = self.linear.noise_matrix(grid)
        return np.where(self.active_modes(grid)[..., None, None], q, 0.0)

    def nonlinear_drift(self, grid: PeriodicGrid) -> NonlinearDrift:
        """:func:`nonlinear_rhs` on ``grid``."""
        spec = self.spectral(grid)
        params, full, workers = self.params, self.full_velocity, self.workers
        excess = None if self.linear_chemical_potential else self.excess_chemical_potential

        def rhs(state: np.ndarray) -> np.ndarray:
            return nonlinear_rhs(state, spec, params, full_velocity=full, workers=workers,
                                 excess_chemical_potential=excess)  # fmt: skip

        return rhs

    def drag_force_observable(
        self, qx: np.ndarray, qy: np.ndarray, weights: np.ndarray
    ) -> QuadraticObservable:
        """Eq. (11) on the given modes, as in the linear model (δn are the same fields)."""
        return self.linear.drag_force_observable(qx, qy, weights)

    def drag_estimator(self) -> DragEstimator:
        """As in the linear model."""
        return self.linear.drag_estimator()

    def force_to_D(self, force_along_v: float, drift: float | None = None) -> float:
        """As :meth:`BilayerModel.force_to_D`."""
        return self.linear.force_to_D(force_along_v, drift)
