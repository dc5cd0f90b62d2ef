"""``python -m validate weyl`` — Weyl-film / 2D-metal drag coefficients and tensors
(Hall-drag paper).

One temperature: η∥⁽⁰⁾, η∥⁽¹⁾, η_H (Pa·s) and σ^D_xx, σ^D_xy (S), ρ^D_xx, ρ^D_xy (Ω) with
the closed forms (31)/(41)–(43) beside them. ``--figure``: the Fig. 2 analogue (both
spacings, several n^p, T = 1–300 K), Fig. 5 (Q₁, Q₂, Q₃) and the approach of the quadrature
to the low- and high-temperature limits, as PNG files in ``--output``.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import numpy as np

from dragcore import units
from dragcore.checks import require_positive, require_range
from dragcore.cli import dump_json
from montecarlo.presets import FIG2_DENSITIES_CM2, PRESETS, Bilayer, preset
from validate.weyl import (
    drag_coefficients,
    drag_tensors,
    eta_high_T,
    eta_low_T,
    hall_coefficients,
    q_functions,
)

DEFAULTS: dict = {
    "preset": "fig2-d40",
    "T": 10.0,
    "n_p": 3e11,
    "tau_p": 50.0,
    "d": None,
    "tilt": 0.3,
    "eps": 12.0,
    "interaction": "exact",
    "active": "weyl",
    "json": False,
    "figure": True,
    "n_T": 24,
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--preset", default="fig2-d40", choices=sorted(PRESETS))
    parser.add_argument("--T", type=float, default=10.0, help="temperature in K (default 10)")
    parser.add_argument(
        "--np", dest="n_p", type=float, default=3e11, help="metal density in cm^-2 (3e11)"
    )
    parser.add_argument("--tau-p", type=float, default=50.0, help="metal τ^p in ps (50)")
    parser.add_argument("--d", type=float, default=None, help="spacing in nm (preset's)")
    parser.add_argument("--tilt", type=float, default=0.3, help="tilt C, |C| < 1 (0.3)")
    parser.add_argument("--eps", type=float, default=12.0, help="dielectric constant (12)")
    parser.add_argument("--interaction", choices=("exact", "a2"), default="exact")
    parser.add_argument(
        "--active", choices=("weyl", "metal"), default="weyl", help="metal: 2D–2D drag"
    )
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument("--figure", action="store_true", help="write Fig. 2, Fig. 5 analogues")
    parser.add_argument(
        "--n-T", dest="n_T", type=int, default=24, help="points per figure curve (24)"
    )
    parser.add_argument("--output", default="drag-report/weyl", help="figure directory")


def _bilayer(args: argparse.Namespace) -> Bilayer:
    kw = {
        "n_p_cm2": args.n_p,
        "tau_p_ps": args.tau_p,
        "d_nm": args.d,
        "tilt": args.tilt,
        "dielectric": args.eps,
        "active": args.active,
    }
    return preset(args.preset, **kw)


def compute_point(bilayer: Bilayer, T_kelvin: float, interaction: str = "exact") -> dict:
    """All drag quantities at one temperature, in SI (Pa·s, S, Ω) and internal units."""
    require_positive("T", T_kelvin)
    T = units.kelvin_to_erg(T_kelvin)
    r = drag_coefficients(bilayer, T, interaction)
    h = hall_coefficients(bilayer, r.eta_q3)
    t = drag_tensors(bilayer, r.eta0, r.eta1, h["total"])
    pa = units.internal_viscosity_to_pascal_second
    out = {
        "T_K": T_kelvin,
        "T_d_K": units.erg_to_kelvin(bilayer.T_d),
        "z": bilayer.velocity_ratio,
        "eta_par0_Pa_s": pa(r.eta0),
        "eta_par1_Pa_s": pa(r.eta1),
        "eta_H_Pa_s": pa(h["total"]),
        "eta_H_parts_Pa_s": {k: pa(v) for k, v in h.items() if k != "total"},
        "quadrature_rel_err": max(r.err0 / r.eta0, r.err1 / max(r.eta1, 1e-300)),
        "sigma_D_xx_S": units.internal_conductance_to_siemens(t.sigma_xx),
        "sigma_D_xy_S": units.internal_conductance_to_siemens(t.sigma_xy),
        "sigma_D_xx_eta0_S": units.internal_conductance_to_siemens(t.sigma_xx_eta0),
        "sigma_D_xx_eta1_S": units.internal_conductance_to_siemens(t.sigma_xx_eta1),
        "sigma_D_xy_parallel_S": units.internal_conductance_to_siemens(t.sigma_xy_parallel),
        "sigma_D_xy_hall_S": units.internal_conductance_to_siemens(t.sigma_xy_hall),
        "rho_D_xx_Ohm": units.internal_resistance_to_ohm(t.rho_xx),
        "rho_D_xy_Ohm": units.internal_resistance_to_ohm(t.rho_xy),
        "eta_par0_low_T_Pa_s": pa(eta_low_T(bilayer, T)),
    }
    if bilayer.active.kind == "weyl":
        e0, e1, eq3 = eta_high_T(bilayer, T)
        out["eta_par0_high_T_Pa_s"] = pa(e0)
        out["eta_par1_high_T_Pa_s"] = pa(e1)
    out["_internal"] = {"eta0": r.eta0, "eta1": r.eta1, "eta_q3": r.eta_q3, "eta_H": h["total"]}
    return out


def _check_args(args: argparse.Namespace) -> None:
    require_positive("T", args.T)
    require_positive("n_p", args.n_p)
    require_positive("tau_p", args.tau_p)
    require_range("C", args.tilt, -1.0, 1.0, lo_open=True, hi_open=True)
    require_positive("eps", args.eps)
    if args.d is not None:
        require_positive("d", args.d)
    if not (isinstance(args.n_T, int) and args.n_T >= 2):
        raise ValueError(f"n_T = {args.n_T!r} is outside the allowed range [2, inf)")


def run(args: argparse.Namespace) -> int:
    _check_args(args)
    if getattr(args, "figure", False):
        return _figures(args)
    res = compute_point(_bilayer(args), args.T, args.interaction)
    res.pop("_internal")
    if args.json:
        print(dump_json(res))
        return 0
    print(f"Weyl film / 2D metal drag, preset {args.preset}, T = {args.T:g} K")
    for k, v in res.items():
        if isinstance(v, dict):
            for kk, vv in v.items():
                print(f"  {k}.{kk:<10s} {vv: .6e}")
        else:
            print(f"  {k:<28s} {v: .6e}")
    return 0


# ------------------------------------------------------------------------------ figures
def _figures(args: argparse.Namespace) -> int:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    temps = np.geomspace(1.0, 300.0, args.n_T)

    # ---- Fig. 2 analogue
    fig, axes = plt.subplots(2, 3, figsize=(13, 7.5))
    for row, name in enumerate(("fig2-d40", "fig2-d120")):
        for n_p in FIG2_DENSITIES_CM2:
            bl = preset(name, n_p_cm2=n_p, tau_p_ps=args.tau_p, tilt=args.tilt, dielectric=args.eps)
            pts = [compute_point(bl, t, args.interaction) for t in temps]
            lab = f"n_p = {n_p:.0e} cm⁻²"
            sxx = np.array([p["sigma_D_xx_S"] for p in pts])
            sxy = np.array([p["sigma_D_xy_S"] for p in pts])
            rxy = np.array([p["rho_D_xy_Ohm"] for p in pts])
            (ln,) = axes[row, 0].loglog(temps, sxx, label=lab)
            axes[row, 1].loglog(temps, sxy, color=ln.get_color())
            axes[row, 2].loglog(temps, -rxy, color=ln.get_color())
            axes[row, 0].axvline(pts[0]["T_d_K"], color=ln.get_color(), ls=":", lw=0.8)
            if n_p == FIG2_DENSITIES_CM2[0]:
                x0 = np.array([p["sigma_D_xx_eta0_S"] for p in pts])
                x1 = np.array([p["sigma_D_xx_eta1_S"] for p in pts])
                axes[row, 0].loglog(temps, x0, "--", color="gray", lw=0.8, label="σ_xx[η∥⁽⁰⁾]")
                axes[row, 0].loglog(temps, -x1, ":", color="gray", lw=0.8, label="−σ_xx[η∥⁽¹⁾]")
                par = np.array([p["sigma_D_xy_parallel_S"] for p in pts])
                hal = np.array([p["sigma_D_xy_hall_S"] for p in pts])
                axes[row, 1].loglog(temps, par, "--", color="gray", lw=0.8, label="σ_xy[η∥]")
                axes[row, 1].loglog(temps, -hal, "-.", color="gray", lw=0.8, label="−σ_xy[η_H]")
            print(
                f"{name} n_p={n_p:.0e}: σxx(1K)={sxx[0]:.3e} S, σxx(300K)={sxx[-1]:.3e} S, "
                f"T_d={pts[0]['T_d_K']:.1f} K"
            )
        d = PRESETS[name]["d_nm"]
        axes[row, 0].set_ylabel(f"d = {d:g} nm\nσ^D_xx (S)")
        axes[row, 1].set_ylabel("σ^D_xy (S)")
        axes[row, 2].set_ylabel("−ρ^D_xy (Ω)")
        for ax in axes[row]:
            ax.set_xlabel("T (K)")
            ax.grid(True, which="both", lw=0.3)
    axes[0, 0].legend(fontsize=8)
    axes[0, 1].legend(fontsize=8)
    fig.suptitle(
        "Weyl film / 2D metal drag (Fig. 2 analogue; dotted: T_d; C = "
        f"{args.tilt:g}, τ^p = {args.tau_p:g} ps, interaction {args.interaction})"
    )
    fig.tight_layout()
    fig.savefig(out / "fig2_drag_vs_T.png", dpi=110)
    plt.close(fig)

    # ---- Fig. 5
    zs = np.geomspace(1e-2, 1e2, max(21, 5 * args.n_T + 1))
    qs = np.array([q_functions(z) for z in zs])
    fig, ax = plt.subplots(figsize=(6, 4))
    for i, lab in enumerate(("Q₁", "Q₂", "Q₃")):
        ax.semilogx(zs, qs[:, i], label=lab)
    q_inf = q_functions(math.inf)
    ax.axhline(0.800, color="gray", ls=":", lw=0.8)
    ax.axhline(0.205, color="gray", ls=":", lw=0.8)
    ax.set_xlabel("z = v_F^p / v_F^a")
    ax.legend()
    ax.set_title(f"Fig. 5: Q₁(∞) = {q_inf[0]:.4f}, Q₂(∞) = {q_inf[1]:.4f}")
    fig.tight_layout()
    fig.savefig(out / "fig5_Q_functions.png", dpi=110)
    plt.close(fig)
    print(f"Q1(inf) = {q_inf[0]:.6f} (paper 0.800), Q2(inf) = {q_inf[1]:.6f} (paper 0.205)")

    # ---- approach to the limits (A2 interaction, C = 0: the closed forms' assumptions)
    bl = preset("fig2-d40", n_p_cm2=args.n_p, tau_p_ps=args.tau_p, tilt=0.0)
    ratios = np.geomspace(1e-3, 1e2, max(6, args.n_T + 2))
    lo, hi0, hi1 = [], [], []
    for rt in ratios:
        T = rt * bl.T_d
        r = drag_coefficients(bl, T, "a2")
        lo.append(r.eta0 / eta_low_T(bl, T))
        e0, e1, _ = eta_high_T(bl, T)
        hi0.append(r.eta0 / e0)
        hi1.append(r.eta1 / e1)
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.loglog(ratios, np.abs(1 - np.array(lo)), label="|1 − η∥⁽⁰⁾/Eq.(31)|")
    ax.loglog(ratios, np.abs(1 - np.array(hi0)), label="|1 − η∥⁽⁰⁾/Eq.(41)|")
    ax.loglog(ratios, np.abs(1 - np.array(hi1)), label="|1 − η∥⁽¹⁾/Eq.(42)|")
    ax.set_xlabel("T / T_d")
    ax.set_ylabel("relative deviation")
    ax.set_title("quadrature (Eq. A2, C = 0) vs closed forms")
    ax.grid(True, which="both", lw=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out / "limits.png", dpi=110)
    plt.close(fig)
    print(f"figures written to {out.resolve()}")
    return 0
