"""``python -m montecarlo run`` — drag coefficients by Monte Carlo of the collision integral.

Prints η∥⁽⁰⁾, η∥⁽¹⁾, η_{Q3} and η_H (Pa·s) with their Monte Carlo errors, beside them the
quadrature of ``validate.weyl`` (T = 0 polarizations, ballistic weights) and the finite-T
reference of :mod:`montecarlo.drag_mc` (the same approximations as the Monte Carlo), and the
pulls (MC − reference)/√(sdev² + quadrature error²). A pull against ``validate`` measures
physics (finite T, finite q/k_F, tilt in η∥⁽¹⁾), a pull against the finite-T reference measures
the Monte Carlo.
"""

from __future__ import annotations

import argparse
import math

from dragcore import units
from dragcore.checks import require_positive, require_range
from dragcore.cli import dump_json
from montecarlo.drag_mc import estimate_drag, finite_temperature_reference, hall_from_q3
from montecarlo.presets import PRESETS, preset
from montecarlo.result import format_estimate


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--preset", default="fig2-d40", choices=sorted(PRESETS))
    parser.add_argument("--T", type=float, default=10.0, help="temperature in K (default 10)")
    parser.add_argument("--np", dest="n_p", type=float, default=3e11, help="n^p in cm^-2 (3e11)")
    parser.add_argument("--tau-p", type=float, default=50.0, help="metal τ^p in ps (50)")
    parser.add_argument("--d", type=float, default=None, help="spacing in nm (preset's)")
    parser.add_argument("--tilt", type=float, default=0.3, help="tilt C, |C| < 1 (0.3)")
    parser.add_argument("--eps", type=float, default=12.0, help="dielectric constant (12)")
    parser.add_argument(
        "--active", choices=("weyl", "metal"), default="weyl", help="metal: 2D–2D drag"
    )
    parser.add_argument("--neval", type=int, default=200_000, help="evaluations/iteration")
    parser.add_argument("--n-train", type=int, default=6, help="training iterations (6)")
    parser.add_argument("--n-prod", type=int, default=10, help="production iterations (10)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random streams (0)")
    parser.add_argument(
        "--no-reference", action="store_true", help="skip the finite-T reference quadrature"
    )
    parser.add_argument("--summary", action="store_true", help="per-iteration table of η∥⁽⁰⁾")
    parser.add_argument("--json", action="store_true", help="machine-readable output")


def _pull(mc: float, sd: float, ref: float, err: float) -> float:
    s = math.hypot(sd, err)
    return (mc - ref) / s if s > 0 else math.nan


def compute(args: argparse.Namespace) -> dict:
    """Everything the command prints, as plain types (internal units converted to Pa·s)."""
    require_positive("T", args.T)
    require_positive("n_p", args.n_p)
    require_positive("tau_p", args.tau_p)
    require_range("C", args.tilt, -1.0, 1.0, lo_open=True, hi_open=True)
    require_positive("eps", args.eps)
    require_range("neval", args.neval, 64, math.inf)
    require_range("n_train", args.n_train, 0, math.inf)
    require_range("n_prod", args.n_prod, 2, math.inf)
    require_range("seed", args.seed, 0, math.inf)
    from validate.weyl import drag_coefficients

    bl = preset(
        args.preset,
        n_p_cm2=args.n_p,
        tau_p_ps=args.tau_p,
        d_nm=args.d,
        tilt=args.tilt,
        dielectric=args.eps,
        active=args.active,
    )
    T = units.kelvin_to_erg(args.T)
    est = estimate_drag(
        bl, T, n_eval=args.neval, n_train=args.n_train, n_prod=args.n_prod, seed=args.seed
    )
    quad = drag_coefficients(bl, T)
    qv = {"eta0": quad.eta0, "eta1": quad.eta1, "eta_q3": quad.eta_q3}
    qe = {"eta0": quad.err0, "eta1": quad.err1, "eta_q3": quad.err_q3}
    hall_q = hall_from_q3(bl, quad.eta_q3)
    qv["eta_H_sj"] = hall_q["sj"]  # validate's η_{Q3} through the paper's relation (B23)
    qe["eta_H_sj"] = abs(hall_q["sj"] / quad.eta_q3) * quad.err_q3 if quad.eta_q3 else 0.0
    ref = err = None
    if not args.no_reference:
        ref, err = finite_temperature_reference(bl, T)
    pa = units.internal_viscosity_to_pascal_second
    names = est.names if bl.active.kind == "weyl" else ("eta0",)
    rows = []
    for i, name in enumerate(names):
        m, s = est.value(name)
        row = {
            "name": name,
            "mc_Pa_s": pa(m),
            "sdev_Pa_s": pa(s),
            "validate_Pa_s": pa(qv[name]),
            "pull_validate": _pull(m, s, qv[name], qe[name]),
            "rel_diff_validate": m / qv[name] - 1.0 if qv[name] else math.nan,
        }
        if ref is not None and i < len(ref):
            row["reference_Pa_s"] = pa(ref[i])
            row["pull_reference"] = _pull(m, s, ref[i], err[i])
        rows.append(row)
    hall_q["sj_B23"] = hall_q["sj"]
    hall = [
        {
            "name": f"eta_H.{k}",
            "mc_Pa_s": pa(v),
            "sdev_Pa_s": pa(est.hall_sdev[k]),
            "validate_Pa_s": pa(hall_q[k]),
        }
        for k, v in est.hall.items()
    ]
    r = est.result
    return {
        "preset": args.preset,
        "T_K": args.T,
        "active": args.active,
        "tilt": args.tilt,
        "seed": args.seed,
        "n_eval": r.n_eval,
        "n_eval_total": r.n_eval_total,
        "chi2_dof": r.chi2 / r.dof if r.dof else math.nan,
        "Q": r.Q,
        "coefficients": rows,
        "hall_from_q3": hall,
        "correlation": r.correlation.tolist(),
        "warnings": r.warnings,
        "_summary": r.summary(0),
    }


def run(args: argparse.Namespace) -> int:
    out = compute(args)
    summary = out.pop("_summary")
    if args.json:
        print(dump_json(out))
        return 0
    print(
        f"Collision-integral Monte Carlo, preset {out['preset']}, active {out['active']}, "
        f"C = {out['tilt']:g}, T = {out['T_K']:g} K, seed {out['seed']}"
    )
    if args.summary:
        print(summary)
    print(
        f"n_eval = {out['n_eval']} (total {out['n_eval_total']}), "
        f"chi2/dof = {out['chi2_dof']:.2f}, Q = {out['Q']:.2f}"
    )
    head = f"{'':8s} {'Monte Carlo (Pa s)':>22s} {'validate (Pa s)':>16s} {'pull':>8s}"
    head += f" {'rel diff':>10s}"
    has_ref = "reference_Pa_s" in out["coefficients"][0]
    if has_ref:
        head += f" {'finite-T ref':>14s} {'pull':>7s}"
        if out["active"] == "weyl" and out["tilt"] != 0.0:
            print("(the finite-T reference is exact at C = 0; at C ≠ 0 it lacks O(C² q²/k_F²))")
    print(head)
    for row in out["coefficients"]:
        line = (
            f"{row['name']:8s} {format_estimate(row['mc_Pa_s'], row['sdev_Pa_s']):>22s} "
            f"{row['validate_Pa_s']:16.6e} {row['pull_validate']:8.2f} "
            f"{row['rel_diff_validate']:10.2e}"
        )
        if has_ref and "reference_Pa_s" in row:
            line += f" {row['reference_Pa_s']:14.6e} {row['pull_reference']:7.2f}"
        print(line)
    print("η_H: eei1, eei2 from η_Q3 (B17, B18); sj sampled (A41–A42); sj_B23 = relation (B23):")
    for row in out["hall_from_q3"]:
        print(
            f"  {row['name']:14s} {format_estimate(row['mc_Pa_s'], row['sdev_Pa_s']):>22s} "
            f"{row['validate_Pa_s']:16.6e}"
        )
    for w in out["warnings"]:
        print(f"warning: {w}")
    return 0
