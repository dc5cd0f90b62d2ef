"""``python -m validate nonlinear`` — the nonlinear bilayer against its linearisation.

Runs :func:`validate.nonlinear.nonlinear_report` at the paper's point (ς = 0.15, β = 0.1) on
a 16×16 grid (L = 12 d, 2/3-dealiased) and prints its tables: D(Θ)/D_linear over the
fluctuation strength with the Θ → 0 fit, the two steppers, D at dt = 0.25 and dt/4 with their
difference in σ (beside the run command's step limit √Θ/λ_nl), the weak order on coupled paths,
the v = 0 checks, D over χ from the viscous instability to 5, and D through the drift
instability. With ``--stationarity``, the runs past u_c and below χ_c are tested for
stationarity (:mod:`validate.stationarity`, 2 realisations × 80 400 steps per point, ~5 min
each on one core; D is quoted only where the state is stationary).
Writes ``nonlinear_strength.png``, ``nonlinear_chi.png``, ``nonlinear_drift.png``
into ``--output`` (:func:`validate.figures.nonlinear_figures`). Realisations spread over MPI
ranks. About 15 minutes on one core with the defaults; ``--quick`` runs a reduced set.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

from dragcore.checks import require_int
from dragcore.cli import add_table_and_figure_options, require_writable_dir
from dragcore.parallel import world
from validate.nonlinear import nonlinear_report


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--realisations", type=int, default=4, help="per point (default 4)")
    parser.add_argument("--steps", type=int, default=4000, help="per realisation (default 4000)")
    parser.add_argument(
        "--weak-paths",
        type=int,
        default=None,
        help="antithetic pairs, weak order (default 1200; 200 with --quick)",
    )
    parser.add_argument("--quick", action="store_true",
                        help="reduced set: 3 strengths, 4 χ, 3 drifts, short runs")  # fmt: skip
    parser.add_argument(
        "--stationarity",
        action="store_true",
        help="also test stationarity past u_c and χ_c (validate.stationarity)",
    )
    parser.add_argument("--stationarity-steps", type=int, default=None,
                        help="steps per realisation of a stationarity point "
                             "(default 80400; 3600 with --quick)")  # fmt: skip
    add_table_and_figure_options(parser, "drag-report/nonlinear")


def _fmt(p: dict) -> str:
    if p["blow_up"]:
        return "blow-up: " + p["blow_up"].split(" (")[0]
    lin = f"{p['linear']:.4g}" if p["linear_stable"] else "unstable"
    ratio = f"{p['ratio']:.4f} ± {p['ratio_sdev']:.4f}" if p["linear_stable"] else "—"
    return (f"D = {p['mean']:.4g} ± {p['sdev']:.2g}  (constraint {p['constraint_mean']:.4g} ± "
            f"{p['constraint_sdev']:.2g})  linear {lin}  D/D_lin {ratio}")  # fmt: skip


def print_report(res: dict) -> None:
    """The tables of :func:`validate.nonlinear.nonlinear_report`; every statistical claim
    with its significance (:func:`validate.rows.significance`)."""
    from validate.rows import significance

    def sig(value: float, sdev: float, target: float = 0.0) -> str:
        return significance((value - target) / sdev) if sdev > 0 else "—"

    pt, g = res["point"], res["grid"]
    th = res["thresholds"]
    print(f"Nonlinear bilayer at ς = {pt['varsigma']:g}, β = {pt['beta']:g} on N = {g['n']}, "
          f"L = {g['length']:g} d (2/3 dealiased); linear thresholds on the kept modes: "
          f"χ_c = {th['chi_c']:.4f}, u_c = {th['u_c']:.4f}")  # fmt: skip
    print(f"\nStrength scan (χ = {pt['chi']:g}, u = {pt['drift']:g}):")
    for p in res["strength"]:
        print(f"  Θ = {p['theta']:<7g} {_fmt(p)}")
    f = res["strength_fit"]
    print(
        f"  fit D/D_lin = c + aΘ: c = {f['limit']:.4f} ± {f['limit_sdev']:.4f}, "
        f"a = {f['slope']:.3f} ± {f['slope_sdev']:.3f} (χ²/dof {f['chi2_dof']:.2f}); "
        f"c − 1: {sig(f['limit'], f['limit_sdev'], 1.0)}; a ≠ 0: "
        f"{sig(f['slope'], f['slope_sdev'])}"
    )
    print("\nSteppers (Θ = 0.01):")
    for k, p in res["steppers"].items():
        print(f"  {k:16s} {_fmt(p)}")
    st = res.get("step_sizes")
    if st:
        print(f"\nStep size (Θ = {st['theta']:g}, Lawson–Heun, same simulated time): "
              f"λ_nl = {st['nonlinear_rate']:.3g} ω_p, limit √Θ/λ_nl = {st['step_limit']:.3g}")
        for key, dt in zip(("coarse", "fine"), st["dt"], strict=True):
            print(f"  dt = {dt:<8g} {_fmt(st[key])}")
        print(f"  D(dt = {st['dt'][0]:g}) − D(dt = {st['dt'][1]:g}) = {st['difference']:+.4g} "
              f"± {st['difference_sdev']:.2g} ({st['difference_sigmas']:+.1f}σ)")
    w = res["weak_order"]
    print(
        f"\nWeak order ({w['scheme']}, dt = {w['dt']}, {w['n_paths']} antithetic pairs, "
        f"T = {w['t_final']:g}): differences E f(dt) − E f(dt/2) and their ratios (4 = order 2)"
    )
    for k in ("drag_force", "density_variance"):
        d = w[k]
        pairs = zip(d["differences"], d["difference_sdev"], strict=True)
        diffs = ", ".join(f"{a:.3g} ± {b:.2g}" for a, b in pairs)
        pairs = zip(d["ratios"], d["ratio_sdev"], strict=True)
        ratios = ", ".join(f"{a:.2f} ± {b:.2f} (vs 4: {sig(a, b, 4.0)})" for a, b in pairs)
        print(f"  {k:16s} differences {diffs};  ratios {ratios}")
    print("\nv = 0 (χ = 0):")
    for e in res["equilibrium"]:
        print(f"  Θ = {e['theta']:g}: F_x = {e['force_x'][0]:.3g} ± {e['force_x'][1]:.2g};  "
              f"⟨|p_q|²⟩/(Θ/L²) − 1 = {e['pp_ratio'][0]:+.4f} ± {e['pp_ratio'][1]:.4f};  "
              f"⟨|δn_q|²⟩/Gibbs − 1 = {e['nn_ratio'][0]:+.4f} ± {e['nn_ratio'][1]:.4f};  "
              f"max |Σ_r δn| = {e['number_drift']:.1e}")  # fmt: skip
        print(f"    against Gibbs: F_x ≠ 0 {sig(*e['force_x'][:2])}; "
              f"momentum {sig(*e['pp_ratio'][:2])}; density {sig(*e['nn_ratio'][:2])}")  # fmt: skip
    past = ("  [past the linear threshold: a run average, not shown stationary; "
            + ("see the stationarity table]" if "stationarity" in res
               else "test it with --stationarity]"))  # fmt: skip
    print("\nχ scan:")
    for p in res["chi_scan"]:
        tail = past if not (p["linear_stable"] or p["blow_up"]) else ""
        print(f"  Θ = {p['theta']:<6g} χ = {p['chi']:<5g} {_fmt(p)}{tail}")
    print("\nDrift scan:")
    for p in res["drift_scan"]:
        tail = past if not (p["linear_stable"] or p["blow_up"]) else ""
        print(f"  Θ = {p['theta']:<6g} u = {p['drift']:<5g} {_fmt(p)}{tail}")
    if "stationarity" in res:
        from validate.stationarity import format_point

        print("\nPast the linear instability: stationarity (D quoted only where stationary):")
        for p in res["stationarity"]["points"]:
            print("  " + format_point(p))


def run(args: argparse.Namespace) -> int:
    from dragcore.cli import dump_json

    realisations = require_int("--realisations", args.realisations, 1, math.inf)
    steps = require_int("--steps", args.steps, 401, math.inf)  # more than the burn-in, 400
    if args.weak_paths is not None:
        require_int("--weak-paths", args.weak_paths, 2, math.inf)
    if not args.no_figures:
        require_writable_dir("--output", args.output)  # before the computing
    w = world()
    kw = {
        "n_realisations": realisations,
        "n_steps": steps,
        "weak_paths": 1200,
        "w": w,
        "log": lambda text: w.log(text, file=sys.stderr),
    }  # progress apart from --json
    if args.quick:
        kw.update(thetas=(0.0025, 0.005, 0.01), chis=(-1.0, 0.0, 1.0, 5.0),
                  drifts=(1.0, 1.75, 2.2), chi_thetas=(0.01,), weak_paths=200)  # fmt: skip
    if args.weak_paths is not None:  # given: honoured, with or without --quick
        kw["weak_paths"] = args.weak_paths
    st_steps = args.stationarity_steps or (3600 if args.quick else 80400)
    if args.stationarity:
        from validate.stationarity import check_run_length

        check_run_length(st_steps)  # refused before the report computes
    res = nonlinear_report(**kw)
    if res is None:
        return 0
    if args.stationarity:
        from dataclasses import replace

        from validate.nonlinear import REPORT_DRIFTS
        from validate.nonlinear_run import STATIONARITY_SCAN_RUN
        from validate.stationarity import stationarity_report

        res["stationarity"] = stationarity_report(
            kw.get("drifts", REPORT_DRIFTS), log=kw["log"],
            run=replace(STATIONARITY_SCAN_RUN, n_steps=st_steps),
        )  # fmt: skip
    if not args.no_figures:
        from validate.figures import nonlinear_figures

        res["figures"] = [str(p) for p in nonlinear_figures(res, Path(args.output))]
    if args.json:
        print(dump_json(res))
    else:
        print_report(res)
    return 0
