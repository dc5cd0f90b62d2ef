"""``python -m validate fg`` — table and figures of f(ς), g(ς, β) of Eq. (22).

Prints f, g and g/f over a ς grid (route 1 of :mod:`validate.fg`: exact y-integration,
relative error estimate ≤ 1e-12) and writes two PNG figures into ``--output``:

* ``g_over_f.png`` — (a) g/f versus ς for several β (the paper's Fig. 3); (b) the
  β-independent R(ς) = ς g/(β f) with its ς → 0 and ς → ∞ asymptotic forms;
* ``spectral_density.png`` — the integrand F(x, y) of f at ς = 0.15 (the paper's Fig. 2)
  with the plasmon lines y = √(x(1 ± e^{−x})).

``--json`` prints the same numbers as JSON. g is linear in β, so g/β is printed once.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from dragcore.checks import require_positive, require_range
from dragcore.cli import add_table_and_figure_options

#: the ς grid of the table: 10^{−2}, 10^{−1.75}, …, 10¹
DEFAULT_VARSIGMA = [float(v) for v in np.round(np.logspace(-2, 1, 13), 12)]
#: β of Fig. 3 (the paper estimates β ≲ 1/(k_F d) with k_F d ~ 2…20)
DEFAULT_FIGURE_BETA = [0.01, 0.03, 0.1, 0.3, 1.0]
#: ς of the spectral-density figure, as in the paper's Fig. 2
FIG2_VARSIGMA = 0.15

DEFAULTS: dict = {
    "varsigma": DEFAULT_VARSIGMA,
    "beta": [0.1],
    "figure_beta": DEFAULT_FIGURE_BETA,
    "json": False,
    "no_figures": False,
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--varsigma",
        type=float,
        nargs="+",
        default=DEFAULTS["varsigma"],
        metavar="S",
        help="ς values of the table (default: 13 log-spaced values 0.01…10)",
    )
    parser.add_argument(
        "--beta",
        type=float,
        nargs="+",
        default=DEFAULTS["beta"],
        metavar="B",
        help="β values of the table (default: 0.1; g is linear in β)",
    )
    parser.add_argument(
        "--figure-beta",
        type=float,
        nargs="+",
        default=DEFAULTS["figure_beta"],
        metavar="B",
        help="β values of the g/f figure (default: 0.01 0.03 0.1 0.3 1)",
    )
    add_table_and_figure_options(parser, "drag-report/fg")


def compute_table(varsigma, beta) -> dict:
    """f, g and g/f on the grid (all validated), as plain lists keyed for JSON."""
    from validate import fg

    s = np.atleast_1d(require_range("varsigma", varsigma, *fg.VARSIGMA_RANGE))
    b = np.atleast_1d(require_positive("beta", beta, allow_zero=True))
    f_res = fg.f_with_error(s)
    g_res = fg.g_with_error(s, 1.0)
    return {
        "varsigma": s.tolist(),
        "beta": b.tolist(),
        "f": f_res.value.tolist(),
        "f_error_estimate": f_res.error.tolist(),
        "g_over_beta": g_res.value.tolist(),
        "g_over_beta_error_estimate": g_res.error.tolist(),
        "g": {str(float(bb)): (bb * g_res.value).tolist() for bb in b},
        "g_over_f": {str(float(bb)): (bb * g_res.value / f_res.value).tolist() for bb in b},
        "asymptotics": {
            "f(varsigma->inf)": "pi*zeta(3)/(8 varsigma^2) - pi/(16 varsigma^4)"
            "*[ln(varsigma^2/2) + 2 - pi^2/3] - 5 pi^2/(32 sqrt2 varsigma^5)",
            "g(varsigma->inf)/beta": "9 pi zeta(3)/(32 varsigma^3) - 5 pi/(64 varsigma^5)"
            "*[ln(varsigma^2/2) + 13/5 - pi^2/3] - 9 pi^2/(64 sqrt2 varsigma^6)",
            "f(varsigma->0)": "(pi/8) X^4 [1 + pi^2/(2 X^2) + ...], X = W(2/varsigma^2)/2",
            "g(varsigma->0)/beta": "pi X^5/(20 varsigma) [1 + ...]",
        },
    }


def _print_table(table: dict) -> None:
    print("f(ς) and g(ς, β) of Eq. (22)  [exact y-integration; relative error estimate ≤ 1e-12]")
    head = f"{'ς':>10} {'f':>18} {'g/β':>18}"
    for b in table["beta"]:
        head += f" {'g, β=' + format(b, 'g'):>18} {'g/f, β=' + format(b, 'g'):>14}"
    print(head)
    for k, s in enumerate(table["varsigma"]):
        row = f"{s:10.4g} {table['f'][k]:18.12e} {table['g_over_beta'][k]:18.12e}"
        for b in table["beta"]:
            key = str(float(b))
            row += f" {table['g'][key][k]:18.12e} {table['g_over_f'][key][k]:14.6g}"
        print(row)


def _figure_g_over_f(path: Path, s_lo: float, s_hi: float, betas) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from validate import fg

    s = np.geomspace(s_lo, s_hi, 241)
    ratio = fg.g(s, 1.0) / fg.f(s)
    s_small = s[s <= 0.3]
    small = fg.g_small_varsigma(s_small, 1.0) / fg.f_small_varsigma(s_small)
    s_large = s[s >= 2.0]
    large = fg.g_large_varsigma(s_large, 1.0) / fg.f_large_varsigma(s_large)
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(11.0, 4.6), layout="constrained")
    colors = plt.cm.viridis(np.linspace(0.0, 0.85, len(betas)))
    for b, c in zip(betas, colors, strict=True):
        ax.loglog(s, b * ratio, color=c, lw=2, label=f"β = {b:g}")
    ax.set_xlabel("attenuation ς = 2πσ / (dκω$_p$)")
    ax.set_ylabel("g(ς, β) / f(ς)")
    ax.set_title("(a) nonreciprocal / linear drag (paper's Fig. 3)")
    ax.legend(fontsize=8, loc="lower left", title="viscosity β = ν/(d²ω$_p$)", title_fontsize=8)
    # (b) the β-independent part: g/f = (β/ς)·R(ς), R slowly varying
    bx.semilogx(s, s * ratio, color="C0", lw=2, label="exact (route 1)")
    bx.semilogx(s_small, s_small * small, color="k", lw=1.2, ls=":", label="ς → 0, 3 terms")
    bx.semilogx(s_large, s_large * large, color="k", lw=1.2, ls="--", label="ς → ∞, 3 terms")
    bx.axhline(9 / 4, color="C2", lw=1, ls="-.", label="ς → ∞ limit 9/4")
    bx.set_xlabel("attenuation ς")
    bx.set_ylabel("R(ς) = ς g / (β f)")
    bx.set_title("(b) the β-independent part: g/f = (β/ς) R(ς)")
    bx.legend(fontsize=8)
    for axis in (ax, bx):
        axis.grid(True, which="major", alpha=0.4)
        axis.grid(True, which="minor", alpha=0.15)
    fig.savefig(path, dpi=150)
    plt.close(fig)


def _figure_spectral_density(path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.colors import LogNorm

    from validate import fg

    x = np.linspace(1e-3, 6.0, 601)
    y = np.linspace(1e-3, 3.0, 451)
    dens = fg.spectral_density(x[None, :], y[:, None], FIG2_VARSIGMA)
    top = float(dens.max())
    fig, ax = plt.subplots(figsize=(6.4, 4.6), layout="constrained")
    mesh = ax.pcolormesh(
        x, y, dens, norm=LogNorm(vmin=top * 1e-4, vmax=top), cmap="magma", shading="auto"
    )
    cbar = fig.colorbar(mesh, ax=ax)
    cbar.set_label("F(x, y) = 2ς x⁵ y⁴ e$^{-2x}$ / (π$_+$π$_-$)")
    xl = np.linspace(1e-3, 6.0, 400)
    a_p, a_m, _ = fg.plasmon_lines(xl)
    ax.plot(xl, np.sqrt(a_p), color="c", lw=1.0, ls="--", label="y = √(x(1 + e$^{-x}$))")
    ax.plot(xl, np.sqrt(a_m), color="w", lw=1.0, ls=":", label="y = √(x(1 − e$^{-x}$))")
    ax.set_xlabel("x = qd")
    ax.set_ylabel("y = ω / ω$_p$")
    ax.set_title(f"Spectral density of f, Eq. (22a), ς = {FIG2_VARSIGMA:g} (paper's Fig. 2)")
    ax.legend(loc="upper left", fontsize=8, framealpha=0.6)
    fig.savefig(path, dpi=150)
    plt.close(fig)


def run(args: argparse.Namespace) -> int:
    from dragcore.cli import dump_json

    table = compute_table(args.varsigma, args.beta)  # validates ς and β
    fig_beta = np.atleast_1d(require_positive("figure_beta", args.figure_beta)).tolist()
    figures = []
    if not getattr(args, "no_figures", False):
        out = Path(args.output)
        out.mkdir(parents=True, exist_ok=True)
        s_lo = min(0.01, min(table["varsigma"]))
        s_hi = max(10.0, max(table["varsigma"]))
        figures = [out / "g_over_f.png", out / "spectral_density.png"]
        _figure_g_over_f(figures[0], s_lo, s_hi, fig_beta)
        _figure_spectral_density(figures[1])
    table["figures"] = [str(p) for p in figures]
    if getattr(args, "json", False):
        print(dump_json(table))
    else:
        _print_table(table)
        for p in figures:
            print(f"wrote {p}")
    return 0
