"""``python -m langevin exact`` — exact drag resistivity of the bilayer model (no box).

Dimensionless input (``--varsigma --beta --chi [--v]``) or physical input (``--density``
and friends, all of them). Without ``--v`` (or with v = 0) the result is the linear-response
limit v → 0 at fixed χ. Prints D ≡ ρ_D/ρ₀ (Eq. 21 reads D = f(ς) + χ g(ς)) and ρ_D.
"""

from __future__ import annotations

import argparse

from dragcore.checks import require_positive
from dragcore.cli import dump_json
from langevin.exact import exact_drag, instability_threshold
from langevin.params import BilayerParameters

DEFAULTS: dict = {
    "varsigma": None,
    "beta": None,
    "chi": 0.0,
    "v": 0.0,
    "bulk_to_shear": 0.0,
    "odd": 0.0,
    "sound": 0.0,
    "paper": False,
    "density": None,
    "mass": 0.067,
    "kappa": 12.0,
    "spacing": None,
    "temperature": None,
    "sigma": None,
    "eta": None,
    "alpha": 0.0,
    "field": 0.0,
    "velocity": 0.0,
    "threshold": False,
    "json": False,
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    dim = parser.add_argument_group("dimensionless input (Eq. 24)")
    dim.add_argument("--varsigma", type=float, help="ς = 2πσ/(dκω_p)")
    dim.add_argument("--beta", type=float, help="β = ν/(d²ω_p), ν = (η+ζ)/ϱ")
    dim.add_argument("--chi", type=float, default=0.0, help="χ = α v·B (default 0)")
    dim.add_argument(
        "--v", type=float, default=0.0, help="drift u = v/(ω_p d); omit for the v → 0 limit"
    )
    dim.add_argument("--bulk-to-shear", type=float, default=0.0, help="ζ_b/η (default 0)")
    dim.add_argument("--odd", type=float, default=0.0, help="β_o = η_o/(ϱd²ω_p)")
    dim.add_argument("--sound", type=float, default=0.0, help="s² = c_s²/(ω_p d)²")
    parser.add_argument(
        "--paper",
        action="store_true",
        help="the paper's approximations (even/odd viscosity and pressure off)",
    )
    phys = parser.add_argument_group("physical input (instead of the dimensionless one)")
    phys.add_argument("--density", type=float, help="n per layer, cm^-2")
    phys.add_argument("--mass", type=float, default=0.067, help="m in m_e (default 0.067)")
    phys.add_argument("--kappa", type=float, default=12.0, help="dielectric constant")
    phys.add_argument("--spacing", type=float, help="d, nm")
    phys.add_argument("--temperature", type=float, help="T, K")
    phys.add_argument("--sigma", type=float, help="σ in e²/ħ")
    phys.add_argument("--eta", type=float, help="shear viscosity η in ħn")
    phys.add_argument("--alpha", type=float, default=0.0, help="α in 1/((m/s)·T)")
    phys.add_argument("--field", type=float, default=0.0, help="B along v, tesla")
    phys.add_argument("--velocity", type=float, default=0.0, help="drift v, m/s")
    parser.add_argument(
        "--threshold", action="store_true", help="also report the instability threshold χ_c"
    )
    parser.add_argument("--json", action="store_true", help="machine-readable output")


def params_from_args(args: argparse.Namespace) -> BilayerParameters:
    """Parameters from either the physical or the dimensionless options."""
    if getattr(args, "density", None) is not None:
        missing = [
            k for k in ("spacing", "temperature", "sigma", "eta") if getattr(args, k) is None
        ]
        if missing:
            raise ValueError(
                f"{missing[0]} = None is outside the allowed range: physical input needs "
                "--density --spacing --temperature --sigma --eta"
            )
        p = BilayerParameters.from_physical(
            density_cm2=args.density,
            mass_me=args.mass,
            kappa=args.kappa,
            spacing_nm=args.spacing,
            temperature_k=args.temperature,
            sigma_e2_per_hbar=args.sigma,
            eta_hbar_n=args.eta,
            alpha_per_mps_tesla=args.alpha,
            field_tesla=(args.field, 0.0),
            velocity_mps=(args.velocity, 0.0),
        )
    else:
        for k in ("varsigma", "beta"):  # the values given first, then the missing ones
            if getattr(args, k) is not None:
                require_positive(k, getattr(args, k))
        for k in ("varsigma", "beta"):
            if getattr(args, k) is None:
                raise ValueError(
                    f"{k} (--{k}) is missing: give a value in the allowed range (0, inf)"
                )
        p = BilayerParameters(
            varsigma=args.varsigma,
            beta=args.beta,
            chi=args.chi,
            drift=args.v,
            bulk_to_shear=args.bulk_to_shear,
            odd=args.odd,
            sound=args.sound,
        )
    return p.paper_approximations() if args.paper else p


def run(args: argparse.Namespace) -> int:
    p = params_from_args(args)
    result = exact_drag(p)
    out = result.as_dict()
    out["rho_D_over_rho_0"] = result.D
    if args.threshold:
        out["chi_c"] = instability_threshold(p)
    if args.json:
        print(dump_json(out))
        return 0
    limit = "v → 0 limit" if result.linear_response else f"u = v/(ω_p d) = {p.drift:g}"
    print(f"exact drag ({limit}), ς = {p.varsigma:g}, β = {p.beta:g}, χ = {p.chi:g}")
    print(f"  D = ρ_D/ρ₀ = {result.D:.10g}  (± {result.D_error:.1e}, quadrature)")
    if result.rho_D is not None:
        print(f"  ρ_D = {result.rho_D_ohm:.6g} Ω  ({result.rho_D:.6g} s/cm)")
    else:
        print("  ρ_D = D ρ₀  (ρ₀ = ħ²σ/(4π²e⁴)(nd²)⁻² T/E_F; give physical input for Ω)")
    if args.threshold:
        print(f"  instability threshold χ_c = {out['chi_c']:.6g}")
    return 0
