"""``python -m langevin exact`` — exact drag resistivity of the bilayer model (no box).

Dimensionless input (``--varsigma --beta --chi [--v]``) or physical input (``--density
--mass --kappa --spacing --temperature --sigma --eta``, all of them: a material's mass and
dielectric constant are inputs, not defaults; ``--alpha --field --velocity`` optional), not
both. Without ``--v`` (or with v = 0) the result is the linear-response
limit v → 0 at fixed χ. Prints D ≡ ρ_D/ρ₀ (Eq. 21 reads D = f(ς) + χ g(ς)) and ρ_D.
"""

from __future__ import annotations

import argparse

from dragcore.checks import require_positive
from dragcore.cli import dump_json
from langevin.exact import exact_drag, instability_threshold
from langevin.params import BilayerParameters

#: Dimensionless input (Eq. 24): option, keyword of :class:`BilayerParameters`, default
#: (``None``: required), help.
DIMENSIONLESS_INPUT = (
    ("varsigma", "varsigma", None, "ς = 2πσ/(dκω_p)"),
    ("beta", "beta", None, "β = ν/(d²ω_p), ν = (η+ζ)/ϱ"),
    ("chi", "chi", 0.0, "χ = α v·B (default 0)"),
    ("v", "drift", 0.0, "drift u = v/(ω_p d); omit for the v → 0 limit"),
    ("bulk_to_shear", "bulk_to_shear", 0.0, "ζ_b/η (default 0)"),
    ("odd", "odd", 0.0, "β_o = η_o/(ϱd²ω_p) (default 0)"),
    ("sound", "sound", 0.0, "s² = c_s²/(ω_p d)² (default 0)"),
)
#: Physical input: option, keyword of :meth:`BilayerParameters.from_physical`, help. Every
#: one is required (a material's mass and dielectric constant are inputs, not defaults).
PHYSICAL_INPUT = (
    ("density", "density_cm2", "n per layer, cm⁻²"),
    ("mass", "mass_me", "effective mass m, in mₑ"),
    ("kappa", "kappa", "dielectric constant κ"),
    ("spacing", "spacing_nm", "interlayer spacing d, nm"),
    ("temperature", "temperature_k", "T, K"),
    ("sigma", "sigma_e2_per_hbar", "σ in e²/ħ"),
    ("eta", "eta_hbar_n", "shear viscosity η in ħn"),
)
#: The drive of the physical input: option, help (default 0: no nonreciprocity, v → 0).
PHYSICAL_DRIVE = (
    ("alpha", "α in 1/((m/s)·T) (default 0)"),
    ("field", "B along v, tesla (default 0)"),
    ("velocity", "drift v, m/s (default 0: the v → 0 limit)"),
)

DEFAULTS: dict = {
    **{opt: default for opt, _, default, _ in DIMENSIONLESS_INPUT},
    **{opt: None for opt, _, _ in PHYSICAL_INPUT},
    **{opt: 0.0 for opt, _ in PHYSICAL_DRIVE},
    "paper": False,
    "threshold": False,
    "json": False,
}


def _flag(opt: str) -> str:
    return "--" + opt.replace("_", "-")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    dim = parser.add_argument_group("dimensionless input (Eq. 24)")
    for opt, _, default, text in DIMENSIONLESS_INPUT:
        dim.add_argument(_flag(opt), type=float, default=default, help=text)
    parser.add_argument(
        "--paper",
        action="store_true",
        help="the paper's approximations (even/odd viscosity and pressure off)",
    )
    required = " ".join(_flag(o) for o, _, _ in PHYSICAL_INPUT)
    phys = parser.add_argument_group(
        "physical input", f"instead of the dimensionless one; all of {required}"
    )
    for opt, _, text in PHYSICAL_INPUT:
        phys.add_argument(_flag(opt), type=float, help=text)
    for opt, text in PHYSICAL_DRIVE:
        phys.add_argument(_flag(opt), type=float, default=0.0, help=text)
    parser.add_argument(
        "--threshold", action="store_true", help="also report the instability threshold χ_c"
    )
    parser.add_argument("--json", action="store_true", help="machine-readable output")


def _physical_params(args: argparse.Namespace) -> BilayerParameters:
    """:meth:`BilayerParameters.from_physical` from the physical options, all required."""
    for opt, _, _ in PHYSICAL_INPUT:
        if getattr(args, opt) is None:
            raise ValueError(
                f"{opt} ({_flag(opt)}) is missing: physical input needs all of "
                + " ".join(_flag(o) for o, _, _ in PHYSICAL_INPUT)
            )
    given = [o for o, _, default, _ in DIMENSIONLESS_INPUT if getattr(args, o) != default]
    if given:
        raise ValueError(
            f"{given[0]} ({_flag(given[0])}) is dimensionless input: give either the "
            "dimensionless or the physical input, not both"
        )
    return BilayerParameters.from_physical(
        **{kw: getattr(args, opt) for opt, kw, _ in PHYSICAL_INPUT},
        alpha_per_mps_tesla=args.alpha,
        field_tesla=(args.field, 0.0),
        velocity_mps=(args.velocity, 0.0),
    )


def _dimensionless_params(args: argparse.Namespace) -> BilayerParameters:
    """:class:`BilayerParameters` from the dimensionless options (ς and β required)."""
    given = [o for o, _, _ in PHYSICAL_INPUT if getattr(args, o) is not None]
    given += [o for o, _ in PHYSICAL_DRIVE if getattr(args, o) != 0.0]
    if given:
        raise ValueError(
            f"{given[0]} ({_flag(given[0])}) is physical input: give --density and the rest "
            "of the physical input, or only the dimensionless one"
        )
    for k in ("varsigma", "beta"):  # the values given first, then the missing ones
        if getattr(args, k) is not None:
            require_positive(k, getattr(args, k))
    for k in ("varsigma", "beta"):
        if getattr(args, k) is None:
            raise ValueError(f"{k} (--{k}) is missing: give a value in the allowed range (0, inf)")
    return BilayerParameters(**{kw: getattr(args, opt) for opt, kw, _, _ in DIMENSIONLESS_INPUT})


def params_from_args(args: argparse.Namespace) -> BilayerParameters:
    """Parameters from either the physical or the dimensionless options (not both)."""
    physical = getattr(args, "density", None) is not None
    p = _physical_params(args) if physical else _dimensionless_params(args)
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
