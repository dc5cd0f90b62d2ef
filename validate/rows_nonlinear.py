"""Report rows of the nonlinear bilayer as its fluctuation strength Θ → 0
(:mod:`validate.nonlinear`, :mod:`validate.oneloop`)."""

from __future__ import annotations

from dataclasses import replace

from dragcore.parallel import World
from validate.rows import FULL, Comparison, JobSize, significance

__all__ = ["nonlinear_comparisons"]


def _one_loop_slope() -> tuple[dict, str]:
    """The deterministic one-loop slope on the simulated grid, and the note on its cutoff
    dependence (the same slope on a finer grid)."""
    from validate.nonlinear import DEFAULT_GRID, PAPER_POINT
    from validate.oneloop import one_loop_table

    g = DEFAULT_GRID
    a16, a20 = one_loop_table([(g.n, g.length), (20, g.length)], [PAPER_POINT.chi])
    cutoff = (
        f"one loop at L = 12 d: a = {a16['slope']:.2f} (N = 16), {a20['slope']:.2f} (N = 20), "
        f"aΘ/⟨p_x²⟩ = {a16['slope'] / a16['local']['p']:.2f}, "
        f"{a20['slope'] / a20['local']['p']:.2f}: a grows with the cutoff like the one-point "
        "momentum variance (∝ Λ²), so a is quoted with its grid"
    )
    return a16, cutoff


def nonlinear_comparisons(w: World, size: JobSize = FULL) -> list[Comparison]:
    """The nonlinear bilayer as the fluctuation strength Θ → 0 (:mod:`validate.nonlinear`):
    D(Θ)/D_linear at Θ = 0.0025, 0.005, 0.01 (16×16 grid, L = 12 d, the paper's ς, β, χ = 0.1),
    the limit c of the fit c + aΘ against 1, and the two estimators of the drag force."""
    from validate.nonlinear import strength_limit, strength_scan
    from validate.nonlinear_run import POINT_RUN

    run = replace(POINT_RUN, n_realisations=4, n_steps=size.nonlinear_steps)
    pts = strength_scan((0.0025, 0.005, 0.01), run=run, w=w)
    if not w.is_root:
        return []
    fit = strength_limit(pts)
    last = pts[-1]
    a16, cutoff = _one_loop_slope()
    return [
        Comparison(
            "nonlinear bilayer",
            "O(Θ) slope a: simulation against the deterministic one-loop route (16×16, L = 12 d)",
            "nonlinear Langevin, weighted least squares",
            fit["slope"],
            "one loop (langevin.one_loop, the same kept modes)",
            a16["slope"],
            fit["slope_sdev"],
            "weighted least-squares error of the simulated a (one loop: exact to 1e-8)",
            note=cutoff,
        ),
        Comparison(
            "nonlinear bilayer",
            "D/D_linear as Θ → 0 (limit c of the fit c + aΘ over Θ = 0.0025, 0.005, 0.01)",
            "nonlinear Langevin (Lawson–Heun, linear twin, ±v CRN)",
            fit["limit"],
            "linear model (the Θ → 0 limit)",
            1.0,
            fit["limit_sdev"],
            "weighted least-squares error of c (independent seeds per Θ)",
            note=f"χ²/dof of the fit {fit['chi2_dof']:.2f}",
        ),
        Comparison(
            "nonlinear bilayer",
            "O(Θ) slope a of D/D_linear = c + aΘ (Θ = 0.0025, 0.005, 0.01)",
            "nonlinear Langevin, weighted least squares",
            fit["slope"],
            "no O(Θ) shift",
            0.0,
            fit["slope_sdev"],
            "weighted least-squares error of a",
            kind="measurement",
            note=(
                f"slope a = {fit['slope']:.3f} ± {fit['slope_sdev']:.3f}: "
                f"{significance(fit['slope'] / fit['slope_sdev'])} — the O(Θ) shift of the "
                f"drag, {100 * fit['slope'] * 0.01:+.2f} ± {100 * fit['slope_sdev'] * 0.01:.2f} % "
                "at Θ = 0.01 (GaAs, n = 1e11 cm⁻², d = 40 nm, T ≈ 5 K) on this grid, "
                + (
                    "is not resolved from zero at these statistics"
                    if abs(fit["slope"]) < 2 * fit["slope_sdev"]
                    else "is resolved from zero"
                )
                + "; it depends on the grid's cutoff"
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
