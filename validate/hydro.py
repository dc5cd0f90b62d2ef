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
* ∂D/∂χ (exact) / g is negative, about −4.2 … −4.5 over ς ∈ [0.02, 5], exactly linear in β
  but NOT constant in ς. Diagnosis, three separate effects:
  (i) the same π as in f;
  (ii) strength: Eq. (9) with N = α δ_il δ_jm B_k damps the longitudinal velocity of layer 1 at
      the rate χ ν q² (ν = η/ϱ with ζ_b = 0), which in the δn_± equations (17) is
      −(χ ν q²/2)[ω₊² δn₊ + ω₋² δn₋]; Eq. (17) prints −2αω_ν(v·B)[…], four times larger;
  (iii) perturbation series: at order χ v the state has two Born terms,
      G M_χ G M_u G ξ (nonreciprocity acting on the advected fluctuation; Eq. 19d) and
      G M_u G M_χ G ξ (advection of the fluctuation already changed by χ, which Eq. 19 omits);
      the omitted term is 38–48 % of the total and has the same (negative) sign. Even the kept
      term, evaluated exactly, is negative: the nonreciprocal stress carries no noise, so
      χ > 0 removes fluctuation energy from the drive layer and lowers the drag. The sign of
      Eqs. (20c)/(22b) (g > 0) is not reproduced.
* Stability. The nonreciprocal stress has no noise and, for χ < 0, negative dissipation.
  In the paper's approximations (no other viscosity) every χ < 0 is unstable (the transverse
  velocity of layer 1 grows at rate |χ|ν q²/2 at every q). With the even viscosity on, the
  Gibbs energy decays iff 1 + ζ_b/η + χ ≥ 0 (longitudinal) and 1 + χ/2 ≥ 0 (transverse):
  χ_c = −min(2, 1 + ζ_b/η) in the continuum (reached only as q → ∞ for the longitudinal
  branch, where the viscous rate beats the Maxwell rate ς q); a finite grid with q ≤ q_max
  is stable somewhat below.
* Box → continuum: the force density is a q_x² + O(|q|³) at small q; the analytic part sums
  spectrally and the |q|³ part leaves an error ∝ (2π/L)⁵; truncation at q_max = π/h costs
  O(e^{−2q_max}).
"""

from __future__ import annotations

import math

import numpy as np

from langevin.exact import (
    continuum_drag_chi_slope,
    continuum_drag_chi_slope_parts,
    continuum_drag_force,
    exact_drag,
    grid_drag_force,
    instability_threshold,
    stability_probe,
)
from langevin.grid import PeriodicGrid
from langevin.model import BilayerModel
from langevin.params import BilayerParameters

__all__ = [
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
            "cross_over_pi_g",
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
    for key in ("D0_over_f", "Dchi_over_g"):
        vals = np.array(out[key])
        out[f"{key}_spread"] = float(vals.max() / vals.min() - 1.0)
    out["beta"] = beta
    return out


def instability_thresholds(varsigma: float, beta: float, grid: PeriodicGrid) -> dict:
    """χ_c for: even viscosity on (ζ_b/η = 0, 0.5, 2), the paper's approximations, and the
    given finite grid (even viscosity on, ζ_b = 0); v → 0."""
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
