"""``python -m validate [COMMAND]`` — deterministic references and comparisons.

Without a command it runs the main job (every comparison available; ``--quick`` at reduced
statistics; ``--output DIR``, ``--overwrite``, ``--format json``): :mod:`validate.report`.
"""

from __future__ import annotations

import sys

from dragcore.cli import Subcommand, run_program

SUBCOMMANDS = [
    Subcommand("fg", "validate.cli_fg", "table and figures of f(ς), g(ς, β) of Eq. (22)"),
    Subcommand("hydro", "validate.cli_hydro", "exact hydrodynamic drag against Eq. (21)"),
    Subcommand(
        "nonlinear",
        "validate.cli_nonlinear",
        "nonlinear bilayer: D(Θ)/D_linear, steppers, weak order, χ and drift scans",
    ),
    Subcommand("oneloop", "validate.cli_oneloop", "nonlinear drag at one loop: a of 1 + aΘ"),
    Subcommand("regime", "validate.cli_regime", "physical units: regime map of aΘ and ρ_D"),
    Subcommand("weyl", "validate.cli_weyl", "Weyl film / 2D metal drag: η, σ^D, ρ^D (Hall drag)"),
]


def main(argv: list[str] | None = None) -> int:
    from validate.report import add_main_job_arguments, run_main_job

    return run_program(
        "python -m validate",
        __doc__.splitlines()[0],
        SUBCOMMANDS,
        argv,
        default=run_main_job,
        default_arguments=add_main_job_arguments,
    )


if __name__ == "__main__":
    sys.exit(main())
