"""``python -m validate weyl`` — Weyl-film / 2D-metal drag coefficients and tensors
(Hall-drag paper).

One temperature: η∥⁽⁰⁾, η∥⁽¹⁾, η_H (Pa·s) and σ^D_xx, σ^D_xy (S), ρ^D_xx, ρ^D_xy (Ω) with
the closed forms (31)/(41)–(43) beside them. ``--figure``: the Fig. 2 analogue (both
spacings, several n^p, T = 1–300 K), Fig. 5 (Q₁, Q₂, Q₃) and the approach of the quadrature
to the low- and high-temperature limits, as PNG files in ``--output``. The numbers are
:func:`validate.weyl.drag_point`, the figures :func:`validate.figures.weyl_figures`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from dragcore.checks import require_positive, require_range
from dragcore.cli import dump_json
from layers.bilayer import Bilayer
from layers.presets import ACTIVE_LAYERS, PRESET_DEFAULTS, PRESETS, preset
from validate.weyl import drag_point

DEFAULTS: dict = {
    "preset": "fig2-d40",
    "T": 10.0,
    "n_p": PRESET_DEFAULTS["n_p_cm2"],
    "tau_p": PRESET_DEFAULTS["tau_p_ps"],
    "d": None,
    "tilt": PRESET_DEFAULTS["tilt"],
    "eps": PRESET_DEFAULTS["dielectric"],
    "interaction": "exact",
    "screening": "T0",
    "active": "weyl",
    "json": False,
    "figure": True,
    "n_T": 24,
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--preset", default="fig2-d40", choices=sorted(PRESETS))
    parser.add_argument("--T", type=float, default=10.0, help="temperature in K (default 10)")
    parser.add_argument("--np", dest="n_p", type=float, default=DEFAULTS["n_p"],
                        help=f"metal density in cm^-2 ({DEFAULTS['n_p']:g})")  # fmt: skip
    parser.add_argument("--tau-p", type=float, default=DEFAULTS["tau_p"],
                        help=f"metal τ^p in ps ({DEFAULTS['tau_p']:g})")  # fmt: skip
    parser.add_argument("--d", type=float, default=None, help="spacing in nm (preset's)")
    parser.add_argument("--tilt", type=float, default=DEFAULTS["tilt"],
                        help=f"tilt C, |C| < 1 ({DEFAULTS['tilt']:g})")  # fmt: skip
    parser.add_argument("--eps", type=float, default=DEFAULTS["eps"],
                        help=f"dielectric constant ({DEFAULTS['eps']:g})")  # fmt: skip
    parser.add_argument("--interaction", choices=("exact", "a2"), default="exact")
    parser.add_argument(
        "--screening",
        choices=("T0", "finite_T"),
        default="T0",
        help="polarizations in |U|² and Im Π at T = 0 (the paper's model) or at T",
    )
    parser.add_argument(
        "--active", choices=tuple(ACTIVE_LAYERS), default="weyl", help="metal: 2D–2D drag"
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
    res = drag_point(_bilayer(args), args.T, args.interaction, args.screening)
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


def _figures(args: argparse.Namespace) -> int:
    from dragcore.progress import Progress
    from validate.figures import weyl_figures

    out = Path(args.output)
    prog = Progress("validate weyl --figure", 1.0)
    figures = weyl_figures(
        out,
        n_p=args.n_p,
        tau_p=args.tau_p,
        tilt=args.tilt,
        eps=args.eps,
        interaction=args.interaction,
        n_T=args.n_T,
        progress=lambda frac: prog.advance(frac - prog.done),
    )
    for line in figures.notes:
        print(line)
    print(f"figures written to {out.resolve()}")
    return 0
