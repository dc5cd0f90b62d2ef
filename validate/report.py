"""The main job: every comparison of the package, at a size that finishes in minutes.

``python -m validate`` (no command) runs, in this order,

1. the f, g quadrature against its second route and against its closed-form limits;
2. the exact bilayer model against Eq. (21) of the nonreciprocal-drag paper;
3. the Langevin simulation against the exact solution on the same grid;
4. the Weyl-film / 2D-metal quadrature against its closed-form limits and the paper's numbers;
5. the collision-integral Monte Carlo against the quadrature (when available);

and writes ``drag-report/report.md`` (Markdown: the comparison table first, then the
sections with their figures), ``drag-report/report.h5`` (the same table as data) and the
figures of the ``fg``, ``hydro`` and ``weyl`` sub-commands.

Each row compares two independent routes A and B: ``z = (A − B)/σ`` with σ the combined
error, computed, never chosen: quadrature error estimates, statistical standard errors, or,
for an asymptotic limit, the size of the first neglected term (how it was obtained is written
in the row). A row passes if ``|z| ≤ 3``. Rows of kind ``paper`` compare our result with a
formula or number *as printed* in a paper: a failure there is a finding (diagnosed in the
section), not an error of the package, and does not change the exit code; a failing
``internal`` row makes the main job exit with code 1.
"""

from __future__ import annotations

import argparse
import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from dragcore import __version__
from dragcore.parallel import World, world

DEFAULT_OUTPUT = Path("drag-report")
PASS_Z = 3.0

__all__ = ["Comparison", "run_main_job", "DEFAULT_OUTPUT"]


@dataclass(frozen=True)
class Comparison:
    """One row of the report: two independent routes to the same number.

    Attributes
    ----------
    section, name
        Where it belongs and what is compared.
    route_a, value_a, route_b, value_b
        The two routes and their values.
    sigma
        Combined error of ``value_a − value_b`` (> 0).
    sigma_source
        How ``sigma`` was obtained.
    kind
        ``"internal"`` (two routes of this package) or ``"paper"`` (a paper's printed result).
    note
        Diagnosis or remark.
    factor
        For a ``paper`` row whose difference is a diagnosed factor (a missing π, a sign, a
        factor 4): the diagnosis. The table then prints the ratio A/B and this text instead
        of ``(A − B)/σ``, which for a factor is a number of order 1/σ and says nothing.
    factor_value
        The diagnosed factor when it is exact (e.g. π): the table also prints the residual
        ``(A − factor_value·B)/σ``, an honest z of the diagnosis itself.
    """

    section: str
    name: str
    route_a: str
    value_a: float
    route_b: str
    value_b: float
    sigma: float
    sigma_source: str
    kind: str = "internal"
    note: str = ""
    factor: str = ""
    factor_value: float | None = None

    @property
    def z(self) -> float:
        return (self.value_a - self.value_b) / self.sigma if self.sigma > 0 else math.inf

    @property
    def ratio(self) -> float:
        return self.value_a / self.value_b if self.value_b != 0 else math.nan

    @property
    def passed(self) -> bool:
        return bool(abs(self.z) <= PASS_Z)

    @property
    def z_after_factor(self) -> float:
        """``(A − factor_value·B)/σ``: the z of the diagnosed exact factor (NaN without one)."""
        if self.factor_value is None:
            return math.nan
        diff = self.value_a - self.factor_value * self.value_b
        return diff / self.sigma if self.sigma > 0 else math.inf

    @property
    def difference_text(self) -> str:
        """The table's ``(A−B)/σ`` cell: z, or for a diagnosed factor the ratio and diagnosis."""
        if not (self.kind == "paper" and self.factor and not self.passed):
            return f"{self.z:+.2f}"
        text = f"A/B = {self.ratio:.6g}: {self.factor}"
        if self.factor_value is not None:
            sym = _factor_symbol(self.factor_value)
            text += f"; (A − {sym}·B)/σ = {self.z_after_factor:+.2f}"
        return text


def _factor_symbol(value: float) -> str:
    return "π" if value == math.pi else f"{value:.6g}"


# --------------------------------------------------------------------------------------
# 1. f and g
# --------------------------------------------------------------------------------------
def fg_comparisons() -> list[Comparison]:
    """f, g by exact y-integration vs nested adaptive quadrature, and vs their limits."""
    from validate import fg

    rows: list[Comparison] = []
    beta = 0.1
    quad_rel = 1e-12  # the relative tolerance route 2 requests from scipy's quad
    for s in (0.03, 0.15, 1.0):
        a = fg.f_with_error(s)
        b = fg.f_nested_quad(s)
        rows.append(
            Comparison(
                "f, g (Eq. 22)",
                f"f(ς={s:g})",
                "exact y-integral + Gauss–Legendre panels",
                float(a.value),
                "nested adaptive quad, split at resonances",
                b,
                math.hypot(float(a.error), quad_rel * abs(b)),
                "panel-rule error estimate ⊕ requested quad tolerance 1e-12",
            )
        )
        a = fg.g_with_error(s, beta)
        b = fg.g_nested_quad(s, beta)
        rows.append(
            Comparison(
                "f, g (Eq. 22)",
                f"g(ς={s:g}, β={beta:g})",
                "exact y-integral + Gauss–Legendre panels",
                float(a.value),
                "nested adaptive quad, split at resonances",
                b,
                math.hypot(float(a.error), quad_rel * abs(b)),
                "panel-rule error estimate ⊕ requested quad tolerance 1e-12",
            )
        )
    s = 30.0
    exact = float(fg.f(s))
    two = float(fg.f_large_varsigma(s, order=2))
    three = float(fg.f_large_varsigma(s, order=3))
    rows.append(
        Comparison(
            "f, g (Eq. 22)",
            f"f(ς={s:g}) vs ς → ∞ series",
            "quadrature",
            exact,
            "2-term asymptotic series",
            two,
            abs(three - two),
            "size of the third (first neglected) term",
        )
    )
    s = 1e-8
    exact = float(fg.f(s))
    approx = float(fg.f_small_varsigma(s, terms=2))
    nxt = float(np.abs(fg.small_varsigma_next_term(s, terms=2)))
    rows.append(
        Comparison(
            "f, g (Eq. 22)",
            f"f(ς={s:g}) vs ς → 0 series",
            "quadrature",
            exact,
            "2-term Sommerfeld series in X = W₀(2/ς²)/2",
            approx,
            nxt,
            "size of the first neglected term",
        )
    )
    return rows


# --------------------------------------------------------------------------------------
# 2. the exact bilayer model against Eq. (21)
# --------------------------------------------------------------------------------------
def hydro_comparisons() -> list[Comparison]:
    """Exact model (paper's approximations, v → 0) against f and g of Eq. (22)."""
    from validate.hydro import paper_comparison

    rows: list[Comparison] = []
    beta = 0.1
    res = paper_comparison([0.05, 0.15, 1.0], beta)
    for i, s in enumerate(res["varsigma"]):
        d0, e0, f_val = res["D0"][i], res["D0_error"][i], res["f"][i]
        rows.append(
            Comparison(
                "exact bilayer vs Eq. (21)",
                f"D(χ=0), ς={s:g}",
                "Lyapunov, continuum, v → 0",
                d0,
                "π·f(ς) (Eq. 21 with E_F = πn/m restored)",
                math.pi * f_val,
                e0,
                "radial/angular quadrature error estimate of D",
                note="Eq. (20b) integrates exactly to the model",
            )
        )
        rows.append(
            Comparison(
                "exact bilayer vs Eq. (21)",
                f"D(χ=0), ς={s:g}",
                "Lyapunov, continuum, v → 0",
                d0,
                "f(ς) (Eq. 21 as printed)",
                f_val,
                e0,
                "quadrature error estimate of D",
                kind="paper",
                note="ratio π: Eq. (21) reads T/E_F as Tm/n (E_F = πn/m)",
                factor="factor π: Eq. (21) reads T/E_F as Tm/n (E_F = πn/m)",
                factor_value=math.pi,
            )
        )
        rows.append(
            Comparison(
                "exact bilayer vs Eq. (21)",
                f"∂D/∂χ at χ=0, ς={s:g}, β={beta:g}",
                "Lyapunov, continuum, v → 0",
                res["Dchi"][i],
                "g(ς, β) (Eq. 21 as printed)",
                res["g"][i],
                res["Dchi_error"][i],
                "quadrature error estimate of ∂D/∂χ",
                kind="paper",
                note="opposite sign: nonreciprocal stress without noise cools layer 1; "
                "Eq. 19 keeps one of two Born orderings; factor 4 between Eqs. 9 and 17",
                factor="opposite sign and ≈ 4.2–4.6 (not a constant): nonreciprocal stress "
                "without noise cools layer 1; Eq. 19 keeps one of two Born orderings; "
                "factor 4 between Eqs. 9 and 17",
            )
        )
    return rows


# --------------------------------------------------------------------------------------
# 3. Langevin against the exact finite-grid solution
# --------------------------------------------------------------------------------------
def langevin_comparisons(w: World) -> list[Comparison]:
    """Paper's default point (ς = 0.15, β = 0.1, χ = 0.1) on a 16×16 grid, exact-OU + CRN.

    The realisations are spread over the ranks of ``w`` (same bits on any rank count).
    """
    from langevin.checkpoint import run_distributed
    from langevin.comparison import ExactComparison
    from langevin.grid import PeriodicGrid
    from langevin.model import BilayerModel
    from langevin.params import BilayerParameters

    rows: list[Comparison] = []
    grid = PeriodicGrid(16, 8.0)
    cases = {
        "paper's approximations": BilayerParameters(
            varsigma=0.15, beta=0.1, chi=0.1, drift=0.02
        ).paper_approximations(),
        "all terms": BilayerParameters(varsigma=0.15, beta=0.1, chi=0.1, drift=0.02),
    }
    for label, params in cases.items():
        comparison = ExactComparison(
            BilayerModel(params), grid, "exact", 8.0, common_random_numbers=True
        )
        res = run_distributed(comparison.simulation, 2026, 4, 4000, w=w, snapshots=False)
        if res is None:  # not rank 0
            continue
        res = comparison.compare(res)
        rows.append(
            Comparison(
                "Langevin vs exact",
                f"D, {label}, 16×16 grid, L = 8d",
                "Langevin, exact-OU steps, ±v common random numbers",
                res.mean,
                "Lyapunov on the same grid",
                res.exact,
                res.sdev,
                "statistical error (integrated autocorrelation)",
            )
        )
    return rows


def nonlinear_comparisons(w: World) -> list[Comparison]:
    """The nonlinear bilayer as the fluctuation strength Θ → 0 (:mod:`validate.nonlinear`):
    D(Θ)/D_linear at Θ = 0.0025, 0.005, 0.01 (16×16 grid, L = 12 d, the paper's ς, β, χ = 0.1),
    the limit c of the fit c + aΘ against 1, and the two estimators of the drag force."""
    from validate.nonlinear import strength_limit, strength_scan

    pts = strength_scan((0.0025, 0.005, 0.01), n_realisations=4, n_steps=3000, w=w)
    if not w.is_root:
        return []
    fit = strength_limit(pts)
    last = pts[-1]
    return [
        Comparison(
            "nonlinear bilayer",
            "D/D_linear as Θ → 0 (limit c of the fit c + aΘ over Θ = 0.0025, 0.005, 0.01)",
            "nonlinear Langevin (Lawson–Heun, linear twin, ±v CRN)",
            fit["limit"],
            "linear model (the Θ → 0 limit)",
            1.0,
            fit["limit_sdev"],
            "weighted least-squares error of c (independent seeds per Θ)",
            note=(
                f"slope a = {fit['slope']:.3f} ± {fit['slope_sdev']:.3f} (χ²/dof of the fit "
                f"{fit['chi2_dof']:.2f}); the O(Θ) shift of the drag is "
                f"{100 * fit['slope'] * 0.01:+.2f} % at Θ = 0.01 (GaAs, n = 1e11 cm⁻², "
                "d = 40 nm, T ≈ 5 K) on this grid; it depends on the grid's cutoff"
            ),
        ),
        Comparison(
            "nonlinear bilayer",
            f"D at Θ = {last.theta:g}: the force the constraint removes from layer 2 vs Eq. (11)",
            "q = 0 momentum removed from layer 2",
            last.constraint_mean,
            "Eq. (11) on the nonlinear fields",
            last.mean,
            max(last.sdev, last.constraint_sdev),
            "statistical error of either (the two share every path)",
        ),
    ]


# --------------------------------------------------------------------------------------
# 4. Weyl film / 2D metal
# --------------------------------------------------------------------------------------
def weyl_comparisons() -> list[Comparison]:
    """Quadrature of η∥ against Eqs. (31), (41–43), the 2DEG textbook formula, Q₁, Q₂."""
    from dragcore.units import E_CHARGE
    from layers.presets import preset
    from validate.weyl import (
        drag_coefficients,
        eta_high_T,
        eta_low_T,
        q_functions,
        textbook_2deg_drag_resistivity,
    )

    rows: list[Comparison] = []
    bl = preset("fig2-d40", tilt=0.0)
    tau = 1e-3
    lo = drag_coefficients(bl, tau * bl.T_d, "a2")
    lo2 = drag_coefficients(bl, 2 * tau * bl.T_d, "a2")
    dev2 = abs(1 - lo2.eta0 / eta_low_T(bl, 2 * tau * bl.T_d))
    closed = eta_low_T(bl, tau * bl.T_d)
    rows.append(
        Comparison(
            "Weyl film / 2D metal",
            f"η∥⁽⁰⁾ at T = {tau:g} T_d (A2)",
            "(q, ω) quadrature",
            lo.eta0,
            "low-T closed form, Eq. (31)",
            closed,
            math.hypot(dev2 * closed, lo.err0),
            "deviation at 2T (corrections grow with T) ⊕ quadrature error",
        )
    )
    hi_t = 100.0 * bl.T_d
    hi = drag_coefficients(bl, hi_t, "a2")
    hi2 = drag_coefficients(bl, 0.5 * hi_t, "a2")
    lim = eta_high_T(bl, hi_t)
    lim2 = eta_high_T(bl, 0.5 * hi_t)
    dev2 = abs(1 - hi2.eta0 / lim2[0])
    rows.append(
        Comparison(
            "Weyl film / 2D metal",
            "η∥⁽⁰⁾ at T = 100 T_d (A2)",
            "(q, ω) quadrature",
            hi.eta0,
            "high-T form, Eqs. (41–43)",
            lim[0],
            math.hypot(dev2 * lim[0], hi.err0),
            "deviation at T/2 (corrections fall with T) ⊕ quadrature error",
        )
    )
    # e–e–impurity skew Hall friction: derived rates (validate.skew) against (B17)
    from dragcore.units import kelvin_to_erg
    from validate.skew import skew_hall_coefficients

    t10 = kelvin_to_erg(10.0)
    small = skew_hall_coefficients(preset("fig2-d40", tilt=0.01), t10)
    rows.append(
        Comparison(
            "Weyl film / 2D metal",
            "η_H(e-e-imp, 1) at C = 0.01, 10 K, d = 40 nm: leading order of the derived rates",
            "(q, ω) quadrature of η[φ₁,leading] (derived, expanded in C)",
            small.eta_h1_leading,
            "(B17) −C η_Q3/(4ε_F τ) from the η_Q3 quadrature",
            small.eta_h1_paper,
            math.hypot(
                small.err_h1_leading, abs(small.eta_h1_paper) * small.err_q3 / abs(small.eta_q3)
            ),  # fmt: skip
            "quadrature error estimates (n vs 1.5n points per panel)",
            note="two weightings of the same (q, ω) kernel: the derivation's leading order "
            "in C is the paper's (B17), sign included",
        )
    )
    for name in ("fig2-d40", "fig2-d120"):
        r = skew_hall_coefficients(preset(name, tilt=0.3), t10)
        rows.append(
            Comparison(
                "Weyl film / 2D metal",
                f"η_H(e-e-imp, 1) at C = 0.3, 10 K, {name}: derived rates vs the paper",
                "derived W⁽¹⁾ (exact in C; validate.skew)",
                r.eta_h1,
                "(B17), leading order in C",
                r.eta_h1_paper,
                math.hypot(r.err_h1, abs(r.eta_h1_paper) * r.err_q3 / abs(r.eta_q3)),
                "quadrature error estimates",
                kind="paper",
                factor="(B17) keeps the leading order in C only; the exact-in-C weight "
                "X₁/B is smaller by 1 − O(C²) (ratio 0.8111 as ω/v_F q → 0, 0.84 at T ≫ T_d); "
                "(B18) = (B17)/3 holds exactly",
            )
        )
    two = preset("fig2-d120", active="metal")

    def rho_2deg(eta0: float) -> float:  # ρ_D = η/(e² n₁ n₂ d), as in validate.weyl
        return eta0 / (E_CHARGE**2 * two.active.density * two.passive.density * two.spacing)

    t_lo = 1e-3 * two.T_d
    rho = rho_2deg(drag_coefficients(two, t_lo, "a2").eta0)
    rho2 = rho_2deg(drag_coefficients(two, 2 * t_lo, "a2").eta0)
    tb = textbook_2deg_drag_resistivity(two, t_lo)
    dev2 = abs(1 - rho2 / textbook_2deg_drag_resistivity(two, 2 * t_lo))
    rows.append(
        Comparison(
            "Weyl film / 2D metal",
            "2DEG–2DEG ρ_D at T = 1e-3 T_d (A2)",
            "(q, ω) quadrature, metal as active layer",
            rho,
            "textbook low-T 2DEG drag (Jauho–Smith)",
            tb,
            dev2 * tb,
            "deviation at 2T (corrections grow with T)",
        )
    )
    q1, q2, _ = q_functions(math.inf)
    rows.append(
        Comparison(
            "Weyl film / 2D metal",
            "Q₁(z → ∞)",
            "quadrature of Eq. (B25)",
            q1,
            "paper: 0.800",
            0.800,
            0.0005,
            "half a unit of the paper's last printed digit",
            kind="paper",
            note="exactly 4/5",
        )
    )
    rows.append(
        Comparison(
            "Weyl film / 2D metal",
            "Q₂(z → ∞)",
            "quadrature of Eq. (B26)",
            q2,
            "paper: 0.205",
            0.205,
            0.0005,
            "half a unit of the paper's last printed digit",
            kind="paper",
            note="exactly 36/175 = 0.205714: the paper's value looks truncated",
        )
    )
    return rows


# --------------------------------------------------------------------------------------
# 5. Monte Carlo of the collision integral against quadrature
# --------------------------------------------------------------------------------------
def montecarlo_comparisons(w: World) -> list[Comparison]:
    """Sampled η∥⁽⁰⁾, η∥⁽¹⁾, η_Q3 (and, where the film is tilted, the three Hall parts
    η_H(s.j.), η_H(e-e-imp,1), η_H(e-e-imp,2)) against quadratures with the same
    approximations, at C = 0 and at the paper's parameters (C = 0.3, both spacings,
    T = T_d/2 and 3 T_d), the sampled η_H(e-e-imp,1) against the paper's (B17) there, and
    one row with screening at T (C = 0.3, n^p = 1e11 cm⁻², 20 K ≈ ε_F^p/2: the kernel's Π_T
    tables against the exact Π_T).

    The reference is the (q, ω) quadrature with the exact finite-T imaginary parts of both
    layers and the same screened interaction (``montecarlo.drag_mc``); for the
    2DEG–2DEG case at 0.5 K also the T = 0 quadrature of ``validate.weyl``. Batches are
    spread over the ranks of ``w`` (same bits on any rank count).
    """
    from dragcore.units import erg_to_kelvin, kelvin_to_erg
    from layers.drag_integral import drag_coefficients
    from layers.presets import preset
    from montecarlo.drag_mc import estimate_drag, finite_temperature_reference
    from montecarlo.integrator import distributed_batch_runner

    runner = distributed_batch_runner(w) if w.size > 1 else None
    rows: list[Comparison] = []
    cases = [
        ("Weyl film (C = 0) / 2DEG, d = 40 nm, 5 K", preset("fig2-d40", tilt=0.0), 5.0, 3),
        ("2DEG / 2DEG, d = 40 nm, 0.5 K", preset("fig2-d40", active="metal"), 0.5, 1),
    ]
    # the paper's parameters: C = 0.3, both spacings, a T below and a T above T_d
    for name in ("fig2-d40", "fig2-d120"):
        bl = preset(name)
        for t in (0.5, 3.0):
            t_k = erg_to_kelvin(t * bl.T_d)
            label = f"Weyl film C = 0.3 / 2DEG, {name}, T = {t:g} T_d = {t_k:.3g} K"
            cases.append((label, bl, t_k, 6))
    names = ("η∥⁽⁰⁾", "η∥⁽¹⁾", "η_Q3", "η_H(s.j.)", "η_H(e-e-imp,1)", "η_H(e-e-imp,2)")
    for label, bl, t_k, k in cases:
        T = kelvin_to_erg(t_k)
        est = estimate_drag(bl, T, n_eval=100_000, n_train=5, n_prod=8, seed=7,
                            batch_runner=runner)  # fmt: skip
        if not w.is_root:
            continue
        r = est.result
        ref, err = finite_temperature_reference(bl, T, n=16)
        for i in range(k):
            rows.append(
                Comparison(
                    "Monte Carlo vs quadrature",
                    f"{names[i]}, {label}",
                    f"collision-integral Monte Carlo (Q = {r.Q:.2f})",
                    float(r.mean[i]),
                    "(q, ω) quadrature, exact finite-T Im Π, same |U|²",
                    float(ref[i]),
                    math.hypot(float(r.sdev[i]), float(err[i])),
                    "Monte Carlo sdev ⊕ quadrature error estimate",
                )
            )
        if k == 6:  # the sampled skew rates against the paper's leading order in C
            rows.append(
                Comparison(
                    "Weyl film / 2D metal",
                    f"η_H(e-e-imp,1), {label}: sampled rate W⁽¹⁾ vs the paper",
                    "collision-integral Monte Carlo of W⁽¹⁾ (derived, exact kinematics)",
                    est.hall["eei1"],
                    "(B17) −C η_Q3/(4ε_F τ) on the sampled η_Q3",
                    est.hall["eei1_B17"],
                    math.hypot(est.hall_sdev["eei1"], est.hall_sdev["eei1_B17"]),
                    "Monte Carlo sdevs",
                    kind="paper",
                    factor="(B17) keeps the leading order in C (and in T/ε_F^a) only; the "
                    "derived rate's exact-in-C weight is smaller by 1 − (9/4)C²⟨1 − ω̃²⟩ + … "
                    "(the quadrature of validate.skew: 0.81–0.84 at C = 0.3, T ≪ ε_F^a); at "
                    "3 T_d = 109 K (d = 40 nm, T/ε_F^a = 0.16) the finite-T parts of the "
                    "sampled rate lower the ratio further",
                )
            )
        if k == 1:
            q = drag_coefficients(bl, T)
            rows.append(
                Comparison(
                    "Monte Carlo vs quadrature",
                    f"η∥⁽⁰⁾, {label}",
                    "collision-integral Monte Carlo",
                    float(r.mean[0]),
                    "validate.weyl quadrature (T = 0 Π, Eq. B7)",
                    q.eta0,
                    math.hypot(float(r.sdev[0]), q.err0),
                    "Monte Carlo sdev ⊕ quadrature error (finite-T correction ~4e-5 rel.)",
                )
            )
    # screening at T (issue 15 §2): the paper's tilt and spacing, n^p = 1e11 cm⁻²
    # (ε_F^p = 41 K) at 20 K ≈ ε_F^p/2, where |U_T|² raises η∥⁽⁰⁾ by ~50 %
    bl = preset("fig2-d40", n_p_cm2=1e11)
    T = kelvin_to_erg(20.0)
    est = estimate_drag(bl, T, n_eval=100_000, n_train=5, n_prod=8, seed=7,
                        batch_runner=runner, screening="finite_T")  # fmt: skip
    if w.is_root:
        r = est.result
        ref, err = finite_temperature_reference(bl, T, n=16, screening="finite_T")
        rows.append(
            Comparison(
                "Monte Carlo vs quadrature",
                "η∥⁽⁰⁾, Weyl film C = 0.3 / 2DEG n^p = 1e11, fig2-d40, 20 K, screening at T",
                f"collision-integral Monte Carlo, Π_T tables in |U|² (Q = {r.Q:.2f})",
                float(r.mean[0]),
                "(q, ω) quadrature, exact Π_T in |U|², exact finite-T Im Π",
                float(ref[0]),
                math.hypot(float(r.sdev[0]), float(err[0])),
                "Monte Carlo sdev ⊕ quadrature error estimate",
            )
        )
    return rows


def montecarlo_grid_comparisons(w: World, records: list) -> list[Comparison]:
    """The Monte Carlo against its exact finite-T reference over presets × C × T
    (:mod:`validate.mc_pulls`, one seed, default n_eval): per output, the rms of the pulls
    over the grid against 1 (σ = 1/√(2N) for N unit normal pulls); the single points are in
    the report's table and figure (the records are appended to ``records``)."""
    from montecarlo.integrator import distributed_batch_runner
    from validate.mc_pulls import SYMBOLS, monte_carlo_pull_grid, summarize_pulls

    runner = distributed_batch_runner(w) if w.size > 1 else None
    recs = monte_carlo_pull_grid(seeds=(0,), batch_runner=runner, compute_reference=w.is_root)
    if not w.is_root:
        return []
    records.extend(recs)
    rows: list[Comparison] = []
    summ = summarize_pulls(recs)
    for k, name in enumerate(summ.names):
        n_k = int(summ.n_pulls[k])  # η_H(eei,1) is exactly 0 by both routes at C = 0
        rows.append(
            Comparison(
                "Monte Carlo vs quadrature",
                f"rms pull of {SYMBOLS[name]} over {n_k} grid points "
                "(both spacings, C = 0–0.9, T = T_d/20–3 T_d)",
                "rms of (MC − reference)/σ",
                float(summ.rms[k]),
                "honest error bars",
                1.0,
                1.0 / math.sqrt(2.0 * n_k),
                "sd of the rms of N unit normal pulls, 1/√(2N)",
            )
        )
    return rows


# --------------------------------------------------------------------------------------
# report writing
# --------------------------------------------------------------------------------------
def _fmt(x: float) -> str:
    return f"{x:.10g}" if math.isfinite(x) else str(x)


def _cell(text: str) -> str:
    """Text for a Markdown table cell (a literal ``|``, as in ``|U|²``, is escaped)."""
    return text.replace("|", "\\|")


def comparison_table(rows: list[Comparison]) -> str:
    """The report's first table (Markdown)."""
    head = (
        "| # | section | comparison | route A | value A | route B | value B | A/B "
        "| (A−B)/σ | σ from | kind | result |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|\n"
    )
    lines = []
    for i, r in enumerate(rows, 1):
        res = "pass" if r.passed else ("**differs**" if r.kind == "paper" else "**FAIL**")
        if r.kind == "paper" and r.factor and not r.passed:
            res = "**differs by a diagnosed factor**"
        lines.append(
            f"| {i} | {_cell(r.section)} | {_cell(r.name)} | {_cell(r.route_a)} "
            f"| {_fmt(r.value_a)} | {_cell(r.route_b)} "
            f"| {_fmt(r.value_b)} | {r.ratio:.6g} | {_cell(r.difference_text)} "
            f"| {_cell(r.sigma_source)} "
            f"| {r.kind} | {res} |"
        )
    return head + "\n".join(lines) + "\n"


def _write_h5(path: Path, rows: list[Comparison], meta: dict) -> None:
    from dragcore.hdf5 import atomic_h5_file

    with atomic_h5_file(path) as h5:
        for k, v in meta.items():
            h5.attrs[k] = v
        g = h5.create_group("comparisons")
        g.attrs["description"] = (
            "one entry per comparison: two independent routes A and B, the combined error "
            "sigma, z = (A-B)/sigma, passed = |z| <= 3; for a paper row whose difference is "
            "a diagnosed factor: ratio = A/B, factor = the diagnosis, z_after_factor = "
            "(A - k B)/sigma for an exact factor k (NaN otherwise)"
        )
        for key in ("value_a", "value_b", "sigma"):
            g.create_dataset(key, data=np.array([getattr(r, key) for r in rows]))
        g.create_dataset("z", data=np.array([r.z for r in rows]))
        g.create_dataset("passed", data=np.array([r.passed for r in rows]))
        g.create_dataset("ratio", data=np.array([r.ratio for r in rows]))
        g.create_dataset("z_after_factor", data=np.array([r.z_after_factor for r in rows]))
        for key in ("section", "name", "route_a", "route_b", "sigma_source", "kind", "note",
                    "factor"):  # fmt: skip
            g.create_dataset(key, data=np.array([getattr(r, key) for r in rows], dtype="T"))


def _figures(out: Path) -> list[tuple[str, str]]:
    """Draw the figures of ``python -m validate fg|hydro|weyl`` (their defaults, weyl with
    ``--figure``) into ``out/fg``, ``out/hydro``, ``out/weyl``; return (title, path) pairs."""
    from validate.figures import fg_figures, hydro_figures, weyl_figures
    from validate.hydro import hydro_report

    figs = []
    for title, sub, draw in (
        ("f and g (Figs. 2–3 of the nonreciprocal-drag paper)", "fg", fg_figures),
        ("exact bilayer vs Eq. (21)", "hydro", lambda d: hydro_figures(hydro_report(), d)),
        ("Weyl film / 2D metal (Figs. 2 and 5 of the Hall-drag paper)", "weyl", weyl_figures),
    ):
        target = out / sub
        draw(target)
        for png in sorted(target.glob("*.png")):
            figs.append((title, str(png.relative_to(out))))
    return figs


def _screening_figure(out: Path) -> str:
    """ρ_D/T² of two 2DEGs with T = 0 and finite-T screening (validate.screening)."""
    from validate.screening import plot_scaled_drag_rate, scaled_drag_rate

    ts = (0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5)
    t0 = scaled_drag_rate(ts, "T0")  # in units of its value at 0.02 T_F ...
    norm = t0.norm
    ft = scaled_drag_rate(ts, "finite_T", norm=norm)  # ... and so is this curve
    (out / "screening").mkdir(exist_ok=True)
    plot_scaled_drag_rate([t0, ft], out / "screening" / "plasmon_enhancement.png")
    return "screening/plasmon_enhancement.png"


def run_main_job(args: argparse.Namespace | None = None) -> int:
    """Run every comparison, write ``./drag-report/``; exit code 1 if an internal one fails."""
    w = world()
    out = Path(getattr(args, "output", None) or DEFAULT_OUTPUT)
    t0 = time.perf_counter()
    grid: list = []  # the pull grid's records (validate.mc_pulls), for its table and figure
    steps: list[tuple[str, Callable[[], list[Comparison]], bool]] = [
        ("f, g quadrature", fg_comparisons, False),
        ("exact bilayer vs Eq. (21)", hydro_comparisons, False),
        ("Langevin vs exact", lambda: langevin_comparisons(w), True),
        ("nonlinear bilayer as Θ → 0", lambda: nonlinear_comparisons(w), True),
        ("Weyl film / 2D metal", weyl_comparisons, False),
        ("Monte Carlo vs quadrature", lambda: montecarlo_comparisons(w), True),
        ("Monte Carlo pull grid", lambda: montecarlo_grid_comparisons(w, grid), True),
    ]
    rows: list[Comparison] = []
    for label, fn, collective in steps:
        if not (collective or w.is_root):
            continue
        t = time.perf_counter()
        w.log(f"main job: {label} …")
        part = fn()
        if w.is_root:
            rows.extend(part)
            w.log(f"main job: {label}: {len(part)} comparisons ({time.perf_counter() - t:.1f} s)")
    if not w.is_root:
        return 0
    out.mkdir(parents=True, exist_ok=True)
    w.log("main job: figures …")
    figs = _figures(out)
    if grid:
        from validate.mc_pulls import plot_pull_grid, pull_grid_table

        (out / "mc_pulls").mkdir(exist_ok=True)
        plot_pull_grid(grid, out / "mc_pulls" / "pull_grid.png")
        figs.append(("Monte Carlo vs exact reference over tilt and T", "mc_pulls/pull_grid.png"))
    w.log("main job: 2DEG drag with screening at T (Flensberg & Hu) …")
    figs.append(("2DEG–2DEG drag: plasmon enhancement with screening at T", _screening_figure(out)))
    wall = time.perf_counter() - t0
    meta = {
        "package": "bilayer-drag",
        "version": __version__,
        "ranks": w.size,
        "wall_time_s": wall,
        "pass_rule": f"|z| <= {PASS_Z}",
    }
    table = comparison_table(rows)
    n_int = sum(r.kind == "internal" for r in rows)
    n_int_ok = sum(r.kind == "internal" and r.passed for r in rows)
    n_pap = sum(r.kind == "paper" for r in rows)
    n_pap_ok = sum(r.kind == "paper" and r.passed for r in rows)
    md = [
        "# bilayer-drag validation report\n",
        f"Version {__version__}, {w.size} rank(s), {wall:.0f} s wall time.\n",
        f"Internal comparisons passed: {n_int_ok}/{n_int}. Comparisons with the papers' printed "
        f"results that agree: {n_pap_ok}/{n_pap} (the others are findings, diagnosed in "
        "the notes below and in the module docstrings).\n",
        "z = (A − B)/σ with σ the combined error, computed as the column 'σ from' says; "
        f"a row passes if |z| ≤ {PASS_Z:g}.\n",
        "## Comparisons\n",
        table,
        "\n## Notes\n",
    ]
    for i, r in enumerate(rows, 1):
        if r.note:
            md.append(f"- row {i} ({r.name}): {r.note}\n")
    if grid:
        md += [
            "\n## Monte Carlo pulls over tilt and temperature\n",
            "The collision-integral Monte Carlo (one seed, default n_eval) against the exact "
            "finite-T reference (montecarlo.drag_mc.finite_temperature_reference: tilted film "
            "state sums and the metal's Im Π at T, exact at any |C| < 1) for both spacings, "
            "C = 0, 0.3, 0.6, 0.9 and T = T_d/20, T_d/2, 3 T_d. Pull = (MC − reference)/σ. "
            "The test suite runs the same grid with two seeds "
            "(tests/montecarlo/test_film_reference.py).\n",
            pull_grid_table(grid),
        ]
    md.append("\n## Figures\n")
    for title, rel in figs:
        md.append(f"### {title}: `{rel}`\n\n![{rel}]({rel})\n")
    (out / "report.md").write_text("\n".join(md))
    _write_h5(out / "report.h5", rows, meta)
    print(table)
    print(
        f"internal comparisons passed {n_int_ok}/{n_int}; paper comparisons agreeing "
        f"{n_pap_ok}/{n_pap}; report: {(out / 'report.md').resolve()} ({wall:.0f} s)"
    )
    return 0 if n_int_ok == n_int else 1


def rows_as_dicts(rows: list[Comparison]) -> list[dict]:
    """Plain dicts (for JSON), with z and passed."""
    return [{**asdict(r), "z": r.z, "passed": r.passed} for r in rows]
