"""``python -m validate fg`` — table and figures of f(ς), g(ς, β) of Eq. (22).

Prints f, g and g/f over a ς grid (route 1 of :mod:`validate.fg`: exact y-integration,
relative error estimate ≤ 1e-12) and writes two PNG figures into ``--output``:

* ``g_over_f.png`` — (a) g/f versus ς for several β (the paper's Fig. 3); (b) the
  β-independent R(ς) = ς g/(β f) with its ς → 0 and ς → ∞ asymptotic forms;
* ``spectral_density.png`` — the integrand F(x, y) of f at ς = 0.15 (the paper's Fig. 2)
  with the plasmon lines y = √(x(1 ± e^{−x})).

``--json`` prints the same numbers as JSON. g is linear in β, so g/β is printed once. The
numbers are :func:`validate.fg.fg_table`, the figures :func:`validate.figures.fg_figures`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from dragcore.checks import require_positive
from dragcore.cli import add_table_and_figure_options
from validate.cli_output import add_list_options, print_result
from validate.fg import DEFAULT_FIGURE_BETA

#: the ς grid of the table: 10^{−2}, 10^{−1.75}, …, 10¹
DEFAULT_VARSIGMA = [float(v) for v in np.round(np.logspace(-2, 1, 13), 12)]

DEFAULTS: dict = {
    "varsigma": DEFAULT_VARSIGMA,
    "beta": [0.1],
    "figure_beta": DEFAULT_FIGURE_BETA,
    "json": False,
    "no_figures": False,
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_list_options(parser, DEFAULTS, (
        ("varsigma", "S", "ς values of the table (default: 13 log-spaced values 0.01…10)"),
        ("beta", "B", "β values of the table (default: 0.1; g is linear in β)"),
        ("figure_beta", "B", "β values of the g/f figure (default: 0.01 0.03 0.1 0.3 1)"),
    ))  # fmt: skip
    add_table_and_figure_options(parser, "drag-report/fg")


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


def run(args: argparse.Namespace) -> int:
    from validate.fg import fg_table

    table = fg_table(args.varsigma, args.beta)  # validates ς and β
    fig_beta = np.atleast_1d(require_positive("figure_beta", args.figure_beta)).tolist()
    figures = []
    if not getattr(args, "no_figures", False):
        from validate.figures import fg_figures

        s_lo = min(0.01, min(table["varsigma"]))
        s_hi = max(10.0, max(table["varsigma"]))
        figures = fg_figures(Path(args.output), s_lo, s_hi, fig_beta)
    print_result(table, figures, getattr(args, "json", False), _print_table)
    return 0
