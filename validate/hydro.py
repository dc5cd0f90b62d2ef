"""The exact hydrodynamic model against the paper's Eq. (21): D = f(ς) + χ g(ς, β).

Routes compared (none adjusted to the other):

* **exact** — :mod:`langevin.exact`: the Lyapunov solution of the linearised Eqs. (1)–(10) in
  the paper's approximations (even/odd viscosity and pressure off, η only in the
  nonreciprocal stress), v → 0 by the exact derivative of the Lyapunov equation, χ-linear
  part by a second exact derivative; D = ρ_D/ρ₀ with ρ₀ = ħ²σ/(4π²e⁴)(nd²)⁻²T/E_F,
  E_F = πħ²n/m (spin-degenerate 2D gas), ϱ = mn;
* **paper** — :func:`validate.f`, :func:`validate.g` (Eq. 22 by exact y-integration).

What we find (numbers in ``python -m validate hydro``):

* D(χ=0)/f = π for every ς, to ~1e-12. Diagnosis: Eq. (20b) integrates exactly to our
  linear-response drag: carrying the prefactor through gives
  ρ_D = σ/(4π²e⁴)(nd²)⁻² (Tϱ/n²) f = σ/(4π²e⁴)(nd²)⁻² (π T/E_F) f, i.e. Eq. (21) holds with
  T/E_F read as T m/n (E_F = n/m); with the 2D Fermi energy E_F = πn/m a factor π is missing.
* ∂D/∂χ (exact) / g is negative, −4.2 … −4.6 over ς ∈ [0.02, 5], exactly linear in β but
  NOT constant in ς. In units of π g (π as for f) the exact coefficient is −1.34 … −1.48.
  Diagnosis, step by step (all numbers computed by ``python -m validate hydro``):

  (i) the paper's own series, Eqs. (17)–(19), evaluated by direct ω, q quadrature
      (:func:`paper_series_coefficients`, no use of Eqs. 20–22), reproduces f exactly but
      gives −2 g(ς, β) for the χ term at every ς (to ~1e-9): the reduction to Eqs. (20c)/(22b)
      has the wrong sign and a factor 1/2;
  (ii) Eq. (9) with N = α δ_il δ_jm B_k damps the longitudinal velocity of layer 1 at the rate
       χ ν q² (ν = η/ϱ with ζ_b = 0), which in the δn_± equations (17) is
       −(χ ν q²/2)[ω₊² δn₊ + ω₋² δn₋]; Eq. (17) prints −2αω_ν(v·B)[…], four times larger, so
       the series with the coupling of Eq. (9) gives −g/2;
  (iii) the series itself is incomplete at order χv. The exact O(uχ) state has two Born
        terms, G M_χ G M_u G ξ (nonreciprocity acting on the advected fluctuation, the kind
        Eq. 19d keeps) and G M_u G M_χ G ξ (advection of the fluctuation already changed by
        χ, absent from Eq. 19: −0.50 … −0.72 π g, 38–48 % of the total). The kept kind,
        evaluated exactly, is −0.76 … −0.83 π g, not the −π g/2 of the series with the
        coupling of Eq. (9): Eq. (17) is reduced with zeroth-order (v = 0, χ = 0) relations
        between δn and δv, which are not exact at order χv. We have NOT traced this last
        difference to a single term (a naive Doppler correction of the velocity on which the
        stress acts does not account for it).

  The sign is physical: the nonreciprocal stress carries no noise, so χ > 0 removes
  fluctuation energy from the drive layer and lowers the drag.
* Stability. The nonreciprocal stress has no noise and, for χ < 0, negative dissipation.
  In the paper's approximations (no other viscosity) every χ < 0 is unstable (the transverse
  velocity of layer 1 grows at rate |χ|ν q²/2 at every q). With the even viscosity on, the
  Gibbs energy decays iff 1 + ζ_b/η + χ ≥ 0 (longitudinal) and 1 + χ/2 ≥ 0 (transverse):
  χ_c = −min(2, 1 + ζ_b/η) in the continuum (reached only as q → ∞ for the longitudinal
  branch, where the viscous rate beats the Maxwell rate ς q); a finite grid with q ≤ q_max
  is stable somewhat below. Independently of χ, a drift u = v/(ω_p d) above u_c ≈ 1.5–1.7
  (ς = 0.15) amplifies plasmons at qd ~ 1 along v (physical drifts are u ≪ 1).
* Box → continuum: the force density is a q_x² + O(|q|³) at small q; the analytic part sums
  spectrally and the |q|³ part leaves an error ∝ (2π/L)⁵; truncation at q_max = π/h costs
  O(e^{−2q_max}).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from dragcore.checks import require_positive, require_range
from langevin.exact import (
    continuum_drag_chi_slope,
    continuum_drag_chi_slope_parts,
    continuum_drag_force,
    drift_threshold,
    exact_drag,
    grid_drag_force,
    instability_threshold,
    stability_probe,
)
from langevin.grid import PeriodicGrid
from langevin.model import BilayerModel
from langevin.params import BilayerParameters

__all__ = [
    "DIAGNOSIS",
    "hydro_report",
    "paper_series_coefficients",
    "paper_comparison",
    "drag_versus_chi",
    "box_convergence",
    "instability_thresholds",
]


def paper_comparison(varsigma, beta: float, *, order: int = 16, n_angle: int = 8) -> dict:
    """Exact D(χ=0) and ∂D/∂χ in the paper's approximations against f(ς), g(ς, β).

    Parameters
    ----------
    varsigma
        ς values (Eq. 24), each > 0.
    beta
        β = ν/(d²ω_p) (Eq. 24) with ζ_b = 0 (so ν = η/ϱ).
    order, n_angle
        Radial Gauss–Legendre order per panel, number of angles (the linear-response
        integrand is ∝ cos²φ here, integrated exactly by ≥ 3 angles).

    Returns
    -------
    dict of lists: ``f, D0, D0_over_f, g, Dchi, Dchi_over_g`` and the Born-order parts of
    ``Dchi`` in units of π g (``chi_after_u`` = the paper's term, ``u_after_chi``, ``cross``).
    """
    import validate

    s_values = [float(s) for s in np.atleast_1d(varsigma)]
    out: dict[str, list] = {
        k: []
        for k in (
            "varsigma", "f", "D0", "D0_error", "D0_over_f", "g", "Dchi", "Dchi_error",
            "Dchi_over_g", "chi_after_u_over_pi_g", "u_after_chi_over_pi_g",
            "cross_over_pi_g", "f_series_over_f", "g_series_over_g",
        )
    }  # fmt: skip
    for s in s_values:
        p = BilayerParameters(varsigma=s, beta=beta).paper_approximations()
        model = BilayerModel(p)
        d0 = exact_drag(p, order=order, n_angle=2 * n_angle)
        slope, err = continuum_drag_chi_slope(model, order=order, n_angle=n_angle)
        dchi = model.force_to_D(float(slope[0]), drift=1.0)
        dchi_err = abs(model.force_to_D(err, drift=1.0))
        parts = continuum_drag_chi_slope_parts(model, order=order, n_angle=n_angle)
        f_val, g_val = float(validate.f(s)), float(validate.g(s, beta))
        out["varsigma"].append(s)
        out["f"].append(f_val)
        out["D0"].append(d0.D)
        out["D0_error"].append(d0.D_error)
        out["D0_over_f"].append(d0.D / f_val)
        out["g"].append(g_val)
        out["Dchi"].append(dchi)
        out["Dchi_error"].append(dchi_err)
        out["Dchi_over_g"].append(dchi / g_val)
        for k, v in parts.items():
            out[f"{k}_over_pi_g"].append(model.force_to_D(v, drift=1.0) / (math.pi * g_val))
        f_series, g_series = paper_series_coefficients(s, beta)
        out["f_series_over_f"].append(f_series / f_val)
        out["g_series_over_g"].append(g_series / g_val)
    for key in ("D0_over_f", "Dchi_over_g"):
        vals = np.abs(out[key])
        out[f"{key}_spread"] = float(vals.max() / vals.min() - 1.0)
    out["beta"] = beta
    return out


def _series_density(x: np.ndarray, y: np.ndarray, varsigma: float, beta: float):
    """Force-density integrands of the paper's own series, Eqs. (17)–(19), per unit (q·v)
    and per unit χ: returns (D⁽¹⁾ part, D⁽²⁾ part), arrays like ``x`` (``x``, ``y`` broadcast).

    Dimensionless (x = qd, y = ω/ω_p): ω_±² = x(1 ± e^{−x}), γ_± = ς ω_±², Γ_± = ω_±² − y²,
    P_± = i y Γ_± + y² γ_±, ω_ν = β x²; noise ⟨|q·δI_±|²⟩ ∝ ς x² (the same for ±);
    n⁽⁰⁾_± = −i y² ξ_±/P_±, n⁽¹⁾_± = (i/2P_±)[Γ₊n⁽⁰⁾₊ + Γ₋n⁽⁰⁾₋],
    n⁽²⁾_± = −(2ω_ν/P_±)[ω₊²n⁽¹⁾₊ + ω₋²n⁽¹⁾₋]; n_{1,2} = (n₊ ± n₋)/2;
    D⁽ᵏ⁾ = ⟨n⁽ᵏ⁾₁ n⁽⁰⁾₂*⟩ + ⟨n⁽⁰⁾₁ n⁽ᵏ⁾₂*⟩; force density x·e^{−x}·x·Re(−i D) (polar measure,
    kernel, q·v = x cos φ; the common cos²φ is integrated out of the ratio).
    """
    e = np.exp(-x)
    w2 = np.stack([x * (1 + e), x * (1 - e)])  # (2, ...)
    big_g = w2 - y * y
    p = 1j * y * big_g + y * y * varsigma * w2
    t0 = -1j * y * y / p  # n0_a = t0_a ξ_a
    # t1[a, b]: n1_a = Σ_b t1[a, b] ξ_b ; t2 likewise
    t1 = (1j / (2 * p))[:, None] * (big_g * t0)[None, :]
    t2 = (-2 * beta * x * x / p)[:, None] * np.einsum("c...,cb...->b...", w2, t1)[None, :]
    t0m = np.zeros_like(t1)
    t0m[0, 0], t0m[1, 1] = t0[0], t0[1]
    e1, e2 = np.array([0.5, 0.5]), np.array([0.5, -0.5])

    def corr(a, b):
        return np.sum(
            np.einsum("a,ab...->b...", e1, a) * np.einsum("a,ab...->b...", e2, b).conj(), axis=0
        )

    weight = x * e * x * varsigma * x * x
    d1 = corr(t1, t0m) + corr(t0m, t1)
    d2 = corr(t2, t0m) + corr(t0m, t2)
    return (weight * (-1j * d1)).real, (weight * (-1j * d2)).real


def paper_series_coefficients(
    varsigma: float, beta: float, *, n_y: int = 24, n_x: int = 200
) -> tuple[float, float]:
    """The paper's own perturbation series (Eqs. 17–19), integrated numerically over ω and q
    (no use of Eqs. 20–22): returns ``(f_series, g_series)`` normalised so that
    ``f_series`` is the ω,q integral of D⁽¹⁾ divided by ς/2 — equal to f(ς) if Eq. (20b)
    and (22a) are right — and ``g_series`` the same for D⁽²⁾ per unit χ.

    y: Gauss–Legendre panels refined around both plasmon resonances (width ς x) over
    y ∈ (−Y, Y) plus a mapped tail; x: Gauss–Legendre on x = 10(t+1)², t ∈ (−1, 1).
    """
    t, w = np.polynomial.legendre.leggauss(n_x)
    x = 10.0 * (t + 1.0) ** 2
    wx = w * 20.0 * (t + 1.0)
    e = np.exp(-x)
    res = np.sort(np.stack([np.sqrt(x * (1 + e)), np.sqrt(x * (1 - e))]), axis=0)
    width = np.maximum(2.0 * varsigma * x, 1e-3)
    offsets = np.array([-4.0, -1.0, -0.25, 0.0, 0.25, 1.0, 4.0])
    edges = np.concatenate(
        [np.zeros((1, n_x))]
        + [np.maximum(r + offsets[:, None] * width, 0.0) for r in res]
        + [(2.0 * res[1] + 2.0)[None, :]]
    )
    edges = np.sort(edges, axis=0)
    ty, wy = np.polynomial.legendre.leggauss(n_y)
    a, b = edges[:-1], edges[1:]  # (panels, n_x)
    y = 0.5 * (b - a)[..., None] * ty + 0.5 * (b + a)[..., None]  # (panels, n_x, n_y)
    wyy = 0.5 * (b - a)[..., None] * wy
    y = np.where(wyy > 0, y, 1.0)  # zero-width panels (edges clipped at y = 0) carry no weight
    top = edges[-1]
    u = 0.5 * ty + 0.5
    y_tail = top[:, None] / u[None, :]
    w_tail = (0.5 * wy)[None, :] * top[:, None] / u[None, :] ** 2
    i1 = i2 = 0.0
    for sign in (1.0, -1.0):
        d1, d2 = _series_density(x[None, :, None], sign * y, varsigma, beta)
        i1 += np.einsum("pxy,pxy,x->", d1, wyy, wx)
        i2 += np.einsum("pxy,pxy,x->", d2, wyy, wx)
        d1, d2 = _series_density(x[:, None], sign * y_tail, varsigma, beta)
        i1 += np.einsum("xy,xy,x->", d1, w_tail, wx)
        i2 += np.einsum("xy,xy,x->", d2, w_tail, wx)
    return float(i1 / (varsigma / 2.0)), float(i2 / (varsigma / 2.0))


def instability_thresholds(varsigma: float, beta: float, grid: PeriodicGrid) -> dict:
    """χ_c for: even viscosity on (ζ_b/η = 0, 0.5, 2), the paper's approximations, and the
    given finite grid (even viscosity on, ζ_b = 0), all at v → 0; and the drift u_c above
    which the plasmons are amplified by the drifting layer (χ = 0)."""
    base = BilayerParameters(varsigma=varsigma, beta=beta)
    qx, qy = grid.half_wavevectors()
    keep = np.hypot(qx, qy) > 0
    out = {
        f"continuum, even viscosity, zeta/eta={r:g}": instability_threshold(
            base.with_(bulk_to_shear=r)
        )
        for r in (0.0, 0.5, 2.0)
    }
    out["energy argument -min(2, 1+zeta/eta), zeta/eta=0"] = -1.0
    out["continuum, paper approximations"] = instability_threshold(base.paper_approximations())
    out[f"grid N={grid.n}, L={grid.length:g}d, even viscosity"] = instability_threshold(
        base, qx[keep], qy[keep]
    )
    out["probe |q|d range"] = [float(np.min(np.hypot(*stability_probe()))), 1e8]
    out["drift threshold u_c = v/(omega_p d), chi=0, even viscosity"] = drift_threshold(base)
    out["drift threshold u_c, chi=0, paper approximations"] = drift_threshold(
        base.paper_approximations()
    )
    return out


def drag_versus_chi(
    varsigma: float, beta: float, chi_max: float = 5.0, n: int = 36, *, order: int = 12
) -> dict:
    """Exact D(χ) in the v → 0 limit with even viscosity on (ζ_b = 0), from just above the
    instability threshold χ_c to ``chi_max``; and the lines it is compared with."""
    import validate

    base = BilayerParameters(varsigma=varsigma, beta=beta)
    chi_c = instability_threshold(base)
    n_near = max(n // 3, 2)
    near = chi_c + np.geomspace(1e-3, 0.5, n_near)  # D(χ) is steepest near χ_c
    chis = np.concatenate([near, np.linspace(chi_c + 0.5, chi_max, n - n_near + 1)[1:]])
    d_vals = [exact_drag(base.with_(chi=float(c)), order=order, n_angle=8).D for c in chis]
    model = BilayerModel(base)
    slope, _ = continuum_drag_chi_slope(model, order=order, n_angle=8)
    d0 = exact_drag(base, order=order, n_angle=8).D
    f_val, g_val = float(validate.f(varsigma)), float(validate.g(varsigma, beta))
    return {
        "varsigma": varsigma,
        "beta": beta,
        "chi_c": chi_c,
        "chi": chis.tolist(),
        "D_exact": d_vals,
        "D0_exact": d0,
        "dD_dchi_exact": model.force_to_D(float(slope[0]), drift=1.0),
        "f": f_val,
        "g": g_val,
    }


def box_convergence(
    varsigma: float, beta: float, drift: float, lengths=(8.0, 12.0, 16.0, 24.0, 32.0)
) -> dict:
    """Drag force on L×L boxes (spacing h = d/4, q_max = 4π/d) against the continuum, at a
    finite drift; local orders log(e_i/e_{i+1})/log(L_{i+1}/L_i) (expected → 5)."""
    p = BilayerParameters(varsigma=varsigma, beta=beta, drift=drift)
    model = BilayerModel(p)
    f_cont, err = continuum_drag_force(model, order=24, n_angle=48)
    errors = []
    for length in lengths:
        f_box = grid_drag_force(model, PeriodicGrid(2 * int(round(2 * length)), float(length)))
        errors.append(float(f_box[0] - f_cont[0]))
    orders = [
        math.log(abs(errors[i] / errors[i + 1])) / math.log(lengths[i + 1] / lengths[i])
        for i in range(len(lengths) - 1)
    ]
    # refinement at fixed L: spacing h → h/2 (q_max doubles)
    fixed_l = 16.0  # N = 64 is the h = d/4 box; N = 96 shows the floor (box error)
    refine = {}
    for n in (16, 32, 64, 96):
        f_box = grid_drag_force(model, PeriodicGrid(n, fixed_l))
        refine[str(n)] = float(f_box[0] - f_cont[0])
    return {
        "drift": drift,
        "continuum_force": float(f_cont[0]),
        "continuum_error_estimate": err,
        "lengths": list(lengths),
        "relative_error": [e / float(f_cont[0]) for e in errors],
        "local_order": orders,
        "refine_at_L16_relative_error": {k: v / float(f_cont[0]) for k, v in refine.items()},
    }


#: ς of the comparison table of :func:`hydro_report`
DEFAULT_VARSIGMA = [0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 1.0, 2.0, 5.0]
#: box sides L/d of the convergence study of :func:`hydro_report`
DEFAULT_BOX_LENGTHS = [8.0, 12.0, 16.0, 24.0, 32.0]

#: What the comparison finds, in one paragraph per finding (printed by ``validate hydro``).
DIAGNOSIS = [
    "D(chi=0)/f = pi at every varsigma (Eq. 20b integrates exactly to the exact model): Eq. 21 "
    "holds with T/E_F read as T m/n; with E_F = pi n/m (2D, spin 2, hbar = 1) a factor pi "
    "is missing from Eq. 21.",
    "(dD/dchi)/g is negative and varies with varsigma (not a constant factor); it is exactly "
    "linear in beta. (i) The paper's own series, Eqs. 17-19, integrated directly over omega "
    "and q, gives f exactly but -2 g for the chi term: Eqs. 20c/22b have the wrong sign and "
    "a factor 1/2. (ii) Eq. 17 prints 2 alpha omega_nu where the stress of Eq. 9 gives 1/2: "
    "a factor 4, so the series with Eq. 9's coupling gives -g/2. (iii) At order chi*v the "
    "series is incomplete: it omits the Born term G M_u G M_chi G xi (38-48 % of the exact "
    "coefficient), and its kept term, exactly, is -0.76..-0.83 pi g instead of -pi g/2 "
    "(Eq. 17 is reduced with v = 0 relations; this last gap is not traced to one term). "
    "The sign is physical: the nonreciprocal stress carries no noise, so chi > 0 cools the "
    "drive layer and lowers the drag.",
    "Stability: chi_c = 0 in the paper's approximations (transverse velocity of layer 1 "
    "grows for any chi < 0); with even viscosity chi_c = -min(2, 1 + zeta_b/eta) in the "
    "continuum (energy argument, reproduced numerically); finite grids are stable slightly "
    "below (q <= q_max).",
    "Finite box: error ~ (2 pi/L)^5 from the |q|^3 term of the force density at small q.",
]


def hydro_report(
    varsigma: Sequence[float] = DEFAULT_VARSIGMA,
    beta: float = 0.1,
    curve_varsigma: float = 0.15,
    chi_max: float = 5.0,
    curve_points: int = 36,
    box_lengths: Sequence[float] = DEFAULT_BOX_LENGTHS,
    progress=None,
) -> dict:
    """All numbers of ``python -m validate hydro`` (inputs validated, ``ValueError`` naming
    the value): the table of :func:`paper_comparison` over ``varsigma`` at ``beta``, the
    :func:`instability_thresholds` and the D(χ) curve (:func:`drag_versus_chi`, up to
    ``chi_max``, ``curve_points`` points) at ``curve_varsigma``, the
    :func:`box_convergence` over ``box_lengths`` and the :data:`DIAGNOSIS`. ``progress``:
    called with the fraction of the work done after each piece (for a time-left estimate)."""
    s = np.atleast_1d(require_positive("varsigma", varsigma)).tolist()
    beta = float(require_positive("beta", beta))
    s_curve = float(require_positive("curve_varsigma", curve_varsigma))
    chi_max = float(require_range("chi_max", chi_max, 0.0, 100.0, lo_open=True))
    points = int(require_range("curve_points", curve_points, 4, 1000))
    lengths = np.atleast_1d(require_range("box_lengths", box_lengths, 2.0, 64.0)).tolist()
    if len(lengths) < 2:
        raise ValueError(f"box_lengths = {lengths} is outside the allowed range: two or more")
    grid = PeriodicGrid(32, 16.0)
    # relative costs (CPU time measured per piece): ς points, thresholds, D(χ) points, boxes
    costs = [1.8] * len(s) + [5.0, 0.3 * points, 1.0 * len(lengths)]
    total, done = sum(costs), [0.0]

    def step(cost: float) -> None:
        done[0] += cost
        if progress is not None:
            progress(min(done[0] / total, 1.0))

    parts = []
    for v in s:
        parts.append(paper_comparison([v], beta))
        step(costs[0])
    comparison = paper_comparison_merge(parts)
    thresholds = instability_thresholds(s_curve, beta, grid)
    step(costs[-3])
    curve = drag_versus_chi(s_curve, beta, chi_max, points)
    step(costs[-2])
    boxes = box_convergence(s_curve, beta, 0.05, lengths)
    step(costs[-1])
    return {
        "comparison": comparison,
        "thresholds": thresholds,
        "drag_vs_chi": curve,
        "box_convergence": boxes,
        "diagnosis": DIAGNOSIS,
    }


def paper_comparison_merge(parts: Sequence[dict]) -> dict:
    """:func:`paper_comparison` results for single ς values joined into one (the same
    numbers as one call with all of them: each ς is computed on its own)."""
    out: dict = {}
    for part in parts:
        for k, v in part.items():
            if isinstance(v, list):
                out.setdefault(k, []).extend(v)
    for key in ("D0_over_f", "Dchi_over_g"):
        vals = np.abs(out[key])
        out[f"{key}_spread"] = float(vals.max() / vals.min() - 1.0)
    out["beta"] = parts[0]["beta"]
    return out
