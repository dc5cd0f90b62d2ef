"""Exact stationary solution of the bilayer model: Lyapunov covariance and drag force.

Each Fourier mode is an Ornstein–Uhlenbeck process ``dX = M X dt + noise`` (see
:mod:`langevin.model`); if every eigenvalue of ``M`` has a negative real part its stationary
covariance is the unique solution of the Lyapunov equation

    M C + C M† + Q = 0,

solved here as the 36×36 linear system ``(M ⊗ 1 + 1 ⊗ M*) vec C = −vec Q`` for all modes at
once. The equal-time drag force (Eq. 11) follows as ``F = Σ_q Re K(q) C₁₂(q)`` on a grid, or
``∫ d²q/(2π)² Re K(q) C₁₂(q)`` in the continuum (polar Gauss–Legendre × trapezoid, converged
by refinement). Nothing is expanded in v or χ unless asked for:

* :func:`exact_drag` — D (and ρ_D) at finite drift u and any χ, or its v → 0 limit;
* the linear-response limit at fixed χ is exact, not a finite difference: with
  ``M = M₀ + u M₁`` (advection), ``C = C₀ + u C₁ + O(u²)`` and
  ``M₀ C₁ + C₁ M₀† + M₁ C₀ + C₀ M₁† = 0``;
* the χ-linear coefficient (the g of Eq. 21) differentiates once more, in χ, at χ = 0.

Marginal modes. Where a velocity component is undamped, unforced and uncoupled (the
transverse velocities in the paper's approximation, v₂ always and v₁ at χ ≤ 0), the
Lyapunov equation is singular. Such components are found per mode in the
longitudinal/transverse basis (row and column of M zero apart from a purely imaginary
diagonal, no noise); they keep their equilibrium variance Θ (a conserved quantity stays at
its initial, thermal value) and cannot affect any other correlation. Numerically they are
given a unit relaxation rate and the matching noise, which reproduces exactly that. A
component whose diagonal has a positive real part is a genuine instability and is reported.

Instability. A mode with Re λ > 0 makes the stationary state not exist; :class:`UnstableError`
(a ``ValueError``) names the first unstable wave vector and the threshold χ_c below which the
model is unstable, found by bisection over χ with the other parameters fixed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from langevin.grid import PeriodicGrid
from langevin.lyapunov import (
    STABILITY_TOL,
    ZERO_TOL,
    UnstableError,
    _prepare,
    _Prepared,
    growth_rates,
    lyapunov_covariance,
)
from langevin.model import BilayerModel
from langevin.params import BilayerParameters

__all__ = [
    "UnstableError",
    "lyapunov_covariance",
    "stationary_covariance",
    "linear_response_covariance",
    "growth_rates",
    "grid_stationary_covariance",
    "grid_drag_force",
    "continuum_drag_force",
    "continuum_drag_slope",
    "continuum_drag_chi_slope",
    "continuum_drag_chi_slope_parts",
    "instability_threshold",
    "stability_probe",
    "drift_threshold",
    "check_stability",
    "DragResult",
    "exact_drag",
]


def _check_stable(
    prep: _Prepared,
    qx,
    qy,
    params: BilayerParameters | None,
    probe=None,
    require_decay: bool = True,
) -> None:
    """Raise UnstableError for growing modes; with ``require_decay`` also for coupled modes
    that do not decay (Re λ ≥ −1e-13 ‖M‖: the Lyapunov solve would be singular)."""
    lam = np.linalg.eigvals(prep.m).real.max(axis=-1)
    scale = np.maximum(np.max(np.abs(prep.m), axis=(-2, -1)), 1.0)
    unstable = lam > STABILITY_TOL * scale
    bad = unstable | (lam > -ZERO_TOL * scale) if require_decay else unstable
    if not np.any(bad):
        return
    qx_a, qy_a = np.broadcast_arrays(np.asarray(qx, float), np.asarray(qy, float))
    qabs = np.hypot(qx_a, qy_a)
    which = unstable if np.any(unstable) else bad
    order = np.argsort(np.where(which, qabs, np.inf), axis=None)
    first = np.unravel_index(order[0], qabs.shape)
    qv = (float(qx_a[first]), float(qy_a[first]))
    rate = float(lam[first])
    kind = "unstable (Re λ > 0)" if np.any(unstable) else "marginal and coupled (Re λ = 0)"
    threshold = None
    text = ""
    if params is not None and np.any(unstable):
        try:
            pqx, pqy = probe if probe is not None else (qx_a, qy_a)
            threshold = instability_threshold(params, pqx, pqy)
            text = f"; the model is stable only for chi > chi_c = {threshold:.6g}"
        except ValueError:
            text = (
                "; no chi makes it stable at this drift (a drift instability of the "
                "plasmons; see drift_threshold)"
            )
    raise UnstableError(
        f"chi = {params.chi if params else float('nan'):g}: the model is {kind}: first at "
        f"q d = ({qv[0]:.4g}, {qv[1]:.4g}), |q| d = {math.hypot(*qv):.4g}, "
        f"Re λ/ω_p = {rate:.3g}{text}",
        qv,
        rate,
        threshold,
    )


def stationary_covariance(model: BilayerModel, qx, qy, *, check: bool = True) -> np.ndarray:
    """Exact stationary covariance C(q) (..., 6, 6) (continuum spectral density; divide by L²
    for grid coefficients) of the model at the given wave vectors (q ≠ 0).

    Raises
    ------
    UnstableError
        If a mode grows (or is marginal while coupled to the noise).
    """
    m = model.drift_matrix(qx, qy)
    q = model.noise_covariance(qx, qy)
    eq = model.equilibrium_covariance(qx, qy)
    return _stationary_from(m, q, eq, qx, qy, model.params if check else None, check)


def _stationary_from(m, q, eq, qx, qy, params, check: bool) -> np.ndarray:
    prep = _prepare(m, q, qx, qy, eq)
    if check:
        _check_stable(prep, qx, qy, params)
    c_lt = lyapunov_covariance(prep.m, prep.q)
    rt = np.swapaxes(prep.rot, -1, -2)
    return rt @ c_lt @ prep.rot


def linear_response_covariance(
    m0: np.ndarray, m1: np.ndarray, c0: np.ndarray, qx, qy, q0: np.ndarray
) -> np.ndarray:
    """First-order covariance ``C₁`` for ``M = M₀ + ε M₁`` (Q fixed):
    ``M₀ C₁ + C₁ M₀† + M₁ C₀ + C₀ M₁† = 0`` (exact derivative of the Lyapunov solution)."""
    prep = _prepare(m0, q0, qx, qy, np.zeros(m0.shape))
    rot = prep.rot
    rt = np.swapaxes(rot, -1, -2)
    m1_lt = rot @ m1 @ rt
    c0_lt = rot @ c0 @ rt
    rhs = m1_lt @ c0_lt + c0_lt @ np.swapaxes(m1_lt.conj(), -1, -2)
    # Frozen components: no source (their M₁ entries are diagonal and imaginary).
    c1_lt = lyapunov_covariance(prep.m, rhs)
    return rt @ c1_lt @ rot


# --- forces ---------------------------------------------------------------------------------
def _force_density(model: BilayerModel, qx, qy, c: np.ndarray) -> np.ndarray:
    """Re K(q) C₁₂(q) (..., 2)."""
    k = model.drag_kernel(qx, qy)
    return (k * c[..., 0, 1][..., None]).real


def grid_stationary_covariance(model: BilayerModel, grid: PeriodicGrid) -> np.ndarray:
    """Per-mode stationary covariance of the grid coefficients (N, N//2+1, 6, 6), from
    :meth:`BilayerModel.mode_matrices` (self-conjugate rule included); q = 0 holds the
    equilibrium value of the velocities and zero density variance (neutral system)."""
    m, q = model.mode_matrices(grid)
    qx, qy = grid.half_wavevectors()
    eq = model.equilibrium_covariance(qx, qy) * grid.mode_noise_scale
    c = np.empty(m.shape, dtype=complex)
    rest = np.ones(qx.shape, dtype=bool)
    rest[0, 0] = False
    c[rest] = _stationary_from(m[rest], q[rest], eq[rest], qx[rest], qy[rest], model.params, True)
    c[0, 0] = eq[0, 0]
    return c


def grid_drag_force(
    model: BilayerModel, grid: PeriodicGrid, covariance: np.ndarray | None = None
) -> np.ndarray:
    """Equal-time drag force per area on layer 2 (Eq. 11) on the finite periodic grid,
    ``Σ_{all q} Re K(q) C₁₂(q)`` with the half-plane weights; returns the 2-vector.

    ``covariance`` is :func:`grid_stationary_covariance` of the model if already at hand
    (``None``: computed here)."""
    c = grid_stationary_covariance(model, grid) if covariance is None else covariance
    qx, qy = grid.half_wavevectors()
    dens = _force_density(model, qx, qy, c)
    w = grid.half_plane_weights()
    dens[grid.self_conjugate_mask()] = 0.0
    return np.einsum("ij,ijk->k", w, dens)


# --- continuum quadrature ----------------------------------------------------------------------
#: Panel edges in qd for the radial Gauss–Legendre rule (the integrand lives near qd ~ 1 and
#: decays like e^{−2qd}).
PANEL_EDGES = np.array(
    [
        0.0,
        0.05,
        0.1,
        0.2,
        0.35,
        0.5,
        0.75,
        1.0,
        1.5,
        2.0,
        3.0,
        4.0,
        6.0,
        8.0,
        12.0,
        16.0,
        24.0,
        32.0,
        48.0,
    ]
)


def _radial_nodes(order: int) -> tuple[np.ndarray, np.ndarray]:
    t, w = np.polynomial.legendre.leggauss(order)
    a, b = PANEL_EDGES[:-1, None], PANEL_EDGES[1:, None]
    x = 0.5 * (b - a) * t + 0.5 * (b + a)
    return x.ravel(), (0.5 * (b - a) * w).ravel()


def _polar_grid(order: int, n_angle: int):
    x, wx = _radial_nodes(order)
    phi = 2.0 * math.pi * np.arange(n_angle) / n_angle
    qx = x[:, None] * np.cos(phi)[None, :]
    qy = x[:, None] * np.sin(phi)[None, :]
    # d²q/(2π)² = q dq dφ/(2π)²
    w = (wx * x)[:, None] * np.full(n_angle, 2.0 * math.pi / n_angle)[None, :] / (2 * math.pi) ** 2
    return qx, qy, w


def _integrate(density_fn, order: int, n_angle: int) -> tuple[np.ndarray, float]:
    """∫ d²q/(2π)² density(q) and an error estimate from halving the radial order and the
    number of angles (the difference of the two rules)."""
    qx, qy, w = _polar_grid(order, n_angle)
    fine = np.einsum("ij,ij...->...", w, density_fn(qx, qy))
    qx2, qy2, w2 = _polar_grid(max(order // 2, 2), max(n_angle // 2, 4))
    coarse = np.einsum("ij,ij...->...", w2, density_fn(qx2, qy2))
    return fine, float(np.max(np.abs(fine - coarse)))


def continuum_drag_force(
    model: BilayerModel, *, order: int = 16, n_angle: int = 32
) -> tuple[np.ndarray, float]:
    """Continuum drag force per area (2-vector, model units) at the model's drift, and an
    error estimate (difference to the rule with half the nodes)."""

    def density(qx, qy):
        return _force_density(model, qx, qy, stationary_covariance(model, qx, qy))

    return _integrate(density, order, n_angle)


def _slope_density(model: BilayerModel, qx, qy) -> np.ndarray:
    p = model.params
    m0_model = BilayerModel(p.with_(drift=0.0))
    m0 = m0_model.drift_matrix(qx, qy)
    q0 = m0_model.noise_covariance(qx, qy)
    eq = m0_model.equilibrium_covariance(qx, qy)
    c0 = _stationary_from(m0, q0, eq, qx, qy, p.with_(drift=0.0), True)
    m1 = model.drift_matrix_drift_derivative(qx, qy)
    c1 = linear_response_covariance(m0, m1, c0, qx, qy, q0)
    return _force_density(model, qx, qy, c1)


def continuum_drag_slope(
    model: BilayerModel, *, order: int = 16, n_angle: int = 16
) -> tuple[np.ndarray, float]:
    """``dF/du`` at u = 0 and fixed χ (2-vector), exact linear response, and an error estimate."""
    return _integrate(lambda qx, qy: _slope_density(model, qx, qy), order, n_angle)


def _chi_slope_frame(model: BilayerModel, qx, qy):
    """The u = 0, χ = 0 reference of the ``∂²F/∂u∂χ`` densities, in the solver's frame.

    Returns
    -------
    tuple
        ``(m, rot, rt, mu, mchi, c0l)``: the rotated drift matrix the Lyapunov solves take, the
        rotation ``rot`` and its transpose ``rt`` (``x_lt = rot @ x @ rt``), the drift and χ
        derivatives of the drift matrix, and the stationary covariance at u = χ = 0, all rotated.
    """
    p0 = model.params.with_(drift=0.0, chi=0.0, nonreciprocal_tensor=None)
    base = BilayerModel(p0)
    a = base.drift_matrix(qx, qy)
    q0 = base.noise_covariance(qx, qy)
    eq = base.equilibrium_covariance(qx, qy)
    c0 = _stationary_from(a, q0, eq, qx, qy, p0, True)
    prep = _prepare(a, q0, qx, qy, np.zeros(a.shape))
    rot = prep.rot
    rt = np.swapaxes(rot, -1, -2)

    def to_lt(x):
        return rot @ x @ rt

    mu = to_lt(model.drift_matrix_drift_derivative(qx, qy))
    mchi = to_lt(base.drift_matrix_chi_derivative(qx, qy))
    return prep.m, rot, rt, mu, mchi, to_lt(c0)


def _chi_slope_parts_density(model: BilayerModel, qx, qy) -> dict[str, np.ndarray]:
    """Densities of ``∂²F/∂u∂χ`` at u = 0, χ = 0 (paper contraction), split by Born order.

    With x₀ = Gξ, G = (−iω − M)⁻¹, the O(uχ) part of the state is
    ``G M_χ G M_u G ξ`` ("chi_after_u": nonreciprocity acting on the advected fluctuation,
    the only term of the paper's Eqs. 19c–d) plus ``G M_u G M_χ G ξ`` ("u_after_chi"), and
    the covariance also has ``⟨x_u x_χ†⟩ + h.c.`` ("cross"). Each is an equal-time
    correlation of a block-triangular linear system, hence a chain of Lyapunov-type solves.
    """
    m, rot, rt, mu, mchi, c0l = _chi_slope_frame(model, qx, qy)

    def dag(x):
        return np.swapaxes(x.conj(), -1, -2)

    def solve(rhs):
        return lyapunov_covariance(m, rhs)

    x_u0 = solve(mu @ c0l)  # ⟨x_u x₀†⟩
    x_c0 = solve(mchi @ c0l)  # ⟨x_χ x₀†⟩
    chi_after_u = solve(mchi @ x_u0)  # ⟨(G M_χ G M_u G ξ) x₀†⟩
    u_after_chi = solve(mu @ x_c0)
    cross = solve(mu @ dag(x_c0) + x_u0 @ dag(mchi))  # ⟨x_u x_χ†⟩
    parts = {
        "chi_after_u": chi_after_u + dag(chi_after_u),
        "u_after_chi": u_after_chi + dag(u_after_chi),
        "cross": cross + dag(cross),
    }
    return {k: _force_density(model, qx, qy, rt @ v @ rot) for k, v in parts.items()}


def _chi_slope_density(model: BilayerModel, qx, qy) -> np.ndarray:
    """``∂²F/∂u∂χ`` density at u = 0, χ = 0: ``C_uχ`` solves
    ``A C_uχ + C_uχ A† + [M_u C_χ + M_χ C_u + h.c.] = 0``."""
    m, rot, rt, mu, mchi, c0l = _chi_slope_frame(model, qx, qy)

    def herm(x):
        return x + np.swapaxes(x.conj(), -1, -2)

    c_u = lyapunov_covariance(m, herm(mu @ c0l))
    c_chi = lyapunov_covariance(m, herm(mchi @ c0l))
    c_uchi = lyapunov_covariance(m, herm(mu @ c_chi) + herm(mchi @ c_u))
    return _force_density(model, qx, qy, rt @ c_uchi @ rot)


def continuum_drag_chi_slope_parts(
    model: BilayerModel, *, order: int = 16, n_angle: int = 8
) -> dict[str, float]:
    """The three Born-order parts of ``∂²F/∂u∂χ`` along v (see ``_chi_slope_parts_density``);
    they sum to :func:`continuum_drag_chi_slope`."""
    p = model.params
    v_hat = np.array([math.cos(p.drift_angle), math.sin(p.drift_angle)])
    qx, qy, w = _polar_grid(order, n_angle)
    dens = _chi_slope_parts_density(model, qx, qy)
    return {k: float(np.einsum("ij,ijk->k", w, v) @ v_hat) for k, v in dens.items()}


def continuum_drag_chi_slope(
    model: BilayerModel, *, order: int = 16, n_angle: int = 16
) -> tuple[np.ndarray, float]:
    """``∂²F/∂u∂χ`` at u = 0, χ = 0 (2-vector): the χ-linear part of the drag slope, exact."""
    return _integrate(lambda qx, qy: _chi_slope_density(model, qx, qy), order, n_angle)


# --- stability threshold -----------------------------------------------------------------------
#: Largest |q| d of the continuum stability probe. A negative longitudinal viscosity ν_eff
#: competes with the Maxwell rate ς q, so it shows only for q ≳ ς/|ν_eff|; probing up to 1e8
#: resolves the continuum threshold (the q → ∞ limit) to ~1e-7 in χ.
CONTINUUM_QMAX = 1e8


def _max_growth(params: BilayerParameters, qx, qy) -> tuple[float, int]:
    """Largest relative growth rate Re λ/max(‖M‖, 1) over the given modes and its index."""
    model = BilayerModel(params)
    m = model.drift_matrix(qx, qy)
    q = model.noise_covariance(qx, qy)
    rates = growth_rates(m, q, qx, qy) / np.maximum(np.max(np.abs(m), axis=(-2, -1)), 1.0)
    flat = rates.ravel()
    return float(np.max(flat)), int(np.argmax(flat))


def stability_probe(qmax: float = CONTINUUM_QMAX, n_radial: int = 120, n_angle: int = 16):
    """Wave vectors (qx, qy) probing the continuum: log-spaced |q| d in [1e-3, qmax] × angles
    (including the drift direction and its opposite)."""
    x = np.geomspace(1e-3, qmax, n_radial)
    phi = 2.0 * math.pi * np.arange(n_angle) / n_angle
    return x[:, None] * np.cos(phi), x[:, None] * np.sin(phi)


def _bisect_stability_edge(
    stable, inside: float, outside: float, tol: float, *, floor: float
) -> float:
    """Bisect between a stable ``inside`` and an unstable ``outside`` until they are closer
    than ``tol * max(floor, |outside|)``; return the stable end.

    Parameters
    ----------
    stable : callable
        ``stable(x) -> bool`` on the bisected parameter.
    inside, outside : float
        A stable and an unstable value of the parameter (either order on the line).
    tol : float
        Relative width at which to stop.
    floor : float
        Smallest scale of the width (absolute tolerance ``tol * floor`` near zero).
    """
    while abs(inside - outside) > tol * max(floor, abs(outside)):
        mid = 0.5 * (inside + outside)
        if stable(mid):
            inside = mid
        else:
            outside = mid
    return inside


def instability_threshold(
    params: BilayerParameters, qx=None, qy=None, *, tol: float = 1e-7
) -> float:
    """χ_c: with the other parameters fixed the model is stable for χ > χ_c and unstable
    below, over the wave vectors ``(qx, qy)`` (default: :func:`stability_probe`, the
    continuum). Bisection on χ (paper contraction).

    Raises ValueError if no χ in [0, 1e3] is stable (e.g. an advection instability).
    """
    if qx is None:
        qx, qy = stability_probe()
    qx, qy = np.asarray(qx, float), np.asarray(qy, float)

    def stable(chi: float) -> bool:
        p = params.with_(chi=chi, nonreciprocal_tensor=None)
        return _max_growth(p, qx, qy)[0] <= STABILITY_TOL

    hi = 0.0
    while not stable(hi):
        hi = 2 * hi + 1.0
        if hi > 1e3:
            raise ValueError(f"chi = {hi:g} is outside the allowed range: no stable chi found")
    lo = -1.0
    while stable(lo):
        lo *= 2
        if lo < -1e3:
            return -math.inf
    return _bisect_stability_edge(stable, hi, lo, tol, floor=1.0)


def drift_threshold(params: BilayerParameters, qx=None, qy=None, *, tol: float = 1e-4) -> float:
    """u_c: the largest drift u = v/(ω_p d) (along ``params.drift_angle``, χ fixed) below
    which every probed mode decays — the onset of the Cherenkov-like instability of the
    plasmons driven by the drifting layer (≈ 1.5–2 for ς ~ 0.1–1; the acoustic plasmon
    moves at ω_p d at long wavelength). Bisection on u in [0, 100]; ``inf`` if none."""
    if qx is None:
        # the standard probe, plus a dense one around qd ~ 1 near the drift direction, where
        # the instability sets in (growth is quadratic about its maximum: threshold error
        # ~ (Δq/q)² ~ 1e-4)
        qx, qy = stability_probe()
        x = np.geomspace(0.05, 20.0, 400)
        phi = params.drift_angle + np.linspace(-0.6, 0.6, 13)
        qx = np.concatenate([qx.ravel(), (x[:, None] * np.cos(phi)).ravel()])
        qy = np.concatenate([qy.ravel(), (x[:, None] * np.sin(phi)).ravel()])
    qx, qy = np.asarray(qx, float), np.asarray(qy, float)

    def stable(u: float) -> bool:
        return _max_growth(params.with_(drift=u), qx, qy)[0] <= STABILITY_TOL

    if not stable(0.0):
        return 0.0
    lo, hi = 0.0, 1.0
    while stable(hi):
        lo, hi = hi, 2 * hi
        if hi > 100.0:
            return math.inf
    return _bisect_stability_edge(stable, lo, hi, tol, floor=0.0)


def check_stability(params: BilayerParameters, qx=None, qy=None) -> None:
    """Raise :class:`UnstableError` if a mode among ``(qx, qy)`` (default: the continuum
    probe) grows; the message names the unstable |q| closest to 0 and the threshold χ_c."""
    if qx is None:
        qx, qy = stability_probe()
    qx, qy = np.broadcast_arrays(np.asarray(qx, float), np.asarray(qy, float))
    model = BilayerModel(params)
    m = model.drift_matrix(qx, qy)
    prep = _prepare(m, model.noise_covariance(qx, qy), qx, qy, np.zeros(m.shape))
    _check_stable(prep, qx, qy, params, probe=(qx, qy), require_decay=False)


# --- the public result ---------------------------------------------------------------------------
@dataclass
class DragResult:
    """Exact drag of the bilayer model.

    Attributes
    ----------
    D : ρ_D/ρ₀ (Eq. 21 reads D = f + χ g).
    D_error : quadrature error estimate of D.
    rho_D : ρ_D in Gaussian sheet units (s/cm), or None without physical scales.
    rho_D_ohm : ρ_D in Ω, or None.
    force : drag force per area on layer 2 (model units), 2-vector (or dF/du at v → 0).
    linear_response : True if D is the v → 0 limit (exact derivative).
    params : the parameters used.
    """

    D: float
    D_error: float
    rho_D: float | None
    rho_D_ohm: float | None
    force: np.ndarray
    linear_response: bool
    params: BilayerParameters = field(repr=False)

    def as_dict(self) -> dict:
        p = self.params
        return {
            "D": self.D,
            "D_error": self.D_error,
            "rho_D": self.rho_D,
            "rho_D_ohm": self.rho_D_ohm,
            "force": list(self.force),
            "linear_response": self.linear_response,
            "varsigma": p.varsigma,
            "beta": p.beta,
            "chi": p.chi,
            "drift": p.drift,
            "even_viscosity": p.even_viscosity,
        }


def exact_drag(
    params: BilayerParameters,
    *,
    linear_response: bool | None = None,
    order: int = 16,
    n_angle: int = 32,
) -> DragResult:
    """Exact drag resistivity of the model in the continuum (no box).

    Parameters
    ----------
    params
        Model parameters. With ``params.drift == 0`` (or ``linear_response=True``) the
        result is the v → 0 limit at fixed χ, from the exact derivative of the Lyapunov
        solution; otherwise D = 4π³ F·v̂/(Θςu) at the given finite drift.
    order, n_angle
        Gauss–Legendre order per radial panel and number of angles.

    Raises
    ------
    UnstableError
        If the model has a growing mode (the message names it and the threshold χ_c).
    """
    from dragcore import units

    check_stability(
        params if linear_response is None or not linear_response else params.with_(drift=0.0)
    )
    model = BilayerModel(params)
    lin = params.drift == 0.0 if linear_response is None else linear_response
    direction = np.array([math.cos(params.drift_angle), math.sin(params.drift_angle)])
    if lin:
        slope, err = continuum_drag_slope(model, order=order, n_angle=max(n_angle // 2, 8))
        along = float(slope @ direction)
        d_val = model.force_to_D(along, drift=1.0)
        d_err = abs(model.force_to_D(err, drift=1.0))
        force = slope
    else:
        force, err = continuum_drag_force(model, order=order, n_angle=n_angle)
        along = float(force @ direction)
        d_val = model.force_to_D(along)
        d_err = abs(model.force_to_D(err))
    rho = rho_ohm = None
    if params.scales is not None:
        rho = model.D_to_rho_D(d_val)
        rho_ohm = units.sheet_resistance_to_ohm(rho)
    return DragResult(d_val, d_err, rho, rho_ohm, force, lin, params)
