# %% [markdown]
# # A χ sweep to the instability, with the exact solution
#
# The drag D = ρ_D/ρ₀ of the linear bilayer model of Zverevich and Levchenko,
# *Nonreciprocal Coulomb drag in electron bilayers*, arXiv:2504.08679 (Eqs. 1–16 of v1), from
# the exact stationary (Lyapunov) solution, `langevin.exact_drag`, over the nonreciprocity
# parameter χ down to the viscous instability χ_c, where the model has no stationary state.
#
# Two independent checks are printed beside the sweep:
#
# * in the paper's approximations (even viscosity off), at χ = 0 the exact model gives
#   D = π f(ς), with f(ς) of Eq. (22a) computed by a different route (`validate.f`, a
#   one-dimensional quadrature of the closed-form frequency integral);
# * the threshold χ_c from `langevin.exact.instability_threshold` (bisection on the growth
#   rates) is compared with its closed form χ_c = −min(2, 1 + ζ_b/η) with even viscosity.
#
# Run: `python examples/chi_sweep.py [--quick] [--figure chi_sweep.png]`
# (also a notebook: `jupytext --to ipynb examples/chi_sweep.py`).

# %%
from __future__ import annotations

import argparse
import math
import time

import numpy as np

from langevin import BilayerParameters, UnstableError, exact_drag
from langevin.exact import instability_threshold
from validate import f as f_exact


def sweep(varsigma: float, beta: float, n_points: int, order: int) -> dict:
    """D(χ) from χ = 1 down to just above χ_c, and the threshold itself."""
    base = BilayerParameters(varsigma=varsigma, beta=beta)  # every term on, even viscosity
    chi_c = instability_threshold(base)
    chis = chi_c + (1.0 - chi_c) * np.geomspace(1.0, 1e-2, n_points)  # denser near χ_c
    values = np.array([exact_drag(base.with_(chi=float(c)), order=order).D for c in chis])
    d0 = exact_drag(base, order=order).D
    return {"chi_c": chi_c, "chi": chis, "D": values, "D0": d0, "params": base}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="chi sweep of the exact drag to the instability")
    parser.add_argument("--quick", action="store_true", help="4 points, lower quadrature order")
    parser.add_argument("--figure", help="write a PNG of D(chi) here")
    parser.add_argument("--varsigma", type=float, default=0.15)
    parser.add_argument("--beta", type=float, default=0.1)
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    res = sweep(args.varsigma, args.beta, 4 if args.quick else 16, 8 if args.quick else 16)
    print(f"ς = {args.varsigma}, β = {args.beta}, all terms on (even viscosity, ζ_b = 0)")
    # closed form with even viscosity: χ_c = −min(2, 1 + ζ_b/η) = −1 at ζ_b = 0
    print(f"χ_c by bisection on the growth rates: {res['chi_c']:.6f}   closed form: -1")
    if abs(res["chi_c"] + 1.0) > 2e-7:  # the bisection's tolerance (1e-7 relative)
        raise SystemExit(f"chi_c = {res['chi_c']!r}: bisection and closed form disagree")
    print("      χ            D")
    for c, d in zip(res["chi"], res["D"], strict=True):
        print(f"{c:10.5f} {d:14.6g}")
    # the route through f(ς): in the paper's approximations D(χ = 0) = π f(ς) (the model
    # integrates Eq. 20b exactly; Eq. 21 holds with T/E_F read as Tm/n)
    paper = res["params"].paper_approximations()
    exact0 = exact_drag(paper, order=8 if args.quick else 16)
    d0 = exact0.D
    ratio = d0 / (math.pi * float(f_exact(args.varsigma)))
    # allowed: the exact solution's own quadrature error estimate and f's (≤ 1e-12 relative)
    tolerance = 4.0 * (exact0.D_error / abs(d0) + 1e-12)
    print(f"D(χ = 0) with all terms on: {res['D0']:.8g}")
    print(f"paper's approximations: D(χ = 0) = {d0:.10g};  D(0)/(π f(ς)) = {ratio:.12f}")
    print(f"  |ratio − 1| = {abs(ratio - 1):.1e} (quadrature errors allow {tolerance:.1e})")
    if abs(ratio - 1.0) > tolerance:
        raise SystemExit(f"D(0)/(pi f) = {ratio!r}: the two routes disagree")
    below = res["params"].with_(chi=res["chi_c"] - 0.05)
    try:
        exact_drag(below)
    except UnstableError as err:
        print(f"χ = {below.chi:.4f} (below χ_c): UnstableError: {err}")
    else:
        raise SystemExit("expected the model to be unstable below chi_c")
    if args.figure:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(5, 3.5))
        ax.plot(res["chi"], res["D"], "o-")
        ax.axvline(res["chi_c"], ls="--", c="k", label=f"χ_c = {res['chi_c']:.3f}")
        ax.set(xlabel="χ", ylabel="D = ρ_D/ρ₀", title=f"exact drag, ς = {args.varsigma}")
        ax.legend()
        fig.tight_layout()
        fig.savefig(args.figure, dpi=120)
        print(f"figure: {args.figure}")
    print(f"[{time.perf_counter() - t0:.1f} s]")
    return 0


# %%
if __name__ == "__main__":
    raise SystemExit(main())
