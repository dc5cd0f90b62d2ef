"""``python -m validate regime`` — physical units and a regime map.

Prints, for a few representative bilayers (:data:`REPRESENTATIVE`), Θ, ς, β, the one-loop
slope a and correction aΘ (cutoff cell ℓ = d, and ℓ = ℓ_ee by a ∝ 1/ℓ²), the exact linear
ρ_D and the nonreciprocal part per unit χ in Ω, and the paper's hydrodynamic conditions
(:func:`validate.regime.regime_point`). With ``--figure`` it also computes the maps over
(n, d) at three temperatures per material and writes into ``--output`` exactly the files
:data:`validate.regime.FIGURE_NAMES` (refused if one exists, unless ``--overwrite``): the
correction |aΘ|, the nonreciprocal ρ_D per unit χ, and ρ_D(χ) of a GaAs bilayer (minutes:
each map point costs a one-loop sum on the 16×16 grid, about 2 s).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from dragcore.cli import dump_json, require_writable_dir

#: (material, n cm⁻², d nm, T K) of the table.
REPRESENTATIVE = (
    ("gaas", 1e11, 40.0, 10.0),
    ("gaas", 5e11, 300.0, 120.0),
    ("graphene-like", 1e12, 10.0, 100.0),
    ("graphene-like", 3e12, 100.0, 1000.0),
)
#: Map axes per material: densities (cm⁻²), spacings (nm), temperatures (K).
MAP_AXES = {
    "gaas": ((1e10, 3e12), (20.0, 500.0), (5.0, 30.0, 150.0)),
    "graphene-like": ((1e11, 1e13), (5.0, 300.0), (30.0, 150.0, 600.0)),
}
#: The χ values of the ρ_D(χ) figure.
CHI_VALUES = (-0.8, -0.6, -0.4, -0.2, 0.0, 0.2, 0.4, 0.6, 0.8, 1.0)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--figure", action="store_true",
                        help="compute the maps and write the three figures (minutes)")  # fmt: skip
    parser.add_argument("--output", default="drag-report/regime", metavar="DIR",
                        help="directory of the figures (default drag-report/regime)")  # fmt: skip
    parser.add_argument("--overwrite", action="store_true",
                        help="replace this command's own figure files in DIR")  # fmt: skip
    parser.add_argument("--resolution", type=int, default=5,
                        help="map points per axis (2…12, default 5)")  # fmt: skip
    parser.add_argument("--chi-point", default="1e11,40,10", metavar="N,D,T",
                        help="GaAs n (cm⁻²), d (nm), T (K) of the ρ_D(χ) figure "
                             "(default 1e11,40,10: the docs' GaAs point)")  # fmt: skip
    parser.add_argument("--json", action="store_true", help="print the numbers as JSON")


def _chi_point(text: str) -> tuple[float, float, float]:
    """``n,d,T`` → floats, each in :func:`validate.regime.regime_point`'s range."""
    allowed = "(allowed: n,d,T with n in 1e8…1e14 cm⁻², d in 0.5…1e4 nm, T in 0.01…3000 K)"
    try:
        n, d, t = (float(x) for x in text.split(","))
    except ValueError:
        raise ValueError(f"--chi-point = {text!r} is outside the allowed range {allowed}") from None
    if not (1e8 <= n <= 1e14 and 0.5 <= d <= 1e4 and 0.01 <= t <= 3000):
        raise ValueError(f"--chi-point = {text!r} is outside the allowed range {allowed}")
    return n, d, t


def _check_output(args: argparse.Namespace) -> Path:
    from validate.regime import FIGURE_NAMES

    out = require_writable_dir("--output", args.output)
    if out.exists() and not out.is_dir():
        raise ValueError(f"--output = {args.output!r} is not a directory (allowed: a directory)")
    existing = [n for n in FIGURE_NAMES if (out / n).exists()]
    if existing and not args.overwrite:
        raise ValueError(f"--output = {args.output!r} already holds {', '.join(existing)} "
                         "(allowed: a directory without them, or pass --overwrite)")  # fmt: skip
    return out


def _row(p) -> str:
    flags = ("yes" if p.hydrodynamic else "no") + f" (ω_pτ={p.omega_p_tau_ee:.2g}, " \
        f"T/E_F={p.temperature_k / p.fermi_energy_k:.2g}, T_low/E_F=" \
        f"{p.t_lower_k / p.fermi_energy_k:.2g})"
    lee = p.a_theta * (p.spacing_nm / p.mean_free_path_nm) ** 2
    lee_txt = f"{lee:>+10.3g}" if p.mean_free_path_nm < p.spacing_nm else f"{'— (ℓ_ee>d)':>10}"
    return (f"  {p.material:<13} {p.density_cm2:>8.2g} {p.spacing_nm:>6g} {p.temperature_k:>6g} "
            f"{p.theta:>9.3g} {p.varsigma:>7.3g} {p.beta:>8.3g} {p.a:>7.3f} {p.a_theta:>+10.3g} "
            f"{p.mean_free_path_nm / p.spacing_nm:>7.3g} {lee_txt} {p.rho_d_ohm:>9.4g} "
            f"{p.nonreciprocal_ohm_per_chi:>+10.3g}  {flags}")  # fmt: skip


def run(args: argparse.Namespace) -> int:
    if not 2 <= args.resolution <= 12:
        raise ValueError(f"--resolution = {args.resolution} is outside the allowed range 2…12")
    chi_point = _chi_point(args.chi_point)
    out = _check_output(args) if args.figure else None  # before any computing
    from validate.regime import (
        CHI0,
        MATERIALS,
        REFERENCE_GRID,
        drag_versus_chi,
        regime_figures,
        regime_map,
        regime_point,
    )

    grid = REFERENCE_GRID  # read at call time (a test may make it coarse)
    points = [regime_point(n, d, t, mat, grid=grid) for mat, n, d, t in REPRESENTATIVE]
    maps, scan, paths = [], None, []
    if args.figure:
        for mat, (n_rng, d_rng, temps) in MAP_AXES.items():
            ns = np.geomspace(*n_rng, args.resolution).tolist()
            ds = np.geomspace(*d_rng, args.resolution).tolist()
            maps.append(regime_map(mat, ns, ds, temps, grid=grid))
        scan = drag_versus_chi(*chi_point, CHI_VALUES, "gaas", grid=grid)
        out.mkdir(parents=True, exist_ok=True)
        paths = regime_figures(maps, scan, out)
    if args.json:
        print(dump_json({"points": [p.as_dict() for p in points],
                         "maps": [{k: v for k, v in m.items() if k != "points"} for m in maps],
                         "drag_versus_chi": scan, "figures": [str(p) for p in paths]}))  # fmt: skip
        return 0
    n_grid, length = grid
    print("Regime of the nonlinear and nonreciprocal drag in physical units (paper's estimates: "
          "σ = e²/ħ, η = ħn(E_F/T)², τ_ee = ħE_F/T², ℓ_ee = v_Fτ_ee)")  # fmt: skip
    for m in MATERIALS.values():
        print(f"  {m.name}: m = {m.mass_me:g} mₑ, κ = {m.kappa:g} ({m.note})")
    print(f"  a: one loop at χ = {CHI0:g}, u = 0.05 on the {n_grid}×{n_grid}, L = {length:g} d "
          "grid (cell ℓ = d); aΘ(ℓ_ee) = aΘ (d/ℓ_ee)² (a ∝ Λ², an upper estimate: the local "
          "exponent is 1.7–1.9); nonreciprocal: "
          f"[ρ_D(χ₀) − ρ_D(−χ₀)]/χ₀, χ₀ = {CHI0:g}")  # fmt: skip
    print(f"  {'material':<13} {'n cm⁻²':>8} {'d nm':>6} {'T K':>6} {'Θ':>9} {'ς':>7} {'β':>8} "
          f"{'a':>7} {'aΘ(ℓ=d)':>10} {'ℓ_ee/d':>7} {'aΘ(ℓ_ee)':>10} {'ρ_D Ω':>9} "
          f"{'Δρ_D/χ Ω':>10}  hydrodynamic")  # fmt: skip
    for p in points:
        print(_row(p))
    for m in maps:
        h = m["hydrodynamic"]
        at = np.abs(m["a_theta"])
        nr = np.abs(m["nonreciprocal_ohm_per_chi"])
        txt = (f"|aΘ| {at[h].min():.2g}…{at[h].max():.2g}, |Δρ_D/χ| {nr[h].min():.2g}…"
               f"{nr[h].max():.2g} Ω" if h.any() else "none")  # fmt: skip
        sg, be = m["varsigma"], m["beta"]
        print(f"\nmap {m['material']}: |aΘ| (ℓ = d) {at.min():.2g}…{at.max():.2g}; "
              f"ς {sg.min():.2g}…{sg.max():.2g}, β {be.min():.2g}…{be.max():.2g}; "
              f"hydrodynamic cells {int(h.sum())}/{h.size}: {txt}")  # fmt: skip
    if scan is not None:
        print(f"\nρ_D(χ), GaAs n = {scan['density_cm2']:g} cm⁻², d = {scan['spacing_nm']:g} nm, "
              f"T = {scan['temperature_k']:g} K (Θ = {scan['theta']:.3g})")  # fmt: skip
        for r in scan["rows"]:
            print(f"  χ = {r['chi']:+5.2f}  ρ_D = {r['rho_d_ohm']:.4g} Ω  a = {r['a']:+.3f}  "
                  f"with one loop {r['rho_d_one_loop_ohm']:.4g} Ω")  # fmt: skip
    for p in paths:
        print(f"wrote {p}")
    return 0
