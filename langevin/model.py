"""The bilayer as a set of independent Ornstein–Uhlenbeck processes, one per Fourier mode.

Linearised, Eqs. (1)–(10) of Zverevich & Levchenko are, for each wave vector q (Fourier
convention ``e^{i q·r}``, see :mod:`langevin.grid`),

    dX_q/dt = M(q) X_q + noise,   ⟨noise noise†⟩ = Q(q) δ(t − t'),
    X = (δn₁, δn₂, δv₁ₓ, δv₁ᵧ, δv₂ₓ, δv₂ᵧ),

in the dimensionless units of :mod:`langevin.params` (lengths d, times 1/ω_p, densities n,
velocities ω_p d, energies ϱω_p²d⁴; ``q`` below means ``qd``). ``M`` is a sum of one matrix
per physical term, each a small pure function below citing its equation:

==========================  ==========================================================  =====
term                        contribution                                                 Eq.
==========================  ==========================================================  =====
advection (layer 1)         −i q·u on δn₁, δv₁                                           1, 4
continuity                  δn_a ← −i q·δv_a                                            1
Maxwell relaxation          δn ← −ς q² (Ũ + s²) δn, Ũ = q⁻¹[[1, e^{−q}], [e^{−q}, 1]]    1, 2, 16
Coulomb force               δv_a ← −i q Ũ_ab δn_b                                       2, 4
pressure                    δv_a ← −i q s² δn_a                                         5
even viscosity              δv_a ← −(β_η q² + β_ζ q qᵀ) δv_a                            7
odd viscosity               δv_a ← −β_o q² ε δv_a                                       8
nonreciprocal (layer 1)     δv₁ ← −(β_η/2) q_j q_l (A_jilm + A_jiml) δv₁m               9
current noise               Q_nn = 2Θ ς q² 1                                            3
stress noise                Q_vv = 2Θ (β_η q² + β_ζ q qᵀ) per layer                     10
==========================  ==========================================================  =====

Choices that differ from the printed equations (see the report for the check):

* **Even stress, Eq. (7) and its noise, Eq. (10).** The printed ``(η − ζ) δ_ij ∇·δv`` would
  give the longitudinal damping ``(3η − ζ) q²/ϱ``; the paper's own ``ν = (η + ζ)/ϱ`` (Eq. 15)
  requires the traceless 2D form ``2η δV_ij + (ζ_b − η) δ_ij ∇·δv``, used here, with the
  noise covariance ``2T[η(δ_il δ_km + δ_im δ_kl) + (ζ_b − η) δ_ik δ_lm]`` (positive iff
  η, ζ_b ≥ 0). The force noise is then ``2T(η q² δ_ik + ζ_b q_i q_k)``: FDT holds term by term.
* **Electrochemical potential.** The intrinsic-conductivity current is driven by the gradient
  of ``eδΦ + δμ`` (Φ alone in Eq. 1): otherwise, with pressure on, the Gibbs state is not
  stationary. The paper drops the pressure, so this is invisible in Eq. (21).
* **Nonreciprocal stress** acts in layer 1 only (it is ∝ the layer's own drift, v₂ = 0) and
  carries no noise (the paper, after Eq. 10). With ``A = χ δ_il δ_jm`` it damps the
  longitudinal velocity by ``χ β_η q²`` and the transverse one by ``χ β_η q²/2``.

Self-conjugate grid modes (q ≡ −q on the grid: zero and Nyquist): a real field has real
coefficients there, so terms odd in q cannot act. :meth:`BilayerModel.mode_matrices` uses
the even parts ``Re M(q) = (M(q) + M(−q))/2`` (since ``M(−q) = M(q)*``) and ``Re Q(q)``
there. Every dissipative term and its noise is even in q and satisfies FDT on its own, so the
Gibbs state stays exact on those modes; the drag kernel there gives no force (``Re(K C) = 0``
for real ``C`` and imaginary ``K``). The mode q = 0 (conserved total charge and momentum) is
excluded: ``M = Q = 0`` there, and it carries no force (factor q).

Force and drag resistivity. The drag force per area on layer 2 (Eq. 11), equal-time form,
``F = Σ_q K(q) ⟨δn₁_q δn₂_q*⟩`` with ``K(q) = −i q Ũ₁₂(q) = −i q̂ e^{−q}`` (a positive
component along v pushes layer 2 along the drift). In physical units ``F_phys = (T/Θ) F/d³``,
ρ_D = F_phys/(e² n² v) (Eq. 13) and, with ρ₀ = ħ²σ/(4π²e⁴)(nd²)⁻² T/E_F, E_F = πħ²n/m,

    D ≡ ρ_D/ρ₀ = 4π³ F·v̂ / (Θ ς u)      (:meth:`BilayerModel.force_to_D`),

so that Eq. (21) reads D = f(ς) + χ g(ς).
"""

from __future__ import annotations

import math

import numpy as np

from langevin.grid import PeriodicGrid
from langevin.model_interface import NonlinearDrift
from langevin.observables import DragEstimator, QuadraticObservable, drag_coefficients
from langevin.params import BilayerParameters

__all__ = [
    "BilayerModel",
    "STATE_NAMES",
    "advection_drift",
    "continuity_drift",
    "maxwell_relaxation_drift",
    "coulomb_force_drift",
    "pressure_force_drift",
    "even_viscosity_drift",
    "odd_viscosity_drift",
    "nonreciprocal_drift",
    "current_noise",
    "stress_noise",
    "coulomb_matrix",
    "equilibrium_covariance",
    "drag_kernel",
]

STATE_NAMES = ("dn1", "dn2", "dv1x", "dv1y", "dv2x", "dv2y")
N1, N2 = 0, 1
V1 = slice(2, 4)
V2 = slice(4, 6)
EPSILON = np.array([[0.0, 1.0], [-1.0, 0.0]])


# --- helpers ---------------------------------------------------------------------------------
def _wavevector(qx, qy) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(q_vec (...,2), |q| (...), q̂ (...,2))`` with q̂ = 0 at q = 0."""
    qx, qy = np.broadcast_arrays(np.asarray(qx, dtype=float), np.asarray(qy, dtype=float))
    qv = np.stack([qx, qy], axis=-1)
    q = np.hypot(qx, qy)
    safe = np.where(q > 0, q, 1.0)
    qhat = np.where((q > 0)[..., None], qv / safe[..., None], 0.0)
    return qv, q, qhat


def _zeros(q: np.ndarray) -> np.ndarray:
    return np.zeros(q.shape + (6, 6), dtype=complex)


def coulomb_matrix(qx, qy, sound: float = 0.0) -> np.ndarray:
    """``Ũ(q) + s² 1``: interlayer Coulomb matrix (Eq. 2) plus inverse compressibility.

    Parameters
    ----------
    qx, qy
        Wave vector in units of 1/d (q ≠ 0).
    sound
        s² = c_s²/(ω_p d)² (dimensionless).

    Returns
    -------
    ndarray (..., 2, 2), real, in units of ϱ ω_p² d⁴ / n² × d² (the energy per density²):
    ``Ũ = q⁻¹ [[1, e^{−q}], [e^{−q}, 1]]``, ``2π e²/(κq)`` in physical units.
    """
    _, q, _ = _wavevector(qx, qy)
    with np.errstate(divide="ignore"):
        inv = 1.0 / q
    e = np.exp(-q)
    out = np.empty(q.shape + (2, 2))
    out[..., 0, 0] = out[..., 1, 1] = inv + sound
    out[..., 0, 1] = out[..., 1, 0] = e * inv
    return out


# --- drift terms (one per physical term) -------------------------------------------------------
def advection_drift(qx, qy, drift: np.ndarray) -> np.ndarray:
    """Advection by the drift of layer 1, ``v·∇`` in Eqs. (1) and (4): ``−i q·u`` on δn₁, δv₁.

    Parameters
    ----------
    qx, qy
        Wave vector, units 1/d.
    drift
        u = v/(ω_p d), 2-vector (dimensionless).
    """
    qv, q, _ = _wavevector(qx, qy)
    m = _zeros(q)
    rate = -1j * (qv @ np.asarray(drift, dtype=float))
    for k in (N1, 2, 3):
        m[..., k, k] = rate
    return m


def continuity_drift(qx, qy) -> np.ndarray:
    """``n ∇·δv_a`` of Eq. (1): ``∂t δn_a = −i q·δv_a`` (δn in units of n, δv of ω_p d)."""
    qv, q, _ = _wavevector(qx, qy)
    m = _zeros(q)
    m[..., N1, V1] = -1j * qv
    m[..., N2, V2] = -1j * qv
    return m


def maxwell_relaxation_drift(qx, qy, varsigma: float, sound: float = 0.0) -> np.ndarray:
    """Maxwell relaxation, ``−(σ/e²)∇²(eδΦ + δμ)`` of Eqs. (1), (2): ``−ς q² (Ũ + s²) δn``.

    Without pressure the rates of δn_± are ``γ_± = ς q (1 ± e^{−q})`` = Eq. (16)/ω_p.

    Parameters
    ----------
    varsigma
        ς = 2πσ/(dκω_p) (Eq. 24).
    sound
        s² = c_s²/(ω_p d)²; the current responds to the electrochemical potential.
    """
    _, q, _ = _wavevector(qx, qy)
    m = _zeros(q)
    qq = q**2
    u = coulomb_matrix(qx, qy, sound)
    u = np.where((q > 0)[..., None, None], u, 0.0)
    m[..., 0:2, 0:2] = -varsigma * qq[..., None, None] * u
    return m


def coulomb_force_drift(qx, qy) -> np.ndarray:
    """``−e n ∇δΦ_a`` of Eq. (4) with Eq. (2): ``∂t δv_a = −i q Ũ_ab δn_b = −i q̂ (δn_a +
    e^{−q} δn_b)`` (plasmons ω_± = √(q(1 ± e^{−q})), Eq. 14)."""
    _, q, qhat = _wavevector(qx, qy)
    m = _zeros(q)
    e = np.exp(-q)[..., None]
    m[..., V1, N1] = -1j * qhat
    m[..., V1, N2] = -1j * qhat * e
    m[..., V2, N2] = -1j * qhat
    m[..., V2, N1] = -1j * qhat * e
    return m


def pressure_force_drift(qx, qy, sound: float) -> np.ndarray:
    """``−∇δP`` of Eqs. (4)–(5), ``δP = n ∂μ/∂n δn``: ``∂t δv_a = −i q s² δn_a``.

    Parameters
    ----------
    sound
        s² = c_s²/(ω_p d)², ``ϱ c_s² = n² ∂μ/∂n``.
    """
    qv, q, _ = _wavevector(qx, qy)
    m = _zeros(q)
    m[..., V1, N1] = -1j * sound * qv
    m[..., V2, N2] = -1j * sound * qv
    return m


def _viscous_matrix(qv: np.ndarray, q: np.ndarray, shear: float, bulk: float) -> np.ndarray:
    """``β_η q² δ_ik + β_ζ q_i q_k`` (..., 2, 2)."""
    eye = np.eye(2)
    outer = qv[..., :, None] * qv[..., None, :]
    outer = 0.5 * (outer + np.swapaxes(outer, -1, -2))  # exactly symmetric (SIMD rounding)
    return shear * (q**2)[..., None, None] * eye + bulk * outer


def even_viscosity_drift(qx, qy, shear: float, bulk: float) -> np.ndarray:
    """Even viscous force ``∂_j δΣᵉ_ji`` (Eq. 7 in its traceless 2D form, see module doc):
    ``∂t δv_a = −(β_η q² δ_ik + β_ζ q_i q_k) δv_ak`` in both layers.

    Parameters
    ----------
    shear, bulk
        β_η = η/(ϱd²ω_p) and β_ζ = ζ_b/(ϱd²ω_p); longitudinal rate (β_η + β_ζ) q² = β q².
    """
    qv, q, _ = _wavevector(qx, qy)
    m = _zeros(q)
    visc = _viscous_matrix(qv, q, shear, bulk)
    m[..., V1, V1] = -visc
    m[..., V2, V2] = -visc
    return m


def odd_viscosity_drift(qx, qy, odd: float) -> np.ndarray:
    """Odd viscous force ``∂_j δΣᵒ_ji`` (Eq. 8): in 2D ``∂t δv_a = −β_o q² ε δv_a``
    (ε = [[0, 1], [−1, 0]]), both layers; dissipationless (antisymmetric).

    Parameters
    ----------
    odd
        β_o = η_o/(ϱd²ω_p).
    """
    _, q, _ = _wavevector(qx, qy)
    m = _zeros(q)
    rot = -odd * (q**2)[..., None, None] * EPSILON
    m[..., V1, V1] = rot
    m[..., V2, V2] = rot
    return m


def nonreciprocal_drift(qx, qy, shear: float, tensor: np.ndarray) -> np.ndarray:
    """Nonreciprocal force ``∂_j δΣⁿ_ji``, ``δΣⁿ_ij = η A_ijlm δV_lm`` (Eq. 9), layer 1 only:
    ``∂t δv₁ᵢ = −(β_η/2) q_j q_l (A_jilm + A_jiml) δv₁m``.

    Parameters
    ----------
    shear
        β_η = η/(ϱd²ω_p).
    tensor
        ``A_ijlm = N_ijklm v_k`` (2, 2, 2, 2), dimensionless; the paper's ``χ δ_il δ_jm``
        gives ``−(χβ_η/2)(q² δv₁ + q (q·δv₁))``.
    """
    qv, q, _ = _wavevector(qx, qy)
    m = _zeros(q)
    a = np.asarray(tensor, dtype=float)
    sym = a + a.transpose(0, 1, 3, 2)
    m[..., V1, V1] = -0.5 * shear * np.einsum("...j,...l,jilm->...im", qv, qv, sym)
    return m


# --- noise terms -------------------------------------------------------------------------------
def current_noise(qx, qy, varsigma: float, theta: float) -> np.ndarray:
    """Covariance of ``−i q·δI_a`` (Eq. 3): ``Q_nn = 2Θ ς q² δ_ab``.

    Parameters
    ----------
    varsigma
        ς (Eq. 24); ``2Tσq²/e²`` in physical units.
    theta
        Θ = T/(ϱω_p²d⁴).
    """
    _, q, _ = _wavevector(qx, qy)
    out = _zeros(q)
    out[..., N1, N1] = out[..., N2, N2] = 2.0 * theta * varsigma * q**2
    return out


def stress_noise(qx, qy, shear: float, bulk: float, theta: float) -> np.ndarray:
    """Covariance of the force ``i q_j δΞ_ji`` (Eq. 10, traceless 2D form):
    ``Q_vv = 2Θ (β_η q² δ_ik + β_ζ q_i q_k)`` in each layer, no interlayer correlation."""
    qv, q, _ = _wavevector(qx, qy)
    out = _zeros(q)
    visc = 2.0 * theta * _viscous_matrix(qv, q, shear, bulk)
    out[..., V1, V1] = visc
    out[..., V2, V2] = visc
    return out


# --- equilibrium and observables ---------------------------------------------------------------
def equilibrium_covariance(qx, qy, sound: float, theta: float) -> np.ndarray:
    """Gibbs covariance (continuum spectral density) at v = 0:
    ``⟨δn δn†⟩ = Θ (Ũ + s²)⁻¹``, ``⟨δv δv†⟩ = Θ 1`` (i.e. T/ϱ per component).

    Returns (..., 6, 6) complex; q = 0 gives zero density variance (neutrality).
    """
    _, q, _ = _wavevector(qx, qy)
    out = _zeros(q)
    u = coulomb_matrix(qx, qy, sound)
    a, b = u[..., 0, 0], u[..., 0, 1]
    with np.errstate(invalid="ignore", divide="ignore"):
        det = a * a - b * b
        inv_a = np.where(q > 0, a / det, 0.0)
        inv_b = np.where(q > 0, -b / det, 0.0)
    out[..., 0, 0] = out[..., 1, 1] = theta * inv_a
    out[..., 0, 1] = out[..., 1, 0] = theta * inv_b
    for k in range(2, 6):
        out[..., k, k] = theta
    return out


def drag_kernel(qx, qy) -> np.ndarray:
    """``K(q) = −i q Ũ₁₂(q) = −i q̂ e^{−q}`` (Eq. 11): the force on layer 2 per area is
    ``F = Σ_q Re K(q) ⟨δn₁_q δn₂_q*⟩`` (grid coefficients) or ``∫d²q/(2π)² K S₁₂``."""
    _, q, qhat = _wavevector(qx, qy)
    return -1j * qhat * np.exp(-q)[..., None]


class BilayerModel:
    """Drift matrix, noise covariance and drag kernel of the bilayer, per Fourier mode.

    The linear model of the engine's interface (:class:`langevin.model_interface.LangevinModel`):
    :meth:`drift_operator`, :meth:`noise_matrix`, no :meth:`nonlinear_drift`,
    :meth:`drag_force_observable` and :meth:`drag_estimator`.

    Parameters
    ----------
    params
        :class:`~langevin.params.BilayerParameters` (dimensionless).

    Notes
    -----
    Continuum methods take wave vectors in units of 1/d and return spectral quantities for
    white noise δ(r−r')δ(t−t') (dimensionless r, t). On a :class:`~langevin.grid.PeriodicGrid`
    every covariance (noise Q, equilibrium or stationary C) of the Fourier *coefficients* is
    the continuum one times ``grid.mode_noise_scale`` (= 1/L²); :meth:`mode_matrices` does
    this for Q. The force per area is then ``F = Σ_{all q} Re K(q) ⟨X_{δn₁,q} X_{δn₂,q}*⟩``
    (``= Re Σ_half w_q K C₁₂`` with :meth:`PeriodicGrid.half_plane_weights`), and
    ``D = force_to_D(F·v̂)``. The stationary solution is in :mod:`langevin.exact`.
    """

    #: Components of a mode's state (the engine's ``d = 6``).
    state_names = STATE_NAMES

    def __init__(self, params: BilayerParameters) -> None:
        self.params = params
        self._grid_matrices: tuple[PeriodicGrid, np.ndarray, np.ndarray] | None = None
        self._reversed: BilayerModel | None = None

    @property
    def options(self) -> dict:
        """The model's settings beyond ``params`` (part of a run's identity)."""
        return {"model": "linear"}

    def active_modes(self, grid: PeriodicGrid) -> np.ndarray:
        """Half-plane mask of the modes the model evolves: all of them."""
        return np.ones((grid.n, grid.n // 2 + 1), dtype=bool)

    def reversed_drive(self) -> BilayerModel:
        """The same model with the drift reversed (v → −v) at fixed χ / nonreciprocal tensor:
        the partner of a common-random-numbers pair. Made once and kept (so its grid
        matrices, too, are built once per run).

        Raises
        ------
        ValueError
            At zero drift (there is no drift to reverse).
        """
        p = self.params
        if p.drift <= 0:
            raise ValueError(
                f"drift = {p.drift!r} is outside the allowed range (0, inf) for common random "
                "numbers"
            )
        if self._reversed is None:
            angle = p.drift_angle + math.pi
            if angle > 2 * math.pi:
                angle -= 2 * math.pi
            # χ (or the tensor A) is a parameter of its own and is NOT flipped: the paper's
            # χ = α v·B would flip with v, but Eq. (21) is the linear response in v at fixed χ.
            self._reversed = type(self)(p.with_(drift_angle=angle))
        return self._reversed

    # continuum ------------------------------------------------------------------------------
    def drift_matrix(self, qx, qy) -> np.ndarray:
        """Continuum ``M(q)`` (..., 6, 6) complex, dimensionless (rates in ω_p)."""
        p = self.params
        m = (
            advection_drift(qx, qy, p.drift_vector)
            + continuity_drift(qx, qy)
            + maxwell_relaxation_drift(qx, qy, p.varsigma, p.sound)
            + coulomb_force_drift(qx, qy)
            + nonreciprocal_drift(qx, qy, p.shear, p.stress_tensor)
        )
        if p.sound:
            m += pressure_force_drift(qx, qy, p.sound)
        if p.even_viscosity:
            m += even_viscosity_drift(qx, qy, p.shear, p.bulk)
        if p.odd:
            m += odd_viscosity_drift(qx, qy, p.odd)
        return m

    def drift_matrix_drift_derivative(self, qx, qy) -> np.ndarray:
        """``∂M/∂u`` at fixed χ (advection only, along the drift direction): M = M₀ + u M₁."""
        p = self.params
        direction = np.array([math.cos(p.drift_angle), math.sin(p.drift_angle)])
        return advection_drift(qx, qy, direction)

    def drift_matrix_chi_derivative(self, qx, qy) -> np.ndarray:
        """``∂M/∂χ`` for the paper's contraction (nonreciprocal stress with A = δ_il δ_jm)."""
        return nonreciprocal_drift(qx, qy, self.params.shear, paper_tensor_unit())

    def noise_covariance(self, qx, qy) -> np.ndarray:
        """Continuum ``Q(q)`` (..., 6, 6), Hermitian PSD, for white noise δ(r−r')δ(t−t')."""
        p = self.params
        out = current_noise(qx, qy, p.varsigma, p.theta)
        if p.even_viscosity:
            out = out + stress_noise(qx, qy, p.shear, p.bulk, p.theta)
        return out

    def equilibrium_covariance(self, qx, qy) -> np.ndarray:
        """Continuum Gibbs covariance at v = 0, χ = 0 (see :func:`equilibrium_covariance`)."""
        return equilibrium_covariance(qx, qy, self.params.sound, self.params.theta)

    def drag_kernel(self, qx, qy) -> np.ndarray:
        """``K(q)`` (..., 2) complex: ``F = Σ_{all grid q} Re K(q) X_{δn₁,q} X_{δn₂,q}*``."""
        return drag_kernel(qx, qy)

    # grid -----------------------------------------------------------------------------------
    def mode_matrices(self, grid: PeriodicGrid) -> tuple[np.ndarray, np.ndarray]:
        """``(M, Q)`` on the half plane (N, N//2+1, 6, 6); Q per mode (× ``grid.mode_noise_scale``),
        even parts on self-conjugate modes, ``M = Q = 0`` at q = 0.

        Built once per grid and kept (read-only arrays): the engine's step maps, the exact
        stationary covariance and the exact drag force of a run all start from these."""
        cached = self._grid_matrices
        if cached is not None and cached[0] == grid:
            return cached[1], cached[2]
        m, noise = self._build_mode_matrices(grid)
        m.setflags(write=False)
        noise.setflags(write=False)
        self._grid_matrices = (grid, m, noise)
        return m, noise

    def _build_mode_matrices(self, grid: PeriodicGrid) -> tuple[np.ndarray, np.ndarray]:
        qx, qy = grid.half_wavevectors()
        m = self.drift_matrix(qx, qy)
        noise = self.noise_covariance(qx, qy) * grid.mode_noise_scale
        sc = grid.self_conjugate_mask()
        m[sc] = m[sc].real
        noise[sc] = noise[sc].real
        m[0, 0] = 0.0
        noise[0, 0] = 0.0
        return m, noise

    # the engine's interface (langevin.model_interface) ---------------------------------------
    def drift_operator(self, grid: PeriodicGrid) -> np.ndarray:
        """``M`` per half-plane mode (N, N//2+1, 6, 6), from :meth:`mode_matrices`."""
        return self.mode_matrices(grid)[0]

    def noise_matrix(self, grid: PeriodicGrid) -> np.ndarray:
        """``Q`` per half-plane mode (N, N//2+1, 6, 6), from :meth:`mode_matrices`."""
        return self.mode_matrices(grid)[1]

    def nonlinear_drift(self, grid: PeriodicGrid) -> NonlinearDrift | None:
        """``None``: the linearised model has no nonlinear right-hand side."""
        return None

    def drag_force_observable(
        self, qx: np.ndarray, qy: np.ndarray, weights: np.ndarray
    ) -> QuadraticObservable:
        """``F = Re Σ_modes w K(q) δn₁ δn₂^*`` (Eq. 11) on the given modes
        (:func:`langevin.observables.drag_coefficients`)."""
        coef = drag_coefficients(self.drag_kernel(qx, qy), weights)
        return QuadraticObservable("drag_force", (N1, N2), coef)

    def drag_estimator(self) -> DragEstimator:
        """``D = force_to_D(F·v̂)`` at a drift u > 0; the force ``F·x̂`` itself at u = 0."""
        p = self.params
        if p.drift > 0:
            direction = np.array([math.cos(p.drift_angle), math.sin(p.drift_angle)])
            return DragEstimator("D", direction, float(self.force_to_D(1.0, drift=p.drift)))
        return DragEstimator("force_x", np.array([1.0, 0.0]), 1.0)

    # units ----------------------------------------------------------------------------------
    def force_to_D(self, force_along_v: float, drift: float | None = None) -> float:
        """``D = ρ_D/ρ₀ = 4π³ F·v̂ /(Θ ς u)``: the force per area on layer 2 along v (model
        units) → the dimensionless drag resistivity of Eq. (21) (module docstring)."""
        p = self.params
        u = p.drift if drift is None else drift
        if u <= 0:
            raise ValueError(f"drift = {u!r} is outside the allowed range (0, inf)")
        return 4.0 * math.pi**3 * force_along_v / (p.theta * p.varsigma * u)

    def D_to_rho_D(self, d_value: float) -> float:
        """ρ_D = D ρ₀ in Gaussian sheet units (s/cm); needs physical scales
        (:meth:`~langevin.params.BilayerParameters.from_physical`)."""
        if self.params.scales is None:
            raise ValueError(
                "scales = None is outside the allowed range: physical inputs "
                "(BilayerParameters.from_physical) are needed for ρ_D in physical units"
            )
        return d_value * self.params.scales.rho_0

    def force_to_rho_D(self, force_along_v: float) -> float:
        """ρ_D = F_phys/(e² n² v) (Eq. 13) with F_phys = (T/Θ) F/d³ — direct route, s/cm."""
        from dragcore import units

        s = self.params.scales
        if s is None:
            return self.D_to_rho_D(0.0)  # raises the error above
        f_phys = s.temperature / self.params.theta * force_along_v / s.spacing**3
        return f_phys / (units.E_CHARGE**2 * s.density**2 * s.drift_velocity)


def paper_tensor_unit() -> np.ndarray:
    """``δ_il δ_jm`` (the paper's nonreciprocal contraction per unit χ)."""
    eye = np.eye(2)
    return np.einsum("il,jm->ijlm", eye, eye)
