"""``python -m validate hydro`` — the exact hydrodynamic model against Eq. (21).

Prints (or ``--json``) the table of D(χ=0)/f and (∂D/∂χ)/g over ς in the paper's
approximations, the Born-order split of ∂D/∂χ, the instability thresholds, and the box →
continuum convergence; writes three PNG figures into ``--output``:

* ``hydro_ratios.png`` — the two ratios versus ς, and the split of ∂D/∂χ;
* ``drag_vs_chi.png`` — exact D(χ) (v → 0, even viscosity on) from the threshold χ_c to
  χ = 5, with the perturbative lines (Eq. 21 as printed, Eq. 21 × π, the exact tangent);
* ``box_convergence.png`` — finite-box error versus L with the expected L⁻⁵.

The findings and their diagnosis are in :mod:`validate.hydro`; the numbers are
:func:`validate.hydro.hydro_report`, the figures :func:`validate.figures.hydro_figures`.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

from dragcore.cli import add_table_and_figure_options, require_writable_dir
from validate.cli_output import add_list_options, print_result
from validate.hydro import DEFAULT_BOX_LENGTHS, DEFAULT_VARSIGMA, hydro_report

DEFAULTS: dict = {
    "varsigma": DEFAULT_VARSIGMA,
    "beta": 0.1,
    "curve_varsigma": 0.15,
    "chi_max": 5.0,
    "curve_points": 36,
    "box_lengths": DEFAULT_BOX_LENGTHS,
    "json": False,
    "no_figures": False,
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_list_options(parser, DEFAULTS, [
        ("varsigma", "S", "ς values of the comparison table (default: 10 values 0.02…5)"),
    ])  # fmt: skip
    parser.add_argument(
        "--beta", type=float, default=DEFAULTS["beta"], help="β = ν/(d²ω_p) (default 0.1)"
    )
    parser.add_argument(
        "--curve-varsigma",
        type=float,
        default=DEFAULTS["curve_varsigma"],
        help="ς of the D(χ) curve and of the thresholds (default 0.15, the paper's Fig. 2)",
    )
    parser.add_argument(
        "--chi-max", type=float, default=DEFAULTS["chi_max"], help="end of the D(χ) curve"
    )
    parser.add_argument(
        "--curve-points", type=int, default=DEFAULTS["curve_points"], help="points of D(χ)"
    )
    add_list_options(parser, DEFAULTS, [
        ("box_lengths", "L", "box sides L/d of the convergence study (default 8 12 16 24 32)"),
    ])  # fmt: skip
    add_table_and_figure_options(parser, "drag-report/hydro")


def compute(args: argparse.Namespace) -> dict:
    """All numbers of the report (:func:`validate.hydro.hydro_report` of the options); the
    progress, with the time left, on standard error."""
    from dragcore.progress import Progress

    prog = Progress("validate hydro", 1.0)
    return hydro_report(
        args.varsigma,
        args.beta,
        args.curve_varsigma,
        args.chi_max,
        args.curve_points,
        args.box_lengths,
        progress=lambda frac: prog.advance(frac - prog.done),
    )


def _print(res: dict) -> None:
    c = res["comparison"]
    print("Exact hydrodynamic model (paper's approximations, v → 0) against Eq. (21)")
    print(f"β = {c['beta']:g};  D ≡ ρ_D/ρ₀,  ρ₀ = ħ²σ/(4π²e⁴)(nd²)⁻² T/E_F,  E_F = πn/m")
    head = (
        f"{'ς':>6} {'f':>12} {'D(χ=0)':>12} {'D/f':>10} {'g':>12} {'∂D/∂χ':>12} "
        f"{'(∂D/∂χ)/g':>10} {'GχGuG/πg':>9} {'GuGχG/πg':>9} {'Eq19:f':>8} {'Eq19:g':>8}"
    )
    print(head)
    for k, s in enumerate(c["varsigma"]):
        print(
            f"{s:6.3g} {c['f'][k]:12.6g} {c['D0'][k]:12.6g} {c['D0_over_f'][k]:10.7f} "
            f"{c['g'][k]:12.6g} {c['Dchi'][k]:12.6g} {c['Dchi_over_g'][k]:10.5f} "
            f"{c['chi_after_u_over_pi_g'][k]:9.4f} {c['u_after_chi_over_pi_g'][k]:9.4f}"
            f" {c['f_series_over_f'][k]:8.5f} {c['g_series_over_g'][k]:8.5f}"
        )
    print(
        "GχGuG, GuGχG: the two Born terms of the exact ∂D/∂χ; Eq19: the paper's series "
        "(Eqs. 17–19) by direct ω,q quadrature, ÷ f and ÷ g"
    )
    print(
        f"spread max/min − 1:  D/f {c['D0_over_f_spread']:.1e},  "
        f"(∂D/∂χ)/g {c['Dchi_over_g_spread']:.3f}   (π = {math.pi:.10f})"
    )
    print("\nInstability thresholds χ_c (stable for χ > χ_c), v → 0:")
    for k, v in res["thresholds"].items():
        print(f"  {k}: {v}")
    b = res["box_convergence"]
    print(f"\nBox → continuum (h = d/4, u = {b['drift']:g}): relative error, local order")
    for k, length in enumerate(b["lengths"]):
        order = b["local_order"][k - 1] if k else float("nan")
        print(f"  L = {length:5.1f} d   {b['relative_error'][k]: .3e}   {order:6.2f}")
    print("  refinement at L = 16 d (N: rel. error):", b["refine_at_L16_relative_error"])
    d = res["drag_vs_chi"]
    print(
        f"\nD(χ) at ς = {d['varsigma']:g}, β = {d['beta']:g}, even viscosity on: "
        f"D(χ_c⁺) = {d['D_exact'][0]:.6g}, D(0) = {d['D0_exact']:.6g}, "
        f"dD/dχ(0) = {d['dD_dchi_exact']:.6g}, D({d['chi'][-1]:g}) = {d['D_exact'][-1]:.6g}"
    )
    print("\nDiagnosis:")
    for line in res["diagnosis"]:
        print("  - " + line)


def run(args: argparse.Namespace) -> int:
    if not getattr(args, "no_figures", False):
        require_writable_dir("--output", args.output)  # before the computing
    res = compute(args)
    figures: list[Path] = []
    if not getattr(args, "no_figures", False):
        from validate.figures import hydro_figures

        figures = hydro_figures(res, Path(args.output))
    print_result(res, figures, getattr(args, "json", False), _print)
    return 0
