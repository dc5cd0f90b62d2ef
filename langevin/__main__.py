"""``python -m langevin COMMAND``."""

from __future__ import annotations

import sys

from dragcore.cli import Subcommand, run_program

SUBCOMMANDS: list[Subcommand] = [
    Subcommand("exact", "langevin.cli_exact", "exact drag D = ρ_D/ρ₀ from the Lyapunov solution"),
    Subcommand("run", "langevin.cli_run", "Langevin time integration on a periodic grid → HDF5"),
    Subcommand("inspect", "langevin.cli_inspect", "summary of a run file written by `run`"),
]


def _coming(args) -> int:
    print("python -m langevin: no command yet; see README.md for what is coming.")
    return 0


def main(argv: list[str] | None = None) -> int:
    return run_program(
        "python -m langevin", __doc__.splitlines()[0], SUBCOMMANDS, argv, default=_coming
    )


if __name__ == "__main__":
    sys.exit(main())
